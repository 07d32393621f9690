/**
 * Named event counters for a simulated run (datagrams retried, lookups failed, …). Plain
 * in-memory tallies; listing is sorted by name so reports are deterministic. Never does I/O and
 * never reads clocks.
 */

export class Counters {
  readonly #values = new Map<string, number>()

  /** Adds `by` (default 1; may be negative or fractional, must be finite) to counter `name`. */
  add (name: string, by = 1): void {
    if (!Number.isFinite(by)) throw new RangeError(`counter ${name}: cannot add ${by}`)
    this.#values.set(name, (this.#values.get(name) ?? 0) + by)
  }

  /** The counter's value; 0 for a counter never added to. */
  get (name: string): number {
    return this.#values.get(name) ?? 0
  }

  /** Whether `name` was ever added to (even by 0). */
  has (name: string): boolean {
    return this.#values.has(name)
  }

  /** Number of distinct counters. */
  get size (): number {
    return this.#values.size
  }

  /** All counters as [name, value] pairs, sorted by name (code-unit order, locale-independent). */
  entries (): Array<[string, number]> {
    return [...this.#values.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  }

  /** All counters as a plain object whose keys are inserted in name order. */
  toObject (): Record<string, number> {
    const out: Record<string, number> = {}
    for (const [name, value] of this.entries()) out[name] = value
    return out
  }
}

/**
 * The guids a store holds, for ring-range queries: each guid beside its value as a double, in
 * flat arrays. A range scan compares doubles and checks only the candidates exactly. Rounding a
 * bigint to a double never breaks order (a ≤ b ⇒ Number(a) ≤ Number(b)), so the double test keeps
 * every member and lets through at most the few guids that round onto a bound, which the exact
 * test then drops. Removal swaps the last entry in; order is arbitrary. Pure.
 */
import { inRangeMod, type GuidRange } from './shared-ranges.ts'

export class GuidIndex {
  readonly #guids: bigint[] = []
  #approx = new Float64Array(64)
  readonly #slot = new Map<bigint, number>()

  get size (): number {
    return this.#guids.length
  }

  add (guid: bigint): void {
    if (this.#slot.has(guid)) return
    const at = this.#guids.length
    if (at === this.#approx.length) {
      const grown = new Float64Array(2 * at)
      grown.set(this.#approx)
      this.#approx = grown
    }
    this.#guids.push(guid)
    this.#approx[at] = Number(guid)
    this.#slot.set(guid, at)
  }

  delete (guid: bigint): void {
    const at = this.#slot.get(guid)
    if (at === undefined) return
    this.#slot.delete(guid)
    const last = this.#guids.length - 1
    if (at !== last) {
      const moved = this.#guids[last]!
      this.#guids[at] = moved
      this.#approx[at] = this.#approx[last]!
      this.#slot.set(moved, at)
    }
    this.#guids.pop()
  }

  /** Calls `visit` with every guid in `range` (an inclusive ring arc, as `inRangeMod`). */
  forEachInRange (range: GuidRange, visit: (guid: bigint) => void): void {
    const low = Number(range.low)
    const high = Number(range.high)
    const wraps = range.low > range.high
    const approx = this.#approx
    const guids = this.#guids
    for (let i = 0; i < guids.length; i++) {
      const x = approx[i]!
      if (wraps ? (x < low && x > high) : (x < low || x > high)) continue
      const guid = guids[i]!
      if (inRangeMod(range, guid)) visit(guid)
    }
  }
}

/**
 * Windowed co-access statistics over a reference string (Griffioen and Appleton): for each access
 * to `a`, the window is the DISTINCT objects among the next `k` references (other than `a`), and
 * `co(a→b)` counts the accesses of `a` whose window holds `b`; `P(b | a) = co(a→b) / count(a)`.
 *
 * Memory is O(capacity × objects), never the full co-occurrence matrix: each object keeps at
 * most `capacity` Space-Saving counters (counter-tables.ts).
 * Exactness conditions:
 *  - while an object has had at most `capacity` distinct successors its counters are exact
 *    (`exact(a)`; `evictions` counts replacements, 0 means everything is exact);
 *  - otherwise each counter `c` with error `e` satisfies `c − e ≤ co(a→b) ≤ c`, and `e` is at
 *    most (updates of a) / capacity ≤ k · count(a) / capacity, so every `b` with
 *    `P(b | a) > k / capacity` has a counter, and the estimate `(c − e) / count(a)` (the
 *    guaranteed lower bound, used by `estimate()` and the neighbour lists) is at most
 *    `k / capacity` below the true P. The default capacity max(2m, ⌈k / pMin⌉) therefore tracks
 *    every `b` with `P(b | a) > pMin`.
 *
 * References are consumed in order, in any number of `add()` calls (a window may span calls).
 * Each new reference `b` at position j is credited to the earlier accesses i in
 * [max(j − k, last(b) + 1), j − 1], which is exactly "b is among the distinct objects of i's
 * window" without storing windows. Objects touched since the last `takeDirty()` are recorded
 * for incremental regrouping. Pure computation; never does I/O.
 */

import { CounterTables, type CounterEntry } from './counter-tables.ts'

export interface CoAccessOptions {
  /** Object ids are 0..numObjects-1 (the tables grow if a larger id arrives). */
  numObjects: number
  k: number
  capacity: number
}

export class CoAccessStats {
  readonly k: number
  readonly #counters: CounterTables
  #numObjects = 0
  #accesses = new Float64Array(0)
  #lastPos = new Float64Array(0)
  #dirty = new Uint8Array(0)
  #dirtyList: number[] = []
  readonly #ring: Int32Array
  #position = 0

  constructor (options: CoAccessOptions) {
    if (!Number.isInteger(options.k) || options.k < 1) throw new RangeError(`co-access: k must be a positive integer, got ${options.k}`)
    this.k = options.k
    this.#counters = new CounterTables(options.capacity)
    this.#ring = new Int32Array(options.k)
    this.ensureObjects(options.numObjects)
  }

  get capacity (): number { return this.#counters.capacity }
  get numObjects (): number { return this.#numObjects }
  /** References consumed so far. */
  get references (): number { return this.#position }
  /** Counter replacements so far (0 means every count is exact). */
  get evictions (): number { return this.#counters.evictions }
  /** Objects that needed a full-capacity counter table. */
  get promotedObjects (): number { return this.#counters.promotedObjects }

  /** Grows the tables to hold ids below `numObjects` (existing counts are kept). */
  ensureObjects (numObjects: number): void {
    if (!Number.isInteger(numObjects) || numObjects < 0) throw new RangeError(`co-access: numObjects must be a non-negative integer, got ${numObjects}`)
    if (numObjects <= this.#numObjects) return
    const old = this.#numObjects
    this.#counters.ensureObjects(numObjects)
    const accesses = new Float64Array(numObjects); accesses.set(this.#accesses); this.#accesses = accesses
    const dirty = new Uint8Array(numObjects); dirty.set(this.#dirty); this.#dirty = dirty
    const lastPos = new Float64Array(numObjects); lastPos.set(this.#lastPos); lastPos.fill(-1, old); this.#lastPos = lastPos
    this.#numObjects = numObjects
  }

  /** Consumes the next references (dense object ids ≥ 0). Throws RangeError on a bad id, naming its index. */
  add (refs: ArrayLike<number>): void {
    let maxId = -1
    if (refs instanceof Int32Array) {
      for (let x = 0; x < refs.length; x++) {
        const b = refs[x]!
        if (b > maxId) maxId = b
        else if (b < 0) throw new RangeError(`co-access: reference ${x} is not an object id: ${b}`)
      }
    } else {
      for (let x = 0; x < refs.length; x++) {
        const b = refs[x]!
        if (!(Number.isInteger(b) && b >= 0 && b < 2 ** 31 - 1)) throw new RangeError(`co-access: reference ${x} is not an object id: ${String(b)}`)
        if (b > maxId) maxId = b
      }
    }
    if (maxId >= this.#numObjects) this.ensureObjects(maxId + 1)
    const k = this.k
    const counters = this.#counters
    const accesses = this.#accesses
    const lastPos = this.#lastPos
    const ring = this.#ring
    const dirty = this.#dirty
    const dirtyList = this.#dirtyList
    let pos = this.#position
    for (let x = 0; x < refs.length; x++) {
      const b = refs[x]!
      const last = lastPos[b]!
      let i = pos - k
      if (i < last + 1) i = last + 1
      let slot = i % k
      for (; i < pos; i++) {
        const a = ring[slot]!
        if (++slot === k) slot = 0
        counters.bump(a, b)
        if (dirty[a] === 0) { dirty[a] = 1; dirtyList.push(a) }
      }
      ring[pos % k] = b
      lastPos[b] = pos
      accesses[b]!++
      if (dirty[b] === 0) { dirty[b] = 1; dirtyList.push(b) }
      pos++
    }
    this.#position = pos
  }

  /** count(a): accesses of a so far. */
  accessCount (a: number): number { return a < this.#numObjects ? this.#accesses[a]! : 0 }

  /** True while a's counters are exact (it never had more than `capacity` distinct successors). */
  exact (a: number): boolean { return this.#counters.exact(a) }

  /** Objects whose counters are no longer exact. */
  overflowedObjects (): number { return this.#counters.overflowedObjects() }

  /** The guaranteed lower bound of co(a→b) (exact when `exact(a)`); 0 when b is not tracked. */
  coCount (a: number, b: number): number { return this.#counters.lowerBound(a, b) }

  /** P(b | a) from the lower bound; 0 when a was never accessed. */
  estimate (a: number, b: number): number {
    const count = this.accessCount(a)
    return count === 0 ? 0 : this.coCount(a, b) / count
  }

  /** a's tracked successors (unordered), with raw counter and error. */
  entries (a: number): CounterEntry[] { return this.#counters.entries(a) }

  /**
   * Copies a's tracked successors into `outIds` and their co-count lower bounds into `outCounts`
   * (both at least `capacity` long) and returns how many there are.
   */
  successors (a: number, outIds: Int32Array, outCounts: Float64Array): number {
    return this.#counters.successors(a, outIds, outCounts)
  }

  /** The objects whose statistics changed since the last call (ascending ids), and clears the record. */
  takeDirty (): Int32Array {
    const out = Int32Array.from(this.#dirtyList).sort()
    for (const a of this.#dirtyList) this.#dirty[a] = 0
    this.#dirtyList = []
    return out
  }
}

/**
 * Bounded per-object counters: for each object `a`, at most `capacity` (successor id, count,
 * error) counters managed by Space-Saving (Metwally, Agrawal and El Abbadi, ICDT 2005). A new
 * successor of a full table replaces a smallest counter `c_min`; it starts at `c_min + 1` with
 * error `c_min`. Every count is exact until an object's first replacement (`exact(a)`); after it
 * `c − e ≤ true ≤ c` and `e ≤ (updates of a) / capacity`.
 *
 * Storage is two-tier so memory follows need: every object has a small table (32 counters);
 * one that meets more distinct successors is promoted to a full-capacity table from a pool that
 * grows in chunks (never copied). Each table has a linear-probing hash index (successor id → slot + 1), so an
 * update costs O(1) expected; a replacement scans on from a per-object cursor for the known
 * minimum (recomputed when no counter holds it any more: counts only grow, so it stays a lower
 * bound of the true minimum). Worst case O(capacity × objects) memory. Pure computation.
 */

const GOLDEN = 0x9e3779b1
const SMALL_MAX = 32
const CHUNK_BITS = 10
const CHUNK_TABLES = 1 << CHUNK_BITS

export interface CounterEntry { id: number, count: number, error: number }

export class CounterTables {
  readonly capacity: number
  #numObjects = 0
  readonly #small: number
  readonly #smallHash: number
  readonly #largeHash: number
  /** Small tier: table of a at slots[a × small × 3], index at a × smallHash; [id, count, error] per slot. */
  #smallSlots = new Int32Array(0)
  #smallIndex = new Uint16Array(0)
  /** Large tier, in chunks of CHUNK_TABLES tables (never copied): table t is number t % CHUNK_TABLES of chunk ⌊t / CHUNK_TABLES⌋; largeOf[a] = t or -1. */
  readonly #largeSlots: Int32Array[] = []
  readonly #largeIndex: Uint16Array[] = []
  #largeOf = new Int32Array(0)
  #largeCount = 0
  #fill = new Int32Array(0)
  #minKnown = new Int32Array(0)
  #cursor = new Int32Array(0)
  #overflowed = new Uint8Array(0)
  #evictions = 0

  constructor (capacity: number, numObjects = 0) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 65_535) throw new RangeError(`counters: capacity must be an integer in [1, 65535], got ${capacity}`)
    this.capacity = capacity
    this.#small = Math.min(SMALL_MAX, capacity)
    this.#smallHash = 2 ** Math.ceil(Math.log2(2 * this.#small + 1))
    this.#largeHash = 2 ** Math.ceil(Math.log2(2 * capacity + 1))
    this.ensureObjects(numObjects)
  }

  get numObjects (): number { return this.#numObjects }
  /** Counter replacements so far (0: every count is exact). */
  get evictions (): number { return this.#evictions }
  /** Objects holding a full-capacity table. */
  get promotedObjects (): number { return this.#largeCount }

  ensureObjects (numObjects: number): void {
    if (!Number.isInteger(numObjects) || numObjects < 0) throw new RangeError(`counters: numObjects must be a non-negative integer, got ${numObjects}`)
    if (numObjects <= this.#numObjects) return
    const g32 = (from: Int32Array, size: number): Int32Array<ArrayBuffer> => { const to = new Int32Array(size); to.set(from); return to }
    this.#smallSlots = g32(this.#smallSlots, numObjects * this.#small * 3)
    const index = new Uint16Array(numObjects * this.#smallHash); index.set(this.#smallIndex); this.#smallIndex = index
    const largeOf = new Int32Array(numObjects).fill(-1); largeOf.set(this.#largeOf); this.#largeOf = largeOf
    this.#fill = g32(this.#fill, numObjects)
    this.#minKnown = g32(this.#minKnown, numObjects)
    this.#cursor = g32(this.#cursor, numObjects)
    const overflowed = new Uint8Array(numObjects); overflowed.set(this.#overflowed); this.#overflowed = overflowed
    this.#numObjects = numObjects
  }

  /** Counts one more occurrence of successor b for object a (both < numObjects). */
  bump (a: number, b: number): void {
    const t = this.#largeOf[a]!
    if (t < 0) {
      const f = this.#fill[a]!
      const r = tableBump(this.#smallSlots, this.#smallIndex, a * this.#small, a * this.#smallHash, this.#smallHash, this.#small, f, b)
      if (r >= 0) { this.#fill[a] = r; return }
      if (this.#small < this.capacity) {
        const promoted = this.#promote(a)
        const c = promoted >>> CHUNK_BITS
        const u = promoted & (CHUNK_TABLES - 1)
        this.#fill[a] = tableBump(this.#largeSlots[c]!, this.#largeIndex[c]!, u * this.capacity, u * this.#largeHash, this.#largeHash, this.capacity, f, b)
        return
      }
      this.#replace(this.#smallSlots, this.#smallIndex, a * this.#small, a * this.#smallHash, this.#smallHash, this.#small, a, b)
      return
    }
    const f = this.#fill[a]!
    const c = t >>> CHUNK_BITS
    const u = t & (CHUNK_TABLES - 1)
    const r = tableBump(this.#largeSlots[c]!, this.#largeIndex[c]!, u * this.capacity, u * this.#largeHash, this.#largeHash, this.capacity, f, b)
    if (r >= 0) { this.#fill[a] = r; return }
    this.#replace(this.#largeSlots[c]!, this.#largeIndex[c]!, u * this.capacity, u * this.#largeHash, this.#largeHash, this.capacity, a, b)
  }

  /** Moves a's full small table into a new large table; returns the table number. */
  #promote (a: number): number {
    const cap = this.capacity
    const t = this.#largeCount++
    const c = t >>> CHUNK_BITS
    const u = t & (CHUNK_TABLES - 1)
    if (c === this.#largeSlots.length) {
      this.#largeSlots.push(new Int32Array(CHUNK_TABLES * cap * 3))
      this.#largeIndex.push(new Uint16Array(CHUNK_TABLES * this.#largeHash))
    }
    const slots = this.#largeSlots[c]!
    const index = this.#largeIndex[c]!
    this.#largeOf[a] = t
    const from = a * this.#small * 3
    const to = u * cap * 3
    const f = this.#fill[a]!
    slots.set(this.#smallSlots.subarray(from, from + f * 3), to)
    const mask = this.#largeHash - 1
    const hbase = u * this.#largeHash
    for (let s = 0; s < f; s++) {
      let h = hashSlot(slots[to + s * 3]!, this.#largeHash)
      while (index[hbase + h] !== 0) h = (h + 1) & mask
      index[hbase + h] = s + 1
    }
    return t
  }

  /** Space-Saving replacement in a's full table. */
  #replace (slots: Int32Array, index: Uint16Array, base: number, hbase: number, hsize: number, cap: number, a: number, b: number): void {
    const s = this.#smallestCounter(slots, base, cap, a)
    const min = slots[(base + s) * 3 + 1]!
    removeFromIndex(index, hbase, hsize, slots, base, s)
    const mask = hsize - 1
    let h = hashSlot(b, hsize)
    while (index[hbase + h] !== 0) h = (h + 1) & mask
    index[hbase + h] = s + 1
    const at = (base + s) * 3
    slots[at] = b; slots[at + 1] = min + 1; slots[at + 2] = min
    this.#overflowed[a] = 1
    this.#evictions++
  }

  #smallestCounter (slots: Int32Array, base: number, cap: number, a: number): number {
    let want = this.#minKnown[a]!
    let at = this.#cursor[a]!
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < cap; i++) {
        if (slots[(base + at) * 3 + 1] === want) {
          this.#cursor[a] = at + 1 === cap ? 0 : at + 1
          return at
        }
        if (++at === cap) at = 0
      }
      want = slots[base * 3 + 1]!
      for (let q = 1; q < cap; q++) if (slots[(base + q) * 3 + 1]! < want) want = slots[(base + q) * 3 + 1]!
      this.#minKnown[a] = want
    }
    throw new Error('counters: no smallest counter (unreachable)')
  }

  /** The array holding a's table, and where in it the table starts (no allocation). */
  #slotsOf (a: number): Int32Array {
    const t = this.#largeOf[a]!
    return t < 0 ? this.#smallSlots : this.#largeSlots[t >>> CHUNK_BITS]!
  }

  #startOf (a: number): number {
    const t = this.#largeOf[a]!
    return t < 0 ? a * this.#small * 3 : (t & (CHUNK_TABLES - 1)) * this.capacity * 3
  }

  /** Copies a's successors and their count lower bounds (count − error) out; returns how many. */
  successors (a: number, outIds: Int32Array, outCounts: Float64Array): number {
    if (a >= this.#numObjects) return 0
    const slots = this.#slotsOf(a)
    const at = this.#startOf(a)
    const f = this.#fill[a]!
    for (let j = 0; j < f; j++) {
      outIds[j] = slots[at + j * 3]!
      outCounts[j] = slots[at + j * 3 + 1]! - slots[at + j * 3 + 2]!
    }
    return f
  }

  entries (a: number): CounterEntry[] {
    if (a >= this.#numObjects) return []
    const slots = this.#slotsOf(a)
    const at = this.#startOf(a)
    return Array.from({ length: this.#fill[a]! }, (_, j) => ({ id: slots[at + j * 3]!, count: slots[at + j * 3 + 1]!, error: slots[at + j * 3 + 2]! }))
  }

  /** Lower bound of the count of b for a (exact while `exact(a)`); 0 when b is not tracked. */
  lowerBound (a: number, b: number): number {
    if (a >= this.#numObjects) return 0
    const slots = this.#slotsOf(a)
    const at = this.#startOf(a)
    for (let j = 0; j < this.#fill[a]!; j++) if (slots[at + j * 3] === b) return slots[at + j * 3 + 1]! - slots[at + j * 3 + 2]!
    return 0
  }

  exact (a: number): boolean { return a >= this.#numObjects || this.#overflowed[a] === 0 }

  overflowedObjects (): number {
    let n = 0
    for (let a = 0; a < this.#numObjects; a++) n += this.#overflowed[a]!
    return n
  }
}

/** Home position of id in an index of hsize (a power of two ≥ 4) entries. */
function hashSlot (id: number, hsize: number): number {
  return Math.imul(id, GOLDEN) >>> (1 + Math.clz32(hsize))
}

/** Finds b and adds 1, or appends it when there is room: returns the new fill, or -1 when b is absent and the table is full. */
function tableBump (slots: Int32Array, index: Uint16Array, base: number, hbase: number, hsize: number, cap: number, fill: number, b: number): number {
  const mask = hsize - 1
  let h = hashSlot(b, hsize)
  let v = index[hbase + h]!
  while (v !== 0) {
    const at = (base + v - 1) * 3
    if (slots[at] === b) { slots[at + 1]!++; return fill }
    h = (h + 1) & mask
    v = index[hbase + h]!
  }
  if (fill >= cap) return -1
  const at = (base + fill) * 3
  slots[at] = b; slots[at + 1] = 1; slots[at + 2] = 0
  index[hbase + h] = fill + 1
  return fill + 1
}

/** Removes slot s's entry from a linear-probing index, shifting later entries back. */
function removeFromIndex (index: Uint16Array, hbase: number, hsize: number, slots: Int32Array, base: number, s: number): void {
  const mask = hsize - 1
  let i = hashSlot(slots[(base + s) * 3]!, hsize)
  while (index[hbase + i] !== s + 1) i = (i + 1) & mask
  let j = i
  for (;;) {
    j = (j + 1) & mask
    const v = index[hbase + j]!
    if (v === 0) break
    const home = hashSlot(slots[(base + v - 1) * 3]!, hsize)
    const stays = i <= j ? (i < home && home <= j) : (i < home || home <= j)
    if (stays) continue
    index[hbase + i] = v
    i = j
  }
  index[hbase + i] = 0
}

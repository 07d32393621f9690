/**
 * Neighbour lists (design section 4, step 2): `N(a)` is `a` itself plus the top `m` objects by
 * `P(b | a)` with `P ≥ pMin` (ties broken by the smaller id), for objects accessed at least
 * `minCount` times; other objects have only themselves. Stored flat (CSR) in O(m × objects):
 * each list once by probability and once as a sorted id set that includes `a`, for the
 * Jarvis-Patrick intersections. Also the reverse lists `I(x) = { a : x ∈ N(a), a ≠ x }`.
 * Pure computation over a CoAccessStats; never changes it.
 */
import type { CoAccessStats } from './co-access-stats.ts'

export interface NeighbourLists {
  numObjects: number
  /** a's list (a excluded) is ids/probs[offsets[a] .. offsets[a + 1]), by P descending. */
  offsets: Int32Array
  ids: Int32Array
  probs: Float64Array
  /** N(a) with a, ascending: setIds[offsets[a] + a .. offsets[a + 1] + a + 1). */
  setIds: Int32Array
}

export interface ReverseLists {
  /** I(x) = objects whose list holds x, ascending: ids[offsets[x] .. offsets[x + 1]). */
  offsets: Int32Array
  ids: Int32Array
}

export interface NeighbourOptions { m: number, pMin: number, minCount: number }

export function buildNeighbourLists (stats: CoAccessStats, options: NeighbourOptions, numObjects = stats.numObjects): NeighbourLists {
  const { m, pMin, minCount } = options
  const offsets = new Int32Array(numObjects + 1)
  let ids = new Int32Array(Math.max(16, numObjects * Math.min(m, 4)))
  let probs = new Float64Array(ids.length)
  const candIds = new Int32Array(stats.capacity)
  const candCounts = new Float64Array(stats.capacity)
  const topIds = new Int32Array(m)
  const topCounts = new Float64Array(m)
  let used = 0
  for (let a = 0; a < numObjects; a++) {
    offsets[a] = used
    const count = stats.accessCount(a)
    if (count < minCount || count === 0) continue
    const total = stats.successors(a, candIds, candCounts)
    // Keep the best m of those with P ≥ pMin (and a positive count), by count desc then id asc,
    // in a bounded insertion buffer (top[0 .. kept)).
    let kept = 0
    for (let j = 0; j < total; j++) {
      const c = candCounts[j]!
      const id = candIds[j]!
      if (!(c > 0 && c / count >= pMin && id < numObjects)) continue
      if (kept === m && (topCounts[m - 1]! > c || (topCounts[m - 1] === c && topIds[m - 1]! < id))) continue
      let q = kept < m ? kept++ : m - 1
      while (q > 0 && (topCounts[q - 1]! < c || (topCounts[q - 1] === c && topIds[q - 1]! > id))) {
        topCounts[q] = topCounts[q - 1]!; topIds[q] = topIds[q - 1]!; q--
      }
      topCounts[q] = c; topIds[q] = id
    }
    const take = Math.min(kept, m)
    if (used + take > ids.length) {
      const size = Math.max(used + take, Math.ceil(ids.length * 1.5))
      const moreIds = new Int32Array(size); moreIds.set(ids); ids = moreIds
      const moreProbs = new Float64Array(size); moreProbs.set(probs); probs = moreProbs
    }
    for (let j = 0; j < take; j++) { ids[used + j] = topIds[j]!; probs[used + j] = topCounts[j]! / count }
    used += take
  }
  offsets[numObjects] = used
  ids = ids.slice(0, used)
  probs = probs.slice(0, used)
  return { numObjects, offsets, ids, probs, setIds: buildSets(offsets, ids, numObjects) }
}

/** Assembles lists from explicit data (tests, loading): `lists[a]` is [[b, P], ...] by P descending. */
export function neighbourListsFrom (lists: ReadonlyArray<ReadonlyArray<readonly [number, number]>>): NeighbourLists {
  const numObjects = lists.length
  const offsets = new Int32Array(numObjects + 1)
  const flat: Array<readonly [number, number]> = []
  lists.forEach((list, a) => { offsets[a] = flat.length; flat.push(...list) })
  offsets[numObjects] = flat.length
  const ids = Int32Array.from(flat, ([b]) => b)
  const probs = Float64Array.from(flat, ([, p]) => p)
  return { numObjects, offsets, ids, probs, setIds: buildSets(offsets, ids, numObjects) }
}

function buildSets (offsets: Int32Array, ids: Int32Array, numObjects: number): Int32Array {
  const setIds = new Int32Array(ids.length + numObjects)
  for (let a = 0; a < numObjects; a++) {
    const from = offsets[a]!
    const to = offsets[a + 1]!
    const base = from + a
    setIds[base] = a
    let size = 1
    for (let j = from; j < to; j++) {
      const id = ids[j]!
      let q = base + size++
      while (q > base && setIds[q - 1]! > id) { setIds[q] = setIds[q - 1]!; q-- }
      setIds[q] = id
    }
  }
  return setIds
}

/** Length of a's list (a excluded). */
export function listLength (lists: NeighbourLists, a: number): number {
  return lists.offsets[a + 1]! - lists.offsets[a]!
}

/** Whether x ∈ N(a) (true for x = a). */
export function inNeighbourSet (lists: NeighbourLists, a: number, x: number): boolean {
  let lo = lists.offsets[a]! + a
  let hi = lists.offsets[a + 1]! + a + 1
  const set = lists.setIds
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const v = set[mid]!
    if (v === x) return true
    if (v < x) lo = mid + 1; else hi = mid
  }
  return false
}

/** P(b | a) as listed in N(a); 0 when b is not in a's list. */
export function listedProb (lists: NeighbourLists, a: number, b: number): number {
  for (let j = lists.offsets[a]!; j < lists.offsets[a + 1]!; j++) if (lists.ids[j] === b) return lists.probs[j]!
  return 0
}

/** |N(a) ∩ N(b)|, both sets including their own object. */
export function sharedNeighbours (lists: NeighbourLists, a: number, b: number): number {
  const set = lists.setIds
  let i = lists.offsets[a]! + a
  const iEnd = lists.offsets[a + 1]! + a + 1
  let j = lists.offsets[b]! + b
  const jEnd = lists.offsets[b + 1]! + b + 1
  let shared = 0
  while (i < iEnd && j < jEnd) {
    const x = set[i]!
    const y = set[j]!
    if (x === y) { shared++; i++; j++ } else if (x < y) i++; else j++
  }
  return shared
}

/** Whether a's list (members and probabilities) is the same in both. */
export function sameList (x: NeighbourLists, y: NeighbourLists, a: number): boolean {
  const xa = a < x.numObjects ? x.offsets[a]! : 0
  const xb = a < x.numObjects ? x.offsets[a + 1]! : 0
  const ya = a < y.numObjects ? y.offsets[a]! : 0
  const yb = a < y.numObjects ? y.offsets[a + 1]! : 0
  if (xb - xa !== yb - ya) return false
  for (let j = 0; j < xb - xa; j++) {
    if (x.ids[xa + j] !== y.ids[ya + j] || x.probs[xa + j] !== y.probs[ya + j]) return false
  }
  return true
}

export function buildReverseLists (lists: NeighbourLists): ReverseLists {
  const n = lists.numObjects
  const offsets = new Int32Array(n + 1)
  for (let j = 0; j < lists.ids.length; j++) offsets[lists.ids[j]! + 1]!++
  for (let x = 0; x < n; x++) offsets[x + 1]! += offsets[x]!
  const cursor = offsets.slice(0, n)
  const ids = new Int32Array(lists.ids.length)
  for (let a = 0; a < n; a++) {
    for (let j = lists.offsets[a]!; j < lists.offsets[a + 1]!; j++) ids[cursor[lists.ids[j]!]!++] = a
  }
  return { offsets, ids }
}

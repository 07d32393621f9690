/**
 * Grouping quality without ground truth: group on the first part of a trace, replay the rest.
 *
 * Replay model (an unbounded "fetched" set, starting empty, as for a VM that has just migrated):
 * for each access of `o` in the test part —
 *   - `o` not fetched: a demand fetch of `o` (a miss), then a group fetch of every member of o's
 *     group(s) not yet fetched (prefetched objects);
 *   - `o` fetched: a hit. A hit that is the first access of an object fetched by an earlier
 *     group fetch is "covered": a miss the grouping saved.
 * At the end, prefetched objects never accessed are "unused". Without grouping every distinct
 * object is a miss, so `coverage = covered / distinct objects` is the fraction of misses saved
 * and `unusedFraction = unused / all fetched` the waste. Objects of the test part never seen in
 * training have no group and are fetched alone. Pure computation.
 */

export interface GroupLookup {
  groupsOf (o: number): readonly number[]
  members (g: number): ArrayLike<number>
}

export interface ReplayQuality {
  accesses: number
  distinctObjects: number
  /** Misses: accesses of objects not yet fetched (each fetches o and its groups). */
  demandFetches: number
  /** Accesses of already fetched objects (repeats included). */
  hits: number
  /** First accesses of objects fetched by an earlier group fetch (misses saved). */
  covered: number
  /** covered / distinctObjects. */
  coverage: number
  /** Objects fetched by group fetches. */
  prefetchedObjects: number
  /** Prefetched objects never accessed. */
  unusedObjects: number
  /** unused / (demand + prefetched). */
  unusedFraction: number
  /** covered / prefetched (of what a group fetch brings, how much is used). */
  prefetchPrecision: number
  /** demandFetches / accesses, and the same without grouping (distinct / accesses). */
  missRate: number
  missRateWithoutGrouping: number
  fetchedBytes: number
  unusedBytes: number
}

export function replayQuality (table: GroupLookup, testRefs: ArrayLike<number>, numObjects: number, sizesBytes?: ArrayLike<number>): ReplayQuality {
  const fetched = new Uint8Array(numObjects)
  const prefetched = new Uint8Array(numObjects)
  const accessed = new Uint8Array(numObjects)
  const size = (o: number): number => (sizesBytes !== undefined && o < sizesBytes.length ? Number(sizesBytes[o]) || 0 : 0)
  let demandFetches = 0
  let hits = 0
  let covered = 0
  let distinct = 0
  let prefetchedObjects = 0
  let fetchedBytes = 0
  for (let i = 0; i < testRefs.length; i++) {
    const o = testRefs[i]!
    if (!(o >= 0 && o < numObjects)) throw new RangeError(`replay: reference ${i} is not an object id below ${numObjects}: ${o}`)
    if (accessed[o] === 0) { accessed[o] = 1; distinct++; if (fetched[o] === 1 && prefetched[o] === 1) covered++ }
    if (fetched[o] === 1) { hits++; continue }
    demandFetches++
    fetched[o] = 1
    fetchedBytes += size(o)
    for (const g of table.groupsOf(o)) {
      const members = table.members(g)
      for (let j = 0; j < members.length; j++) {
        const x = members[j]!
        if (fetched[x] === 1) continue
        fetched[x] = 1
        prefetched[x] = 1
        prefetchedObjects++
        fetchedBytes += size(x)
      }
    }
  }
  let unusedObjects = 0
  let unusedBytes = 0
  for (let o = 0; o < numObjects; o++) if (prefetched[o] === 1 && accessed[o] === 0) { unusedObjects++; unusedBytes += size(o) }
  const ratio = (p: number, q: number): number => (q === 0 ? 0 : p / q)
  return {
    accesses: testRefs.length,
    distinctObjects: distinct,
    demandFetches,
    hits,
    covered,
    coverage: ratio(covered, distinct),
    prefetchedObjects,
    unusedObjects,
    unusedFraction: ratio(unusedObjects, demandFetches + prefetchedObjects),
    prefetchPrecision: ratio(covered, prefetchedObjects),
    missRate: ratio(demandFetches, testRefs.length),
    missRateWithoutGrouping: ratio(distinct, testRefs.length),
    fetchedBytes,
    unusedBytes
  }
}

export interface GroupSizeStats {
  groups: number
  singletons: number
  /** Objects that are a home member of a group of ≥ 2. */
  objectsInSharedGroups: number
  meanSize: number
  p50: number
  p90: number
  p99: number
  maxSize: number
  /** Groups by size bucket: "1", "2-3", "4-7", "8-15", ... */
  histogram: Record<string, number>
}

/** Size distribution over groups (overlap members counted in each group they belong to). */
export function groupSizeStats (sizes: ArrayLike<number>, homeCounts?: ArrayLike<number>): GroupSizeStats {
  const sorted = Float64Array.from(sizes).sort()
  const count = sorted.length
  const at = (q: number): number => (count === 0 ? 0 : sorted[Math.min(count - 1, Math.ceil(q * count) - 1)]!)
  let total = 0
  let singletons = 0
  let shared = 0
  const buckets = new Map<number, number>()
  for (let g = 0; g < sizes.length; g++) {
    const s = sizes[g]!
    total += s
    if (s === 1) singletons++
    else shared += homeCounts === undefined ? s : homeCounts[g]!
    const low = s <= 1 ? 1 : 2 ** Math.floor(Math.log2(s))
    buckets.set(low, (buckets.get(low) ?? 0) + 1)
  }
  const histogram: Record<string, number> = {}
  for (const low of [...buckets.keys()].sort((p, q) => p - q)) histogram[low === 1 ? '1' : `${low}-${2 * low - 1}`] = buckets.get(low)!
  return {
    groups: count,
    singletons,
    objectsInSharedGroups: shared,
    meanSize: count === 0 ? 0 : total / count,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    maxSize: count === 0 ? 0 : sorted[count - 1]!,
    histogram
  }
}

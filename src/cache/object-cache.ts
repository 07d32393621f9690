/**
 * The object cache a host keeps for the VDs it runs (design section 5), as the fetch path drives
 * it. Two implementations: `LruCache` (LRU over objects, the baseline) and `HacCache` (HAC with
 * groups as pages). Both are pure, synchronous and deterministic: no I/O, no clock, no
 * randomness; "time" is the order of calls.
 *
 * How the fetch path drives a cache:
 *  - every VM access calls `lookup(o)`: a hit records the use (recency / usage bits) and counts a
 *    hit; a miss counts a miss and changes nothing else;
 *  - when a fetched object arrives, `insert(o, sizeBytes, groupId, { prefetched })`: a demand
 *    fetch (`prefetched: false`) counts as the access that missed, a prefetch arrives unused.
 *    `groupId` is the group the object was fetched as part of (`null`: none). Inserting an
 *    object already cached is no fetch: it only records the group membership (and, for a
 *    demand insert, the use) and returns 'present'. An object too big for the cache is
 *    counted as rejected and not cached. Inserting may evict other objects first;
 *  - an access that missed and then waited for an in-flight prefetch calls `touch(o)` once the
 *    object is in: the use is recorded (so the prefetch was necessary) without another
 *    hit or miss.
 *
 * Unnecessary fetches (section 7) = prefetched objects never accessed before their eviction
 * (`evictedUnused*`) plus those still cached unused at the end of the run (`residentUnused*`);
 * both are kept incrementally in `stats()`.
 *
 * Groups, for the two grades of DHT pointer: the cache remembers, per group, the distinct
 * objects ever inserted as part of it ("fetched members"). `groupResidency(g)` is 'whole' when
 * every fetched member is cached, 'hot' when some but not all are (cold ones were evicted),
 * 'none' when none are (or the group was never fetched). An object may belong to several groups
 * (overlaps); it is cached once and counts for each. Whether 'whole' covers the whole group in
 * the group table (a sub-group fetch takes only the first members) is the caller's question:
 * compare `groupCounts(g).fetched` with the table's member count.
 *
 * Listeners, called synchronously from inside `insert`, in eviction order: `onEvict` for every
 * object evicted; `onResidencyChange` whenever a group's residency changes (none → whole on its
 * first arrival, whole → hot when a member is evicted, hot → none, back to whole on refetch) —
 * the hook for advertising, downgrading and withdrawing pointers. Listeners must not call back
 * into the cache.
 *
 * Ids are the dense non-negative integer ids of the reference string / group table. Sizes are
 * whole bytes ≥ 0; a negative, fractional or non-finite size or id is a programming error
 * (RangeError).
 */
import type { CacheStatsSnapshot } from './cache-stats.ts'

export type ObjectId = number
export type GroupId = number
export type GroupResidency = 'whole' | 'hot' | 'none'
export type CacheKind = 'lru' | 'hac'
/** 'inserted': now cached; 'present': was already cached; 'rejected': too big, not cached. */
export type InsertOutcome = 'inserted' | 'present' | 'rejected'

export interface InsertOptions {
  /** True for a prefetch (arrives unused), false for the demand fetch of a missed access. */
  prefetched: boolean
}

export interface Eviction {
  objectId: ObjectId
  sizeBytes: number
  /** It arrived by prefetch. */
  prefetched: boolean
  /** It was used while cached (a prefetched object evicted unused was an unnecessary fetch). */
  accessed: boolean
}

export interface GroupCounts {
  /** Distinct objects ever inserted as part of the group. */
  fetched: number
  /** How many of those are cached now. */
  resident: number
}

export interface CacheListeners {
  onEvict?: (eviction: Eviction) => void
  onResidencyChange?: (groupId: GroupId, from: GroupResidency, to: GroupResidency) => void
}

export interface ObjectCacheOptions extends CacheListeners {
  capacityBytes: number
}

export interface ObjectCache {
  readonly kind: CacheKind
  readonly capacityBytes: number
  /** Bytes of the objects cached now; never above capacityBytes. */
  readonly usedBytes: number
  readonly objectCount: number
  /** A VM access: true on a hit (the use is recorded), false on a miss. */
  lookup (objectId: ObjectId): boolean
  /** Records a use without counting a hit or miss (an access served by a fetch it waited for); false if not cached. */
  touch (objectId: ObjectId): boolean
  /** Whether the object is cached; no side effect. */
  has (objectId: ObjectId): boolean
  /** An object arrived (see the module header); may evict others first. */
  insert (objectId: ObjectId, sizeBytes: number, groupId: GroupId | null, options: InsertOptions): InsertOutcome
  groupResidency (groupId: GroupId): GroupResidency
  groupCounts (groupId: GroupId): GroupCounts
  /** The cached object ids (in no promised order). */
  residentIds (): IterableIterator<ObjectId>
  /** A copy of the counters. */
  stats (): CacheStatsSnapshot
  /** Checks the internal invariants, O(objects); throws an Error naming the first broken one. For tests. */
  checkInvariants (): void
}

/** Throws a RangeError unless `value` is a whole number ≥ 0 (ids and sizes). */
export function checkWhole (value: number, what: string): void {
  if (!(Number.isSafeInteger(value) && value >= 0)) throw new RangeError(`${what} ${value} is not a whole number ≥ 0`)
}

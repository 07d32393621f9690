/**
 * The bookkeeping both caches share, apart from where objects live and what is evicted: the
 * counters (hits, inserts by kind, evictions, unnecessary fetches), per-group residency, and
 * the eviction listener. A cache calls `arrived`, `present`, `used`, `evicted`, `rejected` at
 * the matching moments; the ledger keeps `residentUnused*` exact incrementally (a prefetched
 * object stops counting on its first use or its eviction). Never decides anything.
 */
import { CacheStats } from './cache-stats.ts'
import { GroupResidencyTracker } from './group-residency.ts'
import type { CacheListeners, Eviction, GroupId, ObjectId } from './object-cache.ts'

/** What the ledger needs of a cached object (mutable so caches can reuse evicted entries). */
export interface CachedEntry {
  id: ObjectId
  sizeBytes: number
  prefetched: boolean
  accessed: boolean
}

/** Evicted entries a cache may reuse, to spare the garbage collector; at most this many. */
export const SPARE_ENTRIES_MAX = 4096

export class CacheLedger {
  readonly stats = new CacheStats()
  readonly groups: GroupResidencyTracker
  readonly #onEvict: ((eviction: Eviction) => void) | undefined

  constructor (listeners: CacheListeners) {
    this.groups = new GroupResidencyTracker(listeners.onResidencyChange)
    this.#onEvict = listeners.onEvict
  }

  /** A new entry is cached (already placed); a demand entry arrives with `accessed` true. */
  arrived (entry: CachedEntry, groupId: GroupId | null): void {
    const s = this.stats
    if (entry.prefetched) {
      s.insertedPrefetch++
      s.insertedPrefetchBytes += entry.sizeBytes
      if (!entry.accessed) {
        s.residentUnused++
        s.residentUnusedBytes += entry.sizeBytes
      }
    } else {
      s.insertedDemand++
      s.insertedDemandBytes += entry.sizeBytes
    }
    this.groups.cached(entry.id)
    if (groupId !== null) this.groups.member(entry.id, groupId)
  }

  /** insert() of an entry already cached: a demand insert is a use; the group gains a member. */
  present (entry: CachedEntry, groupId: GroupId | null, prefetched: boolean): void {
    this.stats.insertsPresent++
    if (!prefetched) this.used(entry)
    if (groupId !== null) this.groups.member(entry.id, groupId)
  }

  /** The entry was used (a hit, a touch, a demand insert of a cached object). */
  used (entry: CachedEntry): void {
    if (entry.accessed) return
    entry.accessed = true
    if (entry.prefetched) {
      this.stats.residentUnused--
      this.stats.residentUnusedBytes -= entry.sizeBytes
    }
  }

  /** The entry was evicted (already removed from the cache's structures). */
  evicted (entry: CachedEntry): void {
    const s = this.stats
    s.evicted++
    s.evictedBytes += entry.sizeBytes
    if (entry.prefetched && !entry.accessed) {
      s.evictedUnused++
      s.evictedUnusedBytes += entry.sizeBytes
      s.residentUnused--
      s.residentUnusedBytes -= entry.sizeBytes
    }
    this.groups.evicted(entry.id)
    this.#onEvict?.({ objectId: entry.id, sizeBytes: entry.sizeBytes, prefetched: entry.prefetched, accessed: entry.accessed })
  }

  rejected (sizeBytes: number): void {
    this.stats.rejected++
    this.stats.rejectedBytes += sizeBytes
  }

  /** Checks the ledger against the cache's entries; throws on the first mismatch. */
  check (entries: Iterable<CachedEntry>, usedBytes: number, capacityBytes: number): void {
    let count = 0
    let bytes = 0
    let unused = 0
    let unusedBytes = 0
    const residentOf = new Map<GroupId, number>()
    for (const e of entries) {
      count++
      bytes += e.sizeBytes
      if (e.prefetched && !e.accessed) { unused++; unusedBytes += e.sizeBytes }
      for (const g of this.groups.groupsOf(e.id)) residentOf.set(g, (residentOf.get(g) ?? 0) + 1)
    }
    const s = this.stats
    if (bytes !== usedBytes) throw new Error(`usedBytes ${usedBytes} ≠ sum of cached sizes ${bytes}`)
    if (usedBytes > capacityBytes) throw new Error(`usedBytes ${usedBytes} > capacityBytes ${capacityBytes}`)
    const expected = s.insertedDemand + s.insertedPrefetch - s.evicted
    if (count !== expected) throw new Error(`${count} objects cached ≠ inserted − evicted (${expected})`)
    if (unused !== s.residentUnused || unusedBytes !== s.residentUnusedBytes) {
      throw new Error(`residentUnused ${s.residentUnused} (${s.residentUnusedBytes} B) ≠ counted ${unused} (${unusedBytes} B)`)
    }
    for (const [g, c] of this.groups.entries()) {
      const resident = residentOf.get(g) ?? 0
      if (c.resident !== resident || c.resident > c.fetched) throw new Error(`group ${g}: ${c.resident} resident of ${c.fetched} fetched, but ${resident} members cached`)
    }
  }
}

/**
 * The counters both caches keep (design section 7): hits and misses, objects and bytes inserted
 * by demand and by prefetch, evictions, and the unnecessary fetches — prefetched objects evicted
 * without ever being used, and those still cached unused (at the end of a run these count too).
 * HAC adds compactions and moved objects (zero for LRU). Plain mutable fields updated by the
 * cache; `snapshot()` copies them. Never does I/O.
 */

export interface CacheStatsSnapshot {
  /** lookup() calls that found the object. */
  hits: number
  /** lookup() calls that did not. */
  misses: number
  /** touch() calls that recorded a use. */
  touches: number
  insertedDemand: number
  insertedDemandBytes: number
  insertedPrefetch: number
  insertedPrefetchBytes: number
  /** insert() of an object already cached (no fetch, nothing stored). */
  insertsPresent: number
  /** insert() of an object too big for the cache (not cached). */
  rejected: number
  rejectedBytes: number
  evicted: number
  evictedBytes: number
  /** Prefetched objects evicted without ever being used: unnecessary fetches. */
  evictedUnused: number
  evictedUnusedBytes: number
  /** Prefetched objects cached now and never used (unnecessary if the run ends here). */
  residentUnused: number
  residentUnusedBytes: number
  /** HAC: frames compacted, objects (and bytes) moved into a target frame, frames scanned. */
  compactions: number
  movedObjects: number
  movedBytes: number
  framesScanned: number
  /** HAC: frames emptied by evicting hot objects too, when compaction alone made no room (should stay 0). */
  forcedEvictions: number
}

export class CacheStats implements CacheStatsSnapshot {
  hits = 0
  misses = 0
  touches = 0
  insertedDemand = 0
  insertedDemandBytes = 0
  insertedPrefetch = 0
  insertedPrefetchBytes = 0
  insertsPresent = 0
  rejected = 0
  rejectedBytes = 0
  evicted = 0
  evictedBytes = 0
  evictedUnused = 0
  evictedUnusedBytes = 0
  residentUnused = 0
  residentUnusedBytes = 0
  compactions = 0
  movedObjects = 0
  movedBytes = 0
  framesScanned = 0
  forcedEvictions = 0

  snapshot (): CacheStatsSnapshot {
    return { ...this }
  }
}

/** hits / (hits + misses); 0 before any lookup. */
export function hitRate (stats: CacheStatsSnapshot): number {
  const lookups = stats.hits + stats.misses
  return lookups === 0 ? 0 : stats.hits / lookups
}

/** Unnecessary fetches so far: prefetched objects evicted unused plus those cached unused now. */
export function unnecessaryFetches (stats: CacheStatsSnapshot): { objects: number, bytes: number } {
  return {
    objects: stats.evictedUnused + stats.residentUnused,
    bytes: stats.evictedUnusedBytes + stats.residentUnusedBytes
  }
}

/**
 * LRU over objects with a byte capacity: the baseline cache of the study (design section 7,
 * "LRU vs HAC"). A hit, a touch and a demand insert make the object most recently used; every
 * arrival (demand or prefetch) enters as most recently used; an insert evicts least recently
 * used objects until the new one fits. Groups matter only for the residency bookkeeping, never
 * for what is evicted. O(1) per operation: an id-indexed table finds entries, an intrusive
 * doubly linked list through them is the recency order (a Map's own insertion order, with
 * delete + set on every hit, measured about 2× slower). Implements ObjectCache (see
 * object-cache.ts); pure and synchronous.
 */
import { CacheLedger, SPARE_ENTRIES_MAX, type CachedEntry } from './cache-ledger.ts'
import type { CacheStatsSnapshot } from './cache-stats.ts'
import { IdMap } from './id-map.ts'
import {
  checkWhole, type GroupCounts, type GroupId, type GroupResidency, type InsertOptions, type InsertOutcome, type ObjectCache,
  type ObjectCacheOptions, type ObjectId
} from './object-cache.ts'

interface LruEntry extends CachedEntry {
  /** Towards the least recently used end. */
  older: LruEntry | null
  /** Towards the most recently used end. */
  newer: LruEntry | null
}

export class LruCache implements ObjectCache {
  readonly kind = 'lru' as const
  readonly capacityBytes: number
  readonly #entries = new IdMap<LruEntry>()
  /** Evicted entries kept for reuse. */
  readonly #spare: LruEntry[] = []
  #oldest: LruEntry | null = null
  #newest: LruEntry | null = null
  readonly #ledger: CacheLedger
  #usedBytes = 0

  constructor (options: ObjectCacheOptions) {
    checkWhole(options.capacityBytes, 'capacityBytes')
    this.capacityBytes = options.capacityBytes
    this.#ledger = new CacheLedger(options)
  }

  get usedBytes (): number { return this.#usedBytes }
  get objectCount (): number { return this.#entries.size }

  lookup (objectId: ObjectId): boolean {
    const entry = this.#entries.get(objectId)
    if (entry === undefined) {
      this.#ledger.stats.misses++
      return false
    }
    this.#ledger.stats.hits++
    this.#use(entry)
    return true
  }

  touch (objectId: ObjectId): boolean {
    const entry = this.#entries.get(objectId)
    if (entry === undefined) return false
    this.#ledger.stats.touches++
    this.#use(entry)
    return true
  }

  has (objectId: ObjectId): boolean {
    return this.#entries.has(objectId)
  }

  insert (objectId: ObjectId, sizeBytes: number, groupId: GroupId | null, options: InsertOptions): InsertOutcome {
    const present = this.#entries.get(objectId)
    if (present !== undefined) {
      this.#ledger.present(present, groupId, options.prefetched)
      if (!options.prefetched) this.#moveToEnd(present)
      return 'present'
    }
    checkWhole(objectId, 'objectId')
    checkWhole(sizeBytes, 'sizeBytes')
    if (groupId !== null) checkWhole(groupId, 'groupId')
    if (sizeBytes > this.capacityBytes) {
      this.#ledger.rejected(sizeBytes)
      return 'rejected'
    }
    while (this.#usedBytes + sizeBytes > this.capacityBytes) this.#evictOldest()
    const entry = this.#spare.pop() ?? { id: 0, sizeBytes: 0, prefetched: false, accessed: false, older: null, newer: null }
    entry.id = objectId
    entry.sizeBytes = sizeBytes
    entry.prefetched = options.prefetched
    entry.accessed = !options.prefetched
    this.#entries.set(objectId, entry)
    this.#append(entry)
    this.#usedBytes += sizeBytes
    this.#ledger.arrived(entry, groupId)
    return 'inserted'
  }

  groupResidency (groupId: GroupId): GroupResidency {
    return this.#ledger.groups.residency(groupId)
  }

  groupCounts (groupId: GroupId): GroupCounts {
    return this.#ledger.groups.counts(groupId)
  }

  residentIds (): IterableIterator<ObjectId> {
    return this.#entries.keys()
  }

  /** Cached ids from least to most recently used (for tests). */
  recencyOrder (): ObjectId[] {
    const ids: ObjectId[] = []
    for (let e = this.#oldest; e !== null; e = e.newer) ids.push(e.id)
    return ids
  }

  stats (): CacheStatsSnapshot {
    return this.#ledger.stats.snapshot()
  }

  checkInvariants (): void {
    this.#ledger.check(this.#entries.values(), this.#usedBytes, this.capacityBytes)
    let count = 0
    let older: LruEntry | null = null
    for (let e = this.#oldest; e !== null; e = e.newer) {
      if (e.older !== older || this.#entries.get(e.id) !== e) throw new Error(`LRU list broken at ${e.id}`)
      older = e
      if (++count > this.#entries.size) throw new Error('LRU list longer than the index (a cycle)')
    }
    if (count !== this.#entries.size || older !== this.#newest) throw new Error(`LRU list holds ${count} of ${this.#entries.size} entries`)
  }

  #use (entry: LruEntry): void {
    this.#ledger.used(entry)
    this.#moveToEnd(entry)
  }

  #moveToEnd (entry: LruEntry): void {
    if (entry === this.#newest) return
    this.#unlink(entry)
    this.#append(entry)
  }

  #append (entry: LruEntry): void {
    entry.older = this.#newest
    entry.newer = null
    if (this.#newest === null) this.#oldest = entry
    else this.#newest.newer = entry
    this.#newest = entry
  }

  #unlink (entry: LruEntry): void {
    if (entry.older === null) this.#oldest = entry.newer
    else entry.older.newer = entry.newer
    if (entry.newer === null) this.#newest = entry.older
    else entry.newer.older = entry.older
    entry.older = null
    entry.newer = null
  }

  #evictOldest (): void {
    const entry = this.#oldest
    if (entry === null) throw new Error('LRU: nothing left to evict (usedBytes out of step)')
    this.#unlink(entry)
    this.#entries.delete(entry.id)
    this.#usedBytes -= entry.sizeBytes
    this.#ledger.evicted(entry)
    if (this.#spare.length < SPARE_ENTRIES_MAX) this.#spare.push(entry)
  }
}

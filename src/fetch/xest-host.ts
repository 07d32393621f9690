/**
 * One host's fetch path (xest.md §5), the same code on simulated and real nodes: VM reads are
 * served from the host's own objects or its cache (LRU or HAC); a miss fetches the object at
 * demand priority from the nearest holder (a group pointer when one is known, else the VD's
 * sources in order: the previous writer, then the image's home) and, under the `group` policy,
 * the rest of its group as prefetch (ordered by P(x | o), cut to `subgroupMax` members and
 * `pPrefetch`), from a host holding the whole group when the DHT knows one. A read that finds its
 * object already on its way waits for it (promoting a prefetch). The host serves what it holds
 * to others and advertises the groups it caches (whole, or hot once cold members were evicted).
 * Never decides when VMs run or move (the caller does); never throws on peers' input.
 */
import type { Clock } from '../env/clock.ts'
import type { NodeAddress } from '../ids/node-address.ts'
import type { OverlayNode } from '../overlay/overlay-node.ts'
import { createCache } from '../cache/create-cache.ts'
import type { CacheKind, GroupResidency, ObjectCache } from '../cache/object-cache.ts'
import { DEMAND, PREFETCH, type ObjectPriority } from '../wire/xest-messages.ts'
import { chooseHolder, GroupPointers, type CallbackDht, type GroupPointersConfig } from './group-pointers.ts'
import type { ObjectCatalog } from './object-catalog.ts'
import { ObjectFetcher, type ObjectFetcherConfig } from './object-fetcher.ts'
import { IndexSet } from './index-set.ts'
import { idHex } from './object-id-hex.ts'
import { ObjectServer, type ObjectServerConfig } from './object-server.ts'

export type FetchPolicy = 'demand' | 'group'

export interface XestHostConfig {
  policy: FetchPolicy
  cacheKind: CacheKind
  cacheBytes: number
  /** Most group members prefetched after a miss (the sub-group `g`). @default Infinity */
  subgroupMax: number
  /** Only members with P(x | o) ≥ this are prefetched (0: every member). @default 0 */
  pPrefetch: number
  /** A group's pointer changes at most once per this long. @default 30000 */
  pointerHoldMs: number
  fetcher: Partial<ObjectFetcherConfig>
  server: Partial<ObjectServerConfig>
  pointers: Partial<GroupPointersConfig>
}

export const DEFAULT_XEST_HOST_CONFIG: XestHostConfig = {
  policy: 'group', cacheKind: 'hac', cacheBytes: 256 * 1024 * 1024, subgroupMax: Infinity, pPrefetch: 0, pointerHoldMs: 30_000, fetcher: {}, server: {}, pointers: {}
}

/** Bytes of an object this host may serve (the object store on real nodes, stand-ins in studies). */
export type ObjectBytes = (index: number, sizeBytes: number) => Uint8Array

export interface XestHostStats {
  reads: number
  localReads: number
  cacheHits: number
  demandMisses: number
  waitedOnFetch: number
  failedReads: number
  /** Demand fetches that fell back to the next holder. */
  fallbacks: number
}

export class XestHost {
  readonly config: XestHostConfig
  readonly cache: ObjectCache
  readonly fetcher: ObjectFetcher
  readonly server: ObjectServer
  readonly pointers: GroupPointers
  /** Catalog objects this host stores for good (the image's home copy). */
  readonly local: IndexSet
  /** Objects outside the catalog this host holds (versions VMs wrote here), by id hex → size. */
  readonly extra = new Map<string, number>()
  readonly stats: XestHostStats = { reads: 0, localReads: 0, cacheHits: 0, demandMisses: 0, waitedOnFetch: 0, failedReads: 0, fallbacks: 0 }
  readonly #residency: Array<[number, GroupResidency]> = []
  /** Pointer grades waiting for their group's hold time to end, and the groups in one. */
  readonly #wanted = new Map<number, 'whole' | 'hot' | 'none'>()
  readonly #holding = new Set<number>()
  /** Objects copied in whole-image copies and not read here since (unnecessary fetches of a pre-copy). */
  readonly #pinnedUnread: IndexSet

  constructor (
    readonly node: OverlayNode,
    dht: CallbackDht,
    readonly catalog: ObjectCatalog,
    readonly bytesOf: ObjectBytes,
    secret: Uint8Array,
    config: Partial<XestHostConfig> = {}
  ) {
    this.config = { ...DEFAULT_XEST_HOST_CONFIG, ...config }
    this.local = new IndexSet(catalog.count)
    this.#pinnedUnread = new IndexSet(catalog.count)
    this.cache = createCache(this.config.cacheKind, {
      capacityBytes: this.config.cacheBytes,
      onResidencyChange: (group, _from, to) => { this.#residency.push([group, to]) }
    })
    this.fetcher = new ObjectFetcher(node, this.config.fetcher)
    this.server = new ObjectServer(node, {
      get: (id) => {
        const index = catalog.indexOf(id)
        if (index !== undefined && (this.local.has(index) || this.cache.has(index))) return bytesOf(index, catalog.sizeOf(index))
        const extraBytes = this.extra.get(idHex(id))
        return extraBytes === undefined ? null : bytesOf(-1, extraBytes)
      }
    }, this.config.server)
    const clock: Clock = node.env.clock
    this.pointers = new GroupPointers(dht, node.self.address, clock, secret, () => node.coordinates.coordinate, this.config.pointers)
  }

  /** Whether `index` is here now (its own copy or cached). */
  holds (index: number): boolean {
    return this.local.has(index) || this.cache.has(index)
  }

  /**
   * A VM reads object `index`. Returns true when it is here (no stall); otherwise `done(ok)` is
   * called once it arrived or every holder failed. `sources`: where the VD's data is, in order.
   */
  read (index: number, sources: readonly NodeAddress[], done: (ok: boolean) => void): boolean {
    this.stats.reads++
    if (this.local.has(index)) { this.stats.localReads++; this.#pinnedUnread.delete(index); return true }
    if (this.cache.lookup(index)) { this.stats.cacheHits++; return true }
    const id = this.catalog.ids[index]!
    if (this.fetcher.inFlight(id)) {
      this.stats.waitedOnFetch++
      this.fetcher.fetch(sources[0]!, [id], DEMAND, (_id, bytes) => {
        if (bytes !== null) this.cache.touch(index)
        done(bytes !== null)
      })
      return false
    }
    this.stats.demandMisses++
    const groups = this.config.policy === 'group' ? this.catalog.groupsOf(index) : []
    const group = groups.length > 0 ? groups[0]! : null
    const known = group === null ? undefined : this.pointers.peek(this.catalog.groupKey(group))
    const nearest = known === undefined ? null : chooseHolder(known, (c) => this.node.coordinates.vivaldi.estimateRttMs(c), false)
    const holders = nearest === null ? [...sources] : [nearest.holder, ...sources]
    this.#fetchFrom(index, holders, DEMAND, group, (ok) => {
      if (!ok) this.stats.failedReads++
      done(ok)
    })
    if (group !== null) this.#prefetchGroup(index, group, sources)
    return false
  }

  /**
   * Fetches an object outside the catalog (a version a VM wrote elsewhere) and keeps it here; at
   * prefetch priority it queues behind demand fetches from that holder.
   */
  fetchExtra (id: Uint8Array, holders: readonly NodeAddress[], done: (ok: boolean) => void, priority: ObjectPriority = DEMAND, attempt = 0): void {
    const holder = holders[attempt]
    if (holder === undefined) { done(false); return }
    this.fetcher.fetch(holder, [id], priority, (_id, bytes) => {
      if (bytes === null) { this.stats.fallbacks++; this.fetchExtra(id, holders, done, priority, attempt + 1); return }
      this.#keepExtra(id, bytes.length)
      done(true)
    })
  }

  /**
   * Fetches objects outside the catalog from one holder in as few requests as the protocol allows
   * and keeps them here; `done(id, ok)` per object (no fallback: the caller knows no other holder).
   */
  fetchExtras (ids: readonly Uint8Array[], holder: NodeAddress, priority: ObjectPriority, done: (id: Uint8Array, ok: boolean) => void): void {
    if (ids.length === 0) return
    this.fetcher.fetch(holder, ids, priority, (id, bytes) => {
      if (bytes === null) { this.stats.fallbacks++; done(id, false); return }
      this.#keepExtra(id, bytes.length)
      done(id, true)
    })
  }

  /** An object outside the catalog arrived: kept here. */
  #keepExtra (id: Uint8Array, sizeBytes: number): void {
    this.extra.set(idHex(id), sizeBytes)
  }

  /**
   * Fetches `indices` as prefetches from `sources` (oracle prefetching, pre-copy); `done` after
   * the last. With `pin`, they become this host's own copy (a whole-image copy), not cache.
   */
  prefetch (indices: readonly number[], sources: readonly NodeAddress[], done: () => void = () => {}, pin = false): void {
    const wanted: number[] = []
    for (const index of indices) {
      if (this.local.has(index) || (!pin && this.holds(index))) continue
      if (pin && this.cache.has(index)) { this.local.add(index); continue }
      wanted.push(index)
    }
    let left = wanted.length
    if (left === 0) { done(); return }
    if (left <= PREFETCH_WINDOW_OBJECTS) {
      const finishOne = (): void => { if (--left === 0) done() }
      this.#fetchMany(wanted, sources, PREFETCH, null, finishOne, finishOne, 0, pin)
      return
    }
    // At most PREFETCH_WINDOW_OBJECTS asked for at once, topped up as half of them arrive: the
    // holder sends a few chunks at a time anyway, and a whole image asked for at once would only
    // fill both sides' tables (and the uplink with requests).
    let next = 0
    let outstanding = 0
    const more = (): void => {
      const end = Math.min(wanted.length, next + PREFETCH_WINDOW_OBJECTS - outstanding)
      if (end <= next) return
      const batch = wanted.slice(next, end)
      next = end
      outstanding += batch.length
      this.#fetchMany(batch, sources, PREFETCH, null, finish, finish, 0, pin)
    }
    const finish = (): void => {
      outstanding--
      if (--left === 0) { done(); return }
      if (outstanding <= PREFETCH_WINDOW_OBJECTS / 2) more()
    }
    more()
  }

  #prefetchGroup (index: number, group: number, sources: readonly NodeAddress[]): void {
    const order = this.catalog.fetchOrder(index)
    const wanted: number[] = []
    for (let j = 0; j < order.ids.length && wanted.length < this.config.subgroupMax; j++) {
      if (order.probs[j]! < this.config.pPrefetch) break
      const x = order.ids[j]!
      if (!this.holds(x) && !this.fetcher.inFlight(this.catalog.ids[x]!)) wanted.push(x)
    }
    if (wanted.length === 0) return
    this.pointers.lookup(this.catalog.groupKey(group), (pointers) => {
      const whole = chooseHolder(pointers, (c) => this.node.coordinates.vivaldi.estimateRttMs(c), true)
      const holders = whole === null ? [...sources] : [whole.holder, ...sources]
      const still = wanted.filter((x) => !this.holds(x))
      if (still.length > 0) this.#fetchMany(still, holders, PREFETCH, group, () => {}, () => {})
    })
  }

  #fetchFrom (index: number, holders: readonly NodeAddress[], priority: ObjectPriority, group: number | null, done: (ok: boolean) => void, attempt = 0, pin = false): void {
    this.#fetchMany([index], holders, priority, group, () => done(false), () => done(true), attempt, pin)
  }

  /**
   * Fetches `indices` from `holders[attempt]` in as few requests as the transfer protocol allows;
   * the objects that holder fails to send are tried at the next holder, together (those that
   * fail at one moment, such as one ObjectMissing's, go in one request). `ok`/`failed` per object.
   */
  #fetchMany (indices: readonly number[], holders: readonly NodeAddress[], priority: ObjectPriority, group: number | null,
    failed: (index: number) => void, ok: (index: number) => void, attempt = 0, pin = false): void {
    const holder = holders[attempt]
    if (holder === undefined) { for (const index of indices) failed(index); return }
    let retry: number[] = []
    this.fetcher.fetch(holder, indices.map((i) => this.catalog.ids[i]!), priority, (id, bytes) => {
      const index = this.catalog.indexOf(id)
      if (index === undefined) return
      if (bytes === null) {
        if (priority === DEMAND) this.stats.fallbacks++
        retry.push(index)
        if (retry.length > 1) return
        this.node.env.clock.setTimer(0, () => {
          const batch = retry
          retry = []
          this.#fetchMany(batch, holders, priority, group, failed, ok, attempt + 1, pin)
        })
        return
      }
      this.#arrived(index, bytes.length, priority, group, pin)
      ok(index)
    })
  }

  #arrived (index: number, sizeBytes: number, priority: ObjectPriority, group: number | null, pin: boolean): void {
    if (pin) {
      if (!this.local.has(index)) this.#pinnedUnread.add(index)
      this.local.add(index)
    } else if (!this.local.has(index)) {
      this.cache.insert(index, sizeBytes, group, { prefetched: priority !== DEMAND })
      this.#advertise()
    }
  }

  /**
   * Turns residency changes into pointer puts (whole, hot) and removals (none). A group's pointer
   * changes at most once per `pointerHoldMs`: a change within that time waits, and only the
   * group's latest state is published when the time is up (a group that churns in the cache
   * costs one DHT update per period, not one per eviction).
   */
  #advertise (): void {
    if (this.config.policy !== 'group') { this.#residency.length = 0; return }
    for (const [group, to] of this.#residency.splice(0)) {
      // A one-object group's pointer would cost a DHT update per cached object and save no
      // lookup a group fetch needs (no other member is prefetched with it).
      if (this.catalog.groupMembers(group).length < 2) continue
      const grade = to === 'none' ? 'none' : to === 'whole' && this.cache.groupCounts(group).fetched >= this.catalog.groupMembers(group).length ? 'whole' : 'hot'
      this.#wanted.set(group, grade)
      if (!this.#holding.has(group)) this.#applyPointer(group)
    }
  }

  #applyPointer (group: number): void {
    const grade = this.#wanted.get(group)
    this.#wanted.delete(group)
    if (grade === undefined) { this.#holding.delete(group); return }
    const key = this.catalog.groupKey(group)
    if (grade === 'none') this.pointers.withdraw(key)
    else this.pointers.publish(key, grade)
    this.#holding.add(group)
    this.node.env.clock.setTimer(this.config.pointerHoldMs, () => this.#applyPointer(group))
  }

  /** Objects and bytes copied by whole-image copies and never read here. */
  pinnedUnread (): { objects: number, bytes: number } {
    let bytes = 0
    for (const index of this.#pinnedUnread) bytes += this.catalog.sizeOf(index)
    return { objects: this.#pinnedUnread.size, bytes }
  }

  stop (): void {
    this.fetcher.stop()
  }
}

/** Objects one `prefetch` call has asked for and not yet got (a whole-image copy asks in steps). */
const PREFETCH_WINDOW_OBJECTS = 4096

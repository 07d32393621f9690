/**
 * A node's tuples, kept in memory in Bamboo's Key order per guid, with Bamboo's storage rules: a
 * re-put of the same tuple keeps whichever copy expires later; a remove (tombstone) needs the
 * secret, deletes the matching put and suppresses later copies of it until the tombstone expires;
 * expired tuples are never returned and are dropped by `expire`. Reads page through a key's puts
 * after a placemark, at most `maxValues` and about 1 KiB per answer (Bamboo's MAX_GET_RESP_SIZE).
 *
 * Synchronous, so the same DHT code runs in the simulator; persistence is a listener
 * (`onChange`) that a disk store (`level-tuple-log.ts`) follows. Never reads the clock itself.
 */
import { MinHeap } from './min-heap.ts'
import { GuidIndex } from './guid-index.ts'
import type { GuidRange } from './shared-ranges.ts'
import { compareTuples, expiryUsec, targetOfRemove, tupleIdentity, validRemove, type Tuple } from './tuple.ts'

/** Serialized size of one Dht$GetValue holding a 1024-byte value: the byte budget of one answer. */
export const MAX_GET_RESP_BYTES = 1063
/** Bytes a GetValue adds around its value. */
export const GET_VALUE_OVERHEAD_BYTES = MAX_GET_RESP_BYTES - 1024

export type ApplyOutcome = 'stored' | 'refreshed' | 'duplicate' | 'suppressed' | 'expired' | 'invalid'

export type StoreChange = { readonly kind: 'stored', readonly tuple: Tuple } | { readonly kind: 'deleted', readonly tuple: Tuple }

export interface ReadResult {
  readonly tuples: Tuple[]
  /** More puts follow the last one returned. */
  readonly more: boolean
}

export class TupleStore {
  readonly #byGuid = new Map<bigint, Tuple[]>()
  /** The keys of #byGuid, for range scans. */
  readonly #guidIndex = new GuidIndex()
  readonly #byIdentity = new Map<string, Tuple>()
  #bytes = 0
  #version = 0
  /** Every stored tuple by expiry, soonest first (entries of tuples gone since are skipped when popped). */
  readonly #expiries = new MinHeap<{ readonly expiryUs: number, readonly tuple: Tuple }>((a, b) => a.expiryUs - b.expiryUs)
  onChange: ((change: StoreChange) => void) | null = null

  get size (): number {
    return this.#byIdentity.size
  }

  /** Bumped by every insert and removal (caches of derived data, such as Merkle trees, key on it). */
  get version (): number {
    return this.#version
  }

  /** Value (or secret) bytes held. */
  get bytes (): number {
    return this.#bytes
  }

  /** Stores a put or a remove arriving at `nowUsec`. */
  apply (tuple: Tuple, nowUsec: bigint): ApplyOutcome {
    if (expiryUsec(tuple) <= nowUsec) return 'expired'
    if (!tuple.put && !validRemove(tuple)) return 'invalid'
    const identity = tupleIdentity(tuple)
    if (tuple.put) {
      const tombstone = this.#byIdentity.get(identity.slice(0, -1) + 'r')
      if (tombstone !== undefined && expiryUsec(tombstone) > nowUsec) return 'suppressed'
    }
    const existing = this.#byIdentity.get(identity)
    if (existing !== undefined) {
      if (expiryUsec(existing) >= expiryUsec(tuple)) return 'duplicate'
      this.#remove(existing)
      this.#insert(tuple, identity)
      return 'refreshed'
    }
    if (!tuple.put) {
      const target = this.#byIdentity.get(targetOfRemove(tuple))
      if (target !== undefined) this.#remove(target)
    }
    this.#insert(tuple, identity)
    return 'stored'
  }

  /** Whether the store already holds this tuple (same identity, expiring no earlier). */
  has (tuple: Tuple): boolean {
    const existing = this.#byIdentity.get(tupleIdentity(tuple))
    return existing !== undefined && expiryUsec(existing) >= expiryUsec(tuple)
  }

  /** The stored tuple (with its data) of the same identity as `key`, if any. */
  lookup (key: Pick<Tuple, 'guid' | 'secretHash' | 'dataHash' | 'put'>): Tuple | undefined {
    return this.#byIdentity.get(tupleIdentity(key))
  }

  /**
   * Live puts under `guid` strictly after `after` (a placemark's key; null = from the start), in
   * Key order, at most `maxValues` and MAX_GET_RESP_BYTES of GetValues (always at least one).
   */
  read (guid: bigint, after: Tuple | null, maxValues: number, nowUsec: bigint): ReadResult {
    const list = this.#byGuid.get(guid) ?? []
    const out: Tuple[] = []
    let bytes = 0
    let i = after === null ? 0 : upperBound(list, after)
    for (; i < list.length; i++) {
      const t = list[i]!
      if (!t.put || expiryUsec(t) <= nowUsec) continue
      const size = t.data.length + GET_VALUE_OVERHEAD_BYTES
      if (out.length >= maxValues || (out.length > 0 && bytes + size > MAX_GET_RESP_BYTES)) return { tuples: out, more: true }
      out.push(t)
      bytes += size
    }
    return { tuples: out, more: false }
  }

  /** The guids holding live tuples. */
  guids (): IterableIterator<bigint> {
    return this.#byGuid.keys()
  }

  /** The tuples under `guid`, in Key order (a copy). */
  tuplesOf (guid: bigint): Tuple[] {
    return [...(this.#byGuid.get(guid) ?? [])]
  }

  /**
   * The tuples under guids in `range` (inclusive ring arc) that have not expired at `nowUsec`, and
   * the soonest of their expiries (null when none): one pass, each expiry computed once.
   */
  liveInRange (range: GuidRange, nowUsec: bigint): { tuples: Tuple[], soonestExpiryUsec: bigint | null } {
    const out: Tuple[] = []
    let soonest: bigint | null = null
    this.#guidIndex.forEachInRange(range, (guid) => {
      for (const t of this.#byGuid.get(guid)!) {
        const e = expiryUsec(t)
        if (e <= nowUsec) continue
        out.push(t)
        if (soonest === null || e < soonest) soonest = e
      }
    })
    return { tuples: out, soonestExpiryUsec: soonest }
  }

  /** Every stored tuple (puts and tombstones); `liveInRange` for one range's live ones. */
  tuples (): Tuple[] {
    const out: Tuple[] = []
    for (const list of this.#byGuid.values()) out.push(...list)
    return out
  }

  /** Deletes one tuple (hand-off of data this node is no longer responsible for). */
  delete (tuple: Tuple): void {
    const existing = this.#byIdentity.get(tupleIdentity(tuple))
    if (existing !== undefined) this.#remove(existing)
  }

  /** Drops every tuple expired at `nowUsec`; returns how many. Visits only what has expired. */
  expire (nowUsec: bigint): number {
    const now = Number(nowUsec)
    let dropped = 0
    for (let top = this.#expiries.peek(); top !== undefined && top.expiryUs <= now; top = this.#expiries.peek()) {
      this.#expiries.pop()
      const t = top.tuple
      // Stale entries (a tuple deleted, refreshed or handed off since) are skipped.
      if (!this.#holds(t) || expiryUsec(t) > nowUsec) continue
      this.#remove(t)
      dropped++
    }
    return dropped
  }

  /** Whether this very tuple object is stored (not a copy deleted, refreshed or handed off since). */
  #holds (tuple: Tuple): boolean {
    return this.#byIdentity.get(tupleIdentity(tuple)) === tuple
  }

  #insert (tuple: Tuple, identity: string): void {
    let list = this.#byGuid.get(tuple.guid)
    if (list === undefined) {
      this.#byGuid.set(tuple.guid, list = [])
      this.#guidIndex.add(tuple.guid)
    }
    list.splice(upperBound(list, tuple), 0, tuple)
    this.#byIdentity.set(identity, tuple)
    this.#expiries.push({ expiryUs: Number(expiryUsec(tuple)), tuple })
    // Entries of tuples deleted before they expired are dropped once they outnumber the live ones.
    if (this.#expiries.size > 2 * this.#byIdentity.size + 1024) this.#expiries.retain((e) => this.#holds(e.tuple))
    this.#bytes += tuple.data.length
    this.#version++
    this.onChange?.({ kind: 'stored', tuple })
  }

  #remove (tuple: Tuple): void {
    const list = this.#byGuid.get(tuple.guid)
    if (list === undefined) return
    const at = list.indexOf(tuple)
    if (at < 0) return
    list.splice(at, 1)
    if (list.length === 0) {
      this.#byGuid.delete(tuple.guid)
      this.#guidIndex.delete(tuple.guid)
    }
    this.#byIdentity.delete(tupleIdentity(tuple))
    this.#bytes -= tuple.data.length
    this.#version++
    this.onChange?.({ kind: 'deleted', tuple })
  }
}

/** First index whose tuple sorts after `key`. */
function upperBound (list: readonly Tuple[], key: Tuple): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (compareTuples(list[mid]!, key) <= 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

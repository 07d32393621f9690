/**
 * Merkle-tree anti-entropy between replicas, after Bamboo's DataManager (bamboo.md §11): every
 * period (jittered) a node picks a random leaf-set member and one range of keys both store
 * (`shared-ranges.ts`), then walks that range's Merkle tree over tuple timestamps
 * (`merkle-tree.ts`) from the root: FetchMerkleTreeNodeReq for a node whose hash differs from its
 * own, into the differing children, FetchKeysReq at leaf nodes, FetchDataReq for each key it
 * lacks, and stores what it gets. It pulls only; the peer pulls in its own rounds. One session at
 * a time, a few requests in flight, abandoned after `antiEntropySessionTimeoutMs` or on a
 * reject or undelivered request. The serving side refuses ranges it does not share and bad
 * tree coordinates. Peers' input is validated (hashes, ranges, sizes) and counted when dropped;
 * never throws.
 */
import type { Timer } from '../env/clock.ts'
import { addressKey, type NodeAddress } from '../ids/node-address.ts'
import type { StorageKey } from '../wire/dht-messages.ts'
import type { FetchDataReq, FetchDataResp, FetchKeysReq, FetchKeysResp, FetchMerkleTreeNodeReq, FetchMerkleTreeNodeResp, MerkleRejectReason } from '../wire/dmgr-messages.ts'
import type { NeighborInfo } from '../wire/fields.ts'
import type { WireMessage } from '../wire/wire-message.ts'
import type { DhtContext } from './dht-put.ts'
import { MERKLE_EXPANSION, MERKLE_ROOT_LEVEL, MerkleSnapshot, spanUsec, type MerkleNode } from './merkle-tree.ts'
import { inRangeMod, sameRange, sharedRanges, type GuidRange } from './shared-ranges.ts'
import { storageKeyOf, tupleOfStorageKey } from './tuple-wire.ts'
import { sha1 } from '../ids/sha1.ts'
import { expiryUsec, tupleIdentity, type Tuple } from './tuple.ts'

const BAD_GUID_RANGE: MerkleRejectReason = 0
const BAD_EXPANSION: MerkleRejectReason = 1
const NO_SUCH_NODE: MerkleRejectReason = 2
/** Keys in one FetchKeysResp (a leaf node holds at most 32; more only when times collide). */
const MAX_KEYS_PER_RESP = 64
/** Times are i64 on the wire: the root's span (2^65 µs) is cut to the largest one. */
const MAX_TIME_USEC = (1n << 63n) - 1n

interface Session {
  readonly peer: NeighborInfo
  readonly range: GuidRange
  readonly todo: Array<{ level: number, lowUsec: bigint }>
  /** Outstanding requests: node and key requests by seq, data requests by tuple identity. */
  readonly waiting: Map<string, true>
  readonly deadline: Timer
  fetched: number
}

export class AntiEntropy {
  #timer: Timer | null = null
  #session: Session | null = null
  #nextSeq: bigint
  /** Built trees by range low, then high (bigint keys: no text made per lookup); at most 16. */
  readonly #cache = new Map<bigint, Map<bigint, CachedTree>>()
  #cachedTrees = 0

  constructor (private readonly ctx: DhtContext) {
    this.#nextSeq = ctx.randomSeq()
    const node = ctx.node
    node.handle('FetchMerkleTreeNodeReq', (m, from) => { if (m.type === 'FetchMerkleTreeNodeReq') this.#serveNode(m, from) })
    node.handle('FetchKeysReq', (m, from) => { if (m.type === 'FetchKeysReq') this.#serveKeys(m, from) })
    node.handle('FetchDataReq', (m, from) => { if (m.type === 'FetchDataReq') this.#serveData(m, from) })
    node.handle('FetchMerkleTreeNodeResp', (m, from) => { if (m.type === 'FetchMerkleTreeNodeResp') this.#onNode(m, from) })
    node.handle('FetchMerkleTreeNodeReject', (m, from) => {
      if (m.type === 'FetchMerkleTreeNodeReject' && this.#fromPeer(from) && this.#session?.waiting.has(`n${m.seq}`) === true) {
        this.ctx.count(`ae-rejected-${m.reason}`)
        this.#end('rejected')
      }
    })
    node.handle('FetchKeysResp', (m, from) => { if (m.type === 'FetchKeysResp') this.#onKeys(m, from) })
    node.handle('FetchDataResp', (m, from) => { if (m.type === 'FetchDataResp') this.#onData(m, from) })
  }

  start (): void {
    const period = this.ctx.config.antiEntropyPeriodMs
    if (period <= 0) return
    const tick = (): void => {
      if (this.#session === null) this.round()
      this.#timer = this.ctx.node.env.clock.setTimer(period / 2 + this.ctx.node.env.rng.int(period), tick)
    }
    this.#timer = this.ctx.node.env.clock.setTimer(period / 2 + this.ctx.node.env.rng.int(period), tick)
  }

  stop (): void {
    this.#timer?.cancel()
    this.#end('stopped')
  }

  get busy (): boolean {
    return this.#session !== null
  }

  /** Starts a session with a random leaf-set member over a random shared range; false if none. */
  round (peer: NeighborInfo | null = null): boolean {
    const node = this.ctx.node
    if (this.#session !== null || !node.initialized) return false
    const members = node.leafSet.members()
    const chosen = peer ?? members[node.env.rng.int(Math.max(1, members.length))]
    if (chosen === undefined) return false
    const ranges = this.#sharedWith(chosen.guid)
    if (ranges === null || ranges.length === 0) return false
    const range = ranges[node.env.rng.int(ranges.length)]!
    const deadline = node.env.clock.setTimer(this.ctx.config.antiEntropySessionTimeoutMs, () => this.#end('timed-out'))
    this.#session = { peer: chosen, range, todo: [{ level: MERKLE_ROOT_LEVEL, lowUsec: 0n }], waiting: new Map(), deadline, fetched: 0 }
    this.ctx.count('ae-sessions')
    this.#pump()
    return true
  }

  // ---- requesting side ----------------------------------------------------------------------

  #pump (): void {
    const s = this.#session
    if (s === null) return
    while (s.todo.length > 0 && s.waiting.size < this.ctx.config.antiEntropyParallel) {
      const { level, lowUsec } = s.todo.shift()!
      const seq = this.#nextSeq++
      s.waiting.set(`n${seq}`, true)
      this.#send(s, {
        type: 'FetchMerkleTreeNodeReq', peerGuid: this.ctx.node.self.guid, lowGuid: s.range.low, highGuid: s.range.high,
        expansion: MERKLE_EXPANSION, level, lowTimeUsec: lowUsec, expectedHash: this.#tree(s.range).node(level, lowUsec).hash, seq
      })
      this.#pendingNodes.set(seq, { level, lowUsec })
    }
    if (s.todo.length === 0 && s.waiting.size === 0) this.#end('done')
  }

  readonly #pendingNodes = new Map<bigint, { level: number, lowUsec: bigint }>()

  #onNode (m: FetchMerkleTreeNodeResp, from: NodeAddress): void {
    const s = this.#session
    if (s === null || !this.#fromPeer(from) || !s.waiting.delete(`n${m.seq}`)) { this.ctx.count('ae-unexpected'); return }
    const where = this.#pendingNodes.get(m.seq)
    this.#pendingNodes.delete(m.seq)
    if (where === undefined) return
    const mine = this.#tree(s.range).node(where.level, where.lowUsec)
    if (m.hash.length > 0 && !equalBytes(m.hash, mine.hash)) {
      if (m.leaf || where.level === 0) {
        const highUsec = where.lowUsec + spanUsec(where.level)
        this.#fetchKeys(s, where.lowUsec, highUsec > MAX_TIME_USEC ? MAX_TIME_USEC : highUsec)
      } else if (m.children.length === 1 << MERKLE_EXPANSION) {
        this.#descend(s, where, mine, m.children)
      } else {
        this.ctx.count('ae-bad-node')
      }
    }
    this.#pump()
  }

  #descend (s: Session, where: { level: number, lowUsec: bigint }, mine: MerkleNode, theirs: readonly Uint8Array[]): void {
    const tree = this.#tree(s.range)
    const childSpan = spanUsec(where.level - 1)
    theirs.forEach((hash, c) => {
      if (hash.every((b) => b === 0)) return
      const lowUsec = where.lowUsec + BigInt(c) * childSpan
      if (lowUsec > MAX_TIME_USEC) return
      const own = mine.leaf ? tree.node(where.level - 1, lowUsec).hash : mine.children[c]!
      if (!equalBytes(hash, own)) s.todo.push({ level: where.level - 1, lowUsec })
    })
  }

  #fetchKeys (s: Session, lowUsec: bigint, highUsec: bigint): void {
    const seq = this.#nextSeq++
    s.waiting.set(`k${seq}`, true)
    this.#send(s, { type: 'FetchKeysReq', lowGuid: s.range.low, highGuid: s.range.high, lowTimeUsec: lowUsec, highTimeUsec: highUsec, seq })
  }

  #onKeys (m: FetchKeysResp, from: NodeAddress): void {
    const s = this.#session
    if (s === null || !this.#fromPeer(from) || !s.waiting.delete(`k${m.seq}`)) { this.ctx.count('ae-unexpected'); return }
    const now = this.ctx.nowUsec()
    for (const key of m.keys) {
      const tuple = tupleOfStorageKey(key, new Uint8Array(0))
      if (!inRangeMod(s.range, tuple.guid) || expiryUsec(tuple) <= now || this.ctx.store.has(tuple)) continue
      if (tuple.put && this.#tombstoned(tuple, now)) continue
      const id = `d${tupleIdentity(tuple)}`
      if (s.waiting.has(id)) continue
      s.waiting.set(id, true)
      this.#send(s, { type: 'FetchDataReq', key })
    }
    this.#pump()
  }

  #tombstoned (tuple: Tuple, now: bigint): boolean {
    const tombstone = this.ctx.store.lookup({ ...tuple, put: false })
    return tombstone !== undefined && expiryUsec(tombstone) > now
  }

  #onData (m: FetchDataResp, from: NodeAddress): void {
    const s = this.#session
    const tuple = tupleOfStorageKey(m.key, m.data ?? new Uint8Array(0))
    if (s === null || !this.#fromPeer(from) || !s.waiting.delete(`d${tupleIdentity(tuple)}`)) { this.ctx.count('ae-unexpected'); return }
    if (m.data !== null && (!tuple.put || equalBytes(sha1(m.data), tuple.dataHash))) {
      const outcome = this.ctx.store.apply(tuple, this.ctx.nowUsec())
      if (outcome === 'stored' || outcome === 'refreshed') { s.fetched++; this.ctx.count('ae-fetched') }
      else if (outcome === 'invalid') this.ctx.count('ae-invalid')
    } else if (m.data !== null) {
      this.ctx.count('ae-bad-data')
    }
    this.#pump()
  }

  #send (s: Session, message: WireMessage): void {
    this.ctx.node.send(s.peer.address, message, this.ctx.node.config.hopTimeoutMs, (delivered) => {
      if (!delivered && this.#session === s) this.#end('undelivered')
    })
  }

  #end (reason: string): void {
    const s = this.#session
    if (s === null) return
    s.deadline.cancel()
    this.#session = null
    this.#pendingNodes.clear()
    if (reason !== 'done') this.ctx.count(`ae-${reason}`)
  }

  #fromPeer (from: NodeAddress): boolean {
    return this.#session !== null && addressKey(from) === addressKey(this.#session.peer.address)
  }

  // ---- serving side -------------------------------------------------------------------------

  #serveNode (m: FetchMerkleTreeNodeReq, from: NodeAddress): void {
    const reject = (reason: MerkleRejectReason): void => this.ctx.node.send(from, { type: 'FetchMerkleTreeNodeReject', reason, seq: m.seq }, this.ctx.node.config.hopTimeoutMs)
    const range = { low: m.lowGuid, high: m.highGuid }
    if (!(this.#sharedWith(m.peerGuid)?.some((r) => sameRange(r, range)) ?? false)) { this.ctx.count('ae-served-bad-range'); return reject(BAD_GUID_RANGE) }
    if (m.expansion !== MERKLE_EXPANSION) return reject(BAD_EXPANSION)
    if (!MerkleSnapshot.validNode(m.level, m.lowTimeUsec)) return reject(NO_SUCH_NODE)
    const node = this.#tree(range).node(m.level, m.lowTimeUsec)
    this.ctx.node.send(from, { type: 'FetchMerkleTreeNodeResp', hash: node.hash, leaf: node.leaf, seq: m.seq, children: node.children }, this.ctx.node.config.hopTimeoutMs)
  }

  #serveKeys (m: FetchKeysReq, from: NodeAddress): void {
    const range = { low: m.lowGuid, high: m.highGuid }
    if (m.highTimeUsec < m.lowTimeUsec) { this.ctx.count('ae-served-bad-keys'); return }
    const keys: StorageKey[] = this.#tree(range).inTimeRange(m.lowTimeUsec, m.highTimeUsec).slice(0, MAX_KEYS_PER_RESP).map(storageKeyOf)
    this.ctx.node.send(from, { type: 'FetchKeysResp', keys, seq: m.seq }, this.ctx.node.config.hopTimeoutMs)
  }

  #serveData (m: FetchDataReq, from: NodeAddress): void {
    const stored = this.ctx.store.lookup(tupleOfStorageKey(m.key, new Uint8Array(0)))
    const live = stored !== undefined && expiryUsec(stored) > this.ctx.nowUsec()
    this.ctx.node.send(from, { type: 'FetchDataResp', key: m.key, data: live ? stored.data : null }, this.ctx.node.config.hopTimeoutMs)
  }

  // ---- shared state -------------------------------------------------------------------------

  #sharedWith (other: bigint): GuidRange[] | null {
    const half = this.ctx.config.replicas / 2
    const leafSet = this.ctx.node.leafSet
    return sharedRanges(this.ctx.node.self, leafSet.predecessors().slice(0, half), leafSet.successors().slice(0, half), other)
  }

  /**
   * The range's tree over live tuples, rebuilt at most once per anti-entropy period, and then only
   * when the store changed or one of its tuples expired (a busy store is not re-hashed for every
   * put or expiry; what changed since is compared in a later round, and a peer asking for a tuple
   * that expired meanwhile is told it has none).
   */
  #tree (range: GuidRange): MerkleSnapshot {
    const now = this.ctx.nowUsec()
    const cached = this.#cache.get(range.low)?.get(range.high)
    const recent = cached !== undefined && now - cached.builtUsec < BigInt(this.ctx.config.antiEntropyPeriodMs) * 1000n
    const unchanged = cached !== undefined && cached.version === this.ctx.store.version && cached.validUntilUsec > now
    if (cached !== undefined && (recent || unchanged)) return cached.tree
    const live = this.ctx.store.liveInRange(range, now)
    const soonest = live.soonestExpiryUsec
    const validUntilUsec = soonest !== null && soonest < MAX_TIME_USEC ? soonest : MAX_TIME_USEC
    const tree = new MerkleSnapshot(live.tuples, cached?.tree ?? null)
    if (this.#cachedTrees >= 16) { this.#cache.clear(); this.#cachedTrees = 0 }
    let byHigh = this.#cache.get(range.low)
    if (byHigh === undefined) this.#cache.set(range.low, byHigh = new Map())
    if (!byHigh.has(range.high)) this.#cachedTrees++
    byHigh.set(range.high, { version: this.ctx.store.version, validUntilUsec, builtUsec: now, tree })
    return tree
  }
}

interface CachedTree {
  version: number
  validUntilUsec: bigint
  builtUsec: bigint
  tree: MerkleSnapshot
}

function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

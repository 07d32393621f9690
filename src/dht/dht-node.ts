/**
 * The DHT on one overlay node: Bamboo's storage layer (tuple store, puts and removes replicated
 * from the root to its leaf set, quorum gets) plus the client API the gateway serves. It
 * registers as the Dht application with the router, takes the DHT's wire messages, drops expired
 * tuples periodically, syncs with its neighbours by Merkle anti-entropy and, when the leaf set
 * changes, hands tuples this node is no longer a replica for to the nodes that are. Runs on the overlay node's injected environment, so the same
 * code runs in the simulator and on UDP; never throws on peers' input.
 */
import type { Timer } from '../env/clock.ts'
import { addressKey } from '../ids/node-address.ts'
import { idToHex } from '../ids/node-id.ts'
import type { OverlayNode } from '../overlay/overlay-node.ts'
import { MAX_KEY_BYTES, type DhtClientApi, type DhtStatus, type GetRequest, type GetResult, type NodeStatus, type PutRequest, type RmRequest } from './dht-api.ts'
import { DEFAULT_DHT_CONFIG, DHT_APP, type DhtConfig } from './dht-config.ts'
import { AntiEntropy } from './anti-entropy.ts'
import { DhtGet } from './dht-get.ts'
import { DhtPut, type DhtContext } from './dht-put.ts'
import { TupleStore } from './tuple-store.ts'
import { putOrRemoveFromTuple } from './tuple-wire.ts'
import type { NeighborInfo } from '../wire/fields.ts'
import { decodeKey, guidOfKey, ipv4Bytes, makePut, makeRemove, type Tuple } from './tuple.ts'

export class DhtNode implements DhtClientApi {
  readonly config: DhtConfig
  readonly counters = new Map<string, number>()
  readonly puts: DhtPut
  readonly gets: DhtGet
  readonly antiEntropy: AntiEntropy
  #expireTimer: Timer | null = null
  #handoffTimer: Timer | null = null
  #handoffSeq = 0n
  /** handOff's answers to "is this node a replica of guid?" for one leaf-set version. */
  #replicaOf = { leafSetVersion: -1, answers: new Map<bigint, boolean>() }

  constructor (readonly node: OverlayNode, readonly store: TupleStore = new TupleStore(), config: Partial<DhtConfig> = {}) {
    this.config = { ...DEFAULT_DHT_CONFIG, ...config }
    const rng = node.env.rng
    const ctx: DhtContext = {
      node, store, config: this.config,
      nowUsec: () => BigInt(Math.floor(node.env.clock.nowMs())) * 1000n,
      randomSeq: () => BigInt.asIntN(64, (BigInt(rng.int(0x100000000)) << 32n) | BigInt(rng.int(0x100000000))),
      count: (event) => this.counters.set(event, (this.counters.get(event) ?? 0) + 1)
    }
    this.puts = new DhtPut(ctx)
    this.gets = new DhtGet(ctx)
    this.antiEntropy = new AntiEntropy(ctx)
    node.registerApp(DHT_APP, {
      deliver: (_src, _dest, _from, payload) => this.puts.onPutReq(payload),
      leafSetChanged: () => this.#onLeafSetChanged()
    })
    node.handle('Dht$PutRespMsg', (m) => { if (m.type === 'Dht$PutRespMsg') this.puts.onPutResp(m.seq, m.result) })
    node.handle('PutOrRemoveMsg', (m, from) => this.puts.onPutOrRemove(m, from))
    node.handle('PutOrRemoveAck', (m) => { if (m.type === 'PutOrRemoveAck') this.puts.onPutOrRemoveAck(m.seq) })
    node.handle('rpc:IterGetReq', (m, from) => this.gets.onRpc(m, from))
    node.handle('rpc:IterGetResp', (m, from) => this.gets.onRpc(m, from))
  }

  /** Starts the periodic expiry and hand-off (call after the overlay node started). */
  start (): void {
    const clock = this.node.env.clock
    const expire = (): void => {
      const dropped = this.store.expire(this.#nowUsec())
      if (dropped > 0) this.counters.set('expired', (this.counters.get('expired') ?? 0) + dropped)
      this.#expireTimer = clock.setTimer(this.config.expirePeriodMs, expire)
    }
    const handoff = (): void => {
      this.handOff()
      this.#handoffTimer = clock.setTimer(this.config.handoffPeriodMs, handoff)
    }
    this.#expireTimer = clock.setTimer(this.config.expirePeriodMs, expire)
    this.#handoffTimer = clock.setTimer(this.config.handoffPeriodMs + this.node.env.rng.int(this.config.handoffPeriodMs), handoff)
    this.antiEntropy.start()
  }

  stop (): void {
    this.#expireTimer?.cancel()
    this.#handoffTimer?.cancel()
    this.antiEntropy.stop()
  }

  #nowUsec (): bigint {
    return BigInt(Math.floor(this.node.env.clock.nowMs())) * 1000n
  }

  // ---- client API (the gateway's) ----------------------------------------------------------

  async put (request: PutRequest): Promise<DhtStatus> {
    return await new Promise((resolve) => this.putThen(request, resolve))
  }

  async rm (request: RmRequest): Promise<DhtStatus> {
    return await new Promise((resolve) => this.rmThen(request, resolve))
  }

  async get (request: GetRequest): Promise<GetResult> {
    return await new Promise((resolve, reject) => {
      try { this.getThen(request, resolve) } catch (error) { reject(error) }
    })
  }

  /** `put` with a callback: for protocol code on the event loop (the simulator has no promises in flight). */
  putThen (request: PutRequest, done: (status: DhtStatus) => void): void {
    const tuple = makePut({
      timeUsec: this.#nowUsec(), ttlS: request.ttlS, guid: guidOfKey(request.key), value: request.value,
      secretHash: request.secretHash, clientIp: ipv4Bytes(request.clientHost)
    })
    this.puts.start(tuple, done)
  }

  rmThen (request: RmRequest, done: (status: DhtStatus) => void): void {
    const tuple = makeRemove({
      timeUsec: this.#nowUsec(), ttlS: request.ttlS, guid: guidOfKey(request.key), valueHash: request.valueHash,
      secret: request.secret, clientIp: ipv4Bytes(request.clientHost)
    })
    this.puts.start(tuple, done)
  }

  /** `get` with a callback; throws RangeError for a key over 20 bytes or a bad placemark. */
  getThen (request: GetRequest, done: (result: GetResult) => void): void {
    if (request.key.length > MAX_KEY_BYTES) throw new RangeError(`key is longer than ${MAX_KEY_BYTES} bytes`)
    const placemark = request.placemark.length === 0 ? null : decodeKey(request.placemark, true)
    if (request.placemark.length > 0 && placemark === null) throw new RangeError('placemark is not a Key')
    this.gets.start({ guid: guidOfKey(request.key), maxValues: request.maxValues, placemark }, done)
  }

  status (): NodeStatus {
    const node = this.node
    const side = (list: ReturnType<typeof node.leafSet.predecessors>, name: 'pred' | 'succ') =>
      list.map((n) => {
        const latencyMs = node.health.rttMs.get(n.guid)
        return { address: addressKey(n.address), guidHex: idToHex(n.guid), side: name, ...(latencyMs === undefined ? {} : { latencyMs }) }
      })
    const routingTable: Array<{ level: number, digit: number, address: string, latencyMs: number, guidHex: string }> = []
    for (let level = 0; level < node.routingTable.levels; level++) {
      for (const entry of node.routingTable.row(level)) {
        const cell = node.routingTable.cellOf(entry.neighbor.guid)
        routingTable.push({ level, digit: cell?.digit ?? -1, address: addressKey(entry.neighbor.address), latencyMs: entry.rttMs, guidHex: idToHex(entry.neighbor.guid) })
      }
    }
    return {
      address: addressKey(node.self.address), guidHex: idToHex(node.self.guid),
      leafSet: [...side(node.leafSet.predecessors(), 'pred'), ...side(node.leafSet.successors(), 'succ')],
      routingTable, storedTuples: this.store.size, storedBytes: this.store.bytes
    }
  }

  // ---- replica-set changes ------------------------------------------------------------------

  #knownMembers = new Set<bigint>()

  /**
   * A node that enters the leaf set may now be a replica of keys this node holds: push it those
   * tuples at once (a new replica need not wait for anti-entropy to serve gets). Only tuples this
   * node is itself a replica of, under keys its leaf set spans: a stale copy pushed on would
   * spread to nodes that are no replicas at all.
   */
  #onLeafSetChanged (): void {
    const node = this.node
    const members = node.leafSet.members()
    const fresh = members.filter((n) => !this.#knownMembers.has(n.guid))
    this.#knownMembers = new Set(members.map((n) => n.guid))
    if (fresh.length === 0 || this.store.size === 0) return
    const freshGuids = new Set(fresh.map((n) => n.guid))
    let pushed = 0
    const replicasOf = new Map<bigint, NeighborInfo[] | null>()
    for (const tuple of this.store.tuples()) {
      let replicas = replicasOf.get(tuple.guid)
      if (replicas === undefined) {
        replicas = node.leafSet.withinLeafSet(tuple.guid) ? node.leafSet.replicas(tuple.guid, this.config.replicas) : null
        if (replicas !== null && !replicas.some((n) => node.isSelf(n))) replicas = null
        replicasOf.set(tuple.guid, replicas)
      }
      if (replicas === null) continue
      for (const replica of replicas) {
        if (!freshGuids.has(replica.guid)) continue
        node.send(replica.address, putOrRemoveFromTuple(tuple, this.#handoffSeq++), node.config.hopTimeoutMs)
        pushed++
      }
    }
    if (pushed > 0) this.counters.set('pushed-to-new-replicas', (this.counters.get('pushed-to-new-replicas') ?? 0) + pushed)
  }

  // ---- hand-off -----------------------------------------------------------------------------

  /**
   * Tuples under keys this node is no longer among the replicas of (the ring changed) are pushed
   * to the current replicas and then deleted here (Bamboo's discard alarm). A key beyond the leaf
   * set's span has its replicas beyond it too: the tuple goes to the leaf nearest the key, which
   * keeps it or passes it on the same way, and is deleted here once that leaf acked. Only when
   * the leaf set is full, so a node that lost its neighbours does not throw data away.
   */
  handOff (): number {
    const node = this.node
    if (!node.initialized || node.leafSet.size < 2 * node.leafSet.sizePerSide) return 0
    const foreign = new Map<bigint, Tuple[]>()
    // Whether this node is a replica of a guid changes only with the leaf set: remembered until then.
    if (this.#replicaOf.leafSetVersion !== node.leafSet.version || this.#replicaOf.answers.size > 4 * this.store.size + 1024) this.#replicaOf = { leafSetVersion: node.leafSet.version, answers: new Map() }
    const mine = this.#replicaOf.answers
    for (const guid of this.store.guids()) {
      let keep = mine.get(guid)
      if (keep === undefined) {
        keep = node.leafSet.withinLeafSet(guid) && node.leafSet.replicas(guid, this.config.replicas).some((n) => node.isSelf(n))
        mine.set(guid, keep)
      }
      if (!keep) foreign.set(guid, this.store.tuplesOf(guid))
    }
    let handed = 0
    for (const [guid, tuples] of foreign) {
      const targets = node.leafSet.withinLeafSet(guid)
        ? node.leafSet.replicas(guid, this.config.replicas).filter((n) => !node.isSelf(n))
        : [node.leafSet.closestLeaf(guid)].filter((n) => !node.isSelf(n))
      for (const tuple of tuples) {
        let acked = 0
        for (const target of targets) {
          node.send(target.address, putOrRemoveFromTuple(tuple, this.#handoffSeq++), node.config.hopTimeoutMs, (delivered) => {
            if (delivered && ++acked === 1) this.store.delete(tuple)
          })
        }
        handed++
      }
    }
    if (handed > 0) this.counters.set('handed-off', (this.counters.get('handed-off') ?? 0) + handed)
    return handed
  }
}

/**
 * Gets, as the OpenDHT gateway runs them in the Bamboo release captured in bamboo-captures.md:
 * iteratively from the gateway, in Rpc$Msg IterGetReq / IterGetResp exchanges. A node that is
 * not among the key's replicas answers with neighbours closer to the key (with their Vivaldi
 * coordinates); the root, or a replica whose leaf set spans the key, answers with the replica set
 * and its values after the placemark. The gateway then
 * reads replicas until a quorum (⌊n/2⌋ + 1, the root included) answered, merges their values in
 * Key order without duplicates, keeps at most ~1 KiB and `maxvals`, and returns a placemark when
 * more remain. OpenDHT's two fixes for the tail are switches: delay-aware next hops
 * (`delayAwareGets`: among every node heard of that is as close to the key in base-16 digits as
 * the closest one, the nearest in Vivaldi space; Bamboo's `fdScaling` sigmoid, tuned to PlanetLab's
 * sub-100 ms paths, trades whole digits for latency and doubled the hops on King latencies), and
 * `redundantReads` extra replica reads in parallel. Each request has a deadline; a silent node is skipped. With RTT-based hop deadlines
 * (`getHopRttMultiple`), a request slower than a multiple of the peer's estimated RTT is passed
 * over at once, its late answer still used. Never throws on peers' input.
 */
import type { Timer } from '../env/clock.ts'
import { addressKey, sameAddress, type NodeAddress } from '../ids/node-address.ts'
import { nodeIdOf } from '../ids/node-id.ts'
import { ringDistance } from '../ids/ring.ts'
import { VivaldiCoordinate } from '../overlay/vivaldi-coordinate.ts'
import type { IterGetReq, IterGetResp, RedirectNeighbor } from '../wire/dht-get-messages.ts'
import type { NeighborInfo } from '../wire/fields.ts'
import type { RpcMsg } from '../wire/rpc-messages.ts'
import type { WireMessage } from '../wire/wire-message.ts'
import type { GetResult } from './dht-api.ts'
import type { DhtContext } from './dht-put.ts'
import { MAX_GET_RESP_BYTES, GET_VALUE_OVERHEAD_BYTES } from './tuple-store.ts'
import { keyedValueOf, storageKeyOf, tupleOfKeyedValue, tupleOfStorageKey } from './tuple-wire.ts'
import { compareTuples, encodeKey, hasSecret, tupleIdentity, ttlRemainingS, type Tuple } from './tuple.ts'

/** Closer nodes a non-root names in its answer. */
const REDIRECT_COUNT = 4

export interface GetQuery {
  readonly guid: bigint
  readonly maxValues: number
  readonly placemark: Tuple | null
}

interface Answer { readonly values: Tuple[], readonly allRead: boolean }

interface RunningGet {
  readonly query: GetQuery
  readonly done: (result: GetResult) => void
  readonly seq: bigint
  readonly visited: Set<string>
  /** Candidates for the next hop, best first (plain: the last answer's list). */
  candidates: RedirectNeighbor[]
  /** Delay-aware: every closer node heard of and not yet asked, by address. */
  readonly known: Map<string, RedirectNeighbor>
  replicas: readonly NodeAddress[] | null
  readonly answers: Map<string, Answer>
  inFlight: number
  finished: boolean
  timer: Timer | null
}

interface Rpc {
  readonly get: RunningGet
  readonly peer: NodeAddress
  readonly timer: Timer
  /** Passed over by its RTT-based deadline: no longer counted in flight. */
  late: boolean
  soft: Timer | null
}

export class DhtGet {
  readonly #rpcs = new Map<bigint, Rpc>()
  #nextXact: bigint

  constructor (private readonly ctx: DhtContext) {
    this.#nextXact = ctx.randomSeq() & ((1n << 62n) - 1n)
  }

  /** Starts a get at this node (the gateway). */
  start (query: GetQuery, done: (result: GetResult) => void): void {
    const get: RunningGet = {
      query, done, seq: this.ctx.randomSeq(), visited: new Set(), candidates: [], known: new Map(), replicas: null,
      answers: new Map(), inFlight: 0, finished: false, timer: null
    }
    get.timer = this.ctx.node.env.clock.setTimer(this.ctx.config.getTimeoutMs, () => this.#finish(get))
    this.#ask(get, this.ctx.node.self.address, null)
  }

  /** Answers an IterGetReq (from a gateway, or locally). */
  answer (request: IterGetReq): IterGetResp {
    const { node, store } = this.ctx
    const base = { synced: [], maxvals: request.maxvals, client: request.client }
    const next = node.nextHop(request.key)
    const replicaSet = node.leafSet.replicas(request.key, this.ctx.config.replicas)
    // The root answers; so does any replica whose leaf set spans the key (it knows the whole
    // replica set), which lets a get finish while a dead root is still in the leaf sets.
    const knowsReplicas = node.isSelf(next) || (node.leafSet.withinLeafSet(request.key) && replicaSet.some((n) => node.isSelf(n)))
    if (!knowsReplicas) {
      return { type: 'IterGetResp', ...base, neighbors: this.#closer(request.key, next), replicas: [], values: [], allRead: false }
    }
    const replicas = replicaSet.map((n) => n.address)
    const placemark = request.placemark === null ? null : tupleOfStorageKey(request.placemark, new Uint8Array(0))
    const read = store.read(request.key, placemark, request.maxvals & 0xffff, this.ctx.nowUsec())
    return { type: 'IterGetResp', ...base, neighbors: [], replicas, values: read.tuples.map(keyedValueOf), allRead: !read.more }
  }

  onRpc (message: WireMessage, from: NodeAddress): void {
    if (message.type !== 'Rpc$Msg') return
    const node = this.ctx.node
    if (message.req && message.payload.type === 'IterGetReq') {
      const reply: RpcMsg = { type: 'Rpc$Msg', req: false, xactId: message.xactId, payload: this.answer(message.payload) }
      node.send(from, reply, node.config.hopTimeoutMs)
      return
    }
    if (!message.req && message.payload.type === 'IterGetResp') {
      const rpc = this.#rpcs.get(message.xactId)
      if (rpc === undefined || !sameAddress(rpc.peer, from)) return
      this.#rpcs.delete(message.xactId)
      rpc.timer.cancel()
      rpc.soft?.cancel()
      if (!rpc.late) rpc.get.inFlight--
      this.#onAnswer(rpc.get, from, message.payload)
    }
  }

  /** Closer nodes than this one to `key`: the next hop first, then leaf-set and routing-table nodes by distance. */
  #closer (key: bigint, next: NeighborInfo): RedirectNeighbor[] {
    const node = this.ctx.node
    const mine = ringDistance(node.self.guid, key)
    const seen = new Set<bigint>([next.guid])
    const others = [...node.leafSet.members(), ...node.routingTable.neighbors()]
      .filter((n) => !seen.has(n.guid) && !node.health.possiblyDown.has(n.guid) && ringDistance(n.guid, key) < mine && (seen.add(n.guid), true))
      .sort((a, b) => { const da = ringDistance(a.guid, key); const db = ringDistance(b.guid, key); return da < db ? -1 : da > db ? 1 : 0 })
    return [next, ...others].slice(0, REDIRECT_COUNT).map((neighbor) => ({ neighbor, coords: node.coordinates.coordinateOf(neighbor.guid)?.toWire() ?? null }))
  }

  #ask (get: RunningGet, peer: NodeAddress, coords: RedirectNeighbor['coords']): void {
    const node = this.ctx.node
    get.visited.add(addressKey(peer))
    const { guid, maxValues, placemark } = get.query
    const request: IterGetReq = {
      type: 'IterGetReq', key: guid, maxvals: maxValues, placemark: placemark === null ? null : storageKeyOf(placemark),
      seq: get.seq, coords: node.coordinates.coordinate.toWire(), client: node.self.address
    }
    if (node.isSelf({ guid: nodeIdOf(peer), address: peer })) {
      this.#onAnswer(get, peer, this.answer(request))
      return
    }
    const xactId = this.#nextXact++
    get.inFlight++
    const timer = node.env.clock.setTimer(this.ctx.config.getRequestTimeoutMs, () => {
      this.#rpcs.delete(xactId)
      this.ctx.count('get-request-timeout')
      if (!rpc.late) get.inFlight--
      this.#proceed(get)
    })
    const rpc: Rpc = { get, peer, timer, late: false, soft: null }
    const softMs = this.#hopDeadlineMs(peer, coords)
    if (softMs < this.ctx.config.getRequestTimeoutMs) {
      rpc.soft = node.env.clock.setTimer(softMs, () => {
        rpc.soft = null
        if (get.finished || !this.#rpcs.has(xactId)) return
        rpc.late = true
        get.inFlight--
        this.ctx.count('get-hop-passed-over')
        this.#proceed(get)
      })
    }
    this.#rpcs.set(xactId, rpc)
    node.send(peer, { type: 'Rpc$Msg', req: true, xactId, payload: request }, this.ctx.config.getRequestTimeoutMs)
  }

  /** The RTT-based deadline of a request to `peer`: measured RTT, else Vivaldi's estimate, times the multiple. */
  #hopDeadlineMs (peer: NodeAddress, coords: RedirectNeighbor['coords']): number {
    const { getHopRttMultiple, getHopMinMs, getRequestTimeoutMs } = this.ctx.config
    if (!(getHopRttMultiple > 0)) return getRequestTimeoutMs
    const node = this.ctx.node
    let rttMs = node.transport.latencyMeanMs(peer)
    if (!(rttMs >= 0)) {
      const remote = coords === null ? node.coordinates.coordinateOf(nodeIdOf(peer)) : VivaldiCoordinate.fromWire(coords)
      rttMs = remote === undefined || remote === null ? this.#typicalRttMs() : node.coordinates.vivaldi.estimateRttMs(remote)
    }
    return Math.min(getRequestTimeoutMs, Math.max(getHopMinMs, getHopRttMultiple * rttMs))
  }

  /** For a peer with no estimate: the 90th percentile of this node's measured neighbour RTTs. */
  #typicalRttMs (): number {
    const rtts = [...this.ctx.node.health.rttMs.values()].sort((a, b) => a - b)
    return rtts.length === 0 ? this.ctx.config.getRequestTimeoutMs : rtts[Math.min(rtts.length - 1, Math.floor(rtts.length * 0.9))]!
  }

  #onAnswer (get: RunningGet, from: NodeAddress, resp: IterGetResp): void {
    if (get.finished) return
    if (resp.replicas.length > 0) {
      get.replicas ??= resp.replicas
      const values: Tuple[] = []
      for (const v of resp.values) {
        const tuple = tupleOfKeyedValue(v)
        if (tuple !== null && tuple.guid === get.query.guid) values.push(tuple)
      }
      get.answers.set(addressKey(from), { values, allRead: resp.allRead })
    } else if (get.replicas === null) {
      const fresh = resp.neighbors.filter((n) => !get.visited.has(addressKey(n.neighbor.address)))
      if (this.ctx.config.delayAwareGets) for (const n of fresh) get.known.set(addressKey(n.neighbor.address), n)
      else get.candidates = fresh
    }
    this.#proceed(get)
  }

  /** The next node to ask while routing: plain, the last answer's order; delay-aware, see the header. */
  #nextCandidate (get: RunningGet): RedirectNeighbor | undefined {
    if (!this.ctx.config.delayAwareGets) return get.candidates.shift()
    const node = this.ctx.node
    let best: RedirectNeighbor | undefined
    let bestDigits = Infinity
    let bestMs = Infinity
    for (const [key, n] of get.known) {
      if (get.visited.has(key) || node.health.possiblyDown.has(n.neighbor.guid)) { get.known.delete(key); continue }
      const digits = remainingDigits(ringDistance(n.neighbor.guid, get.query.guid))
      const remote = n.coords === null ? null : VivaldiCoordinate.fromWire(n.coords)
      const ms = remote === null ? Infinity : node.coordinates.vivaldi.estimateRttMs(remote)
      if (best === undefined || digits < bestDigits || (digits === bestDigits && ms < bestMs)) { best = n; bestDigits = digits; bestMs = ms }
    }
    if (best !== undefined) get.known.delete(addressKey(best.neighbor.address))
    return best
  }

  #proceed (get: RunningGet): void {
    if (get.finished) return
    if (get.replicas === null) {
      if (get.inFlight > 0) return
      const next = this.#nextCandidate(get)
      if (next === undefined) { this.ctx.count('get-no-root'); return this.#finish(get) }
      return this.#ask(get, next.neighbor.address, next.coords)
    }
    const quorum = (get.replicas.length >> 1) + 1
    if (get.answers.size >= quorum) return this.#finish(get)
    const want = quorum - get.answers.size + this.ctx.config.redundantReads
    const unasked = get.replicas.filter((r) => !get.visited.has(addressKey(r)))
    if (unasked.length === 0 && get.inFlight === 0) return this.#finish(get)
    for (const replica of unasked.slice(0, Math.max(0, want - get.inFlight))) this.#ask(get, replica, null)
  }

  #finish (get: RunningGet): void {
    if (get.finished) return
    get.finished = true
    get.timer?.cancel()
    for (const [xactId, rpc] of this.#rpcs) {
      if (rpc.get !== get) continue
      rpc.timer.cancel()
      rpc.soft?.cancel()
      this.#rpcs.delete(xactId)
    }
    this.ctx.count(get.replicas === null ? 'get-failed' : 'get-done')
    get.done(merge(get.query, [...get.answers.values()], this.ctx.nowUsec()))
  }
}

/** Base-16 digits of a ring distance (0 for the key itself): how far a node still is from the key. */
export function remainingDigits (distance: bigint): number {
  return distance === 0n ? 0 : Math.ceil(distance.toString(2).length / 4)
}

/**
 * Merges replicas' answers: the union in Key order without duplicates, cut where a replica that
 * had more stopped (values past that point may be missing from its view), then at most
 * `maxValues` and ~1 KiB. The placemark is the last value's Key when anything may remain.
 */
export function merge (query: GetQuery, answers: readonly Answer[], nowUsec: bigint): GetResult {
  const byIdentity = new Map<string, Tuple>()
  let bound: Tuple | null = null
  for (const answer of answers) {
    for (const t of answer.values) byIdentity.set(tupleIdentity(t), t)
    const last = answer.values.at(-1)
    if (!answer.allRead && last !== undefined && (bound === null || compareTuples(last, bound) < 0)) bound = last
  }
  let all = [...byIdentity.values()].sort(compareTuples)
  if (query.placemark !== null) all = all.filter((t) => compareTuples(t, query.placemark!) > 0)
  let more = bound !== null
  if (bound !== null) all = all.filter((t) => compareTuples(t, bound) <= 0)
  const out: Tuple[] = []
  let bytes = 0
  for (const t of all) {
    const size = t.data.length + GET_VALUE_OVERHEAD_BYTES
    if (out.length >= (query.maxValues & 0xffff) || (out.length > 0 && bytes + size > MAX_GET_RESP_BYTES)) { more = true; break }
    out.push(t)
    bytes += size
  }
  const last = out.at(-1)
  return {
    values: out.map((t) => ({
      value: t.data, ttlRemainingS: Math.max(0, ttlRemainingS(t, nowUsec)),
      secretHashAlgorithm: hasSecret(t) ? 'SHA' : '', secretHash: hasSecret(t) ? t.secretHash : new Uint8Array(0)
    })),
    placemark: more && last !== undefined ? encodeKey(last, true) : new Uint8Array(0)
  }
}

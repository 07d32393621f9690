/**
 * Vivaldi coordinates on the overlay, over Bamboo's own exchange (Router's sendCoordsAlarm and
 * coordReqHandler): every period the node sends an Rpc$Msg carrying CoordReq{srcId, coords} to
 * the next neighbour of a shuffled leaf-set ∪ routing-table list; the neighbour answers
 * CoordResp{coords}. Each answer is a sample (its measured round trip) for the node's Vivaldi
 * state, and the neighbour's coordinate is cached for a minute for latency estimates. And
 * Bamboo's Vivaldi sampling of random nodes: a LocateNodeMsg routed to a random id (Vivaldi's
 * application id), the root's direct LocateNodeResp (whose ack gives the root a sample), and a
 * ping of the located node (whose ack gives the requester one). Wire messages are Bamboo's;
 * taking the CoordReq round trip itself as a sample is Xest's addition.
 */
import { nodeIdOf } from '../ids/node-id.ts'
import type { NodeAddress } from '../ids/node-address.ts'
import type { NeighborInfo } from '../wire/fields.ts'
import type { RpcMsg } from '../wire/rpc-messages.ts'
import type { LocateNodeMsg, LocateNodeResp } from '../wire/vivaldi-messages.ts'
import { bytesToBigUint } from '../ids/sha1.ts'
import type { OverlayNode } from './overlay-node.ts'
import { VivaldiCoordinate, VivaldiState } from './vivaldi.ts'

const CACHE_TTL_MS = 60_000
const MAX_PENDING = 64
/** `bamboo.vivaldi.Vivaldi`'s application id (first 8 bytes of the SHA-1 of its class name). */
export const VIVALDI_APP = 0x6ac16e0955126b26n
/** Bamboo's default coordinate version (config key `version` unset). */
const VIVALDI_VERSION = -1

export class Coordinates {
  readonly vivaldi: VivaldiState
  readonly #cache = new Map<bigint, { coordinate: VivaldiCoordinate, atMs: number }>()
  readonly #pending = new Map<bigint, { peer: NeighborInfo, sentMs: number }>()
  #order: NeighborInfo[] = []
  #nextXactId = 1n

  constructor (private readonly node: OverlayNode) {
    this.vivaldi = new VivaldiState(node.env.rng.fork('vivaldi'))
    node.registerApp(VIVALDI_APP, { deliver: (_src, _dest, _from, payload) => { if (payload.type === 'LocateNodeMsg') this.#onLocate(payload) } })
  }

  /** Bamboo's sample of a random node: route a LocateNodeMsg to a random id. */
  locateRandomNode (): void {
    const { node } = this
    const message: LocateNodeMsg = {
      type: 'LocateNodeMsg', version: VIVALDI_VERSION, requestor: { type: 'NodeId', address: node.self.address }, coordinate: this.#wire()
    }
    node.route(bytesToBigUint(node.env.rng.bytes(20)), VIVALDI_APP, message)
  }

  /** At the root: answer directly; the answer's ack is a sample of the requester. */
  #onLocate (message: LocateNodeMsg): void {
    const remote = VivaldiCoordinate.fromWire(message.coordinate.values)
    if (message.version !== VIVALDI_VERSION || remote === null) return
    const reply: LocateNodeResp = { type: 'LocateNodeResp', coordinate: this.#wire(), locatedId: { type: 'NodeId', address: this.node.self.address } }
    this.#sampleOnAck(message.requestor.address, reply, remote)
  }

  /** At the requester: ping the located node; the ping's ack is a sample of it. */
  onLocateResp (message: LocateNodeResp): void {
    const remote = VivaldiCoordinate.fromWire(message.coordinate.values)
    if (remote === null) return
    this.#sampleOnAck(message.locatedId.address, { type: 'PingMsg' }, remote)
  }

  #sampleOnAck (target: NodeAddress, message: LocateNodeResp | { type: 'PingMsg' }, remote: VivaldiCoordinate): void {
    const sentMs = this.node.env.clock.nowMs()
    this.node.send(target, message, this.node.config.hopTimeoutMs, (delivered) => {
      if (delivered) this.vivaldi.sample(remote, 0, this.node.env.clock.nowMs() - sentMs)
    })
  }

  #wire (): { type: 'SpecialVC', values: number[] } {
    return { type: 'SpecialVC', values: this.coordinate.toWire() }
  }

  get coordinate (): VivaldiCoordinate {
    return this.vivaldi.coordinate
  }

  /** The cached coordinate of a neighbour, if fresh. */
  coordinateOf (guid: bigint): VivaldiCoordinate | undefined {
    const entry = this.#cache.get(guid)
    if (entry === undefined || this.node.env.clock.nowMs() - entry.atMs > CACHE_TTL_MS) return undefined
    return entry.coordinate
  }

  /** Estimated RTT to a neighbour from coordinates, ms; undefined without its coordinate. */
  estimateRttMs (guid: bigint): number | undefined {
    const remote = this.coordinateOf(guid)
    return remote === undefined ? undefined : this.vivaldi.estimateRttMs(remote)
  }

  /** One exchange with the next neighbour (called by maintenance every period). */
  exchange (): void {
    const { node } = this
    if (this.#order.length === 0) this.#order = shuffled([...node.leafSet.members(), ...node.routingTable.neighbors()], (n) => node.env.rng.int(n))
    const peer = this.#order.pop()
    if (peer === undefined || node.health.possiblyDown.has(peer.guid) || this.#pending.size >= MAX_PENDING) return
    const xactId = this.#nextXactId++
    this.#pending.set(xactId, { peer, sentMs: node.env.clock.nowMs() })
    const request: RpcMsg = { type: 'Rpc$Msg', req: true, xactId, payload: { type: 'CoordReq', srcId: node.self.guid, coords: this.coordinate.toWire() } }
    node.send(peer.address, request, node.config.hopTimeoutMs, (delivered) => { if (!delivered) this.#pending.delete(xactId) })
  }

  onRpc (message: RpcMsg, from: NodeAddress): void {
    const { node } = this
    const payload = message.payload
    if (message.req && payload.type === 'CoordReq') {
      if (payload.srcId !== nodeIdOf(from)) return
      const remote = VivaldiCoordinate.fromWire(payload.coords)
      if (remote !== null) this.#cache.set(payload.srcId, { coordinate: remote, atMs: node.env.clock.nowMs() })
      const reply: RpcMsg = { type: 'Rpc$Msg', req: false, xactId: message.xactId, payload: { type: 'CoordResp', coords: this.coordinate.toWire() } }
      node.send(from, reply, node.config.hopTimeoutMs)
      return
    }
    if (!message.req && payload.type === 'CoordResp') {
      const pending = this.#pending.get(message.xactId)
      if (pending === undefined || nodeIdOf(from) !== pending.peer.guid) return
      this.#pending.delete(message.xactId)
      const remote = VivaldiCoordinate.fromWire(payload.coords)
      if (remote === null) return
      const nowMs = node.env.clock.nowMs()
      this.#cache.set(pending.peer.guid, { coordinate: remote, atMs: nowMs })
      this.vivaldi.sample(remote, 0, nowMs - pending.sentMs)
    }
  }

  /**
   * A neighbour answered a liveness ping: with its cached coordinate, UdpCC's mean RTT to it is
   * one more Vivaldi sample at no extra traffic (Bamboo's Vivaldi likewise samples UdpCC's mean
   * RTT through NetworkLatencyReq).
   */
  sampleNeighbor (guid: bigint, rttMs: number): void {
    const remote = this.coordinateOf(guid)
    if (remote !== undefined) this.vivaldi.sample(remote, 0, rttMs)
  }

  /** Forgets cache entries older than a minute. */
  expire (): void {
    const nowMs = this.node.env.clock.nowMs()
    for (const [guid, entry] of this.#cache) if (nowMs - entry.atMs > CACHE_TTL_MS) this.#cache.delete(guid)
  }
}

function shuffled<T> (items: T[], draw: (n: number) => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = draw(i + 1)
    const t = items[i]!
    items[i] = items[j]!
    items[j] = t
  }
  return items
}

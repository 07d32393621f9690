/**
 * Vivaldi coordinates on the overlay, over Bamboo's own exchange (Router's sendCoordsAlarm and
 * coordReqHandler): every period the node sends an Rpc$Msg carrying CoordReq{srcId, coords} to
 * the next neighbour of a shuffled leaf-set ∪ routing-table list; the neighbour answers
 * CoordResp{coords}. Each answer is a sample (its measured round trip) for the node's Vivaldi
 * state, and the neighbour's coordinate is cached for a minute for latency estimates. Wire
 * messages are Bamboo's; only the timing of the sample (the Rpc round trip, not a separate
 * ping) is Xest's simplification.
 */
import { nodeIdOf } from '../ids/node-id.ts'
import type { NodeAddress } from '../ids/node-address.ts'
import type { NeighborInfo } from '../wire/fields.ts'
import type { RpcMsg } from '../wire/rpc-messages.ts'
import type { OverlayNode } from './overlay-node.ts'
import { VivaldiCoordinate, VivaldiState } from './vivaldi.ts'

const CACHE_TTL_MS = 60_000
const MAX_PENDING = 64

export class Coordinates {
  readonly vivaldi: VivaldiState
  readonly #cache = new Map<bigint, { coordinate: VivaldiCoordinate, atMs: number }>()
  readonly #pending = new Map<bigint, { peer: NeighborInfo, sentMs: number }>()
  #order: NeighborInfo[] = []
  #nextXactId = 1n

  constructor (private readonly node: OverlayNode) {
    this.vivaldi = new VivaldiState(node.env.rng.fork('vivaldi'))
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

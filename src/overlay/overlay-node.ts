/**
 * A Bamboo overlay node: the leaf set, routing table and reverse routing table of one node, kept
 * by the same protocol as Bamboo's Router (bamboo.md §4–7), on an injected environment, so the
 * identical code runs over real UDP and in the simulator. This file holds routing (recursive,
 * with per-hop deadlines and rerouting around failed hops), delivery to applications, lookups,
 * and neighbour membership (ping before adding, possibly-down with a second-chance ping,
 * removal). Joining lives in join.ts, periodic maintenance in maintenance.ts and Vivaldi in
 * coordinates.ts. Never reads real time or randomness except through the environment; never
 * throws on peers' input.
 */
import type { Timer } from '../env/clock.ts'
import type { Env } from '../env/env.ts'
import { sharedPrefixLength } from '../ids/digits.ts'
import { nodeIdOf, type Id } from '../ids/node-id.ts'
import { ringDistance } from '../ids/ring.ts'
import { addressKey, sameAddress, type NodeAddress } from '../ids/node-address.ts'
import { wireSerializer } from '../transport/serializer.ts'
import type { MessageTransport } from '../transport/message-transport.ts'
import { UdpCC, type UdpCCConfig } from '../transport/udpcc.ts'
import type { NeighborInfo } from '../wire/fields.ts'
import type { RouteMsg } from '../wire/router-messages.ts'
import type { WireMessage } from '../wire/wire-message.ts'
import { Coordinates } from './coordinates.ts'
import { Join } from './join.ts'
import { LeafSet } from './leaf-set.ts'
import { Maintenance } from './maintenance.ts'
import { NeighborHealth } from './neighbor-health.ts'
import { DEFAULT_OVERLAY_CONFIG, type OverlayConfig } from './overlay-config.ts'
import { RoutingTable } from './routing-table.ts'

/** An application on top of the router, registered by its 64-bit id. */
export interface OverlayApp {
  /** A message routed to `dest` arrived at its root (this node). */
  deliver?(src: Id, dest: Id, from: NodeAddress, payload: WireMessage): void
  /** Intermediate upcall for messages sent with it: return true to take the message over. */
  forward?(message: RouteMsg, from: NodeAddress): boolean
  /** The leaf set changed (predecessors and successors, closest first). */
  leafSetChanged?(predecessors: NeighborInfo[], successors: NeighborInfo[]): void
}

/** Observations for metrics; never steers the node. */
export interface OverlayObserver {
  /** This node handled a routed message: forwarded it (`delivered` false) or is its root. */
  onRouteStep?(message: { src: Id, dest: Id, appId: bigint, payload: WireMessage }, delivered: boolean): void
  onJoined?(): void
}

/** The node's transport: UdpCC (with this configuration) by default, or a given one. */
export interface OverlayTransportOptions {
  udpcc?: Partial<UdpCCConfig>
  transport?: MessageTransport<WireMessage>
}

export type MessageTypeHandler = (message: WireMessage, from: NodeAddress) => void

export type LookupDone = (owner: NeighborInfo | null) => void

const LOOKUP_APP = 0n
const WAIT_QUEUE_MAX = 1000

export class OverlayNode {
  readonly config: OverlayConfig
  readonly self: NeighborInfo
  /** UdpCC on the environment's port, unless a transport was given (the simulator's message-level one). */
  readonly transport: MessageTransport<WireMessage>
  readonly leafSet: LeafSet
  readonly routingTable: RoutingTable
  readonly reverseRt = new Map<bigint, NeighborInfo>()
  readonly health: NeighborHealth
  readonly join: Join
  readonly maintenance: Maintenance
  readonly coordinates: Coordinates
  initialized = false
  /** When the node joined, ms on its clock (−∞ before). */
  #joinedAtMs = -Infinity
  readonly #apps = new Map<bigint, OverlayApp>()
  readonly #pendingLookups = new Map<bigint, { done: LookupDone[], timer: Timer }>()
  readonly #waiting: Array<{ message: WireMessage, from: NodeAddress }> = []
  readonly #handlers = new Map<string, MessageTypeHandler>()
  #stopped = false

  constructor (readonly env: Env, config: Partial<OverlayConfig> = {}, readonly observer: OverlayObserver = {}, transport: OverlayTransportOptions = {}) {
    this.config = { ...DEFAULT_OVERLAY_CONFIG, ...config }
    this.self = { address: env.port.local, guid: nodeIdOf(env.port.local) }
    this.transport = transport.transport ?? new UdpCC(env, wireSerializer, transport.udpcc)
    this.leafSet = new LeafSet(this.self, this.config.leafSetSizePerSide)
    this.routingTable = new RoutingTable(this.self, this.config.digitBase, this.config.replaceRatio)
    this.health = new NeighborHealth(this.config.downNodesCap)
    this.join = new Join(this)
    this.maintenance = new Maintenance(this)
    this.coordinates = new Coordinates(this)
    this.transport.onMessage((message, source) => this.#onMessage(message, source))
  }

  /** Joins (or starts a ring) and starts maintenance. */
  start (): void {
    this.maintenance.startAlways()
    this.join.start()
  }

  /** Stops every timer and closes the transport; the node forgets nothing it could persist. */
  stop (): void {
    this.#stopped = true
    this.join.stop()
    this.maintenance.stop()
    for (const pending of this.#pendingLookups.values()) pending.timer.cancel()
    this.#pendingLookups.clear()
    this.transport.close()
  }

  get stopped (): boolean {
    return this.#stopped
  }

  registerApp (appId: bigint, app: OverlayApp): void {
    if (this.#apps.has(appId)) throw new Error(`application ${appId.toString(16)} is already registered`)
    this.#apps.set(appId, app)
  }

  /**
   * Hands messages the router does not handle to a layer above (the DHT): by wire type, and
   * Rpc$Msg requests and replies by their payload's type (`rpc:<type>`).
   */
  handle (type: string, handler: MessageTypeHandler): void {
    if (this.#handlers.has(type)) throw new Error(`a handler for ${type} is already registered`)
    this.#handlers.set(type, handler)
  }

  /** Called by join.ts once the node can route. */
  setInitialized (): void {
    if (this.initialized) return
    this.initialized = true
    this.#joinedAtMs = this.env.clock.nowMs()
    this.observer.onJoined?.()
    this.maintenance.startAfterJoin()
    for (const { message, from } of this.#waiting.splice(0)) this.#onMessage(message, from)
  }

  // ---- sending ---------------------------------------------------------------------------

  /** Sends reliably with a deadline; `done(delivered)` reports the UdpCC outcome. */
  send (target: NodeAddress, message: WireMessage, timeoutMs: number, done: ((delivered: boolean) => void) | null = null): void {
    if (this.#stopped) return
    const sent = this.transport.send(target, message, timeoutMs, done)
    if (!sent.ok) {
      this.env.log.log('warn', 'send-refused', { to: addressKey(target), type: message.type, error: sent.error })
      done?.(false)
    }
  }

  // ---- routing ----------------------------------------------------------------------------

  /** Routes `payload` to the root of `dest` for application `appId`. */
  route (dest: Id, appId: bigint, payload: WireMessage, intermediateUpcall = false): void {
    this.#handleRoute({ type: 'RouteMsg', src: this.self.guid, dest, appId, intermediateUpcall, peerGuid: this.self.guid, payload }, this.self.address)
  }

  /** Continues a message an application took over in `forward`. */
  routeContinue (message: RouteMsg, from: NodeAddress): void {
    this.#forward(message, from)
  }

  /**
   * Finds the root of `key`. A routed message can die with a node that acked it, so the lookup
   * is routed again every `config.lookupRetryMs` until answered; `done(null)` after `timeoutMs`.
   */
  lookup (key: Id, done: LookupDone, timeoutMs = 30_000): void {
    const pending = this.#pendingLookups.get(key)
    if (pending !== undefined) { pending.done.push(done); return }
    const deadlineMs = this.env.clock.nowMs() + timeoutMs
    const attempt = (): void => {
      const current = this.#pendingLookups.get(key)
      if (current === undefined || this.#stopped) return
      const leftMs = deadlineMs - this.env.clock.nowMs()
      if (leftMs <= 0) {
        this.#pendingLookups.delete(key)
        for (const callback of current.done) callback(null)
        return
      }
      this.route(key, LOOKUP_APP, { type: 'LookupReqPayload', returnAddress: this.self.address })
      current.timer = this.env.clock.setTimer(Math.min(leftMs, this.config.lookupRetryMs > 0 ? this.config.lookupRetryMs : leftMs), attempt)
    }
    this.#pendingLookups.set(key, { done: [done], timer: { cancel () {} } })
    attempt()
  }

  /**
   * Bamboo's calc_next_hop without a location cache: self means this node is the root. Where the
   * routing-table cell is empty (holes are common under churn), Xest adds Pastry's rare-case
   * rule before falling back to the leaf set: any known neighbour that shares a longer prefix
   * with the key, or as long a prefix and is numerically closer (`config.rareCaseRouting`).
   */
  nextHop (key: Id): NeighborInfo {
    const skip = (n: NeighborInfo): boolean => this.health.possiblyDown.has(n.guid)
    if (this.leafSet.withinLeafSet(key)) return this.leafSet.closestLeaf(key, skip)
    const next = this.routingTable.nextHop(key, skip)
    if (next !== undefined) return next
    const closest = this.leafSet.closestLeaf(key, skip)
    return this.config.rareCaseRouting ? this.#rareCaseHop(key, closest, skip) : closest
  }

  #rareCaseHop (key: Id, fallback: NeighborInfo, skip: (n: NeighborInfo) => boolean): NeighborInfo {
    const base = this.config.digitBase
    let best = fallback
    let bestPrefix = sharedPrefixLength(fallback.guid, key, base)
    let bestDistance = ringDistance(fallback.guid, key)
    for (const candidate of this.routingTable.neighbors()) {
      if (skip(candidate)) continue
      const prefix = sharedPrefixLength(candidate.guid, key, base)
      if (prefix < bestPrefix) continue
      const distance = ringDistance(candidate.guid, key)
      if (prefix > bestPrefix || distance < bestDistance) { best = candidate; bestPrefix = prefix; bestDistance = distance }
    }
    const selfPrefix = sharedPrefixLength(this.self.guid, key, base)
    const progress = bestPrefix > selfPrefix || (bestPrefix === selfPrefix && bestDistance < ringDistance(this.self.guid, key))
    return progress ? best : fallback
  }

  /** Bamboo's est_hops_to_go, for the join's reverse TTL. */
  hopsToGo (key: Id): number {
    const skip = (n: NeighborInfo): boolean => this.health.possiblyDown.has(n.guid)
    if (this.leafSet.withinLeafSet(key)) return this.leafSet.closestLeaf(key, skip).guid === this.self.guid ? 0 : 1
    return this.routingTable.highestLevel() - sharedPrefixLength(this.self.guid, key, this.config.digitBase)
  }

  /** Deadline of one routing hop to `peer`, ms (see OverlayConfig.rerouteRtoMultiple). */
  hopDeadlineMs (peer: NodeAddress): number {
    const { hopTimeoutMs, rerouteRtoMultiple, rerouteMinMs } = this.config
    if (!(rerouteRtoMultiple > 0)) return hopTimeoutMs
    return Math.min(hopTimeoutMs, Math.max(rerouteMinMs, rerouteRtoMultiple * this.transport.rtoMs(peer)))
  }

  isSelf (neighbor: NeighborInfo): boolean {
    return neighbor.guid === this.self.guid && sameAddress(neighbor.address, this.self.address)
  }

  #handleRoute (message: RouteMsg, from: NodeAddress): void {
    const next = this.nextHop(message.dest)
    if (next.guid === this.self.guid) {
      this.observer.onRouteStep?.(message, true)
      this.#deliver(message, from)
      return
    }
    const app = message.intermediateUpcall ? this.#apps.get(message.appId) : undefined
    if (app?.forward !== undefined && app.forward(message, from)) return
    this.#forward(message, from, next)
  }

  /** Sends to `next` (computed afresh when an application continues a message it took over). */
  #forward (message: RouteMsg, from: NodeAddress, next: NeighborInfo = this.nextHop(message.dest)): void {
    if (next.guid === this.self.guid) { this.#handleRoute(message, from); return }
    this.observer.onRouteStep?.(message, false)
    const outbound: RouteMsg = { ...message, peerGuid: this.self.guid }
    this.send(next.address, outbound, this.hopDeadlineMs(next.address), (delivered) => {
      if (delivered) this.messageSucceeded(next)
      else this.messageFailed(next, () => { if (!this.#stopped) this.#handleRoute(message, from) })
    })
  }

  #deliver (message: RouteMsg, from: NodeAddress): void {
    const payload = message.payload
    if (message.appId === LOOKUP_APP) {
      if (payload.type !== 'LookupReqPayload') return
      this.send(payload.returnAddress, { type: 'LookupRespMsg', lookupId: message.dest, ownerId: this.self.guid }, this.config.hopTimeoutMs)
      return
    }
    this.#apps.get(message.appId)?.deliver?.(message.src, message.dest, from, payload)
  }

  #onLookupResp (lookupId: Id, ownerId: Id, from: NodeAddress): void {
    const owner = { address: from, guid: ownerId }
    if (ownerId !== nodeIdOf(from)) return
    this.addToRoutingTable(owner)
    const pending = this.#pendingLookups.get(lookupId)
    if (pending === undefined) return
    this.#pendingLookups.delete(lookupId)
    pending.timer.cancel()
    for (const done of pending.done) done(owner)
  }

  // ---- inbound ---------------------------------------------------------------------------

  #onMessage (message: WireMessage, from: NodeAddress): void {
    if (this.#stopped) return
    if (!this.initialized && (message.type === 'RouteMsg' || message.type === 'JoinReq' || message.type === 'LookupRespMsg')) {
      if (this.#waiting.length < WAIT_QUEUE_MAX) this.#waiting.push({ message, from })
      return
    }
    switch (message.type) {
      case 'PingMsg': return
      case 'RouteMsg': return this.#handleRoute(message, from)
      case 'LookupRespMsg': return this.#onLookupResp(message.lookupId, message.ownerId, from)
      case 'JoinReq': return this.join.onJoinReq(message, from)
      case 'JoinResp': return this.join.onJoinResp(message, from)
      case 'RoutingNeighborAnnounce': return this.#onAnnounce(message.guid, message.add, from)
      case 'Rpc$Msg': {
        const handler = this.#handlers.get(`rpc:${message.payload.type}`)
        return handler === undefined ? this.coordinates.onRpc(message, from) : handler(message, from)
      }
      case 'LocateNodeResp': return this.coordinates.onLocateResp(message)
      default: {
        const handler = this.#handlers.get(message.type)
        if (handler === undefined) this.maintenance.onMessage(message, from)
        else handler(message, from)
      }
    }
  }

  #onAnnounce (guid: Id, add: boolean, from: NodeAddress): void {
    if (guid !== nodeIdOf(from)) return
    if (add) this.reverseRt.set(guid, { address: from, guid })
    else this.reverseRt.delete(guid)
  }

  // ---- membership ------------------------------------------------------------------------

  /** Adds to the leaf set once an RTT is known (pinging first if needed). */
  addToLeafSet (neighbor: NeighborInfo): void {
    if (this.isSelf(neighbor) || this.leafSet.has(neighbor.guid)) return
    if (this.health.rttMs.has(neighbor.guid)) this.#addToLeafSetMeasured(neighbor)
    else this.probe(neighbor)
  }

  /** Adds to the routing table once an RTT is known (pinging first if needed). */
  addToRoutingTable (neighbor: NeighborInfo): void {
    if (this.isSelf(neighbor) || this.routingTable.has(neighbor.guid)) return
    const rttMs = this.health.rttMs.get(neighbor.guid)
    if (rttMs !== undefined) this.#addToRoutingTableMeasured(neighbor, rttMs)
    else this.probe(neighbor)
  }

  /** Pings a candidate to measure its RTT before adding it (Bamboo's send_ping). */
  probe (neighbor: NeighborInfo): void {
    if (this.health.probePings.has(neighbor.guid) || neighbor.guid !== nodeIdOf(neighbor.address)) return
    this.health.probePings.add(neighbor.guid)
    this.send(neighbor.address, { type: 'PingMsg' }, this.config.hopTimeoutMs, (delivered) => {
      this.health.probePings.delete(neighbor.guid)
      if (delivered) this.measured(neighbor)
    })
  }

  /** A message to `neighbor` was acked: its RTT estimate is fresh; offer it to both tables. */
  measured (neighbor: NeighborInfo): void {
    if (this.#stopped) return
    this.messageSucceeded(neighbor)
    const rttMs = this.transport.latencyMeanMs(neighbor.address)
    if (rttMs < 0) return
    this.health.rttMs.set(neighbor.guid, rttMs)
    this.coordinates.sampleNeighbor(neighbor.guid, rttMs)
    this.#addToLeafSetMeasured(neighbor)
    this.#addToRoutingTableMeasured(neighbor, rttMs)
    if (!this.isMonitored(neighbor.guid)) this.health.rttMs.delete(neighbor.guid)
  }

  isMonitored (guid: Id): boolean {
    return this.leafSet.has(guid) || this.routingTable.has(guid) || this.reverseRt.has(guid)
  }

  messageSucceeded (neighbor: NeighborInfo): void {
    this.health.possiblyDown.delete(neighbor.guid)
    this.health.removeDown(neighbor.address)
  }

  /** A message to `neighbor` failed: skip it for now, give it a second-chance ping, retry. */
  messageFailed (neighbor: NeighborInfo, retry: (() => void) | null = null): void {
    if (this.isMonitored(neighbor.guid) && !this.health.possiblyDown.has(neighbor.guid)) {
      this.health.possiblyDown.set(neighbor.guid, neighbor)
      this.send(neighbor.address, { type: 'PingMsg' }, this.config.secondChanceTimeoutMs, (delivered) => {
        if (delivered) this.messageSucceeded(neighbor)
        else this.nodeDown(neighbor)
      })
    }
    retry?.()
  }

  /** The second chance failed: drop the node everywhere and remember it for partition checks. */
  nodeDown (neighbor: NeighborInfo): void {
    this.health.addDown(neighbor.address)
    this.health.possiblyDown.delete(neighbor.guid)
    this.health.rttMs.delete(neighbor.guid)
    const removedLeaf = this.leafSet.remove(neighbor.guid)
    const removedRoute = this.routingTable.remove(neighbor.guid)
    this.reverseRt.delete(neighbor.guid)
    if (removedLeaf || removedRoute) this.env.log.log('info', 'neighbor-down', { node: addressKey(neighbor.address), leafSet: removedLeaf, routingTable: removedRoute })
    if (removedLeaf && this.leafSet.size === 0) {
      for (const entry of this.routingTable.neighbors()) this.#addToLeafSetMeasured(entry)
    }
    if (removedLeaf) this.#leafSetChanged()
  }

  #addToLeafSetMeasured (neighbor: NeighborInfo): void {
    if (this.isSelf(neighbor)) return
    const { added, evicted } = this.leafSet.add(neighbor)
    if (!added) return
    this.env.log.log('info', 'leaf-set-added', { node: addressKey(neighbor.address), evicted: evicted.map((e) => addressKey(e.address)) })
    for (const gone of evicted) if (!this.isMonitored(gone.guid)) this.health.rttMs.delete(gone.guid)
    if (this.env.clock.nowMs() - this.#joinedAtMs < this.config.joinAnnounceMs) {
      this.send(neighbor.address, { type: 'LeafSetChanged', guid: this.self.guid, leafSet: this.leafSet.members(), wantReply: false }, this.config.hopTimeoutMs)
    }
    this.#leafSetChanged()
  }

  #addToRoutingTableMeasured (neighbor: NeighborInfo, rttMs: number): void {
    if (this.isSelf(neighbor)) return
    const { added, replaced } = this.routingTable.add(neighbor, rttMs)
    if (!added) return
    if (replaced !== null) this.send(replaced.address, { type: 'RoutingNeighborAnnounce', guid: this.self.guid, add: false }, this.config.hopTimeoutMs)
    this.send(neighbor.address, { type: 'RoutingNeighborAnnounce', guid: this.self.guid, add: true }, this.config.hopTimeoutMs)
  }

  #leafSetChanged (): void {
    const predecessors = this.leafSet.predecessors()
    const successors = this.leafSet.successors()
    for (const app of this.#apps.values()) app.leafSetChanged?.(predecessors, successors)
  }
}

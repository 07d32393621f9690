/**
 * The overlay's periodic maintenance, with Bamboo's periods and ±50 % jitter (bamboo.md §5):
 * liveness pings to every leaf-set, routing-table and reverse-routing-table neighbour; leaf-set
 * push-pull with a random leaf; local tuning (a routing-table row from a neighbour, weighted
 * toward low levels, with one redundant candidate tried for PNS and greeted); global tuning (a
 * lookup of a random id sharing our prefix up to a weighted level); and the handlers of those
 * messages. A message that stands in for a neighbour's ping counts as one. Sends through the
 * node; owns only its timers.
 */
import type { Timer } from '../env/clock.ts'
import { withDrawnSuffix } from '../ids/digits.ts'
import { ID_SPACE } from '../ids/node-id.ts'
import type { NodeAddress } from '../ids/node-address.ts'
import { nodeIdOf } from '../ids/node-id.ts'
import type { NeighborInfo } from '../wire/fields.ts'
import { ROUTING_TABLE_RESP_MAX, type LeafSetChanged, type RoutingTableResp } from '../wire/router-messages.ts'
import type { WireMessage } from '../wire/wire-message.ts'
import { randomPeriodMs } from './overlay-config.ts'
import type { OverlayNode } from './overlay-node.ts'

export class Maintenance {
  readonly #timers = new Map<string, Timer>()

  constructor (private readonly node: OverlayNode) {}

  /** Tasks that run from the start, joined or not (Bamboo: pings). */
  startAlways (): void {
    this.#every('ping', this.node.config.pingPeriodMs, () => this.#pingNeighbors())
    if (this.node.config.coordinatePeriodMs > 0) {
      this.#every('coordinates', this.node.config.coordinatePeriodMs, () => this.node.coordinates.exchange())
      this.#every('coordinate-expiry', 60_000, () => this.node.coordinates.expire())
    }
  }

  /** Tasks that start once the node has joined. */
  startAfterJoin (): void {
    const { config } = this.node
    this.#every('leaf-set', config.leafSetPeriodMs, () => this.#pushLeafSet())
    if (config.localTuningPeriodMs > 0) this.#every('local-tuning', config.localTuningPeriodMs, () => this.#localTuning())
    if (config.globalTuningPeriodMs > 0) this.#every('global-tuning', config.globalTuningPeriodMs, () => this.#globalTuning())
    // Bamboo's Vivaldi schedules its samples at ping_period ± 20 %.
    if (config.vivaldiSamplePeriodMs > 0) this.#every('vivaldi-sample', config.vivaldiSamplePeriodMs, () => this.node.coordinates.locateRandomNode(), 0.2)
    this.node.join.startPartitionCheck()
  }

  stop (): void {
    for (const timer of this.#timers.values()) timer.cancel()
    this.#timers.clear()
  }

  onMessage (message: WireMessage, from: NodeAddress): void {
    switch (message.type) {
      case 'LeafSetReq': return this.#sendLeafSet(from, false)
      case 'LeafSetChanged': return this.#onLeafSetChanged(message, from)
      case 'RoutingTableReq': return this.#onRoutingTableReq(message.guid, message.level, from)
      case 'RoutingTableResp': return this.#onRoutingTableResp(message, from)
      default:
    }
  }

  /**
   * Sends `message` to `neighbor`; unless a liveness ping to it is already in flight, the
   * message counts as one (success refreshes its RTT, failure starts the second chance).
   */
  sendAsPing (neighbor: NeighborInfo, message: WireMessage): void {
    const { node } = this
    if (node.health.periodicPings.has(neighbor.guid)) {
      node.send(neighbor.address, message, node.config.hopTimeoutMs)
      return
    }
    node.health.periodicPings.add(neighbor.guid)
    node.send(neighbor.address, message, node.config.hopTimeoutMs, (delivered) => {
      node.health.periodicPings.delete(neighbor.guid)
      if (delivered) node.measured(neighbor)
      else node.messageFailed(neighbor)
    })
  }

  /** Runs `task` every `meanMs` with Bamboo's ±50 % jitter, or ±`jitterShare` when given. */
  #every (name: string, meanMs: number, task: () => void, jitterShare?: number): void {
    const { node } = this
    const period = (): number => jitterShare === undefined
      ? this.#period(meanMs)
      : meanMs * (1 + jitterShare * (2 * node.env.rng.float() - 1))
    const fire = (): void => {
      if (node.stopped) return
      task()
      this.#timers.set(name, node.env.clock.setTimer(period(), fire))
    }
    this.#timers.set(name, node.env.clock.setTimer(period(), fire))
  }

  #period (meanMs: number): number {
    return randomPeriodMs(meanMs, (n) => this.node.env.rng.int(n))
  }

  #pingNeighbors (): void {
    const { node } = this
    const everyone = [...node.leafSet.members(), ...node.routingTable.neighbors(), ...node.reverseRt.values()]
    // Xest's saving: a neighbour heard from within half a period has just shown it is alive.
    const heardSinceMs = node.config.skipPingIfHeard ? node.env.clock.nowMs() - node.config.pingPeriodMs / 2 : Infinity
    for (const neighbor of everyone) {
      if (node.health.periodicPings.has(neighbor.guid) || node.health.possiblyDown.has(neighbor.guid)) continue
      if (node.transport.lastReceiveMs(neighbor.address) > heardSinceMs) continue
      this.sendAsPing(neighbor, { type: 'PingMsg' })
    }
  }

  #pushLeafSet (): void {
    const members = this.node.leafSet.members()
    if (members.length === 0) return
    const target = members[this.node.env.rng.int(members.length)]!
    if (this.node.health.possiblyDown.has(target.guid)) return
    this.sendAsPing(target, this.#leafSetMessage(true))
  }

  #leafSetMessage (wantReply: boolean): LeafSetChanged {
    return { type: 'LeafSetChanged', guid: this.node.self.guid, leafSet: this.node.leafSet.members(), wantReply }
  }

  #sendLeafSet (to: NodeAddress, wantReply: boolean): void {
    this.node.send(to, this.#leafSetMessage(wantReply), this.node.config.hopTimeoutMs)
  }

  #onLeafSetChanged (message: LeafSetChanged, from: NodeAddress): void {
    const { node } = this
    if (message.guid !== nodeIdOf(from)) return
    const sender: NeighborInfo = { address: from, guid: message.guid }
    for (const other of message.leafSet) {
      if (other.guid < ID_SPACE && node.leafSet.promising(other)) node.addToLeafSet(other)
    }
    if (node.leafSet.promising(sender)) node.addToLeafSet(sender)
    if (message.wantReply) this.sendAsPing(sender, this.#leafSetMessage(false))
  }

  /** Level i of 0..H chosen with weight H + 1 − i (Bamboo's weighted_random_rt_level). */
  #weightedLevel (): number {
    const highest = this.node.routingTable.highestLevel()
    if (highest < 0) return 0
    const sum = ((highest + 1) * (highest + 2)) / 2
    let draw = this.node.env.rng.int(sum) + 1
    for (let level = 0; level <= highest; level++) {
      draw -= highest + 1 - level
      if (draw <= 0) return level
    }
    return highest
  }

  #localTuning (): void {
    const { node } = this
    if (node.routingTable.size === 0) return
    let level = this.#weightedLevel()
    let row = node.routingTable.row(level)
    while (row.length === 0 && level < node.routingTable.highestLevel()) row = node.routingTable.row(++level)
    if (row.length === 0) return
    const target = row[node.env.rng.int(row.length)]!.neighbor
    if (node.health.possiblyDown.has(target.guid)) return
    this.sendAsPing(target, { type: 'RoutingTableReq', guid: node.self.guid, level })
  }

  #onRoutingTableReq (guid: bigint, level: number, from: NodeAddress): void {
    const { node } = this
    if (!(level >= 0 && level < node.routingTable.levels) || guid !== nodeIdOf(from)) return
    const neighbors = node.routingTable.row(level).map((e) => e.neighbor).slice(0, ROUTING_TABLE_RESP_MAX)
    const resp: RoutingTableResp = { type: 'RoutingTableResp', peerGuid: node.self.guid, neighbors }
    const peer = { address: from, guid }
    if (node.isMonitored(guid)) this.sendAsPing(peer, resp)
    else node.send(from, resp, node.config.hopTimeoutMs)
  }

  #onRoutingTableResp (resp: RoutingTableResp, from: NodeAddress): void {
    const { node } = this
    if (resp.peerGuid !== nodeIdOf(from)) return
    const fresh = resp.neighbors.filter((n) => n.guid < ID_SPACE && !node.isSelf(n) && !node.leafSet.has(n.guid) && !node.routingTable.has(n.guid))
    const redundant: NeighborInfo[] = []
    for (const candidate of fresh) {
      if (node.routingTable.fillsHole(candidate.guid)) node.addToRoutingTable(candidate)
      else redundant.push(candidate)
    }
    if (redundant.length === 0) return
    const chosen = redundant[node.env.rng.int(redundant.length)]!
    node.addToRoutingTable(chosen)
    if (chosen.guid !== resp.peerGuid) {
      this.sendAsPing(chosen, { type: 'RoutingTableResp', peerGuid: node.self.guid, neighbors: [node.self] })
    }
  }

  #globalTuning (): void {
    const { node } = this
    const base = node.config.digitBase
    const level = this.#weightedLevel()
    // Our first `level` digits, then random ones.
    const target = withDrawnSuffix(node.self.guid, level, base, () => node.env.rng.int(base))
    node.route(target, 0n, { type: 'LookupReqPayload', returnAddress: node.self.address })
  }
}

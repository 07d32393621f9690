/**
 * Joining a Bamboo ring (bamboo.md §6): the JoinReq travels toward the joiner's guid,
 * accumulating its path; the node `rev_ttl` hops short of the root (or the root) answers with the
 * path and its leaf set; the joiner adds them, becomes initialized and starts maintenance.
 * Retries rotate over the gateways with a doubling period (10 s up to 60 s) and a growing reverse
 * TTL. Also the partition check: a JoinReq to a recently failed node, which merges rings after a
 * partition heals, and OpenDHT's immediate_join. Owns no sockets or clocks of its own.
 */
import type { Timer } from '../env/clock.ts'
import { addressKey, sameAddress, type NodeAddress } from '../ids/node-address.ts'
import { nodeIdOf } from '../ids/node-id.ts'
import type { NeighborInfo } from '../wire/fields.ts'
import type { JoinReq, JoinResp } from '../wire/router-messages.ts'
import { randomPeriodMs } from './overlay-config.ts'
import type { OverlayNode } from './overlay-node.ts'

export class Join {
  readonly #gateways: NodeAddress[]
  #retryTimer: Timer | null = null
  #partitionTimer: Timer | null = null
  #tries = 0

  constructor (private readonly node: OverlayNode) {
    this.#gateways = node.config.gateways.filter((g) => !sameAddress(g, node.self.address))
  }

  start (): void {
    const { node } = this
    if (this.#gateways.length === 0 || node.config.immediateJoin) {
      for (const gateway of this.#gateways) node.health.addDown(gateway)
      node.env.log.log('info', 'joined', { gateway: addressKey(node.self.address), ring: 'new' })
      node.setInitialized()
      return
    }
    this.#sendJoin(0)
    this.#scheduleRetry(node.config.joinRetryMs, 0)
  }

  stop (): void {
    this.#retryTimer?.cancel()
    this.#partitionTimer?.cancel()
  }

  /** Starts the partition check (immediately with immediate_join, as Bamboo). */
  startPartitionCheck (): void {
    const { config } = this.node
    if (config.partitionCheckPeriodMs <= 0) return
    const firstMs = config.immediateJoin ? 0 : this.#period(config.partitionCheckPeriodMs)
    this.#partitionTimer = this.node.env.clock.setTimer(firstMs, () => this.#partitionCheck())
  }

  onJoinReq (req: JoinReq, from: NodeAddress): void {
    const { node } = this
    if (req.guid !== nodeIdOf(req.node)) return
    if (req.path.some((hop) => hop.guid === node.self.guid)) {
      node.env.log.log('warn', 'join-loop', { joiner: addressKey(req.node) })
      return
    }
    const joiner: NeighborInfo = { address: req.node, guid: req.guid }
    const next = node.nextHop(req.guid)
    if (node.hopsToGo(req.guid) === req.revTtl || next.guid === node.self.guid || sameAddress(next.address, req.node)) {
      const resp: JoinResp = { type: 'JoinResp', path: [...req.path, node.self], leafSet: node.leafSet.members() }
      node.send(req.node, resp, node.config.hopTimeoutMs)
      node.addToRoutingTable(joiner)
      node.addToLeafSet(joiner)
      return
    }
    const forwarded: JoinReq = { ...req, path: [...req.path, node.self] }
    node.send(next.address, forwarded, node.hopDeadlineMs(next.address), (delivered) => {
      if (delivered) node.messageSucceeded(next)
      else node.messageFailed(next, () => { if (!node.stopped) this.onJoinReq(req, from) })
    })
  }

  onJoinResp (resp: JoinResp, from: NodeAddress): void {
    const { node } = this
    const root = resp.path[resp.path.length - 1]
    if (root === undefined || !sameAddress(root.address, from) || root.guid !== nodeIdOf(from)) {
      node.env.log.log('warn', 'join-resp-mismatch', { from: addressKey(from) })
      return
    }
    node.addToRoutingTable(root)
    node.addToLeafSet(root)
    const wasInitialized = node.initialized
    for (const member of resp.leafSet) {
      if (sameAddress(member.address, node.self.address)) continue
      node.addToLeafSet(member)
      if (!wasInitialized) node.addToRoutingTable(member)
    }
    if (wasInitialized) return
    this.#retryTimer?.cancel()
    node.env.log.log('info', 'joined', { gateway: addressKey(resp.path[0]!.address), hops: resp.path.length })
    node.setInitialized()
    for (const hop of resp.path) node.addToRoutingTable(hop)
    // Xest's addition (Pastry's join): the i-th node of the path shares at least i digits with
    // us, so its row i seeds ours; Bamboo leaves the rows to periodic tuning.
    if (node.config.joinRowRequests) {
      resp.path.forEach((hop, level) => {
        if (level < node.routingTable.levels && !node.isSelf(hop)) node.send(hop.address, { type: 'RoutingTableReq', guid: node.self.guid, level }, node.config.hopTimeoutMs)
      })
    }
  }

  #sendJoin (revTtl: number): void {
    const gateway = this.#gateways.shift()!
    this.#gateways.push(gateway)
    const { node } = this
    node.env.log.log('info', 'join-try', { gateway: addressKey(gateway), tries: this.#tries, revTtl })
    node.send(gateway, { type: 'JoinReq', node: node.self.address, guid: node.self.guid, revTtl, path: [] }, node.config.hopTimeoutMs)
  }

  #scheduleRetry (periodMs: number, revTtl: number): void {
    this.#retryTimer = this.node.env.clock.setTimer(this.#period(periodMs), () => {
      if (this.node.initialized || this.node.stopped) return
      this.#tries++
      const nextRevTtl = revTtl + 1
      const nextPeriodMs = periodMs >= 30_000 ? this.node.config.joinRetryMaxMs : periodMs * 2
      this.#sendJoin(Math.floor(nextRevTtl / Math.max(3, this.#gateways.length)))
      this.#scheduleRetry(nextPeriodMs, nextRevTtl)
    })
  }

  #partitionCheck (): void {
    const { node } = this
    if (node.stopped) return
    const down = node.health.downNodes()
    if (down.length > 0) {
      const target = down[node.env.rng.int(down.length)]!
      const req: JoinReq = { type: 'JoinReq', node: node.self.address, guid: node.self.guid, revTtl: 0, path: [] }
      node.send(target, req, node.config.partitionJoinTimeoutMs, (delivered) => {
        if (delivered) node.health.removeDown(target)
      })
    }
    this.#partitionTimer = node.env.clock.setTimer(this.#period(node.config.partitionCheckPeriodMs), () => this.#partitionCheck())
  }

  #period (meanMs: number): number {
    return randomPeriodMs(meanMs, (n) => this.node.env.rng.int(n))
  }
}

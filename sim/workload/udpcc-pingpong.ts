/**
 * The UdpCC ping-pong workload: every node runs the real UdpCC over its simulated port and sends
 * reliable pings to peers (a fixed partner or a random node each time); each ping is answered
 * with a reliable pong. It measures the application round trip of every ping against the
 * network's propagation round trip, and sums UdpCC's counters (retransmissions, timeouts,
 * acks). Observes through the sink it is given; never steers the network.
 */
import type { Timer } from '../../src/env/clock.ts'
import type { NodeAddress } from '../../src/ids/node-address.ts'
import { bytesSerializer } from '../../src/transport/serializer.ts'
import { UdpCC, type UdpCCConfig } from '../../src/transport/udpcc.ts'
import { emptyStats, type UdpCCStats } from '../../src/transport/udpcc-stats.ts'
import type { NodeContext, SimNodeApp, World } from '../world.ts'

export interface PingPongOptions {
  /** Pings each node sends. @default 20 */
  pingsPerNode: number
  /** Mean gap between one node's pings, ms; each gap is uniform in [mean/2, 3·mean/2). @default 1000 */
  intervalMs: number
  /** Bytes of each ping and pong (≥ 5). @default 64 */
  payloadBytes: number
  /** 'fixed': node i pings node i+1; 'random': a uniformly random other node each time. @default 'random' */
  peers: 'fixed' | 'random'
  /** UdpCC deadline of each ping and pong, ms. @default 30000 */
  timeoutMs: number
  /** UdpCC settings. @default Bamboo's */
  udpcc: Partial<UdpCCConfig>
}

export const DEFAULT_PING_PONG: PingPongOptions = {
  pingsPerNode: 20, intervalMs: 1000, payloadBytes: 64, peers: 'random', timeoutMs: 30_000, udpcc: {}
}

/** Where measurements go (SimMetrics satisfies it). */
export interface PingPongSink {
  /** One completed ping: application round trip and the propagation round trip, both µs. */
  recordRoundTrip (source: number, target: number, rttUs: number, propagationRttUs: number): void
}

const PING = 1
const PONG = 2

export class PingPongWorkload {
  readonly options: PingPongOptions
  pingsSent = 0
  pongsReceived = 0
  /** Pings with no pong within twice the UdpCC deadline. */
  lostPings = 0
  /** Pings and pongs UdpCC reported undelivered at their deadline. */
  failedSends = 0
  /** UdpCC counters summed over every node incarnation that has stopped or crashed, plus live ones. */
  readonly #nodes = new Map<number, PingPongNode>()
  readonly #retired: UdpCCStats[] = []

  constructor (private readonly world: World, private readonly sink: PingPongSink, options: Partial<PingPongOptions> = {}) {
    this.options = { ...DEFAULT_PING_PONG, ...options }
    if (!(this.options.payloadBytes >= 5)) throw new RangeError(`payloadBytes ${this.options.payloadBytes} must be ≥ 5`)
  }

  /** The node factory to pass to `world.addNode`. */
  readonly factory = (context: NodeContext): SimNodeApp => {
    const previous = this.#nodes.get(context.node)
    if (previous !== undefined) this.#retired.push(previous.udpcc.stats)
    const node = new PingPongNode(this, context)
    this.#nodes.set(context.node, node)
    return node
  }

  /** Every ping of every node answered or given up (assumes no churn: a crashed node's pings never resolve). */
  done (): boolean {
    return this.pongsReceived + this.lostPings >= this.world.nodeCount * this.options.pingsPerNode && this.#allPingsSent()
  }

  node (index: number): PingPongNode | undefined {
    return this.#nodes.get(index)
  }

  /** UdpCC counters summed over all nodes. */
  udpccTotals (): UdpCCStats {
    const total = emptyStats()
    const add = (stats: UdpCCStats): void => {
      for (const [key, value] of Object.entries(stats)) {
        if (typeof value === 'number') (total as unknown as Record<string, number>)[key]! += value
      }
    }
    for (const stats of this.#retired) add(stats)
    for (const node of this.#nodes.values()) add(node.udpcc.stats)
    return total
  }

  /** @internal */
  pickPeer (self: number, draw: (n: number) => number): number {
    const count = this.world.nodeCount
    if (this.options.peers === 'fixed') return (self + 1) % count
    const other = draw(count - 1)
    return other >= self ? other + 1 : other
  }

  /** @internal */
  addressOf (node: number): NodeAddress {
    return this.world.address(node)
  }

  /** @internal */
  nodeAt (address: NodeAddress): number | undefined {
    return this.world.nodeAt(address)
  }

  /** @internal */
  get nowUs (): number {
    return this.world.nowUs
  }

  /** @internal */
  roundTrip (source: number, target: number, rttUs: number): void {
    this.pongsReceived++
    const propagationUs = this.world.network.oneWayUs(source, target) + this.world.network.oneWayUs(target, source)
    this.sink.recordRoundTrip(source, target, rttUs, propagationUs)
  }

  #allPingsSent (): boolean {
    for (const node of this.#nodes.values()) if (node.pingsLeft > 0) return false
    return this.#nodes.size === this.world.nodeCount
  }
}

export class PingPongNode implements SimNodeApp {
  readonly udpcc: UdpCC<Uint8Array>
  pingsLeft: number
  readonly #pending = new Map<number, { target: number, atUs: number, expiry: Timer }>()
  #nextSeq = 0
  #stopped = false

  constructor (private readonly workload: PingPongWorkload, private readonly context: NodeContext) {
    const { env } = context
    this.udpcc = new UdpCC<Uint8Array>({ clock: env.clock, port: env.port, log: env.log }, bytesSerializer, workload.options.udpcc)
    this.udpcc.onMessage((message, source) => this.#onMessage(message, source))
    this.pingsLeft = workload.options.pingsPerNode
    this.#scheduleNext()
  }

  stop (): void {
    this.#stopped = true
    this.udpcc.close()
  }

  #scheduleNext (): void {
    if (this.pingsLeft === 0 || this.#stopped) return
    const { intervalMs } = this.workload.options
    this.context.env.clock.setTimer(intervalMs / 2 + this.context.env.rng.float() * intervalMs, () => this.#ping())
  }

  #ping (): void {
    if (this.#stopped) return
    this.pingsLeft--
    const target = this.workload.pickPeer(this.context.node, (n) => this.context.env.rng.int(n))
    const seq = this.#nextSeq++
    const expiry = this.context.env.clock.setTimer(2 * this.workload.options.timeoutMs, () => {
      if (this.#pending.delete(seq)) this.workload.lostPings++
    })
    this.#pending.set(seq, { target, atUs: this.workload.nowUs, expiry })
    this.workload.pingsSent++
    this.#send(target, PING, seq)
    this.#scheduleNext()
  }

  #send (target: number, kind: number, seq: number): void {
    const message = new Uint8Array(this.workload.options.payloadBytes)
    message[0] = kind
    new DataView(message.buffer).setUint32(1, seq)
    const sent = this.udpcc.send(this.workload.addressOf(target), message, this.workload.options.timeoutMs, (delivered) => {
      if (!delivered) this.workload.failedSends++
    })
    if (!sent.ok) this.workload.failedSends++
  }

  #onMessage (message: Uint8Array, source: NodeAddress): void {
    if (message.length < 5) return
    const seq = new DataView(message.buffer, message.byteOffset).getUint32(1)
    if (message[0] === PING) {
      const from = this.workload.nodeAt(source)
      if (from !== undefined) this.#send(from, PONG, seq)
      return
    }
    const sent = this.#pending.get(seq)
    if (message[0] !== PONG || sent === undefined) return
    this.#pending.delete(seq)
    sent.expiry.cancel()
    this.workload.roundTrip(this.context.node, sent.target, this.workload.nowUs - sent.atUs)
  }
}

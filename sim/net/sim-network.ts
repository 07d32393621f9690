/**
 * The simulated wide-area datagram network. Each simulated node attaches a port at an address
 * and a host of the network model. A datagram is copied on send, checked against the maximum
 * datagram size, judged by the ordered fault rules, serialized on the sender's uplink, carried
 * for the model's one-way delay (or the small same-site delay when the model says 0), queued on
 * the receiver's downlink, and delivered as an event owned by the receiving node, so crashing
 * that node drops whatever is in flight to it. Every drop is counted with its reason; nothing
 * is thrown for network reasons. Randomness comes only from the Rng given to the rules.
 * It also carries opaque message-level packets (`carryPacket`) the same way, for the simulator's
 * message-level transport; those arrive as world events, so a sender learns of a dead target.
 */
import type { DatagramPort, DatagramReceiver } from '../../src/env/datagram-port.ts'
import type { Rng } from '../../src/env/rng.ts'
import { addressKey, type NodeAddress } from '../../src/ids/node-address.ts'
import { WORLD_OWNER, type EventQueue } from '../event-queue.ts'
import { AccessLink } from './access-link.ts'
import { classifyDatagram } from './classify-datagram.ts'
import type { NetworkModel } from './network-model.ts'
import { CompiledRule, type NetworkRule } from './rules.ts'

export interface SimNetworkOptions {
  /** One-way delay between nodes whose model hosts are the same or 0 ms apart, µs. @default 250 */
  sameSiteLatencyUs: number
  /** Larger datagrams are dropped and counted (UDP over IPv4 allows ~64 KiB; Bamboo 16 KiB). @default 16384 */
  maxDatagramBytes: number
  /** Default uplink rate of every node, bits/s; Infinity = no serialization delay. @default Infinity */
  uplinkBitsPerSecond: number
  /** Default downlink rate of every node, bits/s. @default Infinity */
  downlinkBitsPerSecond: number
  /** Drop-tail limit of each access link's queue, as waiting time, µs. @default 1_000_000 */
  queueLimitUs: number
  /** Bytes of IP + UDP header counted on the links per datagram. @default 28 */
  headerOverheadBytes: number
  /** Fault rules, first verdict wins. @default [] */
  rules: NetworkRule[]
}

export const DEFAULT_SIM_NETWORK_OPTIONS: SimNetworkOptions = {
  sameSiteLatencyUs: 250,
  maxDatagramBytes: 16 * 1024,
  uplinkBitsPerSecond: Infinity,
  downlinkBitsPerSecond: Infinity,
  queueLimitUs: 1_000_000,
  headerOverheadBytes: 28,
  rules: []
}

/** Sees every datagram's fate (metrics); observations never feed back into the network. */
export interface NetworkObserver {
  recordSend (sourceNode: number, type: string, bytes: number): void
  recordDelivery (targetNode: number, type: string, bytes: number): void
  recordDrop (reason: string, type: string, bytes: number): void
}

/** Takes a carried packet at its target; false when it cannot (counted as a 'closed' drop). */
export type PacketReceiver = (source: NodeAddress, packet: unknown) => boolean

/** Told of each carried packet lost (dropped on the way, or its target gone). */
export interface PacketLoss {
  packetLost (packet: object): void
}

/** One datagram or packet on its way: everything its arrival needs. */
interface Flight {
  readonly to: Attachment
  readonly source: NodeAddress
  readonly type: string
  readonly sizeBytes: number
  readonly wireBytes: number
  /** Its serialization time on the target's downlink, µs. */
  readonly downUs: number
  readonly owner: number
  /** A datagram's bytes, or null for a packet. */
  readonly payload: Uint8Array | null
  readonly packet: object | null
  readonly loss: PacketLoss | null
}

export interface SimNetworkStats {
  sent: number
  delivered: number
  dropped: number
  dropsByReason: Map<string, number>
}

interface Attachment {
  readonly node: number
  /** addressKey of the open port's address, or '' when closed. */
  key: string
  readonly host: number
  readonly uplink: AccessLink
  readonly downlink: AccessLink
  port: SimPort | null
  packetReceiver: PacketReceiver | null
}

export class SimNetwork {
  readonly options: SimNetworkOptions
  readonly stats: SimNetworkStats = { sent: 0, delivered: 0, dropped: 0, dropsByReason: new Map() }
  readonly #nodes: Attachment[] = []
  readonly #byAddress = new Map<string, Attachment>()
  /** Attachment by address object (senders reuse them), checked against #byAddress on use. */
  readonly #byAddressObject = new WeakMap<NodeAddress, Attachment>()
  readonly #rules: CompiledRule[] = []
  #observer: NetworkObserver | null = null

  constructor (
    private readonly queue: EventQueue,
    readonly model: NetworkModel,
    private readonly rng: Rng,
    options: Partial<SimNetworkOptions> = {}
  ) {
    this.options = { ...DEFAULT_SIM_NETWORK_OPTIONS, ...options, rules: [] }
    for (const rule of options.rules ?? []) this.addRule(rule)
  }

  get rules (): NetworkRule[] {
    return this.#rules.map((r) => r.rule)
  }

  observe (observer: NetworkObserver | null): void {
    this.#observer = observer
  }

  /** Appends a rule (checked; RangeError on bad values). Each rule gets its own forked Rng. */
  addRule (rule: NetworkRule, rng: Rng = this.rng.fork(`rule:${this.#rules.length}:${rule.kind}`)): void {
    this.#rules.push(new CompiledRule(rule, rng))
    this.options.rules.push(rule)
  }

  /** Registers node `node` on model host `host`; it is unreachable until `open`. */
  addNode (node: number, host: number): void {
    if (node !== this.#nodes.length) throw new Error(`nodes must be added in order: got ${node}, expected ${this.#nodes.length}`)
    if (!(Number.isInteger(host) && host >= 0 && host < this.model.hostCount)) {
      throw new RangeError(`host ${host} is not in the model (${this.model.hostCount} hosts)`)
    }
    const rate = (bitsPerSecond: number) => new AccessLink({ bitsPerSecond, queueLimitUs: this.options.queueLimitUs })
    this.#nodes.push({ node, key: '', host, uplink: rate(this.options.uplinkBitsPerSecond), downlink: rate(this.options.downlinkBitsPerSecond), port: null, packetReceiver: null })
  }

  get nodeCount (): number {
    return this.#nodes.length
  }

  hostOf (node: number): number {
    return this.#attachment(node).host
  }

  /** Sets one node's access-link rates, bits/s. */
  setLinkRates (node: number, uplinkBitsPerSecond: number, downlinkBitsPerSecond: number): void {
    const a = this.#attachment(node)
    a.uplink.setRate({ bitsPerSecond: uplinkBitsPerSecond, queueLimitUs: this.options.queueLimitUs })
    a.downlink.setRate({ bitsPerSecond: downlinkBitsPerSecond, queueLimitUs: this.options.queueLimitUs })
  }

  /** Propagation delay between two nodes, µs: the model's, or the same-site delay when 0. */
  oneWayUs (sourceNode: number, targetNode: number): number {
    const modelUs = this.model.oneWayUs(this.#attachment(sourceNode).host, this.#attachment(targetNode).host)
    return modelUs > 0 ? modelUs : this.options.sameSiteLatencyUs
  }

  /** Opens node `node`'s port at `address` (an address may be held by one open port at a time). */
  open (node: number, address: NodeAddress): DatagramPort {
    const a = this.#attachment(node)
    if (a.port !== null) throw new Error(`node ${node} already has an open port`)
    const key = addressKey(address)
    if (this.#byAddress.has(key)) throw new Error(`address ${key} is already in use`)
    const port = new SimPort(this, a.node, address)
    a.port = port
    a.key = key
    this.#byAddress.set(key, a)
    return port
  }

  /** Closes node `node`'s port and forgets its queued link traffic (stop or crash). */
  close (node: number): void {
    const a = this.#attachment(node)
    if (a.port === null) return
    this.#byAddress.delete(a.key)
    a.key = ''
    a.port.markClosed()
    a.port = null
    a.packetReceiver = null
    a.uplink.reset()
    a.downlink.reset()
  }

  /** @internal Called by SimPort.send. */
  transmit (sourceNode: number, target: NodeAddress, bytes: Uint8Array): void {
    const observer = this.#observer
    const type = observer === null ? '' : classifyDatagram(bytes)
    this.#carry(sourceNode, target, bytes.length, type, false, bytes.slice(), null, null)
  }

  /**
   * Installs node `node`'s receiver of carried packets (until its port closes). The node's port
   * must be open.
   */
  setPacketReceiver (node: number, receive: PacketReceiver): void {
    const a = this.#attachment(node)
    if (a.port === null) throw new Error(`node ${node} has no open port`)
    a.packetReceiver = receive
  }

  /** Whether `receive` is still node `node`'s packet receiver (false once its port closed). */
  hasPacketReceiver (node: number, receive: PacketReceiver): boolean {
    return this.#nodes[node]?.packetReceiver === receive
  }

  /**
   * Carries an opaque packet of `sizeBytes` from node `sourceNode` to `target` exactly as a
   * datagram of that size (rules, links, delay, accounting under `type`). Its arrival is a world
   * event: the target's packet receiver takes it, or it is dropped as 'closed'. When it is lost,
   * at once or at arrival, `loss.packetLost(packet)` runs. Returns the arrival time, µs, or −1
   * when dropped at once.
   */
  carryPacket (sourceNode: number, target: NodeAddress, sizeBytes: number, type: string, packet: object, loss: PacketLoss): number {
    return this.#carry(sourceNode, target, sizeBytes, type, true, null, packet, loss)
  }

  /** Carries a datagram (`payload`) or a packet; one record per flight, no closures. */
  #carry (
    sourceNode: number, target: NodeAddress, sizeBytes: number, type: string, worldOwned: boolean,
    payload: Uint8Array | null, packet: object | null, loss: PacketLoss | null
  ): number {
    this.stats.sent++
    const to = this.#route(target)
    this.#observer?.recordSend(sourceNode, type, sizeBytes)
    if (sizeBytes > this.options.maxDatagramBytes) return this.#lose('oversize', type, sizeBytes, packet, loss)
    if (to === undefined) return this.#lose('unroutable', type, sizeBytes, packet, loss)
    const nowUs = this.queue.nowUs
    let extraUs = 0
    if (this.#rules.length > 0) {
      const facts = { nowUs, sourceNode, targetNode: to.node, sizeBytes }
      for (const rule of this.#rules) {
        const verdict = rule.judge(facts)
        if (verdict === undefined) continue
        if (verdict.kind === 'drop') return this.#lose(verdict.reason, type, sizeBytes, packet, loss)
        if (verdict.kind === 'delay') extraUs = verdict.extraUs
        break
      }
    }
    const from = this.#attachment(sourceNode)
    const wireBytes = sizeBytes + this.options.headerOverheadBytes
    const sentUs = from.uplink.transmit(nowUs, wireBytes)
    if (sentUs < 0) return this.#lose('uplink-queue', type, sizeBytes, packet, loss)
    const source = from.port?.local ?? null
    if (source === null) return this.#lose('closed', type, sizeBytes, packet, loss)
    const arrivalUs = sentUs + this.oneWayUs(sourceNode, to.node) + extraUs
    const owner = worldOwned ? WORLD_OWNER : to.node
    // One event when the downlink is idle: it runs when the last bit would be through the
    // downlink, and only a queued datagram (the link busy when it reached it) waits for a second.
    const downUs = to.downlink.serializeUs(wireBytes)
    const flight: Flight = { to, source, type, sizeBytes, wireBytes, downUs, owner, payload, packet, loss }
    this.queue.postWith(arrivalUs + downUs, owner, this.#land, flight)
    return arrivalUs
  }

  /** A flight reached its target's downlink, or would be through it had the link been idle. */
  readonly #land = (f: Flight): void => {
    if (f.downUs === 0) { this.#arrive(f); return }
    const nowUs = this.queue.nowUs
    const doneUs = f.to.downlink.transmit(nowUs - f.downUs, f.wireBytes)
    if (doneUs < 0) { this.#lose('downlink-queue', f.type, f.sizeBytes, f.packet, f.loss); return }
    if (doneUs <= nowUs) this.#arrive(f)
    else this.queue.postWith(doneUs, f.owner, this.#arrive, f)
  }

  /** A flight reached its target's attachment: handed over, or dropped as 'closed'. */
  readonly #arrive = (f: Flight): void => {
    const to = f.to
    let taken: boolean
    if (f.payload !== null) {
      const port = to.port
      taken = port !== null && port.deliver(f.source, f.payload)
    } else {
      const receive = to.packetReceiver
      taken = receive !== null && receive(f.source, f.packet!)
    }
    if (!taken) { this.#lose('closed', f.type, f.sizeBytes, f.packet, f.loss); return }
    this.stats.delivered++
    this.#observer?.recordDelivery(to.node, f.type, f.sizeBytes)
  }

  /** Drops a datagram or packet, at once or on the way, telling its sender; returns −1. */
  #lose (reason: string, type: string, sizeBytes: number, packet: object | null, loss: PacketLoss | null): number {
    this.#drop(reason, type, sizeBytes)
    if (loss !== null) loss.packetLost(packet!)
    return -1
  }

  #route (target: NodeAddress): Attachment | undefined {
    const cached = this.#byAddressObject.get(target)
    if (cached !== undefined && cached.key !== '' && this.#byAddress.get(cached.key) === cached) return cached
    const found = this.#byAddress.get(addressKey(target))
    if (found !== undefined) this.#byAddressObject.set(target, found)
    return found
  }

  #drop (reason: string, type: string, bytes: number): void {
    this.stats.dropped++
    this.stats.dropsByReason.set(reason, (this.stats.dropsByReason.get(reason) ?? 0) + 1)
    this.#observer?.recordDrop(reason, type, bytes)
  }

  #attachment (node: number): Attachment {
    const a = this.#nodes[node]
    if (a === undefined) throw new RangeError(`unknown node ${node}`)
    return a
  }
}

/** A node's datagram port on the simulated network. */
class SimPort implements DatagramPort {
  #receive: DatagramReceiver | null = null
  #closed = false

  constructor (private readonly network: SimNetwork, private readonly node: number, readonly local: NodeAddress) {}

  send (target: NodeAddress, bytes: Uint8Array): void {
    if (!this.#closed) this.network.transmit(this.node, target, bytes)
  }

  setReceiver (receive: DatagramReceiver): void {
    this.#receive = receive
  }

  close (): void {
    if (!this.#closed) this.network.close(this.node)
  }

  markClosed (): void {
    this.#closed = true
  }

  deliver (source: NodeAddress, bytes: Uint8Array): boolean {
    if (this.#closed || this.#receive === null) return false
    this.#receive(source, bytes)
    return true
  }
}

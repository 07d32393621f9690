/**
 * The simulator's message-level transport, the way Bamboo's own simulator carries messages
 * (`bamboo.sim.Network`): a reliable send is one packet over the simulated network (same rules,
 * links, delays and traffic accounting as a datagram of UdpCC's size for it) and one ack packet
 * back; the message is encoded at send, for its size and to refuse what UdpCC would refuse, and
 * decoded afresh at the target, so nodes never share message objects. With `shareMessages` the
 * message is only sized (the same encoders, counting; the same refusals) and the target is handed
 * the sender's object itself: for large studies whose messages are never mutated after sending
 * (tests check both modes give identical studies). A lost packet or ack is
 * retransmitted at the peer's RTO (Bamboo's estimator, doubled per loss) until the deadline, and
 * a target that got the message already is not handed it twice.
 *
 * What it leaves out, on purpose: UdpCC's congestion window, piggybacked acks, spurious
 * retransmissions and the HMAC; an ack arriving after the deadline fails the send then rather
 * than at the deadline (no deadline timer is set while an attempt is in flight). It is faster and
 * leaner than UdpCC over the simulated datagram network, for runs of thousands of nodes; UdpCC
 * remains the transport for studies of the transport itself. Never throws for network reasons.
 */
import type { Clock, Timer } from '../../src/env/clock.ts'
import type { DatagramPort } from '../../src/env/datagram-port.ts'
import { addressKey, type NodeAddress } from '../../src/ids/node-address.ts'
import type { MessageTransport } from '../../src/transport/message-transport.ts'
import { DEFAULT_RTT_CONFIG, RttEstimator, type RttConfig } from '../../src/transport/rtt-estimator.ts'
import type { Serializer } from '../../src/transport/serializer.ts'
import type { MessageHandler, SendResult } from '../../src/transport/udpcc-config.ts'
import { DATA_HEADER_BYTES, MAX_DATAGRAM_BYTES, PURE_ACK_BYTES } from '../../src/wire/datagram.ts'
import type { PacketLoss, PacketReceiver, SimNetwork } from './sim-network.ts'

export interface SimMessageTransportOptions<T> {
  /** Names a message for traffic-by-type metrics (as the datagram classifier would). */
  typeName: (message: T) => string
  /** Largest message, header included, as UdpCC's limit. @default 16384 */
  maxDatagramBytes: number
  /** A peer unused this long is forgotten with its RTT estimate, ms. @default 300000 */
  idleConnectionMs: number
  rtt: RttConfig
  /** Hand the target the sent object (sized, never encoded or decoded). @default false */
  shareMessages: boolean
}

export interface SimMessageTransportStats {
  sent: number
  acked: number
  failed: number
  retransmissions: number
  duplicates: number
  undecodable: number
}

interface Peer {
  readonly rtt: RttEstimator
  lastReceiveMs: number
  lastUseMs: number
  /** Forgotten (idle or closed): the next send to this address makes a new one. */
  removed: boolean
}

/** A message on its way; it is itself the packet carried (acks are `AckPacket`s). */
interface Outgoing<T> {
  readonly ack: false
  readonly owner: SimMessageTransport<T>
  readonly target: NodeAddress
  /** The encoded message, or null when the message object itself is handed over. */
  readonly body: Uint8Array | null
  readonly message: T | null
  readonly sizeBytes: number
  readonly type: string
  readonly peer: Peer
  readonly deadlineMs: number
  readonly done: ((delivered: boolean) => void) | null
  attempt: number
  sendMs: number
  delivered: boolean
  finished: boolean
  timer: Timer | null
}

interface AckPacket<T> { readonly ack: true, readonly outgoing: Outgoing<T> }

type Packet<T> = Outgoing<T> | AckPacket<T>

/** What every send returns: nothing reads the token of a simulated send. */
const SENT: SendResult = Object.freeze({ ok: true, token: 0n }) as SendResult

export class SimMessageTransport<T> implements MessageTransport<T>, PacketLoss {
  readonly stats: SimMessageTransportStats = { sent: 0, acked: 0, failed: 0, retransmissions: 0, duplicates: 0, undecodable: 0 }
  readonly #options: SimMessageTransportOptions<T>
  readonly #peers = new Map<string, Peer>()
  #byAddressObject = new WeakMap<NodeAddress, Peer>()
  readonly #receive: PacketReceiver
  #handler: MessageHandler<T> | null = null
  #lastSweepMs: number
  #closed = false

  constructor (
    private readonly network: SimNetwork,
    private readonly node: number,
    private readonly env: { clock: Clock, port: DatagramPort },
    private readonly serializer: Serializer<T>,
    options: Partial<SimMessageTransportOptions<T>> & Pick<SimMessageTransportOptions<T>, 'typeName'>
  ) {
    this.#options = { maxDatagramBytes: MAX_DATAGRAM_BYTES, idleConnectionMs: 300_000, rtt: DEFAULT_RTT_CONFIG, shareMessages: false, ...options }
    this.#lastSweepMs = env.clock.nowMs()
    this.#receive = (source, packet) => this.#onPacket(source, packet as Packet<T>)
    network.setPacketReceiver(node, this.#receive)
  }

  get local (): NodeAddress {
    return this.env.port.local
  }

  onMessage (handler: MessageHandler<T>): void {
    this.#handler = handler
  }

  send (target: NodeAddress, message: T, timeoutMs: number, done: ((delivered: boolean) => void) | null = null): SendResult {
    if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, not ${timeoutMs}`)
    if (this.#closed) return { ok: false, error: { kind: 'closed' } }
    const share = this.#options.shareMessages
    const body = share ? null : this.serializer.encode(message)
    const sizeBytes = (body === null ? this.serializer.sizeBytes(message) : body.length) + DATA_HEADER_BYTES
    if (sizeBytes > this.#options.maxDatagramBytes) return { ok: false, error: { kind: 'too-large', sizeBytes, maxBytes: this.#options.maxDatagramBytes } }
    const nowMs = this.env.clock.nowMs()
    const peer = this.#peer(target, nowMs)
    const outgoing: Outgoing<T> = {
      ack: false, owner: this, target, body, message: share ? message : null, sizeBytes, type: this.#options.typeName(message), peer, deadlineMs: nowMs + timeoutMs, done,
      attempt: 0, sendMs: nowMs, delivered: false, finished: false, timer: null
    }
    this.stats.sent++
    this.#transmit(outgoing)
    return SENT
  }

  latencyMeanMs (peer: NodeAddress): number {
    return this.#known(peer)?.rtt.srttMs ?? -1
  }

  rtoMs (peer: NodeAddress): number {
    return this.#known(peer)?.rtt.rtoMs ?? this.#options.rtt.maxRtoMs
  }

  lastReceiveMs (peer: NodeAddress): number {
    return this.#known(peer)?.lastReceiveMs ?? 0
  }

  /** The remembered peer at `address`, if any (by the address object first: no key text made). */
  #known (address: NodeAddress): Peer | undefined {
    const cached = this.#byAddressObject.get(address)
    if (cached !== undefined && !cached.removed) return cached
    return this.#peers.get(addressKey(address))
  }

  /** Peers currently remembered. */
  get peerCount (): number {
    return this.#peers.size
  }

  close (): void {
    if (this.#closed) return
    this.#closed = true
    for (const peer of this.#peers.values()) peer.removed = true
    this.#peers.clear()
    this.#byAddressObject = new WeakMap()
    this.env.port.close()
  }

  /** Whether this transport still runs: not closed, and its node's port not closed by a crash. */
  get #alive (): boolean {
    return !this.#closed && this.network.hasPacketReceiver(this.node, this.#receive)
  }

  #transmit (outgoing: Outgoing<T>): void {
    outgoing.sendMs = this.env.clock.nowMs()
    outgoing.peer.lastUseMs = outgoing.sendMs
    this.network.carryPacket(this.node, outgoing.target, outgoing.sizeBytes, outgoing.type, outgoing, this)
  }

  /** A packet this node sent was lost: the message's sender hears of it (an ack's sender is the target). */
  packetLost (packet: object): void {
    const p = packet as Packet<T>
    const outgoing = p.ack ? p.outgoing : p
    outgoing.owner.#lost(outgoing)
  }

  /** An attempt or its ack was lost: retransmit at the RTO, or fail at the deadline. */
  #lost (outgoing: Outgoing<T>): void {
    if (outgoing.finished || !this.#alive) return
    const rto = outgoing.peer.rtt
    const retryMs = outgoing.sendMs + rto.rtoMs
    rto.backOff()
    const nowMs = this.env.clock.nowMs()
    if (retryMs >= outgoing.deadlineMs) {
      outgoing.timer = this.env.clock.setTimer(Math.max(0, outgoing.deadlineMs - nowMs), () => this.#fail(outgoing))
      return
    }
    outgoing.timer = this.env.clock.setTimer(Math.max(0, retryMs - nowMs), () => {
      outgoing.timer = null
      if (outgoing.finished) return
      outgoing.attempt++
      this.stats.retransmissions++
      this.#transmit(outgoing)
    })
  }

  #fail (outgoing: Outgoing<T>): void {
    if (outgoing.finished) return
    outgoing.finished = true
    this.stats.failed++
    outgoing.done?.(false)
  }

  #onPacket (source: NodeAddress, packet: Packet<T>): boolean {
    if (this.#closed) return false
    if (packet.ack) {
      if (packet.outgoing.owner !== this) return true
      this.#onAck(packet.outgoing)
      return true
    }
    const outgoing = packet
    const ack: AckPacket<T> = { ack: true, outgoing }
    this.network.carryPacket(this.node, source, PURE_ACK_BYTES, 'ack', ack, this)
    if (outgoing.delivered) {
      this.stats.duplicates++
      return true
    }
    outgoing.delivered = true
    let message = outgoing.message
    if (outgoing.body !== null) {
      const decoded = this.serializer.decode(outgoing.body)
      if (!decoded.ok) {
        this.stats.undecodable++
        return true
      }
      message = decoded.value
    }
    this.#handler?.(message as T, source, { tries: outgoing.attempt, waitMs: 0, estRttMs: outgoing.peer.rtt.srttMs })
    return true
  }

  #onAck (outgoing: Outgoing<T>): void {
    if (outgoing.finished) return
    outgoing.finished = true
    outgoing.timer?.cancel()
    const nowMs = this.env.clock.nowMs()
    const peer = outgoing.peer
    peer.lastReceiveMs = nowMs
    peer.lastUseMs = nowMs
    peer.rtt.addSample(Math.floor(nowMs) - Math.floor(outgoing.sendMs))
    if (nowMs > outgoing.deadlineMs) {
      this.stats.failed++
      outgoing.done?.(false)
      return
    }
    this.stats.acked++
    outgoing.done?.(true)
  }

  #peer (address: NodeAddress, nowMs: number): Peer {
    const cached = this.#byAddressObject.get(address)
    if (cached !== undefined && !cached.removed) return cached
    const key = addressKey(address)
    let peer = this.#peers.get(key)
    if (peer === undefined) {
      this.#forgetIdle(nowMs)
      peer = { rtt: new RttEstimator(this.#options.rtt), lastReceiveMs: nowMs, lastUseMs: nowMs, removed: false }
      this.#peers.set(key, peer)
    }
    this.#byAddressObject.set(address, peer)
    return peer
  }

  /** Drops peers idle for `idleConnectionMs`, at most once per that period (lazily, no timer). */
  #forgetIdle (nowMs: number): void {
    const idleMs = this.#options.idleConnectionMs
    if (nowMs - this.#lastSweepMs < idleMs) return
    this.#lastSweepMs = nowMs
    for (const [key, peer] of this.#peers) {
      if (nowMs - peer.lastUseMs < idleMs) continue
      peer.removed = true
      this.#peers.delete(key)
    }
  }
}

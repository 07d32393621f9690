/**
 * UdpCC: Bamboo's "TCP-friendly datagram layer" (`lss/UdpCC.java`), speaking its exact framing.
 * Reliable sends are numbered seq = msg_id << 8 | attempt, retransmitted at the peer's RTO until
 * acked or the message's deadline passes (then `done(false)`); every reliable datagram is acked,
 * before decoding, so undecodable ones are acked too; acks ride on the next data datagram to that
 * peer or go alone as 12-byte pure acks; duplicates are suppressed; a congestion window limits
 * what is in flight per peer; optional HMAC-SHA1 authenticates every datagram.
 *
 * It runs on an injected clock and datagram port, so the simulator drives the same code. It never
 * throws for anything a peer sends: malformed input is counted in `stats` and dropped.
 */
import type { Clock } from '../env/clock.ts'
import type { DatagramPort } from '../env/datagram-port.ts'
import { silentLogger, type Logger } from '../env/logger.ts'
import { addressKey, type NodeAddress } from '../ids/node-address.ts'
import {
  DATA_HEADER_BYTES, MAC_BYTES, encodeData, encodePureAck, makeSeq, parseDatagram,
  seqAttempt, seqMsgId, type DataHeader, type DropReason
} from '../wire/datagram.ts'
import { DuplicateFilter } from './duplicate-filter.ts'
import { Fifo } from './fifo.ts'
import { DEFAULT_RTT_CONFIG, type RttConfig } from './rtt-estimator.ts'
import { PeerConnection, type Outgoing } from './peer-connection.ts'
import type { MessageTransport } from './message-transport.ts'
import type { Serializer } from './serializer.ts'
import { emptyStats, type UdpCCStats } from './udpcc-stats.ts'
import { DEFAULT_UDPCC_CONFIG, type MessageHandler, type ReceiveInfo, type SendError, type SendResult, type UdpCCConfig } from './udpcc-config.ts'

export { DEFAULT_UDPCC_CONFIG, type MessageHandler, type ReceiveInfo, type SendError, type SendResult, type UdpCCConfig }

const MAX_ATTEMPT = 0x7f
const MAX_MSG_ID = (1n << 55n) - 1n

export class UdpCC<T> implements MessageTransport<T> {
  readonly config: UdpCCConfig
  readonly stats: UdpCCStats = emptyStats()
  readonly #clock: Clock
  readonly #port: DatagramPort
  readonly #log: Logger
  readonly #serializer: Serializer<T>
  readonly #connections = new Map<string, PeerConnection>()
  /** Connection by address object: callers and ports reuse address objects, so most lookups skip building the key. */
  #byAddressObject = new WeakMap<NodeAddress, PeerConnection>()
  readonly #unacked = new Map<bigint, Outgoing>()
  /** Unfinished reliable messages by msg id. */
  readonly #outstanding = new Map<bigint, Outgoing>()
  #lastMacWarningMs = -Infinity
  #lastSweepMs = -Infinity
  readonly #secondChance = new Map<bigint, Outgoing>()
  readonly #secondChanceOrder: Array<{ seq: bigint, atMs: number }> = []
  readonly #duplicates: DuplicateFilter
  readonly #rttConfig: RttConfig
  readonly #roundRobin = new Fifo<PeerConnection>()
  #handler: MessageHandler<T> | null = null
  #nextMsgId: bigint
  #flushPending = false
  #closed = false

  constructor (env: { clock: Clock, port: DatagramPort, log?: Logger }, serializer: Serializer<T>, config: Partial<UdpCCConfig> = {}) {
    this.config = { ...DEFAULT_UDPCC_CONFIG, ...config }
    if (this.config.macKey !== null && this.config.macKey.length !== MAC_BYTES) throw new Error('MAC key must be 20 bytes')
    this.#clock = env.clock
    this.#port = env.port
    this.#log = env.log ?? silentLogger
    this.#serializer = serializer
    this.#rttConfig = { ...DEFAULT_RTT_CONFIG, maxRtoMs: this.config.maxRtoMs }
    this.#duplicates = new DuplicateFilter({ capacity: this.config.duplicateWindow, retentionMs: this.config.duplicateRetentionMs })
    this.#nextMsgId = BigInt(Math.floor(this.#clock.nowMs())) >> 8n
    this.#port.setReceiver((source, bytes) => this.#onDatagram(source, bytes))
  }

  get local (): NodeAddress {
    return this.#port.local
  }

  onMessage (handler: MessageHandler<T>): void {
    this.#handler = handler
  }

  /**
   * Sends `message` reliably; `done(true)` once acked, `done(false)` once `timeoutMs` passes
   * without an ack. Returns a token for `cancelSend`, or an error (too large, closed).
   */
  send (target: NodeAddress, message: T, timeoutMs: number, done: ((delivered: boolean) => void) | null = null): SendResult {
    if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, not ${timeoutMs}`)
    const checked = this.#encodeChecked(message)
    if (!checked.ok) return checked
    const nowMs = this.#clock.nowMs()
    const connection = this.#connection(target, nowMs)
    const msgId = this.#takeMsgId()
    const outgoing: Outgoing = {
      connection, body: checked.body, msgId, startMs: nowMs, timeoutMs, done, attempt: 0, sendMs: 0,
      cutWindow: true, timer: null, deadlineTimer: null, finished: false
    }
    outgoing.deadlineTimer = this.#clock.setTimer(timeoutMs, () => this.#onDeadline(outgoing))
    connection.sendQueue.push(outgoing)
    this.#outstanding.set(msgId, outgoing)
    this.#markWritable(connection)
    return { ok: true, token: msgId }
  }

  /** Sends once with seq −1: no ack, no retransmission, outside the congestion window. */
  sendUnreliable (target: NodeAddress, message: T): SendResult {
    const checked = this.#encodeChecked(message)
    if (!checked.ok) return checked
    const connection = this.#connection(target, this.#clock.nowMs())
    connection.probeQueue.push(checked.body)
    this.#markWritable(connection)
    return { ok: true, token: -1n }
  }

  /** Stops a send: it is not (re)transmitted again and its callback is never called. */
  cancelSend (token: bigint): void {
    const outgoing = this.#outstanding.get(token)
    if (outgoing !== undefined) this.#finish(outgoing)
  }

  /** Smoothed RTT to `peer` in ms, −1 when unknown (Bamboo's `latency_mean`). */
  /** Peers currently remembered (see `idleConnectionMs`). */
  get connectionCount (): number {
    return this.#connections.size
  }

  latencyMeanMs (peer: NodeAddress): number {
    return this.#connections.get(addressKey(peer))?.rtt.srttMs ?? -1
  }

  rtoMs (peer: NodeAddress): number {
    return this.#connections.get(addressKey(peer))?.rtt.rtoMs ?? this.config.maxRtoMs
  }

  congestionWindow (peer: NodeAddress): number {
    return this.#connections.get(addressKey(peer))?.window.cwnd ?? 1
  }

  /** Last time an ack came from `peer`, ms; 0 when never in contact. */
  lastReceiveMs (peer: NodeAddress): number {
    return this.#connections.get(addressKey(peer))?.lastReceiveMs ?? 0
  }

  /** Messages queued or in flight, to `peer` or to everyone. */
  queuedMessages (peer?: NodeAddress): number {
    if (peer !== undefined) return this.#connections.get(addressKey(peer))?.queuedMessages() ?? 0
    let total = 0
    for (const connection of this.#connections.values()) total += connection.queuedMessages()
    return total
  }

  /** Stops everything: timers cancelled, port closed, pending callbacks never called. */
  close (): void {
    if (this.#closed) return
    this.#closed = true
    for (const outgoing of this.#unacked.values()) outgoing.timer?.cancel()
    for (const outgoing of this.#outstanding.values()) outgoing.deadlineTimer?.cancel()
    this.#unacked.clear()
    this.#outstanding.clear()
    this.#connections.clear()
    this.#byAddressObject = new WeakMap()
    this.#port.close()
  }

  #encodeChecked (message: T): { ok: true, body: Uint8Array } | { ok: false, error: SendError } {
    if (this.#closed) return { ok: false, error: { kind: 'closed' } }
    const body = this.#serializer.encode(message)
    const sizeBytes = DATA_HEADER_BYTES + body.length + (this.config.macKey === null ? 0 : MAC_BYTES)
    if (sizeBytes > this.config.maxDatagramBytes) {
      this.stats.oversizeRefused++
      return { ok: false, error: { kind: 'too-large', sizeBytes, maxBytes: this.config.maxDatagramBytes } }
    }
    return { ok: true, body }
  }

  #takeMsgId (): bigint {
    this.#nextMsgId = this.#nextMsgId >= MAX_MSG_ID ? 0n : this.#nextMsgId + 1n
    return this.#nextMsgId
  }

  #connection (address: NodeAddress, nowMs: number): PeerConnection {
    const cached = this.#byAddressObject.get(address)
    if (cached !== undefined && !cached.removed) return cached
    const key = addressKey(address)
    let connection = this.#connections.get(key)
    if (connection === undefined) {
      if (nowMs - this.#lastSweepMs >= this.config.idleConnectionMs / 2) this.#forgetIdle(nowMs)
      connection = new PeerConnection(address, key, nowMs, this.#rttConfig)
      this.#connections.set(key, connection)
    }
    this.#byAddressObject.set(address, connection)
    return connection
  }

  /** Forgets peers idle for `idleConnectionMs`; run lazily when new peers appear (no timer). */
  #forgetIdle (nowMs: number): void {
    this.#lastSweepMs = nowMs
    const sinceMs = nowMs - this.config.idleConnectionMs
    for (const [key, connection] of this.#connections) {
      if (!connection.idleSince(sinceMs)) continue
      connection.removed = true
      this.#connections.delete(key)
    }
  }

  // ---- receiving -------------------------------------------------------------------------

  #onDatagram (source: NodeAddress, bytes: Uint8Array): void {
    if (this.#closed) return
    this.stats.receivedDatagrams++
    this.stats.receivedBytes += bytes.length
    const parsed = parseDatagram(bytes, this.config.macKey)
    if (!parsed.ok) {
      this.#countDrop(parsed.reason, source)
      return
    }
    const datagram = parsed.datagram
    if (datagram.kind === 'ack') {
      this.stats.receivedPureAcks++
      this.#onAck(datagram.seq)
      return
    }
    this.#onData(source, datagram.header, datagram.body)
  }

  /** Counts a dropped datagram; MAC failures are also logged, at most once a minute (a peer with the wrong key cannot join, and the operator should see why). */
  #countDrop (reason: DropReason, source: NodeAddress): void {
    this.stats.dropped[reason]++
    if (reason !== 'unauthenticated' && reason !== 'bad-mac') return
    const nowMs = this.#clock.nowMs()
    if (nowMs - this.#lastMacWarningMs < 60_000) return
    this.#lastMacWarningMs = nowMs
    this.#log.log('warn', 'datagram-dropped', { reason, from: addressKey(source), unauthenticated: this.stats.dropped.unauthenticated, badMac: this.stats.dropped['bad-mac'] })
  }

  #onData (source: NodeAddress, header: DataHeader, body: Uint8Array): void {
    if (header.ack !== -1n) this.#onAck(header.ack)
    if (this.#closed) return
    const connection = this.#connection(source, this.#clock.nowMs())
    const reliable = header.seq !== -1n
    if (reliable) {
      connection.ackQueue.push(header.seq)
      this.#markWritable(connection)
      if (this.#duplicates.seen(connection.key, seqMsgId(header.seq), this.#clock.nowMs())) {
        this.stats.duplicates++
        return
      }
    }
    const decoded = this.#serializer.decode(body)
    if (!decoded.ok) {
      this.stats.decodeErrors++
      this.#log.log('debug', 'udpcc.decode-error', { source: connection.key, error: decoded.error })
      return
    }
    this.stats.delivered++
    const info: ReceiveInfo = { tries: reliable ? seqAttempt(header.seq) : -1, waitMs: header.waitMs, estRttMs: header.estRttMs }
    this.#handler?.(decoded.value, source, info)
  }

  #onAck (seq: bigint): void {
    const nowMs = this.#clock.nowMs()
    const outgoing = this.#unacked.get(seq)
    if (outgoing === undefined) {
      const late = this.#secondChance.get(seq)
      if (late === undefined) { this.stats.unexpectedAcks++; return }
      this.#secondChance.delete(seq)
      this.stats.lateAcks++
      late.connection.lastReceiveMs = nowMs
      late.connection.rtt.addSample(Math.floor(nowMs) - Math.floor(late.sendMs))
      return
    }
    this.#unacked.delete(seq)
    outgoing.timer?.cancel()
    const connection = outgoing.connection
    connection.lastReceiveMs = nowMs
    connection.rtt.addSample(Math.floor(nowMs) - Math.floor(outgoing.sendMs))
    connection.window.onAck()
    connection.inFlight.delete(seq)
    connection.consecutiveTimeouts = 0
    this.#markWritable(connection)
    if (outgoing.finished) { this.stats.lateAcks++; return }
    this.stats.acked++
    this.#finish(outgoing)
    outgoing.done?.(true)
  }

  /** Marks a message finished: no more sends, timers stopped, forgotten. */
  #finish (outgoing: Outgoing): void {
    outgoing.finished = true
    outgoing.deadlineTimer?.cancel()
    this.#outstanding.delete(outgoing.msgId)
  }

  #onDeadline (outgoing: Outgoing): void {
    if (this.#closed || outgoing.finished) return
    this.#finish(outgoing)
    this.stats.failed++
    outgoing.done?.(false)
  }

  // ---- timeouts --------------------------------------------------------------------------

  #onTimeout (seq: bigint): void {
    if (this.#closed) return
    const outgoing = this.#unacked.get(seq)
    if (outgoing === undefined) return
    this.#unacked.delete(seq)
    const nowMs = this.#clock.nowMs()
    const connection = outgoing.connection
    this.#secondChance.set(seq, outgoing)
    this.#secondChanceOrder.push({ seq, atMs: nowMs })
    this.stats.timeouts++
    if (outgoing.cutWindow) {
      connection.consecutiveTimeouts++
      connection.rtt.backOff()
      connection.window.onTimeout()
      for (const other of connection.inFlight.values()) other.cutWindow = false
    }
    connection.inFlight.delete(seq)
    if (!outgoing.finished) {
      if (outgoing.attempt < MAX_ATTEMPT) {
        connection.retryQueue.push(outgoing)
      } else {
        this.#finish(outgoing)
        this.stats.failed++
        outgoing.done?.(false)
      }
    }
    this.#markWritable(connection)
    this.#forgetSecondChances(nowMs)
  }

  #forgetSecondChances (nowMs: number): void {
    const order = this.#secondChanceOrder
    let drop = 0
    while (drop < order.length && order[drop]!.atMs + this.config.secondChanceMs < nowMs) {
      this.#secondChance.delete(order[drop]!.seq)
      drop++
    }
    if (drop > 0) order.splice(0, drop)
  }

  // ---- sending ---------------------------------------------------------------------------

  #markWritable (connection: PeerConnection): void {
    if (!connection.inRoundRobin && connection.writable()) {
      connection.inRoundRobin = true
      this.#roundRobin.push(connection)
    }
    if (!this.#flushPending && this.#roundRobin.length > 0) {
      this.#flushPending = true
      this.#clock.setTimer(0, () => this.#flush())
    }
  }

  /** Serves writable peers in turn, one datagram per peer per turn, as Bamboo's `handle_writable`. */
  #flush (): void {
    this.#flushPending = false
    if (this.#closed) return
    let budget = this.config.sendsPerFlush
    while (this.#roundRobin.length > 0 && budget > 0) {
      const connection = this.#roundRobin.shift()!
      connection.inRoundRobin = false
      if (this.#sendOne(connection)) budget--
      if (connection.writable()) {
        connection.inRoundRobin = true
        this.#roundRobin.push(connection)
      }
    }
    if (this.#roundRobin.length > 0) {
      this.#flushPending = true
      this.#clock.setTimer(0, () => this.#flush())
    }
  }

  /** Puts one datagram for `connection` on the wire; false if there was nothing to send. */
  #sendOne (connection: PeerConnection): boolean {
    const hasData = connection.canSendReliable() || connection.probeQueue.length > 0
    if (!hasData) {
      const seq = connection.ackQueue.shift()
      if (seq === undefined) return false
      this.#transmit(connection, encodePureAck(seq, this.config.macKey))
      this.stats.sentPureAcks++
      return true
    }
    for (let tries = 0; tries < 2; tries++) {
      const useReliable = connection.nextQueue === 0
      connection.nextQueue = (connection.nextQueue + 1) % 2
      if (useReliable && connection.canSendReliable()) {
        if (this.#sendReliable(connection)) return true
      } else if (!useReliable && connection.probeQueue.length > 0) {
        this.#sendProbe(connection)
        return true
      }
    }
    return false
  }

  #sendReliable (connection: PeerConnection): boolean {
    connection.pruneQueues()
    const retry = connection.retryQueue.length > 0
    const outgoing = (retry ? connection.retryQueue : connection.sendQueue).shift()
    if (outgoing === undefined) return false
    const nowMs = this.#clock.nowMs()
    outgoing.attempt++
    const seq = makeSeq(outgoing.msgId, outgoing.attempt)
    const header: DataHeader = {
      ack: connection.ackQueue.shift() ?? -1n,
      seq,
      waitMs: Math.floor(nowMs - outgoing.startMs),
      estRttMs: connection.rtt.srttMs
    }
    this.#transmit(connection, encodeData(header, outgoing.body, this.config.macKey))
    if (retry) this.stats.retransmissions++
    else this.stats.sentMessages++
    outgoing.sendMs = nowMs
    outgoing.cutWindow = true
    connection.lastSendMs = nowMs
    this.#unacked.set(seq, outgoing)
    connection.inFlight.set(seq, outgoing)
    const rtoTimerMs = Math.round(connection.rtt.rtoMs * this.config.timeoutFactor + this.config.timeoutDiffMs)
    outgoing.timer = this.#clock.setTimer(rtoTimerMs, () => this.#onTimeout(seq))
    return true
  }

  #sendProbe (connection: PeerConnection): void {
    const body = connection.probeQueue.shift()!
    const header: DataHeader = { ack: connection.ackQueue.shift() ?? -1n, seq: -1n, waitMs: 0, estRttMs: connection.rtt.srttMs }
    this.#transmit(connection, encodeData(header, body, this.config.macKey))
    this.stats.sentUnreliable++
  }

  #transmit (connection: PeerConnection, datagram: Uint8Array): void {
    this.stats.sentDatagrams++
    this.stats.sentBytes += datagram.length
    this.#port.send(connection.address, datagram)
  }
}

/**
 * What UdpCC keeps per peer (Bamboo's `UdpCC.Connection`): the RTT estimator, the congestion
 * window, the messages in flight, and four queues served in turn — retransmissions, new
 * reliable messages, unreliable ("probe") messages, and acks owed to the peer. Pure state.
 */
import type { NodeAddress } from '../ids/node-address.ts'
import type { Timer } from '../env/clock.ts'
import { CongestionWindow } from './congestion-window.ts'
import { Fifo } from './fifo.ts'
import { RttEstimator, type RttConfig } from './rtt-estimator.ts'

/** One reliable message from `send` until it is acked, fails or is cancelled. */
export interface Outgoing {
  readonly connection: PeerConnection
  /** The encoded message (type code + fields), without the UdpCC header. */
  readonly body: Uint8Array
  readonly msgId: bigint
  /** When `send` was called, ms. */
  readonly startMs: number
  /** Deadline relative to `startMs`, ms. */
  readonly timeoutMs: number
  readonly done: ((delivered: boolean) => void) | null
  /** Attempts made so far (1..127 on the wire). */
  attempt: number
  /** When the current attempt was put on the wire, ms. */
  sendMs: number
  /** Whether a timeout of this attempt may still cut the window (once per window). */
  cutWindow: boolean
  /** The retransmission timer of the current attempt. */
  timer: Timer | null
  /** Fires at startMs + timeoutMs and reports failure unless acked first. */
  deadlineTimer: Timer | null
  /** Acked, failed or cancelled: no further sends, no further callback. */
  finished: boolean
}

export class PeerConnection {
  readonly rtt: RttEstimator
  readonly window = new CongestionWindow()
  /** Unacked attempts by seq. */
  readonly inFlight = new Map<bigint, Outgoing>()
  readonly retryQueue = new Fifo<Outgoing>()
  readonly sendQueue = new Fifo<Outgoing>()
  readonly probeQueue = new Fifo<Uint8Array>()
  readonly ackQueue = new Fifo<bigint>()
  /** Alternates between reliable (0) and unreliable (1) sends, as Bamboo's `next_q`. */
  nextQueue = 0
  consecutiveTimeouts = 0
  /** Last time we sent to / heard an ack from this peer, ms (start time until then). */
  lastSendMs: number
  lastReceiveMs: number
  inRoundRobin = false
  /** Forgotten by its UdpCC (idle too long); a new connection replaces it on the next use. */
  removed = false

  constructor (readonly address: NodeAddress, readonly key: string, nowMs: number, rttConfig: RttConfig) {
    this.rtt = new RttEstimator(rttConfig)
    this.lastSendMs = nowMs
    this.lastReceiveMs = nowMs
  }

  canSendReliable (): boolean {
    return (this.retryQueue.length > 0 || this.sendQueue.length > 0) && this.inFlight.size < this.window.limit
  }

  /** Drops finished messages from the front of the queues (they are removed lazily). */
  pruneQueues (): void {
    while (this.retryQueue.peek()?.finished === true) this.retryQueue.shift()
    while (this.sendQueue.peek()?.finished === true) this.sendQueue.shift()
  }

  /** Something to put on the wire now: an ack, a probe, or a reliable message the window allows. */
  writable (): boolean {
    return this.ackQueue.length > 0 || this.probeQueue.length > 0 || this.canSendReliable()
  }

  /** Nothing queued, in flight or owed, and no traffic either way since `sinceMs`. */
  idleSince (sinceMs: number): boolean {
    return this.queuedMessages() === 0 && this.ackQueue.length === 0 && !this.inRoundRobin &&
      this.lastSendMs < sinceMs && this.lastReceiveMs < sinceMs
  }

  queuedMessages (): number {
    return this.retryQueue.length + this.sendQueue.length + this.probeQueue.length + this.inFlight.size
  }
}

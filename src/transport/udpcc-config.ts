/**
 * UdpCC's configuration (with Bamboo's defaults) and the types of its API: what a receiver
 * learns with each message and what a send returns.
 */
import type { NodeAddress } from '../ids/node-address.ts'
import { MAX_DATAGRAM_BYTES } from '../wire/datagram.ts'
import { DEFAULT_RTT_CONFIG } from './rtt-estimator.ts'

export interface UdpCCConfig {
  /** 20-byte HMAC-SHA1 key; when set, unauthenticated datagrams are dropped. @default null */
  macKey: Uint8Array | null
  /** Largest datagram, header and MAC included. @default 16384 (Bamboo's MAX_MSG_SIZE) */
  maxDatagramBytes: number
  /** RTO cap and initial RTO. @default 5000 */
  maxRtoMs: number
  /** Retransmission timer = RTO × timeoutFactor + timeoutDiffMs (Bamboo's tunables). @default 1, 0 */
  timeoutFactor: number
  timeoutDiffMs: number
  /** (source, msg_id) pairs always remembered for duplicate suppression. @default 1000 (Bamboo) */
  duplicateWindow: number
  /** Pairs younger than this are remembered even beyond `duplicateWindow`, ms. @default 120000 */
  duplicateRetentionMs: number
  /** How long a timed-out attempt's late ack still yields an RTT sample. @default 60000 */
  secondChanceMs: number
  /** Datagrams sent per turn of the event loop before yielding. @default 256 */
  sendsPerFlush: number
  /**
   * A peer with nothing queued or in flight and no traffic either way for this long is forgotten
   * (its RTT estimate with it), so a node that talks to thousands of peers over time — an
   * overlay's lookups reach random roots — keeps memory for recent ones only. ms. @default 300000
   */
  idleConnectionMs: number
}

export const DEFAULT_UDPCC_CONFIG: UdpCCConfig = {
  macKey: null,
  maxDatagramBytes: MAX_DATAGRAM_BYTES,
  maxRtoMs: DEFAULT_RTT_CONFIG.maxRtoMs,
  timeoutFactor: 1,
  timeoutDiffMs: 0,
  duplicateWindow: 1000,
  duplicateRetentionMs: 120_000,
  secondChanceMs: 60_000,
  sendsPerFlush: 256,
  idleConnectionMs: 300_000
}

/** What the receiver learns besides the message (Bamboo's `Sink.recv` arguments). */
export interface ReceiveInfo {
  /** Attempt number of this copy, or −1 for an unreliable datagram. */
  readonly tries: number
  /** Time the message waited in the sender's queue, ms (−1 unknown). */
  readonly waitMs: number
  /** The sender's smoothed RTT to us, ms (−1 unknown). */
  readonly estRttMs: number
}

export type MessageHandler<T> = (message: T, source: NodeAddress, info: ReceiveInfo) => void

export type SendError = { readonly kind: 'too-large', readonly sizeBytes: number, readonly maxBytes: number } | { readonly kind: 'closed' }
export type SendResult = { readonly ok: true, readonly token: bigint } | { readonly ok: false, readonly error: SendError }


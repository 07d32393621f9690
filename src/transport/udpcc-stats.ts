/**
 * UdpCC's counters: what was sent, received, delivered, dropped (and why), retransmitted and
 * failed. Observations only; nothing reads them to make decisions.
 */
import type { DropReason } from '../wire/datagram.ts'

export interface UdpCCStats {
  sentDatagrams: number
  sentBytes: number
  /** New reliable messages put on the wire (first attempts). */
  sentMessages: number
  retransmissions: number
  sentUnreliable: number
  sentPureAcks: number
  receivedDatagrams: number
  receivedBytes: number
  receivedPureAcks: number
  /** Messages handed to the receiver (after duplicate suppression and decoding). */
  delivered: number
  duplicates: number
  decodeErrors: number
  /** Datagrams dropped for their framing or MAC, by reason. */
  dropped: Record<DropReason, number>
  acked: number
  lateAcks: number
  unexpectedAcks: number
  timeouts: number
  /** Reliable messages reported failed at their deadline. */
  failed: number
  oversizeRefused: number
}

export function emptyStats (): UdpCCStats {
  return {
    sentDatagrams: 0, sentBytes: 0, sentMessages: 0, retransmissions: 0, sentUnreliable: 0, sentPureAcks: 0,
    receivedDatagrams: 0, receivedBytes: 0, receivedPureAcks: 0, delivered: 0, duplicates: 0, decodeErrors: 0,
    dropped: { short: 0, 'unknown-version': 0, unauthenticated: 0, 'bad-mac': 0, 'bad-seq': 0 },
    acked: 0, lateAcks: 0, unexpectedAcks: 0, timeouts: 0, failed: 0, oversizeRefused: 0
  }
}

/**
 * What the overlay needs from its transport: reliable sends with a deadline and a delivered /
 * failed callback, a receive handler, and the per-peer RTT facts Bamboo's router reads. UdpCC is
 * the implementation on datagrams (real UDP or the simulated datagram network); the simulator
 * also offers a message-level one (`sim/net/sim-message-transport.ts`), as Bamboo's simulator
 * does, for large runs. Declares types only; never sends anything itself.
 */
import type { NodeAddress } from '../ids/node-address.ts'
import type { MessageHandler, SendResult } from './udpcc-config.ts'

export interface MessageTransport<T> {
  readonly local: NodeAddress
  /** Installs the single receive handler. */
  onMessage (handler: MessageHandler<T>): void
  /** Sends reliably; `done(true)` once acked, `done(false)` once `timeoutMs` passes without an ack. */
  send (target: NodeAddress, message: T, timeoutMs: number, done?: ((delivered: boolean) => void) | null): SendResult
  /** Smoothed RTT to `peer`, ms; −1 when unknown (Bamboo's `latency_mean`). */
  latencyMeanMs (peer: NodeAddress): number
  /** Current retransmission timeout to `peer`, ms (the maximum when unknown). */
  rtoMs (peer: NodeAddress): number
  /** Last time an ack came from `peer`, ms; 0 when never in contact. */
  lastReceiveMs (peer: NodeAddress): number
  /** Stops everything; pending callbacks are never called. */
  close (): void
}

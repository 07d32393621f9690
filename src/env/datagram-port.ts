/**
 * A datagram port: best-effort, UDP semantics (may drop, duplicate or reorder; never throws for
 * network reasons). Real: `udp-port.ts` over node:dgram. Simulated: `sim/` network ports.
 * Protocol code sends and receives bytes only through this interface.
 */
import type { NodeAddress } from '../ids/node-address.ts'

export type DatagramReceiver = (source: NodeAddress, bytes: Uint8Array) => void

export interface DatagramPort {
  /** The address peers see as this port's source. */
  readonly local: NodeAddress
  /** Queues one datagram; failures are counted by the port, never thrown. */
  send (target: NodeAddress, bytes: Uint8Array): void
  /** Installs the single receiver; datagrams arriving before this are dropped. */
  setReceiver (receive: DatagramReceiver): void
  /** Stops sending and receiving; later sends are dropped. */
  close (): void
}

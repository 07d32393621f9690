/**
 * A minimal simulated datagram network on the shared event queue: every datagram reaches its
 * target after a fixed one-way latency, copied on send; datagrams above `maxDatagramBytes` or to
 * unknown addresses are counted and dropped. Faults (loss, duplication, jitter) come from
 * wrapping ports in `ImpairedPort`; wide-area latency models come with the simulator proper.
 */
import type { DatagramPort, DatagramReceiver } from '../../src/env/datagram-port.ts'
import { addressKey, type NodeAddress } from '../../src/ids/node-address.ts'
import type { EventQueue } from '../event-queue.ts'

export interface MemoryNetworkOptions {
  /** One-way latency, µs. @default 10000 */
  latencyUs: number
  /** @default 16384 */
  maxDatagramBytes: number
}

export interface MemoryNetworkStats {
  sent: number
  delivered: number
  oversize: number
  unroutable: number
}

export class MemoryNetwork {
  readonly options: MemoryNetworkOptions
  readonly stats: MemoryNetworkStats = { sent: 0, delivered: 0, oversize: 0, unroutable: 0 }
  readonly #ports = new Map<string, MemoryPort>()

  constructor (private readonly queue: EventQueue, options: Partial<MemoryNetworkOptions> = {}) {
    this.options = { latencyUs: 10_000, maxDatagramBytes: 16 * 1024, ...options }
  }

  /** A port at `address`, whose deliveries belong to event owner `owner`. */
  open (address: NodeAddress, owner: number): DatagramPort {
    const port = new MemoryPort(this, address, owner)
    this.#ports.set(addressKey(address), port)
    return port
  }

  /** @internal */
  transmit (source: NodeAddress, target: NodeAddress, bytes: Uint8Array): void {
    this.stats.sent++
    if (bytes.length > this.options.maxDatagramBytes) { this.stats.oversize++; return }
    const port = this.#ports.get(addressKey(target))
    if (port === undefined) { this.stats.unroutable++; return }
    const payload = bytes.slice()
    this.queue.schedule(this.queue.nowUs + this.options.latencyUs, port.owner, () => {
      if (port.deliver(source, payload)) this.stats.delivered++
    })
  }

  /** @internal */
  detach (port: MemoryPort): void {
    if (this.#ports.get(addressKey(port.local)) === port) this.#ports.delete(addressKey(port.local))
  }
}

class MemoryPort implements DatagramPort {
  #receive: DatagramReceiver | null = null
  #closed = false

  constructor (private readonly network: MemoryNetwork, readonly local: NodeAddress, readonly owner: number) {}

  send (target: NodeAddress, bytes: Uint8Array): void {
    if (!this.#closed) this.network.transmit(this.local, target, bytes)
  }

  setReceiver (receive: DatagramReceiver): void {
    this.#receive = receive
  }

  close (): void {
    this.#closed = true
    this.network.detach(this)
  }

  deliver (source: NodeAddress, bytes: Uint8Array): boolean {
    if (this.#closed || this.#receive === null) return false
    this.#receive(source, bytes)
    return true
  }
}

/**
 * Test harness: UdpCC endpoints on the simulator's event queue and memory network, each port
 * optionally impaired (loss, duplication, jitter). Everything is seeded and reproducible.
 */
import { EventQueue } from '../../sim/event-queue.ts'
import { SimClock } from '../../sim/sim-clock.ts'
import { MemoryNetwork } from '../../sim/net/memory-network.ts'
import { ImpairedPort, type Impairment } from '../../src/env/impaired-port.ts'
import type { Logger } from '../../src/env/logger.ts'
import { SeededRng } from '../../src/env/rng.ts'
import type { NodeAddress } from '../../src/ids/node-address.ts'
import type { Serializer } from '../../src/transport/serializer.ts'
import { UdpCC, type UdpCCConfig } from '../../src/transport/udpcc.ts'

export interface SimEndpoint<T> {
  udpcc: UdpCC<T>
  address: NodeAddress
  clock: SimClock
}

export function simWorld (latencyMs: number, seed: string) {
  const queue = new EventQueue()
  const network = new MemoryNetwork(queue, { latencyUs: latencyMs * 1000 })
  const rng = new SeededRng(seed)
  let owners = 0
  function endpoint<T> (port: number, serializer: Serializer<T>, config: Partial<UdpCCConfig> = {}, impairment?: Partial<Impairment>, log?: Logger): SimEndpoint<T> {
    const owner = owners++
    const address = { host: '10.0.0.1', port }
    const clock = new SimClock(queue, owner)
    const raw = network.open(address, owner)
    const datagramPort = impairment === undefined ? raw : new ImpairedPort(raw, { clock, rng: rng.fork(`impair-${port}`) }, impairment)
    return { udpcc: new UdpCC<T>({ clock, port: datagramPort, log }, serializer, config), address, clock }
  }
  return { queue, network, rng, endpoint }
}

/** A 4-byte big-endian message number, padded to `sizeBytes`. */
export function numbered (index: number, sizeBytes = 32): Uint8Array {
  const out = new Uint8Array(Math.max(4, sizeBytes))
  new DataView(out.buffer).setUint32(0, index)
  return out
}

export function numberOf (bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0)
}

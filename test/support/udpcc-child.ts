/**
 * A UdpCC receiver in its own process, on a real UDP socket whose sends are impaired (loss,
 * duplication, jitter). It counts deliveries of numbered messages; message 0xffffffff asks it to
 * print its counts as JSON on stdout and exit. Usage: udpcc-child.ts SEED LOSS DUP JITTER_MS
 */
import { ImpairedPort } from '../../src/env/impaired-port.ts'
import { SeededRng } from '../../src/env/rng.ts'
import { SystemClock } from '../../src/env/system-clock.ts'
import { UdpPort } from '../../src/env/udp-port.ts'
import { bytesSerializer } from '../../src/transport/serializer.ts'
import { UdpCC } from '../../src/transport/udpcc.ts'

const [seed = '1', loss = '0', dup = '0', jitter = '0'] = process.argv.slice(2)
const clock = new SystemClock()
const raw = await UdpPort.open({ host: '127.0.0.1', port: 0 })
const port = new ImpairedPort(raw, { clock, rng: new SeededRng(seed) }, {
  lossProbability: Number(loss), duplicateProbability: Number(dup), jitterMs: Number(jitter)
})
const udpcc = new UdpCC({ clock, port }, bytesSerializer)
const counts = new Map<number, number>()
udpcc.onMessage((message) => {
  const index = new DataView(message.buffer, message.byteOffset).getUint32(0)
  if (index === 0xffffffff) {
    const twice = [...counts.values()].filter((c) => c > 1).length
    process.stdout.write(JSON.stringify({ distinct: counts.size, twice, stats: udpcc.stats, impaired: port.stats }) + '\n')
    // Linger so a retransmitted report request (its ack lost) is acked again, not left to time out.
    setTimeout(() => { udpcc.close(); process.exit(0) }, 2000)
    return
  }
  counts.set(index, (counts.get(index) ?? 0) + 1)
})
process.stdout.write(`ready ${raw.local.port}\n`)

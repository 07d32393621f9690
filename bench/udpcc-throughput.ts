/**
 * Benchmark: messages per second between two processes on loopback, UdpCC (reliable, acked,
 * congestion-controlled) beside raw node:dgram sends of the same datagram size, in one run.
 * The receiver runs in a child process. Raw UDP rate is what the receiver got per second of
 * receiving (drops are reported); UdpCC rate is messages acked per second at the sender.
 *
 *   node --import tsx bench/udpcc-throughput.ts [--messages N] [--payload BYTES] [--json]
 */
import { spawn } from 'node:child_process'
import dgram from 'node:dgram'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { SystemClock } from '../src/env/system-clock.ts'
import { UdpPort } from '../src/env/udp-port.ts'
import { bytesSerializer } from '../src/transport/serializer.ts'
import { UdpCC } from '../src/transport/udpcc.ts'
import { DATA_HEADER_BYTES } from '../src/wire/datagram.ts'
import { numberFlag } from './flags.ts'

const args = process.argv.slice(2)
const flag = (name: string, fallback: number): number => numberFlag(args, name, fallback)

if (args[0] === 'receiver') await receiver(args[1] === 'raw' ? 'raw' : 'udpcc')
else await main()

async function main (): Promise<void> {
  const messages = flag('messages', 100_000)
  const payloadBytes = flag('payload', 64)
  const raw = await measureRaw(messages, payloadBytes)
  const udpcc = await measureUdpCC(messages, payloadBytes)
  const result = {
    messages,
    datagramBytes: payloadBytes + DATA_HEADER_BYTES,
    rawDgram: raw,
    udpcc,
    udpccOverRaw: Number((udpcc.messagesPerSecond / raw.messagesPerSecond).toFixed(3))
  }
  if (args.includes('--json')) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n')
    return
  }
  process.stdout.write(`UdpCC vs raw node:dgram, ${messages} messages of ${result.datagramBytes} bytes, two processes on loopback\n`)
  process.stdout.write(`  raw dgram : ${fmt(raw.messagesPerSecond)} msg/s received (${raw.received} of ${messages}, ${messages - raw.received} dropped)\n`)
  process.stdout.write(`  UdpCC     : ${fmt(udpcc.messagesPerSecond)} msg/s acked (${udpcc.acked} of ${messages}; ${udpcc.retransmissions} retransmissions, ${udpcc.pureAcks} pure acks from the receiver)\n`)
  process.stdout.write(`  ratio     : UdpCC / raw = ${result.udpccOverRaw}\n`)
}

function fmt (n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

async function startReceiver (mode: 'raw' | 'udpcc') {
  const self = fileURLToPath(import.meta.url)
  const child = spawn(process.execPath, ['--import', 'tsx', self, 'receiver', mode], { stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const port = Number(/^ready (\d+)$/.exec((await lines.next()).value as string)?.[1])
  const finish = async (): Promise<Record<string, number>> => {
    child.stdin.end('report\n')
    const report = JSON.parse((await lines.next()).value as string) as Record<string, number>
    await new Promise((resolve) => child.once('exit', resolve))
    return report
  }
  return { port, finish }
}

async function measureRaw (messages: number, payloadBytes: number) {
  const peer = await startReceiver('raw')
  const socket = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const datagram = new Uint8Array(payloadBytes + DATA_HEADER_BYTES)
  for (let i = 0; i < messages; i++) {
    socket.send(datagram, peer.port, '127.0.0.1')
    if (i % 256 === 255) await new Promise((resolve) => setImmediate(resolve))
  }
  await new Promise((resolve) => setTimeout(resolve, 500))
  socket.close()
  const report = await peer.finish()
  const seconds = (report.lastMs! - report.firstMs!) / 1000
  return { received: report.received!, messagesPerSecond: seconds > 0 ? report.received! / seconds : 0 }
}

async function measureUdpCC (messages: number, payloadBytes: number) {
  const peer = await startReceiver('udpcc')
  const clock = new SystemClock()
  const udpcc = new UdpCC({ clock, port: await UdpPort.open({ port: 0 }) }, bytesSerializer)
  const target = { host: '127.0.0.1', port: peer.port }
  const payload = new Uint8Array(payloadBytes)
  let acked = 0
  let done = 0
  const startMs = clock.nowMs()
  await new Promise<void>((resolve) => {
    for (let i = 0; i < messages; i++) {
      udpcc.send(target, payload, 120_000, (ok) => {
        if (ok) acked++
        if (++done === messages) resolve()
      })
    }
  })
  const seconds = (clock.nowMs() - startMs) / 1000
  const retransmissions = udpcc.stats.retransmissions
  udpcc.close()
  const report = await peer.finish()
  return { acked, messagesPerSecond: acked / seconds, retransmissions, pureAcks: report.pureAcks ?? 0, delivered: report.received ?? 0 }
}

async function receiver (mode: 'raw' | 'udpcc'): Promise<void> {
  const clock = new SystemClock()
  const port = await UdpPort.open({ port: 0 })
  let received = 0
  let firstMs = 0
  let lastMs = 0
  let udpcc: UdpCC<Uint8Array> | null = null
  const count = (): void => {
    lastMs = clock.nowMs()
    if (received++ === 0) firstMs = lastMs
  }
  if (mode === 'raw') port.setReceiver(count)
  else {
    udpcc = new UdpCC({ clock, port }, bytesSerializer)
    udpcc.onMessage(count)
  }
  process.stdout.write(`ready ${port.local.port}\n`)
  for await (const line of createInterface({ input: process.stdin })) {
    if (line !== 'report') continue
    const pureAcks = udpcc?.stats.sentPureAcks ?? 0
    process.stdout.write(JSON.stringify({ received, firstMs, lastMs, pureAcks }) + '\n')
    udpcc?.close()
    port.close()
    process.exit(0)
  }
}

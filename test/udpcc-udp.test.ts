import test from 'ava'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { ImpairedPort } from '../src/env/impaired-port.ts'
import { SeededRng } from '../src/env/rng.ts'
import { SystemClock } from '../src/env/system-clock.ts'
import { UdpPort } from '../src/env/udp-port.ts'
import { bytesSerializer } from '../src/transport/serializer.ts'
import { UdpCC } from '../src/transport/udpcc.ts'
import { exited } from './support/node-process.ts'
import { numbered } from './support/sim-pair.ts'

const child = fileURLToPath(new URL('./support/udpcc-child.ts', import.meta.url))

test('real UDP between two processes, 20 % loss, duplication and jitter: 10,000 messages each delivered once', async (t) => {
  t.timeout(240_000, 'the 10,000 messages and the report take under 30 s on an idle machine')
  const seed = 'udp-10k'
  const impairment = { loss: 0.2, dup: 0.05, jitterMs: 3 }
  const proc = spawn(process.execPath, ['--import', 'tsx', child, seed, String(impairment.loss), String(impairment.dup), String(impairment.jitterMs)], { stdio: ['ignore', 'pipe', 'inherit'] })
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]()
  const ready = (await lines.next()).value as string
  const childPort = Number(/^ready (\d+)$/.exec(ready)?.[1])
  t.true(childPort > 0)
  const target = { host: '127.0.0.1', port: childPort }

  const clock = new SystemClock()
  // Four sender sockets in this process share the 10,000 messages (2,500 each): per-peer
  // windows run in parallel, so the test takes a quarter of the time one window would.
  const senders = await Promise.all([0, 1, 2, 3].map(async (k) => {
    const raw = await UdpPort.open({ host: '127.0.0.1', port: 0 })
    const port = new ImpairedPort(raw, { clock, rng: new SeededRng(`${seed}/parent-${k}`) }, { lossProbability: impairment.loss, duplicateProbability: impairment.dup, jitterMs: impairment.jitterMs })
    return new UdpCC({ clock, port }, bytesSerializer)
  }))
  t.teardown(() => { for (const s of senders) s.close(); proc.kill() })
  const count = 10_000
  const outcomes = new Int8Array(count)
  let callbacks = 0
  const startMs = clock.nowMs()
  await new Promise<void>((resolve) => {
    for (let i = 0; i < count; i++) {
      senders[i % 4]!.send(target, numbered(i), 120_000, (ok) => {
        outcomes[i] = ok ? 1 : -1
        if (++callbacks === count) resolve()
      })
    }
  })
  const elapsedMs = clock.nowMs() - startMs
  const okCount = outcomes.filter((o) => o === 1).length
  let reported = false
  for (let attempt = 0; attempt < 5 && !reported; attempt++) {
    reported = await new Promise<boolean>((resolve) => senders[0]!.send(target, numbered(0xffffffff), 10_000, resolve))
  }
  t.true(reported, 'the child acknowledged the report request')
  // The child prints its counts and exits; its line stays buffered if it exited while the
  // report request was being retried (a lost ack), so neither wait can hang.
  const line = (await lines.next()).value as string | undefined
  t.is(await exited(proc, 30_000), 0, 'the child exits once it has reported')
  if (line === undefined) return t.fail('the child printed no report')
  const report = JSON.parse(line) as { distinct: number, twice: number }
  const retransmissions = senders.reduce((sum, s) => sum + s.stats.retransmissions, 0)
  const rtoMs = Math.max(...senders.map((s) => s.rtoMs(target)))
  t.log(`seed=${seed}: ${count} messages in ${(elapsedMs / 1000).toFixed(1)} s, acked ${okCount}, retransmissions ${retransmissions}, srtt ${senders[0]!.latencyMeanMs(target)} ms, max rto ${rtoMs} ms`)
  t.is(report.twice, 0, 'no message delivered twice')
  t.is(okCount, count, 'every message acked')
  t.is(report.distinct, count, 'every message delivered')
  t.true(retransmissions > 0)
  t.true(rtoMs < 200, 'RTO converged far below the 5 s start')
})

import test from 'ava'
import { MemoryLogger } from '../src/env/logger.ts'
import { bytesSerializer, wireSerializer } from '../src/transport/serializer.ts'
import { RttEstimator } from '../src/transport/rtt-estimator.ts'
import { CongestionWindow } from '../src/transport/congestion-window.ts'
import { DuplicateFilter } from '../src/transport/duplicate-filter.ts'
import { encodeData, parseDatagram } from '../src/wire/datagram.ts'
import { numbered, numberOf, simWorld } from './support/sim-pair.ts'

test('RTO follows Bamboo\'s integer Jacobson/Karels arithmetic', (t) => {
  const rtt = new RttEstimator()
  t.is(rtt.rtoMs, 5000, 'unknown peer starts at 5 s')
  t.is(rtt.srttMs, -1)
  rtt.addSample(100) // sa=800 sv=0 rto=4*100+10
  t.deepEqual([rtt.sa, rtt.sv, rtt.rtoMs], [800, 0, 410])
  rtt.addSample(60) // err=60-100=-40 sa=760; |err|=40; 40-0=40 → sv=40; rto=95+40+10
  t.deepEqual([rtt.sa, rtt.sv, rtt.rtoMs], [760, 40, 145])
  rtt.addSample(200) // err=200-95=105 sa=865; 105-(40>>2=10)=95 → sv=135; rto=108+135+10
  t.deepEqual([rtt.sa, rtt.sv, rtt.rtoMs], [865, 135, 253])
  rtt.backOff()
  t.is(rtt.rtoMs, 506)
  for (let i = 0; i < 10; i++) rtt.backOff()
  t.is(rtt.rtoMs, 5000, 'backoff capped at 5 s')
  const fresh = new RttEstimator()
  fresh.addSample(2000)
  t.is(fresh.rtoMs, 5000, "computed RTO (4·2000+10) capped at 5 s")
})

test('congestion window: slow start, additive increase, halve threshold and reset on timeout', (t) => {
  const w = new CongestionWindow()
  t.is(w.limit, 1)
  for (let i = 0; i < 9; i++) w.onAck()
  t.is(w.cwnd, 10)
  w.onTimeout()
  t.deepEqual([w.cwnd, w.ssthresh], [1, 5])
  for (let i = 0; i < 4; i++) w.onAck()
  t.is(w.cwnd, 5)
  w.onAck()
  t.is(w.cwnd, 5.2, 'above ssthresh: +1/cwnd')
})

test('duplicate filter: the last 1000 pairs always, younger ones beyond that, within a hard cap', (t) => {
  const f = new DuplicateFilter({ capacity: 1000, retentionMs: 60_000, hardCapacity: 5000 })
  t.false(f.seen('a', 1n, 0))
  t.true(f.seen('a', 1n, 0))
  t.false(f.seen('b', 1n, 0), 'keyed by source too')
  for (let i = 2; i <= 2001; i++) f.seen('a', BigInt(i), 1000)
  t.true(f.seen('a', 1n, 1000), 'beyond 1000 newer pairs but younger than 60 s: still a duplicate')
  f.seen('a', 5000n, 61_001)
  t.false(f.seen('a', 1n, 61_001), 'older than 60 s and beyond 1000 newer pairs: forgotten')
  t.true(f.seen('a', 2001n, 61_001), 'the last 1000 stay')
  for (let i = 10_000; i < 20_000; i++) f.seen('c', BigInt(i), 61_002)
  t.is(f.size, 5000, 'the hard cap bounds memory')
})

test('RTT and RTO converge on a fixed delay', (t) => {
  const w = simWorld(25, 'rtt')
  const a = w.endpoint(1, bytesSerializer)
  const b = w.endpoint(2, bytesSerializer)
  b.udpcc.onMessage(() => {})
  let acked = 0
  for (let i = 0; i < 200; i++) {
    w.queue.schedule(i * 100_000, -1, () => { a.udpcc.send(b.address, numbered(i), 5000, (ok) => { if (ok) acked++ }) })
  }
  w.queue.run()
  t.is(acked, 200)
  t.is(a.udpcc.latencyMeanMs(b.address), 50, 'srtt = the 50 ms round trip')
  const rto = a.udpcc.rtoMs(b.address)
  t.true(rto >= 60 && rto <= 63, `rto ${rto} ≈ srtt + 4·rttvar(→0) + 10`)
  t.is(a.udpcc.stats.retransmissions, 0)
})

/** Two endpoints over 20 ms links with 20 % loss, 5 % duplication and 30 ms jitter; B counts deliveries. */
function lossyPair (seed: string) {
  const w = simWorld(20, seed)
  const impairment = { lossProbability: 0.2, duplicateProbability: 0.05, jitterMs: 30 }
  const a = w.endpoint(1, bytesSerializer, {}, impairment)
  const b = w.endpoint(2, bytesSerializer, {}, impairment)
  const delivered = new Uint8Array(10_000)
  b.udpcc.onMessage((m) => { delivered[numberOf(m)]!++ })
  return { w, a, b, delivered }
}

test('10,000 messages over a lossy, duplicating, reordering network: each delivered exactly once', (t) => {
  const seed = 'lossy-10k'
  const { w, a, b, delivered } = lossyPair(seed)
  const outcome = new Int8Array(10_000)
  for (let i = 0; i < 10_000; i++) {
    const r = a.udpcc.send(b.address, numbered(i), 24 * 3600_000, (ok) => { outcome[i] = outcome[i] === 0 ? (ok ? 1 : -1) : 99 })
    t.true(r.ok)
  }
  w.queue.run()
  const twice = delivered.filter((d) => d > 1).length
  const missing = delivered.filter((d) => d === 0).length
  t.is(twice, 0, `seed=${seed}: no message delivered twice`)
  t.is(missing, 0, `seed=${seed}: every message delivered`)
  t.is(outcome.filter((o) => o === 1).length, 10_000, 'every sender callback reports success once')
  t.true(a.udpcc.stats.retransmissions > 1000, 'losses were repaired by retransmission')
  t.true(b.udpcc.stats.duplicates > 0, 'duplicates were suppressed')
  t.log(`seed=${seed} simulated ${(w.queue.nowUs / 1e6).toFixed(1)} s, retransmissions=${a.udpcc.stats.retransmissions}, duplicates=${b.udpcc.stats.duplicates}, pure acks=${b.udpcc.stats.sentPureAcks}`)
})

test('messages that cannot be delivered by their deadline are reported failed at the deadline', (t) => {
  const seed = 'deadline'
  const { w, a, b, delivered } = lossyPair(seed)
  const callbacks = new Uint8Array(10_000)
  const lateness: number[] = []
  let successes = 0
  let failures = 0
  const deadlineMs = 1000
  for (let i = 0; i < 10_000; i++) {
    w.queue.schedule(i * 100_000, -1, () => {
      const startMs = a.clock.nowMs()
      a.udpcc.send(b.address, numbered(i), deadlineMs, (ok) => {
        callbacks[i]!++
        if (ok) {
          successes++
          t.is(delivered[i], 1, `seed=${seed}: acked message ${i} was delivered once`)
        } else {
          failures++
          lateness.push(a.clock.nowMs() - startMs - deadlineMs)
          t.true(delivered[i]! <= 1)
        }
      })
    })
  }
  w.queue.run()
  t.true(callbacks.every((c) => c === 1), 'exactly one callback per message')
  t.true(delivered.every((d) => d <= 1), 'never delivered twice')
  t.true(failures > 0 && successes > 0, `both outcomes occur (ok=${successes}, failed=${failures})`)
  t.true(lateness.every((l) => l >= -0.001 && l <= 1), `failures reported at the deadline (max lateness ${Math.max(...lateness)} ms)`)
  t.log(`seed=${seed} ok=${successes} failed=${failures}`)
})

test('a dead peer: every message fails at its deadline, RTO backs off to 5 s', (t) => {
  const w = simWorld(20, 'dead')
  const a = w.endpoint(1, bytesSerializer)
  const ghost = { host: '10.0.0.9', port: 9 }
  const failedAt: number[] = []
  for (let i = 0; i < 50; i++) a.udpcc.send(ghost, numbered(i), 30_000, (ok) => { if (!ok) failedAt.push(w.queue.nowUs) })
  w.queue.run()
  t.is(failedAt.length, 50)
  t.true(failedAt.every((us) => us >= 30_000_000 && us <= 30_001_000))
  t.is(a.udpcc.rtoMs(ghost), 5000)
  t.is(a.udpcc.congestionWindow(ghost), 1)
  t.is(a.udpcc.queuedMessages(), 0)
})

test('acks ride on the reply; undecodable datagrams are still acked; unreliable sends are not', (t) => {
  const w = simWorld(10, 'piggyback')
  const a = w.endpoint(1, wireSerializer)
  const b = w.endpoint(2, wireSerializer)
  b.udpcc.onMessage((m, source, info) => {
    t.is(info.tries, 1)
    b.udpcc.send(source, { type: 'LeafSetReq' }, 5000)
  })
  let replies = 0
  a.udpcc.onMessage(() => { replies++ })
  a.udpcc.send(b.address, { type: 'PingMsg' }, 5000)
  w.queue.run()
  t.is(replies, 1)
  t.is(b.udpcc.stats.sentPureAcks, 0, 'B acked A\'s ping on its reply')
  t.is(a.udpcc.stats.acked, 1)
  t.is(a.udpcc.stats.sentPureAcks, 1, 'A had nothing to send, so it sent a pure ack')

  // A raw datagram with a valid header and a garbage body: acked, counted, not delivered.
  const raw = w.network.open({ host: '10.0.0.7', port: 7 }, 99)
  const acks: bigint[] = []
  raw.setReceiver((_s, bytes) => { const p = parseDatagram(bytes); if (p.ok && p.datagram.kind === 'ack') acks.push(p.datagram.seq) })
  raw.send(b.address, encodeData({ ack: -1n, seq: 0x1234501n, waitMs: 0, estRttMs: -1 }, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9])))
  w.queue.run()
  t.deepEqual(acks, [0x1234501n])
  t.is(b.udpcc.stats.decodeErrors, 1)

  let tries = 0
  b.udpcc.onMessage((_m, _s, info) => { tries = info.tries })
  const before = b.udpcc.stats.sentDatagrams
  a.udpcc.sendUnreliable(b.address, { type: 'PingMsg' })
  w.queue.run()
  t.is(tries, -1)
  t.is(b.udpcc.stats.sentDatagrams, before, 'no ack for an unreliable datagram')
})

test('the 16 KiB limit is a returned error, not a crash', (t) => {
  const w = simWorld(10, 'size')
  const a = w.endpoint(1, bytesSerializer)
  const b = w.endpoint(2, bytesSerializer)
  let got = 0
  b.udpcc.onMessage((m) => { got = m.length })
  t.true(a.udpcc.send(b.address, new Uint8Array(16384 - 28), 5000).ok)
  const r = a.udpcc.send(b.address, new Uint8Array(16384 - 27), 5000)
  t.false(r.ok)
  if (!r.ok) t.deepEqual(r.error, { kind: 'too-large', sizeBytes: 16385, maxBytes: 16384 })
  w.queue.run()
  t.is(got, 16384 - 28)
})

test('HMAC mode: keyed nodes talk; a keyed node drops unauthenticated datagrams', (t) => {
  const w = simWorld(10, 'mac')
  const key = new Uint8Array(20).fill(7)
  const a = w.endpoint(1, bytesSerializer, { macKey: key })
  const log = new MemoryLogger()
  const b = w.endpoint(2, bytesSerializer, { macKey: key }, undefined, log)
  const c = w.endpoint(3, bytesSerializer)
  const wrong = w.endpoint(4, bytesSerializer, { macKey: new Uint8Array(20).fill(8) })
  let toB = 0
  b.udpcc.onMessage(() => { toB++ })
  const results: Record<string, boolean> = {}
  a.udpcc.send(b.address, numbered(1), 5000, (ok) => { results.keyed = ok })
  c.udpcc.send(b.address, numbered(2), 5000, (ok) => { results.unkeyed = ok })
  wrong.udpcc.send(b.address, numbered(3), 5000, (ok) => { results.wrongKey = ok })
  w.queue.run()
  t.deepEqual(results, { keyed: true, unkeyed: false, wrongKey: false })
  t.is(toB, 1)
  t.true(b.udpcc.stats.dropped.unauthenticated > 0)
  t.true(b.udpcc.stats.dropped['bad-mac'] > 0)
  const warnings = log.entries.filter((e) => e.event === 'datagram-dropped')
  t.is(warnings.length, 1, 'MAC failures are logged at most once a minute')
  t.is(warnings[0]!.level, 'warn')
})

test('idle peers are forgotten, and talking to them again just works', (t) => {
  const w = simWorld(10, 'idle')
  const a = w.endpoint(1, bytesSerializer, { idleConnectionMs: 60_000, duplicateRetentionMs: 30_000, duplicateWindow: 0 })
  const peers = [2, 3, 4].map((port) => w.endpoint(port, bytesSerializer))
  let received = 0
  a.udpcc.onMessage(() => { received++ })
  for (const peer of peers) peer.udpcc.send(a.address, numbered(1), 5000)
  a.udpcc.send(peers[0]!.address, numbered(2), 5000)
  w.queue.run()
  t.is(received, 3)
  t.true(a.udpcc.latencyMeanMs(peers[0]!.address) > 0, 'RTT known while the peer is recent')
  w.queue.run({ timeUsMax: w.queue.nowUs + 120_000_000 })
  const fresh = w.endpoint(5, bytesSerializer)
  a.udpcc.send(fresh.address, numbered(3), 5000) // a new peer triggers the sweep
  w.queue.run()
  t.is(a.udpcc.latencyMeanMs(peers[0]!.address), -1, 'the idle peer was forgotten')
  let delivered = false
  a.udpcc.send(peers[0]!.address, numbered(4), 5000, (ok) => { delivered = ok })
  w.queue.run()
  t.true(delivered, 'a forgotten peer is a new peer again')
})

test('duplicate filter forgets a source once all its pairs have expired', (t) => {
  const f = new DuplicateFilter({ capacity: 0, retentionMs: 1000, hardCapacity: 100 })
  f.seen('a', 1n, 0)
  f.seen('b', 1n, 0)
  t.is(f.sources, 2)
  f.seen('c', 1n, 5000)
  t.is(f.sources, 1, 'a and b expired')
  t.false(f.seen('a', 1n, 5001), 'an expired pair is new again')
})

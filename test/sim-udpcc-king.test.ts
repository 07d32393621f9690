import fs from 'node:fs'
import path from 'node:path'
import test from 'ava'
import { EventQueue } from '../sim/event-queue.ts'
import { MemoryNetwork } from '../sim/net/memory-network.ts'
import { parseKingTopology } from '../sim/net/models/matrix-model.ts'
import type { NetworkModel } from '../sim/net/network-model.ts'
import { SimClock } from '../sim/sim-clock.ts'
import { PingPongWorkload } from '../sim/workload/udpcc-pingpong.ts'
import { World } from '../sim/world.ts'
import { ImpairedPort } from '../src/env/impaired-port.ts'
import { SeededRng } from '../src/env/rng.ts'
import { bytesSerializer } from '../src/transport/serializer.ts'
import { UdpCC } from '../src/transport/udpcc.ts'
import { numbered, numberOf } from './support/sim-pair.ts'

const KING_FILE = path.resolve(import.meta.dirname, '../../shared/data/king128-bamboo/king128.top')

/** The real King-128 file when it is beside the checkout; otherwise a generated file in its format. */
function kingModel (): { model: NetworkModel, rttMs: (a: number, b: number) => number } {
  const text = fs.existsSync(KING_FILE) ? fs.readFileSync(KING_FILE, 'utf8') : generatedKingText(128, 'king-standin')
  const rtt = new Map<string, number>()
  for (const line of text.split('\n')) {
    const m = /^(\d+),(\d+) (\d+)/.exec(line)
    if (m !== null) rtt.set(`${Number(m[1]) - 1},${Number(m[2]) - 1}`, Number(m[3]))
  }
  const model = parseKingTopology(text, 'king128.top', { values: 'rtt' })
  return { model, rttMs: (a, b) => rtt.get(a < b ? `${a},${b}` : `${b},${a}`)! }
}

function generatedKingText (hosts: number, seed: string): string {
  const rng = new SeededRng(seed)
  const lines = [`topology E2EGraph ${hosts}`, 'failure_model ConstantFailureModel delay=1', 'loss_rate 0', '']
  for (let i = 1; i <= hosts; i++) lines.push(`node ${i}`)
  for (let i = 1; i <= hosts; i++) for (let j = i + 1; j <= hosts; j++) lines.push(`${i},${j} ${1 + rng.int(300)}`)
  return lines.join('\n') + '\n'
}

test('UdpCC ping-pong over King-128: every round trip equals the matrix RTT; srtt equals it and the RTO converges to srtt + 10 ms', (t) => {
  const { model, rttMs } = kingModel()
  const world = new World({ seed: 'king-pingpong', model })
  const trips: Array<{ source: number, target: number, rttUs: number, propagationUs: number }> = []
  const workload = new PingPongWorkload(world, {
    recordRoundTrip: (source, target, rttUs, propagationUs) => trips.push({ source, target, rttUs, propagationUs })
  }, { peers: 'fixed', pingsPerNode: 10, intervalMs: 2000 })
  for (let i = 0; i < 64; i++) world.addNode({ host: 2 * i, factory: workload.factory })
  for (let i = 0; i < 64; i++) world.start(i)
  world.run({ done: () => workload.done() })

  t.is(trips.length, 640)
  t.is(workload.lostPings, 0)
  for (const trip of trips) {
    const matrixUs = rttMs(2 * trip.source, 2 * trip.target) * 1000
    if (trip.rttUs !== matrixUs || trip.propagationUs !== matrixUs) t.fail(`${trip.source}->${trip.target}: ${trip.rttUs} µs, matrix ${matrixUs} µs`)
  }
  for (let i = 0; i < 64; i++) {
    const peer = (i + 1) % 64
    const udpcc = workload.node(i)!.udpcc
    const matrixMs = rttMs(2 * i, 2 * peer)
    t.is(udpcc.latencyMeanMs(world.address(peer)), matrixMs, `srtt of ${i}->${peer}`)
    t.is(udpcc.rtoMs(world.address(peer)), matrixMs + 10, `rto of ${i}->${peer}`)
  }
  t.is(workload.udpccTotals().retransmissions, 0)
})

test('a loss rule makes UdpCC retransmit exactly as the in-memory port with the same loss draws does', (t) => {
  const { model } = kingModel()
  const oneWayUs = model.oneWayUs(0, 1)
  const count = 300

  // The simulated wide area: nodes on King hosts 0 and 1, a loss rule on 0 → 1.
  const world = new World({ seed: 'loss-equivalence', model })
  const worldLog: string[] = []
  let worldSender: UdpCC<Uint8Array> | undefined
  let worldReceiver: UdpCC<Uint8Array> | undefined
  world.addNode({ host: 0, factory: (ctx) => { worldSender = new UdpCC(ctx.env, bytesSerializer); return undefined } })
  world.addNode({ host: 1, factory: (ctx) => { worldReceiver = new UdpCC(ctx.env, bytesSerializer); return undefined } })
  world.start(0)
  world.start(1)
  world.network.addRule({ kind: 'loss', probability: 0.2, match: { sourceNodes: [0] } }, new SeededRng('draws'))
  worldReceiver!.onMessage((m, _s, info) => worldLog.push(`${numberOf(m)}@${world.nowUs}/${info.tries}`))
  for (let i = 0; i < count; i++) worldSender!.send(world.address(1), numbered(i), 60_000)
  world.run({ done: () => worldSender!.stats.acked === count })

  // The in-memory port: fixed latency equal to the King pair's, ImpairedPort with the same draws.
  const queue = new EventQueue()
  const memory = new MemoryNetwork(queue, { latencyUs: oneWayUs })
  const memoryLog: string[] = []
  const senderClock = new SimClock(queue, 0)
  const senderPort = new ImpairedPort(memory.open(world.address(0), 0), { clock: senderClock, rng: new SeededRng('draws') }, { lossProbability: 0.2 })
  const memorySender = new UdpCC({ clock: senderClock, port: senderPort }, bytesSerializer)
  const memoryReceiver = new UdpCC({ clock: new SimClock(queue, 1), port: memory.open(world.address(1), 1) }, bytesSerializer)
  memoryReceiver.onMessage((m, _s, info) => memoryLog.push(`${numberOf(m)}@${queue.nowUs}/${info.tries}`))
  for (let i = 0; i < count; i++) memorySender.send(world.address(1), numbered(i), 60_000)
  while (memorySender.stats.acked < count && queue.runNext()) { /* run */ }

  t.true(worldSender!.stats.retransmissions > 20, `${worldSender!.stats.retransmissions} retransmissions`)
  t.deepEqual(worldSender!.stats, memorySender.stats)
  t.deepEqual(worldReceiver!.stats, memoryReceiver.stats)
  t.deepEqual(worldLog, memoryLog)
  t.is(world.network.stats.dropsByReason.get('loss'), senderPort.stats.dropped)
})

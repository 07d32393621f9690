/**
 * Benchmark: the simulator's speed.
 *  1. The bare event queue with 10^5 (and 10^6) pending events: each event reschedules itself
 *     at a random later time, so the pending count stays constant. Beside it, in the same run, a
 *     binary heap of event objects (the usual JavaScript shape) as the baseline. Each figure is
 *     the median of three runs.
 *  2. UdpCC ping-pong between 10,000 simulated nodes over the King-128 model (nodes share its
 *     128 hosts) — or the synthetic model when the King file is absent: events/s, simulated
 *     seconds per wall second, peak memory.
 *
 *   node --import tsx bench/sim-engine.ts [--events N] [--nodes N] [--pings N] [--json]
 */
import fs from 'node:fs'
import path from 'node:path'
import { EventQueue } from '../sim/event-queue.ts'
import { parseKingTopology } from '../sim/net/models/matrix-model.ts'
import { createSyntheticModel } from '../sim/net/models/synthetic-model.ts'
import type { NetworkModel } from '../sim/net/network-model.ts'
import { PingPongWorkload } from '../sim/workload/udpcc-pingpong.ts'
import { World } from '../sim/world.ts'
import { numberFlag } from './flags.ts'

const args = process.argv.slice(2)
const flag = (name: string, fallback: number): number => numberFlag(args, name, fallback)
const json = args.includes('--json')
const eventCount = flag('events', 4_000_000)
const nodeCount = flag('nodes', 10_000)
const pingsPerNode = flag('pings', 10)

/** A tiny LCG so the bench's own draws cost the same in both queues. */
function lcg (seed: number): () => number {
  let x = seed
  return () => { x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff; return x / 0x80000000 }
}

function benchQueue (pending: number): number {
  const queue = new EventQueue()
  const rand = lcg(1)
  const fire = (): void => { queue.post(queue.nowUs + 1 + Math.floor(rand() * 1_000_000), 0, fire) }
  for (let i = 0; i < pending; i++) queue.post(Math.floor(rand() * 1_000_000), 0, fire)
  const started = performance.now()
  queue.run({ eventCountMax: eventCount })
  return eventCount / ((performance.now() - started) / 1000)
}

interface ObjectEvent { timeUs: number, seq: number, fire: () => void }

/** Baseline: a binary heap of event objects. */
function benchObjectHeap (pending: number): number {
  const heap: ObjectEvent[] = []
  let seq = 0
  let nowUs = 0
  const less = (a: ObjectEvent, b: ObjectEvent): boolean => a.timeUs < b.timeUs || (a.timeUs === b.timeUs && a.seq < b.seq)
  const push = (event: ObjectEvent): void => {
    let i = heap.push(event) - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!less(event, heap[parent]!)) break
      heap[i] = heap[parent]!
      i = parent
    }
    heap[i] = event
  }
  const pop = (): ObjectEvent => {
    const top = heap[0]!
    const last = heap.pop()!
    if (heap.length > 0) {
      let i = 0
      while (true) {
        let child = 2 * i + 1
        if (child >= heap.length) break
        if (child + 1 < heap.length && less(heap[child + 1]!, heap[child]!)) child++
        if (!less(heap[child]!, last)) break
        heap[i] = heap[child]!
        i = child
      }
      heap[i] = last
    }
    return top
  }
  const rand = lcg(1)
  const fire = (): void => { push({ timeUs: nowUs + 1 + Math.floor(rand() * 1_000_000), seq: seq++, fire }) }
  for (let i = 0; i < pending; i++) push({ timeUs: Math.floor(rand() * 1_000_000), seq: seq++, fire })
  const started = performance.now()
  for (let i = 0; i < eventCount; i++) {
    const event = pop()
    nowUs = event.timeUs
    event.fire()
  }
  return eventCount / ((performance.now() - started) / 1000)
}

function loadModel (): NetworkModel {
  const king = path.resolve(import.meta.dirname, '../../shared/data/king128-bamboo/king128.top')
  if (fs.existsSync(king)) return parseKingTopology(fs.readFileSync(king, 'utf8'), 'king128.top', { values: 'rtt' })
  process.stderr.write(`${king} is missing: using the synthetic model\n`)
  return createSyntheticModel({ seed: 'bench', hostCount: 128 })
}

function benchPingPong () {
  const model = loadModel()
  const world = new World({ seed: 'bench', model })
  let roundTrips = 0
  const workload = new PingPongWorkload(world, { recordRoundTrip: () => { roundTrips++ } }, { pingsPerNode, intervalMs: 1000 })
  let peakRssBytes = process.memoryUsage().rss
  const sample = (): void => { peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss) }
  const started = performance.now()
  for (let i = 0; i < nodeCount; i++) world.addNode({ factory: workload.factory })
  for (let i = 0; i < nodeCount; i++) world.start(i)
  const status = world.run({ done: () => workload.done(), progress: sample, progressEveryEvents: 100_000 })
  sample()
  const wallS = (performance.now() - started) / 1000
  const totals = workload.udpccTotals()
  return {
    model: model.name,
    nodes: nodeCount,
    roundTrips,
    datagrams: world.network.stats.sent,
    events: status.executed,
    simulatedS: status.nowUs / 1e6,
    wallS,
    eventsPerS: status.executed / wallS,
    retransmissions: totals.retransmissions,
    peakRssMiB: peakRssBytes / 2 ** 20
  }
}

/** Median of three runs: this machine's speed drifts by ±20 % from run to run. */
function median3 (run: () => number): number {
  const rates = [run(), run(), run()].sort((a, b) => a - b)
  return rates[1]!
}

const queue1e5 = median3(() => benchQueue(100_000))
const objects1e5 = median3(() => benchObjectHeap(100_000))
const queue1e6 = median3(() => benchQueue(1_000_000))
const objects1e6 = median3(() => benchObjectHeap(1_000_000))
const pingPong = benchPingPong()

const result = {
  engine: {
    events: eventCount,
    pending1e5: { typedHeapEventsPerS: queue1e5, objectHeapEventsPerS: objects1e5, ratio: queue1e5 / objects1e5 },
    pending1e6: { typedHeapEventsPerS: queue1e6, objectHeapEventsPerS: objects1e6, ratio: queue1e6 / objects1e6 }
  },
  udpccPingPong: pingPong
}

if (json) {
  process.stdout.write(JSON.stringify(result, null, 2) + '\n')
} else {
  const m = (x: number): string => (x / 1e6).toFixed(2)
  process.stdout.write([
    `bare engine, ${eventCount.toLocaleString('en')} events per run, median of 3 runs:`,
    `  10^5 pending: ${m(queue1e5)} M events/s (object heap ${m(objects1e5)} M/s; ratio ${(queue1e5 / objects1e5).toFixed(2)})`,
    `  10^6 pending: ${m(queue1e6)} M events/s (object heap ${m(objects1e6)} M/s; ratio ${(queue1e6 / objects1e6).toFixed(2)})`,
    `UdpCC ping-pong, ${pingPong.nodes.toLocaleString('en')} nodes over ${pingPong.model}:`,
    `  ${pingPong.roundTrips.toLocaleString('en')} round trips, ${pingPong.datagrams.toLocaleString('en')} datagrams, ${pingPong.events.toLocaleString('en')} events`,
    `  ${pingPong.simulatedS.toFixed(1)} simulated s in ${pingPong.wallS.toFixed(1)} wall s: ${m(pingPong.eventsPerS)} M events/s`,
    `  peak RSS ${pingPong.peakRssMiB.toFixed(0)} MiB`,
    ''
  ].join('\n'))
}

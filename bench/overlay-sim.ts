/**
 * Benchmark: the overlay in the simulator beside Bamboo's own simulator (anchors.md): N nodes on
 * the King-128 model (nodes share its 128 hosts), base 16, leaf set 2 per side, no churn. Nodes
 * join 100 ms apart and warm up; then every node looks up a random key every 10 s. It prints hops
 * per route (mean, p90), one-way route latency from source to root (median, p99), the lookup
 * round trip, wall time and peak memory, next to Bamboo's figures measured on this machine:
 * 1,000 nodes, 10 simulated min: hops 2.92 / 4, one-way 105 / 875 ms, 80 s wall, 1.9 GB.
 *
 * With --session-median-s S, nodes churn (exponential sessions, replaced at once) from the end of
 * the joins on: the scale benchmark's form.
 *
 *   node --import tsx bench/overlay-sim.ts [--nodes N] [--minutes M] [--leaf-set L] [--base B]
 *        [--join-spacing-ms MS] [--session-median-s S] [--json]
 */
import fs from 'node:fs'
import path from 'node:path'
import { quantile } from 'd3-array'
import { Churn } from '../sim/churn/churn.ts'
import { exponentialSessions } from '../sim/churn/session-times.ts'
import { parseKingTopology } from '../sim/net/models/matrix-model.ts'
import { createSyntheticModel } from '../sim/net/models/synthetic-model.ts'
import type { NetworkModel } from '../sim/net/network-model.ts'
import { OverlayWorld } from '../sim/overlay/overlay-world.ts'
import { isDigitBase } from '../src/ids/digits.ts'
import { bytesToBigUint } from '../src/ids/sha1.ts'
import { numberFlag } from './flags.ts'

const args = process.argv.slice(2)
const flag = (name: string, fallback: number): number => numberFlag(args, name, fallback, false)
const nodes = flag('nodes', 1000)
const minutes = flag('minutes', 10)
const leafSet = flag('leaf-set', 2)
const base = flag('base', 16)
const joinSpacingUs = flag('join-spacing-ms', 100) * 1000
const sessionMedianS = flag('session-median-s', Infinity)
const transportFlag = args.indexOf('--transport')
const transport = transportFlag < 0 ? 'udpcc' : args[transportFlag + 1]
if (transport !== 'udpcc' && transport !== 'message') { process.stderr.write('--transport must be udpcc or message\n'); process.exit(2) }
if (!isDigitBase(base)) { process.stderr.write('--base must be 2, 4, 16 or 256\n'); process.exit(2) }

function loadModel (): NetworkModel {
  const king = path.resolve(import.meta.dirname, '../../shared/data/king128-bamboo/king128.top')
  // Bamboo's simulator reads King values as one-way delays; so does this comparison.
  if (fs.existsSync(king)) return parseKingTopology(fs.readFileSync(king, 'utf8'), 'king128.top', { values: 'one-way' })
  process.stderr.write(`${king} is missing: using the synthetic model (figures not comparable)\n`)
  return createSyntheticModel({ seed: 'bench', hostCount: 128 })
}

const started = performance.now()
const issuedAtUs = new Map<string, number>()
const oneWayMs: number[] = []
const hopsPerRoute: number[] = []
const hopCounts = new Map<string, number>()
const roundTripMs: number[] = []
const overlay: OverlayWorld = new OverlayWorld({
  seed: 'bench',
  model: loadModel(),
  overlay: { digitBase: base, leafSetSizePerSide: leafSet },
  transport,
  observer: () => ({
    onRouteStep: (message, delivered) => {
      if (message.payload.type !== 'LookupReqPayload') return
      const key = `${message.src}:${message.dest}`
      const issuedUs = issuedAtUs.get(key)
      if (issuedUs === undefined) return
      if (!delivered) { hopCounts.set(key, (hopCounts.get(key) ?? 0) + 1); return }
      oneWayMs.push((overlay.world.nowUs - issuedUs) / 1000)
      hopsPerRoute.push(hopCounts.get(key) ?? 0)
      issuedAtUs.delete(key)
      hopCounts.delete(key)
    }
  })
})
const { world } = overlay
overlay.populate(nodes, joinSpacingUs)
const measureFromUs = nodes * joinSpacingUs + 60e6
const endUs = Math.max(measureFromUs + 60e6, minutes * 60e6)
world.run({ untilUs: measureFromUs })
let churn: Churn | null = null
if (sessionMedianS !== Infinity) {
  churn = new Churn(world, { sessions: exponentialSessions({ medianUs: sessionMedianS * 1e6 }), mode: 'replace' }, (departed) => overlay.replace(departed))
  churn.start(world.upNodes())
}
for (const index of overlay.joinedNodes()) {
  const tick = (): void => {
    const node = overlay.node(index)
    if (node === undefined || world.nowUs > endUs - 35e6) return
    const key = bytesToBigUint(world.rng.bytes(20))
    const startUs = world.nowUs
    issuedAtUs.set(`${node.self.guid}:${key}`, startUs)
    node.lookup(key, (owner) => { if (owner !== null) roundTripMs.push((world.nowUs - startUs) / 1000) })
    world.after(10e6, tick)
  }
  world.after(world.rng.int(10_000_000), tick)
}
const status = world.run({ untilUs: endUs })
const wallS = (performance.now() - started) / 1000
const peakRssMiB = process.resourceUsage().maxRSS / 1024
const q = (xs: number[], p: number): number => quantile(xs, p) ?? NaN
const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length
const result = {
  nodes, simulatedMin: endUs / 60e6, base, leafSet, departures: churn?.stats.departures ?? 0,
  routes: hopsPerRoute.length,
  hops: { mean: mean(hopsPerRoute), p90: q(hopsPerRoute, 0.9) },
  oneWayMs: { median: q(oneWayMs, 0.5), p99: q(oneWayMs, 0.99) },
  roundTripMs: { median: q(roundTripMs, 0.5), p99: q(roundTripMs, 0.99) },
  events: status.executed, wallS, eventsPerS: status.executed / wallS, peakRssMiB,
  bamboo: { nodes: 1000, simulatedMin: 10, hops: { mean: 2.92, p90: 4 }, oneWayMs: { median: 105, p99: 875 }, roundTripMs: { median: 179, p99: 1012 }, wallS: 80, peakRssMiB: 1.9 * 1024 }
}
if (args.includes('--json')) {
  process.stdout.write(JSON.stringify(result, null, 2) + '\n')
} else {
  const f = (x: number): string => x.toFixed(1)
  process.stdout.write([
    `overlay, ${nodes} nodes, ${f(result.simulatedMin)} simulated min, base ${base}, leaf set ${leafSet}, ${result.departures} departures: ${result.routes.toLocaleString('en')} routes`,
    `  hops mean ${result.hops.mean.toFixed(2)} / p90 ${result.hops.p90}            (Bamboo 2.92 / 4)`,
    `  one-way route ms median ${f(result.oneWayMs.median)} / p99 ${f(result.oneWayMs.p99)}   (Bamboo 105 / 875)`,
    `  lookup round trip ms median ${f(result.roundTripMs.median)} / p99 ${f(result.roundTripMs.p99)}   (Bamboo 179 / 1,012)`,
    `  wall ${f(wallS)} s (Bamboo 80 s; ratio ${(wallS / 80).toFixed(2)}), peak RSS ${peakRssMiB.toFixed(0)} MiB (Bamboo 1,946 MiB; ratio ${(peakRssMiB / 1946).toFixed(2)}), ${(result.eventsPerS / 1e6).toFixed(2)} M events/s`,
    ''
  ].join('\n'))
}

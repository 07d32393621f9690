import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import test from 'ava'
import { toDeterministicJson, writeRunResults } from '../sim/metrics/report.ts'
import { buildProvenance } from '../sim/metrics/provenance.ts'
import { DEFAULT_TRAFFIC_SCENARIO, runTrafficScenario, type TrafficScenarioConfig } from '../sim/scenarios/traffic-scenario.ts'

const REPO = path.resolve(import.meta.dirname, '..')

/** Loss, a partition that heals, limited access links and crash-restart churn, all at once. */
const STRESS: TrafficScenarioConfig = {
  ...DEFAULT_TRAFFIC_SCENARIO,
  seed: 'determinism',
  nodes: 40,
  pingsPerNode: 15,
  intervalMs: 500,
  lossProbability: 0.05,
  uplinkMbps: 2,
  downlinkMbps: 10,
  partition: { fraction: 0.25, fromS: 2, untilS: 5 },
  churn: { sessions: 'exponential', sessionMedianS: 6, downtimeMedianS: 1 },
  durationS: 20
}

function writeRun (config: TrafficScenarioConfig): Buffer[] {
  const result = runTrafficScenario(config)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xest-det-'))
  const provenance = buildProvenance(REPO, { seed: config.seed, config, inputs: result.inputs })
  const files = writeRunResults(dir, { provenance, summary: result.summary, tables: result.tables })
  const bytes = files.map((f) => fs.readFileSync(f))
  fs.rmSync(dir, { recursive: true })
  return bytes
}

test('determinism: one seed and configuration run twice give byte-identical result files', (t) => {
  const first = writeRun(STRESS)
  const second = writeRun(STRESS)
  t.is(first.length, 5)
  t.true(first.every((bytes, i) => bytes.equals(second[i]!)), 'run.json and every CSV identical')
  const other = writeRun({ ...STRESS, seed: 'another' })
  t.false(other[0]!.equals(first[0]!), 'another seed gives other results')
})

test('the stress run exercises loss, a healing partition and churn, and UdpCC retransmits through them', (t) => {
  const { summary } = runTrafficScenario(STRESS)
  const s = summary as any
  t.log(toDeterministicJson({ pings: s.pings, drops: s.network.drops, churn: s.churn, udpcc: s.udpcc }))
  t.true(s.network.drops.loss > 0)
  t.true(s.network.drops.partition > 0)
  t.true(s.churn.departures > 0 && s.churn.arrivals > 0)
  t.true(s.udpcc.retransmissions > 0)
  t.true(s.pings.answered + s.pings.lost <= s.pings.sent)
  t.is(s.simulatedS, 20)
})

test('without faults every ping is answered and round trips are at least the propagation round trip', (t) => {
  const { summary, tables } = runTrafficScenario({ ...DEFAULT_TRAFFIC_SCENARIO, seed: 'clean', nodes: 50, pingsPerNode: 5 })
  const s = summary as any
  t.is(s.pings.answered, 250)
  t.is(s.pings.lost, 0)
  t.is(s.roundTripExcessMs.min, 0)
  t.is(s.udpcc.retransmissions, 0)
  t.deepEqual(Object.keys(tables).sort(), ['drops', 'round-trip-cdf', 'traffic-by-node', 'traffic-by-type'])
  const types = tables['traffic-by-type']!.map((r) => r.type)
  t.true(types.includes('data') && types.includes('ack'), `types: ${types.join(', ')}`)
})

test('bad configurations are refused with the field named', (t) => {
  t.throws(() => runTrafficScenario({ ...DEFAULT_TRAFFIC_SCENARIO, nodes: 1 }), { message: /nodes must be at least 2/ })
  t.throws(() => runTrafficScenario({ ...DEFAULT_TRAFFIC_SCENARIO, lossProbability: 1.5 }), { message: /loss must be in \[0, 1\]/ })
  t.throws(() => runTrafficScenario({ ...DEFAULT_TRAFFIC_SCENARIO, churn: STRESS.churn }), { message: /churn needs a duration/ })
  t.throws(() => runTrafficScenario({ ...DEFAULT_TRAFFIC_SCENARIO, latencyFile: '/nonexistent/king.top' }), { message: /\/nonexistent\/king.top/ })
})

/**
 * Bamboo's churn experiment in the simulator: N overlay nodes join, warm up, then run under
 * Poisson churn (a departed node is replaced at once by a fresh node with a new identity) while
 * groups of nodes look up one random key at the same moment. It reports the share of consistent
 * lookups (agreeing with their group's majority root) and of correct ones (the true root when issued or when answered), lookup
 * latency, hops and stretch against the direct RTT, maintenance bytes/s/node by message type,
 * and — once churn stops — how long until every leaf set and lookup is correct again. The same
 * configuration and seed give the same results; wall time is the caller's business.
 */
import { scenarioModel } from '../net/models/scenario-model.ts'
import { Churn } from '../churn/churn.ts'
import { exponentialSessions, paretoSessions } from '../churn/session-times.ts'
import { checkLeafSets } from '../checkers/routing-checker.ts'
import { SimMetrics } from '../metrics/sim-metrics.ts'
import type { TypeTrafficRow } from '../metrics/traffic.ts'
import type { InputFile } from '../net/network-model.ts'
import { OverlayWorld, type LookupOutcome, type SimTransportKind } from '../overlay/overlay-world.ts'
import type { RunStatus } from '../world.ts'
import { bytesToBigUint } from '../../src/ids/sha1.ts'
import type { DigitBase } from '../../src/ids/digits.ts'
import type { Id } from '../../src/ids/node-id.ts'

export interface ChurnScenarioConfig {
  seed: string
  nodes: number
  latencyFile: string | null
  latencyValues: 'rtt' | 'one-way'
  digitBase: DigitBase
  leafSetSizePerSide: number
  /** Median session time, s; null = no churn. */
  sessionMedianS: number | null
  sessions: 'exponential' | 'pareto'
  /** Gap between joins while the ring is built, ms. */
  joinSpacingMs: number
  /** Quiet time after the last join before measuring, s. */
  warmupS: number
  /** Measured time with churn and lookups, s. */
  durationS: number
  /** A lookup group every this many seconds. */
  lookupIntervalS: number
  /** Nodes in each group (all look up the same key at the same moment). */
  lookupGroup: number
  /** 'udpcc' (every ack and retransmission simulated) or 'message' (Bamboo's simulator's level; faster). */
  transport: SimTransportKind
  /** After churn stops, watch up to this long for every leaf set and lookup to be correct, s; 0 = skip. */
  settleS: number
}

export const DEFAULT_CHURN_SCENARIO: ChurnScenarioConfig = {
  seed: '1', nodes: 100, latencyFile: null, latencyValues: 'rtt', digitBase: 16, leafSetSizePerSide: 4,
  sessionMedianS: null, sessions: 'exponential', joinSpacingMs: 100, warmupS: 120, durationS: 300,
  lookupIntervalS: 1, lookupGroup: 10, transport: 'udpcc', settleS: 300
}

export interface ChurnScenarioResult {
  summary: Record<string, unknown>
  tables: Record<string, Array<Record<string, unknown>>>
  inputs: InputFile[]
}

const UDP_IP_HEADER_BYTES = 28

export function runChurnScenario (config: ChurnScenarioConfig, progress?: (status: RunStatus) => void): ChurnScenarioResult {
  checkChurnConfig(config)
  const inputs: InputFile[] = []
  const model = scenarioModel(config, inputs)
  const metrics = new SimMetrics()
  const hops = new Map<string, number>()
  const overlay = new OverlayWorld({
    seed: config.seed,
    model,
    overlay: { digitBase: config.digitBase, leafSetSizePerSide: config.leafSetSizePerSide },
    transport: config.transport,
    observer: () => ({
      onRouteStep: (message, delivered) => {
        if (delivered || message.payload.type !== 'LookupReqPayload') return
        const key = `${message.src}:${message.dest}`
        hops.set(key, (hops.get(key) ?? 0) + 1)
      }
    })
  })
  const { world } = overlay
  world.network.observe(metrics.traffic)
  overlay.populate(config.nodes, config.joinSpacingMs * 1000)
  const measureFromUs = config.nodes * config.joinSpacingMs * 1000 + config.warmupS * 1e6
  const measureUntilUs = measureFromUs + config.durationS * 1e6
  world.run({ untilUs: measureFromUs, progress })
  const trafficBefore = metrics.traffic.byType()
  const churn = startChurn(overlay, config, measureUntilUs)
  const outcomes: LookupOutcome[] = []
  const groups: LookupOutcome[][] = []
  scheduleLookups(overlay, config, measureUntilUs, hops, outcomes, groups)
  world.run({ untilUs: measureUntilUs, progress })
  const trafficAfter = metrics.traffic.byType()
  world.run({ untilUs: measureUntilUs + 35e6, progress }) // let the last lookups answer or time out
  const settle = config.settleS > 0 ? settleCheck(overlay, config, progress) : null
  return {
    summary: {
      model: model.name,
      nodes: config.nodes,
      events: world.queue.executed,
      simulatedS: world.nowUs / 1e6,
      traceHash: world.queue.traceHash,
      churn: churn === null ? null : churn.stats,
      lookups: lookupSummary(outcomes, groups, hops, metrics),
      maintenance: maintenanceSummary(trafficBefore, trafficAfter, config),
      settle
    },
    tables: { 'traffic-by-type': diffTraffic(trafficBefore, trafficAfter) as unknown as Array<Record<string, unknown>> },
    inputs
  }
}


function startChurn (overlay: OverlayWorld, config: ChurnScenarioConfig, untilUs: number): Churn | null {
  if (config.sessionMedianS === null) return null
  const medianUs = config.sessionMedianS * 1e6
  const sessions = config.sessions === 'pareto' ? paretoSessions({ medianUs }) : exponentialSessions({ medianUs })
  const churn = new Churn(overlay.world, { sessions, mode: 'replace', untilUs }, (departed) => overlay.replace(departed))
  churn.start(overlay.world.upNodes())
  return churn
}

function randomKey (overlay: OverlayWorld): Id {
  return bytesToBigUint(overlay.world.rng.bytes(20))
}

function scheduleLookups (overlay: OverlayWorld, config: ChurnScenarioConfig, untilUs: number, hops: Map<string, number>,
  outcomes: LookupOutcome[], groups: LookupOutcome[][]): void {
  const { world } = overlay
  const tick = (): void => {
    if (world.nowUs >= untilUs) return
    const joined = overlay.joinedNodes()
    const sources: number[] = []
    for (let i = 0; i < config.lookupGroup && joined.length > 0; i++) sources.push(joined.splice(world.rng.int(joined.length), 1)[0]!)
    const group: LookupOutcome[] = []
    groups.push(group)
    overlay.lookupFrom(sources, randomKey(overlay), (outcome) => { group.push(outcome); outcomes.push(outcome) })
    world.after(config.lookupIntervalS * 1e6, tick)
  }
  world.after(0, tick)
}

function lookupSummary (outcomes: LookupOutcome[], groups: LookupOutcome[][], hops: Map<string, number>, metrics: SimMetrics) {
  const latency = metrics.histogram('lookup-latency-ms')
  const hopCount = metrics.histogram('lookup-hops')
  const stretch = metrics.histogram('lookup-stretch')
  let consistent = 0
  let correct = 0
  let timedOut = 0
  for (const group of groups) {
    const votes = new Map<Id, number>()
    for (const o of group) if (o.ownerGuid !== null) votes.set(o.ownerGuid, (votes.get(o.ownerGuid) ?? 0) + 1)
    consistent += Math.max(0, ...votes.values())
  }
  for (const o of outcomes) {
    if (o.ownerGuid === null) { timedOut++; continue }
    if (o.ownerGuid === o.trueRootGuid || o.ownerGuid === o.trueRootAtAnswerGuid) correct++
    latency.record(o.latencyUs / 1000)
    hopCount.record(hops.get(`${o.sourceGuid}:${o.key}`) ?? 0)
    if (o.directRttUs > 0) stretch.record(o.latencyUs / o.directRttUs)
  }
  const issued = outcomes.length
  return {
    issued,
    consistentShare: issued === 0 ? null : consistent / issued,
    correctShare: issued === 0 ? null : correct / issued,
    timedOut,
    latencyMs: latency.summary([0.5, 0.9, 0.99]),
    hops: hopCount.summary([0.5, 0.9, 0.99]),
    stretch: stretch.summary([0.5, 0.9, 0.99])
  }
}

function diffTraffic (before: TypeTrafficRow[], after: TypeTrafficRow[]): TypeTrafficRow[] {
  const base = new Map(before.map((r) => [r.type, r]))
  return after.map((r) => {
    const b = base.get(r.type)
    return { type: r.type, datagrams: r.datagrams - (b?.datagrams ?? 0), bytes: r.bytes - (b?.bytes ?? 0), delivered: r.delivered - (b?.delivered ?? 0), dropped: r.dropped - (b?.dropped ?? 0) }
  }).filter((r) => r.datagrams > 0)
}

function maintenanceSummary (before: TypeTrafficRow[], after: TypeTrafficRow[], config: ChurnScenarioConfig) {
  const rows = diffTraffic(before, after)
  const perNodeS = config.nodes * config.durationS
  const byType: Record<string, number> = {}
  let wireBytes = 0
  for (const r of rows) {
    const bytes = r.bytes + r.datagrams * UDP_IP_HEADER_BYTES
    byType[r.type] = Math.round(bytes / perNodeS)
    wireBytes += bytes
  }
  return { bytesPerSecondPerNode: wireBytes / perNodeS, datagramsPerSecondPerNode: rows.reduce((s, r) => s + r.datagrams, 0) / perNodeS, byType }
}

function settleCheck (overlay: OverlayWorld, config: ChurnScenarioConfig, progress?: (status: RunStatus) => void) {
  const { world } = overlay
  const startUs = world.nowUs
  for (let s = 10; s <= config.settleS; s += 10) {
    world.run({ untilUs: startUs + s * 1e6, progress })
    const report = checkLeafSets(overlay.liveOverlayNodes())
    if (report.correct === report.nodes) return { leafSetsCorrectAfterS: s, nodes: report.nodes, lookupsAfter: settledLookups(overlay, progress) }
  }
  const report = checkLeafSets(overlay.liveOverlayNodes())
  return { leafSetsCorrectAfterS: null, correct: report.correct, nodes: report.nodes, examples: report.examples }
}

/** Once leaf sets are correct: 10 keys looked up from up to 20 nodes each, judged against the true root. */
function settledLookups (overlay: OverlayWorld, progress?: (status: RunStatus) => void) {
  const { world } = overlay
  const joined = overlay.joinedNodes()
  const sources = joined.slice(0, 20)
  let issued = 0
  let correct = 0
  for (let k = 0; k < 10; k++) {
    overlay.lookupFrom(sources, randomKey(overlay), (o) => { issued++; if (o.ownerGuid === o.trueRootGuid) correct++ })
  }
  world.run({ untilUs: world.nowUs + 35e6, progress })
  return { issued, correct }
}

export function checkChurnConfig (config: ChurnScenarioConfig): void {
  if (!(Number.isInteger(config.nodes) && config.nodes >= 2)) throw new RangeError(`nodes must be an integer ≥ 2, got ${config.nodes}`)
  if (config.transport !== 'udpcc' && config.transport !== 'message') throw new RangeError(`transport must be udpcc or message, got ${String(config.transport)}`)
  if (!(config.durationS > 0)) throw new RangeError(`duration must be > 0, got ${config.durationS}`)
  if (config.sessionMedianS !== null && !(config.sessionMedianS > 0)) throw new RangeError(`session median must be > 0, got ${config.sessionMedianS}`)
  if (!(Number.isInteger(config.leafSetSizePerSide) && config.leafSetSizePerSide >= 1)) throw new RangeError(`leaf set must be ≥ 1, got ${config.leafSetSizePerSide}`)
  if (!(Number.isInteger(config.lookupGroup) && config.lookupGroup >= 1)) throw new RangeError(`lookup group must be ≥ 1, got ${config.lookupGroup}`)
  if (!(config.lookupIntervalS > 0)) throw new RangeError(`lookup interval must be > 0, got ${config.lookupIntervalS}`)
}

/**
 * The UdpCC traffic scenario: N simulated nodes on a wide-area model run the ping-pong workload
 * under the configured access links, loss, partition and churn, and the run yields a summary and
 * tables (traffic by type and node, drops, round-trip CDF) ready for `writeRunResults`. One typed
 * configuration object with units; every random draw derives from its seed, so the same
 * configuration gives byte-identical results. Never reads wall time; progress goes to a callback.
 */
import { scenarioModel } from '../net/models/scenario-model.ts'
import { exponentialSessions, fileSessions, paretoSessions, type SessionTimes } from '../churn/session-times.ts'
import { Churn } from '../churn/churn.ts'
import { SimMetrics } from '../metrics/sim-metrics.ts'
import type { InputFile, NetworkModel } from '../net/network-model.ts'
import type { NetworkRule } from '../net/rules.ts'
import { PingPongWorkload } from '../workload/udpcc-pingpong.ts'
import { World, type RunStatus } from '../world.ts'
import { readFileSync } from 'node:fs'
import { hashInputFile } from '../metrics/provenance.ts'

export interface TrafficScenarioConfig {
  seed: string
  nodes: number
  /** A King/p2psim, plain-matrix or OverSim file; null = the synthetic model. */
  latencyFile: string | null
  /** How matrix values are read. */
  latencyValues: 'rtt' | 'one-way'
  /** Hosts of the synthetic model (ignored with a latency file). */
  syntheticHosts: number
  pingsPerNode: number
  intervalMs: number
  payloadBytes: number
  peers: 'fixed' | 'random'
  timeoutMs: number
  /** Access-link rates, Mbit/s; null = unlimited. */
  uplinkMbps: number | null
  downlinkMbps: number | null
  lossProbability: number
  /** Cut the first `fraction` of nodes off from the rest between fromS and untilS. */
  partition: { fraction: number, fromS: number, untilS: number } | null
  /** Crash-and-restart churn; needs `durationS`. */
  churn: { sessions: 'exponential' | 'pareto' | { file: string }, sessionMedianS: number, downtimeMedianS: number } | null
  /** Stop at this simulated time, s; null = when every ping is answered or given up. */
  durationS: number | null
}

export const DEFAULT_TRAFFIC_SCENARIO: TrafficScenarioConfig = {
  seed: '1',
  nodes: 100,
  latencyFile: null,
  latencyValues: 'rtt',
  syntheticHosts: 128,
  pingsPerNode: 20,
  intervalMs: 1000,
  payloadBytes: 64,
  peers: 'random',
  timeoutMs: 30_000,
  uplinkMbps: null,
  downlinkMbps: null,
  lossProbability: 0,
  partition: null,
  churn: null,
  durationS: null
}

export interface ScenarioResult {
  summary: Record<string, unknown>
  tables: Record<string, Array<Record<string, unknown>>>
  inputs: InputFile[]
}

export function runTrafficScenario (config: TrafficScenarioConfig, progress?: (status: RunStatus) => void): ScenarioResult {
  checkConfig(config)
  const inputs: InputFile[] = []
  const model = scenarioModel(config, inputs)
  const metrics = new SimMetrics()
  const world = new World({
    seed: config.seed,
    model,
    network: {
      uplinkBitsPerSecond: config.uplinkMbps === null ? Infinity : config.uplinkMbps * 1e6,
      downlinkBitsPerSecond: config.downlinkMbps === null ? Infinity : config.downlinkMbps * 1e6,
      rules: networkRules(config)
    }
  })
  world.network.observe(metrics.traffic)
  const roundTrip = metrics.histogram('round-trip-ms')
  const excess = metrics.histogram('round-trip-excess-ms')
  const workload = new PingPongWorkload(world, {
    recordRoundTrip: (_source, _target, rttUs, propagationUs) => {
      roundTrip.record(rttUs / 1000)
      excess.record((rttUs - propagationUs) / 1000)
    }
  }, { pingsPerNode: config.pingsPerNode, intervalMs: config.intervalMs, payloadBytes: config.payloadBytes, peers: config.peers, timeoutMs: config.timeoutMs })
  for (let i = 0; i < config.nodes; i++) world.addNode({ factory: workload.factory })
  for (let i = 0; i < config.nodes; i++) world.start(i)
  const churn = startChurn(world, config, inputs)
  const status = config.durationS === null
    ? world.run({ done: () => workload.done(), progress })
    : world.run({ untilUs: config.durationS * 1e6, progress })
  return {
    summary: summarize(config, world, model, workload, metrics, status, churn),
    tables: {
      'traffic-by-type': metrics.traffic.byType() as unknown as Array<Record<string, unknown>>,
      'traffic-by-node': metrics.traffic.byNode(config.nodes) as unknown as Array<Record<string, unknown>>,
      drops: metrics.traffic.drops() as unknown as Array<Record<string, unknown>>,
      'round-trip-cdf': roundTrip.cdf(200) as unknown as Array<Record<string, unknown>>
    },
    inputs
  }
}

function summarize (config: TrafficScenarioConfig, world: World, model: NetworkModel, workload: PingPongWorkload,
  metrics: SimMetrics, status: RunStatus, churn: Churn | null): Record<string, unknown> {
  const udpcc = workload.udpccTotals()
  const simulatedS = status.nowUs / 1e6
  return {
    model: model.name,
    nodes: config.nodes,
    simulatedS,
    events: status.executed,
    traceHash: world.queue.traceHash,
    pings: { sent: workload.pingsSent, answered: workload.pongsReceived, lost: workload.lostPings, failedSends: workload.failedSends },
    roundTripMs: metrics.histogram('round-trip-ms').summary([0.5, 0.9, 0.99]),
    roundTripExcessMs: metrics.histogram('round-trip-excess-ms').summary([0.5, 0.9, 0.99]),
    udpcc: {
      messages: udpcc.sentMessages,
      retransmissions: udpcc.retransmissions,
      timeouts: udpcc.timeouts,
      acked: udpcc.acked,
      failed: udpcc.failed,
      pureAcks: udpcc.sentPureAcks,
      duplicates: udpcc.duplicates
    },
    network: {
      sent: world.network.stats.sent,
      delivered: world.network.stats.delivered,
      drops: Object.fromEntries([...world.network.stats.dropsByReason].sort(([a], [b]) => (a < b ? -1 : 1)))
    },
    bytesPerSecondPerNode: simulatedS > 0 ? metrics.traffic.bytesPerSecondPerNode(status.nowUs, config.nodes) : 0,
    churn: churn === null ? null : { ...churn.stats, nodesUpAtEnd: status.nodesUp }
  }
}


function networkRules (config: TrafficScenarioConfig): NetworkRule[] {
  const rules: NetworkRule[] = []
  if (config.partition !== null) {
    const sideCount = Math.round(config.partition.fraction * config.nodes)
    rules.push({ kind: 'partition', side: Array.from({ length: sideCount }, (_, i) => i), fromUs: config.partition.fromS * 1e6, untilUs: config.partition.untilS * 1e6 })
  }
  if (config.lossProbability > 0) rules.push({ kind: 'loss', probability: config.lossProbability })
  return rules
}

function startChurn (world: World, config: TrafficScenarioConfig, inputs: InputFile[]): Churn | null {
  if (config.churn === null) return null
  const { churn } = config
  const sessions = sessionTimes(churn.sessions, churn.sessionMedianS * 1e6, inputs)
  const churner = new Churn(world, { sessions, mode: 'restart', downtimes: exponentialSessions({ medianUs: churn.downtimeMedianS * 1e6 }) })
  churner.start(world.upNodes())
  return churner
}

function sessionTimes (kind: 'exponential' | 'pareto' | { file: string }, medianUs: number, inputs: InputFile[]): SessionTimes {
  if (kind === 'exponential') return exponentialSessions({ medianUs })
  if (kind === 'pareto') return paretoSessions({ medianUs })
  inputs.push(hashInputFile(kind.file))
  return fileSessions(readFileSync(kind.file, 'utf8'), kind.file)
}

/** RangeError naming the first bad field. */
export function checkConfig (config: TrafficScenarioConfig): void {
  const positiveInt = (name: string, v: number): void => { if (!(Number.isInteger(v) && v > 0)) throw new RangeError(`${name} must be a positive integer, got ${v}`) }
  positiveInt('nodes', config.nodes)
  positiveInt('pingsPerNode', config.pingsPerNode)
  positiveInt('syntheticHosts', config.syntheticHosts)
  if (config.nodes < 2) throw new RangeError('nodes must be at least 2')
  if (!(config.intervalMs > 0)) throw new RangeError(`intervalMs must be > 0, got ${config.intervalMs}`)
  if (!(config.timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, got ${config.timeoutMs}`)
  if (!(config.lossProbability >= 0 && config.lossProbability <= 1)) throw new RangeError(`loss must be in [0, 1], got ${config.lossProbability}`)
  for (const [name, v] of [['uplinkMbps', config.uplinkMbps], ['downlinkMbps', config.downlinkMbps]] as const) {
    if (v !== null && !(v > 0)) throw new RangeError(`${name} must be > 0, got ${v}`)
  }
  if (config.durationS !== null && !(config.durationS > 0)) throw new RangeError(`duration must be > 0, got ${config.durationS}`)
  if (config.churn !== null && config.durationS === null) throw new RangeError('churn needs a duration (a crashed node\'s pings never resolve)')
  if (config.partition !== null) {
    const { fraction, fromS, untilS } = config.partition
    if (!(fraction > 0 && fraction < 1)) throw new RangeError(`partition fraction must be in (0, 1), got ${fraction}`)
    if (!(untilS > fromS && fromS >= 0)) throw new RangeError(`partition must end after it starts, got ${fromS}–${untilS} s`)
  }
}

/**
 * `xest sim traffic`: turns flags into a TrafficScenarioConfig, runs it with terminal progress,
 * writes run.json and CSV tables with provenance, and prints the summary.
 */
import path from 'node:path'
import { parseDuration } from '../../../../sim/churn/session-times.ts'
import { buildProvenance } from '../../../../sim/metrics/provenance.ts'
import { toDeterministicJson, writeRunResults } from '../../../../sim/metrics/report.ts'
import { runTrafficScenario, type TrafficScenarioConfig } from '../../../../sim/scenarios/traffic-scenario.ts'
import { UsageError } from '../../handle-errors.ts'
import { terminalProgress } from '../../progress.ts'
import type { TrafficArgs } from './command.ts'

const REPO = path.resolve(import.meta.dirname, '../../../..')

export async function runSimTraffic (args: TrafficArgs): Promise<void> {
  const config = trafficConfig(args)
  const progress = terminalProgress('sim traffic')
  const startedMs = performance.now()
  let result
  try {
    result = runTrafficScenario(config, progress.update)
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message)
    throw error
  } finally {
    progress.done()
  }
  const wallS = (performance.now() - startedMs) / 1000
  const out = args.out ?? path.join('results', `sim-traffic-seed${config.seed}`)
  const provenance = buildProvenance(REPO, { seed: config.seed, config, inputs: result.inputs, command: ['sim', 'traffic', ...process.argv.slice(4)] })
  const files = writeRunResults(out, { provenance, summary: result.summary, tables: result.tables })
  if (args.json) {
    process.stdout.write(toDeterministicJson(result.summary) + '\n')
  } else {
    const s = result.summary as any
    process.stdout.write([
      `model ${s.model}; ${s.nodes} nodes; ${s.simulatedS.toFixed(1)} s simulated; ${s.events.toLocaleString('en')} events; trace ${s.traceHash}`,
      `pings ${s.pings.sent} sent, ${s.pings.answered} answered, ${s.pings.lost} lost`,
      `round trip ms: median ${fmt(s.roundTripMs.p50)}, p90 ${fmt(s.roundTripMs.p90)}, p99 ${fmt(s.roundTripMs.p99)}; excess over propagation: median ${fmt(s.roundTripExcessMs.p50)}, p99 ${fmt(s.roundTripExcessMs.p99)}`,
      `UdpCC: ${s.udpcc.messages} messages, ${s.udpcc.retransmissions} retransmissions, ${s.udpcc.failed} failed; network drops ${JSON.stringify(s.network.drops)}`,
      `${Math.round(s.bytesPerSecondPerNode)} bytes/s per node`,
      ''
    ].join('\n'))
  }
  process.stderr.write(`results: ${files[0]} (+${files.length - 1} CSV) in ${wallS.toFixed(1)} s wall\n`)
}

function fmt (x: number | null): string {
  return x === null ? '-' : x.toFixed(1)
}

function duration (flag: string, text: string): number {
  try {
    return parseDuration(text)
  } catch (error) {
    throw new UsageError(`--${flag}: ${(error as Error).message}`)
  }
}

function trafficConfig (args: TrafficArgs): TrafficScenarioConfig {
  const sessions: 'exponential' | 'pareto' | { file: string } = args.sessions === 'exponential' || args.sessions === 'pareto' ? args.sessions : { file: args.sessions }
  const churn = args.sessionMedian === undefined
    ? null
    : {
        sessions,
        sessionMedianS: duration('session-median', args.sessionMedian) / 1e6,
        downtimeMedianS: duration('downtime-median', args.downtimeMedian) / 1e6
      }
  return {
    seed: args.seed,
    nodes: args.nodes,
    latencyFile: args.latency ?? null,
    latencyValues: args.latencyValues,
    syntheticHosts: args.hosts,
    pingsPerNode: args.pings,
    intervalMs: duration('interval', args.interval) / 1000,
    payloadBytes: args.payload,
    peers: args.peers,
    timeoutMs: duration('timeout', args.timeout) / 1000,
    uplinkMbps: args.uplinkMbps ?? null,
    downlinkMbps: args.downlinkMbps ?? null,
    lossProbability: args.loss,
    partition: args.partition === undefined ? null : parsePartition(args.partition),
    churn,
    durationS: args.duration === undefined ? null : duration('duration', args.duration) / 1e6
  }
}

function parsePartition (text: string): { fraction: number, fromS: number, untilS: number } {
  const m = /^([0-9.]+):([^-]+)-(.+)$/.exec(text)
  if (m === null) throw new UsageError(`--partition: expected FRACTION:FROM-UNTIL (e.g. 0.5:10s-40s), got "${text}"`)
  return { fraction: Number(m[1]), fromS: duration('partition', m[2]!) / 1e6, untilS: duration('partition', m[3]!) / 1e6 }
}

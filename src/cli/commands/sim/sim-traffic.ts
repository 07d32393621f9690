/**
 * `xest sim traffic`: turns flags into a TrafficScenarioConfig, runs it with terminal progress,
 * writes run.json and CSV tables with provenance, and prints the summary.
 */
import { toDeterministicJson } from '../../../../sim/metrics/report.ts'
import { runTrafficScenario, type TrafficScenarioConfig } from '../../../../sim/scenarios/traffic-scenario.ts'
import { UsageError } from '../../handle-errors.ts'
import { flagDurationUs, runScenario } from './run-scenario.ts'
import type { TrafficArgs } from './command.ts'

export async function runSimTraffic (args: TrafficArgs): Promise<void> {
  const config = trafficConfig(args)
  const { result, wallS, files } = runScenario('traffic', config, args.out, runTrafficScenario)
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

function trafficConfig (args: TrafficArgs): TrafficScenarioConfig {
  const sessions: 'exponential' | 'pareto' | { file: string } = args.sessions === 'exponential' || args.sessions === 'pareto' ? args.sessions : { file: args.sessions }
  const churn = args.sessionMedian === undefined
    ? null
    : {
        sessions,
        sessionMedianS: flagDurationUs('session-median', args.sessionMedian) / 1e6,
        downtimeMedianS: flagDurationUs('downtime-median', args.downtimeMedian) / 1e6
      }
  return {
    seed: args.seed,
    nodes: args.nodes,
    latencyFile: args.latency ?? null,
    latencyValues: args.latencyValues,
    syntheticHosts: args.hosts,
    pingsPerNode: args.pings,
    intervalMs: flagDurationUs('interval', args.interval) / 1000,
    payloadBytes: args.payload,
    peers: args.peers,
    timeoutMs: flagDurationUs('timeout', args.timeout) / 1000,
    uplinkMbps: args.uplinkMbps ?? null,
    downlinkMbps: args.downlinkMbps ?? null,
    lossProbability: args.loss,
    partition: args.partition === undefined ? null : parsePartition(args.partition),
    churn,
    durationS: args.duration === undefined ? null : flagDurationUs('duration', args.duration) / 1e6
  }
}

function parsePartition (text: string): { fraction: number, fromS: number, untilS: number } {
  const m = /^([0-9.]+):([^-]+)-(.+)$/.exec(text)
  if (m === null) throw new UsageError(`--partition: expected FRACTION:FROM-UNTIL (e.g. 0.5:10s-40s), got "${text}"`)
  return { fraction: Number(m[1]), fromS: flagDurationUs('partition', m[2]!) / 1e6, untilS: flagDurationUs('partition', m[3]!) / 1e6 }
}

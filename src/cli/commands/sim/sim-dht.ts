/**
 * `xest sim dht`: flags to a DhtScenarioConfig, a run with terminal progress, results with
 * provenance under results/, and the headline figures printed.
 */
import { toDeterministicJson } from '../../../../sim/metrics/report.ts'
import { runDhtScenario, type DhtScenarioConfig } from '../../../../sim/scenarios/dht-scenario.ts'
import type { DhtArgs } from './dht-command.ts'
import { flagDurationUs, runScenario } from './run-scenario.ts'

export async function runSimDht (args: DhtArgs): Promise<void> {
  const seconds = (flag: string, text: string): number => flagDurationUs(flag, text) / 1e6
  const config: DhtScenarioConfig = {
    seed: args.seed,
    nodes: args.nodes,
    latencyFile: args.latency ?? null,
    latencyValues: args.latencyValues,
    sessionMedianS: args.sessionMedian === undefined || args.sessionMedian === 'none' ? null : seconds('session-median', args.sessionMedian),
    joinSpacingMs: seconds('join-spacing', args.joinSpacing) * 1000,
    warmupS: seconds('warmup', args.warmup),
    durationS: seconds('duration', args.duration),
    putsPerS: args.putRate,
    getsPerS: args.getRate,
    ttlS: seconds('ttl', args.ttl),
    valueBytes: args.valueBytes,
    delayAwareGets: args.delayAware,
    redundantReads: args.redundantReads,
    getHopRttMultiple: args.hopRttMultiple
  }
  const { result, wallS, out } = runScenario('dht', config, args.out, runDhtScenario)
  const s = result.summary
  const peakRssMiB = process.resourceUsage().maxRSS / 1024
  if (args.json) {
    process.stdout.write(toDeterministicJson({ ...s, wallS, peakRssMiB }) + '\n')
  } else {
    const ms = (x: number | null): string => x === null ? '-' : x.toFixed(0)
    process.stdout.write([
      `model ${s.model}; ${s.nodes} nodes; churn ${s.churn === null ? 'none' : `${s.churn.departures} departures`}; gets ${s.getMode}`,
      `puts ${s.puts.issued}: ok ${s.puts.ok}, cap ${s.puts.cap}, again ${s.puts.again}`,
      `gets ${s.gets.issued}: found ${s.gets.found}, missed ${s.gets.missed}; latency ms median ${ms(s.gets.latencyMs.median)}, p90 ${ms(s.gets.latencyMs.p90)}, p99 ${ms(s.gets.latencyMs.p99)}`,
      `final check of acknowledged puts: ${s.finalCheck.found}/${s.finalCheck.checked} read back (${s.finalCheck.lost} lost)`,
      `${s.events.toLocaleString('en')} events, ${s.simulatedS.toFixed(0)} simulated s in ${wallS.toFixed(1)} s wall, peak RSS ${peakRssMiB.toFixed(0)} MiB`,
      ''
    ].join('\n'))
  }
  process.stderr.write(`results: ${out}\n`)
}

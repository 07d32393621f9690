/**
 * `xest sim churn`: flags to a ChurnScenarioConfig, a run with terminal progress, results with
 * provenance under results/, and the headline figures (with wall time and events/s) printed.
 */
import { toDeterministicJson } from '../../../../sim/metrics/report.ts'
import { runChurnScenario, type ChurnScenarioConfig } from '../../../../sim/scenarios/churn-scenario.ts'
import { isDigitBase } from '../../../ids/digits.ts'
import { UsageError } from '../../handle-errors.ts'
import { flagDurationUs, runScenario } from './run-scenario.ts'
import type { ChurnArgs } from './command.ts'

export async function runSimChurn (args: ChurnArgs): Promise<void> {
  const config = churnConfig(args)
  const { result, wallS, out } = runScenario('churn', config, args.out, runChurnScenario)
  const s = result.summary as any
  const peakRssMiB = process.resourceUsage().maxRSS / 1024
  if (args.json) {
    process.stdout.write(toDeterministicJson({ ...s, wallS, eventsPerS: s.events / wallS, peakRssMiB }) + '\n')
  } else {
    const pct = (x: number | null): string => x === null ? '-' : `${(100 * x).toFixed(2)} %`
    process.stdout.write([
      `model ${s.model}; ${s.nodes} nodes; churn ${s.churn === null ? 'none' : `${s.churn.departures} departures`}`,
      `lookups ${s.lookups.issued}: consistent ${pct(s.lookups.consistentShare)}, correct ${pct(s.lookups.correctShare)}, timed out ${s.lookups.timedOut}`,
      `latency ms mean ${s.lookups.latencyMs.mean?.toFixed(0)}, median ${s.lookups.latencyMs.p50?.toFixed(0)}, p99 ${s.lookups.latencyMs.p99?.toFixed(0)}; hops mean ${s.lookups.hops.mean?.toFixed(2)}, p90 ${s.lookups.hops.p90}; stretch median ${s.lookups.stretch.p50?.toFixed(2)}`,
      `maintenance ${s.maintenance.bytesPerSecondPerNode.toFixed(0)} bytes/s/node (${s.maintenance.datagramsPerSecondPerNode.toFixed(1)} datagrams/s)`,
      `settle: ${s.settle === null ? 'skipped' : s.settle.leafSetsCorrectAfterS === null ? 'leaf sets NOT all correct' : `every leaf set correct ${s.settle.leafSetsCorrectAfterS} s after churn stopped; then ${s.settle.lookupsAfter.correct}/${s.settle.lookupsAfter.issued} lookups correct`}`,
      `${s.events.toLocaleString('en')} events, ${s.simulatedS.toFixed(0)} simulated s in ${wallS.toFixed(1)} s wall (${(s.events / wallS / 1e6).toFixed(2)} M events/s), peak RSS ${peakRssMiB.toFixed(0)} MiB`,
      ''
    ].join('\n'))
  }
  process.stderr.write(`results: ${out}\n`)
}

function seconds (flag: string, text: string): number {
  return flagDurationUs(flag, text) / 1e6
}

function churnConfig (args: ChurnArgs): ChurnScenarioConfig {
  if (!isDigitBase(args.base)) throw new UsageError(`--base must be 2, 4, 16 or 256, got ${args.base}`)
  return {
    seed: args.seed,
    nodes: args.nodes,
    latencyFile: args.latency ?? null,
    latencyValues: args.latencyValues,
    digitBase: args.base,
    leafSetSizePerSide: args.leafSet,
    sessionMedianS: args.sessionMedian === undefined ? null : seconds('session-median', args.sessionMedian),
    sessions: args.sessions,
    joinSpacingMs: seconds('join-spacing', args.joinSpacing) * 1000,
    warmupS: seconds('warmup', args.warmup),
    durationS: seconds('duration', args.duration),
    lookupIntervalS: seconds('lookup-interval', args.lookupInterval),
    lookupGroup: args.lookupGroup,
    transport: args.transport,
    settleS: seconds('settle', args.settle)
  }
}

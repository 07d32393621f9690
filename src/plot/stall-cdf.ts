/**
 * Figure: the distribution (CDF) of per-read stall time, one line per policy, on a log time
 * axis. Reads that did not stall (and stalls under 0.01 ms) are drawn at 0.01 ms, as the axis
 * title says, so the curve's rise at the left edge is the share of reads that never waited.
 * Builds a Vega-Lite spec only; never renders or writes.
 */
import type { TopLevelSpec } from 'vega-lite'
import type { RunResult } from './run-results.ts'
import { runCaption } from './run-params.ts'
import { policyColours, policyLabel } from './theme.ts'

/** Stalls below this are drawn at it (a log axis has no zero). */
export const CDF_FLOOR_MS = 0.01

/** Tick values at whole decades from the floor up to `maxMs`. */
function decades (maxMs: number): number[] {
  const ticks: number[] = []
  for (let exp = Math.round(Math.log10(CDF_FLOOR_MS)); 10 ** exp <= maxMs; exp++) ticks.push(Number((10 ** exp).toPrecision(1)))
  return ticks
}

export function stallCdfSpec (run: RunResult): TopLevelSpec {
  const policies = run.summary.policies
  const labels = policies.map((p) => policyLabel(p.policy))
  const points = policies.flatMap((p) => p.stallCdf.map((q) => ({
    policy: policyLabel(p.policy), fraction: q.fraction, stallMs: Math.max(CDF_FLOOR_MS, q.stall_ms)
  })))
  const maxMs = Math.max(1, ...points.map((p) => p.stallMs))
  const zeroShares = policies.map((p) => {
    const zero = p.stallCdf.filter((q) => q.stall_ms < CDF_FLOOR_MS).map((q) => q.fraction)
    return `${policyLabel(p.policy)} ${zero.length === 0 ? '< 1' : (100 * Math.max(...zero)).toFixed(0)} %`
  })
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Stall time per read: cumulative distribution by policy',
      subtitle: [runCaption(run), `reads that never waited (drawn at ${CDF_FLOOR_MS} ms): ${zeroShares.join(', ')}`]
    },
    width: 520,
    height: 320,
    data: { values: points },
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2, clip: true },
    encoding: {
      x: {
        field: 'stallMs', type: 'quantitative',
        title: `Stall per read (ms, log scale; no stall drawn at ${CDF_FLOOR_MS} ms)`,
        scale: { type: 'log', domain: [CDF_FLOOR_MS / 1.6, maxMs * 1.6], nice: false },
        axis: { values: decades(maxMs * 1.6), format: '~g' }
      },
      y: { field: 'fraction', type: 'quantitative', title: 'Fraction of reads with at most this stall', scale: { domain: [0, 1] }, axis: { format: '.0%' } },
      color: {
        field: 'policy', type: 'nominal', sort: labels, title: 'Policy',
        scale: { domain: labels, range: policyColours(policies.map((p) => p.policy)) },
        legend: { orient: 'right' }
      },
      order: { field: 'fraction' }
    }
  } as TopLevelSpec
}

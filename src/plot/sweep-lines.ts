/**
 * Figure for several runs (a sweep): miss rate and unnecessary bytes (share of bytes fetched)
 * against one parameter (group size cap, n, …), as points joined by one line per combination of
 * the other parameters that vary (points only when the parameter is not a number, e.g. seeds). Shows the group-prefetch policy when the runs have it (the
 * one the grouping parameters act on), else every policy. Builds a Vega-Lite spec only.
 */
import type { TopLevelSpec } from 'vega-lite'
import type { RunResult } from './run-results.ts'
import { formatParam, paramAxisTitle, runParams, varyingParams } from './run-params.ts'
import { niceCeil, policyLabel, SERIES_COLOURS } from './theme.ts'

interface SweepPoint { x: number | string, series: string, missRate: number, unnecessaryShare: number }

/** Policies the sweep figures show: group prefetch if present, else all. */
export function sweepPolicies (runs: readonly RunResult[]): string[] {
  const all: string[] = []
  for (const run of runs) for (const p of run.summary.policies) if (!all.includes(p.policy)) all.push(p.policy)
  return all.includes('group') ? ['group'] : all
}

export function sweepPoints (runs: readonly RunResult[], xFlag: string): SweepPoint[] {
  const others = varyingParams(runs).filter((flag) => flag !== xFlag)
  const policies = sweepPolicies(runs)
  // Numbers on a linear axis; anything else (seeds, cache kinds, 'all') as categories.
  const numeric = runs.every((run) => typeof runParams(run).get(xFlag) === 'number')
  const points: SweepPoint[] = []
  for (const run of runs) {
    const params = runParams(run)
    const value = params.get(xFlag)
    if (value === undefined) continue
    const x = numeric ? value as number : formatParam(xFlag, value).slice(xFlag.length + 1)
    const rest = others.map((flag) => formatParam(flag, params.get(flag) ?? null)).join(', ')
    for (const p of run.summary.policies) {
      if (!policies.includes(p.policy)) continue
      const series = [policies.length > 1 ? policyLabel(p.policy) : '', rest].filter((s) => s !== '').join(', ')
      points.push({ x, series: series === '' ? 'all runs' : series, missRate: p.missRate, unnecessaryShare: p.unnecessary.shareOfFetchedBytes })
    }
  }
  return points
}

function panel (points: SweepPoint[], xFlag: string, field: 'missRate' | 'unnecessaryShare', yTitle: string, seriesOrder: string[]) {
  const showLegend = seriesOrder.length > 1
  const numeric = points.every((p) => typeof p.x === 'number')
  // Room above the highest point, so no point sits on the frame.
  const yMax = niceCeil(Math.max(0.001, ...points.map((p) => p[field])) * 1.1, 260 / 40)
  const xs = [...new Set(points.map((p) => p.x))]
  const x = numeric
    ? { field: 'x', type: 'quantitative', title: paramAxisTitle(xFlag), scale: { zero: false, padding: 16 }, axis: xs.length <= 8 ? { values: xs } : {} }
    : { field: 'x', type: 'ordinal', title: paramAxisTitle(xFlag), sort: xs, axis: { labelAngle: 0 } }
  const encoding = {
    x,
    y: { field, type: 'quantitative', title: yTitle, scale: { domain: [0, yMax] }, axis: { format: '.1~%' } },
    color: {
      field: 'series', type: 'nominal', sort: seriesOrder, title: showLegend ? 'Other parameters' : null,
      scale: { domain: seriesOrder, range: SERIES_COLOURS },
      legend: showLegend ? { orient: 'bottom', direction: 'vertical', columns: Math.min(3, Math.ceil(seriesOrder.length / 4)) } : null
    }
  }
  return {
    width: 340,
    height: 260,
    data: { values: points },
    layer: [
      // Lines only along a numeric axis: categories (seeds, cache kinds) are not a progression.
      ...(numeric ? [{ mark: { type: 'line', strokeWidth: 2 }, encoding: { ...encoding, order: { field: 'x' } } }] : []),
      { mark: { type: 'point', filled: true, size: 70, opacity: 0.85 }, encoding }
    ]
  }
}

/** The figure for `xFlag`, or null when no run has a value for it. */
export function sweepLinesSpec (runs: readonly RunResult[], xFlag: string): TopLevelSpec | null {
  const points = sweepPoints(runs, xFlag)
  if (points.length === 0) return null
  const seriesOrder = [...new Set(points.map((p) => p.series))]
  const policies = sweepPolicies(runs)
  const fixed = [...runParams(runs[0]!)].filter(([flag]) => !varyingParams(runs).includes(flag) && ['k', 'm', 'n', 'p-min', 'max-group', 'subgroup-max', 'cache', 'cache-fraction', 'seed'].includes(flag))
  const who = policies.length === 1 ? policyLabel(policies[0]!) : 'All policies'
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${who[0]!.toUpperCase()}${who.slice(1)}: miss rate and unnecessary bytes against ${xFlag}`,
      subtitle: [
        `${runs.length} runs; ${seriesOrder.length > 1 ? 'one line per combination of the other parameters that vary' : 'no other parameter varies'}`,
        fixed.length > 0 ? `fixed: ${fixed.map(([flag, value]) => formatParam(flag, value)).join(', ')}` : ''
      ].filter((s) => s !== '')
    },
    hconcat: [
      panel(points, xFlag, 'missRate', 'Miss rate (% of reads)', seriesOrder),
      panel(points, xFlag, 'unnecessaryShare', 'Unnecessary bytes (% of bytes fetched)', seriesOrder)
    ]
  } as TopLevelSpec
}

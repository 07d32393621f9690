/**
 * The look shared by every figure: DejaVu Sans throughout, readable sizes, titles anchored
 * left with a grey subtitle, white background, and one fixed colour per policy so a policy has
 * the same colour in every figure. Plain data; never reads files or the environment.
 */
import type { Config } from 'vega-lite'

export const FONT = 'DejaVu Sans'

export const THEME: Config = {
  font: FONT,
  background: 'white',
  padding: 12,
  title: { fontSize: 15, fontWeight: 'bold', subtitleFontSize: 11.5, subtitleColor: '#555', anchor: 'start', offset: 12, subtitlePadding: 4 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', titlePadding: 8, labelLimit: 220, gridColor: '#e6e6e6' },
  legend: { labelFontSize: 11.5, titleFontSize: 12, titleFontWeight: 'normal', labelLimit: 320, symbolSize: 120, rowPadding: 4 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  view: { stroke: '#ccc' },
  concat: { spacing: 40 }
}

/** A policy's colour: the four study policies fixed, anything else from a spare palette. */
const POLICY_COLOURS: Record<string, string> = { demand: '#d62728', precopy: '#ff7f0e', group: '#1f77b4', oracle: '#2ca02c' }
const SPARE = ['#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf']

export function policyColours (policies: readonly string[]): string[] {
  let spare = 0
  return policies.map((p) => POLICY_COLOURS[p] ?? SPARE[spare++ % SPARE.length]!)
}

/** Human names for the policies, used in legends and axis labels. */
const POLICY_LABELS: Record<string, string> = {
  demand: 'demand-only', precopy: 'whole-image pre-copy', group: 'group prefetch', oracle: 'oracle'
}

export function policyLabel (policy: string): string {
  return POLICY_LABELS[policy] ?? policy
}

/** Colours for series that are not policies (sweep lines, stacked components). */
export const SERIES_COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf']

/**
 * `x` rounded up to a multiple of the 1-2-5 tick step Vega picks for an axis from 0 to the
 * result with `ticks` ticks (Vega-Lite's default: height / 40), so the axis ends on a labelled tick.
 */
export function niceCeil (x: number, ticks: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return 1
  let top = x
  for (let i = 0; i < 5; i++) {
    const rough = top / ticks
    const power = 10 ** Math.floor(Math.log10(rough))
    const error = rough / power
    const step = power * (error >= 7.07 ? 10 : error >= 3.16 ? 5 : error >= 1.41 ? 2 : 1)
    const next = Number((Math.ceil(top / step - 1e-9) * step).toPrecision(12))
    if (next === top) break
    top = next
  }
  return top
}

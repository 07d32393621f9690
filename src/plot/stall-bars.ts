/**
 * Figure: total stall time per policy for one run, each bar stacked from read stall (waiting on
 * fetches during replay) and copy stall (waiting for a whole-image copy), the total printed on
 * top. Builds a Vega-Lite spec only; never renders or writes.
 */
import type { TopLevelSpec } from 'vega-lite'
import type { RunResult } from './run-results.ts'
import { runCaption } from './run-params.ts'
import { niceCeil, policyLabel } from './theme.ts'

const COMPONENTS = ['read stall', 'copy stall (pre-copy)']

export function stallBarsSpec (run: RunResult): TopLevelSpec {
  const policies = run.summary.policies
  const labels = policies.map((p) => policyLabel(p.policy))
  const parts = policies.flatMap((p) => [
    { policy: policyLabel(p.policy), component: COMPONENTS[0], seconds: p.stall.readS, order: 0 },
    { policy: policyLabel(p.policy), component: COMPONENTS[1], seconds: p.stall.copyS, order: 1 }
  ])
  const totals = policies.map((p) => ({
    policy: policyLabel(p.policy), seconds: p.stall.totalS, label: [`${p.stall.totalS.toFixed(1)} s`, `${(100 * p.stall.shareOfReplay).toFixed(0)} % of replay`]
  }))
  // Headroom above the tallest bar for its two-line label.
  const yMax = niceCeil(Math.max(1, ...policies.map((p) => p.stall.totalS)) * 1.2, 300 / 40)
  const x = { field: 'policy', type: 'nominal', sort: labels, title: 'Policy', axis: { labelAngle: 0 } } as const
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Total stall time per policy', subtitle: [runCaption(run), `summed over all ${run.summary.vms} VMs; share of replay time on each bar`] },
    width: Math.max(360, 130 * policies.length),
    height: 300,
    layer: [
      {
        data: { values: parts },
        mark: { type: 'bar', width: { band: 0.6 } },
        encoding: {
          x,
          y: { field: 'seconds', type: 'quantitative', stack: 'zero', title: 'Stall time (s, summed over VMs)', scale: { domain: [0, yMax] } },
          color: {
            field: 'component', type: 'nominal', title: 'Stall while',
            scale: { domain: COMPONENTS, range: ['#1f77b4', '#ff7f0e'] },
            legend: { orient: 'top', direction: 'horizontal', title: null }
          },
          order: { field: 'order' }
        }
      },
      {
        data: { values: totals },
        mark: { type: 'text', baseline: 'bottom', dy: -18, fontSize: 11, color: '#333' },
        encoding: { x, y: { field: 'seconds', type: 'quantitative' }, text: { field: 'label' } }
      }
    ]
  } as TopLevelSpec
}

/**
 * Figure: addressing overhead per policy for one run, two panels: DHT operations per migration
 * (stacked: pointer gets, puts, removes) and the median latency of a lease put (taking over a
 * VD at a VM start or migration) and of a DHT get (a group-pointer lookup). Builds a Vega-Lite spec only.
 */
import type { TopLevelSpec } from 'vega-lite'
import type { RunResult } from './run-results.ts'
import { runCaption } from './run-params.ts'
import { niceCeil, policyLabel } from './theme.ts'

const OPS = ['gets', 'puts (incl. leases)', 'removes']
const LATENCIES = ['lease put (VD take-over)', 'DHT get (group pointer)']

export function addressingSpec (run: RunResult): TopLevelSpec {
  const policies = run.summary.policies
  const labels = policies.map((p) => policyLabel(p.policy))
  const migrations = run.summary.vms * run.summary.migrationsPerVm
  // With no migrations, overhead is shown per VM start instead.
  const per = migrations > 0 ? migrations : run.summary.vms
  const perName = migrations > 0 ? 'migration' : 'VM start'
  const ops = policies.flatMap((p) => [p.addressing.dhtGets, p.addressing.dhtPuts, p.addressing.dhtRms].map((count, i) => ({
    policy: policyLabel(p.policy), kind: OPS[i], perUnit: count / per, order: i
  })))
  const totals = policies.map((p) => {
    const total = (p.addressing.dhtGets + p.addressing.dhtPuts + p.addressing.dhtRms) / per
    return { policy: policyLabel(p.policy), perUnit: total, label: total.toFixed(total < 10 ? 2 : 1) }
  })
  const latencies = policies.flatMap((p) => [p.addressing.leaseLatencyMsMedian, p.addressing.getLatencyMsMedian]
    .map((ms, i) => ({ policy: policyLabel(p.policy), kind: LATENCIES[i], ms }))
    .filter((d) => d.ms !== null && d.ms !== undefined))
  const opsMax = niceCeil(Math.max(1, ...totals.map((t) => t.perUnit)) * 1.12, 280 / 40)
  const x = { field: 'policy', type: 'nominal', sort: labels, title: 'Policy', axis: { labelAngle: 0, labelExpr: "split(datum.label, ' ')", labelLineHeight: 13 } } as const
  const panelWidth = Math.max(260, 95 * policies.length)
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `Addressing overhead per ${perName}`,
      subtitle: [runCaption(run), `all DHT operations of the run (VM starts, migrations, pointer look-ups) over its ${per} ${perName}s; no get-latency bar where a policy made no gets`]
    },
    hconcat: [
      {
        title: { text: `DHT operations per ${perName}`, fontSize: 13 },
        width: panelWidth,
        height: 280,
        layer: [
          {
            data: { values: ops },
            mark: { type: 'bar', width: { band: 0.6 } },
            encoding: {
              x,
              y: { field: 'perUnit', type: 'quantitative', stack: 'zero', title: `DHT operations per ${perName} (count)`, scale: { domain: [0, opsMax] } },
              color: {
                field: 'kind', type: 'nominal', scale: { domain: OPS, range: ['#1f77b4', '#9467bd', '#8c564b'] },
                legend: { title: 'Operation', orient: 'top', direction: 'horizontal' }
              },
              order: { field: 'order' }
            }
          },
          {
            data: { values: totals },
            mark: { type: 'text', baseline: 'bottom', dy: -3, fontSize: 11, color: '#333' },
            encoding: { x, y: { field: 'perUnit', type: 'quantitative' }, text: { field: 'label' } }
          }
        ]
      },
      {
        title: { text: 'Median DHT latency', fontSize: 13 },
        width: panelWidth,
        height: 280,
        data: { values: latencies },
        mark: { type: 'bar' },
        encoding: {
          x,
          xOffset: { field: 'kind', type: 'nominal', sort: LATENCIES },
          y: { field: 'ms', type: 'quantitative', title: 'Median latency (ms)' },
          color: {
            field: 'kind', type: 'nominal', scale: { domain: LATENCIES, range: ['#17becf', '#bcbd22'] },
            legend: { title: 'Operation', orient: 'top', direction: 'horizontal' }
          }
        }
      }
    ],
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } }
  } as TopLevelSpec
}

/**
 * Figure: bytes fetched per policy for one run, each bar split into bytes later read and
 * unnecessary bytes (fetched but never read before eviction or the end), with the unnecessary
 * share printed on top. Builds a Vega-Lite spec only; never renders or writes.
 */
import type { TopLevelSpec } from 'vega-lite'
import type { RunResult } from './run-results.ts'
import { runCaption } from './run-params.ts'
import { niceCeil, policyLabel } from './theme.ts'

const PARTS = ['read later', 'unnecessary (never read)']
const MIB = 2 ** 20

export function fetchedBytesSpec (run: RunResult): TopLevelSpec {
  const policies = run.summary.policies
  const labels = policies.map((p) => policyLabel(p.policy))
  const fetched = (p: (typeof policies)[number]): number => p.fetched.demandBytes + p.fetched.prefetchBytes
  const parts = policies.flatMap((p) => [
    { policy: policyLabel(p.policy), part: PARTS[0], mib: Math.max(0, fetched(p) - p.unnecessary.bytes) / MIB, order: 0 },
    { policy: policyLabel(p.policy), part: PARTS[1], mib: p.unnecessary.bytes / MIB, order: 1 }
  ])
  const totals = policies.map((p) => ({
    policy: policyLabel(p.policy), mib: fetched(p) / MIB,
    label: [`${(fetched(p) / MIB).toFixed(1)} MiB`, `${(100 * p.unnecessary.shareOfFetchedBytes).toFixed(1)} % unnecessary`]
  }))
  const yMax = niceCeil(Math.max(1, ...totals.map((t) => t.mib)) * 1.2, 300 / 40)
  const x = { field: 'policy', type: 'nominal', sort: labels, title: 'Policy', axis: { labelAngle: 0 } } as const
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Bytes fetched per policy, and how many were never read', subtitle: [runCaption(run), 'demand fetches plus prefetches, all VMs and hosts'] },
    width: Math.max(360, 130 * policies.length),
    height: 300,
    layer: [
      {
        data: { values: parts },
        mark: { type: 'bar', width: { band: 0.6 } },
        encoding: {
          x,
          y: { field: 'mib', type: 'quantitative', stack: 'zero', title: 'Bytes fetched (MiB)', scale: { domain: [0, yMax] } },
          color: { field: 'part', type: 'nominal', scale: { domain: PARTS, range: ['#2ca02c', '#d62728'] }, legend: { orient: 'top', direction: 'horizontal', title: null } },
          order: { field: 'order' }
        }
      },
      {
        data: { values: totals },
        mark: { type: 'text', baseline: 'bottom', dy: -18, fontSize: 11, color: '#333' },
        encoding: { x, y: { field: 'mib', type: 'quantitative' }, text: { field: 'label' } }
      }
    ]
  } as TopLevelSpec
}

/** Test helper: a network model given as a literal table of one-way delays in ms. */
import type { NetworkModel } from '../../sim/net/network-model.ts'

export function tableModel (oneWayMs: number[][]): NetworkModel {
  return {
    name: `table(${oneWayMs.length})`,
    hostCount: oneWayMs.length,
    oneWayUs: (source, target) => Math.round((oneWayMs[source]![target] ?? 0) * 1000)
  }
}

/**
 * The network model a scenario runs on: the latency file it names (recorded, with its hash, in
 * `inputs` for provenance) or, without one, the seeded synthetic wide area. Reads the file only.
 */
import type { InputFile, NetworkModel } from '../network-model.ts'
import type { LatencyValues } from './matrix-model.ts'
import { loadNetworkModel } from './load-model.ts'
import { createSyntheticModel } from './synthetic-model.ts'

export interface ScenarioModelConfig {
  readonly seed: string
  readonly latencyFile: string | null
  readonly latencyValues: LatencyValues
  /** Hosts of the synthetic model (its default when absent). */
  readonly syntheticHosts?: number
}

export function scenarioModel (config: ScenarioModelConfig, inputs: InputFile[]): NetworkModel {
  if (config.latencyFile === null) {
    return createSyntheticModel(config.syntheticHosts === undefined ? { seed: config.seed } : { seed: config.seed, hostCount: config.syntheticHosts })
  }
  const loaded = loadNetworkModel(config.latencyFile, { values: config.latencyValues })
  inputs.push(loaded.input)
  return loaded.model
}

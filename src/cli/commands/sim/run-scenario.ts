/**
 * What every `xest sim <scenario>` command does around its scenario: run it with terminal
 * progress (a scenario's RangeError is a usage error), time it, and write its results with
 * provenance under `out` (default results/sim-<name>-seed<S>). Wall time goes to the caller for
 * printing, never into the result files.
 */
import path from 'node:path'
import { parseDuration } from '../../../../sim/churn/session-times.ts'
import { buildProvenance } from '../../../../sim/metrics/provenance.ts'
import { writeRunResults } from '../../../../sim/metrics/report.ts'
import type { InputFile } from '../../../../sim/net/network-model.ts'
import type { RunStatus } from '../../../../sim/world.ts'
import { UsageError } from '../../handle-errors.ts'
import { terminalProgress } from '../../progress.ts'

const REPO = path.resolve(import.meta.dirname, '../../../..')

export interface ScenarioOutput {
  summary: Record<string, unknown>
  tables: Record<string, Array<Record<string, unknown>>>
  inputs: InputFile[]
}

export interface ScenarioRun<R> {
  result: R
  wallS: number
  files: string[]
  out: string
}

export function runScenario<C extends { seed: string }, R extends ScenarioOutput> (
  name: string, config: C, out: string | undefined, run: (config: C, progress: (status: RunStatus) => void) => R
): ScenarioRun<R> {
  const progress = terminalProgress(`sim ${name}`)
  const startedMs = performance.now()
  let result: R
  try {
    result = run(config, progress.update)
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message)
    throw error
  } finally {
    progress.done()
  }
  const wallS = (performance.now() - startedMs) / 1000
  const dir = out ?? path.join('results', `sim-${name}-seed${config.seed}`)
  const provenance = buildProvenance(REPO, { seed: config.seed, config, inputs: result.inputs, command: ['sim', name, ...process.argv.slice(4)] })
  const files = writeRunResults(dir, { provenance, summary: result.summary, tables: result.tables })
  return { result, wallS, files, out: dir }
}

/** A duration flag such as `90s` or `1.4min` in µs; a usage error naming the flag otherwise. */
export function flagDurationUs (flag: string, text: string): number {
  try {
    return parseDuration(text)
  } catch (error) {
    throw new UsageError(`--${flag}: ${(error as Error).message}`)
  }
}

/**
 * `xest plot`: result directories to figures. One run: its figures and page in <run>/figures.
 * Several runs (or one sweep directory): the sweep figures and page in --out, by default
 * <sweep>/figures when the runs are the runs of one sweep. Prints what it wrote; the output
 * never depends on the clock.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { plotRun, plotSweep, type PlotOutput } from '../../../plot/plot-results.ts'
import { readRunResult, type RunResult } from '../../../plot/run-results.ts'
import { toJson } from '../../json.ts'
import { UsageError } from '../../handle-errors.ts'
import type { PlotArgs } from './command.ts'

/** The file a sweep writes into its directory, listing its runs in grid order. */
export const SWEEP_SUMMARY = 'summary.json'

function readRun (dir: string): RunResult {
  try {
    return readRunResult(dir)
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

/** A sweep directory's runs (those that finished), in grid order; null when `dir` is not a sweep. */
export function sweepRunDirs (dir: string): string[] | null {
  const file = join(dir, SWEEP_SUMMARY)
  if (!existsSync(file)) return null
  const summary = JSON.parse(readFileSync(file, 'utf8')) as { kind?: string, runs?: Array<{ dir: string, ok: boolean }> }
  if (summary.kind !== 'xest-sweep' || !Array.isArray(summary.runs)) return null
  return summary.runs.filter((r) => r.ok).map((r) => join(dir, r.dir))
}

function report (output: PlotOutput, json: boolean): void {
  for (const warning of output.warnings) process.stderr.write(`xest plot: warning: ${warning}\n`)
  if (json) {
    process.stdout.write(toJson({
      outDir: output.outDir,
      index: output.indexPath,
      figures: output.figures.map((f) => ({ name: f.name, title: f.title, svg: f.svgPath, png: f.pngPath, pngWidthPx: f.pngWidthPx, pngHeightPx: f.pngHeightPx }))
    }) + '\n')
  } else {
    process.stdout.write(output.figures.map((f) => `${f.svgPath}\n${f.pngPath}\n`).join('') + `${output.indexPath}\n`)
  }
}

/** Figures of one result directory into <dir>/figures (used by `xest study`); prints where. */
export async function plotRunDir (dir: string): Promise<PlotOutput> {
  const output = await plotRun(readRun(dir), join(dir, 'figures'))
  for (const warning of output.warnings) process.stderr.write(`xest plot: warning: ${warning}\n`)
  process.stderr.write(`figures: ${output.indexPath}\n`)
  return output
}

export async function runPlotCommand (args: PlotArgs): Promise<void> {
  if (args.results.length === 0) throw new UsageError('give at least one result directory')
  // A single sweep directory stands for its runs.
  const swept = args.results.length === 1 && !existsSync(join(args.results[0]!, 'run.json')) ? sweepRunDirs(args.results[0]!) : null
  const dirs = swept ?? args.results
  const runs = dirs.map(readRun)
  if (runs.length === 1) {
    report(await plotRun(runs[0]!, args.out ?? join(dirs[0]!, 'figures')), args.json)
    return
  }
  let out = args.out
  if (out === undefined) {
    const parents = [...new Set(dirs.map((d) => dirname(resolve(d))))]
    const sweepDir = swept !== null ? args.results[0]! : parents.length === 1 && sweepRunDirs(parents[0]!) !== null ? dirname(dirs[0]!) : null
    if (sweepDir === null) throw new UsageError(`${runs.length} results that are not the runs of one sweep: give --out DIR for the figures`)
    out = join(sweepDir, 'figures')
  }
  report(await plotSweep(runs, out), args.json)
}

/**
 * `xest sweep`: every combination of the --param values run as a `xest study` child process
 * (at most --jobs at once), each into <out>/<name=value_…>; then <out>/summary.csv and
 * summary.json (one row per run and policy, params and headline metrics, in grid order) and the
 * sweep figures in <out>/figures/. A failed run is reported with its stderr; the others finish,
 * their results are summarised, and the sweep exits 1. Summary files never hold wall time.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import path from 'node:path'
import yargs from 'yargs'
import { hideBin } from 'yargs/helpers'
import { toCsv, toDeterministicJson } from '../../../../sim/metrics/report.ts'
import { plotSweep } from '../../../plot/plot-results.ts'
import { runParams } from '../../../plot/run-params.ts'
import { readRunResult, type RunResult } from '../../../plot/run-results.ts'
import { UsageError } from '../../handle-errors.ts'
import { SWEEP_SUMMARY } from '../plot/plot.ts'
import { studyCommand } from '../study/command.ts'
import type { SweepArgs } from './command.ts'
import { defaultSweepDir, gridOf, parseParams, passThroughArgs, runName, type StudyOptions, type SweepParam } from './sweep-grid.ts'

const BIN = path.resolve(import.meta.dirname, '../../../../bin/xest.js')

/** The study command's options, read from its own yargs builder. */
export function studyOptions (): StudyOptions {
  const probe = (studyCommand.builder as unknown as (y: unknown) => { getOptions: () => { key: Record<string, unknown>, number: string[], boolean: string[], choices: Record<string, string[]> } })(yargs([]))
  const o = probe.getOptions()
  return { names: new Set(Object.keys(o.key)), numbers: new Set(o.number), booleans: new Set(o.boolean), choices: o.choices }
}

export interface SweepRun {
  name: string
  assignment: Array<[string, string]>
  dir: string
  exitCode: number | null
  stderr: string
}

function runChild (args: string[]): Promise<{ exitCode: number | null, stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'study', ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
    child.on('error', (error) => resolve({ exitCode: null, stderr: stderr + String(error) }))
    child.on('close', (code, signal) => resolve({ exitCode: code, stderr: signal === null ? stderr : `${stderr}killed by ${signal}` }))
  })
}

async function pool<T> (items: readonly T[], jobs: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker))
}

/** One row per run and policy: the swept parameters (effective values) and the headline metrics. */
export function summaryRows (params: readonly SweepParam[], runs: ReadonlyArray<{ name: string, assignment: Array<[string, string]>, result: RunResult }>): Array<Record<string, unknown>> {
  return runs.flatMap(({ name, assignment, result }) => {
    const effective = runParams(result)
    const paramCells = Object.fromEntries(params.map((p) => [p.name, effective.get(p.name) ?? assignment.find(([n]) => n === p.name)?.[1] ?? null]))
    return result.summary.policies.map((p) => ({
      run: name,
      ...paramCells,
      policy: p.policy,
      reads: p.reads,
      miss_rate: p.missRate,
      stall_total_s: p.stall.totalS,
      stall_read_s: p.stall.readS,
      stall_copy_s: p.stall.copyS,
      stall_share: p.stall.shareOfReplay,
      stall_p50_ms: p.stall.perReadMs.p50,
      stall_p99_ms: p.stall.perReadMs.p99,
      dht_ops_per_migration: p.addressing.opsPerMigration,
      lease_latency_ms_median: p.addressing.leaseLatencyMsMedian,
      get_latency_ms_median: p.addressing.getLatencyMsMedian,
      fetched_bytes: p.fetched.demandBytes + p.fetched.prefetchBytes,
      prefetch_bytes: p.fetched.prefetchBytes,
      unnecessary_bytes: p.unnecessary.bytes,
      unnecessary_share: p.unnecessary.shareOfFetchedBytes
    }))
  })
}

export async function runSweepCommand (args: SweepArgs, argv: readonly string[] = hideBin(process.argv)): Promise<void> {
  const study = studyOptions()
  const params = parseParams(args.param, study)
  const jobs = args.jobs ?? availableParallelism()
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--jobs ${String(args.jobs)}: expected a whole number ≥ 1`)
  const afterCommand = argv.slice(argv.indexOf('sweep') + 1)
  const passThrough = passThroughArgs(afterCommand, study, params.map((p) => p.name))
  const out = args.out ?? defaultSweepDir(params)
  const runs: SweepRun[] = gridOf(params).map((assignment) => ({ name: runName(assignment), assignment, dir: '', exitCode: null, stderr: '' }))
  const names = new Set(runs.map((r) => r.name))
  if (names.size !== runs.length) throw new UsageError('two runs would share a directory name: parameter values differ only in characters outside [A-Za-z0-9._+-]')
  mkdirSync(out, { recursive: true })

  const tty = process.stderr.isTTY === true
  let done = 0
  await pool(runs, jobs, async (run) => {
    run.dir = path.join(out, run.name)
    const childArgs = [...passThrough.args, ...run.assignment.map(([n, v]) => `--${n}=${v}`), '--out', run.dir, '--json', '--no-plots']
    const { exitCode, stderr } = await runChild(childArgs)
    run.exitCode = exitCode
    run.stderr = stderr
    done++
    if (exitCode !== 0) {
      process.stderr.write(`xest sweep: run ${run.name} failed (exit ${exitCode ?? 'none'}): xest study ${childArgs.join(' ')}\n` +
        stderr.trimEnd().split('\n').map((l) => `  | ${l}`).join('\n') + '\n')
    } else if (tty) {
      process.stderr.write(`sweep: ${done}/${runs.length} done (${run.name})\n`)
    }
  })

  const finished = runs.filter((r) => r.exitCode === 0).map((r) => ({ name: r.name, assignment: r.assignment, result: readRunResult(r.dir) }))
  const rows = summaryRows(params, finished)
  const columns = rows.length > 0 ? Object.keys(rows[0]!) : ['run', ...params.map((p) => p.name), 'policy']
  writeFileSync(path.join(out, 'summary.csv'), toCsv(rows, columns))
  writeFileSync(path.join(out, SWEEP_SUMMARY), toDeterministicJson({
    kind: 'xest-sweep',
    params,
    passThrough: passThrough.args,
    runs: runs.map((r) => ({ name: r.name, dir: r.name, params: Object.fromEntries(r.assignment), ok: r.exitCode === 0, exitCode: r.exitCode })),
    rows
  }) + '\n')

  let figures: string | null = null
  if (finished.length >= 2) {
    const plotted = await plotSweep(finished.map((f) => f.result), path.join(out, 'figures'))
    for (const warning of plotted.warnings) process.stderr.write(`xest plot: warning: ${warning}\n`)
    figures = plotted.indexPath
  }

  if (args.json) {
    process.stdout.write(toDeterministicJson(rows) + '\n')
  } else {
    const head = ['run'.padEnd(Math.max(3, ...runs.map((r) => r.name.length))), 'policy'.padEnd(8), 'miss rate', '  stall s', 'p99 ms', 'ops/migr', 'unnecessary']
    const lines = rows.map((r) => [
      String(r.run).padEnd(head[0]!.length), String(r.policy).padEnd(8), `${(100 * (r.miss_rate as number)).toFixed(1)} %`.padStart(9),
      (r.stall_total_s as number).toFixed(1).padStart(9), (r.stall_p99_ms as number).toFixed(1).padStart(6),
      String(r.dht_ops_per_migration ?? '-').padStart(8), `${(100 * (r.unnecessary_share as number)).toFixed(1)} %`.padStart(11)
    ].join(' '))
    process.stdout.write([head.join(' '), ...lines, ''].join('\n'))
  }
  process.stderr.write(`summary: ${path.join(out, 'summary.csv')}\n${figures === null ? '' : `figures: ${figures}\n`}`)
  const failed = runs.filter((r) => r.exitCode !== 0)
  if (failed.length > 0) throw new Error(`${failed.length} of ${runs.length} runs failed: ${failed.map((r) => r.name).join(', ')}`)
}

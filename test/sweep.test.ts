/**
 * `xest sweep`: the grid and --param parsing (pure), a real 2×1 sweep with --jobs 2 (one result
 * directory per run, summary rows per run and policy, sweep figures), a failing run reported
 * with its stderr while the others finish (exit 1), and bad --param syntax as usage errors.
 */
import test from 'ava'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { UsageError } from '../src/cli/handle-errors.ts'
import { defaultSweepDir, gridOf, parseParams, passThroughArgs, runName } from '../src/cli/commands/sweep/sweep-grid.ts'
import { studyOptions } from '../src/cli/commands/sweep/sweep.ts'

const bin = fileURLToPath(new URL('../bin/xest.js', import.meta.url))
const tmp = mkdtempSync(join(tmpdir(), 'xest-sweep-'))
const SMALL = ['--hosts', '10', '--vms', '2', '--migrations', '1', '--max-references', '3000']

function xest (...args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr })
    })
  })
}

test.after.always(() => rmSync(tmp, { recursive: true, force: true }))

test('the grid: every combination, first parameter outermost; names and default directory', (t) => {
  const study = studyOptions()
  const params = parseParams(['k=2,5,10', 'n=4,8'], study)
  t.deepEqual(params, [{ name: 'k', values: ['2', '5', '10'] }, { name: 'n', values: ['4', '8'] }])
  const grid = gridOf(params)
  t.is(grid.length, 6)
  t.deepEqual(grid.map(runName), ['k=2_n=4', 'k=2_n=8', 'k=5_n=4', 'k=5_n=8', 'k=10_n=4', 'k=10_n=8'])
  t.is(defaultSweepDir(params), 'results/sweep-k=2,5,10_n=4,8')
  t.deepEqual(parseParams(['maxGroup=8,16', 'cache=lru,hac', 'seed=a,b'], study).map((p) => p.name), ['max-group', 'cache', 'seed'])
  t.is(runName([['trace', '../x/y.csv']]), 'trace=.._x_y.csv')
})

test('--param errors say what is wrong', (t) => {
  const study = studyOptions()
  const bad: Array<[string[], RegExp]> = [
    [[], /no --param/],
    [['k'], /expected --param NAME=V1,V2/],
    [['=2,3'], /expected --param NAME=V1,V2/],
    [['bogus=1,2'], /not a flag of xest study/],
    [['k=2,,3'], /empty value/],
    [['k=2,2'], /repeated/],
    [['k=2', 'k=3'], /given twice/],
    [['k=two'], /not a number/],
    [['cache=fifo'], /not one of lru, hac/],
    [['out=a,b'], /sets --out itself/],
    [['whole-files=yes'], /not true or false/]
  ]
  for (const [specs, message] of bad) t.throws(() => parseParams(specs, study), { instanceOf: UsageError, message }, specs.join(' '))
})

test('study flags pass through verbatim; sweep flags, unknown and doubly given flags are told apart', (t) => {
  const study = studyOptions()
  const argv = ['--param', 'k=2,5', 'n=4', '--hosts', '10', '--jobs=2', '--whole-files', '--out', 'x', '--cache=lru', '--no-whole-files', '--json']
  t.deepEqual(passThroughArgs(argv, study, ['k']), { args: ['--hosts', '10', '--whole-files', '--cache=lru', '--no-whole-files'], names: ['hosts', 'whole-files', 'cache', 'whole-files'] })
  t.throws(() => passThroughArgs(['--k', '3'], study, ['k']), { instanceOf: UsageError, message: /both given and swept/ })
  t.throws(() => passThroughArgs(['--bogus', '3'], study, []), { instanceOf: UsageError, message: /neither a sweep flag nor a flag of xest study/ })
  t.throws(() => passThroughArgs(['--no-plots'], study, []), { instanceOf: UsageError, message: /sets it for every run/ })
  t.throws(() => passThroughArgs(['stray'], study, []), { instanceOf: UsageError, message: /unexpected argument/ })
})

test.serial('a 2×1 sweep with --jobs 2: one result directory per run, summary rows, figures', async (t) => {
  const out = join(tmp, 'grid')
  const r = await xest('sweep', '--param', 'max-group=8,32', '--param', 'n=4', '--jobs', '2', ...SMALL, '--out', out)
  t.is(r.code, 0, r.stderr)
  for (const name of ['max-group=8_n=4', 'max-group=32_n=4']) {
    const run = JSON.parse(readFileSync(join(out, name, 'run.json'), 'utf8'))
    t.is(run.provenance.config.hosts, 10, 'pass-through flags reach every run')
    t.is(run.provenance.config.grouping.n, 4)
    t.false(existsSync(join(out, name, 'figures')), 'runs are made with --no-plots')
  }
  const csv = readFileSync(join(out, 'summary.csv'), 'utf8').trimEnd().split('\n')
  t.is(csv[0]!.split(',').slice(0, 6).join(','), 'run,max-group,n,policy,reads,miss_rate')
  t.is(csv.length, 1 + 2 * 4, 'one row per run per policy')
  t.deepEqual(csv.slice(1).map((line) => line.split(',').slice(0, 4).join(',')), [
    'max-group=8_n=4,8,4,demand', 'max-group=8_n=4,8,4,precopy', 'max-group=8_n=4,8,4,group', 'max-group=8_n=4,8,4,oracle',
    'max-group=32_n=4,32,4,demand', 'max-group=32_n=4,32,4,precopy', 'max-group=32_n=4,32,4,group', 'max-group=32_n=4,32,4,oracle'
  ])
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))
  t.is(summary.kind, 'xest-sweep')
  t.deepEqual(summary.runs.map((x: { name: string, ok: boolean }) => [x.name, x.ok]), [['max-group=8_n=4', true], ['max-group=32_n=4', true]])
  t.deepEqual(summary.passThrough, SMALL)
  const group8 = summary.rows.find((x: Record<string, unknown>) => x.run === 'max-group=8_n=4' && x.policy === 'group')
  const run8 = JSON.parse(readFileSync(join(out, 'max-group=8_n=4', 'run.json'), 'utf8'))
  t.is(group8.miss_rate, run8.summary.policies.group.missRate)
  t.is(group8.unnecessary_share, run8.summary.policies.group.unnecessary.shareOfFetchedBytes)
  t.true(existsSync(join(out, 'figures', 'sweep-max-group.svg')))
  t.true(existsSync(join(out, 'figures', 'sweep-max-group.png')))
  t.true(existsSync(join(out, 'figures', 'index.html')))
  t.regex(r.stdout, /max-group=32_n=4 +group/)
  // `xest plot <sweep dir>` stands for its runs and redraws the same figures.
  const replot = await xest('plot', out, '--out', join(tmp, 'replot'))
  t.is(replot.code, 0, replot.stderr)
  t.true(readFileSync(join(tmp, 'replot', 'sweep-max-group.svg')).equals(readFileSync(join(out, 'figures', 'sweep-max-group.svg'))))
})

test.serial('a failing run is reported with its stderr; the others finish; exit 1', async (t) => {
  const out = join(tmp, 'failing')
  const r = await xest('sweep', '--param', 'hosts=1,10', '--vms', '1', '--migrations', '1', '--max-references', '1500', '--policies', 'demand', '--jobs', '2', '--out', out)
  t.is(r.code, 1)
  t.regex(r.stderr, /run hosts=1 failed \(exit 2\)/)
  t.regex(r.stderr, /\| xest: hosts must be/)
  t.regex(r.stderr, /1 of 2 runs failed: hosts=1/)
  const csv = readFileSync(join(out, 'summary.csv'), 'utf8').trimEnd().split('\n')
  t.deepEqual(csv.slice(1).map((line) => line.split(',').slice(0, 3).join(',')), ['hosts=10,10,demand'])
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))
  t.deepEqual(summary.runs.map((x: { ok: boolean, exitCode: number }) => [x.ok, x.exitCode]), [[false, 2], [true, 0]])
})

test('bad --param and flags are usage errors (exit 2) before any run starts', async (t) => {
  for (const args of [['--param', 'k'], ['--param', 'nope=1,2'], ['--param', 'k=1', '--bogus', '2'], ['--param', 'k=1', '--jobs', '0'], ['--hosts', '10']]) {
    const out = join(tmp, 'never')
    const r = await xest('sweep', ...args, '--out', out)
    t.is(r.code, 2, args.join(' '))
    t.regex(r.stderr, /^xest: /, args.join(' '))
    t.false(existsSync(out), 'nothing was run')
  }
})

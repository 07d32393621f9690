/**
 * The Xest study end to end on a recorded trace (traces/sqlite-db.xtrace, recorded by this
 * project's own recorder) over the synthetic wide area: the same seed gives identical results;
 * each policy behaves as its definition says (pre-copy waits up front and then never misses,
 * the oracle fetches almost nothing it does not read, group prefetch misses and stalls less than
 * demand-only with few unnecessary bytes).
 */
import test from 'ava'
import { fileURLToPath } from 'node:url'
import { toDeterministicJson } from '../sim/metrics/report.ts'
import { DEFAULT_STUDY_CONFIG, type StudyConfig } from '../sim/study/study-config.ts'
import { runStudy } from '../sim/study/study-scenario.ts'

const TRACE = fileURLToPath(new URL('../traces/sqlite-db.xtrace', import.meta.url))
const config: StudyConfig = { ...DEFAULT_STUDY_CONFIG, trace: TRACE, hosts: 12, vms: 3, migrations: 2 }

test('same seed, identical results (also when nodes get encoded and decoded messages, not shared objects); the policies behave as defined', (t) => {
  const first = runStudy(config)
  t.true(config.shareMessages, 'the study shares message objects by default')
  const second = runStudy({ ...config, shareMessages: false })
  t.is(toDeterministicJson(first.summary), toDeterministicJson(second.summary))
  t.is(toDeterministicJson(first.tables), toDeterministicJson(second.tables))
  const by = Object.fromEntries(first.policies.map((p) => [p.policy, p]))
  const { demand, precopy, group, oracle } = by
  for (const p of first.policies) {
    t.is(p.unfinishedVms, 0, `${p.policy}: every VM finished`)
    t.is(p.failedReads, 0)
    t.true(p.reads > 3000, `${p.reads} reads`)
  }
  t.is(precopy!.missRate, 0, 'after a whole-image copy nothing misses')
  t.true(precopy!.stall.copyS > 0)
  t.true(precopy!.unnecessary.shareOfFetchedBytes > 0.3, 'a whole-image copy moves much it never reads')
  t.true(oracle!.unnecessary.shareOfFetchedBytes < 0.01)
  t.true(group!.missRate < demand!.missRate / 2, `group ${group!.missRate} vs demand ${demand!.missRate}`)
  t.true(group!.stall.totalS < demand!.stall.totalS, `group ${group!.stall.totalS} s vs demand ${demand!.stall.totalS} s`)
  t.true(group!.unnecessary.shareOfFetchedBytes < 0.25)
  t.true(group!.addressing.dhtGets > 0, 'group prefetch looks pointers up in the DHT')
  t.is(demand!.addressing.dhtGets, 0, 'demand-only needs no pointer lookups')
  t.true(oracle!.stall.totalS <= demand!.stall.totalS)
  const rows = first.tables.policies!
  t.deepEqual(rows.map((r) => r.policy), ['demand', 'precopy', 'group', 'oracle'])
  t.is(first.tables.segments!.length, 4 * 3 * 3)
})

test('bad configurations are refused with a clear message', (t) => {
  t.throws(() => runStudy({ ...config, hosts: 1 }), { instanceOf: RangeError, message: /hosts must be/ })
  t.throws(() => runStudy({ ...config, trainFraction: 1 }), { instanceOf: RangeError, message: /train fraction/ })
  t.throws(() => runStudy({ ...config, trace: '/nonexistent/trace.xtrace' }))
})

test('xest study --jobs 2 runs three policies in two worker processes and writes the same result files as one process', async (t) => {
  const { execFile } = await import('node:child_process')
  const { mkdtempSync, readFileSync, readdirSync, rmSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const path = await import('node:path')
  const bin = fileURLToPath(new URL('../bin/xest.js', import.meta.url))
  const dir = mkdtempSync(path.join(tmpdir(), 'xest-study-jobs-'))
  const run = (out: string, jobs: number) => new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [bin, 'study', '--trace', TRACE, '--max-references', '4000', '--hosts', '10', '--vms', '2', '--migrations', '1',
      '--policies', 'demand,group,oracle', '--no-plots', '--jobs', String(jobs), '--out', path.join(dir, out)], (error, stdout, stderr) => error === null ? resolve(stdout) : reject(new Error(stderr)))
  })
  try {
    await run('one', 1)
    await run('two', 2)
    const files = readdirSync(path.join(dir, 'one')).sort()
    t.deepEqual(readdirSync(path.join(dir, 'two')).sort(), files)
    for (const file of files) {
      const read = (out: string) => {
        const text = readFileSync(path.join(dir, out, file), 'utf8')
        return file === 'run.json' ? JSON.stringify({ ...JSON.parse(text), provenance: undefined }) : text
      }
      t.is(read('two'), read('one'), file)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('xest study --jobs 2 with a trace the workers cannot use fails with their message, not a hang', async (t) => {
  t.timeout(60_000)
  const { execFile } = await import('node:child_process')
  const bin = fileURLToPath(new URL('../bin/xest.js', import.meta.url))
  const run = (trace: string, ...more: string[]) => new Promise<{ code: number | null, stderr: string }>((resolve) => {
    const child = execFile(process.execPath, [bin, 'study', '--trace', trace, ...more, '--no-plots', '--jobs', '2', '--out', '/nonexistent/out'], (_error, _stdout, stderr) => resolve({ code: child.exitCode, stderr }))
  })
  const missing = await run('/nonexistent/trace.xtrace')
  t.is(missing.code, 1)
  t.regex(missing.stderr, /^xest: policy \w+: \/nonexistent\/trace.xtrace: no such file\n$/)
  const short = await run(TRACE, '--max-references', '5')
  t.is(short.code, 2, short.stderr)
  t.regex(short.stderr, /^xest: .*sqlite-db\.xtrace: 5 references are too few for a study\n$/)
})

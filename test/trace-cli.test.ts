import test from 'ava'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { readAllRecords } from '../src/trace/open-trace.ts'
import { readXtrace } from '../src/trace/xtrace-reader.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'xest-trace-cli-'))

function xest (...args: string[]): { status: number | null, stdout: string, stderr: string } {
  return spawnSync(process.execPath, [join(root, 'bin/xest.js'), ...args], { encoding: 'utf8', timeout: 60_000 })
}

test('trace convert writes xtrace and trace stats --json reports on it', (t) => {
  const csv = join(dir, 'cp.csv')
  writeFileSync(csv, 'version,time,op,size,lbn\n1,100,2a,8192,0\n1,101,28,4096,8\n1,102,28,4096,0\n')
  const out = join(dir, 'cp.xtrace')
  const convert = xest('trace', 'convert', csv, out, '--json')
  t.is(convert.status, 0, convert.stderr)
  t.like(JSON.parse(convert.stdout), { format: 'cloudphysics', records: 3, badLines: 0 })
  t.deepEqual(readXtrace(out).meta, { convertedFrom: 'cp.csv', format: 'cloudphysics' })
  t.is(readAllRecords(readXtrace(out)).length, 3)
  const stats = xest('trace', 'stats', out, '--json')
  t.is(stats.status, 0, stats.stderr)
  t.like(JSON.parse(stats.stdout), {
    format: 'xtrace', records: 3, reads: 2, writes: 1, readBytes: 8192, writtenBytes: 8192, references: 4, objects: 2, timeSpanUs: 2_000_000,
    reuse: { firstReferences: 2, p50: 1, max: 1 }
  })
  const text = xest('trace', 'stats', csv)
  t.is(text.status, 0)
  t.regex(text.stdout, /records +3 +\(reads 66\.7%, writes 33\.3%\)/)
})

test('a malformed input line stops the CLI with file:line and exit 1; --on-bad-line skip counts it', (t) => {
  const bad = join(dir, 'bad.trace')
  writeFileSync(bad, '1000 0 10 8 1\n2000 0 ten 8 1\n3000 0 30 8 0\n')
  const failed = xest('trace', 'stats', bad, '--format', 'mqsim')
  t.is(failed.status, 1)
  t.regex(failed.stderr, new RegExp(`xest: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: lba "ten" is not a whole number`))
  const skipped = xest('trace', 'convert', bad, join(dir, 'bad.xtrace'), '--format', 'mqsim', '--on-bad-line', 'skip', '--json')
  t.is(skipped.status, 0, skipped.stderr)
  t.like(JSON.parse(skipped.stdout), { records: 2, badLines: 1 })
  t.is(xest('trace', 'convert', bad, bad).status, 2)
})

test('trace generate writes a reproducible trace and its true sets', (t) => {
  const out = join(dir, 'vm.xtrace')
  const run = xest('trace', 'generate', '--out', out, '--seed', '3', '--objects', '500', '--references', '5000', '--sets', '4', '--json')
  t.is(run.status, 0, run.stderr)
  t.like(JSON.parse(run.stdout), { records: 5000, truth: join(dir, 'vm.sets.json') })
  const truth = JSON.parse(readFileSync(join(dir, 'vm.sets.json'), 'utf8')) as { sets: Array<{ keys: string[] }>, config: { seed: string } }
  t.is(truth.sets.length, 4)
  t.is(truth.config.seed, '3')
  const first = readFileSync(out)
  t.is(xest('trace', 'generate', '--out', out, '--seed', '3', '--objects', '500', '--references', '5000', '--sets', '4').status, 0)
  t.deepEqual(readFileSync(out), first, 'same seed, same bytes')
})

test('trace commands have help with examples', (t) => {
  for (const action of ['record', 'convert', 'stats', 'generate']) {
    const help = xest('trace', action, '--help')
    t.is(help.status, 0)
    t.regex(help.stdout, /Examples:/, action)
  }
})

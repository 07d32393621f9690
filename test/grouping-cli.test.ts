import test from 'ava'
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadGroupTable } from '../src/grouping/group-table.ts'
import { SeededRng } from '../src/env/rng.ts'

const bin = fileURLToPath(new URL('../bin/xest.js', import.meta.url))

function xest (...args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr })
    })
  })
}

/**
 * A reference list (one key per line): 8 programs of 15 files each, a run of a program reads its
 * files in random order; two runs interleave; a hot library is used by all.
 */
function referenceList (): string {
  const rng = new SeededRng('cli-trace')
  const lines = ['# a plain reference list']
  const run = (): string[] => {
    const p = rng.int(8)
    const files = Array.from({ length: 15 }, (_, i) => `/opt/prog${p}/file${i}`)
    for (let i = files.length - 1; i > 0; i--) { const j = rng.int(i + 1); [files[i], files[j]] = [files[j]!, files[i]!] }
    return files
  }
  const streams = [run(), run()]
  while (lines.length < 8000) {
    if (rng.float() < 0.1) { lines.push('/lib/libc.so.6'); continue }
    const s = rng.int(2)
    lines.push(streams[s]!.pop()!)
    if (streams[s]!.length === 0) streams[s] = run()
  }
  return lines.join('\n') + '\n'
}

test('xest group groups a reference list, reports quality as JSON and writes a loadable table', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xest-group-cli-'))
  const trace = join(dir, 'refs.txt')
  writeFileSync(trace, referenceList())
  const out = join(dir, 'groups.json')
  const r = await xest('group', '--trace', trace, '--json', '--out', out, '--max-group', '16')
  t.is(r.code, 0, r.stderr)
  const report = JSON.parse(r.stdout)
  t.is(report.trace.format, 'list')
  t.is(report.trace.objects, 121)
  t.is(report.grouping.overlapObjects, 1, 'libc')
  t.is(report.trace.trainReferences, Math.floor(report.trace.references / 2))
  t.is(report.params.maxGroupObjects, 16)
  t.true(report.groups.objectsInSharedGroups > 60)
  t.true(report.groups.maxSize <= 16 + report.grouping.overlapObjects)
  t.true(report.quality.coverage > 0.5, `coverage ${report.quality.coverage}`)
  t.true(report.quality.demandFetches < report.quality.distinctObjects)
  t.is(report.table.path, out)
  const table = await loadGroupTable(out)
  t.is(table.objectCount, 121)
  const block = table.idOf('/opt/prog3/file7')!
  const mates = table.groupsOf(block).flatMap((g) => Array.from(table.members(g), (x) => table.keys[x]))
  t.deepEqual(mates.filter((k) => !k!.startsWith('/opt/prog3/')), ['/lib/libc.so.6'], mates.join(' '))
  t.is(mates.length, 16)
})

test('xest group prints groups and quality as text', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xest-group-cli-text-'))
  const trace = join(dir, 'refs.txt')
  writeFileSync(trace, referenceList())
  const r = await xest('group', '--trace', trace, '--k', '6', '--m', '12', '--n', '5', '--show', '3')
  t.is(r.code, 0, r.stderr)
  t.regex(r.stdout, /^trace .*refs\.txt \(list\): /)
  t.regex(r.stdout, /grouping: k=6 m=12 n=5 /)
  t.regex(r.stdout, /largest groups:\n {2}#\d+ \(\d+ objects/)
  t.regex(r.stdout, /misses \d+ vs \d+ without grouping/)
})

test('xest group: bad options are usage errors, a missing trace is a failure', async (t) => {
  const fraction = await xest('group', '--trace', 'x', '--train-fraction', '2')
  t.is(fraction.code, 2)
  t.regex(fraction.stderr, /--train-fraction must be in \(0, 1\]/)
  const size = await xest('group', '--trace', 'x', '--max-group', '3 parsecs')
  t.is(size.code, 2)
  t.regex(size.stderr, /unknown unit/)
  const missing = await xest('group', '--trace', join(tmpdir(), 'no-such-trace-xest.txt'))
  t.is(missing.code, 1)
  t.regex(missing.stderr, /no-such-trace-xest\.txt/)
})

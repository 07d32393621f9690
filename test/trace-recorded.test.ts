import test from 'ava'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { readAllRecords } from '../src/trace/open-trace.ts'
import { toReferenceString } from '../src/trace/reference-string.ts'
import { readXtrace } from '../src/trace/xtrace-reader.ts'

const traces = fileURLToPath(new URL('../traces/', import.meta.url))
const files = readdirSync(traces).filter((f) => f.endsWith('.xtrace')).sort()

test('the recorded traces are there: at least three', (t) => {
  t.true(files.length >= 3, files.join(', '))
})

for (const file of files) {
  test(`traces/${file} is a valid, small trace of a real program with a working set`, (t) => {
    const path = join(traces, file)
    t.true(statSync(path).size < 1_000_000)
    const source = readXtrace(path)
    const meta = source.meta as { recordedWith?: string, command?: string[], exitStatus?: number }
    t.is(meta.recordedWith, 'xest trace record')
    t.true(Array.isArray(meta.command) && meta.command.length > 0)
    t.is(meta.exitStatus, 0)
    const records = readAllRecords(source)
    t.true(records.length >= 500, `${records.length} records`)
    t.true(records.every((r) => r.key.startsWith('/') && r.process !== undefined))
    const reference = toReferenceString(records)
    t.true(reference.keys.length >= 15, `${reference.keys.length} files`)
    t.true(reference.refs.length > reference.keys.length, 'files are used more than once')
  })
}

import test from 'ava'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SeededRng } from '../src/env/rng.ts'
import { readAllRecords } from '../src/trace/open-trace.ts'
import { TraceFormatError } from '../src/trace/trace-error.ts'
import type { TraceRecord } from '../src/trace/trace-record.ts'
import { readXtrace } from '../src/trace/xtrace-reader.ts'
import { XtraceWriter, writeXtrace } from '../src/trace/xtrace-writer.ts'

const dir = mkdtempSync(join(tmpdir(), 'xest-trace-format-'))

/** Records that exercise every field coding: repeats, sequential runs, jumps back in time and offset, huge offsets, with and without process. */
function sampleRecords (count: number, seed: number): TraceRecord[] {
  const rng = new SeededRng(seed)
  const keys = ['/usr/lib/libc.so.6', 'vdisk', 'dev4', '/tmp/é ∑ 🙂 with spaces', 'x'.repeat(5000)]
  const records: TraceRecord[] = []
  let timeUs = 0
  let end = 0
  for (let i = 0; i < count; i++) {
    const roll = rng.float()
    timeUs = roll < 0.05 ? Math.max(0, timeUs - rng.int(1000)) : roll < 0.5 ? timeUs : timeUs + rng.int(100000)
    const offsetBytes = roll < 0.3 ? end : roll < 0.35 ? 2 ** 51 + rng.int(2 ** 30) : rng.int(2 ** 32)
    const sizeBytes = rng.float() < 0.5 ? 4096 : rng.int(1 << 20)
    const record: TraceRecord = { timeUs, key: keys[rng.int(keys.length)] as string, offsetBytes, sizeBytes, op: rng.float() < 0.3 ? 'w' : 'r' }
    if (rng.float() < 0.5) record.process = `proc${rng.int(5)}`
    records.push(record)
    end = offsetBytes + sizeBytes
  }
  return records
}

test('xtrace round-trips every field exactly, across many blocks, with its metadata', (t) => {
  const records = sampleRecords(30_000, 1)
  const path = join(dir, 'sample.xtrace')
  const summary = writeXtrace(path, [records.slice(0, 123), records.slice(123)], { source: 'test', n: 1 })
  t.is(summary.records, records.length)
  t.is(summary.strings, 5 + 5)
  const source = readXtrace(path)
  t.deepEqual(source.meta, { source: 'test', n: 1 })
  const chunks = [...source]
  t.true(chunks.length >= 4, `${chunks.length} chunks`)
  // JSON comparison: exact for these plain records, and far quicker than a deep diff of 30,000
  t.is(JSON.stringify(chunks.flat()), JSON.stringify(records))
  t.is(source.counts.records, records.length)
  t.is(JSON.stringify(readAllRecords(source)), JSON.stringify(records), 'a second pass reads the same')
})

test('repeated keys cost a varint: a block trace takes a few bytes per record', (t) => {
  const records: TraceRecord[] = []
  for (let i = 0; i < 10_000; i++) records.push({ timeUs: i * 1000, key: 'vdisk', offsetBytes: (i % 97) * 4096 * 1000, sizeBytes: 4096, op: 'r' })
  const summary = writeXtrace(join(dir, 'compact.xtrace'), [records])
  t.true(summary.fileBytes < 10_000 * 8, `${summary.fileBytes} bytes`)
})

test('an empty trace is valid', (t) => {
  const path = join(dir, 'empty.xtrace')
  XtraceWriter.create(path).close()
  t.deepEqual([...readXtrace(path)], [])
})

test('the writer rejects records the format cannot hold exactly', (t) => {
  const writer = XtraceWriter.create(join(dir, 'bad.xtrace'))
  const ok: TraceRecord = { timeUs: 1, key: 'k', offsetBytes: 0, sizeBytes: 0, op: 'r' }
  t.throws(() => writer.write({ ...ok, timeUs: 1.5 }), { message: /record 0: timeUs 1.5/ })
  t.throws(() => writer.write({ ...ok, offsetBytes: -1 }), { message: /offsetBytes -1/ })
  t.throws(() => writer.write({ ...ok, sizeBytes: 2 ** 53 }), { message: /sizeBytes/ })
  t.throws(() => writer.write({ ...ok, op: 'x' as 'r' }), { message: /op x/ })
  writer.write(ok)
  t.is(writer.close().records, 1)
})

function expectFormatError (t: import('ava').ExecutionContext, path: string, pattern: RegExp): void {
  const error = t.throws(() => readAllRecords(readXtrace(path)), { instanceOf: TraceFormatError })
  t.regex(error?.message ?? '', new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: byte \\d+: `))
  t.regex(error?.message ?? '', pattern)
}

test('every truncation of a file is reported with the file and a byte offset, never misread', (t) => {
  const path = join(dir, 'whole.xtrace')
  writeXtrace(path, [sampleRecords(3000, 2)])
  const bytes = readFileSync(path)
  const cut = join(dir, 'cut.xtrace')
  const cuts = new Set<number>([0, 1, 3, 5, 6, 7, 8, 20, bytes.length - 1, bytes.length - 2, bytes.length - 3])
  for (let at = 9; at < bytes.length; at += 997) cuts.add(at)
  for (const at of cuts) {
    writeFileSync(cut, bytes.subarray(0, at))
    t.throws(() => readAllRecords(readXtrace(cut)), { instanceOf: TraceFormatError, message: /cut\.xtrace: byte \d+: .*(truncated|shorter|not an xtrace|corrupt)/ }, `cut at ${at}`)
  }
})

test('corruption is detected: magic, version, checksums, counts, trailing bytes', (t) => {
  const path = join(dir, 'good.xtrace')
  writeXtrace(path, [sampleRecords(2000, 3)], { k: 'v' })
  const bytes = readFileSync(path)
  const bad = join(dir, 'bad-bytes.xtrace')
  const variant = (edit: (copy: Buffer) => Buffer | void): string => {
    const copy = Buffer.from(bytes)
    writeFileSync(bad, edit(copy) ?? copy)
    return bad
  }
  expectFormatError(t, variant((c) => { c[0] = 0x41 }), /not an xtrace file/)
  expectFormatError(t, variant((c) => { c[4] = 9 }), /version 9/)
  const payloadByte = bytes.length - 500
  expectFormatError(t, variant((c) => { c[payloadByte] = (c[payloadByte] as number) ^ 0x10 }), /checksum mismatch/)
  expectFormatError(t, variant((c) => Buffer.concat([c, Buffer.from([0])])), /after the end marker/)
  expectFormatError(t, variant((c) => { c[c.length - 3] = (c[c.length - 3] as number) ^ 1 }), /corrupt end marker|corrupt/)
  const metaEnd = 6 + 1 + Buffer.byteLength(JSON.stringify({ k: 'v' }))
  expectFormatError(t, variant((c) => { c[metaEnd] = 0x77 }), /expected a block/)
  expectFormatError(t, variant((c) => { c[metaEnd + 1] = 0xff; c[metaEnd + 2] = 0xff; c[metaEnd + 3] = 0xff; c[metaEnd + 4] = 0x7f }), /corrupt block header|truncated/)
  t.throws(() => readXtrace(variant((c) => { c[7] = 0x7b /* { */; c[8] = 0x3a })), { instanceOf: TraceFormatError, message: /metadata is not JSON/ })
})

test('random byte damage never crashes or hangs: it reads or fails with a located error', (t) => {
  const path = join(dir, 'fuzz-base.xtrace')
  writeXtrace(path, [sampleRecords(500, 4)])
  const bytes = readFileSync(path)
  const rng = new SeededRng('fuzz')
  const damaged = join(dir, 'fuzz.xtrace')
  let failures = 0
  for (let round = 0; round < 300; round++) {
    const copy = Buffer.from(bytes)
    for (let k = 0; k < 1 + rng.int(3); k++) copy[rng.int(copy.length)] = rng.int(256)
    writeFileSync(damaged, copy)
    try {
      readAllRecords(readXtrace(damaged))
    } catch (error) {
      t.true(error instanceof TraceFormatError, String(error))
      failures++
    }
  }
  t.true(failures > 250, `${failures} of 300 damaged files rejected`)
})

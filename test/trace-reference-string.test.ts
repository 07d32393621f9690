import test from 'ava'
import { SeededRng } from '../src/env/rng.ts'
import { toReferenceString } from '../src/trace/reference-string.ts'
import { reuseDistances, summarizeReuse } from '../src/trace/reuse-distance.ts'
import { computeTraceStats } from '../src/trace/trace-stats.ts'
import type { TraceRecord } from '../src/trace/trace-record.ts'

const rec = (key: string, offsetBytes: number, sizeBytes: number, op: 'r' | 'w' = 'r', timeUs = 0): TraceRecord => ({ timeUs, key, offsetBytes, sizeBytes, op })

test('block traces expand to every 4 KiB block covered, keyed device:block, ids in first-reference order', (t) => {
  const rs = toReferenceString([rec('vdisk', 4000, 5000), rec('dev4', 0, 4096), rec('vdisk', 8192, 1)])
  t.deepEqual(rs.keys, ['vdisk:0', 'vdisk:1', 'vdisk:2', 'dev4:0'])
  t.deepEqual([...rs.refs], [0, 1, 2, 3, 2])
  t.deepEqual([...rs.sizesBytes], [4096, 4096, 4096, 4096])
  const small = toReferenceString([rec('vdisk', 4000, 5000)], { blockBytes: 512 })
  t.deepEqual(small.keys, ['vdisk:7', 'vdisk:8', 'vdisk:9', 'vdisk:10', 'vdisk:11', 'vdisk:12', 'vdisk:13', 'vdisk:14', 'vdisk:15', 'vdisk:16', 'vdisk:17'])
})

test('file traces are whole files by default (size = furthest byte reached), chunks with fileChunkBytes', (t) => {
  const records = [rec('/a', 0, 0), rec('/b', 0, 100), rec('/a', 1500, 1000), rec('/a', 0, 10)]
  const whole = toReferenceString(records)
  t.deepEqual(whole.keys, ['/a', '/b'])
  t.deepEqual([...whole.refs], [0, 1, 0, 0])
  t.deepEqual([...whole.sizesBytes], [2500, 100])
  const chunked = toReferenceString(records, { fileChunkBytes: 1000 })
  t.deepEqual(chunked.keys, ['/a#0', '/b#0', '/a#1', '/a#2'])
  t.deepEqual([...chunked.refs], [0, 1, 2, 3, 0])
})

test('key-only references (size 0, no slash) are the key itself; chunks and flat records give the same string', (t) => {
  const records = [rec('objA', 0, 0), rec('objB', 0, 0), rec('objA', 0, 0), rec('refs', 8192, 4096)]
  const flat = toReferenceString(records)
  t.deepEqual(flat.keys, ['objA', 'objB', 'refs:2'])
  t.deepEqual([...flat.refs], [0, 1, 0, 2])
  const chunked = toReferenceString([records.slice(0, 1), records.slice(1)])
  t.deepEqual(chunked, flat)
})

test('a record covering too many objects is an error, not a hang', (t) => {
  t.throws(() => toReferenceString([rec('vdisk', 0, 2 ** 50)]), { instanceOf: RangeError, message: /covers \d+ objects/ })
  t.throws(() => toReferenceString([], { blockBytes: 0 }), { instanceOf: RangeError })
})

function bruteForceDistances (refs: number[]): number[] {
  return refs.map((object, i) => {
    const previous = i === 0 ? -1 : refs.lastIndexOf(object, i - 1)
    return previous < 0 ? -1 : new Set(refs.slice(previous + 1, i)).size
  })
}

test('reuse distances match a brute-force count of distinct objects in between', (t) => {
  t.deepEqual([...reuseDistances(Int32Array.from([0, 1, 2, 0, 0, 2, 1]), 3)], [-1, -1, -1, 2, 0, 1, 2])
  const rng = new SeededRng('reuse')
  for (let round = 0; round < 20; round++) {
    const objects = 1 + rng.int(30)
    const refs = Array.from({ length: 300 }, () => rng.int(objects))
    t.deepEqual([...reuseDistances(Int32Array.from(refs), objects)], bruteForceDistances(refs), `round ${round}`)
  }
})

test('reuse summary: quantiles over re-references, first references counted apart', (t) => {
  const summary = summarizeReuse(Int32Array.from([-1, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]))
  t.deepEqual(summary, { references: 12, firstReferences: 2, p50: 5, p90: 9, p99: 9, max: 9, mean: 4.5 })
  t.deepEqual(summarizeReuse(new Int32Array(0)), { references: 0, firstReferences: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 })
})

test('trace stats count records, mix, bytes, keys, processes, span and objects', (t) => {
  const records = [
    { ...rec('/lib/a.so', 0, 8192, 'r', 10), process: 'p[1]' },
    { ...rec('/etc/conf', 0, 100, 'w', 20), process: 'p[1]' },
    { ...rec('/lib/a.so', 0, 8192, 'r', 1010), process: 'q[2]' },
    rec('vdisk', 0, 8192, 'r', 2010)
  ]
  const stats = computeTraceStats([records])
  t.like(stats, { records: 4, reads: 3, writes: 1, readBytes: 8192 * 3, writtenBytes: 100, keys: 3, processes: 2, timeSpanUs: 2000, references: 5, objects: 4, footprintBytes: 8192 + 100 + 8192 })
  t.like(stats.reuse, { firstReferences: 4, p50: 1, max: 1 })
})

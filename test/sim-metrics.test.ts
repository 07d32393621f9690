import test from 'ava'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Counters } from '../sim/metrics/counters.ts'
import { Histogram, quantileKey } from '../sim/metrics/histogram.ts'
import { TrafficMeter } from '../sim/metrics/traffic.ts'
import { SimMetrics } from '../sim/metrics/sim-metrics.ts'
import { buildProvenance, codeVersion, hashInputFile, packageVersion, type Provenance } from '../sim/metrics/provenance.ts'
import { formatCsvNumber, toCsv, toDeterministicJson, writeRunResults } from '../sim/metrics/report.ts'

const repoDir = fileURLToPath(new URL('..', import.meta.url))

function tempDir (t: { teardown: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'xest-metrics-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

test('counters: add, get, entries sorted by name', (t) => {
  const c = new Counters()
  c.add('zeta')
  c.add('alpha', 5)
  c.add('zeta', 2)
  c.add('Beta', -1)
  t.is(c.get('zeta'), 3)
  t.is(c.get('missing'), 0)
  t.deepEqual(c.entries(), [['Beta', -1], ['alpha', 5], ['zeta', 3]])
  t.deepEqual(Object.keys(c.toObject()), ['Beta', 'alpha', 'zeta'])
  t.throws(() => c.add('x', NaN), { instanceOf: RangeError })
})

test('histogram: quantiles (R-7 interpolation), summary keys, cache invalidation', (t) => {
  const h = new Histogram()
  for (const v of [10, 3, 7, 1, 9, 2, 8, 6, 4, 5]) h.record(v)
  t.is(h.count, 10)
  t.is(h.sum, 55)
  t.is(h.mean, 5.5)
  t.is(h.min, 1)
  t.is(h.max, 10)
  // i = (n − 1)·q over 1…10: q 0.5 → 5.5, 0.9 → 9.1, 0.99 → 9.91.
  t.is(h.quantile(0.5), 5.5)
  t.is(h.quantile(0), 1)
  t.is(h.quantile(1), 10)
  t.true(Math.abs(h.quantile(0.9)! - 9.1) < 1e-12)
  t.true(Math.abs(h.quantile(0.99)! - 9.91) < 1e-12)
  const s = h.summary()
  t.deepEqual(Object.keys(s), ['count', 'mean', 'min', 'max', 'p50', 'p90', 'p99'])
  t.is(s.p50, 5.5)
  t.deepEqual(Object.keys(h.summary([0.25, 0.999, 1])), ['count', 'mean', 'min', 'max', 'p25', 'p99_9', 'p100'])
  t.is(quantileKey(0.995), 'p99_5')
  t.throws(() => h.quantile(1.5), { instanceOf: RangeError })
  t.throws(() => h.record(Infinity), { instanceOf: RangeError })
  h.record(100) // the sorted copy must be rebuilt
  t.is(h.quantile(1), 100)
  t.is(h.quantile(0.5), 6)
})

test('histogram: grows past its initial capacity without losing samples', (t) => {
  const h = new Histogram()
  for (let i = 1000; i >= 1; i--) h.record(i)
  t.is(h.count, 1000)
  t.is(h.quantile(0.5), 500.5)
  t.is(h.sum, 500500)
})

test('histogram: empty summary is NaN-free', (t) => {
  const h = new Histogram()
  t.deepEqual(h.summary(), { count: 0, mean: null, min: null, max: null, p50: null, p90: null, p99: null })
  t.is(h.quantile(0.5), null)
  t.deepEqual(h.cdf(10), [])
  t.deepEqual(h.cdf([1, 2]), [{ value: 1, fraction: 0 }, { value: 2, fraction: 0 }])
})

test('histogram: CDF points lie on the empirical CDF', (t) => {
  const h = new Histogram()
  for (const v of [1, 2, 2, 2, 3, 4, 5, 6, 7, 8]) h.record(v)
  t.deepEqual(h.cdf(100), [
    { value: 1, fraction: 0.1 }, { value: 2, fraction: 0.4 }, { value: 3, fraction: 0.5 }, { value: 4, fraction: 0.6 },
    { value: 5, fraction: 0.7 }, { value: 6, fraction: 0.8 }, { value: 7, fraction: 0.9 }, { value: 8, fraction: 1 }
  ])
  t.deepEqual(h.cdf(2), [{ value: 3, fraction: 0.5 }, { value: 8, fraction: 1 }])
  t.deepEqual(h.cdf(1), [{ value: 8, fraction: 1 }])
  t.deepEqual(h.cdf([0, 2, 2.5, 8, 9]).map((p) => p.fraction), [0, 0.4, 0.4, 1, 1])
  t.throws(() => h.cdf(0), { instanceOf: RangeError })
})

test('traffic: by type, by node, drops, rates', (t) => {
  const m = new TrafficMeter()
  m.recordSend(0, 'ping', 100)
  m.recordSend(0, 'ping', 100)
  m.recordSend(2, 'ack', 40)
  m.recordDelivery(1, 'ping', 100)
  m.recordDelivery(0, 'ack', 40)
  m.recordDrop('loss', 'ping', 100)
  t.deepEqual(m.byType(), [
    { type: 'ack', datagrams: 1, bytes: 40, delivered: 1, dropped: 0 },
    { type: 'ping', datagrams: 2, bytes: 200, delivered: 1, dropped: 1 }
  ])
  t.deepEqual(m.byNode(), [
    { node: 0, sentDatagrams: 2, sentBytes: 200, receivedDatagrams: 1, receivedBytes: 40 },
    { node: 1, sentDatagrams: 0, sentBytes: 0, receivedDatagrams: 1, receivedBytes: 100 },
    { node: 2, sentDatagrams: 1, sentBytes: 40, receivedDatagrams: 0, receivedBytes: 0 }
  ])
  t.is(m.byNode(5).length, 5)
  t.deepEqual(m.byNode(5)[4], { node: 4, sentDatagrams: 0, sentBytes: 0, receivedDatagrams: 0, receivedBytes: 0 })
  t.deepEqual(m.drops(), [{ reason: 'loss', datagrams: 1, bytes: 100 }])
  t.deepEqual(m.totals(), {
    sentDatagrams: 3, sentBytes: 240, deliveredDatagrams: 2, deliveredBytes: 140, droppedDatagrams: 1, droppedBytes: 100
  })
  // 240 bytes over 2 s and 3 nodes.
  t.is(m.bytesPerSecondPerNode(2_000_000, 3), 40)
  t.is(m.bytesPerSecondPerNode(2_000_000, 2, 'ack'), 10)
  t.throws(() => m.bytesPerSecondPerNode(0, 3), { instanceOf: RangeError })
  t.throws(() => m.recordSend(-1, 'x', 1), { instanceOf: RangeError })
})

test('traffic: 10,000 nodes and a million datagrams stay cheap', (t) => {
  const m = new TrafficMeter()
  const types = ['a', 'b', 'c', 'd']
  for (let i = 0; i < 1_000_000; i++) {
    const src = (i * 7919) % 10_000
    m.recordSend(src, types[i & 3]!, 100)
    if (i % 10 !== 0) m.recordDelivery((src + 1) % 10_000, types[i & 3]!, 100)
    else m.recordDrop('loss', types[i & 3]!, 100)
  }
  const rows = m.byNode()
  t.is(rows.length, 10_000)
  t.is(rows.reduce((s, r) => s + r.sentDatagrams, 0), 1_000_000)
  t.is(m.totals().deliveredDatagrams, 900_000)
  t.is(m.drops()[0]!.datagrams, 100_000)
})

test('SimMetrics: histograms on first use, deterministic snapshot', (t) => {
  const build = (): SimMetrics => {
    const m = new SimMetrics()
    m.histogram('lookup.latencyUs').record(1500)
    m.histogram('hops').record(3)
    m.counters.add('lookups')
    m.traffic.recordSend(0, 'ping', 64)
    return m
  }
  const m = build()
  t.is(m.histogram('hops'), m.histogram('hops'))
  const snap = m.snapshot()
  t.deepEqual(Object.keys(snap.histograms), ['hops', 'lookup.latencyUs'])
  t.is(snap.histograms.hops?.p50, 3)
  t.deepEqual(snap.counters, { lookups: 1 })
  t.is(snap.traffic.byNode?.length, 1)
  t.false('byNode' in m.snapshot({ byNode: false }).traffic)
  t.is(toDeterministicJson(snap), toDeterministicJson(build().snapshot()))
  t.deepEqual(JSON.parse(toDeterministicJson(snap)), snap)
})

test('deterministic JSON: bigint, Map, NaN, typed arrays, undefined, cycles', (t) => {
  const value = {
    id: 0xdeadbeefn,
    neg: -255n,
    bad: [NaN, Infinity, -0, undefined],
    map: new Map<unknown, unknown>([['b', 2], ['a', 1], [10n, 'big']]),
    set: new Set([3, 1]),
    floats: new Float64Array([0.5, NaN]),
    bytes: new Uint8Array([1, 255]),
    skipped: undefined
  }
  const json = toDeterministicJson(value)
  t.is(json, [
    '{',
    '  "id": "0xdeadbeef",',
    '  "neg": "-0xff",',
    '  "bad": [',
    '    null,',
    '    null,',
    '    0,',
    '    null',
    '  ],',
    '  "map": {',
    '    "0xa": "big",',
    '    "a": 1,',
    '    "b": 2',
    '  },',
    '  "set": [',
    '    3,',
    '    1',
    '  ],',
    '  "floats": [',
    '    0.5,',
    '    null',
    '  ],',
    '  "bytes": "01ff"',
    '}'
  ].join('\n'))
  t.is(toDeterministicJson(value), json)
  t.is(toDeterministicJson(NaN), 'null')
  const cyclic: Record<string, unknown> = {}
  cyclic.self = cyclic
  t.throws(() => toDeterministicJson(cyclic), { instanceOf: TypeError })
  const shared = { x: 1 }
  t.notThrows(() => toDeterministicJson([shared, shared]), 'a shared (non-circular) object is fine')
})

test('CSV: RFC 4180 quoting, column order, number formatting', (t) => {
  const csv = toCsv([
    { name: 'plain', value: 1, note: 'a,b' },
    { name: 'say "hi"', value: 1 / 3, extra: true },
    { name: 'multi\nline', value: NaN, note: null }
  ])
  t.is(csv, [
    'name,value,note,extra',
    'plain,1,"a,b",',
    '"say ""hi""",0.333333,,true',
    '"multi\nline",,,',
    ''
  ].join('\n'))
  t.is(toCsv([{ a: 1, b: 2 }], ['b', 'a', 'c']), 'b,a,c\n2,1,\n')
  t.is(toCsv([]), '\n')
  t.is(formatCsvNumber(1234.56789012), '1234.56789')
  t.is(formatCsvNumber(0.1 + 0.2), '0.3')
  t.is(formatCsvNumber(0.000123456789), '0.000123457')
  t.is(formatCsvNumber(-0), '0')
  t.is(formatCsvNumber(12_345_678), '12345678')
  t.is(formatCsvNumber(2.5e-9), '2.5e-9')
  t.is(toCsv([{ id: 255n, obj: { k: [1, 2] } }]), 'id,obj\n0xff,"{""k"":[1,2]}"\n')
})

test('provenance: SHA-1 of an input file, package version, code version never throws', (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'input.txt')
  writeFileSync(file, 'abc')
  t.deepEqual(hashInputFile(file), { path: file, sha1: 'a9993e364706816aba3e25717850c26c9cd0d89d', bytes: 3 })
  t.is(packageVersion(repoDir), JSON.parse(readFileSync(join(repoDir, 'package.json'), 'utf8')).version)
  const here = codeVersion(repoDir)
  t.true(here.commit === null || /^[0-9a-f]{40}$/.test(here.commit))
  t.deepEqual(codeVersion(join(dir, 'no-such-dir')), { commit: null, dirty: null })
  const p = buildProvenance(repoDir, { seed: 42, config: { nodes: 10 }, inputs: [hashInputFile(file)] })
  t.is(p.tool, 'xest')
  t.is(p.seed, '42')
  t.false('command' in p)
})

test('writeRunResults: run.json plus one CSV per table, byte-identical on rewrite', (t) => {
  const dir = join(tempDir(t), 'nested', 'results')
  const provenance: Provenance = {
    tool: 'xest',
    packageVersion: '0.0.0',
    codeVersion: { commit: null, dirty: null },
    seed: 's',
    config: { nodes: 2 },
    inputs: [],
    command: ['sim', '--seed', 's']
  }
  const results = {
    provenance,
    summary: { lookups: 2, meanUs: 1.5 },
    tables: { traffic: [{ type: 'ping', bytes: 10 }], latency: [{ value: 1, fraction: 0.5 }] }
  }
  const written = writeRunResults(dir, results)
  t.deepEqual(written, [join(dir, 'run.json'), join(dir, 'latency.csv'), join(dir, 'traffic.csv')])
  const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'))
  t.deepEqual(Object.keys(run), ['provenance', 'summary', 'tables'])
  t.deepEqual(run.provenance, provenance)
  t.is(readFileSync(join(dir, 'traffic.csv'), 'utf8'), 'type,bytes\nping,10\n')
  const before = written.map((p) => readFileSync(p, 'utf8'))
  writeRunResults(dir, results)
  t.deepEqual(written.map((p) => readFileSync(p, 'utf8')), before)
  t.throws(() => writeRunResults(dir, { ...results, tables: { '../escape': [] } }), { message: /plain file name/ })
})

import test, { type ExecutionContext } from 'ava'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { CoordinateModel, parseOverSimNodes } from '../sim/net/models/coordinate-model.ts'
import { loadNetworkModel, sniffNetworkModelFormat } from '../sim/net/models/load-model.ts'
import { MatrixModel, parseKingTopology, parsePlainMatrix } from '../sim/net/models/matrix-model.ts'
import { ModelParseError } from '../sim/net/models/model-parse-error.ts'
import { createSyntheticModel, DEFAULT_SYNTHETIC_OPTIONS } from '../sim/net/models/synthetic-model.ts'
import type { NetworkModel } from '../sim/net/network-model.ts'

const KING_FILE = path.resolve(import.meta.dirname, '../../shared/data/king128-bamboo/king128.top')
const OVERSIM_FILE = path.resolve(import.meta.dirname, '../../shared/data/oversim-coords-15000/nodes_2d_15000.xml')

const RTT = { values: 'rtt' } as const
const ONE_WAY = { values: 'one-way' } as const

/** Asserts `fn` throws a ModelParseError for `line` whose message matches `pattern`. */
function throwsParseError (t: ExecutionContext, fn: () => unknown, line: number, pattern: RegExp): void {
  const error = t.throws(fn, { instanceOf: ModelParseError })
  t.is(error?.line, line, error?.message)
  t.regex(error?.message ?? '', pattern)
}

/** Round-trip-time quantiles (ms) over all pairs of the first `limit` hosts, for test logs. */
function rttQuantilesMs (model: NetworkModel, limit = 128): Record<string, number> {
  const rttMs: number[] = []
  const n = Math.min(model.hostCount, limit)
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) rttMs.push((model.oneWayUs(a, b) + model.oneWayUs(b, a)) / 1000)
  rttMs.sort((x, y) => x - y)
  const at = (p: number): number => rttMs[Math.min(rttMs.length - 1, Math.floor(p * rttMs.length))] ?? Number.NaN
  return { min: at(0), p10: at(0.1), p25: at(0.25), p50: at(0.5), p75: at(0.75), p90: at(0.9), p99: at(0.99), max: at(1) }
}

const KING_SAMPLE = [
  'topology E2EGraph 4', 'failure_model ConstantFailureModel delay=1', 'loss_rate 0', '',
  'node 1', 'node 2', 'node 3', 'node 4',
  '1,2 42', '3,1 10.5', '1,4 7', '2,3 100', '2,4 0', '3,4 1.0001', '1,2 42.0', '', ''
].join('\r\n')

test('King: RTT values become halved one-way µs, symmetric, node k is host k − 1', (t) => {
  const model = parseKingTopology(KING_SAMPLE, 'dir/sample.top', RTT)
  t.is(model.hostCount, 4)
  t.is(model.name, 'king:sample.top (4 hosts, rtt)')
  t.is(model.oneWayUs(0, 1), 21_000)
  t.is(model.oneWayUs(0, 2), 5250, 'pair given as 3,1, decimal')
  t.is(model.oneWayUs(2, 3), 500, 'Math.round of 500.05')
  t.is(model.oneWayUs(1, 3), 0)
  t.is(model.oneWayUs(2, 2), 0)
  for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) t.is(model.oneWayUs(a, b), model.oneWayUs(b, a))
  t.throws(() => model.oneWayUs(0, 4), { instanceOf: RangeError })
  t.throws(() => model.oneWayUs(-1, 0), { instanceOf: RangeError })
})

test('King: one-way reading (as Bamboo) takes values as one-way ms', (t) => {
  const model = parseKingTopology(KING_SAMPLE, 'sample.top', ONE_WAY)
  t.is(model.oneWayUs(1, 0), 42_000)
  t.is(model.oneWayUs(0, 2), 10_500)
  t.is(model.oneWayUs(3, 2), 1000)
  t.is(model.name, 'king:sample.top (4 hosts, one-way)')
})

test('King: every malformed, incomplete or inconsistent input names its line', (t) => {
  const head = ['topology E2EGraph 3', 'failure_model ConstantFailureModel delay=1', 'loss_rate 0', '', 'node 1', 'node 2', 'node 3']
  const king = (...pairs: string[]): string => [...head, ...pairs].join('\n') + '\n'
  const parse = (text: string) => () => parseKingTopology(text, 'k.top', RTT)
  t.notThrows(parse(king('1,2 1', '1,3 2', '2,3 3')))
  throwsParseError(t, parse('topology Euclidean 3\n'), 1, /^k\.top:1: expected "topology E2EGraph <node count>", found "topology Euclidean 3"$/)
  throwsParseError(t, parse('topology E2EGraph 0\n'), 1, /node count 0/)
  throwsParseError(t, parse(king('1,2 1', '1,3 2', '2,3 3').replace('node 2', 'node 4')), 6, /expected "node 2", found "node 4"/)
  throwsParseError(t, parse(king('1,2 1', '1,3 2', '2,3 3').replace('node 3\n', '')), 7, /expected "node 3", found "1,2 1"/)
  throwsParseError(t, parse(head.slice(0, 6).join('\n')), 6, /expected "node 3", found end of file/)
  throwsParseError(t, parse(king('1,2 1', '1 3 2', '2,3 3')), 9, /^k\.top:9: expected "i,j latency", found "1 3 2"$/)
  throwsParseError(t, parse(king('1,2 1', 'node 4')), 9, /beyond the 3 nodes/)
  throwsParseError(t, parse(king('1,2 1', '1,4 2', '2,3 3')), 9, /node 4 is outside 1 … 3/)
  throwsParseError(t, parse(king('0,2 1')), 8, /node 0 is outside/)
  throwsParseError(t, parse(king('1,2 1', '2,2 0')), 9, /joins a node to itself/)
  throwsParseError(t, parse(king('1,2 1', '1,3 -2', '2,3 3')), 9, /latency -2 ms is negative/)
  throwsParseError(t, parse(king('1,2 1', '1,3 fast', '2,3 3')), 9, /latency "fast" is not a number/)
  throwsParseError(t, parse(king('1,2 1', '1,3 2', '2,3 3', '2,1 5')), 11, /pair 2,1 is given again with a different latency \(5 ms; first on line 8\)/)
  throwsParseError(t, parse(king('1,2 1', '2,3 3', '', '')), 9, /missing latency for pair 1,3 \(1 of 3 pairs missing\)/)
  throwsParseError(t, parse(king()), 7, /missing latency for pair 1,2 \(3 of 3/)
})

test('plain matrix: asymmetric rows, commas or spaces, comments, diagonal ignored, rtt vs one-way', (t) => {
  const text = '# one-way? no: RTT ms\n\n0 10 20   # row 1\n12, -, 30.5\r\n20,\t31   7\n\n'
  const rtt = parsePlainMatrix(text, 'm.txt', RTT)
  t.is(rtt.hostCount, 3)
  t.is(rtt.name, 'matrix:m.txt (3 hosts, rtt)')
  t.is(rtt.oneWayUs(0, 1), 5000)
  t.is(rtt.oneWayUs(1, 0), 6000, 'source row, target column')
  t.is(rtt.oneWayUs(1, 2), 15_250)
  t.is(rtt.oneWayUs(1, 1), 0)
  t.is(rtt.oneWayUs(2, 2), 0)
  const oneWay = parsePlainMatrix(text, 'm.txt', ONE_WAY)
  t.is(oneWay.oneWayUs(2, 1), 31_000)
  t.is(parsePlainMatrix('7', 'one.txt', RTT).hostCount, 1)
  throwsParseError(t, () => parsePlainMatrix('0 10\n10 x\n', 'bad.txt', RTT), 2, /value 2 "x" is not a number/)
})

test('plain matrix: errors name their line', (t) => {
  const parse = (text: string) => () => parsePlainMatrix(text, 'm.txt', RTT)
  throwsParseError(t, parse('0 1 2\n1 0\n2 1 0\n'), 2, /expected 3 values like the first row, found 2/)
  throwsParseError(t, parse('0 1\n1 0\n\n# c\n3 3\n'), 5, /expected 2 rows .* found a row 3/)
  throwsParseError(t, parse('0 1 2\n1 0 1\n\n'), 2, /expected 3 rows .* found 2/)
  throwsParseError(t, parse('0 1\n-1 0\n'), 2, /value 1 \(-1 ms\) is negative/)
  throwsParseError(t, parse('0 1\n1ms 0\n'), 2, /value 1 "1ms" is not a number/)
  throwsParseError(t, parse('# nothing\n\n'), 1, /no matrix rows/)
})

test('MatrixModel: constructor checks its table', (t) => {
  const model = new MatrixModel('m', 2, [99, 5, 7, 99])
  t.is(model.oneWayUs(0, 1), 5)
  t.is(model.oneWayUs(1, 0), 7)
  t.is(model.oneWayUs(0, 0), 0, 'diagonal ignored')
  t.throws(() => new MatrixModel('m', 2, [0, 1, 2]), { instanceOf: RangeError })
  t.throws(() => new MatrixModel('m', 2, [0, 1.5, 2, 0]), { instanceOf: RangeError })
  t.throws(() => new MatrixModel('m', 2, [0, -1, 2, 0]), { instanceOf: RangeError })
  t.throws(() => new MatrixModel('m', 0, []), { instanceOf: RangeError })
})

const XML_SAMPLE = `<?xml version="1.0"?>
<!-- three hosts -->
<nodelist dimensions="2" rootnodes="1">
\t<node isroot="1">
\t\t<coord> 0 </coord>
\t\t<coord> 0 </coord>
\t</node>

\t<node isroot="0" ip="c050001"><coord>3</coord><coord>4.0</coord></node>
\t<node isroot='0'>
\t\t<coord> -1.5e1 </coord>
\t\t<coord> 0.0005 </coord>
\t</node>
</nodelist>
`

test('OverSim XML: coordinates in ms one-way, Euclidean, symmetric', (t) => {
  const model = parseOverSimNodes(XML_SAMPLE.replaceAll('\n', '\r\n'), 'sim/nodes.xml')
  t.is(model.hostCount, 3)
  t.is(model.dimensions, 2)
  t.is(model.name, 'oversim:nodes.xml (3 hosts, 2-D)')
  t.is(model.oneWayUs(0, 1), 5000)
  t.is(model.oneWayUs(1, 0), 5000)
  t.is(model.oneWayUs(0, 2), 15_000)
  t.is(model.oneWayUs(2, 2), 0)
  t.deepEqual([...model.coordinatesMs(2)], [-15, 0.0005])
  const threeD = parseOverSimNodes('<nodelist dimensions="3"><node><coord>1</coord><coord>2</coord><coord>2</coord></node>' +
    '<node><coord>0</coord><coord>0</coord><coord>0</coord></node></nodelist>', '3d.xml')
  t.is(threeD.oneWayUs(0, 1), 3000)
})

test('OverSim XML: errors name their line', (t) => {
  const parse = (text: string) => () => parseOverSimNodes(text, 'n.xml')
  const lines = XML_SAMPLE.split('\n')
  const edit = (line: number, replacement: string): string => lines.map((l, i) => i + 1 === line ? replacement : l).join('\n')
  throwsParseError(t, parse(edit(6, '')), 7, /^n\.xml:7: <node> of host 0 has 1 <coord> elements, expected 2$/)
  throwsParseError(t, parse(edit(6, '<coord>1</coord><coord>2</coord>')), 6, /host 0 has more than 2 <coord>/)
  throwsParseError(t, parse(edit(11, '<coord> x1 </coord>')), 11, /expected a number in <coord>, found "x1"/)
  throwsParseError(t, parse(edit(11, '<coord></coord>')), 11, /found ""/)
  throwsParseError(t, parse(edit(3, '<nodelist rootnodes="1">')), 3, /no dimensions attribute/)
  throwsParseError(t, parse(edit(3, '<nodelist dimensions="two">')), 3, /dimensions="two" is not a positive integer/)
  throwsParseError(t, parse(edit(3, '<nodes dimensions="2">')), 3, /expected <nodelist dimensions="…">, found <nodes>/)
  throwsParseError(t, parse(edit(9, '<host/>')), 9, /expected <node> or <\/nodelist>, found <host>/)
  throwsParseError(t, parse(edit(12, '<coord>1<coord>')), 12, /expected <\/coord>, found <coord>/)
  throwsParseError(t, parse(edit(7, 'stray')), 7, /unexpected text "stray"/)
  throwsParseError(t, parse(edit(9, '<node <coord>')), 9, /malformed tag "<node <coord>"/)
  throwsParseError(t, parse(edit(9, '<node ip=c05>')), 9, /malformed tag/)
  throwsParseError(t, parse(edit(13, '</node x="1">')), 13, /malformed tag/)
  throwsParseError(t, parse(`${XML_SAMPLE}<node>`), 15, /unexpected <node> after <\/nodelist>/)
  throwsParseError(t, parse(lines.slice(0, 9).join('\n')), 9, /unexpected end of file before <\/nodelist>/)
  throwsParseError(t, parse('<nodelist dimensions="2">\n</nodelist>\n'), 3, /no <node> elements/)
  throwsParseError(t, parse('<nodelist dimensions="2">\n<node/>\n</nodelist>\n'), 2, /has 0 <coord>/)
  throwsParseError(t, parse('\n\n'), 3, /no <nodelist> element/)
  throwsParseError(t, parse('<nodelist dimensions="2">\n<!-- open\n'), 2, /unterminated comment/)
})

test('CoordinateModel: access delays are added at both ends; arguments are checked', (t) => {
  const model = new CoordinateModel('c', 1, [0, 10, 10], [500, 1500, 0])
  t.is(model.hostCount, 3)
  t.is(model.oneWayUs(0, 1), 12_000)
  t.is(model.oneWayUs(1, 0), 12_000)
  t.is(model.oneWayUs(1, 2), 1500, 'co-located hosts still pay access delay')
  t.is(model.oneWayUs(1, 1), 0)
  t.is(model.accessUs(1), 1500)
  t.throws(() => model.oneWayUs(0, 3), { instanceOf: RangeError })
  t.throws(() => new CoordinateModel('c', 2, [1, 2, 3]), { instanceOf: RangeError })
  t.throws(() => new CoordinateModel('c', 1, [1, Number.NaN]), { instanceOf: RangeError })
  t.throws(() => new CoordinateModel('c', 1, [1, 2], [0]), { instanceOf: RangeError })
  t.throws(() => new CoordinateModel('c', 1, [1, 2], [0, -1]), { instanceOf: RangeError })
})

test('synthetic: same seed gives the identical model, another seed a different one', (t) => {
  const a = createSyntheticModel({ seed: 7 })
  const b = createSyntheticModel({ seed: 7 })
  const c = createSyntheticModel({ seed: 8 })
  const table = (m: NetworkModel): number[] => {
    const out: number[] = []
    for (let x = 0; x < m.hostCount; x++) for (let y = 0; y < m.hostCount; y++) out.push(m.oneWayUs(x, y))
    return out
  }
  t.deepEqual(table(a), table(b))
  t.is(a.name, b.name)
  t.notDeepEqual(table(a), table(c))
  t.not(a.name, c.name)
  t.regex(a.name, /^synthetic:seed=7 \(128 hosts, 6 regions, plane 55 ms, .*access 0\.5–5 ms\)$/)
  t.deepEqual(a.options, { seed: 7, ...DEFAULT_SYNTHETIC_OPTIONS })
  const more = createSyntheticModel({ seed: 7, hostCount: 300 })
  t.deepEqual(more.regionCentresMs, a.regionCentresMs, 'regions depend on the seed, not the host count')
  t.regex(createSyntheticModel({ seed: 'x', hostCount: 10, regionCount: 2 }).name, /seed=x \(10 hosts, 2 regions/)
})

test('synthetic: delays are plausible for the wide area', (t) => {
  const options = DEFAULT_SYNTHETIC_OPTIONS
  for (const seed of [1, 2, 3, 'default']) {
    const model = createSyntheticModel({ seed })
    t.is(model.hostCount, 128)
    t.is(model.regionCentresMs.length, 12)
    let intraMaxUs = 0
    let minUs = Infinity
    let maxUs = 0
    for (let a = 0; a < model.hostCount; a++) {
      const access = model.accessUs(a)
      t.true(access >= 500 && access <= 5000 && Number.isInteger(access))
      for (let b = a + 1; b < model.hostCount; b++) {
        const us = model.oneWayUs(a, b)
        t.is(us, model.oneWayUs(b, a))
        minUs = Math.min(minUs, us)
        maxUs = Math.max(maxUs, us)
        if (model.regionOfHost[a] === model.regionOfHost[b]) intraMaxUs = Math.max(intraMaxUs, us)
      }
    }
    const bound = 2 * options.regionRadiusMs + 2 * options.accessMaxMs
    t.true(minUs >= 1000, `every path pays ≥ 2 × 0.5 ms access (min ${minUs} µs)`)
    t.true(intraMaxUs <= bound * 1000, `intra-region one-way ≤ ${bound} ms (max ${intraMaxUs} µs)`)
    t.true(maxUs <= (2 * options.planeRadiusMs + bound) * 1000, `max one-way ${maxUs} µs`)
    const rtt = rttQuantilesMs(model)
    t.log(`seed ${seed}: RTT ms`, rtt)
    t.true((rtt.p50 ?? 0) >= 50 && (rtt.p50 ?? 0) <= 180, 'median RTT in the wide-area range')
    t.true((rtt.p10 ?? 0) >= 10 && (rtt.p10 ?? 0) <= 60, 'a near neighbourhood exists')
  }
  t.throws(() => createSyntheticModel({ seed: 1, hostCount: 0 }), { instanceOf: RangeError })
  t.throws(() => createSyntheticModel({ seed: 1, accessMinMs: 6 }), { instanceOf: RangeError })
  t.throws(() => createSyntheticModel({ seed: 1, regionSkew: 0.5 }), { instanceOf: RangeError })
  t.is(createSyntheticModel({ seed: 1, hostCount: 3, regionCount: 40 }).hostCount, 3)
})

test('loadNetworkModel: sniffs the format, hashes the bytes, passes values, names missing files', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sim-models-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const files = { king: path.join(dir, 'a.top'), oversim: path.join(dir, 'b.xml'), matrix: path.join(dir, 'c.txt') }
  writeFileSync(files.king, KING_SAMPLE)
  writeFileSync(files.oversim, XML_SAMPLE)
  writeFileSync(files.matrix, '\uFEFF0 8\n8 0\n')
  const king = loadNetworkModel(files.king)
  t.is(king.model.oneWayUs(0, 1), 21_000)
  t.deepEqual(king.input, { path: files.king, sha1: createHash('sha1').update(KING_SAMPLE).digest('hex'), bytes: Buffer.byteLength(KING_SAMPLE) })
  t.is(loadNetworkModel(files.king, { values: 'one-way' }).model.oneWayUs(0, 1), 42_000)
  t.is(loadNetworkModel(files.oversim).model.oneWayUs(0, 1), 5000)
  t.is(loadNetworkModel(files.matrix).model.oneWayUs(1, 0), 4000)
  t.is(loadNetworkModel(files.matrix, { values: 'one-way' }).model.oneWayUs(1, 0), 8000)
  t.is(sniffNetworkModelFormat('\n topology E2EGraph 3'), 'king')
  t.is(sniffNetworkModelFormat('<?xml?><nodelist>'), 'oversim')
  t.is(sniffNetworkModelFormat('0 1\n1 0'), 'matrix')
  const missing = path.join(dir, 'nope.top')
  const error = t.throws(() => loadNetworkModel(missing))
  t.true(error?.message.includes(missing), error?.message)
  t.regex(error?.message ?? '', /no such file/)
  writeFileSync(files.matrix, '0 1\nx 0\n')
  const parseError = t.throws(() => loadNetworkModel(files.matrix), { instanceOf: ModelParseError })
  t.is(parseError?.source, files.matrix)
  t.is(parseError?.line, 2)
})

test('the King 128-node file as shipped with Bamboo', (t) => {
  if (!existsSync(KING_FILE)) {
    t.log(`skipped: ${KING_FILE} is absent`)
    t.pass()
    return
  }
  const { model, input } = loadNetworkModel(KING_FILE)
  t.is(model.hostCount, 128)
  t.is(model.name, 'king:king128.top (128 hosts, rtt)')
  t.is(model.oneWayUs(0, 1), 21_000, 'file says "1,2 42" (RTT ms)')
  t.is(model.oneWayUs(127, 126), 18_000, 'file says "127,128 36"')
  t.is(input.bytes, 78_802)
  t.regex(input.sha1, /^[0-9a-f]{40}$/)
  t.is(loadNetworkModel(KING_FILE, { values: 'one-way' }).model.oneWayUs(0, 1), 42_000)
  t.log('King RTT ms', rttQuantilesMs(model))
})

test('the OverSim 15,000-host coordinate file', (t) => {
  if (!existsSync(OVERSIM_FILE)) {
    t.log(`skipped: ${OVERSIM_FILE} is absent`)
    t.pass()
    return
  }
  const started = performance.now()
  const { model } = loadNetworkModel(OVERSIM_FILE)
  const elapsedMs = performance.now() - started
  t.is(model.hostCount, 15_000)
  t.true(model instanceof CoordinateModel)
  t.is(model.oneWayUs(0, 1), Math.round(1000 * Math.hypot(-24.1991 - -23.5895, -12.7714 - -67.4973)))
  t.true(elapsedMs < 1000, `parsed in ${elapsedMs.toFixed(0)} ms`)
  t.log(`parsed in ${elapsedMs.toFixed(0)} ms; RTT ms of the first 500 hosts`, rttQuantilesMs(model, 500))
})

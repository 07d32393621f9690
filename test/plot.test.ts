/**
 * `xest plot` and the figures of `xest study`: a real small study run through the CLI writes
 * its figures; each figure is well-formed SVG carrying its title and axis titles, with a PNG of
 * plausible size; the same results give byte-identical SVGs (in one process and across
 * processes); several runs give the sweep figures; bad inputs are usage errors.
 */
import test from 'ava'
import { execFile } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { plotRun, plotSweep } from '../src/plot/plot-results.ts'
import { readRunResult } from '../src/plot/run-results.ts'

const bin = fileURLToPath(new URL('../bin/xest.js', import.meta.url))
const tmp = mkdtempSync(join(tmpdir(), 'xest-plot-'))
const runDir = join(tmp, 'run')
const SMALL = ['--hosts', '10', '--vms', '2', '--migrations', '1', '--max-references', '3000']

function xest (...args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr })
    })
  })
}

/** Throws unless `svg` is one well-formed <svg> element: tags nest and close, attributes quoted, & only in entities. */
function assertWellFormedSvg (svg: string): void {
  if (!svg.startsWith('<svg ')) throw new Error('does not start with <svg')
  const stack: string[] = []
  let roots = 0
  for (const part of svg.split(/(<[^>]*>)/)) {
    if (part === '') continue
    if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(part)) throw new Error(`bare & in ${part.slice(0, 60)}`)
    if (!part.startsWith('<')) {
      if (part.includes('>')) throw new Error(`stray > in text: ${part.slice(0, 60)}`)
      continue
    }
    const close = /^<\/([A-Za-z][\w:.-]*)\s*>$/.exec(part)
    if (close !== null) {
      if (stack.pop() !== close[1]) throw new Error(`mismatched ${part}`)
      continue
    }
    const open = /^<([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>$/.exec(part)
    if (open === null) throw new Error(`malformed tag ${part.slice(0, 80)}`)
    if (stack.length === 0) roots++
    if (open[3] !== '/') stack.push(open[1]!)
  }
  if (stack.length !== 0) throw new Error(`unclosed ${stack.join(' > ')}`)
  if (roots !== 1) throw new Error(`${roots} root elements`)
}

function pngSize (png: Buffer): { width: number, height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) }
}

const svgText = (svg: string): string => svg.replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d))).replace(/&amp;/g, '&')

test.before(async () => {
  const r = await xest('study', ...SMALL, '--out', runDir)
  if (r.code !== 0) throw new Error(`study failed: ${r.stderr}`)
})

test.after.always(() => rmSync(tmp, { recursive: true, force: true }))

const EXPECTED: Record<string, string[]> = {
  'stall-time': ['Total stall time per policy', 'Stall time (s, summed over VMs)', 'Policy', 'read stall', 'copy stall (pre-copy)', 'group prefetch'],
  'stall-cdf': ['Stall time per read: cumulative distribution by policy', 'Stall per read (ms, log scale; no stall drawn at 0.01 ms)',
    'Fraction of reads with at most this stall', 'demand-only', 'oracle'],
  addressing: ['Addressing overhead per migration', 'DHT operations per migration (count)', 'Median latency (ms)', 'lease put (VD take-over)'],
  'fetched-bytes': ['Bytes fetched per policy', 'Bytes fetched (MiB)', 'unnecessary (never read)']
}

test('xest study writes figures: titled, labelled SVG + PNG and an index page', (t) => {
  const figures = join(runDir, 'figures')
  for (const [name, texts] of Object.entries(EXPECTED)) {
    const svg = readFileSync(join(figures, `${name}.svg`), 'utf8')
    t.notThrows(() => assertWellFormedSvg(svg), name)
    const text = svgText(svg)
    for (const s of texts) t.true(text.includes(s), `${name}.svg shows "${s}"`)
    const png = readFileSync(join(figures, `${name}.png`))
    t.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${name}.png is a PNG`)
    const { width, height } = pngSize(png)
    const svgWidth = Number(/^<svg[^>]* width="(\d+)"/.exec(svg)![1])
    t.is(width, 2 * svgWidth, `${name}.png is drawn at twice the SVG's size`)
    t.true(width >= 800 && width <= 4000 && height >= 500 && height <= 3000, `${name}.png ${width}×${height}`)
  }
  const html = readFileSync(join(figures, 'index.html'), 'utf8')
  for (const name of Object.keys(EXPECTED)) t.true(html.includes(`src="${name}.svg"`))
  t.regex(html, /<h2>Policies<\/h2>/)
  t.regex(html, /<td>seed<\/td><td>1<\/td>/)
  t.regex(html, /code version/)
  t.regex(html, /<a href="\.\.\/policies\.csv">/)
  t.regex(html, /<code>--max-references<\/code><\/td><td>3000</)
  t.false(/\b20\d\d-\d\d-\d\d/.test(html), 'no dates in the page')
})

test('same results, identical files: in one process and across processes', async (t) => {
  const run = readRunResult(runDir)
  const a = await plotRun(run, join(tmp, 'again-a'))
  const b = await plotRun(run, join(tmp, 'again-b'))
  t.deepEqual(a.warnings, [])
  for (const f of a.figures) {
    const twin = b.figures.find((g) => g.name === f.name)!
    t.true(readFileSync(f.svgPath).equals(readFileSync(twin.svgPath)), `${f.name}.svg, same process`)
    t.true(readFileSync(f.pngPath).equals(readFileSync(twin.pngPath)), `${f.name}.png, same process`)
    t.true(readFileSync(f.svgPath).equals(readFileSync(join(runDir, 'figures', `${f.name}.svg`))), `${f.name}.svg, written by xest study`)
  }
  const cli = await xest('plot', runDir, '--out', join(tmp, 'again-c'), '--json')
  t.is(cli.code, 0, cli.stderr)
  const listed = JSON.parse(cli.stdout) as { figures: Array<{ name: string, svg: string }> }
  t.deepEqual(listed.figures.map((f) => f.name), ['stall-time', 'stall-cdf', 'addressing', 'fetched-bytes'])
  for (const f of listed.figures) t.true(readFileSync(f.svg).equals(readFileSync(join(tmp, 'again-a', `${f.name}.svg`))), `${f.name}.svg, other process`)
  t.true(readFileSync(join(tmp, 'again-c', 'index.html')).equals(readFileSync(a.indexPath)), 'index.html')
})

test('several runs: miss rate and unnecessary bytes against group size and n', async (t) => {
  // A second run: the same results under another group size and n, with other metrics.
  const other = join(tmp, 'run-g64')
  cpSync(runDir, other, { recursive: true })
  const json = JSON.parse(readFileSync(join(other, 'run.json'), 'utf8'))
  json.provenance.config.grouping.maxGroupObjects = 64
  json.provenance.config.grouping.n = 3
  json.summary.policies.group.missRate = 0.01
  writeFileSync(join(other, 'run.json'), JSON.stringify(json))
  const out = await plotSweep([readRunResult(runDir), readRunResult(other)], join(tmp, 'sweep-figures'))
  t.deepEqual(out.figures.map((f) => f.name), ['sweep-max-group', 'sweep-n'])
  const svg = readFileSync(join(tmp, 'sweep-figures', 'sweep-max-group.svg'), 'utf8')
  t.notThrows(() => assertWellFormedSvg(svg))
  for (const s of ['Group prefetch: miss rate and unnecessary bytes against max-group', 'Group size cap, max-group (objects per group)',
    'Miss rate (% of reads)', 'Unnecessary bytes (% of bytes fetched)', 'n=6', 'n=3']) t.true(svgText(svg).includes(s), s)
  t.true(svgText(readFileSync(join(tmp, 'sweep-figures', 'sweep-n.svg'), 'utf8')).includes('Jarvis–Patrick threshold n'))
  const html = readFileSync(out.indexPath, 'utf8')
  t.regex(html, /2 runs/)
  t.true(html.includes('href="../run-g64/run.json"'))
})

test('bad inputs are usage errors', async (t) => {
  const missing = await xest('plot', join(tmp, 'no-such-run'))
  t.is(missing.code, 2)
  t.regex(missing.stderr, /run\.json: cannot read/)
  const notSweep = await xest('plot', runDir, runDir)
  t.is(notSweep.code, 2)
  t.regex(notSweep.stderr, /give --out/)
  t.false(existsSync(join(tmp, 'figures')))
})

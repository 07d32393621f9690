/**
 * Trace reading benchmark and the real-trace report. For each public trace in ../shared/data
 * (CloudPhysics, MQSim TPC-C and web search, the LIRS reference lists) it prints the statistics
 * `xest trace stats` gives, saying so when a file is missing. Then the reading speed of the
 * project's `.xtrace` format: CloudPhysics converted once and read back --repeats times (beside
 * the CSV reader as the baseline), and a large synthetic VM trace (default 5,000,000 references
 * over 300,000 objects) generated, written and read back.
 *   node --import tsx bench/trace-read.ts [--repeats 10] [--references 5000000] [--objects 300000]
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openTrace } from '../src/trace/open-trace.ts'
import { reuseDistances } from '../src/trace/reuse-distance.ts'
import { generateSyntheticVm } from '../src/trace/synthetic-vm.ts'
import { computeTraceStats } from '../src/trace/trace-stats.ts'
import type { TraceSource } from '../src/trace/trace-source.ts'
import { readXtrace } from '../src/trace/xtrace-reader.ts'
import { writeXtrace } from '../src/trace/xtrace-writer.ts'
import { numberFlag } from './flags.ts'

const args = process.argv.slice(2)
const repeats = numberFlag(args, 'repeats', 10)
const references = numberFlag(args, 'references', 5_000_000)
const objects = numberFlag(args, 'objects', 300_000)
const data = fileURLToPath(new URL('../../shared/data/', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'xest-bench-trace-'))

const cloudPhysics = join(data, 'cloudphysics-vscsi-libcachesim/cloudPhysicsIO.csv')
const lirsDir = join(data, 'lirs-file-traces-caffeine')
const realFiles = [
  cloudPhysics,
  join(data, 'mqsim-tpcc-wsrch/tpcc-small.trace'),
  join(data, 'mqsim-tpcc-wsrch/wsrch-small.trace'),
  ...(existsSync(lirsDir) ? readdirSync(lirsDir).filter((f) => f.endsWith('.trace.gz')).sort().map((f) => join(lirsDir, f)) : [join(lirsDir, '*.trace.gz')])
]

/** Reads every record of a source; returns records and milliseconds. */
function drain (source: TraceSource): { records: number, ms: number } {
  const startMs = performance.now()
  let records = 0
  for (const chunk of source) records += chunk.length
  return { records, ms: performance.now() - startMs }
}

const rate = (records: number, ms: number): string => `${(records / ms / 1000).toFixed(2)} M records/s`
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number

console.log('== real traces (../shared/data), stats as `xest trace stats` prints them (4 KiB blocks)')
for (const file of realFiles) {
  if (!existsSync(file)) {
    console.log(`${file}: missing, skipped`)
    continue
  }
  const startMs = performance.now()
  const source = openTrace(file)
  const s = computeTraceStats(source)
  const ms = performance.now() - startMs
  const r = s.reuse
  console.log(`${basename(file)} (${source.format}, ${(statSync(file).size / 1e6).toFixed(2)} MB): ${s.records} records (${(100 * s.reads / Math.max(1, s.records)).toFixed(1)}% reads), ` +
    `${s.keys} devices/keys, ${s.references} block refs to ${s.objects} blocks, read ${(s.readBytes / 2 ** 20).toFixed(1)} MiB, written ${(s.writtenBytes / 2 ** 20).toFixed(1)} MiB, ` +
    `span ${(s.timeSpanUs / 1e6).toFixed(1)} s; reuse distance p50 ${r.p50} p90 ${r.p90} p99 ${r.p99} max ${r.max}; ` +
    `${source.counts.ignoredLines} lines ignored, ${source.counts.badLines} bad; ${ms.toFixed(0)} ms`)
}

if (existsSync(cloudPhysics)) {
  console.log(`\n== CloudPhysics: CSV reader (baseline) vs .xtrace reader, ${repeats} repeats each`)
  const xtrace = join(work, 'cloudphysics.xtrace')
  const written = writeXtrace(xtrace, openTrace(cloudPhysics), { convertedFrom: basename(cloudPhysics) })
  console.log(`converted: ${written.records} records, ${statSync(cloudPhysics).size} bytes CSV -> ${written.fileBytes} bytes xtrace (${(written.fileBytes / written.records).toFixed(2)} bytes/record)`)
  const csvMs: number[] = []
  const xtraceMs: number[] = []
  for (let i = 0; i < repeats; i++) {
    csvMs.push(drain(openTrace(cloudPhysics)).ms)
    xtraceMs.push(drain(readXtrace(xtrace)).ms)
  }
  console.log(`CSV    median ${median(csvMs).toFixed(1)} ms = ${rate(written.records, median(csvMs))} (runs: ${csvMs.map((m) => m.toFixed(0)).join(' ')})`)
  console.log(`xtrace median ${median(xtraceMs).toFixed(1)} ms = ${rate(written.records, median(xtraceMs))} (runs: ${xtraceMs.map((m) => m.toFixed(0)).join(' ')}); ${(median(csvMs) / median(xtraceMs)).toFixed(1)}x the CSV reader`)
} else {
  console.log(`\n${cloudPhysics}: missing, CloudPhysics speed test skipped`)
}

console.log(`\n== synthetic VM: ${references} references over ${objects} objects`)
const config = { seed: 1, objects, references, sets: 40 }
let startMs = performance.now()
let generated = 0
for (const chunk of generateSyntheticVm(config).chunks) generated += chunk.length
const generateMs = performance.now() - startMs
console.log(`generate records:        ${generateMs.toFixed(0)} ms (${rate(generated, generateMs)})`)
startMs = performance.now()
const reference = generateSyntheticVm(config).referenceString()
console.log(`generate referenceString: ${(performance.now() - startMs).toFixed(0)} ms (${reference.refs.length} refs, ${reference.keys.length} objects)`)
startMs = performance.now()
reuseDistances(reference.refs, reference.keys.length)
console.log(`reuse distances:         ${(performance.now() - startMs).toFixed(0)} ms`)
const big = join(work, 'synthetic.xtrace')
startMs = performance.now()
const bigWritten = writeXtrace(big, generateSyntheticVm(config).chunks, { generator: 'synthetic-vm' })
const writeMs = performance.now() - startMs
console.log(`generate + write xtrace: ${writeMs.toFixed(0)} ms (${rate(bigWritten.records, writeMs)}), ${(bigWritten.fileBytes / 1e6).toFixed(1)} MB, ${(bigWritten.fileBytes / bigWritten.records).toFixed(2)} bytes/record`)
const readMs: number[] = []
for (let i = 0; i < 3; i++) readMs.push(drain(readXtrace(big)).ms)
console.log(`read xtrace:             median ${median(readMs).toFixed(0)} ms = ${rate(bigWritten.records, median(readMs))} (runs: ${readMs.map((m) => m.toFixed(0)).join(' ')})`)
rmSync(work, { recursive: true, force: true })

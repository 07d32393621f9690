import test from 'ava'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { detectFormat } from '../src/trace/detect-format.ts'
import { openTrace, readAllRecords } from '../src/trace/open-trace.ts'
import { TraceFormatError } from '../src/trace/trace-error.ts'
import type { TraceRecord } from '../src/trace/trace-record.ts'
import type { TraceFormat } from '../src/trace/trace-source.ts'
import { readXtrace } from '../src/trace/xtrace-reader.ts'
import { writeXtrace } from '../src/trace/xtrace-writer.ts'

const dir = mkdtempSync(join(tmpdir(), 'xest-trace-readers-'))
const r = (timeUs: number, key: string, offsetBytes: number, sizeBytes: number, op: 'r' | 'w', process?: string): TraceRecord =>
  process === undefined ? { timeUs, key, offsetBytes, sizeBytes, op } : { timeUs, key, offsetBytes, sizeBytes, op, process }

interface Sample {
  format: TraceFormat
  name: string
  text: string
  expected: TraceRecord[]
  /** A malformed line and the line number it lands on when appended to `text`. */
  bad: string
}

const SAMPLES: Sample[] = [
  {
    format: 'cloudphysics',
    name: 'cp.csv',
    text: 'version,time,op,size,lbn\n1,5633898,2a,512,42932745\n1,5633899,28,4096,100\n1,5633899,35,0,0\n',
    expected: [r(0, 'vdisk', 42932745 * 512, 512, 'w'), r(1e6, 'vdisk', 51200, 4096, 'r')],
    bad: '1,5633900,zz,512,1'
  },
  {
    format: 'msr',
    name: 'hm_1.csv',
    text: '128166372003061629,hm,1,Read,3154152960,32768,129661\r\n128166372016382155,hm,1,Write,3154152960,4096,5000\r\n',
    expected: [r(0, 'hm_1', 3154152960, 32768, 'r'), r(1332053, 'hm_1', 3154152960, 4096, 'w')],
    bad: '128166372016382155,hm,1,Erase,3154152960,4096,5000'
  },
  {
    format: 'spc',
    name: 'Financial1.spc',
    text: '0,303567,3584,w,0.000000\n1,3033,512,R,0.513000,extra\n',
    expected: [r(0, 'asu0', 303567 * 512, 3584, 'w'), r(513000, 'asu1', 3033 * 512, 512, 'r')],
    bad: '0,303567,3584,w'
  },
  {
    format: 'mqsim',
    name: 'tpcc.trace',
    text: '938513000 4 264719034 16 0\n938828000 3 197570570 16 1\n',
    expected: [r(0, 'dev4', 264719034 * 512, 8192, 'w'), r(315, 'dev3', 197570570 * 512, 8192, 'r')],
    bad: '938828000 3 197570570 16 2'
  },
  {
    format: 'blkparse',
    name: 'sda.blkparse',
    text: [
      '  8,0    3        1     0.000000000   697  Q   W 223490 + 8 [kjournald]',
      '  8,0    3        2     0.000001200   697  G   W 223490 + 8 [kjournald]',
      '  8,0    0        3     0.100000000   700  Q  RA 1000 + 16 [python3]',
      '  8,0    0        4     0.100000100     0  m   N cfq700 alloced',
      '  8,0    1        5     0.200000000   701  Q FWS [jbd2/sda1-8]',
      '  8,16   1        6     0.300000000   702  Q   R 8 + 8',
      'CPU0 (8,0):',
      ' Reads Queued:           1,        8KiB\t Writes Queued:           1,        4KiB',
      'Total (8,0):',
      'Throughput (R/W): 80KiB/s / 40KiB/s',
      'Events (8,0): 5 entries',
      'Skips: 0 forward (0 -   0.0%)',
      ''
    ].join('\n'),
    expected: [r(0, '8,0', 223490 * 512, 4096, 'w', 'kjournald'), r(100000, '8,0', 512000, 8192, 'r', 'python3'), r(300000, '8,16', 4096, 4096, 'r', '702')],
    bad: '  8,0    1        7     abc   701  Q   R 8 + 8'
  },
  {
    format: 'refs',
    name: 'cs.trace',
    text: '0\n1\n*\n5\n/etc/passwd\n100 3 0 1\n',
    expected: [r(0, 'refs', 0, 4096, 'r'), r(0, 'refs', 4096, 4096, 'r'), r(0, 'refs', 5 * 4096, 4096, 'r'), r(0, '/etc/passwd', 0, 0, 'r'), r(0, 'refs', 100 * 4096, 3 * 4096, 'r')],
    bad: 'two words'
  },
  {
    format: 'strace',
    name: 'run.strace',
    text: [
      '100   1700000000.000100 execve("/usr/bin/python3", ["python3"], 0x7ffc /* 3 vars */) = 0',
      '100   1700000000.000200 openat(AT_FDCWD</home/u>, "data.txt", O_RDONLY|O_CLOEXEC) = 3</home/u/data.txt>',
      '100   1700000000.000300 read(3</home/u/data.txt>, "abc"..., 4096) = 4096',
      ''
    ].join('\n'),
    expected: [r(0, '/usr/bin/python3', 0, 0, 'r', 'python3[100]'), r(100, '/home/u/data.txt', 0, 0, 'r', 'python3[100]'), r(200, '/home/u/data.txt', 0, 4096, 'r', 'python3[100]')],
    bad: '100   1700000000.000400 this is not a system call'
  }
]

function write (name: string, text: string | Buffer): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

for (const sample of SAMPLES) {
  test(`${sample.format}: reads a sample, detects its format, and round-trips through xtrace`, (t) => {
    const path = write(sample.name, sample.text)
    t.is(detectFormat(path), sample.format)
    const source = openTrace(path)
    t.is(source.format, sample.format)
    const records = readAllRecords(source)
    t.deepEqual(records, sample.expected)
    t.deepEqual(readAllRecords(openTrace(path, { format: sample.format })), sample.expected)
    const xtrace = join(dir, `${sample.name}.xtrace`)
    t.is(writeXtrace(xtrace, openTrace(path), { format: sample.format }).records, sample.expected.length)
    t.deepEqual(readAllRecords(readXtrace(xtrace)), sample.expected)
  })

  test(`${sample.format}: a malformed line fails with file:line, or is skipped and counted`, (t) => {
    const lines = sample.text.split('\n').filter((l) => l.length > 0)
    const badLine = 2
    const text = [lines[0], sample.bad, ...lines.slice(1)].join('\n') + '\n'
    const path = write(`bad-${sample.name}`, text)
    const error = t.throws(() => readAllRecords(openTrace(path, { format: sample.format })), { instanceOf: TraceFormatError })
    t.true(error?.message.startsWith(`${path}:${badLine}: `), error?.message)
    t.is(error?.line, badLine)
    const source = openTrace(path, { format: sample.format, onBadLine: 'skip' })
    t.deepEqual(readAllRecords(source), sample.expected)
    t.is(source.counts.badLines, 1)
    t.true(source.counts.firstBadLine?.startsWith(`${path}:${badLine}: `))
  })
}

test('gzip reference lists (as the LIRS traces ship) are read and detected', (t) => {
  const path = write('cs.trace.gz', gzipSync('0\r\n1\r\n*\r\n1\r\n'))
  t.is(detectFormat(path), 'refs')
  t.deepEqual(readAllRecords(openTrace(path)).map((x) => x.offsetBytes), [0, 4096, 4096])
})

test('large text files stream in chunks: lines across 1 MiB read boundaries and a last line without newline', (t) => {
  const lines: string[] = []
  for (let i = 0; i < 150_000; i++) lines.push(`${1000 * i} ${i % 7} ${i} ${1 + (i % 64)} ${i % 2}`)
  const path = write('big.trace', lines.join('\n'))
  const source = openTrace(path, { chunkRecords: 10_000 })
  let count = 0
  let lbaSum = 0
  let chunks = 0
  for (const chunk of source) {
    chunks++
    t.true(chunk.length <= 10_000)
    for (const record of chunk) {
      t.is(record.offsetBytes, count * 512)
      lbaSum += record.offsetBytes / 512
      count++
    }
  }
  t.is(count, 150_000)
  t.is(lbaSum, 150_000 * 149_999 / 2)
  t.is(chunks, 15)
  t.is(source.counts.lines, 150_000)
})

test('an unknown format, a missing file and an empty file are clear errors', (t) => {
  t.throws(() => openTrace(join(dir, 'nope.csv')), { instanceOf: TraceFormatError, message: /nope\.csv: no such file/ })
  t.throws(() => openTrace(write('empty.txt', '')), { message: /empty\.txt: cannot tell the trace format/ })
  t.throws(() => openTrace(write('words.txt', 'a b c d e f\ng h i j k l\n')), { message: /cannot tell the trace format/ })
})

test('values beyond what the project format holds are a bad line, not a crash', (t) => {
  const path = write('huge.trace', '1 1 99999999999999999 8 1\n')
  t.throws(() => readAllRecords(openTrace(path, { format: 'mqsim' })), { message: /huge\.trace:1: .*(beyond 2\^52|not a whole number)/ })
})

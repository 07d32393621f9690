/**
 * Reads blkparse's default text output, e.g.
 * `  8,0    3        1     0.000000000   697  Q   W 223490 + 8 [kjournald]`
 * (device major,minor; cpu; sequence; time in seconds; pid; action; RWBS; sector + sectors;
 * process). Only events of one action become records (default `Q`, queued: what the program
 * asked for, before merging), and only those whose RWBS has R or W and a sector range; other
 * events, blank lines and blkparse's closing summary (`CPU0 (8,0):`, `Total (8,0):`,
 * `Throughput ...`, `Events ...`) are ignored. The device key is `MAJOR,MINOR`; process is the
 * name in brackets, else the pid. Pure parsing; the frame does the I/O.
 */
import { LineError } from '../trace-error.ts'
import type { TraceRecord } from '../trace-record.ts'
import type { TraceReadOptions, TraceSource } from '../trace-source.ts'
import { decimalNumber, readTextTrace, SECTOR_BYTES, TimeOrigin, wholeNumber, type LineParser } from '../text-trace-reader.ts'

const EVENT = /^\s*(\d+),(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)(?:\s+(.*))?$/
const RANGE = /^(\d+)\s*\+\s*(\d+)(?:\s+\[(.*)\])?/
/** A summary line: starts with a letter and has a colon (blkparse prints these after the events). */
const SUMMARY = /^\s*[A-Za-z][^:]*:/

export class BlkparseParser implements LineParser {
  readonly #time = new TimeOrigin()
  constructor (readonly action = 'Q') {}

  parseLine (line: string): TraceRecord | null {
    const m = EVENT.exec(line)
    if (m === null) {
      if (SUMMARY.test(line)) return null
      throw new LineError('not a blkparse event (expected MAJOR,MINOR CPU SEQ TIME PID ACTION RWBS ...)')
    }
    wholeNumber(m[3], 'cpu')
    wholeNumber(m[4], 'sequence')
    const timeS = decimalNumber(m[5], 'time')
    const pid = wholeNumber(m[6], 'pid')
    const action = m[7] as string
    const rwbs = m[8] as string
    if (action !== this.action) return null
    const range = RANGE.exec(m[9] ?? '')
    const reads = rwbs.includes('R')
    if (range === null || (!reads && !rwbs.includes('W'))) return null
    const sector = wholeNumber(range[1], 'sector')
    const sectors = wholeNumber(range[2], 'sectors')
    const process = range[3] !== undefined && range[3].length > 0 ? range[3] : String(pid)
    return { timeUs: this.#time.toUs(timeS * 1e6), key: `${m[1]},${m[2]}`, offsetBytes: sector * SECTOR_BYTES, sizeBytes: sectors * SECTOR_BYTES, op: reads ? 'r' : 'w', process }
  }
}

export function readBlkparse (path: string, options: TraceReadOptions & { blkparseAction?: string } = {}): TraceSource {
  return readTextTrace(path, 'blkparse', () => new BlkparseParser(options.blkparseAction), options)
}

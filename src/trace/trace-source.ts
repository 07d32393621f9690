/**
 * What every trace reader returns: an iterable of record chunks (arrays of a few thousand
 * records) read synchronously from the file, plus counts of what was read and skipped. Each
 * iteration re-opens the file and restarts the counts. Pure types and the shared options.
 */
import type { TraceRecord } from './trace-record.ts'

export const TRACE_FORMATS = ['xtrace', 'cloudphysics', 'msr', 'spc', 'blkparse', 'mqsim', 'refs', 'strace'] as const
export type TraceFormat = typeof TRACE_FORMATS[number]

export interface TraceReadCounts {
  /** Records handed out so far. */
  records: number
  /** Text lines read so far (0 for the binary format). */
  lines: number
  /** Malformed lines skipped (only with `onBadLine: 'skip'`; otherwise the first one throws). */
  badLines: number
  /** The first skipped malformed line's error, `file:line: message`. */
  firstBadLine: string | undefined
  /** Well-formed lines that carry no access: headers, comments, non-data commands, failed calls. */
  ignoredLines: number
}

export interface TraceSource extends Iterable<TraceRecord[]> {
  readonly path: string
  readonly format: TraceFormat
  /** Counts of the current (or last) iteration. */
  readonly counts: TraceReadCounts
}

export interface TraceReadOptions {
  /** A malformed line throws `file:line: message` ('fail', the default) or is skipped and counted. */
  onBadLine?: 'fail' | 'skip'
  /** Records per chunk handed out by text readers. @default 8192 */
  chunkRecords?: number
}

export function emptyCounts (): TraceReadCounts {
  return { records: 0, lines: 0, badLines: 0, firstBadLine: undefined, ignoredLines: 0 }
}

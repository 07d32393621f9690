/**
 * The one entry point for reading traces: `openTrace(path, { format? })` detects the format when
 * none is given (detect-format.ts) and returns the matching synchronous, chunked reader. Every
 * format yields the same TraceRecord chunks; see each reader for how its fields map. Never reads
 * the file beyond its head until iterated.
 */
import { existsSync } from 'node:fs'
import { detectFormat } from './detect-format.ts'
import { readBlkparse } from './readers/blkparse-reader.ts'
import { readCloudPhysics } from './readers/cloudphysics-reader.ts'
import { readMqsim } from './readers/mqsim-reader.ts'
import { readMsr } from './readers/msr-reader.ts'
import { readRefs } from './readers/refs-reader.ts'
import { readSpc } from './readers/spc-reader.ts'
import { readStrace } from './readers/strace-reader.ts'
import { TraceFormatError } from './trace-error.ts'
import type { TraceRecord } from './trace-record.ts'
import { TRACE_FORMATS, type TraceFormat, type TraceReadOptions, type TraceSource } from './trace-source.ts'
import { readXtrace } from './xtrace-reader.ts'

export interface OpenTraceOptions extends TraceReadOptions {
  /** The file's format; detected from its head when absent. */
  format?: TraceFormat
  /** blkparse only: the action whose events become records. @default 'Q' */
  blkparseAction?: string
}

export function openTrace (path: string, options: OpenTraceOptions = {}): TraceSource {
  if (!existsSync(path)) throw TraceFormatError.inFile(path, 'no such file')
  const format = options.format ?? detectFormat(path)
  if (format === undefined) throw TraceFormatError.inFile(path, `cannot tell the trace format; name it (one of ${TRACE_FORMATS.join(', ')})`)
  switch (format) {
    case 'xtrace': return readXtrace(path)
    case 'cloudphysics': return readCloudPhysics(path, options)
    case 'msr': return readMsr(path, options)
    case 'spc': return readSpc(path, options)
    case 'blkparse': return readBlkparse(path, options)
    case 'mqsim': return readMqsim(path, options)
    case 'refs': return readRefs(path, options)
    case 'strace': return readStrace(path, options)
    default: throw TraceFormatError.inFile(path, `unknown trace format ${JSON.stringify(format)}; one of ${TRACE_FORMATS.join(', ')}`)
  }
}

/** Every record of a source, flattened (for small traces and tests). */
export function readAllRecords (source: Iterable<readonly TraceRecord[]>): TraceRecord[] {
  const all: TraceRecord[] = []
  for (const chunk of source) for (const record of chunk) all.push(record)
  return all
}

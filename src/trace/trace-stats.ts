/**
 * Summary statistics of a trace in one pass: records, read/write mix by count and bytes, the
 * distinct keys and processes, the time span, and over the reference string (reference-string.ts)
 * the distinct objects, footprint and reuse-distance quantiles. Pure over the records it is given.
 */
import { ReferenceStringBuilder, type ReferenceStringOptions } from './reference-string.ts'
import { reuseDistances, summarizeReuse, type ReuseDistanceSummary } from './reuse-distance.ts'
import type { TraceRecord } from './trace-record.ts'

export interface TraceStats {
  records: number
  reads: number
  writes: number
  readBytes: number
  writtenBytes: number
  /** Distinct record keys (files or devices). */
  keys: number
  processes: number
  timeSpanUs: number
  /** Objects after expansion into blocks or chunks, and references to them. */
  references: number
  objects: number
  /** Sum of the objects' sizes, where known. */
  footprintBytes: number
  reuse: ReuseDistanceSummary
}

export function computeTraceStats (chunks: Iterable<readonly TraceRecord[]>, options: ReferenceStringOptions = {}): TraceStats {
  const builder = new ReferenceStringBuilder(options)
  const processes = new Set<string>()
  let reads = 0
  let readBytes = 0
  let writtenBytes = 0
  let records = 0
  let timeMinUs = Infinity
  let timeMaxUs = -Infinity
  for (const chunk of chunks) {
    for (const record of chunk) {
      records++
      if (record.op === 'r') {
        reads++
        readBytes += record.sizeBytes
      } else {
        writtenBytes += record.sizeBytes
      }
      if (record.process !== undefined) processes.add(record.process)
      if (record.timeUs < timeMinUs) timeMinUs = record.timeUs
      if (record.timeUs > timeMaxUs) timeMaxUs = record.timeUs
      builder.add(record)
    }
  }
  const reference = builder.finish()
  let footprintBytes = 0
  for (const size of reference.sizesBytes) footprintBytes += size
  return {
    records,
    reads,
    writes: records - reads,
    readBytes,
    writtenBytes,
    keys: builder.distinctKeys,
    processes: processes.size,
    timeSpanUs: records === 0 ? 0 : timeMaxUs - timeMinUs,
    references: reference.refs.length,
    objects: reference.keys.length,
    footprintBytes,
    reuse: summarizeReuse(reuseDistances(reference.refs, reference.keys.length))
  }
}

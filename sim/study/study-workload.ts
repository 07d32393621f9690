/**
 * The study's workload: a trace turned into the reference string the VMs replay, with each
 * reference's time and whether it writes. Objects as `toReferenceString` defines them (4 KiB
 * blocks of block traces; whole files, or chunks with `fileChunkBytes`, of file traces). Reads
 * the trace synchronously in chunks; a bad line is an error naming the file and line.
 */
import { hashInputFile } from '../metrics/provenance.ts'
import type { InputFile } from '../net/network-model.ts'
import { openTrace } from '../../src/trace/open-trace.ts'
import { ReferenceStringBuilder } from '../../src/trace/reference-string.ts'
import type { ReferenceString } from '../../src/trace/trace-record.ts'

export interface StudyWorkload extends ReferenceString {
  readonly name: string
  /** Time of each reference, µs from the trace's first record. */
  readonly timesUs: Float64Array
  /** 1 where the reference writes. */
  readonly writes: Uint8Array
  readonly input: InputFile
}

export interface WorkloadOptions {
  blockBytes?: number
  fileChunkBytes?: number
  /** Keep only the first this many references. */
  maxReferences?: number
}

export function loadWorkload (path: string, options: WorkloadOptions = {}): StudyWorkload {
  const builder = new ReferenceStringBuilder({ blockBytes: options.blockBytes, fileChunkBytes: options.fileChunkBytes })
  let times = new Float64Array(4096)
  let writes = new Uint8Array(4096)
  let firstUs: number | null = null
  const limit = options.maxReferences ?? Infinity
  outer: for (const chunk of openTrace(path)) {
    for (const record of chunk) {
      const before = builder.references
      if (before >= limit) break outer
      builder.add(record)
      const after = builder.references
      if (after > times.length) {
        const size = Math.max(after, times.length * 2)
        const t = new Float64Array(size); t.set(times); times = t
        const w = new Uint8Array(size); w.set(writes); writes = w
      }
      firstUs ??= record.timeUs
      times.fill(record.timeUs - firstUs, before, after)
      writes.fill(record.op === 'w' ? 1 : 0, before, after)
    }
  }
  const rs = builder.finish()
  const n = Math.min(rs.refs.length, limit)
  return {
    name: path.split('/').pop() ?? path,
    refs: rs.refs.subarray(0, n), keys: rs.keys, sizesBytes: rs.sizesBytes,
    timesUs: times.subarray(0, n), writes: writes.subarray(0, n), input: hashInputFile(path)
  }
}

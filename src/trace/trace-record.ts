/**
 * One access of a trace, the unit every reader produces and the project's own format stores:
 * when, which object (a file path or a block device's block range), where in it, how much, read
 * or write, and by which process when known. Pure types; no I/O.
 */

export type TraceOp = 'r' | 'w'

export interface TraceRecord {
  /** Microseconds since the start of the trace (non-negative; 0 when the source has no times). */
  timeUs: number
  /**
   * The object accessed: a file path, or for block traces a device name such as `disk0`. Paths
   * contain `/` and device names do not: `toReferenceString` tells file from block traces by it.
   */
  key: string
  /** Byte offset of the access within the object (block traces: LBA × sector size). */
  offsetBytes: number
  /** Bytes accessed (0 for an open or a reference without a size). */
  sizeBytes: number
  op: TraceOp
  /** Process name or pid, where the source records it. */
  process?: string
}

/**
 * A reference string over dense object ids, the grouping's input: `refs[i]` is the id of the
 * i-th object referenced; `keys[id]` names it; `sizesBytes[id]` is its size when known.
 */
export interface ReferenceString {
  refs: Int32Array
  keys: string[]
  sizesBytes: Float64Array
}

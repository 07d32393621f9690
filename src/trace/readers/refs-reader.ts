/**
 * Reads plain reference lists: one reference per line, no times (all records at time 0).
 *  - a whole number (LIRS traces: `4711`) is block N of device `refs`, 4 KiB at N × 4096, so
 *    `toReferenceString` with its default 4 KiB blocks gives one object per number;
 *  - 2 to 4 whole numbers (ARC traces: `start count ignore request`) are `count` blocks from
 *    `start`;
 *  - any other single token (a path, a key) is a reference to that key, size 0;
 *  - `*` lines (LIRS breakpoints) are ignored.
 * More than one token that are not all numbers is malformed. Pure parsing; the frame does I/O.
 */
import { LineError } from '../trace-error.ts'
import type { TraceRecord } from '../trace-record.ts'
import type { TraceReadOptions, TraceSource } from '../trace-source.ts'
import { readTextTrace, type LineParser } from '../text-trace-reader.ts'

export const REFS_DEVICE = 'refs'
export const REFS_BLOCK_BYTES = 4096
const NUMBER = /^\d+$/

export class RefsParser implements LineParser {
  parseLine (line: string): TraceRecord | null {
    const text = line.trim()
    if (text === '*') return null
    if (NUMBER.test(text)) return blockRecord(text, '1')
    const fields = text.split(/\s+/)
    if (fields.length === 1) return { timeUs: 0, key: text, offsetBytes: 0, sizeBytes: 0, op: 'r' }
    if (fields.length <= 4 && fields.every((f) => NUMBER.test(f))) return blockRecord(fields[0] as string, fields[1] as string)
    throw new LineError('expected one block number or key, or ARC\'s "start count [ignore [request]]"')
  }
}

function blockRecord (startText: string, countText: string): TraceRecord {
  const start = Number(startText)
  const count = Number(countText)
  if (!Number.isSafeInteger(start * REFS_BLOCK_BYTES) || !Number.isSafeInteger(count * REFS_BLOCK_BYTES)) throw new LineError(`block number ${startText} or count ${countText} is too large`)
  return { timeUs: 0, key: REFS_DEVICE, offsetBytes: start * REFS_BLOCK_BYTES, sizeBytes: count * REFS_BLOCK_BYTES, op: 'r' }
}

export function readRefs (path: string, options: TraceReadOptions = {}): TraceSource {
  return readTextTrace(path, 'refs', () => new RefsParser(), options)
}

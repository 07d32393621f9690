/**
 * Reads SPC-format block traces (UMass Trace Repository / SNIA: Financial, WebSearch):
 * `ASU,LBA,Size,Opcode,Timestamp[,...]`, e.g. `0,303567,3584,w,0.000000`. LBA counts 512-byte
 * sectors, Size is in bytes, Opcode r/R or w/W, Timestamp in seconds; fields after the fifth
 * are ignored. The device key is `asuN`. Pure parsing; the frame does the I/O.
 */
import { LineError } from '../trace-error.ts'
import type { TraceRecord } from '../trace-record.ts'
import type { TraceReadOptions, TraceSource } from '../trace-source.ts'
import { decimalNumber, readTextTrace, SECTOR_BYTES, TimeOrigin, wholeNumber, type LineParser } from '../text-trace-reader.ts'

export class SpcParser implements LineParser {
  readonly #time = new TimeOrigin()

  parseLine (line: string): TraceRecord | null {
    const fields = line.split(',')
    if (fields.length < 5) throw new LineError(`expected 5 comma-separated fields (ASU,LBA,Size,Opcode,Timestamp), found ${fields.length}`)
    const asu = wholeNumber(fields[0], 'ASU')
    const lba = wholeNumber(fields[1], 'LBA')
    const sizeBytes = wholeNumber(fields[2], 'Size')
    const opcode = (fields[3] as string).trim().toLowerCase()
    if (opcode !== 'r' && opcode !== 'w') throw new LineError(`Opcode ${JSON.stringify(fields[3])} is neither r nor w`)
    const timeS = decimalNumber(fields[4], 'Timestamp')
    return { timeUs: this.#time.toUs(timeS * 1e6), key: `asu${asu}`, offsetBytes: lba * SECTOR_BYTES, sizeBytes, op: opcode }
  }
}

export function readSpc (path: string, options: TraceReadOptions = {}): TraceSource {
  return readTextTrace(path, 'spc', () => new SpcParser(), options)
}

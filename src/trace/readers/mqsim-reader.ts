/**
 * Reads MQSim / DiskSim ASCII block traces: `time_ns device start_lba sectors type`, e.g.
 * `938513000 4 264719034 16 0`, whitespace-separated; type 0 = write, 1 = read; LBAs and sizes
 * in 512-byte sectors. The device key is `devN`. Pure parsing; the frame does the I/O.
 */
import { LineError } from '../trace-error.ts'
import type { TraceRecord } from '../trace-record.ts'
import type { TraceReadOptions, TraceSource } from '../trace-source.ts'
import { readTextTrace, SECTOR_BYTES, TimeOrigin, wholeNumber, type LineParser } from '../text-trace-reader.ts'

export class MqsimParser implements LineParser {
  readonly #time = new TimeOrigin()

  parseLine (line: string): TraceRecord | null {
    const fields = line.trim().split(/\s+/)
    if (fields.length !== 5) throw new LineError(`expected 5 fields (time_ns device lba sectors type), found ${fields.length}`)
    const timeNs = wholeNumber(fields[0], 'time_ns')
    const device = wholeNumber(fields[1], 'device')
    const lba = wholeNumber(fields[2], 'lba')
    const sectors = wholeNumber(fields[3], 'sectors')
    const type = fields[4]
    if (type !== '0' && type !== '1') throw new LineError(`type ${JSON.stringify(type)} is neither 0 (write) nor 1 (read)`)
    return { timeUs: this.#time.toUs(timeNs / 1000), key: `dev${device}`, offsetBytes: lba * SECTOR_BYTES, sizeBytes: sectors * SECTOR_BYTES, op: type === '1' ? 'r' : 'w' }
  }
}

export function readMqsim (path: string, options: TraceReadOptions = {}): TraceSource {
  return readTextTrace(path, 'mqsim', () => new MqsimParser(), options)
}

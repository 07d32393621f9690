/**
 * Reads CloudPhysics / VMware vscsi traces as libCacheSim ships them in CSV:
 * `version,time,op,size,lbn` (header optional), e.g. `1,5633898,2a,512,42932745`. `op` is the
 * SCSI opcode in hex: READ(6/10/12/16) and WRITE(6/10/12/16) become records, other well-formed
 * commands (SYNCHRONIZE CACHE, INQUIRY, ...) are ignored. `time` is in seconds (the sample spans
 * 7,200 units, a 2-hour window), `size` in bytes, `lbn` in 512-byte sectors. All records are on
 * one device, `vdisk`. Pure parsing; the frame does the I/O.
 */
import { LineError } from '../trace-error.ts'
import type { TraceOp, TraceRecord } from '../trace-record.ts'
import type { TraceReadOptions, TraceSource } from '../trace-source.ts'
import { decimalNumber, readTextTrace, SECTOR_BYTES, TimeOrigin, wholeNumber, type LineParser } from '../text-trace-reader.ts'

export const CLOUDPHYSICS_DEVICE = 'vdisk'
const SCSI_OPS = new Map<number, TraceOp>([[0x08, 'r'], [0x28, 'r'], [0xa8, 'r'], [0x88, 'r'], [0x0a, 'w'], [0x2a, 'w'], [0xaa, 'w'], [0x8a, 'w']])

export class CloudPhysicsParser implements LineParser {
  readonly #time = new TimeOrigin()

  parseLine (line: string): TraceRecord | null {
    const fields = line.split(',')
    if (fields[0] === 'version') return null
    if (fields.length !== 5) throw new LineError(`expected 5 comma-separated fields (version,time,op,size,lbn), found ${fields.length}`)
    wholeNumber(fields[0], 'version')
    const timeS = decimalNumber(fields[1], 'time')
    const opText = (fields[2] as string).trim()
    if (!/^[0-9a-fA-F]{1,2}$/.test(opText)) throw new LineError(`op ${JSON.stringify(opText)} is not a SCSI opcode in hex`)
    const sizeBytes = wholeNumber(fields[3], 'size')
    const lbn = wholeNumber(fields[4], 'lbn')
    const op = SCSI_OPS.get(Number.parseInt(opText, 16))
    if (op === undefined) return null
    return { timeUs: this.#time.toUs(timeS * 1e6), key: CLOUDPHYSICS_DEVICE, offsetBytes: lbn * SECTOR_BYTES, sizeBytes, op }
  }
}

export function readCloudPhysics (path: string, options: TraceReadOptions = {}): TraceSource {
  return readTextTrace(path, 'cloudphysics', () => new CloudPhysicsParser(), options)
}

/**
 * Reads MSR Cambridge block traces (SNIA IOTTA): `Timestamp,Hostname,DiskNumber,Type,Offset,
 * Size,ResponseTime`, e.g. `128166372003061629,hm,1,Read,3154152960,32768,129661`. Timestamps are
 * Windows filetimes (100 ns since 1601; beyond 2^53, so they are read as BigInt), offsets and
 * sizes in bytes. The device key is `HOST_DISK` (`hm_1`, as the trace files are named). Pure
 * parsing; the frame does the I/O.
 */
import { LineError } from '../trace-error.ts'
import type { TraceRecord } from '../trace-record.ts'
import type { TraceReadOptions, TraceSource } from '../trace-source.ts'
import { readTextTrace, wholeNumber, type LineParser } from '../text-trace-reader.ts'

export class MsrParser implements LineParser {
  #originTicks: bigint | undefined

  parseLine (line: string): TraceRecord | null {
    const fields = line.split(',')
    if (fields[0] === 'Timestamp') return null
    if (fields.length !== 7) throw new LineError(`expected 7 comma-separated fields (Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime), found ${fields.length}`)
    const ticksText = (fields[0] as string).trim()
    if (!/^\d{1,20}$/.test(ticksText)) throw new LineError(`Timestamp ${JSON.stringify(ticksText)} is not a Windows filetime`)
    const host = (fields[1] as string).trim()
    if (host.length === 0) throw new LineError('Hostname is empty')
    const disk = wholeNumber(fields[2], 'DiskNumber')
    const type = (fields[3] as string).trim().toLowerCase()
    if (type !== 'read' && type !== 'write') throw new LineError(`Type ${JSON.stringify(fields[3])} is neither Read nor Write`)
    const offsetBytes = wholeNumber(fields[4], 'Offset')
    const sizeBytes = wholeNumber(fields[5], 'Size')
    wholeNumber(fields[6], 'ResponseTime')
    const ticks = BigInt(ticksText)
    this.#originTicks ??= ticks
    const deltaTicks = ticks - this.#originTicks
    const timeUs = deltaTicks <= 0n ? 0 : Math.round(Number(deltaTicks) / 10)
    return { timeUs, key: `${host}_${disk}`, offsetBytes, sizeBytes, op: type === 'read' ? 'r' : 'w' }
  }
}

export function readMsr (path: string, options: TraceReadOptions = {}): TraceSource {
  return readTextTrace(path, 'msr', () => new MsrParser(), options)
}

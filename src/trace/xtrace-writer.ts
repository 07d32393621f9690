/**
 * Writes the project's `.xtrace` format (see xtrace-format.ts) as a stream: records are encoded
 * into a block buffer of about 64 KiB that goes to the file with one synchronous write, so memory
 * stays constant however long the trace. Rejects records that the format cannot hold exactly
 * (negative or fractional numbers, values ≥ 2^52) with an error naming the record. Never buffers
 * more than one block; never writes anything before `create` succeeds.
 */
import { closeSync, openSync, writeSync } from 'node:fs'
import { crc32 } from 'node:zlib'
import type { TraceRecord } from './trace-record.ts'
import * as format from './xtrace-format.ts'
import { putVarint, varintBytes, zigzag } from './xtrace-format.ts'

const {
  BLOCK_TARGET_BYTES, FLAG_KEY, FLAG_OFFSET, FLAG_OFFSET_ABSOLUTE, FLAG_PROCESS, FLAG_SIZE, FLAG_TIME, FLAG_WRITE, MAX_FIELD,
  STRING_MAX_BYTES, TAG_BLOCK, TAG_END, TAG_STRING, XTRACE_MAGIC, XTRACE_VERSION
} = format

export interface XtraceWriterSummary {
  path: string
  records: number
  strings: number
  fileBytes: number
}

const RECORD_MAX_BYTES = 1 + 5 * 8

export class XtraceWriter {
  readonly path: string
  #fd: number | undefined
  #payload = new Uint8Array(BLOCK_TARGET_BYTES + 4 * STRING_MAX_BYTES)
  #pos = 0
  #blockRecords = 0
  #records = 0
  #fileBytes = 0
  readonly #strings = new Map<string, number>()
  #timeUs = 0
  #keyId = -1
  #processId = 0
  #endBytes = 0
  #sizeBytes = 0

  private constructor (path: string, fd: number) {
    this.path = path
    this.#fd = fd
  }

  /** Creates (or truncates) `path` and writes the header with `meta` (a small JSON object). */
  static create (path: string, meta: Record<string, unknown> = {}): XtraceWriter {
    const metaBytes = Buffer.from(JSON.stringify(meta), 'utf8')
    if (metaBytes.length > STRING_MAX_BYTES) throw new RangeError(`trace metadata is ${metaBytes.length} bytes; at most ${STRING_MAX_BYTES}`)
    const writer = new XtraceWriter(path, openSync(path, 'w'))
    const header = new Uint8Array(6 + 3 + metaBytes.length)
    header.set(Buffer.from(XTRACE_MAGIC, 'latin1'), 0)
    header[4] = XTRACE_VERSION
    header[5] = 0
    const pos = putVarint(header, 6, metaBytes.length)
    header.set(metaBytes, pos)
    writer.#writeOut(header.subarray(0, pos + metaBytes.length))
    return writer
  }

  get records (): number {
    return this.#records
  }

  write (record: TraceRecord): void {
    if (this.#fd === undefined) throw new Error(`${this.path}: write after close`)
    checkField(record.timeUs, 'timeUs', this.#records)
    checkField(record.offsetBytes, 'offsetBytes', this.#records)
    checkField(record.sizeBytes, 'sizeBytes', this.#records)
    if (record.op !== 'r' && record.op !== 'w') throw new RangeError(`record ${this.#records}: op ${String(record.op)} is neither r nor w`)
    const keyId = this.#stringId(record.key)
    const processId = record.process === undefined ? 0 : this.#stringId(record.process) + 1
    if (this.#pos + RECORD_MAX_BYTES > this.#payload.length) this.#flushBlock()
    const bytes = this.#payload
    const tagAt = this.#pos
    let pos = tagAt + 1
    let tag = record.op === 'w' ? FLAG_WRITE : 0
    if (record.timeUs !== this.#timeUs) {
      tag |= FLAG_TIME
      pos = putVarint(bytes, pos, zigzag(record.timeUs - this.#timeUs))
    }
    if (keyId !== this.#keyId) {
      tag |= FLAG_KEY
      pos = putVarint(bytes, pos, keyId)
    }
    if (processId !== this.#processId) {
      tag |= FLAG_PROCESS
      pos = putVarint(bytes, pos, processId)
    }
    if (record.offsetBytes !== this.#endBytes) {
      const delta = zigzag(record.offsetBytes - this.#endBytes)
      if (record.offsetBytes < 128 || varintBytes(record.offsetBytes) <= varintBytes(delta)) {
        tag |= FLAG_OFFSET_ABSOLUTE
        pos = putVarint(bytes, pos, record.offsetBytes)
      } else {
        tag |= FLAG_OFFSET
        pos = putVarint(bytes, pos, delta)
      }
    }
    if (record.sizeBytes !== this.#sizeBytes) {
      tag |= FLAG_SIZE
      pos = putVarint(bytes, pos, record.sizeBytes)
    }
    bytes[tagAt] = tag
    this.#pos = pos
    this.#timeUs = record.timeUs
    this.#keyId = keyId
    this.#processId = processId
    this.#endBytes = Math.min(record.offsetBytes + record.sizeBytes, MAX_FIELD)
    this.#sizeBytes = record.sizeBytes
    this.#blockRecords++
    this.#records++
    if (this.#pos >= BLOCK_TARGET_BYTES) this.#flushBlock()
  }

  writeAll (records: Iterable<TraceRecord>): void {
    for (const record of records) this.write(record)
  }

  /** Writes the last block and the end marker, and closes the file. */
  close (): XtraceWriterSummary {
    if (this.#fd === undefined) throw new Error(`${this.path}: closed twice`)
    this.#flushBlock()
    const end = new Uint8Array(1 + 2 * 8)
    end[0] = TAG_END
    const pos = putVarint(end, putVarint(end, 1, this.#records), this.#strings.size)
    this.#writeOut(end.subarray(0, pos))
    closeSync(this.#fd)
    this.#fd = undefined
    return { path: this.path, records: this.#records, strings: this.#strings.size, fileBytes: this.#fileBytes }
  }

  /** Closes the file without an end marker (after an error); the file then reads as truncated. */
  abandon (): void {
    if (this.#fd !== undefined) closeSync(this.#fd)
    this.#fd = undefined
  }

  #stringId (text: string): number {
    const known = this.#strings.get(text)
    if (known !== undefined) return known
    const utf8 = Buffer.from(text, 'utf8')
    if (utf8.length > STRING_MAX_BYTES) throw new RangeError(`record ${this.#records}: key or process of ${utf8.length} bytes; at most ${STRING_MAX_BYTES}`)
    if (this.#pos + 1 + 8 + utf8.length + RECORD_MAX_BYTES > this.#payload.length) this.#flushBlock()
    this.#payload[this.#pos] = TAG_STRING
    const pos = putVarint(this.#payload, this.#pos + 1, utf8.length)
    this.#payload.set(utf8, pos)
    this.#pos = pos + utf8.length
    const id = this.#strings.size
    this.#strings.set(text, id)
    return id
  }

  #flushBlock (): void {
    if (this.#pos === 0) return
    const payload = this.#payload.subarray(0, this.#pos)
    const header = new Uint8Array(1 + 2 * 8 + 4)
    header[0] = TAG_BLOCK
    let pos = putVarint(header, 1, payload.length)
    pos = putVarint(header, pos, this.#blockRecords)
    new DataView(header.buffer).setUint32(pos, crc32(payload), true)
    this.#writeOut(header.subarray(0, pos + 4))
    this.#writeOut(payload)
    this.#pos = 0
    this.#blockRecords = 0
  }

  #writeOut (bytes: Uint8Array): void {
    let done = 0
    while (done < bytes.length) done += writeSync(this.#fd as number, bytes, done, bytes.length - done)
    this.#fileBytes += bytes.length
  }
}

function checkField (value: number, name: string, index: number): void {
  if (!(Number.isInteger(value) && value >= 0 && value <= MAX_FIELD)) {
    throw new RangeError(`record ${index}: ${name} ${value} is not a whole number in [0, 2^52)`)
  }
}

/** Writes all `chunks` to `path` and closes it; on an error the partial file is left truncated. */
export function writeXtrace (path: string, chunks: Iterable<readonly TraceRecord[]>, meta: Record<string, unknown> = {}): XtraceWriterSummary {
  const writer = XtraceWriter.create(path, meta)
  try {
    for (const chunk of chunks) for (const record of chunk) writer.write(record)
  } catch (error) {
    writer.abandon()
    throw error
  }
  return writer.close()
}

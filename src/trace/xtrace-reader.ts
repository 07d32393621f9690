/**
 * Reads the project's `.xtrace` format (see xtrace-format.ts) synchronously: `fs.readSync` fills
 * a buffer, each CRC-checked block becomes one chunk of records. A truncated or corrupted file
 * gives a TraceFormatError naming the file and the byte offset, never a wrong record, a hang or
 * an unbounded allocation (lengths are checked against the format's limits before use).
 */
import { closeSync, openSync, readSync } from 'node:fs'
import { crc32 } from 'node:zlib'
import { TraceFormatError } from './trace-error.ts'
import type { TraceOp, TraceRecord } from './trace-record.ts'
import { emptyCounts, type TraceReadCounts, type TraceSource } from './trace-source.ts'
import * as format from './xtrace-format.ts'

const {
  BLOCK_MAX_BYTES, FLAG_KEY, FLAG_OFFSET, FLAG_OFFSET_ABSOLUTE, FLAG_PROCESS, FLAG_SIZE, FLAG_TIME, FLAG_WRITE, MAX_FIELD,
  STRING_MAX_BYTES, TAG_BLOCK, TAG_END, TAG_STRING, VARINT_MAX_BYTES, XTRACE_MAGIC, XTRACE_VERSION, unzigzag
} = format

/** A buffered synchronous byte reader over one file, tracking the file offset of every byte. */
class ByteInput {
  buf = Buffer.allocUnsafe(1 << 20)
  start = 0
  end = 0
  /** File offset of buf[0]. */
  base = 0
  eof = false
  constructor (readonly fd: number) {}

  get offset (): number {
    return this.base + this.start
  }

  /** Makes `count` bytes available from `start`; false when the file ends first. */
  ensure (count: number): boolean {
    while (this.end - this.start < count) {
      if (this.eof) return false
      if (this.start > 0) {
        this.buf.copy(this.buf, 0, this.start, this.end)
        this.base += this.start
        this.end -= this.start
        this.start = 0
      }
      if (this.end + count > this.buf.length || this.end === this.buf.length) {
        const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, count + 65536))
        this.buf.copy(bigger, 0, 0, this.end)
        this.buf = bigger
      }
      const got = readSync(this.fd, this.buf, this.end, this.buf.length - this.end, null)
      if (got === 0) this.eof = true
      this.end += got
    }
    return true
  }

  /** Reads a varint from the buffered bytes (after `ensure`); -1 when it does not end in time. */
  varint (): number {
    let value = 0
    let scale = 1
    for (let i = 0; i < VARINT_MAX_BYTES && this.start < this.end; i++) {
      const byte = this.buf[this.start++] as number
      value += (byte & 0x7f) * scale
      if (byte < 0x80) return value
      scale *= 128
    }
    return -1
  }
}

export interface XtraceSource extends TraceSource {
  /** The header's metadata (read when the source is created). */
  readonly meta: Record<string, unknown>
}

/** Opens `path` as an `.xtrace` file; the header is checked now, the records as they are read. */
export function readXtrace (path: string): XtraceSource {
  const meta = readHeader(path).meta
  let counts = emptyCounts()
  return {
    path,
    format: 'xtrace',
    meta,
    get counts () { return counts },
    * [Symbol.iterator] () {
      counts = emptyCounts()
      yield * readBlocks(path, counts)
    }
  }
}

function readHeader (path: string, input?: ByteInput): { meta: Record<string, unknown> } {
  const fd = input === undefined ? openSync(path, 'r') : undefined
  const reader = input ?? new ByteInput(fd as number)
  try {
    if (!reader.ensure(6)) throw TraceFormatError.atByte(path, 0, `not an xtrace file: shorter than its ${6}-byte header`)
    const magic = reader.buf.toString('latin1', 0, 4)
    if (magic !== XTRACE_MAGIC) throw TraceFormatError.atByte(path, 0, `not an xtrace file (starts with ${JSON.stringify(magic)}, not "${XTRACE_MAGIC}")`)
    const version = reader.buf[4] as number
    if (version !== XTRACE_VERSION) throw TraceFormatError.atByte(path, 4, `xtrace version ${version}; this reader knows version ${XTRACE_VERSION}`)
    reader.start = 6
    reader.ensure(VARINT_MAX_BYTES)
    const metaBytes = reader.varint()
    if (metaBytes < 0 || metaBytes > STRING_MAX_BYTES) throw TraceFormatError.atByte(path, 6, 'corrupt header: bad metadata length')
    if (!reader.ensure(metaBytes)) throw TraceFormatError.atByte(path, reader.offset, 'truncated in the header')
    let meta: unknown
    try {
      meta = JSON.parse(reader.buf.toString('utf8', reader.start, reader.start + metaBytes))
    } catch {
      throw TraceFormatError.atByte(path, reader.offset, 'corrupt header: metadata is not JSON')
    }
    reader.start += metaBytes
    if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) throw TraceFormatError.atByte(path, reader.offset, 'corrupt header: metadata is not an object')
    return { meta: meta as Record<string, unknown> }
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/** Decoder state that carries from block to block. */
interface DecodeState {
  strings: string[]
  timeUs: number
  keyId: number
  processId: number
  endBytes: number
  sizeBytes: number
}

function * readBlocks (path: string, counts: TraceReadCounts): Generator<TraceRecord[]> {
  const fd = openSync(path, 'r')
  try {
    const input = new ByteInput(fd)
    readHeader(path, input)
    const state: DecodeState = { strings: [], timeUs: 0, keyId: -1, processId: 0, endBytes: 0, sizeBytes: 0 }
    for (;;) {
      const at = input.offset
      if (!input.ensure(1)) throw TraceFormatError.atByte(path, at, `truncated: the file ends after ${counts.records} records without its end marker`)
      const tag = input.buf[input.start++] as number
      input.ensure(2 * VARINT_MAX_BYTES + 4)
      if (tag === TAG_END) {
        const total = input.varint()
        const strings = input.varint()
        if (strings < 0 && input.eof) throw TraceFormatError.atByte(path, at, 'truncated in the end marker')
        if (total !== counts.records || strings !== state.strings.length) {
          throw TraceFormatError.atByte(path, at, `corrupt end marker: it counts ${total} records and ${strings} strings, the file held ${counts.records} and ${state.strings.length}`)
        }
        if (input.ensure(1)) throw TraceFormatError.atByte(path, input.offset, 'corrupt: bytes after the end marker')
        return
      }
      if (tag !== TAG_BLOCK) throw TraceFormatError.atByte(path, at, `corrupt: expected a block (0xb1) or the end marker (0xe0), found 0x${tag.toString(16)}`)
      const payloadBytes = input.varint()
      const recordCount = input.varint()
      if (payloadBytes < 0 || payloadBytes > BLOCK_MAX_BYTES || recordCount < 0 || recordCount > payloadBytes) {
        throw TraceFormatError.atByte(path, at, input.eof && input.start >= input.end ? 'truncated in a block header' : 'corrupt block header')
      }
      if (!input.ensure(4 + payloadBytes)) throw TraceFormatError.atByte(path, at, `truncated: a block of ${payloadBytes} bytes starts here but the file ends at byte ${input.base + input.end}`)
      const crc = input.buf.readUInt32LE(input.start)
      input.start += 4
      const payloadAt = input.start
      const payload = input.buf.subarray(payloadAt, payloadAt + payloadBytes)
      if (crc32(payload) !== crc) throw TraceFormatError.atByte(path, at, 'corrupt: block checksum mismatch')
      const records = new PayloadDecoder(path, input.base + payloadAt, payload).decode(recordCount, state)
      input.start += payloadBytes
      counts.records += records.length
      if (records.length > 0) yield records
    }
  } finally {
    closeSync(fd)
  }
}

const BOTH_OFFSETS = FLAG_OFFSET | FLAG_OFFSET_ABSOLUTE

/** Decodes one CRC-checked payload; a field that does not fit still fails cleanly. */
class PayloadDecoder {
  pos = 0
  constructor (readonly path: string, readonly fileOffset: number, readonly bytes: Buffer) {}

  fail (message: string): never {
    throw TraceFormatError.atByte(this.path, this.fileOffset + this.pos, `corrupt block: ${message}`)
  }

  varint (): number {
    const bytes = this.bytes
    const first = bytes[this.pos] as number
    if (first < 0x80) {
      this.pos++
      return first
    }
    let value = 0
    let scale = 1
    for (let i = 0; i < VARINT_MAX_BYTES; i++) {
      if (this.pos >= bytes.length) return this.fail('a field runs past the block')
      const byte = bytes[this.pos++] as number
      value += (byte & 0x7f) * scale
      if (byte < 0x80) return value
      scale *= 128
    }
    return this.fail('varint longer than 8 bytes')
  }

  decode (recordCount: number, state: DecodeState): TraceRecord[] {
    const records: TraceRecord[] = new Array(recordCount)
    const bytes = this.bytes
    const end = bytes.length
    const strings = state.strings
    let count = 0
    let { timeUs, keyId, processId, endBytes, sizeBytes } = state
    let key = strings[keyId] as string
    let process = processId === 0 ? undefined : strings[processId - 1]
    while (this.pos < end) {
      const tag = bytes[this.pos++] as number
      if (tag === TAG_STRING) {
        const length = this.varint()
        if (length > STRING_MAX_BYTES || this.pos + length > end) this.fail('string runs past the block')
        strings.push(bytes.toString('utf8', this.pos, this.pos + length))
        this.pos += length
        continue
      }
      if (tag > TAG_STRING || (tag & BOTH_OFFSETS) === BOTH_OFFSETS) this.fail(`unknown entry tag 0x${tag.toString(16)}`)
      if (count === recordCount) this.fail(`more records than the ${recordCount} its header counts`)
      if ((tag & FLAG_TIME) !== 0) timeUs += unzigzag(this.varint())
      if ((tag & FLAG_KEY) !== 0) {
        keyId = this.varint()
        key = strings[keyId] as string
      }
      if ((tag & FLAG_PROCESS) !== 0) {
        processId = this.varint()
        if (processId > strings.length) this.fail(`process string ${processId - 1} is not defined`)
        process = processId === 0 ? undefined : strings[processId - 1]
      }
      const offsetBytes = (tag & FLAG_OFFSET_ABSOLUTE) !== 0 ? this.varint() : (tag & FLAG_OFFSET) !== 0 ? endBytes + unzigzag(this.varint()) : endBytes
      if ((tag & FLAG_SIZE) !== 0) sizeBytes = this.varint()
      if (key === undefined) this.fail(`key string ${keyId} is not defined`)
      if (timeUs < 0 || timeUs > MAX_FIELD || offsetBytes < 0 || offsetBytes > MAX_FIELD || sizeBytes > MAX_FIELD) this.fail('time, offset or size out of range')
      const op: TraceOp = (tag & FLAG_WRITE) !== 0 ? 'w' : 'r'
      records[count++] = process === undefined
        ? { timeUs, key, offsetBytes, sizeBytes, op }
        : { timeUs, key, offsetBytes, sizeBytes, op, process }
      endBytes = Math.min(offsetBytes + sizeBytes, MAX_FIELD)
    }
    if (count !== recordCount) this.fail(`${count} records where its header counts ${recordCount}`)
    Object.assign(state, { timeUs, keyId, processId, endBytes, sizeBytes })
    return records
  }
}

/**
 * The project's own trace format, `.xtrace` (version 1): compact, written and read as a stream,
 * with every byte covered by a CRC so truncation and corruption are detected, not misread.
 *
 *   header  "XTRC"  u8 version=1  u8 flags=0  varint metaBytes  meta (UTF-8 JSON object)
 *   block*  u8 0xB1  varint payloadBytes  varint recordCount  u32le crc32(payload)  payload
 *   end     u8 0xE0  varint totalRecords  varint totalStrings          (then end of file)
 *
 * A payload is a sequence of entries. A string definition `0x80 varint utf8Bytes bytes` gives
 * the next string id (0, 1, 2, ...) to a key or process name, so a repeated key costs one
 * varint. A record is one tag byte below 0x80 followed by the fields its tag announces:
 *
 *   0x01 op is write (else read)
 *   0x10 varint zigzag(timeUs - previous timeUs)        absent: same time as the previous record
 *   0x02 varint key string id                            absent: same key as the previous record
 *   0x04 varint process string id + 1 (0 = no process)   absent: same process as the previous
 *   0x20 varint zigzag(offset - previous record's end)   absent: sequential (offset = previous end)
 *   0x40 varint offset (absolute; instead of 0x20, when shorter, e.g. a file read from 0)
 *   0x08 varint sizeBytes                                absent: same size as the previous record
 *
 * The "previous" state starts as time 0, no key, no process, end 0, size 0 and carries across
 * blocks, so a file is read from its start. Varints are unsigned LEB128 of at most 8 bytes;
 * times, offsets and sizes are whole numbers below 2^52 (4 PiB, or 142 years of microseconds).
 * Pure encoding helpers; the writer and reader do the I/O. (Hot loops copy these constants into
 * module-local consts: tsx's module interop turns imported bindings into getter calls.)
 */

export const XTRACE_MAGIC = 'XTRC'
export const XTRACE_VERSION = 1
export const XTRACE_EXTENSION = '.xtrace'

export const TAG_BLOCK = 0xb1
export const TAG_END = 0xe0
export const TAG_STRING = 0x80

export const FLAG_WRITE = 0x01
export const FLAG_KEY = 0x02
export const FLAG_PROCESS = 0x04
export const FLAG_SIZE = 0x08
export const FLAG_TIME = 0x10
export const FLAG_OFFSET = 0x20
export const FLAG_OFFSET_ABSOLUTE = 0x40

/** Largest time, offset or size stored: deltas then stay below 2^53 after zigzag coding. */
export const MAX_FIELD = 2 ** 52 - 1
/** A writer closes a block once its payload reaches this size. */
export const BLOCK_TARGET_BYTES = 64 * 1024
/** A reader rejects blocks claiming more payload than this (a corrupt length, not a real block). */
export const BLOCK_MAX_BYTES = 16 * 1024 * 1024
/** Longest key or process name, and longest metadata JSON. */
export const STRING_MAX_BYTES = 64 * 1024
export const VARINT_MAX_BYTES = 8

export function zigzag (value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1
}

export function unzigzag (value: number): number {
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2
}

/** Writes `value` (a whole number in [0, 2^53)) at `pos`; returns the position after it. */
export function putVarint (bytes: Uint8Array, pos: number, value: number): number {
  if (value < 0x80000000) {
    while (value >= 0x80) {
      bytes[pos++] = (value & 0x7f) | 0x80
      value >>>= 7
    }
    bytes[pos++] = value
    return pos
  }
  while (value >= 0x80) {
    bytes[pos++] = (value % 128) | 0x80
    value = Math.floor(value / 128)
  }
  bytes[pos++] = value
  return pos
}

export function varintBytes (value: number): number {
  let count = 1
  while (value >= 0x80) {
    value = Math.floor(value / 128)
    count++
  }
  return count
}

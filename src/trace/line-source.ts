/**
 * Synchronous, chunked line reading for the text trace formats: `fs.readSync` fills a 1 MiB
 * buffer, complete lines are split off and decoded as UTF-8, the partial last line is kept for
 * the next read, so files of any size stream in constant memory. Gzip files (by their magic
 * bytes) are inflated in memory first (bounded by GZIP_MAX_BYTES; the public reference traces
 * this is for are under a few MB). Strips a trailing CR (Windows line ends). Never reads ahead
 * more than one buffer.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { TraceFormatError } from './trace-error.ts'

const READ_BYTES = 1 << 20
/** Largest inflated size of a gzip trace. */
export const GZIP_MAX_BYTES = 1 << 30
/** Longest line accepted: a longer one means the file is not a text trace. */
export const LINE_MAX_BYTES = 16 << 20

/** A batch of lines: `lines[i]` is line `firstLine + i` (1-based) of the file. */
export interface LineBatch {
  firstLine: number
  lines: string[]
}

export function isGzip (head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b
}

/** The file's first `count` bytes (fewer when it is shorter). */
export function readHead (path: string, count: number): Buffer {
  const fd = openSync(path, 'r')
  try {
    const buf = Buffer.alloc(count)
    let got = 0
    for (;;) {
      const n = readSync(fd, buf, got, count - got, null)
      if (n === 0 || (got += n) === count) break
    }
    return buf.subarray(0, got)
  } finally {
    closeSync(fd)
  }
}

/** The file's lines in batches, read synchronously; inflates gzip files in memory. */
export function * readLineBatches (path: string): Generator<LineBatch> {
  if (isGzip(readHead(path, 2))) {
    let text: Buffer
    try {
      text = gunzipSync(readFileSync(path), { maxOutputLength: GZIP_MAX_BYTES })
    } catch (error) {
      throw TraceFormatError.inFile(path, `cannot inflate gzip: ${(error as Error).message}`)
    }
    yield * splitBuffers(path, (function * () { for (let at = 0; at < text.length; at += READ_BYTES) yield text.subarray(at, at + READ_BYTES) })())
    return
  }
  const fd = openSync(path, 'r')
  try {
    yield * splitBuffers(path, (function * () {
      const buf = Buffer.allocUnsafe(READ_BYTES)
      for (;;) {
        const got = readSync(fd, buf, 0, READ_BYTES, null)
        if (got === 0) return
        yield buf.subarray(0, got)
      }
    })())
  } finally {
    closeSync(fd)
  }
}

function * splitBuffers (path: string, pieces: Iterable<Buffer>): Generator<LineBatch> {
  let carry: Buffer = Buffer.alloc(0)
  let nextLine = 1
  for (const piece of pieces) {
    const lastNewline = piece.lastIndexOf(0x0a)
    if (lastNewline < 0) {
      carry = Buffer.concat([carry, piece])
      if (carry.length > LINE_MAX_BYTES) throw TraceFormatError.atLine(path, nextLine, `line longer than ${LINE_MAX_BYTES} bytes; not a text trace`)
      continue
    }
    const whole = carry.length === 0 ? piece.subarray(0, lastNewline) : Buffer.concat([carry, piece.subarray(0, lastNewline)])
    carry = Buffer.from(piece.subarray(lastNewline + 1))
    const lines = whole.toString('utf8').split('\n')
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string
      if (line.endsWith('\r')) lines[i] = line.slice(0, -1)
    }
    yield { firstLine: nextLine, lines }
    nextLine += lines.length
  }
  if (carry.length > 0) {
    const line = carry.toString('utf8')
    yield { firstLine: nextLine, lines: [line.endsWith('\r') ? line.slice(0, -1) : line] }
  }
}

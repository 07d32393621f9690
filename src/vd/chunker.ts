/**
 * Content-defined chunking with LBFS's parameters (48-byte window, 2 KiB minimum, 8 KiB average,
 * 64 KiB maximum) using a buzhash (cyclic polynomial) rolling hash over exactly the last 48 bytes:
 * h ← rotl(h, 1) ⊕ rotl(T[out], 48 mod 32) ⊕ T[in]. A chunk ends after byte i when the window's
 * hash, read unsigned, is below 2^32 / (average − minimum), so the mean chunk is about `avgBytes`
 * (LBFS's 13-bit mask gives a mean of min + 8 KiB instead). The table T is 256 words from SHA-1 of
 * `xest-buzhash:<i>`: fixed, so cut points depend only on the bytes since the chunk's start, never
 * on how the input was read. Hashing starts 48 bytes before the minimum (bytes earlier in a chunk
 * cannot end it). Never performs I/O.
 */
import { hash } from 'node:crypto'

export interface ChunkingParams {
  windowBytes: number
  minBytes: number
  avgBytes: number
  maxBytes: number
}

export const LBFS_CHUNKING: Readonly<ChunkingParams> = Object.freeze({ windowBytes: 48, minBytes: 2048, avgBytes: 8192, maxBytes: 65536 })

/** Block devices: fixed blocks of this size. */
export const BLOCK_BYTES = 4096

const TABLE = new Int32Array(256)
for (let i = 0; i < 256; i++) TABLE[i] = hash('sha1', `xest-buzhash:${i}`, 'buffer').readInt32BE(0)

export function checkChunkingParams (params: ChunkingParams): void {
  const { windowBytes: w, minBytes: min, avgBytes: avg, maxBytes: max } = params
  const ok = [w, min, avg, max].every((v) => Number.isInteger(v) && v > 0) && w <= min && min < avg && avg <= max
  if (!ok) throw new RangeError(`bad chunking parameters ${JSON.stringify(params)}: need 0 < window ≤ min < avg ≤ max`)
}

export class Chunker {
  readonly #w: number
  readonly #min: number
  readonly #max: number
  readonly #threshold: number
  readonly #outTable = new Int32Array(256)

  constructor (readonly params: ChunkingParams = LBFS_CHUNKING) {
    checkChunkingParams(params)
    this.#w = params.windowBytes
    this.#min = params.minBytes
    this.#max = params.maxBytes
    this.#threshold = Math.floor(2 ** 32 / (params.avgBytes - params.minBytes))
    const r = this.#w % 32
    for (let i = 0; i < 256; i++) this.#outTable[i] = r === 0 ? TABLE[i]! : (TABLE[i]! << r) | (TABLE[i]! >>> (32 - r))
  }

  /**
   * The end (exclusive) of the chunk starting at `start` in `buf[start, end)`, or -1 when the chunk
   * may continue past `end` and more input follows (`final` false). With `final` true the last
   * chunk ends at `end`. Requires start < end.
   */
  cut (buf: Uint8Array, start: number, end: number, final: boolean): number {
    const length = end - start
    if (length <= this.#min) return final ? end : -1
    const limit = Math.min(end, start + this.#max)
    const table = TABLE
    const out = this.#outTable
    const w = this.#w
    const threshold = this.#threshold
    let h = 0
    let i = start + this.#min - w
    const first = start + this.#min
    for (; i < first; i++) h = ((h << 1) | (h >>> 31)) ^ table[buf[i]!]!
    for (; ; i++) {
      if ((h >>> 0) < threshold) return i
      if (i >= limit) break
      h = ((h << 1) | (h >>> 31)) ^ out[buf[i - w]!]! ^ table[buf[i]!]!
    }
    if (limit === start + this.#max) return limit
    return final ? end : -1
  }

  /** Chunk boundaries of a whole buffer: the end offset of each chunk, in order. */
  boundaries (buf: Uint8Array): number[] {
    const ends: number[] = []
    let start = 0
    while (start < buf.length) {
      start = this.cut(buf, start, buf.length, true)
      ends.push(start)
    }
    return ends
  }
}

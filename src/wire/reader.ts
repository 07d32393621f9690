/**
 * A bounds-checked big-endian reader, the inverse of `WireWriter`. Reading past the end or an
 * invalid length raises `WireError`, which only the codec's top level catches: callers outside
 * `src/wire/` get error values, never exceptions.
 */

/** Raised inside the codec for malformed input; converted to an error value at the boundary. */
export class WireError extends Error {
  override name = 'WireError'
}

/** Bamboo's reader rejects BigInteger lengths below 0 or above 1000 (`InputBufferImpl`). */
export const MAX_BIG_INTEGER_BYTES = 1000

const HEX_BYTES = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'))

export class WireReader {
  readonly #bytes: Uint8Array
  readonly #view: DataView
  #offset: number

  constructor (bytes: Uint8Array, offset = 0) {
    this.#bytes = bytes
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    this.#offset = offset
  }

  get offset (): number {
    return this.#offset
  }

  get remaining (): number {
    return this.#bytes.length - this.#offset
  }

  #take (count: number, what: string): number {
    const at = this.#offset
    if (count < 0 || at + count > this.#bytes.length) {
      throw new WireError(`truncated ${what} at byte ${at}: need ${count}, have ${this.#bytes.length - at}`)
    }
    this.#offset = at + count
    return at
  }

  u8 (what = 'byte'): number {
    return this.#view.getUint8(this.#take(1, what))
  }

  /** A signed Java byte. */
  i8 (what = 'byte'): number {
    return this.#view.getInt8(this.#take(1, what))
  }

  /** Java's `nextBoolean`: true only for the byte 1 (2 or 0xff read as false, as in ostore). */
  bool (what = 'boolean'): boolean {
    return this.u8(what) === 1
  }

  u16 (what = 'short'): number {
    return this.#view.getUint16(this.#take(2, what))
  }

  i32 (what = 'int'): number {
    return this.#view.getInt32(this.#take(4, what))
  }

  i64 (what = 'long'): bigint {
    return this.#view.getBigInt64(this.#take(8, what))
  }

  f64 (what = 'double'): number {
    return this.#view.getFloat64(this.#take(8, what))
  }

  raw (count: number, what = 'bytes'): Uint8Array {
    const at = this.#take(count, what)
    return this.#bytes.slice(at, at + count)
  }

  /** i32 length + bytes; the length must be within `maxBytes` and the remaining input. */
  byteArray (maxBytes: number, what = 'byte array'): Uint8Array {
    const length = this.i32(`${what} length`)
    if (length < 0 || length > maxBytes) throw new WireError(`bad ${what} length ${length} (max ${maxBytes})`)
    return this.raw(length, what)
  }

  string (maxBytes: number, what = 'string'): string {
    return Buffer.from(this.byteArray(maxBytes, what)).toString('latin1')
  }

  /** i32 length (0 < length ≤ 1000, as Java) + two's-complement big-endian bytes. */
  bigInteger (what = 'BigInteger'): bigint {
    const length = this.i32(`${what} length`)
    if (length < 0 || length > MAX_BIG_INTEGER_BYTES) throw new WireError(`bad ${what} length ${length}`)
    if (length === 0) throw new WireError(`zero-length ${what}`)
    const at = this.#take(length, what)
    let hex = '0x'
    for (let i = 0; i < length; i++) hex += HEX_BYTES[this.#bytes[at + i]!]
    return BigInt.asIntN(8 * length, BigInt(hex))
  }
}

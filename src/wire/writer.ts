/**
 * A growable big-endian byte writer with the primitive encodings of Bamboo's QuickSerializable
 * (`ostore.util.OutputBufferImpl`): 1/2/4/8-byte integers, IEEE doubles, length-prefixed byte
 * arrays and strings, Java BigInteger bytes. Encoding never touches the environment.
 */

export class WireWriter {
  #bytes: Uint8Array
  #view: DataView
  #length = 0

  constructor (initialBytes = 256) {
    this.#bytes = new Uint8Array(initialBytes)
    this.#view = new DataView(this.#bytes.buffer)
  }

  get length (): number {
    return this.#length
  }

  /** The bytes written so far (a copy). */
  finish (): Uint8Array {
    return this.#bytes.slice(0, this.#length)
  }

  #reserve (count: number): number {
    const at = this.#length
    const need = at + count
    if (need > this.#bytes.length) {
      let size = this.#bytes.length * 2
      while (size < need) size *= 2
      const grown = new Uint8Array(size)
      grown.set(this.#bytes.subarray(0, at))
      this.#bytes = grown
      this.#view = new DataView(grown.buffer)
    }
    this.#length = need
    return at
  }

  u8 (value: number): void {
    const at = this.#reserve(1)
    this.#view.setUint8(at, value & 0xff)
  }

  bool (value: boolean): void {
    this.u8(value ? 1 : 0)
  }

  i16 (value: number): void {
    const at = this.#reserve(2)
    this.#view.setInt16(at, value << 16 >> 16)
  }

  u16 (value: number): void {
    const at = this.#reserve(2)
    this.#view.setUint16(at, value & 0xffff)
  }

  i32 (value: number): void {
    const at = this.#reserve(4)
    this.#view.setInt32(at, value | 0)
  }

  /** A signed 64-bit integer (Java long). */
  i64 (value: bigint): void {
    const at = this.#reserve(8)
    this.#view.setBigInt64(at, BigInt.asIntN(64, value))
  }

  /** IEEE bits as Java's `doubleToLongBits`: every NaN becomes the canonical 0x7ff8000000000000. */
  f64 (value: number): void {
    const at = this.#reserve(8)
    if (Number.isNaN(value)) this.#view.setBigUint64(at, 0x7ff8000000000000n)
    else this.#view.setFloat64(at, value)
  }

  raw (bytes: Uint8Array): void {
    const at = this.#reserve(bytes.length)
    this.#bytes.set(bytes, at)
  }

  /** i32 length + bytes (Bamboo's `add(int); add(byte[])`). */
  byteArray (bytes: Uint8Array): void {
    this.i32(bytes.length)
    this.raw(bytes)
  }

  /** i32 byte length + the ASCII/Latin-1 bytes of `text`. */
  string (text: string): void {
    this.byteArray(new Uint8Array(Buffer.from(text, 'latin1')))
  }

  /** i32 length + Java `BigInteger.toByteArray()` (minimal two's complement, ≥ 1 byte). */
  bigInteger (value: bigint): void {
    this.byteArray(bigIntToJavaBytes(value))
  }
}

/** Java's `BigInteger.toByteArray()`: the minimal big-endian two's-complement form. */
export function bigIntToJavaBytes (value: bigint): Uint8Array {
  if (value >= 0n) return nonNegativeToJavaBytes(value)
  let byteCount = 1
  while (value >= (1n << BigInt(8 * byteCount - 1)) || value < -(1n << BigInt(8 * byteCount - 1))) byteCount++
  const out = new Uint8Array(byteCount)
  let rest = BigInt.asUintN(8 * byteCount, value)
  for (let i = byteCount - 1; i >= 0; i--) {
    out[i] = Number(rest & 0xffn)
    rest >>= 8n
  }
  return out
}

/** The fast path for ids and other non-negative values: via hex text, one leading 0 byte if the top bit is set. */
function nonNegativeToJavaBytes (value: bigint): Uint8Array {
  const hex = value.toString(16)
  const odd = hex.length & 1
  const digits = (hex.length + odd) >> 1
  const pad = odd === 0 && nibble(hex.charCodeAt(0)) >= 8 ? 1 : 0
  const out = new Uint8Array(digits + pad)
  let at = pad
  let i = 0
  if (odd === 1) { out[at++] = nibble(hex.charCodeAt(0)); i = 1 }
  for (; i < hex.length; i += 2) out[at++] = (nibble(hex.charCodeAt(i)) << 4) | nibble(hex.charCodeAt(i + 1))
  return out
}

/** Value of one lower-case hex digit's char code. */
function nibble (code: number): number {
  return code <= 57 ? code - 48 : code - 87
}

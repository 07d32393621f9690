/**
 * The compact binary codec of Xest's own objects (map nodes, file manifests): unsigned LEB128
 * varints up to 2^53, 20-byte object ids, length-prefixed UTF-8 strings. Reading past the end or a
 * malformed value raises `CorruptObjectError` naming the object. Never performs I/O.
 */
import { CorruptObjectError, OBJECT_ID_BYTES, type ObjectId } from './object-id.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

export class ByteWriter {
  #buf = new Uint8Array(256)
  #len = 0

  #room (count: number): void {
    if (this.#len + count <= this.#buf.length) return
    let size = this.#buf.length * 2
    while (size < this.#len + count) size *= 2
    const next = new Uint8Array(size)
    next.set(this.#buf.subarray(0, this.#len))
    this.#buf = next
  }

  u8 (value: number): this {
    this.#room(1)
    this.#buf[this.#len++] = value & 0xff
    return this
  }

  u16 (value: number): this {
    return this.u8(value >>> 8).u8(value)
  }

  /** Unsigned LEB128 of an integer in [0, 2^53). */
  varint (value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint out of range: ${value}`)
    let rest = value
    while (rest >= 0x80) {
      this.u8((rest % 0x80) | 0x80)
      rest = Math.floor(rest / 0x80)
    }
    return this.u8(rest)
  }

  bytes (bytes: Uint8Array): this {
    this.#room(bytes.length)
    this.#buf.set(bytes, this.#len)
    this.#len += bytes.length
    return this
  }

  id (id: ObjectId): this {
    this.#room(OBJECT_ID_BYTES)
    this.#len += Buffer.from(this.#buf.buffer, this.#buf.byteOffset + this.#len, OBJECT_ID_BYTES).write(id, 'hex')
    return this
  }

  string (text: string): this {
    const bytes = encoder.encode(text)
    return this.varint(bytes.length).bytes(bytes)
  }

  finish (): Uint8Array {
    return this.#buf.slice(0, this.#len)
  }
}

export class ByteReader {
  #at = 0
  readonly #buf: Buffer

  constructor (bytes: Uint8Array, private readonly objectId: ObjectId | null = null) {
    this.#buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  get done (): boolean {
    return this.#at >= this.#buf.length
  }

  fail (message: string): never {
    throw new CorruptObjectError(this.objectId, `${message} at byte ${this.#at}`)
  }

  #take (count: number, what: string): number {
    if (this.#at + count > this.#buf.length) this.fail(`truncated ${what}`)
    const at = this.#at
    this.#at += count
    return at
  }

  u8 (what = 'byte'): number {
    return this.#buf[this.#take(1, what)]!
  }

  u16 (what = 'u16'): number {
    const at = this.#take(2, what)
    return (this.#buf[at]! << 8) | this.#buf[at + 1]!
  }

  varint (what = 'varint'): number {
    let value = 0
    let scale = 1
    for (let i = 0; i < 8; i++) {
      const byte = this.u8(what)
      value += (byte & 0x7f) * scale
      if ((byte & 0x80) === 0) {
        if (!Number.isSafeInteger(value)) this.fail(`${what} too large`)
        return value
      }
      scale *= 0x80
    }
    return this.fail(`${what} too long`)
  }

  bytes (count: number, what = 'bytes'): Uint8Array {
    const at = this.#take(count, what)
    return this.#buf.subarray(at, at + count)
  }

  id (what = 'object id'): ObjectId {
    const at = this.#take(OBJECT_ID_BYTES, what)
    return this.#buf.toString('hex', at, at + OBJECT_ID_BYTES)
  }

  string (what = 'string'): string {
    const length = this.varint(`${what} length`)
    const bytes = this.bytes(length, what)
    try {
      return decoder.decode(bytes)
    } catch {
      return this.fail(`${what} is not UTF-8`)
    }
  }

  end (): void {
    if (!this.done) this.fail('trailing bytes')
  }
}

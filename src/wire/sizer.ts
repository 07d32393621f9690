/**
 * A WireWriter that only counts: every primitive adds the bytes the real writer would write, and
 * nothing is stored. It runs the very same encoders, so a message's size (and any encoder check
 * that throws) is exactly what encoding would give, without building the bytes. Used where only
 * the size matters (the simulator's message-level transport when it hands nodes shared objects).
 */
import { bigIntToJavaBytes, WireWriter } from './writer.ts'

export class WireSizer extends WireWriter {
  #count = 0

  constructor () {
    super(0)
  }

  override get length (): number {
    return this.#count
  }

  /** Starts a new count (one sizer serves many messages). */
  reset (): void {
    this.#count = 0
  }

  override finish (): Uint8Array {
    throw new Error('a WireSizer holds no bytes; use length')
  }

  override u8 (): void { this.#count += 1 }
  override bool (): void { this.#count += 1 }
  override i16 (): void { this.#count += 2 }
  override u16 (): void { this.#count += 2 }
  override i32 (): void { this.#count += 4 }
  override i64 (): void { this.#count += 8 }
  override f64 (): void { this.#count += 8 }
  override raw (bytes: Uint8Array): void { this.#count += bytes.length }
  override byteArray (bytes: Uint8Array): void { this.#count += 4 + bytes.length }
  override string (text: string): void { this.#count += 4 + Buffer.byteLength(text, 'latin1') }
  override bigInteger (value: bigint): void { this.#count += 4 + javaBytesLength(value) }
}

/** Length of Java's `BigInteger.toByteArray()`: bitLength / 8 + 1, bitLength without the sign. */
function javaBytesLength (value: bigint): number {
  if (value < 0n) return bigIntToJavaBytes(value).length
  if (value === 0n) return 1
  const hex = value.toString(16)
  return ((hex.length * 4 - Math.clz32(parseInt(hex[0]!, 16)) + 28) >> 3) + 1
}

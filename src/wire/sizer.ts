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

/** 2^(8k−1) for k = 0..64: a non-negative value below LIMITS[k] takes at most k bytes. */
const LIMITS = Array.from({ length: 65 }, (_, k) => k === 0 ? 0n : 1n << BigInt(8 * k - 1))

/** Length of Java's `BigInteger.toByteArray()` (bitLength / 8 + 1, bitLength without the sign). */
function javaBytesLength (value: bigint): number {
  if (value < 0n || value >= LIMITS[64]!) return bigIntToJavaBytes(value).length
  let low = 1
  let high = 64
  while (low < high) {
    const mid = (low + high) >> 1
    if (value < LIMITS[mid]!) high = mid
    else low = mid + 1
  }
  return low
}

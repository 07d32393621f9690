/**
 * Ids as strings of digits, most significant first (Bamboo's `guid_to_digits`), for the digit
 * bases Bamboo allows: 2, 4, 16 and 256 (1, 2, 4 or 8 bits per digit). Pure functions.
 */
import { ID_BITS, type Id } from './node-id.ts'

export type DigitBase = 2 | 4 | 16 | 256

const BITS_PER_DIGIT: Record<DigitBase, number> = { 2: 1, 4: 2, 16: 4, 256: 8 }

export function isDigitBase (value: number): value is DigitBase {
  return value === 2 || value === 4 || value === 16 || value === 256
}

export function bitsPerDigit (base: DigitBase): number {
  const bits = BITS_PER_DIGIT[base]
  if (bits === undefined) throw new RangeError(`digit base must be 2, 4, 16 or 256, not ${String(base)}`)
  return bits
}

/** Number of digits in an id: 160, 80, 40 or 20. */
export function digitsPerId (base: DigitBase): number {
  return ID_BITS / bitsPerDigit(base)
}

/** The digit at `index` (0 = most significant). */
export function digitAt (id: Id, index: number, base: DigitBase): number {
  const bits = bitsPerDigit(base)
  const count = ID_BITS / bits
  if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError(`digit index ${index} out of range`)
  const shift = BigInt(ID_BITS - (index + 1) * bits)
  return Number((id >> shift) & BigInt(base - 1))
}

/** All digits of an id, most significant first. */
export function idToDigits (id: Id, base: DigitBase): number[] {
  const bits = bitsPerDigit(base)
  const count = ID_BITS / bits
  const out = new Array<number>(count)
  let rest = id
  const mask = BigInt(base - 1)
  const step = BigInt(bits)
  for (let i = count - 1; i >= 0; i--) {
    out[i] = Number(rest & mask)
    rest >>= step
  }
  return out
}

/**
 * The id whose first `keep` digits are `id`'s and whose other digits are drawn, most significant
 * first, from `draw()` (each in [0, base)): `digitsToId` of such digits, without making an array
 * or a bigint per digit (global tuning makes one per period, 160 digits in base 2).
 */
export function withDrawnSuffix (id: Id, keep: number, base: DigitBase, draw: () => number): Id {
  const bits = bitsPerDigit(base)
  const count = ID_BITS / bits
  if (!(Number.isInteger(keep) && keep >= 0 && keep <= count)) throw new RangeError(`keep ${keep} of ${count} digits`)
  const suffixBits = (count - keep) * bits
  let suffix = 0n
  let chunk = 0
  let chunkBits = 0
  for (let i = keep; i < count; i++) {
    const digit = draw()
    if (!Number.isInteger(digit) || digit < 0 || digit >= base) throw new RangeError(`bad digit ${digit}`)
    chunk = chunk * base + digit
    chunkBits += bits
    if (chunkBits >= 40) {
      suffix = (suffix << BigInt(chunkBits)) | BigInt(chunk)
      chunk = 0
      chunkBits = 0
    }
  }
  if (chunkBits > 0) suffix = (suffix << BigInt(chunkBits)) | BigInt(chunk)
  const prefix = suffixBits >= ID_BITS ? 0n : (id >> BigInt(suffixBits)) << BigInt(suffixBits)
  return prefix | suffix
}

/** Inverse of `idToDigits`. */
export function digitsToId (digits: readonly number[], base: DigitBase): Id {
  const bits = bitsPerDigit(base)
  if (digits.length !== ID_BITS / bits) throw new RangeError('wrong number of digits')
  let id = 0n
  const step = BigInt(bits)
  for (const digit of digits) {
    if (!Number.isInteger(digit) || digit < 0 || digit >= base) throw new RangeError(`bad digit ${digit}`)
    id = (id << step) | BigInt(digit)
  }
  return id
}

/** Number of leading digits `a` and `b` share (Bamboo's routing-table level of `b` seen from `a`). */
export function sharedPrefixLength (a: Id, b: Id, base: DigitBase): number {
  const bits = bitsPerDigit(base)
  const diff = a ^ b
  if (diff === 0n) return ID_BITS / bits
  const leadingZeroBits = ID_BITS - bitLength(diff)
  return Math.floor(leadingZeroBits / bits)
}

/** 2^k for k = 0..ID_BITS. */
const POWERS_OF_TWO = Array.from({ length: ID_BITS + 1 }, (_, k) => 1n << BigInt(k))

/** Bits of `x` > 0 without its leading zeros, by comparisons (no text; this runs for every routing decision). */
function bitLength (x: bigint): number {
  if (x >= POWERS_OF_TWO[ID_BITS]!) return x.toString(2).length
  let low = 1
  let high = ID_BITS
  while (low < high) {
    const mid = (low + high) >> 1
    if (x < POWERS_OF_TWO[mid]!) high = mid
    else low = mid + 1
  }
  return low
}

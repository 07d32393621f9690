/**
 * SHA-1 helpers. Deterministic hashing is allowed everywhere (it is not an environment effect):
 * node ids, type codes, object names and DHT keys are all SHA-1 digests as in Bamboo.
 */
import * as crypto from 'node:crypto'

/** Node's one-shot digest (half the cost of a Hash object), where this Node has it (≥ 20.12). */
const oneShot = (crypto as { hash?: (algorithm: string, data: Uint8Array | string, encoding: 'buffer') => Buffer }).hash

/** SHA-1 digest (20 bytes) of `bytes`. */
export function sha1 (bytes: Uint8Array | string): Uint8Array {
  return new Uint8Array(oneShot !== undefined ? oneShot('sha1', bytes, 'buffer') : crypto.createHash('sha1').update(bytes).digest())
}

/** Reads `bytes` as an unsigned big-endian integer. */
export function bytesToBigUint (bytes: Uint8Array): bigint {
  let value = 0n
  for (const byte of bytes) value = (value << 8n) | BigInt(byte)
  return value
}

/** Writes `value` (≥ 0) as exactly `length` big-endian bytes; asserts it fits. */
export function bigUintToBytes (value: bigint, length: number): Uint8Array {
  if (value < 0n || value >> BigInt(8 * length) !== 0n) {
    throw new RangeError(`value does not fit in ${length} bytes`)
  }
  // Through hex text: one conversion instead of two bigint operations per byte.
  const out = new Uint8Array(length)
  if (value === 0n) return out
  const text = value.toString(16)
  const bytes = Buffer.from(text.length % 2 === 0 ? text : `0${text}`, 'hex')
  out.set(bytes, length - bytes.length)
  return out
}

export function toHex (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

/** Parses an even-length hex string (whitespace ignored); null when it is not hex. */
export function fromHex (text: string): Uint8Array | null {
  const clean = text.replace(/\s+/g, '')
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) return null
  return new Uint8Array(Buffer.from(clean, 'hex'))
}

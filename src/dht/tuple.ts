/**
 * Bamboo's stored tuple (`db/StorageManager.Key` plus its data): a key (160-bit guid) holds a set
 * of values; a tuple is identified by (guid, secret hash, SHA-1 of the data) and ordered as
 * Bamboo's `Key.compareTo` orders it (put time, TTL, guid, secret hash and data hash as signed
 * bytes, removes before puts, client address). A remove is a tombstone tuple whose data is the
 * secret and whose data hash is the removed value's hash. Also the placemark: a Key in its wire
 * form (77 bytes with a secret hash, 57 without). Pure: no clock, no I/O.
 */
import { bigUintToBytes, bytesToBigUint, sha1, toHex } from '../ids/sha1.ts'
import { MAX_KEY_BYTES, MAX_TTL_S } from './dht-api.ts'

export const HASH_BYTES = 20
export const ZERO_HASH = new Uint8Array(HASH_BYTES)
const SECRET_FLAG = 1n << 63n

export interface Tuple {
  /** When the gateway accepted the request, µs since the epoch (top bit never set). */
  readonly timeUsec: bigint
  readonly ttlS: number
  readonly guid: bigint
  /** SHA-1 of the secret, or ZERO_HASH when the put is not removable. */
  readonly secretHash: Uint8Array
  /** SHA-1 of the value (for a remove: of the value removed). */
  readonly dataHash: Uint8Array
  /** A put, or a remove (tombstone). */
  readonly put: boolean
  /** The client's IPv4 address bytes. */
  readonly clientIp: Uint8Array
  /** The value; for a remove, the secret. */
  readonly data: Uint8Array
}

/** A client key (≤ 20 bytes) as Bamboo reads it: big-endian, left-padded to 160 bits. */
export function guidOfKey (key: Uint8Array): bigint {
  if (key.length > MAX_KEY_BYTES) throw new RangeError(`key is longer than ${MAX_KEY_BYTES} bytes`)
  return bytesToBigUint(key)
}

export function capTtlS (ttlS: number): number {
  return Math.min(Math.max(0, Math.floor(ttlS)), MAX_TTL_S)
}

export function expiryUsec (tuple: Pick<Tuple, 'timeUsec' | 'ttlS'>): bigint {
  return tuple.timeUsec + BigInt(tuple.ttlS) * 1_000_000n
}

/** Whole seconds left at `nowUsec` (Bamboo's `ttlRemaining`, truncated toward zero). */
export function ttlRemainingS (tuple: Pick<Tuple, 'timeUsec' | 'ttlS'>, nowUsec: bigint): number {
  return Number((expiryUsec(tuple) - nowUsec) / 1_000_000n)
}

export function hasSecret (tuple: Pick<Tuple, 'secretHash'>): boolean {
  return !sameBytes(tuple.secretHash, ZERO_HASH)
}

export function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Java's byte-array comparison in Key.compareTo: element by element as signed bytes. */
function compareSigned (a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const d = ((a[i]! << 24) >> 24) - ((b[i]! << 24) >> 24)
    if (d !== 0) return d
  }
  return 0
}

/** Bamboo's Key order. */
export function compareTuples (a: Tuple, b: Tuple): number {
  if (a.timeUsec !== b.timeUsec) return a.timeUsec < b.timeUsec ? -1 : 1
  if (a.ttlS !== b.ttlS) return a.ttlS < b.ttlS ? -1 : 1
  if (a.guid !== b.guid) return a.guid < b.guid ? -1 : 1
  const s = compareSigned(a.secretHash, b.secretHash)
  if (s !== 0) return s
  const d = compareSigned(a.dataHash, b.dataHash)
  if (d !== 0) return d
  if (a.put !== b.put) return a.put ? 1 : -1
  for (let i = 0; i < 4; i++) {
    const c = (a.clientIp[i] ?? 0) - (b.clientIp[i] ?? 0)
    if (c !== 0) return c
  }
  return 0
}

/** The identity Bamboo deduplicates on: a re-put of the same tuple keeps the later expiry. */
export function tupleIdentity (t: Pick<Tuple, 'guid' | 'secretHash' | 'dataHash' | 'put'>): string {
  return `${t.guid.toString(16)}:${hex(t.secretHash)}:${hex(t.dataHash)}:${t.put ? 'p' : 'r'}`
}

/** The put a tombstone removes has the same guid, secret hash and data hash. */
export function targetOfRemove (t: Tuple): string {
  return `${t.guid.toString(16)}:${hex(t.secretHash)}:${hex(t.dataHash)}:p`
}

/** One native call (text built a byte at a time is dozens of strings per identity). */
function hex (bytes: Uint8Array): string {
  return toHex(bytes)
}

export interface NewPut {
  readonly timeUsec: bigint
  readonly ttlS: number
  readonly guid: bigint
  readonly value: Uint8Array
  readonly secretHash: Uint8Array | null
  readonly clientIp: Uint8Array
}

export function makePut (p: NewPut): Tuple {
  return {
    timeUsec: p.timeUsec, ttlS: capTtlS(p.ttlS), guid: p.guid, secretHash: p.secretHash ?? ZERO_HASH,
    dataHash: sha1(p.value), put: true, clientIp: p.clientIp, data: p.value
  }
}

export interface NewRemove {
  readonly timeUsec: bigint
  readonly ttlS: number
  readonly guid: bigint
  readonly valueHash: Uint8Array
  readonly secret: Uint8Array
  readonly clientIp: Uint8Array
}

export function makeRemove (r: NewRemove): Tuple {
  return {
    timeUsec: r.timeUsec, ttlS: capTtlS(r.ttlS), guid: r.guid, secretHash: sha1(r.secret),
    dataHash: r.valueHash, put: false, clientIp: r.clientIp, data: r.secret
  }
}

/** A tombstone is valid only when its secret hashes to its secret hash (checked at root and replicas). */
export function validRemove (t: Tuple): boolean {
  return !t.put && sameBytes(sha1(t.data), t.secretHash)
}

// ---- placemarks: a Key in Bamboo's wire form ----------------------------------------------------

/**
 * A Key as Bamboo serializes it: i64 time | i32 ttl | 20-byte guid | [20-byte secret hash] |
 * 20-byte data hash | u8 put | 4-byte IPv4. On the wire (`onDisk` false) the secret hash is
 * present only when non-zero, flagged by the top bit of the time: 57 or 77 bytes. On disk, and
 * in the placemarks the gateway hands to clients (`Key.to_byte_buffer`), it is always present and
 * the time carries no flag: always 77 bytes.
 */
export function encodeKey (t: Tuple, onDisk = false): Uint8Array {
  const secret = hasSecret(t)
  const withHash = onDisk || secret
  const out = new Uint8Array(withHash ? 77 : 57)
  const view = new DataView(out.buffer)
  view.setBigUint64(0, !onDisk && secret ? (t.timeUsec | SECRET_FLAG) : t.timeUsec)
  view.setInt32(8, t.ttlS)
  out.set(bigUintToBytes(t.guid, 20), 12)
  let at = 32
  if (withHash) { out.set(t.secretHash, at); at += 20 }
  out.set(t.dataHash, at); at += 20
  out[at++] = t.put ? 1 : 0
  out.set(t.clientIp.subarray(0, 4), at)
  return out
}

/** The key part of a serialized Key (data empty), or null when the bytes are not one. */
export function decodeKey (bytes: Uint8Array, onDisk = false): Tuple | null {
  if (onDisk ? bytes.length !== 77 : (bytes.length !== 57 && bytes.length !== 77)) return null
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const rawTime = view.getBigUint64(0)
  const secret = onDisk || (rawTime & SECRET_FLAG) !== 0n
  if (!onDisk && secret !== (bytes.length === 77)) return null
  let at = 32
  const secretHash = secret ? bytes.slice(at, at += 20) : ZERO_HASH
  const dataHash = bytes.slice(at, at += 20)
  const putByte = bytes[at++]!
  return {
    timeUsec: rawTime & ~SECRET_FLAG, ttlS: view.getInt32(8), guid: bytesToBigUint(bytes.subarray(12, 32)),
    secretHash, dataHash, put: putByte === 1, clientIp: bytes.slice(at, at + 4), data: new Uint8Array(0)
  }
}

/** Dotted IPv4 text to 4 bytes (0.0.0.0 for anything else, e.g. an IPv6 client). */
export function ipv4Bytes (host: string): Uint8Array {
  const parts = host.replace(/^::ffff:/, '').split('.')
  if (parts.length !== 4) return new Uint8Array(4)
  const bytes = parts.map((p) => Number(p))
  if (bytes.some((b) => !(Number.isInteger(b) && b >= 0 && b <= 255))) return new Uint8Array(4)
  return Uint8Array.from(bytes)
}

/**
 * Object ids: the SHA-1 of an object's bytes as 40 lower-case hex digits (the DHT's hash, so an
 * object id is also a DHT key: see `objectIdToKey`). Pure functions; never performs I/O.
 */
import { hash } from 'node:crypto'

/** 40 lower-case hex digits naming an object by the SHA-1 of its bytes. */
export type ObjectId = string

export const OBJECT_ID_BYTES = 20

const OBJECT_ID_RE = /^[0-9a-f]{40}$/

/** The id of `bytes`: SHA-1, hex. */
export function objectIdOf (bytes: Uint8Array): ObjectId {
  return hash('sha1', bytes, 'hex')
}

/** True when `text` is a well-formed object id (40 lower-case hex digits). */
export function isObjectId (text: string): boolean {
  return OBJECT_ID_RE.test(text)
}

/** The id as a 160-bit DHT key (big-endian unsigned), for the lead's DHT layer. */
export function objectIdToKey (id: ObjectId): bigint {
  return BigInt('0x' + id)
}

/** The id of the empty object (a zero-length file). */
export const EMPTY_OBJECT_ID: ObjectId = objectIdOf(new Uint8Array(0))

/** An object was needed but is not in the store: remote fetch (later) catches this, fetches, retries. */
export class MissingObjectError extends Error {
  override name = 'MissingObjectError'
  constructor (readonly id: ObjectId, readonly what = 'object') {
    super(`${what} ${id} is not in the object store`)
  }
}

/** An object's bytes do not decode as what the caller expected (or do not hash to its id). */
export class CorruptObjectError extends Error {
  override name = 'CorruptObjectError'
  constructor (readonly id: ObjectId | null, message: string) {
    super(id === null ? message : `object ${id}: ${message}`)
  }
}

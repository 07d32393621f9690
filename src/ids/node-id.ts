/**
 * 160-bit identifiers as Bamboo computes them. An id is a `bigint` in [0, 2^160).
 * A node's id is the SHA-1 of its serialized NodeId (u16 port | u8 address length | address bytes),
 * read as an unsigned big-endian integer (Bamboo's `GuidTools.secure_hash_to_big_integer`).
 * This module never performs I/O.
 */
import { bytesToBigUint, sha1 } from './sha1.ts'
import { addressBytes, type NodeAddress } from './node-address.ts'

export type Id = bigint

export const ID_BITS = 160
export const ID_SPACE: Id = 1n << 160n
export const ID_MAX: Id = ID_SPACE - 1n

/** Bamboo's serialized NodeId: u16 port (big-endian), u8 address length, address bytes. */
export function serializeNodeAddress (address: NodeAddress): Uint8Array {
  const addr = addressBytes(address.host)
  const out = new Uint8Array(3 + addr.length)
  out[0] = (address.port >> 8) & 0xff
  out[1] = address.port & 0xff
  out[2] = addr.length
  out.set(addr, 3)
  return out
}

/** The node id Bamboo derives from a node's address. */
export function nodeIdOf (address: NodeAddress): Id {
  const key = `${address.host}:${address.port}`
  let id = nodeIds.get(key)
  if (id === undefined) {
    id = bytesToBigUint(sha1(serializeNodeAddress(address)))
    if (nodeIds.size >= NODE_IDS_MAX) nodeIds.clear()
    nodeIds.set(key, id)
  }
  return id
}

/** Ids of addresses seen: protocol handlers check a sender's id on every message. */
const nodeIds = new Map<string, Id>()
const NODE_IDS_MAX = 200_000

/** An id as Bamboo's 40 lower-case hex digits. */
export function idToHex (id: Id): string {
  return id.toString(16).padStart(ID_BITS / 4, '0')
}

/** Parses 1–40 hex digits, with or without `0x`; null if not an id. */
export function parseId (text: string): Id | null {
  const clean = text.startsWith('0x') || text.startsWith('0X') ? text.slice(2) : text
  if (clean.length === 0 || clean.length > ID_BITS / 4 || !/^[0-9a-fA-F]+$/.test(clean)) return null
  return BigInt('0x' + clean)
}

/** True when `value` is a valid 160-bit id. */
export function isId (value: bigint): boolean {
  return value >= 0n && value < ID_SPACE
}

/** Bamboo's client key rule: a ≤ 20-byte key read as a big-endian unsigned integer (left-padded). */
export function keyToId (key: Uint8Array): Id {
  if (key.length > ID_BITS / 8) throw new RangeError('key is longer than 20 bytes')
  return bytesToBigUint(key)
}

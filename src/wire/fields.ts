/**
 * Field encodings shared by many messages: Bamboo's NodeId (u16 port, u8 address length,
 * address bytes; Java accepts 4- or 16-byte addresses), NeighborInfo (NodeId + BigInteger guid),
 * counted lists, and 160-bit guids carried as Java BigIntegers.
 */
import { addressBytesView, hostFromBytes, type NodeAddress } from '../ids/node-address.ts'
import { WireError, type WireReader } from './reader.ts'
import type { WireWriter } from './writer.ts'

export interface NeighborInfo {
  readonly address: NodeAddress
  readonly guid: bigint
}

export function writeNodeAddress (writer: WireWriter, address: NodeAddress): void {
  const bytes = addressBytesView(address.host)
  writer.u16(address.port)
  writer.u8(bytes.length)
  writer.raw(bytes)
}

export function readNodeAddress (reader: WireReader, what = 'NodeId'): NodeAddress {
  const port = reader.u16(`${what} port`)
  const length = reader.i8(`${what} address length`)
  if (length !== 4 && length !== 16) throw new WireError(`bad ${what} address length ${length}`)
  const raw = reader.raw(length, `${what} address`)
  if (length !== 4) return { host: hostFromBytes(raw)!, port }
  // IPv4 addresses are interned: peers name the same few hundred nodes in every message, and
  // one object per address lets the transport's per-address caches hit.
  const key = (((raw[0]! << 24) | (raw[1]! << 16) | (raw[2]! << 8) | raw[3]!) >>> 0) * 65536 + port
  let address = internedAddresses.get(key)
  if (address === undefined) {
    if (internedAddresses.size >= INTERNED_MAX) internedAddresses.clear()
    address = Object.freeze({ host: hostFromBytes(raw)!, port })
    internedAddresses.set(key, address)
  }
  return address
}

const internedAddresses = new Map<number, NodeAddress>()
const INTERNED_MAX = 200_000

export function writeNeighbor (writer: WireWriter, neighbor: NeighborInfo): void {
  writeNodeAddress(writer, neighbor.address)
  writer.bigInteger(neighbor.guid)
}

export function readNeighbor (reader: WireReader): NeighborInfo {
  const address = readNodeAddress(reader, 'NeighborInfo')
  return { address, guid: reader.bigInteger('NeighborInfo guid') }
}

/** i32 count + that many NeighborInfo. */
export function writeNeighbors (writer: WireWriter, neighbors: readonly NeighborInfo[]): void {
  writer.i32(neighbors.length)
  for (const n of neighbors) writeNeighbor(writer, n)
}

/**
 * Reads i32 count + NeighborInfos. Each entry takes at least 12 bytes, so a count larger than
 * the remaining input allows is rejected before any allocation.
 */
export function readNeighbors (reader: WireReader, what: string, maxCount = Number.MAX_SAFE_INTEGER): NeighborInfo[] {
  const count = reader.i32(`${what} count`)
  if (count < 0 || count > maxCount || count * 12 > reader.remaining) throw new WireError(`bad ${what} count ${count}`)
  const out: NeighborInfo[] = []
  for (let i = 0; i < count; i++) out.push(readNeighbor(reader))
  return out
}

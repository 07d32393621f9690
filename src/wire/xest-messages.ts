/**
 * Xest's own wire messages, for moving content-addressed objects between hosts over UdpCC (bulk
 * data never goes into the DHT; xest.md §3). They use Bamboo's codec conventions (type code =
 * first 8 bytes of SHA-1 of a class name under `xest.`, big-endian fields), so one transport
 * carries DHT and Xest traffic alike:
 *
 * - `ObjectReq` asks a holder for objects at a priority (0 demand, 1 prefetch); a demand request
 *   for an object already queued as a prefetch moves it ahead.
 * - `ObjectChunk` carries parts of objects (each: id, object size, offset, bytes), together at
 *   most OBJECT_CHUNK_BYTES with PART_HEADER_BYTES per part: a piece of a large object, or
 *   several small ones (three 4 KiB blocks to a datagram).
 * - `ObjectMissing` names the objects of one request the holder does not have (one message for
 *   all of them).
 *
 * Decoding checks every length; never throws on input (the codec turns errors into values).
 */
import { WireError, type WireReader } from './reader.ts'
import { registerWireType } from './registry.ts'
import type { WireWriter } from './writer.ts'

export const OBJECT_ID_BYTES = 20
/** Payload bytes per chunk: one chunk plus headers stays under the 16 KiB datagram limit. */
export const OBJECT_CHUNK_BYTES = 15 * 1024
/** Bytes a part adds to an ObjectChunk besides its data (id, size, offset, data length). */
export const PART_HEADER_BYTES = 32
/** Ids per request (a group fetch sends one request per group, cut to this). */
export const MAX_IDS_PER_REQ = 512
/** Largest object the transfer protocol carries (LBFS chunks are ≤ 64 KiB; block maps larger). */
export const MAX_OBJECT_BYTES = 64 * 1024 * 1024

export type ObjectPriority = 0 | 1
export const DEMAND: ObjectPriority = 0
export const PREFETCH: ObjectPriority = 1

export interface ObjectReq { readonly type: 'ObjectReq', readonly seq: bigint, readonly priority: ObjectPriority, readonly ids: readonly Uint8Array[] }
export interface ObjectPart {
  readonly id: Uint8Array
  readonly totalBytes: number
  readonly offsetBytes: number
  readonly data: Uint8Array
}
export interface ObjectChunk {
  readonly type: 'ObjectChunk'
  readonly seq: bigint
  readonly parts: readonly ObjectPart[]
}
export interface ObjectMissing { readonly type: 'ObjectMissing', readonly seq: bigint, readonly ids: readonly Uint8Array[] }

export type XestMessage = ObjectReq | ObjectChunk | ObjectMissing

registerWireType<ObjectReq>({
  type: 'ObjectReq', className: 'xest.transfer.ObjectReq',
  encode (w, m) {
    w.i64(m.seq)
    w.u8(m.priority)
    writeIds(w, m.ids, 'ObjectReq')
  },
  decode (r) {
    const seq = r.i64('seq')
    const priority = r.u8('priority')
    if (priority !== DEMAND && priority !== PREFETCH) throw new WireError(`bad priority ${priority}`)
    return { type: 'ObjectReq', seq, priority: priority as ObjectPriority, ids: readIds(r) }
  }
})

registerWireType<ObjectChunk>({
  type: 'ObjectChunk', className: 'xest.transfer.ObjectChunk',
  encode (w, m) {
    if (m.parts.length === 0 || chunkBytes(m.parts) > OBJECT_CHUNK_BYTES) throw new Error(`ObjectChunk: ${m.parts.length} parts of ${chunkBytes(m.parts)} bytes`)
    w.i64(m.seq)
    w.i32(m.parts.length)
    for (const part of m.parts) {
      if (part.id.length !== OBJECT_ID_BYTES) throw new Error('ObjectChunk: an id is 20 bytes')
      w.raw(part.id)
      w.i32(part.totalBytes)
      w.i32(part.offsetBytes)
      w.byteArray(part.data)
    }
  },
  decode (r) {
    const seq = r.i64('seq')
    const count = r.i32('part count')
    if (count < 1 || count * PART_HEADER_BYTES > OBJECT_CHUNK_BYTES) throw new WireError(`bad part count ${count}`)
    const parts: ObjectPart[] = []
    let budget = OBJECT_CHUNK_BYTES
    for (let i = 0; i < count; i++) {
      const id = r.raw(OBJECT_ID_BYTES, 'object id')
      const totalBytes = r.i32('total bytes')
      const offsetBytes = r.i32('offset')
      const data = r.byteArray(Math.max(0, budget - PART_HEADER_BYTES), 'part data')
      budget -= PART_HEADER_BYTES + data.length
      if (totalBytes < 0 || totalBytes > MAX_OBJECT_BYTES || offsetBytes < 0 || offsetBytes + data.length > totalBytes) {
        throw new WireError(`bad part ${offsetBytes}+${data.length} of ${totalBytes}`)
      }
      parts.push({ id, totalBytes, offsetBytes, data })
    }
    return { type: 'ObjectChunk', seq, parts }
  }
})

/** An ObjectChunk's size against OBJECT_CHUNK_BYTES: its parts' data and headers. */
export function chunkBytes (parts: readonly ObjectPart[]): number {
  let bytes = 0
  for (const part of parts) bytes += PART_HEADER_BYTES + part.data.length
  return bytes
}

registerWireType<ObjectMissing>({
  type: 'ObjectMissing', className: 'xest.transfer.ObjectMissing',
  encode (w, m) {
    w.i64(m.seq)
    writeIds(w, m.ids, 'ObjectMissing')
  },
  decode: (r) => ({ type: 'ObjectMissing', seq: r.i64('seq'), ids: readIds(r) })
})

/** i32 count (at most MAX_IDS_PER_REQ) and the 20-byte ids. */
function writeIds (w: WireWriter, ids: readonly Uint8Array[], type: string): void {
  if (ids.length > MAX_IDS_PER_REQ) throw new Error(`${type}: ${ids.length} ids > ${MAX_IDS_PER_REQ}`)
  w.i32(ids.length)
  for (const id of ids) {
    if (id.length !== OBJECT_ID_BYTES) throw new Error(`${type}: an id is 20 bytes`)
    w.raw(id)
  }
}

function readIds (r: WireReader): Uint8Array[] {
  const count = r.i32('id count')
  if (count < 0 || count > MAX_IDS_PER_REQ) throw new WireError(`bad id count ${count}`)
  const ids: Uint8Array[] = []
  for (let i = 0; i < count; i++) ids.push(r.raw(OBJECT_ID_BYTES, 'object id'))
  return ids
}

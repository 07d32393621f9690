/**
 * Bamboo's get messages (package `bamboo.dht`): IterGetReq/IterGetResp (the Rpc$Msg payloads of
 * the gateway's iterative get, seen in the captures), RecurGetReq/RecurGetResp (the recursive
 * get; sent bare, not in Rpc$Msg) and the older RpcGetReq/RpcGetResp. Field for field in the
 * order of the Java `serialize`/`InputBuffer` constructors. Keys, NodeIds, NeighborInfos and
 * VirtualCoordinates inside them carry no type codes.
 *
 * `maxvals` keeps Bamboo's mode bits (QUORUM/PROXIMITY/RECURSIVE masks) in its high bits; the
 * requests' readers reject maxvals ≤ 0 as Java does. A placemark of null is Java's ZERO_KEY
 * (sent as `false`). Decoders throw only WireError; nothing here does I/O.
 */
import type { NodeAddress } from '../ids/node-address.ts'
import { readNeighbor, readNodeAddress, writeNeighbor, writeNodeAddress, type NeighborInfo } from './fields.ts'
import { WireError, type WireReader } from './reader.ts'
import { registerWireType } from './registry.ts'
import { COORD_DIMENSIONS } from './router-messages.ts'
import type { WireWriter } from './writer.ts'
import {
  readAddresses, readCount, readKeyedValues, readOptionalKey, writeAddresses, writeKeyedValues, writeOptionalKey,
  type KeyedValue, type StorageKey
} from './dht-messages.ts'

export interface IterGetReq {
  readonly type: 'IterGetReq'
  readonly key: bigint
  /** > 0; mode bits in the high bits, `maxvals & 0xffff` the real limit. */
  readonly maxvals: number
  readonly placemark: StorageKey | null
  readonly seq: bigint
  /** The requester's VirtualCoordinate (3 raw doubles, no type code), or null. */
  readonly coords: readonly number[] | null
  readonly client: NodeAddress
}
/** A node to try instead, with its coordinate when the responder knows it. */
export interface RedirectNeighbor { readonly neighbor: NeighborInfo, readonly coords: readonly number[] | null }
/**
 * Either a redirect (`neighbors` non-empty; the value fields are then empty/false and not sent)
 * or an answer (`neighbors` empty: replicas, synced, values, allRead). On the wire the answer
 * form starts with minus the replica count.
 */
export interface IterGetResp {
  readonly type: 'IterGetResp'
  readonly neighbors: readonly RedirectNeighbor[]
  readonly replicas: readonly NodeAddress[]
  readonly synced: readonly NodeAddress[]
  readonly values: readonly KeyedValue[]
  readonly allRead: boolean
  readonly maxvals: number
  readonly client: NodeAddress
}
export interface RecurGetReq {
  readonly type: 'RecurGetReq'
  readonly key: bigint
  readonly maxvals: number
  readonly placemark: StorageKey | null
  readonly seq: bigint
  readonly client: NodeAddress
  readonly returnAddress: NodeAddress
}
/** A replica and whether the responder's Merkle sync with it is current. */
export interface ReplicaSyncState { readonly address: NodeAddress, readonly synced: boolean }
export interface RecurGetResp {
  readonly type: 'RecurGetResp'
  readonly seq: bigint
  readonly replicas: readonly ReplicaSyncState[]
  readonly values: readonly KeyedValue[]
  readonly allRead: boolean
  readonly thisReplica: NodeAddress
  readonly maxvals: number
  readonly client: NodeAddress
}
export interface RpcGetReq {
  readonly type: 'RpcGetReq'
  readonly key: bigint
  readonly maxvals: number
  readonly placemark: StorageKey | null
}
export interface RpcGetResp { readonly type: 'RpcGetResp', readonly values: readonly KeyedValue[], readonly allRead: boolean }

export type DhtGetMessage = IterGetReq | IterGetResp | RecurGetReq | RecurGetResp | RpcGetReq | RpcGetResp

function writeOptionalCoords (w: WireWriter, coords: readonly number[] | null): void {
  w.bool(coords !== null)
  if (coords === null) return
  if (coords.length !== COORD_DIMENSIONS) throw new Error(`VirtualCoordinate needs ${COORD_DIMENSIONS} values`)
  for (const c of coords) w.f64(c)
}

function readOptionalCoords (r: WireReader): number[] | null {
  if (!r.bool('has coordinate')) return null
  const out: number[] = []
  for (let i = 0; i < COORD_DIMENSIONS; i++) out.push(r.f64('coordinate'))
  return out
}

function readMaxvals (r: WireReader): number {
  const maxvals = r.i32('maxvals')
  if (maxvals <= 0) throw new WireError(`maxvals ${maxvals} <= 0`)
  return maxvals
}

registerWireType<IterGetReq>({
  type: 'IterGetReq', className: 'bamboo.dht.IterGetReq',
  encode (w, m) {
    w.bigInteger(m.key)
    w.i32(m.maxvals)
    writeOptionalKey(w, m.placemark)
    w.i64(m.seq)
    writeOptionalCoords(w, m.coords)
    writeNodeAddress(w, m.client)
  },
  decode (r) {
    const key = r.bigInteger('key')
    const maxvals = readMaxvals(r)
    const placemark = readOptionalKey(r)
    const seq = r.i64('seq')
    const coords = readOptionalCoords(r)
    return { type: 'IterGetReq', key, maxvals, placemark, seq, coords, client: readNodeAddress(r, 'client') }
  }
})

registerWireType<IterGetResp>({
  type: 'IterGetResp', className: 'bamboo.dht.IterGetResp',
  encode (w, m) {
    if (m.neighbors.length > 0) {
      if (m.replicas.length > 0 || m.synced.length > 0 || m.values.length > 0 || m.allRead) {
        throw new Error('IterGetResp: a redirect carries no replicas, synced, values or allRead')
      }
      w.i32(m.neighbors.length)
      for (const n of m.neighbors) {
        writeNeighbor(w, n.neighbor)
        writeOptionalCoords(w, n.coords)
      }
    } else {
      w.i32(-m.replicas.length)
      for (const a of m.replicas) writeNodeAddress(w, a)
      writeAddresses(w, m.synced)
      writeKeyedValues(w, m.values)
      w.bool(m.allRead)
    }
    w.i32(m.maxvals)
    writeNodeAddress(w, m.client)
  },
  decode (r) {
    const count = r.i32('neighbors/replicas count')
    const neighbors: RedirectNeighbor[] = []
    let replicas: NodeAddress[] = []
    let synced: NodeAddress[] = []
    let values: KeyedValue[] = []
    let allRead = false
    if (count > 0) {
      if (count * 13 > r.remaining) throw new WireError(`bad neighbors count ${count}`)
      for (let i = 0; i < count; i++) {
        const neighbor = readNeighbor(r)
        neighbors.push({ neighbor, coords: readOptionalCoords(r) })
      }
    } else {
      // Java negates the count; -2^31 would stay negative there and read as no replicas.
      if (count === -0x80000000 || -count * 7 > r.remaining) throw new WireError(`bad replicas count ${count}`)
      replicas = []
      for (let i = 0; i < -count; i++) replicas.push(readNodeAddress(r, 'replica'))
      synced = readAddresses(r, 'synced')
      values = readKeyedValues(r)
      allRead = r.bool('allRead')
    }
    const maxvals = r.i32('maxvals')
    return { type: 'IterGetResp', neighbors, replicas, synced, values, allRead, maxvals, client: readNodeAddress(r, 'client') }
  }
})

registerWireType<RecurGetReq>({
  type: 'RecurGetReq', className: 'bamboo.dht.RecurGetReq',
  encode (w, m) {
    w.bigInteger(m.key)
    w.i32(m.maxvals)
    writeOptionalKey(w, m.placemark)
    w.i64(m.seq)
    writeNodeAddress(w, m.client)
    writeNodeAddress(w, m.returnAddress)
  },
  decode (r) {
    const key = r.bigInteger('key')
    const maxvals = readMaxvals(r)
    const placemark = readOptionalKey(r)
    const seq = r.i64('seq')
    const client = readNodeAddress(r, 'client')
    return { type: 'RecurGetReq', key, maxvals, placemark, seq, client, returnAddress: readNodeAddress(r, 'return_addr') }
  }
})

registerWireType<RecurGetResp>({
  type: 'RecurGetResp', className: 'bamboo.dht.RecurGetResp',
  encode (w, m) {
    w.i64(m.seq)
    w.i32(m.replicas.length)
    for (const replica of m.replicas) {
      writeNodeAddress(w, replica.address)
      w.bool(replica.synced)
    }
    writeKeyedValues(w, m.values)
    w.bool(m.allRead)
    writeNodeAddress(w, m.thisReplica)
    w.i32(m.maxvals)
    writeNodeAddress(w, m.client)
  },
  decode (r) {
    const seq = r.i64('seq')
    const count = readCount(r, 'replicas', 8)
    const replicas: ReplicaSyncState[] = []
    for (let i = 0; i < count; i++) {
      const address = readNodeAddress(r, 'replica')
      replicas.push({ address, synced: r.bool('synced') })
    }
    const values = readKeyedValues(r)
    const allRead = r.bool('allRead')
    const thisReplica = readNodeAddress(r, 'thisReplica')
    const maxvals = r.i32('maxvals')
    return { type: 'RecurGetResp', seq, replicas, values, allRead, thisReplica, maxvals, client: readNodeAddress(r, 'client') }
  }
})

registerWireType<RpcGetReq>({
  type: 'RpcGetReq', className: 'bamboo.dht.RpcGetReq',
  encode (w, m) {
    w.bigInteger(m.key)
    w.i32(m.maxvals)
    writeOptionalKey(w, m.placemark)
  },
  decode (r) {
    const key = r.bigInteger('key')
    const maxvals = readMaxvals(r)
    return { type: 'RpcGetReq', key, maxvals, placemark: readOptionalKey(r) }
  }
})

registerWireType<RpcGetResp>({
  type: 'RpcGetResp', className: 'bamboo.dht.RpcGetResp',
  encode (w, m) {
    writeKeyedValues(w, m.values)
    w.bool(m.allRead)
  },
  decode (r) {
    const values = readKeyedValues(r)
    return { type: 'RpcGetResp', values, allRead: r.bool('allRead') }
  }
})

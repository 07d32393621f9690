/**
 * Bamboo's router messages (package `bamboo.router`), field for field in wire order
 * (bamboo.md §10, checked against bamboo-captures.md). Payloads of RouteMsg and friends are
 * nested objects with their own type codes; NodeId/NeighborInfo fields carry none.
 */
import type { NodeAddress } from '../ids/node-address.ts'
import { readNeighbor, readNeighbors, readNodeAddress, writeNeighbor, writeNeighbors, writeNodeAddress, type NeighborInfo } from './fields.ts'
import { decodeObject, encodeObject, registerWireType } from './registry.ts'
import type { WireMessage } from './wire-message.ts'
import type { WireReader } from './reader.ts'
import type { WireWriter } from './writer.ts'

/** RoutingTableResp carries at most 16 neighbours; Bamboo rejects more. */
export const ROUTING_TABLE_RESP_MAX = 16

export interface PingMsg { readonly type: 'PingMsg' }
export interface LeafSetReq { readonly type: 'LeafSetReq' }
export interface JoinReq {
  readonly type: 'JoinReq'
  readonly node: NodeAddress
  readonly guid: bigint
  readonly revTtl: number
  readonly path: readonly NeighborInfo[]
}
export interface JoinResp {
  readonly type: 'JoinResp'
  readonly path: readonly NeighborInfo[]
  readonly leafSet: readonly NeighborInfo[]
}
export interface LeafSetChanged {
  readonly type: 'LeafSetChanged'
  readonly guid: bigint
  readonly leafSet: readonly NeighborInfo[]
  readonly wantReply: boolean
}
export interface RouteMsg {
  readonly type: 'RouteMsg'
  readonly src: bigint
  readonly dest: bigint
  readonly appId: bigint
  readonly intermediateUpcall: boolean
  readonly peerGuid: bigint
  readonly payload: WireMessage
}
export interface RoutingTableReq { readonly type: 'RoutingTableReq', readonly guid: bigint, readonly level: number }
export interface RoutingTableResp {
  readonly type: 'RoutingTableResp'
  readonly peerGuid: bigint
  readonly neighbors: readonly NeighborInfo[]
}
export interface RoutingNeighborAnnounce { readonly type: 'RoutingNeighborAnnounce', readonly guid: bigint, readonly add: boolean }
export interface LookupReqPayload { readonly type: 'LookupReqPayload', readonly returnAddress: NodeAddress }
export interface LookupRespMsg { readonly type: 'LookupRespMsg', readonly lookupId: bigint, readonly ownerId: bigint }
/** A 3-D VirtualCoordinate as raw doubles (no type code) inside CoordReq/CoordResp. */
export interface CoordReq { readonly type: 'CoordReq', readonly srcId: bigint, readonly coords: readonly number[] }
export interface CoordResp { readonly type: 'CoordResp', readonly coords: readonly number[] }
/** Registered by Bamboo's router as a type of its own. */
export interface NeighborInfoObject { readonly type: 'NeighborInfo', readonly neighbor: NeighborInfo }
/** Iterative routing: still registered and decodable, though Bamboo no longer uses it. */
export interface IterRouteReq {
  readonly type: 'IterRouteReq'
  readonly src: bigint
  readonly dest: bigint
  readonly appId: bigint
  readonly intermediateUpcall: boolean
  readonly payload: WireMessage
}
export interface IterRouteResp {
  readonly type: 'IterRouteResp'
  readonly src: bigint
  readonly dest: bigint
  readonly appId: bigint
  readonly intermediateUpcall: boolean
  readonly payload: WireMessage
  readonly nextHop: NeighborInfo
}

export type RouterMessage = PingMsg | LeafSetReq | JoinReq | JoinResp | LeafSetChanged | RouteMsg | RoutingTableReq |
RoutingTableResp | RoutingNeighborAnnounce | LookupReqPayload | LookupRespMsg | CoordReq | CoordResp |
NeighborInfoObject | IterRouteReq | IterRouteResp

/** The dimensions of Bamboo's plain VirtualCoordinate. */
export const COORD_DIMENSIONS = 3

registerWireType<PingMsg>({
  type: 'PingMsg', className: 'bamboo.router.PingMsg',
  encode () {},
  decode: () => ({ type: 'PingMsg' })
})

registerWireType<LeafSetReq>({
  type: 'LeafSetReq', className: 'bamboo.router.LeafSetReq',
  encode () {},
  decode: () => ({ type: 'LeafSetReq' })
})

registerWireType<JoinReq>({
  type: 'JoinReq', className: 'bamboo.router.JoinReq',
  encode (w, m) {
    writeNodeAddress(w, m.node)
    w.bigInteger(m.guid)
    w.i32(m.revTtl)
    writeNeighbors(w, m.path)
  },
  decode (r) {
    const node = readNodeAddress(r)
    const guid = r.bigInteger('guid')
    const revTtl = r.i32('rev_ttl')
    return { type: 'JoinReq', node, guid, revTtl, path: readNeighbors(r, 'path') }
  }
})

registerWireType<JoinResp>({
  type: 'JoinResp', className: 'bamboo.router.JoinResp',
  encode (w, m) {
    writeNeighbors(w, m.path)
    writeNeighbors(w, m.leafSet)
  },
  decode (r) {
    const path = readNeighbors(r, 'path')
    return { type: 'JoinResp', path, leafSet: readNeighbors(r, 'leaf set') }
  }
})

registerWireType<LeafSetChanged>({
  type: 'LeafSetChanged', className: 'bamboo.router.LeafSetChanged',
  encode (w, m) {
    w.bigInteger(m.guid)
    writeNeighbors(w, m.leafSet)
    w.bool(m.wantReply)
  },
  decode (r) {
    const guid = r.bigInteger('guid')
    const leafSet = readNeighbors(r, 'leaf set')
    return { type: 'LeafSetChanged', guid, leafSet, wantReply: r.bool('want_reply') }
  }
})

registerWireType<RouteMsg>({
  type: 'RouteMsg', className: 'bamboo.router.RouteMsg',
  encode (w, m) {
    w.bigInteger(m.src)
    w.bigInteger(m.dest)
    w.i64(m.appId)
    w.bool(m.intermediateUpcall)
    w.bigInteger(m.peerGuid)
    encodeObject(w, m.payload)
  },
  decode (r) {
    const src = r.bigInteger('src')
    const dest = r.bigInteger('dest')
    const appId = r.i64('app_id')
    const intermediateUpcall = r.bool('intermediate_upcall')
    const peerGuid = r.bigInteger('peer_guid')
    return { type: 'RouteMsg', src, dest, appId, intermediateUpcall, peerGuid, payload: decodeObject<WireMessage>(r) }
  }
})

registerWireType<RoutingTableReq>({
  type: 'RoutingTableReq', className: 'bamboo.router.RoutingTableReq',
  encode (w, m) {
    w.bigInteger(m.guid)
    w.i32(m.level)
  },
  decode (r) {
    const guid = r.bigInteger('guid')
    return { type: 'RoutingTableReq', guid, level: r.i32('level') }
  }
})

registerWireType<RoutingTableResp>({
  type: 'RoutingTableResp', className: 'bamboo.router.RoutingTableResp',
  encode (w, m) {
    w.bigInteger(m.peerGuid)
    writeNeighbors(w, m.neighbors)
  },
  decode (r) {
    const peerGuid = r.bigInteger('peer_guid')
    return { type: 'RoutingTableResp', peerGuid, neighbors: readNeighbors(r, 'neighbors', ROUTING_TABLE_RESP_MAX) }
  }
})

registerWireType<RoutingNeighborAnnounce>({
  type: 'RoutingNeighborAnnounce', className: 'bamboo.router.RoutingNeighborAnnounce',
  encode (w, m) {
    w.bigInteger(m.guid)
    w.bool(m.add)
  },
  decode (r) {
    const guid = r.bigInteger('guid')
    return { type: 'RoutingNeighborAnnounce', guid, add: r.bool('add') }
  }
})

registerWireType<LookupReqPayload>({
  type: 'LookupReqPayload', className: 'bamboo.router.LookupReqPayload',
  encode (w, m) { writeNodeAddress(w, m.returnAddress) },
  decode: (r) => ({ type: 'LookupReqPayload', returnAddress: readNodeAddress(r) })
})

registerWireType<LookupRespMsg>({
  type: 'LookupRespMsg', className: 'bamboo.router.LookupRespMsg',
  encode (w, m) {
    w.bigInteger(m.lookupId)
    w.bigInteger(m.ownerId)
  },
  decode (r) {
    const lookupId = r.bigInteger('lookup_id')
    return { type: 'LookupRespMsg', lookupId, ownerId: r.bigInteger('owner_id') }
  }
})

function writeCoords (w: WireWriter, coords: readonly number[]): void {
  if (coords.length !== COORD_DIMENSIONS) throw new Error(`VirtualCoordinate needs ${COORD_DIMENSIONS} values`)
  for (const c of coords) w.f64(c)
}

function readCoords (r: WireReader): number[] {
  const out: number[] = []
  for (let i = 0; i < COORD_DIMENSIONS; i++) out.push(r.f64('coordinate'))
  return out
}

registerWireType<CoordReq>({
  type: 'CoordReq', className: 'bamboo.router.CoordReq',
  encode (w, m) {
    w.bigInteger(m.srcId)
    writeCoords(w, m.coords)
  },
  decode (r) {
    const srcId = r.bigInteger('srcID')
    return { type: 'CoordReq', srcId, coords: readCoords(r) }
  }
})

registerWireType<CoordResp>({
  type: 'CoordResp', className: 'bamboo.router.CoordResp',
  encode (w, m) { writeCoords(w, m.coords) },
  decode: (r) => ({ type: 'CoordResp', coords: readCoords(r) })
})

registerWireType<NeighborInfoObject>({
  type: 'NeighborInfo', className: 'bamboo.router.NeighborInfo',
  encode (w, m) { writeNeighbor(w, m.neighbor) },
  decode: (r) => ({ type: 'NeighborInfo', neighbor: readNeighbor(r) })
})

registerWireType<IterRouteReq>({
  type: 'IterRouteReq', className: 'bamboo.router.IterRouteReq',
  encode (w, m) {
    w.bigInteger(m.src)
    w.bigInteger(m.dest)
    w.i64(m.appId)
    w.bool(m.intermediateUpcall)
    encodeObject(w, m.payload)
  },
  decode (r) {
    const src = r.bigInteger('src')
    const dest = r.bigInteger('dest')
    const appId = r.i64('app_id')
    const intermediateUpcall = r.bool('intermediate_upcall')
    return { type: 'IterRouteReq', src, dest, appId, intermediateUpcall, payload: decodeObject<WireMessage>(r) }
  }
})

registerWireType<IterRouteResp>({
  type: 'IterRouteResp', className: 'bamboo.router.IterRouteResp',
  encode (w, m) {
    w.bigInteger(m.src)
    w.bigInteger(m.dest)
    w.i64(m.appId)
    w.bool(m.intermediateUpcall)
    encodeObject(w, m.payload)
    writeNeighbor(w, m.nextHop)
  },
  decode (r) {
    const src = r.bigInteger('src')
    const dest = r.bigInteger('dest')
    const appId = r.i64('app_id')
    const intermediateUpcall = r.bool('intermediate_upcall')
    const payload = decodeObject<WireMessage>(r)
    return { type: 'IterRouteResp', src, dest, appId, intermediateUpcall, payload, nextHop: readNeighbor(r) }
  }
})

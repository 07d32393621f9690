/**
 * Test support: seeded random wire messages of every registered type, biased towards edge
 * values (extreme ids and integers, odd coordinates, nested payloads). Used by the codec's
 * round-trip test and by fuzz tests that throw random messages at nodes.
 */
import { SeededRng } from '../../src/env/rng.ts'
import type { WireMessage } from '../../src/wire/codec.ts'
import type { NeighborInfo } from '../../src/wire/fields.ts'
import type { Coordinate, CoordinateKind, NodeIdObject } from '../../src/wire/vivaldi-messages.ts'
import { hostFromBytes, type NodeAddress } from '../../src/ids/node-address.ts'
import { ID_MAX } from '../../src/ids/node-id.ts'

export const ALL_TYPES = ['PingMsg', 'LeafSetReq', 'JoinReq', 'JoinResp', 'LeafSetChanged', 'RouteMsg', 'RoutingTableReq',
  'RoutingTableResp', 'RoutingNeighborAnnounce', 'LookupReqPayload', 'LookupRespMsg', 'CoordReq', 'CoordResp',
  'NeighborInfo', 'IterRouteReq', 'IterRouteResp', 'Rpc$Msg', 'VirtualCoordinate', 'SpecialVC', 'FiveDVC', 'NodeId',
  'LocateNodeMsg', 'LocateNodeResp', 'PingVCResp', 'PingNodeMsg'] as const
export const LEAF_TYPES = ALL_TYPES.filter((t) => !['RouteMsg', 'IterRouteReq', 'IterRouteResp', 'Rpc$Msg'].includes(t))
const COORD_KINDS: readonly CoordinateKind[] = ['VirtualCoordinate', 'SpecialVC', 'FiveDVC']
const DIMS: Record<CoordinateKind, number> = { VirtualCoordinate: 3, SpecialVC: 3, FiveDVC: 5 }

const bigFromBytes = (bytes: Uint8Array): bigint => bytes.reduce((v, b) => (v << 8n) | BigInt(b), 0n)

/** Random wire values, biased towards edge cases. */
export class Gen {
  constructor (readonly rng: SeededRng) {}
  pick<T> (items: readonly T[]): T { return items[this.rng.int(items.length)]! }
  bool (): boolean { return this.rng.int(2) === 1 }

  guid (): bigint {
    switch (this.rng.int(5)) {
      case 0: return this.pick([0n, 1n, 0x7fn, 0x80n, 0xffn, 0x100n, ID_MAX, 1n << 159n, (1n << 159n) - 1n])
      case 1: return bigFromBytes(this.rng.bytes(1 + this.rng.int(19))) // short: fewer bytes
      case 2: return bigFromBytes(this.rng.bytes(20)) | (1n << 159n) // top bit set: 21-byte BigInteger
      default: return bigFromBytes(this.rng.bytes(20))
    }
  }

  i64 (): bigint {
    switch (this.rng.int(4)) {
      case 0: return this.pick([0n, 1n, -1n, -2n, 1795473631453n, -(1n << 63n), (1n << 63n) - 1n, -(1n << 63n) + 1n])
      case 1: return -BigInt(this.rng.int(2 ** 32))
      default: return BigInt.asIntN(64, bigFromBytes(this.rng.bytes(8)))
    }
  }

  i32 (): number {
    return this.rng.int(3) === 0
      ? this.pick([0, 1, -1, 2147483647, -2147483648, 16, 17])
      : this.rng.int(2 ** 32) | 0
  }

  /** Any double except NaN payloads (NaN only as the canonical NaN). */
  f64 (): number {
    switch (this.rng.int(4)) {
      case 0: return this.pick([0, -0, 1, -1, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, NaN, 0.5])
      case 1: return (this.rng.float() - 0.5) * 1000
      default: {
        const view = new DataView(this.rng.bytes(8).buffer)
        const value = view.getFloat64(0)
        return Number.isNaN(value) ? NaN : value
      }
    }
  }

  address (): NodeAddress {
    const port = this.rng.int(3) === 0 ? this.pick([0, 1, 5850, 65535]) : this.rng.int(65536)
    if (this.rng.int(4) === 0) {
      const bytes = this.rng.bytes(16)
      bytes[10] = 0x12 // never an IPv4-mapped address
      return { host: hostFromBytes(bytes)!, port }
    }
    return { host: Array.from(this.rng.bytes(4)).join('.'), port }
  }

  neighbor (): NeighborInfo { return { address: this.address(), guid: this.guid() } }
  neighbors (): NeighborInfo[] {
    const count = this.rng.int(4) === 0 ? this.pick([0, 1, 16]) : this.rng.int(17)
    return Array.from({ length: count }, () => this.neighbor())
  }

  coordinate (kind: CoordinateKind = this.pick(COORD_KINDS)): Coordinate {
    return { type: kind, values: Array.from({ length: DIMS[kind] }, () => this.f64()) }
  }

  nodeId (): NodeIdObject { return { type: 'NodeId', address: this.address() } }

  payload (depth: number): WireMessage {
    return this.message(depth > 0 ? this.pick(ALL_TYPES) : this.pick(LEAF_TYPES), depth - 1)
  }

  message (type: typeof ALL_TYPES[number], depth = 2): WireMessage {
    switch (type) {
      case 'PingMsg': case 'LeafSetReq': return { type }
      case 'JoinReq': return { type, node: this.address(), guid: this.guid(), revTtl: this.i32(), path: this.neighbors() }
      case 'JoinResp': return { type, path: this.neighbors(), leafSet: this.neighbors() }
      case 'LeafSetChanged': return { type, guid: this.guid(), leafSet: this.neighbors(), wantReply: this.bool() }
      case 'RouteMsg': return {
        type, src: this.guid(), dest: this.guid(), appId: this.i64(), intermediateUpcall: this.bool(), peerGuid: this.guid(), payload: this.payload(depth)
      }
      case 'RoutingTableReq': return { type, guid: this.guid(), level: this.i32() }
      case 'RoutingTableResp': return { type, peerGuid: this.guid(), neighbors: this.neighbors() }
      case 'RoutingNeighborAnnounce': return { type, guid: this.guid(), add: this.bool() }
      case 'LookupReqPayload': return { type, returnAddress: this.address() }
      case 'LookupRespMsg': return { type, lookupId: this.guid(), ownerId: this.guid() }
      case 'CoordReq': return { type, srcId: this.guid(), coords: [this.f64(), this.f64(), this.f64()] }
      case 'CoordResp': return { type, coords: [this.f64(), this.f64(), this.f64()] }
      case 'NeighborInfo': return { type, neighbor: this.neighbor() }
      case 'IterRouteReq': return {
        type, src: this.guid(), dest: this.guid(), appId: this.i64(), intermediateUpcall: this.bool(), payload: this.payload(depth)
      }
      case 'IterRouteResp': return {
        type, src: this.guid(), dest: this.guid(), appId: this.i64(), intermediateUpcall: this.bool(), payload: this.payload(depth), nextHop: this.neighbor()
      }
      case 'Rpc$Msg': return { type, req: this.bool(), xactId: this.i64(), payload: this.payload(depth) }
      case 'VirtualCoordinate': case 'SpecialVC': case 'FiveDVC': return this.coordinate(type)
      case 'NodeId': return this.nodeId()
      case 'LocateNodeMsg': return { type, version: this.i32(), requestor: this.nodeId(), coordinate: this.coordinate() }
      case 'LocateNodeResp': return { type, coordinate: this.coordinate(), locatedId: this.nodeId() }
      case 'PingVCResp': return { type, version: this.i32(), coordinate: this.coordinate() }
      case 'PingNodeMsg': return { type, coordinate: this.coordinate() }
    }
  }
}

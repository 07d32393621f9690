/**
 * Test support: seeded random wire messages of every registered type, biased towards edge
 * values (extreme ids and integers, odd coordinates, nested payloads). Used by the codec's
 * round-trip test and by fuzz tests that throw random messages at nodes.
 */
import { SeededRng } from '../../src/env/rng.ts'
import type { WireMessage } from '../../src/wire/codec.ts'
import type { NeighborInfo } from '../../src/wire/fields.ts'
import type { Coordinate, CoordinateKind, NodeIdObject } from '../../src/wire/vivaldi-messages.ts'
import type { DhtGetValue, KeyedValue, StorageKey } from '../../src/wire/dht-messages.ts'
import type { RedirectNeighbor } from '../../src/wire/dht-get-messages.ts'
import type { MerkleRejectReason } from '../../src/wire/dmgr-messages.ts'
import { hostFromBytes, type NodeAddress } from '../../src/ids/node-address.ts'
import { ID_MAX } from '../../src/ids/node-id.ts'

export const ALL_TYPES = ['PingMsg', 'LeafSetReq', 'JoinReq', 'JoinResp', 'LeafSetChanged', 'RouteMsg', 'RoutingTableReq',
  'RoutingTableResp', 'RoutingNeighborAnnounce', 'LookupReqPayload', 'LookupRespMsg', 'CoordReq', 'CoordResp',
  'NeighborInfo', 'IterRouteReq', 'IterRouteResp', 'Rpc$Msg', 'VirtualCoordinate', 'SpecialVC', 'FiveDVC', 'NodeId',
  'LocateNodeMsg', 'LocateNodeResp', 'PingVCResp', 'PingNodeMsg',
  // bamboo.dht
  'Dht$PutReqPayload', 'Dht$PutRespMsg', 'Dht$GetValue', 'Dht$GetRespMsg', 'Dht$DiskSizeMsg', 'Dht$ForwardThroughLeafSetReq',
  'IterGetReq', 'IterGetResp', 'RecurGetReq', 'RecurGetResp', 'RpcGetReq', 'RpcGetResp',
  // bamboo.dmgr
  'PutOrRemoveMsg', 'PutOrRemoveAck', 'FetchMerkleTreeNodeReq', 'FetchMerkleTreeNodeResp', 'FetchMerkleTreeNodeReject',
  'FetchKeysReq', 'FetchKeysResp', 'FetchDataReq', 'FetchDataResp', 'ReplicaSetReq', 'ReplicaSetResp',
  // xest.transfer
  'ObjectReq', 'ObjectChunk', 'ObjectMissing'] as const
export const LEAF_TYPES = ALL_TYPES.filter((t) => !['RouteMsg', 'IterRouteReq', 'IterRouteResp', 'Rpc$Msg', 'Dht$ForwardThroughLeafSetReq'].includes(t))
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

  /** 0 ≤ t < 2^63 (the top bit on the wire is the secret-hash flag). */
  timeUsec (): bigint {
    return this.rng.int(3) === 0
      ? this.pick([0n, 1n, 1795474483674000n, (1n << 63n) - 1n])
      : BigInt.asUintN(63, bigFromBytes(this.rng.bytes(8)))
  }

  bytes (max = 64): Uint8Array {
    return this.rng.bytes(this.rng.int(4) === 0 ? this.pick([0, 1, 20, max]) : this.rng.int(Math.min(max, 64) + 1))
  }

  /** 20 bytes, never all zero (all zero means "no hash" and is not sent). */
  hash (): Uint8Array {
    const h = this.rng.int(4) === 0 ? new Uint8Array(20).fill(0xff) : this.rng.bytes(20)
    h[19] = h[19]! | 1
    return h
  }

  ipv4 (): string { return Array.from(this.rng.bytes(4)).join('.') }
  clientIp (): string { return this.rng.int(4) === 0 ? this.address().host : this.ipv4() }
  positive (): number { return this.rng.int(3) === 0 ? this.pick([1, 0x7fffffff, 0x7ffffffe, (3 << 29) | (3 << 27) | 10]) : 1 + this.rng.int(0x7fffffff) }
  coords (): number[] | null { return this.rng.int(3) === 0 ? null : [this.f64(), this.f64(), this.f64()] }
  addresses (min = 0): NodeAddress[] { return Array.from({ length: min + this.rng.int(6) }, () => this.address()) }

  storageKey (): StorageKey {
    return {
      timeUsec: this.timeUsec(), ttlS: this.i32(), guid: this.guid(), secretHash: this.bool() ? this.hash() : new Uint8Array(20),
      dataHash: this.rng.bytes(20), put: this.bool(), clientIp: this.ipv4()
    }
  }

  keyedValues (): KeyedValue[] { return Array.from({ length: this.rng.int(4) }, () => ({ key: this.storageKey(), value: this.bytes() })) }
  getValue (): DhtGetValue {
    return { type: 'Dht$GetValue', value: this.bytes(), ttlRemainingS: this.i32(), hashAlgorithm: this.pick(['', 'SHA', 'x\u00ff']), secretHash: this.bytes(24) }
  }

  redirects (): RedirectNeighbor[] { return Array.from({ length: 1 + this.rng.int(4) }, () => ({ neighbor: this.neighbor(), coords: this.coords() })) }

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
      case 'Dht$PutReqPayload': {
        const put = this.bool()
        return {
          type, timeUsec: this.timeUsec(), key: this.guid(), value: this.bytes(16384), put, returnAddress: this.address(), seq: this.i64(),
          ttlS: this.i32(), clientIp: this.clientIp(), retried: this.bool(), valueHash: put ? null : this.hash(), secretHash: this.bool() ? this.hash() : null
        }
      }
      case 'Dht$PutRespMsg': return { type, seq: this.i64(), result: this.pick([0, 1, 2, this.i32()]) }
      case 'Dht$GetValue': return this.getValue()
      case 'Dht$GetRespMsg': return {
        type, seq: this.i64(), key: this.guid(),
        values: this.bool() ? Array.from({ length: this.rng.int(4) }, () => this.bytes()) : Array.from({ length: 1 + this.rng.int(3) }, () => this.getValue()),
        origPlacemark: this.storageKey(), newPlacemark: this.storageKey()
      }
      case 'Dht$DiskSizeMsg': return { type, entries: Array.from({ length: this.rng.int(5) }, () => ({ ttlS: this.i32(), sizeBytes: this.f64() })), reply: this.bool() }
      case 'Dht$ForwardThroughLeafSetReq': return { type, payload: this.payload(depth), peer: this.address() }
      case 'IterGetReq': return {
        type, key: this.guid(), maxvals: this.positive(), placemark: this.bool() ? this.storageKey() : null, seq: this.i64(), coords: this.coords(), client: this.address()
      }
      case 'IterGetResp': return this.bool()
        ? { type, neighbors: this.redirects(), replicas: [], synced: [], values: [], allRead: false, maxvals: this.i32(), client: this.address() }
        : { type, neighbors: [], replicas: this.addresses(), synced: this.addresses(), values: this.keyedValues(), allRead: this.bool(), maxvals: this.i32(), client: this.address() }
      case 'RecurGetReq': return {
        type, key: this.guid(), maxvals: this.positive(), placemark: this.bool() ? this.storageKey() : null, seq: this.i64(), client: this.address(), returnAddress: this.address()
      }
      case 'RecurGetResp': return {
        type, seq: this.i64(), replicas: this.addresses().map((address) => ({ address, synced: this.bool() })), values: this.keyedValues(),
        allRead: this.bool(), thisReplica: this.address(), maxvals: this.i32(), client: this.address()
      }
      case 'RpcGetReq': return { type, key: this.guid(), maxvals: this.positive(), placemark: this.bool() ? this.storageKey() : null }
      case 'RpcGetResp': return { type, values: this.keyedValues(), allRead: this.bool() }
      case 'PutOrRemoveMsg': {
        const put = this.bool()
        return {
          type, timeUsec: this.timeUsec(), ttlS: this.i32(), guid: this.guid(), value: this.bytes(16384), put, clientIp: this.clientIp(), seq: this.i64(),
          valueHash: put ? null : this.hash(), secretHash: this.bool() ? this.hash() : null
        }
      }
      case 'PutOrRemoveAck': return { type, seq: this.i64() }
      case 'FetchMerkleTreeNodeReq': return {
        type, peerGuid: this.guid(), lowGuid: this.guid(), highGuid: this.guid(), expansion: this.i32(), level: this.rng.int(3) === 0 ? 0 : this.positive(),
        lowTimeUsec: this.i64(), expectedHash: this.bytes(32), seq: this.i64()
      }
      case 'FetchMerkleTreeNodeResp': {
        const hash = this.bytes(32)
        const children = hash.length === 0 ? [] : Array.from({ length: this.rng.int(5) }, () => this.rng.bytes(hash.length))
        return { type, hash, leaf: this.bool(), seq: this.i64(), children }
      }
      case 'FetchMerkleTreeNodeReject': return { type, reason: this.pick<MerkleRejectReason>([0, 1, 2]), seq: this.i64() }
      case 'FetchKeysReq': return { type, lowGuid: this.guid(), highGuid: this.guid(), lowTimeUsec: this.i64(), highTimeUsec: this.i64(), seq: this.i64() }
      case 'FetchKeysResp': return { type, keys: Array.from({ length: this.rng.int(4) }, () => this.storageKey()), seq: this.i64() }
      case 'FetchDataReq': return { type, key: this.storageKey() }
      case 'FetchDataResp': {
        const data = this.bytes()
        return { type, key: this.storageKey(), data: data.length === 0 ? null : data }
      }
      case 'ReplicaSetReq': return { type, returnAddress: this.address(), guid: this.guid(), nonce: this.i64() }
      case 'ReplicaSetResp': return { type, nonce: this.i64(), replicaSet: this.addresses(1) }
      case 'ObjectReq': return { type, seq: this.i64(), priority: this.pick<0 | 1>([0, 1]), ids: Array.from({ length: this.rng.int(6) }, () => this.rng.bytes(20)) }
      case 'ObjectChunk': return {
        type, seq: this.i64(),
        parts: Array.from({ length: 1 + this.rng.int(3) }, () => {
          const data = this.bytes(200)
          const offsetBytes = this.rng.int(1000)
          return { id: this.rng.bytes(20), totalBytes: offsetBytes + data.length + this.rng.int(3), offsetBytes, data }
        })
      }
      case 'ObjectMissing': return { type, seq: this.i64(), ids: Array.from({ length: this.rng.int(4) }, () => this.rng.bytes(20)) }
    }
  }
}

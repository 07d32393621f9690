/**
 * Bamboo's data-manager messages (package `bamboo.dmgr`): replication of puts and removes to the
 * leaf set (PutOrRemoveMsg/Ack), Merkle-tree anti-entropy (FetchMerkleTreeNode*, FetchKeys*,
 * FetchData*) and hand-off of items we are no longer responsible for (ReplicaSetReq/Resp),
 * field for field in the order of the Java `serialize`/`InputBuffer` constructors.
 *
 * PutOrRemoveReq/PutOrRemoveResp are not here: in Bamboo they are in-process stage events
 * (QueueElementIF), never serialized. Keys inside these messages carry no type code. Decoders
 * throw only WireError (the codec turns it into an error value) and enforce Java's limits
 * (value ≤ 16384 bytes, level ≥ 0, reason < 3, replica set non-empty); nothing here does I/O.
 */
import type { NodeAddress } from '../ids/node-address.ts'
import { readNodeAddress, writeNodeAddress } from './fields.ts'
import { WireError } from './reader.ts'
import { registerWireType } from './registry.ts'
import {
  HASH_BYTES, MAX_VALUE_BYTES, STORAGE_KEY_BYTES, readAddresses, readBytes, readClientIp, readCount, readFlaggedTime,
  readStorageKey, secretHashSent, writeAddresses, writeClientIp, writeFlaggedTime, writeHash, writeStorageKey, type StorageKey
} from './dht-messages.ts'

/** A put or remove sent by the root to a replica. */
export interface PutOrRemoveMsg {
  readonly type: 'PutOrRemoveMsg'
  /** 0 ≤ timeUsec < 2^63; the wire's top bit says a secret hash follows. */
  readonly timeUsec: bigint
  readonly ttlS: number
  readonly guid: bigint
  /** At most MAX_VALUE_BYTES. */
  readonly value: Uint8Array
  readonly put: boolean
  /** IPv4 or IPv6 (i32 length + 4 or 16 bytes). */
  readonly clientIp: string
  readonly seq: bigint
  /** 20 bytes, sent only for a remove (put false); null when put. */
  readonly valueHash: Uint8Array | null
  /** 20 bytes, sent (and the time flagged) unless null or all zero. */
  readonly secretHash: Uint8Array | null
}
export interface PutOrRemoveAck { readonly type: 'PutOrRemoveAck', readonly seq: bigint }
export interface FetchMerkleTreeNodeReq {
  readonly type: 'FetchMerkleTreeNodeReq'
  readonly peerGuid: bigint
  readonly lowGuid: bigint
  readonly highGuid: bigint
  /** log2 of the tree's fan-out (checked against the receiver's). */
  readonly expansion: number
  /** ≥ 0. */
  readonly level: number
  readonly lowTimeUsec: bigint
  readonly expectedHash: Uint8Array
  readonly seq: bigint
}
export interface FetchMerkleTreeNodeResp {
  readonly type: 'FetchMerkleTreeNodeResp'
  readonly hash: Uint8Array
  readonly leaf: boolean
  readonly seq: bigint
  /** Each exactly as long as `hash` (no per-child length on the wire); none when `hash` is empty. */
  readonly children: readonly Uint8Array[]
}
/** BAD_GUID_RANGE 0, BAD_EXPANSION 1, NO_SUCH_NODE 2. */
export type MerkleRejectReason = 0 | 1 | 2
export interface FetchMerkleTreeNodeReject { readonly type: 'FetchMerkleTreeNodeReject', readonly reason: MerkleRejectReason, readonly seq: bigint }
export interface FetchKeysReq {
  readonly type: 'FetchKeysReq'
  readonly lowGuid: bigint
  readonly highGuid: bigint
  readonly lowTimeUsec: bigint
  readonly highTimeUsec: bigint
  readonly seq: bigint
}
export interface FetchKeysResp { readonly type: 'FetchKeysResp', readonly keys: readonly StorageKey[], readonly seq: bigint }
export interface FetchDataReq { readonly type: 'FetchDataReq', readonly key: StorageKey }
/** `data` null when the item is gone (sent as length 0; an empty value also reads back as null). */
export interface FetchDataResp { readonly type: 'FetchDataResp', readonly key: StorageKey, readonly data: Uint8Array | null }
/** Plain QuickSerializable (routed as a RouteMsg payload): NodeId, BigInteger guid, i64 nonce. */
export interface ReplicaSetReq { readonly type: 'ReplicaSetReq', readonly returnAddress: NodeAddress, readonly guid: bigint, readonly nonce: bigint }
export interface ReplicaSetResp { readonly type: 'ReplicaSetResp', readonly nonce: bigint, readonly replicaSet: readonly NodeAddress[] }

export type DmgrMessage = PutOrRemoveMsg | PutOrRemoveAck | FetchMerkleTreeNodeReq | FetchMerkleTreeNodeResp |
FetchMerkleTreeNodeReject | FetchKeysReq | FetchKeysResp | FetchDataReq | FetchDataResp | ReplicaSetReq | ReplicaSetResp

/** `FetchMerkleTreeNodeReject.reason_to_string.length`. */
const REJECT_REASONS = 3

registerWireType<PutOrRemoveMsg>({
  type: 'PutOrRemoveMsg', className: 'bamboo.dmgr.PutOrRemoveMsg',
  encode (w, m) {
    const secret = secretHashSent(m.secretHash)
    writeFlaggedTime(w, m.timeUsec, secret)
    w.i32(m.ttlS)
    w.bigInteger(m.guid)
    w.byteArray(m.value)
    w.bool(m.put)
    writeClientIp(w, m.clientIp)
    w.i64(m.seq)
    if (!m.put) writeHash(w, m.valueHash ?? new Uint8Array(), 'PutOrRemoveMsg value_hash')
    if (secret) writeHash(w, m.secretHash, 'PutOrRemoveMsg secret_hash')
  },
  decode (r) {
    const { timeUsec, flagged } = readFlaggedTime(r)
    const ttlS = r.i32('ttl_sec')
    const guid = r.bigInteger('guid')
    const value = readBytes(r, 'value', MAX_VALUE_BYTES)
    const put = r.bool('put')
    const clientIp = readClientIp(r)
    const seq = r.i64('seq')
    const valueHash = put ? null : r.raw(HASH_BYTES, 'value_hash')
    const secretHash = flagged ? r.raw(HASH_BYTES, 'secret_hash') : null
    return { type: 'PutOrRemoveMsg', timeUsec, ttlS, guid, value, put, clientIp, seq, valueHash, secretHash }
  }
})

registerWireType<PutOrRemoveAck>({
  type: 'PutOrRemoveAck', className: 'bamboo.dmgr.PutOrRemoveAck',
  encode (w, m) { w.i64(m.seq) },
  decode: (r) => ({ type: 'PutOrRemoveAck', seq: r.i64('seq') })
})

registerWireType<FetchMerkleTreeNodeReq>({
  type: 'FetchMerkleTreeNodeReq', className: 'bamboo.dmgr.FetchMerkleTreeNodeReq',
  encode (w, m) {
    w.bigInteger(m.peerGuid)
    w.bigInteger(m.lowGuid)
    w.bigInteger(m.highGuid)
    w.i32(m.expansion)
    w.i32(m.level)
    w.i64(m.lowTimeUsec)
    w.byteArray(m.expectedHash)
    w.i64(m.seq)
  },
  decode (r) {
    const peerGuid = r.bigInteger('peer_guid')
    const lowGuid = r.bigInteger('low_guid')
    const highGuid = r.bigInteger('high_guid')
    const expansion = r.i32('expansion')
    const level = r.i32('level')
    if (level < 0) throw new WireError(`bad level ${level}`)
    const lowTimeUsec = r.i64('low_time')
    const expectedHash = readBytes(r, 'expected_hash')
    const seq = r.i64('seq')
    return { type: 'FetchMerkleTreeNodeReq', peerGuid, lowGuid, highGuid, expansion, level, lowTimeUsec, expectedHash, seq }
  }
})

registerWireType<FetchMerkleTreeNodeResp>({
  type: 'FetchMerkleTreeNodeResp', className: 'bamboo.dmgr.FetchMerkleTreeNodeResp',
  encode (w, m) {
    w.byteArray(m.hash)
    w.bool(m.leaf)
    w.i64(m.seq)
    if (m.hash.length === 0 && m.children.length > 0) throw new Error('FetchMerkleTreeNodeResp: children of an empty hash')
    w.i32(m.children.length)
    for (const child of m.children) {
      if (child.length !== m.hash.length) throw new Error(`Merkle child hash of ${child.length} bytes, node hash ${m.hash.length}`)
      w.raw(child)
    }
  },
  decode (r) {
    const hash = readBytes(r, 'hash')
    const leaf = r.bool('leaf')
    const seq = r.i64('seq')
    // Children are as long as the node hash. With an empty hash (never sent by Bamboo) they would
    // take no bytes, and any count would "fit": rejected (Java would allocate them).
    const count = readCount(r, 'children', Math.max(1, hash.length))
    if (hash.length === 0 && count > 0) throw new WireError(`${count} children of an empty hash`)
    const children: Uint8Array[] = []
    for (let i = 0; i < count; i++) children.push(r.raw(hash.length, 'child hash'))
    return { type: 'FetchMerkleTreeNodeResp', hash, leaf, seq, children }
  }
})

registerWireType<FetchMerkleTreeNodeReject>({
  type: 'FetchMerkleTreeNodeReject', className: 'bamboo.dmgr.FetchMerkleTreeNodeReject',
  encode (w, m) {
    w.i32(m.reason)
    w.i64(m.seq)
  },
  decode (r) {
    const reason = r.i32('reason')
    if (reason < 0 || reason >= REJECT_REASONS) throw new WireError(`unknown reason ${reason}`)
    return { type: 'FetchMerkleTreeNodeReject', reason: reason as MerkleRejectReason, seq: r.i64('seq') }
  }
})

registerWireType<FetchKeysReq>({
  type: 'FetchKeysReq', className: 'bamboo.dmgr.FetchKeysReq',
  encode (w, m) {
    w.bigInteger(m.lowGuid)
    w.bigInteger(m.highGuid)
    w.i64(m.lowTimeUsec)
    w.i64(m.highTimeUsec)
    w.i64(m.seq)
  },
  decode (r) {
    const lowGuid = r.bigInteger('low_guid')
    const highGuid = r.bigInteger('high_guid')
    const lowTimeUsec = r.i64('low_time')
    const highTimeUsec = r.i64('high_time')
    return { type: 'FetchKeysReq', lowGuid, highGuid, lowTimeUsec, highTimeUsec, seq: r.i64('seq') }
  }
})

registerWireType<FetchKeysResp>({
  type: 'FetchKeysResp', className: 'bamboo.dmgr.FetchKeysResp',
  encode (w, m) {
    w.i32(m.keys.length)
    for (const k of m.keys) writeStorageKey(w, k)
    w.i64(m.seq)
  },
  decode (r) {
    const count = readCount(r, 'keys', STORAGE_KEY_BYTES)
    const keys: StorageKey[] = []
    for (let i = 0; i < count; i++) keys.push(readStorageKey(r))
    return { type: 'FetchKeysResp', keys, seq: r.i64('seq') }
  }
})

registerWireType<FetchDataReq>({
  type: 'FetchDataReq', className: 'bamboo.dmgr.FetchDataReq',
  encode (w, m) { writeStorageKey(w, m.key) },
  decode: (r) => ({ type: 'FetchDataReq', key: readStorageKey(r) })
})

registerWireType<FetchDataResp>({
  type: 'FetchDataResp', className: 'bamboo.dmgr.FetchDataResp',
  encode (w, m) {
    writeStorageKey(w, m.key)
    w.byteArray(m.data ?? new Uint8Array())
  },
  decode (r) {
    const key = readStorageKey(r)
    const data = readBytes(r, 'data')
    return { type: 'FetchDataResp', key, data: data.length === 0 ? null : data }
  }
})

registerWireType<ReplicaSetReq>({
  type: 'ReplicaSetReq', className: 'bamboo.dmgr.ReplicaSetReq',
  encode (w, m) {
    writeNodeAddress(w, m.returnAddress)
    w.bigInteger(m.guid)
    w.i64(m.nonce)
  },
  decode (r) {
    const returnAddress = readNodeAddress(r, 'return_address')
    const guid = r.bigInteger('guid')
    return { type: 'ReplicaSetReq', returnAddress, guid, nonce: r.i64('nonce') }
  }
})

registerWireType<ReplicaSetResp>({
  type: 'ReplicaSetResp', className: 'bamboo.dmgr.ReplicaSetResp',
  encode (w, m) {
    if (m.replicaSet.length === 0) throw new Error('ReplicaSetResp: Bamboo rejects an empty replica set')
    w.i64(m.nonce)
    writeAddresses(w, m.replicaSet)
  },
  decode (r) {
    const nonce = r.i64('nonce')
    const replicaSet = readAddresses(r, 'replica_set')
    if (replicaSet.length === 0) throw new WireError('replica_set empty')
    return { type: 'ReplicaSetResp', nonce, replicaSet }
  }
})

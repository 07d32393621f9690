/**
 * Conversions between the DHT's tuples and Bamboo's wire messages that carry them
 * (Dht$PutReqPayload, PutOrRemoveMsg, StorageManager.Key with its value). Checks what a peer
 * could get wrong (value and secret sizes, a remove without its value hash) and answers null
 * instead of throwing. Pure.
 */
import type { NodeAddress } from '../ids/node-address.ts'
import { sha1 } from '../ids/sha1.ts'
import type { DhtPutReqPayload, KeyedValue, StorageKey } from '../wire/dht-messages.ts'
import type { PutOrRemoveMsg } from '../wire/dmgr-messages.ts'
import { MAX_SECRET_BYTES, MAX_VALUE_BYTES } from './dht-api.ts'
import { HASH_BYTES, capTtlS, hasSecret, ipv4Bytes, ZERO_HASH, type Tuple } from './tuple.ts'

export function ipv4Text (bytes: Uint8Array): string {
  return `${bytes[0] ?? 0}.${bytes[1] ?? 0}.${bytes[2] ?? 0}.${bytes[3] ?? 0}`
}

interface TupleFields {
  readonly timeUsec: bigint
  readonly ttlS: number
  readonly guid: bigint
  readonly value: Uint8Array
  readonly put: boolean
  readonly clientIp: string
  readonly valueHash: Uint8Array | null
  readonly secretHash: Uint8Array | null
}

function tupleOf (m: TupleFields): Tuple | null {
  if (m.ttlS < 0 || m.timeUsec < 0n) return null
  if (m.secretHash !== null && m.secretHash.length !== HASH_BYTES) return null
  const clientIp = ipv4Bytes(m.clientIp)
  if (m.put) {
    if (m.value.length > MAX_VALUE_BYTES) return null
    return { timeUsec: m.timeUsec, ttlS: capTtlS(m.ttlS), guid: m.guid, secretHash: m.secretHash ?? ZERO_HASH, dataHash: sha1(m.value), put: true, clientIp, data: m.value }
  }
  if (m.valueHash === null || m.valueHash.length !== HASH_BYTES || m.value.length > MAX_SECRET_BYTES) return null
  return { timeUsec: m.timeUsec, ttlS: capTtlS(m.ttlS), guid: m.guid, secretHash: m.secretHash ?? sha1(m.value), dataHash: m.valueHash, put: false, clientIp, data: m.value }
}

export function tupleFromPutReq (m: DhtPutReqPayload): Tuple | null {
  return tupleOf({ ...m, guid: m.key })
}

export function putReqFromTuple (t: Tuple, returnAddress: NodeAddress, seq: bigint, retried: boolean): DhtPutReqPayload {
  return {
    type: 'Dht$PutReqPayload', timeUsec: t.timeUsec, key: t.guid, value: t.data, put: t.put, returnAddress, seq,
    ttlS: t.ttlS, clientIp: ipv4Text(t.clientIp), retried, valueHash: t.put ? null : t.dataHash, secretHash: hasSecret(t) ? t.secretHash : null
  }
}

export function tupleFromPutOrRemove (m: PutOrRemoveMsg): Tuple | null {
  return tupleOf(m)
}

export function putOrRemoveFromTuple (t: Tuple, seq: bigint): PutOrRemoveMsg {
  return {
    type: 'PutOrRemoveMsg', timeUsec: t.timeUsec, ttlS: t.ttlS, guid: t.guid, value: t.data, put: t.put,
    clientIp: ipv4Text(t.clientIp), seq, valueHash: t.put ? null : t.dataHash, secretHash: hasSecret(t) ? t.secretHash : null
  }
}

export function storageKeyOf (t: Tuple): StorageKey {
  return { timeUsec: t.timeUsec, ttlS: t.ttlS, guid: t.guid, secretHash: t.secretHash, dataHash: t.dataHash, put: t.put, clientIp: ipv4Text(t.clientIp) }
}

export function tupleOfStorageKey (k: StorageKey, data: Uint8Array): Tuple {
  return { timeUsec: k.timeUsec, ttlS: k.ttlS, guid: k.guid, secretHash: k.secretHash, dataHash: k.dataHash, put: k.put, clientIp: ipv4Bytes(k.clientIp), data }
}

export function keyedValueOf (t: Tuple): KeyedValue {
  return { key: storageKeyOf(t), value: t.data }
}

/** A value from a peer's get answer; null when its key does not match its data. */
export function tupleOfKeyedValue (v: KeyedValue): Tuple | null {
  if (!v.key.put || v.value.length > MAX_VALUE_BYTES) return null
  const tuple = tupleOfStorageKey(v.key, v.value)
  const hash = sha1(v.value)
  for (let i = 0; i < HASH_BYTES; i++) if (hash[i] !== tuple.dataHash[i]) return null
  return tuple
}

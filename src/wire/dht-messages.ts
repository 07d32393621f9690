/**
 * Bamboo's DHT-layer messages of `bamboo.dht.Dht` (PutReqPayload, PutRespMsg, GetRespMsg,
 * GetValue, DiskSizeMsg, ForwardThroughLeafSetReq), field for field in the wire order of the
 * Java `serialize`/`InputBuffer` constructors, plus the field codecs the DHT and the data
 * manager share: `StorageManager.Key` (never has a type code of its own), client IP addresses
 * and the optional 20-byte hashes. The get messages are in dht-get-messages.ts.
 *
 * Hashes flagged by the top bit of a time_usec: a secret hash of null or all zero bytes is not
 * sent (as in Java), so it decodes as null (PutReqPayload) or ZERO_HASH (Key).
 * Decoders throw only WireError (the codec turns it into an error value); encoders throw only
 * for programmer errors (wrong hash length, time or guid out of range). Nothing here does I/O.
 */
import { addressBytes, addressBytesView, hostFromBytes, type NodeAddress } from '../ids/node-address.ts'
import { bigUintToBytes, bytesToBigUint } from '../ids/sha1.ts'
import { readNodeAddress, writeNodeAddress } from './fields.ts'
import { WireError, type WireReader } from './reader.ts'
import { decodeObject, encodeObject, registerWireType } from './registry.ts'
import type { WireMessage } from './wire-message.ts'
import type { WireWriter } from './writer.ts'
import type { DhtGetMessage } from './dht-get-messages.ts'

/** SHA-1 digests on the wire: 20 raw bytes, no length. */
export const HASH_BYTES = 20
/** `Dht.PutReqPayload.MAX_SIZE` / `PutOrRemoveMsg.MAX_SIZE`: the reader rejects longer values. */
export const MAX_VALUE_BYTES = 16384
/** `StorageManager.ZERO_HASH`: a Key's "no secret hash". */
export const ZERO_HASH: Uint8Array = new Uint8Array(HASH_BYTES)
/** The wire size of a Key without / with a secret hash (`StorageManager.Key.SIZE` is the latter). */
export const STORAGE_KEY_BYTES = 57
export const STORAGE_KEY_WITH_SECRET_BYTES = 77

const TOP_BIT = 1n << 63n
const TIME_MASK = TOP_BIT - 1n

/** `StorageManager.Key`, the primary key of a stored value, as it travels (never with a type code). */
export interface StorageKey {
  /** Put time at the gateway, µs; 0 ≤ timeUsec < 2^63 (the top bit on the wire flags a secret hash). */
  readonly timeUsec: bigint
  readonly ttlS: number
  /** The 160-bit DHT key (20 raw bytes on the wire, not a BigInteger). */
  readonly guid: bigint
  /** 20 bytes; ZERO_HASH = none (then not sent). */
  readonly secretHash: Uint8Array
  /** SHA-1 of the value, 20 bytes. */
  readonly dataHash: Uint8Array
  /** false for a remove (tombstone). */
  readonly put: boolean
  /** The client's IPv4 address (4 raw bytes; Java writes the first 4 bytes of any address). */
  readonly clientIp: string
}

/** A stored value with its Key, as get responses carry them. */
export interface KeyedValue {
  readonly key: StorageKey
  readonly value: Uint8Array
}

export interface DhtPutReqPayload {
  readonly type: 'Dht$PutReqPayload'
  /** 0 ≤ timeUsec < 2^63; the wire's top bit says a secret hash follows. */
  readonly timeUsec: bigint
  readonly key: bigint
  /** At most MAX_VALUE_BYTES (for a remove: the secret). */
  readonly value: Uint8Array
  /** false = remove. */
  readonly put: boolean
  readonly returnAddress: NodeAddress
  readonly seq: bigint
  readonly ttlS: number
  /** IPv4 or IPv6 (i32 length + 4 or 16 bytes). */
  readonly clientIp: string
  readonly retried: boolean
  /** 20 bytes, sent only for a remove (put false); null when put. */
  readonly valueHash: Uint8Array | null
  /** 20 bytes, sent (and the time flagged) unless null or all zero. */
  readonly secretHash: Uint8Array | null
}
/** `result`: Bamboo's BAMBOO_OK 0, BAMBOO_CAP 1, BAMBOO_AGAIN 2. */
export interface DhtPutRespMsg { readonly type: 'Dht$PutRespMsg', readonly seq: bigint, readonly result: number }
/** A value as the legacy get path returns it; the inline form inside GetRespMsg has no type code. */
export interface DhtGetValue {
  readonly type: 'Dht$GetValue'
  readonly value: Uint8Array
  readonly ttlRemainingS: number
  /** "SHA" when the value has a secret hash, else "". */
  readonly hashAlgorithm: string
  /** Any length (Bamboo sends 20 bytes, zero when there is no secret). */
  readonly secretHash: Uint8Array
}
/** The legacy get response. A non-empty list of GetValues is sent as a negative count. */
export interface DhtGetRespMsg {
  readonly type: 'Dht$GetRespMsg'
  readonly seq: bigint
  readonly key: bigint
  readonly values: readonly Uint8Array[] | readonly DhtGetValue[]
  readonly origPlacemark: StorageKey
  readonly newPlacemark: StorageKey
}
export interface DiskSizeEntry { readonly ttlS: number, readonly sizeBytes: number }
export interface DhtDiskSizeMsg { readonly type: 'Dht$DiskSizeMsg', readonly entries: readonly DiskSizeEntry[], readonly reply: boolean }
/** A message handed to a leaf-set neighbour to send on: object payload + NodeId peer (no code). */
export interface DhtForwardThroughLeafSetReq {
  readonly type: 'Dht$ForwardThroughLeafSetReq'
  readonly payload: WireMessage
  readonly peer: NodeAddress
}

export type DhtMessage = DhtPutReqPayload | DhtPutRespMsg | DhtGetValue | DhtGetRespMsg | DhtDiskSizeMsg |
DhtForwardThroughLeafSetReq | DhtGetMessage

// --- shared field codecs -----------------------------------------------------------------------

/**
 * Reads an i32 count that must be ≥ 0 and leave room for `count` entries of at least
 * `minEntryBytes` each (so garbage counts fail before any allocation).
 */
export function readCount (r: WireReader, what: string, minEntryBytes: number): number {
  const count = r.i32(`${what} count`)
  if (count < 0 || count * minEntryBytes > r.remaining) throw new WireError(`bad ${what} count ${count}`)
  return count
}

/** i32 length (≥ 0, ≤ maxBytes) + bytes. */
export function readBytes (r: WireReader, what: string, maxBytes = Number.MAX_SAFE_INTEGER): Uint8Array {
  return r.byteArray(maxBytes, what)
}

/** A 20-byte hash written raw; throws for another length (a programmer error). */
export function writeHash (w: WireWriter, hash: Uint8Array, what: string): void {
  if (hash.length !== HASH_BYTES) throw new Error(`${what} must be ${HASH_BYTES} bytes, got ${hash.length}`)
  w.raw(hash)
}

/** A secret hash is sent only when present and not all zero (Java compares with ZERO_HASH). */
export function secretHashSent (hash: Uint8Array | null): hash is Uint8Array {
  return hash !== null && hash.some((b) => b !== 0)
}

/** An i64 time_usec with the top bit set when a secret hash follows. */
export function writeFlaggedTime (w: WireWriter, timeUsec: bigint, flagged: boolean): void {
  if (timeUsec < 0n || timeUsec > TIME_MASK) throw new Error(`time_usec ${timeUsec} out of range`)
  w.i64(flagged ? timeUsec | TOP_BIT : timeUsec)
}

export function readFlaggedTime (r: WireReader, what = 'time_usec'): { timeUsec: bigint, flagged: boolean } {
  const raw = r.i64(what)
  return raw < 0n ? { timeUsec: raw & TIME_MASK, flagged: true } : { timeUsec: raw, flagged: false }
}

/** A client InetAddress as i32 length + its bytes (4 or 16). */
export function writeClientIp (w: WireWriter, host: string): void {
  w.byteArray(addressBytes(host))
}

/** Java's `InetAddress.getByAddress` accepts only 4 or 16 bytes; anything else is rejected. */
export function readClientIp (r: WireReader, what = 'client address'): string {
  const length = r.i32(`${what} length`)
  if (length !== 4 && length !== 16) throw new WireError(`bad ${what} length ${length}`)
  return hostFromBytes(r.raw(length, what))!
}

export function writeStorageKey (w: WireWriter, key: StorageKey): void {
  const secret = secretHashSent(key.secretHash)
  writeFlaggedTime(w, key.timeUsec, secret)
  w.i32(key.ttlS)
  w.raw(bigUintToBytes(key.guid, HASH_BYTES))
  if (secret) writeHash(w, key.secretHash, 'Key secret_hash')
  writeHash(w, key.dataHash, 'Key data_hash')
  w.u8(key.put ? 1 : 0)
  w.raw(addressBytesView(key.clientIp).subarray(0, 4))
}

export function readStorageKey (r: WireReader): StorageKey {
  const { timeUsec, flagged } = readFlaggedTime(r, 'Key time_usec')
  const ttlS = r.i32('Key ttl_sec')
  const guid = bytesToBigUint(r.raw(HASH_BYTES, 'Key guid'))
  const secretHash = flagged ? r.raw(HASH_BYTES, 'Key secret_hash') : ZERO_HASH.slice()
  const dataHash = r.raw(HASH_BYTES, 'Key data_hash')
  const put = r.bool('Key put')
  const clientIp = hostFromBytes(r.raw(4, 'Key client address'))!
  return { timeUsec, ttlS, guid, secretHash, dataHash, put, clientIp }
}

/** A placemark: bool present + Key; absent means Java's ZERO_KEY (null here). */
export function writeOptionalKey (w: WireWriter, key: StorageKey | null): void {
  w.bool(key !== null)
  if (key !== null) writeStorageKey(w, key)
}

export function readOptionalKey (r: WireReader): StorageKey | null {
  return r.bool('has placemark') ? readStorageKey(r) : null
}

/** i32 count + count × (Key, i32 length, bytes). */
export function writeKeyedValues (w: WireWriter, values: readonly KeyedValue[]): void {
  w.i32(values.length)
  for (const v of values) {
    writeStorageKey(w, v.key)
    w.byteArray(v.value)
  }
}

export function readKeyedValues (r: WireReader): KeyedValue[] {
  const count = readCount(r, 'values', STORAGE_KEY_BYTES + 4)
  const out: KeyedValue[] = []
  for (let i = 0; i < count; i++) {
    const key = readStorageKey(r)
    out.push({ key, value: readBytes(r, 'value') })
  }
  return out
}

/** i32 count + count × NodeId (no type codes). */
export function writeAddresses (w: WireWriter, addresses: readonly NodeAddress[]): void {
  w.i32(addresses.length)
  for (const a of addresses) writeNodeAddress(w, a)
}

export function readAddresses (r: WireReader, what: string): NodeAddress[] {
  const count = readCount(r, what, 7)
  const out: NodeAddress[] = []
  for (let i = 0; i < count; i++) out.push(readNodeAddress(r, what))
  return out
}

// --- messages ----------------------------------------------------------------------------------

registerWireType<DhtPutReqPayload>({
  type: 'Dht$PutReqPayload', className: 'bamboo.dht.Dht$PutReqPayload',
  encode (w, m) {
    const secret = secretHashSent(m.secretHash)
    writeFlaggedTime(w, m.timeUsec, secret)
    w.bigInteger(m.key)
    w.byteArray(m.value)
    w.bool(m.put)
    writeNodeAddress(w, m.returnAddress)
    w.i64(m.seq)
    w.i32(m.ttlS)
    writeClientIp(w, m.clientIp)
    w.bool(m.retried)
    if (!m.put) writeHash(w, m.valueHash ?? new Uint8Array(), 'PutReqPayload value_hash')
    if (secret) writeHash(w, m.secretHash, 'PutReqPayload secret_hash')
  },
  decode (r) {
    const { timeUsec, flagged } = readFlaggedTime(r)
    const key = r.bigInteger('key')
    const value = readBytes(r, 'value', MAX_VALUE_BYTES)
    const put = r.bool('put')
    const returnAddress = readNodeAddress(r, 'return_addr')
    const seq = r.i64('seq')
    const ttlS = r.i32('ttl_sec')
    const clientIp = readClientIp(r)
    const retried = r.bool('retried')
    const valueHash = put ? null : r.raw(HASH_BYTES, 'value_hash')
    const secretHash = flagged ? r.raw(HASH_BYTES, 'secret_hash') : null
    return { type: 'Dht$PutReqPayload', timeUsec, key, value, put, returnAddress, seq, ttlS, clientIp, retried, valueHash, secretHash }
  }
})

registerWireType<DhtPutRespMsg>({
  type: 'Dht$PutRespMsg', className: 'bamboo.dht.Dht$PutRespMsg',
  encode (w, m) {
    w.i64(m.seq)
    w.i32(m.result)
  },
  decode (r) {
    const seq = r.i64('seq')
    return { type: 'Dht$PutRespMsg', seq, result: r.i32('result') }
  }
})

function writeGetValue (w: WireWriter, v: DhtGetValue): void {
  w.byteArray(v.value)
  w.i32(v.ttlRemainingS)
  w.string(v.hashAlgorithm)
  w.byteArray(v.secretHash)
}

function readGetValue (r: WireReader): DhtGetValue {
  const value = readBytes(r, 'GetValue value')
  const ttlRemainingS = r.i32('GetValue ttlRemaining')
  const hashAlgorithm = r.string(Number.MAX_SAFE_INTEGER, 'GetValue hashAlgorithm')
  return { type: 'Dht$GetValue', value, ttlRemainingS, hashAlgorithm, secretHash: readBytes(r, 'GetValue secretHash') }
}

registerWireType<DhtGetValue>({
  type: 'Dht$GetValue', className: 'bamboo.dht.Dht$GetValue',
  encode: writeGetValue,
  decode: readGetValue
})

function isGetValues (values: readonly Uint8Array[] | readonly DhtGetValue[]): values is readonly DhtGetValue[] {
  const first = values[0]
  return first !== undefined && !(first instanceof Uint8Array)
}

registerWireType<DhtGetRespMsg>({
  type: 'Dht$GetRespMsg', className: 'bamboo.dht.Dht$GetRespMsg',
  encode (w, m) {
    w.i64(m.seq)
    w.bigInteger(m.key)
    if (isGetValues(m.values)) {
      w.i32(-m.values.length)
      for (const v of m.values) writeGetValue(w, v)
    } else {
      w.i32(m.values.length)
      for (const v of m.values) w.byteArray(v)
    }
    writeStorageKey(w, m.origPlacemark)
    writeStorageKey(w, m.newPlacemark)
  },
  decode (r) {
    const seq = r.i64('seq')
    const key = r.bigInteger('key')
    const count = r.i32('values count')
    // A negative count announces GetValues (Java negates it; -2^31 stays negative there).
    const n = Math.abs(count)
    if (count === -0x80000000 || n * (count < 0 ? 16 : 4) > r.remaining) throw new WireError(`bad values count ${count}`)
    let values: Uint8Array[] | DhtGetValue[]
    if (count < 0) {
      const getValues: DhtGetValue[] = []
      for (let i = 0; i < n; i++) getValues.push(readGetValue(r))
      values = getValues
    } else {
      const raw: Uint8Array[] = []
      for (let i = 0; i < n; i++) raw.push(readBytes(r, 'value'))
      values = raw
    }
    const origPlacemark = readStorageKey(r)
    return { type: 'Dht$GetRespMsg', seq, key, values, origPlacemark, newPlacemark: readStorageKey(r) }
  }
})

registerWireType<DhtDiskSizeMsg>({
  type: 'Dht$DiskSizeMsg', className: 'bamboo.dht.Dht$DiskSizeMsg',
  encode (w, m) {
    w.i32(m.entries.length)
    for (const e of m.entries) {
      w.i32(e.ttlS)
      w.f64(e.sizeBytes)
    }
    w.bool(m.reply)
  },
  decode (r) {
    const count = readCount(r, 'disk sizes', 12)
    const entries: DiskSizeEntry[] = []
    for (let i = 0; i < count; i++) {
      const ttlS = r.i32('ttl')
      entries.push({ ttlS, sizeBytes: r.f64('size') })
    }
    return { type: 'Dht$DiskSizeMsg', entries, reply: r.bool('reply') }
  }
})

registerWireType<DhtForwardThroughLeafSetReq>({
  type: 'Dht$ForwardThroughLeafSetReq', className: 'bamboo.dht.Dht$ForwardThroughLeafSetReq',
  encode (w, m) {
    encodeObject(w, m.payload)
    writeNodeAddress(w, m.peer)
  },
  decode (r) {
    const payload = decodeObject<WireMessage>(r)
    return { type: 'Dht$ForwardThroughLeafSetReq', payload, peer: readNodeAddress(r, 'peer') }
  }
})

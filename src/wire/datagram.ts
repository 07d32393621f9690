/**
 * UdpCC's datagram framing (Bamboo `lss/UdpCC.java`), all big-endian:
 *   data     : i32 version | i64 ack (-1 none) | i64 seq (-1 unreliable) | i32 wait_ms | i32 est_rtt_ms | message
 *   pure ack : i32 version | i64 seq                                       (12 bytes)
 * Version 1 appends an HMAC-SHA1 over everything before it (pure ack = 32 bytes). A node with a
 * key drops version-0 and badly MAC'ed datagrams; a node without one ignores the trailer.
 * Parsing never throws: malformed framing is a `{ ok: false, reason }` to count and drop.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

export const DATA_HEADER_BYTES = 28
export const PURE_ACK_BYTES = 12
export const MAC_BYTES = 20
/** Bamboo's MAX_MSG_SIZE: no datagram may exceed 16 KiB. */
export const MAX_DATAGRAM_BYTES = 16 * 1024
/** The old 20-byte data header without wait_ms/est_rtt_ms, which Bamboo still accepts. */
const LEGACY_HEADER_BYTES = 20

export interface DataHeader {
  readonly ack: bigint
  readonly seq: bigint
  readonly waitMs: number
  readonly estRttMs: number
}

export type Datagram =
  | { readonly kind: 'ack', readonly version: number, readonly seq: bigint }
  | { readonly kind: 'data', readonly version: number, readonly header: DataHeader, readonly body: Uint8Array }

export type DropReason = 'short' | 'unknown-version' | 'unauthenticated' | 'bad-mac' | 'bad-seq'

export type Parsed = { readonly ok: true, readonly datagram: Datagram } | { readonly ok: false, readonly reason: DropReason, readonly detail: string }

export function hmacSha1 (key: Uint8Array, bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha1', key).update(bytes).digest())
}

/** A data datagram; with `macKey`, version 1 with an HMAC trailer. */
export function encodeData (header: DataHeader, body: Uint8Array, macKey: Uint8Array | null = null): Uint8Array {
  const length = DATA_HEADER_BYTES + body.length
  const out = new Uint8Array(length + (macKey === null ? 0 : MAC_BYTES))
  const view = new DataView(out.buffer)
  view.setInt32(0, macKey === null ? 0 : 1)
  view.setBigInt64(4, BigInt.asIntN(64, header.ack))
  view.setBigInt64(12, BigInt.asIntN(64, header.seq))
  view.setInt32(20, header.waitMs | 0)
  view.setInt32(24, header.estRttMs | 0)
  out.set(body, DATA_HEADER_BYTES)
  if (macKey !== null) out.set(hmacSha1(macKey, out.subarray(0, length)), length)
  return out
}

/** A pure ack for `seq`; with `macKey`, the 32-byte MAC'ed form. */
export function encodePureAck (seq: bigint, macKey: Uint8Array | null = null): Uint8Array {
  const out = new Uint8Array(PURE_ACK_BYTES + (macKey === null ? 0 : MAC_BYTES))
  const view = new DataView(out.buffer)
  view.setInt32(0, macKey === null ? 0 : 1)
  view.setBigInt64(4, BigInt.asIntN(64, seq))
  if (macKey !== null) out.set(hmacSha1(macKey, out.subarray(0, PURE_ACK_BYTES)), PURE_ACK_BYTES)
  return out
}

/** Parses a datagram's framing (and checks its MAC when `macKey` is set). */
export function parseDatagram (bytes: Uint8Array, macKey: Uint8Array | null = null): Parsed {
  if (bytes.length < 4) return drop('short', `${bytes.length} bytes`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const version = view.getInt32(0)
  let end = bytes.length
  if (version === 0) {
    if (macKey !== null) return drop('unauthenticated', 'version 0 datagram while a MAC key is set')
    if (bytes.length < PURE_ACK_BYTES) return drop('short', `${bytes.length} bytes`)
  } else if (version === 1) {
    if (bytes.length < PURE_ACK_BYTES + MAC_BYTES) return drop('short', `${bytes.length} bytes with MAC`)
    end = bytes.length - MAC_BYTES
    if (macKey !== null) {
      const expected = hmacSha1(macKey, bytes.subarray(0, end))
      if (!timingSafeEqual(expected, bytes.subarray(end))) return drop('bad-mac', 'MAC does not match')
    }
  } else {
    return drop('unknown-version', `version ${version}`)
  }
  if (end === PURE_ACK_BYTES) return { ok: true, datagram: { kind: 'ack', version, seq: view.getBigInt64(4) } }
  if (end < LEGACY_HEADER_BYTES) return drop('short', `${end} bytes of data header`)
  const full = end - LEGACY_HEADER_BYTES >= 8
  const header: DataHeader = {
    ack: view.getBigInt64(4),
    seq: view.getBigInt64(12),
    waitMs: full ? view.getInt32(20) : -1,
    estRttMs: full ? view.getInt32(24) : -1
  }
  if (header.seq < -1n) return drop('bad-seq', `negative seq ${header.seq}`)
  const body = bytes.subarray(full ? DATA_HEADER_BYTES : LEGACY_HEADER_BYTES, end)
  return { ok: true, datagram: { kind: 'data', version, header, body } }
}

function drop (reason: DropReason, detail: string): Parsed {
  return { ok: false, reason, detail }
}

/** Bamboo's seq = msg_id << 8 | attempt (attempt 1..127). */
export function makeSeq (msgId: bigint, attempt: number): bigint {
  return (msgId << 8n) | BigInt(attempt)
}

export function seqMsgId (seq: bigint): bigint {
  return seq >> 8n
}

export function seqAttempt (seq: bigint): number {
  return Number(seq & 0x7fn)
}

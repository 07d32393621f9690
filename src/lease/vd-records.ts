/**
 * A VD's records in the DHT (xest.md §3, "Naming in the DHT"): under SHA-1("xest:vd:<id>") the
 * VD record — name, writer host, lease epoch, latest snapshot, group table — as compact JSON of
 * at most 1 KiB; under SHA-1("xest:name:<name>") the VD's id. Both are put removable with the
 * VD's secret, so only its holder can remove them. Since a DHT key holds a set of values, the
 * current record is the one with the highest epoch (ties: the smallest writer address wins).
 * Pure encoding, decoding and choice; never throws on what it reads (bad values → null).
 */
import { MAX_VALUE_BYTES } from '../dht/dht-api.ts'
import { sha1 } from '../ids/sha1.ts'

export interface VdDhtRecord {
  readonly name: string
  /** `host:port` of the writer (after a release: the last writer, which still holds the data). */
  readonly writer: string
  readonly epoch: number
  /** Latest closed snapshot (40 hex digits), or null. */
  readonly snapshot: string | null
  /** Object id of the snapshot's group table, or null. */
  readonly groupTable: string | null
  /** When the writer's lease runs out, ms since 1970 by the writer's clock; 0: released. */
  readonly untilMs: number
}

export interface DatedRecord extends VdDhtRecord {
  /** Seconds the DHT will keep it. */
  readonly ttlRemainingS: number
}

const HEX40 = /^[0-9a-f]{40}$/

export const vdRecordKey = (vdId: string): Uint8Array => sha1(`xest:vd:${vdId}`)
export const vdNameKey = (name: string): Uint8Array => sha1(`xest:name:${name}`)

export function encodeVdRecord (r: VdDhtRecord): Uint8Array {
  const bytes = new TextEncoder().encode(JSON.stringify({ v: 1, n: r.name, w: r.writer, e: r.epoch, s: r.snapshot, g: r.groupTable, u: r.untilMs }))
  if (bytes.length > MAX_VALUE_BYTES) throw new RangeError(`a VD record is ${bytes.length} bytes; the DHT takes ${MAX_VALUE_BYTES}`)
  return bytes
}

export function decodeVdRecord (bytes: Uint8Array): VdDhtRecord | null {
  let v: unknown
  try { v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) } catch { return null }
  if (typeof v !== 'object' || v === null) return null
  const o = v as Record<string, unknown>
  if (o.v !== 1 || typeof o.n !== 'string' || typeof o.w !== 'string' || !Number.isSafeInteger(o.e) || (o.e as number) < 0) return null
  if (!Number.isSafeInteger(o.u) || (o.u as number) < 0) return null
  const hexOrNull = (x: unknown): string | null | undefined => x === null ? null : typeof x === 'string' && HEX40.test(x) ? x : undefined
  const snapshot = hexOrNull(o.s)
  const groupTable = hexOrNull(o.g)
  if (snapshot === undefined || groupTable === undefined) return null
  return { name: o.n, writer: o.w, epoch: o.e as number, snapshot, groupTable, untilMs: o.u as number }
}

/**
 * The current record, the same for every reader: highest epoch, then the smallest writer; for
 * one writer's records of one epoch (a renewal or release whose predecessor's removal has not
 * reached every replica yet), the release, else the latest lease end.
 */
export function currentRecord<T extends VdDhtRecord> (records: readonly T[]): T | null {
  let best: T | null = null
  for (const r of records) if (best === null || newer(r, best)) best = r
  return best
}

function newer (a: VdDhtRecord, b: VdDhtRecord): boolean {
  if (a.epoch !== b.epoch) return a.epoch > b.epoch
  if (a.writer !== b.writer) return a.writer < b.writer
  if ((a.untilMs === 0) !== (b.untilMs === 0)) return a.untilMs === 0
  return a.untilMs > b.untilMs
}

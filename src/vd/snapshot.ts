/**
 * Snapshot records: immutable, content-addressed objects naming a map root, the parent
 * snapshot(s) (one for a linear step, two for a merge: ours then theirs), the VD, a time given by
 * the caller's clock, and a message. Canonical JSON after a fixed prefix, fields in a fixed order,
 * so the same inputs always give the same snapshot id. Never performs I/O.
 */
import { CorruptObjectError, isObjectId, type ObjectId } from './object-id.ts'
import type { ObjectStore } from './object-store.ts'

const PREFIX = 'xest-snapshot/1\n'
const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

export type VdKind = 'tree' | 'image'

export interface SnapshotRecord {
  /** The VD whose series this snapshot was closed in (40 hex digits). */
  vdId: string
  kind: VdKind
  root: ObjectId
  parents: ObjectId[]
  timeMs: number
  message: string
  /** Image VDs: the image's length (blocks of zeros are not stored). */
  imageSizeBytes?: number
}

export function encodeSnapshot (s: SnapshotRecord): Uint8Array {
  const ordered: Record<string, unknown> = { vdId: s.vdId, kind: s.kind, root: s.root, parents: s.parents, timeMs: s.timeMs, message: s.message }
  if (s.imageSizeBytes !== undefined) ordered.imageSizeBytes = s.imageSizeBytes
  return encoder.encode(PREFIX + JSON.stringify(ordered))
}

export function decodeSnapshot (bytes: Uint8Array, id: ObjectId | null = null): SnapshotRecord {
  let text: string
  try {
    text = decoder.decode(bytes)
  } catch {
    throw new CorruptObjectError(id, 'snapshot record is not UTF-8')
  }
  if (!text.startsWith(PREFIX)) throw new CorruptObjectError(id, 'not a snapshot record')
  let v: Record<string, unknown>
  try {
    v = JSON.parse(text.slice(PREFIX.length)) as Record<string, unknown>
  } catch (error) {
    throw new CorruptObjectError(id, `snapshot record: ${(error as Error).message}`)
  }
  const ok = typeof v.vdId === 'string' && (v.kind === 'tree' || v.kind === 'image') && typeof v.root === 'string' && isObjectId(v.root) &&
    Array.isArray(v.parents) && v.parents.every((p) => typeof p === 'string' && isObjectId(p)) &&
    typeof v.timeMs === 'number' && typeof v.message === 'string' &&
    (v.imageSizeBytes === undefined || (typeof v.imageSizeBytes === 'number' && Number.isSafeInteger(v.imageSizeBytes)))
  if (!ok) throw new CorruptObjectError(id, 'snapshot record has missing or malformed fields')
  const record: SnapshotRecord = { vdId: v.vdId as string, kind: v.kind as VdKind, root: v.root as string, parents: v.parents as string[], timeMs: v.timeMs as number, message: v.message as string }
  if (v.imageSizeBytes !== undefined) record.imageSizeBytes = v.imageSizeBytes as number
  return record
}

/** Loads snapshot records through a store, caching decoded ones (they are immutable). */
export class SnapshotReader {
  readonly #cache = new Map<ObjectId, SnapshotRecord>()

  constructor (readonly store: ObjectStore) {}

  read (id: ObjectId): SnapshotRecord {
    let record = this.#cache.get(id)
    if (record === undefined) {
      record = decodeSnapshot(this.store.get(id), id)
      this.#cache.set(id, record)
    }
    return record
  }

  write (record: SnapshotRecord): ObjectId {
    const id = this.store.put(encodeSnapshot(record))
    this.#cache.set(id, record)
    return id
  }
}

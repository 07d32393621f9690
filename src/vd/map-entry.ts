/**
 * What a snapshot map holds per key (a path, or a block number): the kind of thing, the object
 * that holds its bytes, its size, mode and modification time. Encoded in map nodes with a kind
 * byte. Equality for merges ignores mtime (`sameContent`). Never performs I/O.
 */
import type { ByteReader, ByteWriter } from './bytes.ts'
import type { ObjectId } from './object-id.ts'

/**
 * `file`: `id` is the file's bytes when it fits one chunk (then it is also the SHA-1 of the whole
 * file), else a file manifest (`manifest` true, see file-manifest.ts). `dir`: no id. `symlink`:
 * `id` holds the link target. `block`: one 4 KiB block of a disk image.
 */
export type EntryKind = 'file' | 'dir' | 'symlink' | 'block'

export interface MapEntry {
  kind: EntryKind
  id: ObjectId | null
  manifest: boolean
  sizeBytes: number
  /** Permission bits (& 0o7777). */
  mode: number
  /** Integer milliseconds since the epoch. */
  mtimeMs: number
}

const KIND_CODES: Record<string, number> = { file: 1, manifest: 2, dir: 3, symlink: 4, block: 5 }

export function encodeEntry (w: ByteWriter, e: MapEntry): void {
  w.u8(e.kind === 'file' && e.manifest ? KIND_CODES.manifest! : KIND_CODES[e.kind]!)
  if (e.kind !== 'dir') w.id(e.id!)
  w.varint(e.sizeBytes).varint(e.mode).varint(e.mtimeMs)
}

export function decodeEntry (r: ByteReader): MapEntry {
  const code = r.u8('entry kind')
  const kind: EntryKind | undefined = code === 1 || code === 2 ? 'file' : code === 3 ? 'dir' : code === 4 ? 'symlink' : code === 5 ? 'block' : undefined
  if (kind === undefined) r.fail(`unknown entry kind ${code}`)
  const id = kind === 'dir' ? null : r.id()
  const sizeBytes = r.varint('size')
  const mode = r.varint('mode')
  const mtimeMs = r.varint('mtime')
  return { kind, id, manifest: code === 2, sizeBytes, mode, mtimeMs }
}

/** Same bytes, kind and mode (mtime ignored): what a merge treats as "no difference". */
export function sameContent (a: MapEntry | null | undefined, b: MapEntry | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null)
  return a.kind === b.kind && a.id === b.id && a.manifest === b.manifest && a.sizeBytes === b.sizeBytes && a.mode === b.mode
}

/** Identical in every field. */
export function sameEntry (a: MapEntry | null | undefined, b: MapEntry | null | undefined): boolean {
  return sameContent(a, b) && (a === null || a === undefined || a.mtimeMs === b!.mtimeMs)
}

export function dirEntry (mode: number, mtimeMs: number): MapEntry {
  return { kind: 'dir', id: null, manifest: false, sizeBytes: 0, mode: mode & 0o7777, mtimeMs: Math.max(0, Math.floor(mtimeMs)) }
}

/** JSON form (staged head changes in the VD's metadata file). */
export function entryToJson (e: MapEntry): unknown {
  return { k: e.kind, i: e.id, m: e.manifest ? 1 : 0, s: e.sizeBytes, p: e.mode, t: e.mtimeMs }
}

export function entryFromJson (value: unknown, where: string): MapEntry {
  const v = value as Record<string, unknown>
  const kind = v?.k
  if ((kind !== 'file' && kind !== 'dir' && kind !== 'symlink' && kind !== 'block') ||
    !(v.i === null || typeof v.i === 'string') || typeof v.s !== 'number' || typeof v.p !== 'number' || typeof v.t !== 'number') {
    throw new Error(`${where}: malformed entry ${JSON.stringify(value)}`)
  }
  return { kind, id: v.i as ObjectId | null, manifest: v.m === 1, sizeBytes: v.s, mode: v.p, mtimeMs: v.t }
}

/**
 * Files as objects. A file of one chunk is that chunk (its id is the SHA-1 of the whole file); a
 * longer file is a manifest object listing its chunks (id, size). A manifest lists at most 2048
 * children, so no object exceeds about 50 KiB; longer files get a tree of manifests (depth > 0
 * lists sub-manifests). The top manifest also records the SHA-1 of the whole file (`contentId`),
 * so identical files stored under different chunkings are recognisable. Storing goes through an
 * ObjectStore; reading a local file uses synchronous node:fs. Never touches the network.
 */
import { createHash, type Hash } from 'node:crypto'
import { closeSync, openSync, readSync } from 'node:fs'
import { ByteReader, ByteWriter } from './bytes.ts'
import { Chunker } from './chunker.ts'
import { CorruptObjectError, EMPTY_OBJECT_ID, type ObjectId } from './object-id.ts'
import type { ObjectStore } from './object-store.ts'
import type { MapEntry } from './map-entry.ts'

export const MANIFEST_FANOUT = 2048
const MAGIC = [0x58, 0x46, 0x4d, 0x01] // 'XFM' v1

export interface ManifestChild { id: ObjectId, sizeBytes: number }

export interface Manifest {
  /** 0: children are chunks; d > 0: children are manifests of depth d − 1. */
  depth: number
  totalBytes: number
  /** SHA-1 of the whole file (top manifest only). */
  contentId: ObjectId | null
  children: ManifestChild[]
}

export function encodeManifest (m: Manifest): Uint8Array {
  const w = new ByteWriter().bytes(Uint8Array.from(MAGIC)).u8(m.depth).u8(m.contentId === null ? 0 : 1).varint(m.totalBytes)
  if (m.contentId !== null) w.id(m.contentId)
  w.varint(m.children.length)
  for (const c of m.children) w.id(c.id).varint(c.sizeBytes)
  return w.finish()
}

export function decodeManifest (bytes: Uint8Array, id: ObjectId | null = null): Manifest {
  const r = new ByteReader(bytes, id)
  for (const b of MAGIC) if (r.u8('manifest magic') !== b) r.fail('not a file manifest')
  const depth = r.u8('depth')
  const flags = r.u8('flags')
  const totalBytes = r.varint('total size')
  const contentId = (flags & 1) !== 0 ? r.id('content id') : null
  const count = r.varint('child count')
  if (count > MANIFEST_FANOUT) r.fail(`${count} children`)
  const children: ManifestChild[] = []
  let sum = 0
  for (let i = 0; i < count; i++) {
    const child = { id: r.id(), sizeBytes: r.varint('child size') }
    sum += child.sizeBytes
    children.push(child)
  }
  r.end()
  if (sum !== totalBytes) r.fail(`children sum to ${sum}, not ${totalBytes}`)
  return { depth, totalBytes, contentId, children }
}

export interface StoredFile {
  id: ObjectId
  manifest: boolean
  sizeBytes: number
  chunks: number
}

/** Collects a file's chunks (in order) into objects: `add` each chunk, then `finish`. */
export class FileBuilder {
  readonly #children: ManifestChild[] = []
  readonly #hash: Hash = createHash('sha1')
  #sizeBytes = 0

  constructor (private readonly store: ObjectStore) {}

  add (chunk: Uint8Array): void {
    this.#children.push({ id: this.store.put(chunk), sizeBytes: chunk.length })
    this.#hash.update(chunk)
    this.#sizeBytes += chunk.length
  }

  finish (): StoredFile {
    const chunks = this.#children.length
    if (chunks === 0) return { id: this.store.put(new Uint8Array(0)), manifest: false, sizeBytes: 0, chunks }
    if (chunks === 1) return { id: this.#children[0]!.id, manifest: false, sizeBytes: this.#sizeBytes, chunks }
    let level = this.#children
    let depth = 0
    while (level.length > MANIFEST_FANOUT) {
      const next: ManifestChild[] = []
      for (let i = 0; i < level.length; i += MANIFEST_FANOUT) {
        const children = level.slice(i, i + MANIFEST_FANOUT)
        const totalBytes = children.reduce((s, c) => s + c.sizeBytes, 0)
        next.push({ id: this.store.put(encodeManifest({ depth, totalBytes, contentId: null, children })), sizeBytes: totalBytes })
      }
      level = next
      depth++
    }
    const contentId = this.#hash.digest('hex')
    const id = this.store.put(encodeManifest({ depth, totalBytes: this.#sizeBytes, contentId, children: level }))
    return { id, manifest: true, sizeBytes: this.#sizeBytes, chunks }
  }
}

/** Chunks and stores bytes held in memory. */
export function storeBytes (store: ObjectStore, bytes: Uint8Array, chunker: Chunker): StoredFile {
  const builder = new FileBuilder(store)
  let start = 0
  while (start < bytes.length) {
    const end = chunker.cut(bytes, start, bytes.length, true)
    builder.add(bytes.subarray(start, end))
    start = end
  }
  return builder.finish()
}

const READ_BYTES = 4 << 20

/** Chunks and stores a local file, streaming it through a bounded buffer (any size of file). */
export function storeLocalFile (store: ObjectStore, path: string, chunker: Chunker, scratch?: Buffer): StoredFile {
  const maxBytes = chunker.params.maxBytes
  const buf = scratch !== undefined && scratch.length >= READ_BYTES + maxBytes ? scratch : Buffer.allocUnsafe(READ_BYTES + maxBytes)
  const builder = new FileBuilder(store)
  const fd = openSync(path, 'r')
  try {
    let fill = 0
    let start = 0
    let eof = false
    while (true) {
      if (!eof) {
        if (start > 0) {
          buf.copy(buf, 0, start, fill)
          fill -= start
          start = 0
        }
        const n = readSync(fd, buf, fill, buf.length - fill, null)
        if (n === 0) eof = true
        fill += n
      }
      while (start < fill) {
        const end = chunker.cut(buf, start, fill, eof)
        if (end < 0) break
        builder.add(buf.subarray(start, end))
        start = end
      }
      if (eof && start >= fill) break
    }
  } finally {
    closeSync(fd)
  }
  return builder.finish()
}

/** The chunks of a file entry (or a symlink's or block's single object), in order. */
export function * fileChunks (store: ObjectStore, entry: Pick<MapEntry, 'id' | 'manifest'>): Generator<Uint8Array> {
  if (entry.id === null) return
  if (!entry.manifest) {
    yield store.get(entry.id)
    return
  }
  yield * manifestChunks(store, entry.id)
}

function * manifestChunks (store: ObjectStore, id: ObjectId): Generator<Uint8Array> {
  const m = decodeManifest(store.get(id), id)
  for (const child of m.children) {
    if (m.depth === 0) yield store.get(child.id)
    else yield * manifestChunks(store, child.id)
  }
}

/** A file's whole content. */
export function readFileBytes (store: ObjectStore, entry: Pick<MapEntry, 'id' | 'manifest' | 'sizeBytes'>): Uint8Array {
  if (entry.id === null) return new Uint8Array(0)
  if (!entry.manifest) return store.get(entry.id)
  const out = new Uint8Array(entry.sizeBytes)
  let at = 0
  for (const chunk of fileChunks(store, entry)) {
    out.set(chunk, at)
    at += chunk.length
  }
  if (at !== entry.sizeBytes) throw new CorruptObjectError(entry.id, `file has ${at} bytes, entry says ${entry.sizeBytes}`)
  return out
}

/**
 * `length` bytes from `offset` (fewer at the end of the file), reading only the chunks that
 * overlap: what a FUSE read or a demand fetch needs.
 */
export function readFileRange (store: ObjectStore, entry: Pick<MapEntry, 'id' | 'manifest' | 'sizeBytes'>, offset: number, length: number): Uint8Array {
  const end = Math.min(entry.sizeBytes, offset + length)
  if (entry.id === null || offset >= end) return new Uint8Array(0)
  if (!entry.manifest) return new Uint8Array(store.get(entry.id).subarray(offset, end))
  const out = new Uint8Array(end - offset)
  const visit = (id: ObjectId, base: number): void => {
    const m = decodeManifest(store.get(id), id)
    let at = base
    for (const child of m.children) {
      const childEnd = at + child.sizeBytes
      if (childEnd > offset && at < end) {
        if (m.depth > 0) visit(child.id, at)
        else {
          const bytes = store.get(child.id)
          const from = Math.max(offset, at)
          const to = Math.min(end, childEnd)
          out.set(bytes.subarray(from - at, to - at), from - offset)
        }
      }
      at = childEnd
      if (at >= end) break
    }
  }
  visit(entry.id, 0)
  return out
}

/** The SHA-1 of the whole file: the entry's id for one chunk, else the top manifest's record. */
export function fileContentId (store: ObjectStore, entry: MapEntry): ObjectId {
  if (entry.id === null) return EMPTY_OBJECT_ID
  if (!entry.manifest) return entry.id
  const m = decodeManifest(store.get(entry.id), entry.id)
  if (m.contentId === null) throw new CorruptObjectError(entry.id, 'top manifest without a content id')
  return m.contentId
}

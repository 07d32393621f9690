/**
 * A read-only file-system view of one VD state: a snapshot's map (or a head: the base snapshot's
 * map with the staged changes over it, frozen when the view is built). `build` walks the whole
 * map once, level by level with up to 512 parallel loads (the map is keyed by path hash, so
 * listing a directory needs an index), and keeps a directory index; after that getattr and
 * readdir touch no object. `read` loads only the manifests and chunks that overlap the range asked for.
 * Every object comes through the async `loadObject` hook (a local store, or a node fetching from
 * the previous writer on demand). A tree VD shows its paths; an image VD shows one file,
 * `disk.img`. Failures are `FsError`s with errno codes (ENOENT, ENOTDIR, EISDIR, EROFS for any
 * write, EIO when an object cannot be loaded or decoded); nothing here throws anything else for
 * a request. Never imports FUSE and never touches the local file system itself.
 */
import { constants as fsConstants } from 'node:fs'
import { BLOCK_BYTES } from '../vd/chunker.ts'
import { decodeManifest, type Manifest } from '../vd/file-manifest.ts'
import type { MapEntry } from '../vd/map-entry.ts'
import { decodeNode } from '../vd/merkle-map.ts'
import type { ObjectId } from '../vd/object-id.ts'
import type { VdKind } from '../vd/snapshot.ts'
import { ancestorPaths, isCanonicalPath, parentPath } from '../vd/vd-path.ts'
import { FsError } from './fs-errors.ts'

/** The bytes of an object; rejects when it cannot be had. */
export type LoadObject = (id: ObjectId) => Promise<Uint8Array>

/** What to show: a map root (null: empty) and, for a head, the staged changes over it. */
export interface FsSource {
  kind: VdKind
  root: ObjectId | null
  staged?: ReadonlyMap<string, MapEntry | null>
  /** Image VDs: the image's length. */
  imageSizeBytes?: number
  /** The root directory's mtime (the snapshot's time). */
  timeMs: number
}

export interface VdFilesystemOptions {
  loadObject: LoadObject
  /** Owner shown for every entry (the store keeps none). @default 0 */
  uid?: number
  gid?: number
  /** Bytes of chunks kept decoded in memory. @default 16 MiB */
  chunkCacheBytes?: number
}

export interface FsAttributes {
  /** st_mode: type bits | permission bits. */
  mode: number
  sizeBytes: number
  mtimeMs: number
  nlink: number
  uid: number
  gid: number
  /** 512-byte blocks. */
  blocks: number
}

export interface FsStats {
  entries: number
  /** Entries dropped from the view: a malformed key, or a parent that is not a directory. */
  skippedEntries: number
  opens: number
  reads: number
  bytesRead: number
  objectsLoaded: number
  objectBytesLoaded: number
  loadFailures: number
}

/** The one file of an image VD's view. */
export const IMAGE_FILE_NAME = 'disk.img'

const S_IFDIR = 0o040000
const S_IFREG = 0o100000
const S_IFLNK = 0o120000
const WRITE_FLAGS = fsConstants.O_WRONLY | fsConstants.O_RDWR | fsConstants.O_CREAT | fsConstants.O_TRUNC | fsConstants.O_APPEND
const MANIFEST_CACHE_MAX = 1024
/** Map nodes requested at once while indexing. */
const LOADS_IN_FLIGHT = 512
const decoder = new TextDecoder()

interface FsNode {
  /** null: the root, or a directory implied by deeper keys. */
  entry: MapEntry | null
  dir: boolean
  children: string[] | null
  subdirs: number
  /** Image VDs' disk.img. */
  image?: true
}

interface Handle { key: string, node: FsNode }

export class VdFilesystem {
  readonly stats: FsStats = { entries: 0, skippedEntries: 0, opens: 0, reads: 0, bytesRead: 0, objectsLoaded: 0, objectBytesLoaded: 0, loadFailures: 0 }
  readonly #nodes = new Map<string, FsNode>()
  readonly #blocks = new Map<number, MapEntry>()
  readonly #handles = new Map<number, Handle>()
  readonly #manifests = new Map<ObjectId, Manifest>()
  readonly #chunks = new Map<ObjectId, Uint8Array>()
  readonly #load: LoadObject
  readonly #uid: number
  readonly #gid: number
  readonly #chunkCacheBytes: number
  #cachedBytes = 0
  #nextFd = 1
  #totalBytes = 0

  private constructor (readonly source: FsSource, options: VdFilesystemOptions) {
    this.#load = options.loadObject
    this.#uid = options.uid ?? 0
    this.#gid = options.gid ?? 0
    this.#chunkCacheBytes = options.chunkCacheBytes ?? 16 << 20
  }

  /** Loads the map (every node, none of the file contents) and indexes it. */
  static async build (source: FsSource, options: VdFilesystemOptions): Promise<VdFilesystem> {
    const fs = new VdFilesystem(source, options)
    const entries = new Map<string, MapEntry>()
    let level = source.root === null ? [] : [source.root]
    while (level.length > 0) {
      const nodes = []
      for (let i = 0; i < level.length; i += LOADS_IN_FLIGHT) {
        nodes.push(...await Promise.all(level.slice(i, i + LOADS_IN_FLIGHT).map(async (id) => {
          try {
            return decodeNode(await fs.#object(id), id)
          } catch (error) {
            throw new Error(`cannot read map node ${id} of the VD: ${(error as Error).message}`, { cause: error })
          }
        })))
      }
      level = []
      for (const node of nodes) {
        for (const slot of node.slots) {
          if (slot === undefined) continue
          if ('child' in slot) level.push(slot.child)
          else for (const [key, entry] of slot.bucket) entries.set(key, entry)
        }
      }
    }
    for (const [key, entry] of source.staged ?? []) {
      if (entry === null) entries.delete(key)
      else entries.set(key, entry)
    }
    fs.#index(entries)
    return fs
  }

  #index (entries: Map<string, MapEntry>): void {
    const root: FsNode = { entry: null, dir: true, children: [], subdirs: 0 }
    this.#nodes.set('', root)
    if (this.source.kind === 'image') {
      for (const [key, entry] of entries) {
        const n = /^(0|[1-9][0-9]*)$/.test(key) ? Number(key) : NaN
        if (entry.kind === 'block' && Number.isSafeInteger(n)) this.#blocks.set(n, entry)
        else this.stats.skippedEntries++
      }
      const sizeBytes = this.source.imageSizeBytes ?? 0
      const image: MapEntry = { kind: 'file', id: null, manifest: false, sizeBytes, mode: 0o444, mtimeMs: this.source.timeMs }
      this.#nodes.set(IMAGE_FILE_NAME, { entry: image, dir: false, children: null, subdirs: 0, image: true })
      root.children!.push(IMAGE_FILE_NAME)
      this.stats.entries = 1
      this.#totalBytes = sizeBytes
      return
    }
    const sorted = [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    for (const [key, entry] of sorted) {
      if (!isCanonicalPath(key) || entry.kind === 'block' || !this.#parentsAreDirs(key)) {
        this.stats.skippedEntries++
        continue
      }
      const existing = this.#nodes.get(key)
      if (existing !== undefined) { // a directory implied by a deeper key sorted first: never, but harmless
        if (entry.kind === 'dir') existing.entry = entry
        else this.stats.skippedEntries++
        continue
      }
      this.#add(key, { entry, dir: entry.kind === 'dir', children: entry.kind === 'dir' ? [] : null, subdirs: 0 })
      if (entry.kind === 'file') this.#totalBytes += entry.sizeBytes
      this.stats.entries++
    }
  }

  /** Creates missing ancestors as implied directories; false when one is not a directory. */
  #parentsAreDirs (key: string): boolean {
    for (const ancestor of ancestorPaths(key)) {
      const node = this.#nodes.get(ancestor)
      if (node === undefined) this.#add(ancestor, { entry: null, dir: true, children: [], subdirs: 0 })
      else if (!node.dir) return false
    }
    return true
  }

  #add (key: string, node: FsNode): void {
    this.#nodes.set(key, node)
    const parentKey = parentPath(key) ?? ''
    const parent = this.#nodes.get(parentKey)!
    parent.children!.push(parentKey === '' ? key : key.slice(parentKey.length + 1))
    if (node.dir) parent.subdirs++
  }

  /** The node at a FUSE path ('/', '/a/b'); ENOENT, or ENOTDIR when a component is not a directory. */
  #lookup (path: string): { key: string, node: FsNode } {
    const key = path.split('/').filter((p) => p.length > 0).join('/')
    const node = this.#nodes.get(key)
    if (node !== undefined) return { key, node }
    for (const ancestor of ancestorPaths(key)) {
      const up = this.#nodes.get(ancestor)
      if (up === undefined) break
      if (!up.dir) throw new FsError('ENOTDIR', `${path}: "/${ancestor}" is not a directory`)
    }
    throw new FsError('ENOENT', `${path}: no such file or directory`)
  }

  async getattr (path: string): Promise<FsAttributes> {
    const { node } = this.#lookup(path)
    const e = node.entry
    const mtimeMs = e?.mtimeMs ?? this.source.timeMs
    if (node.dir) {
      return { mode: S_IFDIR | (e?.mode ?? 0o555), sizeBytes: 4096, mtimeMs, nlink: 2 + node.subdirs, uid: this.#uid, gid: this.#gid, blocks: 8 }
    }
    const type = e!.kind === 'symlink' ? S_IFLNK : S_IFREG
    return { mode: type | e!.mode, sizeBytes: e!.sizeBytes, mtimeMs, nlink: 1, uid: this.#uid, gid: this.#gid, blocks: Math.ceil(e!.sizeBytes / 512) }
  }

  /** Names in a directory (without "." and ".."). */
  async readdir (path: string): Promise<string[]> {
    const { node } = this.#lookup(path)
    if (!node.dir) throw new FsError('ENOTDIR', `${path}: not a directory`)
    return node.children!.slice()
  }

  async readlink (path: string): Promise<string> {
    const { node } = this.#lookup(path)
    if (node.entry?.kind !== 'symlink') throw new FsError('EINVAL', `${path}: not a symbolic link`)
    return decoder.decode(await this.#object(node.entry.id!))
  }

  /** A handle for reading a file; any write access is EROFS. */
  async open (path: string, flags = 0): Promise<number> {
    const { key, node } = this.#lookup(path)
    if ((flags & WRITE_FLAGS) !== 0) throw new FsError('EROFS', `${path}: read-only file system`)
    if (node.dir) throw new FsError('EISDIR', `${path}: is a directory`)
    if (node.entry!.kind === 'symlink') throw new FsError('ELOOP', `${path}: is a symbolic link`)
    const fd = this.#nextFd++
    this.#handles.set(fd, { key, node })
    this.stats.opens++
    return fd
  }

  /** Up to `length` bytes from `offset` (fewer at the end of the file). */
  async read (fd: number, offset: number, length: number): Promise<Uint8Array> {
    const handle = this.#handles.get(fd)
    if (handle === undefined) throw new FsError('EBADF', `no open file ${fd}`)
    if (!(Number.isSafeInteger(offset) && offset >= 0 && Number.isSafeInteger(length) && length >= 0)) throw new FsError('EINVAL', `read of ${length} bytes at ${offset}`)
    const bytes = handle.node.image === true ? await this.#readImage(offset, length) : await this.#readRange(handle.node.entry!, offset, length)
    this.stats.reads++
    this.stats.bytesRead += bytes.length
    return bytes
  }

  /** Reads a whole file by path (open, read, release). */
  async readFile (path: string): Promise<Uint8Array> {
    const fd = await this.open(path)
    try {
      return await this.read(fd, 0, Number.MAX_SAFE_INTEGER)
    } finally {
      this.release(fd)
    }
  }

  release (fd: number): void {
    this.#handles.delete(fd)
  }

  get openHandles (): number {
    return this.#handles.size
  }

  /** Every write operation answers this. */
  refuseWrite (operation: string, path: string): never {
    throw new FsError('EROFS', `${operation} ${path}: read-only file system`)
  }

  statfs (): { totalBytes: number, files: number } {
    return { totalBytes: this.#totalBytes, files: this.#nodes.size }
  }

  async #readRange (entry: MapEntry, offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(entry.sizeBytes, offset + length)
    if (entry.id === null || offset >= end) return new Uint8Array(0)
    if (!entry.manifest) {
      const bytes = await this.#chunk(entry.id)
      if (bytes.length !== entry.sizeBytes) throw new FsError('EIO', `object ${entry.id} has ${bytes.length} bytes, the entry says ${entry.sizeBytes}`)
      return bytes.subarray(offset, end)
    }
    const pieces: Array<{ id: ObjectId, at: number, sizeBytes: number }> = []
    await this.#overlapping(entry.id, 0, offset, end, pieces)
    const out = new Uint8Array(end - offset)
    await Promise.all(pieces.map(async (p) => {
      const bytes = await this.#chunk(p.id)
      if (bytes.length !== p.sizeBytes) throw new FsError('EIO', `chunk ${p.id} has ${bytes.length} bytes, its manifest says ${p.sizeBytes}`)
      const from = Math.max(offset, p.at)
      const to = Math.min(end, p.at + p.sizeBytes)
      out.set(bytes.subarray(from - p.at, to - p.at), from - offset)
    }))
    return out
  }

  /** The chunks of manifest `id` (whose bytes start at `base`) that overlap [offset, end). */
  async #overlapping (id: ObjectId, base: number, offset: number, end: number, out: Array<{ id: ObjectId, at: number, sizeBytes: number }>): Promise<void> {
    const m = await this.#manifest(id)
    const below: Array<Promise<void>> = []
    let at = base
    for (const child of m.children) {
      const childEnd = at + child.sizeBytes
      if (childEnd > offset && at < end) {
        if (m.depth > 0) below.push(this.#overlapping(child.id, at, offset, end, out))
        else out.push({ id: child.id, at, sizeBytes: child.sizeBytes })
      }
      at = childEnd
      if (at >= end) break
    }
    await Promise.all(below)
  }

  async #readImage (offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(this.source.imageSizeBytes ?? 0, offset + length)
    if (offset >= end) return new Uint8Array(0)
    const out = new Uint8Array(end - offset)
    const loads: Array<Promise<void>> = []
    for (let n = Math.floor(offset / BLOCK_BYTES); n * BLOCK_BYTES < end; n++) {
      const entry = this.#blocks.get(n)
      if (entry === undefined) continue
      const at = n * BLOCK_BYTES
      loads.push(this.#chunk(entry.id!).then((bytes) => {
        const from = Math.max(offset, at)
        const to = Math.min(end, at + bytes.length)
        if (to > from) out.set(bytes.subarray(from - at, to - at), from - offset)
      }))
    }
    await Promise.all(loads)
    return out
  }

  async #manifest (id: ObjectId): Promise<Manifest> {
    let m = this.#manifests.get(id)
    if (m !== undefined) return m
    const bytes = await this.#object(id)
    try {
      m = decodeManifest(bytes, id)
    } catch (error) {
      throw new FsError('EIO', (error as Error).message, { cause: error })
    }
    if (this.#manifests.size >= MANIFEST_CACHE_MAX) this.#manifests.delete(this.#manifests.keys().next().value!)
    this.#manifests.set(id, m)
    return m
  }

  /** A chunk through the LRU cache. */
  async #chunk (id: ObjectId): Promise<Uint8Array> {
    const cached = this.#chunks.get(id)
    if (cached !== undefined) {
      this.#chunks.delete(id)
      this.#chunks.set(id, cached)
      return cached
    }
    const bytes = await this.#object(id)
    if (bytes.length <= this.#chunkCacheBytes / 4 && !this.#chunks.has(id)) {
      this.#chunks.set(id, bytes)
      this.#cachedBytes += bytes.length
      while (this.#cachedBytes > this.#chunkCacheBytes) {
        const [oldId, old] = this.#chunks.entries().next().value!
        this.#chunks.delete(oldId)
        this.#cachedBytes -= old.length
      }
    }
    return bytes
  }

  async #object (id: ObjectId): Promise<Uint8Array> {
    let bytes: Uint8Array
    try {
      bytes = await this.#load(id)
    } catch (error) {
      this.stats.loadFailures++
      throw new FsError('EIO', `object ${id} could not be loaded: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
    }
    this.stats.objectsLoaded++
    this.stats.objectBytesLoaded += bytes.length
    return bytes
  }
}

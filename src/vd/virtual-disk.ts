/**
 * One VD's head on this host: reads see staged changes over the base snapshot; writes stage
 * entries (objects go to the store at once, the map is untouched); `snapshot` applies the staged
 * changes to the base map in one batch (only nodes on changed paths are written) and closes a
 * snapshot record. Mutations stay in memory until `save()` or `snapshot()` persists the VD record.
 * Every mutation first asks the repository's WriteFence (the lease layer's fencing hook). Listing
 * a directory scans the whole map (the map is keyed by path hash): O(entries).
 */
import { BLOCK_BYTES } from './chunker.ts'
import { readFileBytes, readFileRange, storeBytes, storeLocalFile } from './file-manifest.ts'
import { blockEntry, isZeroBlock } from './image.ts'
import { dirEntry, type MapEntry } from './map-entry.ts'
import type { MapCounters } from './merkle-map.ts'
import type { ObjectId } from './object-id.ts'
import type { VdRecord } from './vd-catalog.ts'
import { ancestorPaths, blockKey, isUnder, normalizePath } from './vd-path.ts'
import type { VdRepository } from './vd-repository.ts'

const encoder = new TextEncoder()

export interface WriteOptions {
  /** Permission bits (default 0o644 files, 0o755 directories, 0o777 symlinks). */
  mode?: number
  mtimeMs: number
}

export interface SnapshotResult {
  snapshotId: ObjectId
  /** False when nothing was staged (the id is the current base). */
  created: boolean
  changes: number
  map: MapCounters
}

export class VirtualDisk {
  constructor (readonly repo: VdRepository, readonly record: VdRecord) {}

  get id (): string { return this.record.id }
  get name (): string { return this.record.name }
  get kind (): VdRecord['kind'] { return this.record.kind }
  /** The snapshot the head continues from (null: an empty new VD). */
  get base (): ObjectId | null { return this.record.base }
  get stagedCount (): number { return this.record.staged.size }

  #baseRoot (): ObjectId | null {
    return this.record.base === null ? null : this.repo.snapshots.read(this.record.base).root
  }

  #fence (operation: string): void {
    this.repo.fence?.checkWrite(this.record, operation)
  }

  #tree (operation: string): void {
    if (this.kind !== 'tree') throw new Error(`${operation}: VD "${this.name}" is a disk image; use block operations`)
  }

  /** The head's entry at `path` (staged first, then the base snapshot). */
  stat (path: string): MapEntry | undefined {
    const key = this.kind === 'tree' ? normalizePath(path) : path
    if (this.record.staged.has(key)) return this.record.staged.get(key) ?? undefined
    const root = this.#baseRoot()
    return root === null ? undefined : this.repo.map.get(root, key)
  }

  readFile (path: string): Uint8Array {
    const entry = this.stat(path)
    if (entry === undefined) throw new Error(`${this.name}:${path}: no such file`)
    if (entry.kind === 'dir') throw new Error(`${this.name}:${path}: is a directory`)
    return readFileBytes(this.repo.store, entry)
  }

  readRange (path: string, offset: number, length: number): Uint8Array {
    const entry = this.stat(path)
    if (entry === undefined || entry.kind === 'dir') throw new Error(`${this.name}:${path}: not a file`)
    return readFileRange(this.repo.store, entry, offset, length)
  }

  /** Head entries under `dir` (all when undefined), sorted by key. Scans the whole map. */
  list (dir?: string): Array<[string, MapEntry]> {
    const prefix = dir === undefined || dir === '' || dir === '/' ? null : normalizePath(dir)
    const within = (k: string): boolean => prefix === null || isUnder(k, prefix)
    const out = new Map<string, MapEntry>()
    const root = this.#baseRoot()
    if (root !== null) for (const [k, e] of this.repo.map.entries(root)) if (within(k)) out.set(k, e)
    for (const [k, e] of this.record.staged) {
      if (!within(k)) continue
      if (e === null) out.delete(k)
      else out.set(k, e)
    }
    return [...out].sort((a, b) => (a[0] < b[0] ? -1 : 1))
  }

  /** Stages `entry` at `path`, creating missing parent directories (mkdir -p). */
  #put (path: string, entry: MapEntry, operation: string): string {
    this.#tree(operation)
    this.#fence(operation)
    const key = normalizePath(path)
    const existing = this.stat(key)
    if (existing?.kind === 'dir' && entry.kind !== 'dir') throw new Error(`${operation} ${key}: is a directory`)
    if (existing !== undefined && existing.kind !== 'dir' && entry.kind === 'dir') throw new Error(`${operation} ${key}: exists and is not a directory`)
    for (const parent of ancestorPaths(key)) {
      const e = this.stat(parent)
      if (e === undefined) this.record.staged.set(parent, dirEntry(0o755, entry.mtimeMs))
      else if (e.kind !== 'dir') throw new Error(`${operation} ${key}: "${parent}" is not a directory`)
    }
    this.record.staged.set(key, entry)
    return key
  }

  writeFile (path: string, bytes: Uint8Array, options: WriteOptions): MapEntry {
    const stored = storeBytes(this.repo.store, bytes, this.repo.chunker)
    const entry: MapEntry = { kind: 'file', id: stored.id, manifest: stored.manifest, sizeBytes: stored.sizeBytes, mode: (options.mode ?? 0o644) & 0o7777, mtimeMs: Math.floor(options.mtimeMs) }
    this.#put(path, entry, 'write')
    return entry
  }

  /** Copies a local file's bytes into the head at `path` (streamed; any size). */
  writeLocalFile (path: string, localPath: string, options: WriteOptions): MapEntry {
    const stored = storeLocalFile(this.repo.store, localPath, this.repo.chunker)
    const entry: MapEntry = { kind: 'file', id: stored.id, manifest: stored.manifest, sizeBytes: stored.sizeBytes, mode: (options.mode ?? 0o644) & 0o7777, mtimeMs: Math.floor(options.mtimeMs) }
    this.#put(path, entry, 'write')
    return entry
  }

  mkdir (path: string, options: WriteOptions): void {
    const existing = this.stat(path)
    if (existing?.kind === 'dir') return
    this.#put(path, dirEntry(options.mode ?? 0o755, options.mtimeMs), 'mkdir')
  }

  symlink (path: string, target: string, options: WriteOptions): void {
    const bytes = encoder.encode(target)
    this.#put(path, { kind: 'symlink', id: this.repo.store.put(bytes), manifest: false, sizeBytes: bytes.length, mode: (options.mode ?? 0o777) & 0o7777, mtimeMs: Math.floor(options.mtimeMs) }, 'symlink')
  }

  /** Deletes `path` (a directory only with `recursive`, then with everything below it). */
  remove (path: string, options: { recursive?: boolean } = {}): number {
    this.#tree('remove')
    this.#fence('remove')
    const key = normalizePath(path)
    const entry = this.stat(key)
    if (entry === undefined) throw new Error(`remove ${key}: no such file or directory`)
    const keys = [key]
    if (entry.kind === 'dir') {
      const below = this.list(key).map(([k]) => k)
      if (below.length > 0 && options.recursive !== true) throw new Error(`remove ${key}: directory not empty (use recursive)`)
      keys.push(...below)
    }
    for (const k of keys) this.record.staged.set(k, null)
    return keys.length
  }

  /** Image VDs: writes block `n` (BLOCK_BYTES, or fewer for the last block); zeros make a hole. */
  writeBlock (n: number, bytes: Uint8Array): void {
    if (this.kind !== 'image') throw new Error(`VD "${this.name}" is a tree, not an image`)
    if (!Number.isSafeInteger(n) || n < 0 || bytes.length === 0 || bytes.length > BLOCK_BYTES) throw new RangeError(`block ${n} of ${bytes.length} bytes`)
    this.#fence('write block')
    this.record.staged.set(blockKey(n), isZeroBlock(bytes) ? null : blockEntry(this.repo.store, bytes))
    this.record.imageSizeBytes = Math.max(this.record.imageSizeBytes ?? 0, n * BLOCK_BYTES + bytes.length)
  }

  readBlock (n: number): Uint8Array {
    const entry = this.stat(blockKey(n))
    return entry === undefined ? new Uint8Array(BLOCK_BYTES) : this.repo.store.get(entry.id!)
  }

  /** Drops staged changes (objects already stored stay, unreferenced). */
  discard (): void {
    this.record.staged.clear()
    this.record.imageSizeBytes = this.record.base === null ? undefined : this.repo.snapshots.read(this.record.base).imageSizeBytes
  }

  save (): void {
    this.repo.catalog.save(this.record)
  }

  /** Closes the staged changes into a new snapshot and persists the VD record. */
  snapshot (options: { timeMs: number, message?: string }): SnapshotResult {
    this.#fence('snapshot')
    const map = this.repo.map
    map.resetCounters()
    const base = this.record.base
    const baseRecord = base === null ? null : this.repo.snapshots.read(base)
    const sizeChanged = this.kind === 'image' && this.record.imageSizeBytes !== baseRecord?.imageSizeBytes
    if (base !== null && this.record.staged.size === 0 && !sizeChanged) return { snapshotId: base, created: false, changes: 0, map: map.resetCounters() }
    const changes = [...this.record.staged].map(([key, entry]) => ({ key, entry }))
    const root = baseRecord === null
      ? map.build(changes.flatMap(({ key, entry }): Array<[string, MapEntry]> => (entry === null ? [] : [[key, entry]])))
      : map.apply(baseRecord.root, changes)
    if (base !== null && root === baseRecord!.root && !sizeChanged) {
      this.record.staged.clear()
      this.save()
      return { snapshotId: base, created: false, changes: 0, map: map.resetCounters() }
    }
    const snapshotId = this.repo.snapshots.write({
      vdId: this.id, kind: this.kind, root, parents: base === null ? [] : [base], timeMs: Math.floor(options.timeMs), message: options.message ?? '',
      ...(this.kind === 'image' ? { imageSizeBytes: this.record.imageSizeBytes ?? 0 } : {})
    })
    this.record.snapshots.push(snapshotId)
    this.record.base = snapshotId
    this.record.staged.clear()
    this.save()
    return { snapshotId, created: true, changes: changes.length, map: map.resetCounters() }
  }
}

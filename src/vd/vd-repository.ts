/**
 * A host's VDs: the object store, the catalog of VD records, and the operations on them —
 * import (a directory tree or a disk image) as a new VD, open a VD's head, fork (no data
 * copied), log, diff, export, read, and three-way merge (a new snapshot on ours, or nothing
 * written at all when a conflict stays unresolved). VD ids come from the injected Rng; times are
 * given by the caller (no clock here). The repository keeps one live VirtualDisk per VD, so staged
 * changes made through any handle are seen by every operation. References: a VD by name or id prefix; a snapshot by id
 * (or a prefix of one in some VD's series), by `NAME` (its latest snapshot) or `NAME~K` (K back).
 */
import type { Rng } from '../env/rng.ts'
import { ancestorsOf, nearestCommonAncestor } from './ancestors.ts'
import { Chunker, LBFS_CHUNKING, type ChunkingParams } from './chunker.ts'
import { DiskObjectStore, type DiskStoreOptions } from './disk-object-store.ts'
import { readFileBytes, storeBytes } from './file-manifest.ts'
import { exportImage, scanImage, type ImageImportStats } from './image.ts'
import { diffMaps, type EntryChange } from './map-diff.ts'
import type { MapEntry } from './map-entry.ts'
import { planMerge } from './merge.ts'
import { MerkleMap, type MapCounters } from './merkle-map.ts'
import { isObjectId, type ObjectId } from './object-id.ts'
import { StagingObjectStore, type ObjectStore, type PutCounters } from './object-store.ts'
import type { Conflict, ResolverRegistry } from './resolvers.ts'
import { SnapshotReader, type SnapshotRecord, type VdKind } from './snapshot.ts'
import { exportTree, type TreeExportStats } from './tree-export.ts'
import { scanTree, type TreeImportStats } from './tree-import.ts'
import { DiskVdCatalog, type VdCatalog, type VdRecord } from './vd-catalog.ts'
import { normalizePath } from './vd-path.ts'
import { VirtualDisk } from './virtual-disk.ts'

/** The lease layer's hook: throws (e.g. a stale-epoch error) to refuse a change to a VD. */
export interface WriteFence {
  checkWrite (record: Readonly<VdRecord>, operation: string): void
}

export interface RepositoryOptions {
  store: ObjectStore
  catalog: VdCatalog
  rng: Rng
  chunking?: ChunkingParams
  fence?: WriteFence
}

export interface ImportResult {
  vd: VirtualDisk
  snapshotId: ObjectId
  tree?: TreeImportStats
  image?: ImageImportStats
  /** What this import's puts did (new objects versus deduplicated ones). */
  objects: PutCounters
  map: MapCounters
}

export interface MergeResult {
  ok: boolean
  /** The new merge snapshot (ok), or ours' current one when theirs was already merged. */
  snapshotId: ObjectId | null
  created: boolean
  base: ObjectId | null
  conflicts: Conflict[]
  unresolved: number
  changes: number
  cleanFromTheirs: number
}

export class VdRepository {
  readonly store: ObjectStore
  readonly catalog: VdCatalog
  readonly map: MerkleMap
  readonly snapshots: SnapshotReader
  readonly chunker: Chunker
  readonly fence: WriteFence | undefined
  readonly #rng: Rng
  /** One live head per VD, shared by every operation of this repository (no stale copies). */
  readonly #open = new Map<string, VirtualDisk>()

  constructor (options: RepositoryOptions) {
    this.store = options.store
    this.catalog = options.catalog
    this.map = new MerkleMap(this.store)
    this.snapshots = new SnapshotReader(this.store)
    this.chunker = new Chunker(options.chunking ?? LBFS_CHUNKING)
    this.fence = options.fence
    this.#rng = options.rng
  }

  /** A repository over `<dir>/objects` and `<dir>/vds`. */
  static openDir (dir: string, rng: Rng, options: DiskStoreOptions & { chunking?: ChunkingParams, fence?: WriteFence } = {}): VdRepository {
    return new VdRepository({ store: new DiskObjectStore(dir, options), catalog: new DiskVdCatalog(dir), rng, ...(options.chunking !== undefined ? { chunking: options.chunking } : {}), ...(options.fence !== undefined ? { fence: options.fence } : {}) })
  }

  #newRecord (name: string, kind: VdKind, createdMs: number): VdRecord {
    if (name.length === 0 || name.length > 200 || /[\0\n]/.test(name)) throw new Error(`bad VD name ${JSON.stringify(name)}`)
    if (this.catalog.byName(name) !== undefined) throw new Error(`a VD named "${name}" already exists on this host`)
    const id = Buffer.from(this.#rng.bytes(20)).toString('hex')
    return { id, name, kind, snapshots: [], base: null, staged: new Map(), writerEpoch: 0, createdMs: Math.floor(createdMs) }
  }

  /** A new empty VD (no snapshot until its first `snapshot`). */
  create (name: string, kind: VdKind, createdMs: number): VirtualDisk {
    const record = this.#newRecord(name, kind, createdMs)
    if (kind === 'image') record.imageSizeBytes = 0
    this.catalog.save(record)
    return this.#register(record)
  }

  #register (record: VdRecord): VirtualDisk {
    const vd = new VirtualDisk(this, record)
    this.#open.set(record.id, vd)
    return vd
  }

  #importEntries (record: VdRecord, entries: Array<[string, MapEntry]>, timeMs: number, message: string, imageSizeBytes?: number): ObjectId {
    const root = this.map.build(entries)
    const snapshotId = this.snapshots.write({ vdId: record.id, kind: record.kind, root, parents: [], timeMs: Math.floor(timeMs), message, ...(imageSizeBytes !== undefined ? { imageSizeBytes } : {}) })
    record.snapshots = [snapshotId]
    record.base = snapshotId
    if (imageSizeBytes !== undefined) record.imageSizeBytes = imageSizeBytes
    this.catalog.save(record)
    return snapshotId
  }

  /** Imports a directory tree as a new VD with one snapshot. */
  importTree (dir: string, options: { name: string, timeMs: number, message?: string }): ImportResult {
    const record = this.#newRecord(options.name, 'tree', options.timeMs)
    const before = { ...this.store.counters }
    this.map.resetCounters()
    const { entries, stats } = scanTree(this.store, dir, this.chunker)
    const snapshotId = this.#importEntries(record, entries, options.timeMs, options.message ?? `import ${dir}`)
    return { vd: this.#register(record), snapshotId, tree: stats, objects: countersSince(this.store.counters, before), map: this.map.resetCounters() }
  }

  /** Imports a disk image file as a new VD of fixed 4 KiB blocks. */
  importImage (path: string, options: { name: string, timeMs: number, message?: string }): ImportResult {
    const record = this.#newRecord(options.name, 'image', options.timeMs)
    const before = { ...this.store.counters }
    this.map.resetCounters()
    const { entries, stats } = scanImage(this.store, path)
    const snapshotId = this.#importEntries(record, entries, options.timeMs, options.message ?? `import ${path}`, stats.imageSizeBytes)
    return { vd: this.#register(record), snapshotId, image: stats, objects: countersSince(this.store.counters, before), map: this.map.resetCounters() }
  }

  /** The (live) record of the VD named `ref`, or whose id starts with `ref`. */
  findVd (ref: string): VdRecord {
    return this.open(ref).record
  }

  /** A VD's head: the same object for every call on this repository. */
  open (ref: string): VirtualDisk {
    for (const vd of this.#open.values()) if (vd.name === ref) return vd
    const byName = this.catalog.byName(ref)
    if (byName !== undefined) return this.#open.get(byName.id) ?? this.#register(byName)
    const matches = /^[0-9a-f]{4,40}$/.test(ref) ? this.catalog.ids().filter((id) => id.startsWith(ref)) : []
    if (matches.length === 1) return this.#open.get(matches[0]!) ?? this.#register(this.catalog.load(matches[0]!))
    throw new Error(matches.length > 1 ? `VD id prefix "${ref}" is ambiguous` : `no VD named "${ref}" (or with that id) on this host`)
  }

  /** Resolves a snapshot reference (see the module comment) to a snapshot id. */
  resolveSnapshot (ref: string): ObjectId {
    const tilde = /^(.*)~(\d+)$/.exec(ref)
    const vdRef = tilde?.[1] ?? ref
    const back = tilde === null ? 0 : Number(tilde[2])
    let record: VdRecord | undefined
    try {
      record = this.findVd(vdRef)
    } catch {}
    if (record !== undefined && (tilde !== null || !isObjectId(ref))) {
      const at = record.snapshots.length - 1 - back
      if (at < 0) throw new Error(record.snapshots.length === 0 ? `VD "${record.name}" has no snapshot yet` : `VD "${record.name}" has only ${record.snapshots.length} snapshots`)
      return record.snapshots[at]!
    }
    if (isObjectId(ref)) {
      this.snapshots.read(ref)
      return ref
    }
    if (/^[0-9a-f]{6,39}$/.test(ref)) {
      const matches = new Set(this.catalog.list().flatMap((r) => r.snapshots).filter((s) => s.startsWith(ref)))
      if (matches.size === 1) return [...matches][0]!
      if (matches.size > 1) throw new Error(`snapshot prefix "${ref}" is ambiguous`)
    }
    throw new Error(`"${ref}" names no VD or snapshot on this host`)
  }

  snapshot (id: ObjectId): SnapshotRecord {
    return this.snapshots.read(id)
  }

  /** A new VD continuing from snapshot `ref`; writes no object, only the new VD's record. */
  fork (ref: string, options: { name: string, timeMs: number }): VirtualDisk {
    const source = this.resolveSnapshot(ref)
    const snap = this.snapshots.read(source)
    const record = this.#newRecord(options.name, snap.kind, options.timeMs)
    record.snapshots = [source]
    record.base = source
    record.forkedFrom = source
    if (snap.imageSizeBytes !== undefined) record.imageSizeBytes = snap.imageSizeBytes
    this.catalog.save(record)
    return this.#register(record)
  }

  /** A VD's series, latest first. */
  log (vdRef: string): Array<{ id: ObjectId, record: SnapshotRecord }> {
    return this.findVd(vdRef).snapshots.slice().reverse().map((id) => ({ id, record: this.snapshots.read(id) }))
  }

  /** Entries changed from snapshot `a` to `b`, and the map nodes the diff visited. */
  diff (a: string, b: string): { changes: EntryChange[], map: MapCounters } {
    const ra = this.snapshots.read(this.resolveSnapshot(a)).root
    const rb = this.snapshots.read(this.resolveSnapshot(b)).root
    this.map.resetCounters()
    const changes = diffMaps(this.map, ra, rb)
    return { changes, map: this.map.resetCounters() }
  }

  /** A snapshot's entries sorted by key. */
  entries (ref: string): Array<[string, MapEntry]> {
    return this.map.sortedEntries(this.snapshots.read(this.resolveSnapshot(ref)).root)
  }

  /** A file's bytes in a snapshot. */
  readFile (ref: string, path: string): Uint8Array {
    const snap = this.snapshots.read(this.resolveSnapshot(ref))
    const key = snap.kind === 'tree' ? normalizePath(path) : path
    const entry = this.map.get(snap.root, key)
    if (entry === undefined || entry.kind === 'dir') throw new Error(`${ref}:${key}: no such file`)
    return readFileBytes(this.store, entry)
  }

  /** Writes a snapshot out: a tree into directory `out`, an image into file `out`. */
  export (ref: string, out: string): TreeExportStats | { imageSizeBytes: number } {
    const snap = this.snapshots.read(this.resolveSnapshot(ref))
    if (snap.kind === 'image') {
      exportImage(this.store, this.map.entries(snap.root), snap.imageSizeBytes ?? 0, out)
      return { imageSizeBytes: snap.imageSizeBytes ?? 0 }
    }
    return exportTree(this.store, this.map.entries(snap.root), out)
  }

  /**
   * Merges snapshot `theirsRef` into VD `oursRef` against their nearest common ancestor (the empty
   * map when they share none). Ours must have a snapshot and nothing staged. On success ours gets
   * a merge snapshot (parents: ours, theirs); with any conflict unresolved nothing is written.
   */
  merge (oursRef: string, theirsRef: string, options: { registry: ResolverRegistry, timeMs: number, message?: string }): MergeResult {
    const ours = this.findVd(oursRef)
    if (ours.staged.size > 0) throw new Error(`VD "${ours.name}" has ${ours.staged.size} staged changes; snapshot or discard them first`)
    if (ours.base === null) throw new Error(`VD "${ours.name}" has no snapshot to merge into`)
    this.fence?.checkWrite(ours, 'merge')
    const oursId = ours.base
    const theirsId = this.resolveSnapshot(theirsRef)
    const oursSnap = this.snapshots.read(oursId)
    const theirsSnap = this.snapshots.read(theirsId)
    if (oursSnap.kind !== theirsSnap.kind) throw new Error(`cannot merge a ${theirsSnap.kind} VD into a ${oursSnap.kind} VD`)
    const result: MergeResult = { ok: true, snapshotId: oursId, created: false, base: theirsId, conflicts: [], unresolved: 0, changes: 0, cleanFromTheirs: 0 }
    if (ancestorsOf(this.snapshots, oursId).has(theirsId)) return result

    const staging = new StagingObjectStore(this.store)
    const map = new MerkleMap(staging)
    const snapshots = new SnapshotReader(staging)
    const baseId = nearestCommonAncestor(this.snapshots, oursId, theirsId)
    const baseSnap = baseId === null ? null : this.snapshots.read(baseId)
    const plan = planMerge({
      map,
      kind: oursSnap.kind,
      baseRoot: baseSnap?.root ?? map.empty(),
      oursRoot: oursSnap.root,
      theirsRoot: theirsSnap.root,
      registry: options.registry,
      context: {
        store: staging,
        oursTimeMs: oursSnap.timeMs,
        theirsTimeMs: theirsSnap.timeMs,
        read: (entry) => readFileBytes(staging, entry),
        storeFile: (bytes, mode, mtimeMs) => {
          const stored = storeBytes(staging, bytes, this.chunker)
          return { kind: 'file', id: stored.id, manifest: stored.manifest, sizeBytes: stored.sizeBytes, mode: mode & 0o7777, mtimeMs: Math.floor(mtimeMs) }
        }
      }
    })
    Object.assign(result, { base: baseId, conflicts: plan.conflicts, unresolved: plan.unresolved, changes: plan.changes.length, cleanFromTheirs: plan.cleanFromTheirs })
    if (plan.unresolved > 0) {
      staging.discard()
      return { ...result, ok: false, snapshotId: null }
    }
    const root = map.apply(oursSnap.root, plan.changes)
    const oursSizeChanged = oursSnap.imageSizeBytes !== baseSnap?.imageSizeBytes
    const imageSizeBytes = oursSnap.kind !== 'image' ? undefined : oursSizeChanged ? oursSnap.imageSizeBytes : theirsSnap.imageSizeBytes
    const snapshotId = snapshots.write({
      vdId: ours.id, kind: oursSnap.kind, root, parents: [oursId, theirsId], timeMs: Math.floor(options.timeMs),
      message: options.message ?? `merge ${theirsRef}`, ...(imageSizeBytes !== undefined ? { imageSizeBytes } : {})
    })
    staging.commit()
    ours.snapshots.push(snapshotId)
    ours.base = snapshotId
    if (imageSizeBytes !== undefined) ours.imageSizeBytes = imageSizeBytes
    this.catalog.save(ours)
    return { ...result, snapshotId, created: true }
  }
}

function countersSince (now: PutCounters, before: PutCounters): PutCounters {
  return {
    puts: now.puts - before.puts,
    storedObjects: now.storedObjects - before.storedObjects,
    storedBytes: now.storedBytes - before.storedBytes,
    dedupedObjects: now.dedupedObjects - before.dedupedObjects,
    dedupedBytes: now.dedupedBytes - before.dedupedBytes
  }
}

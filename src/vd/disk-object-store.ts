/**
 * Objects on disk, one file per object in a fan-out directory: `<dir>/objects/ab/cdef…` (the first
 * two hex digits name the subdirectory). A put writes a temporary file and renames it into place,
 * so a reader never sees a partial object and concurrent writers of one object are harmless (same
 * bytes). Files rather than LevelDB (classic-level): its API is asynchronous only, and objects of
 * 2–64 KiB as files are cheap to check (`existsSync`), to stream, and to serve to other hosts.
 * Without `fsync: true` a power cut may lose recent objects (never corrupt a named one silently:
 * `get` with `verify` rehashes). Uses only synchronous node:fs; never touches the network.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { CorruptObjectError, isObjectId, MissingObjectError, objectIdOf, type ObjectId } from './object-id.ts'
import { newPutCounters, type ObjectStore, type StoreStat } from './object-store.ts'

export interface DiskStoreOptions {
  /** fsync each new object and its directory entry before the rename is relied on. */
  fsync?: boolean
  /** Rehash every object read and throw `CorruptObjectError` on a mismatch. */
  verify?: boolean
}

export class DiskObjectStore implements ObjectStore {
  readonly counters = newPutCounters()
  readonly objectsDir: string
  readonly #tmpDir: string
  readonly #madeDirs = new Set<string>()
  #tmpSerial = 0

  constructor (readonly dir: string, private readonly options: DiskStoreOptions = {}) {
    this.objectsDir = join(dir, 'objects')
    this.#tmpDir = join(this.objectsDir, 'tmp')
    mkdirSync(this.#tmpDir, { recursive: true })
    this.#clearStaleTemps()
  }

  pathOf (id: ObjectId): string {
    return join(this.objectsDir, id.slice(0, 2), id.slice(2))
  }

  has (id: ObjectId): boolean {
    return existsSync(this.pathOf(id))
  }

  get (id: ObjectId): Uint8Array {
    let bytes: Uint8Array
    try {
      bytes = readFileSync(this.pathOf(id))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new MissingObjectError(id)
      throw error
    }
    if (this.options.verify === true && objectIdOf(bytes) !== id) throw new CorruptObjectError(id, 'stored bytes do not hash to the id')
    return bytes
  }

  put (bytes: Uint8Array): ObjectId {
    const id = objectIdOf(bytes)
    this.counters.puts++
    const path = this.pathOf(id)
    if (existsSync(path)) {
      this.counters.dedupedObjects++
      this.counters.dedupedBytes += bytes.length
      return id
    }
    const sub = id.slice(0, 2)
    if (!this.#madeDirs.has(sub)) {
      mkdirSync(join(this.objectsDir, sub), { recursive: true })
      this.#madeDirs.add(sub)
    }
    const tmp = join(this.#tmpDir, `${process.pid}-${this.#tmpSerial++}`)
    const fd = openSync(tmp, 'w', 0o444)
    try {
      let at = 0
      while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at)
      if (this.options.fsync === true) fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, path)
    if (this.options.fsync === true) {
      const dirFd = openSync(join(this.objectsDir, sub), 'r')
      try { fsyncSync(dirFd) } finally { closeSync(dirFd) }
    }
    this.counters.storedObjects++
    this.counters.storedBytes += bytes.length
    return id
  }

  sizeOf (id: ObjectId): number | undefined {
    try {
      return statSync(this.pathOf(id)).size
    } catch {
      return undefined
    }
  }

  * ids (): Iterable<ObjectId> {
    for (const sub of readdirSync(this.objectsDir).sort()) {
      if (sub.length !== 2) continue
      for (const rest of readdirSync(join(this.objectsDir, sub)).sort()) {
        const id = sub + rest
        if (isObjectId(id)) yield id
      }
    }
  }

  stat (): StoreStat {
    let objects = 0
    let bytes = 0
    for (const id of this.ids()) {
      objects++
      bytes += this.sizeOf(id) ?? 0
    }
    return { objects, bytes }
  }

  /** Temporary files of this process id left by a crash are removed; others' are left alone. */
  #clearStaleTemps (): void {
    for (const name of readdirSync(this.#tmpDir)) {
      if (name.startsWith(`${process.pid}-`)) rmSync(join(this.#tmpDir, name), { force: true })
    }
  }
}

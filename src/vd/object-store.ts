/**
 * The per-host content-addressed object store: immutable byte strings named by the SHA-1 of their
 * content, each stored once. The API is synchronous so that the same code runs in the simulator
 * (`MemoryObjectStore`) and on disk (`DiskObjectStore`, plain sync fs calls: simplest and
 * deterministic). `get` throws `MissingObjectError` for an absent object: the remote-fetch layer
 * (later) catches it, fetches the object from a holder, verifies it with `putVerified` and retries.
 * This module never performs I/O.
 */
import { CorruptObjectError, MissingObjectError, objectIdOf, type ObjectId } from './object-id.ts'

/** What puts did since the store was opened: new objects versus ones already present. */
export interface PutCounters {
  puts: number
  storedObjects: number
  storedBytes: number
  dedupedObjects: number
  dedupedBytes: number
}

export interface StoreStat {
  objects: number
  bytes: number
}

export interface ObjectStore {
  has (id: ObjectId): boolean
  /** The object's bytes; throws `MissingObjectError` when absent. Callers must not mutate them. */
  get (id: ObjectId): Uint8Array
  /** Stores `bytes` unless an object with the same id exists; returns the id. */
  put (bytes: Uint8Array): ObjectId
  /** Size in bytes, or undefined when absent. */
  sizeOf (id: ObjectId): number | undefined
  /** Every stored id (no particular order). */
  ids (): Iterable<ObjectId>
  /** Objects and bytes stored (a full scan on disk). */
  stat (): StoreStat
  readonly counters: PutCounters
}

export function newPutCounters (): PutCounters {
  return { puts: 0, storedObjects: 0, storedBytes: 0, dedupedObjects: 0, dedupedBytes: 0 }
}

/** Stores bytes received from elsewhere (a remote host) only if they hash to the id expected. */
export function putVerified (store: ObjectStore, id: ObjectId, bytes: Uint8Array): void {
  const actual = objectIdOf(bytes)
  if (actual !== id) throw new CorruptObjectError(id, `received bytes hash to ${actual}`)
  store.put(bytes)
}

/** Objects in memory: the simulator's store and the tests'. */
export class MemoryObjectStore implements ObjectStore {
  readonly counters = newPutCounters()
  readonly #objects = new Map<ObjectId, Uint8Array>()

  has (id: ObjectId): boolean {
    return this.#objects.has(id)
  }

  get (id: ObjectId): Uint8Array {
    const bytes = this.#objects.get(id)
    if (bytes === undefined) throw new MissingObjectError(id)
    return bytes
  }

  put (bytes: Uint8Array): ObjectId {
    const id = objectIdOf(bytes)
    this.counters.puts++
    if (this.#objects.has(id)) {
      this.counters.dedupedObjects++
      this.counters.dedupedBytes += bytes.length
    } else {
      this.#objects.set(id, new Uint8Array(bytes))
      this.counters.storedObjects++
      this.counters.storedBytes += bytes.length
    }
    return id
  }

  sizeOf (id: ObjectId): number | undefined {
    return this.#objects.get(id)?.length
  }

  ids (): Iterable<ObjectId> {
    return this.#objects.keys()
  }

  /** Removes an object (tests of missing-object handling; a GC later). */
  delete (id: ObjectId): boolean {
    return this.#objects.delete(id)
  }

  stat (): StoreStat {
    let bytes = 0
    for (const value of this.#objects.values()) bytes += value.length
    return { objects: this.#objects.size, bytes }
  }
}

/**
 * Puts held in memory over a backing store until `commit()`: a merge stages the objects its
 * resolvers create here, so a merge that fails writes nothing. Reads see staged objects first.
 */
export class StagingObjectStore implements ObjectStore {
  readonly counters = newPutCounters()
  readonly #staged = new Map<ObjectId, Uint8Array>()

  constructor (readonly backing: ObjectStore) {}

  has (id: ObjectId): boolean {
    return this.#staged.has(id) || this.backing.has(id)
  }

  get (id: ObjectId): Uint8Array {
    return this.#staged.get(id) ?? this.backing.get(id)
  }

  put (bytes: Uint8Array): ObjectId {
    const id = objectIdOf(bytes)
    this.counters.puts++
    if (!this.has(id)) {
      this.#staged.set(id, new Uint8Array(bytes))
      this.counters.storedObjects++
      this.counters.storedBytes += bytes.length
    } else {
      this.counters.dedupedObjects++
      this.counters.dedupedBytes += bytes.length
    }
    return id
  }

  sizeOf (id: ObjectId): number | undefined {
    return this.#staged.get(id)?.length ?? this.backing.sizeOf(id)
  }

  * ids (): Iterable<ObjectId> {
    yield * this.#staged.keys()
    for (const id of this.backing.ids()) if (!this.#staged.has(id)) yield id
  }

  stat (): StoreStat {
    const base = this.backing.stat()
    let bytes = 0
    for (const value of this.#staged.values()) bytes += value.length
    return { objects: base.objects + this.#staged.size, bytes: base.bytes + bytes }
  }

  /** Objects staged and not yet written to the backing store. */
  get pendingObjects (): number {
    return this.#staged.size
  }

  /** Writes the staged objects to the backing store; returns how many. */
  commit (): number {
    const count = this.#staged.size
    for (const bytes of this.#staged.values()) this.backing.put(bytes)
    this.#staged.clear()
    return count
  }

  discard (): void {
    this.#staged.clear()
  }
}

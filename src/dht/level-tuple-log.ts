/**
 * A node's tuples on disk, in LevelDB (classic-level): follows a TupleStore's changes and writes
 * them in chained batches, and loads them back when the node restarts, so a restarted node keeps
 * its tuples until they expire. The key is a byte 0x01 and the tuple's Key in wire form (which
 * says whether a secret hash is present); the value is the tuple's data. Write errors are counted
 * and logged, never thrown into the protocol; the simulator uses the in-memory store alone.
 */
import { ClassicLevel } from 'classic-level'
import type { Logger } from '../env/logger.ts'
import { decodeKey, encodeKey, type Tuple } from './tuple.ts'
import type { StoreChange, TupleStore } from './tuple-store.ts'

const TUPLE_PREFIX = 0x01

export class LevelTupleLog {
  /** Changes written, batches written, write failures, undecodable records skipped at load. */
  readonly stats = { writes: 0, batches: 0, failures: 0, skipped: 0 }
  readonly #db: ClassicLevel<Uint8Array, Uint8Array>
  #pending: StoreChange[] = []
  #flushing: Promise<void> | null = null
  #closed = false

  private constructor (db: ClassicLevel<Uint8Array, Uint8Array>, private readonly log: Logger) {
    this.#db = db
  }

  /** Opens (creating if needed) the database in `directory`. */
  static async open (directory: string, log: Logger): Promise<LevelTupleLog> {
    const db = new ClassicLevel<Uint8Array, Uint8Array>(directory, { keyEncoding: 'view', valueEncoding: 'view' })
    await db.open()
    return new LevelTupleLog(db, log)
  }

  /** Every stored tuple, in key order; records that do not decode are skipped and counted. */
  async load (): Promise<Tuple[]> {
    const out: Tuple[] = []
    for await (const [key, value] of this.#db.iterator()) {
      const tuple = key[0] === TUPLE_PREFIX ? decodeKey(key.subarray(1)) : null
      if (tuple === null) { this.stats.skipped++; continue }
      out.push({ ...tuple, data: value.slice() })
    }
    return out
  }

  /** Loads the tuples into `store` (dropping those expired at `nowUsec`), then follows its changes. */
  async attach (store: TupleStore, nowUsec: bigint): Promise<number> {
    let loaded = 0
    for (const tuple of await this.load()) if (store.apply(tuple, nowUsec) === 'stored') loaded++
    store.onChange = (change) => this.record(change)
    return loaded
  }

  record (change: StoreChange): void {
    if (this.#closed) return
    this.#pending.push(change)
    this.#flushing ??= this.#flush()
  }

  /** Resolves once every change recorded so far is on disk. */
  async flushed (): Promise<void> {
    while (this.#flushing !== null) await this.#flushing
  }

  async close (): Promise<void> {
    await this.flushed()
    this.#closed = true
    await this.#db.close()
  }

  async #flush (): Promise<void> {
    await Promise.resolve()
    while (this.#pending.length > 0) {
      const changes = this.#pending
      this.#pending = []
      const batch = this.#db.batch()
      for (const change of changes) {
        const key = diskKey(change.tuple)
        if (change.kind === 'stored') batch.put(key, change.tuple.data)
        else batch.del(key)
      }
      try {
        await batch.write()
        this.stats.writes += changes.length
        this.stats.batches++
      } catch (error) {
        this.stats.failures++
        this.log.log('error', 'tuple-log-write-failed', { changes: changes.length, error: String(error) })
      }
    }
    this.#flushing = null
  }
}

function diskKey (tuple: Tuple): Uint8Array {
  const key = encodeKey(tuple)
  const out = new Uint8Array(key.length + 1)
  out[0] = TUPLE_PREFIX
  out.set(key, 1)
  return out
}

/**
 * Virtual disks on a real node (xest.md §3): the node's VD repository (object store on disk),
 * its writer leases in the DHT, and object transfer with other nodes. `migrateOut` closes a
 * snapshot, releases the lease and leaves the objects here to be served (no bulk copy);
 * `migrateIn` reads the VD record from the DHT, takes the lease with the next epoch, continues
 * the VD from the record's snapshot and fetches objects on demand from the previous writer
 * (`readFile`, `export` and a mount's `loadObject` fetch what they touch). Writes are fenced by the lease. Async only at
 * its edges (promises over the callback protocol code); never throws on peers' input.
 */
import type { OverlayNode } from '../overlay/overlay-node.ts'
import { parseAddress, type NodeAddress } from '../ids/node-address.ts'
import { ObjectFetcher } from '../fetch/object-fetcher.ts'
import { ObjectServer } from '../fetch/object-server.ts'
import { WriterLease } from '../lease/writer-lease.ts'
import { currentRecord, type DatedRecord } from '../lease/vd-records.ts'
import { MissingObjectError } from '../vd/object-id.ts'
import { putVerified } from '../vd/object-store.ts'
import { missingObjects } from '../vd/reachable.ts'
import type { VdRepository } from '../vd/vd-repository.ts'
import { DEMAND } from '../wire/xest-messages.ts'
import { addressKey } from '../ids/node-address.ts'

const hexToBytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'))

export interface VdHostStats {
  fetchedObjects: number
  fetchedBytes: number
}

export class VdHost {
  readonly lease: WriterLease
  readonly fetcher: ObjectFetcher
  readonly server: ObjectServer
  readonly stats: VdHostStats = { fetchedObjects: 0, fetchedBytes: 0 }
  /** Where each VD's missing objects come from: VD id → previous writer. */
  readonly #sources = new Map<string, NodeAddress>()

  constructor (
    readonly node: OverlayNode,
    /** Built with `fence: lease.fence()` by `createRepository`. */
    readonly repo: VdRepository,
    lease: WriterLease
  ) {
    this.lease = lease
    this.fetcher = new ObjectFetcher(node)
    this.server = new ObjectServer(node, {
      get: (id) => {
        const hex = Buffer.from(id).toString('hex')
        return repo.store.has(hex) ? repo.store.get(hex) : null
      }
    })
  }

  get self (): string {
    return addressKey(this.node.self.address)
  }

  /** Imports a directory tree as a new VD written here; returns its id and the secret for its records. */
  async importTree (dir: string, name: string, secret: Uint8Array): Promise<{ vdId: string, snapshot: string, epoch: number }> {
    const { vd, snapshotId } = this.repo.importTree(dir, { name, timeMs: Math.floor(this.node.env.clock.nowMs()) })
    const result = await this.#acquire(vd.id, secret, { name, snapshot: snapshotId, groupTable: null })
    if (!result.ok) throw new Error(`could not take the writer lease of the new VD ${vd.id}: ${result.reason}`)
    await new Promise<void>((resolve) => this.lease.publishName(name, vd.id, secret, () => resolve()))
    return { vdId: vd.id, snapshot: snapshotId, epoch: result.epoch }
  }

  /** Closes a snapshot of the head and gives up the writer role; the objects stay here to serve. */
  async migrateOut (vdId: string, secret: Uint8Array): Promise<{ snapshot: string }> {
    const vd = this.repo.open(vdId)
    const record = this.repo.findVd(vdId)
    const snapshot = vd.snapshot({ timeMs: Math.floor(this.node.env.clock.nowMs()), message: 'migrate' }).snapshotId
    const ok = await new Promise<boolean>((resolve) => this.lease.release(vdId, secret, { name: record.name, snapshot, groupTable: null }, resolve))
    if (!ok) throw new Error(`releasing the lease of VD ${vdId} failed`)
    return { snapshot }
  }

  /** Takes over a VD from the DHT record: next epoch, same VD id, objects fetched on demand. */
  async migrateIn (vdId: string, secret: Uint8Array): Promise<{ epoch: number, snapshot: string, from: string }> {
    const records = await this.recordsOf(vdId)
    const current = currentRecord(records)
    if (current === null || current.snapshot === null) throw new Error(`the DHT has no record with a snapshot for VD ${vdId}`)
    const from = current.writer
    const source = parseAddress(from)
    if (source === null) throw new Error(`VD ${vdId}: no previous writer address in its records`)
    const result = await this.#acquire(vdId, secret, { name: current.name, snapshot: current.snapshot, groupTable: current.groupTable })
    if (!result.ok) throw new Error(`VD ${vdId}: the writer lease is ${result.reason}${result.holder === null ? '' : ` (held by ${result.holder})`}`)
    this.#sources.set(vdId, source)
    await this.#ensure(current.snapshot, vdId)
    if (!this.repo.catalog.has(vdId)) {
      this.repo.catalog.save({ id: vdId, name: current.name, kind: 'tree', snapshots: [current.snapshot], base: current.snapshot, staged: new Map(), writerEpoch: result.epoch, createdMs: Math.floor(this.node.env.clock.nowMs()) })
    } else {
      // Back to a node that wrote it before: move its live head (shared by every operation) on.
      const vd = this.repo.open(vdId)
      const record = vd.record
      if (!record.snapshots.includes(current.snapshot)) record.snapshots.push(current.snapshot)
      record.base = current.snapshot
      record.staged.clear()
      record.writerEpoch = result.epoch
      vd.save()
    }
    return { epoch: result.epoch, snapshot: current.snapshot, from }
  }

  /** The VD's records in the DHT. */
  async recordsOf (vdId: string): Promise<DatedRecord[]> {
    return await new Promise((resolve) => this.lease.records(vdId, resolve))
  }

  /** A file of the VD's head, fetching the objects it needs from the previous writer. */
  async readFile (vdId: string, path: string): Promise<Uint8Array> {
    return await this.#withFetch(vdId, () => this.repo.open(vdId).readFile(path))
  }

  /** One object of the VD: from the store, else fetched on demand from the previous writer (FUSE mounts). */
  async loadObject (vdId: string, id: string): Promise<Uint8Array> {
    if (!this.repo.store.has(id)) await this.#fetch(vdId, [id])
    return this.repo.store.get(id)
  }

  /** Exports the VD's latest snapshot to `out`, after fetching every object it lacks. */
  async export (vdId: string, out: string): Promise<void> {
    const record = this.repo.findVd(vdId)
    if (record.base === null) throw new Error(`VD ${vdId} has no snapshot`)
    for (;;) {
      const missing = missingObjects(this.repo.store, record.base)
      if (missing.length === 0) break
      await this.#fetch(vdId, missing)
    }
    this.repo.export(record.base, out)
  }

  async #withFetch<T> (vdId: string, run: () => T): Promise<T> {
    for (let attempt = 0; attempt < 100_000; attempt++) {
      try {
        return run()
      } catch (error) {
        if (!(error instanceof MissingObjectError)) throw error
        await this.#fetch(vdId, [error.id])
      }
    }
    throw new Error('too many missing objects')
  }

  async #ensure (id: string, vdId: string): Promise<void> {
    if (!this.repo.store.has(id)) await this.#fetch(vdId, [id])
  }

  async #fetch (vdId: string, ids: readonly string[]): Promise<void> {
    const source = this.#sources.get(vdId)
    if (source === undefined) throw new MissingObjectError(ids[0]!)
    await new Promise<void>((resolve, reject) => {
      let left = ids.length
      let failed: string | null = null
      this.fetcher.fetch(source, ids.map(hexToBytes), DEMAND, (id, bytes) => {
        const hex = Buffer.from(id).toString('hex')
        if (bytes === null) failed = hex
        else { putVerified(this.repo.store, hex, bytes); this.stats.fetchedObjects++; this.stats.fetchedBytes += bytes.length }
        if (--left === 0) {
          if (failed !== null) reject(new Error(`object ${failed} of VD ${vdId} could not be fetched from ${addressKey(source)}`))
          else resolve()
        }
      })
    })
  }

  async #acquire (vdId: string, secret: Uint8Array, fields: { name: string, snapshot: string | null, groupTable: string | null }) {
    return await new Promise<Parameters<Parameters<WriterLease['acquire']>[3]>[0]>((resolve) => this.lease.acquire(vdId, secret, fields, resolve))
  }
}


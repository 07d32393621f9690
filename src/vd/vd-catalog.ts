/**
 * The host's local VD metadata: on disk, one JSON file per VD in `<store>/vds/<id>.json`, written to a
 * temporary file and renamed (atomic). A record names the VD (random 160-bit id, name, kind), its
 * linear series of snapshots, its head (the snapshot it continues from plus staged changes), and
 * a writer-epoch placeholder for the lease the DHT layer adds. Names are unique on a host.
 * `DiskVdCatalog` uses synchronous node:fs only; `MemoryVdCatalog` keeps the same JSON in memory.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { entryFromJson, entryToJson, type MapEntry } from './map-entry.ts'
import { isObjectId, type ObjectId } from './object-id.ts'
import type { VdKind } from './snapshot.ts'

export interface VdRecord {
  /** 40 hex digits (160 random bits). */
  id: string
  name: string
  kind: VdKind
  /** This VD's series, oldest first; a fork's first is the snapshot it was forked from. */
  snapshots: ObjectId[]
  /** The snapshot the head continues from (null: nothing yet). */
  base: ObjectId | null
  /** Head changes not yet closed into a snapshot: key → entry, or null for a deletion. */
  staged: Map<string, MapEntry | null>
  /** Image VDs: the head's image length. */
  imageSizeBytes?: number
  /** Lease epoch placeholder: the DHT layer owns the real value; 0 means local-only. */
  writerEpoch: number
  createdMs: number
  forkedFrom?: ObjectId
}

const FORMAT = 1
const VD_ID_RE = /^[0-9a-f]{40}$/

/** Where a host keeps its VD records: on disk, or in memory for the simulator and tests. */
export interface VdCatalog {
  ids (): string[]
  list (): VdRecord[]
  has (id: string): boolean
  /** Throws when there is no such VD. */
  load (id: string): VdRecord
  save (record: VdRecord): void
  byName (name: string): VdRecord | undefined
}

/** Records as JSON text in memory (each load is a fresh copy, as from disk). */
export class MemoryVdCatalog implements VdCatalog {
  readonly #records = new Map<string, string>()

  ids (): string[] {
    return [...this.#records.keys()].sort()
  }

  list (): VdRecord[] {
    return this.ids().map((id) => this.load(id))
  }

  has (id: string): boolean {
    return this.#records.has(id)
  }

  load (id: string): VdRecord {
    const text = this.#records.get(id)
    if (text === undefined) throw new Error(`no VD ${id}`)
    return recordFromJson(text, `VD ${id}`)
  }

  save (record: VdRecord): void {
    if (!VD_ID_RE.test(record.id)) throw new Error(`bad VD id "${record.id}"`)
    this.#records.set(record.id, recordToJson(record))
  }

  byName (name: string): VdRecord | undefined {
    return this.list().find((r) => r.name === name)
  }
}

export class DiskVdCatalog implements VdCatalog {
  readonly dir: string
  #serial = 0

  constructor (storeDir: string) {
    this.dir = join(storeDir, 'vds')
    mkdirSync(this.dir, { recursive: true })
  }

  #path (id: string): string {
    return join(this.dir, `${id}.json`)
  }

  ids (): string[] {
    return readdirSync(this.dir).filter((n) => n.endsWith('.json') && VD_ID_RE.test(n.slice(0, -5))).map((n) => n.slice(0, -5)).sort()
  }

  list (): VdRecord[] {
    return this.ids().map((id) => this.load(id))
  }

  has (id: string): boolean {
    return this.ids().includes(id)
  }

  load (id: string): VdRecord {
    const path = this.#path(id)
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`no VD ${id} in ${this.dir}`)
      throw error
    }
    return recordFromJson(text, path)
  }

  save (record: VdRecord): void {
    if (!VD_ID_RE.test(record.id)) throw new Error(`bad VD id "${record.id}"`)
    const tmp = join(this.dir, `.${record.id}.${process.pid}.${this.#serial++}.tmp`)
    writeFileSync(tmp, recordToJson(record))
    renameSync(tmp, this.#path(record.id))
  }

  /** The VD called `name`, if any. */
  byName (name: string): VdRecord | undefined {
    return this.list().find((r) => r.name === name)
  }
}

export function recordToJson (r: VdRecord): string {
  const staged: Record<string, unknown> = {}
  for (const [key, entry] of [...r.staged].sort((a, b) => (a[0] < b[0] ? -1 : 1))) staged[key] = entry === null ? null : entryToJson(entry)
  const out: Record<string, unknown> = {
    format: FORMAT, id: r.id, name: r.name, kind: r.kind, snapshots: r.snapshots, base: r.base, staged, writerEpoch: r.writerEpoch, createdMs: r.createdMs
  }
  if (r.imageSizeBytes !== undefined) out.imageSizeBytes = r.imageSizeBytes
  if (r.forkedFrom !== undefined) out.forkedFrom = r.forkedFrom
  return JSON.stringify(out, null, 1) + '\n'
}

export function recordFromJson (text: string, where: string): VdRecord {
  let v: Record<string, unknown>
  try {
    v = JSON.parse(text) as Record<string, unknown>
  } catch (error) {
    throw new Error(`${where}: not JSON (${(error as Error).message})`)
  }
  const bad = (what: string): never => { throw new Error(`${where}: ${what}`) }
  if (v.format !== FORMAT) bad(`unknown format ${String(v.format)}`)
  if (typeof v.id !== 'string' || !VD_ID_RE.test(v.id)) bad('bad id')
  if (typeof v.name !== 'string') bad('bad name')
  if (v.kind !== 'tree' && v.kind !== 'image') bad('bad kind')
  if (!Array.isArray(v.snapshots) || !v.snapshots.every((s) => typeof s === 'string' && isObjectId(s))) bad('bad snapshots')
  if (!(v.base === null || (typeof v.base === 'string' && isObjectId(v.base)))) bad('bad base')
  if (typeof v.staged !== 'object' || v.staged === null) bad('bad staged')
  const staged = new Map<string, MapEntry | null>()
  for (const [key, value] of Object.entries(v.staged as Record<string, unknown>)) staged.set(key, value === null ? null : entryFromJson(value, `${where}: staged "${key}"`))
  const record: VdRecord = {
    id: v.id as string,
    name: v.name as string,
    kind: v.kind as VdKind,
    snapshots: v.snapshots as string[],
    base: v.base as string | null,
    staged,
    writerEpoch: typeof v.writerEpoch === 'number' ? v.writerEpoch : 0,
    createdMs: typeof v.createdMs === 'number' ? v.createdMs : 0
  }
  if (typeof v.imageSizeBytes === 'number') record.imageSizeBytes = v.imageSizeBytes
  if (typeof v.forkedFrom === 'string') record.forkedFrom = v.forkedFrom
  return record
}

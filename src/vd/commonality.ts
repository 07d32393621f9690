/**
 * The commonality pass: which objects on a host are referenced by more than one VD, and how many
 * bytes storing each object once saves, split into sharing inside a fork family (VDs with common
 * snapshot history: implicit sharing) and across unrelated VDs (identical chunks found by content
 * addressing). It also finds identical whole files stored under different chunkings (the top
 * manifests record each file's SHA-1). In a content-addressed store every object is already
 * stored once, so the pass reports; it never rewrites snapshots. Incremental: `step(n)` does at
 * most n objects of work, `update(vds)` adds new VDs and snapshots without redoing old ones.
 * Reads the store and snapshot records only.
 */
import { ancestorsOf } from './ancestors.ts'
import type { ObjectId } from './object-id.ts'
import type { ObjectStore } from './object-store.ts'
import { reachableObjects, type ObjectRole, type ReachedObject } from './reachable.ts'
import { SnapshotReader } from './snapshot.ts'

export interface VdSeries { id: string, name: string, snapshots: ObjectId[] }

export interface VdUsage {
  id: string
  name: string
  family: number
  /** Distinct objects and bytes its snapshots reference. */
  objects: number
  bytes: number
  /** Bytes referenced by no other VD. */
  exclusiveBytes: number
}

export interface CommonalityReport {
  done: boolean
  vds: VdUsage[]
  /** Distinct objects and bytes referenced by any VD (what the host stores for them). */
  objects: number
  bytes: number
  /** Sum of the VDs' own byte counts: what separate stores would hold. */
  referencedBytes: number
  savedBytes: number
  sharedObjects: number
  /** Objects referenced by VDs of different fork families and the bytes that saves. */
  acrossFamilies: { objects: number, bytes: number, savedBytes: number }
  byRole: Record<ObjectRole, { objects: number, bytes: number }>
  sameContentDifferentChunking: Array<{ contentId: ObjectId, fileBytes: number, variants: ObjectId[], vds: string[] }>
  missingObjects: number
}

interface ObjectInfo { sizeBytes: number, role: ObjectRole, vds: number[] }

export class CommonalityScan {
  readonly #snapshots: SnapshotReader
  readonly #vds: Array<VdSeries & { visited: Set<ObjectId>, walked: Set<ObjectId> }> = []
  readonly #objects = new Map<ObjectId, ObjectInfo>()
  readonly #contents = new Map<ObjectId, { fileBytes: number, variants: Set<ObjectId>, vds: Set<number> }>()
  readonly #queue: Array<{ vd: number, walk: Generator<ReachedObject> }> = []
  #missing = 0

  constructor (readonly store: ObjectStore, vds: VdSeries[] = []) {
    this.#snapshots = new SnapshotReader(store)
    this.update(vds)
  }

  /** Queues VDs not seen before and snapshots added to known VDs since the last update. */
  update (vds: VdSeries[]): void {
    for (const series of vds) {
      let index = this.#vds.findIndex((v) => v.id === series.id)
      if (index < 0) {
        index = this.#vds.length
        this.#vds.push({ ...series, visited: new Set(), walked: new Set() })
      }
      const vd = this.#vds[index]!
      vd.snapshots = series.snapshots
      const fresh = series.snapshots.filter((s) => !vd.walked.has(s))
      if (fresh.length === 0) continue
      for (const s of fresh) vd.walked.add(s)
      this.#queue.push({ vd: index, walk: reachableObjects(this.store, fresh, vd.visited) })
    }
  }

  get done (): boolean {
    return this.#queue.length === 0
  }

  /** Does at most `budget` objects of work; returns true when nothing is left. */
  step (budget: number): boolean {
    let left = budget
    while (left > 0 && this.#queue.length > 0) {
      const head = this.#queue[0]!
      const next = head.walk.next()
      if (next.done === true) {
        this.#queue.shift()
        continue
      }
      left--
      this.#record(head.vd, next.value)
    }
    return this.done
  }

  #record (vd: number, r: ReachedObject): void {
    if (r.missing) {
      this.#missing++
      return
    }
    let info = this.#objects.get(r.id)
    if (info === undefined) {
      info = { sizeBytes: r.sizeBytes!, role: r.role, vds: [] }
      this.#objects.set(r.id, info)
    }
    if (!info.vds.includes(vd)) info.vds.push(vd)
    if (r.contentId !== undefined) {
      let c = this.#contents.get(r.contentId)
      if (c === undefined) {
        c = { fileBytes: r.fileBytes ?? r.sizeBytes!, variants: new Set(), vds: new Set() }
        this.#contents.set(r.contentId, c)
      }
      c.variants.add(r.id)
      c.vds.add(vd)
    }
  }

  /** Fork families: VDs whose series share any snapshot (their own or an ancestor). */
  #families (): number[] {
    const parent = this.#vds.map((_, i) => i)
    const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)))
    const owner = new Map<ObjectId, number>()
    this.#vds.forEach((vd, i) => {
      for (const s of vd.snapshots) {
        let history: Iterable<ObjectId>
        try {
          history = ancestorsOf(this.#snapshots, s).keys()
        } catch {
          history = [s]
        }
        for (const a of history) {
          const other = owner.get(a)
          if (other === undefined) owner.set(a, i)
          else parent[find(other)] = find(i)
        }
      }
    })
    const ids = new Map<number, number>()
    return this.#vds.map((_, i) => {
      const root = find(i)
      if (!ids.has(root)) ids.set(root, ids.size)
      return ids.get(root)!
    })
  }

  report (): CommonalityReport {
    const families = this.#families()
    const usage: VdUsage[] = this.#vds.map((vd, i) => ({ id: vd.id, name: vd.name, family: families[i]!, objects: 0, bytes: 0, exclusiveBytes: 0 }))
    const roles = ['snapshot', 'map-node', 'manifest', 'chunk', 'symlink', 'block'] as const
    const byRole = Object.fromEntries(roles.map((r) => [r, { objects: 0, bytes: 0 }])) as CommonalityReport['byRole']
    const report: CommonalityReport = {
      done: this.done, vds: usage, objects: 0, bytes: 0, referencedBytes: 0, savedBytes: 0, sharedObjects: 0,
      acrossFamilies: { objects: 0, bytes: 0, savedBytes: 0 }, byRole, sameContentDifferentChunking: [], missingObjects: this.#missing
    }
    for (const info of this.#objects.values()) {
      report.objects++
      report.bytes += info.sizeBytes
      byRole[info.role].objects++
      byRole[info.role].bytes += info.sizeBytes
      for (const vd of info.vds) {
        usage[vd]!.objects++
        usage[vd]!.bytes += info.sizeBytes
      }
      report.referencedBytes += info.sizeBytes * info.vds.length
      if (info.vds.length === 1) usage[info.vds[0]!]!.exclusiveBytes += info.sizeBytes
      else report.sharedObjects++
      const fams = new Set(info.vds.map((v) => families[v]!))
      if (fams.size > 1) {
        report.acrossFamilies.objects++
        report.acrossFamilies.bytes += info.sizeBytes
        report.acrossFamilies.savedBytes += info.sizeBytes * (fams.size - 1)
      }
    }
    report.savedBytes = report.referencedBytes - report.bytes
    for (const [contentId, c] of this.#contents) {
      if (c.variants.size < 2) continue
      report.sameContentDifferentChunking.push({ contentId, fileBytes: c.fileBytes, variants: [...c.variants].sort(), vds: [...c.vds].map((v) => this.#vds[v]!.name).sort() })
    }
    report.sameContentDifferentChunking.sort((a, b) => b.fileBytes - a.fileBytes || (a.contentId < b.contentId ? -1 : 1))
    return report
  }
}

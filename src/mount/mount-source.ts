/**
 * What a mount shows: a VD's head (its base snapshot plus the changes staged now, frozen when
 * mounted) or one of its snapshots, named by id, by an id prefix within the VD's series, or by
 * `~K` (K back from the latest). Reads the VD's record from the repository's catalog and the
 * snapshot record through the async `loadObject` hook (so a node can fetch it on demand); never
 * reads file contents and never writes anything.
 */
import { isObjectId, type ObjectId } from '../vd/object-id.ts'
import { decodeSnapshot } from '../vd/snapshot.ts'
import type { VdRepository } from '../vd/vd-repository.ts'
import type { FsSource, LoadObject } from './vd-filesystem.ts'

export interface MountTarget {
  vdId: string
  vdName: string
  /** The snapshot shown, or for a head the snapshot it continues from (null: none yet). */
  snapshot: ObjectId | null
  head: boolean
  /** Head mounts: how many staged changes the view includes. */
  staged: number
  source: FsSource
}

/** Splits `VD[@SNAPSHOT]` (or `VD~K`) for `xest vd mount`: a whole ref naming a VD wins. */
export function parseMountRef (repo: VdRepository, ref: string): { vd: string, snapshot: string | null } {
  if (ref.length === 0) throw new Error('name a VD to mount')
  try {
    repo.findVd(ref)
    return { vd: ref, snapshot: null }
  } catch {}
  const at = ref.lastIndexOf('@')
  if (at > 0) return { vd: ref.slice(0, at), snapshot: ref.slice(at + 1) }
  const tilde = /^(.+)~(\d+)$/.exec(ref)
  if (tilde !== null) return { vd: tilde[1]!, snapshot: `~${tilde[2]}` }
  return { vd: ref, snapshot: null }
}

/** The snapshot `ref` names within VD `vdRef`'s series (see the module comment). */
export function resolveVdSnapshot (repo: VdRepository, vdRef: string, ref: string): ObjectId {
  const record = repo.findVd(vdRef)
  const series = record.snapshots
  const back = /^~(\d+)$/.exec(ref)
  if (back !== null) {
    const at = series.length - 1 - Number(back[1])
    if (at < 0) throw new Error(`VD "${record.name}" has ${series.length} snapshot${series.length === 1 ? '' : 's'}; ${ref} goes back too far`)
    return series[at]!
  }
  if (isObjectId(ref)) return ref
  if (/^[0-9a-f]{4,39}$/.test(ref)) {
    const matches = series.filter((s) => s.startsWith(ref))
    if (matches.length === 1) return matches[0]!
    if (matches.length > 1) throw new Error(`snapshot prefix "${ref}" is ambiguous in VD "${record.name}"`)
    return repo.resolveSnapshot(ref)
  }
  throw new Error(`"${ref}" names no snapshot of VD "${record.name}" (use an id, an id prefix, or ~K for K back from the latest)`)
}

export async function resolveMountTarget (repo: VdRepository, vdRef: string, snapshotRef: string | null, loadObject: LoadObject): Promise<MountTarget> {
  const record = repo.findVd(vdRef)
  const readSnapshot = async (id: ObjectId) => {
    try {
      return decodeSnapshot(await loadObject(id), id)
    } catch (error) {
      throw new Error(`cannot read snapshot ${id} of VD "${record.name}": ${(error as Error).message}`, { cause: error })
    }
  }
  if (snapshotRef !== null) {
    const snapshot = resolveVdSnapshot(repo, vdRef, snapshotRef)
    const snap = await readSnapshot(snapshot)
    const source: FsSource = { kind: snap.kind, root: snap.root, timeMs: snap.timeMs, ...(snap.imageSizeBytes !== undefined ? { imageSizeBytes: snap.imageSizeBytes } : {}) }
    return { vdId: record.id, vdName: record.name, snapshot, head: false, staged: 0, source }
  }
  const base = record.base === null ? null : await readSnapshot(record.base)
  const staged = new Map(record.staged)
  const imageSizeBytes = record.kind === 'image' ? record.imageSizeBytes ?? base?.imageSizeBytes ?? 0 : undefined
  const source: FsSource = {
    kind: record.kind, root: base?.root ?? null, staged, timeMs: base?.timeMs ?? record.createdMs,
    ...(imageSizeBytes !== undefined ? { imageSizeBytes } : {})
  }
  return { vdId: record.id, vdName: record.name, snapshot: record.base, head: true, staged: staged.size, source }
}

/**
 * Snapshot ancestry: the ancestors of a snapshot through all parent links, and the nearest common
 * ancestor of two snapshots (the merge base). Of several "best" common ancestors (criss-cross
 * merges) the one with the latest time wins, ties broken by the smaller id, so the choice is
 * deterministic. Reads snapshot records only; never writes.
 */
import type { ObjectId } from './object-id.ts'
import type { SnapshotReader } from './snapshot.ts'

/** `id` and all its ancestors, each with its distance (fewest parent links). */
export function ancestorsOf (snapshots: SnapshotReader, id: ObjectId): Map<ObjectId, number> {
  const seen = new Map<ObjectId, number>([[id, 0]])
  const queue: ObjectId[] = [id]
  for (let i = 0; i < queue.length; i++) {
    const current = queue[i]!
    for (const parent of snapshots.read(current).parents) {
      if (seen.has(parent)) continue
      seen.set(parent, seen.get(current)! + 1)
      queue.push(parent)
    }
  }
  return seen
}

/** True when `ancestor` is `id` or one of its ancestors. */
export function isAncestor (snapshots: SnapshotReader, ancestor: ObjectId, id: ObjectId): boolean {
  return ancestorsOf(snapshots, id).has(ancestor)
}

/** The merge base of `a` and `b`, or null when they share no history. */
export function nearestCommonAncestor (snapshots: SnapshotReader, a: ObjectId, b: ObjectId): ObjectId | null {
  const ofA = ancestorsOf(snapshots, a)
  const ofB = ancestorsOf(snapshots, b)
  const common = [...ofB.keys()].filter((id) => ofA.has(id))
  if (common.length === 0) return null
  common.sort((x, y) => ofB.get(x)! - ofB.get(y)!)
  const excluded = new Set<ObjectId>()
  const best: ObjectId[] = []
  for (const c of common) {
    if (excluded.has(c)) continue
    best.push(c)
    for (const older of ancestorsOf(snapshots, c).keys()) if (older !== c) excluded.add(older)
  }
  for (let i = best.length - 1; i >= 0; i--) if (excluded.has(best[i]!)) best.splice(i, 1)
  best.sort((x, y) => snapshots.read(y).timeMs - snapshots.read(x).timeMs || (x < y ? -1 : 1))
  return best[0]!
}

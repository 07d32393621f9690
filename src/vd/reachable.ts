/**
 * The objects a snapshot needs, found by walking its record, map nodes, file manifests and
 * content objects: what commonality counts, what a migrating host must fetch, what a GC keeps.
 * A lazy generator over an explicit stack (bounded work per pull); objects already in `visited`
 * are skipped with everything below them. A missing object is reported (`missing`), not thrown,
 * and what lies below it stays unknown until it is fetched. Reads the store only.
 */
import { decodeManifest } from './file-manifest.ts'
import { decodeNode } from './merkle-map.ts'
import type { ObjectId } from './object-id.ts'
import type { ObjectStore } from './object-store.ts'
import { decodeSnapshot } from './snapshot.ts'

export type ObjectRole = 'snapshot' | 'map-node' | 'manifest' | 'chunk' | 'symlink' | 'block'

export interface ReachedObject {
  id: ObjectId
  role: ObjectRole
  /** Undefined when missing. */
  sizeBytes: number | undefined
  missing: boolean
  /** Whole files: the SHA-1 of the file's bytes (top manifests, and chunks that are whole files). */
  contentId?: ObjectId
  /** Whole files: the file's length. */
  fileBytes?: number
}

interface Pending { id: ObjectId, role: ObjectRole, top?: boolean, fileBytes?: number }

export interface ReachOptions {
  /** Also walk parent snapshots (default false: only the snapshots given). */
  followParents?: boolean
}

export function * reachableObjects (store: ObjectStore, snapshotIds: Iterable<ObjectId>, visited: Set<ObjectId> = new Set(), options: ReachOptions = {}): Generator<ReachedObject> {
  const stack: Pending[] = [...snapshotIds].reverse().map((id) => ({ id, role: 'snapshot' }))
  while (stack.length > 0) {
    const item = stack.pop()!
    if (visited.has(item.id)) continue
    visited.add(item.id)
    const bytes = store.has(item.id) ? store.get(item.id) : undefined
    const reached: ReachedObject = { id: item.id, role: item.role, sizeBytes: bytes?.length, missing: bytes === undefined }
    if (item.fileBytes !== undefined) reached.fileBytes = item.fileBytes
    if (bytes === undefined) {
      yield reached
      continue
    }
    if (item.role === 'snapshot') {
      const record = decodeSnapshot(bytes, item.id)
      if (options.followParents === true) for (const p of [...record.parents].reverse()) stack.push({ id: p, role: 'snapshot' })
      stack.push({ id: record.root, role: 'map-node' })
    } else if (item.role === 'map-node') {
      const node = decodeNode(bytes, item.id)
      for (let s = node.slots.length - 1; s >= 0; s--) {
        const slot = node.slots[s]
        if (slot === undefined) continue
        if ('child' in slot) {
          stack.push({ id: slot.child, role: 'map-node' })
          continue
        }
        for (let i = slot.bucket.length - 1; i >= 0; i--) {
          const e = slot.bucket[i]![1]
          if (e.id === null) continue
          if (e.kind === 'file') stack.push({ id: e.id, role: e.manifest ? 'manifest' : 'chunk', top: true, fileBytes: e.sizeBytes })
          else stack.push({ id: e.id, role: e.kind === 'symlink' ? 'symlink' : 'block' })
        }
      }
    } else if (item.role === 'manifest') {
      const m = decodeManifest(bytes, item.id)
      if (item.top === true && m.contentId !== null) reached.contentId = m.contentId
      for (let i = m.children.length - 1; i >= 0; i--) stack.push({ id: m.children[i]!.id, role: m.depth === 0 ? 'chunk' : 'manifest' })
    } else if (item.role === 'chunk' && item.top === true) {
      reached.contentId = item.id
    }
    yield reached
  }
}

/** Ids a snapshot needs that the store lacks (those below a missing node are found after it is fetched). */
export function missingObjects (store: ObjectStore, snapshotId: ObjectId): ObjectId[] {
  const out: ObjectId[] = []
  for (const r of reachableObjects(store, [snapshotId])) if (r.missing) out.push(r.id)
  return out
}

/**
 * The difference between two Merkle maps (two snapshots): walks both tries together and descends
 * only into slots whose child ids differ, so its cost grows with what changed, not with the map's
 * size. Reads nodes through a MerkleMap (its counters show the nodes visited); never writes.
 */
import { sameEntry, type MapEntry } from './map-entry.ts'
import type { Bucket, MapNode, MerkleMap } from './merkle-map.ts'
import { FANOUT } from './merkle-map.ts'
import type { ObjectId } from './object-id.ts'

export interface EntryChange {
  key: string
  /** null: added. */
  before: MapEntry | null
  /** null: deleted. */
  after: MapEntry | null
}

/** Changes from map `a` to map `b`, sorted by key. */
export function diffMaps (map: MerkleMap, a: ObjectId, b: ObjectId): EntryChange[] {
  const out: EntryChange[] = []
  if (a !== b) diffNodes(map, map.load(a), map.load(b), out)
  return out.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0))
}

function diffNodes (map: MerkleMap, a: MapNode, b: MapNode, out: EntryChange[]): void {
  for (let s = 0; s < FANOUT; s++) {
    const sa = a.slots[s]
    const sb = b.slots[s]
    if (sa === undefined && sb === undefined) continue
    if (sa !== undefined && sb !== undefined && 'child' in sa && 'child' in sb) {
      if (sa.child !== sb.child) diffNodes(map, map.load(sa.child), map.load(sb.child), out)
      continue
    }
    diffBuckets(slotEntries(map, sa), slotEntries(map, sb), out)
  }
}

function slotEntries (map: MerkleMap, slot: MapNode['slots'][number]): Bucket {
  if (slot === undefined) return []
  if ('bucket' in slot) return slot.bucket
  return [...map.entries(slot.child)]
}

function diffBuckets (a: Bucket, b: Bucket, out: EntryChange[]): void {
  const before = new Map(a)
  for (const [key, entry] of b) {
    const old = before.get(key)
    if (old === undefined) out.push({ key, before: null, after: entry })
    else {
      if (!sameEntry(old, entry)) out.push({ key, before: old, after: entry })
      before.delete(key)
    }
  }
  for (const [key, entry] of before) out.push({ key, before: entry, after: null })
}

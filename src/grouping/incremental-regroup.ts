/**
 * Incremental regrouping (design section 4, step 6): when new statistics arrive, only touched
 * groups are rechecked.
 *
 *  1. New neighbour lists; touched objects T = those whose list (members or P) changed.
 *  2. Links are recomputed only for pairs touching T (a link depends only on its two lists).
 *  3. Overlap status is rechecked only for objects listed by a touched object (old or new list):
 *     no other object's in-list or the strict links within it can have changed.
 *  4. Dirty objects: T, the objects whose overlap status flipped, and every partner of either
 *     in the old or new links. Marking then takes in every member of a dirty object's old home
 *     group and everything linked to a marked object (overlap objects do not carry links), so
 *     the marked set is a union of whole old groups and whole connected components of the new
 *     link graph.
 *  5. A DFS marking pass over the links splits the marked objects (the touched groups) into
 *     their connected components, which the merge passes regroup from singletons; all other
 *     groups are kept; overlap joins are recomputed for all overlap objects.
 *
 * Because the merge passes decide a component from its own links alone, an unmarked component
 * has the same links as before and keeps the same groups: the result equals grouping from
 * scratch on the same statistics. Pure computation; the previous state is not changed.
 */
import type { CoAccessStats } from './co-access-stats.ts'
import { finishGrouping, mergeIncluded, sizesArray, type GroupingState } from './grouping.ts'
import { buildAdjacency, updateLinks, type LinkAdjacency, type Links } from './jarvis-patrick-links.ts'
import { buildNeighbourLists, buildReverseLists, sameList, type NeighbourLists } from './neighbour-lists.ts'
import { OverlapDetector } from './overlaps.ts'

export function regroupIncremental (previous: GroupingState, stats: CoAccessStats, sizesBytes?: ArrayLike<number>, numObjects = Math.max(stats.numObjects, previous.numObjects)): GroupingState {
  const { params } = previous
  const n = numObjects
  const oldN = previous.numObjects
  const lists = buildNeighbourLists(stats, params, n)
  const reverse = buildReverseLists(lists)

  const touched = new Uint8Array(n)
  for (let a = 0; a < n; a++) if (a >= oldN || !sameList(previous.lists, lists, a)) touched[a] = 1
  const links = updateLinks(previous.links, lists, reverse, touched, params)
  const adjacency = buildAdjacency(links)

  const overlap = new Uint8Array(n)
  overlap.set(previous.overlap)
  const recheck = new Uint8Array(n)
  for (let a = 0; a < n; a++) {
    if (touched[a] !== 1) continue
    if (a < oldN) forList(previous.lists, a, (x) => { recheck[x] = 1 })
    forList(lists, a, (x) => { recheck[x] = 1 })
  }
  const detector = new OverlapDetector(links, adjacency, reverse, params.overlapMinGroups, params.overlapComponentFraction)
  const flipped = new Uint8Array(n)
  for (let x = 0; x < n; x++) {
    if (recheck[x] !== 1 && x < oldN) continue
    const now = detector.isOverlap(x) ? 1 : 0
    if (now !== overlap[x]) { overlap[x] = now; flipped[x] = 1 }
  }

  const dirty: number[] = []
  for (let a = 0; a < n; a++) {
    if (touched[a] !== 1 && flipped[a] !== 1) continue
    dirty.push(a)
    if (a < oldN) forPartners(previous.links, previous.adjacency, a, (p) => { dirty.push(p) })
    forPartners(links, adjacency, a, (p) => { dirty.push(p) })
  }

  const marked = markRegion(dirty, previous, adjacency, overlap, n)
  const components = linkComponents(marked, adjacency, overlap)
  const include = new Uint8Array(n)
  for (let a = 0; a < n; a++) include[a] = components.component[a]! >= 0 ? 1 : 0
  const sizes = sizesArray(sizesBytes ?? previous.sizesBytes, n)
  const merged = mergeIncluded(links, include, sizes, params)

  // Labels: regrouped objects by their new representative (< n); kept ones by old group + n.
  const label = new Int32Array(n)
  let regrouped = 0
  for (let a = 0; a < n; a++) {
    if (overlap[a] === 1) label[a] = -1
    else if (include[a] === 1) { label[a] = merged.root[a]!; regrouped++ } else label[a] = n + previous.home[a]!
  }
  return finishGrouping({ params, numObjects: n, sizesBytes: sizes, lists, reverse, links, adjacency, overlap }, label, {
    merges: merged.merges, refusedByCap: merged.refusedByCap, refusedFrozen: merged.refusedFrozen, regroupedObjects: regrouped, regroupedComponents: components.count
  })
}

function forList (lists: NeighbourLists, a: number, visit: (x: number) => void): void {
  for (let j = lists.offsets[a]!; j < lists.offsets[a + 1]!; j++) visit(lists.ids[j]!)
}

function forPartners (links: Links, adjacency: LinkAdjacency, a: number, visit: (p: number) => void): void {
  if (a >= links.numObjects) return
  for (let j = adjacency.offsets[a]!; j < adjacency.offsets[a + 1]!; j++) visit(adjacency.partners[j]!)
}

/**
 * Marks the objects to regroup: from the dirty objects, a marked object marks the home members
 * of its old group and (unless either is an overlap object) its link partners.
 */
export function markRegion (dirty: readonly number[], previous: GroupingState, adjacency: LinkAdjacency, overlap: Uint8Array, n: number): Uint8Array {
  const marked = new Uint8Array(n)
  const groupDone = new Uint8Array(previous.groups.count)
  const stack: number[] = []
  const { offsets, members, homeCounts } = previous.groups
  for (const start of dirty) {
    if (marked[start] === 1) continue
    marked[start] = 1
    stack.push(start)
    while (stack.length > 0) {
      const o = stack.pop()!
      const g = o < previous.numObjects ? previous.home[o]! : -1
      if (g >= 0 && groupDone[g] === 0) {
        groupDone[g] = 1
        for (let j = offsets[g]!; j < offsets[g]! + homeCounts[g]!; j++) {
          const x = members[j]!
          if (marked[x] === 0) { marked[x] = 1; stack.push(x) }
        }
      }
      if (overlap[o] === 1) continue
      for (let j = adjacency.offsets[o]!; j < adjacency.offsets[o + 1]!; j++) {
        const p = adjacency.partners[j]!
        if (overlap[p] === 1 || marked[p] === 1) continue
        marked[p] = 1
        stack.push(p)
      }
    }
  }
  return marked
}

export interface LinkComponents {
  /** Component number of each marked non-overlap object; -1 for the others. */
  component: Int32Array
  count: number
}

/**
 * DFS marking over the links among the marked non-overlap objects: the connected components
 * that touched groups split into before merging (numbered in order of their smallest object).
 */
export function linkComponents (marked: Uint8Array, adjacency: LinkAdjacency, overlap: Uint8Array): LinkComponents {
  const n = marked.length
  const component = new Int32Array(n).fill(-1)
  const stack: number[] = []
  let count = 0
  for (let start = 0; start < n; start++) {
    if (marked[start] !== 1 || overlap[start] === 1 || component[start]! >= 0) continue
    const id = count++
    component[start] = id
    stack.push(start)
    while (stack.length > 0) {
      const o = stack.pop()!
      for (let j = adjacency.offsets[o]!; j < adjacency.offsets[o + 1]!; j++) {
        const p = adjacency.partners[j]!
        if (marked[p] !== 1 || overlap[p] === 1 || component[p]! >= 0) continue
        component[p] = id
        stack.push(p)
      }
    }
  }
  return { component, count }
}

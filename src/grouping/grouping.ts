/**
 * Working-set grouping from scratch (design section 4): statistics → neighbour lists →
 * Jarvis-Patrick links → overlap objects → multi-pass merge → overlap joins → canonical groups.
 * The state it returns is what incremental regrouping starts from. Groups are canonical: numbered
 * by their smallest home member, home members ascending then overlap members ascending, so two
 * runs that group alike compare equal. Pure computation; never does I/O.
 */
import { CoAccessStats } from './co-access-stats.ts'
import { groupingParams, type GroupingParams } from './grouping-params.ts'
import { buildAdjacency, computeLinks, mergeOrder, type LinkAdjacency, type Links } from './jarvis-patrick-links.ts'
import { mergePasses } from './merge-passes.ts'
import { buildNeighbourLists, buildReverseLists, type NeighbourLists, type ReverseLists } from './neighbour-lists.ts'
import { findOverlaps, joinOverlaps, OverlapDetector } from './overlaps.ts'
import type { ReferenceString } from '../trace/trace-record.ts'

export interface Groups {
  count: number
  /** Group g is members[offsets[g] .. offsets[g + 1]): homeCounts[g] home members, then overlap members. */
  offsets: Int32Array
  members: Int32Array
  homeCounts: Int32Array
}

export interface GroupingSummary {
  objects: number
  links: number
  strictLinks: number
  overlapObjects: number
  merges: number
  refusedByCap: number
  refusedFrozen: number
  /** Objects whose home group was recomputed (all of them from scratch). */
  regroupedObjects: number
  /** Connected components the recomputed objects fell into (incremental only; 0 from scratch). */
  regroupedComponents: number
}

export interface GroupingState {
  params: GroupingParams
  numObjects: number
  sizesBytes: Float64Array
  lists: NeighbourLists
  reverse: ReverseLists
  links: Links
  adjacency: LinkAdjacency
  /** 1 for overlap objects. */
  overlap: Uint8Array
  /** Index of each object's home group; -1 for an overlap object that joined other groups. */
  home: Int32Array
  groups: Groups
  summary: GroupingSummary
}

/** Groups every object below numObjects from the statistics gathered so far. */
export function groupFromStats (stats: CoAccessStats, params: GroupingParams, sizesBytes?: ArrayLike<number>, numObjects = stats.numObjects): GroupingState {
  return groupFromLists(buildNeighbourLists(stats, params, numObjects), params, sizesBytes)
}

/** Groups from given neighbour lists (the part after the statistics). */
export function groupFromLists (lists: NeighbourLists, params: GroupingParams, sizesBytes?: ArrayLike<number>): GroupingState {
  const numObjects = lists.numObjects
  const reverse = buildReverseLists(lists)
  const links = computeLinks(lists, reverse, params)
  const adjacency = buildAdjacency(links)
  const overlap = findOverlaps(new OverlapDetector(links, adjacency, reverse, params.overlapMinGroups, params.overlapComponentFraction), numObjects)
  const include = new Uint8Array(numObjects)
  for (let a = 0; a < numObjects; a++) include[a] = overlap[a] === 1 ? 0 : 1
  const sizes = sizesArray(sizesBytes, numObjects)
  const merged = mergeIncluded(links, include, sizes, params)
  return finishGrouping({ params, numObjects, sizesBytes: sizes, lists, reverse, links, adjacency, overlap }, merged.root, {
    merges: merged.merges, refusedByCap: merged.refusedByCap, refusedFrozen: merged.refusedFrozen, regroupedObjects: numObjects, regroupedComponents: 0
  })
}

export interface GroupedReferenceString {
  stats: CoAccessStats
  state: GroupingState
  /** References used for the statistics (a prefix of the reference string). */
  trainReferences: number
}

/** Statistics over the first `trainReferences` references (default all), then grouping. */
export function groupReferenceString (rs: ReferenceString, partial: Partial<GroupingParams> = {}, trainReferences = rs.refs.length): GroupedReferenceString {
  const params = groupingParams(partial)
  const numObjects = Math.max(rs.keys.length, maxId(rs.refs) + 1)
  const stats = new CoAccessStats({ numObjects, k: params.k, capacity: params.capacity })
  stats.add(rs.refs.subarray(0, trainReferences))
  stats.takeDirty()
  return { stats, state: groupFromStats(stats, params, rs.sizesBytes, numObjects), trainReferences }
}

function maxId (refs: Int32Array): number {
  let max = -1
  for (let i = 0; i < refs.length; i++) if (refs[i]! > max) max = refs[i]!
  return max
}

export function sizesArray (sizesBytes: ArrayLike<number> | undefined, numObjects: number): Float64Array {
  const out = new Float64Array(numObjects)
  if (sizesBytes !== undefined) for (let a = 0; a < Math.min(numObjects, sizesBytes.length); a++) out[a] = Number.isFinite(sizesBytes[a]) ? sizesBytes[a]! : 0
  return out
}

/** Merge passes over the included objects' links. */
export function mergeIncluded (links: Links, include: Uint8Array, sizesBytes: Float64Array, params: GroupingParams): ReturnType<typeof mergePasses> {
  const both = (e: number): boolean => include[links.u[e]!] === 1 && include[links.v[e]!] === 1
  const strictOrder = mergeOrder(links, true, both)
  const looseOrder = params.loose ? mergeOrder(links, false, both) : new Uint32Array(0)
  return mergePasses({ links, strictOrder, looseOrder, include, sizesBytes, params })
}

type StateCore = Omit<GroupingState, 'home' | 'groups' | 'summary'>

/**
 * From home labels (any integer ≥ 0 per non-overlap object; equal labels = same group) to the
 * final state: overlap joins, singleton groups for overlap objects that joined nothing, and
 * canonical numbering.
 */
export function finishGrouping (core: StateCore, label: Int32Array, counts: Pick<GroupingSummary, 'merges' | 'refusedByCap' | 'refusedFrozen' | 'regroupedObjects' | 'regroupedComponents'>): GroupingState {
  const n = core.numObjects
  const homeLabel = new Int32Array(n)
  let overlapObjects = 0
  let maxLabel = -1
  for (let a = 0; a < n; a++) {
    const l = core.overlap[a] === 1 ? -1 : label[a]!
    homeLabel[a] = l
    if (l > maxLabel) maxLabel = l
    overlapObjects += core.overlap[a]!
  }
  // Overlap objects that join nothing get a singleton group: labels past every used one.
  const homeSize = new Int32Array(maxLabel + 1 + overlapObjects)
  for (let a = 0; a < n; a++) if (homeLabel[a]! >= 0) homeSize[homeLabel[a]!]!++
  const joins = joinOverlaps(core.overlap, homeLabel, homeSize, core.reverse, core.params.overlapJoinFraction)
  const joinedSomething = new Uint8Array(n)
  for (const [x] of joins) joinedSomething[x] = 1
  let nextLabel = maxLabel + 1
  for (let a = 0; a < n; a++) if (core.overlap[a] === 1 && joinedSomething[a] === 0) homeLabel[a] = nextLabel++
  // Canonical numbering: by smallest home member (first appearance in id order).
  const groupOf = new Int32Array(nextLabel).fill(-1)
  const home = new Int32Array(n).fill(-1)
  const homeCounts = new Int32Array(n)
  let count = 0
  for (let a = 0; a < n; a++) {
    const l = homeLabel[a]!
    if (l < 0) continue
    let g = groupOf[l]!
    if (g < 0) { g = count++; groupOf[l] = g }
    home[a] = g
    homeCounts[g]!++
  }
  const joinCount = new Int32Array(count)
  for (const [, l] of joins) joinCount[groupOf[l]!]!++
  const offsets = new Int32Array(count + 1)
  for (let g = 0; g < count; g++) offsets[g + 1] = offsets[g]! + homeCounts[g]! + joinCount[g]!
  const members = new Int32Array(offsets[count]!)
  const cursor = offsets.slice(0, count)
  for (let a = 0; a < n; a++) if (home[a]! >= 0) members[cursor[home[a]!]!++] = a
  for (const [x, l] of joins) members[cursor[groupOf[l]!]!++] = x // joins are in object order
  let strictLinks = 0
  for (let e = 0; e < core.links.count; e++) strictLinks += core.links.mutual[e]!
  return {
    ...core,
    home,
    groups: { count, offsets, members, homeCounts: homeCounts.slice(0, count) },
    summary: { objects: n, links: core.links.count, strictLinks, overlapObjects, ...counts }
  }
}

/**
 * One group per object, for partition measures such as the adjusted Rand index: its home group,
 * or for an overlap object the first group it joined.
 */
export function primaryGroups (state: GroupingState): Int32Array {
  const out = Int32Array.from(state.home)
  const { groups } = state
  for (let g = groups.count - 1; g >= 0; g--) {
    for (let j = groups.offsets[g]! + groups.homeCounts[g]!; j < groups.offsets[g + 1]!; j++) out[groups.members[j]!] = g
  }
  return out
}

/** Group g's members (home members first). */
export function groupMembers (groups: Groups, g: number): Int32Array {
  return groups.members.subarray(groups.offsets[g]!, groups.offsets[g + 1]!)
}

/** Groups as sorted arrays of sorted member ids: a canonical form for comparing groupings. */
export function groupsAsArrays (groups: Groups): number[][] {
  const out: number[][] = []
  for (let g = 0; g < groups.count; g++) out.push(Array.from(groupMembers(groups, g)).sort((p, q) => p - q))
  return out.sort((p, q) => p[0]! - q[0]! || p.length - q.length || compareArrays(p, q))
}

function compareArrays (p: number[], q: number[]): number {
  for (let i = 0; i < Math.min(p.length, q.length); i++) if (p[i] !== q[i]) return p[i]! - q[i]!
  return p.length - q.length
}

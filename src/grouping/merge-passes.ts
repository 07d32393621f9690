/**
 * Multi-pass merging (design section 4, step 4). Starting from singletons, pass i merges the
 * groups joined by links of shared count ≥ t_i, strict form first (t from m + 1 down to n), then
 * the loose form over the same thresholds. Within a pass, links go in merge order (shared count,
 * then P-sum, descending), so closely related objects merge first. A merge happens only while
 * the union stays within the cap (objects and/or bytes); a group that has reached the acceptable
 * size at the end of a pass is frozen and takes no more merges ("stop early").
 *
 * A refused merge stays refused (groups only grow, frozen groups stay frozen), so each link is
 * looked at once. The result on a connected component of the link graph depends only on that
 * component's links, which is what lets incremental regrouping redo only touched components.
 * Pure computation.
 */
import type { GroupingParams } from './grouping-params.ts'
import type { Links } from './jarvis-patrick-links.ts'
import { passThresholds } from './grouping-params.ts'

export interface MergeInput {
  links: Links
  /** Strict (mutual) links in merge order. */
  strictOrder: Uint32Array
  /** Loose-only (one-sided) links in merge order; empty when params.loose is false. */
  looseOrder: Uint32Array
  /** Objects taking part (1); links touching others are ignored. */
  include: Uint8Array
  /** Object sizes for a byte cap (0 when unknown). */
  sizesBytes: Float64Array
  params: GroupingParams
}

export interface MergeResult {
  /** For each included object, the representative (an object id) of its group; -1 for others. */
  root: Int32Array
  merges: number
  refusedByCap: number
  refusedFrozen: number
}

export function mergePasses (input: MergeInput): MergeResult {
  const { links, include, sizesBytes, params } = input
  const n = links.numObjects
  const parent = new Int32Array(n)
  for (let a = 0; a < n; a++) parent[a] = a
  const sizeObjects = new Int32Array(n).fill(1)
  const sizeBytes = new Float64Array(n)
  for (let a = 0; a < n; a++) sizeBytes[a] = sizesBytes[a] ?? 0
  const frozen = new Uint8Array(n)
  for (let a = 0; a < n; a++) if (1 >= params.targetGroupObjects || sizeBytes[a]! >= params.targetGroupBytes) frozen[a] = 1
  const find = (a: number): number => {
    while (parent[a] !== a) {
      const up = parent[parent[a]!]!
      parent[a] = up
      a = up
    }
    return a
  }
  const thresholds = passThresholds(params)
  let merges = 0
  let refusedByCap = 0
  let refusedFrozen = 0
  const runPass = (order: Uint32Array, start: number, threshold: number): number => {
    const grown: number[] = []
    let at = start
    for (; at < order.length; at++) {
      const e = order[at]!
      if (links.shared[e]! < threshold) break
      const a = links.u[e]!
      const b = links.v[e]!
      if (include[a] !== 1 || include[b] !== 1) continue
      let ra = find(a)
      let rb = find(b)
      if (ra === rb) continue
      if (frozen[ra] === 1 || frozen[rb] === 1) { refusedFrozen++; continue }
      const objects = sizeObjects[ra]! + sizeObjects[rb]!
      const bytes = sizeBytes[ra]! + sizeBytes[rb]!
      if (objects > params.maxGroupObjects || bytes > params.maxGroupBytes) { refusedByCap++; continue }
      if (sizeObjects[rb]! > sizeObjects[ra]! || (sizeObjects[rb] === sizeObjects[ra] && rb < ra)) { const t = ra; ra = rb; rb = t }
      parent[rb] = ra
      sizeObjects[ra] = objects
      sizeBytes[ra] = bytes
      merges++
      grown.push(ra)
    }
    for (const r of grown) {
      if (parent[r] === r && (sizeObjects[r]! >= params.targetGroupObjects || sizeBytes[r]! >= params.targetGroupBytes)) frozen[r] = 1
    }
    return at
  }
  let strictAt = 0
  for (const t of thresholds) strictAt = runPass(input.strictOrder, strictAt, t)
  if (params.loose) {
    let looseAt = 0
    for (const t of thresholds) looseAt = runPass(input.looseOrder, looseAt, t)
  }
  const root = new Int32Array(n).fill(-1)
  for (let a = 0; a < n; a++) if (include[a] === 1) root[a] = find(a)
  return { root, merges, refusedByCap, refusedFrozen }
}

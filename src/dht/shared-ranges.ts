/**
 * Which slices of the key space two leaf-set neighbours both store, as Bamboo's DataManager
 * computes them (`calc_shared_dbs`): the ring between consecutive members of the window of
 * `replicas/2` predecessors and successors is cut into ranges [member_i, member_{i+1} − 1], and a
 * neighbour shares the ranges that lie in both nodes' windows. A leaf set that wraps the whole
 * ring shares one range, the whole space. Anti-entropy syncs one shared range at a time; a
 * node asked to sync a range it does not share refuses. Pure.
 */
import { inArc } from '../ids/ring.ts'
import type { NeighborInfo } from '../wire/fields.ts'

export interface GuidRange {
  /** Inclusive; when low > high the range wraps through zero. */
  readonly low: bigint
  readonly high: bigint
}

export const MAX_GUID = (1n << 160n) - 1n

export function inRangeMod (range: GuidRange, guid: bigint): boolean {
  return inArc(range.low, range.high, guid)
}

export function sameRange (a: GuidRange, b: GuidRange): boolean {
  return a.low === b.low && a.high === b.high
}

/**
 * The ranges `self` shares with `other`, given `self`'s predecessors and successors (closest
 * first, each cut to `replicas/2`); null when `other` is in neither list.
 */
export function sharedRanges (self: NeighborInfo, preds: readonly NeighborInfo[], succs: readonly NeighborInfo[], other: bigint): GuidRange[] | null {
  if (preds.length === 0 || succs.length === 0) return null
  const farPred = preds[preds.length - 1]!.guid
  if (succs.some((s) => s.guid === farPred)) return [{ low: 0n, high: MAX_GUID }]
  let lowIndex: number
  let highIndex: number
  const succIndex = succs.findIndex((s) => s.guid === other)
  if (succIndex >= 0) {
    lowIndex = succIndex === succs.length - 1 ? 0 : -(preds.length - succIndex - 1)
    highIndex = succs.length
  } else {
    const predIndex = preds.findIndex((p) => p.guid === other)
    if (predIndex < 0) return null
    highIndex = predIndex === preds.length - 1 ? 0 : succs.length - predIndex - 1
    lowIndex = -preds.length
  }
  const at = (i: number): bigint => i === 0 ? self.guid : i < 0 ? preds[-i - 1]!.guid : succs[i - 1]!.guid
  const ranges: GuidRange[] = []
  for (let i = lowIndex; i < highIndex; i++) {
    const high = at(i + 1) - 1n
    ranges.push({ low: at(i), high: high < 0n ? MAX_GUID : high })
  }
  return ranges
}

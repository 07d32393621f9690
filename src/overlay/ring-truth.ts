/**
 * Ground truth of a ring from global knowledge of its members' ids: the true root of a key and
 * the true leaf set of a member. Used by checkers (simulator) and `xest ring` (real processes)
 * to judge nodes; never used by a node to make decisions. Pure functions.
 */
import type { Id } from '../ids/node-id.ts'
import { ringDistance } from '../ids/ring.ts'

/** Ids sorted around the ring (ascending). */
export function sortIds (ids: Iterable<Id>): Id[] {
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/** The id among `sorted` closest to `key` (a tie goes to the successor side, as Bamboo). */
export function trueRoot (sorted: readonly Id[], key: Id): Id {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (sorted[mid]! < key) lo = mid + 1
    else hi = mid
  }
  const successor = sorted[lo % sorted.length]!
  const predecessor = sorted[(lo - 1 + sorted.length) % sorted.length]!
  return ringDistance(predecessor, key) < ringDistance(successor, key) ? predecessor : successor
}

/** The `perSide` nearest members on each side of `sorted[at]` (fewer on small rings). */
export function trueLeafSet (sorted: readonly Id[], at: number, perSide: number): Set<Id> {
  const out = new Set<Id>()
  const n = sorted.length
  for (let i = 1; i <= perSide && i < n; i++) {
    out.add(sorted[(at + i) % n]!)
    out.add(sorted[(at - i + n) % n]!)
  }
  return out
}

/**
 * Routing checkers that observe the overlay from outside with global knowledge: the true leaf
 * set of every live node (the nearest live, joined nodes on each side of the ring) and the true
 * root of a key (the live, joined node numerically closest). They read node state and never
 * change it; the world's ground truth is only for judging, never fed back to the nodes.
 */
import type { Id } from '../../src/ids/node-id.ts'
import { ringDistance } from '../../src/ids/ring.ts'
import type { OverlayNode } from '../../src/overlay/overlay-node.ts'

export interface LeafSetReport {
  nodes: number
  correct: number
  /** Up to 10 examples of wrong leaf sets, for diagnosis. */
  examples: Array<{ guid: string, missing: number, extra: number }>
}

/** The live nodes' guids sorted around the ring. */
export function sortedGuids (nodes: readonly OverlayNode[]): Id[] {
  return nodes.map((n) => n.self.guid).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/** The guid among `sorted` closest to `key` (ties toward the successor side, as Bamboo). */
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
  const ds = ringDistance(successor, key)
  const dp = ringDistance(predecessor, key)
  return dp < ds ? predecessor : successor
}

/** Compares every node's leaf set with the truth among `nodes` (all live and joined). */
export function checkLeafSets (nodes: readonly OverlayNode[]): LeafSetReport {
  const sorted = sortedGuids(nodes)
  const index = new Map(sorted.map((g, i) => [g, i]))
  const report: LeafSetReport = { nodes: nodes.length, correct: 0, examples: [] }
  for (const node of nodes) {
    const expected = expectedLeafSet(sorted, index.get(node.self.guid)!, node.config.leafSetSizePerSide)
    const actual = new Set(node.leafSet.members().map((m) => m.guid))
    let missing = 0
    for (const guid of expected) if (!actual.has(guid)) missing++
    const extra = [...actual].filter((g) => !expected.has(g)).length
    if (missing === 0 && extra === 0) report.correct++
    else if (report.examples.length < 10) report.examples.push({ guid: node.self.guid.toString(16), missing, extra })
  }
  return report
}

function expectedLeafSet (sorted: readonly Id[], at: number, perSide: number): Set<Id> {
  const out = new Set<Id>()
  const n = sorted.length
  for (let i = 1; i <= perSide && i < n; i++) {
    out.add(sorted[(at + i) % n]!)
    out.add(sorted[(at - i + n) % n]!)
  }
  return out
}

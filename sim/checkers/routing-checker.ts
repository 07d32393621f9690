/**
 * Routing checkers that observe the overlay from outside with global knowledge: the true leaf
 * set of every live node (the nearest live, joined nodes on each side of the ring) and the true
 * root of a key (the live, joined node numerically closest). They read node state and never
 * change it; the world's ground truth is only for judging, never fed back to the nodes.
 */
import type { Id } from '../../src/ids/node-id.ts'
import type { OverlayNode } from '../../src/overlay/overlay-node.ts'
import { sortIds, trueLeafSet } from '../../src/overlay/ring-truth.ts'

export interface LeafSetReport {
  nodes: number
  correct: number
  /** Up to 10 examples of wrong leaf sets, for diagnosis. */
  examples: Array<{ guid: string, missing: number, extra: number }>
}

/** The live nodes' guids sorted around the ring. */
export function sortedGuids (nodes: readonly OverlayNode[]): Id[] {
  return sortIds(nodes.map((n) => n.self.guid))
}

/** Compares every node's leaf set with the truth among `nodes` (all live and joined). */
export function checkLeafSets (nodes: readonly OverlayNode[]): LeafSetReport {
  const sorted = sortedGuids(nodes)
  const index = new Map(sorted.map((g, i) => [g, i]))
  const report: LeafSetReport = { nodes: nodes.length, correct: 0, examples: [] }
  for (const node of nodes) {
    const expected = trueLeafSet(sorted, index.get(node.self.guid)!, node.config.leafSetSizePerSide)
    const actual = new Set(node.leafSet.members().map((m) => m.guid))
    let missing = 0
    for (const guid of expected) if (!actual.has(guid)) missing++
    const extra = [...actual].filter((g) => !expected.has(g)).length
    if (missing === 0 && extra === 0) report.correct++
    else if (report.examples.length < 10) report.examples.push({ guid: node.self.guid.toString(16), missing, extra })
  }
  return report
}

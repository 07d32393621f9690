import test from 'ava'
import { groupFromLists, groupsAsArrays } from '../src/grouping/grouping.ts'
import { groupingParams } from '../src/grouping/grouping-params.ts'
import { buildAdjacency, computeLinks, mergeOrder } from '../src/grouping/jarvis-patrick-links.ts'
import { buildReverseLists, neighbourListsFrom } from '../src/grouping/neighbour-lists.ts'
import { OverlapDetector } from '../src/grouping/overlaps.ts'

type List = Array<readonly [number, number]>
const lists = (...rows: List[]) => neighbourListsFrom(rows)
const links = (rows: List[], n: number, loose: boolean) => {
  const l = lists(...rows)
  const out = computeLinks(l, buildReverseLists(l), { n, loose })
  return Array.from({ length: out.count }, (_, e) => [out.u[e], out.v[e], out.shared[e], out.mutual[e]])
}

test('Jarvis-Patrick links: strict needs mutual listing, loose only the shared count; both need |N(a) ∩ N(b)| ≥ n', (t) => {
  // 0 and 1 list each other and share 2 → N(0) = {0,1,2}, N(1) = {1,0,2}: shared 3.
  // 3 lists 0 and 2 but 0 does not list 3: N(3) = {3,0,2}; N(0) ∩ N(3) = {0,2}: shared 2.
  // 2 lists nothing: N(2) = {2} shares 1 with anyone.
  const rows: List[] = [[[1, 0.9], [2, 0.5]], [[0, 0.8], [2, 0.4]], [], [[0, 0.7], [2, 0.6]]]
  t.deepEqual(links(rows, 3, false), [[0, 1, 3, 1]])
  t.deepEqual(links(rows, 2, false), [[0, 1, 3, 1]], 'no strict link 0–3 (0 does not list 3)')
  t.deepEqual(links(rows, 2, true), [[0, 1, 3, 1], [0, 3, 2, 0]])
  t.deepEqual(links(rows, 1, true), [[0, 1, 3, 1], [0, 2, 1, 0], [0, 3, 2, 0], [1, 2, 1, 0], [2, 3, 1, 0]])
  t.deepEqual(links(rows, 3, true), [[0, 1, 3, 1]])
})

test('merge order: shared count first, then the P sum, then canonical order', (t) => {
  const rows: List[] = [[[1, 0.9], [2, 0.9]], [[0, 0.2], [2, 0.2]], [[0, 0.9], [1, 0.9]]]
  const l = lists(...rows)
  const out = computeLinks(l, buildReverseLists(l), { n: 2, loose: false })
  const order = Array.from(mergeOrder(out, true), (e) => [out.u[e], out.v[e]])
  // All pairs share {0,1,2}; P sums: (0,2) 1.8, (0,1) 1.1, (1,2) 1.1.
  t.deepEqual(order, [[0, 2], [0, 1], [1, 2]])
  t.deepEqual(Array.from(mergeOrder(out, false)), [], 'no loose-only links')
})

/** Three cliques {0,1,2}, {3,4,5}, {6,7,8}, each member listing its mates and 9; 9 lists two of each. */
function cliquesWithHub (): List[] {
  const rows: List[] = []
  for (const clique of [[0, 1, 2], [3, 4, 5], [6, 7, 8]]) {
    for (const a of clique) rows[a] = [...clique.filter((b) => b !== a).map((b) => [b, 0.8] as const), [9, 0.9] as const]
  }
  rows[9] = [[0, 0.3], [1, 0.3], [3, 0.3], [4, 0.3], [6, 0.3], [7, 0.3]]
  return rows
}

test('an object shared by many working sets joins each of them instead of chaining them', (t) => {
  const params = groupingParams({ m: 6, n: 3, passes: 2, maxGroupObjects: 100 })
  const state = groupFromLists(lists(...cliquesWithHub()), params)
  t.is(state.summary.overlapObjects, 1)
  t.is(state.overlap[9], 1)
  t.deepEqual(groupsAsArrays(state.groups), [[0, 1, 2, 9], [3, 4, 5, 9], [6, 7, 8, 9]])
  t.is(state.home[9], -1, 'no home group of its own')
  // Without overlap detection the hub chains all three cliques into one group.
  const chained = groupFromLists(lists(...cliquesWithHub()), { ...params, overlapMinGroups: 99 })
  t.deepEqual(groupsAsArrays(chained.groups), [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]])
})

test('overlap detection counts substantial components of the in-list only', (t) => {
  // 0 is listed by its own clique {1,2,3,4} and by stray pairs {5,6} and {7,8} of two other sets.
  const rows: List[] = []
  const own = [0, 1, 2, 3, 4]
  for (const a of own) rows[a] = own.filter((b) => b !== a).map((b) => [b, 0.8] as const)
  rows[5] = [[6, 0.8], [0, 0.2]]; rows[6] = [[5, 0.8], [0, 0.2]]
  rows[7] = [[8, 0.8], [0, 0.2]]; rows[8] = [[7, 0.8], [0, 0.2]]
  const l = lists(...rows)
  const reverse = buildReverseLists(l)
  const out = computeLinks(l, reverse, { n: 2, loose: true })
  const strict = new OverlapDetector(out, buildAdjacency(out), reverse, 3, 0.75)
  t.is(strict.components(0), 1, 'pairs are under 3/4 of the largest component (4)')
  t.false(strict.isOverlap(0))
  const lenient = new OverlapDetector(out, buildAdjacency(out), reverse, 3, 0.5)
  t.is(lenient.components(0), 3)
  t.true(lenient.isOverlap(0))
})

/** A chain 0–1–2–…–9 of strict links of decreasing strength. */
function chain (): List[] {
  const rows: List[] = []
  for (let a = 0; a < 10; a++) rows[a] = [a - 1, a + 1].filter((b) => b >= 0 && b < 10).map((b) => [b, 0.5] as const)
  return rows
}

test('merging respects the object cap, the byte cap, and stops early at the acceptable size', (t) => {
  const base = groupingParams({ m: 2, n: 2, passes: 1 })
  const sizes = (groups: number[][]) => groups.map((g) => g.length)
  const capped = groupFromLists(lists(...chain()), { ...base, maxGroupObjects: 3 })
  t.true(sizes(groupsAsArrays(capped.groups)).every((s) => s <= 3))
  t.is(capped.summary.refusedByCap > 0, true)
  const bytes = Array.from({ length: 10 }, (_, i) => (i === 4 ? 5000 : 1000))
  const byteCapped = groupFromLists(lists(...chain()), { ...base, maxGroupObjects: Infinity, maxGroupBytes: 4000 }, bytes)
  for (const g of groupsAsArrays(byteCapped.groups)) t.true(g.reduce((s, x) => s + bytes[x]!, 0) <= 4000 || g.length === 1)
  t.deepEqual(groupsAsArrays(byteCapped.groups).find((g) => g.includes(4)), [4], 'an object over the cap stays alone')
  // Three passes (thresholds 4, 3, 2): {0,1,2} (sharing 3) forms at 3 and, at the acceptable size, takes no more.
  const rows = chain()
  rows[0] = [[1, 0.5], [2, 0.5]]; rows[1] = [[0, 0.5], [2, 0.5]]; rows[2] = [[0, 0.5], [1, 0.5], [3, 0.5]] // 0,1,2 share 3
  const early = groupFromLists(lists(...rows), { ...groupingParams({ m: 3, n: 2, passes: 3 }), targetGroupObjects: 2, maxGroupObjects: 100 })
  const late = groupFromLists(lists(...rows), { ...groupingParams({ m: 3, n: 2, passes: 3 }), maxGroupObjects: 100 })
  t.true(early.summary.refusedFrozen > 0)
  t.true(groupsAsArrays(early.groups).length > groupsAsArrays(late.groups).length)
  t.deepEqual(groupsAsArrays(early.groups), [[0, 1, 2], [3, 4, 5, 6, 7, 8, 9]])
  t.deepEqual(groupsAsArrays(late.groups), [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]])
})

import test from 'ava'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GroupTable, loadGroupTable, saveGroupTable } from '../src/grouping/group-table.ts'
import { groupFromLists } from '../src/grouping/grouping.ts'
import { groupingParams } from '../src/grouping/grouping-params.ts'
import { neighbourListsFrom } from '../src/grouping/neighbour-lists.ts'
import { groupSizeStats, replayQuality } from '../src/grouping/quality.ts'

type List = Array<readonly [number, number]>

/** Three cliques {0,1,2}, {3,4,5}, {6,7,8}, each member listing its mates (0.8) and 9 (0.9); 9 lists two of each (0.3). */
function table (): GroupTable {
  const rows: List[] = []
  for (const clique of [[0, 1, 2], [3, 4, 5], [6, 7, 8]]) {
    for (const a of clique) rows[a] = [[9, 0.9] as const, ...clique.filter((b) => b !== a).map((b) => [b, 0.8] as const)]
  }
  rows[9] = [[0, 0.3], [1, 0.3], [3, 0.3], [4, 0.3], [6, 0.3], [7, 0.3]]
  const state = groupFromLists(neighbourListsFrom(rows), groupingParams({ m: 6, n: 3, passes: 2 }), Array.from({ length: 10 }, () => 4096))
  return GroupTable.fromGrouping(state, Array.from({ length: 10 }, (_, i) => `k${i}`))
}

test('group table: object → groups, and fetch order by P(x | o)', (t) => {
  const tab = table()
  t.is(tab.objectCount, 10)
  t.is(tab.groupCount, 3)
  t.deepEqual(tab.groupsOf(0), [0])
  t.deepEqual(tab.groupsOf(9), [0, 1, 2], 'the overlap object is in every group')
  t.deepEqual([...tab.members(0)].sort(), [0, 1, 2, 9])
  t.is(tab.homeCount(0), 3)
  t.deepEqual(tab.fetchOrder(0), { ids: [9, 1, 2], probs: [0.9, 0.8, 0.8] })
  const fromHub = tab.fetchOrder(9)
  t.deepEqual(fromHub.ids.slice(0, 6), [0, 1, 3, 4, 6, 7])
  t.deepEqual(fromHub.probs, [0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0, 0, 0])
  t.deepEqual([...fromHub.ids.slice(6)].sort(), [2, 5, 8])
  t.is(tab.prob(0, 9), 0.9)
  t.is(tab.idOf('k7'), 7)
  t.is(tab.idOf('nope'), undefined)
})

test('group table round-trips through its JSON form and a file', async (t) => {
  const tab = table()
  const json = JSON.parse(JSON.stringify(tab.toJson()))
  t.is(json.format, 'xest-group-table')
  t.deepEqual(json.sizesBytes, Array.from({ length: 10 }, () => 4096))
  const back = GroupTable.fromJson(json)
  for (let o = 0; o < 10; o++) {
    t.deepEqual(back.groupsOf(o), tab.groupsOf(o))
    t.deepEqual(back.fetchOrder(o), tab.fetchOrder(o))
  }
  const dir = mkdtempSync(join(tmpdir(), 'xest-groups-'))
  const path = join(dir, 'table.json')
  await saveGroupTable(tab, path)
  const loaded = await loadGroupTable(path)
  t.deepEqual(loaded.toJson(), tab.toJson())
  t.is(loaded.sizesBytes[3], 4096)
})

test('loading a bad group table names the file and the field', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xest-groups-bad-'))
  const good = table().toJson()
  const write = (name: string, value: unknown): string => { const p = join(dir, name); writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value)); return p }
  await t.throwsAsync(loadGroupTable(join(dir, 'missing.json')), { message: /cannot read group table .*missing\.json/ })
  await t.throwsAsync(loadGroupTable(write('garbage.json', '{not json')), { message: /garbage\.json: not a group table: invalid JSON/ })
  await t.throwsAsync(loadGroupTable(write('format.json', { ...good, format: 'other' })), { message: /format\.json: not a group table: format is "other"/ })
  await t.throwsAsync(loadGroupTable(write('range.json', { ...good, groups: [[0, 99], ...good.groups.slice(1)] })), { message: /groups\[0\]\[1\] = 99 is out of range/ })
  await t.throwsAsync(loadGroupTable(write('offsets.json', { ...good, probOffsets: [0] })), { message: /probOffsets has 1 entries, expected 11/ })
  t.throws(() => GroupTable.fromJson(null), { message: /not a JSON object/ })
})

test('replay quality on a worked example', (t) => {
  const groups = [[0, 1, 2], [3, 4], [5]]
  const groupsOf = (o: number): number[] => groups.flatMap((g, i) => (g.includes(o) ? [i] : []))
  const lookup = { groupsOf, members: (g: number) => groups[g]! }
  // 0 misses and prefetches 1, 2; 1 is covered; 5 misses alone; 3 misses and prefetches 4;
  // 0 again is a hit; 6 has no group and misses. 2 and 4 were fetched for nothing.
  const q = replayQuality(lookup, [0, 1, 5, 3, 0, 6], 7, [10, 10, 10, 10, 10, 10, 10])
  t.like(q, {
    accesses: 6,
    distinctObjects: 5,
    demandFetches: 4,
    hits: 2,
    covered: 1,
    prefetchedObjects: 3,
    unusedObjects: 2,
    fetchedBytes: 70,
    unusedBytes: 20
  })
  t.is(q.coverage, 1 / 5)
  t.is(q.unusedFraction, 2 / 7)
  t.is(q.prefetchPrecision, 1 / 3)
  t.is(q.missRate, 4 / 6)
  t.is(q.missRateWithoutGrouping, 5 / 6)
  t.throws(() => replayQuality(lookup, [0, 9], 7), { message: /reference 1 is not an object id below 7/ })
})

test('group size distribution', (t) => {
  const s = groupSizeStats([1, 1, 2, 3, 4, 9, 17], [1, 1, 2, 3, 3, 9, 17])
  t.like(s, { groups: 7, singletons: 2, objectsInSharedGroups: 34, maxSize: 17, p50: 3 })
  t.is(s.meanSize, 37 / 7)
  t.deepEqual(s.histogram, { 1: 2, '2-3': 2, '4-7': 1, '8-15': 1, '16-31': 1 })
})

import test from 'ava'
import { CoAccessStats } from '../src/grouping/co-access-stats.ts'
import { groupFromStats, groupsAsArrays, type GroupingState } from '../src/grouping/grouping.ts'
import { groupingParams, type GroupingParams } from '../src/grouping/grouping-params.ts'
import { regroupIncremental } from '../src/grouping/incremental-regroup.ts'
import { SeededRng } from '../src/env/rng.ts'

/** Sets of 6–12 objects run as interleaved episodes, with noise and a shared object (id 0). */
function trace (seed: string, length: number, setCount = 10, firstId = 1): { refs: number[], sets: number[][] } {
  const rng = new SeededRng(seed)
  const sets: number[][] = []
  let next = firstId
  for (let w = 0; w < setCount; w++) {
    const size = 6 + rng.int(7)
    sets.push(Array.from({ length: size }, () => next++))
  }
  const noiseFrom = next
  const refs: number[] = []
  const pending: number[][] = [[], []]
  while (refs.length < length) {
    const r = rng.float()
    if (r < 0.08) refs.push(noiseFrom + rng.int(100))
    else if (r < 0.18) refs.push(0)
    else {
      const s = rng.int(2)
      if (pending[s]!.length === 0) {
        const set = [...sets[rng.int(setCount)]!]
        for (let i = set.length - 1; i > 0; i--) { const j = rng.int(i + 1); [set[i], set[j]] = [set[j]!, set[i]!] }
        pending[s] = set
      }
      refs.push(pending[s]!.pop()!)
    }
  }
  return { refs, sets }
}

function statsOf (params: GroupingParams, numObjects: number): CoAccessStats {
  return new CoAccessStats({ numObjects, k: params.k, capacity: params.capacity })
}

function assertSameGrouping (t: import('ava').ExecutionContext, incremental: GroupingState, scratch: GroupingState, label: string): void {
  t.deepEqual(groupsAsArrays(incremental.groups), groupsAsArrays(scratch.groups), `${label}: groups`)
  t.deepEqual(Array.from(incremental.home), Array.from(scratch.home), `${label}: home group numbers`)
  t.deepEqual(Array.from(incremental.overlap), Array.from(scratch.overlap), `${label}: overlap objects`)
  t.deepEqual([incremental.links.count, Array.from(incremental.links.u), Array.from(incremental.links.v), Array.from(incremental.links.shared), Array.from(incremental.links.mutual)],
    [scratch.links.count, Array.from(scratch.links.u), Array.from(scratch.links.v), Array.from(scratch.links.shared), Array.from(scratch.links.mutual)], `${label}: links`)
}

for (const variant of [
  { name: 'defaults', params: {} },
  { name: 'tight caps and early stop', params: { maxGroupObjects: 5, targetGroupObjects: 3, passes: 6 } },
  { name: 'byte cap, strict only', params: { maxGroupBytes: 20_000, loose: false, n: 5 } }
]) {
  test(`incremental regrouping equals grouping from scratch on the same statistics (${variant.name})`, (t) => {
    const params = groupingParams(variant.params)
    const { refs } = trace(`inc-${variant.name}`, 24_000)
    const numObjects = Math.max(...refs) + 1
    const sizes = Array.from({ length: numObjects }, (_, i) => 1000 + (i % 7) * 500)
    const stats = statsOf(params, numObjects)
    let state: GroupingState | undefined
    for (let at = 0, step = 0; at < refs.length; step++) {
      const chunk = refs.slice(at, at + 4000 + step * 1000)
      at += chunk.length
      stats.add(chunk)
      const scratch = groupFromStats(stats, params, sizes)
      if (state === undefined) {
        state = scratch
        continue
      }
      state = regroupIncremental(state, stats, sizes)
      assertSameGrouping(t, state, scratch, `after ${at} references`)
    }
    t.true(state!.groups.count < numObjects, 'something was grouped')
  })
}

test('new statistics about one working set regroup only the touched part', (t) => {
  const params = groupingParams({})
  const { refs, sets } = trace('inc-local', 30_000, 14)
  const numObjects = Math.max(...refs) + 1
  const stats = statsOf(params, numObjects)
  stats.add(refs)
  const before = groupFromStats(stats, params)
  // More episodes of one set only (no noise, no shared object).
  const rng = new SeededRng('local-episodes')
  const extra: number[] = []
  for (let e = 0; e < 40; e++) {
    const set = [...sets[3]!]
    for (let i = set.length - 1; i > 0; i--) { const j = rng.int(i + 1); [set[i], set[j]] = [set[j]!, set[i]!] }
    extra.push(...set)
  }
  stats.add(extra)
  const after = regroupIncremental(before, stats)
  const scratch = groupFromStats(stats, params)
  assertSameGrouping(t, after, scratch, 'local change')
  t.true(after.summary.regroupedObjects > 0)
  t.true(after.summary.regroupedObjects < numObjects / 4, `regrouped ${after.summary.regroupedObjects} of ${numObjects}`)
})

test('a touched group whose links fall apart is split into its connected components', (t) => {
  const params = groupingParams({ k: 3, m: 4, n: 2, pMin: 0.2, minCount: 2, passes: 2 })
  const stats = new CoAccessStats({ numObjects: 4, k: params.k, capacity: params.capacity })
  const together = Array.from({ length: 200 }, (_, i) => [0, 1, 2, 3][i % 4]!)
  stats.add(together)
  const before = groupFromStats(stats, params)
  t.deepEqual(groupsAsArrays(before.groups), [[0, 1, 2, 3]])
  // From now on {0, 1} and {2, 3} are used apart, far from each other.
  const apart: number[] = []
  for (let block = 0; block < 60; block++) for (let i = 0; i < 100; i++) apart.push(block % 2 === 0 ? i % 2 : 2 + (i % 2))
  stats.add(apart)
  const after = regroupIncremental(before, stats)
  t.deepEqual(groupsAsArrays(after.groups), [[0, 1], [2, 3]])
  t.deepEqual(groupsAsArrays(after.groups), groupsAsArrays(groupFromStats(stats, params).groups))
  t.is(after.summary.regroupedComponents, 2)
})

test('objects first seen in the new statistics are grouped incrementally as from scratch', (t) => {
  const params = groupingParams({})
  const first = trace('inc-new-a', 12_000, 6)
  const second = trace('inc-new-b', 12_000, 6, 500) // other sets, ids from 500 up
  const stats = statsOf(params, Math.max(...first.refs) + 1)
  stats.add(first.refs)
  const before = groupFromStats(stats, params)
  stats.add(second.refs)
  t.true(stats.numObjects > before.numObjects)
  const after = regroupIncremental(before, stats)
  assertSameGrouping(t, after, groupFromStats(stats, params), 'new objects')
  t.is(after.numObjects, stats.numObjects)
})

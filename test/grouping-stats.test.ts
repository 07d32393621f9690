import test from 'ava'
import { CoAccessStats } from '../src/grouping/co-access-stats.ts'
import { CounterTables } from '../src/grouping/counter-tables.ts'
import { defaultCapacity, groupingParams, parseGroupSize, passThresholds } from '../src/grouping/grouping-params.ts'
import { buildNeighbourLists, buildReverseLists, inNeighbourSet, sharedNeighbours } from '../src/grouping/neighbour-lists.ts'
import { SeededRng } from '../src/env/rng.ts'

/** Brute force: for each access, the distinct objects (other than itself) among the next k references. */
function bruteForce (refs: number[], k: number): { co: Map<string, number>, count: Map<number, number> } {
  const co = new Map<string, number>()
  const count = new Map<number, number>()
  refs.forEach((a, i) => {
    count.set(a, (count.get(a) ?? 0) + 1)
    const window = new Set(refs.slice(i + 1, i + 1 + k))
    window.delete(a)
    for (const b of window) co.set(`${a},${b}`, (co.get(`${a},${b}`) ?? 0) + 1)
  })
  return { co, count }
}

function randomRefs (rng: SeededRng, length: number, objects: number): number[] {
  return Array.from({ length }, () => (rng.float() < 0.5 ? rng.int(4) : rng.int(objects)))
}

test('co-access counts equal brute force over distinct windows, fed in arbitrary chunks', (t) => {
  const rng = new SeededRng('stats')
  for (const k of [1, 2, 5, 9]) {
    const refs = randomRefs(rng, 600, 30)
    const stats = new CoAccessStats({ numObjects: 30, k, capacity: 64 })
    for (let at = 0; at < refs.length;) {
      const step = 1 + rng.int(50)
      stats.add(Int32Array.from(refs.slice(at, at + step)))
      at += step
    }
    const { co, count } = bruteForce(refs, k)
    t.is(stats.evictions, 0)
    for (let a = 0; a < 30; a++) {
      t.is(stats.accessCount(a), count.get(a) ?? 0)
      t.true(stats.exact(a))
      for (let b = 0; b < 30; b++) t.is(stats.coCount(a, b), co.get(`${a},${b}`) ?? 0, `k=${k} co(${a}→${b})`)
    }
  }
})

test('a window counts an object once however often it recurs, and never the object itself', (t) => {
  const stats = new CoAccessStats({ numObjects: 3, k: 3, capacity: 8 })
  stats.add(Int32Array.from([0, 1, 1, 0, 1, 2]))
  // Window of access 0 (pos 0): {1}; of access 0 (pos 3): {1, 2}.
  t.is(stats.coCount(0, 1), 2)
  t.is(stats.coCount(0, 2), 1)
  t.is(stats.coCount(0, 0), 0)
  t.is(stats.estimate(0, 1), 1)
  t.is(stats.estimate(0, 2), 0.5)
  // Accesses of 1 at 1, 2, 4: windows {0} (1 excluded), {0, 2}... pos 1 → [1, 0, 1] → {0}; pos 2 → [0, 1, 2] → {0, 2}; pos 4 → [2] → {2}.
  t.is(stats.coCount(1, 0), 2)
  t.is(stats.coCount(1, 2), 2)
})

test('Space-Saving bounds hold when counters overflow: lower bound ≤ truth ≤ counter, error ≤ updates / capacity', (t) => {
  const rng = new SeededRng('overflow')
  const refs = Array.from({ length: 5000 }, () => (rng.float() < 0.3 ? rng.int(3) : 3 + rng.int(200)))
  const k = 6
  const capacity = 20
  const stats = new CoAccessStats({ numObjects: 203, k, capacity })
  stats.add(Int32Array.from(refs))
  const { co } = bruteForce(refs, k)
  t.true(stats.evictions > 0)
  let checked = 0
  for (let a = 0; a < 3; a++) {
    t.false(stats.exact(a))
    const entries = stats.entries(a)
    t.is(entries.length, capacity)
    const updates = [...co.entries()].filter(([key]) => key.startsWith(`${a},`)).reduce((s, [, v]) => s + v, 0)
    for (const e of entries) {
      const truth = co.get(`${a},${e.id}`) ?? 0
      t.true(e.count - e.error <= truth && truth <= e.count, `a=${a} b=${e.id}: ${e.count - e.error} ≤ ${truth} ≤ ${e.count}`)
      t.true(e.error <= updates / capacity)
      checked++
    }
    // Every successor more frequent than updates / capacity is tracked.
    for (const [key, v] of co) {
      const [x, b] = key.split(',').map(Number)
      if (x === a && v > updates / capacity) t.true(entries.some((e) => e.id === b), `heavy successor ${b} of ${a} kept`)
    }
  }
  t.true(checked > 0)
})

test('counter tables promote from the small tier without losing counts', (t) => {
  const tables = new CounterTables(50, 2)
  for (let b = 0; b < 40; b++) for (let i = 0; i <= b; i++) tables.bump(1, 100 + b)
  t.is(tables.promotedObjects, 1)
  t.is(tables.evictions, 0)
  for (let b = 0; b < 40; b++) t.is(tables.lowerBound(1, 100 + b), b + 1)
  t.is(tables.lowerBound(0, 100), 0)
})

test('co-access stats reject bad ids with the index and grow for new objects', (t) => {
  const stats = new CoAccessStats({ numObjects: 2, k: 2, capacity: 4 })
  t.throws(() => stats.add([0, -1]), { message: /reference 1 is not an object id/ })
  t.throws(() => stats.add([0, 1.5]), { message: /reference 1/ })
  stats.add([0, 5, 0])
  t.is(stats.numObjects, 6)
  t.is(stats.coCount(0, 5), 1)
  t.deepEqual(Array.from(stats.takeDirty()), [0, 5])
  t.deepEqual(Array.from(stats.takeDirty()), [])
})

test('neighbour lists: top m by P with pMin and minCount, ties by id; sets include the object itself', (t) => {
  const stats = new CoAccessStats({ numObjects: 6, k: 2, capacity: 16 })
  // 0 is followed by 1 always, by 2 in half, by 3 once in four, 4 once; 5 is accessed once.
  stats.add([0, 1, 2, 0, 1, 3, 0, 1, 2, 0, 1, 4, 5])
  const lists = buildNeighbourLists(stats, { m: 2, pMin: 0.3, minCount: 2 })
  const list0 = Array.from(lists.ids.subarray(lists.offsets[0]!, lists.offsets[1]!))
  t.deepEqual(list0, [1, 2])
  t.deepEqual(Array.from(lists.probs.subarray(lists.offsets[0]!, lists.offsets[1]!)), [1, 0.5])
  t.true(inNeighbourSet(lists, 0, 0))
  t.true(inNeighbourSet(lists, 0, 2))
  t.false(inNeighbourSet(lists, 0, 3))
  t.is(lists.offsets[6]! - lists.offsets[5]!, 0, '5 was accessed once: no list')
  const reverse = buildReverseLists(lists)
  t.deepEqual(Array.from(reverse.ids.subarray(reverse.offsets[1]!, reverse.offsets[2]!)), [0, 2], "1 is listed by 0 and by 2")
  const wider = buildNeighbourLists(stats, { m: 5, pMin: 0.2, minCount: 1 })
  t.deepEqual(Array.from(wider.ids.subarray(wider.offsets[0]!, wider.offsets[1]!)), [1, 2, 3, 4])
  t.is(sharedNeighbours(wider, 0, 0), 5)
})

test('parameters: defaults, capacity rule, validation, pass thresholds and group sizes', (t) => {
  const p = groupingParams()
  t.is(p.capacity, defaultCapacity(p))
  t.is(p.capacity, Math.max(2 * p.m, Math.ceil(p.k / p.pMin)))
  t.is(groupingParams({ k: 4, pMin: 0.5, m: 10 }).capacity, 20)
  t.is(groupingParams({ capacity: 77 }).capacity, 77)
  t.throws(() => groupingParams({ n: 40, m: 10 }), { message: /n \(40\) cannot exceed m \+ 1/ })
  t.throws(() => groupingParams({ pMin: 2 }), { message: /pMin/ })
  t.throws(() => groupingParams({ capacity: 3, m: 10 }), { message: /capacity/ })
  t.deepEqual(passThresholds({ ...p, m: 16, n: 8, passes: 4 }), [17, 14, 11, 8])
  t.deepEqual(passThresholds({ ...p, m: 16, n: 8, passes: 1 }), [8])
  t.deepEqual(parseGroupSize('32'), { objects: 32, bytes: Infinity })
  t.deepEqual(parseGroupSize('256KiB'), { objects: Infinity, bytes: 262144 })
  t.deepEqual(parseGroupSize('1 MiB'), { objects: Infinity, bytes: 1048576 })
  t.throws(() => parseGroupSize('12 parsecs'), { message: /unknown unit/ })
  t.throws(() => parseGroupSize('0'), { message: /positive integer/ })
})

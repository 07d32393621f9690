import test from 'ava'
import { unnecessaryFetches } from '../src/cache/cache-stats.ts'
import { CACHE_KINDS, createCache } from '../src/cache/create-cache.ts'
import { LruCache } from '../src/cache/lru-cache.ts'
import type { Eviction, GroupResidency } from '../src/cache/object-cache.ts'

const demand = { prefetched: false }
const prefetch = { prefetched: true }

test('group residency goes whole → hot → none as members are evicted, and back on refetch', (t) => {
  const changes: string[] = []
  const c = new LruCache({ capacityBytes: 100, onResidencyChange: (g, from, to) => changes.push(`${g}:${from}>${to}`) })
  t.is(c.groupResidency(1), 'none', 'never fetched')
  c.insert(1, 25, 1, demand)
  t.is(c.groupResidency(1), 'whole', 'every member fetched so far is cached')
  for (const id of [2, 3, 4]) c.insert(id, 25, 1, prefetch)
  t.deepEqual(c.groupCounts(1), { fetched: 4, resident: 4 })
  c.lookup(1)
  c.lookup(3)
  c.insert(10, 25, null, demand) // evicts 2
  t.is(c.groupResidency(1), 'hot')
  t.deepEqual(c.groupCounts(1), { fetched: 4, resident: 3 })
  c.insert(11, 50, null, demand) // evicts 4, 1
  t.is(c.groupResidency(1), 'hot')
  c.insert(12, 25, null, demand) // evicts 3
  t.is(c.groupResidency(1), 'none')
  t.deepEqual(c.groupCounts(1), { fetched: 4, resident: 0 })
  c.insert(2, 25, 1, demand)
  t.is(c.groupResidency(1), 'hot', 'one of four fetched members back')
  c.insert(1, 25, null, prefetch) // a member fetched without naming the group still counts for it
  c.insert(3, 25, 1, prefetch)
  c.insert(4, 25, 1, prefetch)
  t.is(c.groupResidency(1), 'whole')
  t.deepEqual(changes, ['1:none>whole', '1:whole>hot', '1:hot>none', '1:none>hot', '1:hot>whole'])
  c.checkInvariants()
})

test('overlaps: an object in two groups counts for each; evicting it downgrades both', (t) => {
  const changes: string[] = []
  const c = new LruCache({ capacityBytes: 60, onResidencyChange: (g, from, to) => changes.push(`${g}:${from}>${to}`) })
  c.insert(1, 10, 1, demand) // the shared library
  c.insert(2, 10, 1, prefetch)
  t.is(c.insert(1, 10, 2, prefetch), 'present')
  c.insert(3, 10, 2, prefetch)
  t.deepEqual(c.groupCounts(2), { fetched: 2, resident: 2 })
  c.lookup(2)
  c.lookup(3)
  c.insert(9, 40, null, demand) // evicts 1 only
  t.false(c.has(1))
  t.is(c.groupResidency(1), 'hot')
  t.is(c.groupResidency(2), 'hot')
  t.deepEqual(changes, ['1:none>whole', '2:none>whole', '1:whole>hot', '2:whole>hot'])
})

for (const kind of CACHE_KINDS) {
  test(`${kind}: a prefetched object never used and then evicted counts as unnecessary; a used one does not`, (t) => {
    const evictions: Eviction[] = []
    const changes: Array<[number, GroupResidency]> = []
    const c = createCache(kind, {
      capacityBytes: 8 * 4096,
      frameBytes: 4096,
      onEvict: (e) => evictions.push(e),
      onResidencyChange: (g, _from, to) => changes.push([g, to])
    })
    c.insert(1, 1024, 1, demand)
    for (const id of [2, 3, 4]) c.insert(id, 1024, 1, prefetch)
    t.true(c.lookup(2))
    t.deepEqual(unnecessaryFetches(c.stats()), { objects: 2, bytes: 2048 }, '3 and 4 are unused so far')
    // Stream other groups through, each object used on arrival, until group 1 is gone.
    let id = 100
    while (c.groupResidency(1) !== 'none') {
      for (let k = 0; k < 4; k++, id++) {
        c.insert(id, 1024, id >> 2, demand)
        c.lookup(id)
      }
      t.true(id < 10_000, 'group 1 is evicted eventually')
      c.checkInvariants()
      t.true(c.usedBytes <= c.capacityBytes)
    }
    const mine = evictions.filter((e) => e.objectId <= 4).sort((a, b) => a.objectId - b.objectId)
    t.deepEqual(mine.map((e) => [e.objectId, e.prefetched, e.accessed]), [[1, false, true], [2, true, true], [3, true, false], [4, true, false]])
    const s = c.stats()
    t.is(s.evictedUnused, 2)
    t.is(s.evictedUnusedBytes, 2048)
    t.is(s.residentUnused, 0)
    t.is(s.evicted, evictions.length)
    // Every reported change matches what the cache answers, and group 1 ended at none.
    const last = new Map<number, GroupResidency>()
    for (const [g, to] of changes) last.set(g, to)
    for (const [g, to] of last) t.is(c.groupResidency(g), to)
    t.is(last.get(1), 'none')
  })
}

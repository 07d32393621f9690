import test from 'ava'
import { hitRate, unnecessaryFetches } from '../src/cache/cache-stats.ts'
import { createCache } from '../src/cache/create-cache.ts'
import { LruCache } from '../src/cache/lru-cache.ts'
import type { Eviction } from '../src/cache/object-cache.ts'

const demand = { prefetched: false }
const prefetch = { prefetched: true }

test('LRU evicts the least recently used; a hit, a touch and a demand insert refresh recency', (t) => {
  const evicted: number[] = []
  const c = new LruCache({ capacityBytes: 30, onEvict: (e) => evicted.push(e.objectId) })
  for (const id of [1, 2, 3]) t.is(c.insert(id, 10, null, demand), 'inserted')
  t.deepEqual(c.recencyOrder(), [1, 2, 3])
  t.true(c.lookup(1))
  t.deepEqual(c.recencyOrder(), [2, 3, 1])
  c.insert(4, 10, null, prefetch)
  t.deepEqual(evicted, [2])
  t.false(c.has(2))
  t.false(c.lookup(2))
  t.true(c.touch(3))
  t.deepEqual(c.recencyOrder(), [1, 4, 3])
  t.is(c.insert(1, 10, null, demand), 'present')
  t.deepEqual(c.recencyOrder(), [4, 3, 1])
  t.is(c.insert(4, 10, null, prefetch), 'present', 'a prefetch of a cached object changes nothing')
  t.deepEqual(c.recencyOrder(), [4, 3, 1])
  t.false(c.touch(99))
  const s = c.stats()
  t.is(s.hits, 1)
  t.is(s.misses, 1)
  t.is(s.touches, 1)
  t.is(s.insertsPresent, 2)
  t.is(hitRate(s), 0.5)
})

test('LRU respects the byte capacity with mixed sizes and rejects what can never fit', (t) => {
  const c = new LruCache({ capacityBytes: 100 })
  c.insert(1, 40, null, demand)
  c.insert(2, 30, null, demand)
  c.insert(3, 20, null, demand)
  t.is(c.usedBytes, 90)
  c.insert(4, 75, null, demand)
  t.deepEqual(c.recencyOrder(), [3, 4], 'two objects go to make room for one big one')
  t.is(c.usedBytes, 95)
  t.is(c.insert(5, 101, null, demand), 'rejected')
  t.false(c.has(5))
  t.is(c.usedBytes, 95)
  t.is(c.insert(6, 0, null, prefetch), 'inserted', 'a size-0 object (unknown size) is cached')
  t.is(c.insert(7, 100, null, demand), 'inserted')
  t.deepEqual(c.recencyOrder(), [6, 7], 'eviction stops as soon as the new object fits; the 0-byte one stays')
  t.is(c.usedBytes, 100)
  const s = c.stats()
  t.is(s.rejected, 1)
  t.is(s.rejectedBytes, 101)
  t.is(s.evicted, 4)
  t.is(s.evictedBytes, 40 + 30 + 20 + 75)
  t.is(s.residentUnused, 1, 'the size-0 prefetch is cached, unused')
  c.checkInvariants()
})

test('LRU counts unnecessary fetches: prefetched objects evicted, or still cached, unused', (t) => {
  const evictions: Eviction[] = []
  const c = new LruCache({ capacityBytes: 40, onEvict: (e) => evictions.push(e) })
  c.insert(1, 10, 7, demand)
  c.insert(2, 10, 7, prefetch)
  c.insert(3, 10, 7, prefetch)
  c.insert(4, 10, 7, prefetch)
  t.true(c.lookup(3), 'a prefetch that is used is no unnecessary fetch')
  let s = c.stats()
  t.is(s.residentUnused, 2)
  t.is(s.residentUnusedBytes, 20)
  t.is(s.insertedDemand, 1)
  t.is(s.insertedPrefetch, 3)
  t.is(s.insertedPrefetchBytes, 30)
  c.insert(5, 20, null, demand) // evicts 1 (demand) and 2 (prefetched, unused)
  t.deepEqual(evictions, [
    { objectId: 1, sizeBytes: 10, prefetched: false, accessed: true },
    { objectId: 2, sizeBytes: 10, prefetched: true, accessed: false }
  ])
  c.insert(6, 20, null, demand) // evicts 4 (unused), then 3 (used)
  s = c.stats()
  t.is(s.evictedUnused, 2)
  t.is(s.evictedUnusedBytes, 20)
  t.is(s.residentUnused, 0)
  t.deepEqual(unnecessaryFetches(s), { objects: 2, bytes: 20 })
  c.insert(8, 10, null, prefetch)
  t.deepEqual(unnecessaryFetches(c.stats()), { objects: 3, bytes: 30 }, 'one still cached unused counts at the end of a run')
  c.insert(8, 10, null, demand)
  t.deepEqual(unnecessaryFetches(c.stats()), { objects: 2, bytes: 20 }, 'a demand insert of a cached prefetch is a use')
  c.checkInvariants()
})

test('bad ids and sizes are errors; createCache builds both kinds', (t) => {
  const c = createCache('lru', { capacityBytes: 100 })
  t.is(c.kind, 'lru')
  t.throws(() => c.insert(-1, 1, null, demand), { instanceOf: RangeError, message: /objectId -1/ })
  t.throws(() => c.insert(1, 1.5, null, demand), { instanceOf: RangeError, message: /sizeBytes 1.5/ })
  t.throws(() => c.insert(1, Number.NaN, null, demand), { instanceOf: RangeError })
  t.throws(() => new LruCache({ capacityBytes: -5 }), { instanceOf: RangeError })
  t.is(createCache('hac', { capacityBytes: 1 << 20 }).kind, 'hac')
  t.throws(() => createCache('fifo' as 'lru', { capacityBytes: 100 }), { instanceOf: RangeError, message: /unknown cache kind fifo/ })
})

import test from 'ava'
import { hitRate, unnecessaryFetches } from '../src/cache/cache-stats.ts'
import { HacCache } from '../src/cache/hac-cache.ts'
import { LruCache } from '../src/cache/lru-cache.ts'
import { replayGroupFetch, workingSetWorkload, type WorkingSetParams } from '../src/cache/working-set-workload.ts'
import { SeededRng } from '../src/env/rng.ts'

/**
 * HAC with group inserts against LRU over objects, same capacity, same fetch path (demand, then
 * the rest of the group as prefetch). 400 groups of 16 objects of 4 KiB (25 MiB in all), a
 * 4 MiB cache; 100 hot groups take 90 % of the visits; a visit uses 40 % of its group's
 * members. The hot groups' used members (~2.5 MiB) fit the cache; their whole groups (6.25 MiB)
 * do not — HAC drops the unused members of a group, LRU keeps them as long as the used ones.
 */
const OBJECT_BYTES = 4096
const CAPACITY_BYTES = 64 * 65536
const BASE: WorkingSetParams = { groupCount: 400, groupSize: 16, hotGroups: 100, hotShare: 0.9, usedFraction: 0.4, accessCount: 200_000 }

function compare (params: WorkingSetParams, seed: string): { lru: LruCache, hac: HacCache } {
  const workload = workingSetWorkload(params, new SeededRng(seed))
  const lru = new LruCache({ capacityBytes: CAPACITY_BYTES })
  const hac = new HacCache({ capacityBytes: CAPACITY_BYTES })
  replayGroupFetch(lru, workload, OBJECT_BYTES)
  replayGroupFetch(hac, workload, OBJECT_BYTES)
  lru.checkInvariants()
  hac.checkInvariants()
  return { lru, hac }
}

const pct = (x: number): string => `${(100 * x).toFixed(2)} %`

for (const seed of ['w1', 'w2', 'w3']) {
  test(`working sets (seed ${seed}): HAC with group inserts beats LRU at the same capacity`, (t) => {
    const { lru, hac } = compare(BASE, seed)
    const l = lru.stats()
    const h = hac.stats()
    t.log(`hit rate LRU ${pct(hitRate(l))}, HAC ${pct(hitRate(h))}; misses LRU ${l.misses}, HAC ${h.misses} (${(h.misses / l.misses).toFixed(2)}×); ` +
      `unnecessary fetches LRU ${unnecessaryFetches(l).objects}, HAC ${unnecessaryFetches(h).objects}; HAC compactions ${h.compactions}, moved ${h.movedObjects}`)
    t.true(hitRate(h) >= hitRate(l) + 0.015, `HAC ${pct(hitRate(h))} vs LRU ${pct(hitRate(l))}`)
    t.true(h.misses <= 0.7 * l.misses, `HAC misses ${h.misses} vs LRU ${l.misses}`)
    t.is(h.forcedEvictions, 0)
  })
}

test('control: when every member of a group is used, HAC and LRU are level', (t) => {
  const { lru, hac } = compare({ ...BASE, usedFraction: 1 }, 'w1')
  const diff = hitRate(hac.stats()) - hitRate(lru.stats())
  t.log(`hit rate LRU ${pct(hitRate(lru.stats()))}, HAC ${pct(hitRate(hac.stats()))}`)
  t.true(Math.abs(diff) < 0.005, `difference ${pct(diff)}`)
})

import test from 'ava'
import { CACHE_KINDS, createCache } from '../src/cache/create-cache.ts'
import type { GroupResidency, InsertOutcome, ObjectCache } from '../src/cache/object-cache.ts'
import { SeededRng } from '../src/env/rng.ts'

/**
 * Seeded random workloads against both caches, checking after every step: the cache's own
 * invariants, capacity never exceeded, and agreement with a shadow model built only from what
 * the cache reported (insert outcomes and eviction callbacks): which objects are cached, their
 * bytes, lookup answers, and every group's residency.
 */
const FRAME_BYTES = 4096
const CAPACITY_BYTES = 16 * FRAME_BYTES
const UNIVERSE = 400

function sizeOf (id: number): number {
  if (id % 50 === 7) return 2 * FRAME_BYTES + 1000 // bigger than a frame
  if (id % 11 === 0) return 0 // unknown size
  return 200 + ((id * 2654435761) >>> 0) % 3000
}

const homeGroup = (id: number): number => id >> 3
const members = (g: number): number[] => Array.from({ length: 8 }, (_, i) => g * 8 + i).filter((id) => id < UNIVERSE)

function residencyFrom (fetched: Set<number>, cached: Map<number, number>): GroupResidency {
  let resident = 0
  for (const id of fetched) if (cached.has(id)) resident++
  return resident === 0 ? 'none' : resident === fetched.size ? 'whole' : 'hot'
}

for (const kind of CACHE_KINDS) {
  for (const seed of ['p1', 'p2']) {
    test(`${kind} (seed ${seed}): invariants and the shadow model hold after every step`, (t) => {
      const rng = new SeededRng(`${kind}/${seed}`)
      const cached = new Map<number, number>() // id → size
      const groupFetched = new Map<number, Set<number>>()
      const residencyEvents = new Map<number, GroupResidency>()
      let evictionError = ''
      const cache: ObjectCache = createCache(kind, {
        capacityBytes: CAPACITY_BYTES,
        frameBytes: FRAME_BYTES,
        onEvict: (e) => {
          if (cached.get(e.objectId) !== e.sizeBytes) evictionError ||= `evicted ${e.objectId} (${e.sizeBytes} B) was not cached with that size`
          cached.delete(e.objectId)
        },
        onResidencyChange: (g, from, to) => {
          if ((residencyEvents.get(g) ?? 'none') !== from) evictionError ||= `group ${g}: change from ${from}, last reported ${residencyEvents.get(g)}`
          residencyEvents.set(g, to)
        }
      })
      const insert = (id: number, group: number | null, prefetched: boolean): InsertOutcome => {
        const outcome = cache.insert(id, sizeOf(id), group, { prefetched })
        const wasCached = cached.has(id)
        if (outcome === 'inserted') {
          if (wasCached) evictionError ||= `inserted ${id} twice`
          cached.set(id, sizeOf(id))
        } else if (outcome === 'present' && !wasCached) {
          evictionError ||= `${id} reported present but not cached`
        }
        if (outcome !== 'rejected' && group !== null) {
          let set = groupFetched.get(group)
          if (set === undefined) groupFetched.set(group, set = new Set())
          set.add(id)
        }
        return outcome
      }
      let lookups = 0
      let hits = 0
      for (let step = 0; step < 4000; step++) {
        const r = rng.float()
        if (r < 0.65) {
          const id = rng.float() < 0.7 ? rng.int(96) : rng.int(UNIVERSE)
          const hit = cache.lookup(id)
          lookups++
          if (hit) hits++
          t.is(hit, cached.has(id), `step ${step}: lookup(${id})`)
          if (!hit) {
            insert(id, homeGroup(id), false)
            for (const m of members(homeGroup(id))) if (m !== id && rng.float() < 0.8) insert(m, homeGroup(m), true)
          }
        } else if (r < 0.75) {
          const id = rng.int(UNIVERSE)
          t.is(cache.touch(id), cached.has(id))
        } else if (r < 0.9) {
          const id = rng.int(UNIVERSE) // an overlap: the object fetched as part of another group
          insert(id, 100 + (id % 5), true)
        } else {
          insert(rng.int(UNIVERSE), null, rng.float() < 0.5)
        }
        cache.checkInvariants()
        t.is(evictionError, '')
        let bytes = 0
        for (const size of cached.values()) bytes += size
        if (cache.usedBytes !== bytes || cache.usedBytes > CAPACITY_BYTES || cache.objectCount !== cached.size) {
          t.fail(`step ${step}: usedBytes ${cache.usedBytes}, model ${bytes}, capacity ${CAPACITY_BYTES}, objects ${cache.objectCount} vs ${cached.size}`)
          return
        }
        if (step % 25 === 0) {
          for (let id = 0; id < UNIVERSE; id++) if (cache.has(id) !== cached.has(id)) t.fail(`step ${step}: has(${id})`)
        }
        for (const [g, fetched] of groupFetched) {
          const expected = residencyFrom(fetched, cached)
          if (cache.groupResidency(g) !== expected || (residencyEvents.get(g) ?? 'none') !== expected) {
            t.fail(`step ${step}: group ${g} is ${cache.groupResidency(g)} (last event ${residencyEvents.get(g)}), model ${expected}`)
            return
          }
        }
      }
      const s = cache.stats()
      t.is(s.hits, hits)
      t.is(s.hits + s.misses, lookups)
      t.true(s.evicted > 100, `the workload overflows the cache (${s.evicted} evictions)`)
      t.true(s.rejected === 0)
      t.is(s.forcedEvictions, 0, 'compaction alone always made room')
      if (kind === 'hac') t.true(s.compactions > 0 && s.movedObjects > 0, `compactions ${s.compactions}, moved ${s.movedObjects}`)
    })
  }
}

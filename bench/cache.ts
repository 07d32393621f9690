/**
 * Benchmark: accesses per second of the two object caches (src/cache/), replaying a seeded
 * working-set workload with the group fetch path (lookup; on a miss a demand insert, then the
 * rest of the group as prefetches — the inserts, evictions, scans and compactions are all in
 * the timing). Two shapes:
 *  - small: 400 groups × 16 objects of 4 KiB, a 4 MiB cache (64 frames), as in
 *    test/cache-compare.test.ts;
 *  - large: 20,000 groups × 16 objects of 4 KiB (1.2 GiB), a 256 MiB cache (4,096 frames).
 * LRU is the baseline, measured in the same run. Targets: ≥ 1 M accesses/s for LRU, ≥ 300 k/s
 * for HAC. Each figure is the median of `--runs` replays (default 3), each on a fresh cache after
 * one warm-up replay of 200,000 accesses; workload generation is not timed. Reads no files.
 *
 *   node --import tsx bench/cache.ts [--accesses N] [--runs N] [--json]
 */
import { hitRate } from '../src/cache/cache-stats.ts'
import { createCache } from '../src/cache/create-cache.ts'
import type { CacheKind } from '../src/cache/object-cache.ts'
import { replayGroupFetch, workingSetWorkload, type WorkingSetParams, type WorkingSetWorkload } from '../src/cache/working-set-workload.ts'
import { SeededRng } from '../src/env/rng.ts'
import { numberFlag } from './flags.ts'

const args = process.argv.slice(2)
const json = args.includes('--json')
const accessCount = numberFlag(args, 'accesses', 5_000_000)
const runs = numberFlag(args, 'runs', 3)
const OBJECT_BYTES = 4096

interface Shape { name: string, params: WorkingSetParams, capacityBytes: number }
const shapes: Shape[] = [
  { name: 'small', params: { groupCount: 400, groupSize: 16, hotGroups: 100, hotShare: 0.9, usedFraction: 0.4, accessCount }, capacityBytes: 64 * 65536 },
  { name: 'large', params: { groupCount: 20_000, groupSize: 16, hotGroups: 4000, hotShare: 0.9, usedFraction: 0.4, accessCount }, capacityBytes: 4096 * 65536 }
]

interface Row { shape: string, cache: CacheKind, accesses: number, seconds: number, accessesPerSecond: number, hitRate: number, misses: number, evicted: number, compactions: number }

function run (shape: Shape, kind: CacheKind, workload: WorkingSetWorkload): Row {
  const warm = createCache(kind, { capacityBytes: shape.capacityBytes })
  replayGroupFetch(warm, workload, OBJECT_BYTES, 0, Math.min(200_000, workload.accesses.length))
  const times: number[] = []
  let cache = warm
  for (let r = 0; r < runs; r++) {
    cache = createCache(kind, { capacityBytes: shape.capacityBytes })
    const start = performance.now()
    replayGroupFetch(cache, workload, OBJECT_BYTES)
    times.push((performance.now() - start) / 1000)
  }
  const seconds = times.sort((a, b) => a - b)[Math.floor(runs / 2)]!
  const s = cache.stats()
  return {
    shape: shape.name,
    cache: kind,
    accesses: workload.accesses.length,
    seconds,
    accessesPerSecond: workload.accesses.length / seconds,
    hitRate: hitRate(s),
    misses: s.misses,
    evicted: s.evicted,
    compactions: s.compactions
  }
}

const rows: Row[] = []
for (const shape of shapes) {
  const workload = workingSetWorkload(shape.params, new SeededRng(`bench-cache/${shape.name}`))
  for (const kind of ['lru', 'hac'] as const) {
    const row = run(shape, kind, workload)
    rows.push(row)
    if (!json) {
      console.log(`${shape.name.padEnd(5)} ${kind.toUpperCase().padEnd(3)} ${row.accesses.toLocaleString('en')} accesses in ${row.seconds.toFixed(2)} s (median of ${runs}): ` +
        `${Math.round(row.accessesPerSecond).toLocaleString('en')} accesses/s; hit rate ${(100 * row.hitRate).toFixed(2)} %, ` +
        `${row.misses.toLocaleString('en')} misses, ${row.evicted.toLocaleString('en')} evictions, ${row.compactions.toLocaleString('en')} compactions`)
    }
  }
}
if (json) {
  console.log(JSON.stringify(rows, null, 2))
} else {
  const worst = (kind: CacheKind): number => Math.min(...rows.filter((r) => r.cache === kind).map((r) => r.accessesPerSecond))
  console.log(`slowest LRU ${Math.round(worst('lru')).toLocaleString('en')}/s (target ≥ 1,000,000): ${worst('lru') >= 1e6 ? 'met' : 'MISSED'}; ` +
    `slowest HAC ${Math.round(worst('hac')).toLocaleString('en')}/s (target ≥ 300,000): ${worst('hac') >= 3e5 ? 'met' : 'MISSED'}`)
}

import test from 'ava'
import { HacCache } from '../src/cache/hac-cache.ts'
import { compareFrameValues, frameValue } from '../src/cache/hac-usage.ts'

const demand = { prefetched: false }
const prefetch = { prefetched: true }
const R = 2 / 3

test('frame usage (T, H): the smallest T keeping at most R of the bytes hot, H over bytes', (t) => {
  const objs = (...pairs: Array<[number, number]>) => pairs.map(([sizeBytes, usage]) => ({ sizeBytes, usage }))
  t.deepEqual(frameValue(objs([25, 0], [25, 8], [25, 0], [25, 0]), 100, R), { threshold: 0, hotFraction: 0.25 })
  t.deepEqual(frameValue(objs([25, 4], [25, 4], [25, 4], [25, 4]), 100, R), { threshold: 4, hotFraction: 0 }, 'uniformly used: all cold at T = their usage')
  t.deepEqual(frameValue(objs([25, 0], [25, 4], [25, 4], [25, 8]), 100, R), { threshold: 4, hotFraction: 0.25 })
  t.deepEqual(frameValue(objs([10, 8], [90, 0]), 100, R), { threshold: 0, hotFraction: 0.1 })
  t.deepEqual(frameValue(objs([90, 8], [10, 0]), 100, R), { threshold: 8, hotFraction: 0 }, 'bytes, not object counts, decide')
  t.deepEqual(frameValue(objs([60, 15], [40, 3]), 100, R), { threshold: 3, hotFraction: 0.6 })
  t.deepEqual(frameValue([], 0, R), { threshold: 0, hotFraction: 0 })
  t.true(compareFrameValues({ threshold: 0, hotFraction: 0.5 }, { threshold: 1, hotFraction: 0 }) < 0, 'lower T is less valuable')
  t.true(compareFrameValues({ threshold: 2, hotFraction: 0.1 }, { threshold: 2, hotFraction: 0.3 }) < 0, 'same T: lower H is less valuable')
})

test('usage bits: a use sets the top bit, each scan of the frame shifts right, four idle scans reach 0', (t) => {
  // One object per frame and a scan of every frame per epoch: each insert is one epoch.
  const c = new HacCache({ capacityBytes: 1000, frameBytes: 100, scanFramesPerEpoch: 10 })
  let next = 100
  const epoch = (): void => { c.insert(next++, 100, null, prefetch) }
  c.insert(1, 100, null, demand)
  t.is(c.inspect(1)?.usage, 8, 'a demand fetch is a use')
  epoch()
  t.is(c.inspect(100)?.usage, 0, 'a prefetch arrives unused')
  const seen: number[] = []
  for (let i = 0; i < 4; i++) { seen.push(c.inspect(1)!.usage); epoch() }
  seen.push(c.inspect(1)!.usage)
  t.deepEqual(seen, [4, 2, 1, 0, 0])
  t.true(c.lookup(1))
  t.is(c.inspect(1)?.usage, 8)
  epoch()
  t.true(c.touch(1))
  t.is(c.inspect(1)?.usage, 12, 'used in two scan periods: 0b1100')
  epoch()
  t.is(c.inspect(1)?.usage, 6)
  t.is(c.stats().framesScanned > 0, true)
  c.checkInvariants()
})

test('compaction keeps the hot objects of a cold frame (moving them into the target) and evicts the cold ones', (t) => {
  const evicted: number[] = []
  const c = new HacCache({ capacityBytes: 300, frameBytes: 100, scanFramesPerEpoch: 3, onEvict: (e) => evicted.push(e.objectId) })
  const group = (ids: number[], g: number): void => { for (const id of ids) c.insert(id, 25, g, prefetch) }
  const use = (...ids: number[]): void => { for (const id of ids) t.true(c.lookup(id), `hit on ${id}`) }
  group([1, 2, 3, 4], 1) // frame 0
  use(2)
  group([5, 6, 7, 8], 2) // frame 1; the scan decays 2 to 4
  use(5, 6, 7, 8)
  t.is(c.inspect(2)?.usage, 4)
  group([9, 10, 11, 12], 3) // frame 2, the last free one
  use(2, 5, 6, 7, 8)
  t.deepEqual(evicted, [])
  group([13], 4) // no free frame: frame 2 (9–12, all unused: T = 0, H = 0) is the least valuable
  t.deepEqual(evicted, [9, 10, 11, 12], 'a frame of unused prefetches goes first, whole')
  t.is(c.stats().evictedUnused, 4)
  t.is(c.inspect(13)?.framePosition, 2, 'the freed frame takes the new arrivals')
  group([14, 15, 16], 4)
  use(13, 14, 15, 16)
  group([17], 5)
  // Frame 0 (T = 0: only 2 is hot) is compacted first; with no target yet it becomes the target,
  // keeping 2 in place; frame 1 (all four equally used, so T = their usage) is emptied.
  t.deepEqual(evicted.slice(4), [1, 3, 4, 5, 6, 7, 8])
  t.deepEqual(c.inspect(2), { usage: 2, framePosition: 0, frameRole: 'target' })
  group([18, 19, 20], 5)
  use(17, 18, 19, 20, 13)
  group([21], 6)
  // Frame 2 (13 used twice, 14–16 once: T = 2, H = 0.25) is less valuable than frame 1 (T = 4):
  // 13 moves into the target frame, 14–16 are evicted.
  t.deepEqual(evicted.slice(11), [14, 15, 16])
  t.deepEqual(c.inspect(13), { usage: 6, framePosition: 0, frameRole: 'target' })
  for (const id of [17, 18, 19, 20]) t.true(c.has(id))
  const s = c.stats()
  t.is(s.movedObjects, 1)
  t.is(s.movedBytes, 25)
  t.is(s.compactions, 4)
  t.is(s.forcedEvictions, 0)
  t.is(c.groupResidency(1), 'hot')
  t.is(c.groupResidency(3), 'none')
  t.is(c.groupResidency(5), 'whole')
  t.deepEqual(c.groupCounts(4), { fetched: 4, resident: 1 })
  c.checkInvariants()
})

test('an object bigger than a frame gets frames of its own; one too big for the cache is rejected', (t) => {
  const c = new HacCache({ capacityBytes: 500, frameBytes: 100 })
  t.is(c.insert(1, 250, 1, demand), 'inserted')
  t.is(c.framesInUse, 3)
  t.is(c.insert(2, 401, 1, demand), 'rejected', 'it would need every frame')
  t.is(c.insert(3, 400, 1, demand), 'inserted', 'four of five frames: the big one goes')
  t.false(c.has(1))
  t.is(c.usedBytes, 400)
  t.is(c.insert(4, 60, 2, prefetch), 'inserted')
  t.is(c.insert(5, 60, 2, prefetch), 'inserted')
  t.true(c.usedBytes <= c.capacityBytes)
  t.is(c.stats().rejected, 1)
  t.throws(() => new HacCache({ capacityBytes: 150, frameBytes: 100 }), { instanceOf: RangeError, message: /fewer than 2 frames/ })
  c.checkInvariants()
})

test('an object shared by two groups lives in one frame and counts for both', (t) => {
  const c = new HacCache({ capacityBytes: 1000, frameBytes: 100 })
  c.insert(1, 40, 1, demand)
  c.insert(2, 40, 1, prefetch)
  t.is(c.insert(2, 40, 2, prefetch), 'present')
  c.insert(3, 40, 2, prefetch)
  t.is(c.objectCount, 3)
  t.is(c.usedBytes, 120)
  t.deepEqual(c.groupCounts(1), { fetched: 2, resident: 2 })
  t.deepEqual(c.groupCounts(2), { fetched: 2, resident: 2 })
  t.is(c.stats().insertsPresent, 1)
  c.checkInvariants()
})

test('HAC is deterministic: the same calls give the same cache', (t) => {
  const run = (): { ids: number[], stats: unknown } => {
    const c = new HacCache({ capacityBytes: 20 * 1024, frameBytes: 2048 })
    let x = 12345
    for (let i = 0; i < 20_000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff
      const id = x % 400
      if (!c.lookup(id)) {
        c.insert(id, 100 + (id % 7) * 150, id >> 3, demand)
        for (let m = id & ~7; m < (id & ~7) + 8; m++) if (!c.has(m)) c.insert(m, 100 + (m % 7) * 150, m >> 3, prefetch)
      }
    }
    c.checkInvariants()
    return { ids: [...c.residentIds()], stats: c.stats() }
  }
  t.deepEqual(run(), run())
})

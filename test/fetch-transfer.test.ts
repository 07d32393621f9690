/**
 * Object transfer between simulated hosts (the same ObjectServer and ObjectFetcher run on real
 * UDP): multi-chunk objects arrive intact and verified, small objects share chunks, missing and corrupt objects fail, a
 * demand request overtakes a queue of prefetches on a slow link (and promotes a queued prefetch),
 * and a holder that crashes fails its fetches after the stall timeout.
 */
import test from 'ava'
import { createSyntheticModel } from '../sim/net/models/synthetic-model.ts'
import { OverlayWorld } from '../sim/overlay/overlay-world.ts'
import { ObjectFetcher, type ObjectFetcherConfig } from '../src/fetch/object-fetcher.ts'
import type { SimNetworkOptions } from '../sim/net/sim-network.ts'
import { ObjectServer } from '../src/fetch/object-server.ts'
import { SeededRng } from '../src/env/rng.ts'
import { sha1 } from '../src/ids/sha1.ts'
import { DEMAND, PREFETCH } from '../src/wire/xest-messages.ts'

const second = 1e6

function pair (seed: string, uplinkBitsPerSecond = Infinity, fetcherConfig: Partial<ObjectFetcherConfig> = {}, network: Partial<SimNetworkOptions> = {}) {
  const rng = new SeededRng(seed)
  const objects = new Map<string, Uint8Array>()
  const put = (bytes: Uint8Array): Uint8Array => { const id = sha1(bytes); objects.set(Buffer.from(id).toString('hex'), bytes); return id }
  const servers = new Map<number, ObjectServer>()
  const fetchers = new Map<number, ObjectFetcher>()
  const overlay = new OverlayWorld({
    seed, model: createSyntheticModel({ seed }), transport: 'message', network: { uplinkBitsPerSecond, ...network },
    layer: (node, ctx) => {
      servers.set(ctx.node, new ObjectServer(node, { get: (id) => objects.get(Buffer.from(id).toString('hex')) ?? null }))
      fetchers.set(ctx.node, new ObjectFetcher(node, { stallTimeoutMs: 5000, ...fetcherConfig }))
      return {}
    }
  })
  overlay.populate(2, 0.5 * second)
  overlay.world.run({ untilUs: 20 * second })
  const [a, b] = overlay.joinedNodes()
  return { overlay, world: overlay.world, rng, put, objects, holder: a!, client: b!, server: servers.get(a!)!, fetcher: fetchers.get(b!)!, address: (n: number) => overlay.node(n)!.self.address }
}

test('objects of 0 B to 200 KiB arrive intact; a missing object and one whose bytes do not hash to its id fail', (t) => {
  const p = pair('transfer-1')
  const ids = [0, 1, 15 * 1024, 15 * 1024 + 1, 200 * 1024].map((size) => p.put(p.rng.bytes(size)))
  const got = new Map<string, Uint8Array | null>()
  p.fetcher.fetch(p.address(p.holder), ids, DEMAND, (id, bytes) => got.set(Buffer.from(id).toString('hex'), bytes))
  const missing = sha1('nobody has this')
  const corruptId = sha1('what it should be')
  p.objects.set(Buffer.from(corruptId).toString('hex'), new TextEncoder().encode('something else'))
  p.fetcher.fetch(p.address(p.holder), [missing, corruptId], PREFETCH, (id, bytes) => got.set(Buffer.from(id).toString('hex'), bytes))
  p.world.run({ untilUs: p.world.nowUs + 10 * second })
  for (const id of ids) t.deepEqual(got.get(Buffer.from(id).toString('hex')), p.objects.get(Buffer.from(id).toString('hex')))
  t.is(got.get(Buffer.from(missing).toString('hex')), null)
  t.is(got.get(Buffer.from(corruptId).toString('hex')), null)
  t.like(p.fetcher.stats, { completed: 5, failed: 2, badObjects: 1, unexpectedChunks: 0 })
  t.is(p.server.stats.missing, 1)
  t.is(p.fetcher.pendingCount, 0)
})

test('small objects travel three 4 KiB blocks to a chunk, a demand object alone, and a mix of sizes arrives intact', (t) => {
  const p = pair('transfer-bundle')
  const blocks = Array.from({ length: 30 }, () => p.put(p.rng.bytes(4096)))
  const mixed = [100, 20_000, 4096, 9000, 1].map((size) => p.put(p.rng.bytes(size)))
  const got = new Map<string, Uint8Array | null>()
  const record = (id: Uint8Array, bytes: Uint8Array | null) => got.set(Buffer.from(id).toString('hex'), bytes)
  p.fetcher.fetch(p.address(p.holder), blocks, PREFETCH, record)
  p.world.run({ untilUs: p.world.nowUs + 10 * second })
  t.is(p.server.stats.chunksSent, 10, '30 blocks in 10 chunks')
  const demand = p.put(p.rng.bytes(4096))
  p.fetcher.fetch(p.address(p.holder), [demand], DEMAND, record)
  p.world.run({ untilUs: p.world.nowUs + 10 * second })
  t.is(p.server.stats.chunksSent, 11)
  p.fetcher.fetch(p.address(p.holder), mixed, PREFETCH, record)
  p.world.run({ untilUs: p.world.nowUs + 10 * second })
  for (const id of [...blocks, demand, ...mixed]) t.deepEqual(got.get(Buffer.from(id).toString('hex')), p.objects.get(Buffer.from(id).toString('hex')))
  t.like(p.fetcher.stats, { completed: 36, failed: 0, unexpectedChunks: 0 })
})

test('on a 10 Mbit/s link a demand fetch overtakes 3 MB of queued prefetches, and a promoted prefetch comes next', (t) => {
  const p = pair('transfer-2', 10e6)
  const batch = Array.from({ length: 50 }, () => p.put(p.rng.bytes(60 * 1024)))
  const urgent = p.put(p.rng.bytes(8 * 1024))
  const doneAtUs = new Map<string, number>()
  const record = (id: Uint8Array, bytes: Uint8Array | null) => { if (bytes !== null) doneAtUs.set(Buffer.from(id).toString('hex'), p.world.nowUs) }
  const startUs = p.world.nowUs
  p.fetcher.fetch(p.address(p.holder), batch, PREFETCH, record)
  p.world.run({ untilUs: startUs + 0.5 * second })
  p.fetcher.fetch(p.address(p.holder), [urgent], DEMAND, record)
  p.fetcher.fetch(p.address(p.holder), [batch[45]!], DEMAND, record)
  p.world.run({ untilUs: startUs + 30 * second })
  const at = (id: Uint8Array) => doneAtUs.get(Buffer.from(id).toString('hex'))! - startUs
  t.is(doneAtUs.size, 51)
  const lastPrefetchUs = Math.max(...batch.map(at))
  t.true(lastPrefetchUs > 2 * second, `3 MB at 10 Mbit/s takes > 2 s (${lastPrefetchUs / 1e3} ms)`)
  t.true(at(urgent) < 0.5 * second + 0.4 * second, `the demand object arrived ${(at(urgent) - 0.5 * second) / 1e3} ms after its request`)
  t.true(at(batch[45]!) < at(batch[20]!), 'the promoted prefetch overtook those queued before it')
  t.log(`urgent ${(at(urgent) - 0.5 * second) / 1e3} ms, promoted ${at(batch[45]!) / 1e3} ms, last ${lastPrefetchUs / 1e3} ms`)
  t.is(p.server.stats.promoted, 1)
  t.is(p.fetcher.stats.promoted, 1)
})

test('a holder that crashes mid-transfer: its fetches fail after the stall timeout, nothing hangs', (t) => {
  const p = pair('transfer-3', 2e6)
  const ids = Array.from({ length: 10 }, () => p.put(p.rng.bytes(60 * 1024)))
  const outcomes: Array<boolean> = []
  p.fetcher.fetch(p.address(p.holder), ids, PREFETCH, (_id, bytes) => outcomes.push(bytes !== null))
  p.world.run({ untilUs: p.world.nowUs + 0.6 * second })
  p.world.crash(p.holder)
  p.world.run({ untilUs: p.world.nowUs + 40 * second })
  t.is(outcomes.length, 10)
  t.true(outcomes.filter((ok) => !ok).length >= 5)
  t.is(p.fetcher.pendingCount, 0)
})

test('a queue far longer than the stall timeout at a slow holder never fails while the holder progresses; after a crash all fail together one timeout after the last part', (t) => {
  // 400 objects of 16 KiB over 1 Mbit/s take about 55 s, eleven stall timeouts.
  const p = pair('transfer-4', 1e6)
  const ids = Array.from({ length: 400 }, () => p.put(p.rng.bytes(16 * 1024)))
  const done: Array<{ ok: boolean, atUs: number }> = []
  p.fetcher.fetch(p.address(p.holder), ids, PREFETCH, (_id, bytes) => done.push({ ok: bytes !== null, atUs: p.world.nowUs }))
  const startUs = p.world.nowUs
  p.world.run({ untilUs: startUs + 120 * second })
  t.is(done.length, 400)
  t.true(done.every((d) => d.ok), 'nothing failed while the holder kept sending')
  t.true(done.at(-1)!.atUs - startUs > 40 * second, `the queue took ${(done.at(-1)!.atUs - startUs) / second} s`)

  const more = Array.from({ length: 100 }, () => p.put(p.rng.bytes(16 * 1024)))
  const after: Array<{ ok: boolean, atUs: number }> = []
  p.fetcher.fetch(p.address(p.holder), more, PREFETCH, (_id, bytes) => after.push({ ok: bytes !== null, atUs: p.world.nowUs }))
  p.world.run({ untilUs: p.world.nowUs + 3 * second })
  const crashUs = p.world.nowUs
  p.world.crash(p.holder)
  const lastOkUs = Math.max(...after.filter((d) => d.ok).map((d) => d.atUs))
  p.world.run({ untilUs: p.world.nowUs + 30 * second })
  const failed = after.filter((d) => !d.ok)
  t.is(after.length, 100)
  t.true(failed.length > 50)
  // The last part came after the last whole object (parts already sent arrive up to ~0.5 s after
  // the crash on this link); failures come 5 s after it, together.
  for (const f of failed) t.true(f.atUs >= lastOkUs + 5 * second && f.atUs <= crashUs + 6 * second, `failed ${(f.atUs - crashUs) / second} s after the crash`)
  t.is(new Set(failed.map((f) => f.atUs)).size, 1, 'one stall check fails them all')
  t.is(p.fetcher.pendingCount, 0)
})

test('a request whose send fails while its holder keeps sending is asked again, not failed (the ack was lost or late)', (t) => {
  // 25 % loss and a 1.5 s send deadline: some of 40 single-object requests lose every attempt
  // within the deadline while the holder streams a long prefetch queue to the same client.
  const run = (requestRetries: number) => {
    const p = pair('transfer-retry', 2e6, { requestRetries, sendTimeoutMs: 1500, stallTimeoutMs: 60_000 }, { rules: [{ kind: 'loss', probability: 0.25 }] })
    const queue = Array.from({ length: 200 }, () => p.put(p.rng.bytes(15 * 1024)))
    p.fetcher.fetch(p.address(p.holder), queue, PREFETCH, () => {})
    const ids = Array.from({ length: 40 }, () => p.put(p.rng.bytes(4096)))
    const results: boolean[] = []
    for (const id of ids) p.fetcher.fetch(p.address(p.holder), [id], PREFETCH, (_id, bytes) => results.push(bytes !== null))
    p.world.run({ untilUs: p.world.nowUs + 300 * second })
    return { failed: results.filter((ok) => !ok).length, done: results.length, retries: p.fetcher.stats.requestRetries }
  }
  const without = run(0)
  const withRetries = run(3)
  t.log(`without retries ${without.failed} of 40 failed; with retries ${withRetries.failed} failed after ${withRetries.retries} retries`)
  t.is(without.done, 40)
  t.true(without.failed > 0, 'a lost request fails the fetch when it is not asked again')
  t.is(withRetries.done, 40)
  t.true(withRetries.retries > 0)
  t.true(withRetries.failed < without.failed)
})

test('fetched bytes count each transfer once, however many callers joined it, at the priority it ended at', (t) => {
  const p = pair('transfer-bytes')
  const ids = [5000, 7000, 9000].map((size) => p.put(p.rng.bytes(size)))
  const calls: string[] = []
  p.fetcher.fetch(p.address(p.holder), ids, PREFETCH, (id) => calls.push(`a ${Buffer.from(id).toString('hex')}`))
  p.fetcher.fetch(p.address(p.holder), [ids[0]!, ids[1]!], PREFETCH, (id) => calls.push(`b ${Buffer.from(id).toString('hex')}`))
  p.fetcher.fetch(p.address(p.holder), [ids[2]!], DEMAND, (id) => calls.push(`c ${Buffer.from(id).toString('hex')}`))
  p.world.run({ untilUs: p.world.nowUs + 10 * second })
  t.is(calls.length, 6, 'every caller heard of its objects')
  t.like(p.fetcher.stats, { requested: 3, joined: 3, promoted: 1, completed: 3, prefetchBytes: 5000 + 7000, demandBytes: 9000 })
})

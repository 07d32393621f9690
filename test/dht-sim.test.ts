import test from 'ava'
import { createSyntheticModel } from '../sim/net/models/synthetic-model.ts'
import { OverlayWorld } from '../sim/overlay/overlay-world.ts'
import { DHT_CAP, DHT_OK, type GetResult } from '../src/dht/dht-api.ts'
import type { DhtConfig } from '../src/dht/dht-config.ts'
import { remainingDigits } from '../src/dht/dht-get.ts'
import { DhtNode } from '../src/dht/dht-node.ts'
import { TupleStore } from '../src/dht/tuple-store.ts'
import { guidOfKey } from '../src/dht/tuple.ts'
import { sha1 } from '../src/ids/sha1.ts'

const second = 1e6
const minute = 60 * second
const text = (s: string) => new TextEncoder().encode(s)
const str = (b: Uint8Array) => new TextDecoder().decode(b)

function dhtRing (seed: string, count: number, config: Partial<DhtConfig> = {}) {
  const dhts = new Map<number, DhtNode>()
  const overlay = new OverlayWorld({
    seed,
    model: createSyntheticModel({ seed }),
    transport: 'message',
    layer: (node, ctx) => {
      let store = ctx.storage.get('tuples') as TupleStore | undefined
      if (store === undefined) ctx.storage.set('tuples', store = new TupleStore())
      const dht = new DhtNode(node, store, config)
      dht.start()
      dhts.set(ctx.node, dht)
      return { stop: () => dht.stop() }
    }
  })
  overlay.populate(count, 0.5 * second)
  overlay.world.run({ untilUs: count * 0.5 * second + 2 * minute })
  const dht = (i: number) => overlay.node(i) === undefined ? undefined : dhts.get(i)
  return { overlay, dht, world: overlay.world }
}

async function flush (): Promise<void> { await new Promise((resolve) => setImmediate(resolve)) }

/** Drives the world while awaiting (promise callbacks need the microtask queue between events). */
async function drive<T> (world: OverlayWorld['world'], promise: Promise<T>, limitUs = 2 * minute): Promise<T> {
  let result: { value: T } | null = null
  void promise.then((value) => { result = { value } })
  const untilUs = world.nowUs + limitUs
  while (result === null && world.nowUs < untilUs) {
    world.run({ untilUs: Math.min(untilUs, world.nowUs + 50_000) })
    await flush()
  }
  if (result === null) throw new Error(`no answer within ${limitUs / 1e6} s`)
  return (result as { value: T }).value
}

const put = (key: string, value: string, ttlS = 3600, secret: string | null = null) =>
  ({ key: text(key), value: text(value), ttlS, secretHash: secret === null ? null : sha1(secret), application: 'test', clientHost: '10.9.9.9' })
const get = (key: string, placemark = new Uint8Array(0), maxValues = 100) => ({ key: text(key), maxValues, placemark, application: 'test', clientHost: '10.9.9.9' })

test('put, get, get with paging past 1 KiB, rm with the right and the wrong secret, on a 24-node simulated ring', async (t) => {
  const { dht, world, overlay } = dhtRing('dht-24', 24)
  const nodes = overlay.joinedNodes()
  const gateway = dht(nodes[3]!)!
  t.is(await drive(world, gateway.put(put('colors', 'red'))), DHT_OK)
  const other = dht(nodes[17]!)!
  const got = await drive(world, other.get(get('colors')))
  t.deepEqual(got.values.map((v) => str(v.value)), ['red'])
  t.is(got.placemark.length, 0)

  for (let i = 0; i < 30; i++) t.is(await drive(world, gateway.put(put('many', `${String(i).padStart(2, '0')}`.padEnd(200, '.')))), DHT_OK)
  const seen: string[] = []
  let placemark = new Uint8Array(0)
  let pages = 0
  do {
    const page: GetResult = await drive(world, other.get(get('many', placemark)))
    seen.push(...page.values.map((v) => str(v.value).slice(0, 2)))
    placemark = page.placemark as Uint8Array<ArrayBuffer>
    pages++
  } while (placemark.length > 0 && pages < 20)
  t.deepEqual(seen, Array.from({ length: 30 }, (_, i) => String(i).padStart(2, '0')))
  t.true(pages >= 6, `${pages} pages of at most ~1 KiB`)

  t.is(await drive(world, gateway.put(put('colors', 'blue', 3600, 'donttell'))), DHT_OK)
  const rm = (secret: string) => ({ key: text('colors'), valueHash: sha1('blue'), secret: text(secret), ttlS: 3600, application: 'test', clientHost: '10.9.9.9' })
  t.is(await drive(world, other.rm(rm('guess'))), DHT_OK, 'Bamboo answers OK; the tombstone removes nothing')
  t.deepEqual((await drive(world, other.get(get('colors')))).values.map((v) => str(v.value)).sort(), ['blue', 'red'])
  t.is(await drive(world, other.rm(rm('donttell'))), DHT_OK)
  const after = await drive(world, gateway.get(get('colors')))
  t.deepEqual(after.values.map((v) => str(v.value)), ['red'])
  t.is(after.values[0]!.secretHashAlgorithm, '')
})

test('a put is stored on 8 replicas; with 3 of them crashed every value is still read', async (t) => {
  const { dht, world, overlay } = dhtRing('dht-replicas', 32)
  const nodes = overlay.joinedNodes()
  const gateway = dht(nodes[0]!)!
  for (let i = 0; i < 5; i++) t.is(await drive(world, gateway.put(put('k', `v${i}`))), DHT_OK)
  world.run({ untilUs: world.nowUs + 5 * second })
  const guid = guidOfKey(text('k'))
  const holders = overlay.joinedNodes().filter((i) => dht(i)!.store.read(guid, null, 100, 0n).tuples.length === 5)
  t.is(holders.length, 8, 'the root and 7 leaf-set replicas')
  const reader = nodes.find((i) => !holders.includes(i))!
  for (const victim of holders.slice(0, 3)) world.crash(victim)
  const got = await drive(world, dht(reader)!.get(get('k')), 3 * minute)
  t.deepEqual(got.values.map((v) => str(v.value)).sort(), ['v0', 'v1', 'v2', 'v3', 'v4'])
})

test('a ring too small for 8 replicas answers CAP; a crashed-and-restarted node keeps its tuples until they expire', async (t) => {
  const small = dhtRing('dht-small', 5)
  t.is(await drive(small.world, small.dht(small.overlay.joinedNodes()[0]!)!.put(put('k', 'v'))), DHT_CAP)

  const { dht, world, overlay } = dhtRing('dht-restart', 16, { handoffPeriodMs: 3_600_000 })
  const nodes = overlay.joinedNodes()
  t.is(await drive(world, dht(nodes[0]!)!.put(put('short', 'gone soon', 600))), DHT_OK)
  t.is(await drive(world, dht(nodes[0]!)!.put(put('long', 'kept'))), DHT_OK)
  world.run({ untilUs: world.nowUs + 5 * second })
  const holder = nodes.find((i) => dht(i)!.store.size === 2)!
  world.crash(holder)
  world.run({ untilUs: world.nowUs + 3 * minute })
  world.start(holder)
  world.run({ untilUs: world.nowUs + 10 * second })
  t.deepEqual(dht(holder)!.store.tuples().map((x) => str(x.data)).sort(), ['gone soon', 'kept'], 'the restarted incarnation has both')
  world.run({ untilUs: world.nowUs + 8 * minute })
  t.deepEqual(dht(holder)!.store.tuples().map((x) => str(x.data)), ['kept'], 'the 600 s tuple expired; the other is kept')
})

test('with 3 of 8 replicas crashed, RTT-based hop deadlines and delay-aware hops answer in well under the 5 s a plain get waits for a dead replica', async (t) => {
  const elapsedS = async (config: Partial<DhtConfig>): Promise<{ seconds: number, values: string[] }> => {
    const { dht, world, overlay } = dhtRing('dht-tail', 48, config)
    const nodes = overlay.joinedNodes()
    for (let i = 0; i < 3; i++) t.is(await drive(world, dht(nodes[0]!)!.put(put('tail', `v${i}`))), DHT_OK)
    world.run({ untilUs: world.nowUs + 5 * second })
    const guid = guidOfKey(text('tail'))
    const holders = overlay.joinedNodes().filter((i) => dht(i)!.store.read(guid, null, 100, 0n).tuples.length === 3)
    for (const victim of holders.slice(1, 4)) world.crash(victim)
    const reader = nodes.find((i) => !holders.includes(i))!
    const startUs = world.nowUs
    const got = await drive(world, dht(reader)!.get(get('tail')), 3 * minute)
    return { seconds: (world.nowUs - startUs) / 1e6, values: got.values.map((v) => str(v.value)).sort() }
  }
  const plain = await elapsedS({})
  const fixed = await elapsedS({ delayAwareGets: true, redundantReads: 2, getHopRttMultiple: 3 })
  t.deepEqual(plain.values, ['v0', 'v1', 'v2'])
  t.deepEqual(fixed.values, ['v0', 'v1', 'v2'])
  t.log(`plain ${plain.seconds} s, fixed ${fixed.seconds} s`)
  t.true(plain.seconds >= 5, `plain waited ${plain.seconds} s`)
  t.true(fixed.seconds < 2, `fixed took ${fixed.seconds} s`)
})

test('remainingDigits counts base-16 digits of a ring distance', (t) => {
  t.is(remainingDigits(0n), 0)
  t.is(remainingDigits(1n), 1)
  t.is(remainingDigits(15n), 1)
  t.is(remainingDigits(16n), 2)
  t.is(remainingDigits((1n << 160n) - 1n), 40)
})

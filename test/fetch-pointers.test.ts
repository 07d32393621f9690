/**
 * Group pointers in the DHT, on a simulated 16-node ring: publish, look up from another host
 * (cached, joined), downgrade whole → hot, withdraw; the nearest holder by Vivaldi estimate;
 * the pointer value's text form and malformed values.
 */
import test from 'ava'
import { createSyntheticModel } from '../sim/net/models/synthetic-model.ts'
import { OverlayWorld } from '../sim/overlay/overlay-world.ts'
import { DhtNode } from '../src/dht/dht-node.ts'
import { chooseHolder, decodePointer, encodePointer, GroupPointers, type Pointer } from '../src/fetch/group-pointers.ts'
import { VivaldiCoordinate } from '../src/overlay/vivaldi-coordinate.ts'

const second = 1e6

test('pointer values: text form round trip, malformed ones rejected', (t) => {
  const p: Pointer = { grade: 'whole', holder: { host: '10.1.2.3', port: 5850 }, coordinate: new VivaldiCoordinate(12.5, -3.25, 4) }
  const back = decodePointer(encodePointer(p))!
  t.is(new TextDecoder().decode(encodePointer(p)), 'whole 10.1.2.3:5850 12.5 -3.3 4.0')
  t.deepEqual([back.grade, back.holder, back.coordinate?.x, back.coordinate?.height], ['whole', p.holder, 12.5, 4])
  t.is(decodePointer(encodePointer({ ...p, coordinate: null }))!.coordinate, null)
  for (const bad of ['', 'cold 10.1.2.3:1', 'whole nowhere', 'hot 10.1.2.3:1 1 2', 'whole 10.1.2.3:1 a b c']) t.is(decodePointer(new TextEncoder().encode(bad)), null, bad)
  const near: Pointer = { grade: 'hot', holder: { host: '10.0.0.1', port: 1 }, coordinate: new VivaldiCoordinate(1, 0, 0) }
  const far: Pointer = { grade: 'whole', holder: { host: '10.0.0.2', port: 1 }, coordinate: new VivaldiCoordinate(100, 0, 0) }
  const estimate = (c: VivaldiCoordinate) => 2 * VivaldiCoordinate.ORIGIN.distanceMs(c)
  t.is(chooseHolder([far, near], estimate, false), near, 'a demand fetch takes the nearest')
  t.is(chooseHolder([far, near], estimate, true), far, 'a prefetch prefers a whole copy')
  t.is(chooseHolder([], estimate, true), null)
})

test('on a 16-node ring: publish, look up (cached and joined), downgrade, withdraw', (t) => {
  const dhts = new Map<number, DhtNode>()
  const overlay = new OverlayWorld({
    seed: 'pointers', model: createSyntheticModel({ seed: 'pointers' }), transport: 'message',
    layer: (node, ctx) => { const dht = new DhtNode(node, undefined, { antiEntropyPeriodMs: 0 }); dht.start(); dhts.set(ctx.node, dht); return { stop: () => dht.stop() } }
  })
  overlay.populate(16, 0.5 * second)
  const world = overlay.world
  world.run({ untilUs: 16 * 0.5 * second + 60 * second })
  const [a, b, c] = overlay.joinedNodes().slice(0, 3).map((i) => {
    const node = overlay.node(i)!
    return new GroupPointers(dhts.get(i)!, node.self.address, node.env.clock, new TextEncoder().encode(`secret-${i}`), () => node.coordinates.coordinate, { cacheMs: 30_000 })
  })
  const statuses: number[] = []
  a!.publish('snap1/7', 'whole', (s) => statuses.push(s))
  b!.publish('snap1/7', 'hot', (s) => statuses.push(s))
  world.run({ untilUs: world.nowUs + 10 * second })
  t.deepEqual(statuses, [0, 0])
  const seen: Pointer[][] = []
  c!.lookup('snap1/7', (p) => seen.push(p))
  c!.lookup('snap1/7', (p) => seen.push(p))
  world.run({ untilUs: world.nowUs + 10 * second })
  t.is(seen.length, 2)
  t.deepEqual(seen[0]!.map((p) => `${p.grade}@${p.holder.port}`).sort(), [`hot@${overlay.node(overlay.joinedNodes()[1]!)!.self.address.port}`, `whole@${overlay.node(overlay.joinedNodes()[0]!)!.self.address.port}`].sort())
  t.true(seen[0]!.every((p) => p.coordinate !== null))
  t.like(c!.stats, { gets: 1, cachedLookups: 1 })
  c!.lookup('snap1/7', () => {})
  t.is(c!.stats.cachedLookups, 2, 'a fresh answer is reused')

  a!.publish('snap1/7', 'hot')
  b!.withdraw('snap1/7')
  world.run({ untilUs: world.nowUs + 10 * second })
  c!.invalidate('snap1/7')
  let after: Pointer[] = []
  c!.lookup('snap1/7', (p) => { after = p })
  world.run({ untilUs: world.nowUs + 10 * second })
  t.deepEqual(after.map((p) => p.grade), ['hot'], 'a downgraded, b withdrawn')
  t.like(a!.stats, { puts: 2, rms: 1 })
  const own: Pointer[][] = []
  a!.lookup('snap1/7', (p) => own.push(p))
  world.run({ untilUs: world.nowUs + 10 * second })
  t.deepEqual(own, [[]], 'a host never points at itself')
})

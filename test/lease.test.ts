/**
 * VD records and the writer lease on a simulated 16-node ring: two hosts racing for one VD —
 * exactly one wins and the loser's writes are refused by its fence; release and takeover with a
 * higher epoch make the old holder stale; an expired lease is taken over without a release;
 * names resolve to VD ids; records with a wrong secret cannot be removed. Record encoding is
 * checked on its own.
 */
import test from 'ava'
import { createSyntheticModel } from '../sim/net/models/synthetic-model.ts'
import { OverlayWorld } from '../sim/overlay/overlay-world.ts'
import { DhtNode } from '../src/dht/dht-node.ts'
import { addressKey } from '../src/ids/node-address.ts'
import { currentRecord, decodeVdRecord, encodeVdRecord } from '../src/lease/vd-records.ts'
import { StaleWriterError, WriterLease, type AcquireResult } from '../src/lease/writer-lease.ts'

const second = 1e6
const VD = 'ab'.repeat(20)
const SECRET = new TextEncoder().encode('vd-secret')
const base = { name: 'web-1', snapshot: 'cd'.repeat(20), groupTable: null }

function ring (seed: string, leaseTtlS = 300, clockSkewMs = 30_000) {
  const dhts = new Map<number, DhtNode>()
  const overlay = new OverlayWorld({
    seed, model: createSyntheticModel({ seed }), transport: 'message',
    layer: (node, ctx) => { const dht = new DhtNode(node, undefined, { antiEntropyPeriodMs: 0 }); dht.start(); dhts.set(ctx.node, dht); return { stop: () => dht.stop() } }
  })
  overlay.populate(16, 0.5 * second)
  overlay.world.run({ untilUs: 16 * 0.5 * second + 60 * second })
  const leases = overlay.joinedNodes().slice(0, 4).map((i) => {
    const node = overlay.node(i)!
    return new WriterLease(dhts.get(i)!, node.env.clock, addressKey(node.self.address), { leaseTtlS, clockSkewMs })
  })
  const run = (s: number) => overlay.world.run({ untilUs: overlay.world.nowUs + s * second })
  return { leases, run }
}

test('record values: encode, decode, reject garbage; the current record is the highest epoch, smallest writer', (t) => {
  const r = { ...base, writer: '10.0.0.1:5850', epoch: 3, untilMs: 1_800_000_000_000 }
  t.deepEqual(decodeVdRecord(encodeVdRecord(r)), r)
  for (const bad of ['', '{}', 'null', '{"v":1,"n":"x","w":"a","e":-1,"s":null,"g":null}', '{"v":1,"n":"x","w":"a","e":1,"s":"zz","g":null}', '\u00ff\u00fe']) {
    t.is(decodeVdRecord(new TextEncoder().encode(bad)), null, bad)
  }
  t.throws(() => encodeVdRecord({ ...r, name: 'x'.repeat(1100) }), { instanceOf: RangeError })
  const pick = currentRecord([{ ...r, epoch: 2, writer: 'a' }, { ...r, epoch: 4, writer: 'c' }, { ...r, epoch: 4, writer: 'b' }])
  t.deepEqual([pick?.epoch, pick?.writer], [4, 'b'])
  const renewed = currentRecord([{ ...r, untilMs: 5 }, { ...r, untilMs: 9 }, { ...r, untilMs: 7 }])
  t.is(renewed?.untilMs, 9, 'the latest renewal')
  t.is(currentRecord([{ ...r, untilMs: 9 }, { ...r, untilMs: 0, snapshot: 'ef'.repeat(20) }])?.snapshot, 'ef'.repeat(20), 'a release beats the lease it ends')
})

test('two hosts race for one VD: exactly one wins; the loser\'s writes are refused', (t) => {
  const { leases, run } = ring('lease-race')
  const [a, b] = leases
  const results: Record<string, AcquireResult> = {}
  a!.acquire(VD, SECRET, base, (r) => { results.a = r })
  b!.acquire(VD, SECRET, base, (r) => { results.b = r })
  run(20)
  const winners = [results.a, results.b].filter((r) => r?.ok === true)
  t.is(winners.length, 1, JSON.stringify(results))
  const [winner, loser] = results.a!.ok ? [a!, b!] : [b!, a!]
  t.notThrows(() => winner.fence().checkWrite({ id: VD }, 'write /etc/hosts'))
  t.throws(() => loser.fence().checkWrite({ id: VD }, 'write /etc/hosts'), { instanceOf: StaleWriterError })
  const current: Array<string | null> = []
  winner.records(VD, (records) => { current.push(currentRecord(records)?.writer ?? null) })
  run(10)
  t.deepEqual(current, [winner.self])
})

test('release and takeover: the new writer has a higher epoch, the old one turns stale; a live lease cannot be taken', (t) => {
  const { leases, run } = ring('lease-handover')
  const [a, b, c] = leases
  let first: AcquireResult | null = null
  a!.acquire(VD, SECRET, base, (r) => { first = r })
  run(20)
  t.deepEqual(first, { ok: true, epoch: 1 })
  let refused: AcquireResult | null = null
  c!.acquire(VD, SECRET, base, (r) => { refused = r })
  run(20)
  t.deepEqual(refused, { ok: false, reason: 'held', holder: a!.self })
  // a migrates to b: a releases, b takes epoch 2.
  let released = false
  a!.release(VD, SECRET, base, (ok) => { released = ok })
  run(20)
  t.true(released)
  let second: AcquireResult | null = null
  b!.acquire(VD, SECRET, base, (r) => { second = r })
  run(20)
  t.deepEqual(second, { ok: true, epoch: 2 })
  t.throws(() => a!.fence().checkWrite({ id: VD }, 'snapshot'), { instanceOf: StaleWriterError })
  let bValid: boolean | null = null
  b!.check(VD, (v) => { bValid = v })
  run(10)
  t.true(bValid)
})

test('an expired lease is taken over without a release, and the old holder learns it is stale', (t) => {
  const { leases, run } = ring('lease-expiry', 30, 5000)
  const [a, b] = leases
  a!.acquire(VD, SECRET, base, () => {})
  run(20)
  t.is(a!.heldEpoch(VD), 1)
  run(60)
  let taken: AcquireResult | null = null
  b!.acquire(VD, SECRET, base, (r) => { taken = r })
  run(20)
  t.deepEqual(taken, { ok: true, epoch: 2 })
  let aValid: boolean | null = null
  a!.check(VD, (v) => { aValid = v })
  run(10)
  t.false(aValid)
  t.is(a!.heldEpoch(VD), null)
})

test('names resolve to VD ids', (t) => {
  const { leases, run } = ring('lease-names')
  leases[0]!.publishName('web-1', VD, SECRET)
  run(10)
  let ids: string[] = []
  leases[3]!.resolveName('web-1', (r) => { ids = r })
  run(10)
  t.deepEqual(ids, [VD])
})

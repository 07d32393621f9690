/**
 * Merkle anti-entropy: the tree's hashes (equal for equal tuple sets, a walk finds the
 * difference), Bamboo's shared ranges (both neighbours compute the same ranges), and, on a
 * simulated ring, replicas that lost tuples or never got them are repaired by anti-entropy
 * alone, tombstones included.
 */
import test from 'ava'
import { createSyntheticModel } from '../sim/net/models/synthetic-model.ts'
import { OverlayWorld } from '../sim/overlay/overlay-world.ts'
import { DhtNode } from '../src/dht/dht-node.ts'
import { MERKLE_ROOT_LEVEL, MerkleSnapshot, spanUsec } from '../src/dht/merkle-tree.ts'
import { inRangeMod, sharedRanges, MAX_GUID } from '../src/dht/shared-ranges.ts'
import { TupleStore } from '../src/dht/tuple-store.ts'
import { guidOfKey, makePut, makeRemove, type Tuple } from '../src/dht/tuple.ts'
import { SeededRng } from '../src/env/rng.ts'
import { sha1 } from '../src/ids/sha1.ts'
import { sortIds, trueLeafSet } from '../src/overlay/ring-truth.ts'

const second = 1e6
const minute = 60 * second
const text = (s: string) => new TextEncoder().encode(s)

function tuple (key: string | bigint, value: string, timeUsec: bigint): Tuple {
  const guid = typeof key === 'bigint' ? key : guidOfKey(text(key))
  return makePut({ timeUsec, ttlS: 3600, guid, value: text(value), secretHash: null, clientIp: new Uint8Array([10, 0, 0, 1]) })
}
const RING = 1n << 160n

test('Merkle tree: equal tuple sets hash equal in any order; a walk from the root reaches exactly the differing leaf', (t) => {
  const base = Array.from({ length: 500 }, (_, i) => tuple(`k${i % 50}`, `v${i}`, 1_700_000_000_000_000n + BigInt(i) * 7_919_000n))
  const a = new MerkleSnapshot(base)
  const b = new MerkleSnapshot([...base].reverse())
  t.deepEqual(a.root().hash, b.root().hash)
  t.false(a.root().leaf, '500 tuples: the root has children')
  const missing = base[321]!
  const c = new MerkleSnapshot(base.filter((x) => x !== missing))
  t.notDeepEqual(a.root().hash, c.root().hash)
  // Walk down the differing children, as a requester does.
  let level = MERKLE_ROOT_LEVEL
  let low = 0n
  let visited = 0
  for (;;) {
    visited++
    const mine = c.node(level, low)
    const theirs = a.node(level, low)
    if (theirs.leaf) break
    const differing = theirs.children.map((h, i) => ({ h, i })).filter(({ h, i }) => {
      const own = mine.leaf ? c.node(level - 1, low + BigInt(i) * spanUsec(level - 1)).hash : mine.children[i]!
      return !h.every((x) => x === 0) && Buffer.compare(Buffer.from(h), Buffer.from(own.length === 0 ? new Uint8Array(20) : own)) !== 0
    })
    t.is(differing.length, 1, `exactly one differing child at level ${level}`)
    low += BigInt(differing[0]!.i) * spanUsec(level - 1)
    level--
  }
  const span = spanUsec(level)
  t.true(missing.timeUsec >= low && missing.timeUsec < low + span, 'the leaf node covers the missing tuple')
  t.true(a.inTimeRange(low, low + span).includes(missing))
  t.true(visited < MERKLE_ROOT_LEVEL + 1)
  t.deepEqual(new MerkleSnapshot([]).root().hash, new Uint8Array(0))
  t.true(MerkleSnapshot.validNode(MERKLE_ROOT_LEVEL, 0n))
  t.false(MerkleSnapshot.validNode(2, 5n), 'a low time not aligned to the node span')
  t.false(MerkleSnapshot.validNode(MERKLE_ROOT_LEVEL + 1, 0n))
})

test('shared ranges: every pair of leaf-set neighbours computes the same ranges; strangers share none', (t) => {
  const rng = new SeededRng('ranges')
  const ids = sortIds(Array.from({ length: 40 }, () => BigInt('0x' + Buffer.from(rng.bytes(20)).toString('hex'))))
  const view = (i: number) => {
    const members = trueLeafSet(ids, i, 4)
    const self = ids[i]!
    const ring = (x: bigint) => ((x - self) % (1n << 160n) + (1n << 160n)) % (1n << 160n)
    const sorted = [...members].sort((x, y) => ring(x) < ring(y) ? -1 : 1)
    const succs = sorted.slice(0, 4).map((guid) => ({ guid, address: { host: '10.0.0.1', port: 1 } }))
    const preds = sorted.slice(-4).reverse().map((guid) => ({ guid, address: { host: '10.0.0.1', port: 1 } }))
    return { self: { guid: self, address: { host: '10.0.0.1', port: 1 } }, preds, succs }
  }
  let pairs = 0
  for (let i = 0; i < ids.length; i++) {
    const a = view(i)
    for (const other of [...a.preds, ...a.succs]) {
      const j = ids.indexOf(other.guid)
      const b = view(j)
      const ab = sharedRanges(a.self, a.preds, a.succs, other.guid)!
      const ba = sharedRanges(b.self, b.preds, b.succs, a.self.guid)!
      t.deepEqual(ab.map((r) => `${r.low}-${r.high}`).sort(), ba.map((r) => `${r.low}-${r.high}`).sort())
      t.true(ab.length >= 4 && ab.length <= 7)
      pairs++
    }
    t.is(sharedRanges(a.self, a.preds, a.succs, ids[(i + 20) % ids.length]!), null)
  }
  t.is(pairs, 40 * 8)
  t.true(inRangeMod({ low: MAX_GUID - 5n, high: 3n }, 1n), 'a range may wrap through zero')
  t.false(inRangeMod({ low: MAX_GUID - 5n, high: 3n }, 4n))
})

test('simulated ring: anti-entropy alone repairs replicas that lost tuples or never got them, tombstones included', (t) => {
  const dhts = new Map<number, DhtNode>()
  const seed = 'ae-16'
  const overlay = new OverlayWorld({
    seed, model: createSyntheticModel({ seed }), transport: 'message',
    layer: (node, ctx) => {
      const dht = new DhtNode(node, new TupleStore(), { antiEntropyPeriodMs: 2000, handoffPeriodMs: 3_600_000 })
      dht.start()
      dhts.set(ctx.node, dht)
      return { stop: () => dht.stop() }
    }
  })
  overlay.populate(16, 0.5 * second)
  const world = overlay.world
  world.run({ untilUs: 16 * 0.5 * second + 2 * minute })
  const nodes = overlay.joinedNodes().map((i) => dhts.get(i)!)
  const now = () => BigInt(Math.floor(nodes[0]!.node.env.clock.nowMs())) * 1000n
  // Tuples placed straight into one replica's store, as if its pushes to the others were lost.
  const origin = nodes[5]!
  const placed: Tuple[] = []
  // Keys spread over the origin's window: 3 in each gap between consecutive members.
  const window = [...origin.node.leafSet.predecessors().slice(0, 4).reverse(), origin.node.self, ...origin.node.leafSet.successors().slice(0, 4)].map((n) => n.guid)
  const keys: bigint[] = []
  for (let k = 0; k + 1 < window.length; k++) {
    const gap = ((window[k + 1]! - window[k]!) % RING + RING) % RING
    for (let j = 1; j <= 3; j++) keys.push((window[k]! + gap * BigInt(j) / 4n) % RING)
  }
  for (let i = 0; i < 60; i++) {
    const x = tuple(keys[i % keys.length]!, `value-${i}`, now() - BigInt(i) * 1000n)
    origin.store.apply(x, now())
    placed.push(x)
  }
  const secret = text('s3cret')
  const removable = makePut({ timeUsec: now(), ttlS: 3600, guid: keys[10]!, value: text('doomed'), secretHash: sha1(secret), clientIp: new Uint8Array(4) })
  for (const n of nodes) if (n.node.leafSet.replicas(removable.guid, 8).some((r) => r.guid === origin.node.self.guid) || n === origin) n.store.apply(removable, now())
  const tombstone = makeRemove({ timeUsec: now(), ttlS: 3600, guid: removable.guid, valueHash: sha1('doomed'), secret, clientIp: new Uint8Array(4) })
  origin.store.apply(tombstone, now())

  /** Nodes that share a range covering `guid` with the origin: the ones anti-entropy must reach. */
  const sharers = (guid: bigint) => nodes.filter((n) => n !== origin && (sharedRanges(origin.node.self, origin.node.leafSet.predecessors().slice(0, 4), origin.node.leafSet.successors().slice(0, 4), n.node.self.guid) ?? []).some((r) => inRangeMod(r, guid)))
  world.run({ untilUs: world.nowUs + 3 * minute })
  let expected = 0
  let present = 0
  for (const x of placed) for (const n of sharers(x.guid)) { expected++; if (n.store.has(x)) present++ }
  t.true(expected > 60, `${expected} (tuple, sharing neighbour) pairs`)
  t.is(present, expected, "every neighbour sharing a range fetched every tuple in it")
  for (const n of sharers(removable.guid)) t.false(n.store.has(removable), 'the tombstone reached the replicas and removed the value')
  const fetched = nodes.reduce((sum, n) => sum + (n.counters.get('ae-fetched') ?? 0), 0)
  t.true(fetched >= expected, `${fetched} tuples fetched by anti-entropy`)

  // A replica that loses its tuples (disk wiped) gets them back.
  const victim = sharers(placed[0]!.guid)[0]!
  const had = placed.filter((x) => victim.store.has(x))
  for (const x of had) victim.store.delete(x)
  world.run({ untilUs: world.nowUs + 3 * minute })
  t.is(had.filter((x) => victim.store.has(x)).length, had.length)
  const sessions = nodes.reduce((sum, n) => sum + (n.counters.get('ae-sessions') ?? 0), 0)
  const rejected = nodes.reduce((sum, n) => sum + [0, 1, 2].reduce((s, r) => s + (n.counters.get(`ae-rejected-${r}`) ?? 0), 0), 0)
  t.true(sessions > 16 * 60, `${sessions} sessions`)
  t.true(rejected < sessions / 20, `${rejected} rejected of ${sessions}`)
})

test('Merkle tree: a snapshot built on the previous one hashes exactly as one built from scratch, through puts, expiries and removals', (t) => {
  const rng = new SeededRng('merkle-incremental')
  let tuples = Array.from({ length: 400 }, (_, i) => tuple(`k${i % 40}`, `v${i}`, 1_700_000_000_000_000n + BigInt(i) * 5_000_000n))
  let previous: MerkleSnapshot | null = null
  for (let round = 0; round < 30; round++) {
    const fresh: MerkleSnapshot = new MerkleSnapshot(tuples, previous)
    const scratch = new MerkleSnapshot(tuples)
    const walk = (s: MerkleSnapshot, level: number, low: bigint, out: string[]): void => {
      const n = s.node(level, low)
      out.push(`${level}:${low}:${Buffer.from(n.hash).toString('hex')}`)
      if (!n.leaf && level > 0) for (let c = 0; c < 32; c++) walk(s, level - 1, low + BigInt(c) * spanUsec(level - 1), out)
    }
    const a: string[] = []
    const b: string[] = []
    walk(fresh, MERKLE_ROOT_LEVEL, 0n, a)
    walk(scratch, MERKLE_ROOT_LEVEL, 0n, b)
    t.deepEqual(a, b, `round ${round}`)
    previous = fresh
    // The oldest few expire, a few in the middle go, new ones arrive at the newest times.
    const last = tuples.at(-1)!.timeUsec
    tuples = tuples.slice(rng.int(5)).filter(() => rng.int(100) !== 0)
    for (let i = 0; i < 10; i++) tuples.push(tuple(`n${round}-${i}`, `x${i}`, last + BigInt(1 + rng.int(9_000_000))))
  }
})

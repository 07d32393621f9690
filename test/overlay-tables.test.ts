/**
 * The overlay's leaf set and routing table (src/overlay/leaf-set.ts, routing-table.ts): Bamboo's
 * insertion, eviction, overlap, range and tie-break rules, checked against hand-worked cases and
 * against brute-force references on random rings, including ids wrapping around 0 / 2^160.
 */
import test from 'ava'
import { LeafSet } from '../src/overlay/leaf-set.ts'
import { RoutingTable } from '../src/overlay/routing-table.ts'
import { ID_SPACE } from '../src/ids/node-id.ts'
import { clockwiseDistance, ringDistance } from '../src/ids/ring.ts'
import { digitsPerId, digitsToId, idToDigits, sharedPrefixLength, type DigitBase } from '../src/ids/digits.ts'
import { bytesToBigUint } from '../src/ids/sha1.ts'
import { SeededRng, type Rng } from '../src/env/rng.ts'
import type { NeighborInfo } from '../src/wire/fields.ts'

const M = ID_SPACE
/** An id `k` steps after 0 (negative: before 2^160, i.e. just before 0 on the ring). */
const at = (k: number | bigint): bigint => ((BigInt(k) % M) + M) % M
const ni = (guid: bigint): NeighborInfo => ({ address: { host: '10.0.0.1', port: Number(guid % 65536n) }, guid })
const guids = (list: readonly NeighborInfo[]): bigint[] => list.map((n) => n.guid)
const cmp = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0)
const randomId = (rng: Rng): bigint => bytesToBigUint(rng.bytes(20))

function shuffled<T> (items: readonly T[], rng: Rng): T[] {
  const out = items.slice()
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/** Brute force: the `k` nearest known nodes counter-clockwise and clockwise, closest first. */
function referenceLeafSet (self: bigint, known: readonly bigint[], k: number): { preds: bigint[], succs: bigint[] } {
  const others = [...new Set(known)].filter((g) => g !== self)
  const preds = others.slice().sort((a, b) => cmp(clockwiseDistance(a, self), clockwiseDistance(b, self))).slice(0, k)
  const succs = others.slice().sort((a, b) => cmp(clockwiseDistance(self, a), clockwiseDistance(self, b))).slice(0, k)
  return { preds, succs }
}

function leafSetOf (self: bigint, k: number, ids: readonly (number | bigint)[]): LeafSet {
  const ls = new LeafSet(ni(self), k)
  for (const id of ids) ls.add(ni(at(id)))
  return ls
}

// ---------------------------------------------------------------- leaf set

test('leaf set: any insertion order gives the brute-force leaf set, with eviction reports', (t) => {
  const rng = new SeededRng('leaf-orders')
  const rings: Array<{ name: string, self: bigint, ids: bigint[] }> = [
    { name: 'around 0', self: at(0), ids: [-40, -30, -20, -10, 10, 20, 30, 40, 50].map(at) },
    { name: 'self just below 2^160', self: at(-3), ids: [-50, -9, -4, -2, 0, 1, 7, 1000].map(at) },
    { name: 'self just above 0', self: at(2), ids: [-7, -1, 0, 1, 3, 4, 900].map(at) },
    { name: 'random wide', self: randomId(rng), ids: Array.from({ length: 30 }, () => randomId(rng)) }
  ]
  for (const ring of rings) {
    for (const k of [1, 2, 4, 8]) {
      for (let trial = 0; trial < 25; trial++) {
        const order = shuffled(ring.ids, rng)
        const ls = new LeafSet(ni(ring.self), k)
        const evicted: bigint[] = []
        const added = new Set<bigint>()
        for (let i = 0; i < order.length; i++) {
          const g = order[i]!
          const before = new Set(guids(ls.members()))
          const promising = ls.promising(ni(g))
          const r = ls.add(ni(g))
          t.is(r.added, promising)
          if (r.added) added.add(g)
          for (const e of r.evicted) {
            t.true(before.has(e.guid) && !ls.has(e.guid))
            evicted.push(e.guid)
          }
          const ref = referenceLeafSet(ring.self, order.slice(0, i + 1), k)
          t.deepEqual(guids(ls.predecessors()), ref.preds, `${ring.name} k=${k}`)
          t.deepEqual(guids(ls.successors()), ref.succs, `${ring.name} k=${k}`)
          t.is(ls.size, new Set([...ref.preds, ...ref.succs]).size)
          t.deepEqual(guids(ls.members()), [...new Set([...ref.preds, ...ref.succs])])
          t.is(ls.overlap, ref.preds.some((p) => ref.succs.includes(p)))
        }
        const kept = new Set(guids(ls.members()))
        t.deepEqual(evicted.slice().sort(cmp), [...added].filter((g) => !kept.has(g)).sort(cmp),
          'every node that was added and is gone was reported evicted exactly once')
      }
    }
  }
})

test('leaf set: eviction, promising and duplicates on a large ring', (t) => {
  const ls = leafSetOf(0n, 2, [10, 20, -10, -20])
  t.deepEqual(guids(ls.predecessors()), [at(-10), at(-20)])
  t.deepEqual(guids(ls.successors()), [10n, 20n])
  t.false(ls.overlap)
  t.false(ls.promising(ni(0n)), 'self')
  t.false(ls.promising(ni(10n)), 'member')
  t.false(ls.promising(ni(at(30))), 'beyond the furthest successor')
  t.false(ls.promising(ni(at(-30))), 'beyond the furthest predecessor')
  t.deepEqual(ls.add(ni(at(30))), { added: false, evicted: [] })
  t.deepEqual(ls.add(ni(10n)), { added: false, evicted: [] })
  const r = ls.add(ni(5n))
  t.true(r.added)
  t.deepEqual(guids(r.evicted), [20n])
  t.deepEqual(guids(ls.successors()), [5n, 10n])
  t.deepEqual(guids(ls.add(ni(at(-15))).evicted), [at(-20)])
  t.deepEqual(guids(ls.predecessors()), [at(-10), at(-15)])
})

test('leaf set: small rings overlap; nodes pushed off one side only are not evicted', (t) => {
  const empty = new LeafSet(ni(0n), 4)
  t.true(empty.overlap, 'an empty leaf set counts as overlapping, as in Bamboo')
  t.is(empty.size, 0)
  const three = leafSetOf(0n, 4, [10, 20])
  t.true(three.overlap)
  t.deepEqual(guids(three.predecessors()), [20n, 10n])
  t.deepEqual(guids(three.successors()), [10n, 20n])
  t.deepEqual(guids(three.members()), [20n, 10n])
  t.is(three.size, 2)
  const ls = leafSetOf(0n, 4, [10, 20, 30, 40, 50])
  t.true(ls.overlap)
  const r = ls.add(ni(60n))
  t.true(r.added)
  t.deepEqual(r.evicted, [], '20 left the predecessors but is still a successor')
  t.deepEqual(guids(ls.predecessors()), [60n, 50n, 40n, 30n])
  t.deepEqual(guids(ls.successors()), [10n, 20n, 30n, 40n])
  t.true(ls.overlap)
  t.deepEqual(guids(ls.add(ni(70n)).evicted), [], '30 and 40 are still successors')
  t.deepEqual(guids(ls.add(ni(80n)).evicted), [], '40 is still a successor')
  t.deepEqual(guids(ls.add(ni(90n)).evicted), [50n])
  t.false(ls.overlap, 'ten nodes with 4 per side no longer overlap')
})

test('leaf set: remove, and Bamboo\'s re-offer of members when the rest overlaps', (t) => {
  const ls = leafSetOf(0n, 4, [10, 20, 30, 40, 50])
  t.false(ls.remove(99n))
  t.false(ls.remove(0n))
  t.true(ls.remove(10n))
  t.false(ls.has(10n))
  const ref = referenceLeafSet(0n, [20n, 30n, 40n, 50n], 4)
  t.deepEqual(guids(ls.successors()), ref.succs, '50 is re-offered to the successors')
  t.deepEqual(guids(ls.predecessors()), ref.preds)
  // A large ring without overlap keeps a short side (Bamboo does not re-offer there).
  const big = leafSetOf(0n, 2, [10, 20, -10, -20])
  t.true(big.remove(10n))
  t.deepEqual(guids(big.successors()), [20n])
  t.deepEqual(guids(big.predecessors()), [at(-10), at(-20)])
  t.false(big.overlap)
  t.true(big.promising(ni(30n)), 'the short side has room')
  for (const g of [20n, at(-10), at(-20)]) big.remove(g)
  t.is(big.size, 0)
  t.true(big.overlap)
})

test('leaf set: withinLeafSet at the edges, with wrap-around, overlap and a short side', (t) => {
  const ls = leafSetOf(0n, 2, [10, 20, -10, -20])
  const cases: Array<[bigint, boolean]> = [
    [0n, true], [20n, true], [21n, false], [at(-20), true], [at(-21), false],
    [at(-1), true], [15n, true], [M / 2n, false]
  ]
  for (const [key, within] of cases) t.is(ls.withinLeafSet(key), within, `key ${key}`)
  // self just below 2^160: the successor arc wraps through 0.
  const wrap = leafSetOf(at(-5), 2, [-8, -6, 2, 4])
  const wrapCases: Array<[bigint, boolean]> = [[at(-8), true], [at(-9), false], [0n, true], [4n, true], [5n, false]]
  for (const [key, within] of wrapCases) t.is(wrap.withinLeafSet(key), within, `wrapped key ${key}`)
  const small = leafSetOf(0n, 4, [10, 20])
  t.true(small.withinLeafSet(M / 2n), 'an overlapping set covers the ring')
  t.true(new LeafSet(ni(0n), 4).withinLeafSet(M / 3n), 'so does an empty one')
  ls.remove(10n)
  t.true(ls.withinLeafSet(20n))
  t.false(ls.withinLeafSet(21n), 'a side left short by a removal keeps its arc')
})

test('leaf set: closestLeaf breaks ties toward the successor of the key; skip', (t) => {
  const ls = leafSetOf(0n, 2, [10, 20, -10, -20])
  const cases: Array<[string, bigint, bigint]> = [
    ['exact member', 10n, 10n],
    ['tie between two successors', 15n, 20n],
    ['tie between self and a successor', 5n, 10n],
    ['tie between a predecessor and self', at(-5), 0n],
    ['tie between two predecessors', at(-15), at(-10)],
    ['nearest is a predecessor', at(-12), at(-10)],
    ['far key: 20 and 2^160 − 20 tie; the latter follows it', M / 2n, at(-20)]
  ]
  for (const [name, key, want] of cases) t.is(ls.closestLeaf(key).guid, want, name)
  t.is(ls.closestLeaf(15n, (n) => n.guid === 20n).guid, 10n)
  t.is(ls.closestLeaf(15n, () => true).guid, 0n, 'self is never skipped')
  // Wrap-around tie: key exactly between 2^160 − 2 and 2.
  const wrap = leafSetOf(at(-2), 2, [2, -6])
  t.is(wrap.closestLeaf(0n).guid, 2n)
})

test('leaf set: replicas are the nearest nodes, self included, closest first', (t) => {
  const ls = leafSetOf(0n, 4, [10, 20, 30, -10, -20])
  t.deepEqual(guids(ls.replicas(15n, 3)), [20n, 10n, 30n], '30 and 0 tie; 30 follows the key')
  t.deepEqual(guids(ls.replicas(0n, 3)), [0n, 10n, at(-10)])
  t.deepEqual(guids(ls.replicas(at(-5), 2)), [0n, at(-10)])
  t.is(ls.replicas(1n, 100).length, 6)
  t.deepEqual(ls.replicas(1n, 0), [])
  t.deepEqual(guids(new LeafSet(ni(7n), 4).replicas(1n, 3)), [7n])
})

test('leaf set: random rings against brute force for closestLeaf and replicas', (t) => {
  const rng = new SeededRng('leaf-random')
  for (let trial = 0; trial < 40; trial++) {
    const self = trial % 2 === 0 ? randomId(rng) : at(rng.int(200) - 100)
    const near = (): bigint => at(self + BigInt(rng.int(2000)) - 1000n)
    const ids = Array.from({ length: 3 + rng.int(20) }, () => (rng.int(3) === 0 ? randomId(rng) : near()))
    const ls = new LeafSet(ni(self), 1 + rng.int(5))
    for (const g of ids) ls.add(ni(g))
    const all = [self, ...guids(ls.members())]
    const skipped = new Set(all.filter((g) => g !== self && rng.int(4) === 0))
    for (let q = 0; q < 30; q++) {
      const key = q % 2 === 0 ? near() : randomId(rng)
      const candidates = all.filter((g) => !skipped.has(g))
      const got = ls.closestLeaf(key, (n) => skipped.has(n.guid)).guid
      t.false(skipped.has(got))
      t.true(candidates.every((g) => ringDistance(got, key) <= ringDistance(g, key)), 'nothing closer')
      t.is(ls.replicas(key, 1)[0]!.guid, ls.closestLeaf(key).guid)
      const reps = guids(ls.replicas(key, 3))
      const sorted = all.map((g) => ringDistance(g, key)).sort(cmp).slice(0, 3)
      t.deepEqual(reps.map((g) => ringDistance(g, key)), sorted)
    }
  }
})

// ---------------------------------------------------------------- routing table

const BASES: DigitBase[] = [2, 4, 16, 256]

/** An id sharing exactly `level` digits with `self`, digit `digit` at `level`, then `fill` (or random). */
function idAt (self: bigint, base: DigitBase, level: number, digit: number, rest: number | Rng = 0): bigint {
  const digits = idToDigits(self, base)
  digits[level] = digit
  for (let i = level + 1; i < digits.length; i++) digits[i] = typeof rest === 'number' ? rest : rest.int(base)
  return digitsToId(digits, base)
}

test('routing table: cellOf and fillsHole in bases 2, 4, 16 and 256', (t) => {
  for (const base of BASES) {
    const self = at(0x1234_5678_9abc_def0n << 96n)
    const rt = new RoutingTable(ni(self), base)
    const levels = digitsPerId(base)
    t.is(rt.levels, levels)
    t.is(rt.cellOf(self), null)
    t.false(rt.fillsHole(self))
    const mine = idToDigits(self, base)
    for (const level of [0, 1, Math.floor(levels / 2), levels - 1]) {
      const digit = (mine[level]! + 1) % base
      const g = idAt(self, base, level, digit, base - 1)
      t.deepEqual(rt.cellOf(g), { level, digit }, `base ${base} level ${level}`)
      t.true(rt.fillsHole(g))
      t.deepEqual(rt.add(ni(g), 10), { added: true, replaced: null })
      t.false(rt.fillsHole(idAt(self, base, level, digit, 0)), 'same cell, other node')
      t.is(rt.entry(level, digit)?.neighbor.guid, g)
      t.is(rt.entry(level, mine[level]!), undefined, 'own column holds nothing')
      t.is(rt.highestLevel(), level)
    }
    t.is(rt.size, 4)
    t.deepEqual(rt.add(ni(self), 1), { added: false, replaced: null })
    t.is(rt.size, 4)
  }
})

test('routing table: PNS replaces only strictly below replaceRatio × RTT; refresh; ratio 0', (t) => {
  const self = 0n
  const a = idAt(self, 16, 0, 5, 1)
  const b = idAt(self, 16, 0, 5, 2)
  const c = idAt(self, 16, 0, 5, 3)
  const rt = new RoutingTable(ni(self), 16)
  rt.add(ni(a), 100)
  const boundary = 0.9 * 100
  t.deepEqual(rt.add(ni(b), boundary), { added: false, replaced: null }, 'equal to the ratio: kept')
  t.deepEqual(rt.add(ni(b), 95), { added: false, replaced: null })
  t.is(rt.entry(0, 5)?.neighbor.guid, a)
  const r = rt.add(ni(b), boundary - 0.001)
  t.true(r.added)
  t.is(r.replaced?.guid, a)
  t.false(rt.has(a))
  t.true(rt.has(b))
  t.is(rt.size, 1)
  t.deepEqual(rt.add(ni(b), 500), { added: false, replaced: null }, 'refresh of the same node')
  t.is(rt.entry(0, 5)?.rttMs, 500, 'the RTT is refreshed even upwards')
  t.is(rt.add(ni(c), 449).replaced?.guid, b)
  const noPns = new RoutingTable(ni(self), 16, 0)
  noPns.add(ni(a), 100)
  t.deepEqual(noPns.add(ni(b), 0), { added: false, replaced: null }, 'ratio 0 (ignore_proximity) never replaces')
  t.throws(() => rt.add(ni(c), Number.NaN))
  t.throws(() => new RoutingTable(ni(self), 16, -1))
})

test('routing table: remove, has, rows, highestLevel and neighbors order', (t) => {
  const self = idAt(0n, 4, 0, 2, 1)
  const rt = new RoutingTable(ni(self), 4)
  t.is(rt.highestLevel(), -1)
  const n0 = idAt(self, 4, 0, 0, 3)
  const n1 = idAt(self, 4, 0, 3, 3)
  const n5 = idAt(self, 4, 5, 0, 3)
  const n9 = idAt(self, 4, 9, 3, 0)
  for (const g of [n9, n1, n5, n0]) rt.add(ni(g), 10)
  t.deepEqual(guids(rt.neighbors()), [n0, n1, n5, n9])
  t.deepEqual(guids(rt.row(0).map((e) => e.neighbor)), [n0, n1])
  t.deepEqual(rt.row(1), [])
  t.deepEqual(rt.row(99), [])
  t.is(rt.highestLevel(), 9)
  t.false(rt.remove(idAt(self, 4, 9, 3, 1)), 'another node of the same cell')
  t.false(rt.remove(self))
  t.true(rt.remove(n9))
  t.false(rt.remove(n9))
  t.false(rt.has(n9))
  t.is(rt.highestLevel(), 5)
  t.true(rt.remove(n5))
  t.is(rt.highestLevel(), 0)
  rt.remove(n0)
  rt.remove(n1)
  t.is(rt.highestLevel(), -1)
  t.is(rt.size, 0)
})

test('routing table: nextHop uses the first differing digit; skip; self', (t) => {
  for (const base of BASES) {
    const self = idAt(0n, base, 0, 1, base - 1)
    const rt = new RoutingTable(ni(self), base)
    const hop = idAt(self, base, 3, 0, 0)
    rt.add(ni(hop), 20)
    const key = idAt(self, base, 3, 0, base - 1)
    t.is(rt.nextHop(key)?.guid, hop, `base ${base}`)
    t.is(rt.nextHop(key, (n) => n.guid === hop), undefined)
    t.is(rt.nextHop(idAt(self, base, 2, 0, 0)), undefined, 'hole')
    t.is(rt.nextHop(self), undefined, 'key = self')
    t.true(sharedPrefixLength(hop, key, base) > sharedPrefixLength(self, key, base))
  }
})

/** The obvious implementation: digit arrays and a string-keyed map. */
class NaiveTable {
  readonly cells = new Map<string, { n: NeighborInfo, rtt: number }>()
  constructor (readonly self: bigint, readonly base: DigitBase, readonly ratio: number) {}
  cell (g: bigint): string | null {
    const a = idToDigits(this.self, this.base)
    const b = idToDigits(g, this.base)
    let l = 0
    while (l < a.length && a[l] === b[l]) l++
    return l === a.length ? null : `${l}/${b[l]!}`
  }

  add (n: NeighborInfo, rtt: number): void {
    const c = this.cell(n.guid)
    if (c === null) return
    const old = this.cells.get(c)
    if (old === undefined || old.n.guid === n.guid || rtt < this.ratio * old.rtt) this.cells.set(c, { n, rtt })
  }

  remove (g: bigint): void {
    const c = this.cell(g)
    if (c !== null && this.cells.get(c)?.n.guid === g) this.cells.delete(c)
  }
}

test('routing table: random operations against a brute-force reference, all bases', (t) => {
  for (const base of BASES) {
    const rng = new SeededRng(`rt-${base}`)
    const self = randomId(rng)
    const ratio = base === 4 ? 0 : 0.9
    const rt = new RoutingTable(ni(self), base, ratio)
    const ref = new NaiveTable(self, base, ratio)
    const levels = digitsPerId(base)
    const near = (): bigint => idAt(self, base, rng.int(Math.min(levels, 8)), rng.int(base), rng)
    const pool = Array.from({ length: 80 }, near)
    for (let op = 0; op < 600; op++) {
      const g = pool[rng.int(pool.length)]!
      if (rng.int(10) < 7) {
        const rtt = 1 + rng.int(300)
        const hole = ref.cell(g) !== null && !ref.cells.has(ref.cell(g)!)
        t.is(rt.fillsHole(g), hole)
        rt.add(ni(g), rtt)
        ref.add(ni(g), rtt)
      } else {
        const was = ref.cell(g) !== null && ref.cells.get(ref.cell(g)!)?.n.guid === g
        t.is(rt.remove(g), was)
        ref.remove(g)
      }
    }
    const want = [...ref.cells.entries()]
      .map(([c, e]) => ({ c, g: e.n.guid, rtt: e.rtt }))
      .sort((x, y) => cmp(BigInt(x.c.split('/')[0]!) * 1000n + BigInt(x.c.split('/')[1]!), BigInt(y.c.split('/')[0]!) * 1000n + BigInt(y.c.split('/')[1]!)))
    t.deepEqual(guids(rt.neighbors()), want.map((w) => w.g), `base ${base}`)
    for (const w of want) {
      const [level, digit] = w.c.split('/').map(Number) as [number, number]
      t.is(rt.entry(level, digit)?.rttMs, w.rtt)
      t.true(rt.has(w.g))
    }
    t.is(rt.size, want.length)
    t.is(rt.highestLevel(), Math.max(-1, ...want.map((w) => Number(w.c.split('/')[0]))))
    for (let level = 0; level < levels; level++) {
      t.deepEqual(guids(rt.row(level).map((e) => e.neighbor)), want.filter((w) => w.c.startsWith(`${level}/`)).map((w) => w.g))
    }
    const skip = (n: NeighborInfo): boolean => n.guid % 3n === 0n
    for (let q = 0; q < 300; q++) {
      const key = q % 3 === 0 ? randomId(rng) : near()
      const mine = sharedPrefixLength(self, key, base)
      const better = rt.neighbors().filter((n) => !skip(n) && sharedPrefixLength(n.guid, key, base) > mine)
      const hop = rt.nextHop(key, skip)
      if (hop === undefined) {
        t.deepEqual(better, [], 'no usable entry shares a longer prefix with the key')
      } else {
        t.false(skip(hop))
        t.true(sharedPrefixLength(hop.guid, key, base) > mine, 'the next hop makes prefix progress')
        t.deepEqual(guids(better), [hop.guid], 'it is the only entry that does')
      }
    }
  }
})

test('ring truth: true root by ring distance with wrap-around, true leaf sets on small and large rings', async (t) => {
  const { sortIds, trueLeafSet, trueRoot } = await import('../src/overlay/ring-truth.ts')
  const top = (1n << 160n) - 1n
  const sorted = sortIds([500n, 10n, top - 5n, 300n])
  t.deepEqual(sorted, [10n, 300n, 500n, top - 5n])
  t.is(trueRoot(sorted, 0n), top - 5n, 'across the wrap: 6 away, against 10 away')
  t.is(trueRoot(sorted, 12n), 10n)
  t.is(trueRoot(sorted, top), top - 5n)
  t.is(trueRoot(sorted, 400n), 500n, 'a tie goes to the successor')
  t.deepEqual([...trueLeafSet(sorted, 0, 1)].sort(), [300n, top - 5n].sort())
  t.is(trueLeafSet(sorted, 0, 4).size, 3, 'a ring of four has three others')
})

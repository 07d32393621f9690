import test from 'ava'
import { SeededRng } from '../src/env/rng.ts'
import { diffMaps } from '../src/vd/map-diff.ts'
import type { MapEntry } from '../src/vd/map-entry.ts'
import { BUCKET_MAX, decodeNode, encodeNode, MerkleMap } from '../src/vd/merkle-map.ts'
import { objectIdOf } from '../src/vd/object-id.ts'
import { MemoryObjectStore } from '../src/vd/object-store.ts'

function fileEntry (n: number, version = 0): MapEntry {
  return { kind: 'file', id: objectIdOf(new TextEncoder().encode(`${n}:${version}`)), manifest: false, sizeBytes: n, mode: 0o644, mtimeMs: 1_700_000_000_000 + version }
}

const key = (i: number) => `dir${i % 97}/sub${i % 13}/file-${i}.txt`

test('the map is canonical: the same entries give the same root however they were built', (t) => {
  const map = new MerkleMap(new MemoryObjectStore())
  const entries = Array.from({ length: 500 }, (_, i): [string, MapEntry] => [key(i), fileEntry(i)])
  const built = map.build(entries)
  const reversed = map.build([...entries].reverse())
  t.is(built, reversed)
  let stepwise = map.empty()
  for (let i = 0; i < entries.length; i += 37) stepwise = map.apply(stepwise, entries.slice(i, i + 37).map(([key, entry]) => ({ key, entry })))
  t.is(stepwise, built)
  const withExtra = map.apply(built, Array.from({ length: 200 }, (_, i) => ({ key: `extra/${i}`, entry: fileEntry(i) })))
  t.not(withExtra, built)
  t.is(map.apply(withExtra, Array.from({ length: 200 }, (_, i) => ({ key: `extra/${i}`, entry: null }))), built, 'deleting them again collapses to the same shape')
  t.is(map.count(built), 500)
  t.deepEqual(map.get(built, key(42)), fileEntry(42))
  t.is(map.get(built, 'nope'), undefined)
  t.is(map.apply(built, [{ key: 'nope', entry: null }]), built, 'a no-op change writes nothing new')
})

test('node encoding round-trips and rejects garbage', (t) => {
  const store = new MemoryObjectStore()
  const map = new MerkleMap(store)
  const root = map.build(Array.from({ length: 300 }, (_, i): [string, MapEntry] => [key(i), i % 3 === 0 ? { kind: 'dir', id: null, manifest: false, sizeBytes: 0, mode: 0o755, mtimeMs: i } : fileEntry(i)]))
  for (const id of map.nodeIds(root)) {
    const bytes = store.get(id)
    t.deepEqual(encodeNode(decodeNode(bytes)), bytes)
  }
  t.throws(() => decodeNode(new Uint8Array([1, 2, 3])), { message: /not a map node|truncated/ })
  const bytes = store.get(root)
  t.throws(() => decodeNode(bytes.subarray(0, bytes.length - 3)), { message: /truncated/ })
})

test('random edits agree with a reference Map, and diff reports exactly the differences', (t) => {
  const rng = new SeededRng('map-fuzz')
  const map = new MerkleMap(new MemoryObjectStore())
  const reference = new Map<string, MapEntry>()
  let root = map.empty()
  for (let round = 0; round < 60; round++) {
    const before = new Map(reference)
    const beforeRoot = root
    const changes = new Map<string, MapEntry | null>()
    const n = 1 + rng.int(round % 10 === 0 ? 200 : 12)
    for (let i = 0; i < n; i++) {
      const k = `k/${rng.int(400)}`
      const entry = rng.float() < 0.3 ? null : fileEntry(rng.int(1000), round)
      changes.set(k, entry)
    }
    for (const [k, e] of changes) { if (e === null) reference.delete(k); else reference.set(k, e) }
    root = map.apply(root, [...changes].map(([key, entry]) => ({ key, entry })))
    t.is(map.count(root), reference.size)
    const byKey = (x: [string, MapEntry], y: [string, MapEntry]) => (x[0] < y[0] ? -1 : 1)
    t.deepEqual([...map.entries(root)].sort(byKey), [...reference].sort(byKey))
    t.is(root, map.build(reference), 'canonical after edits')
    const expected = [...new Set([...before.keys(), ...reference.keys()])].sort()
      .filter((k) => JSON.stringify(before.get(k)) !== JSON.stringify(reference.get(k)))
    t.deepEqual(diffMaps(map, beforeRoot, root).map((c) => c.key), expected)
  }
})

test('10 changes in a 100,000-entry map: apply and diff cost grows with the changes, not the size', (t) => {
  const measure = (size: number) => {
    const map = new MerkleMap(new MemoryObjectStore())
    const a = map.build(Array.from({ length: size }, (_, i): [string, MapEntry] => [key(i), fileEntry(i)]))
    const nodes = [...map.nodeIds(a)].length
    map.resetCounters()
    const picks = [5, 17, 2024, 9999, 31337, 50000, 77777, 88888, 99998, 123].map((i) => i % size)
    const changed = picks.map((i) => ({ key: key(i), entry: i === 123 ? null : fileEntry(i, 1) }))
    const b = map.apply(a, [...changed, { key: 'new/file', entry: fileEntry(1, 1) }])
    const applied = map.resetCounters()
    const changes = diffMaps(map, a, b)
    const diffed = map.resetCounters()
    t.deepEqual(changes.map((c) => c.key), [...changed.map((c) => c.key), 'new/file'].sort())
    t.is(changes.find((c) => c.key === key(123))?.after, null)
    const nodesB = [...map.nodeIds(b)].length
    const distinct = new Set([...map.nodeIds(a), ...map.nodeIds(b)]).size
    t.log(`${size} entries, ${nodes} nodes: apply visited ${applied.nodesVisited}, wrote ${applied.nodesWritten}; ` +
      `diff visited ${diffed.nodesVisited} (a full walk of both: ${nodes + nodesB}; distinct nodes of both: ${distinct})`)
    return { nodes, nodesB, applied, diffed }
  }
  const small = measure(1000)
  const big = measure(100_000)
  t.true(big.nodes > 4000, `${big.nodes} nodes`)
  t.true(big.applied.nodesWritten < big.nodes / 100, `apply wrote ${big.applied.nodesWritten} of ${big.nodes}`)
  t.true(big.diffed.nodesVisited < (big.nodes + big.nodesB) / 100, `diff visited ${big.diffed.nodesVisited} of ${big.nodes + big.nodesB}`)
  // 100x the entries adds two trie levels (log16): visits grow about 4x, not 100x.
  t.true(big.diffed.nodesVisited <= 5 * small.diffed.nodesVisited, `diff visits ${small.diffed.nodesVisited} -> ${big.diffed.nodesVisited}`)
  t.true(big.applied.nodesWritten <= 5 * small.applied.nodesWritten, `apply writes ${small.applied.nodesWritten} -> ${big.applied.nodesWritten}`)
  t.true(BUCKET_MAX >= 1)
})

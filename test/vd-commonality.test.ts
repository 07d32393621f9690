import test from 'ava'
import { SeededRng } from '../src/env/rng.ts'
import { CommonalityScan } from '../src/vd/commonality.ts'
import { objectIdOf } from '../src/vd/object-id.ts'
import { MemoryObjectStore } from '../src/vd/object-store.ts'
import { missingObjects, reachableObjects } from '../src/vd/reachable.ts'
import { MemoryVdCatalog } from '../src/vd/vd-catalog.ts'
import { VdRepository } from '../src/vd/vd-repository.ts'

const T0 = 1_700_000_000_000

function world () {
  const store = new MemoryObjectStore()
  const catalog = new MemoryVdCatalog()
  const repo = new VdRepository({ store, catalog, rng: new SeededRng('common') })
  const shared = new SeededRng('shared').bytes(200_000)
  const one = repo.create('one', 'tree', T0)
  one.writeFile('lib/libshared.so', shared, { mtimeMs: T0 })
  one.writeFile('etc/one.conf', new TextEncoder().encode('one'), { mtimeMs: T0 })
  one.snapshot({ timeMs: T0 })
  const two = repo.create('two', 'tree', T0)
  two.writeFile('usr/lib/libshared.so', shared, { mtimeMs: T0 + 5 })
  two.writeFile('etc/two.conf', new TextEncoder().encode('two'), { mtimeMs: T0 })
  two.snapshot({ timeMs: T0 })
  repo.fork('one', { name: 'one-fork', timeMs: T0 })
  const series = () => catalog.list().map((r) => ({ id: r.id, name: r.name, snapshots: r.snapshots }))
  return { store, catalog, repo, shared, series }
}

test('commonality: identical chunks across unrelated VDs are found and counted once; fork families share implicitly', (t) => {
  const { store, shared, series } = world()
  const scan = new CommonalityScan(store, series())
  t.true(scan.step(1_000_000))
  const r = scan.report()
  const byName = Object.fromEntries(r.vds.map((v) => [v.name, v]))
  t.is(byName.one!.family, byName['one-fork']!.family)
  t.not(byName.one!.family, byName.two!.family)
  const sharedBytes = shared.length
  t.true(r.acrossFamilies.bytes >= sharedBytes, `${r.acrossFamilies.bytes} bytes shared across families`)
  t.true(r.acrossFamilies.bytes < sharedBytes + 2000, 'only the shared file\'s chunks (and its manifest)')
  t.is(r.acrossFamilies.savedBytes, r.acrossFamilies.bytes)
  t.is(r.bytes, store.stat().bytes, 'every stored object is referenced')
  t.is(r.objects, store.stat().objects)
  t.is(r.savedBytes, r.referencedBytes - r.bytes)
  t.true(byName['one-fork']!.exclusiveBytes === 0 && byName.one!.exclusiveBytes === 0, 'a fork shares everything with its source')
  t.true(byName.two!.exclusiveBytes > 0)
  t.deepEqual(r.sameContentDifferentChunking, [])
})

test('commonality: bounded steps give the same report; update walks only new snapshots; same file under two chunkings found', (t) => {
  const { store, catalog, repo, shared, series } = world()
  const oneShot = new CommonalityScan(store, series())
  oneShot.step(Infinity)
  const incremental = new CommonalityScan(store, series())
  let steps = 0
  while (!incremental.step(7)) steps++
  t.true(steps > 5, `${steps} steps`)
  t.deepEqual(incremental.report(), oneShot.report())

  const other = new VdRepository({ store, catalog, rng: new SeededRng('other'), chunking: { windowBytes: 48, minBytes: 512, avgBytes: 2048, maxBytes: 16384 } })
  const three = other.create('three', 'tree', T0)
  three.writeFile('opt/libshared.so', shared, { mtimeMs: T0 })
  three.snapshot({ timeMs: T0 })
  incremental.update(series())
  let work = 0
  while (!incremental.step(1)) work++
  t.true(work < 200, `update walked ${work} objects, not the whole host again`)
  const r = incremental.report()
  t.is(r.sameContentDifferentChunking.length, 1)
  t.like(r.sameContentDifferentChunking[0], { contentId: objectIdOf(shared), fileBytes: shared.length, vds: ['one', 'one-fork', 'three', 'two'] })
  t.is(r.sameContentDifferentChunking[0]!.variants.length, 2)
  t.is(repo.open('three').kind, 'tree')
})

test('reachable objects and missing objects of a snapshot', (t) => {
  const { store, repo } = world()
  const snap = repo.resolveSnapshot('two')
  const reached = [...reachableObjects(store, [snap])]
  t.is(reached[0]!.role, 'snapshot')
  t.true(reached.some((r) => r.role === 'manifest' && r.contentId !== undefined))
  t.deepEqual(missingObjects(store, snap), [])
  const chunk = reached.find((r) => r.role === 'chunk')!
  store.delete(chunk.id)
  t.deepEqual(missingObjects(store, snap), [chunk.id])
  const root = repo.snapshot(snap).root
  store.delete(root)
  t.deepEqual(missingObjects(store, snap), [root], 'below a missing node nothing is known yet')
})

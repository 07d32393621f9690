import test from 'ava'
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SeededRng } from '../src/env/rng.ts'
import { BLOCK_BYTES, Chunker, LBFS_CHUNKING } from '../src/vd/chunker.ts'
import { DiskObjectStore } from '../src/vd/disk-object-store.ts'
import { decodeManifest, fileChunks, FileBuilder, MANIFEST_FANOUT, readFileBytes, readFileRange, storeBytes, storeLocalFile } from '../src/vd/file-manifest.ts'
import { exportImage, scanImage } from '../src/vd/image.ts'
import { CorruptObjectError, MissingObjectError, objectIdOf } from '../src/vd/object-id.ts'
import { MemoryObjectStore, putVerified, StagingObjectStore, type ObjectStore } from '../src/vd/object-store.ts'
import { readFileSync } from 'node:fs'

function tmp (t: { teardown: (f: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'xest-vd-store-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

const rng = (seed: string) => new SeededRng(seed)

for (const [label, make] of [['memory', () => new MemoryObjectStore()], ['disk', (dir: string) => new DiskObjectStore(dir)]] as const) {
  test(`${label} store: objects named by SHA-1, stored once, missing ones reported`, (t) => {
    const store: ObjectStore = make(tmp(t))
    const bytes = new TextEncoder().encode('hello object')
    const id = store.put(bytes)
    t.is(id, objectIdOf(bytes))
    t.is(id, '6649b6c4eb1fbcf422abee8b0ad897e42d3371fd', 'sha1sum of the bytes')
    t.true(store.has(id))
    t.deepEqual([...store.get(id)], [...bytes])
    t.is(store.sizeOf(id), bytes.length)
    t.is(store.put(bytes.slice()), id)
    t.like(store.counters, { puts: 2, storedObjects: 1, dedupedObjects: 1, dedupedBytes: bytes.length })
    t.deepEqual([...store.ids()], [id])
    t.deepEqual(store.stat(), { objects: 1, bytes: bytes.length })
    const absent = objectIdOf(new Uint8Array([9]))
    t.false(store.has(absent))
    t.is(store.sizeOf(absent), undefined)
    const error = t.throws(() => store.get(absent), { instanceOf: MissingObjectError })
    t.is(error?.id, absent)
    t.throws(() => putVerified(store, absent, bytes), { instanceOf: CorruptObjectError })
    putVerified(store, absent, new Uint8Array([9]))
    t.true(store.has(absent))
  })
}

test('disk store: fan-out layout, read-only objects, no temporary files left, survives reopening', (t) => {
  const dir = tmp(t)
  const store = new DiskObjectStore(dir, { fsync: true, verify: true })
  const ids = Array.from({ length: 50 }, (_, i) => store.put(new TextEncoder().encode(`object ${i}`)))
  const path = join(dir, 'objects', ids[0]!.slice(0, 2), ids[0]!.slice(2))
  t.is(statSync(path).mode & 0o777, 0o444)
  t.deepEqual(readdirSync(join(dir, 'objects', 'tmp')), [])
  const again = new DiskObjectStore(dir)
  t.deepEqual([...again.ids()].sort(), [...new Set(ids)].sort())
  writeFileSync(join(dir, 'objects', ids[1]!.slice(0, 2), ids[1]!.slice(2)), 'tampered', { mode: 0o644 })
  t.throws(() => store.get(ids[1]!), { instanceOf: CorruptObjectError })
})

test('staging store holds puts until commit; discard writes nothing', (t) => {
  const backing = new MemoryObjectStore()
  const old = backing.put(new Uint8Array([1]))
  const staging = new StagingObjectStore(backing)
  const a = staging.put(new Uint8Array([2]))
  t.true(staging.has(a))
  t.true(staging.has(old))
  t.false(backing.has(a))
  staging.discard()
  t.false(staging.has(a))
  const b = staging.put(new Uint8Array([3]))
  t.is(staging.commit(), 1)
  t.true(backing.has(b))
})

test('chunker: LBFS bounds, mean near 8 KiB, deterministic, fast', (t) => {
  const data = Buffer.from(rng('chunks').bytes(16 << 20))
  const chunker = new Chunker()
  const cpu = process.cpuUsage()
  const ends = chunker.boundaries(data)
  const used = process.cpuUsage(cpu)
  const seconds = (used.user + used.system) / 1e6 // CPU time: the machine is shared, wall time is not ours
  const sizes = ends.map((e, i) => e - (i === 0 ? 0 : ends[i - 1]!))
  t.is(ends.at(-1), data.length)
  for (const s of sizes.slice(0, -1)) t.true(s >= LBFS_CHUNKING.minBytes && s <= LBFS_CHUNKING.maxBytes, `chunk of ${s}`)
  const mean = data.length / sizes.length
  t.true(mean > 7000 && mean < 9500, `mean chunk ${mean}`)
  t.deepEqual(new Chunker().boundaries(data), ends)
  const mbPerS = data.length / 1e6 / seconds
  t.true(mbPerS > 100, `${mbPerS.toFixed(0)} MB/s`)
  t.log(`${sizes.length} chunks, mean ${mean.toFixed(0)} B, ${mbPerS.toFixed(0)} MB/s of CPU time`)
})

test('chunker: maximum enforced on data with no boundary; an insertion changes only nearby chunks', (t) => {
  const zeros = new Uint8Array(300_000)
  const ends = new Chunker().boundaries(zeros)
  t.deepEqual(ends.slice(0, 4), [65536, 131072, 196608, 262144])
  const store = new MemoryObjectStore()
  const data = Buffer.from(rng('edit').bytes(1 << 20))
  const edited = Buffer.concat([data.subarray(0, 500_000), Buffer.from('inserted bytes'), data.subarray(500_000)])
  const ids = (bytes: Uint8Array) => decodeManifest(store.get(storeBytes(store, bytes, new Chunker()).id)).children.map((c) => c.id)
  const a = new Set(ids(data))
  const b = ids(edited)
  const fresh = b.filter((id) => !a.has(id))
  t.true(fresh.length >= 1 && fresh.length <= 2, `${fresh.length} new chunks of ${b.length}`)
})

test('files: streaming a large local file gives the same objects as chunking it in memory; ranges read', (t) => {
  const dir = tmp(t)
  const data = Buffer.from(rng('file').bytes(9 << 20))
  const path = join(dir, 'big')
  writeFileSync(path, data)
  const store = new MemoryObjectStore()
  const a = storeLocalFile(store, path, new Chunker())
  const b = storeBytes(store, data, new Chunker())
  t.deepEqual(a, b)
  t.true(a.manifest)
  t.is(decodeManifest(store.get(a.id)).contentId, objectIdOf(data))
  t.true(Buffer.from(readFileBytes(store, a)).equals(data))
  for (const [offset, length] of [[0, 10], [123_456, 70_000], [data.length - 5, 100], [data.length, 1]] as const) {
    t.true(Buffer.from(readFileRange(store, a, offset, length)).equals(data.subarray(offset, offset + length)), `range ${offset}+${length}`)
  }
  const small = storeBytes(store, Buffer.from('tiny'), new Chunker())
  t.false(small.manifest)
  t.is(small.id, objectIdOf(Buffer.from('tiny')))
  const empty = storeBytes(store, new Uint8Array(0), new Chunker())
  t.is(empty.sizeBytes, 0)
  t.is(readFileBytes(store, empty).length, 0)
})

test('files: more chunks than one manifest holds make a manifest tree', (t) => {
  const store = new MemoryObjectStore()
  const builder = new FileBuilder(store)
  const parts: Buffer[] = []
  for (let i = 0; i < MANIFEST_FANOUT * 2 + 5; i++) {
    const chunk = Buffer.from(`chunk ${i};`)
    parts.push(chunk)
    builder.add(chunk)
  }
  const file = builder.finish()
  const top = decodeManifest(store.get(file.id))
  t.is(top.depth, 1)
  t.is(top.children.length, 3)
  const whole = Buffer.concat(parts)
  t.true(Buffer.concat([...fileChunks(store, file)]).equals(whole))
  t.true(Buffer.from(readFileRange(store, file, 30_000, 50)).equals(whole.subarray(30_000, 30_050)))
})

test('disk images: fixed 4 KiB blocks, zero blocks are holes, export reproduces the bytes', (t) => {
  const dir = tmp(t)
  const image = Buffer.alloc(BLOCK_BYTES * 10 + 100)
  Buffer.from(rng('img').bytes(BLOCK_BYTES)).copy(image, BLOCK_BYTES * 2)
  Buffer.from(rng('img').bytes(BLOCK_BYTES)).copy(image, BLOCK_BYTES * 7)
  image.fill(7, BLOCK_BYTES * 10)
  const path = join(dir, 'disk.img')
  writeFileSync(path, image)
  const store = new MemoryObjectStore()
  const { entries, stats } = scanImage(store, path)
  t.deepEqual(stats, { imageSizeBytes: image.length, blocks: 11, zeroBlocks: 8 })
  t.deepEqual(entries.map(([k]) => k), ['2', '7', '10'])
  t.is(store.stat().objects, 2, 'blocks 2 and 7 are the same bytes, stored once')
  const out = join(dir, 'out.img')
  exportImage(store, entries, stats.imageSizeBytes, out)
  t.true(readFileSync(out).equals(image))
})

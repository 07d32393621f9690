import test from 'ava'
import { execFileSync } from 'node:child_process'
import { chmodSync, cpSync, lstatSync, lutimesSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SeededRng } from '../src/env/rng.ts'
import { BLOCK_BYTES } from '../src/vd/chunker.ts'
import { MemoryObjectStore } from '../src/vd/object-store.ts'
import { MemoryVdCatalog } from '../src/vd/vd-catalog.ts'
import { VdRepository } from '../src/vd/vd-repository.ts'

const T0 = 1_700_000_000_000

function tmp (t: { teardown: (f: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'xest-vd-tree-'))
  t.teardown(() => {
    execFileSync('chmod', ['-R', 'u+rwx', dir])
    rmSync(dir, { recursive: true, force: true })
  })
  return dir
}

/** A tree with nested and empty dirs, empty and multi-chunk files, symlinks, odd modes and names, fixed mtimes. */
function makeTree (root: string, seed = 'tree'): void {
  const rng = new SeededRng(seed)
  const file = (rel: string, bytes: Uint8Array | string, mode = 0o644) => {
    writeFileSync(join(root, rel), bytes)
    chmodSync(join(root, rel), mode)
  }
  mkdirSync(join(root, 'a/b/c'), { recursive: true })
  mkdirSync(join(root, 'empty-dir'))
  mkdirSync(join(root, 'locked'))
  file('a/b/c/deep.txt', 'deep\n')
  file('a/hello.txt', 'hello world\n')
  file('empty', '', 0o600)
  file('run.sh', '#!/bin/sh\necho hi\n', 0o755)
  file('readonly.txt', 'ro', 0o444)
  file('a/b/medium.bin', rng.bytes(300_000))
  file('a/big.bin', rng.bytes(5_500_000))
  file('ünïcødé name.txt', 'unicode\n')
  file('locked/inside.txt', 'x')
  symlinkSync('../hello.txt', join(root, 'a/b/link-to-hello'))
  symlinkSync('a/b', join(root, 'dir-link'))
  symlinkSync('does/not/exist', join(root, 'dangling'))
  symlinkSync('/etc/hostname', join(root, 'absolute'))
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel))) {
      const r = rel === '' ? name : `${rel}/${name}`
      const st = lstatSync(join(root, r))
      if (st.isDirectory()) walk(r)
      if (st.isSymbolicLink()) lutimesSync(join(root, r), (T0 + 1000) / 1000, (T0 + 1000) / 1000)
      else utimesSync(join(root, r), (T0 + 2000) / 1000, (T0 + 2000 + r.length) / 1000)
    }
  }
  walk('')
  chmodSync(join(root, 'empty-dir'), 0o700)
  chmodSync(join(root, 'locked'), 0o555)
}

/** Every entry's type, permission bits, size, mtime (ms), content or link target. */
function describeTree (root: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const r = rel === '' ? name : `${rel}/${name}`
      const path = join(root, r)
      const st = lstatSync(path)
      const mtime = Math.round(st.mtimeMs)
      if (st.isSymbolicLink()) out[r] = `link ${readlinkSync(path)} ${mtime}`
      else if (st.isDirectory()) {
        out[r] = `dir ${(st.mode & 0o7777).toString(8)} ${mtime}`
        walk(r)
      } else out[r] = `file ${(st.mode & 0o7777).toString(8)} ${st.size} ${mtime} ${readFileSync(path).toString('base64').slice(0, 64)}:${readFileSync(path).length}`
    }
  }
  walk('')
  return out
}

function repository (dir: string, seed = 'repo'): VdRepository {
  return VdRepository.openDir(dir, new SeededRng(seed))
}

test('import a tree, export it: bytes, modes, symlinks and mtimes identical (and diff -r agrees)', (t) => {
  const dir = tmp(t)
  const src = join(dir, 'src')
  mkdirSync(src)
  makeTree(src)
  const repo = repository(join(dir, 'store'))
  const r = repo.importTree(src, { name: 'web', timeMs: T0 })
  t.like(r.tree, { files: 9, dirs: 5, symlinks: 4, skipped: [] })
  t.true(r.tree!.chunks > 600, `${r.tree!.chunks} chunks`)
  const out = join(dir, 'out')
  const stats = repo.export('web', out)
  t.like(stats, { files: 9, dirs: 5, symlinks: 4 })
  t.deepEqual(describeTree(out), describeTree(src))
  t.is(execFileSync('diff', ['-r', '--no-dereference', src, out]).toString(), '')
  t.throws(() => repo.export('web', out), { message: /not empty/ })
})

test('same inputs and seed give the same VD and snapshot ids; another seed only another VD id', (t) => {
  const dir = tmp(t)
  const src = join(dir, 'src')
  mkdirSync(src)
  makeTree(src)
  const ids = (storeName: string, seed: string) => {
    const repo = repository(join(dir, storeName), seed)
    const r = repo.importTree(src, { name: 'web', timeMs: T0, message: 'm' })
    const vd = r.vd
    vd.writeFile('etc/new', new TextEncoder().encode('new'), { mtimeMs: T0 + 5 })
    const s2 = vd.snapshot({ timeMs: T0 + 10, message: 'second' })
    return { vd: vd.id, s1: r.snapshotId, s2: s2.snapshotId, root: repo.snapshot(r.snapshotId).root }
  }
  const a = ids('s1', 'seed-1')
  const b = ids('s2', 'seed-1')
  const c = ids('s3', 'seed-2')
  t.deepEqual(a, b)
  t.not(c.vd, a.vd)
  t.not(c.s1, a.s1)
  t.is(c.root, a.root)
})

test('head: write, mkdir -p, symlink, remove, snapshot, log, diff, read; records survive reopening', (t) => {
  const dir = tmp(t)
  const store = join(dir, 'store')
  let repo = repository(store)
  const vd = repo.create('scratch', 'tree', T0)
  const enc = (s: string) => new TextEncoder().encode(s)
  vd.writeFile('/etc//app/conf.ini', enc('a=1\n'), { mtimeMs: T0, mode: 0o600 })
  t.is(vd.stat('etc')?.kind, 'dir')
  t.is(vd.stat('etc/app')?.kind, 'dir')
  vd.symlink('etc/current', 'app/conf.ini', { mtimeMs: T0 })
  vd.mkdir('var/log', { mtimeMs: T0 })
  t.throws(() => vd.writeFile('etc/app/conf.ini/x', enc('x'), { mtimeMs: T0 }), { message: /not a directory/ })
  t.throws(() => vd.writeFile('etc', enc('x'), { mtimeMs: T0 }), { message: /is a directory/ })
  t.throws(() => vd.mkdir('etc/app/conf.ini', { mtimeMs: T0 }), { message: /exists and is not a directory/ })
  t.throws(() => vd.writeFile('../escape', enc('x'), { mtimeMs: T0 }), { message: /"\.\." component/ })
  const s1 = vd.snapshot({ timeMs: T0 + 1, message: 'first' })
  t.true(s1.created)
  t.false(vd.snapshot({ timeMs: T0 + 2 }).created, 'nothing staged: no new snapshot')
  const big = new SeededRng('big').bytes(200_000)
  vd.writeFile('var/log/big.log', big, { mtimeMs: T0 + 3 })
  t.throws(() => vd.remove('etc'), { message: /not empty/ })
  t.is(vd.remove('etc', { recursive: true }), 4)
  vd.save()
  const reopenedRepo = repository(store)
  const reopened = reopenedRepo.open('scratch')
  t.not(reopened, vd)
  t.is(reopenedRepo.open('scratch'), reopened, 'one live head per VD in a repository')
  t.is(reopened.stagedCount, vd.stagedCount)
  const s2 = reopened.snapshot({ timeMs: T0 + 4, message: 'second' })
  t.is(repo.log('scratch').length, 1, 'another repository (process) on the same store sees it only after reopening')
  repo = repository(store)
  t.deepEqual(repo.log('scratch').map((l) => l.record.message), ['second', 'first'])
  t.deepEqual(repo.log('scratch').map((l) => l.id), [s2.snapshotId, s1.snapshotId])
  const d = repo.diff('scratch~1', 'scratch')
  t.deepEqual(d.changes.map((c) => [c.key, c.before === null ? 'A' : c.after === null ? 'D' : 'M']),
    [['etc', 'D'], ['etc/app', 'D'], ['etc/app/conf.ini', 'D'], ['etc/current', 'D'], ['var/log/big.log', 'A']])
  t.true(Buffer.from(repo.readFile('scratch', 'var/log/big.log')).equals(Buffer.from(big)))
  t.true(Buffer.from(reopened.readRange('var/log/big.log', 100_000, 10)).equals(Buffer.from(big.subarray(100_000, 100_010))))
  t.is(new TextDecoder().decode(repo.readFile('scratch~1', 'etc/app/conf.ini')), 'a=1\n')
  t.deepEqual(reopened.list('var').map(([k]) => k), ['var/log', 'var/log/big.log'])
  t.is(repo.resolveSnapshot(s1.snapshotId.slice(0, 10)), s1.snapshotId)
  t.throws(() => repo.resolveSnapshot('scratch~5'), { message: /only 2 snapshots/ })
  t.throws(() => repo.create('scratch', 'tree', T0), { message: /already exists/ })
})

test('fork copies no data; the fork and its source then evolve independently', (t) => {
  const repo = new VdRepository({ store: new MemoryObjectStore(), catalog: new MemoryVdCatalog(), rng: new SeededRng('fork') })
  const vd = repo.create('base', 'tree', T0)
  for (let i = 0; i < 50; i++) vd.writeFile(`f/${i}`, new TextEncoder().encode(`file ${i}`), { mtimeMs: T0 })
  const s = vd.snapshot({ timeMs: T0 })
  const before = repo.store.stat()
  const puts = repo.store.counters.puts
  const fork = repo.fork('base', { name: 'child', timeMs: T0 + 1 })
  t.deepEqual(repo.store.stat(), before)
  t.is(repo.store.counters.puts, puts)
  t.is(fork.base, s.snapshotId)
  fork.writeFile('f/0', new TextEncoder().encode('changed'), { mtimeMs: T0 + 2 })
  fork.snapshot({ timeMs: T0 + 3 })
  t.is(new TextDecoder().decode(repo.readFile('base', 'f/0')), 'file 0')
  t.is(new TextDecoder().decode(repo.readFile('child', 'f/0')), 'changed')
  t.deepEqual(repo.log('child').map((l) => l.record.vdId), [fork.id, vd.id])
})

test('a second, similar tree stores only what differs', (t) => {
  const dir = tmp(t)
  const src = join(dir, 'src')
  mkdirSync(src)
  makeTree(src)
  const copy = join(dir, 'copy')
  cpSync(src, copy, { recursive: true, verbatimSymlinks: true })
  const big = readFileSync(join(copy, 'a/big.bin'))
  big.write('patched in the middle', 2_000_000)
  writeFileSync(join(copy, 'a/big.bin'), big)
  writeFileSync(join(copy, 'added.txt'), 'new file\n')
  const repo = repository(join(dir, 'store'))
  repo.importTree(src, { name: 'one', timeMs: T0 })
  const second = repo.importTree(copy, { name: 'two', timeMs: T0 })
  const ratio = second.objects.storedBytes / second.tree!.logicalBytes
  t.true(ratio < 0.02, `second import stored ${second.objects.storedBytes} of ${second.tree!.logicalBytes} bytes`)
  t.true(second.objects.dedupedObjects > 600)
})

test('image VDs: import, write blocks at the head, snapshot, export', (t) => {
  const dir = tmp(t)
  const image = Buffer.alloc(BLOCK_BYTES * 6 + 10)
  Buffer.from(new SeededRng('img').bytes(BLOCK_BYTES)).copy(image, BLOCK_BYTES)
  writeFileSync(join(dir, 'disk.img'), image)
  const repo = repository(join(dir, 'store'))
  const r = repo.importImage(join(dir, 'disk.img'), { name: 'disk', timeMs: T0 })
  t.like(r.image, { blocks: 7, zeroBlocks: 6 })
  repo.export('disk', join(dir, 'out0.img'))
  t.true(readFileSync(join(dir, 'out0.img')).equals(image))
  const vd = r.vd
  const block = Buffer.alloc(BLOCK_BYTES, 9)
  vd.writeBlock(8, block)
  vd.writeBlock(1, new Uint8Array(BLOCK_BYTES))
  vd.snapshot({ timeMs: T0 + 1 })
  const expected = Buffer.concat([image, Buffer.alloc(BLOCK_BYTES * 8 - image.length), block])
  expected.fill(0, BLOCK_BYTES, BLOCK_BYTES * 2)
  repo.export('disk', join(dir, 'out1.img'))
  t.true(readFileSync(join(dir, 'out1.img')).equals(expected))
  t.throws(() => vd.writeFile('x', new Uint8Array(1), { mtimeMs: T0 }), { message: /disk image/ })
})

/**
 * Read-only views and FUSE mounts of VDs. Unit tests of VdFilesystem (no FUSE): attributes,
 * listings, reads at any offset across chunk and manifest boundaries loading only the chunks
 * that overlap, errno errors, head versus snapshot views, image VDs. Then real FUSE mounts (when
 * /dev/fuse and the @cocalc/fuse-native addon are here; otherwise the clear error is asserted and
 * logged): a generated tree imported into a temp store, its head and an older snapshot mounted
 * side by side and checked with child processes (diff -r, find, cat, dd, readlink, ls) — never
 * synchronous fs calls on a mount from this process, which serves it; writes refused; the CLI
 * mounts until SIGTERM; a stale mount left by a killed server is cleaned up.
 */
import test from 'ava'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, cpSync, lutimesSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { SeededRng } from '../src/env/rng.ts'
import { FsError } from '../src/mount/fs-errors.ts'
import { forceUnmount, fuseAvailability, FuseUnavailableError, loadFuse, mountFilesystem, mountPoints, type FuseMount } from '../src/mount/fuse-mount.ts'
import { parseMountRef, resolveMountTarget } from '../src/mount/mount-source.ts'
import { IMAGE_FILE_NAME, VdFilesystem, type LoadObject } from '../src/mount/vd-filesystem.ts'
import { decodeManifest } from '../src/vd/file-manifest.ts'
import { MemoryObjectStore } from '../src/vd/object-store.ts'
import { MemoryVdCatalog } from '../src/vd/vd-catalog.ts'
import { VdRepository } from '../src/vd/vd-repository.ts'

const run = promisify(execFile)
const bin = fileURLToPath(new URL('../bin/xest.js', import.meta.url))
const srcDir = fileURLToPath(new URL('../src/', import.meta.url))
const T0_S = 1_700_000_000
const SMALL_CHUNKS = { windowBytes: 16, minBytes: 64, avgBytes: 256, maxBytes: 1024 }
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)
const UNAVAILABLE = /^FUSE is not available here: .+; install libfuse-dev \(Debian\) and reinstall so the optional @cocalc\/fuse-native builds$/

function tmp (t: { teardown: (f: () => void | Promise<void>) => void }, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `xest-${name}-`))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A tree: nested and empty dirs, empty and multi-chunk files, a symlink, odd modes and names, whole-second mtimes. */
function makeTree (root: string, bigBytes: number): void {
  const rng = new SeededRng('mount-tree')
  const file = (rel: string, bytes: Uint8Array | string, mode = 0o644) => {
    writeFileSync(join(root, rel), bytes)
    chmodSync(join(root, rel), mode)
  }
  for (const d of ['a/b/c', 'empty-dir', 'locked', 'x']) mkdirSync(join(root, d), { recursive: true })
  file('a/b/c/deep.txt', 'deep\n')
  file('a/hello.txt', 'hello world\n')
  file('empty', '', 0o600)
  file('run.sh', '#!/bin/sh\necho hi\n', 0o755)
  file('readonly.txt', 'ro', 0o444)
  file('a/b/medium.bin', rng.bytes(200_000), 0o640)
  file('a/big.bin', rng.bytes(bigBytes))
  file('ünïcødé name.txt', 'unicode\n')
  file('locked/secret', 'hidden', 0o400)
  symlinkSync('a/hello.txt', join(root, 'link'))
  lutimesSync(join(root, 'link'), T0_S + 300, T0_S + 300)
  const stamp = (rel: string, i: number) => utimesSync(join(root, rel), T0_S + i, T0_S + i)
  ;['a/b/c/deep.txt', 'a/hello.txt', 'empty', 'run.sh', 'readonly.txt', 'a/b/medium.bin', 'a/big.bin', 'ünïcødé name.txt', 'locked/secret'].forEach((f, i) => stamp(f, 10 + i))
  ;['a/b/c', 'a/b', 'a', 'empty-dir', 'x'].forEach((d, i) => stamp(d, 100 + i))
  chmodSync(join(root, 'x'), 0o711)
  stamp('locked', 200)
  chmodSync(join(root, 'locked'), 0o700)
}

function memoryRepo (chunking = SMALL_CHUNKS): VdRepository {
  return new VdRepository({ store: new MemoryObjectStore(), catalog: new MemoryVdCatalog(), rng: new SeededRng('mount-ids'), chunking })
}

function counting (repo: VdRepository): { load: LoadObject, loaded: string[] } {
  const loaded: string[] = []
  return { loaded, load: async (id) => { loaded.push(id); return repo.store.get(id) } }
}

async function viewOf (repo: VdRepository, ref: string, load: LoadObject): Promise<VdFilesystem> {
  const { vd, snapshot } = parseMountRef(repo, ref)
  return await VdFilesystem.build((await resolveMountTarget(repo, vd, snapshot, load)).source, { loadObject: load, uid: 1000, gid: 100 })
}

async function errorCode (t: { fail: (m: string) => void }, work: () => Promise<unknown>): Promise<string> {
  try {
    await work()
  } catch (error) {
    if (error instanceof FsError) return error.code
    t.fail(`not an FsError: ${String(error)}`)
    return ''
  }
  return 'no error'
}

test('vd-filesystem: getattr, readdir and readlink show the snapshot\'s tree with stored modes, sizes and mtimes', async (t) => {
  const dir = tmp(t, 'mount-unit')
  makeTree(dir, 50_000)
  const repo = memoryRepo()
  repo.importTree(dir, { name: 'web', timeMs: 1_000 })
  const fs = await viewOf(repo, 'web', counting(repo).load)
  t.deepEqual(await fs.readdir('/'), ['a', 'empty', 'empty-dir', 'link', 'locked', 'readonly.txt', 'run.sh', 'x', 'ünïcødé name.txt'])
  t.deepEqual(await fs.readdir('/a'), ['b', 'big.bin', 'hello.txt'])
  t.deepEqual(await fs.readdir('/empty-dir'), [])
  const root = await fs.getattr('/')
  t.is(root.mode, 0o040555)
  t.is(root.nlink, 2 + 4, 'a, empty-dir, locked, x')
  t.is(root.mtimeMs, 1_000, 'the root has the snapshot\'s time')
  const big = await fs.getattr('/a/big.bin')
  t.deepEqual([big.mode, big.sizeBytes, big.mtimeMs, big.uid, big.gid, big.blocks], [0o100644, 50_000, (T0_S + 16) * 1000, 1000, 100, Math.ceil(50_000 / 512)])
  t.is((await fs.getattr('/x')).mode, 0o040711)
  t.is((await fs.getattr('/locked')).mode, 0o040700)
  t.is((await fs.getattr('/empty')).mode, 0o100600)
  t.is((await fs.getattr('/empty')).sizeBytes, 0)
  t.is((await fs.getattr('/run.sh')).mode, 0o100755)
  t.is((await fs.getattr('/link')).mode & 0o170000, 0o120000)
  t.is(await fs.readlink('/link'), 'a/hello.txt')
  t.is(Buffer.from(await fs.readFile('/ünïcødé name.txt')).toString(), 'unicode\n')
  t.is((await fs.readFile('/empty')).length, 0)
  t.is(fs.statfs().files, 1 + fs.stats.entries)
})

test('vd-filesystem: reads at any offset equal the file, across chunk and manifest boundaries, loading only the chunks that overlap', async (t) => {
  const repo = memoryRepo()
  const bytes = new SeededRng('big').bytes(700_000)
  const vd = repo.create('big', 'tree', 0)
  const entry = vd.writeFile('big.bin', bytes, { mtimeMs: 5 })
  vd.writeFile('one.txt', utf8('one chunk'), { mtimeMs: 5 })
  vd.snapshot({ timeMs: 6 })
  t.true(entry.manifest)
  const top = decodeManifest(repo.store.get(entry.id!))
  t.is(top.depth, 1, 'more than 2048 chunks: a tree of manifests')
  const { load, loaded } = counting(repo)
  const fs = await viewOf(repo, 'big', load)
  const fd = await fs.open('/big.bin')
  const rng = new SeededRng('offsets')
  for (let i = 0; i < 300; i++) {
    const offset = rng.int(bytes.length + 100)
    const length = rng.int(i % 10 === 0 ? 200_000 : 5000) + 1
    const got = await fs.read(fd, offset, length)
    t.true(Buffer.from(bytes.subarray(offset, offset + length)).equals(got), `read ${length} at ${offset}`)
  }
  t.is((await fs.read(fd, bytes.length, 10)).length, 0, 'at the end: nothing')
  t.is((await fs.read(fd, bytes.length - 3, 10)).length, 3, 'near the end: what is left')
  fs.release(fd)
  t.is(fs.openHandles, 0)

  const cold = await viewOf(repo, 'big', load)
  loaded.length = 0
  const sub = decodeManifest(repo.store.get(top.children[1]!.id))
  const boundary = top.children[0]!.sizeBytes + sub.children[0]!.sizeBytes
  const coldFd = await cold.open('/big.bin')
  const got = await cold.read(coldFd, boundary - 50, 100)
  t.true(Buffer.from(bytes.subarray(boundary - 50, boundary + 50)).equals(got))
  t.deepEqual(loaded, [entry.id, top.children[1]!.id, sub.children[0]!.id, sub.children[1]!.id], 'top manifest, one sub-manifest, the two chunks around the boundary')
  t.true(top.children.length > 1 && sub.children.length > 100)
})

test('vd-filesystem: errors are errno codes (ENOENT, ENOTDIR, EISDIR, EROFS, EBADF, EIO when an object cannot be loaded), never crashes', async (t) => {
  const dir = tmp(t, 'mount-err')
  makeTree(dir, 20_000)
  const repo = memoryRepo()
  repo.importTree(dir, { name: 'web', timeMs: 0 })
  let failing: string | null = null
  const load: LoadObject = async (id) => {
    if (id === failing) throw new Error('the previous writer is gone')
    return repo.store.get(id)
  }
  const fs = await viewOf(repo, 'web', load)
  t.is(await errorCode(t, async () => await fs.getattr('/nope')), 'ENOENT')
  t.is(await errorCode(t, async () => await fs.getattr('/a/nope/deeper')), 'ENOENT')
  t.is(await errorCode(t, async () => await fs.getattr('/a/hello.txt/x')), 'ENOTDIR')
  t.is(await errorCode(t, async () => await fs.readdir('/a/hello.txt')), 'ENOTDIR')
  t.is(await errorCode(t, async () => await fs.open('/a')), 'EISDIR')
  t.is(await errorCode(t, async () => await fs.open('/a/hello.txt', 1)), 'EROFS', 'O_WRONLY')
  t.is(await errorCode(t, async () => await fs.open('/a/hello.txt', 0o1000)), 'EROFS', 'O_TRUNC')
  t.is(await errorCode(t, async () => fs.refuseWrite('unlink', '/a/hello.txt')), 'EROFS')
  t.is(await errorCode(t, async () => await fs.read(999, 0, 10)), 'EBADF')
  t.is(await errorCode(t, async () => await fs.readlink('/a/hello.txt')), 'EINVAL')
  failing = repo.map.get(repo.snapshot(repo.resolveSnapshot('web')).root, 'a/big.bin')!.id!
  const fd = await fs.open('/a/big.bin')
  t.is(await errorCode(t, async () => await fs.read(fd, 0, 4096)), 'EIO')
  t.is(fs.stats.loadFailures, 1)
  failing = null
  t.is((await fs.read(fd, 0, 4096)).length, 4096, 'the same read works once the object can be had')
  t.is(Buffer.from(await fs.readFile('/a/hello.txt')).toString(), 'hello world\n')
  const root = repo.snapshot(repo.resolveSnapshot('web')).root
  failing = root
  const error = await t.throwsAsync(async () => await viewOf(repo, 'web', load))
  t.regex(error!.message, new RegExp(`cannot read map node ${root}`))
})

test('vd-filesystem: a head view includes staged changes (frozen when built); VD@SNAPSHOT, VD@~K and VD~K name older snapshots', async (t) => {
  const repo = memoryRepo()
  const vd = repo.create('web', 'tree', 0)
  vd.writeFile('etc/motd', utf8('v1'), { mtimeMs: 1 })
  vd.writeFile('gone.txt', utf8('bye'), { mtimeMs: 1 })
  const s1 = vd.snapshot({ timeMs: 10 }).snapshotId
  vd.writeFile('etc/motd', utf8('v2'), { mtimeMs: 2 })
  vd.remove('gone.txt')
  const s2 = vd.snapshot({ timeMs: 20 }).snapshotId
  vd.writeFile('etc/motd', utf8('staged'), { mtimeMs: 3 })
  vd.writeFile('new/file.txt', utf8('new'), { mtimeMs: 3 })
  const load = counting(repo).load
  const text = async (fs: VdFilesystem, path: string) => Buffer.from(await fs.readFile(path)).toString()
  const head = await viewOf(repo, 'web', load)
  t.is(await text(head, '/etc/motd'), 'staged')
  t.is(await text(head, '/new/file.txt'), 'new')
  t.deepEqual(await head.readdir('/'), ['etc', 'new'])
  vd.writeFile('etc/motd', utf8('later'), { mtimeMs: 4 })
  t.is(await text(head, '/etc/motd'), 'staged', 'a view does not follow later writes')
  for (const ref of ['web@~1', 'web~1', `web@${s1}`, `web@${s1.slice(0, 8)}`]) {
    const old = await viewOf(repo, ref, load)
    t.is(await text(old, '/etc/motd'), 'v1', ref)
    t.is(await text(old, '/gone.txt'), 'bye', ref)
  }
  const latest = await viewOf(repo, 'web@~0', load)
  t.is(await text(latest, '/etc/motd'), 'v2')
  t.is((await latest.getattr('/')).mtimeMs, 20)
  const target = await resolveMountTarget(repo, 'web', null, load)
  t.deepEqual([target.head, target.snapshot, target.staged], [true, s2, 3])
  await t.throwsAsync(async () => await resolveMountTarget(repo, 'web', '~5', load), { message: /goes back too far/ })
  await t.throwsAsync(async () => await resolveMountTarget(repo, 'web', 'latest!', load), { message: /names no snapshot/ })
  await t.throwsAsync(async () => await resolveMountTarget(repo, 'nope', null, load), { message: /no VD named "nope"/ })
})

test('vd-filesystem: an image VD is one file, disk.img; holes read as zeros', async (t) => {
  const dir = tmp(t, 'mount-img')
  const image = Buffer.alloc(5 * 4096 + 100)
  new SeededRng('img').bytes(4096).forEach((b, i) => { image[i] = b })
  image.fill(7, 3 * 4096, 3 * 4096 + 10)
  image.fill(9, 5 * 4096, 5 * 4096 + 100)
  writeFileSync(join(dir, 'disk.img'), image)
  const repo = memoryRepo()
  repo.importImage(join(dir, 'disk.img'), { name: 'db', timeMs: 5 })
  const fs = await viewOf(repo, 'db', counting(repo).load)
  t.deepEqual(await fs.readdir('/'), [IMAGE_FILE_NAME])
  t.is((await fs.getattr(`/${IMAGE_FILE_NAME}`)).sizeBytes, image.length)
  t.true(image.equals(await fs.readFile(`/${IMAGE_FILE_NAME}`)))
  const fd = await fs.open(`/${IMAGE_FILE_NAME}`)
  t.true(image.subarray(4000, 3 * 4096 + 20).equals(await fs.read(fd, 4000, 3 * 4096 + 20 - 4000)))
})

test('fuse-mount: without a FUSE device (or addon) a mount fails with one clear error', async (t) => {
  const dir = tmp(t, 'mount-nofuse')
  const devicePath = join(dir, 'no-such-fuse')
  const error = await t.throwsAsync(async () => await loadFuse({ devicePath }), { instanceOf: FuseUnavailableError })
  t.regex(error!.message, UNAVAILABLE)
  t.regex(error!.message, /no-such-fuse is missing or not usable \(ENOENT\)/)
  const repo = memoryRepo()
  repo.create('empty', 'tree', 0)
  const fs = await viewOf(repo, 'empty', counting(repo).load)
  t.deepEqual(await fs.readdir('/'), [])
  await t.throwsAsync(async () => await mountFilesystem(join(dir, 'missing-mountpoint'), fs, { devicePath }), { message: UNAVAILABLE })
})

// ---- real FUSE mounts ----

interface Fixture { root: string, store: string, v1: string, v2: string, repo: VdRepository, s1: string, mounts: FuseMount[] }

/** v1: the imported tree; v2: v1 after the changes snapshotted as the VD's second snapshot. */
function fixture (t: { teardown: (f: () => void | Promise<void>) => void }): Fixture {
  const root = mkdtempSync(join(tmpdir(), 'xest-mount-fuse-'))
  const mounts: FuseMount[] = []
  t.teardown(async () => {
    for (const m of mounts) await m.unmount().catch(() => {})
    for (const path of (await mountPoints()).keys()) if (path.startsWith(root + '/')) await forceUnmount(path).catch(() => {})
    rmSync(root, { recursive: true, force: true })
  })
  const v1 = join(root, 'v1')
  mkdirSync(v1)
  makeTree(v1, 3_000_000)
  const store = join(root, 'store')
  const repo = VdRepository.openDir(store, new SeededRng('fuse-ids'))
  const s1 = repo.importTree(v1, { name: 'web', timeMs: T0_S * 1000 }).snapshotId
  const vd = repo.open('web')
  vd.writeFile('a/hello.txt', utf8('changed\n'), { mode: 0o644, mtimeMs: (T0_S + 500) * 1000 })
  vd.writeFile('added.txt', utf8('added\n'), { mode: 0o600, mtimeMs: (T0_S + 501) * 1000 })
  vd.remove('run.sh')
  vd.snapshot({ timeMs: (T0_S + 600) * 1000 })
  const v2 = join(root, 'v2')
  cpSync(v1, v2, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true })
  writeFileSync(join(v2, 'a/hello.txt'), 'changed\n')
  writeFileSync(join(v2, 'added.txt'), 'added\n', { mode: 0o600 })
  rmSync(join(v2, 'run.sh'))
  for (const m of ['m-head', 'm-old', 'm-cli', 'm-stale', 'full']) mkdirSync(join(root, m))
  writeFileSync(join(root, 'full/x'), 'x')
  writeFileSync(join(root, 'a-file'), 'x')
  return { root, store, v1, v2, repo, s1, mounts }
}

async function mountRef (f: Fixture, ref: string, mountpoint: string, options: { autoUnmount?: boolean } = {}): Promise<FuseMount> {
  const load: LoadObject = async (id) => f.repo.store.get(id)
  const fs = await viewOf(f.repo, ref, load)
  const handle = await mountFilesystem(mountpoint, fs, { label: `xest:${ref}`, ...options })
  f.mounts.push(handle)
  return handle
}

/** `find` listing: type, mode, size (not of directories: file systems differ) and mtime of every entry. */
async function listing (dir: string, times: boolean): Promise<string> {
  const { stdout } = await run('find', [dir, '-mindepth', '1', '-printf', times ? '%y %m %s %T@ %P\\n' : '%y %m %s %P\\n'], { encoding: 'utf8' })
  return stdout.split('\n').filter(Boolean).map((line) => line.replace(/^d (\d+) \d+ /, 'd $1 - ')).sort().join('\n')
}

async function failure (file: string, args: string[]): Promise<string> {
  try {
    await run(file, args, { encoding: 'utf8' })
    return 'succeeded'
  } catch (error) {
    return String((error as { stderr?: string }).stderr ?? error)
  }
}

async function firstLine (child: ChildProcess, timeoutMs = 30_000): Promise<string> {
  return await new Promise((resolve, reject) => {
    let text = ''
    const timer = setTimeout(() => reject(new Error(`no line from the child in ${timeoutMs} ms`)), timeoutMs)
    child.stdout!.setEncoding('utf8')
    child.stdout!.on('data', (chunk: string) => {
      text += chunk
      if (text.includes('\n')) { clearTimeout(timer); resolve(text.slice(0, text.indexOf('\n'))) }
    })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the child exited (${code}) before printing a line`)) })
  })
}

async function exited (child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode
  return await new Promise((resolve) => child.once('exit', (code) => resolve(code)))
}

test.serial('FUSE: the mounted head and an older snapshot equal their source trees; writes are refused; unmount leaves the directory empty', async (t) => {
  const available = await fuseAvailability()
  if (!available.ok) {
    t.regex(available.error.message, UNAVAILABLE)
    const repo = memoryRepo()
    repo.create('empty', 'tree', 0)
    await t.throwsAsync(async () => await mountFilesystem(tmpdir(), await viewOf(repo, 'empty', counting(repo).load)), { message: UNAVAILABLE })
    t.log(`FUSE unavailable (${available.reason}): the real mount was not exercised`)
    return
  }
  const f = fixture(t)
  const head = await mountRef(f, 'web', join(f.root, 'm-head'))
  const old = await mountRef(f, `web@${f.s1.slice(0, 10)}`, join(f.root, 'm-old'))
  await t.notThrowsAsync(run('diff', ['-r', f.v2, head.mountpoint]), 'head = v2 (diff -r)')
  await t.notThrowsAsync(run('diff', ['-r', f.v1, old.mountpoint]), 'older snapshot = v1 (diff -r)')
  t.is(await listing(old.mountpoint, true), await listing(f.v1, true), 'types, modes, sizes and mtimes of the older snapshot')
  t.is(await listing(head.mountpoint, false), await listing(f.v2, false), 'types, modes and sizes of the head')
  t.is((await run('cat', [join(head.mountpoint, 'a/hello.txt')], { encoding: 'utf8' })).stdout, 'changed\n')
  t.is((await run('cat', [join(old.mountpoint, 'a/hello.txt')], { encoding: 'utf8' })).stdout, 'hello world\n')
  t.is((await run('ls', [head.mountpoint], { encoding: 'utf8' })).stdout.split('\n').filter(Boolean).join(' '), 'a added.txt empty empty-dir link locked readonly.txt x ünïcødé name.txt')
  t.is((await run('readlink', [join(head.mountpoint, 'link')], { encoding: 'utf8' })).stdout, 'a/hello.txt\n')
  t.is((await run('stat', ['-c', '%a %s %Y', join(old.mountpoint, 'a/b/medium.bin')], { encoding: 'utf8' })).stdout, `640 200000 ${T0_S + 15}\n`)
  const big = await readFile(join(f.v1, 'a/big.bin'))
  const slice = await run('dd', [`if=${join(head.mountpoint, 'a/big.bin')}`, 'bs=4096', 'skip=300', 'count=7', 'status=none'], { encoding: 'buffer' })
  t.true(big.subarray(300 * 4096, 307 * 4096).equals(slice.stdout), 'a range read in the middle of the multi-chunk file')

  for (const [what, file, args] of [
    ['create', 'sh', ['-c', `echo x > '${join(head.mountpoint, 'new.txt')}'`]],
    ['append', 'sh', ['-c', `echo x >> '${join(head.mountpoint, 'a/hello.txt')}'`]],
    ['touch', 'touch', [join(head.mountpoint, 'a/hello.txt')]],
    ['rm', 'rm', ['-f', join(head.mountpoint, 'empty')]],
    ['mkdir', 'mkdir', [join(head.mountpoint, 'd')]],
    ['mv', 'mv', [join(head.mountpoint, 'empty'), join(head.mountpoint, 'empty2')]],
    ['chmod', 'chmod', ['777', join(head.mountpoint, 'empty')]]
  ] as Array<[string, string, string[]]>) t.regex(await failure(file, args), /Read-only file system|Permission denied/, what)
  await t.notThrowsAsync(run('diff', ['-r', f.v2, head.mountpoint]), 'nothing changed')

  await t.throwsAsync(async () => await mountRef(f, 'web', head.mountpoint), { message: /already a mount point/ })
  await t.throwsAsync(async () => await mountRef(f, 'web', join(f.root, 'full')), { message: /is not empty/ })
  await t.throwsAsync(async () => await mountRef(f, 'web', join(f.root, 'nowhere')), { message: /does not exist/ })
  await t.throwsAsync(async () => await mountRef(f, 'web', join(f.root, 'a-file')), { message: /not a directory/ })
  t.true(head.filesystem.stats.reads > 0 && head.filesystem.stats.bytesRead >= 3_000_000)
  t.is(head.internalErrors, 0)

  await head.unmount()
  await old.unmount()
  await t.notThrowsAsync(head.unmount(), 'unmount is idempotent')
  t.false(head.mounted)
  const table = await mountPoints()
  t.false(table.has(head.mountpoint) || table.has(old.mountpoint))
  t.is((await run('ls', ['-A', head.mountpoint], { encoding: 'utf8' })).stdout, '', 'the mountpoint is an empty directory again')
})

test.serial('FUSE: `xest vd mount` serves VD@SNAPSHOT until SIGTERM, then unmounts; a stale mount of a killed server is cleaned up', async (t) => {
  if (!(await fuseAvailability()).ok) { t.log('FUSE unavailable: the CLI mount was not exercised'); t.pass(); return }
  const f = fixture(t)
  const mnt = join(f.root, 'm-cli')
  const cli = spawn('node', [bin, 'vd', 'mount', 'web@~1', mnt, '--store', f.store, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => { if (cli.exitCode === null) cli.kill('SIGKILL') })
  const printed = JSON.parse(await firstLine(cli))
  t.like(printed, { mountpoint: mnt, vd: 'web', snapshot: f.s1, head: false })
  t.is((await run('cat', [join(mnt, 'a/hello.txt')], { encoding: 'utf8' })).stdout, 'hello world\n')
  await t.notThrowsAsync(run('diff', ['-r', f.v1, mnt]))
  cli.kill('SIGTERM')
  t.is(await exited(cli), 0)
  t.false((await mountPoints()).has(mnt))
  t.is((await run('ls', ['-A', mnt], { encoding: 'utf8' })).stdout, '')

  // A server killed without auto-unmount leaves a dead mount ("transport endpoint is not connected").
  const stale = join(f.root, 'm-stale')
  const script = `
    import { SeededRng } from '${srcDir}env/rng.ts'
    import { VdRepository } from '${srcDir}vd/vd-repository.ts'
    import { resolveMountTarget } from '${srcDir}mount/mount-source.ts'
    import { VdFilesystem } from '${srcDir}mount/vd-filesystem.ts'
    import { mountFilesystem } from '${srcDir}mount/fuse-mount.ts'
    const repo = VdRepository.openDir(${JSON.stringify(f.store)}, new SeededRng('x'))
    const loadObject = async (id) => repo.store.get(id)
    const fs = await VdFilesystem.build((await resolveMountTarget(repo, 'web', null, loadObject)).source, { loadObject })
    await mountFilesystem(${JSON.stringify(stale)}, fs, { autoUnmount: false })
    process.stdout.write('mounted\\n')`
  const server = spawn('node', ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => { if (server.exitCode === null) server.kill('SIGKILL') })
  t.is(await firstLine(server), 'mounted')
  server.kill('SIGKILL')
  await exited(server)
  const dead = await stat(stale).then(() => 'alive', (error: NodeJS.ErrnoException) => error.code)
  t.is(dead, 'ENOTCONN', 'the killed server left a stale mount')
  const again = await mountRef(f, 'web', stale)
  await t.notThrowsAsync(run('diff', ['-r', f.v2, again.mountpoint]), 'mounted again over the cleaned-up stale mount')
  await again.unmount()
  t.is((await run('ls', ['-A', stale], { encoding: 'utf8' })).stdout, '')
})

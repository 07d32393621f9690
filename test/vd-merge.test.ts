import test from 'ava'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SeededRng } from '../src/env/rng.ts'
import { objectIdOf } from '../src/vd/object-id.ts'
import { MemoryObjectStore } from '../src/vd/object-store.ts'
import { ResolverRegistry, type Conflict } from '../src/vd/resolvers.ts'
import { globMatcher } from '../src/vd/glob.ts'
import { MemoryVdCatalog } from '../src/vd/vd-catalog.ts'
import { VdRepository } from '../src/vd/vd-repository.ts'
import type { VirtualDisk } from '../src/vd/virtual-disk.ts'

const T0 = 1_700_000_000_000
const enc = (s: string) => new TextEncoder().encode(s)
const dec = (b: Uint8Array) => new TextDecoder().decode(b)

function memoryRepo (): VdRepository {
  return new VdRepository({ store: new MemoryObjectStore(), catalog: new MemoryVdCatalog(), rng: new SeededRng('merge') })
}

/** main: a base snapshot; feature: forked from it. */
function setup (repo: VdRepository): { main: VirtualDisk, feature: VirtualDisk } {
  const main = repo.create('main', 'tree', T0)
  for (const name of ['a', 'b', 'c', 'd', 'same', 'notes.log', 'mode.sh']) main.writeFile(`${name}.txt`, enc(`${name} v0\n`), { mtimeMs: T0 })
  main.writeFile('gone/z.txt', enc('z\n'), { mtimeMs: T0 })
  main.writeFile('t/file', enc('a file\n'), { mtimeMs: T0 })
  main.writeFile('keep/k.txt', enc('k\n'), { mtimeMs: T0 })
  main.snapshot({ timeMs: T0, message: 'base' })
  const feature = repo.fork('main', { name: 'feature', timeMs: T0 })
  return { main, feature }
}

const write = (vd: VirtualDisk, path: string, text: string, atMs: number) => vd.writeFile(path, enc(text), { mtimeMs: atMs })
const summary = (conflicts: Conflict[]) => conflicts.map((c) => `${c.kind} ${c.path}${c.subtree ? '/' : ''}`)

test('clean merge: changes on either side and identical changes on both merge without conflicts', (t) => {
  const repo = memoryRepo()
  const { main, feature } = setup(repo)
  write(main, 'a.txt', 'a ours\n', T0 + 10)
  main.remove('c.txt')
  write(main, 'd.txt', 'd both\n', T0 + 11)
  write(main, 'keep/ours-new.txt', 'on', T0 + 12)
  const oursTip = main.snapshot({ timeMs: T0 + 20 }).snapshotId
  write(feature, 'b.txt', 'b theirs\n', T0 + 13)
  write(feature, 'd.txt', 'd both\n', T0 + 14)
  write(feature, 'new/dir/theirs.txt', 'new', T0 + 15)
  feature.remove('gone', { recursive: true })
  const theirsTip = feature.snapshot({ timeMs: T0 + 21 }).snapshotId
  const r = repo.merge('main', 'feature', { registry: new ResolverRegistry(), timeMs: T0 + 30 })
  t.true(r.ok)
  t.true(r.created)
  t.deepEqual(r.conflicts, [])
  t.is(r.base, repo.resolveSnapshot('main~2'))
  t.deepEqual(repo.snapshot(r.snapshotId!).parents, [oursTip, theirsTip])
  const files = Object.fromEntries(repo.entries('main').filter(([, e]) => e.kind === 'file').map(([k]) => [k, dec(repo.readFile('main', k))]))
  t.deepEqual(files, {
    'a.txt': 'a ours\n', 'b.txt': 'b theirs\n', 'd.txt': 'd both\n', 'keep/k.txt': 'k\n', 'keep/ours-new.txt': 'on', 'mode.sh.txt': 'mode.sh v0\n',
    'new/dir/theirs.txt': 'new', 'notes.log.txt': 'notes.log v0\n', 'same.txt': 'same v0\n', 't/file': 'a file\n'
  })
  t.is(repo.open('main').stat('d.txt')?.mtimeMs, T0 + 14, 'identical change: the newer mtime is kept')
  t.is(repo.open('main').stat('new/dir')?.kind, 'dir')
  const again = repo.merge('main', 'feature', { registry: new ResolverRegistry(), timeMs: T0 + 40 })
  t.like(again, { ok: true, created: false, snapshotId: r.snapshotId })
  const back = repo.merge('feature', 'main', { registry: new ResolverRegistry(), timeMs: T0 + 50 })
  t.true(back.ok)
  t.is(repo.snapshot(back.snapshotId!).root, repo.snapshot(r.snapshotId!).root, 'merging back gives the same tree')
})

/** Both sides change the same paths in every conflicting way. */
function conflicted (repo: VdRepository): void {
  const { main, feature } = setup(repo)
  write(main, 'a.txt', 'a ours\n', T0 + 10)
  write(feature, 'a.txt', 'a theirs\n', T0 + 20)
  write(main, 'b.txt', 'b ours\n', T0 + 10)
  feature.remove('b.txt')
  main.remove('c.txt')
  write(feature, 'c.txt', 'c theirs\n', T0 + 20)
  write(main, 'added.txt', 'added by ours\n', T0 + 10)
  write(feature, 'added.txt', 'added by theirs\n', T0 + 20)
  main.remove('t/file')
  write(main, 't/file/inner.txt', 'file became a dir\n', T0 + 10)
  write(feature, 't/file', 'a file, edited\n', T0 + 20)
  write(main, 'gone/new.txt', 'ours adds to gone\n', T0 + 10)
  feature.remove('gone', { recursive: true })
  write(main, 'notes.log.txt', 'ours line\n', T0 + 10)
  write(feature, 'notes.log.txt', 'theirs line\n', T0 + 20)
  write(main, 'clean-ours.txt', 'x', T0 + 10)
  write(feature, 'clean-theirs.txt', 'y', T0 + 20)
  main.snapshot({ timeMs: T0 + 30 })
  feature.snapshot({ timeMs: T0 + 40 })
}

const ALL_KINDS = ['modify/modify a.txt', 'add/add added.txt', 'modify/delete b.txt', 'delete/modify c.txt', 'modify/delete gone/', 'modify/modify notes.log.txt', 'type t/file/']

test('every kind of conflict is reported, and an unresolved merge writes nothing (disk store and records unchanged)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xest-vd-merge-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const repo = VdRepository.openDir(dir, new SeededRng('merge-disk'))
  conflicted(repo)
  const listing = (): string[] => {
    const out: string[] = []
    const walk = (rel: string): void => {
      for (const name of readdirSync(join(dir, rel)).sort()) {
        const r = join(rel, name)
        const st = statSync(join(dir, r))
        if (st.isDirectory()) walk(r)
        else out.push(`${r} ${st.size} ${st.mtimeMs} ${r.startsWith('vds') ? readFileSync(join(dir, r), 'utf8') : ''}`)
      }
    }
    walk('')
    return out
  }
  const before = listing()
  const r = repo.merge('main', 'feature', { registry: new ResolverRegistry().rule('*.log.txt', 'ours'), timeMs: T0 + 50 })
  t.false(r.ok)
  t.is(r.snapshotId, null)
  t.deepEqual(summary(r.conflicts), ALL_KINDS)
  t.is(r.unresolved, 6, 'all but the *.log.txt conflict, which "ours" settled')
  const gone = r.conflicts.find((c) => c.path === 'gone')!
  t.deepEqual(gone.below, ['gone/new.txt', 'gone/z.txt'])
  t.deepEqual(listing(), before)
})

test('resolvers ours, theirs, newest and a user-registered one, chosen by glob; subtree conflicts settle the whole directory', (t) => {
  const run = (setupRules: (reg: ResolverRegistry) => void) => {
    const repo = memoryRepo()
    conflicted(repo)
    const registry = new ResolverRegistry().register('concat', (c, ctx) => {
      if (c.ours?.kind !== 'file' || c.theirs?.kind !== 'file') return null
      const both = Buffer.concat([ctx.read(c.ours), ctx.read(c.theirs)])
      return { entry: ctx.storeFile(both, c.ours.mode, Math.max(c.ours.mtimeMs, c.theirs.mtimeMs)) }
    })
    setupRules(registry)
    const r = repo.merge('main', 'feature', { registry, timeMs: T0 + 50 })
    const text = (p: string) => { try { return dec(repo.readFile('main', p)) } catch { return null } }
    return { r, text, repo }
  }
  const ours = run((reg) => reg.rule('**', 'ours'))
  t.true(ours.r.ok)
  t.true(ours.r.conflicts.every((c) => c.resolution === 'ours' && c.resolver === 'ours'))
  t.deepEqual([ours.text('a.txt'), ours.text('b.txt'), ours.text('c.txt'), ours.text('added.txt')], ['a ours\n', 'b ours\n', null, 'added by ours\n'])
  t.deepEqual([ours.text('t/file/inner.txt'), ours.text('gone/new.txt'), ours.text('gone/z.txt')], ['file became a dir\n', 'ours adds to gone\n', 'z\n'])
  t.deepEqual([ours.text('clean-ours.txt'), ours.text('clean-theirs.txt')], ['x', 'y'])

  const theirs = run((reg) => reg.rule('*', 'theirs'))
  t.true(theirs.r.ok)
  t.deepEqual([theirs.text('a.txt'), theirs.text('b.txt'), theirs.text('c.txt'), theirs.text('added.txt')], ['a theirs\n', null, 'c theirs\n', 'added by theirs\n'])
  t.deepEqual([theirs.text('t/file'), theirs.text('t/file/inner.txt')], ['a file, edited\n', null])
  t.deepEqual([theirs.text('gone/new.txt'), theirs.text('gone/z.txt')], [null, null])
  t.is(theirs.repo.open('main').stat('gone'), undefined)

  const newest = run((reg) => reg.rule('**', 'newest'))
  t.true(newest.r.ok)
  t.is(newest.text('a.txt'), 'a theirs\n', 'theirs wrote later')
  t.is(newest.text('b.txt'), null, 'the deletion is as new as theirs\' snapshot, later than ours\' write')

  const custom = run((reg) => reg.rule('*.log.txt', 'concat').rule('{a,b,c,added}.txt', 'ours').rule('t/**', 'theirs').rule('gone', 'theirs'))
  t.true(custom.r.ok, JSON.stringify(custom.r.conflicts.filter((c) => c.resolution === null)))
  t.is(custom.text('notes.log.txt'), 'ours line\ntheirs line\n')
  t.is(custom.r.conflicts.find((c) => c.path === 'notes.log.txt')?.resolution, 'custom')

  const failing = run((reg) => reg.rule('*.log.txt', 'concat').rule('a.txt', 'fail').rule('**', 'ours'))
  t.false(failing.r.ok)
  t.deepEqual(failing.r.conflicts.filter((c) => c.resolution === null).map((c) => c.path), ['a.txt'])
  t.false(failing.repo.store.has(objectIdOf(enc('ours line\ntheirs line\n'))), 'the resolved part\'s object was not written either')
  t.is(failing.repo.log('main').length, 2, 'no merge snapshot (base and ours\' change only)')
  t.is(failing.text('notes.log.txt'), 'ours line\n')
})

test('a resolver that throws or answers something that does not fit leaves the conflict unresolved', (t) => {
  const repo = memoryRepo()
  conflicted(repo)
  const registry = new ResolverRegistry()
    .register('boom', () => { throw new Error('kaput') })
    .register('dir-for-file', () => ({ entry: { kind: 'dir', id: null, manifest: false, sizeBytes: 0, mode: 0o755, mtimeMs: 0 } }))
    .rule('a.txt', 'boom').rule('added.txt', 'dir-for-file').rule('t/file', 'dir-for-file').rule('**', 'ours')
  const r = repo.merge('main', 'feature', { registry, timeMs: T0 + 50 })
  t.false(r.ok)
  const reasons = Object.fromEntries(r.conflicts.filter((c) => c.resolution === null).map((c) => [c.path, c.reason]))
  t.regex(reasons['a.txt']!, /kaput/)
  t.regex(reasons['added.txt']!, /does not fit/)
  t.regex(reasons['t/file']!, /does not fit a directory conflict/)
  t.throws(() => registry.register('ours', () => 'ours'), { message: /built-in/ })
  t.throws(() => new ResolverRegistry().rule('*', 'nope'), { message: /unknown resolver/ })
})

test('merges need a clean head; unrelated VDs merge against the empty map; image VDs merge by block', (t) => {
  const repo = memoryRepo()
  const { main } = setup(repo)
  write(main, 'dirty.txt', 'x', T0)
  t.throws(() => repo.merge('main', 'feature', { registry: new ResolverRegistry(), timeMs: T0 }), { message: /staged changes/ })
  main.discard()
  const other = repo.create('other', 'tree', T0)
  write(other, 'a.txt', 'other a\n', T0)
  write(other, 'only-other.txt', 'o', T0)
  other.snapshot({ timeMs: T0 })
  const r = repo.merge('main', 'other', { registry: new ResolverRegistry(), timeMs: T0 })
  t.is(r.base, null)
  t.deepEqual(summary(r.conflicts), ['add/add a.txt'])

  const img = repo.create('img', 'image', T0)
  img.writeBlock(0, new Uint8Array(4096).fill(1))
  img.writeBlock(1, new Uint8Array(4096).fill(2))
  img.snapshot({ timeMs: T0 })
  const fork = repo.fork('img', { name: 'img2', timeMs: T0 })
  img.writeBlock(0, new Uint8Array(4096).fill(3))
  img.snapshot({ timeMs: T0 + 1 })
  fork.writeBlock(1, new Uint8Array(4096).fill(4))
  fork.writeBlock(5, new Uint8Array(100).fill(5))
  fork.snapshot({ timeMs: T0 + 2 })
  const m = repo.merge('img', 'img2', { registry: new ResolverRegistry(), timeMs: T0 + 3 })
  t.true(m.ok)
  const merged = repo.open('img')
  t.deepEqual([merged.readBlock(0)[0], merged.readBlock(1)[0], merged.readBlock(5)[0]], [3, 4, 5])
  t.is(repo.snapshot(m.snapshotId!).imageSizeBytes, 5 * 4096 + 100)
})

test('glob patterns', (t) => {
  const m = (p: string, path: string) => globMatcher(p)(path)
  t.true(m('*.txt', 'a/b/c.txt'))
  t.false(m('a/*.txt', 'a/b/c.txt'))
  t.true(m('a/**/*.txt', 'a/b/c.txt'))
  t.true(m('a/**/*.txt', 'a/c.txt'))
  t.true(m('var/log/**', 'var/log/x/y'))
  t.true(m('{etc,srv}/*.conf', 'srv/x.conf'))
  t.false(m('{etc,srv}/*.conf', 'usr/x.conf'))
  t.true(m('file?.[ch]', 'src/file1.c'))
  t.false(m('[!a]*', 'abc'))
  t.throws(() => globMatcher('{a,b'), { message: /unclosed/ })
})

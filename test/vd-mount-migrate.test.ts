/**
 * A FUSE mount of a migrated VD on a real node: a ring of 9 `xest node` processes on UDP (ports
 * 47900–47917; the DHT wants 7 leaf-set neighbours per root), node A imports a tree and writes a file at the head, the VD migrates to node B,
 * and B mounts it through the `vd.mount` control op. The mounted tree equals the source tree
 * (`diff -r`, run as a child process) with every object fetched on demand from A while the
 * mount is read; `xest vd-node unmount` unmounts it; a mount left in place is unmounted when the
 * node is stopped. Without FUSE the node's clear error is
 * asserted and the real mount is logged as not exercised.
 */
import test from 'ava'
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { forceUnmount, fuseAvailability, mountPoints } from '../src/mount/fuse-mount.ts'
import { ask, exited, sleep, startNode as start, type NodeProcess as Node } from './support/node-process.ts'

const run = promisify(execFile)
const bin = fileURLToPath(new URL('../bin/xest.js', import.meta.url))
const BASE_PORT = 47900
const NODES = 9



test('a VD migrated to another node, mounted there with FUSE, reads exactly the source tree with objects fetched on demand', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'xest-mount-migrate-'))
  const nodes: Node[] = []
  t.teardown(async () => {
    for (const n of nodes) if (n.child.exitCode === null) n.child.kill('SIGTERM')
    // Nodes that held a writer lease may keep timers running for a while: do not wait for them.
    await Promise.all(nodes.map(async (n) => { if (await exited(n.child, 2000) === 'running') n.child.kill('SIGKILL') }))
    for (const path of (await mountPoints()).keys()) if (path.startsWith(root + '/')) await forceUnmount(path).catch(() => {})
    rmSync(root, { recursive: true, force: true })
  })
  const tree = join(root, 'tree')
  mkdirSync(join(tree, 'etc/conf.d'), { recursive: true })
  mkdirSync(join(tree, 'usr/lib'), { recursive: true })
  mkdirSync(join(tree, 'var/empty'), { recursive: true })
  writeFileSync(join(tree, 'etc/hostname'), 'web-1\n')
  writeFileSync(join(tree, 'etc/conf.d/app.conf'), 'port = 80\n')
  chmodSync(join(tree, 'etc/conf.d/app.conf'), 0o600)
  writeFileSync(join(tree, 'usr/lib/libbig.so'), randomBytes(2_000_000))
  chmodSync(join(tree, 'usr/lib/libbig.so'), 0o755)
  writeFileSync(join(tree, 'empty'), '')
  for (let i = 0; i < 30; i++) writeFileSync(join(tree, 'usr/lib', `small-${i}.txt`), `file ${i}\n`.repeat(i + 1))
  for (let i = 0; i < NODES; i++) {
    nodes.push(start(BASE_PORT + 2 * i, join(root, `n${i}`), i === 0 ? null : BASE_PORT))
    await sleep(i === 0 ? 1500 : 300)
  }
  for (let waitedMs = 0; ; waitedMs += 500) {
    const states = await Promise.all(nodes.map(async (n) => await ask(n, { op: 'state' })))
    if (states.every((s) => s.initialized && s.leafSet.length >= 7)) break
    if (waitedMs > 60_000) { t.fail('ring did not form'); return }
    await sleep(500)
  }
  const secretHex = randomBytes(16).toString('hex')
  const [a, b] = [nodes[2]!, nodes[6]!]
  const imported = await ask(a, { op: 'vd.import', dir: tree, name: 'web-1', secretHex })
  t.true(imported.ok, JSON.stringify(imported))
  const vdId = imported.vdId as string
  t.true((await ask(a, { op: 'vd.write', vdId, path: '/etc/motd', text: 'written on A' })).ok)
  writeFileSync(join(tree, 'etc/motd'), 'written on A')
  chmodSync(join(tree, 'etc/motd'), 0o644)
  t.true((await ask(a, { op: 'vd.migrate-out', vdId, secretHex })).ok)
  const taken = await ask(b, { op: 'vd.migrate-in', vdId, secretHex })
  t.true(taken.ok, JSON.stringify(taken))

  const mnt = join(root, 'mnt')
  mkdirSync(mnt)
  const available = await fuseAvailability()
  if (!available.ok) {
    const refused = await ask(b, { op: 'vd.mount', vdId, mountpoint: mnt })
    t.false(refused.ok)
    t.regex(refused.error, /FUSE is not available here: .+; install libfuse-dev \(Debian\) and reinstall so the optional @cocalc\/fuse-native builds/)
    t.log(`FUSE unavailable (${available.reason}): the real mount on the node was not exercised`)
    return
  }
  const before = (await ask(b, { op: 'vd.mounts' })).fetched as number
  const mounted = await ask(b, { op: 'vd.mount', vdId, mountpoint: mnt })
  t.true(mounted.ok, JSON.stringify(mounted))
  t.like(mounted, { mountpoint: mnt, vdId, name: 'web-1', snapshot: taken.snapshot, head: true })
  await t.notThrowsAsync(run('diff', ['-r', tree, mnt]), 'the mounted tree equals the source tree plus the file written on A')
  const modes = async (dir: string) => (await run('find', [dir, '-mindepth', '1', '!', '-type', 'd', '-printf', '%m %s %P\\n'], { encoding: 'utf8' })).stdout.split('\n').sort().join('\n')
  t.is(await modes(mnt), await modes(tree), 'file modes and sizes')
  const listed = await ask(b, { op: 'vd.mounts' })
  t.is(listed.mounts.length, 1)
  t.true(listed.mounts[0].reads > 0 && listed.mounts[0].bytesRead >= 2_000_000, JSON.stringify(listed.mounts[0]))

  const { stdout } = await run('node', [bin, 'vd-node', 'unmount', '--node', join(root, 'n6.sock'), '--mountpoint', mnt, '--json'], { encoding: 'utf8' })
  const unmounted = JSON.parse(stdout)
  t.true(unmounted.fetched - before > 200, `objects fetched from A on demand while the mount was read: ${unmounted.fetched - before}`)
  t.is(unmounted.loadFailures, 0)
  t.log(`mount on B: ${unmounted.reads} reads, ${unmounted.bytesRead} bytes, ${unmounted.objectsLoaded} objects loaded, ${unmounted.fetched - before} fetched from A on demand`)
  t.false((await mountPoints()).has(mnt))
  t.is((await run('ls', ['-A', mnt], { encoding: 'utf8' })).stdout, '', 'unmounted: the directory is empty again')
  const again = await ask(b, { op: 'vd.unmount', mountpoint: mnt })
  t.false(again.ok)
  t.regex(again.error, /no mount at/)

  // A mount left in place is unmounted by the node's shutdown (not only by fusermount's auto-unmount once the node has died).
  const { stdout: remounted } = await run('node', [bin, 'vd-node', 'mount', '--node', join(root, 'n6.sock'), '--vd', vdId, '--mountpoint', mnt, '--json'], { encoding: 'utf8' })
  t.is(JSON.parse(remounted).mountpoint, mnt)
  t.is((await run('cat', [join(mnt, 'etc/motd')], { encoding: 'utf8' })).stdout, 'written on A')
  b.child.kill('SIGTERM')
  let waitedMs = 0
  while ((await mountPoints()).has(mnt) && waitedMs < 10_000) { await sleep(100); waitedMs += 100 }
  t.false((await mountPoints()).has(mnt), 'SIGTERM: the node unmounted its mount')
  t.is((await run('ls', ['-A', mnt], { encoding: 'utf8' })).stdout, '')
})

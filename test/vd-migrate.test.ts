/**
 * A VD migrated between two real nodes of a local ring (9 `xest node` processes on UDP, each with
 * a data directory): node A imports a tree and writes a file at the head, then migrates the VD
 * out; node B takes the writer lease (epoch 2) and reads the files, fetching objects on demand
 * from A: the bytes are exactly those written on A, and an export equals the tree (`diff -r`).
 * A, now a stale writer, is refused. Then `xest vd-node` moves it back through the nodes' control
 * sockets. Ports 47800–47817.
 */
import test from 'ava'
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ask, sleep, startNode as start, type NodeProcess as Node } from './support/node-process.ts'

const bin = fileURLToPath(new URL('../bin/xest.js', import.meta.url))
const BASE_PORT = 47800


test('migrate a VD between two real nodes: the target reads exactly what the source wrote; the old writer is refused', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'xest-migrate-'))
  const nodes: Node[] = []
  t.teardown(async () => {
    for (const n of nodes) if (n.child.exitCode === null) n.child.kill('SIGTERM')
    await sleep(500)
    rmSync(root, { recursive: true, force: true })
  })
  const tree = join(root, 'tree')
  mkdirSync(join(tree, 'etc'), { recursive: true })
  mkdirSync(join(tree, 'usr/lib'), { recursive: true })
  writeFileSync(join(tree, 'etc/hostname'), 'web-1\n')
  writeFileSync(join(tree, 'usr/lib/libbig.so'), randomBytes(300_000))
  for (let i = 0; i < 20; i++) writeFileSync(join(tree, 'usr/lib', `small-${i}.txt`), `file ${i}\n`.repeat(i + 1))
  for (let i = 0; i < 9; i++) {
    nodes.push(start(BASE_PORT + 2 * i, join(root, `n${i}`), i === 0 ? null : BASE_PORT))
    await sleep(i === 0 ? 1500 : 300)
  }
  for (let waitedMs = 0; ; waitedMs += 1000) {
    const states = await Promise.all(nodes.map(async (n) => await ask(n, { op: 'state' })))
    if (states.every((s) => s.initialized && s.leafSet.length >= 7)) break
    if (waitedMs > 90_000) t.fail('ring did not form')
    await sleep(1000)
  }
  const secretHex = randomBytes(16).toString('hex')
  const [a, b] = [nodes[2]!, nodes[6]!]
  const imported = await ask(a, { op: 'vd.import', dir: tree, name: 'web-1', secretHex })
  t.true(imported.ok, JSON.stringify(imported))
  t.is(imported.epoch, 1)
  const vdId = imported.vdId as string
  t.true((await ask(a, { op: 'vd.write', vdId, path: '/etc/motd', text: 'written on A' })).ok)
  const out = await ask(a, { op: 'vd.migrate-out', vdId, secretHex })
  t.true(out.ok, JSON.stringify(out))
  const taken = await ask(b, { op: 'vd.migrate-in', vdId, secretHex })
  t.true(taken.ok, JSON.stringify(taken))
  t.is(taken.epoch, 2)
  t.is(taken.snapshot, out.snapshot)

  const motd = await ask(b, { op: 'vd.read', vdId, path: '/etc/motd' })
  t.true(motd.ok, JSON.stringify(motd))
  t.is(Buffer.from(motd.base64, 'base64').toString(), 'written on A')
  t.true(motd.fetched > 0, 'objects came from A on demand')
  const exportDir = join(root, 'export')
  const exported = await ask(b, { op: 'vd.export', vdId, out: exportDir })
  t.true(exported.ok, JSON.stringify(exported))
  writeFileSync(join(tree, 'etc/motd'), 'written on A')
  t.notThrows(() => execFileSync('diff', ['-r', tree, exportDir]), 'the exported tree equals the source tree plus the file written on A')

  const refused = await ask(a, { op: 'vd.write', vdId, path: '/etc/motd', text: 'stale' })
  t.false(refused.ok)
  t.regex(refused.error, /StaleWriterError/)
  t.true((await ask(b, { op: 'vd.write', vdId, path: '/etc/motd', text: 'written on B' })).ok)

  // The same node operations from the command line, through the control sockets.
  const xest = (...args: string[]) => execFileSync('node', [bin, 'vd-node', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  t.is(xest('read', '--node', join(root, 'n6.sock'), '--vd', vdId, '--path', '/etc/motd'), 'written on B')
  const back = JSON.parse(xest('migrate', '--vd', vdId, '--from', join(root, 'n6.sock'), '--to', join(root, 'n2.sock'), '--secret', secretHex, '--json'))
  t.is(back.epoch, 3)
  t.is(xest('read', '--node', join(root, 'n2.sock'), '--vd', vdId, '--path', '/etc/motd'), 'written on B', 'A now reads what B wrote')
  const bad = (() => { try { xest('read', '--node', join(root, 'n6.sock'), '--vd', vdId); return 0 } catch (e) { return (e as { status: number }).status } })()
  t.is(bad, 2, 'a missing flag is a usage error')
})

/**
 * `xest testbed run --workload vd-migrate`: a virtual disk imported on one host, written there,
 * migrated to the host farthest from it in the latency matrix, and read back there through the
 * nodes' `vd.*` control operations (objects fetched on demand across the emulated wide area);
 * every file must read back byte for byte and the exported tree must equal the source. When the
 * nodes do not offer the `vd.*` operations yet, it says so ("not yet") instead of pretending.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { loadNetworkModel } from '../../../../sim/net/models/load-model.ts'
import type { ControlClient } from './control-socket.ts'
import { connectAll } from './run-lookups.ts'
import type { TestbedState } from './state.ts'

export type VdReport =
  | { workload: 'vd-migrate', status: 'not-yet', reason: string }
  | { workload: 'vd-migrate', status: 'done', from: number, to: number, oneWayMs: number | null, files: number, filesExact: number, bytes: number,
    migrateMs: number, readMs: number, fetchedObjects: number | null, exportEqual: boolean, staleWriterRefused: boolean, error?: string }

function listFiles (root: string, dir = ''): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = path.join(dir, name)
    return statSync(path.join(root, rel)).isDirectory() ? listFiles(root, rel) : [rel]
  }).sort()
}

function farthestFrom (state: TestbedState, from: number): { to: number, oneWayMs: number | null } {
  const n = state.hosts.length
  if (state.config.latency === null) return { to: n - 1, oneWayMs: null }
  const model = loadNetworkModel(state.config.latency, { values: state.config.latencyValues }).model
  let best = { to: (from + 1) % n, oneWayMs: -1 }
  for (const h of state.hosts) {
    if (h.index === from) continue
    const ms = model.oneWayUs(state.hosts[from]!.matrixHost, h.matrixHost) / 1000
    if (ms > best.oneWayMs) best = { to: h.index, oneWayMs: ms }
  }
  return best
}

async function ask (client: ControlClient, request: Record<string, unknown> & { op: string }): Promise<Record<string, any>> {
  const reply = await client.request<Record<string, any>>(request, 120_000)
  if (reply === null) throw new Error(`no answer to ${request.op}`)
  return reply
}

export async function runVdMigrate (state: TestbedState, progress: (line: string) => void): Promise<VdReport> {
  const clients = await connectAll(state)
  try {
    const probe = await clients[0]!.request<{ error?: string, ok?: boolean }>({ op: 'vd.read', vdId: '0'.repeat(40), path: '/' }, 10_000)
    if (probe === null || /unknown op/.test(String(probe.error ?? ''))) {
      return { workload: 'vd-migrate', status: 'not-yet', reason: 'the nodes do not offer VD operations (vd.import, vd.migrate-out/in, vd.read) on their control channel yet: VD migration over real nodes is being built; nothing was migrated' }
    }
    if (/no --data-dir/.test(String(probe.error ?? ''))) {
      return { workload: 'vd-migrate', status: 'not-yet', reason: 'the nodes report no VD store (no --data-dir); nothing was migrated' }
    }
    const from = Math.min(1, state.hosts.length - 1)
    const { to, oneWayMs } = farthestFrom(state, from)
    const tree = path.join(state.dir, `vd-tree-${process.pid}`)
    const exported = path.join(state.dir, `vd-export-${process.pid}`)
    rmSync(tree, { recursive: true, force: true })
    mkdirSync(path.join(tree, 'etc'), { recursive: true })
    mkdirSync(path.join(tree, 'usr/lib'), { recursive: true })
    writeFileSync(path.join(tree, 'etc/hostname'), 'testbed-vm\n')
    writeFileSync(path.join(tree, 'usr/lib/libbig.so'), randomBytes(300_000))
    for (let i = 0; i < 20; i++) writeFileSync(path.join(tree, 'usr/lib', `small-${i}.txt`), `file ${i}\n`.repeat(i + 1))
    const secretHex = randomBytes(16).toString('hex')
    const a = clients[from]!
    const b = clients[to]!
    progress(`importing a VD on host ${from}, migrating it to host ${to}${oneWayMs === null ? '' : ` (${oneWayMs.toFixed(1)} ms one way)`}`)
    try {
      const imported = await ask(a, { op: 'vd.import', dir: tree, name: 'testbed-vm', secretHex })
      if (imported.ok !== true) throw new Error(`vd.import: ${imported.error}`)
      const vdId = String(imported.vdId)
      const written = await ask(a, { op: 'vd.write', vdId, path: '/etc/motd', text: `written on host ${from}` })
      if (written.ok !== true) throw new Error(`vd.write: ${written.error}`)
      writeFileSync(path.join(tree, 'etc/motd'), `written on host ${from}`)
      const migrateStartMs = Date.now()
      const out = await ask(a, { op: 'vd.migrate-out', vdId, secretHex })
      if (out.ok !== true) throw new Error(`vd.migrate-out: ${out.error}`)
      const taken = await ask(b, { op: 'vd.migrate-in', vdId, secretHex })
      if (taken.ok !== true) throw new Error(`vd.migrate-in: ${taken.error}`)
      const migrateMs = Date.now() - migrateStartMs
      const files = listFiles(tree)
      const readStartMs = Date.now()
      let exact = 0
      let bytes = 0
      let fetched: number | null = null
      for (const rel of files) {
        const reply = await ask(b, { op: 'vd.read', vdId, path: '/' + rel })
        const got = reply.ok === true ? Buffer.from(String(reply.base64), 'base64') : null
        const want = readFileSync(path.join(tree, rel))
        if (got !== null && got.equals(want)) { exact++; bytes += want.length }
        if (typeof reply.fetched === 'number') fetched = reply.fetched
      }
      const readMs = Date.now() - readStartMs
      const exportReply = await ask(b, { op: 'vd.export', vdId, out: exported })
      const exportEqual = exportReply.ok === true && JSON.stringify(listFiles(exported)) === JSON.stringify(files) &&
        files.every((rel) => readFileSync(path.join(exported, rel)).equals(readFileSync(path.join(tree, rel))))
      const stale = await ask(a, { op: 'vd.write', vdId, path: '/etc/motd', text: 'stale' })
      return { workload: 'vd-migrate', status: 'done', from, to, oneWayMs, files: files.length, filesExact: exact, bytes, migrateMs, readMs, fetchedObjects: fetched, exportEqual, staleWriterRefused: stale.ok !== true }
    } finally {
      rmSync(tree, { recursive: true, force: true })
      rmSync(exported, { recursive: true, force: true })
    }
  } finally {
    for (const c of clients) c.close()
  }
}

export function describeVd (r: VdReport): string {
  if (r.status === 'not-yet') return `vd-migrate: NOT YET — ${r.reason}\n`
  return [
    `vd-migrate: host ${r.from} → host ${r.to}${r.oneWayMs === null ? '' : ` (${r.oneWayMs.toFixed(1)} ms one way)`}: migrated in ${r.migrateMs} ms`,
    `read back on host ${r.to}: ${r.filesExact}/${r.files} files exact (${r.bytes} bytes, ${r.readMs} ms, ${r.fetchedObjects ?? '?'} objects fetched on demand); export equals the source: ${r.exportEqual ? 'yes' : 'NO'}; stale writer refused: ${r.staleWriterRefused ? 'yes' : 'NO'}`,
    ''
  ].join('\n')
}

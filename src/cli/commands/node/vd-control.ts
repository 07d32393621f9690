/**
 * The node's VD control requests (from `xest ring`/tests over IPC): import a tree, write a file at
 * the head, snapshot, migrate out and in, read a file, export. Each answers `{ ok: true, ... }` or
 * `{ ok: false, error }`; nothing a request carries can crash the node.
 */
import type { VdHost } from '../../../migrate/vd-host.ts'

export type VdControlRequest =
  | { op: 'vd.import', dir: string, name: string, secretHex: string }
  | { op: 'vd.write', vdId: string, path: string, text: string }
  | { op: 'vd.migrate-out', vdId: string, secretHex: string }
  | { op: 'vd.migrate-in', vdId: string, secretHex: string }
  | { op: 'vd.read', vdId: string, path: string }
  | { op: 'vd.export', vdId: string, out: string }

const secret = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'))

export async function handleVdControl (host: VdHost | null, request: VdControlRequest): Promise<Record<string, unknown>> {
  if (host === null) return { ok: false, error: 'this node has no --data-dir, so no VD store' }
  try {
    switch (request.op) {
      case 'vd.import': return { ok: true, ...await host.importTree(request.dir, request.name, secret(request.secretHex)) }
      case 'vd.write': {
        const vd = host.repo.open(request.vdId)
        vd.writeFile(request.path, new TextEncoder().encode(request.text), { mtimeMs: Math.floor(host.node.env.clock.nowMs()) })
        vd.save()
        return { ok: true }
      }
      case 'vd.migrate-out': return { ok: true, ...await host.migrateOut(request.vdId, secret(request.secretHex)) }
      case 'vd.migrate-in': return { ok: true, ...await host.migrateIn(request.vdId, secret(request.secretHex)) }
      case 'vd.read': return { ok: true, base64: Buffer.from(await host.readFile(request.vdId, request.path)).toString('base64'), fetched: host.stats.fetchedObjects }
      case 'vd.export': await host.export(request.vdId, request.out); return { ok: true, fetched: host.stats.fetchedObjects }
      default: return { ok: false, error: `unknown op ${(request as { op: string }).op}` }
    }
  } catch (error) {
    return { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }
  }
}

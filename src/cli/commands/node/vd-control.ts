/**
 * The node's VD control requests (from `xest ring`/tests over IPC, or `xest vd-node` over the
 * control socket): import a tree, write a file at the head, snapshot, migrate out and in, read a
 * file, export, and FUSE-mount a VD's head or one of its snapshots read-only (the node process
 * serves the mount; reads fetch missing objects from the previous writer on demand), unmount,
 * list mounts. Each answers `{ ok: true, ... }` or `{ ok: false, error }`; nothing a request
 * carries can crash the node. `unmountAllVdMounts` is the node's shutdown hook.
 */
import { resolve } from 'node:path'
import type { VdHost } from '../../../migrate/vd-host.ts'
import type { FuseMount } from '../../../mount/fuse-mount.ts'
import type { MountTarget } from '../../../mount/mount-source.ts'

export type VdControlRequest =
  | { op: 'vd.import', dir: string, name: string, secretHex: string }
  | { op: 'vd.write', vdId: string, path: string, text: string }
  | { op: 'vd.migrate-out', vdId: string, secretHex: string }
  | { op: 'vd.migrate-in', vdId: string, secretHex: string }
  | { op: 'vd.read', vdId: string, path: string }
  | { op: 'vd.export', vdId: string, out: string }
  | { op: 'vd.mount', vdId: string, mountpoint: string, snapshot?: string }
  | { op: 'vd.unmount', mountpoint: string }
  | { op: 'vd.mounts' }

interface NodeMount { handle: FuseMount, target: MountTarget }

/** Each host's mounts, by canonical mountpoint. */
const mountsOf = new WeakMap<VdHost, Map<string, NodeMount>>()

const secret = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'))

function describe (mount: NodeMount): Record<string, unknown> {
  const fs = mount.handle.filesystem
  return {
    mountpoint: mount.handle.mountpoint, vdId: mount.target.vdId, name: mount.target.vdName, snapshot: mount.target.snapshot, head: mount.target.head,
    entries: fs.stats.entries, reads: fs.stats.reads, bytesRead: fs.stats.bytesRead, objectsLoaded: fs.stats.objectsLoaded, loadFailures: fs.stats.loadFailures
  }
}

async function mount (host: VdHost, request: { vdId: string, mountpoint: string, snapshot?: string }): Promise<Record<string, unknown>> {
  if (typeof request.mountpoint !== 'string' || request.mountpoint === '') throw new Error('vd.mount needs a mountpoint')
  const { resolveMountTarget } = await import('../../../mount/mount-source.ts')
  const { VdFilesystem } = await import('../../../mount/vd-filesystem.ts')
  const { mountFilesystem } = await import('../../../mount/fuse-mount.ts')
  const loadObject = async (id: string): Promise<Uint8Array> => await host.loadObject(request.vdId, id)
  const target = await resolveMountTarget(host.repo, request.vdId, request.snapshot ?? null, loadObject)
  const fs = await VdFilesystem.build(target.source, { loadObject, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 })
  const handle = await mountFilesystem(resolve(request.mountpoint), fs, { label: `xest:${target.vdName}` })
  let mounts = mountsOf.get(host)
  if (mounts === undefined) mountsOf.set(host, mounts = new Map())
  const entry = { handle, target }
  mounts.set(handle.mountpoint, entry)
  return { ...describe(entry), fetched: host.stats.fetchedObjects }
}

async function unmount (host: VdHost, mountpoint: string): Promise<Record<string, unknown>> {
  const mounts = mountsOf.get(host)
  const abs = resolve(String(mountpoint))
  const entry = mounts?.get(abs) ?? [...mounts?.values() ?? []].find((m) => resolve(m.handle.mountpoint) === abs)
  if (entry === undefined) throw new Error(`this node has no mount at ${abs}`)
  await entry.handle.unmount()
  mounts!.delete(entry.handle.mountpoint)
  return { ...describe(entry), fetched: host.stats.fetchedObjects }
}

/** Unmounts every mount this host serves (node shutdown); returns how many, never throws. */
export async function unmountAllVdMounts (host: VdHost | null): Promise<{ unmounted: number, failed: string[] }> {
  const mounts = host === null ? undefined : mountsOf.get(host)
  const failed: string[] = []
  let unmounted = 0
  for (const [path, entry] of mounts ?? []) {
    try {
      await entry.handle.unmount()
      unmounted++
    } catch (error) {
      failed.push(`${path}: ${(error as Error).message}`)
    }
    mounts!.delete(path)
  }
  return { unmounted, failed }
}

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
      case 'vd.mount': return { ok: true, ...await mount(host, request) }
      case 'vd.unmount': return { ok: true, ...await unmount(host, request.mountpoint) }
      case 'vd.mounts': return { ok: true, mounts: [...mountsOf.get(host)?.values() ?? []].map(describe), fetched: host.stats.fetchedObjects }
      default: return { ok: false, error: `unknown op ${(request as { op: string }).op}` }
    }
  } catch (error) {
    return { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }
  }
}

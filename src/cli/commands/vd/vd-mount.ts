/**
 * `xest vd mount VD[@SNAPSHOT] MOUNTPOINT`: mounts a VD's head (frozen as it is when mounted) or
 * one of its snapshots read-only with FUSE, serves it from the local store until SIGINT, SIGTERM
 * or SIGHUP, then unmounts and exits. Prints the mountpoint (with --json: {mountpoint, vd,
 * snapshot, ...}) once the mount is live, so scripts can wait for that line. A second signal
 * while unmounting kills the process (fusermount's auto-unmount then removes the mount).
 */
import { mountFilesystem } from '../../../mount/fuse-mount.ts'
import { parseMountRef, resolveMountTarget } from '../../../mount/mount-source.ts'
import { VdFilesystem } from '../../../mount/vd-filesystem.ts'
import type { VdRepository } from '../../../vd/vd-repository.ts'
import { toJson } from '../../json.ts'
import type { VdArgs } from './command.ts'

export async function runVdMount (repo: VdRepository, args: VdArgs): Promise<void> {
  const { vd, snapshot } = parseMountRef(repo, args.ref!)
  const loadObject = async (id: string): Promise<Uint8Array> => repo.store.get(id)
  const target = await resolveMountTarget(repo, vd, snapshot, loadObject)
  const fs = await VdFilesystem.build(target.source, { loadObject, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 })
  const handle = await mountFilesystem(args.mountpoint!, fs, { label: `xest:${target.vdName}` })
  const out = {
    mountpoint: handle.mountpoint, vd: target.vdName, vdId: target.vdId, snapshot: target.snapshot, head: target.head, staged: target.staged,
    entries: fs.stats.entries, skippedEntries: fs.stats.skippedEntries
  }
  const what = target.head
    ? `the head of VD "${target.vdName}" (${target.snapshot === null ? 'no snapshot yet' : `snapshot ${target.snapshot}`}${target.staged > 0 ? ` + ${target.staged} staged changes` : ''})`
    : `snapshot ${target.snapshot} of VD "${target.vdName}"`
  process.stdout.write(args.json ? toJson(out, 0) + '\n' : `${handle.mountpoint}\nmounted ${what} read-only: ${fs.stats.entries} entries; SIGINT (Ctrl-C) or SIGTERM unmounts\n`)
  const signal = await new Promise<string>((resolve) => {
    const on = (name: string): void => {
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeListener(s, on)
      resolve(name)
    }
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, on)
  })
  await handle.unmount()
  process.stderr.write(`${signal}: unmounted ${handle.mountpoint} (${fs.stats.reads} reads, ${fs.stats.bytesRead} bytes)\n`)
}

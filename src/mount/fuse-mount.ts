/**
 * Mounts a VdFilesystem with FUSE 2 through the optional `@cocalc/fuse-native` addon, loaded
 * with a dynamic import: without the addon or /dev/fuse every mount fails with one clear
 * `FuseUnavailableError`. The mountpoint must exist and be an empty directory that is not a
 * mount point; a stale FUSE mount left there by a killed process ("transport endpoint is not
 * connected") is removed first (`fusermount -uz`, else `umount -l`) or reported. Mounts are
 * read-only in the kernel (`ro`) and every write operation answers EROFS as well; with
 * `autoUnmount` (default) fusermount removes the mount if this process dies. `unmount()` is
 * idempotent. Callbacks never throw into the addon: any failure becomes an errno. Uses only
 * asynchronous file-system calls here, since a synchronous call on the mount from the process
 * serving it would deadlock.
 */
import { execFile } from 'node:child_process'
import { constants as fsConstants } from 'node:fs'
import { access, readdir, readFile, realpath, stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { ERRNO, FsError, fuseErrno } from './fs-errors.ts'
import type { FsAttributes, VdFilesystem } from './vd-filesystem.ts'

export class FuseUnavailableError extends Error {
  override name = 'FuseUnavailableError'
  constructor (readonly reason: string) {
    super(`FUSE is not available here: ${reason}; install libfuse-dev (Debian) and reinstall so the optional @cocalc/fuse-native builds`)
  }
}

export interface MountOptions {
  /** Shown as the file system's name in /proc/mounts. @default "xest-vd" */
  label?: string
  /** Let fusermount unmount if this process dies. @default true */
  autoUnmount?: boolean
  /** The addon's per-operation deadline (a read may wait for objects from another node). @default 60000 */
  opTimeoutMs?: number
  /** The FUSE device checked before loading the addon (tests point it elsewhere). @default "/dev/fuse" */
  devicePath?: string
}

export interface FuseMount {
  readonly mountpoint: string
  readonly filesystem: VdFilesystem
  /** Callbacks whose failure was not an FsError (answered EIO). */
  readonly internalErrors: number
  readonly mounted: boolean
  unmount (): Promise<void>
}

type Callback = (...args: unknown[]) => void
interface FuseInstance {
  mount (cb: (err: Error | null) => void): void
  unmount (cb: (err: Error | null) => void): void
}
interface FuseClass {
  new (mnt: string, ops: Record<string, unknown>, opts: Record<string, unknown>): FuseInstance
  unmount (mnt: string, cb: (err: Error | null) => void): void
}

const ADDON = '@cocalc/fuse-native'
let addon: Promise<FuseClass> | null = null

/** The addon's Fuse class, after checking the FUSE device; throws FuseUnavailableError. */
export async function loadFuse (options: { devicePath?: string } = {}): Promise<FuseClass> {
  const device = options.devicePath ?? '/dev/fuse'
  try {
    await access(device, fsConstants.R_OK | fsConstants.W_OK)
  } catch (error) {
    throw new FuseUnavailableError(`${device} is missing or not usable (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
  }
  addon ??= (async () => {
    let mod: { default?: unknown }
    try {
      mod = await import(ADDON) as { default?: unknown }
    } catch (error) {
      throw new FuseUnavailableError(`the ${ADDON} addon does not load (${firstLine(error)})`)
    }
    const Fuse: unknown = mod.default ?? mod
    if (typeof Fuse !== 'function' || typeof (Fuse as { unmount?: unknown }).unmount !== 'function') throw new FuseUnavailableError(`the ${ADDON} module has no Fuse class`)
    return Fuse as unknown as FuseClass
  })()
  try {
    return await addon
  } catch (error) {
    addon = null
    throw error
  }
}

/** Whether a mount can be tried here, and why not. */
export async function fuseAvailability (options: { devicePath?: string } = {}): Promise<{ ok: true } | { ok: false, reason: string, error: FuseUnavailableError }> {
  try {
    await loadFuse(options)
    return { ok: true }
  } catch (error) {
    if (error instanceof FuseUnavailableError) return { ok: false, reason: error.reason, error }
    throw error
  }
}

function firstLine (error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!
}

async function run (file: string, args: string[]): Promise<void> {
  await new Promise<void>((resolveRun, reject) => {
    execFile(file, args, { timeout: 15_000 }, (error, _stdout, stderr) => {
      if (error === null) resolveRun()
      else reject(new Error(`${file} ${args.join(' ')}: ${String(stderr).trim() || error.message}`))
    })
  })
}

/** Mount points of this process's namespace: path → file-system type (from /proc/self/mountinfo). */
export async function mountPoints (): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  let text: string
  try {
    text = await readFile('/proc/self/mountinfo', 'utf8')
  } catch {
    return out
  }
  for (const line of text.split('\n')) {
    const fields = line.split(' ')
    const dash = fields.indexOf('-')
    if (fields.length < 5 || dash < 0) continue
    const path = fields[4]!.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)))
    out.set(path, fields[dash + 1] ?? '')
  }
  return out
}

/** Removes a mount whatever state its server is in (lazy: busy files do not block it). */
export async function forceUnmount (path: string): Promise<void> {
  try {
    await run('fusermount', ['-uz', path])
  } catch (first) {
    try {
      await run('umount', ['-l', path])
    } catch (second) {
      throw new Error(`${(first as Error).message}; ${(second as Error).message}`)
    }
  }
}

/** Checks the mountpoint (see the module comment); returns its canonical path. */
async function prepareMountpoint (mountpoint: string): Promise<string> {
  const abs = resolve(mountpoint)
  let st
  try {
    st = await stat(abs)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new Error(`mountpoint ${abs} does not exist`)
    if (code !== 'ENOTCONN' && code !== 'ECONNABORTED') throw new Error(`mountpoint ${abs}: ${firstLine(error)}`)
    try {
      await forceUnmount(abs)
      st = await stat(abs)
    } catch (cleanup) {
      throw new Error(`a stale FUSE mount at ${abs} (its server died) could not be removed: ${firstLine(cleanup)}; run "fusermount -uz ${abs}" or, as root, "umount -l ${abs}"`)
    }
  }
  if (!st.isDirectory()) throw new Error(`mountpoint ${abs} is not a directory`)
  const real = await realpath(abs)
  const fsType = (await mountPoints()).get(real)
  if (fsType !== undefined) throw new Error(`${abs} is already a mount point (${fsType}); unmount it first`)
  const names = await readdir(real)
  if (names.length > 0) throw new Error(`mountpoint ${abs} is not empty (${names.length} entries)`)
  return real
}

function toStat (a: FsAttributes): Record<string, number> {
  return { mode: a.mode, uid: a.uid, gid: a.gid, size: a.sizeBytes, dev: 0, nlink: a.nlink, ino: 0, rdev: 0, blksize: 4096, blocks: a.blocks, atime: a.mtimeMs, mtime: a.mtimeMs, ctime: a.mtimeMs }
}

/** The addon's operation table over `fs`; every callback is answered exactly once. */
function operations (fs: VdFilesystem, counters: { internalErrors: number }): Record<string, unknown> {
  const answer = <T>(cb: Callback, work: () => Promise<T>, ok: (value: T) => void): void => {
    let promise: Promise<T>
    try {
      promise = work()
    } catch (error) {
      promise = Promise.reject(error)
    }
    promise.then((value) => {
      try {
        ok(value)
      } catch {
        counters.internalErrors++
        cb(-ERRNO.EIO)
      }
    }, (error: unknown) => {
      const errno = fuseErrno(error)
      if (!(error instanceof FsError)) counters.internalErrors++
      cb(errno)
    })
  }
  const refuse = (...args: unknown[]): void => { (args[args.length - 1] as Callback)(-ERRNO.EROFS) }
  return {
    getattr: (path: string, cb: Callback) => answer(cb, async () => await fs.getattr(path), (a) => cb(0, toStat(a))),
    readdir: (path: string, cb: Callback) => answer(cb, async () => await fs.readdir(path), (names) => cb(0, ['.', '..', ...names])),
    readlink: (path: string, cb: Callback) => answer(cb, async () => await fs.readlink(path), (target) => cb(0, target)),
    open: (path: string, flags: number, cb: Callback) => answer(cb, async () => await fs.open(path, flags), (fd) => cb(0, fd)),
    read: (_path: string, fd: number, buf: Buffer, length: number, position: number, cb: Callback) =>
      answer(cb, async () => await fs.read(fd, position, Math.min(length, buf.length)), (bytes) => { buf.set(bytes); cb(bytes.length) }),
    release: (_path: string, fd: number, cb: Callback) => { fs.release(fd); cb(0) },
    statfs: (_path: string, cb: Callback) => {
      const s = fs.statfs()
      cb(0, { bsize: 4096, frsize: 4096, blocks: Math.ceil(s.totalBytes / 4096), bfree: 0, bavail: 0, files: s.files, ffree: 0, favail: 0, fsid: 0, flag: 1, namemax: 255 })
    },
    write: refuse,
    create: refuse,
    truncate: refuse,
    ftruncate: refuse,
    unlink: refuse,
    rename: refuse,
    link: refuse,
    symlink: refuse,
    mkdir: refuse,
    rmdir: refuse,
    chmod: refuse,
    chown: refuse,
    utimens: refuse,
    mknod: refuse,
    setxattr: refuse,
    removexattr: refuse
  }
}

/** Mounts `filesystem` read-only at `mountpoint` until `unmount()`. */
export async function mountFilesystem (mountpoint: string, filesystem: VdFilesystem, options: MountOptions = {}): Promise<FuseMount> {
  const Fuse = await loadFuse(options)
  const path = await prepareMountpoint(mountpoint)
  const counters = { internalErrors: 0 }
  const label = (options.label ?? 'xest-vd').replace(/[^A-Za-z0-9._:@-]/g, '_').slice(0, 100) || 'xest-vd'
  const fuse = new Fuse(path, operations(filesystem, counters), {
    // libfuse splits -o options at commas: the name is followed by "ro", a read-only kernel mount.
    fsname: `${label},ro`,
    subtype: 'xest',
    autoUnmount: options.autoUnmount ?? true,
    timeout: options.opTimeoutMs ?? 60_000,
    kernelCache: true,
    attrTimeout: 60,
    entryTimeout: 60
  })
  await new Promise<void>((resolveMount, reject) => {
    try {
      fuse.mount((error) => (error === null || error === undefined ? resolveMount() : reject(new Error(`mounting at ${path} failed: ${firstLine(error)}`, { cause: error }))))
    } catch (error) {
      reject(new Error(`mounting at ${path} failed: ${firstLine(error)}`, { cause: error }))
    }
  })
  let mounted = true
  let unmounting: Promise<void> | null = null
  const unmountOnce = async (): Promise<void> => {
    const error = await new Promise<Error | null>((done) => {
      try {
        fuse.unmount((err) => done(err ?? null))
      } catch (err) {
        done(err as Error)
      }
    })
    if (error !== null && (await mountPoints()).has(path)) {
      try {
        await forceUnmount(path)
      } catch (forced) {
        throw new Error(`unmounting ${path} failed: ${firstLine(error)}; ${firstLine(forced)}`)
      }
    }
    mounted = false
  }
  return {
    mountpoint: path,
    filesystem,
    get internalErrors () { return counters.internalErrors },
    get mounted () { return mounted },
    unmount: async () => {
      if (!mounted) return
      unmounting ??= unmountOnce().finally(() => { unmounting = null })
      await unmounting
    }
  }
}

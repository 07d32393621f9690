/**
 * File-system errors as errno codes: what a read-only VD view answers (ENOENT, ENOTDIR, EISDIR,
 * EROFS, EBADF, EINVAL, ELOOP, EIO) and the conversion of any thrown value to a FUSE result
 * (a negative errno; anything that is not an FsError becomes EIO). Pure; never performs I/O.
 */
import { constants } from 'node:os'

export type ErrnoCode = 'ENOENT' | 'ENOTDIR' | 'EISDIR' | 'EROFS' | 'EBADF' | 'EINVAL' | 'ELOOP' | 'EIO'

/** Linux values; `os.constants.errno` where the platform defines them. */
export const ERRNO: Readonly<Record<ErrnoCode, number>> = Object.freeze({
  ENOENT: constants.errno.ENOENT ?? 2,
  EIO: constants.errno.EIO ?? 5,
  EBADF: constants.errno.EBADF ?? 9,
  ENOTDIR: constants.errno.ENOTDIR ?? 20,
  EISDIR: constants.errno.EISDIR ?? 21,
  EINVAL: constants.errno.EINVAL ?? 22,
  EROFS: constants.errno.EROFS ?? 30,
  ELOOP: constants.errno.ELOOP ?? 40
})

export class FsError extends Error {
  override name = 'FsError'
  constructor (readonly code: ErrnoCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options)
  }

  /** The positive errno. */
  get errno (): number {
    return ERRNO[this.code]
  }
}

/** The FUSE result for a failure: −errno of an FsError, −EIO for anything else. */
export function fuseErrno (error: unknown): number {
  return -(error instanceof FsError ? error.errno : ERRNO.EIO)
}

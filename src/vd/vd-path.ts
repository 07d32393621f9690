/**
 * Keys of a tree VD's map: paths relative to the VD's root, '/'-separated, UTF-8, without empty,
 * '.' or '..' components, NUL or a leading '/'. A key that fails these rules is refused on write
 * and on export (a corrupt map can never write outside the export directory). Pure functions.
 */

export class BadPathError extends Error {
  override name = 'BadPathError'
}

/** The canonical key for `path` ('/a//b/' → 'a/b'); throws `BadPathError`. The root is not a key. */
export function normalizePath (path: string): string {
  const parts = path.split('/').filter((p) => p.length > 0)
  if (parts.length === 0) throw new BadPathError(`path "${path}" names the root, not an entry`)
  for (const part of parts) {
    if (part === '.' || part === '..') throw new BadPathError(`path "${path}" has a "${part}" component`)
    if (part.includes('\0')) throw new BadPathError(`path ${JSON.stringify(path)} contains NUL`)
  }
  return parts.join('/')
}

/** True when `key` is already canonical. */
export function isCanonicalPath (key: string): boolean {
  try {
    return normalizePath(key) === key
  } catch {
    return false
  }
}

/** The parent key, or null for a top-level entry. */
export function parentPath (key: string): string | null {
  const at = key.lastIndexOf('/')
  return at < 0 ? null : key.slice(0, at)
}

/** Ancestors from the top down ('a/b/c' → ['a', 'a/b']). */
export function ancestorPaths (key: string): string[] {
  const out: string[] = []
  for (let at = key.indexOf('/'); at >= 0; at = key.indexOf('/', at + 1)) out.push(key.slice(0, at))
  return out
}

/** True when `key` lies strictly under `dir`. */
export function isUnder (key: string, dir: string): boolean {
  return key.length > dir.length && key.startsWith(dir) && key.charCodeAt(dir.length) === 47
}

/** The map key of block `n` of an image VD. */
export function blockKey (n: number): string {
  return String(n)
}

export function parseBlockKey (key: string): number {
  const n = Number(key)
  if (!/^(0|[1-9][0-9]*)$/.test(key) || !Number.isSafeInteger(n)) throw new BadPathError(`"${key}" is not a block number`)
  return n
}

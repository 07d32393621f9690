/**
 * Writes a snapshot's tree entries to a local directory, reproducing bytes, permission bits,
 * symlinks and mtimes. Keys are checked again before anything is created (a corrupt map cannot
 * write outside the target) and every entry's parent must be a directory of the snapshot.
 * Directories are created owner-writable and get their modes and mtimes last, deepest first.
 * The target must be absent or an empty directory. Uses synchronous node:fs.
 */
import { chmodSync, closeSync, existsSync, lutimesSync, mkdirSync, openSync, readdirSync, symlinkSync, utimesSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { fileChunks } from './file-manifest.ts'
import type { MapEntry } from './map-entry.ts'
import type { ObjectStore } from './object-store.ts'
import { isCanonicalPath, parentPath } from './vd-path.ts'

export interface TreeExportStats {
  files: number
  dirs: number
  symlinks: number
  bytes: number
}

const decoder = new TextDecoder('utf-8', { fatal: true })

/** Exports `entries` (any order) under `outDir`. */
export function exportTree (store: ObjectStore, entries: Iterable<[string, MapEntry]>, outDir: string): TreeExportStats {
  const sorted = [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  const dirKeys = new Set<string>()
  for (const [key, entry] of sorted) {
    if (!isCanonicalPath(key)) throw new Error(`snapshot has a malformed path ${JSON.stringify(key)}; nothing exported`)
    const parent = parentPath(key)
    if (parent !== null && !dirKeys.has(parent)) throw new Error(`snapshot entry "${key}" has no parent directory "${parent}"; nothing exported`)
    if (entry.kind === 'dir') dirKeys.add(key)
    if (entry.kind === 'block') throw new Error(`snapshot entry "${key}" is an image block; export the image to a file instead`)
  }
  if (existsSync(outDir)) {
    if (readdirSync(outDir).length > 0) throw new Error(`${outDir} exists and is not empty`)
  } else {
    mkdirSync(outDir, { recursive: true })
  }
  const stats: TreeExportStats = { files: 0, dirs: 0, symlinks: 0, bytes: 0 }
  const dirs: Array<[string, MapEntry]> = []
  for (const [key, entry] of sorted) {
    const path = join(outDir, key)
    if (entry.kind === 'dir') {
      mkdirSync(path, 0o700)
      dirs.push([path, entry])
      stats.dirs++
    } else if (entry.kind === 'symlink') {
      const target = decoder.decode(store.get(entry.id!))
      symlinkSync(target, path)
      lutimesSync(path, entry.mtimeMs / 1000, entry.mtimeMs / 1000)
      stats.symlinks++
    } else {
      const fd = openSync(path, 'wx', 0o600)
      let written = 0
      try {
        for (const chunk of fileChunks(store, entry)) {
          let at = 0
          while (at < chunk.length) at += writeSync(fd, chunk, at, chunk.length - at)
          written += chunk.length
        }
      } finally {
        closeSync(fd)
      }
      if (written !== entry.sizeBytes) throw new Error(`"${key}": wrote ${written} bytes, the snapshot says ${entry.sizeBytes}`)
      chmodSync(path, entry.mode)
      utimesSync(path, entry.mtimeMs / 1000, entry.mtimeMs / 1000)
      stats.files++
      stats.bytes += written
    }
  }
  for (let i = dirs.length - 1; i >= 0; i--) {
    const [path, entry] = dirs[i]!
    utimesSync(path, entry.mtimeMs / 1000, entry.mtimeMs / 1000)
    chmodSync(path, entry.mode)
  }
  return stats
}

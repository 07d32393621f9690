/**
 * Reads a local directory tree into map entries: regular files (chunked into the object store),
 * directories, symlinks, with permission bits and mtimes. Entries are visited in sorted name order
 * so the same tree always gives the same entries. Other file types (sockets, fifos, devices),
 * unreadable entries and names that are not valid UTF-8 are skipped and reported, never fatal.
 * Ownership and hard links are not kept (hard links become separate files sharing chunks).
 * Uses synchronous node:fs; never writes outside the object store.
 */
import { lstatSync, readdirSync, readlinkSync } from 'node:fs'
import { join } from 'node:path'
import { Chunker } from './chunker.ts'
import { storeLocalFile } from './file-manifest.ts'
import { dirEntry, type MapEntry } from './map-entry.ts'
import type { ObjectStore } from './object-store.ts'

export interface TreeImportStats {
  files: number
  dirs: number
  symlinks: number
  chunks: number
  /** Sum of the regular files' sizes. */
  logicalBytes: number
  skipped: Array<{ path: string, reason: string }>
}

export interface ScannedTree {
  entries: Array<[string, MapEntry]>
  stats: TreeImportStats
}

const encoder = new TextEncoder()

/** Stores every file under `rootDir` and returns the entries keyed by relative path. */
export function scanTree (store: ObjectStore, rootDir: string, chunker: Chunker): ScannedTree {
  const rootStat = lstatSync(rootDir)
  if (!rootStat.isDirectory()) throw new Error(`${rootDir} is not a directory`)
  const stats: TreeImportStats = { files: 0, dirs: 0, symlinks: 0, chunks: 0, logicalBytes: 0, skipped: [] }
  const entries: Array<[string, MapEntry]> = []
  const scratch = Buffer.allocUnsafe((4 << 20) + chunker.params.maxBytes)
  const stack: string[] = ['']
  while (stack.length > 0) {
    const rel = stack.pop()!
    const abs = rel === '' ? rootDir : join(rootDir, rel)
    let names: string[]
    try {
      names = readdirSync(abs).sort()
    } catch (error) {
      stats.skipped.push({ path: rel, reason: `cannot list: ${(error as Error).message}` })
      continue
    }
    const subdirs: string[] = []
    for (const name of names) {
      const key = rel === '' ? name : `${rel}/${name}`
      if (name.includes('\uFFFD')) {
        stats.skipped.push({ path: key, reason: 'name is not valid UTF-8' })
        continue
      }
      const path = join(abs, name)
      try {
        const st = lstatSync(path)
        const mode = st.mode & 0o7777
        const mtimeMs = Math.max(0, Math.round(st.mtimeMs))
        if (st.isDirectory()) {
          entries.push([key, dirEntry(mode, mtimeMs)])
          stats.dirs++
          subdirs.push(key)
        } else if (st.isSymbolicLink()) {
          const target = encoder.encode(readlinkSync(path))
          entries.push([key, { kind: 'symlink', id: store.put(target), manifest: false, sizeBytes: target.length, mode, mtimeMs }])
          stats.symlinks++
        } else if (st.isFile()) {
          const stored = storeLocalFile(store, path, chunker, scratch)
          entries.push([key, { kind: 'file', id: stored.id, manifest: stored.manifest, sizeBytes: stored.sizeBytes, mode, mtimeMs }])
          stats.files++
          stats.chunks += stored.chunks
          stats.logicalBytes += stored.sizeBytes
        } else {
          stats.skipped.push({ path: key, reason: 'not a regular file, directory or symlink' })
        }
      } catch (error) {
        stats.skipped.push({ path: key, reason: (error as Error).message })
      }
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!)
  }
  return { entries, stats }
}

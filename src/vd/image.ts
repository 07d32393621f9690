/**
 * Disk images as fixed 4 KiB blocks: block n is the map key "n" (an entry of kind `block`); blocks
 * of zeros are holes, not stored, and the image's length is kept in the snapshot record. Export
 * recreates the image byte for byte (holes become sparse regions). Uses synchronous node:fs.
 */
import { closeSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs'
import { BLOCK_BYTES } from './chunker.ts'
import { CorruptObjectError } from './object-id.ts'
import type { MapEntry } from './map-entry.ts'
import type { ObjectStore } from './object-store.ts'
import { blockKey, parseBlockKey } from './vd-path.ts'

export interface ImageImportStats {
  imageSizeBytes: number
  blocks: number
  zeroBlocks: number
}

const ZERO = Buffer.alloc(BLOCK_BYTES)
const READ_BLOCKS = 1024

export function blockEntry (store: ObjectStore, bytes: Uint8Array): MapEntry {
  return { kind: 'block', id: store.put(bytes), manifest: false, sizeBytes: bytes.length, mode: 0, mtimeMs: 0 }
}

/** True when every byte is zero. */
export function isZeroBlock (bytes: Uint8Array): boolean {
  return ZERO.subarray(0, bytes.length).equals(bytes)
}

/** Stores the non-zero blocks of the image file at `path`. */
export function scanImage (store: ObjectStore, path: string): { entries: Array<[string, MapEntry]>, stats: ImageImportStats } {
  const entries: Array<[string, MapEntry]> = []
  const stats: ImageImportStats = { imageSizeBytes: 0, blocks: 0, zeroBlocks: 0 }
  const buf = Buffer.allocUnsafe(BLOCK_BYTES * READ_BLOCKS)
  const fd = openSync(path, 'r')
  try {
    let block = 0
    while (true) {
      let fill = 0
      while (fill < buf.length) {
        const n = readSync(fd, buf, fill, buf.length - fill, null)
        if (n === 0) break
        fill += n
      }
      for (let at = 0; at < fill; at += BLOCK_BYTES, block++) {
        const bytes = buf.subarray(at, Math.min(fill, at + BLOCK_BYTES))
        stats.blocks++
        if (isZeroBlock(bytes)) stats.zeroBlocks++
        else entries.push([blockKey(block), blockEntry(store, bytes)])
      }
      stats.imageSizeBytes += fill
      if (fill < buf.length) break
    }
  } finally {
    closeSync(fd)
  }
  return { entries, stats }
}

/** Writes the image: `sizeBytes` long, each block entry at its offset, zeros elsewhere. */
export function exportImage (store: ObjectStore, entries: Iterable<[string, MapEntry]>, sizeBytes: number, outPath: string): void {
  const fd = openSync(outPath, 'wx', 0o644)
  try {
    ftruncateSync(fd, sizeBytes)
    for (const [key, entry] of entries) {
      const offset = parseBlockKey(key) * BLOCK_BYTES
      const bytes = store.get(entry.id!)
      if (bytes.length !== entry.sizeBytes || offset + bytes.length > sizeBytes) throw new CorruptObjectError(entry.id, `block ${key} does not fit the image`)
      let done = 0
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, offset + done)
    }
  } finally {
    closeSync(fd)
  }
}

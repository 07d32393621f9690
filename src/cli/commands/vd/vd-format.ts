/** Text forms of VD entries, changes and conflicts for `xest vd` output. Pure functions. */
import type { EntryChange } from '../../../vd/map-diff.ts'
import type { MapEntry } from '../../../vd/map-entry.ts'
import type { Conflict } from '../../../vd/resolvers.ts'

export function formatBytes (bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++ }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`
}

function kindChar (e: MapEntry): string {
  return e.kind === 'dir' ? 'd' : e.kind === 'symlink' ? 'l' : e.kind === 'block' ? 'b' : '-'
}

export function formatEntry (key: string, e: MapEntry): string {
  return `${kindChar(e)}${e.mode.toString(8).padStart(4, '0')} ${String(e.sizeBytes).padStart(10)} ${e.id === null ? '-'.repeat(12) : e.id.slice(0, 12)} ${key}`
}

export function formatChange (c: EntryChange): string {
  const sign = c.before === null ? 'A' : c.after === null ? 'D' : c.before.kind !== c.after.kind ? 'T' : 'M'
  return `${sign} ${c.key}`
}

function side (e: MapEntry | null): string {
  return e === null ? 'deleted' : `${e.kind} ${e.id?.slice(0, 8) ?? ''}`.trim()
}

export function formatConflict (c: Conflict): string {
  const state = c.resolution === null ? `UNRESOLVED (${c.reason ?? c.resolver})` : `resolved: ${c.resolution} by ${c.resolver}`
  return `  ${c.kind.padEnd(13)} ${c.path}${c.subtree ? `/ (+${c.below.length} below)` : ''}  ours: ${side(c.ours)}, theirs: ${side(c.theirs)}  ${state}`
}

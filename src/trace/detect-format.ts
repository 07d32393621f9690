/**
 * Guesses a trace file's format from its first bytes: the `.xtrace` magic, else the first data
 * lines (gzip files are inflated for the look). Rules are checked in a fixed order, from the
 * most to the least specific, so the answer never depends on anything but the file's head.
 * Returns undefined when nothing fits; never reads more than 64 KiB.
 */
import { constants, gunzipSync } from 'node:zlib'
import { isGzip, readHead } from './line-source.ts'
import type { TraceFormat } from './trace-source.ts'
import { XTRACE_MAGIC } from './xtrace-format.ts'

const HEAD_BYTES = 64 * 1024
const LINES_LOOKED_AT = 20

const LINE_RULES: Array<[TraceFormat, RegExp]> = [
  ['strace', /^(?:\[pid\s+\d+\]\s+|\d+\s+)?(?:[\d:.]+\s+)?(?:[A-Za-z_][A-Za-z0-9_]*\(.*(?:\)\s+=\s+|<unfinished \.\.\.>$)|<\.\.\. \w+ resumed>|\+\+\+ |--- )/],
  ['blkparse', /^\s*\d+,\d+\s+\d+\s+\d+\s+\d+\.\d+\s+\d+\s+\S+\s+\S+/],
  ['cloudphysics', /^(?:version,time,op,size,lbn|\d+,[\d.]+,[0-9a-fA-F]{1,2},\d+,\d+)$/],
  ['msr', /^(?:Timestamp,|\d+,[^,]+,\d+,(?:Read|Write),\d+,\d+,\d+$)/i],
  ['spc', /^\d+,\d+,\d+,[rRwW],[\d.]+(?:,|$)/],
  ['mqsim', /^\s*\d+\s+\d+\s+\d+\s+\d+\s+[01]\s*$/],
  ['refs', /^\s*(?:\S+|\d+(?:\s+\d+){1,3})\s*$/]
]

export function detectFormat (path: string): TraceFormat | undefined {
  let head = readHead(path, HEAD_BYTES)
  if (head.toString('latin1', 0, 4) === XTRACE_MAGIC) return 'xtrace'
  if (isGzip(head)) {
    try {
      head = gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, HEAD_BYTES)
    } catch {
      return undefined
    }
  }
  const lines = head.toString('utf8').split('\n')
  if (head.length === HEAD_BYTES && lines.length > 1) lines.pop()
  const data = lines.map((l) => l.replace(/\r$/, '')).filter((l) => l.trim().length > 0 && !l.startsWith('#') && l.trim() !== '*').slice(0, LINES_LOOKED_AT)
  if (data.length === 0) return undefined
  for (const [format, rule] of LINE_RULES) {
    const fits = data.filter((line) => rule.test(line)).length
    if (fits > 0 && fits >= Math.ceil(data.length / 2)) return format
  }
  return undefined
}

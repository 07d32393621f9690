/**
 * `xest trace stats FILE`: one pass over any supported trace, printing records, read/write mix,
 * bytes, distinct keys, objects and reuse-distance quantiles (trace-stats.ts), as text or JSON.
 */
import { toJson } from '../../json.ts'
import { openTrace } from '../../../trace/open-trace.ts'
import { computeTraceStats } from '../../../trace/trace-stats.ts'
import type { TraceStatsArgs } from './command.ts'

export function runTraceStats (args: TraceStatsArgs): void {
  const startedMs = performance.now()
  const source = openTrace(args.file, { format: args.format, onBadLine: args.onBadLine, blkparseAction: args.blkparseAction })
  const stats = computeTraceStats(source, { blockBytes: args.blockBytes, fileChunkBytes: args.fileChunkBytes })
  const counts = source.counts
  const result = { file: args.file, format: source.format, ...stats, badLines: counts.badLines, firstBadLine: counts.firstBadLine, wallMs: Math.round(performance.now() - startedMs) }
  if (args.json) {
    process.stdout.write(toJson(result) + '\n')
    return
  }
  const pct = (part: number, whole: number): string => whole === 0 ? '-' : `${(100 * part / whole).toFixed(1)}%`
  const r = stats.reuse
  process.stdout.write([
    `${args.file} (${source.format})`,
    `  records         ${stats.records}  (reads ${pct(stats.reads, stats.records)}, writes ${pct(stats.writes, stats.records)})`,
    `  bytes           read ${stats.readBytes}, written ${stats.writtenBytes}  (reads ${pct(stats.readBytes, stats.readBytes + stats.writtenBytes)} of bytes)`,
    `  keys            ${stats.keys}  (files or devices), ${stats.processes} processes, span ${(stats.timeSpanUs / 1e6).toFixed(3)} s`,
    `  references      ${stats.references} to ${stats.objects} objects (${args.fileChunkBytes === undefined ? 'whole files' : `${args.fileChunkBytes}-byte file chunks`}, ${args.blockBytes}-byte blocks), footprint ${stats.footprintBytes} bytes`,
    `  reuse distance  p50 ${r.p50}, p90 ${r.p90}, p99 ${r.p99}, max ${r.max}, mean ${r.mean.toFixed(1)}; ${r.firstReferences} first references`,
    counts.badLines > 0 ? `  skipped         ${counts.badLines} malformed lines; first: ${counts.firstBadLine}` : ''
  ].filter((line) => line.length > 0).join('\n') + '\n')
}

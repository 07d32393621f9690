/**
 * `xest trace convert IN OUT`: reads any supported trace format (openTrace) and writes the
 * project's `.xtrace`, with the source file and format in the header. Prints what was read,
 * written and skipped. Never overwrites IN with itself.
 */
import { basename, resolve } from 'node:path'
import { UsageError } from '../../handle-errors.ts'
import { toJson } from '../../json.ts'
import { openTrace } from '../../../trace/open-trace.ts'
import { writeXtrace } from '../../../trace/xtrace-writer.ts'
import type { TraceConvertArgs } from './command.ts'

export function runTraceConvert (args: TraceConvertArgs): void {
  if (resolve(args.input) === resolve(args.output)) throw new UsageError('input and output are the same file')
  const startedMs = performance.now()
  const source = openTrace(args.input, { format: args.format, onBadLine: args.onBadLine, blkparseAction: args.blkparseAction })
  const written = writeXtrace(args.output, source, { convertedFrom: basename(args.input), format: source.format })
  const wallMs = performance.now() - startedMs
  const counts = source.counts
  const summary = {
    input: args.input, format: source.format, output: args.output, records: written.records, strings: written.strings,
    fileBytes: written.fileBytes, lines: counts.lines, ignoredLines: counts.ignoredLines, badLines: counts.badLines,
    firstBadLine: counts.firstBadLine, wallMs: Math.round(wallMs)
  }
  if (args.json) {
    process.stdout.write(toJson(summary) + '\n')
    return
  }
  process.stdout.write(`${args.input} (${source.format}) -> ${args.output}: ${written.records} records, ${written.fileBytes} bytes, ${(wallMs / 1000).toFixed(2)} s\n`)
  if (counts.badLines > 0) process.stdout.write(`skipped ${counts.badLines} malformed lines; first: ${counts.firstBadLine}\n`)
}

/**
 * `xest trace record`: runs a command under strace (`-f -ttt -y -s 0`, only the file-access
 * calls the strace reader uses) with the raw log in a temporary directory, then converts the log
 * to `.xtrace` with the command line, strace's arguments and the start time in the header. The
 * command's own stdin, stdout and stderr pass through. A missing strace, a strace that cannot
 * trace (ptrace forbidden) or an empty log is a clear error; a command that exits non-zero still
 * leaves its trace and makes the exit status 1.
 */
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { UsageError } from '../../handle-errors.ts'
import { toJson } from '../../json.ts'
import { readStrace } from '../../../trace/readers/strace-reader.ts'
import { writeXtrace } from '../../../trace/xtrace-writer.ts'
import type { TraceRecordArgs } from './command.ts'

/** The calls recorded; `?` lets strace skip names this architecture lacks (open, stat on arm64). */
export const STRACE_SYSCALLS = [
  'execve', 'execveat', 'clone', 'clone3', 'fork', 'vfork',
  'open', 'openat', 'openat2', 'creat', 'close', 'lseek', 'mmap',
  'read', 'pread64', 'readv', 'preadv', 'preadv2', 'write', 'pwrite64', 'writev', 'pwritev', 'pwritev2',
  'stat', 'lstat', 'newfstatat', 'statx'
]

export function straceArguments (logPath: string, command: readonly string[]): string[] {
  return ['-f', '-ttt', '-y', '-s', '0', '-o', logPath, '-e', 'trace=' + STRACE_SYSCALLS.map((name) => '?' + name).join(','), '--', ...command]
}

/** The words after the first `--` of the process's arguments. */
export function commandAfterDashes (argv: readonly string[]): string[] {
  const at = argv.indexOf('--')
  return at < 0 ? [] : argv.slice(at + 1)
}

export function runTraceRecord (args: TraceRecordArgs): void {
  const command = commandAfterDashes(process.argv)
  if (command.length === 0) throw new UsageError('name the command to record after --, e.g. xest trace record --out py.xtrace -- python3 -c "import json"')
  const dir = mkdtempSync(join(tmpdir(), 'xest-trace-record-'))
  try {
    const logPath = join(dir, 'strace.log')
    const straceArgs = straceArguments(logPath, command)
    const startedAt = new Date().toISOString()
    const startedMs = performance.now()
    const run = spawnSync('strace', straceArgs, { stdio: 'inherit' })
    const wallMs = performance.now() - startedMs
    if (run.error !== undefined) {
      const code = (run.error as NodeJS.ErrnoException).code
      if (code === 'ENOENT') throw new Error('strace is not installed (not found on PATH); install it, e.g. apt-get install strace', { cause: run.error })
      throw new Error(`cannot run strace: ${run.error.message}`, { cause: run.error })
    }
    if (!existsSync(logPath) || statSync(logPath).size === 0) {
      throw new Error(`strace wrote no trace (exit status ${run.status ?? run.signal}); see its message above (in a container, ptrace may be forbidden: run with --cap-add SYS_PTRACE)`)
    }
    if (args.keepStrace !== undefined) copyFileSync(logPath, args.keepStrace)
    const source = readStrace(logPath, { onBadLine: 'skip' })
    const meta = { recordedWith: 'xest trace record', command, strace: ['strace', ...straceArgs.map((a) => a === logPath ? 'LOG' : a)].join(' '), startedAt, exitStatus: run.status, signal: run.signal }
    const files = new Set<string>()
    const processes = new Set<string>()
    let readBytes = 0
    let writtenBytes = 0
    const written = writeXtrace(args.out, (function * () {
      for (const chunk of source) {
        for (const record of chunk) {
          files.add(record.key)
          if (record.process !== undefined) processes.add(record.process)
          if (record.op === 'r') readBytes += record.sizeBytes
          else writtenBytes += record.sizeBytes
        }
        yield chunk
      }
    })(), meta)
    const counts = source.counts
    const summary: RecordSummary = {
      out: args.out, command, records: written.records, files: files.size, processes: processes.size, readBytes, writtenBytes,
      fileBytes: written.fileBytes, straceLines: counts.lines, unparsedStraceLines: counts.badLines, firstUnparsedLine: counts.firstBadLine,
      exitStatus: run.status, signal: run.signal, wallMs: Math.round(wallMs)
    }
    printSummary(summary, args.json)
    if (run.status !== 0) {
      process.stderr.write(`xest: the command exited with ${run.status === null ? `signal ${run.signal}` : `status ${run.status}`}; its trace was written anyway\n`)
      process.exitCode = 1
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

interface RecordSummary {
  out: string
  command: string[]
  records: number
  files: number
  processes: number
  readBytes: number
  writtenBytes: number
  fileBytes: number
  straceLines: number
  unparsedStraceLines: number
  firstUnparsedLine: string | undefined
  exitStatus: number | null
  signal: string | null
  wallMs: number
}

function printSummary (summary: RecordSummary, json: boolean): void {
  if (json) {
    process.stdout.write(toJson(summary) + '\n')
    return
  }
  process.stdout.write(`recorded ${summary.records} accesses to ${summary.files} files by ${summary.processes} processes ` +
    `(${summary.readBytes} bytes read, ${summary.writtenBytes} written) in ${(summary.wallMs / 1000).toFixed(1)} s -> ${summary.out} (${summary.fileBytes} bytes)\n`)
  if (summary.unparsedStraceLines > 0) process.stderr.write(`xest: ${summary.unparsedStraceLines} strace lines not understood and skipped; first: ${summary.firstUnparsedLine}\n`)
}

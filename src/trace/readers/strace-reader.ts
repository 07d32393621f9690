/**
 * Reads strace output (`strace -f -tt|-ttt [-y] -o FILE`) as a file-access trace: successful
 * opens, execs and stats of regular files become size-0 records, reads and writes (plain,
 * vectored, positioned) become records of the bytes transferred at the offset they touched, and
 * file-backed mmaps become records of the mapped range. `<unfinished ...>`/`resumed` pairs are
 * joined (the call is timed at its start). Paths come from `-y` annotations when present, else
 * from a descriptor table built from the opens; positions of plain reads and writes are tracked
 * per process and descriptor. Threads (clones with CLONE_THREAD) count as their process: the
 * `process` of a record is `program[pid]` (program from the last exec). Failed calls,
 * directories, pipes, sockets and /dev, /proc, /sys are ignored. Never runs strace itself.
 */
import { basename, posix } from 'node:path'
import { LineError } from '../trace-error.ts'
import type { TraceOp, TraceRecord } from '../trace-record.ts'
import type { TraceReadOptions, TraceSource } from '../trace-source.ts'
import { readTextTrace, TimeOrigin, type LineParser } from '../text-trace-reader.ts'
import { parseFdArg, parseNumberArg, parseStringArg, splitCall, type StraceCall } from './strace-syntax.ts'

const PREFIX = /^(?:\[pid\s+(\d+)\]\s+|(\d+)\s+)?(?:(\d{1,2}):(\d\d):(\d\d)(?:\.(\d{1,9}))?\s+|(\d+)\.(\d{1,9})\s+)?(.*)$/
const RESUMED = /^<\.\.\. ([A-Za-z0-9_]+) resumed>\s?(.*)$/
const UNFINISHED = '<unfinished ...>'
const DAY_US = 86_400_000_000

/** Offset argument index of the positioned calls; -1 for calls at the descriptor's position. */
const READS: Record<string, number> = { read: -1, readv: -1, pread64: 3, preadv: 3, preadv2: 3 }
const WRITES: Record<string, number> = { write: -1, writev: -1, pwrite64: 3, pwritev: 3, pwritev2: 3 }
const OPENS: Record<string, number> = { open: 0, creat: 0, openat: 1, openat2: 1 }
const STATS: Record<string, number> = { stat: 0, lstat: 0, stat64: 0, lstat64: 0, newfstatat: 1, fstatat64: 1, statx: 1 }

interface OpenFile { path: string, posBytes: number }

export class StraceParser implements LineParser {
  readonly #time = new TimeOrigin()
  #lastClockUs = -1
  #dayUs = 0
  readonly #pending = new Map<string, { head: string, sourceUs: number }>()
  readonly #files = new Map<string, OpenFile>()
  readonly #names = new Map<string, string>()
  /** Thread id -> id of the process it belongs to (from clones with CLONE_THREAD). */
  readonly #owners = new Map<string, string>()

  parseLine (line: string): TraceRecord | null {
    if (line.startsWith('strace: ')) return null
    const m = PREFIX.exec(line) as RegExpExecArray
    const pid = m[1] ?? m[2] ?? ''
    let sourceUs = this.#sourceUs(m)
    let body = m[9] as string
    if (body.startsWith('+++ ') || body.startsWith('--- ')) return null
    const resumed = RESUMED.exec(body)
    if (resumed !== null) {
      const pending = this.#pending.get(pid)
      this.#pending.delete(pid)
      if (pending === undefined || !pending.head.startsWith((resumed[1] as string) + '(')) return null
      body = pending.head + (resumed[2] as string)
      sourceUs = pending.sourceUs
    } else if (body.endsWith(UNFINISHED)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*\(/.test(body)) throw new LineError('not a system call')
      this.#pending.set(pid, { head: body.slice(0, -UNFINISHED.length).replace(/ $/, ''), sourceUs })
      return null
    }
    const call = splitCall(body)
    if (call === null) throw new LineError('not a system call line (expected NAME(ARGS) = RESULT)')
    if (call.ret === '?' || call.ret.startsWith('-')) return null
    return this.#onCall(call, this.#owners.get(pid) ?? pid, this.#time.toUs(sourceUs))
  }

  #sourceUs (m: RegExpExecArray): number {
    if (m[7] !== undefined) return Number(m[7]) * 1e6 + fractionUs(m[8] as string)
    if (m[3] === undefined) return 0
    const clockUs = ((Number(m[3]) * 60 + Number(m[4])) * 60 + Number(m[5])) * 1e6 + fractionUs(m[6] ?? '')
    return this.#wrapDay(clockUs)
  }

  #wrapDay (clockUs: number): number {
    if (this.#lastClockUs >= 0 && clockUs < this.#lastClockUs - DAY_US / 2) this.#dayUs += DAY_US
    this.#lastClockUs = clockUs
    return this.#dayUs + clockUs
  }

  #onCall (call: StraceCall, pid: string, timeUs: number): TraceRecord | null {
    const name = call.name
    if (name in READS) return this.#onTransfer(call, pid, timeUs, 'r', READS[name] as number)
    if (name in WRITES) return this.#onTransfer(call, pid, timeUs, 'w', WRITES[name] as number)
    if (name in OPENS) return this.#onOpen(call, pid, timeUs, OPENS[name] as number)
    if (name in STATS) return this.#onStat(call, pid, timeUs, STATS[name] as number)
    switch (name) {
      case 'lseek': {
        const file = this.#file(pid, call.args[0])
        if (file !== undefined) file.posBytes = Number(call.ret)
        return null
      }
      case 'close':
        this.#files.delete(`${pid}:${parseFdArg(call.args[0]).fd}`)
        return null
      case 'mmap': return this.#onMmap(call, pid, timeUs)
      case 'execve': case 'execveat': return this.#onExec(call, pid, timeUs)
      case 'clone': case 'clone3': case 'fork': case 'vfork': {
        if (!/^\d+$/.test(call.ret)) return null
        if (call.args.some((arg) => arg.includes('CLONE_THREAD'))) this.#owners.set(call.ret, pid)
        const parentName = this.#names.get(pid)
        if (parentName !== undefined) this.#names.set(call.ret, parentName)
        return null
      }
      default: return null
    }
  }

  #onTransfer (call: StraceCall, pid: string, timeUs: number, op: TraceOp, offsetArg: number): TraceRecord | null {
    const sizeBytes = Number(call.ret)
    const file = this.#file(pid, call.args[0])
    if (file === undefined || !(sizeBytes > 0)) return null
    let offsetBytes: number
    if (offsetArg < 0) {
      offsetBytes = file.posBytes
      file.posBytes += sizeBytes
    } else {
      offsetBytes = parseNumberArg(call.args[offsetArg])
      if (Number.isNaN(offsetBytes)) throw new LineError(`${call.name}: offset ${JSON.stringify(call.args[offsetArg] ?? '')} is not a number`)
    }
    return this.#record(timeUs, file.path, offsetBytes, sizeBytes, op, pid)
  }

  #onOpen (call: StraceCall, pid: string, timeUs: number, pathArg: number): TraceRecord | null {
    const flags = call.args[pathArg + 1] ?? ''
    if (flags.includes('O_DIRECTORY')) return null
    const path = call.retPath ?? this.#resolve(pid, pathArg === 0 ? undefined : call.args[0], call.args[pathArg])
    if (path === undefined || !isFilePath(path)) return null
    this.#files.set(`${pid}:${call.ret}`, { path: cleanPath(path), posBytes: 0 })
    const writes = call.name === 'creat' || /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC/.test(flags)
    return this.#record(timeUs, path, 0, 0, writes ? 'w' : 'r', pid)
  }

  #onStat (call: StraceCall, pid: string, timeUs: number, pathArg: number): TraceRecord | null {
    const struct = call.args[pathArg + 1] ?? ''
    if (/st_mode=S_IF|stx_mode=S_IF/.test(struct) && !/mode=S_IFREG/.test(struct)) return null
    if (call.args[pathArg] === '""') return null
    const path = this.#resolve(pid, pathArg === 0 ? undefined : call.args[0], call.args[pathArg])
    return path === undefined || !isFilePath(path) ? null : this.#record(timeUs, path, 0, 0, 'r', pid)
  }

  #onMmap (call: StraceCall, pid: string, timeUs: number): TraceRecord | null {
    const fd = parseFdArg(call.args[4])
    if (!(fd.fd >= 0)) return null
    const file = this.#file(pid, call.args[4])
    const sizeBytes = parseNumberArg(call.args[1])
    const offsetBytes = parseNumberArg(call.args[5])
    if (Number.isNaN(sizeBytes) || Number.isNaN(offsetBytes)) throw new LineError('mmap: length or offset is not a number')
    if (file === undefined) return null
    const shared = /PROT_WRITE/.test(call.args[2] ?? '') && /MAP_SHARED/.test(call.args[3] ?? '')
    return this.#record(timeUs, file.path, offsetBytes, sizeBytes, shared ? 'w' : 'r', pid)
  }

  #onExec (call: StraceCall, pid: string, timeUs: number): TraceRecord | null {
    const path = parseStringArg(call.args[call.name === 'execveat' ? 1 : 0])
    if (path === undefined) return null
    this.#names.set(pid, basename(path))
    return isFilePath(path) ? this.#record(timeUs, path, 0, 0, 'r', pid) : null
  }

  /** The open file a descriptor argument names: its `-y` path, else the descriptor table's. */
  #file (pid: string, arg: string | undefined): OpenFile | undefined {
    const fd = parseFdArg(arg)
    if (Number.isNaN(fd.fd)) throw new LineError(`descriptor ${JSON.stringify(arg ?? '')} is not a number`)
    const slot = `${pid}:${fd.fd}`
    const known = this.#files.get(slot)
    if (fd.path === undefined) return known
    const path = cleanPath(fd.path)
    if (!isFilePath(path)) return undefined
    if (known !== undefined && known.path === path) return known
    const file = { path, posBytes: 0 }
    this.#files.set(slot, file)
    return file
  }

  #resolve (pid: string, dirArg: string | undefined, pathArg: string | undefined): string | undefined {
    const path = parseStringArg(pathArg)
    if (path === undefined) throw new LineError(`path ${JSON.stringify(pathArg ?? '')} is not a quoted string`)
    if (path.startsWith('/') || dirArg === undefined) return path
    const dir = parseFdArg(dirArg)
    const dirPath = dir.path ?? this.#files.get(`${pid}:${dir.fd}`)?.path
    return dirPath === undefined ? path : posix.resolve(cleanPath(dirPath), path)
  }

  #record (timeUs: number, path: string, offsetBytes: number, sizeBytes: number, op: TraceOp, pid: string): TraceRecord {
    const name = this.#names.get(pid)
    const key = cleanPath(path)
    if (pid === '') return name === undefined ? { timeUs, key, offsetBytes, sizeBytes, op } : { timeUs, key, offsetBytes, sizeBytes, op, process: name }
    return { timeUs, key, offsetBytes, sizeBytes, op, process: name === undefined ? pid : `${name}[${pid}]` }
  }
}

function fractionUs (digits: string): number {
  return digits.length === 0 ? 0 : Math.round(Number(digits) * 10 ** (6 - digits.length))
}

function cleanPath (path: string): string {
  return path.endsWith(' (deleted)') ? path.slice(0, -' (deleted)'.length) : path
}

/** A path worth recording: a file, not a pipe, socket, anonymous inode or pseudo file system. */
export function isFilePath (path: string): boolean {
  if (path.length === 0 || /^[a-z_]+:\[/.test(path) || path.startsWith('anon_inode:')) return false
  return !(path.startsWith('/dev/') || path.startsWith('/proc/') || path.startsWith('/sys/'))
}

export function readStrace (path: string, options: TraceReadOptions = {}): TraceSource {
  return readTextTrace(path, 'strace', () => new StraceParser(), options)
}

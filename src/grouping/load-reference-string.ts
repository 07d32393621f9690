/**
 * Loads a trace file as the grouping's ReferenceString. A plain reference list (format `list`:
 * one key per line, each distinct key one object of unknown size; blank lines and `#` comments
 * skipped) is read here; every other format goes through the trace readers (`openTrace`) and
 * `toReferenceString` with `blockBytes`. Without a format, a file whose first data lines are all
 * single tokens is a plain list, and anything else is left to openTrace's detection. Reads the
 * file; never writes.
 */
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import type { ReferenceString } from '../trace/trace-record.ts'

export const LIST_FORMAT = 'list'

export interface LoadReferenceOptions {
  /** `list`, or a trace format openTrace knows (cloudphysics, msr, spc, blkparse, refs, xtrace, …). */
  format?: string
  /** Block size for block traces. @default 4096 */
  blockBytes?: number
  /** Malformed lines of other formats: fail (default) or skip and count. */
  onBadLine?: 'fail' | 'skip'
}

export interface LoadedReferenceString {
  rs: ReferenceString
  format: string
  /** Trace records read (list: references). */
  records: number
  /** Malformed lines skipped. */
  badLines: number
}

export async function loadReferenceString (path: string, options: LoadReferenceOptions = {}): Promise<LoadedReferenceString> {
  const format = options.format ?? (await looksLikeList(path) ? LIST_FORMAT : undefined)
  if (format === LIST_FORMAT) return await readList(path)
  const { openTrace } = await import('../trace/open-trace.ts')
  const { toReferenceString } = await import('../trace/reference-string.ts')
  const { TRACE_FORMATS } = await import('../trace/trace-source.ts')
  if (format !== undefined && !(TRACE_FORMATS as readonly string[]).includes(format)) {
    throw new RangeError(`unknown trace format "${format}"; one of ${[LIST_FORMAT, ...TRACE_FORMATS].join(', ')}`)
  }
  const source = openTrace(path, { format: format as (typeof TRACE_FORMATS)[number] | undefined, onBadLine: options.onBadLine ?? 'fail' })
  const rs = toReferenceString(source, { blockBytes: options.blockBytes ?? 4096 })
  return { rs, format: source.format, records: source.counts.records, badLines: source.counts.badLines }
}

/** True when the first (up to 20) data lines of the file's first 64 KiB are single tokens. */
async function looksLikeList (path: string): Promise<boolean> {
  let handle
  try {
    handle = await open(path, 'r')
  } catch (error) {
    throw new Error(`cannot read trace ${path}`, { cause: error })
  }
  try {
    const buffer = Buffer.alloc(64 * 1024)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    if (bytesRead >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b) return false // gzip: leave it to openTrace
    const lines = buffer.toString('utf8', 0, bytesRead).split('\n')
    if (bytesRead === buffer.length) lines.pop()
    const data = lines.map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith('#')).slice(0, 20)
    // Printable single tokens only: binary formats (control bytes, invalid UTF-8) and delimited text are not lists.
    return data.length > 0 && data.every((l) => /^[^\s,;\u0000-\u001f\u007f\ufffd]+$/.test(l) && l !== '*')
  } finally {
    await handle.close()
  }
}

async function readList (path: string): Promise<LoadedReferenceString> {
  const ids = new Map<string, number>()
  const keys: string[] = []
  let refs = new Int32Array(1 << 16)
  let length = 0
  let lineNumber = 0
  const stream = createReadStream(path, { encoding: 'utf8' })
  const lines = createInterface({ input: stream, crlfDelay: Infinity })
  try {
    for await (const raw of lines) {
      lineNumber++
      const key = raw.trim()
      if (key.length === 0 || key.startsWith('#')) continue
      if (/\s/.test(key)) throw new Error(`${path}:${lineNumber}: a reference list has one key per line, got "${key.slice(0, 80)}"`)
      let id = ids.get(key)
      if (id === undefined) {
        id = keys.length
        if (id >= 2 ** 31 - 1) throw new Error(`${path}:${lineNumber}: too many distinct keys`)
        ids.set(key, id)
        keys.push(key)
      }
      if (length === refs.length) { const bigger = new Int32Array(refs.length * 2); bigger.set(refs); refs = bigger }
      refs[length++] = id
    }
  } catch (error) {
    if (error instanceof Error && error.message.startsWith(`${path}:`)) throw error
    throw new Error(`cannot read trace ${path}`, { cause: error })
  } finally {
    lines.close()
    stream.destroy()
  }
  return { rs: { refs: refs.slice(0, length), keys, sizesBytes: new Float64Array(keys.length) }, format: LIST_FORMAT, records: length, badLines: 0 }
}

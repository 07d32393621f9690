/**
 * The frame shared by the text trace readers: streams the file's lines (line-source.ts), hands
 * each to a format's LineParser and collects records into chunks. A malformed line either throws
 * `file:line: message` (the default) or is skipped and counted (`onBadLine: 'skip'`). Blank lines
 * and lines starting with `#` are ignored in every text format. Never holds more than one chunk.
 */
import { LineError, TraceFormatError } from './trace-error.ts'
import type { TraceRecord } from './trace-record.ts'
import { readLineBatches } from './line-source.ts'
import { MAX_FIELD } from './xtrace-format.ts'
import { emptyCounts, type TraceFormat, type TraceReadOptions, type TraceSource } from './trace-source.ts'

/** Parses one line of a format. Stateful parsers (time origin, strace calls split over lines) are fresh per pass. */
export interface LineParser {
  /** The record on this line, or null for a well-formed line without one; throws LineError when malformed. */
  parseLine (line: string): TraceRecord | null
}

export const DEFAULT_CHUNK_RECORDS = 8192

export function readTextTrace (path: string, format: TraceFormat, makeParser: () => LineParser, options: TraceReadOptions = {}): TraceSource {
  const chunkRecords = options.chunkRecords ?? DEFAULT_CHUNK_RECORDS
  const skipBad = options.onBadLine === 'skip'
  let counts = emptyCounts()
  return {
    path,
    format,
    get counts () { return counts },
    * [Symbol.iterator] () {
      const current = counts = emptyCounts()
      const parser = makeParser()
      let chunk: TraceRecord[] = []
      for (const batch of readLineBatches(path)) {
        const lines = batch.lines
        for (let i = 0; i < lines.length; i++) {
          const line = lines[i] as string
          current.lines++
          const first = line.charCodeAt(0)
          if (line.length === 0 || first === 35 /* # */ || (first <= 32 && line.trim() === '')) {
            current.ignoredLines++
            continue
          }
          let record: TraceRecord | null
          try {
            record = parser.parseLine(line)
            if (record !== null && !(record.offsetBytes + record.sizeBytes <= MAX_FIELD && record.timeUs <= MAX_FIELD)) {
              throw new LineError('offset + size or time beyond 2^52, more than the trace format holds')
            }
          } catch (error) {
            if (!(error instanceof LineError)) throw error
            const located = TraceFormatError.atLine(path, batch.firstLine + i, `${error.message} (${format} line: ${JSON.stringify(clip(line))})`)
            if (!skipBad) throw located
            current.badLines++
            current.firstBadLine ??= located.message
            continue
          }
          if (record === null) {
            current.ignoredLines++
            continue
          }
          chunk.push(record)
          if (chunk.length >= chunkRecords) {
            current.records += chunk.length
            yield chunk
            chunk = []
          }
        }
      }
      if (chunk.length > 0) {
        current.records += chunk.length
        yield chunk
      }
    }
  }
}

function clip (line: string): string {
  return line.length > 120 ? line.slice(0, 117) + '...' : line
}

/** Shared field helpers for the parsers: strict numbers with a LineError naming the field. */
export function wholeNumber (text: string | undefined, name: string): number {
  const value = text === undefined || text.length === 0 ? NaN : Number(text)
  if (!(Number.isSafeInteger(value) && value >= 0)) throw new LineError(`${name} ${JSON.stringify(text ?? '')} is not a whole number`)
  return value
}

export function decimalNumber (text: string | undefined, name: string): number {
  const value = text === undefined || text.trim().length === 0 ? NaN : Number(text)
  if (!(Number.isFinite(value) && value >= 0)) throw new LineError(`${name} ${JSON.stringify(text ?? '')} is not a non-negative number`)
  return value
}

/** Converts source times to whole microseconds since the first record (earlier times clamp to 0). */
export class TimeOrigin {
  #originUs: number | undefined
  toUs (sourceUs: number): number {
    this.#originUs ??= sourceUs
    return Math.max(0, Math.round(sourceUs - this.#originUs))
  }
}

/** Bytes per sector of the block formats that count in sectors. */
export const SECTOR_BYTES = 512

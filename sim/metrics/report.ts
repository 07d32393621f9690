/**
 * Writing a run's results: deterministic JSON (the same object graph always gives the same
 * bytes), RFC 4180 CSV tables, and a results directory with run.json plus one CSV per table.
 * Results never contain wall-clock time: nothing here reads a clock or adds timestamps, so two
 * runs with the same code, seed, configuration and inputs write byte-identical files.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Provenance } from './provenance.ts'

/** A JSON value after normalisation. */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

function bigintHex (v: bigint): string {
  return v < 0n ? '-0x' + (-v).toString(16) : '0x' + v.toString(16)
}

function compareKeys (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** A Map key as an object key. */
function keyString (key: unknown): string {
  if (typeof key === 'string') return key
  if (typeof key === 'bigint') return bigintHex(key)
  if (typeof key === 'number' || typeof key === 'boolean' || key === null || key === undefined) return String(key)
  return JSON.stringify(normalize(key, new Set(), ''))
}

function normalize (value: unknown, stack: Set<object>, key: string): Json | undefined {
  switch (typeof value) {
    case 'string': case 'boolean': return value
    case 'number': return Number.isFinite(value) ? (Object.is(value, -0) ? 0 : value) : null
    case 'bigint': return bigintHex(value)
    case 'undefined': case 'function': case 'symbol': return undefined
  }
  if (value === null) return null
  const obj = value as object
  if (stack.has(obj)) throw new TypeError(`toDeterministicJson: circular reference at "${key}"`)
  stack.add(obj)
  try {
    if (typeof (obj as { toJSON?: unknown }).toJSON === 'function') {
      return normalize((obj as { toJSON: (k: string) => unknown }).toJSON(key), stack, key)
    }
    if (obj instanceof Uint8Array) return Buffer.from(obj.buffer, obj.byteOffset, obj.byteLength).toString('hex')
    if (ArrayBuffer.isView(obj) && !(obj instanceof DataView)) {
      return Array.from(obj as unknown as ArrayLike<number | bigint>, (v, i) => normalize(v, stack, String(i)) ?? null)
    }
    if (Array.isArray(obj) || obj instanceof Set) {
      return Array.from(obj as Iterable<unknown>, (v, i) => normalize(v, stack, String(i)) ?? null)
    }
    const out: { [key: string]: Json } = {}
    if (obj instanceof Map) {
      const entries = [...obj].map(([k, v]) => [keyString(k), v] as const).sort(([a], [b]) => compareKeys(a, b))
      for (const [k, v] of entries) {
        const n = normalize(v, stack, k)
        if (n !== undefined) out[k] = n
      }
      return out
    }
    for (const k of Object.keys(obj)) {
      const n = normalize((obj as Record<string, unknown>)[k], stack, k)
      if (n !== undefined) out[k] = n
    }
    return out
  } finally {
    stack.delete(obj)
  }
}

/**
 * JSON with 2-space indentation that depends only on the value: bigint → "0x…" hex string,
 * Map → object with entries sorted by key, Set and typed arrays → arrays, Uint8Array → hex
 * string, NaN/±Infinity → null, −0 → 0, undefined members omitted (null in arrays). Plain
 * objects keep their own key order (deterministic for the same object graph). No trailing
 * newline. Throws TypeError on a circular reference.
 */
export function toDeterministicJson (value: unknown): string {
  return JSON.stringify(normalize(value, new Set(), '') ?? null, null, 2)
}

/**
 * A number as CSV text, deterministically: integers exactly; other numbers with |x| ≥ 1 to 6
 * decimal places, smaller ones to 6 significant digits; trailing zeros dropped; non-finite → "".
 */
export function formatCsvNumber (x: number): string {
  if (!Number.isFinite(x)) return ''
  if (Number.isInteger(x)) return Object.is(x, -0) ? '0' : String(x)
  const text = String(Number(Math.abs(x) >= 1 ? x.toFixed(6) : x.toPrecision(6)))
  return text === '-0' ? '0' : text
}

function csvField (value: unknown): string {
  let text: string
  if (value === null || value === undefined) text = ''
  else if (typeof value === 'number') text = formatCsvNumber(value)
  else if (typeof value === 'bigint') text = bigintHex(value)
  else if (typeof value === 'string') text = value
  else if (typeof value === 'boolean') text = String(value)
  else text = JSON.stringify(normalize(value, new Set(), '') ?? null)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/**
 * Rows as CSV: a header line, then one line per row, every line ending in "\n". Columns are
 * `columns` if given, else every key in order of first appearance. Fields containing a comma,
 * a double quote, CR or LF are quoted with inner quotes doubled (RFC 4180). Missing values,
 * null and non-finite numbers are empty; bigints are "0x…" hex; objects are compact JSON;
 * numbers follow `formatCsvNumber`.
 */
export function toCsv (rows: ReadonlyArray<Record<string, unknown>>, columns?: readonly string[]): string {
  let cols = columns
  if (cols === undefined) {
    const seen = new Set<string>()
    for (const row of rows) for (const k of Object.keys(row)) seen.add(k)
    cols = [...seen]
  }
  const lines = [cols.map(csvField).join(',')]
  for (const row of rows) lines.push(cols.map((c) => csvField(row[c])).join(','))
  return lines.join('\n') + '\n'
}

export interface RunResults {
  provenance: Provenance
  /** Headline numbers of the run (typically a SimMetrics snapshot plus derived values). */
  summary: unknown
  /** Tables by name; each becomes `<name>.csv` and also appears in run.json. */
  tables: Record<string, Array<Record<string, unknown>>>
}

const TABLE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

/**
 * Creates `dir` (recursively) and writes run.json ({ provenance, summary, tables }, via
 * `toDeterministicJson`, with a trailing newline) and one `<table>.csv` per table, in table-name
 * order. Returns the paths written, run.json first. Table names must be plain file names.
 */
export function writeRunResults (dir: string, results: RunResults): string[] {
  const names = Object.keys(results.tables).sort(compareKeys)
  for (const name of names) {
    if (!TABLE_NAME.test(name)) throw new Error(`table name "${name}" is not a plain file name`)
  }
  mkdirSync(dir, { recursive: true })
  const runPath = join(dir, 'run.json')
  const { provenance, summary, tables } = results
  writeFileSync(runPath, toDeterministicJson({ provenance, summary, tables }) + '\n')
  const written = [runPath]
  for (const name of names) {
    const path = join(dir, `${name}.csv`)
    writeFileSync(path, toCsv(tables[name]!))
    written.push(path)
  }
  return written
}

/**
 * Matrix network models: the one-way propagation delay of every ordered host pair, held as an
 * n×n Int32Array of µs, and parsers for the two matrix file formats — p2psim's E2EGraph topology
 * (the King data set as shipped with Bamboo) and plain square matrices. Parsing is pure
 * text → model: this module never reads files (see load-model.ts), never draws randomness and
 * never guesses a missing or inconsistent latency; bad input is a ModelParseError naming the line.
 */
import { basename } from 'node:path'
import type { NetworkModel } from '../network-model.ts'
import { clipForMessage, ModelParseError, parseDecimal } from './model-parse-error.ts'

/**
 * How a file's latency values are read. `'rtt'`: round-trip times in ms, one-way = value / 2
 * (what the King measurements are). `'one-way'`: one-way ms, one-way = value (how Bamboo's own
 * simulator, KingNetworkModel, reads the same file).
 */
export type LatencyValues = 'rtt' | 'one-way'

export interface MatrixParseOptions {
  /** How latency values are read; see LatencyValues. */
  values: LatencyValues
}

/** Largest host count a matrix file may declare (an n×n Int32Array of 256 MiB). */
export const MAX_MATRIX_HOSTS = 8192

const MAX_ONE_WAY_US = 2 ** 31 - 1

/** A network model given by an explicit one-way delay for every ordered pair of hosts. */
export class MatrixModel implements NetworkModel {
  readonly name: string
  readonly hostCount: number
  readonly #oneWayUs: Int32Array

  /**
   * @param name Short description for reports.
   * @param hostCount Number of hosts n ≥ 1.
   * @param oneWayUs n×n one-way delays, integer µs in 0 … 2³¹−1, row = source, column = target
   *   (index source × n + target); copied. The diagonal is ignored: a host is 0 µs from itself.
   */
  constructor (name: string, hostCount: number, oneWayUs: ArrayLike<number>) {
    if (!(Number.isInteger(hostCount) && hostCount >= 1)) {
      throw new RangeError(`hostCount must be a positive integer, got ${hostCount}`)
    }
    if (oneWayUs.length !== hostCount * hostCount) {
      throw new RangeError(`a ${hostCount}-host matrix needs ${hostCount * hostCount} entries, got ${oneWayUs.length}`)
    }
    const table = new Int32Array(hostCount * hostCount)
    for (let source = 0; source < hostCount; source++) {
      for (let target = 0; target < hostCount; target++) {
        if (source === target) continue
        const index = source * hostCount + target
        const valueUs = oneWayUs[index] ?? Number.NaN
        if (!(Number.isInteger(valueUs) && valueUs >= 0 && valueUs <= MAX_ONE_WAY_US)) {
          throw new RangeError(`oneWayUs ${source}→${target} = ${valueUs} is not an integer µs in 0 … 2^31−1`)
        }
        table[index] = valueUs
      }
    }
    this.name = name
    this.hostCount = hostCount
    this.#oneWayUs = table
  }

  oneWayUs (source: number, target: number): number {
    const n = this.hostCount
    if (!(Number.isInteger(source) && Number.isInteger(target) && source >= 0 && source < n && target >= 0 && target < n)) {
      throw new RangeError(`host pair ${source}→${target} is outside 0 … ${n - 1}`)
    }
    return this.#oneWayUs[source * n + target] as number // in range (checked above); diagonal is 0
  }
}

/** One-way µs for a latency `valueMs` read under `values`, or null when it does not fit. */
function toOneWayUs (valueMs: number, values: LatencyValues): number | null {
  const oneWayUs = Math.round(values === 'rtt' ? valueMs * 500 : valueMs * 1000)
  return oneWayUs <= MAX_ONE_WAY_US ? oneWayUs : null
}

function checkValues (options: MatrixParseOptions): LatencyValues {
  const values = options.values
  if (values !== 'rtt' && values !== 'one-way') throw new TypeError(`values must be 'rtt' or 'one-way', got ${String(values)}`)
  return values
}

/** 1-based number of the last non-blank line (1 for a blank text): where end-of-file errors point. */
function lastContentLine (lines: readonly string[]): number {
  for (let i = lines.length - 1; i >= 0; i--) if ((lines[i] ?? '').trim() !== '') return i + 1
  return 1
}

const TOPOLOGY_LINE = /^topology\s+E2EGraph\s+(\d+)$/
const HEADER_LINE = /^(?:failure_model|loss_rate)(?:\s|$)/
const NODE_LINE = /^node\s+(\d+)$/
const PAIR_LINE = /^(\d+)\s*,\s*(\d+)\s+(\S+)$/

/**
 * Parses a p2psim E2EGraph topology: `topology E2EGraph N`, optional `failure_model …` and
 * `loss_rate …` lines, `node 1` … `node N` in order, then one `i,j latency` line (ms, integer or
 * decimal) per unordered pair, in any order and either orientation. The matrix is symmetric;
 * node k of the file is host k − 1. Blank lines and CRLF line ends are tolerated; a repeated pair
 * must repeat the same value.
 * @param sourceName File name for the model's name and error messages.
 * @throws ModelParseError for a bad header, a node-numbering gap, a malformed pair line, an
 *   out-of-range or self pair, a negative or non-numeric latency, a conflicting duplicate, or a
 *   missing pair.
 */
export function parseKingTopology (text: string, sourceName: string, options: MatrixParseOptions): MatrixModel {
  const values = checkValues(options)
  const fail = (line: number, detail: string): never => { throw new ModelParseError(sourceName, line, detail) }
  const lines = text.split(/\r?\n/)
  let index = 0
  while (index < lines.length && (lines[index] ?? '').trim() === '') index++
  const first = (lines[index] ?? '').trim()
  const header = TOPOLOGY_LINE.exec(first)
  if (header === null) return fail(index + 1, `expected "topology E2EGraph <node count>", found "${clipForMessage(first)}"`)
  const n = Number(header[1])
  if (n < 1 || n > MAX_MATRIX_HOSTS) return fail(index + 1, `node count ${n} is outside 1 … ${MAX_MATRIX_HOSTS}`)

  const table = new Int32Array(n * n).fill(-1)
  let nextNode = 1
  let pairsSeen = 0
  for (index++; index < lines.length; index++) {
    const line = (lines[index] ?? '').trim()
    const lineNo = index + 1
    if (line === '') continue
    if (nextNode === 1 && HEADER_LINE.test(line)) continue
    if (nextNode <= n) {
      const node = NODE_LINE.exec(line)
      if (node === null || Number(node[1]) !== nextNode) fail(lineNo, `expected "node ${nextNode}", found "${clipForMessage(line)}"`)
      nextNode++
      continue
    }
    const pair = PAIR_LINE.exec(line)
    if (pair === null) {
      if (NODE_LINE.test(line)) fail(lineNo, `"${line}" is beyond the ${n} nodes the topology declares`)
      return fail(lineNo, `expected "i,j latency", found "${clipForMessage(line)}"`)
    }
    const a = Number(pair[1])
    const b = Number(pair[2])
    const token = pair[3] ?? ''
    for (const node of [a, b]) if (node < 1 || node > n) fail(lineNo, `node ${node} is outside 1 … ${n}`)
    if (a === b) fail(lineNo, `pair ${a},${b} joins a node to itself`)
    const latencyMs = parseDecimal(token)
    if (latencyMs === null) return fail(lineNo, `latency "${clipForMessage(token)}" is not a number`)
    if (latencyMs < 0) fail(lineNo, `latency ${token} ms is negative`)
    const oneWayUs = toOneWayUs(latencyMs, values) ?? fail(lineNo, `latency ${token} ms is too large`)
    const lo = Math.min(a, b) - 1
    const hi = Math.max(a, b) - 1
    const previousUs = table[lo * n + hi]
    if (previousUs === -1) {
      table[lo * n + hi] = oneWayUs
      table[hi * n + lo] = oneWayUs
      pairsSeen++
    } else if (previousUs !== oneWayUs) {
      const firstLine = findPairLine(lines, lo + 1, hi + 1)
      fail(lineNo, `pair ${a},${b} is given again with a different latency (${token} ms; first on line ${firstLine})`)
    }
  }
  const endLine = lastContentLine(lines)
  if (nextNode <= n) fail(endLine, `expected "node ${nextNode}", found end of file`)
  const pairCount = n * (n - 1) / 2
  if (pairsSeen < pairCount) {
    const [a, b] = firstMissingPair(table, n)
    fail(endLine, `missing latency for pair ${a},${b} (${pairCount - pairsSeen} of ${pairCount} pairs missing)`)
  }
  for (let host = 0; host < n; host++) table[host * n + host] = 0
  return new MatrixModel(`king:${basename(sourceName)} (${n} hosts, ${values})`, n, table)
}

/** 1-based line of the first `i,j latency` line naming nodes a and b (error path only). */
function findPairLine (lines: readonly string[], a: number, b: number): number {
  for (let i = 0; i < lines.length; i++) {
    const pair = PAIR_LINE.exec((lines[i] ?? '').trim())
    if (pair === null) continue
    const x = Number(pair[1])
    const y = Number(pair[2])
    if ((x === a && y === b) || (x === b && y === a)) return i + 1
  }
  return 0
}

/** The first unordered node pair (1-based) with no latency in `table`. */
function firstMissingPair (table: Int32Array, n: number): [number, number] {
  for (let lo = 0; lo < n; lo++) {
    for (let hi = lo + 1; hi < n; hi++) if (table[lo * n + hi] === -1) return [lo + 1, hi + 1]
  }
  return [0, 0]
}

/**
 * Parses a plain square matrix: N non-blank lines of N numbers (ms, separated by whitespace
 * and/or commas); row = source host, column = target host, so asymmetric delays are kept. `#`
 * starts a comment to the end of the line; blank lines are skipped. Diagonal entries are ignored
 * (any number, or `-`), the model puts 0 there.
 * @param sourceName File name for the model's name and error messages.
 * @throws ModelParseError for a row of the wrong length, too many or too few rows, or a negative
 *   or non-numeric value (on the diagonal too: a garbled file is refused, not half-read).
 */
export function parsePlainMatrix (text: string, sourceName: string, options: MatrixParseOptions): MatrixModel {
  const values = checkValues(options)
  const fail = (line: number, detail: string): never => { throw new ModelParseError(sourceName, line, detail) }
  const lines = text.split(/\r?\n/)
  let n = 0
  let table = new Int32Array(0)
  let row = 0
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index] ?? ''
    const hash = raw.indexOf('#')
    const line = (hash === -1 ? raw : raw.slice(0, hash)).trim()
    const lineNo = index + 1
    if (line === '') continue
    const tokens = line.split(/[\s,]+/)
    if (row === 0) {
      n = tokens.length
      if (n > MAX_MATRIX_HOSTS) fail(lineNo, `${n} columns is more than the ${MAX_MATRIX_HOSTS} hosts allowed`)
      table = new Int32Array(n * n)
    }
    if (row >= n) fail(lineNo, `expected ${n} rows (the first row has ${n} values), found a row ${row + 1}`)
    if (tokens.length !== n) fail(lineNo, `expected ${n} values like the first row, found ${tokens.length}`)
    for (let column = 0; column < n; column++) {
      const token = tokens[column] ?? ''
      if (column === row && token === '-') continue
      const latencyMs = parseDecimal(token)
      if (latencyMs === null) return fail(lineNo, `value ${column + 1} "${clipForMessage(token)}" is not a number`)
      if (latencyMs < 0) fail(lineNo, `value ${column + 1} (${token} ms) is negative`)
      if (column === row) continue
      table[row * n + column] = toOneWayUs(latencyMs, values) ?? fail(lineNo, `value ${column + 1} (${token} ms) is too large`)
    }
    row++
  }
  if (row === 0) fail(lastContentLine(lines), 'no matrix rows found')
  if (row < n) fail(lastContentLine(lines), `expected ${n} rows (the first row has ${n} values), found ${row}`)
  return new MatrixModel(`matrix:${basename(sourceName)} (${n} hosts, ${values})`, n, table)
}

/**
 * The one error type of the network-model parsers: a topology file that is malformed, incomplete
 * or inconsistent, with the file and 1-based line to blame. It never carries a partial model; the
 * parsers never repair or guess around bad input.
 */

/** A network-model file could not be parsed; `message` reads `source:line: detail`. */
export class ModelParseError extends Error {
  /** The file (or other source) name the text came from, as given to the parser. */
  readonly source: string
  /** 1-based line number the problem was found on (for end-of-file problems, the last line). */
  readonly line: number
  /** The problem without the `source:line:` prefix. */
  readonly detail: string

  constructor (source: string, line: number, detail: string) {
    super(`${source}:${line}: ${detail}`)
    this.name = 'ModelParseError'
    this.source = source
    this.line = line
    this.detail = detail
  }
}

/** `text` shortened for quoting in an error message. */
export function clipForMessage (text: string, maxChars = 60): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars)}…`
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/

/** A decimal number token (integer, fraction or exponent form), or null when it is not one. */
export function parseDecimal (token: string): number | null {
  if (!DECIMAL.test(token)) return null
  const value = Number(token)
  return Number.isFinite(value) ? value : null
}

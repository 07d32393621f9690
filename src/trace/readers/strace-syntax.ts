/**
 * The lexical side of strace output: splits a call `name(arg, arg, ...) = ret<annotation> rest`
 * into its parts while respecting quoted strings, nested brackets and `-y` path annotations
 * (`3</usr/lib/x.so>`, in which strace escapes `<` and `>`), and decodes strace's C escapes
 * (`\303\251`, `\x3c`, `\"`) back to UTF-8. Pure functions; returns null for text that is not a
 * call, never throws.
 */

export interface StraceCall {
  name: string
  args: string[]
  /** The return value as printed: a number, a hex address, or `?`. */
  ret: string
  /** The `-y` annotation of a returned descriptor (decoded), e.g. the path an open resolved to. */
  retPath: string | undefined
  /** What follows the return value, e.g. ` ENOENT (No such file or directory)`. */
  rest: string
}

const NAME = /^([A-Za-z_][A-Za-z0-9_]*)\(/

/** Splits `body` (a line without pid and time) as a complete call, or returns null. */
export function splitCall (body: string): StraceCall | null {
  const head = NAME.exec(body)
  if (head === null) return null
  const args: string[] = []
  let depth = 0
  let argStart = head[0].length
  let i = argStart
  for (; i < body.length; i++) {
    const c = body.charCodeAt(i)
    if (c === 34 /* " */) {
      i = skipQuoted(body, i)
      if (i < 0) return null
    } else if (c === 60 /* < */) {
      const close = body.indexOf('>', i + 1)
      if (close < 0) return null
      i = close
    } else if (c === 40 || c === 91 || c === 123) {
      depth++
    } else if (c === 41 || c === 93 || c === 125) {
      if (depth === 0) {
        if (c !== 41) return null
        break
      }
      depth--
    } else if (c === 44 /* , */ && depth === 0) {
      args.push(body.slice(argStart, i).trim())
      argStart = i + 1
    }
  }
  if (i >= body.length) return null
  const last = body.slice(argStart, i).trim()
  if (last.length > 0 || args.length > 0) args.push(last)
  const tail = /^\)\s+=\s+(-?\d+|0x[0-9a-fA-F]+|\?)(<[^>]*>)?(.*)$/.exec(body.slice(i))
  if (tail === null) return null
  const annotation = tail[2]
  return {
    name: head[1] as string,
    args,
    ret: tail[1] as string,
    retPath: annotation === undefined ? undefined : unescapeC(annotation.slice(1, -1)),
    rest: tail[3] as string
  }
}

/** Index of the closing quote of the string starting at `open`, or -1. */
function skipQuoted (text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 92 /* \ */) i++
    else if (c === 34) return i
  }
  return -1
}

/** A descriptor argument: `3`, `3</path>`, `AT_FDCWD</dir>`, `-1`. */
export interface FdArg {
  /** The descriptor number; -100 for AT_FDCWD; NaN when the argument is not a descriptor. */
  fd: number
  path: string | undefined
}

const AT_FDCWD = -100

export function parseFdArg (arg: string | undefined): FdArg {
  if (arg === undefined) return { fd: NaN, path: undefined }
  const at = arg.indexOf('<')
  const number = at < 0 ? arg : arg.slice(0, at)
  const path = at < 0 || !arg.endsWith('>') ? undefined : unescapeC(arg.slice(at + 1, -1))
  const fd = number === 'AT_FDCWD' ? AT_FDCWD : /^-?\d+$/.test(number) ? Number(number) : NaN
  return { fd, path }
}

/** The text of a quoted string argument `"..."` (decoded), or undefined if it is not one. */
export function parseStringArg (arg: string | undefined): string | undefined {
  if (arg === undefined || !arg.startsWith('"')) return undefined
  const close = skipQuoted(arg, 0)
  if (close < 0) return undefined
  return unescapeC(arg.slice(1, close))
}

/** A numeric argument (decimal or hex), or NaN. */
export function parseNumberArg (arg: string | undefined): number {
  if (arg === undefined) return NaN
  if (/^\d+$/.test(arg)) return Number(arg)
  if (/^0x[0-9a-fA-F]+$/.test(arg)) return Number.parseInt(arg.slice(2), 16)
  return NaN
}

const SIMPLE_ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, v: 11, f: 12, b: 8, a: 7, '\\': 92, '"': 34, "'": 39, '?': 63 }

/** Decodes C escapes as strace prints them (octal, hex, simple) into a UTF-8 string. */
export function unescapeC (text: string): string {
  if (!text.includes('\\')) return text
  const bytes: number[] = []
  for (let i = 0; i < text.length; i++) {
    const c = String.fromCodePoint(text.codePointAt(i) as number)
    if (c !== '\\' || i + 1 >= text.length) {
      for (const b of Buffer.from(c, 'utf8')) bytes.push(b)
      i += c.length - 1
      continue
    }
    const next = text[i + 1] as string
    const octal = /^[0-7]{1,3}/.exec(text.slice(i + 1, i + 4))
    const hex = next === 'x' ? /^[0-9a-fA-F]{1,2}/.exec(text.slice(i + 2, i + 4)) : null
    if (octal !== null) {
      bytes.push(Number.parseInt(octal[0], 8) & 0xff)
      i += octal[0].length
    } else if (hex !== null) {
      bytes.push(Number.parseInt(hex[0], 16))
      i += 1 + hex[0].length
    } else {
      bytes.push(SIMPLE_ESCAPES[next] ?? next.charCodeAt(0))
      i += 1
    }
  }
  return Buffer.from(bytes).toString('utf8')
}

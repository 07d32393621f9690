/**
 * Path glob patterns for choosing merge resolvers: `*` (within one component), `?`, `**` (any
 * number of components), `[abc]`/`[!a-z]` classes and `{a,b}` alternatives. A pattern without a
 * '/' also matches the last component at any depth (`*.log` matches `var/x.log`), as in
 * .gitignore. Pure functions.
 */

export class BadGlobError extends Error {
  override name = 'BadGlobError'
}

export function globToRegExp (pattern: string): RegExp {
  let out = ''
  let depth = 0
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        i++
        if (pattern[i + 1] === '/') { i++; out += '(?:.*/)?' } else out += '.*'
      } else out += '[^/]*'
    } else if (c === '?') {
      out += '[^/]'
    } else if (c === '[') {
      const close = pattern.indexOf(']', i + 2)
      if (close < 0) throw new BadGlobError(`unclosed "[" in glob "${pattern}"`)
      let body = pattern.slice(i + 1, close)
      if (body.startsWith('!')) body = '^' + body.slice(1)
      out += '[' + body.replace(/\\/g, '\\\\') + ']'
      i = close
    } else if (c === '{') {
      depth++
      out += '(?:'
    } else if (c === '}' && depth > 0) {
      depth--
      out += ')'
    } else if (c === ',' && depth > 0) {
      out += '|'
    } else {
      out += c.replace(/[.+^$()|\\\]{}]/g, '\\$&')
    }
  }
  if (depth !== 0) throw new BadGlobError(`unclosed "{" in glob "${pattern}"`)
  try {
    return new RegExp('^' + out + '$')
  } catch (error) {
    throw new BadGlobError(`bad glob "${pattern}": ${(error as Error).message}`)
  }
}

/** A matcher for `pattern` (see the module comment for the basename rule). */
export function globMatcher (pattern: string): (path: string) => boolean {
  const re = globToRegExp(pattern)
  if (pattern.includes('/')) return (path) => re.test(path)
  return (path) => re.test(path) || re.test(path.slice(path.lastIndexOf('/') + 1))
}

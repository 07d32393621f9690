/**
 * Reads one HTTP/1.x request from a byte stream, incrementally, the way Bamboo's `WebInterface`
 * read it: header lines end at CRLF only (a bare LF does not end a line), the header ends at the
 * first empty line, the method is the request line's first token ("GET" or "POST", case
 * sensitive; the path and version are ignored), `Content-Length:` and `User-Agent:` are found by
 * case-insensitive prefix on each line (the last one wins), and a POST is complete once
 * Content-Length body bytes have arrived. A GET is complete at the end of its header.
 *
 * Where Bamboo crashed or dropped the connection (no Content-Length, a malformed one, an empty
 * request line, a request over its buffer) this returns a typed error instead; Bamboo's own
 * limit was 4095 bytes for header and body together, ours are configurable and larger.
 *
 * Pure and synchronous; never throws; holds at most the header and body limits in memory.
 */
import { javaTrim, latin1Decode, parseJavaInt } from './xmlrpc-parse.ts'

export interface HttpRequestLimits {
  /** Request line, headers and the empty line. @default 8192 */
  readonly maxHeaderBytes?: number
  /** Largest Content-Length accepted. @default 65536 */
  readonly maxBodyBytes?: number
}

export type HttpRequestErrorKind =
  | 'header-too-large' | 'body-too-large' | 'empty-request-line' | 'unsupported-method'
  | 'missing-content-length' | 'bad-content-length'

export interface HttpRequestError {
  readonly kind: HttpRequestErrorKind
  /** The status a strict HTTP server would send (Bamboo sent none and closed). */
  readonly statusCode: 400 | 411 | 413 | 431 | 501
  readonly message: string
}

export type HttpRequestProgress =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'get', readonly requestLine: string }
  | { readonly kind: 'post', readonly requestLine: string, readonly body: Uint8Array, readonly userAgent: string }
  | { readonly kind: 'error', readonly error: HttpRequestError }

export const DEFAULT_MAX_HEADER_BYTES = 8192
export const DEFAULT_MAX_BODY_BYTES = 65536

const INCOMPLETE: HttpRequestProgress = { kind: 'incomplete' }
/** Java's `StringTokenizer` default delimiters. */
const TOKEN_DELIMITERS = /[ \t\n\r\f]+/

interface PostHeader {
  readonly requestLine: string
  readonly bodyStart: number
  readonly contentLength: number
  readonly userAgent: string
}

function failure (kind: HttpRequestErrorKind, statusCode: HttpRequestError['statusCode'], message: string): HttpRequestProgress {
  return { kind: 'error', error: { kind, statusCode, message } }
}

export class HttpRequestReader {
  readonly #maxHeaderBytes: number
  readonly #maxBodyBytes: number
  #bytes = new Uint8Array(1024)
  #length = 0
  /** Where the search for the empty line resumes. */
  #scannedTo = 0
  #post: PostHeader | null = null
  #done: HttpRequestProgress | null = null

  constructor (limits: HttpRequestLimits = {}) {
    this.#maxHeaderBytes = limits.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES
    this.#maxBodyBytes = limits.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  }

  /** Bytes held so far. */
  get bufferedBytes (): number {
    return this.#length
  }

  /** Feeds more bytes; once the answer is not 'incomplete' it stays the same. */
  push (chunk: Uint8Array): HttpRequestProgress {
    if (this.#done !== null) return this.#done
    const room = this.#maxHeaderBytes + this.#maxBodyBytes - this.#length
    this.#append(chunk.subarray(0, Math.max(0, room)))
    const progress = this.#post === null ? this.#readHeader() : this.#readBody(this.#post)
    if (progress.kind !== 'incomplete') this.#done = progress
    return progress
  }

  #append (chunk: Uint8Array): void {
    if (this.#length + chunk.length > this.#bytes.length) {
      let size = this.#bytes.length
      while (size < this.#length + chunk.length) size *= 2
      const grown = new Uint8Array(size)
      grown.set(this.#bytes.subarray(0, this.#length))
      this.#bytes = grown
    }
    this.#bytes.set(chunk, this.#length)
    this.#length += chunk.length
  }

  /** Index just past the empty line that ends the header, or -1. */
  #findHeaderEnd (): number {
    const bytes = this.#bytes
    if (this.#length >= 2 && bytes[0] === 13 && bytes[1] === 10) return 2
    for (let i = Math.max(0, this.#scannedTo - 3); i + 3 < this.#length; i++) {
      if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i + 4
    }
    this.#scannedTo = this.#length
    return -1
  }

  #readHeader (): HttpRequestProgress {
    const headerEnd = this.#findHeaderEnd()
    if (headerEnd === -1 || headerEnd > this.#maxHeaderBytes) {
      if (this.#length >= this.#maxHeaderBytes || headerEnd > this.#maxHeaderBytes) {
        return failure('header-too-large', 431, `no end of header within ${this.#maxHeaderBytes} bytes`)
      }
      return INCOMPLETE
    }
    const lines = latin1Decode(this.#bytes.subarray(0, headerEnd - 2)).split('\r\n')
    const requestLine = lines[0] ?? ''
    const method = requestLine.split(TOKEN_DELIMITERS).find((token) => token !== '')
    if (method === undefined) return failure('empty-request-line', 400, 'empty request line')
    if (method === 'GET') return { kind: 'get', requestLine }
    if (method !== 'POST') return failure('unsupported-method', 501, `method ${JSON.stringify(method)} not supported`)
    let contentLengthText: string | null = null
    let userAgent = 'XML: unknown'
    for (const line of lines) {
      const lower = line.toLowerCase()
      if (lower.startsWith('content-length:')) contentLengthText = line.slice(15)
      if (lower.startsWith('user-agent:')) userAgent = `XML: ${javaTrim(line.slice(11))}`
    }
    if (contentLengthText === null) return failure('missing-content-length', 411, 'POST without Content-Length')
    const contentLength = parseJavaInt(contentLengthText)
    if (contentLength === null || contentLength < 0) {
      return failure('bad-content-length', 400, `bad Content-Length ${JSON.stringify(javaTrim(contentLengthText))}`)
    }
    if (contentLength > this.#maxBodyBytes) {
      return failure('body-too-large', 413, `Content-Length ${contentLength} over ${this.#maxBodyBytes}`)
    }
    this.#post = { requestLine, bodyStart: headerEnd, contentLength, userAgent }
    return this.#readBody(this.#post)
  }

  #readBody (post: PostHeader): HttpRequestProgress {
    if (this.#length - post.bodyStart < post.contentLength) return INCOMPLETE
    const body = this.#bytes.slice(post.bodyStart, post.bodyStart + post.contentLength)
    return { kind: 'post', requestLine: post.requestLine, body, userAgent: post.userAgent }
  }
}

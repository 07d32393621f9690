/**
 * Writes XML-RPC answers byte for byte as Bamboo's gateway did (Apache XML-RPC 1.2-b1's
 * `XmlRpcResponseProcessor` + `XmlWriter`, framed by `WebInterface.create_response`):
 *
 * - Prolog `<?xml version="1.0" encoding="ISO-8859-1"?>`, then elements with no whitespace.
 * - Strings are written bare (`<value>text</value>`, no `<string>`), escaping only `&`, `<`,
 *   `>`; ints as `<int>`; byte arrays as `<base64>` in 76-char lines each ended by "\n";
 *   arrays as `<array><data>…</data></array>`.
 * - A fault is a struct with `faultString` first, then `faultCode` (Java's Hashtable order).
 * - A char below U+0020 other than tab/LF/CR, or above U+00FF, cannot be written: a result
 *   containing one becomes the fault "org.apache.xmlrpc.XmlRpcException: Invalid character data
 *   corresponding to XML entity &#N;"; a fault containing one leaves only the bytes Java's
 *   8 KiB encoder buffer had already flushed (usually none: an empty body).
 * - HTTP: `HTTP/1.0 200 OK`, the fixed fake Date, `Server: bamboo`, `Connection: close`,
 *   `Content-Type: text/xml`, `Content-Length`, CRLF line ends, body in ISO-8859-1.
 *
 * Pure; never throws.
 */
import { encodeBase64Lines } from './xmlrpc-base64.ts'

/** What a gateway method returns. */
export type XmlRpcResult =
  | { readonly kind: 'int', readonly value: number }
  | { readonly kind: 'string', readonly value: string }
  | { readonly kind: 'base64', readonly value: Uint8Array }
  | { readonly kind: 'array', readonly value: readonly XmlRpcResult[] }

const PROLOG = '<?xml version="1.0" encoding="ISO-8859-1"?>'
/** Java's StreamEncoder writes to the byte stream in chunks of this size. */
const ENCODER_BUFFER_BYTES = 8192

/** Thrown only inside this module, where Apache's XmlWriter threw. */
class InvalidCharacter {
  constructor (readonly code: number, readonly writtenChars: number) {}
}

class XmlText {
  text = PROLOG

  element (name: string, inner: () => void): void {
    this.text += `<${name}>`
    inner()
    this.text += `</${name}>`
  }

  chardata (value: string): void {
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i)
      if (code === 38) this.text += '&amp;'
      else if (code === 60) this.text += '&lt;'
      else if (code === 62) this.text += '&gt;'
      else if ((code < 32 && code !== 9 && code !== 10 && code !== 13) || code > 255) {
        throw new InvalidCharacter(code, this.text.length)
      } else this.text += value.charAt(i)
    }
  }

  value (result: XmlRpcResult): void {
    this.element('value', () => {
      switch (result.kind) {
        case 'string': this.chardata(result.value); break
        case 'int': this.element('int', () => { this.text += String(toJavaInt(result.value)) }); break
        case 'base64': this.element('base64', () => { this.text += encodeBase64Lines(result.value) }); break
        case 'array':
          this.element('array', () => this.element('data', () => { for (const item of result.value) this.value(item) }))
          break
      }
    })
  }
}

/** Java `int` of a number: truncated toward zero, clamped to 32 bits. */
export function toJavaInt (value: number): number {
  if (Number.isNaN(value)) return 0
  return Math.max(-2147483648, Math.min(2147483647, Math.trunc(value))) | 0
}

export function latin1Encode (text: string): Uint8Array {
  const bytes = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff
  return bytes
}

/** The XML body of a successful answer (or of the fault Apache substituted for it). */
export function formatResponseBody (result: XmlRpcResult): Uint8Array {
  const xml = new XmlText()
  try {
    xml.element('methodResponse', () => xml.element('params', () => xml.element('param', () => xml.value(result))))
  } catch (error) {
    if (!(error instanceof InvalidCharacter)) throw error
    return formatFaultBody(invalidCharacterFault(error.code))
  }
  return latin1Encode(xml.text)
}

export function invalidCharacterFault (code: number): string {
  return `org.apache.xmlrpc.XmlRpcException: Invalid character data corresponding to XML entity &#${code};`
}

/** The XML body of a fault; `faultCode` is always 0 in Bamboo's answers. */
export function formatFaultBody (faultString: string, faultCode = 0): Uint8Array {
  const xml = new XmlText()
  try {
    xml.element('methodResponse', () => xml.element('fault', () => xml.element('value', () => xml.element('struct', () => {
      xml.element('member', () => {
        xml.element('name', () => xml.chardata('faultString'))
        xml.value({ kind: 'string', value: faultString })
      })
      xml.element('member', () => {
        xml.element('name', () => xml.chardata('faultCode'))
        xml.value({ kind: 'int', value: faultCode })
      })
    }))))
  } catch (error) {
    if (!(error instanceof InvalidCharacter)) throw error
    const flushedChars = error.writtenChars - (error.writtenChars % ENCODER_BUFFER_BYTES)
    return latin1Encode(xml.text.slice(0, flushedChars))
  }
  return latin1Encode(xml.text)
}

const XML_HEADERS = 'HTTP/1.0 200 OK\r\n' +
  'Date: Wed, 19 Nov 2003 01:49:00 GMT\r\n' +
  'Server: bamboo\r\n' +
  'Connection: close\r\n' +
  'Content-Type: text/xml\r\n'

/** The whole HTTP answer around an XML body. */
export function frameXmlResponse (body: Uint8Array): Uint8Array {
  const head = latin1Encode(`${XML_HEADERS}Content-Length: ${body.length}\r\n\r\n`)
  const out = new Uint8Array(head.length + body.length)
  out.set(head, 0)
  out.set(body, head.length)
  return out
}

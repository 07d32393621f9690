/**
 * Writes an XML-RPC `methodCall` as an OpenDHT client sends it (the client side of the gateway,
 * used by `xest put|get|rm` and the gateway benchmark): typed `<string>`, `<int>` and
 * `<base64>` parameters in ISO-8859-1, the charset Bamboo's gateway reads. Pure; throws a
 * RangeError for a string Bamboo could not read (a char above U+00FF or a control char).
 */
import { encodeBase64Lines } from './xmlrpc-base64.ts'
import { latin1Encode, toJavaInt, type XmlRpcResult } from './xmlrpc-format.ts'

function escapeText (text: string): string {
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if ((code < 32 && code !== 9 && code !== 10 && code !== 13) || code > 255) {
      throw new RangeError(`character U+${code.toString(16).padStart(4, '0')} cannot be sent to a Bamboo gateway`)
    }
    out += code === 38 ? '&amp;' : code === 60 ? '&lt;' : code === 62 ? '&gt;' : text.charAt(i)
  }
  return out
}

function formatValue (value: XmlRpcResult): string {
  switch (value.kind) {
    case 'string': return `<value><string>${escapeText(value.value)}</string></value>`
    case 'int': return `<value><int>${toJavaInt(value.value)}</int></value>`
    case 'base64': return `<value><base64>${encodeBase64Lines(value.value)}</base64></value>`
    case 'array': return `<value><array><data>${value.value.map(formatValue).join('')}</data></array></value>`
  }
}

/** The request body of `methodName(params…)`. */
export function formatMethodCall (methodName: string, params: readonly XmlRpcResult[]): Uint8Array {
  const body = `<?xml version="1.0" encoding="ISO-8859-1"?><methodCall><methodName>${escapeText(methodName)}</methodName>` +
    `<params>${params.map((p) => `<param>${formatValue(p)}</param>`).join('')}</params></methodCall>`
  return latin1Encode(body)
}

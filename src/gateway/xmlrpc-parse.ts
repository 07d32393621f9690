/**
 * Reads an XML-RPC `methodCall` the way Bamboo's gateway did (Apache XML-RPC 1.2-b1's SAX
 * handler over MinML), so that every request Bamboo understood is understood the same way and
 * every request it dropped is refused:
 *
 * - The body is decoded one char per byte (ISO-8859-1, the JVM default Bamboo ran with).
 * - Any top-level `<value>` is a parameter, wherever it sits: inside `<params><param>`, in a bare
 *   `<param>`, or directly in `<methodCall>`. An untyped `<value>text</value>` is a string;
 *   `<i4>`/`<int>`, `<boolean>`, `<double>`, `<dateTime.iso8601>`, `<base64>`, `<array>`,
 *   `<struct>` are typed; unknown elements are ignored (so `<nil/>` reads as an empty string).
 * - `int` follows Java `Integer.parseInt` after trimming (32-bit, optional sign), `boolean` is
 *   true only for "1", `double` follows Java's `Double` syntax, `dateTime.iso8601` needs
 *   `yyyyMMddTHH:mm:ss`; a value Java could not convert fails the whole request.
 * - No `<methodName>`, or a parameter that ends up with no value (`<value><value>x</value></value>`),
 *   made Bamboo's handler crash; here both are refusals.
 *
 * Never throws: malformed input yields `{ ok: false, error }`.
 */
import { scanXml, type XmlEvents } from './xml-scanner.ts'
import { decodeBase64Lenient } from './xmlrpc-base64.ts'

export type XmlRpcValue =
  | { readonly kind: 'string', readonly value: string }
  | { readonly kind: 'int', readonly value: number }
  | { readonly kind: 'boolean', readonly value: boolean }
  | { readonly kind: 'double', readonly value: number }
  /** The text as sent; only its type matters to the gateway. */
  | { readonly kind: 'dateTime', readonly value: string }
  | { readonly kind: 'base64', readonly value: Uint8Array }
  /** Elements may be null where Java stored a null (a nested value that had no content). */
  | { readonly kind: 'array', readonly value: ReadonlyArray<XmlRpcValue | null> }
  | { readonly kind: 'struct', readonly value: ReadonlyMap<string, XmlRpcValue> }

export interface XmlRpcCall {
  readonly methodName: string
  readonly params: readonly XmlRpcValue[]
}

export type XmlRpcParseErrorKind = 'xml' | 'value' | 'structure' | 'no-method-name' | 'null-parameter'

export interface XmlRpcParseError {
  readonly kind: XmlRpcParseErrorKind
  readonly message: string
}

export type XmlRpcParseResult =
  | { readonly ok: true, readonly call: XmlRpcCall }
  | { readonly ok: false, readonly error: XmlRpcParseError }

type ValueType = 'string' | 'int' | 'boolean' | 'double' | 'dateTime' | 'base64' | 'struct' | 'array'

/** One open `<value>`: Apache's `XmlRpc.Value`. */
class ValueFrame {
  type: ValueType = 'string'
  value: XmlRpcValue | null = null
  nextMemberName: string | null = null
  array: Array<XmlRpcValue | null> = []
  struct = new Map<string, XmlRpcValue>()

  setType (type: ValueType): void {
    this.type = type
    if (type === 'array') {
      this.array = []
      this.value = { kind: 'array', value: this.array }
    } else if (type === 'struct') {
      this.struct = new Map()
      this.value = { kind: 'struct', value: this.struct }
    }
  }

  /** Apache's `characterData`: converts the text by the value's type; an error message on failure. */
  characterData (text: string): string | undefined {
    switch (this.type) {
      case 'int': {
        const parsed = parseJavaInt(text)
        if (parsed === null) return `For input string: "${text.trim()}"`
        this.value = { kind: 'int', value: parsed }
        return undefined
      }
      case 'boolean':
        this.value = { kind: 'boolean', value: javaTrim(text) === '1' }
        return undefined
      case 'double': {
        const trimmed = javaTrim(text)
        if (!JAVA_DOUBLE.test(trimmed)) return `For input string: "${trimmed}"`
        this.value = { kind: 'double', value: Number.parseFloat(trimmed.replace(/[fFdD]$/, '')) }
        return undefined
      }
      case 'dateTime': {
        const trimmed = javaTrim(text)
        if (!JAVA_DATE.test(trimmed)) return `Unparseable date: "${trimmed}"`
        this.value = { kind: 'dateTime', value: trimmed }
        return undefined
      }
      case 'base64': {
        const bytes = decodeBase64Lenient(text)
        if (bytes === null) return 'base64 decoder index out of bounds'
        this.value = { kind: 'base64', value: bytes }
        return undefined
      }
      case 'string':
        this.value = { kind: 'string', value: text }
        return undefined
      case 'struct':
        this.nextMemberName = text
        return undefined
      case 'array':
        return undefined
    }
  }

  /** Apache's `endElement(child)`: adds a finished child to this array or struct. */
  addChild (child: ValueFrame): string | undefined {
    if (this.type === 'array') {
      this.array.push(child.value)
    } else if (this.type === 'struct') {
      if (this.nextMemberName === null || child.value === null) return 'null struct member'
      this.struct.set(this.nextMemberName, child.value)
    }
    return undefined
  }
}

/** Java's `String.trim`: strips chars ≤ U+0020 at both ends. */
export function javaTrim (text: string): string {
  let start = 0
  let end = text.length
  while (start < end && text.charCodeAt(start) <= 32) start++
  while (end > start && text.charCodeAt(end - 1) <= 32) end--
  return text.slice(start, end)
}

const INT_MAX = 2147483647

/** `Integer.parseInt(text.trim())` for ASCII digits (a leading `+` accepted, as Java 7+ does). */
export function parseJavaInt (text: string): number | null {
  const match = /^([+-]?)(\d+)$/.exec(javaTrim(text))
  if (match === null) return null
  const digits = match[2]!.replace(/^0+(?=\d)/, '')
  if (digits.length > 10) return null
  const magnitude = Number(digits)
  const negative = match[1] === '-'
  if (magnitude > (negative ? INT_MAX + 1 : INT_MAX)) return null
  return (negative ? -magnitude : magnitude) | 0
}

const JAVA_DOUBLE = /^[+-]?(?:NaN|Infinity|(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+)[fFdD]?)$/
const JAVA_DATE = /^\d{8}T\d+:\d+:\d+/

const TYPE_ELEMENTS: ReadonlyMap<string, ValueType> = new Map([
  ['i4', 'int'], ['int', 'int'], ['boolean', 'boolean'], ['double', 'double'],
  ['dateTime.iso8601', 'dateTime'], ['base64', 'base64']
])

/** Apache XML-RPC's request handler state, fed by the scanner. */
class CallBuilder implements XmlEvents {
  methodName: string | null = null
  /** A `<fault>` element was seen (only meaningful in a methodResponse). */
  sawFault = false
  /** Why a handler callback stopped the scan, when it did. */
  failure: XmlRpcParseError | null = null
  readonly params: Array<XmlRpcValue | null> = []
  readonly #values: ValueFrame[] = []
  #current: ValueFrame | null = null
  #cdata = ''
  #readCdata = false

  startElement (name: string): string | undefined {
    if (name === 'fault') this.sawFault = true
    if (name === 'value') {
      const frame = new ValueFrame()
      this.#values.push(frame)
      this.#current = frame
      this.#startText()
    } else if (name === 'methodName' || name === 'name' || name === 'string') {
      this.#startText()
    } else {
      const type = TYPE_ELEMENTS.get(name) ?? (name === 'struct' || name === 'array' ? name : undefined)
      if (type === undefined) return undefined
      if (this.#current === null) return this.#fail('structure', `<${name}> outside a value`)
      this.#current.setType(type)
      if (type !== 'struct' && type !== 'array') this.#startText()
    }
    return undefined
  }

  characters (text: string): string | undefined {
    if (this.#readCdata) this.#cdata += text
    return undefined
  }

  endElement (name: string): string | undefined {
    if (this.#current !== null && this.#readCdata) {
      const error = this.#current.characterData(this.#cdata)
      if (error !== undefined) return this.#fail('value', error)
      this.#cdata = ''
      this.#readCdata = false
    }
    if (name === 'value') {
      const error = this.#endValue()
      if (error !== undefined) return this.#fail('structure', error)
    }
    if (name === 'member') {
      const error = this.#endMember()
      return error === undefined ? undefined : this.#fail('structure', error)
    }
    if (name === 'methodName') {
      this.methodName = this.#cdata
      this.#cdata = ''
      this.#readCdata = false
    }
    return undefined
  }

  #fail (kind: XmlRpcParseErrorKind, message: string): string {
    this.failure = { kind, message }
    return message
  }

  #startText (): void {
    this.#cdata = ''
    this.#readCdata = true
  }

  /** A value inside a struct waits for `</member>`; any other is finished here. */
  #endValue (): string | undefined {
    const depth = this.#values.length
    if (depth >= 2 && this.#values[depth - 2]!.type === 'struct') return undefined
    const finished = this.#current
    if (this.#values.pop() === undefined || finished === null) return 'value stack underflow'
    if (depth < 2) {
      this.params.push(finished.value)
      this.#current = null
      return undefined
    }
    this.#current = this.#values[this.#values.length - 1]!
    return this.#current.addChild(finished)
  }

  #endMember (): string | undefined {
    const finished = this.#current
    this.#values.pop()
    const parent = this.#values[this.#values.length - 1]
    if (finished === null || parent === undefined) return 'value stack underflow'
    this.#current = parent
    return parent.addChild(finished)
  }
}

/** Java's `new String(bytes)` under ISO-8859-1: one char per byte. */
export function latin1Decode (bytes: Uint8Array): string {
  let text = ''
  const chunk = 8192
  for (let i = 0; i < bytes.length; i += chunk) {
    text += String.fromCharCode(...bytes.subarray(i, i + chunk))
  }
  return text
}

export function parseMethodCall (body: Uint8Array): XmlRpcParseResult {
  const builder = new CallBuilder()
  const scanned = scanXml(latin1Decode(body), builder)
  if (!scanned.ok) {
    const kind = builder.failure?.kind ?? 'xml'
    return { ok: false, error: { kind, message: `${scanned.error} at offset ${scanned.offset}` } }
  }
  if (builder.methodName === null) return { ok: false, error: { kind: 'no-method-name', message: 'no <methodName>' } }
  const params: XmlRpcValue[] = []
  for (const param of builder.params) {
    if (param === null) return { ok: false, error: { kind: 'null-parameter', message: 'a parameter has no value' } }
    params.push(param)
  }
  return { ok: true, call: { methodName: builder.methodName, params } }
}

export type XmlRpcResponseParseResult =
  | { readonly ok: true, readonly value: XmlRpcValue }
  | { readonly ok: true, readonly fault: { readonly code: number, readonly string: string } }
  | { readonly ok: false, readonly error: XmlRpcParseError }

/**
 * Reads a `methodResponse` (the client side, `xest put|get|rm`): one value, or a fault struct
 * with `faultCode` and `faultString`. Never throws.
 */
export function parseMethodResponse (body: Uint8Array): XmlRpcResponseParseResult {
  const builder = new CallBuilder()
  const scanned = scanXml(latin1Decode(body), builder)
  if (!scanned.ok) return { ok: false, error: { kind: builder.failure?.kind ?? 'xml', message: `${scanned.error} at offset ${scanned.offset}` } }
  const value = builder.params[0]
  if (builder.params.length !== 1 || value === null || value === undefined) {
    return { ok: false, error: { kind: 'structure', message: `a response holds one value, not ${builder.params.length}` } }
  }
  if (!builder.sawFault) return { ok: true, value }
  const code = value.kind === 'struct' ? value.value.get('faultCode') : undefined
  const text = value.kind === 'struct' ? value.value.get('faultString') : undefined
  if (code?.kind !== 'int' || text?.kind !== 'string') return { ok: false, error: { kind: 'structure', message: 'a fault without faultCode and faultString' } }
  return { ok: true, fault: { code: code.value, string: text.value } }
}

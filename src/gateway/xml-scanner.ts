/**
 * The XML tokenizer Bamboo's gateway effectively used: the MinML parser bundled in Apache
 * XML-RPC 1.2-b1 (`xmlrpc-1.2-b1.jar`), whose quirks decide which requests Bamboo answered. It
 * reports start tags, end tags and character data to a handler, and fails exactly where MinML
 * reported an error. Behaviour measured against the jar (see test/gateway-xmlrpc.test.ts):
 *
 * - Text is read one UTF-16 unit per input char; CR and CRLF become LF. Control characters other
 *   than tab, LF and CR are fatal wherever the main loop reads them.
 * - Whitespace-only text right after a tag is dropped; text before a comment or `<!DOCTYPE>` in
 *   the same element is dropped too, and after a comment, PI or declaration only whitespace and
 *   tags may follow ("expected Element"). A PI inside text is fatal ("expecting end tag").
 * - Entities: `&amp; &lt; &gt; &quot; &apos;` and `&#N;` / `&#xN;` (lowercase x), computed in
 *   16 bits as Java `char` arithmetic does; anything else is fatal.
 * - Parsing stops, successfully, when the root element closes (trailing bytes are ignored) or at
 *   end of input while between markup at top level (after a comment, PI or declaration).
 * - In mixed content the `>` of an empty-element tag `<b/>` that closes back to the text level is
 *   read as text (MinML's own bug, kept).
 *
 * Never throws on any input; the text it holds never exceeds the input's size.
 */

export interface XmlEvents {
  /** Each returns an error message to stop parsing, or undefined to go on. */
  startElement (name: string): string | undefined
  endElement (name: string): string | undefined
  characters (text: string): string | undefined
}

export type XmlScanResult = { readonly ok: true } | { readonly ok: false, readonly error: string, readonly offset: number }

const EOF = -1
const TAB = 9
const LF = 10
const CR = 13
const SPACE = 32

const enum State {
  Skip, SkipLt, Name, AfterName, AfterAttrValue, AttrName, AfterAttrName, AttrValueStart, AttrValue,
  EndTag, TextLt, EmptyEnd, Pi, PiQuestion, AfterTag, Text, Bang, CData, Comment, Dtd
}

const ENTITY_NAMES = ['amp;', 'apos;', 'quot;', 'gt;', 'lt;']
const ENTITY_CHARS = ['&', "'", '"', '>', '<']

function isSpace (c: number): boolean {
  return c === SPACE || c === TAB || c === LF || c === CR
}

/** Control characters MinML refuses: 0–8, 11, 12, 14–31. */
function isIllegal (c: number): boolean {
  return c >= 0 && c < SPACE && c !== TAB && c !== LF && c !== CR
}

/** MinML's "name" class: everything that is not markup punctuation, whitespace or control. */
function isNameChar (c: number): boolean {
  if (c > 93) return true
  if (c < 33) return false
  return !'<>/&?=\'"![]-'.includes(String.fromCharCode(c))
}

/** Java's `Character.digit` for the chars a Latin-1 body can hold. */
function digitValue (c: number, radix: number): number {
  let value = -1
  if (c >= 48 && c <= 57) value = c - 48
  else if (c >= 97 && c <= 122) value = c - 87
  else if (c >= 65 && c <= 90) value = c - 55
  return value < radix ? value : -1
}

class Scanner {
  #index = 0
  #buffer = ''
  #state = State.Skip
  #quote = 0
  #dtdLevel = 0
  /** MinML's mixed-content depth: -1 until text is followed by a start tag. */
  #mixedDepth = -1
  #pendingName = ''
  readonly #tags: string[] = []

  constructor (private readonly text: string, private readonly events: XmlEvents) {}

  #readRaw (): number {
    return this.#index < this.text.length ? this.text.charCodeAt(this.#index++) : EOF
  }

  #fail (error: string): XmlScanResult {
    return { ok: false, error, offset: this.#index }
  }

  #take (): string {
    const taken = this.#buffer
    this.#buffer = ''
    return taken
  }

  #flush (): string | undefined {
    if (this.#buffer.length === 0) return undefined
    return this.events.characters(this.#take())
  }

  run (): XmlScanResult {
    let afterCr = false
    for (;;) {
      let c = this.#readRaw()
      const previousWasCr = afterCr
      afterCr = false
      if (isIllegal(c)) return this.#fail(`illegal control character ${c}`)
      if (c === CR) {
        c = LF
        afterCr = true
      } else if (c === LF && previousWasCr) {
        continue
      }
      const outcome = this.#step(c)
      if (outcome !== null) return outcome
    }
  }

  /** One main-loop char; returns the final result when parsing ends, else null. */
  #step (c: number): XmlScanResult | null {
    if (c === EOF && this.#state !== State.Skip) return this.#fail('unexpected end of file found')
    switch (this.#state) {
      case State.Skip:
        if (c === EOF) return { ok: true }
        if (c === 60) this.#state = State.SkipLt
        else if (!isSpace(c)) return this.#fail('expected Element')
        return null
      case State.SkipLt: return this.#afterLt(c)
      case State.Name: return this.#inName(c)
      case State.AfterName:
      case State.AfterAttrValue: return this.#inStartTag(c)
      case State.AttrName:
      case State.AfterAttrName: return this.#inAttributeName(c)
      case State.AttrValueStart:
        if (c === 39 || c === 34) {
          this.#quote = c
          this.#state = State.AttrValue
        } else if (!isSpace(c)) {
          return this.#fail('invalid attribute value')
        }
        return null
      case State.AttrValue:
        if (c === this.#quote) {
          this.#take()
          this.#state = State.AfterAttrValue
        } else if (c === 38) {
          return this.#entity()
        } else {
          this.#buffer += String.fromCharCode(c)
        }
        return null
      case State.EndTag:
        if (c === 62) return this.#endElement(false)
        if (isNameChar(c) || c === 45) this.#buffer += String.fromCharCode(c)
        else if (!isSpace(c)) return this.#fail('unexpected character in tag')
        return null
      case State.TextLt: return this.#afterTextLt(c)
      case State.EmptyEnd:
        if (c !== 62) return this.#fail('unexpected character in tag')
        this.#state = State.AfterTag
        return null
      case State.Pi:
        if (c === 63) this.#state = State.PiQuestion
        return null
      case State.PiQuestion:
        if (c === 62) this.#state = State.Skip
        else if (c !== 63) this.#state = State.Pi
        return null
      case State.AfterTag:
      case State.Text: return this.#inText(c)
      case State.Bang: return this.#afterBang(c)
      case State.CData:
        if (c === 93) this.#cdataBracket()
        else this.#buffer += String.fromCharCode(c)
        return null
      case State.Comment:
        if (c === 45) this.#commentDash()
        return null
      case State.Dtd:
        if (c === 60) {
          this.#dtdLevel++
        } else if (c === 62) {
          if (this.#dtdLevel === 0) this.#state = State.Skip
          else this.#dtdLevel--
        }
        return null
    }
  }

  #afterLt (c: number): XmlScanResult | null {
    this.#buffer = ''
    if (c === 47) this.#state = State.EndTag
    else if (c === 63) this.#state = State.Pi
    else if (c === 33) this.#state = State.Bang
    else if (isNameChar(c)) {
      this.#buffer = String.fromCharCode(c)
      this.#state = State.Name
    } else return this.#fail(c === 62 ? 'empty tag' : 'unexpected character in tag')
    return null
  }

  #inName (c: number): XmlScanResult | null {
    if (isNameChar(c) || c === 45) {
      this.#buffer += String.fromCharCode(c)
      return null
    }
    if (c !== 62 && c !== 47 && !isSpace(c)) return this.#fail('unexpected character in tag')
    this.#pendingName = this.#take()
    if (isSpace(c)) {
      this.#state = State.AfterName
      return null
    }
    return this.#startElement(c === 47)
  }

  #inStartTag (c: number): XmlScanResult | null {
    if (c === 62 || c === 47) return this.#startElement(c === 47)
    if (isSpace(c)) return null
    if (isNameChar(c)) {
      this.#buffer += String.fromCharCode(c)
      this.#state = State.AttrName
      return null
    }
    const afterValue = this.#state === State.AfterAttrValue && c !== 60 && c !== 38
    return this.#fail(afterValue ? "attribute name not followed by '='" : 'unexpected character in tag')
  }

  #inAttributeName (c: number): XmlScanResult | null {
    if (c === 61) {
      this.#take()
      this.#state = State.AttrValueStart
    } else if (isSpace(c)) {
      this.#state = State.AfterAttrName
    } else if (this.#state === State.AttrName && (isNameChar(c) || c === 45)) {
      this.#buffer += String.fromCharCode(c)
    } else {
      return this.#fail("attribute name not followed by '='")
    }
    return null
  }

  #afterTextLt (c: number): XmlScanResult | null {
    if (c === 47) {
      const error = this.#flush()
      if (error !== undefined) return this.#fail(error)
      this.#state = State.EndTag
    } else if (c === 33) {
      this.#state = State.Bang
    } else if (isNameChar(c)) {
      if (this.#mixedDepth === -1) this.#mixedDepth = 0
      const error = this.#flush()
      if (error !== undefined) return this.#fail(error)
      this.#buffer = String.fromCharCode(c)
      this.#state = State.Name
    } else {
      return this.#fail('expecting end tag')
    }
    return null
  }

  #inText (c: number): XmlScanResult | null {
    if (c === 60) {
      this.#state = this.#state === State.AfterTag ? State.SkipLt : State.TextLt
      return null
    }
    if (c === 38) {
      const result = this.#entity()
      this.#state = State.Text
      return result
    }
    this.#buffer += String.fromCharCode(c)
    if (!(this.#state === State.AfterTag && isSpace(c))) this.#state = State.Text
    return null
  }

  #afterBang (c: number): XmlScanResult | null {
    if (c === 91) {
      for (const expected of 'CDATA[') {
        if (this.#readRaw() !== expected.charCodeAt(0)) return null
      }
      this.#state = State.CData
    } else if (c === 45) {
      if (this.#readRaw() === 45) this.#state = State.Comment
    } else if (isNameChar(c)) {
      this.#state = State.Dtd
    } else {
      return this.#fail('unexpected character after <!')
    }
    return null
  }

  /** A `]` inside CDATA: `]]>` ends it, anything else is text (read raw, as MinML does). */
  #cdataBracket (): void {
    let c = this.#readRaw()
    if (c !== 93) {
      this.#buffer += ']' + String.fromCharCode(c === EOF ? 0xffff : c)
      return
    }
    for (c = this.#readRaw(); c === 93; c = this.#readRaw()) this.#buffer += ']'
    if (c === 62) this.#state = State.Text
    else this.#buffer += ']]' + String.fromCharCode(c === EOF ? 0xffff : c)
  }

  #commentDash (): void {
    let c = this.#readRaw()
    if (c !== 45) return
    do c = this.#readRaw(); while (c === 45)
    if (c === 62) this.#state = State.Skip
  }

  /** After `&`: a named entity or a char reference, read raw; its char joins the buffer. */
  #entity (): XmlScanResult | null {
    let name = ''
    for (;;) {
      const c = this.#readRaw()
      if (name === '' && c === 35) return this.#charReference()
      if (c === EOF) return this.#fail('invalid Character Entitiy')
      name += String.fromCharCode(c)
      const match = ENTITY_NAMES.findIndex((entity) => entity.startsWith(name))
      if (match === -1) return this.#fail('invalid Character Entitiy')
      if (name === ENTITY_NAMES[match]) {
        this.#buffer += ENTITY_CHARS[match]!
        return null
      }
    }
  }

  #charReference (): XmlScanResult | null {
    let c = this.#readRaw()
    let radix = 10
    if (c === 120) {
      radix = 16
      c = this.#readRaw()
    }
    let value = digitValue(c, radix)
    for (;;) {
      c = this.#readRaw()
      const digit = digitValue(c, radix)
      if (digit === -1) break
      value = (value * radix + digit) & 0xffff
    }
    if (c !== 59 || value === -1) return this.#fail('invalid Character Entitiy')
    this.#buffer += String.fromCharCode(value)
    return null
  }

  #startElement (empty: boolean): XmlScanResult | null {
    const name = this.#pendingName
    const error = this.events.startElement(name)
    if (error !== undefined) return this.#fail(error)
    this.#tags.push(name)
    if (this.#mixedDepth !== -1) this.#mixedDepth++
    this.#state = empty ? State.EmptyEnd : State.AfterTag
    return empty ? this.#endElement(true) : null
  }

  #endElement (empty: boolean): XmlScanResult | null {
    const open = this.#tags.pop()
    if (open === undefined) return this.#fail('end tag at begining of document')
    const name = this.#take()
    if (!empty && name !== open) return this.#fail(`end tag </${name}> does not match begin tag <${open}>`)
    const error = this.events.endElement(open)
    if (error !== undefined) return this.#fail(error)
    if (this.#tags.length === 0) return { ok: true }
    if (!empty) this.#state = State.AfterTag
    if (this.#mixedDepth !== -1) {
      this.#mixedDepth--
      if (this.#mixedDepth === 0) this.#state = State.Text
    }
    return null
  }
}

/** Scans `text` (one char per input byte) and reports its elements to `events`. */
export function scanXml (text: string, events: XmlEvents): XmlScanResult {
  return new Scanner(text, events).run()
}

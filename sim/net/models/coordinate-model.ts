/**
 * Coordinate network models: each host is a point in a d-dimensional Euclidean space whose unit
 * is 1 ms of one-way delay (as in OverSim's SimpleUnderlay), plus an optional per-host access
 * delay; delays are computed on demand, so 15,000 hosts cost 15,000 points, never an n×n matrix.
 * Also the parser for OverSim's node-coordinate XML, a small hand-written scanner for exactly
 * that shape. This module never reads files, never draws randomness and never depends on an XML
 * library; malformed input is a ModelParseError naming the line.
 */
import { basename } from 'node:path'
import type { NetworkModel } from '../network-model.ts'
import { clipForMessage, ModelParseError, parseDecimal } from './model-parse-error.ts'

/**
 * Hosts at coordinates: one-way µs from s to t (s ≠ t) =
 * round(1000 × ‖coord(s) − coord(t)‖ + accessUs[s] + accessUs[t]); a host is 0 µs from itself.
 */
export class CoordinateModel implements NetworkModel {
  readonly name: string
  readonly hostCount: number
  /** Dimensions d of the coordinate space. */
  readonly dimensions: number
  readonly #coordinatesMs: Float64Array
  readonly #accessUs: Float64Array

  /**
   * @param name Short description for reports.
   * @param dimensions d ≥ 1.
   * @param coordinatesMs Host h's coordinates at [h·d, h·d + d), ms of one-way delay; copied.
   *   Its length (a positive multiple of d) fixes hostCount.
   * @param accessUs Per-host access delay, µs ≥ 0, added once for each end of a path; copied.
   *   @default all zero
   */
  constructor (name: string, dimensions: number, coordinatesMs: ArrayLike<number>, accessUs?: ArrayLike<number>) {
    if (!(Number.isInteger(dimensions) && dimensions >= 1)) throw new RangeError(`dimensions must be a positive integer, got ${dimensions}`)
    if (coordinatesMs.length === 0 || coordinatesMs.length % dimensions !== 0) {
      throw new RangeError(`${coordinatesMs.length} coordinates is not a positive multiple of ${dimensions} dimensions`)
    }
    const hostCount = coordinatesMs.length / dimensions
    const coordinates = Float64Array.from(coordinatesMs)
    const bad = coordinates.findIndex((value) => !Number.isFinite(value))
    if (bad !== -1) throw new RangeError(`coordinate ${bad % dimensions} of host ${Math.floor(bad / dimensions)} is not finite`)
    const access = accessUs === undefined ? new Float64Array(hostCount) : Float64Array.from(accessUs)
    if (access.length !== hostCount) throw new RangeError(`accessUs has ${access.length} entries for ${hostCount} hosts`)
    const badAccess = access.findIndex((value) => !(Number.isFinite(value) && value >= 0))
    if (badAccess !== -1) throw new RangeError(`access delay of host ${badAccess} (${access[badAccess]} µs) is not a finite value ≥ 0`)
    this.name = name
    this.dimensions = dimensions
    this.hostCount = hostCount
    this.#coordinatesMs = coordinates
    this.#accessUs = access
  }

  oneWayUs (source: number, target: number): number {
    const n = this.hostCount
    if (!(Number.isInteger(source) && Number.isInteger(target) && source >= 0 && source < n && target >= 0 && target < n)) {
      throw new RangeError(`host pair ${source}→${target} is outside 0 … ${n - 1}`)
    }
    if (source === target) return 0
    const d = this.dimensions
    const coordinates = this.#coordinatesMs
    let squaredMs = 0
    for (let axis = 0; axis < d; axis++) {
      const deltaMs = (coordinates[source * d + axis] as number) - (coordinates[target * d + axis] as number)
      squaredMs += deltaMs * deltaMs
    }
    const access = this.#accessUs
    return Math.round(1000 * Math.sqrt(squaredMs) + (access[source] as number) + (access[target] as number))
  }

  /** Host `host`'s coordinates, ms (a copy). */
  coordinatesMs (host: number): Float64Array {
    this.#checkHost(host)
    return this.#coordinatesMs.slice(host * this.dimensions, (host + 1) * this.dimensions)
  }

  /** Host `host`'s access delay, µs. */
  accessUs (host: number): number {
    this.#checkHost(host)
    return this.#accessUs[host] as number
  }

  #checkHost (host: number): void {
    if (!(Number.isInteger(host) && host >= 0 && host < this.hostCount)) {
      throw new RangeError(`host ${host} is outside 0 … ${this.hostCount - 1}`)
    }
  }
}

/** 1-based line of character offset `offset` in `text` (error path only). */
function lineAt (text: string, offset: number): number {
  let line = 1
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) line++
  return line
}

/** Offset of the first non-whitespace character in [start, end), or -1 when there is none. */
function firstNonBlank (text: string, start: number, end: number): number {
  for (let at = start; at < end; at++) {
    const code = text.charCodeAt(at)
    if (code !== 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return at
  }
  return -1
}

interface Tag {
  name: string
  closing: boolean
  selfClosing: boolean
  attributes: string
}

const TAG_BODY = /^([A-Za-z_][\w.:-]*)(\s[\s\S]*)?$/
const ATTRIBUTES = /^(?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*$/
const ATTRIBUTE = /([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g

/** The value of attribute `name` in a tag's attribute text, or undefined. */
function attribute (attributes: string, name: string): string | undefined {
  for (const match of attributes.matchAll(ATTRIBUTE)) if (match[1] === name) return match[2] ?? match[3]
  return undefined
}

/**
 * Parses OverSim's node-coordinate XML (e.g. simulations/nodes_2d_15000.xml):
 * `<nodelist dimensions="d" …>` holding `<node …>` elements of exactly d `<coord> x </coord>`
 * elements each (ms of one-way delay). Node k of the file (0-based) is host k; node attributes
 * (isroot, ip) are ignored; there is no access delay. An XML declaration, comments and a
 * DOCTYPE without internal subset are skipped; entities, CDATA and other elements are errors.
 * @param sourceName File name for the model's name and error messages.
 * @throws ModelParseError for malformed markup, unexpected elements or text, a missing or bad
 *   `dimensions`, a non-numeric coordinate, a node without exactly d coordinates, or no nodes.
 */
export function parseOverSimNodes (text: string, sourceName: string): CoordinateModel {
  const fail = (offset: number, detail: string): never => { throw new ModelParseError(sourceName, lineAt(text, offset), detail) }
  const readTag = (lt: number, gt: number): Tag => {
    let body = text.slice(lt + 1, gt)
    const closing = body.startsWith('/')
    if (closing) body = body.slice(1)
    const selfClosing = body.endsWith('/')
    if (selfClosing) body = body.slice(0, -1)
    const match = TAG_BODY.exec(body.trimEnd())
    const attributes = match?.[2] ?? ''
    if (match === null || (closing && (selfClosing || attributes.trim() !== '')) || !ATTRIBUTES.test(attributes)) {
      return fail(lt, `malformed tag "${clipForMessage(text.slice(lt, gt + 1))}"`)
    }
    return { name: match[1] ?? '', closing, selfClosing, attributes }
  }
  const coordinatesMs: number[] = []
  let dimensions = 0
  let state: 'prolog' | 'list' | 'node' | 'coord' | 'after' = 'prolog'
  let coordsInNode = 0
  let host = 0 // index of the current (or next) <node>
  let pos = 0
  for (;;) {
    const lt = text.indexOf('<', pos)
    const textEnd = lt === -1 ? text.length : lt
    if (state === 'coord') {
      const token = text.slice(pos, textEnd).trim()
      const valueMs = parseDecimal(token)
      if (valueMs === null) return fail(pos, `expected a number in <coord>, found "${clipForMessage(token)}"`)
      coordinatesMs.push(valueMs)
    } else {
      const stray = firstNonBlank(text, pos, textEnd)
      if (stray !== -1) fail(stray, `unexpected text "${clipForMessage(text.slice(stray, textEnd).trim())}"`)
    }
    if (lt === -1) break
    if (state !== 'coord' && text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4)
      if (end === -1) fail(lt, 'unterminated comment')
      pos = end + 3
      continue
    }
    if (state === 'prolog' && (text.startsWith('<?', lt) || text.startsWith('<!DOCTYPE', lt))) {
      const end = text.indexOf('>', lt)
      if (end === -1) fail(lt, 'unterminated declaration')
      pos = end + 1
      continue
    }
    const gt = text.indexOf('>', lt)
    if (gt === -1) fail(lt, `unterminated tag "${clipForMessage(text.slice(lt).split('\n')[0] ?? '')}"`)
    const tag = readTag(lt, gt)
    const shown = `<${tag.closing ? '/' : ''}${tag.name}>`
    switch (state) {
      case 'prolog': {
        if (tag.closing || tag.name !== 'nodelist') fail(lt, `expected <nodelist dimensions="…">, found ${shown}`)
        const declared = attribute(tag.attributes, 'dimensions')
        if (declared === undefined) fail(lt, '<nodelist> has no dimensions attribute')
        dimensions = /^\s*\d+\s*$/.test(declared ?? '') ? Number(declared) : 0
        if (dimensions < 1) fail(lt, `<nodelist> dimensions="${clipForMessage(declared ?? '')}" is not a positive integer`)
        state = tag.selfClosing ? 'after' : 'list'
        break
      }
      case 'list':
        if (tag.name === 'node' && !tag.closing) {
          if (tag.selfClosing) fail(lt, `<node> of host ${host} has 0 <coord> elements, expected ${dimensions}`)
          coordsInNode = 0
          state = 'node'
        } else if (tag.name === 'nodelist' && tag.closing) {
          state = 'after'
        } else {
          fail(lt, `expected <node> or </nodelist>, found ${shown}`)
        }
        break
      case 'node':
        if (tag.name === 'coord' && !tag.closing && !tag.selfClosing) {
          if (coordsInNode === dimensions) fail(lt, `<node> of host ${host} has more than ${dimensions} <coord> elements`)
          state = 'coord'
        } else if (tag.name === 'node' && tag.closing) {
          if (coordsInNode !== dimensions) fail(lt, `<node> of host ${host} has ${coordsInNode} <coord> elements, expected ${dimensions}`)
          host++
          state = 'list'
        } else {
          fail(lt, `expected <coord> or </node>, found ${shown}`)
        }
        break
      case 'coord':
        if (!(tag.name === 'coord' && tag.closing)) fail(lt, `expected </coord>, found ${shown}`)
        coordsInNode++
        state = 'node'
        break
      case 'after':
        fail(lt, `unexpected ${shown} after </nodelist>`)
    }
    pos = gt + 1
  }
  if (state === 'prolog') fail(text.length, 'no <nodelist> element found')
  if (state !== 'after') fail(text.length, 'unexpected end of file before </nodelist>')
  if (host === 0) fail(text.length, '<nodelist> has no <node> elements')
  return new CoordinateModel(`oversim:${basename(sourceName)} (${host} hosts, ${dimensions}-D)`, dimensions, coordinatesMs)
}

/**
 * Fuzz: a million seeded random and mutated inputs through parseDatagram (with and without a MAC
 * key) and decodeMessage (on the body when framing parses, and on the raw bytes). Nothing may
 * throw; every result must be a well-formed ok/error value; every successful decode must
 * re-encode and decode again to the same bytes.
 */
import test from 'ava'
import { performance } from 'node:perf_hooks'
import { SeededRng } from '../src/env/rng.ts'
import { decodeMessage, encodeMessage, type Decoded, type WireMessage } from '../src/wire/codec.ts'
import { encodeData, encodePureAck, hmacSha1, parseDatagram, type Parsed } from '../src/wire/datagram.ts'
import { registeredWireTypes } from '../src/wire/registry.ts'
import type { Coordinate, NodeIdObject } from '../src/wire/vivaldi-messages.ts'
import type { NeighborInfo } from '../src/wire/fields.ts'
import { hostFromBytes, type NodeAddress } from '../src/ids/node-address.ts'
import { toHex } from '../src/ids/sha1.ts'
import { Gen } from './support/random-messages.ts'

const SEED = 'wire-fuzz/1'
const INPUTS = 1_000_000
const TIME_LIMIT_MS = 60_000
const KEY = new Uint8Array(Array.from({ length: 20 }, (_, i) => 0xa0 + i))
const DROP_REASONS = new Set(['short', 'unknown-version', 'unauthenticated', 'bad-mac', 'bad-seq'])

const rng = new SeededRng(SEED)
const int = (n: number): number => rng.int(n)
const pick = <T>(items: readonly T[]): T => items[int(items.length)]!
const big = (bytes: Uint8Array): bigint => bytes.reduce((v, b) => (v << 8n) | BigInt(b), 0n)

// --- a corpus of valid messages of every registered type ------------------------------------

const guid = (): bigint => pick([0n, 1n, 0x80n, (1n << 160n) - 1n, big(rng.bytes(20)), big(rng.bytes(20)) | (1n << 159n), big(rng.bytes(1 + int(19)))])
const i64 = (): bigint => BigInt.asIntN(64, big(rng.bytes(8)))
const i32 = (): number => pick([0, 1, -1, 16, int(2 ** 32) | 0])
const f64 = (): number => pick([0, -0, 1.5, -2.25, Infinity, NaN, (rng.float() - 0.5) * 1e6])
const address = (): NodeAddress => ({ host: int(4) === 0 ? hostFromBytes(rng.bytes(16))! : Array.from(rng.bytes(4)).join('.'), port: int(65536) })
const neighbor = (): NeighborInfo => ({ address: address(), guid: guid() })
const neighbors = (max = 8): NeighborInfo[] => Array.from({ length: int(max + 1) }, neighbor)
const coordinate = (): Coordinate => {
  const type = pick(['VirtualCoordinate', 'SpecialVC', 'FiveDVC'] as const)
  return { type, values: Array.from({ length: type === 'FiveDVC' ? 5 : 3 }, f64) }
}
const nodeId = (): NodeIdObject => ({ type: 'NodeId', address: address() })
const dhtGen = new Gen(rng)
type TypeName = WireMessage['type']
const LEAVES: readonly TypeName[] = ['PingMsg', 'LeafSetReq', 'JoinReq', 'JoinResp', 'LeafSetChanged', 'RoutingTableReq', 'RoutingTableResp',
  'RoutingNeighborAnnounce', 'LookupReqPayload', 'LookupRespMsg', 'CoordReq', 'CoordResp', 'NeighborInfo', 'VirtualCoordinate',
  'SpecialVC', 'FiveDVC', 'NodeId', 'LocateNodeMsg', 'LocateNodeResp', 'PingVCResp', 'PingNodeMsg']
const NESTING: readonly TypeName[] = ['RouteMsg', 'IterRouteReq', 'IterRouteResp', 'Rpc$Msg']

function message (type: TypeName, depth: number): WireMessage {
  const payload = (): WireMessage => message(depth > 0 ? pick([...LEAVES, ...NESTING]) : pick(LEAVES), depth - 1)
  switch (type) {
    case 'JoinReq': return { type, node: address(), guid: guid(), revTtl: i32(), path: neighbors() }
    case 'JoinResp': return { type, path: neighbors(), leafSet: neighbors() }
    case 'LeafSetChanged': return { type, guid: guid(), leafSet: neighbors(), wantReply: int(2) === 1 }
    case 'RouteMsg': return { type, src: guid(), dest: guid(), appId: i64(), intermediateUpcall: int(2) === 1, peerGuid: guid(), payload: payload() }
    case 'RoutingTableReq': return { type, guid: guid(), level: i32() }
    case 'RoutingTableResp': return { type, peerGuid: guid(), neighbors: neighbors(16) }
    case 'RoutingNeighborAnnounce': return { type, guid: guid(), add: int(2) === 1 }
    case 'LookupReqPayload': return { type, returnAddress: address() }
    case 'LookupRespMsg': return { type, lookupId: guid(), ownerId: guid() }
    case 'CoordReq': return { type, srcId: guid(), coords: [f64(), f64(), f64()] }
    case 'CoordResp': return { type, coords: [f64(), f64(), f64()] }
    case 'NeighborInfo': return { type, neighbor: neighbor() }
    case 'IterRouteReq': return { type, src: guid(), dest: guid(), appId: i64(), intermediateUpcall: false, payload: payload() }
    case 'IterRouteResp': return { type, src: guid(), dest: guid(), appId: i64(), intermediateUpcall: true, payload: payload(), nextHop: neighbor() }
    case 'Rpc$Msg': return { type, req: int(2) === 1, xactId: i64(), payload: payload() }
    case 'VirtualCoordinate': case 'SpecialVC': case 'FiveDVC': return { type, values: Array.from({ length: type === 'FiveDVC' ? 5 : 3 }, f64) }
    case 'NodeId': return nodeId()
    case 'LocateNodeMsg': return { type, version: i32(), requestor: nodeId(), coordinate: coordinate() }
    case 'LocateNodeResp': return { type, coordinate: coordinate(), locatedId: nodeId() }
    case 'PingVCResp': return { type, version: i32(), coordinate: coordinate() }
    case 'PingNodeMsg': return { type, coordinate: coordinate() }
    case 'PingMsg': case 'LeafSetReq': return { type }
    default: return dhtGen.message(type, depth) // the DHT and data-manager types
  }
}

const CODES = registeredWireTypes().map((r) => new Uint8Array(Buffer.from(r.codeHex, 'hex')))
const FOREIGN_CODES = ['46e3f5520477ec80', 'b46dbdc4f92f1eb4', '0000000000000000', 'ffffffffffffffff'].map((h) => new Uint8Array(Buffer.from(h, 'hex')))

interface Seed { bytes: Uint8Array, codeAt: number[], lengthAt: number[] }

function seedOf (bytes: Uint8Array): Seed {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const codeAt: number[] = []
  const lengthAt: number[] = []
  for (let i = 0; i + 4 <= bytes.length; i++) {
    const v = view.getInt32(i)
    if (v >= 0 && v <= 64) lengthAt.push(i) // likely a BigInteger length or a list count
    if (i + 8 <= bytes.length && CODES.some((c) => c.every((b, j) => bytes[i + j] === b))) codeAt.push(i)
  }
  return { bytes, codeAt, lengthAt }
}

const TYPES = registeredWireTypes().map((r) => r.type as TypeName)
const CORPUS: Seed[] = []
for (const type of TYPES) for (let i = 0; i < 40; i++) CORPUS.push(seedOf(encodeMessage(message(type, 1 + int(3)))))

// --- mutations ------------------------------------------------------------------------------

const HUGE = [0x7fffffff, -1, -0x80000000, 1000, 1001, 17, 16, 0, 65536, 0x10000000, -2]

function mutateOnce (seed: Seed, input: Uint8Array): Uint8Array {
  const out = input.slice()
  const n = out.length
  switch (int(9)) {
    case 0: // bit flips
      for (let k = 1 + int(4); k > 0 && n > 0; k--) out[int(n)]! ^= 1 << int(8)
      return out
    case 1: // byte replacements
      for (let k = 1 + int(4); k > 0 && n > 0; k--) out[int(n)] = pick([0, 0xff, 0x80, 0x7f, 1, int(256)])
      return out
    case 2: return out.slice(0, int(n + 1)) // truncation
    case 3: return concat(out, rng.bytes(1 + int(32))) // extension
    case 4: { // a length/count field set to a huge or negative value
      const at = seed.lengthAt.length > 0 && int(4) !== 0 ? pick(seed.lengthAt) : int(Math.max(1, n - 3))
      if (at + 4 <= n) new DataView(out.buffer).setInt32(at, pick(HUGE))
      return out
    }
    case 5: { // spliced type code
      const at = seed.codeAt.length > 0 && int(4) !== 0 ? pick(seed.codeAt) : int(Math.max(1, n - 7))
      if (at + 8 <= n) out.set(int(5) === 0 ? pick(FOREIGN_CODES) : pick(CODES), at)
      return out
    }
    case 6: { // splice with another message
      const other = pick(CORPUS).bytes
      return concat(out.subarray(0, int(n + 1)), other.subarray(int(other.length + 1)))
    }
    case 7: { // insert or delete one byte
      const at = int(n + 1)
      return int(2) === 0 ? concat(out.subarray(0, at), new Uint8Array([int(256)]), out.subarray(at)) : concat(out.subarray(0, at), out.subarray(at + 1))
    }
    default: return concat(pick(CODES), out.subarray(8)) // whole message re-typed
  }
}

function mutate (seed: Seed): Uint8Array {
  let out = seed.bytes
  for (let k = 1 + int(3); k > 0; k--) out = mutateOnce(seed, out)
  return out
}

function concat (...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0))
  let at = 0
  for (const p of parts) { out.set(p, at); at += p.length }
  return out
}

function frame (body: Uint8Array, key: Uint8Array | null): Uint8Array {
  if (int(20) === 0) return encodePureAck(i64(), key)
  const seq = int(8) === 0 ? i64() : int(8) === 0 ? -1n : (BigInt(int(2 ** 32)) << 8n) | BigInt(1 + int(127))
  return encodeData({ ack: int(2) === 0 ? -1n : i64(), seq, waitMs: i32(), estRttMs: i32() }, body, key)
}

/** MAC the bytes (as version 1) after mutating them, so the body reaches the decoder. */
function remac (bytes: Uint8Array): Uint8Array {
  if (bytes.length < 32) return bytes
  const out = bytes.slice()
  new DataView(out.buffer).setInt32(0, 1)
  out.set(hmacSha1(KEY, out.subarray(0, out.length - 20)), out.length - 20)
  return out
}

// --- the run --------------------------------------------------------------------------------

test(`fuzz: ${INPUTS.toLocaleString('en')} inputs through parseDatagram and decodeMessage never throw (seed ${SEED})`, (t) => {
  const counts = { inputs: 0, parseOk: 0, parseDropped: 0, decodeOk: 0, decodeError: 0, reencoded: 0 }
  const reasons: Record<string, number> = {}
  const problems: string[] = []
  const report = (what: string, input: Uint8Array, detail: string): void => {
    if (problems.length < 10) problems.push(`input #${counts.inputs} (${what}) ${toHex(input).slice(0, 400)}: ${detail}`)
  }

  const checkParsed = (p: Parsed, input: Uint8Array): Uint8Array | null => {
    if (p.ok) {
      counts.parseOk++
      const d = p.datagram
      if (d.kind === 'ack') {
        if (typeof d.seq !== 'bigint' || (d.version !== 0 && d.version !== 1)) report('parse', input, 'bad ack value')
        return null
      }
      const h = d.header
      if (d.kind !== 'data' || !(d.body instanceof Uint8Array) || typeof h.ack !== 'bigint' || typeof h.seq !== 'bigint' ||
        !Number.isInteger(h.waitMs) || !Number.isInteger(h.estRttMs)) report('parse', input, 'bad data value')
      return d.body
    }
    counts.parseDropped++
    reasons[p.reason] = (reasons[p.reason] ?? 0) + 1
    if (!DROP_REASONS.has(p.reason) || typeof p.detail !== 'string') report('parse', input, `bad drop ${JSON.stringify(p)}`)
    return null
  }

  const checkDecoded = (d: Decoded<WireMessage>, input: Uint8Array): void => {
    if (!d.ok) {
      counts.decodeError++
      if (typeof d.error !== 'string' || d.error.length === 0) report('decode', input, 'empty error')
      return
    }
    counts.decodeOk++
    if (typeof d.value.type !== 'string' || !Number.isInteger(d.trailingBytes) || d.trailingBytes < 0 || d.trailingBytes > input.length) {
      report('decode', input, 'bad ok value')
      return
    }
    // What decodes must encode, and its encoding must be a fixed point.
    try {
      const bytes = encodeMessage(d.value)
      const again = decodeMessage(bytes)
      if (!again.ok || again.trailingBytes !== 0 || toHex(encodeMessage(again.value)) !== toHex(bytes)) report('re-encode', input, 'not a fixed point')
      counts.reencoded++
    } catch (error) {
      report('re-encode', input, `threw ${String(error)}`)
    }
  }

  const feed = (input: Uint8Array): void => {
    counts.inputs++
    try {
      const body = checkParsed(parseDatagram(input), input)
      const macBody = checkParsed(parseDatagram(input, KEY), input)
      checkDecoded(decodeMessage(input), input)
      if (body !== null) checkDecoded(decodeMessage(body), body)
      if (macBody !== null && (body === null || macBody.length !== body.length)) checkDecoded(decodeMessage(macBody), macBody)
    } catch (error) {
      report('throw', input, error instanceof Error ? `${error.name}: ${error.message}` : String(error))
    }
  }

  const started = performance.now()
  while (counts.inputs < INPUTS) {
    const strategy = int(10)
    if (strategy < 3) {
      feed(rng.bytes(int(201))) // random bytes, lengths 0–200
    } else if (strategy < 6) {
      feed(mutate(pick(CORPUS))) // a mutated message on its own
    } else if (strategy < 8) {
      feed(frame(mutate(pick(CORPUS)), int(2) === 0 ? KEY : null)) // a mutated message in a good frame
    } else if (strategy < 9) {
      const datagram = frame(pick(CORPUS).bytes, int(2) === 0 ? KEY : null) // a mutated frame
      feed(int(2) === 0 ? remac(mutate({ bytes: datagram, codeAt: [], lengthAt: [] })) : mutate({ bytes: datagram, codeAt: [], lengthAt: [] }))
    } else {
      feed(remac(frame(mutate(pick(CORPUS)), KEY))) // MAC'ed after mutation: reaches the decoder
    }
  }
  const elapsedMs = performance.now() - started

  t.log(`seed ${SEED}: ${counts.inputs} inputs in ${(elapsedMs / 1000).toFixed(1)} s`)
  t.log(`parseDatagram: ${counts.parseOk} ok, ${counts.parseDropped} dropped ${JSON.stringify(reasons)}`)
  t.log(`decodeMessage: ${counts.decodeOk} ok (${counts.reencoded} re-encoded), ${counts.decodeError} errors`)
  t.deepEqual(problems, [], `seed ${SEED}`)
  t.true(counts.inputs >= 1_000_000)
  t.true(counts.decodeOk > 10_000, 'the mutations must also reach successful decodes')
  t.true(counts.decodeError > 10_000)
  for (const reason of DROP_REASONS) t.true((reasons[reason] ?? 0) > 0, `drop reason ${reason} exercised`)
  t.true(elapsedMs < TIME_LIMIT_MS, `took ${elapsedMs.toFixed(0)} ms`)
})

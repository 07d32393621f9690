/**
 * Property tests: seeded random messages of every registered type survive encode → decode →
 * encode unchanged; and the identifier helpers of src/ids (node ids, digits, ring arithmetic,
 * client keys, address text).
 */
import test from 'ava'
import { ALL_TYPES, Gen } from './support/random-messages.ts'
import { SeededRng } from '../src/env/rng.ts'
import { decodeMessage, encodeMessage, sizeMessage } from '../src/wire/codec.ts'
import { WireSizer } from '../src/wire/sizer.ts'
import { WireWriter } from '../src/wire/writer.ts'
import type { Coordinate } from '../src/wire/vivaldi-messages.ts'
import { toHex } from '../src/ids/sha1.ts'
import { hostFromBytes, parseAddress, tryAddressBytes, type NodeAddress } from '../src/ids/node-address.ts'
import { ID_MAX, ID_SPACE, idToHex, keyToId, nodeIdOf, type Id } from '../src/ids/node-id.ts'
import { digitAt, digitsPerId, digitsToId, idToDigits, sharedPrefixLength, withDrawnSuffix, type DigitBase } from '../src/ids/digits.ts'
import { clockwiseDistance, inRangeMod, ringDistance } from '../src/ids/ring.ts'

const MESSAGES_PER_TYPE = 2000

/** Structural equality with Object.is on numbers (so -0 ≠ 0 and NaN = NaN). */
function same (a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b)
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length) return false
  return ka.every((k) => Object.hasOwn(b, k) && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}

for (const type of ALL_TYPES) {
  test(`round trip: ${MESSAGES_PER_TYPE} random ${type}`, (t) => {
    const seed = `wire-roundtrip/${type}/1`
    const gen = new Gen(new SeededRng(seed))
    let checked = 0
    for (let i = 0; i < MESSAGES_PER_TYPE; i++) {
      const message = gen.message(type, 1 + gen.rng.int(3))
      const bytes = encodeMessage(message)
      const decoded = decodeMessage(bytes)
      const where = `seed ${seed}, message #${i}`
      if (sizeMessage(message) !== bytes.length) return t.is(sizeMessage(message), bytes.length, `${where}: the sizer disagrees with the encoder`)
      if (!decoded.ok) return t.fail(`${where}: decode failed: ${decoded.error}`)
      if (decoded.trailingBytes !== 0) return t.fail(`${where}: ${decoded.trailingBytes} trailing bytes`)
      if (!same(decoded.value, message)) {
        t.deepEqual(decoded.value, message, where)
        return
      }
      const again = encodeMessage(decoded.value)
      if (toHex(again) !== toHex(bytes)) return t.is(toHex(again), toHex(bytes), `${where}: re-encoding differs`)
      checked++
    }
    t.is(checked, MESSAGES_PER_TYPE, `seed ${seed}`)
  })
}

test('round trip: -0, infinities and the canonical NaN in coordinates', (t) => {
  const message: Coordinate = { type: 'FiveDVC', values: [-0, 0, Infinity, -Infinity, NaN] }
  const bytes = encodeMessage(message)
  t.is(toHex(bytes).slice(16), '8000000000000000' + '0000000000000000' + '7ff0000000000000' + 'fff0000000000000' + '7ff8000000000000')
  const decoded = decodeMessage(bytes)
  t.true(decoded.ok)
  if (decoded.ok) {
    t.deepEqual(decoded.value, message)
    t.true(decoded.ok && decoded.value.type === 'FiveDVC' && Object.is(decoded.value.values[0], -0))
  }
})

// ---------------------------------------------------------------------------------------------
// src/ids

const at = (port: number): NodeAddress => ({ host: '127.0.0.1', port })

test('ids: node id = SHA-1 of the serialized NodeId (bamboo.md §3 and captures)', (t) => {
  t.is(nodeIdOf(at(5850)), 0x0d7375bf9009102050ca281ab2262bffbe323a34n)
  t.is(nodeIdOf(at(3630)), 0x19d5e8874c4de3431ddf235ae4e7531c403c512fn)
  t.is(nodeIdOf(at(3632)), 0x93f4fc37f2d761b208d49d583b58fd4c962c5b18n)
  t.is(nodeIdOf(at(3638)), 0x33e18b01942a6671dca4f70e4db148b27013a3adn)
  t.true(idToHex(nodeIdOf(at(3634))).startsWith('d44b3b10'))
  t.true(idToHex(nodeIdOf(at(3644))).startsWith('074df62c'), 'leading zero digit kept')
  t.is(idToHex(nodeIdOf(at(3644))).length, 40)
  t.true(idToHex(nodeIdOf(at(3700))).startsWith('635ce00d'))
})

const BASES: readonly DigitBase[] = [2, 4, 16, 256]

test('ids: idToDigits / digitsToId round-trip and digitAt agree, bases 2, 4, 16, 256', (t) => {
  const seed = 'ids-digits/1'
  const gen = new Gen(new SeededRng(seed))
  const ids = [0n, 1n, ID_MAX, 1n << 159n, ...Array.from({ length: 300 }, () => gen.guid())]
  for (const base of BASES) {
    t.is(digitsPerId(base), { 2: 160, 4: 80, 16: 40, 256: 20 }[base])
    for (const id of ids) {
      const digits = idToDigits(id, base)
      if (digits.length !== digitsPerId(base) || digits.some((d) => d < 0 || d >= base)) return t.fail(`seed ${seed}: bad digits for ${id} base ${base}`)
      if (digitsToId(digits, base) !== id) return t.fail(`seed ${seed}: ${id} base ${base} does not round-trip`)
      for (let i = 0; i < digits.length; i += 7) if (digitAt(id, i, base) !== digits[i]) return t.fail(`seed ${seed}: digitAt ${i}`)
    }
  }
  // Most significant first.
  const g = 0x19d5e8874c4de3431ddf235ae4e7531c403c512fn
  t.deepEqual(idToDigits(g, 16), idToHex(g).split('').map((c) => parseInt(c, 16)))
  t.deepEqual(idToDigits(g, 256), Array.from(Buffer.from(idToHex(g), 'hex')))
  t.deepEqual(idToDigits(g, 2), g.toString(2).padStart(160, '0').split('').map(Number))
  t.deepEqual(idToDigits(g, 4).slice(0, 4), [0, 1, 2, 1]) // 0x19 = 00 01 10 01
  t.is(digitAt(g, 0, 16), 1)
  t.is(digitAt(g, 39, 16), 0xf)
  t.is(digitAt(ID_MAX, 19, 256), 255)
  t.throws(() => digitAt(g, 40, 16), { instanceOf: RangeError })
  t.throws(() => digitAt(g, -1, 2), { instanceOf: RangeError })
  t.throws(() => digitsToId([1, 2, 3], 16), { instanceOf: RangeError })
  t.throws(() => digitsToId(Array<number>(40).fill(16), 16), { instanceOf: RangeError })
})

test('ids: sharedPrefixLength', (t) => {
  const a = 0x93f4fc37f2d761b208d49d583b58fd4c962c5b18n
  for (const base of BASES) {
    t.is(sharedPrefixLength(a, a, base), digitsPerId(base), `equal ids, base ${base}`)
    t.is(sharedPrefixLength(a, a ^ 1n, base), digitsPerId(base) - 1, `last bit, base ${base}`)
    t.is(sharedPrefixLength(a, a ^ (1n << 159n), base), 0, `first bit, base ${base}`)
    t.is(sharedPrefixLength(0n, ID_MAX, base), 0)
  }
  t.is(sharedPrefixLength(a, a ^ (1n << 155n), 16), 1)
  t.is(sharedPrefixLength(a, a ^ (1n << 156n), 16), 0)
  t.is(sharedPrefixLength(a, a ^ (1n << 155n), 2), 4)
  // Against a naive digit-by-digit count.
  const seed = 'ids-prefix/1'
  const gen = new Gen(new SeededRng(seed))
  for (let i = 0; i < 500; i++) {
    const x = gen.guid()
    const y = x ^ (gen.guid() >> BigInt(gen.rng.int(161)))
    for (const base of BASES) {
      const dx = idToDigits(x, base)
      const dy = idToDigits(y, base)
      let n = 0
      while (n < dx.length && dx[n] === dy[n]) n++
      if (sharedPrefixLength(x, y, base) !== n) return t.fail(`seed ${seed}: ${x} vs ${y} base ${base}`)
    }
  }
})

test('ids: ringDistance is symmetric, wraps, and is at most half the ring', (t) => {
  t.is(ringDistance(0n, ID_MAX), 1n)
  t.is(ringDistance(ID_MAX, 0n), 1n)
  t.is(ringDistance(5n, 5n), 0n)
  t.is(ringDistance(1n, (1n << 159n) + 1n), 1n << 159n)
  t.is(ringDistance(10n, ID_MAX - 9n), 20n)
  t.is(clockwiseDistance(ID_MAX, 0n), 1n)
  t.is(clockwiseDistance(0n, ID_MAX), ID_MAX)
  const seed = 'ids-ring/1'
  const gen = new Gen(new SeededRng(seed))
  for (let i = 0; i < 1000; i++) {
    const a = gen.guid()
    const b = gen.guid()
    const d = ringDistance(a, b)
    if (d !== ringDistance(b, a)) return t.fail(`seed ${seed}: asymmetric ${a} ${b}`)
    if (d > ID_SPACE / 2n) return t.fail(`seed ${seed}: ${d} more than half the ring`)
    const cw = clockwiseDistance(a, b)
    if (d !== (cw <= ID_SPACE - cw ? cw : (ID_SPACE - cw) % ID_SPACE)) return t.fail(`seed ${seed}: ${a} ${b}`)
  }
  t.is(ringDistance(3n, 9n, 10n), 4n) // small modulus
})

test('ids: inRangeMod is inclusive at both ends, wraps, and low == high is one point', (t) => {
  t.true(inRangeMod(10n, 20n, 10n))
  t.true(inRangeMod(10n, 20n, 20n))
  t.true(inRangeMod(10n, 20n, 15n))
  t.false(inRangeMod(10n, 20n, 9n))
  t.false(inRangeMod(10n, 20n, 21n))
  // Wrapping range [MAX-1, 1].
  t.true(inRangeMod(ID_MAX - 1n, 1n, ID_MAX - 1n))
  t.true(inRangeMod(ID_MAX - 1n, 1n, ID_MAX))
  t.true(inRangeMod(ID_MAX - 1n, 1n, 0n))
  t.true(inRangeMod(ID_MAX - 1n, 1n, 1n))
  t.false(inRangeMod(ID_MAX - 1n, 1n, 2n))
  t.false(inRangeMod(ID_MAX - 1n, 1n, ID_MAX - 2n))
  // low == high.
  t.true(inRangeMod(7n, 7n, 7n))
  t.false(inRangeMod(7n, 7n, 6n))
  t.false(inRangeMod(7n, 7n, 8n))
  t.true(inRangeMod(0n, ID_MAX, 12345n))
  const seed = 'ids-range/1'
  const gen = new Gen(new SeededRng(seed))
  for (let i = 0; i < 2000; i++) {
    const low = gen.guid()
    const high = gen.rng.int(10) === 0 ? low : gen.guid()
    const q = gen.rng.int(5) === 0 ? gen.pick([low, high]) : gen.guid()
    const expected = clockwiseDistance(low, q) <= clockwiseDistance(low, high)
    if (inRangeMod(low, high, q) !== expected) return t.fail(`seed ${seed}: in_range_mod(${low}, ${high}, ${q})`)
  }
})

test('ids: keyToId reads a short key as a left-padded big-endian integer', (t) => {
  t.is(keyToId(new Uint8Array()), 0n)
  t.is(keyToId(new Uint8Array([0x01])), 1n)
  t.is(keyToId(new Uint8Array([0xab, 0xcd])), 0xabcdn)
  t.is(keyToId(new Uint8Array([0x00, 0x00, 0xff])), 0xffn)
  t.is(keyToId(new Uint8Array(20).fill(0xff)), ID_MAX)
  const key = new Uint8Array(Buffer.from('93f4fc37f2d761b208d49d583b58fd4c962c5b18', 'hex'))
  t.is(keyToId(key), 0x93f4fc37f2d761b208d49d583b58fd4c962c5b18n)
  t.throws(() => keyToId(new Uint8Array(21)), { instanceOf: RangeError })
})

test('ids: parseAddress for IPv4 and IPv6 (printed as Java prints it)', (t) => {
  const cases: Array<[string, NodeAddress]> = [
    ['127.0.0.1:5850', { host: '127.0.0.1', port: 5850 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    ['255.255.255.255:65535', { host: '255.255.255.255', port: 65535 }],
    ['[::1]:5850', { host: '0:0:0:0:0:0:0:1', port: 5850 }],
    ['[::]:1', { host: '0:0:0:0:0:0:0:0', port: 1 }],
    ['[1::]:2', { host: '1:0:0:0:0:0:0:0', port: 2 }],
    ['[fe80::1:abcd]:3', { host: 'fe80:0:0:0:0:0:1:abcd', port: 3 }],
    ['[2001:DB8::FF00:42:8329]:80', { host: '2001:db8:0:0:0:ff00:42:8329', port: 80 }],
    ['[2001:0db8:0000:0000:0000:ff00:0042:8329]:80', { host: '2001:db8:0:0:0:ff00:42:8329', port: 80 }],
    ['[1:2:3:4:5:6:7::]:9', { host: '1:2:3:4:5:6:7:0', port: 9 }],
    ['[::2:3:4:5:6:7:8]:9', { host: '0:2:3:4:5:6:7:8', port: 9 }]
  ]
  for (const [text, expected] of cases) t.deepEqual(parseAddress(text), expected, text)
})

test('ids: parseAddress rejects garbage with null', (t) => {
  for (const text of ['', 'localhost:5850', '127.0.0.1', '127.0.0.1:', ':5850', '127.0.0.1:65536', '127.0.0.1:-1',
    '127.0.0.1:58x', ' 127.0.0.1:5850', '256.0.0.1:1', '1.2.3:4', '1.2.3.4.5:6', '1..3.4:5', '1.2.3.1234:5',
    '::1:5850', '[::1]', '[::1]5850', '[1::2::3]:4', '[1:2:3:4:5:6:7:8:9]:1', '[1:2:3:4:5:6:7]:1', '[12345::]:1',
    '[:::]:1', '[:1::]:1', '[1:2:3:4:5:6:7:8::]:1', '[::1:2:3:4:5:6:7:8]:1', '[g::1]:1', '[]:1', '1.2.3.4:99999999999999999999']) {
    t.is(parseAddress(text), null, JSON.stringify(text))
  }
  t.is(tryAddressBytes('not an address'), null)
  t.is(tryAddressBytes('1:2'), null)
})

test('ids: hostFromBytes for 4 and 16 bytes only', (t) => {
  t.is(hostFromBytes(new Uint8Array([127, 0, 0, 1])), '127.0.0.1')
  t.is(hostFromBytes(new Uint8Array(16)), '0:0:0:0:0:0:0:0')
  t.is(hostFromBytes(new Uint8Array(Buffer.from('20010db8000000000000ff0000428329', 'hex'))), '2001:db8:0:0:0:ff00:42:8329')
  t.is(hostFromBytes(new Uint8Array(16).fill(0xff)), 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')
  for (const n of [0, 1, 3, 5, 8, 15, 17, 32]) t.is(hostFromBytes(new Uint8Array(n)), null, `${n} bytes`)
  // Text → bytes → text is the identity on canonical forms.
  const gen = new Gen(new SeededRng('ids-host/1'))
  for (let i = 0; i < 200; i++) {
    const host = gen.address().host
    t.is(hostFromBytes(tryAddressBytes(host)!), host)
  }
})

test('ids: nodeIdOf depends on port and address (IPv6 uses the 16-byte form)', (t) => {
  const v6: Id = nodeIdOf({ host: '::1', port: 5850 })
  t.is(v6, nodeIdOf({ host: '0:0:0:0:0:0:0:1', port: 5850 }))
  t.not(v6, nodeIdOf(at(5850)))
  t.not(nodeIdOf(at(5851)), nodeIdOf(at(5850)))
  t.throws(() => nodeIdOf({ host: 'example.org', port: 1 }))
})

test('sizer: BigInteger lengths equal the writer\'s for edge values of every sign and byte boundary', (t) => {
  const values = [0n, 1n, -1n, 0x7fn, 0x80n, -0x80n, -0x81n, 0xffn, 0x100n, ID_MAX, ID_MAX + 1n, -(ID_MAX + 1n), 1n << 159n, (1n << 159n) - 1n]
  for (let bits = 1; bits < 200; bits += 3) values.push((1n << BigInt(bits)) - 1n, 1n << BigInt(bits), -(1n << BigInt(bits)))
  for (const value of values) {
    const writer = new WireWriter()
    writer.bigInteger(value)
    const sizer = new WireSizer()
    sizer.bigInteger(value)
    t.is(sizer.length, writer.length, `BigInteger ${value}`)
  }
  t.throws(() => new WireSizer().finish())
})

test('ids: withDrawnSuffix keeps the first digits and draws the rest in order, as digitsToId would', (t) => {
  const gen = new Gen(new SeededRng('ids-suffix/1'))
  for (const base of BASES) {
    for (let i = 0; i < 200; i++) {
      const id = gen.guid()
      const keep = gen.rng.int(digitsPerId(base) + 1)
      const drawn = Array.from({ length: digitsPerId(base) - keep }, () => gen.rng.int(base))
      const expected = digitsToId([...idToDigits(id, base).slice(0, keep), ...drawn], base)
      let next = 0
      t.is(withDrawnSuffix(id, keep, base, () => drawn[next++]!), expected)
      t.is(next, drawn.length)
    }
    t.throws(() => withDrawnSuffix(0n, digitsPerId(base) + 1, base, () => 0), { instanceOf: RangeError })
    t.throws(() => withDrawnSuffix(0n, 0, base, () => base), { instanceOf: RangeError })
  }
})

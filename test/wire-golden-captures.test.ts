/**
 * Golden vectors from real Java Bamboo datagrams (docs bamboo-captures.md), copied verbatim:
 * each is parsed (UdpCC framing + message), checked field for field against the capture's
 * "Decoded:" line, and re-encoded to the exact same bytes. Also UdpCC framing (bamboo.md §9):
 * pure acks, MAC'ed datagrams (version 1 + HMAC-SHA1 trailer) and the drop reasons.
 */
import test from 'ava'
import { createHmac } from 'node:crypto'
import { decodeMessage, encodeMessage, type WireMessage } from '../src/wire/codec.ts'
import { encodeData, encodePureAck, parseDatagram, seqAttempt, seqMsgId, type DataHeader } from '../src/wire/datagram.ts'
import { toHex } from '../src/ids/sha1.ts'

/** Hex as printed in the capture file: labels (`hdr  :`, `type :`, …), `|` and spaces are dropped. */
function capture (text: string): Uint8Array {
  const clean = text.replace(/\b(hdr|type|body|ack)\s*:/g, '').replace(/[|\s]/g, '')
  if (!/^([0-9a-f]{2})*$/.test(clean)) throw new Error(`bad capture hex: ${clean}`)
  return new Uint8Array(Buffer.from(clean, 'hex'))
}

const G3630 = 0x19d5e8874c4de3431ddf235ae4e7531c403c512fn
const G3632 = 0x93f4fc37f2d761b208d49d583b58fd4c962c5b18n
const G3638 = 0x33e18b01942a6671dca4f70e4db148b27013a3adn
const LOOKUP_KEY = 0x2849bfec6d429b97c3bac4b7b2758defd787243en
const LOCATE_KEY = 0xc8abe556f1984c970db7e377671a97b362b13727n
const at = (port: number): { host: string, port: number } => ({ host: '127.0.0.1', port })
const NONE = -1n

interface Capture {
  readonly name: string
  readonly length: number
  readonly hex: string
  readonly header: DataHeader
  /** msg_id of seq (attempt is 1 in every example). */
  readonly msgId: bigint
  /** msg_id of the piggybacked ack, when there is one. */
  readonly ackMsgId?: bigint
  readonly value: WireMessage
}

const CAPTURES: readonly Capture[] = [
  {
    name: 'JoinReq (3632 -> 3630)',
    length: 76,
    hex: `hdr  : 00000000 | ffffffffffffffff | 000001a20a917501 | 00000004 | ffffffff
          type : e4dd7a152b974bcc
          body : 0e30047f000001000000150093f4fc37f2d761b208d49d583b58fd4c962c5b18
          body : 0000000000000000`,
    header: { ack: NONE, seq: 0x1a20a917501n, waitMs: 4, estRttMs: -1 },
    msgId: 7013568885n,
    value: { type: 'JoinReq', node: at(3632), guid: G3632, revTtl: 0, path: [] }
  },
  {
    name: 'JoinResp (3630 -> 3632)',
    length: 75,
    hex: `hdr  : 00000000 | 000001a20a917501 | 000001a20a916901 | 00000001 | ffffffff
          type : dee80047889c7312
          body : 000000010e2e047f0000010000001419d5e8874c4de3431ddf235ae4e7531c40
          body : 3c512f00000000`,
    header: { ack: 0x1a20a917501n, seq: 0x1a20a916901n, waitMs: 1, estRttMs: -1 },
    msgId: 7013568873n,
    ackMsgId: 7013568885n,
    value: { type: 'JoinResp', path: [{ address: at(3630), guid: G3630 }], leafSet: [] }
  },
  {
    name: 'PingMsg (3632 -> 3630)',
    length: 36,
    hex: `hdr  : 00000000 | 000001a20a916901 | 000001a20a917601 | 00000002 | 00000007
          type : 11dd9c8e7b60ff7f`,
    header: { ack: 0x1a20a916901n, seq: 0x1a20a917601n, waitMs: 2, estRttMs: 7 },
    msgId: 7013568886n,
    ackMsgId: 7013568873n,
    value: { type: 'PingMsg' }
  },
  {
    name: 'LeafSetChanged (3630 -> 3632), same neighbour listed twice',
    length: 129,
    hex: `hdr  : 00000000 | ffffffffffffffff | 000001a20a917101 | 00000001 | 00000004
          type : acb65af6d43caf9c
          body : 0000001419d5e8874c4de3431ddf235ae4e7531c403c512f000000020e30047f
          body : 000001000000150093f4fc37f2d761b208d49d583b58fd4c962c5b180e30047f
          body : 000001000000150093f4fc37f2d761b208d49d583b58fd4c962c5b1801`,
    header: { ack: NONE, seq: 0x1a20a917101n, waitMs: 1, estRttMs: 4 },
    msgId: 7013568881n,
    value: {
      type: 'LeafSetChanged',
      guid: G3630,
      leafSet: [{ address: at(3632), guid: G3632 }, { address: at(3632), guid: G3632 }],
      wantReply: true
    }
  },
  {
    name: 'RoutingNeighborAnnounce (3632 -> 3630)',
    length: 62,
    hex: `hdr  : 00000000 | 000001a20a916a01 | 000001a20a917701 | 00000002 | 00000006
          type : 1e2318b17d70cb82
          body : 000000150093f4fc37f2d761b208d49d583b58fd4c962c5b1801`,
    header: { ack: 0x1a20a916a01n, seq: 0x1a20a917701n, waitMs: 2, estRttMs: 6 },
    msgId: 7013568887n,
    ackMsgId: 7013568874n,
    value: { type: 'RoutingNeighborAnnounce', guid: G3632, add: true }
  },
  {
    name: 'RoutingTableReq (3630 -> 3638)',
    length: 64,
    hex: `hdr  : 00000000 | ffffffffffffffff | 000001a20a919201 | 00000000 | 0000000a
          type : 022ccf0b865ca95d
          body : 0000001419d5e8874c4de3431ddf235ae4e7531c403c512f00000002`,
    header: { ack: NONE, seq: 0x1a20a919201n, waitMs: 0, estRttMs: 10 },
    msgId: 7013568914n,
    value: { type: 'RoutingTableReq', guid: G3630, level: 2 }
  },
  {
    name: 'RoutingTableResp (3638 -> 3630)',
    length: 95,
    hex: `hdr  : 00000000 | 000001a20a919201 | 000001a20a91a301 | 00000000 | 00000003
          type : 46719a785e06826d
          body : 0000001433e18b01942a6671dca4f70e4db148b27013a3ad000000010e2e047f
          body : 0000010000001419d5e8874c4de3431ddf235ae4e7531c403c512f`,
    header: { ack: 0x1a20a919201n, seq: 0x1a20a91a301n, waitMs: 0, estRttMs: 3 },
    msgId: 7013568931n,
    ackMsgId: 7013568914n,
    value: { type: 'RoutingTableResp', peerGuid: G3638, neighbors: [{ address: at(3630), guid: G3630 }] }
  },
  {
    name: 'RouteMsg(LookupReqPayload) (3630 -> 3638)',
    length: 132,
    hex: `hdr  : 00000000 | ffffffffffffffff | 000001a20a91a801 | 00000000 | 00000007
          type : 6beec949142b1608
          body : 0000001419d5e8874c4de3431ddf235ae4e7531c403c512f000000142849bfec
          body : 6d429b97c3bac4b7b2758defd787243e0000000000000000000000001419d5e8
          body : 874c4de3431ddf235ae4e7531c403c512f286fcfc9093273b70e2e047f000001`,
    header: { ack: NONE, seq: 0x1a20a91a801n, waitMs: 0, estRttMs: 7 },
    msgId: 7013568936n,
    value: {
      type: 'RouteMsg',
      src: G3630,
      dest: LOOKUP_KEY,
      appId: 0n,
      intermediateUpcall: false,
      peerGuid: G3630,
      payload: { type: 'LookupReqPayload', returnAddress: at(3630) }
    }
  },
  {
    name: 'LookupRespMsg (3638 -> 3630)',
    length: 84,
    hex: `hdr  : 00000000 | 000001a20a91a801 | 000001a20a91b901 | 00000000 | 00000003
          type : ccb7a30ed1b4ada3
          body : 000000142849bfec6d429b97c3bac4b7b2758defd787243e0000001433e18b01
          body : 942a6671dca4f70e4db148b27013a3ad`,
    header: { ack: 0x1a20a91a801n, seq: 0x1a20a91b901n, waitMs: 0, estRttMs: 3 },
    msgId: 7013568953n,
    ackMsgId: 7013568936n,
    value: { type: 'LookupRespMsg', lookupId: LOOKUP_KEY, ownerId: G3638 }
  },
  {
    name: 'Rpc$Msg(CoordReq) (3630 -> 3632)',
    length: 101,
    hex: `hdr  : 00000000 | ffffffffffffffff | 000001a20a916c01 | 00000000 | 00000007
          type : 33316daf2ebd88ac
          body : 01000001a20a9168dddb851c85ef7905360000001419d5e8874c4de3431ddf23
          body : 5ae4e7531c403c512f0000000000000000000000000000000000000000000000
          body : 00`,
    header: { ack: NONE, seq: 0x1a20a916c01n, waitMs: 0, estRttMs: 7 },
    msgId: 7013568876n,
    value: { type: 'Rpc$Msg', req: true, xactId: 1795473631453n, payload: { type: 'CoordReq', srcId: G3630, coords: [0, 0, 0] } }
  },
  {
    name: 'Rpc$Msg(CoordResp) (3632 -> 3630)',
    length: 77,
    hex: `hdr  : 00000000 | 000001a20a916c01 | 000001a20a917801 | 00000000 | 00000005
          type : 33316daf2ebd88ac
          body : 00000001a20a9168ddb2d6cf3015de9911000000000000000000000000000000
          body : 000000000000000000`,
    header: { ack: 0x1a20a916c01n, seq: 0x1a20a917801n, waitMs: 0, estRttMs: 5 },
    msgId: 7013568888n,
    ackMsgId: 7013568876n,
    value: { type: 'Rpc$Msg', req: false, xactId: 1795473631453n, payload: { type: 'CoordResp', coords: [0, 0, 0] } }
  },
  {
    name: 'RouteMsg(LocateNodeMsg) (3630 -> 3634)',
    length: 177,
    hex: `hdr  : 00000000 | ffffffffffffffff | 000001a20a917e01 | 00000000 | 00000001
          type : 6beec949142b1608
          body : 0000001419d5e8874c4de3431ddf235ae4e7531c403c512f0000001500c8abe5
          body : 56f1984c970db7e377671a97b362b137276ac16e0955126b26000000001419d5
          body : e8874c4de3431ddf235ae4e7531c403c512f054e14114af2ceb100000001aba4
          body : 6836be3aac1f0e2e047f0000013bb29575e1e2f6400000000000000000000000
          body : 00000000000000000000000000`,
    header: { ack: NONE, seq: 0x1a20a917e01n, waitMs: 0, estRttMs: 1 },
    msgId: 7013568894n,
    value: {
      type: 'RouteMsg',
      src: G3630,
      dest: LOCATE_KEY,
      appId: 0x6ac16e0955126b26n,
      intermediateUpcall: false,
      peerGuid: G3630,
      payload: {
        type: 'LocateNodeMsg',
        version: 1,
        requestor: { type: 'NodeId', address: at(3630) },
        coordinate: { type: 'SpecialVC', values: [0, 0, 0] }
      }
    }
  },
  {
    name: 'LocateNodeResp (3634 -> 3630)',
    length: 83,
    hex: `hdr  : 00000000 | 000001a20a917e01 | 000001a20a918b01 | 00000000 | 00000003
          type : 056150044829c91a
          body : 3bb29575e1e2f640000000000000000000000000000000000000000000000000
          body : aba46836be3aac1f0e32047f000001`,
    header: { ack: 0x1a20a917e01n, seq: 0x1a20a918b01n, waitMs: 0, estRttMs: 3 },
    msgId: 7013568907n,
    ackMsgId: 7013568894n,
    value: {
      type: 'LocateNodeResp',
      coordinate: { type: 'SpecialVC', values: [0, 0, 0] },
      locatedId: { type: 'NodeId', address: at(3634) }
    }
  }
]

for (const c of CAPTURES) {
  test(`capture: ${c.name}`, (t) => {
    const bytes = capture(c.hex)
    t.is(bytes.length, c.length, 'datagram length stated in the capture')
    const parsed = parseDatagram(bytes)
    if (!parsed.ok) return t.fail(`framing rejected: ${parsed.reason} ${parsed.detail}`)
    const d = parsed.datagram
    if (d.kind !== 'data') return t.fail(`expected a data datagram, got ${d.kind}`)
    t.is(d.version, 0)
    t.deepEqual(d.header, c.header)
    t.is(seqMsgId(d.header.seq), c.msgId)
    t.is(seqAttempt(d.header.seq), 1)
    if (c.ackMsgId !== undefined) {
      t.is(seqMsgId(d.header.ack), c.ackMsgId)
      t.is(seqAttempt(d.header.ack), 1)
    }
    t.is(d.body.length, c.length - 28)
    const decoded = decodeMessage(d.body)
    if (!decoded.ok) return t.fail(`decode failed: ${decoded.error}`)
    t.is(decoded.trailingBytes, 0)
    t.deepEqual(decoded.value, c.value)
    // The encoder reproduces the captured bytes, both from the decoded and the expected value.
    t.is(toHex(encodeData(d.header, encodeMessage(decoded.value))), toHex(bytes))
    t.is(toHex(encodeData(c.header, encodeMessage(c.value))), toHex(bytes))
  })
}

test('capture: pure ack (3632 -> 3630), 12 bytes', (t) => {
  const bytes = capture('ack  : 00000000 000001a2 0a916b01')
  t.is(bytes.length, 12)
  const parsed = parseDatagram(bytes)
  t.deepEqual(parsed, { ok: true, datagram: { kind: 'ack', version: 0, seq: 0x1a20a916b01n } })
  t.is(seqMsgId(0x1a20a916b01n), 7013568875n)
  t.is(seqAttempt(0x1a20a916b01n), 1)
  t.is(toHex(encodePureAck(0x1a20a916b01n)), toHex(bytes))
})

const DHT_CAPTURES = [
  {
    name: 'RouteMsg(Dht$PutReqPayload) (3700 -> 3720)',
    length: 199,
    hex: `hdr  : 00000000 | ffffffffffffffff | 000001a20a9e9501 | 00000000 | 00000002
          type : 6beec949142b1608
          body : 00000014635ce00d7b8ff7fd2f3cdaf5bbe0a8fd125d843b0000001500adb1ef
          body : 332d1f6e99e809fb9b00a08efcad930e824533de05300408540000000014635c
          body : e00d7b8ff7fd2f3cdaf5bbe0a8fd125d843b1836e7972ccbc97b000660f97acd
          body : 7b900000001500adb1ef332d1f6e99e809fb9b00a08efcad930e820000000776
          body : 616c75652d30010e74047f00000127f9fee19bc32da300000e10000000047f00
          body : 000100`,
    header: { ack: NONE, seq: 0x1a20a9e9501n, waitMs: 0, estRttMs: 2 },
    payloadType: 'Dht$PutReqPayload'
  },
  {
    name: 'Dht$PutRespMsg (3720 -> 3700)',
    length: 48,
    hex: `hdr  : 00000000 | 000001a20a9e9601 | 000001a20a9e6b01 | 00000000 | 00000004
          type : ce94dfdf26cc2672
          body : 27f9fee19bc32da300000000`,
    header: { ack: 0x1a20a9e9601n, seq: 0x1a20a9e6b01n, waitMs: 0, estRttMs: 4 },
    payloadType: 'Dht$PutRespMsg'
  }
]

// Field-for-field checks and re-encoding of these two are in wire-dht.test.ts.
for (const c of DHT_CAPTURES) {
  test(`capture (DHT): ${c.name} decodes with no bytes left over`, (t) => {
    const bytes = capture(c.hex)
    t.is(bytes.length, c.length)
    const parsed = parseDatagram(bytes)
    if (!parsed.ok || parsed.datagram.kind !== 'data') return t.fail('framing should parse')
    t.deepEqual(parsed.datagram.header, c.header)
    const decoded = decodeMessage(parsed.datagram.body)
    if (!decoded.ok) return t.fail(decoded.error)
    t.is(decoded.trailingBytes, 0)
    const value = decoded.value
    const payloadType: string = value.type === 'RouteMsg' ? value.payload.type : value.type
    t.is(payloadType, c.payloadType)
    t.is(toHex(encodeMessage(value)), toHex(parsed.datagram.body))
  })
}

// ---------------------------------------------------------------------------------------------
// UdpCC framing (bamboo.md §9)

const KEY = new Uint8Array(Array.from({ length: 20 }, (_, i) => i + 1))
const OTHER_KEY = new Uint8Array(20).fill(0x5a)
const hmac = (key: Uint8Array, hex: string): string => createHmac('sha1', key).update(Buffer.from(hex, 'hex')).digest('hex')
const bytesOf = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'))

// Hand-built header: ack none, seq = msg 0x0102030405 attempt 3, wait 17 ms, est rtt 250 ms.
const HDR: DataHeader = { ack: -1n, seq: 0x010203040503n, waitMs: 17, estRttMs: 250 }
const HDR_HEX = 'ffffffffffffffff' + '0000010203040503' + '00000011' + '000000fa'
const PING_HEX = '11dd9c8e7b60ff7f'

test('framing: plain data datagram = i32 0 | header | message', (t) => {
  const expected = '00000000' + HDR_HEX + PING_HEX
  t.is(toHex(encodeData(HDR, bytesOf(PING_HEX))), expected)
  const parsed = parseDatagram(bytesOf(expected))
  t.deepEqual(parsed, { ok: true, datagram: { kind: 'data', version: 0, header: HDR, body: bytesOf(PING_HEX) } })
})

test('framing: pure ack is exactly 12 bytes; MAC\'ed pure ack is 32', (t) => {
  t.is(toHex(encodePureAck(0x010203040503n)), '00000000' + '0000010203040503')
  const macAck = '00000001' + '0000010203040503'
  const expected = macAck + hmac(KEY, macAck)
  t.is(toHex(encodePureAck(0x010203040503n, KEY)), expected)
  t.is(expected.length, 64)
  t.deepEqual(parseDatagram(bytesOf(expected), KEY), { ok: true, datagram: { kind: 'ack', version: 1, seq: 0x010203040503n } })
  // Without a key the trailer is ignored.
  t.deepEqual(parseDatagram(bytesOf(expected)), { ok: true, datagram: { kind: 'ack', version: 1, seq: 0x010203040503n } })
  // A negative seq (-1 is never acked, but the field is signed) survives.
  t.deepEqual(parseDatagram(encodePureAck(-2n)), { ok: true, datagram: { kind: 'ack', version: 0, seq: -2n } })
})

test('framing: MAC\'ed data = version 1 + 20-byte HMAC-SHA1 over everything before it', (t) => {
  const unmaced = '00000001' + HDR_HEX + PING_HEX
  const expected = unmaced + hmac(KEY, unmaced)
  const encoded = encodeData(HDR, bytesOf(PING_HEX), KEY)
  t.is(toHex(encoded), expected)
  t.is(encoded.length, 28 + 8 + 20)
  const withKey = parseDatagram(encoded, KEY)
  t.deepEqual(withKey, { ok: true, datagram: { kind: 'data', version: 1, header: HDR, body: bytesOf(PING_HEX) } })
  // A node without a key accepts version 1 and strips the trailer.
  const noKey = parseDatagram(encoded)
  t.deepEqual(noKey, { ok: true, datagram: { kind: 'data', version: 1, header: HDR, body: bytesOf(PING_HEX) } })
})

test('framing: a node with a key drops version 0 (unauthenticated) and bad MACs (bad-mac)', (t) => {
  const plain = encodeData(HDR, bytesOf(PING_HEX))
  const r0 = parseDatagram(plain, KEY)
  t.false(r0.ok)
  if (!r0.ok) t.is(r0.reason, 'unauthenticated')
  const ack0 = parseDatagram(encodePureAck(5n), KEY)
  t.true(!ack0.ok && ack0.reason === 'unauthenticated')

  const maced = encodeData(HDR, bytesOf(PING_HEX), KEY)
  for (let bit = 0; bit < maced.length * 8; bit++) {
    const flipped = maced.slice()
    flipped[bit >> 3]! ^= 1 << (bit & 7)
    const r = parseDatagram(flipped, KEY)
    if (bit < 32) {
      // Flipping a version bit makes it version 0 / unknown before the MAC is even looked at.
      t.false(r.ok)
      continue
    }
    if (r.ok) return t.fail(`flipped bit ${bit} accepted`)
    if (r.reason !== 'bad-mac') return t.fail(`bit ${bit}: ${r.reason}`)
  }
  const wrongKey = parseDatagram(maced, OTHER_KEY)
  t.true(!wrongKey.ok && wrongKey.reason === 'bad-mac')
  const ackWrongKey = parseDatagram(encodePureAck(5n, OTHER_KEY), KEY)
  t.true(!ackWrongKey.ok && ackWrongKey.reason === 'bad-mac')
  t.pass()
})

test('framing: unknown versions are dropped as unknown-version', (t) => {
  for (const version of ['00000002', 'ffffffff', '80000000', '01000000', '7fffffff']) {
    const bytes = bytesOf(version + HDR_HEX + PING_HEX + '00'.repeat(20))
    for (const key of [null, KEY]) {
      const r = parseDatagram(bytes, key)
      t.false(r.ok)
      if (!r.ok) t.is(r.reason, 'unknown-version', version)
    }
  }
})

test('framing: short datagrams are dropped as short', (t) => {
  const full = bytesOf('00000000' + HDR_HEX)
  for (const length of [0, 1, 2, 3, 4, 8, 11, 13, 16, 19]) {
    const r = parseDatagram(full.subarray(0, length))
    t.true(!r.ok && r.reason === 'short', `version 0, ${length} bytes`)
  }
  const maced = encodeData(HDR, new Uint8Array(), KEY)
  for (const length of [0, 3, 4, 12, 20, 31]) {
    const bytes = maced.slice(0, length)
    const r = parseDatagram(bytes)
    t.true(!r.ok && r.reason === 'short', `version 1 without key, ${length} bytes`)
    const rk = parseDatagram(bytes, KEY)
    t.true(!rk.ok && rk.reason === 'short', `version 1 with key, ${length} bytes`)
  }
  // Version 1, 33–39 bytes: 13–19 bytes before the MAC, neither an ack nor a data header.
  for (const before of [13, 16, 19]) {
    const head = bytesOf(('00000001' + HDR_HEX).slice(0, before * 2))
    const bytes = new Uint8Array([...head, ...bytesOf(hmac(KEY, toHex(head)))])
    const r = parseDatagram(bytes, KEY)
    t.true(!r.ok && r.reason === 'short', `version 1, ${before} + 20 bytes`)
  }
  // Every drop carries a human-readable detail.
  const r = parseDatagram(new Uint8Array(2))
  t.true(!r.ok && r.detail.length > 0)
})

test('framing: a 20–27 byte data datagram is the legacy header (wait/est_rtt = -1), as UdpCC reads it', (t) => {
  const legacy = bytesOf('00000000' + 'ffffffffffffffff' + '0000010203040503')
  t.deepEqual(parseDatagram(legacy), {
    ok: true,
    datagram: { kind: 'data', version: 0, header: { ack: -1n, seq: 0x010203040503n, waitMs: -1, estRttMs: -1 }, body: new Uint8Array() }
  })
  const r = parseDatagram(bytesOf(toHex(legacy) + 'aabbcc'))
  t.true(r.ok && r.datagram.kind === 'data' && toHex(r.datagram.body) === 'aabbcc')
})

test('framing: negative header fields and empty bodies round-trip', (t) => {
  const header: DataHeader = { ack: -0x8000000000000000n, seq: -1n, waitMs: -5, estRttMs: -1 }
  for (const key of [null, KEY]) {
    const bytes = encodeData(header, new Uint8Array(), key)
    t.is(bytes.length, 28 + (key === null ? 0 : 20))
    t.deepEqual(parseDatagram(bytes, key), { ok: true, datagram: { kind: 'data', version: key === null ? 0 : 1, header, body: new Uint8Array() } })
  }
})

test('framing: a data datagram with seq below -1 is dropped as bad-seq; -1 (unreliable) is accepted', (t) => {
  for (const key of [null, KEY]) {
    for (const seq of [-2n, -0x8000000000000000n, -256n]) {
      const r = parseDatagram(encodeData({ ...HDR, seq }, bytesOf(PING_HEX), key), key)
      t.true(!r.ok && r.reason === 'bad-seq', `seq ${seq}, key ${key === null ? 'no' : 'yes'}`)
    }
    const r = parseDatagram(encodeData({ ...HDR, seq: -1n }, bytesOf(PING_HEX), key), key)
    t.true(r.ok && r.datagram.kind === 'data' && r.datagram.header.seq === -1n)
  }
})

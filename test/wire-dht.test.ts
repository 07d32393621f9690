/**
 * The DHT-layer wire messages (packages bamboo.dht and bamboo.dmgr): Capture B's real Java
 * datagrams decoded field for field and re-encoded byte for byte; every documented type code;
 * hand-built byte layouts from the Java classes' field order; round trips of random instances;
 * and truncated, garbled and out-of-limit input giving error values, never exceptions.
 */
import test, { type ExecutionContext } from 'ava'
import { createHash } from 'node:crypto'
import { SeededRng } from '../src/env/rng.ts'
import { toHex } from '../src/ids/sha1.ts'
import { decodeMessage, encodeMessage, type WireMessage } from '../src/wire/codec.ts'
import { encodeData, parseDatagram, seqAttempt, seqMsgId, type DataHeader } from '../src/wire/datagram.ts'
import { registeredWireTypes } from '../src/wire/registry.ts'
import { WireReader } from '../src/wire/reader.ts'
import { WireWriter } from '../src/wire/writer.ts'
import { readStorageKey, writeStorageKey, ZERO_HASH, type StorageKey } from '../src/wire/dht-messages.ts'
import { ALL_TYPES, Gen } from './support/random-messages.ts'

const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'))
const sha1Code = (className: string): string => createHash('sha1').update(className).digest('hex').slice(0, 16)
const i32 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0')
const i64 = (n: bigint): string => BigInt.asUintN(64, n).toString(16).padStart(16, '0')
const ascii = (text: string): string => Buffer.from(text, 'latin1').toString('hex')
const bytesOf = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'))
const filled = (byte: number, n = 20): Uint8Array => new Uint8Array(n).fill(byte)

/** Capture hex as printed in bamboo-captures.md: labels, `|` and spaces dropped. */
function capture (text: string): Uint8Array {
  const clean = text.replace(/\b(hdr|type|body|ack)\s*:/g, '').replace(/[|\s]/g, '')
  if (!/^([0-9a-f]{2})*$/.test(clean)) throw new Error(`bad capture hex: ${clean}`)
  return hex(clean)
}

function golden (t: ExecutionContext, message: WireMessage, pieces: readonly string[]): void {
  const expected = pieces.join('')
  t.is(toHex(encodeMessage(message)), expected, `${message.type}: encoding`)
  const decoded = decodeMessage(hex(expected))
  if (!decoded.ok) { t.fail(`${message.type}: decode failed: ${decoded.error}`); return }
  t.is(decoded.trailingBytes, 0)
  t.deepEqual(decoded.value, message)
}

function rejects (t: ExecutionContext, text: string, pattern: RegExp): void {
  let decoded: ReturnType<typeof decodeMessage> | undefined
  t.notThrows(() => { decoded = decodeMessage(hex(text)) })
  if (decoded === undefined) return
  if (decoded.ok) { t.fail(`expected an error matching ${String(pattern)}, decoded ${decoded.value.type}`); return }
  t.regex(decoded.error, pattern)
}

// --- Capture B (bamboo-captures.md) --------------------------------------------------------

const G3700 = 0x635ce00d7b8ff7fd2f3cdaf5bbe0a8fd125d843bn
const PUT_KEY = 0xadb1ef332d1f6e99e809fb9b00a08efcad930e82n
const PUT_SEQ = 2880613681614499235n

const CAPTURE_B: ReadonlyArray<{ name: string, length: number, hex: string, header: DataHeader, msgId: bigint, ackMsgId?: bigint, value: WireMessage }> = [
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
    header: { ack: -1n, seq: 0x1a20a9e9501n, waitMs: 0, estRttMs: 2 },
    msgId: 7013572245n,
    value: {
      type: 'RouteMsg', src: G3700, dest: PUT_KEY, appId: 0x4533de0530040854n, intermediateUpcall: false, peerGuid: G3700,
      payload: {
        type: 'Dht$PutReqPayload', timeUsec: 1795474483674000n, key: PUT_KEY, value: bytesOf('value-0'), put: true,
        returnAddress: { host: '127.0.0.1', port: 3700 }, seq: PUT_SEQ, ttlS: 3600, clientIp: '127.0.0.1', retried: false,
        valueHash: null, secretHash: null
      }
    }
  },
  {
    name: 'Dht$PutRespMsg (3720 -> 3700)',
    length: 48,
    hex: `hdr  : 00000000 | 000001a20a9e9601 | 000001a20a9e6b01 | 00000000 | 00000004
          type : ce94dfdf26cc2672
          body : 27f9fee19bc32da300000000`,
    header: { ack: 0x1a20a9e9601n, seq: 0x1a20a9e6b01n, waitMs: 0, estRttMs: 4 },
    msgId: 7013572203n,
    ackMsgId: 7013572246n,
    value: { type: 'Dht$PutRespMsg', seq: PUT_SEQ, result: 0 }
  }
]

for (const c of CAPTURE_B) {
  test(`capture B: ${c.name} decodes as the capture says and re-encodes to the same bytes`, (t) => {
    const bytes = capture(c.hex)
    t.is(bytes.length, c.length)
    const parsed = parseDatagram(bytes)
    if (!parsed.ok || parsed.datagram.kind !== 'data') return t.fail('framing should parse as data')
    const d = parsed.datagram
    t.deepEqual(d.header, c.header)
    t.is(seqMsgId(d.header.seq), c.msgId)
    t.is(seqAttempt(d.header.seq), 1)
    if (c.ackMsgId !== undefined) t.is(seqMsgId(d.header.ack), c.ackMsgId)
    const decoded = decodeMessage(d.body)
    if (!decoded.ok) return t.fail(`decode failed: ${decoded.error}`)
    t.is(decoded.trailingBytes, 0)
    t.deepEqual(decoded.value, c.value)
    t.is(toHex(encodeData(d.header, encodeMessage(decoded.value))), toHex(bytes))
    t.is(toHex(encodeData(c.header, encodeMessage(c.value))), toHex(bytes))
  })
}

// --- type codes ------------------------------------------------------------------------------

test('type codes: every DHT/dmgr code listed in bamboo.md §10 and the captures is what the registry uses', (t) => {
  const documented: Record<string, string> = {
    'bamboo.dht.Dht$DiskSizeMsg': '45bb1280017d5ae9',
    'bamboo.dht.IterGetReq': '7f99572273b7a248',
    'bamboo.dht.IterGetResp': 'edfb40e0befeac79',
    'bamboo.dmgr.FetchMerkleTreeNodeReq': 'd3add3f8d7c152c8',
    'bamboo.dmgr.FetchMerkleTreeNodeResp': '212d1af4d946c360',
    'bamboo.dmgr.FetchDataReq': '4f3841e7092100f0',
    'bamboo.dmgr.FetchKeysReq': 'd1cc6ab62c20ccf1',
    'bamboo.dht.Dht$PutReqPayload': '1836e7972ccbc97b',
    'bamboo.dht.Dht$PutRespMsg': 'ce94dfdf26cc2672',
    'bamboo.dht.Dht$GetRespMsg': '0391af23c8023dc8',
    'bamboo.dht.RecurGetReq': '344119ab32fe4227',
    'bamboo.dht.RecurGetResp': 'fc035c49a21775c8',
    'bamboo.dmgr.PutOrRemoveMsg': '8aa543cb077416ed',
    'bamboo.dmgr.PutOrRemoveAck': '926a9afe9e20bfec'
  }
  const byClass = new Map(registeredWireTypes().map((r) => [r.className, r.codeHex]))
  for (const [className, code] of Object.entries(documented)) {
    t.is(byClass.get(className), code, className)
    t.is(sha1Code(className), code, `${className}: SHA-1 rule`)
  }
  // (wire-golden-layouts.test.ts checks the full set of registered classes.) PutOrRemoveReq/Resp
  // are in-process stage events in Bamboo, never serialized.
  t.false(byClass.has('bamboo.dmgr.PutOrRemoveReq'))
  t.false(byClass.has('bamboo.dmgr.PutOrRemoveResp'))
})

// --- hand-built layouts ----------------------------------------------------------------------

const C = {
  PutReq: '1836e7972ccbc97b', PutResp: 'ce94dfdf26cc2672', GetResp: '0391af23c8023dc8', DiskSize: '45bb1280017d5ae9',
  GetValue: sha1Code('bamboo.dht.Dht$GetValue'), Forward: sha1Code('bamboo.dht.Dht$ForwardThroughLeafSetReq'),
  IterGetReq: '7f99572273b7a248', IterGetResp: 'edfb40e0befeac79', RecurGetReq: '344119ab32fe4227', RecurGetResp: 'fc035c49a21775c8',
  RpcGetReq: sha1Code('bamboo.dht.RpcGetReq'), RpcGetResp: sha1Code('bamboo.dht.RpcGetResp'),
  PorM: '8aa543cb077416ed', PorMAck: '926a9afe9e20bfec', MerkleReq: 'd3add3f8d7c152c8', MerkleResp: '212d1af4d946c360',
  MerkleReject: sha1Code('bamboo.dmgr.FetchMerkleTreeNodeReject'), KeysReq: 'd1cc6ab62c20ccf1', KeysResp: sha1Code('bamboo.dmgr.FetchKeysResp'),
  DataReq: '4f3841e7092100f0', DataResp: sha1Code('bamboo.dmgr.FetchDataResp'),
  ReplicaReq: sha1Code('bamboo.dmgr.ReplicaSetReq'), ReplicaResp: sha1Code('bamboo.dmgr.ReplicaSetResp')
}

const A_LOCAL = { host: '127.0.0.1', port: 5850 }
const N_LOCAL = '16da' + '04' + '7f000001'
const A_TEN = { host: '10.0.0.1', port: 3630 }
const N_TEN = '0e2e' + '04' + '0a000001'
const A_V6 = { host: '0:0:0:0:0:0:0:1', port: 5850 }
const N_V6 = '16da' + '10' + '00000000000000000000000000000001'
const G_TOP = 0x93f4fc37f2d761b208d49d583b58fd4c962c5b18n
const B_TOP = '00000015' + '00' + '93f4fc37f2d761b208d49d583b58fd4c962c5b18'
const G_20 = 0x19d5e8874c4de3431ddf235ae4e7531c403c512fn
const B_20 = '00000014' + '19d5e8874c4de3431ddf235ae4e7531c403c512f'
const B_ONE = '00000001' + '01'
const B_ZERO = '00000001' + '00'
const G_MAX = (1n << 160n) - 1n
const B_MAX = '00000015' + '00' + 'ff'.repeat(20)
const D = { one: '3ff0000000000000', half: '3fe0000000000000', minusOne: 'bff0000000000000', big: '4168000000000000' /* 12582912 */ }
const MAXVALS = (3 << 29) | (3 << 27) | 10 // QUORUM_SYNC | SCALED_PRS_FD | 10 values
const H = { aa: 'aa'.repeat(20), bb: 'bb'.repeat(20), cc: 'cc'.repeat(20) }

// A Key without a secret (57 bytes): time, ttl, 20-byte guid (not a BigInteger), data hash, put byte, IPv4.
const K1: StorageKey = {
  timeUsec: 1795474483674000n, ttlS: 3600, guid: 0x000102030405060708090a0b0c0d0e0f10111213n, secretHash: new Uint8Array(20),
  dataHash: filled(0xbb), put: true, clientIp: '127.0.0.1'
}
const K1_HEX = '000660f97acd7b90' + '00000e10' + '000102030405060708090a0b0c0d0e0f10111213' + H.bb + '01' + '7f000001'
// A remove's Key with a secret (77 bytes): the top bit of time_usec set, the secret hash before the data hash.
const K2: StorageKey = { timeUsec: 5n, ttlS: -1, guid: G_TOP, secretHash: filled(0xaa), dataHash: filled(0xcc), put: false, clientIp: '10.0.0.1' }
const K2_HEX = '8000000000000005' + 'ffffffff' + '93f4fc37f2d761b208d49d583b58fd4c962c5b18' + H.aa + H.cc + '00' + '0a000001'

test('layout: StorageManager.Key = i64 time (top bit ⇒ secret), i32 ttl, 20-byte guid, [secret], data hash, u8 put, 4-byte IPv4', (t) => {
  for (const [key, expected] of [[K1, K1_HEX], [K2, K2_HEX]] as const) {
    const w = new WireWriter()
    writeStorageKey(w, key)
    t.is(toHex(w.finish()), expected)
    const r = new WireReader(hex(expected))
    t.deepEqual(readStorageKey(r), key)
    t.is(r.remaining, 0)
  }
  t.is(K1_HEX.length / 2, 57)
  t.is(K2_HEX.length / 2, 77)
  // A flagged time with an all-zero secret reads back as ZERO_HASH, which is then not sent.
  const zeroSecret = readStorageKey(new WireReader(hex('8000000000000001' + '00000000' + '00'.repeat(20) + '00'.repeat(20) + H.bb + '01' + '01020304')))
  t.deepEqual(zeroSecret.secretHash, ZERO_HASH)
  t.is(zeroSecret.timeUsec, 1n)
  const w = new WireWriter()
  writeStorageKey(w, zeroSecret)
  t.is(toHex(w.finish()).slice(0, 16), '0000000000000001')
})

test('layout: Dht$PutReqPayload (put, no secret; remove with secret and IPv6 client; remove without secret)', (t) => {
  golden(t, {
    type: 'Dht$PutReqPayload', timeUsec: 1795474483674000n, key: G_TOP, value: bytesOf('abc'), put: true, returnAddress: A_LOCAL,
    seq: 7n, ttlS: 3600, clientIp: '10.0.0.1', retried: false, valueHash: null, secretHash: null
  }, [C.PutReq, '000660f97acd7b90', B_TOP, '00000003' + ascii('abc'), '01', N_LOCAL, '0000000000000007', '00000e10', '00000004' + '0a000001', '00'])
  golden(t, {
    type: 'Dht$PutReqPayload', timeUsec: 0n, key: 1n, value: bytesOf('secret'), put: false, returnAddress: A_TEN,
    seq: -1n, ttlS: 604800, clientIp: '2001:db8:0:0:0:ff00:42:8329', retried: true, valueHash: filled(0xbb), secretHash: filled(0xcc)
  }, [C.PutReq, '8000000000000000', B_ONE, '00000006' + ascii('secret'), '00', N_TEN, 'ffffffffffffffff', '00093a80',
    '00000010' + '20010db8000000000000ff0000428329', '01', H.bb /* value_hash (remove) */, H.cc /* secret_hash (flagged) */])
  golden(t, {
    type: 'Dht$PutReqPayload', timeUsec: 5n, key: 0n, value: new Uint8Array(), put: false, returnAddress: A_V6,
    seq: 0n, ttlS: 0, clientIp: '127.0.0.1', retried: false, valueHash: filled(0xaa), secretHash: null
  }, [C.PutReq, '0000000000000005', B_ZERO, '00000000', '00', N_V6, '0000000000000000', '00000000', '00000004' + '7f000001', '00', H.aa])
  // Java sends no secret hash when it is all zero (ZERO_HASH), and leaves the time unflagged.
  const zeroSecret: WireMessage = {
    type: 'Dht$PutReqPayload', timeUsec: 9n, key: 1n, value: new Uint8Array(), put: true, returnAddress: A_LOCAL,
    seq: 1n, ttlS: 1, clientIp: '127.0.0.1', retried: false, valueHash: null, secretHash: new Uint8Array(20)
  }
  t.is(toHex(encodeMessage(zeroSecret)), C.PutReq + '0000000000000009' + B_ONE + '00000000' + '01' + N_LOCAL + '0000000000000001' + '00000001' + '000000047f000001' + '00')
})

test('layout: Dht$PutRespMsg = i64 seq, i32 result', (t) => {
  golden(t, { type: 'Dht$PutRespMsg', seq: PUT_SEQ, result: 1 }, [C.PutResp, '27f9fee19bc32da3', '00000001'])
})

const GV_HEX = '00000001' + 'ab' + '0000003b' + '00000003' + ascii('SHA') + '00000014' + H.cc
const GV = { type: 'Dht$GetValue', value: hex('ab'), ttlRemainingS: 59, hashAlgorithm: 'SHA', secretHash: filled(0xcc) } as const

test('layout: Dht$GetValue = i32 len + value, i32 ttlRemaining, i32 len + hashAlgorithm, i32 len + secretHash', (t) => {
  golden(t, GV, [C.GetValue, GV_HEX])
  golden(t, { type: 'Dht$GetValue', value: new Uint8Array(), ttlRemainingS: -1, hashAlgorithm: '', secretHash: new Uint8Array() },
    [C.GetValue, '00000000', 'ffffffff', '00000000', '00000000'])
})

test('layout: Dht$GetRespMsg = seq, BigInteger key, i32 n (negative ⇒ GetValues), values, Key orig, Key new', (t) => {
  golden(t, { type: 'Dht$GetRespMsg', seq: 1n, key: 1n, values: [hex('01'), new Uint8Array()], origPlacemark: K1, newPlacemark: K2 },
    [C.GetResp, '0000000000000001', B_ONE, '00000002', '00000001' + '01', '00000000', K1_HEX, K2_HEX])
  golden(t, { type: 'Dht$GetRespMsg', seq: -2n, key: G_20, values: [GV, GV], origPlacemark: K2, newPlacemark: K1 },
    [C.GetResp, 'fffffffffffffffe', B_20, 'fffffffe' /* -2: GetValues, inline without type codes */, GV_HEX, GV_HEX, K2_HEX, K1_HEX])
  golden(t, { type: 'Dht$GetRespMsg', seq: 0n, key: 0n, values: [], origPlacemark: K1, newPlacemark: K1 },
    [C.GetResp, '0000000000000000', B_ZERO, '00000000', K1_HEX, K1_HEX])
})

test('layout: Dht$DiskSizeMsg = i32 n, n × (i32 ttl, f64 size), bool reply', (t) => {
  golden(t, { type: 'Dht$DiskSizeMsg', entries: [{ ttlS: 3600, sizeBytes: 12582912 }, { ttlS: -1, sizeBytes: 0.5 }], reply: true },
    [C.DiskSize, '00000002', '00000e10', D.big, 'ffffffff', D.half, '01'])
  golden(t, { type: 'Dht$DiskSizeMsg', entries: [], reply: false }, [C.DiskSize, '00000000', '00'])
})

test('layout: Dht$ForwardThroughLeafSetReq = object payload, NodeId peer (no code)', (t) => {
  golden(t, { type: 'Dht$ForwardThroughLeafSetReq', payload: { type: 'PutOrRemoveAck', seq: 9n }, peer: A_LOCAL },
    [C.Forward, C.PorMAck, '0000000000000009', N_LOCAL])
})

test('layout: IterGetReq = key, i32 maxvals, bool + Key placemark, seq, bool + 3 f64 coordinate, NodeId client', (t) => {
  golden(t, { type: 'IterGetReq', key: G_20, maxvals: MAXVALS, placemark: null, seq: 3n, coords: [1, 0.5, -1], client: A_LOCAL },
    [C.IterGetReq, B_20, '7800000a', '00', '0000000000000003', '01', D.one, D.half, D.minusOne, N_LOCAL])
  golden(t, { type: 'IterGetReq', key: G_MAX, maxvals: 1, placemark: K2, seq: -1n, coords: null, client: A_V6 },
    [C.IterGetReq, B_MAX, '00000001', '01', K2_HEX, 'ffffffffffffffff', '00', N_V6])
})

test('layout: IterGetResp = redirect (n > 0 × (NeighborInfo, bool + coord)) or answer (−replicas, synced, values, allRead); maxvals, client', (t) => {
  golden(t, {
    type: 'IterGetResp',
    neighbors: [{ neighbor: { address: A_TEN, guid: G_20 }, coords: null }, { neighbor: { address: A_LOCAL, guid: 1n }, coords: [1, 1, 1] }],
    replicas: [], synced: [], values: [], allRead: false, maxvals: MAXVALS, client: A_LOCAL
  }, [C.IterGetResp, '00000002', N_TEN, B_20, '00', N_LOCAL, B_ONE, '01', D.one, D.one, D.one, '7800000a', N_LOCAL])
  golden(t, {
    type: 'IterGetResp', neighbors: [], replicas: [A_TEN, A_LOCAL], synced: [A_TEN], values: [{ key: K1, value: bytesOf('abc') }],
    allRead: true, maxvals: 10, client: A_V6
  }, [C.IterGetResp, 'fffffffe' /* −2 replicas */, N_TEN, N_LOCAL, '00000001', N_TEN, '00000001', K1_HEX, '00000003' + ascii('abc'), '01', '0000000a', N_V6])
  golden(t, { type: 'IterGetResp', neighbors: [], replicas: [], synced: [], values: [], allRead: false, maxvals: -1, client: A_LOCAL },
    [C.IterGetResp, '00000000', '00000000', '00000000', '00', 'ffffffff', N_LOCAL])
})

test('layout: RecurGetReq = key, maxvals, bool + Key, seq, NodeId client, NodeId return_addr', (t) => {
  golden(t, { type: 'RecurGetReq', key: 1n, maxvals: MAXVALS, placemark: K1, seq: 7n, client: A_LOCAL, returnAddress: A_TEN },
    [C.RecurGetReq, B_ONE, '7800000a', '01', K1_HEX, '0000000000000007', N_LOCAL, N_TEN])
})

test('layout: RecurGetResp = seq, i32 n × (NodeId, bool synced), i32 m × (Key, len, bytes), allRead, thisReplica, maxvals, client', (t) => {
  golden(t, {
    type: 'RecurGetResp', seq: 2n, replicas: [{ address: A_LOCAL, synced: true }, { address: A_TEN, synced: false }],
    values: [{ key: K2, value: hex('00ff') }], allRead: false, thisReplica: A_TEN, maxvals: MAXVALS, client: A_LOCAL
  }, [C.RecurGetResp, '0000000000000002', '00000002', N_LOCAL, '01', N_TEN, '00', '00000001', K2_HEX, '00000002' + '00ff', '00', N_TEN, '7800000a', N_LOCAL])
})

test('layout: RpcGetReq = key, maxvals, bool + Key; RpcGetResp = values, allRead', (t) => {
  golden(t, { type: 'RpcGetReq', key: G_TOP, maxvals: 1, placemark: null }, [C.RpcGetReq, B_TOP, '00000001', '00'])
  golden(t, { type: 'RpcGetResp', values: [{ key: K2, value: new Uint8Array() }], allRead: true },
    [C.RpcGetResp, '00000001', K2_HEX, '00000000', '01'])
})

test('layout: PutOrRemoveMsg = time (flag), ttl, BigInteger guid, len + value, put, len + client, seq, [value_hash], [secret_hash]', (t) => {
  golden(t, {
    type: 'PutOrRemoveMsg', timeUsec: 1795474483674000n, ttlS: 3600, guid: PUT_KEY, value: bytesOf('value-0'), put: true,
    clientIp: '127.0.0.1', seq: 42n, valueHash: null, secretHash: null
  }, [C.PorM, '000660f97acd7b90', '00000e10', '00000015' + '00' + 'adb1ef332d1f6e99e809fb9b00a08efcad930e82', '00000007' + ascii('value-0'), '01',
    '00000004' + '7f000001', '000000000000002a'])
  golden(t, {
    type: 'PutOrRemoveMsg', timeUsec: (1n << 63n) - 1n, ttlS: 60, guid: 1n, value: bytesOf('pw'), put: false,
    clientIp: '0:0:0:0:0:0:0:1', seq: -5n, valueHash: filled(0xaa), secretHash: filled(0xbb)
  }, [C.PorM, 'ffffffffffffffff' /* max time | flag */, '0000003c', B_ONE, '00000002' + ascii('pw'), '00',
    '00000010' + '00000000000000000000000000000001', 'fffffffffffffffb', H.aa, H.bb])
})

test('layout: PutOrRemoveAck = i64 seq', (t) => {
  golden(t, { type: 'PutOrRemoveAck', seq: -(1n << 63n) }, [C.PorMAck, '8000000000000000'])
})

test('layout: FetchMerkleTreeNodeReq = peer, low, high guids, expansion, level, low_time, len + expected_hash, seq', (t) => {
  golden(t, {
    type: 'FetchMerkleTreeNodeReq', peerGuid: G_20, lowGuid: 0n, highGuid: G_MAX, expansion: 5, level: 2, lowTimeUsec: 1795474483674000n,
    expectedHash: filled(0xaa), seq: 11n
  }, [C.MerkleReq, B_20, B_ZERO, B_MAX, '00000005', '00000002', '000660f97acd7b90', '00000014' + H.aa, '000000000000000b'])
})

test('layout: FetchMerkleTreeNodeResp = len + hash, leaf, seq, i32 n, n × child (hash-length bytes, no length)', (t) => {
  golden(t, { type: 'FetchMerkleTreeNodeResp', hash: filled(0xaa), leaf: false, seq: 12n, children: [filled(0xbb), filled(0xcc)] },
    [C.MerkleResp, '00000014' + H.aa, '00', '000000000000000c', '00000002', H.bb, H.cc])
  golden(t, { type: 'FetchMerkleTreeNodeResp', hash: hex('01020304'), leaf: true, seq: 0n, children: [] },
    [C.MerkleResp, '00000004' + '01020304', '01', '0000000000000000', '00000000'])
})

test('layout: FetchMerkleTreeNodeReject = i32 reason (< 3), seq', (t) => {
  golden(t, { type: 'FetchMerkleTreeNodeReject', reason: 2, seq: 13n }, [C.MerkleReject, '00000002', '000000000000000d'])
})

test('layout: FetchKeysReq = low, high guids, low_time, high_time, seq; FetchKeysResp = i32 n × Key, seq', (t) => {
  golden(t, { type: 'FetchKeysReq', lowGuid: 0n, highGuid: G_TOP, lowTimeUsec: 0n, highTimeUsec: -1n, seq: 14n },
    [C.KeysReq, B_ZERO, B_TOP, '0000000000000000', 'ffffffffffffffff', '000000000000000e'])
  golden(t, { type: 'FetchKeysResp', keys: [K1, K2], seq: 15n }, [C.KeysResp, '00000002', K1_HEX, K2_HEX, '000000000000000f'])
  golden(t, { type: 'FetchKeysResp', keys: [], seq: 0n }, [C.KeysResp, '00000000', '0000000000000000'])
})

test('layout: FetchDataReq = Key; FetchDataResp = Key, i32 len (0 ⇒ no data), data', (t) => {
  golden(t, { type: 'FetchDataReq', key: K2 }, [C.DataReq, K2_HEX])
  golden(t, { type: 'FetchDataResp', key: K1, data: bytesOf('abc') }, [C.DataResp, K1_HEX, '00000003' + ascii('abc')])
  golden(t, { type: 'FetchDataResp', key: K1, data: null }, [C.DataResp, K1_HEX, '00000000'])
})

test('layout: ReplicaSetReq = NodeId return_address, BigInteger guid, i64 nonce; ReplicaSetResp = nonce, i32 n ≥ 1 × NodeId', (t) => {
  golden(t, { type: 'ReplicaSetReq', returnAddress: A_V6, guid: G_TOP, nonce: 16n }, [C.ReplicaReq, N_V6, B_TOP, '0000000000000010'])
  golden(t, { type: 'ReplicaSetResp', nonce: 16n, replicaSet: [A_LOCAL, A_TEN] }, [C.ReplicaResp, '0000000000000010', '00000002', N_LOCAL, N_TEN])
})

// --- Java's limits and malformed input ---------------------------------------------------------

const PUT_HEAD = C.PutReq + '0000000000000001' + B_ONE
const PUT_TAIL = '01' + N_LOCAL + '0000000000000001' + '00000001' + '000000047f000001' + '00'

test('limits: values ≤ 16384 bytes (PutReqPayload, PutOrRemoveMsg); client address 4 or 16 bytes', (t) => {
  const max = decodeMessage(hex(PUT_HEAD + i32(16384) + '00'.repeat(16384) + PUT_TAIL))
  t.true(max.ok && max.value.type === 'Dht$PutReqPayload' && max.value.value.length === 16384)
  rejects(t, PUT_HEAD + i32(16385) + '00'.repeat(16385) + PUT_TAIL, /value length 16385/)
  rejects(t, PUT_HEAD + i32(-1) + PUT_TAIL, /value length -1/)
  rejects(t, PUT_HEAD + '00000000' + '01' + N_LOCAL + '0000000000000001' + '00000001' + '00000005' + '7f00000100' + '00', /client address length 5/)
  rejects(t, C.PorM + '0000000000000001' + '00000001' + B_ONE + i32(16385) + '00'.repeat(16385) + '01' + '000000047f000001' + '0000000000000001', /value length 16385/)
})

test('limits: a flagged time or a remove without its hashes is truncated input', (t) => {
  rejects(t, C.PutReq + '8000000000000001' + B_ONE + '00000000' + PUT_TAIL, /truncated secret_hash/)
  rejects(t, C.PutReq + '0000000000000001' + B_ONE + '00000000' + '00' + PUT_TAIL.slice(2), /truncated value_hash/)
  rejects(t, C.DataReq + K2_HEX.slice(0, 2 * 40), /truncated Key secret_hash/)
})

test('limits: maxvals ≤ 0 rejected by the get requests', (t) => {
  rejects(t, C.IterGetReq + B_ONE + '00000000' + '00' + '0000000000000001' + '00' + N_LOCAL, /maxvals 0/)
  rejects(t, C.RecurGetReq + B_ONE + 'ffffffff' + '00' + '0000000000000001' + N_LOCAL + N_LOCAL, /maxvals -1/)
  rejects(t, C.RpcGetReq + B_ONE + '80000000' + '00', /maxvals/)
})

test('limits: negative and oversized counts are error values', (t) => {
  rejects(t, C.DiskSize + 'ffffffff' + '00', /count -1/)
  rejects(t, C.DiskSize + '7fffffff' + '00', /count/)
  rejects(t, C.RecurGetResp + '0000000000000001' + 'ffffffff', /count -1/)
  rejects(t, C.KeysResp + 'ffffffff' + '0000000000000000', /count -1/)
  rejects(t, C.KeysResp + '00000002' + K1_HEX + '0000000000000000', /count|truncated/)
  rejects(t, C.GetResp + '0000000000000001' + B_ONE + '80000000' + K1_HEX + K1_HEX, /count/)
  rejects(t, C.GetResp + '0000000000000001' + B_ONE + '7fffffff' + K1_HEX + K1_HEX, /count/)
  rejects(t, C.IterGetResp + '80000000' + '0000000a' + N_LOCAL, /count/)
  rejects(t, C.IterGetResp + '7fffffff' + '0000000a' + N_LOCAL, /count/)
  rejects(t, C.IterGetResp + '00000000' + 'ffffffff' + '00000000' + '00' + '0000000a' + N_LOCAL, /synced count -1/)
  rejects(t, C.RpcGetResp + 'ffffffff' + '01', /count -1/)
  rejects(t, C.MerkleResp + '00000014' + H.aa + '00' + '0000000000000001' + 'ffffffff', /count -1/)
  rejects(t, C.MerkleResp + '00000000' + '00' + '0000000000000001' + '7fffffff', /count/)
  rejects(t, C.MerkleResp + '00000000' + '00' + '0000000000000001' + '00000001' + '01', /children of an empty hash/) // found by wire-fuzz
  rejects(t, C.ReplicaResp + '0000000000000001' + '00000000', /replica_set empty/)
  rejects(t, C.ReplicaResp + '0000000000000001' + 'ffffffff', /count -1/)
  rejects(t, C.GetValue + 'ffffffff', /length -1/)
})

test('limits: Merkle level ≥ 0 and reject reason in 0..2', (t) => {
  rejects(t, C.MerkleReq + B_ONE + B_ONE + B_ONE + '00000005' + 'ffffffff' + '0000000000000000' + '00000000' + '0000000000000000', /level -1/)
  rejects(t, C.MerkleReject + '00000003' + '0000000000000000', /reason 3/)
  rejects(t, C.MerkleReject + 'ffffffff' + '0000000000000000', /reason -1/)
})

const NEW_TYPES = ALL_TYPES.filter((type) => registeredWireTypes().some((r) => r.type === type && /^bamboo\.(dht|dmgr)\./.test(r.className)))

test('every new type is generated by the random-message support', (t) => {
  t.is(NEW_TYPES.length, 23)
})

/** Structural equality with Object.is on numbers (-0 ≠ 0, NaN = NaN). */
function same (a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b)
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}

for (const type of NEW_TYPES) {
  test(`random ${type}: round trip; every truncation and random garbling is an error value, never a throw`, (t) => {
    const seed = `wire-dht/${type}/1`
    const gen = new Gen(new SeededRng(seed))
    for (let i = 0; i < 300; i++) {
      const message = gen.message(type, 1 + gen.rng.int(2))
      const bytes = encodeMessage(message)
      const decoded = decodeMessage(bytes)
      const where = `seed ${seed}, message #${i}`
      if (!decoded.ok) return t.fail(`${where}: ${decoded.error}`)
      if (decoded.trailingBytes !== 0 || !same(decoded.value, message)) return t.deepEqual(decoded.value, message, where)
      if (toHex(encodeMessage(decoded.value)) !== toHex(bytes)) return t.fail(`${where}: re-encoding differs`)
      // Every strict prefix is missing a required field.
      const cuts = bytes.length <= 300 ? Array.from({ length: bytes.length }, (_, n) => n) : Array.from({ length: 300 }, () => gen.rng.int(bytes.length))
      for (const n of cuts) {
        const cut = decodeMessage(bytes.subarray(0, n))
        if (cut.ok) return t.fail(`${where}: a ${n}-byte prefix of ${bytes.length} decoded`)
        // 'malformed:' marks an exception other than WireError escaping a decoder.
        if (cut.error.startsWith('malformed')) return t.fail(`${where}: ${cut.error}`)
      }
      // Garbled: flipped bytes and huge or negative 32-bit fields anywhere. Whatever decodes must re-encode to a fixed point.
      for (let k = 0; k < 20; k++) {
        const garbled = bytes.slice()
        const at = 8 + gen.rng.int(Math.max(1, garbled.length - 8))
        if (k % 2 === 0 && at + 4 <= garbled.length) new DataView(garbled.buffer).setInt32(at, gen.pick([-1, -0x80000000, 0x7fffffff, 16385, 0]))
        else garbled[Math.min(at, garbled.length - 1)] = gen.rng.int(256)
        let result: ReturnType<typeof decodeMessage>
        try { result = decodeMessage(garbled) } catch (error) { return t.fail(`${where}: decode threw ${String(error)}`) }
        if (!result.ok && result.error.startsWith('malformed')) return t.fail(`${where}: ${result.error}`)
        if (result.ok) {
          const again = encodeMessage(result.value)
          const second = decodeMessage(again)
          if (!second.ok || toHex(encodeMessage(second.value)) !== toHex(again)) return t.fail(`${where}: garbled decode is not a fixed point`)
        }
      }
    }
    t.pass()
  })
}

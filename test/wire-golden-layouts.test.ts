/**
 * Golden layouts written out by hand from bamboo.md §10's field tables (and the Java classes for
 * the types §10 does not list): for every registered type, the expected bytes are a commented
 * concatenation of pieces, compared with the encoder's output and decoded back. Also the type
 * codes (§10, captures) and application ids (§3). The DHT and data-manager types' layouts are in
 * wire-dht.test.ts.
 */
import test, { type ExecutionContext } from 'ava'
import { createHash } from 'node:crypto'
import { decodeMessage, encodeMessage, type WireMessage } from '../src/wire/codec.ts'
import { registeredWireTypes } from '../src/wire/registry.ts'
import { typeCodeHex, typeCodeValue } from '../src/wire/type-code.ts'
import { toHex } from '../src/ids/sha1.ts'
import type { NeighborInfo } from '../src/wire/fields.ts'

/** Type code computed here, independently of src: first 8 bytes of SHA-1 of the class name. */
const sha1Code = (className: string): string => createHash('sha1').update(className).digest('hex').slice(0, 16)
const u8 = (n: number): string => n.toString(16).padStart(2, '0')
const u16 = (n: number): string => n.toString(16).padStart(4, '0')
const i32 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0')

// Type codes: bamboo.md §10 and bamboo-captures.md where listed, else SHA-1 of the class name.
const C = {
  PingMsg: '11dd9c8e7b60ff7f',
  LeafSetReq: 'a8ccae1d463b304c',
  JoinReq: 'e4dd7a152b974bcc',
  JoinResp: 'dee80047889c7312',
  LeafSetChanged: 'acb65af6d43caf9c',
  RouteMsg: '6beec949142b1608',
  RoutingTableReq: '022ccf0b865ca95d',
  RoutingTableResp: '46719a785e06826d',
  RoutingNeighborAnnounce: '1e2318b17d70cb82',
  LookupRespMsg: 'ccb7a30ed1b4ada3',
  LookupReqPayload: '286fcfc9093273b7',
  CoordReq: 'db851c85ef790536',
  CoordResp: 'b2d6cf3015de9911',
  RpcMsg: '33316daf2ebd88ac',
  LocateNodeMsg: '054e14114af2ceb1',
  LocateNodeResp: '056150044829c91a',
  NodeId: 'aba46836be3aac1f',
  SpecialVC: '3bb29575e1e2f640',
  NeighborInfo: sha1Code('bamboo.router.NeighborInfo'),
  IterRouteReq: sha1Code('bamboo.router.IterRouteReq'),
  IterRouteResp: sha1Code('bamboo.router.IterRouteResp'),
  VirtualCoordinate: sha1Code('bamboo.vivaldi.VirtualCoordinate'),
  FiveDVC: sha1Code('bamboo.vivaldi.FiveDVC'),
  PingVCResp: sha1Code('bamboo.vivaldi.PingVCResp'),
  PingNodeMsg: sha1Code('bamboo.vivaldi.PingNodeMsg')
}

// BigIntegers: i32 length + Java toByteArray() (minimal two's complement).
const G_TOP = 0x93f4fc37f2d761b208d49d583b58fd4c962c5b18n // top bit set: 21 bytes, leading 00
const B_TOP = '00000015' + '00' + '93f4fc37f2d761b208d49d583b58fd4c962c5b18'
const G_20 = 0x19d5e8874c4de3431ddf235ae4e7531c403c512fn // 20 bytes
const B_20 = '00000014' + '19d5e8874c4de3431ddf235ae4e7531c403c512f'
const G_19 = 0x000102030405060708090a0b0c0d0e0f10111213n // leading zero byte dropped: 19 bytes
const B_19 = '00000013' + '0102030405060708090a0b0c0d0e0f10111213'
const G_MAX = (1n << 160n) - 1n
const B_MAX = '00000015' + '00' + 'ff'.repeat(20)
const G_HALF = 1n << 159n
const B_HALF = '00000015' + '00' + '80' + '00'.repeat(19)
const B_ONE = '00000001' + '01' // 0x01 → length 1
const B_ZERO = '00000001' + '00' // Java's BigInteger.ZERO.toByteArray() is one 00 byte
const B_7F = '00000001' + '7f'
const B_80 = '00000002' + '0080' // 0x80 needs a sign byte

// NodeIds: u16 port + u8 address length + address bytes (no type code inside router messages).
const A_LOCAL = { host: '127.0.0.1', port: 5850 }
const N_LOCAL = '16da' + '04' + '7f000001'
const A_TEN = { host: '10.0.0.1', port: 3630 }
const N_TEN = '0e2e' + '04' + '0a000001'
const A_V6 = { host: '0:0:0:0:0:0:0:1', port: 5850 } // Java's Inet6Address text for ::1
const N_V6 = '16da' + '10' + '00000000000000000000000000000001'
const A_V6B = { host: 'fe80:0:0:0:0:0:1:abcd', port: 65535 }
const N_V6B = 'ffff' + '10' + 'fe80000000000000000000000001abcd'
const A_BCAST = { host: '255.255.255.255', port: 0 }
const N_BCAST = '0000' + '04' + 'ffffffff'

// Doubles: IEEE 754 bits, big-endian.
const D = { one: '3ff0000000000000', two: '4000000000000000', three: '4008000000000000', half: '3fe0000000000000', hundred: '4059000000000000', minusOne: 'bff0000000000000', oneAndHalf: '3ff8000000000000', minusZero: '8000000000000000', minus2_25: 'c002000000000000', zero: '0000000000000000' }

function golden (t: ExecutionContext, message: WireMessage, pieces: readonly string[]): void {
  const expected = pieces.join('')
  t.is(toHex(encodeMessage(message)), expected, `${message.type}: encoding`)
  const decoded = decodeMessage(new Uint8Array(Buffer.from(expected, 'hex')))
  if (!decoded.ok) { t.fail(`${message.type}: decode failed: ${decoded.error}`); return }
  t.is(decoded.trailingBytes, 0)
  t.deepEqual(decoded.value, message)
}

function rejects (t: ExecutionContext, hex: string, pattern: RegExp): void {
  const decoded = decodeMessage(new Uint8Array(Buffer.from(hex, 'hex')))
  if (decoded.ok) { t.fail(`expected an error matching ${String(pattern)}, decoded ${decoded.value.type}`); return }
  t.regex(decoded.error, pattern)
}

test('type codes: bamboo.md §10 and captures', (t) => {
  const expected: Record<string, string> = {
    'bamboo.router.PingMsg': C.PingMsg,
    'bamboo.router.JoinReq': C.JoinReq,
    'bamboo.router.JoinResp': C.JoinResp,
    'bamboo.router.LeafSetReq': C.LeafSetReq,
    'bamboo.router.LeafSetChanged': C.LeafSetChanged,
    'bamboo.router.RouteMsg': C.RouteMsg,
    'bamboo.router.RoutingTableReq': C.RoutingTableReq,
    'bamboo.router.RoutingTableResp': C.RoutingTableResp,
    'bamboo.router.RoutingNeighborAnnounce': C.RoutingNeighborAnnounce,
    'bamboo.router.LookupRespMsg': C.LookupRespMsg,
    'bamboo.router.LookupReqPayload': C.LookupReqPayload,
    'bamboo.router.CoordReq': C.CoordReq,
    'bamboo.router.CoordResp': C.CoordResp,
    'bamboo.lss.Rpc$Msg': C.RpcMsg,
    'bamboo.vivaldi.LocateNodeMsg': C.LocateNodeMsg,
    'bamboo.vivaldi.LocateNodeResp': C.LocateNodeResp,
    'ostore.util.NodeId': C.NodeId,
    'bamboo.vivaldi.SpecialVC': C.SpecialVC,
    // DHT layer (registered by dht-messages.ts / dmgr-messages.ts; layouts in wire-dht.test.ts).
    'bamboo.dht.Dht$PutReqPayload': '1836e7972ccbc97b',
    'bamboo.dht.Dht$PutRespMsg': 'ce94dfdf26cc2672',
    'bamboo.dht.Dht$GetRespMsg': '0391af23c8023dc8',
    'bamboo.dht.RecurGetReq': '344119ab32fe4227',
    'bamboo.dht.RecurGetResp': 'fc035c49a21775c8',
    'bamboo.dmgr.PutOrRemoveMsg': '8aa543cb077416ed',
    'bamboo.dmgr.PutOrRemoveAck': '926a9afe9e20bfec',
    'bamboo.dht.Dht$DiskSizeMsg': '45bb1280017d5ae9'
  }
  for (const [className, code] of Object.entries(expected)) t.is(typeCodeHex(className), code, className)
})

test('registry: exactly the expected types, each under the code SHA-1 of its class name gives', (t) => {
  const expected: Record<string, string> = {
    PingMsg: 'bamboo.router.PingMsg', LeafSetReq: 'bamboo.router.LeafSetReq', JoinReq: 'bamboo.router.JoinReq',
    JoinResp: 'bamboo.router.JoinResp', LeafSetChanged: 'bamboo.router.LeafSetChanged', RouteMsg: 'bamboo.router.RouteMsg',
    RoutingTableReq: 'bamboo.router.RoutingTableReq', RoutingTableResp: 'bamboo.router.RoutingTableResp',
    RoutingNeighborAnnounce: 'bamboo.router.RoutingNeighborAnnounce', LookupReqPayload: 'bamboo.router.LookupReqPayload',
    LookupRespMsg: 'bamboo.router.LookupRespMsg', CoordReq: 'bamboo.router.CoordReq', CoordResp: 'bamboo.router.CoordResp',
    NeighborInfo: 'bamboo.router.NeighborInfo', IterRouteReq: 'bamboo.router.IterRouteReq', IterRouteResp: 'bamboo.router.IterRouteResp',
    'Rpc$Msg': 'bamboo.lss.Rpc$Msg',
    VirtualCoordinate: 'bamboo.vivaldi.VirtualCoordinate', SpecialVC: 'bamboo.vivaldi.SpecialVC', FiveDVC: 'bamboo.vivaldi.FiveDVC',
    NodeId: 'ostore.util.NodeId', LocateNodeMsg: 'bamboo.vivaldi.LocateNodeMsg', LocateNodeResp: 'bamboo.vivaldi.LocateNodeResp',
    PingVCResp: 'bamboo.vivaldi.PingVCResp', PingNodeMsg: 'bamboo.vivaldi.PingNodeMsg',
    'Dht$PutReqPayload': 'bamboo.dht.Dht$PutReqPayload', 'Dht$PutRespMsg': 'bamboo.dht.Dht$PutRespMsg',
    'Dht$GetValue': 'bamboo.dht.Dht$GetValue', 'Dht$GetRespMsg': 'bamboo.dht.Dht$GetRespMsg',
    'Dht$DiskSizeMsg': 'bamboo.dht.Dht$DiskSizeMsg', 'Dht$ForwardThroughLeafSetReq': 'bamboo.dht.Dht$ForwardThroughLeafSetReq',
    IterGetReq: 'bamboo.dht.IterGetReq', IterGetResp: 'bamboo.dht.IterGetResp', RecurGetReq: 'bamboo.dht.RecurGetReq',
    RecurGetResp: 'bamboo.dht.RecurGetResp', RpcGetReq: 'bamboo.dht.RpcGetReq', RpcGetResp: 'bamboo.dht.RpcGetResp',
    PutOrRemoveMsg: 'bamboo.dmgr.PutOrRemoveMsg', PutOrRemoveAck: 'bamboo.dmgr.PutOrRemoveAck',
    FetchMerkleTreeNodeReq: 'bamboo.dmgr.FetchMerkleTreeNodeReq', FetchMerkleTreeNodeResp: 'bamboo.dmgr.FetchMerkleTreeNodeResp',
    FetchMerkleTreeNodeReject: 'bamboo.dmgr.FetchMerkleTreeNodeReject', FetchKeysReq: 'bamboo.dmgr.FetchKeysReq',
    FetchKeysResp: 'bamboo.dmgr.FetchKeysResp', FetchDataReq: 'bamboo.dmgr.FetchDataReq', FetchDataResp: 'bamboo.dmgr.FetchDataResp',
    ReplicaSetReq: 'bamboo.dmgr.ReplicaSetReq', ReplicaSetResp: 'bamboo.dmgr.ReplicaSetResp',
    // Xest's own object transfer (not Bamboo's): same codec conventions under `xest.`
    ObjectReq: 'xest.transfer.ObjectReq', ObjectChunk: 'xest.transfer.ObjectChunk', ObjectMissing: 'xest.transfer.ObjectMissing'
  }
  const registered = registeredWireTypes()
  t.deepEqual(registered.map((r) => r.type).sort(), Object.keys(expected).sort())
  for (const r of registered) {
    t.is(expected[r.type], r.className, r.type)
    t.is(r.codeHex, sha1Code(r.className), r.type)
  }
})

test('application ids (bamboo.md §3): first 8 bytes of SHA-1 of the class name, signed long', (t) => {
  t.is(typeCodeValue('bamboo.dht.Dht'), 0x4533de0530040854n)
  t.is(typeCodeValue('bamboo.dmgr.DataManager'), 0x61aeb8e78d28498dn)
  t.is(typeCodeValue('bamboo.vivaldi.Vivaldi'), 0x6ac16e0955126b26n)
  // Codes with the top bit set are negative Java longs.
  t.is(typeCodeValue('bamboo.router.JoinReq'), BigInt.asIntN(64, 0xe4dd7a152b974bccn))
  t.true(typeCodeValue('bamboo.router.JoinReq') < 0n)
})

test('layout: PingMsg and LeafSetReq are a bare type code', (t) => {
  golden(t, { type: 'PingMsg' }, [C.PingMsg])
  golden(t, { type: 'LeafSetReq' }, [C.LeafSetReq])
})

test('layout: JoinReq = NodeId, BigInteger guid, i32 rev_ttl, i32 n, n × NeighborInfo', (t) => {
  golden(t, {
    type: 'JoinReq', node: A_TEN, guid: G_TOP, revTtl: 3,
    path: [{ address: A_V6, guid: 1n }, { address: A_LOCAL, guid: G_MAX }]
  }, [C.JoinReq, N_TEN, B_TOP, '00000003', '00000002', N_V6, B_ONE, N_LOCAL, B_MAX])
  golden(t, { type: 'JoinReq', node: A_V6B, guid: 1n, revTtl: -1, path: [] },
    [C.JoinReq, N_V6B, B_ONE, 'ffffffff' /* rev_ttl -1 */, '00000000'])
})

test('layout: JoinResp = i32 n, n × NeighborInfo path, i32 m, m × NeighborInfo leaf_set', (t) => {
  golden(t, { type: 'JoinResp', path: [], leafSet: [] }, [C.JoinResp, '00000000', '00000000'])
  golden(t, {
    type: 'JoinResp',
    path: [{ address: A_BCAST, guid: 0n }],
    leafSet: [{ address: A_LOCAL, guid: G_20 }, { address: A_TEN, guid: G_TOP }, { address: A_V6B, guid: G_19 }]
  }, [C.JoinResp, '00000001', N_BCAST, B_ZERO, '00000003', N_LOCAL, B_20, N_TEN, B_TOP, N_V6B, B_19])
})

test('layout: LeafSetChanged = BigInteger guid, i32 n, n × NeighborInfo, bool want_reply', (t) => {
  golden(t, { type: 'LeafSetChanged', guid: G_19, leafSet: [], wantReply: false }, [C.LeafSetChanged, B_19, '00000000', '00'])
  golden(t, {
    type: 'LeafSetChanged', guid: G_HALF, wantReply: true,
    leafSet: [{ address: A_V6, guid: 0x7fn }, { address: A_V6, guid: 0x7fn }]
  }, [C.LeafSetChanged, B_HALF, '00000002', N_V6, B_7F, N_V6, B_7F, '01'])
})

test('layout: RouteMsg = src, dest, i64 app_id, bool iup, peer_guid, object payload', (t) => {
  golden(t, {
    type: 'RouteMsg', src: 0n, dest: G_MAX, appId: -2n, intermediateUpcall: true, peerGuid: 0x80n,
    payload: { type: 'LookupReqPayload', returnAddress: A_V6 }
  }, [C.RouteMsg, B_ZERO, B_MAX, 'fffffffffffffffe' /* app -2 */, '01', B_80, C.LookupReqPayload, N_V6])
  golden(t, {
    type: 'RouteMsg', src: G_20, dest: G_TOP, appId: -0x8000000000000000n, intermediateUpcall: false, peerGuid: G_20,
    payload: { type: 'PingMsg' }
  }, [C.RouteMsg, B_20, B_TOP, '8000000000000000' /* Long.MIN_VALUE */, '00', B_20, C.PingMsg])
  for (const [app, hex] of [[0x4533de0530040854n, '4533de0530040854'], [0x61aeb8e78d28498dn, '61aeb8e78d28498d'], [0x6ac16e0955126b26n, '6ac16e0955126b26']] as const) {
    golden(t, {
      type: 'RouteMsg', src: 1n, dest: 1n, appId: app, intermediateUpcall: false, peerGuid: 1n,
      payload: { type: 'LookupReqPayload', returnAddress: A_LOCAL }
    }, [C.RouteMsg, B_ONE, B_ONE, hex, '00', B_ONE, C.LookupReqPayload, N_LOCAL])
  }
})

test('layout: RoutingTableReq = BigInteger guid, i32 level', (t) => {
  golden(t, { type: 'RoutingTableReq', guid: 0n, level: 39 }, [C.RoutingTableReq, B_ZERO, '00000027'])
  golden(t, { type: 'RoutingTableReq', guid: G_TOP, level: -1 }, [C.RoutingTableReq, B_TOP, 'ffffffff'])
})

function tableEntries (count: number): { neighbors: NeighborInfo[], hex: string } {
  const neighbors: NeighborInfo[] = []
  let hex = ''
  for (let i = 0; i < count; i++) {
    neighbors.push({ address: { host: `10.0.0.${i}`, port: 4000 + i }, guid: BigInt(i + 1) })
    hex += u16(4000 + i) + '04' + '0a0000' + u8(i) + '00000001' + u8(i + 1)
  }
  return { neighbors, hex }
}

test('layout: RoutingTableResp = peer_guid, i32 n (≤ 16), n × NeighborInfo; 17 rejected', (t) => {
  golden(t, { type: 'RoutingTableResp', peerGuid: G_20, neighbors: [] }, [C.RoutingTableResp, B_20, '00000000'])
  const sixteen = tableEntries(16)
  golden(t, { type: 'RoutingTableResp', peerGuid: G_TOP, neighbors: sixteen.neighbors }, [C.RoutingTableResp, B_TOP, '00000010', sixteen.hex])
  const seventeen = tableEntries(17)
  rejects(t, C.RoutingTableResp + B_TOP + '00000011' + seventeen.hex, /17/)
  rejects(t, C.RoutingTableResp + B_TOP + i32(0x7fffffff) + seventeen.hex, /count/)
})

test('layout: RoutingNeighborAnnounce = BigInteger guid, bool add', (t) => {
  golden(t, { type: 'RoutingNeighborAnnounce', guid: G_MAX, add: false }, [C.RoutingNeighborAnnounce, B_MAX, '00'])
  golden(t, { type: 'RoutingNeighborAnnounce', guid: 1n, add: true }, [C.RoutingNeighborAnnounce, B_ONE, '01'])
})

test('layout: LookupReqPayload = NodeId rtn_addr; LookupRespMsg = lookup_id, owner_id', (t) => {
  golden(t, { type: 'LookupReqPayload', returnAddress: A_BCAST }, [C.LookupReqPayload, N_BCAST])
  golden(t, { type: 'LookupRespMsg', lookupId: G_HALF, ownerId: 0x7fn }, [C.LookupRespMsg, B_HALF, B_7F])
})

test('layout: CoordReq = srcID + 3 raw f64; CoordResp = 3 raw f64 (no nested type code)', (t) => {
  golden(t, { type: 'CoordReq', srcId: G_TOP, coords: [1.5, -0, -2.25] }, [C.CoordReq, B_TOP, D.oneAndHalf, D.minusZero, D.minus2_25])
  golden(t, { type: 'CoordResp', coords: [100, 0.5, -1] }, [C.CoordResp, D.hundred, D.half, D.minusOne])
})

test('layout: NeighborInfo (as an object) = NodeId + BigInteger guid', (t) => {
  golden(t, { type: 'NeighborInfo', neighbor: { address: A_V6B, guid: G_19 } }, [C.NeighborInfo, N_V6B, B_19])
})

test('layout: IterRouteReq / IterRouteResp (src, dest, app_id, iup, payload[, next_hop])', (t) => {
  golden(t, {
    type: 'IterRouteReq', src: G_20, dest: G_TOP, appId: 0x6ac16e0955126b26n, intermediateUpcall: false, payload: { type: 'PingMsg' }
  }, [C.IterRouteReq, B_20, B_TOP, '6ac16e0955126b26', '00', C.PingMsg])
  golden(t, {
    type: 'IterRouteResp', src: 0n, dest: G_MAX, appId: -1n, intermediateUpcall: true,
    payload: { type: 'LookupReqPayload', returnAddress: A_LOCAL }, nextHop: { address: A_TEN, guid: 1n }
  }, [C.IterRouteResp, B_ZERO, B_MAX, 'ffffffffffffffff', '01', C.LookupReqPayload, N_LOCAL, N_TEN, B_ONE])
})

test('layout: Rpc$Msg = bool req, i64 xact_id, object payload (including a RouteMsg)', (t) => {
  golden(t, { type: 'Rpc$Msg', req: true, xactId: 1795473631453n, payload: { type: 'CoordResp', coords: [0, 0, 0] } },
    [C.RpcMsg, '01', '000001a20a9168dd', C.CoordResp, D.zero, D.zero, D.zero])
  golden(t, {
    type: 'Rpc$Msg', req: false, xactId: -1795473631453n,
    payload: {
      type: 'RouteMsg', src: G_20, dest: 1n, appId: 0n, intermediateUpcall: false, peerGuid: G_TOP,
      payload: { type: 'LookupReqPayload', returnAddress: A_TEN }
    }
  }, [C.RpcMsg, '00', 'fffffe5df56e9723' /* -1795473631453 */, C.RouteMsg, B_20, B_ONE, '0000000000000000', '00', B_TOP, C.LookupReqPayload, N_TEN])
})

test('layout: VirtualCoordinate (3), SpecialVC (3), FiveDVC (5) as objects', (t) => {
  golden(t, { type: 'VirtualCoordinate', values: [1, 2, 3] }, [C.VirtualCoordinate, D.one, D.two, D.three])
  golden(t, { type: 'SpecialVC', values: [0.5, -0, 100] }, [C.SpecialVC, D.half, D.minusZero, D.hundred])
  golden(t, { type: 'FiveDVC', values: [1, 2, 3, -1, 0.5] }, [C.FiveDVC, D.one, D.two, D.three, D.minusOne, D.half])
})

test('layout: NodeId object (IPv4 and IPv6, host as Java prints it)', (t) => {
  golden(t, { type: 'NodeId', address: A_LOCAL }, [C.NodeId, N_LOCAL])
  golden(t, { type: 'NodeId', address: A_V6 }, [C.NodeId, N_V6])
  golden(t, { type: 'NodeId', address: A_V6B }, [C.NodeId, N_V6B])
  // Compressed / upper-case input encodes to the same bytes and decodes to Java's text form.
  const compressed: WireMessage = { type: 'NodeId', address: { host: '::1', port: 5850 } }
  const upper: WireMessage = { type: 'NodeId', address: { host: 'FE80::1:ABCD', port: 65535 } }
  t.is(toHex(encodeMessage(compressed)), C.NodeId + N_V6)
  t.is(toHex(encodeMessage(upper)), C.NodeId + N_V6B)
})

test('layout: LocateNodeMsg = i32 version, object NodeId, object coordinate', (t) => {
  golden(t, {
    type: 'LocateNodeMsg', version: 1,
    requestor: { type: 'NodeId', address: A_V6 },
    coordinate: { type: 'FiveDVC', values: [1, 2, 3, -1, 0.5] }
  }, [C.LocateNodeMsg, '00000001', C.NodeId, N_V6, C.FiveDVC, D.one, D.two, D.three, D.minusOne, D.half])
  golden(t, {
    type: 'LocateNodeMsg', version: -7,
    requestor: { type: 'NodeId', address: A_LOCAL },
    coordinate: { type: 'VirtualCoordinate', values: [0, 0, 0] }
  }, [C.LocateNodeMsg, 'fffffff9', C.NodeId, N_LOCAL, C.VirtualCoordinate, D.zero, D.zero, D.zero])
  // The requestor slot must hold a NodeId, the coordinate slot a coordinate.
  rejects(t, C.LocateNodeMsg + '00000001' + C.PingMsg + C.NodeId + N_LOCAL, /NodeId/)
  rejects(t, C.LocateNodeMsg + '00000001' + C.NodeId + N_LOCAL + C.NodeId + N_LOCAL, /expected/)
})

test('layout: LocateNodeResp = object coordinate, object NodeId', (t) => {
  golden(t, {
    type: 'LocateNodeResp',
    coordinate: { type: 'VirtualCoordinate', values: [1, 2, 3] },
    locatedId: { type: 'NodeId', address: A_LOCAL }
  }, [C.LocateNodeResp, C.VirtualCoordinate, D.one, D.two, D.three, C.NodeId, N_LOCAL])
  rejects(t, C.LocateNodeResp + C.NodeId + N_LOCAL + C.NodeId + N_LOCAL, /expected/)
})

test('layout: PingVCResp = i32 version, object coordinate; PingNodeMsg = object coordinate', (t) => {
  golden(t, { type: 'PingVCResp', version: 7, coordinate: { type: 'SpecialVC', values: [1, 2, 3] } },
    [C.PingVCResp, '00000007', C.SpecialVC, D.one, D.two, D.three])
  golden(t, { type: 'PingNodeMsg', coordinate: { type: 'VirtualCoordinate', values: [0.5, 100, -1] } },
    [C.PingNodeMsg, C.VirtualCoordinate, D.half, D.hundred, D.minusOne])
})

test('malformed fields are error values', (t) => {
  rejects(t, C.RoutingTableReq + '00000000' + '00000001', /zero-length/) // BigInteger length 0
  rejects(t, C.RoutingTableReq + 'ffffffff' + '00', /length/) // negative length
  rejects(t, C.RoutingTableReq + i32(1001) + '00'.repeat(1001) + '00000001', /length 1001/) // > 1000
  rejects(t, C.LookupReqPayload + '16da' + '05' + '7f00000100', /address length/)
  rejects(t, C.LookupReqPayload + '16da' + '00', /address length/)
  rejects(t, C.LookupReqPayload + '16da' + '04' + '7f00', /truncated/)
  rejects(t, C.JoinResp + 'ffffffff' + '00000000', /count/) // negative list count
  rejects(t, C.JoinResp + '00000002' + N_LOCAL + B_ONE, /truncated|count/) // fewer entries than announced
  rejects(t, C.RouteMsg + B_ONE + B_ONE + '0000000000000000' + '00' + B_ONE, /truncated/) // payload missing
  rejects(t, '11dd9c8e7b60ff', /truncated/) // type code cut short
  rejects(t, '', /truncated/)
  rejects(t, 'deadbeefdeadbeef', /unknown type code deadbeefdeadbeef/)
  // The largest BigInteger Java accepts (1000 bytes) decodes.
  const big = decodeMessage(new Uint8Array(Buffer.from(C.RoutingTableReq + i32(1000) + '01' + '00'.repeat(999) + '00000001', 'hex')))
  t.true(big.ok && big.value.type === 'RoutingTableReq' && big.value.guid === 1n << 7992n)
})

test('trailing bytes after the object are counted, not an error (Java ignores them)', (t) => {
  const decoded = decodeMessage(new Uint8Array(Buffer.from(C.PingMsg + 'abcd', 'hex')))
  t.deepEqual(decoded, { ok: true, value: { type: 'PingMsg' }, trailingBytes: 2 })
})

// --- Java compatibility (checked against the ostore-seda-emu.jar that ships with Bamboo) -----

test('[src bug] a boolean byte other than 1 reads as false, as Java InputBufferImpl.nextBoolean (byte == 1)', (t) => {
  for (const [byte, expected] of [['00', false], ['01', true], ['02', false], ['ff', false]] as const) {
    const decoded = decodeMessage(new Uint8Array(Buffer.from(C.RoutingNeighborAnnounce + B_ONE + byte, 'hex')))
    t.true(decoded.ok && decoded.value.type === 'RoutingNeighborAnnounce' && decoded.value.add === expected,
      `byte ${byte}: ${JSON.stringify(decoded.ok ? decoded.value.type === 'RoutingNeighborAnnounce' && decoded.value.add : decoded.error)}`)
  }
})

test('[src bug] doubles are written with doubleToLongBits: every NaN becomes 7ff8000000000000', (t) => {
  for (const nan of ['7ff0000000000001', 'fff8000000000123', '7fffffffffffffff']) {
    const decoded = decodeMessage(new Uint8Array(Buffer.from(C.VirtualCoordinate + nan + D.one + D.two, 'hex')))
    if (!decoded.ok) { t.fail(decoded.error); continue }
    t.is(toHex(encodeMessage(decoded.value)), C.VirtualCoordinate + '7ff8000000000000' + D.one + D.two, nan)
  }
})

test('[src bug] a 16-byte IPv4-mapped NodeId address reads as the IPv4 host, as Java getByAddress does', (t) => {
  const decoded = decodeMessage(new Uint8Array(Buffer.from(C.NodeId + '16da' + '10' + '00000000000000000000ffff0a0b0c0d', 'hex')))
  if (!decoded.ok) return t.fail(decoded.error)
  t.deepEqual(decoded.value, { type: 'NodeId', address: { host: '10.11.12.13', port: 5850 } })
  t.is(toHex(encodeMessage(decoded.value)), C.NodeId + '16da' + '04' + '0a0b0c0d')
})

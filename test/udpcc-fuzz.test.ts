import test from 'ava'
import { EventQueue } from '../sim/event-queue.ts'
import { SimClock } from '../sim/sim-clock.ts'
import type { DatagramPort, DatagramReceiver } from '../src/env/datagram-port.ts'
import { SeededRng, type Rng } from '../src/env/rng.ts'
import type { NodeAddress } from '../src/ids/node-address.ts'
import { wireSerializer } from '../src/transport/serializer.ts'
import { UdpCC } from '../src/transport/udpcc.ts'
import { encodeMessage, type WireMessage } from '../src/wire/codec.ts'
import { encodeData, encodePureAck } from '../src/wire/datagram.ts'

/** A port whose receiver the test calls directly; what UdpCC sends is counted and discarded. */
class CapturePort implements DatagramPort {
  readonly local = { host: '10.0.0.1', port: 1 }
  receive: DatagramReceiver = () => {}
  sent = 0
  send (): void { this.sent++ }
  setReceiver (receive: DatagramReceiver): void { this.receive = receive }
  close (): void {}
}

const samples: WireMessage[] = [
  { type: 'PingMsg' },
  { type: 'JoinReq', node: { host: '127.0.0.1', port: 3632 }, guid: 0x93f4fc37f2d761b208d49d583b58fd4c962c5b18n, revTtl: 0, path: [] },
  { type: 'LeafSetChanged', guid: 5n, leafSet: [{ address: { host: '10.1.2.3', port: 9 }, guid: 7n }], wantReply: true },
  {
    type: 'RouteMsg', src: 1n, dest: 2n, appId: -5n, intermediateUpcall: false, peerGuid: 3n,
    payload: { type: 'LookupReqPayload', returnAddress: { host: '127.0.0.1', port: 1 } }
  },
  { type: 'Rpc$Msg', req: true, xactId: 99n, payload: { type: 'CoordReq', srcId: 4n, coords: [1, 2, 3] } }
]

function mutate (rng: Rng, bytes: Uint8Array): Uint8Array {
  const out = bytes.slice()
  switch (rng.int(5)) {
    case 0: { const i = rng.int(out.length); out[i] = out[i]! ^ (1 << rng.int(8)); return out }
    case 1: { out[rng.int(out.length)] = rng.int(256); return out }
    case 2: return out.subarray(0, rng.int(out.length + 1))
    case 3: { const extra = rng.bytes(rng.int(40)); const grown = new Uint8Array(out.length + extra.length); grown.set(out); grown.set(extra, out.length); return grown }
    default: { const i = rng.int(Math.max(1, out.length - 4)); new DataView(out.buffer).setInt32(Math.min(i, Math.max(0, out.length - 4)), rng.int(2) === 0 ? -rng.int(1000) : 0x7fffffff); return out }
  }
}

function datagram (rng: Rng, macKey: Uint8Array | null): Uint8Array {
  const kind = rng.int(10)
  if (kind === 0) return rng.bytes(rng.int(64))
  if (kind === 1) return encodePureAck(BigInt(rng.int(1 << 30)), rng.int(2) === 0 ? macKey : null)
  const body = encodeMessage(samples[rng.int(samples.length)]!)
  const seq = rng.int(4) === 0 ? -1n : (BigInt(rng.int(1 << 20)) << 8n) | BigInt(1 + rng.int(3))
  const bytes = encodeData({ ack: rng.int(3) === 0 ? BigInt(rng.int(1 << 30)) : -1n, seq, waitMs: 0, estRttMs: -1 }, body, rng.int(3) === 0 ? macKey : null)
  return kind < 5 ? bytes : mutate(rng, bytes)
}

test('1,000,000 random and mutated datagrams through the UdpCC receive path: no throw, no hang, every one accounted for', (t) => {
  const seed = 'udpcc-fuzz'
  const rng = new SeededRng(seed)
  const queue = new EventQueue()
  const macKey = new Uint8Array(20).fill(3)
  const nodes = [null, macKey].map((key, owner) => {
    const port = new CapturePort()
    const udpcc = new UdpCC({ clock: new SimClock(queue, owner), port }, wireSerializer, { macKey: key })
    let delivered = 0
    udpcc.onMessage(() => { delivered++ })
    return { port, udpcc, delivered: () => delivered }
  })
  const sources: NodeAddress[] = Array.from({ length: 50 }, (_, i) => ({ host: `10.9.0.${i}`, port: 4000 + i }))
  const total = 1_000_000
  for (let i = 0; i < total; i++) {
    const node = nodes[i & 1]!
    node.port.receive(sources[rng.int(sources.length)]!, datagram(rng, macKey))
    if (i % 10_000 === 9_999) queue.run({ timeUsMax: queue.nowUs + 1_000_000 })
  }
  queue.run({ timeUsMax: queue.nowUs + 1_000_000 })
  for (const node of nodes) {
    const s = node.udpcc.stats
    const dropped = Object.values(s.dropped).reduce((a, b) => a + b, 0)
    t.is(s.receivedDatagrams, total / 2)
    t.is(s.receivedPureAcks + s.delivered + s.duplicates + s.decodeErrors + dropped, total / 2, `seed=${seed}: every datagram delivered, suppressed or counted as dropped`)
    t.is(s.delivered, node.delivered())
    if (node === nodes[0]) t.true(s.delivered > 0 && s.decodeErrors > 0 && dropped > 0)
    else t.true(s.delivered > 0 && s.dropped['bad-mac'] > 0 && s.dropped.unauthenticated > 0, 'keyed node: only intact MAC\'ed datagrams get through')
    t.true(node.port.sent > 0, 'acks went out')
    t.log(`seed=${seed} mac=${node === nodes[1]} delivered=${s.delivered} duplicates=${s.duplicates} decodeErrors=${s.decodeErrors} dropped=${JSON.stringify(s.dropped)} acks sent=${s.sentPureAcks}`)
  }
})

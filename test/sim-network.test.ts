import test from 'ava'
import { EventQueue } from '../sim/event-queue.ts'
import { SimNetwork, type SimNetworkOptions } from '../sim/net/sim-network.ts'
import type { NetworkRule } from '../sim/net/rules.ts'
import { SeededRng } from '../src/env/rng.ts'
import type { DatagramPort } from '../src/env/datagram-port.ts'
import { tableModel } from './support/table-model.ts'

const MODEL = tableModel([[0, 20, 50], [20, 0, 35], [50, 35, 0]])

interface Arrival { node: number, atUs: number, from: string, size: number }

function net (hosts: number[], options: Partial<SimNetworkOptions> = {}) {
  const queue = new EventQueue()
  const network = new SimNetwork(queue, MODEL, new SeededRng('net'), options)
  const arrivals: Arrival[] = []
  const ports: DatagramPort[] = hosts.map((host, node) => {
    network.addNode(node, host)
    const port = network.open(node, { host: `10.0.0.${node + 1}`, port: 1 })
    port.setReceiver((source, bytes) => arrivals.push({ node, atUs: queue.nowUs, from: source.host, size: bytes.length }))
    return port
  })
  const to = (node: number) => ({ host: `10.0.0.${node + 1}`, port: 1 })
  return { queue, network, arrivals, ports, to }
}

test('propagation follows the model; same-site pairs get the small non-zero delay', (t) => {
  const { queue, arrivals, ports, to } = net([0, 1, 2, 0])
  ports[0]!.send(to(1), new Uint8Array(10))
  ports[0]!.send(to(2), new Uint8Array(10))
  ports[2]!.send(to(1), new Uint8Array(10))
  ports[0]!.send(to(3), new Uint8Array(10))
  queue.run()
  t.deepEqual(arrivals.map((a) => [a.node, a.atUs, a.from]), [[3, 250, '10.0.0.1'], [1, 20_000, '10.0.0.1'], [1, 35_000, '10.0.0.3'], [2, 50_000, '10.0.0.1']])
})

test('the sender copies on send: mutating the buffer later changes nothing', (t) => {
  const { queue, ports, to, network } = net([0, 1])
  let got: number | undefined
  ports[1]!.setReceiver((_s, bytes) => { got = bytes[0] })
  const bytes = new Uint8Array([7])
  ports[0]!.send(to(1), bytes)
  bytes[0] = 9
  queue.run()
  t.is(got, 7)
  t.is(network.stats.delivered, 1)
})

test('uplink serialization and queueing: back-to-back datagrams leave one link-time apart', (t) => {
  const { queue, arrivals, ports, to, network } = net([0, 1], { uplinkBitsPerSecond: 1_000_000 })
  for (let i = 0; i < 3; i++) ports[0]!.send(to(1), new Uint8Array(972)) // 1000 bytes on the wire
  queue.run()
  t.deepEqual(arrivals.map((a) => a.atUs), [28_000, 36_000, 44_000])
  t.is(network.stats.delivered, 3)
})

test('downlink queueing: two senders converging on one receiver share its link', (t) => {
  const { queue, arrivals, ports, to } = net([0, 0, 1], { downlinkBitsPerSecond: 1_000_000 })
  ports[0]!.send(to(2), new Uint8Array(972))
  ports[1]!.send(to(2), new Uint8Array(972))
  queue.run()
  t.deepEqual(arrivals.map((a) => [a.from, a.atUs]), [['10.0.0.1', 28_000], ['10.0.0.2', 36_000]])
})

test('an idle downlink delivers in one event; only a datagram that found it busy takes a second', (t) => {
  const { queue, arrivals, ports, to } = net([0, 1, 2], { downlinkBitsPerSecond: 1_000_000 })
  ports[0]!.send(to(2), new Uint8Array(972)) // reaches host 2's downlink at 50 ms
  queue.run()
  t.deepEqual(arrivals.map((a) => a.atUs), [58_000])
  t.is(queue.executed, 1)
  ports[0]!.send(to(2), new Uint8Array(972))
  ports[1]!.send(to(2), new Uint8Array(472)) // 35 ms away: through the downlink first
  queue.run()
  t.deepEqual(arrivals.slice(1).map((a) => [a.from, a.atUs]), [['10.0.0.2', 58_000 + 35_000 + 4_000], ['10.0.0.1', 58_000 + 50_000 + 8_000]])
  t.is(queue.executed, 3)
})

test('drop-tail: a datagram that would wait longer than the queue limit is dropped and counted', (t) => {
  const { queue, arrivals, ports, to, network } = net([0, 1], { uplinkBitsPerSecond: 1_000_000, queueLimitUs: 20_000 })
  for (let i = 0; i < 5; i++) ports[0]!.send(to(1), new Uint8Array(972))
  queue.run()
  // waits 0, 8, 16 ms fit the 20 ms limit; 24 and 32 ms do not
  t.is(arrivals.length, 3)
  t.is(network.stats.dropsByReason.get('uplink-queue'), 2)
})

test('oversize and unroutable datagrams are dropped and counted, never thrown', (t) => {
  const { queue, arrivals, ports, to, network } = net([0, 1], { maxDatagramBytes: 100 })
  ports[0]!.send(to(1), new Uint8Array(101))
  ports[0]!.send({ host: '10.9.9.9', port: 1 }, new Uint8Array(10))
  ports[0]!.send(to(1), new Uint8Array(100))
  queue.run()
  t.is(arrivals.length, 1)
  t.deepEqual([...network.stats.dropsByReason].sort(), [['oversize', 1], ['unroutable', 1]])
})

test('partition: only traffic across the sides is dropped, and it heals at untilUs', (t) => {
  const rules: NetworkRule[] = [{ kind: 'partition', side: [0, 1], fromUs: 0, untilUs: 100_000 }]
  const { queue, arrivals, ports, to, network } = net([0, 1, 2], { rules })
  ports[0]!.send(to(1), new Uint8Array(1)) // same side
  ports[0]!.send(to(2), new Uint8Array(1)) // across
  ports[2]!.send(to(1), new Uint8Array(1)) // across
  queue.run({ timeUsMax: 100_000 })
  ports[2]!.send(to(0), new Uint8Array(1)) // healed
  queue.run()
  t.deepEqual(arrivals.map((a) => `${a.from}->${a.node}`), ['10.0.0.1->1', '10.0.0.3->0'])
  t.is(network.stats.dropsByReason.get('partition'), 2)
})

test('ordered rules: the first verdict wins, so a pass rule carves an exception out of a loss rule', (t) => {
  const rules: NetworkRule[] = [
    { kind: 'pass', match: { sourceNodes: [1] } },
    { kind: 'delay', extraUs: 5_000, match: { sourceNodes: [2] } },
    { kind: 'loss', probability: 1 }
  ]
  const { queue, arrivals, ports, to, network } = net([0, 1, 2], { rules })
  ports[0]!.send(to(1), new Uint8Array(1))
  ports[1]!.send(to(0), new Uint8Array(1))
  ports[2]!.send(to(0), new Uint8Array(1))
  queue.run()
  t.deepEqual(arrivals.map((a) => [a.from, a.atUs]), [['10.0.0.2', 20_000], ['10.0.0.3', 55_000]])
  t.is(network.stats.dropsByReason.get('loss'), 1)
})

test('random loss follows its probability (seeded)', (t) => {
  const { queue, arrivals, ports, to } = net([0, 1], { rules: [{ kind: 'loss', probability: 0.3 }] })
  for (let i = 0; i < 10_000; i++) ports[0]!.send(to(1), new Uint8Array(1))
  queue.run()
  t.true(Math.abs(arrivals.length - 7_000) < 250, `${arrivals.length} of 10,000 arrived`)
})

test('bad rules and unknown hosts are rejected with a clear error', (t) => {
  const queue = new EventQueue()
  t.throws(() => new SimNetwork(queue, MODEL, new SeededRng('x'), { rules: [{ kind: 'loss', probability: 2 }] }), { message: /probability 2/ })
  t.throws(() => new SimNetwork(queue, MODEL, new SeededRng('x'), { rules: [{ kind: 'partition', side: [1], fromUs: 10, untilUs: 5 }] }), { message: /before fromUs/ })
  const network = new SimNetwork(queue, MODEL, new SeededRng('x'))
  t.throws(() => network.addNode(0, 3), { message: /host 3 is not in the model/ })
})

test('closing a port drops what is queued for it and frees its address', (t) => {
  const { queue, arrivals, ports, to, network } = net([0, 1])
  ports[0]!.send(to(1), new Uint8Array(1))
  ports[1]!.close()
  queue.run()
  t.is(arrivals.length, 0)
  t.is(network.stats.dropsByReason.get('closed'), 1)
  const again = network.open(1, to(1))
  again.setReceiver(() => arrivals.push({ node: 1, atUs: queue.nowUs, from: '', size: 0 }))
  ports[0]!.send(to(1), new Uint8Array(1))
  queue.run()
  t.is(arrivals.length, 1)
})

test('datagrams are classified by their Bamboo type code, pure acks apart', async (t) => {
  const { classifyDatagram } = await import('../sim/net/classify-datagram.ts')
  const { encodeData, encodePureAck } = await import('../src/wire/datagram.ts')
  const { encodeMessage } = await import('../src/wire/codec.ts')
  const header = { ack: -1n, seq: 5n, waitMs: 0, estRttMs: 0 }
  t.is(classifyDatagram(encodeData(header, encodeMessage({ type: 'PingMsg' }))), 'PingMsg')
  const leafSetChanged = { type: 'LeafSetChanged', guid: 5n, leafSet: [], wantReply: true } as const
  t.is(classifyDatagram(encodeData(header, encodeMessage(leafSetChanged))), 'LeafSetChanged')
  t.is(classifyDatagram(encodePureAck(3n)), 'ack')
  t.is(classifyDatagram(encodeData(header, new Uint8Array(12))), 'data')
  t.is(classifyDatagram(new Uint8Array([0, 0, 0, 9])), 'malformed')
})

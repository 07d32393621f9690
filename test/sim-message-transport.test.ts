import test from 'ava'
import { SimMessageTransport } from '../sim/net/sim-message-transport.ts'
import { World } from '../sim/world.ts'
import { bytesSerializer } from '../src/transport/serializer.ts'
import { tableModel } from './support/table-model.ts'

/** Three nodes 10/20/15 ms apart, each with a message-level transport that logs what it receives. */
function trio (rules: ConstructorParameters<typeof World>[0]['network'] = {}, shareMessages = false) {
  const world = new World({ seed: 'mt', model: tableModel([[0, 10, 20], [10, 0, 15], [20, 15, 0]]), network: rules })
  const transports: Array<SimMessageTransport<Uint8Array>> = []
  const received: Array<{ node: number, bytes: Uint8Array, atUs: number, tries: number }> = []
  for (let i = 0; i < 3; i++) {
    world.addNode({
      factory: (ctx) => {
        const transport = new SimMessageTransport(world.network, ctx.node, ctx.env, bytesSerializer, { typeName: () => 'bytes', shareMessages })
        transport.onMessage((bytes, _source, info) => received.push({ node: ctx.node, bytes, atUs: world.nowUs, tries: info.tries }))
        transports[ctx.node] = transport
        return { stop: () => transport.close() }
      }
    })
    world.start(i)
  }
  return { world, transports, received }
}

test('a send arrives after the one-way delay as a fresh copy, is acked after the round trip, and seeds the RTT estimate', (t) => {
  const { world, transports, received } = trio()
  const sent = new Uint8Array([1, 2, 3])
  const outcomes: Array<[boolean, number]> = []
  const result = transports[0]!.send(world.address(1), sent, 5000, (ok) => outcomes.push([ok, world.nowUs]))
  t.true(result.ok)
  world.run({ untilUs: 1e6 })
  t.is(received.length, 1)
  t.is(received[0]!.atUs, 10_000)
  t.deepEqual([...received[0]!.bytes], [1, 2, 3])
  t.not(received[0]!.bytes, sent, 'the receiver never shares the sender\'s object')
  t.deepEqual(outcomes, [[true, 20_000]])
  t.is(transports[0]!.latencyMeanMs(world.address(1)), 20)
  t.is(transports[0]!.rtoMs(world.address(1)), 4 * 20 + 10, 'Bamboo\'s first-sample RTO')
  t.is(transports[0]!.lastReceiveMs(world.address(1)) > 0, true)
  t.is(world.network.stats.delivered, 2, 'one data packet and one ack')
})

test('a send to a dead node fails at its deadline and is never delivered', (t) => {
  const { world, transports, received } = trio()
  world.crash(2)
  const outcomes: Array<[boolean, number]> = []
  transports[0]!.send(world.address(2), new Uint8Array([9]), 3000, (ok) => outcomes.push([ok, world.nowUs]))
  world.run({ untilUs: 10e6 })
  t.deepEqual(received, [])
  t.deepEqual(outcomes, [[false, 3_000_000]])
  t.is(transports[0]!.stats.failed, 1)
})

test('under 40 % loss every message is delivered exactly once, by retransmission, and acked', (t) => {
  const { world, transports, received } = trio({ rules: [{ kind: 'loss', probability: 0.4 }] })
  let acked = 0
  for (let i = 0; i < 200; i++) {
    transports[i % 2]!.send(world.address(2), new Uint8Array([i % 2, i >> 8, i & 255]), 60_000, (ok) => { if (ok) acked++ })
  }
  world.run({ untilUs: 120e6 })
  const keys = received.map((r) => `${r.bytes[0]}:${r.bytes[1]! * 256 + r.bytes[2]!}`)
  t.is(new Set(keys).size, 200)
  t.is(received.length, 200, 'no duplicate deliveries')
  t.is(acked, 200)
  const stats = [transports[0]!.stats, transports[1]!.stats]
  t.true(stats[0]!.retransmissions + stats[1]!.retransmissions > 50)
  t.true(transports[2]!.stats.duplicates > 0, 'lost acks caused retransmissions the target suppressed')
  t.true(received.some((r) => r.tries > 0))
})

test('oversize messages and sends after close are refused; a crashed sender\'s callbacks never run', (t) => {
  const { world, transports } = trio()
  const big = transports[0]!.send(world.address(1), new Uint8Array(20_000), 5000)
  t.deepEqual(big, { ok: false, error: { kind: 'too-large', sizeBytes: 20_028, maxBytes: 16_384 } })
  let called = 0
  transports[1]!.send(world.address(2), new Uint8Array([1]), 5000, () => called++)
  world.crash(1)
  world.run({ untilUs: 10e6 })
  t.is(called, 0)
  transports[0]!.close()
  t.deepEqual(transports[0]!.send(world.address(1), new Uint8Array([1]), 5000), { ok: false, error: { kind: 'closed' } })
})

test('peers idle for idleConnectionMs are forgotten when a new one is contacted', (t) => {
  const { world, transports } = trio()
  transports[0]!.send(world.address(1), new Uint8Array([1]), 5000)
  world.run({ untilUs: 1e6 })
  t.is(transports[0]!.peerCount, 1)
  world.run({ untilUs: 400e6 })
  transports[0]!.send(world.address(2), new Uint8Array([1]), 5000)
  t.is(transports[0]!.peerCount, 1, 'the idle peer went when a new one came')
  t.is(transports[0]!.latencyMeanMs(world.address(1)), -1)
})

test('with shareMessages the target gets the sent object itself, carried and refused by its encoded size', (t) => {
  const { world, transports, received } = trio({ maxDatagramBytes: 100_000 }, true)
  const sent = new Uint8Array(1000).fill(7)
  let acked = false
  t.true(transports[0]!.send(world.address(1), sent, 5000, (ok) => { acked = ok }).ok)
  const tooBig = transports[0]!.send(world.address(1), new Uint8Array(20_000), 5000)
  t.false(tooBig.ok, 'refused by size as an encoded message would be')
  world.run({ untilUs: 1e6 })
  t.is(received.length, 1)
  t.is(received[0]!.bytes, sent, 'the very object, never encoded or decoded')
  t.true(acked)
  t.true(world.network.stats.delivered === 2)
})

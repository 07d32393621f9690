import test from 'ava'
import { checkLeafSets } from '../sim/checkers/routing-checker.ts'
import { createSyntheticModel } from '../sim/net/models/synthetic-model.ts'
import { OverlayWorld, type LookupOutcome } from '../sim/overlay/overlay-world.ts'
import { SeededRng } from '../src/env/rng.ts'
import { bytesToBigUint } from '../src/ids/sha1.ts'
import { nodeIdOf } from '../src/ids/node-id.ts'
import type { NodeAddress } from '../src/ids/node-address.ts'
import { wireSerializer } from '../src/transport/serializer.ts'
import { UdpCC } from '../src/transport/udpcc.ts'
import type { WireMessage } from '../src/wire/codec.ts'
import type { DatagramPort } from '../src/env/datagram-port.ts'
import { ALL_TYPES, Gen } from './support/random-messages.ts'

const second = 1e6
const minute = 60 * second

test('a node flooding a ring with 30,000 random messages of every type (half under its true identity) and 10,000 garbage datagrams: no node throws, and once the attacker is gone the ring is correct again', (t) => {
  const overlay = new OverlayWorld({ seed: 'fuzz', model: createSyntheticModel({ seed: 'fuzz' }) })
  overlay.populate(16, 0.5 * second)
  overlay.world.run({ untilUs: 8 * second + 2 * minute })
  const members = overlay.joinedNodes()
  const gen = new Gen(new SeededRng('fuzz-messages'))
  // The attacker sends well-formed random messages through its UdpCC and raw garbage straight
  // through the same port.
  let attacker: UdpCC<WireMessage> | undefined
  let attackerPort: DatagramPort | undefined
  const attackerNode = overlay.world.addNode({
    factory: (ctx) => { attackerPort = ctx.env.port; attacker = new UdpCC(ctx.env, wireSerializer); return undefined }
  })
  overlay.world.start(attackerNode)
  let sent = 0
  const burst = (): void => {
    for (let i = 0; i < 300; i++) {
      const target = overlay.world.address(members[gen.rng.int(members.length)]!)
      const message = gen.message(gen.pick(ALL_TYPES))
      attacker!.sendUnreliable(target, gen.bool() ? message : asAttacker(message, attackerAddress, attackerGuid))
      sent++
    }
    for (let i = 0; i < 100; i++) {
      const target = overlay.world.address(members[gen.rng.int(members.length)]!)
      attackerPort!.send(target, gen.rng.bytes(1 + gen.rng.int(200)))
    }
    if (sent < 30_000) overlay.world.after(100_000, burst)
  }
  const attackerAddress = overlay.world.address(attackerNode)
  const attackerGuid = nodeIdOf(attackerAddress)
  burst()
  overlay.world.run({ untilUs: overlay.world.nowUs + 2 * minute })
  t.is(sent, 30_000)
  // Claiming its own identity, the attacker (which acks pings) got itself into leaf sets; once it
  // is gone the ring must heal as from any failure.
  overlay.world.crash(attackerNode)
  overlay.world.run({ untilUs: overlay.world.nowUs + 2 * minute })
  const nodes = overlay.liveOverlayNodes().filter((n) => members.some((m) => overlay.node(m) === n))
  t.is(nodes.length, 16)
  t.is(checkLeafSets(nodes).correct, 16)
  const rng = new SeededRng('fuzz-keys')
  const outcomes: LookupOutcome[] = []
  for (let k = 0; k < 5; k++) overlay.lookupFrom(members, bytesToBigUint(rng.bytes(20)), (o) => outcomes.push(o))
  overlay.world.run({ untilUs: overlay.world.nowUs + minute })
  t.is(outcomes.filter((o) => o.ownerGuid === o.trueRootGuid).length, 80)
})

/** Half the messages claim the attacker's true identity, so they pass the sender checks and reach deeper handlers. */
function asAttacker (message: WireMessage, address: NodeAddress, guid: bigint): WireMessage {
  switch (message.type) {
    case 'LeafSetChanged': case 'RoutingTableReq': case 'RoutingNeighborAnnounce': return { ...message, guid }
    case 'RoutingTableResp': return { ...message, peerGuid: guid }
    case 'JoinReq': return { ...message, node: address, guid }
    case 'JoinResp': return { ...message, path: [...message.path, { address, guid }] }
    case 'LookupRespMsg': return { ...message, ownerId: guid }
    case 'Rpc$Msg': return message.payload.type === 'CoordReq' ? { ...message, payload: { ...message.payload, srcId: guid } } : message
    default: return message
  }
}

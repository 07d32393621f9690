/**
 * Overlay nodes in a simulated world: every node runs the real OverlayNode on its simulated
 * environment; node 0 starts the ring and the others join through a random earlier node, one
 * every `joinSpacingUs`. Gives scenarios and tests the live nodes, replacement under churn, and
 * lookups judged against the true root. Observes nodes from outside; never alters their state.
 */
import type { Id } from '../../src/ids/node-id.ts'
import type { OverlayConfig } from '../../src/overlay/overlay-config.ts'
import { OverlayNode, type OverlayObserver } from '../../src/overlay/overlay-node.ts'
import { trueRoot } from '../../src/overlay/ring-truth.ts'
import { wireSerializer } from '../../src/transport/serializer.ts'
import { sortedGuids } from '../checkers/routing-checker.ts'
import type { NetworkModel } from '../net/network-model.ts'
import { SimMessageTransport } from '../net/sim-message-transport.ts'
import type { SimNetworkOptions } from '../net/sim-network.ts'
import { World, type NodeContext } from '../world.ts'

export interface OverlayWorldOptions {
  seed: string
  model: NetworkModel
  network?: Partial<SimNetworkOptions>
  overlay?: Partial<OverlayConfig>
  /**
   * 'udpcc': every node runs UdpCC over the simulated datagram network (every ack and
   * retransmission simulated); 'message': the message-level transport, as Bamboo's simulator
   * carries messages, for large runs. @default 'udpcc'
   */
  transport?: SimTransportKind
  /** With the message-level transport: hand targets the sent objects, sized but never encoded. @default false */
  shareMessages?: boolean
  /** Adds a layer (the DHT) on every node incarnation, before it starts; `stop` runs when it stops. */
  layer?: (node: OverlayNode, context: NodeContext) => { stop?(): void }
  /** Called for every node incarnation; metrics only. */
  observer?: (node: number) => OverlayObserver
}

export type SimTransportKind = 'udpcc' | 'message'

export interface LookupOutcome {
  source: number
  sourceGuid: Id
  key: Id
  /** The root the lookup returned, or null when it timed out. */
  ownerGuid: Id | null
  /** The true root when the lookup was issued. */
  trueRootGuid: Id
  /** The true root when the answer arrived (differs when the root left or a closer node joined meanwhile). */
  trueRootAtAnswerGuid: Id
  latencyUs: number
  /** Round trip of the network path from the source to the true root, µs (0 when the source is the root). */
  directRttUs: number
}

export class OverlayWorld {
  readonly world: World
  readonly #nodes = new Map<number, OverlayNode>()
  readonly #byGuid = new Map<Id, number>()

  constructor (readonly options: OverlayWorldOptions) {
    this.world = new World({ seed: options.seed, model: options.model, network: options.network })
  }

  /** Adds a node that joins through `gateway` (another node index) or starts a ring. */
  addNode (gateway: number | null, host?: number): number {
    const world = this.world
    const index = world.addNode({
      host,
      factory: (ctx) => {
        const gatewayAddress = gateway === null ? [] : [world.address(gateway)]
        const transport = this.options.transport === 'message'
          ? new SimMessageTransport(world.network, ctx.node, ctx.env, wireSerializer, { typeName: (message) => message.type, shareMessages: this.options.shareMessages === true })
          : undefined
        const node = new OverlayNode(ctx.env, { ...this.options.overlay, gateways: gatewayAddress }, this.options.observer?.(ctx.node) ?? {}, { transport })
        this.#nodes.set(ctx.node, node)
        this.#byGuid.set(node.self.guid, ctx.node)
        const layer = this.options.layer?.(node, ctx)
        node.start()
        return { stop: () => { layer?.stop?.(); node.stop() } }
      }
    })
    return index
  }

  /** Adds and starts `count` nodes: node 0 first, then one every `joinSpacingUs` through a random live node. */
  populate (count: number, joinSpacingUs: number): void {
    const first = this.addNode(null)
    this.world.start(first)
    for (let i = 1; i < count; i++) {
      this.world.at(this.world.nowUs + i * joinSpacingUs, () => {
        const up = this.joinedNodes()
        const gateway = up[this.world.rng.int(up.length)]!
        const index = this.addNode(gateway)
        this.world.start(index)
      })
    }
  }

  /** A fresh node (new identity) on `departed`'s host, joining through a random joined node. */
  replace (departed: number): number {
    const up = this.joinedNodes()
    const gateway = up.length === 0 ? null : up[this.world.rng.int(up.length)]!
    const index = this.addNode(gateway, this.world.network.hostOf(departed))
    this.world.start(index)
    return index
  }

  node (index: number): OverlayNode | undefined {
    return this.world.isUp(index) ? this.#nodes.get(index) : undefined
  }

  /** Indices of live nodes that have joined. */
  joinedNodes (): number[] {
    return this.world.upNodes().filter((i) => this.#nodes.get(i)?.initialized === true)
  }

  liveOverlayNodes (): OverlayNode[] {
    return this.joinedNodes().map((i) => this.#nodes.get(i)!)
  }

  /**
   * Issues a lookup of `key` from each of `sources` at this moment; `onOutcome` receives each
   * answer or timeout (the truth is taken at issue time). A source that crashes first never answers.
   */
  lookupFrom (sources: readonly number[], key: Id, onOutcome: (outcome: LookupOutcome) => void, timeoutMs = 30_000): void {
    const truth = trueRoot(sortedGuids(this.liveOverlayNodes()), key)
    const rootNode = this.#byGuid.get(truth)!
    const network = this.world.network
    const startUs = this.world.nowUs
    for (const source of sources) {
      const node = this.#nodes.get(source)!
      const directRttUs = source === rootNode ? 0 : network.oneWayUs(source, rootNode) + network.oneWayUs(rootNode, source)
      node.lookup(key, (owner) => {
        const truthNow = trueRoot(sortedGuids(this.liveOverlayNodes()), key)
        onOutcome({ source, sourceGuid: node.self.guid, key, ownerGuid: owner?.guid ?? null, trueRootGuid: truth, trueRootAtAnswerGuid: truthNow, latencyUs: this.world.nowUs - startUs, directRttUs })
      }, timeoutMs)
    }
  }
}

/**
 * What a node believes about its neighbours' liveness (Bamboo's possibly_down, down_nodes,
 * latency_map and ping bookkeeping): measured RTTs, neighbours whose last message failed and
 * that routing skips until a second-chance ping decides, the most recently failed nodes (for
 * the partition check), and the pings in flight. Pure state; the node does the sending.
 */
import { addressKey, type NodeAddress } from '../ids/node-address.ts'
import type { NeighborInfo } from '../wire/fields.ts'

export class NeighborHealth {
  /** Last RTT sample per neighbour guid, ms (only for nodes we monitor). */
  readonly rttMs = new Map<bigint, number>()
  /** Neighbours skipped by routing until their second-chance ping succeeds or fails. */
  readonly possiblyDown = new Map<bigint, NeighborInfo>()
  /** Neighbours with a liveness ping (or a message counting as one) in flight. */
  readonly periodicPings = new Set<bigint>()
  /** Neighbours with an RTT-probing ping in flight (before adding them). */
  readonly probePings = new Set<bigint>()
  readonly #down = new Map<string, NodeAddress>()

  constructor (private readonly downNodesCap: number) {}

  isPossiblyDown (neighbor: NeighborInfo): boolean {
    return this.possiblyDown.has(neighbor.guid)
  }

  /** Remembers a failed node (most recent last), forgetting the oldest beyond the cap. */
  addDown (address: NodeAddress): void {
    if (this.downNodesCap <= 0) return
    const key = addressKey(address)
    this.#down.delete(key)
    this.#down.set(key, address)
    if (this.#down.size > this.downNodesCap) this.#down.delete(this.#down.keys().next().value!)
  }

  removeDown (address: NodeAddress): boolean {
    return this.#down.delete(addressKey(address))
  }

  downNodes (): NodeAddress[] {
    return [...this.#down.values()]
  }
}

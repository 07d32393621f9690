/**
 * The simulator's twin of a testbed: the same node addresses (hence the same ids and ring), the
 * same matrix hosts, the same latency model and loss, the same overlay settings, nodes started
 * at the offsets the real ones started at, the DHT on every node as `xest node` runs it, and the
 * same lookups (same sources, keys and moments, relative to the first node's start). It is
 * `xest sim churn` without churn, on the testbed's exact topology: the World is built directly
 * because the churn scenario numbers its own addresses. Deterministic for a given seed; no I/O
 * except reading the latency file.
 */
import { loadNetworkModel } from '../../../../sim/net/models/load-model.ts'
import type { NetworkModel } from '../../../../sim/net/network-model.ts'
import { World } from '../../../../sim/world.ts'
import type { DigitBase } from '../../../ids/digits.ts'
import { idToHex, parseId, type Id } from '../../../ids/node-id.ts'
import { DhtNode } from '../../../dht/dht-node.ts'
import { TupleStore } from '../../../dht/tuple-store.ts'
import { OverlayNode } from '../../../overlay/overlay-node.ts'
import type { LookupPlanEntry, LookupResult } from './lookup-plan.ts'

export interface TwinHost {
  address: string
  port: number
  matrixHost: number
  /** Start time relative to host 0's, ms. */
  startOffsetMs: number
}

export interface TwinConfig {
  seed: string
  latency: string | null
  latencyValues: 'rtt' | 'one-way'
  loss: number
  digitBase: DigitBase
  leafSetSizePerSide: number
  hosts: TwinHost[]
  /** When the workload starts, ms after host 0 started. */
  workloadStartMs: number
  plan: LookupPlanEntry[]
  lookupTimeoutMs: number
}

export interface TwinResult {
  model: string
  results: LookupResult[]
  events: number
  simulatedS: number
}

export function simulateTestbedLookups (config: TwinConfig): TwinResult {
  const model: NetworkModel = config.latency === null
    ? { name: 'zero (same-site delay only)', hostCount: Math.max(...config.hosts.map((h) => h.matrixHost)) + 1, oneWayUs: () => 0 }
    : loadNetworkModel(config.latency, { values: config.latencyValues }).model
  const world = new World({
    seed: config.seed,
    model,
    network: { rules: config.loss > 0 ? [{ kind: 'loss', probability: config.loss }] : [] }
  })
  const nodes = new Map<number, OverlayNode>()
  const gateway = { host: config.hosts[0]!.address, port: config.hosts[0]!.port }
  for (const [index, host] of config.hosts.entries()) {
    world.addNode({
      host: host.matrixHost,
      address: { host: host.address, port: host.port },
      factory: (ctx) => {
        const node = new OverlayNode(ctx.env, {
          digitBase: config.digitBase, leafSetSizePerSide: config.leafSetSizePerSide, gateways: index === 0 ? [] : [gateway]
        })
        const dht = new DhtNode(node, new TupleStore())
        nodes.set(index, node)
        node.start()
        dht.start()
        return { stop: () => { dht.stop(); node.stop() } }
      }
    })
    world.at(Math.max(0, Math.round(host.startOffsetMs * 1000)), () => world.start(index))
  }
  const results: LookupResult[] = []
  let lastMs = 0
  for (const entry of config.plan) {
    const atUs = Math.round((config.workloadStartMs + entry.atMs) * 1000)
    lastMs = Math.max(lastMs, config.workloadStartMs + entry.atMs)
    world.at(atUs, () => {
      const node = nodes.get(entry.host)
      const key = parseId(entry.keyHex) as Id
      if (node === undefined || !world.isUp(entry.host)) { results.push({ ...entry, owner: null, latencyMs: null }); return }
      const startUs = world.nowUs
      node.lookup(key, (owner) => {
        results.push({ ...entry, owner: owner === null ? null : idToHex(owner.guid), latencyMs: (world.nowUs - startUs) / 1000 })
      }, config.lookupTimeoutMs)
    })
  }
  world.run({ untilUs: Math.round((lastMs + config.lookupTimeoutMs + 1000) * 1000) })
  return { model: model.name, results, events: world.queue.executed, simulatedS: world.nowUs / 1e6 }
}

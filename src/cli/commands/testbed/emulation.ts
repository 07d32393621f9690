/**
 * Wide-area emulation for `xest node --emulate-latency`: reads the latency matrix (any format
 * the simulator reads, or `zero` for no added delay beyond the simulator's same-site 250 µs)
 * and the host map (peer address → matrix host), and wraps the node's UDP port in a
 * LatencyPort. Only called when the flag is given; without it a node's port is untouched.
 * Bad maps and indices are usage errors naming the file or entry; it never guesses a host.
 */
import { readFileSync } from 'node:fs'
import { loadNetworkModel } from '../../../../sim/net/models/load-model.ts'
import type { Clock } from '../../../env/clock.ts'
import type { DatagramPort } from '../../../env/datagram-port.ts'
import { LatencyPort, type LatencyMatrix } from '../../../env/latency-port.ts'
import type { Rng } from '../../../env/rng.ts'
import { addressKey, tryAddressBytes, type NodeAddress } from '../../../ids/node-address.ts'
import { UsageError } from '../../handle-errors.ts'

export interface EmulationArgs {
  emulateLatency: string
  latencyValues: 'rtt' | 'one-way'
  hostIndex: number | undefined
  hostMap: string | undefined
  loss: number
}

/** Address → host: keys are "IP:PORT" (exact peer) or "IP" (any port on that address). */
export type HostMap = Map<string, number>

/**
 * Parses a host map: a JSON file holding an object { "10.77.0.1:3630": 0, ... } (or "IP" keys),
 * or an inline list "10.77.0.1=0,10.77.0.2=1" (entries separated by commas).
 */
export function readHostMap (spec: string): HostMap {
  const map: HostMap = new Map()
  const add = (key: string, value: unknown, where: string): void => {
    const host = key.includes(':') ? key.slice(0, key.lastIndexOf(':')) : key
    if (tryAddressBytes(host) === null) throw new UsageError(`--host-map: ${where}: "${key}" is not IP or IP:PORT`)
    if (!(typeof value === 'number' && Number.isInteger(value) && value >= 0)) throw new UsageError(`--host-map: ${where}: host index of "${key}" must be an integer ≥ 0, got ${JSON.stringify(value)}`)
    map.set(key, value)
  }
  if (/=/.test(spec) && !spec.trim().startsWith('{')) {
    for (const [i, entry] of spec.split(',').entries()) {
      const [key, value, extra] = entry.trim().split('=')
      if (key === undefined || value === undefined || extra !== undefined || !/^\d+$/.test(value)) throw new UsageError(`--host-map: entry ${i + 1} "${entry}" is not ADDRESS=INDEX`)
      add(key, Number(value), `entry ${i + 1}`)
    }
    return map
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(spec, 'utf8'))
  } catch (error) {
    throw new UsageError(`--host-map: cannot read ${spec} as JSON: ${(error as Error).message}`)
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`--host-map: ${spec} must hold a JSON object of address → host index`)
  for (const [key, value] of Object.entries(parsed)) add(key, value, spec)
  return map
}

export function hostLookup (map: HostMap): (peer: NodeAddress) => number | undefined {
  return (peer) => map.get(addressKey(peer)) ?? map.get(peer.host)
}

/** A matrix of zero delays (each pair gets the same-site delay). */
export function zeroMatrix (hostCount: number): LatencyMatrix {
  return { hostCount, oneWayUs: () => 0 }
}

export function emulatedPort (inner: DatagramPort, args: EmulationArgs, env: { clock: Clock, rng: Rng }): LatencyPort {
  if (args.hostIndex === undefined) throw new UsageError('--emulate-latency needs --host-index (this node\'s host in the matrix)')
  if (args.hostMap === undefined) throw new UsageError('--emulate-latency needs --host-map (peer address → host index)')
  if (!(args.loss >= 0 && args.loss < 1)) throw new UsageError(`--loss must be in [0, 1), got ${args.loss}`)
  const map = readHostMap(args.hostMap)
  const matrix: LatencyMatrix = args.emulateLatency === 'zero'
    ? zeroMatrix(Math.max(args.hostIndex, ...map.values()) + 1)
    : loadNetworkModel(args.emulateLatency, { values: args.latencyValues }).model
  for (const [key, host] of map) {
    if (host >= matrix.hostCount) throw new UsageError(`--host-map: "${key}" maps to host ${host}, but ${args.emulateLatency} has hosts 0 … ${matrix.hostCount - 1}`)
  }
  if (!(Number.isInteger(args.hostIndex) && args.hostIndex >= 0 && args.hostIndex < matrix.hostCount)) {
    throw new UsageError(`--host-index ${args.hostIndex} is outside 0 … ${matrix.hostCount - 1}`)
  }
  return new LatencyPort(inner, { clock: env.clock, rng: env.rng.fork('latency-port') }, {
    matrix, selfHost: args.hostIndex, hostOf: hostLookup(map), lossProbability: args.loss
  })
}

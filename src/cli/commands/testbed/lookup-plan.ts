/**
 * The lookups workload as data, shared by the testbed driver and its simulated twin: which host
 * looks up which key when (keys are SHA-1 of the seed, round and host, so both sides issue exactly
 * the same lookups), and the summary both report — issued, answered, correct against the true
 * root, and latency quantiles computed the same way as the simulator's histograms. Pure.
 */
import { quantileSorted } from 'd3-array'
import { bytesToBigUint, sha1 } from '../../../ids/sha1.ts'
import { idToHex, nodeIdOf } from '../../../ids/node-id.ts'
import { sortIds, trueRoot } from '../../../overlay/ring-truth.ts'

export interface LookupPlanEntry {
  round: number
  host: number
  keyHex: string
  /** Issue time after the workload starts, ms. */
  atMs: number
}

export interface LookupResult extends LookupPlanEntry {
  /** The root the node answered, or null when it timed out or could not be asked. */
  owner: string | null
  latencyMs: number | null
}

/** Every host looks up one key per round; within a round host i starts at i × interval / hosts. */
export function lookupPlan (seed: string, hosts: number, rounds: number, intervalMs: number): LookupPlanEntry[] {
  const plan: LookupPlanEntry[] = []
  for (let round = 0; round < rounds; round++) {
    for (let host = 0; host < hosts; host++) {
      const keyHex = idToHex(bytesToBigUint(sha1(`xest-testbed-lookup/${seed}/${round}/${host}`)))
      plan.push({ round, host, keyHex, atMs: round * intervalMs + (host * intervalMs) / hosts })
    }
  }
  return plan
}

export interface LatencySummary {
  count: number
  mean: number | null
  p50: number | null
  p90: number | null
  p99: number | null
  max: number | null
}

export interface LookupSummary {
  issued: number
  answered: number
  correct: number
  correctShare: number | null
  timedOut: number
  latencyMs: LatencySummary
}

export function latencySummary (values: number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return { count: 0, mean: null, p50: null, p90: null, p99: null, max: null }
  const q = (p: number): number => round2(quantileSorted(sorted, p) ?? 0)
  return { count: sorted.length, mean: round2(sorted.reduce((s, x) => s + x, 0) / sorted.length), p50: q(0.5), p90: q(0.9), p99: q(0.99), max: round2(sorted[sorted.length - 1]!) }
}

/** Judges each answer against the true root among `addresses` (all hosts live). */
export function summarizeLookups (results: LookupResult[], addresses: Array<{ host: string, port: number }>): LookupSummary {
  const sorted = sortIds(addresses.map(nodeIdOf))
  let correct = 0
  let answered = 0
  const latencies: number[] = []
  for (const r of results) {
    if (r.owner === null || r.latencyMs === null) continue
    answered++
    latencies.push(r.latencyMs)
    if (r.owner === idToHex(trueRoot(sorted, BigInt('0x' + r.keyHex)))) correct++
  }
  return { issued: results.length, answered, correct, correctShare: results.length === 0 ? null : correct / results.length, timedOut: results.length - answered, latencyMs: latencySummary(latencies) }
}

function round2 (x: number): number {
  return Math.round(x * 100) / 100
}

/**
 * `xest testbed run --workload lookups`: every node of a running testbed looks up one key per
 * round (the same plan its simulated twin runs), asked through its control socket at the planned
 * moments; answers are judged against the true root of the testbed's ring. Then the twin runs the
 * same lookups on the same topology, seed, start offsets and warm-up in the simulator, and both
 * summaries are returned side by side with their ratios. Also reports the emulation counters
 * (datagrams delayed, dropped, sent to unmapped peers) so that a run shows its traffic stayed
 * among the testbed's hosts.
 */
import { ControlClient } from './control-socket.ts'
import { lookupPlan, summarizeLookups, type LookupResult, type LookupSummary } from './lookup-plan.ts'
import { sleepMs } from './netns.ts'
import type { TestbedState } from './state.ts'
import { simulateTestbedLookups } from './testbed-sim.ts'
import type { DigitBase } from '../../../ids/digits.ts'

export interface LookupsOptions {
  seed: string
  rounds: number
  intervalMs: number
  /** Lookups start no earlier than this long after the last node started, s. */
  warmupS: number
  lookupTimeoutMs: number
}

interface EmulationCounters { sent: number, delivered: number, dropped: number, unmapped: number }

export interface LookupsReport {
  workload: 'lookups'
  hosts: number
  model: string
  seed: string
  rounds: number
  warmupS: number
  testbed: LookupSummary
  simulator: LookupSummary
  /** testbed / simulator for each latency figure. */
  ratio: { p50: number | null, p90: number | null, p99: number | null, mean: number | null }
  emulation: EmulationCounters
  simulatorWallS: number
  /** The lookups whose testbed and simulated latencies differ most (for diagnosis). */
  largestDifferences: Array<{ round: number, host: number, key: string, testbedMs: number | null, simulatorMs: number | null, testbedOwner: string | null, simulatorOwner: string | null }>
}

export async function connectAll (state: TestbedState): Promise<ControlClient[]> {
  const clients: ControlClient[] = []
  for (const host of state.hosts) {
    const client = await ControlClient.connect(host.controlSocket)
    if (client === null) {
      for (const c of clients) c.close()
      throw new Error(`host ${host.index} (${host.namespace}) does not answer on ${host.controlSocket}; is the testbed up? (xest testbed status)`)
    }
    clients.push(client)
  }
  return clients
}

async function emulationCounters (clients: ControlClient[]): Promise<EmulationCounters> {
  const totals = { sent: 0, delivered: 0, dropped: 0, unmapped: 0 }
  const states = await Promise.all(clients.map(async (c) => await c.request<{ emulation: EmulationCounters | null }>({ op: 'state' }, 5_000)))
  for (const s of states) {
    const e = s?.emulation
    if (e === null || e === undefined) continue
    totals.sent += e.sent; totals.delivered += e.delivered; totals.dropped += e.dropped; totals.unmapped += e.unmapped
  }
  return totals
}

export async function runLookups (state: TestbedState, options: LookupsOptions, progress: (line: string) => void): Promise<LookupsReport> {
  const starts = state.hosts.map((h) => h.startedMs)
  if (starts.some((s) => s === null)) throw new Error('the state file lacks node start times; was `up` completed?')
  const clients = await connectAll(state)
  try {
    const readyMs = Math.max(...(starts as number[])) + options.warmupS * 1000
    if (Date.now() < readyMs) {
      progress(`warming up: lookups start ${((readyMs - Date.now()) / 1000).toFixed(0)} s from now (--warmup ${options.warmupS})`)
      await sleepMs(readyMs - Date.now())
    }
    const before = await emulationCounters(clients)
    const plan = lookupPlan(options.seed, state.hosts.length, options.rounds, options.intervalMs)
    progress(`${plan.length} lookups from ${state.hosts.length} hosts over ${(options.rounds * options.intervalMs / 1000).toFixed(0)} s`)
    const t0Ms = Date.now() + 200
    const results = await Promise.all(plan.map(async (entry): Promise<LookupResult> => {
      await sleepMs(Math.max(0, t0Ms + entry.atMs - Date.now()))
      const reply = await clients[entry.host]!.request<{ owner: string | null, latencyMs: number }>({ op: 'lookup', key: entry.keyHex }, options.lookupTimeoutMs + 5_000)
      return { ...entry, owner: reply?.owner ?? null, latencyMs: reply?.owner == null ? null : reply.latencyMs }
    }))
    const after = await emulationCounters(clients)
    const addresses = state.hosts.map((h) => ({ host: h.address, port: h.port }))
    const testbed = summarizeLookups(results, addresses)
    progress('simulating the same lookups on the same topology')
    const host0Ms = starts[0] as number
    const wallStartMs = Date.now()
    const twin = simulateTestbedLookups({
      seed: options.seed,
      latency: state.config.latency,
      latencyValues: state.config.latencyValues,
      loss: state.config.loss,
      digitBase: state.config.base as DigitBase,
      leafSetSizePerSide: state.config.leafSet,
      hosts: state.hosts.map((h) => ({ address: h.address, port: h.port, matrixHost: h.matrixHost, startOffsetMs: (h.startedMs as number) - host0Ms })),
      workloadStartMs: t0Ms - host0Ms,
      plan,
      lookupTimeoutMs: options.lookupTimeoutMs
    })
    const simulator = summarizeLookups(twin.results, addresses)
    const ratio = (a: number | null, b: number | null): number | null => a === null || b === null || b === 0 ? null : Math.round((a / b) * 1000) / 1000
    return {
      workload: 'lookups',
      hosts: state.hosts.length,
      model: twin.model,
      seed: options.seed,
      rounds: options.rounds,
      warmupS: Math.round((t0Ms - Math.max(...(starts as number[]))) / 1000),
      testbed,
      simulator,
      ratio: {
        p50: ratio(testbed.latencyMs.p50, simulator.latencyMs.p50),
        p90: ratio(testbed.latencyMs.p90, simulator.latencyMs.p90),
        p99: ratio(testbed.latencyMs.p99, simulator.latencyMs.p99),
        mean: ratio(testbed.latencyMs.mean, simulator.latencyMs.mean)
      },
      emulation: { sent: after.sent - before.sent, delivered: after.delivered - before.delivered, dropped: after.dropped - before.dropped, unmapped: after.unmapped - before.unmapped },
      simulatorWallS: Math.round((Date.now() - wallStartMs) / 100) / 10,
      largestDifferences: largestDifferences(results, twin.results)
    }
  } finally {
    for (const c of clients) c.close()
  }
}

function largestDifferences (testbed: LookupResult[], simulated: LookupResult[]): LookupsReport['largestDifferences'] {
  const twin = new Map(simulated.map((r) => [`${r.round}/${r.host}`, r]))
  return testbed.map((t) => {
    const s = twin.get(`${t.round}/${t.host}`)
    return { round: t.round, host: t.host, key: t.keyHex.slice(0, 8), testbedMs: t.latencyMs, simulatorMs: s?.latencyMs ?? null, testbedOwner: t.owner?.slice(0, 8) ?? null, simulatorOwner: s?.owner?.slice(0, 8) ?? null }
  }).sort((a, b) => Math.abs((b.testbedMs ?? 1e9) - (b.simulatorMs ?? 1e9)) - Math.abs((a.testbedMs ?? 1e9) - (a.simulatorMs ?? 1e9))).slice(0, 8)
}

export function describeLookups (r: LookupsReport): string {
  const pct = (x: number | null): string => x === null ? '-' : `${(100 * x).toFixed(1)} %`
  const f = (x: number | null): string => x === null ? '-' : x.toFixed(1)
  const row = (name: string, a: string, b: string, c = ''): string => `${name.padEnd(22)}${a.padStart(12)}${b.padStart(12)}${c.padStart(10)}`
  const t = r.testbed
  const s = r.simulator
  return [
    `lookups: ${r.hosts} hosts, model ${r.model}, seed ${r.seed}, ${r.rounds} rounds after ${r.warmupS} s of warm-up`,
    row('', 'testbed', 'simulator', 'ratio'),
    row('issued', String(t.issued), String(s.issued)),
    row('correct (true root)', `${t.correct} ${pct(t.correctShare)}`, `${s.correct} ${pct(s.correctShare)}`),
    row('timed out', String(t.timedOut), String(s.timedOut)),
    row('latency mean ms', f(t.latencyMs.mean), f(s.latencyMs.mean), r.ratio.mean === null ? '-' : r.ratio.mean.toFixed(3)),
    row('latency median ms', f(t.latencyMs.p50), f(s.latencyMs.p50), r.ratio.p50 === null ? '-' : r.ratio.p50.toFixed(3)),
    row('latency p90 ms', f(t.latencyMs.p90), f(s.latencyMs.p90), r.ratio.p90 === null ? '-' : r.ratio.p90.toFixed(3)),
    row('latency p99 ms', f(t.latencyMs.p99), f(s.latencyMs.p99), r.ratio.p99 === null ? '-' : r.ratio.p99.toFixed(3)),
    `emulation during the run: ${r.emulation.sent} datagrams sent, ${r.emulation.delivered} delivered after their delay, ${r.emulation.dropped} dropped (loss), ${r.emulation.unmapped} to peers outside the testbed`,
    `simulated in ${r.simulatorWallS} s wall`,
    ''
  ].join('\n')
}

/**
 * Turns one policy's run into the study's metrics (xest.md §7): miss rate, stall time (total,
 * per-read quantiles, share of replay time, pre-copy waits), addressing overhead (DHT
 * operations, bytes and latency per read and per migration), unnecessary fetches (prefetched
 * objects never read before eviction or the end, written objects prefetched and never read), and bytes moved per VM start. Pure over the
 * finished run's counters.
 */
import { quantile, quantileSorted } from 'd3-array'
import { unnecessaryFetches } from '../../src/cache/cache-stats.ts'
import type { XestHost } from '../../src/fetch/xest-host.ts'
import type { World } from '../world.ts'
import type { StudySetup } from './study-scenario.ts'
import type { StudyPolicy, VmReplay } from './vm-replay.ts'

export interface PolicyRunFacts {
  policy: StudyPolicy
  model: string
  world: World
  hosts: XestHost[]
  vms: VmReplay[]
  stalls: Float64Array[]
  lease: { puts: number, failed: number, latencyMs: number[] }
  unfinished: number
  setup: StudySetup
}

export type PolicyMetrics = ReturnType<typeof policyMetrics>

const round = (x: number, digits = 3): number => Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x

export function policyMetrics (f: PolicyRunFacts) {
  const segments = f.vms.flatMap((vm) => vm.segments)
  const reads = segments.reduce((s, x) => s + x.reads, 0)
  const readStallUs = segments.reduce((s, x) => s + x.readStallUs, 0)
  const copyStallUs = segments.reduce((s, x) => s + x.copyStallUs, 0)
  const stalledReads = segments.reduce((s, x) => s + x.stalledReads, 0)
  let replayUs = 0
  for (const vm of f.vms) if (vm.segments.length > 0) replayUs += vm.segments.at(-1)!.endUs - vm.segments[0]!.startUs
  // Per-read stall in ms, reads that never stalled as zeros, sorted once (a numeric typed sort).
  let stalled = 0
  for (const stall of f.stalls) for (let i = 0; i < stall.length; i++) if (!Number.isNaN(stall[i]!)) stalled++
  const perRead = new Float64Array(Math.max(reads, stalled))
  let at = 0
  for (const stall of f.stalls) for (let i = 0; i < stall.length; i++) if (!Number.isNaN(stall[i]!)) perRead[at++] = stall[i]! / 1000
  perRead.sort()
  // quantileSorted only indexes and reads .length, so a typed array serves at runtime.
  const q = (p: number): number => round(quantileSorted(perRead as unknown as number[], p) ?? 0)
  const hostSum = (pick: (h: XestHost) => number): number => f.hosts.reduce((s, h) => s + pick(h), 0)
  const demandMisses = hostSum((h) => h.stats.demandMisses)
  const fetchedBytes = hostSum((h) => h.fetcher.stats.demandBytes + h.fetcher.stats.prefetchBytes)
  let unnecessaryObjects = 0
  let unnecessaryBytes = 0
  for (const h of f.hosts) {
    const u = unnecessaryFetches(h.cache.stats())
    const copied = h.pinnedUnread()
    unnecessaryObjects += u.objects + copied.objects
    unnecessaryBytes += u.bytes + copied.bytes
  }
  for (const vm of f.vms) {
    unnecessaryObjects += vm.prefetchedUnread.size
    for (const index of vm.prefetchedUnread) unnecessaryBytes += f.setup.catalog.sizeOf(index)
  }
  const gets = hostSum((h) => h.pointers.stats.gets)
  const puts = hostSum((h) => h.pointers.stats.puts) + f.lease.puts
  const rms = hostSum((h) => h.pointers.stats.rms)
  const getLatency = f.hosts.flatMap((h) => h.pointers.stats.getLatencyMs).sort((a, b) => a - b)
  const starts = segments.length
  const migrations = Math.max(0, starts - f.vms.length)
  const dhtOps = gets + puts + rms
  const metrics = {
    policy: f.policy,
    model: f.model,
    unfinishedVms: f.unfinished,
    reads,
    writes: f.setup.workload.writes.subarray(f.setup.trainRefs).reduce((s, w) => s + w, 0) * f.vms.length,
    missRate: reads === 0 ? 0 : demandMisses / reads,
    stalledReadRate: reads === 0 ? 0 : stalledReads / reads,
    waitedOnFetch: hostSum((h) => h.stats.waitedOnFetch),
    failedReads: hostSum((h) => h.stats.failedReads),
    stall: {
      totalS: round((readStallUs + copyStallUs) / 1e6),
      readS: round(readStallUs / 1e6),
      copyS: round(copyStallUs / 1e6),
      shareOfReplay: replayUs === 0 ? 0 : round((readStallUs + copyStallUs) / replayUs, 5),
      perReadMs: { p50: q(0.5), p90: q(0.9), p99: q(0.99), p999: q(0.999) },
      meanPerReadMs: reads === 0 ? 0 : round(readStallUs / 1000 / reads, 5)
    },
    replayS: round(replayUs / 1e6),
    addressing: {
      dhtGets: gets, dhtPuts: puts, dhtRms: rms, leasePuts: f.lease.puts, leaseFailures: f.lease.failed,
      payloadBytes: hostSum((h) => h.pointers.stats.payloadBytes),
      opsPerThousandReads: reads === 0 ? 0 : round((1000 * dhtOps) / reads),
      opsPerMigration: migrations === 0 ? null : round(dhtOps / migrations),
      getLatencyMsMedian: getLatency.length === 0 ? null : round(quantile(getLatency, 0.5) ?? 0),
      leaseLatencyMsMedian: f.lease.latencyMs.length === 0 ? null : round(quantile([...f.lease.latencyMs].sort((a, b) => a - b), 0.5) ?? 0)
    },
    fetched: {
      demandBytes: hostSum((h) => h.fetcher.stats.demandBytes),
      prefetchBytes: hostSum((h) => h.fetcher.stats.prefetchBytes),
      bytesPerVmStart: starts === 0 ? 0 : Math.round(fetchedBytes / starts)
    },
    unnecessary: {
      objects: unnecessaryObjects,
      bytes: unnecessaryBytes,
      shareOfFetchedBytes: fetchedBytes === 0 ? 0 : round(unnecessaryBytes / fetchedBytes, 5)
    },
    events: f.world.queue.executed,
    simulatedS: round(f.world.nowUs / 1e6)
  }
  return {
    ...metrics,
    row: {
      policy: f.policy, reads: metrics.reads, miss_rate: round(metrics.missRate, 5), stall_total_s: metrics.stall.totalS,
      stall_read_s: metrics.stall.readS, stall_copy_s: metrics.stall.copyS, stall_share: metrics.stall.shareOfReplay,
      stall_p50_ms: metrics.stall.perReadMs.p50, stall_p99_ms: metrics.stall.perReadMs.p99, dht_ops: dhtOps,
      dht_ops_per_1k_reads: metrics.addressing.opsPerThousandReads, dht_ops_per_migration: metrics.addressing.opsPerMigration,
      fetched_bytes: fetchedBytes, unnecessary_bytes: unnecessaryBytes, unnecessary_share: metrics.unnecessary.shareOfFetchedBytes,
      bytes_per_vm_start: metrics.fetched.bytesPerVmStart
    },
    segments: segments.map((s) => ({
      policy: f.policy, vm: s.vm, segment: s.segment, host: s.host, start_s: round(s.startUs / 1e6), end_s: round(s.endUs / 1e6),
      lease_ms: round(s.leaseUs / 1000), copy_stall_s: round(s.copyStallUs / 1e6), reads: s.reads, stalled_reads: s.stalledReads,
      read_stall_s: round(s.readStallUs / 1e6)
    })),
    stallQuantiles: [0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1].map((p) => ({ policy: f.policy, quantile: p, stall_ms: q(p) })),
    /** The per-read stall distribution, 101 points (for CDF figures). */
    stallCdf: Array.from({ length: 101 }, (_, k) => ({ policy: f.policy, fraction: k / 100, stall_ms: q(k / 100) }))
  }
}

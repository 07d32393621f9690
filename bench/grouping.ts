/**
 * Benchmark: working-set grouping (src/grouping) at default parameters.
 *  1. The CloudPhysics trace (../shared/data/cloudphysics-vscsi-libcachesim/cloudPhysicsIO.csv,
 *     113,872 requests), read with the project's trace reader: every 4 KiB block a request
 *     covers is one object (`vdisk:<block>`), one reference per block per request. Figures:
 *     grouping the whole trace (target: under 2 s), and quality when grouping the first half and
 *     replaying the second, beside a readahead baseline measured in the same run (a miss on
 *     block b fetches blocks b..b+31 that the trace has).
 *  2. A synthetic trace of 5,000,000 references over 300,000 objects generated here with a
 *     seeded xorshift: working sets of 8–24 objects run as episodes (members in random order)
 *     on 3 interleaved streams, 10 % noise from 45,000 objects, 5 % references to 8 shared
 *     objects. Figures: grouping the whole trace (target: under 60 s and 4 GiB), the adjusted
 *     Rand index of the groups against the generator's sets, and quality on a 50/50 split.
 * Wall time, CPU time (user + system) and the process's peak RSS (process.resourceUsage) are
 * printed for each step; the machine may be shared, so CPU time is the steadier figure.
 *
 *   node --import tsx bench/grouping.ts [--refs N] [--objects N] [--seed N] [--k K (synthetic only)]
 *        [--skip-cloudphysics] [--skip-synthetic] [--json]
 */
import fs from 'node:fs'
import path from 'node:path'
import { adjustedRandIndex } from '../src/grouping/adjusted-rand-index.ts'
import { GroupTable } from '../src/grouping/group-table.ts'
import { groupReferenceString, primaryGroups, type GroupedReferenceString } from '../src/grouping/grouping.ts'
import { loadReferenceString } from '../src/grouping/load-reference-string.ts'
import { groupSizeStats, replayQuality, type GroupLookup, type ReplayQuality } from '../src/grouping/quality.ts'
import type { ReferenceString } from '../src/trace/trace-record.ts'
import { numberFlag } from './flags.ts'

const args = process.argv.slice(2)
const json = args.includes('--json')
const refCount = numberFlag(args, 'refs', 5_000_000)
const objectCount = numberFlag(args, 'objects', 300_000)
const seed = numberFlag(args, 'seed', 7)
/** Window for the synthetic part (default: the grouping default, 10). */
const syntheticK = args.includes('--k') ? numberFlag(args, 'k', 10) : undefined
const cloudPhysicsPath = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../shared/data/cloudphysics-vscsi-libcachesim/cloudPhysicsIO.csv')
const results: Record<string, unknown> = {}
const say = (line: string): void => { if (!json) console.log(line) }

interface Timed<T> { value: T, wallMs: number, cpuMs: number, peakRssMiB: number }

function timed<T> (run: () => T): Timed<T> {
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const value = run()
  const wallMs = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  return { value, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMiB: process.resourceUsage().maxRSS / 1024 }
}

const fmt = (t: Timed<unknown>): string => `${(t.wallMs / 1000).toFixed(2)} s wall, ${(t.cpuMs / 1000).toFixed(2)} s CPU, peak RSS ${t.peakRssMiB.toFixed(0)} MiB`
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`
const int = (x: number): string => Math.round(x).toLocaleString('en-US')

function summary (g: GroupedReferenceString): Record<string, number> {
  const { state, stats } = g
  const sizes = Array.from({ length: state.groups.count }, (_, i) => state.groups.offsets[i + 1]! - state.groups.offsets[i]!)
  const dist = groupSizeStats(sizes, state.groups.homeCounts)
  return {
    links: state.summary.links, strictLinks: state.summary.strictLinks, overlapObjects: state.summary.overlapObjects,
    groups: dist.groups, singletons: dist.singletons, objectsInSharedGroups: dist.objectsInSharedGroups, p90: dist.p90, maxSize: dist.maxSize,
    counterEvictions: stats.evictions, inexactObjects: stats.overflowedObjects(), promotedObjects: stats.promotedObjects
  }
}

function qualityLine (name: string, q: ReplayQuality): string {
  return `  ${name}: misses ${int(q.demandFetches)} of ${int(q.distinctObjects)} first accesses (covered ${pct(q.coverage)}), prefetched ${int(q.prefetchedObjects)}, unused ${int(q.unusedObjects)} = ${pct(q.unusedFraction)} of fetched`
}

/** Readahead baseline for `device:block` keys: a miss on block b fetches b..b+span-1 (those the trace has). */
function readahead (rs: ReferenceString, span: number): GroupLookup {
  const idOf = new Map<string, number>()
  rs.keys.forEach((k, i) => idOf.set(k, i))
  return {
    groupsOf: (o) => [o],
    members: (o) => {
      const key = rs.keys[o]!
      const at = key.lastIndexOf(':')
      const device = key.slice(0, at)
      const block = Number(key.slice(at + 1))
      const out: number[] = []
      for (let b = block; b < block + span; b++) { const id = idOf.get(`${device}:${b}`); if (id !== undefined) out.push(id) }
      return out
    }
  }
}

async function cloudPhysics (): Promise<void> {
  if (!fs.existsSync(cloudPhysicsPath)) {
    say(`CloudPhysics: ${cloudPhysicsPath} is missing; skipped`)
    results.cloudPhysics = { skipped: `missing ${cloudPhysicsPath}` }
    return
  }
  const t0 = performance.now()
  const { rs, records, format } = await loadReferenceString(cloudPhysicsPath, { blockBytes: 4096 })
  const loadMs = performance.now() - t0
  say(`CloudPhysics (${format}): ${int(records)} requests → ${int(rs.refs.length)} block references over ${int(rs.keys.length)} 4 KiB blocks (read in ${(loadMs / 1000).toFixed(2)} s)`)
  const whole = timed(() => groupReferenceString(rs))
  const s = summary(whole.value)
  say(`  group the whole trace: ${fmt(whole)}  [target < 2 s]`)
  say(`  links ${int(s.links!)} (strict ${int(s.strictLinks!)}), overlap objects ${int(s.overlapObjects!)}, groups ${int(s.groups!)} (${int(s.singletons!)} singletons, ${int(s.objectsInSharedGroups!)} objects in groups of ≥ 2, p90 size ${s.p90}, max ${s.maxSize}); counters: ${int(s.promotedObjects!)} objects promoted, ${int(s.counterEvictions!)} evictions`)
  const half = Math.floor(rs.refs.length / 2)
  const trained = timed(() => groupReferenceString(rs, {}, half))
  const table = timed(() => GroupTable.fromGrouping(trained.value.state, rs.keys, trained.value.stats))
  const test = rs.refs.subarray(half)
  const q = replayQuality(table.value, test, rs.keys.length, rs.sizesBytes)
  const ra = replayQuality(readahead(rs, 32), test, rs.keys.length, rs.sizesBytes)
  say(`  group the first half: ${fmt(trained)}; group table ${(table.wallMs / 1000).toFixed(2)} s; replay of the second half (${int(test.length)} references):`)
  say(qualityLine('groups (cap 32 objects)', q))
  say(qualityLine('baseline readahead of 32 blocks', ra))
  say(`  baseline without prefetch: ${int(q.distinctObjects)} misses`)
  results.cloudPhysics = { requests: records, references: rs.refs.length, objects: rs.keys.length, loadMs, whole: { wallMs: whole.wallMs, cpuMs: whole.cpuMs, peakRssMiB: whole.peakRssMiB, ...s }, half: { wallMs: trained.wallMs, cpuMs: trained.cpuMs }, quality: q, readahead32: ra }
}

/** Synthetic working sets; returns the references and each object's set (-1 noise, -2 shared). */
function generate (refs: number, objects: number, seedValue: number): { rs: ReferenceString, setOf: Int32Array } {
  let x = (seedValue * 2654435761) >>> 0 || 1
  const rand = (): number => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 4294967296 }
  const sharedCount = 8
  const noiseCount = Math.floor(objects * 0.15)
  const setObjects = objects - sharedCount - noiseCount
  const starts: number[] = [0]
  while (starts[starts.length - 1]! < setObjects) starts.push(Math.min(setObjects, starts[starts.length - 1]! + 8 + Math.floor(rand() * 17)))
  const setCount = starts.length - 1
  // Object ids are shuffled so that sets are not id ranges.
  const perm = new Int32Array(objects)
  for (let i = 0; i < objects; i++) perm[i] = i
  for (let i = objects - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); const t = perm[i]!; perm[i] = perm[j]!; perm[j] = t }
  const setOf = new Int32Array(objects)
  for (let w = 0; w < setCount; w++) for (let i = starts[w]!; i < starts[w + 1]!; i++) setOf[perm[i]!] = w
  for (let i = setObjects; i < setObjects + sharedCount; i++) setOf[perm[i]!] = -2
  for (let i = setObjects + sharedCount; i < objects; i++) setOf[perm[i]!] = -1
  const out = new Int32Array(refs)
  const streams = 3
  const orders: Int32Array[] = []
  const positions = new Int32Array(streams)
  const start = (s: number): void => {
    const w = Math.floor(rand() * setCount)
    const size = starts[w + 1]! - starts[w]!
    const order = new Int32Array(size)
    for (let i = 0; i < size; i++) order[i] = perm[starts[w]! + i]!
    for (let i = size - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); const t = order[i]!; order[i] = order[j]!; order[j] = t }
    orders[s] = order
    positions[s] = 0
  }
  for (let s = 0; s < streams; s++) start(s)
  for (let i = 0; i < refs; i++) {
    const r = rand()
    if (r < 0.1) out[i] = perm[setObjects + sharedCount + Math.floor(rand() * noiseCount)]!
    else if (r < 0.15) out[i] = perm[setObjects + Math.floor(rand() * sharedCount)]!
    else {
      const s = Math.floor(rand() * streams)
      out[i] = orders[s]![positions[s]!]!
      if (++positions[s]! === orders[s]!.length) start(s)
    }
  }
  const keys = Array.from({ length: objects }, (_, i) => `o${i}`)
  return { rs: { refs: out, keys, sizesBytes: new Float64Array(objects).fill(4096) }, setOf }
}

function synthetic (): void {
  const t0 = performance.now()
  const { rs, setOf } = generate(refCount, objectCount, seed)
  say(`synthetic: ${int(refCount)} references over ${int(objectCount)} objects (working sets of 8–24 on 3 streams, 10% noise, 5% shared), generated in ${((performance.now() - t0) / 1000).toFixed(2)} s`)
  const params = { k: syntheticK }
  // The whole-trace grouping is measured and evaluated in its own scope, so it can be freed
  // before the half-trace run (peak RSS is the process's).
  const wholeFigures = ((): Record<string, unknown> => {
    const whole = timed(() => groupReferenceString(rs, params))
    const s = summary(whole.value)
    say(`  group the whole trace (k = ${whole.value.state.params.k}): ${fmt(whole)}  [target < 60 s, < 4 GiB]`)
    say(`  links ${int(s.links!)} (strict ${int(s.strictLinks!)}), overlap objects ${int(s.overlapObjects!)}, groups ${int(s.groups!)} (${int(s.singletons!)} singletons, ${int(s.objectsInSharedGroups!)} objects in groups of ≥ 2, p90 size ${s.p90}, max ${s.maxSize}); counters: ${int(s.promotedObjects!)} objects promoted, ${int(s.counterEvictions!)} evictions, ${int(s.inexactObjects!)} objects inexact`)
    const { state } = whole.value
    const members: number[] = []
    for (let o = 0; o < objectCount; o++) if (setOf[o]! >= 0) members.push(o)
    const primary = primaryGroups(state)
    const ari = adjustedRandIndex(members.map((o) => setOf[o]!), members.map((o) => primary[o]!))
    let sharedFound = 0
    for (let o = 0; o < objectCount; o++) if (setOf[o] === -2 && state.overlap[o] === 1) sharedFound++
    say(`  adjusted Rand index against the generator's sets (set members; an overlap object counts in its first group): ${ari.toFixed(3)}; shared objects found as overlap objects: ${sharedFound} of 8`)
    return { k: state.params.k, wallMs: whole.wallMs, cpuMs: whole.cpuMs, peakRssMiB: whole.peakRssMiB, ...s, ari, sharedFound }
  })()
  const half = Math.floor(refCount / 2)
  const trained = timed(() => groupReferenceString(rs, params, half))
  const q = replayQuality({ groupsOf: (o) => groupsOfState(trained.value, o), members: (g) => trained.value.state.groups.members.subarray(trained.value.state.groups.offsets[g]!, trained.value.state.groups.offsets[g + 1]!) }, rs.refs.subarray(half), objectCount)
  say(`  group the first half: ${fmt(trained)}; replay of the second half:`)
  say(qualityLine('groups (cap 32 objects)', q))
  results.synthetic = { references: refCount, objects: objectCount, seed, whole: wholeFigures, half: { wallMs: trained.wallMs, cpuMs: trained.cpuMs, peakRssMiB: trained.peakRssMiB }, quality: q }
}

const groupsIndex = new WeakMap<GroupedReferenceString, number[][]>()
function groupsOfState (g: GroupedReferenceString, o: number): number[] {
  let index = groupsIndex.get(g)
  if (index === undefined) {
    const { groups, numObjects } = g.state
    index = Array.from({ length: numObjects }, () => [])
    for (let i = 0; i < groups.count; i++) for (let j = groups.offsets[i]!; j < groups.offsets[i + 1]!; j++) index[groups.members[j]!]!.push(i)
    groupsIndex.set(g, index)
  }
  return index[o]!
}

if (!args.includes('--skip-cloudphysics')) await cloudPhysics()
if (!args.includes('--skip-synthetic')) synthetic()
if (json) console.log(JSON.stringify(results, null, 2))

/**
 * `xest group`: loads a trace as a reference string, groups the leading `--train-fraction` of
 * it, replays the rest against the groups (quality without ground truth), prints the groups and
 * the figures (text or JSON) and writes the group table when asked. Reads the trace, writes only
 * the table.
 */
import { statSync } from 'node:fs'
import { UsageError } from '../../handle-errors.ts'
import type { CoAccessStats } from '../../../grouping/co-access-stats.ts'
import { GroupTable, saveGroupTable } from '../../../grouping/group-table.ts'
import { groupReferenceString, type GroupingState } from '../../../grouping/grouping.ts'
import { groupingParams, parseGroupSize, type GroupingParams } from '../../../grouping/grouping-params.ts'
import { loadReferenceString } from '../../../grouping/load-reference-string.ts'
import { groupSizeStats, replayQuality, type GroupSizeStats, type ReplayQuality } from '../../../grouping/quality.ts'
import type { GroupArgs } from './command.ts'

export interface GroupReport {
  trace: { path: string, format: string, records: number, references: number, objects: number, trainReferences: number, objectsSeenInTraining: number }
  params: Record<string, number | boolean | null>
  statistics: { objectsWithLists: number, counterEvictions: number, inexactObjects: number }
  grouping: GroupingState['summary']
  groups: GroupSizeStats & { overall: GroupSizeStats }
  quality: ReplayQuality | null
  largest: Array<{ group: number, size: number, overlapMembers: number, keys: string[] }>
  table: { path: string, bytes: number } | null
  timingsMs: { load: number, group: number, replay: number, table: number }
}

export async function runGroup (args: GroupArgs): Promise<void> {
  const params = paramsFromArgs(args)
  if (!(args.trainFraction > 0 && args.trainFraction <= 1)) throw new UsageError(`--train-fraction must be in (0, 1], got ${args.trainFraction}`)
  if (!(Number.isInteger(args.blockBytes) && args.blockBytes > 0)) throw new UsageError(`--block-bytes must be a positive integer, got ${args.blockBytes}`)
  const t0 = performance.now()
  const loaded = await loadReferenceString(args.trace, { format: args.format, blockBytes: args.blockBytes })
  const { rs } = loaded
  if (rs.refs.length === 0) throw new Error(`${args.trace}: the trace has no references`)
  const t1 = performance.now()
  const trainReferences = Math.max(1, Math.floor(rs.refs.length * args.trainFraction))
  const { stats, state } = groupReferenceString(rs, params, trainReferences)
  const t2 = performance.now()
  const table = GroupTable.fromGrouping(state, rs.keys, stats)
  const t3 = performance.now()
  const test = rs.refs.subarray(trainReferences)
  const quality = test.length > 0 ? replayQuality(table, test, state.numObjects, rs.sizesBytes) : null
  const t4 = performance.now()
  let tableInfo: GroupReport['table'] = null
  if (args.out !== undefined) {
    await saveGroupTable(table, args.out)
    tableInfo = { path: args.out, bytes: statSync(args.out).size }
  }
  const report = buildReport(args, loaded, state, stats, trainReferences, quality, tableInfo, { load: t1 - t0, group: t2 - t1, replay: t4 - t3, table: t3 - t2 })
  process.stdout.write(args.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report))
}

function paramsFromArgs (args: GroupArgs): GroupingParams {
  try {
    const max = parseGroupSize(args.maxGroup)
    const target = args.targetGroup === undefined ? undefined : parseGroupSize(args.targetGroup)
    return groupingParams({
      k: args.k,
      m: args.m,
      n: args.n,
      pMin: args.pMin,
      capacity: args.capacity,
      minCount: args.minCount,
      passes: args.passes,
      loose: args.loose,
      overlapMinGroups: args.overlapGroups,
      maxGroupObjects: max.objects,
      maxGroupBytes: max.bytes,
      targetGroupObjects: target?.objects,
      targetGroupBytes: target?.bytes
    })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
}

function buildReport (args: GroupArgs, loaded: Awaited<ReturnType<typeof loadReferenceString>>, state: GroupingState, stats: CoAccessStats, trainReferences: number, quality: ReplayQuality | null, table: GroupReport['table'], timingsMs: GroupReport['timingsMs']): GroupReport {
  const { groups } = state
  const sizes: number[] = []
  const seenSizes: number[] = []
  const seenHome: number[] = []
  let seen = 0
  for (let a = 0; a < state.numObjects; a++) if (stats.accessCount(a) > 0) seen++
  for (let g = 0; g < groups.count; g++) {
    const size = groups.offsets[g + 1]! - groups.offsets[g]!
    sizes.push(size)
    // Groups of objects seen in training (unseen objects are singletons by construction).
    if (stats.accessCount(groups.members[groups.offsets[g]!]!) > 0) { seenSizes.push(size); seenHome.push(groups.homeCounts[g]!) }
  }
  const order = Array.from({ length: groups.count }, (_, g) => g).sort((p, q) => sizes[q]! - sizes[p]! || p - q)
  const largest = order.slice(0, Math.max(0, args.show)).filter((g) => sizes[g]! > 1).map((g) => ({
    group: g,
    size: sizes[g]!,
    overlapMembers: sizes[g]! - groups.homeCounts[g]!,
    keys: Array.from(groups.members.subarray(groups.offsets[g]!, groups.offsets[g + 1]!), (x) => loaded.rs.keys[x] ?? String(x))
  }))
  let withLists = 0
  for (let a = 0; a < state.numObjects; a++) if (state.lists.offsets[a + 1]! > state.lists.offsets[a]!) withLists++
  const params: Record<string, number | boolean | null> = {}
  for (const [name, value] of Object.entries(state.params)) params[name] = value === Infinity ? null : value
  return {
    trace: { path: args.trace, format: loaded.format, records: loaded.records, references: loaded.rs.refs.length, objects: state.numObjects, trainReferences, objectsSeenInTraining: seen },
    params,
    statistics: { objectsWithLists: withLists, counterEvictions: stats.evictions, inexactObjects: stats.overflowedObjects() },
    grouping: state.summary,
    groups: { ...groupSizeStats(seenSizes, seenHome), overall: groupSizeStats(sizes, groups.homeCounts) },
    quality,
    largest,
    table,
    timingsMs
  }
}

const int = (x: number): string => Math.round(x).toLocaleString('en-US')
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`

function formatReport (r: GroupReport): string {
  const p = r.params
  const cap = [p.maxGroupObjects !== null ? `${p.maxGroupObjects} objects` : '', p.maxGroupBytes !== null ? `${int(p.maxGroupBytes as number)} bytes` : ''].filter((s) => s !== '').join(', ') || 'none'
  const lines: string[] = []
  lines.push(`trace ${r.trace.path} (${r.trace.format}): ${int(r.trace.records)} records → ${int(r.trace.references)} references over ${int(r.trace.objects)} objects`)
  lines.push(`grouping: k=${p.k} m=${p.m} n=${p.n} pMin=${p.pMin} capacity=${p.capacity} minCount=${p.minCount} passes=${p.passes}${p.loose === true ? ' +loose' : ''} cap ${cap}`)
  lines.push(`trained on the first ${int(r.trace.trainReferences)} references (${int(r.trace.objectsSeenInTraining)} objects seen); ${int(r.statistics.objectsWithLists)} have neighbour lists; ${int(r.statistics.inexactObjects)} objects' counters inexact (${int(r.statistics.counterEvictions)} evictions)`)
  lines.push(`links ${int(r.grouping.links)} (strict ${int(r.grouping.strictLinks)}), overlap objects ${int(r.grouping.overlapObjects)}, merges ${int(r.grouping.merges)} (refused: cap ${int(r.grouping.refusedByCap)}, frozen ${int(r.grouping.refusedFrozen)})`)
  const g = r.groups
  lines.push(`groups of seen objects: ${int(g.groups)} (${int(g.singletons)} singletons, ${int(g.objectsInSharedGroups)} objects in groups of ≥ 2); size mean ${g.meanSize.toFixed(2)}, p50 ${g.p50}, p90 ${g.p90}, p99 ${g.p99}, max ${g.maxSize}`)
  lines.push(`  sizes: ${Object.entries(g.histogram).map(([k, v]) => `${k}: ${int(v)}`).join(', ')}`)
  if (r.largest.length > 0) {
    lines.push('largest groups:')
    for (const l of r.largest) {
      const shown = l.keys.slice(0, 12).join(' ')
      lines.push(`  #${l.group} (${l.size} objects${l.overlapMembers > 0 ? `, ${l.overlapMembers} overlap` : ''}): ${shown}${l.keys.length > 12 ? ' …' : ''}`)
    }
  }
  const q = r.quality
  if (q === null) {
    lines.push('quality: no held-out part (--train-fraction 1)')
  } else {
    lines.push(`quality (replay of the last ${int(q.accesses)} references, ${int(q.distinctObjects)} distinct objects, fetched set starting empty):`)
    lines.push(`  misses ${int(q.demandFetches)} vs ${int(q.distinctObjects)} without grouping (miss rate ${pct(q.missRate)} vs ${pct(q.missRateWithoutGrouping)}); covered by group fetches ${int(q.covered)} = ${pct(q.coverage)} of first accesses`)
    lines.push(`  prefetched ${int(q.prefetchedObjects)}, unused ${int(q.unusedObjects)} (${pct(q.unusedFraction)} of all fetched); of prefetched objects ${pct(q.prefetchPrecision)} were used`)
    if (q.fetchedBytes > 0) lines.push(`  fetched ${int(q.fetchedBytes)} bytes, unused ${int(q.unusedBytes)} bytes`)
  }
  if (r.table !== null) lines.push(`group table written to ${r.table.path} (${int(r.table.bytes)} bytes)`)
  const t = r.timingsMs
  lines.push(`time: load ${(t.load / 1000).toFixed(2)} s, group ${(t.group / 1000).toFixed(2)} s, table ${(t.table / 1000).toFixed(2)} s, replay ${(t.replay / 1000).toFixed(2)} s`)
  return lines.join('\n') + '\n'
}

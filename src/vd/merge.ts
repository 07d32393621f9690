/**
 * Three-way merge of two Merkle maps against their base. Keys changed on one side only take that
 * side; keys changed the same way on both (mtime aside) are clean; keys changed differently are
 * conflicts. In a tree, a side that removed a directory (or made it a file) while the other
 * changed something below it gives one `subtree` conflict at the directory, settled as a whole.
 * Every conflict goes to the resolver the rules choose; the plan lists all conflicts, resolved or
 * not, and (only when all are resolved) the changes to apply to ours. Reads maps through the given
 * MerkleMap (the caller backs it with a staging store); never writes except objects a resolver
 * stores there.
 */
import { diffMaps, type EntryChange } from './map-diff.ts'
import { sameContent, sameEntry, type MapEntry } from './map-entry.ts'
import type { MapChange, MerkleMap } from './merkle-map.ts'
import type { ObjectId } from './object-id.ts'
import type { Conflict, ConflictKind, ResolveContext, ResolverAnswer, ResolverRegistry } from './resolvers.ts'
import type { VdKind } from './snapshot.ts'
import { ancestorPaths } from './vd-path.ts'

export interface MergeInput {
  map: MerkleMap
  kind: VdKind
  baseRoot: ObjectId
  oursRoot: ObjectId
  theirsRoot: ObjectId
  registry: ResolverRegistry
  context: ResolveContext
}

export interface MergePlan {
  /** Changes to apply to ours' root; empty when conflicts remain unresolved. */
  changes: MapChange[]
  conflicts: Conflict[]
  unresolved: number
  /** Keys taken from theirs without a conflict. */
  cleanFromTheirs: number
  changedOurs: number
  changedTheirs: number
}

type Side = 'ours' | 'theirs'

const isDir = (e: MapEntry | null | undefined): boolean => e?.kind === 'dir'

function classify (base: MapEntry | null, ours: MapEntry | null, theirs: MapEntry | null): ConflictKind {
  if (ours === null) return 'delete/modify'
  if (theirs === null) return 'modify/delete'
  if (ours.kind !== theirs.kind) return 'type'
  return base === null ? 'add/add' : 'modify/modify'
}

export function planMerge (input: MergeInput): MergePlan {
  const { map } = input
  const dOurs = new Map<string, EntryChange>(diffMaps(map, input.baseRoot, input.oursRoot).map((c) => [c.key, c]))
  const dTheirs = new Map<string, EntryChange>(diffMaps(map, input.baseRoot, input.theirsRoot).map((c) => [c.key, c]))
  const keys = [...new Set([...dOurs.keys(), ...dTheirs.keys()])].sort()
  const baseOf = (k: string): MapEntry | null => dOurs.get(k)?.before ?? dTheirs.get(k)?.before ?? map.get(input.baseRoot, k) ?? null
  const sideOf = (side: Side, k: string): MapEntry | null => {
    const change = (side === 'ours' ? dOurs : dTheirs).get(k)
    return change !== undefined ? change.after : baseOf(k)
  }

  const final = new Map<string, MapEntry | null>()
  const conflicts = new Map<string, Conflict>()
  let cleanFromTheirs = 0
  for (const k of keys) {
    const o = dOurs.get(k)
    const t = dTheirs.get(k)
    if (t === undefined) { final.set(k, o!.after); continue }
    if (o === undefined) { final.set(k, t.after); cleanFromTheirs++; continue }
    if (sameContent(o.after, t.after)) {
      const a = o.after
      const b = t.after
      final.set(k, a !== null && b !== null && b.mtimeMs > a.mtimeMs ? b : a)
      continue
    }
    const base = o.before
    const subtree = input.kind === 'tree' && (isDir(base) || isDir(o.after) || isDir(t.after)) && !(isDir(o.after) && isDir(t.after))
    conflicts.set(k, { path: k, kind: classify(base, o.after, t.after), base, ours: o.after, theirs: t.after, subtree, below: [], resolver: 'fail', resolution: null })
  }

  // A side that removed or retyped a directory while the other changed something below it.
  if (input.kind === 'tree') {
    for (const k of keys) {
      for (const side of ['ours', 'theirs'] as const) {
        const mine = (side === 'ours' ? dOurs : dTheirs).get(k)
        if (mine === undefined || mine.after === null) continue
        const other = side === 'ours' ? dTheirs : dOurs
        for (const q of ancestorPaths(k)) {
          const theirChange = other.get(q)
          if (theirChange === undefined || isDir(theirChange.after) || conflicts.has(q)) continue
          const base = theirChange.before
          const removerIsOurs = side === 'theirs'
          const kind: ConflictKind = theirChange.after !== null ? 'type' : removerIsOurs ? 'delete/modify' : 'modify/delete'
          conflicts.set(q, {
            path: q, kind, base, ours: removerIsOurs ? theirChange.after : base, theirs: removerIsOurs ? base : theirChange.after,
            subtree: true, below: [], resolver: 'fail', resolution: null
          })
        }
      }
    }
  }

  // Conflicts below a subtree conflict are decided by it.
  const subtreePaths = new Set([...conflicts.values()].filter((c) => c.subtree).map((c) => c.path))
  const topOf = (k: string): string | undefined => ancestorPaths(k).find((q) => subtreePaths.has(q))
  for (const k of keys) {
    const top = topOf(k)
    if (top === undefined) continue
    conflicts.get(top)!.below.push(k)
    conflicts.delete(k)
  }

  const list = [...conflicts.values()].sort((a, b) => (a.path < b.path ? -1 : 1))
  for (const c of list) settle(c, input)
  const unresolved = list.filter((c) => c.resolution === null).length
  const plan: MergePlan = { changes: [], conflicts: list, unresolved, cleanFromTheirs, changedOurs: dOurs.size, changedTheirs: dTheirs.size }
  if (unresolved > 0) return plan

  for (const c of list) {
    if (c.resolution === 'custom') final.set(c.path, c.custom ?? null)
    else for (const k of [c.path, ...c.below]) final.set(k, c.resolution === 'base' ? baseOf(k) : sideOf(c.resolution!, k))
  }
  if (input.kind === 'tree') checkTree(final, (k) => (final.has(k) ? final.get(k)! : map.get(input.oursRoot, k) ?? null))
  for (const [key, entry] of final) if (!sameEntry(entry, sideOf('ours', key))) plan.changes.push({ key, entry })
  return plan
}

/** Runs the chosen resolver on one conflict and records its answer (or why there is none). */
function settle (c: Conflict, input: MergeInput): void {
  c.resolver = input.registry.choose(c.path)
  let answer: ResolverAnswer
  try {
    answer = input.registry.get(c.resolver)(c, input.context)
  } catch (error) {
    c.reason = `resolver "${c.resolver}" failed: ${(error as Error).message}`
    return
  }
  if (answer === null) {
    c.reason = c.resolver === 'fail' ? 'no resolver chosen (fail)' : `resolver "${c.resolver}" left it unresolved`
    return
  }
  if (answer === 'ours' || answer === 'theirs' || answer === 'base') {
    c.resolution = answer
    return
  }
  const entry = answer.entry
  const kinds = [c.ours?.kind, c.theirs?.kind]
  const ok = !c.subtree && (entry === null ? c.ours === null || c.theirs === null : kinds.includes(entry.kind))
  if (!ok) {
    c.reason = `resolver "${c.resolver}" returned ${entry === null ? 'a deletion' : `a ${entry.kind}`}, which does not fit a ${c.subtree ? 'directory ' : ''}conflict of ${kinds.map((k) => k ?? 'deleted').join(' and ')}`
    return
  }
  c.resolution = 'custom'
  c.custom = entry
}

/** Every present entry's ancestors must be directories in the merged tree. */
function checkTree (final: Map<string, MapEntry | null>, lookup: (k: string) => MapEntry | null): void {
  for (const [k, entry] of final) {
    if (entry === null) continue
    for (const q of ancestorPaths(k)) {
      if (!isDir(lookup(q))) throw new Error(`merge would leave "${k}" without a parent directory "${q}" (a resolver's answer does not fit the tree)`)
    }
  }
}

import test from 'ava'
import { adjustedRandIndex } from '../src/grouping/adjusted-rand-index.ts'
import { groupMembers, groupReferenceString, primaryGroups, type GroupingState } from '../src/grouping/grouping.ts'
import type { GroupingParams } from '../src/grouping/grouping-params.ts'
import { SeededRng } from '../src/env/rng.ts'

interface Synthetic {
  refs: Int32Array
  numObjects: number
  sets: number[][]
  shared: number
  noise: number[]
}

/**
 * Known working sets (8–16 objects, ids shuffled so sets are not id ranges) run as episodes on
 * `streams` interleaved streams (each episode touches every member once, in random order);
 * a fraction of references is noise from a pool, and one shared library object is used by all.
 */
function synthetic (seed: string, options: { sets?: number, streams?: number, pNoise?: number, pShared?: number, refs?: number } = {}): Synthetic {
  const rng = new SeededRng(seed)
  const setCount = options.sets ?? 12
  const sizes = Array.from({ length: setCount }, () => 8 + rng.int(9))
  const noiseCount = 200
  const total = sizes.reduce((a, b) => a + b, 0) + 1 + noiseCount
  const ids = Array.from({ length: total }, (_, i) => i)
  for (let i = total - 1; i > 0; i--) { const j = rng.int(i + 1); [ids[i], ids[j]] = [ids[j]!, ids[i]!] }
  let at = 0
  const sets = sizes.map((size) => ids.slice(at, at += size))
  const shared = ids[at++]!
  const noise = ids.slice(at)
  const streams = options.streams ?? 3
  const running: number[] = []
  const pending: number[][] = []
  const start = (s: number): void => {
    let w: number
    do w = rng.int(setCount); while (running.includes(w))
    running[s] = w
    const order = [...sets[w]!]
    for (let i = order.length - 1; i > 0; i--) { const j = rng.int(i + 1); [order[i], order[j]] = [order[j]!, order[i]!] }
    pending[s] = order
  }
  for (let s = 0; s < streams; s++) { running[s] = -1; start(s) }
  const pNoise = options.pNoise ?? 0.1
  const pShared = options.pShared ?? 0.1
  const refs = new Int32Array(options.refs ?? 20_000)
  for (let i = 0; i < refs.length; i++) {
    const r = rng.float()
    if (r < pNoise) refs[i] = noise[rng.int(noise.length)]!
    else if (r < pNoise + pShared) refs[i] = shared
    else {
      const s = rng.int(streams)
      refs[i] = pending[s]!.pop()!
      if (pending[s]!.length === 0) { running[s] = -1; start(s) }
    }
  }
  return { refs, numObjects: total, sets, shared, noise }
}

function group (syn: Synthetic, params: Partial<GroupingParams> = {}): GroupingState {
  const keys = Array.from({ length: syn.numObjects }, (_, i) => `obj${i}`)
  return groupReferenceString({ refs: syn.refs, keys, sizesBytes: new Float64Array(syn.numObjects) }, params).state
}

/** ARI of the groups (an overlap object in its first) against the known sets, over the set members (and noise objects as singletons). */
function ari (syn: Synthetic, state: GroupingState, withNoise: boolean): number {
  const items = [...syn.sets.flat(), ...(withNoise ? syn.noise : [])]
  const truth = new Map<number, number>()
  syn.sets.forEach((set, w) => { for (const x of set) truth.set(x, w) })
  syn.noise.forEach((x, i) => truth.set(x, syn.sets.length + i))
  const primary = primaryGroups(state)
  return adjustedRandIndex(items.map((x) => truth.get(x)!), items.map((x) => primary[x]!))
}

/** The groups that hold the shared object, and for each set the group holding most of its members. */
function sharedMembership (syn: Synthetic, state: GroupingState): { inEverySet: boolean, setsPerGroupMax: number } {
  const holding = new Set<number>()
  for (let g = 0; g < state.groups.count; g++) if (groupMembers(state.groups, g).includes(syn.shared)) holding.add(g)
  const inEverySet = syn.sets.every((set) => {
    const votes = new Map<number, number>()
    for (const x of set) votes.set(state.home[x]!, (votes.get(state.home[x]!) ?? 0) + 1)
    const main = [...votes.entries()].sort((a, b) => b[1] - a[1])[0]![0]
    return holding.has(main)
  })
  // How many different sets contribute ≥ 2 members to one group (1 = sets were not merged).
  let setsPerGroupMax = 0
  for (let g = 0; g < state.groups.count; g++) {
    const members = new Set(groupMembers(state.groups, g))
    const contributing = syn.sets.filter((set) => set.filter((x) => members.has(x)).length >= 2).length
    setsPerGroupMax = Math.max(setsPerGroupMax, contributing)
  }
  return { inEverySet, setsPerGroupMax }
}

for (const seed of ['recover-1', 'recover-2', 'recover-3']) {
  test(`known working sets are recovered and the shared object joins each of them (${seed})`, (t) => {
    const syn = synthetic(seed)
    const state = group(syn)
    const setAri = ari(syn, state, false)
    t.true(setAri >= 0.9, `ARI over the known sets ${setAri.toFixed(3)}`)
    t.is(state.overlap[syn.shared], 1, 'the shared object is an overlap object')
    const membership = sharedMembership(syn, state)
    t.true(membership.inEverySet, 'the shared object belongs to every set\'s group')
    t.is(membership.setsPerGroupMax, 1, 'no group merges two sets')
    const noiseGrouped = syn.noise.filter((x) => state.groups.homeCounts[state.home[x]!]! > 1).length / syn.noise.length
    t.true(noiseGrouped < 0.15, `noise pulled into groups by loose links: ${noiseGrouped.toFixed(3)}`)
    // Strict links only: noise stays out too, so the partition of all objects matches.
    const strict = group(syn, { loose: false })
    const allAri = ari(syn, strict, true)
    t.true(allAri >= 0.9, `ARI over sets and noise, strict only ${allAri.toFixed(3)}`)
  })
}

test('without overlap detection the shared object does not end up in every set (the check has teeth)', (t) => {
  const syn = synthetic('recover-1')
  const state = group(syn, { overlapMinGroups: 1000 })
  t.is(state.overlap[syn.shared], 0)
  t.false(sharedMembership(syn, state).inEverySet)
})

test('adjusted Rand index: identical up to relabelling is 1, a worked example, near 0 for independent labels', (t) => {
  t.is(adjustedRandIndex([0, 0, 1, 1, 2], [5, 5, 9, 9, 7]), 1)
  t.is(Math.round(adjustedRandIndex([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]) * 1e6) / 1e6, 0.242424)
  t.true(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1]) < 0)
  const rng = new SeededRng('ari')
  const a = Array.from({ length: 4000 }, () => rng.int(10))
  const b = Array.from({ length: 4000 }, () => rng.int(10))
  t.true(Math.abs(adjustedRandIndex(a, b)) < 0.02)
  t.is(adjustedRandIndex([1, 2, 3], [4, 5, 6]), 1, 'both all singletons')
  t.is(adjustedRandIndex([1, 1, 1], [2, 3, 4]), 0, 'one block against singletons')
  t.throws(() => adjustedRandIndex([1], [1, 2]), { message: /1 true labels but 2 predicted/ })
})

/**
 * A synthetic working-set workload for comparing caches (tests, bench/cache.ts): objects fall
 * into groups (= working sets, as the grouping would find them); each group has a fixed subset
 * of members the program really uses; accesses come in visits — pick a group (a small hot set
 * of groups takes most visits), access its used members in order. Replayed with the simplest
 * group fetch path: on a miss, insert the object by demand, then every other member of its
 * group not yet cached by prefetch. Deterministic from the injected Rng; pure computation.
 */
import type { Rng } from '../env/rng.ts'
import type { ObjectCache } from './object-cache.ts'

export interface WorkingSetParams {
  groupCount: number
  groupSize: number
  /** The first `hotGroups` groups take `hotShare` of the visits. */
  hotGroups: number
  hotShare: number
  /** Each member is in its group's used subset with this probability (at least one is). */
  usedFraction: number
  accessCount: number
}

export interface WorkingSetWorkload {
  /** Members of each group; object ids are dense, group g holds g·groupSize … (g+1)·groupSize − 1. */
  groups: Int32Array[]
  groupOf: Int32Array
  accesses: Int32Array
}

export function workingSetWorkload (params: WorkingSetParams, rng: Rng): WorkingSetWorkload {
  const { groupCount, groupSize, hotGroups, hotShare, usedFraction, accessCount } = params
  if (!(groupCount >= 1 && groupSize >= 1 && hotGroups >= 0 && hotGroups <= groupCount && accessCount >= 0)) {
    throw new RangeError(`bad working-set parameters ${JSON.stringify(params)}`)
  }
  const groups: Int32Array[] = []
  const groupOf = new Int32Array(groupCount * groupSize)
  const used: Int32Array[] = []
  for (let g = 0; g < groupCount; g++) {
    const members = new Int32Array(groupSize)
    const chosen: number[] = []
    for (let i = 0; i < groupSize; i++) {
      const id = g * groupSize + i
      members[i] = id
      groupOf[id] = g
      if (rng.float() < usedFraction) chosen.push(id)
    }
    if (chosen.length === 0) chosen.push(members[rng.int(groupSize)]!)
    groups.push(members)
    used.push(Int32Array.from(chosen))
  }
  const accesses = new Int32Array(accessCount)
  let n = 0
  while (n < accessCount) {
    const cold = groupCount - hotGroups
    const g = hotGroups > 0 && (cold === 0 || rng.float() < hotShare) ? rng.int(hotGroups) : hotGroups + rng.int(cold)
    for (const o of used[g]!) {
      if (n === accessCount) break
      accesses[n++] = o
    }
  }
  return { groups, groupOf, accesses }
}

/** Replays `accesses[from, to)`: on a miss, demand insert, then the rest of the group as prefetch. */
export function replayGroupFetch (cache: ObjectCache, workload: WorkingSetWorkload, objectBytes: number, from = 0, to = workload.accesses.length): void {
  const { accesses, groupOf, groups } = workload
  for (let i = from; i < to; i++) {
    const o = accesses[i]!
    if (cache.lookup(o)) continue
    const g = groupOf[o]!
    cache.insert(o, objectBytes, g, { prefetched: false })
    for (const m of groups[g]!) if (m !== o && !cache.has(m)) cache.insert(m, objectBytes, g, { prefetched: true })
  }
}

/**
 * Per-group residency for the two grades of DHT pointer (design section 5): which objects were
 * ever fetched as part of each group, and how many of them are cached now. A group is 'whole'
 * while every fetched member is cached, 'hot' once some (not all) were evicted, 'none' when no
 * member is cached. An object shared by several groups counts in each. Reports every change of
 * a group's residency to a listener. Memory: one entry per (object, group) pair ever fetched,
 * kept after eviction so a refetch counts again. Pure bookkeeping; never touches a cache.
 */
import { IdMap } from './id-map.ts'
import type { GroupCounts, GroupId, GroupResidency, ObjectId } from './object-cache.ts'

interface GroupState { readonly id: GroupId, fetched: number, resident: number }

const NONE: GroupCounts = Object.freeze({ fetched: 0, resident: 0 })

function residencyOf (state: GroupState): GroupResidency {
  return state.resident === 0 ? 'none' : state.resident === state.fetched ? 'whole' : 'hot'
}

export class GroupResidencyTracker {
  /** The group, or groups, each object was fetched as part of (an array only for overlaps). */
  readonly #groupsOf = new IdMap<GroupState | GroupState[]>()
  readonly #groups = new IdMap<GroupState>()
  readonly #onChange: ((groupId: GroupId, from: GroupResidency, to: GroupResidency) => void) | undefined

  constructor (onChange?: (groupId: GroupId, from: GroupResidency, to: GroupResidency) => void) {
    this.#onChange = onChange
  }

  /** `objectId` became cached (an insert): it counts again for the groups it was fetched in before. */
  cached (objectId: ObjectId): void {
    this.#addAll(objectId, 1)
  }

  /** `objectId` was evicted. */
  evicted (objectId: ObjectId): void {
    this.#addAll(objectId, -1)
  }

  /** `objectId`, cached now, arrived (or was offered again) as part of `groupId`. */
  member (objectId: ObjectId, groupId: GroupId): void {
    const known = this.#groupsOf.get(objectId)
    if (known !== undefined) {
      if (Array.isArray(known)) {
        for (const g of known) if (g.id === groupId) return
      } else if (known.id === groupId) {
        return
      }
    }
    let state = this.#groups.get(groupId)
    if (state === undefined) {
      state = { id: groupId, fetched: 0, resident: 0 }
      this.#groups.set(groupId, state)
    }
    if (known === undefined) this.#groupsOf.set(objectId, state)
    else if (Array.isArray(known)) known.push(state)
    else this.#groupsOf.set(objectId, [known, state])
    this.#add(state, 1, 1)
  }

  residency (groupId: GroupId): GroupResidency {
    const state = this.#groups.get(groupId)
    return state === undefined ? 'none' : residencyOf(state)
  }

  counts (groupId: GroupId): GroupCounts {
    const state = this.#groups.get(groupId)
    return state === undefined ? NONE : { fetched: state.fetched, resident: state.resident }
  }

  /** The groups `objectId` was fetched as part of. */
  groupsOf (objectId: ObjectId): GroupId[] {
    const known = this.#groupsOf.get(objectId)
    return known === undefined ? [] : Array.isArray(known) ? known.map((g) => g.id) : [known.id]
  }

  /** Every group with a fetched member and its counts (for invariant checks). */
  entries (): IterableIterator<[GroupId, GroupCounts]> {
    return this.#groups.entries()
  }

  #addAll (objectId: ObjectId, resident: number): void {
    const known = this.#groupsOf.get(objectId)
    if (known === undefined) return
    if (Array.isArray(known)) for (const g of known) this.#add(g, 0, resident)
    else this.#add(known, 0, resident)
  }

  #add (state: GroupState, fetched: number, resident: number): void {
    const from = this.#onChange === undefined ? 'none' : residencyOf(state)
    state.fetched += fetched
    state.resident += resident
    if (this.#onChange !== undefined) {
      const to = residencyOf(state)
      if (to !== from) this.#onChange(state.id, from, to)
    }
  }
}

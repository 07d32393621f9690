/**
 * Bamboo's leaf set (`router/LeafSet.java`): the `sizePerSide` nodes closest to us on each side of
 * the 2^160 ring — predecessors counter-clockwise, successors clockwise, each list closest first.
 * On a small ring the same node can be both a predecessor and a successor ("overlap").
 *
 * Pure data structure: it never performs I/O, reads the environment or sets timers, and it never
 * checks liveness — callers decide who to add (after a ping) and who to remove (after a failure).
 * Membership is by guid. Costs are O(sizePerSide) per operation (sizePerSide is small: 2–8).
 */
import { inRangeMod, ringDistance } from '../ids/ring.ts'
import type { NeighborInfo } from '../wire/fields.ts'

export class LeafSet {
  readonly self: NeighborInfo
  /** Bamboo's `leaf_set_size`: the capacity of each side (OpenDHT uses 4). */
  readonly sizePerSide: number
  /** Closest (counter-clockwise) first. */
  private readonly preds: NeighborInfo[] = []
  /** Closest (clockwise) first. */
  private readonly succs: NeighborInfo[] = []
  private overlapFlag = true
  #version = 0

  constructor (self: NeighborInfo, sizePerSide: number) {
    if (!Number.isInteger(sizePerSide) || sizePerSide < 1) throw new RangeError(`leaf set size per side must be a positive integer, not ${sizePerSide}`)
    this.self = self
    this.sizePerSide = sizePerSide
  }

  /** Bumped by every change of membership (caches of derived answers, such as replica sets, key on it). */
  get version (): number {
    return this.#version
  }

  /** Predecessors, closest first (a copy). */
  predecessors (): NeighborInfo[] {
    return this.preds.slice()
  }

  /** Successors, closest first (a copy). */
  successors (): NeighborInfo[] {
    return this.succs.slice()
  }

  /** Every distinct member (never self): predecessors, then successors that are not also predecessors. */
  members (): NeighborInfo[] {
    const out = this.preds.slice()
    for (const s of this.succs) if (!indexHas(this.preds, s.guid)) out.push(s)
    return out
  }

  /** Number of distinct members (self not counted). */
  get size (): number {
    let n = this.preds.length
    for (const s of this.succs) if (!indexHas(this.preds, s.guid)) n++
    return n
  }

  /**
   * Some node is both a predecessor and a successor (a small ring: we know the whole ring). As in
   * Bamboo's `updateOverlap`, also true when a side is empty (in particular for an empty leaf set).
   */
  get overlap (): boolean {
    return this.overlapFlag
  }

  has (guid: bigint): boolean {
    return indexHas(this.preds, guid) || indexHas(this.succs, guid)
  }

  /**
   * Would `add` change the leaf set? Bamboo's `promising`: true when the candidate is closer than
   * some member on a side, or a side has room. Always false for self and for current members.
   */
  promising (candidate: NeighborInfo): boolean {
    const guid = candidate.guid
    if (guid === this.self.guid || this.has(guid)) return false
    return this.fitsPreds(guid) || this.fitsSuccs(guid)
  }

  /**
   * Inserts `candidate` if it is promising (Bamboo's `add_node`), on either or both sides.
   * `evicted` lists the nodes that fell out of the set entirely (pushed off one side and not on the
   * other); Bamboo's invariants allow at most one, but the list form does not assume it.
   */
  add (candidate: NeighborInfo): { added: boolean, evicted: NeighborInfo[] } {
    if (!this.promising(candidate)) return { added: false, evicted: [] }
    const before = this.members()
    this.insert(candidate)
    this.updateOverlap()
    this.#version++
    const evicted = before.filter((n) => !this.has(n.guid))
    return { added: true, evicted }
  }

  /**
   * Removes a member from both sides (Bamboo's `remove_node`); true if it was one. When the set
   * then overlaps, every remaining member is re-offered to both sides, as Bamboo does, so a small
   * ring stays fully known on each side. (A node pushed off by that re-offer is dropped silently,
   * as in Bamboo; it cannot happen with sets built only by `add`.)
   */
  remove (guid: bigint): boolean {
    const p = this.preds.findIndex((n) => n.guid === guid)
    const s = this.succs.findIndex((n) => n.guid === guid)
    if (p >= 0) this.preds.splice(p, 1)
    if (s >= 0) this.succs.splice(s, 1)
    if (p < 0 && s < 0) return false
    this.#version++
    this.updateOverlap()
    if (this.overlapFlag) {
      for (const n of this.preds.slice()) this.insert(n)
      for (const n of this.succs.slice()) this.insert(n)
      this.updateOverlap()
    }
    return true
  }

  /**
   * Bamboo's `within_leaf_set`: `key` lies on the arc from the furthest predecessor through self to
   * the furthest successor, both ends included (wrapping). When the set overlaps or is empty, every
   * key is within (we know the whole ring). A side left short by a removal without overlap keeps
   * Bamboo's arc: a large ring with a gap must still route through the routing table.
   */
  withinLeafSet (key: bigint): boolean {
    if (this.overlapFlag) return true
    const me = this.self.guid
    const low = this.preds.length === 0 ? me : this.preds[this.preds.length - 1]!.guid
    const high = this.succs.length === 0 ? me : this.succs[this.succs.length - 1]!.guid
    return inRangeMod(low, me, key) || inRangeMod(me, high, key)
  }

  /**
   * Bamboo's `closest_leaf`: the member or self with the smallest ring distance to `key`. On a tie
   * the node that follows `key` clockwise (its successor) wins. `skip(n)` excludes members (self is
   * always a candidate, so the result is never undefined).
   */
  closestLeaf (key: bigint, skip?: (neighbor: NeighborInfo) => boolean): NeighborInfo {
    let best = this.self
    let bestDist = ringDistance(best.guid, key)
    const consider = (n: NeighborInfo): void => {
      if (skip !== undefined && skip(n)) return
      const d = ringDistance(n.guid, key)
      if (d < bestDist || (d === bestDist && n.guid !== best.guid && followsKey(n.guid, best.guid, key))) {
        best = n
        bestDist = d
      }
    }
    for (const n of this.preds) consider(n)
    for (const n of this.succs) consider(n)
    return best
  }

  /**
   * The `count` nodes closest to `key` (ring distance) among self and the members, closest first;
   * equal distances put the node following `key` clockwise first. Fewer when the set is small.
   */
  replicas (key: bigint, count: number): NeighborInfo[] {
    if (count <= 0) return []
    const all = [this.self, ...this.members()]
    const dist = new Map<bigint, bigint>()
    for (const n of all) dist.set(n.guid, ringDistance(n.guid, key))
    all.sort((a, b) => {
      const da = dist.get(a.guid)!
      const db = dist.get(b.guid)!
      if (da !== db) return da < db ? -1 : 1
      if (a.guid === b.guid) return 0
      return followsKey(a.guid, b.guid, key) ? -1 : 1
    })
    return all.slice(0, count)
  }

  /** Can `guid` (not a predecessor) enter the predecessor list? */
  private fitsPreds (guid: bigint): boolean {
    if (this.preds.length < this.sizePerSide) return true
    const me = this.self.guid
    for (const p of this.preds) if (inRangeMod(p.guid, me, guid)) return true
    return false
  }

  /** Can `guid` (not a successor) enter the successor list? */
  private fitsSuccs (guid: bigint): boolean {
    if (this.succs.length < this.sizePerSide) return true
    const me = this.self.guid
    for (const s of this.succs) if (inRangeMod(me, s.guid, guid)) return true
    return false
  }

  /**
   * Bamboo's per-side insertion: on each side the node does not already occupy, put it before the
   * first member it is closer than, else append when there is room; drop whatever overflows.
   */
  private insert (ni: NeighborInfo): void {
    const me = this.self.guid
    if (!indexHas(this.preds, ni.guid)) {
      const i = this.preds.findIndex((p) => inRangeMod(p.guid, me, ni.guid))
      placeAt(this.preds, i, ni, this.sizePerSide)
    }
    if (!indexHas(this.succs, ni.guid)) {
      const i = this.succs.findIndex((s) => inRangeMod(me, s.guid, ni.guid))
      placeAt(this.succs, i, ni, this.sizePerSide)
    }
  }

  private updateOverlap (): void {
    if (this.preds.length === 0 || this.succs.length === 0) {
      this.overlapFlag = true
      return
    }
    this.overlapFlag = this.preds.some((p) => indexHas(this.succs, p.guid))
  }
}

function indexHas (list: readonly NeighborInfo[], guid: bigint): boolean {
  for (const n of list) if (n.guid === guid) return true
  return false
}

/** Inserts at `index` (or appends when −1 and there is room), keeping at most `capacity`. */
function placeAt (list: NeighborInfo[], index: number, ni: NeighborInfo, capacity: number): void {
  if (index >= 0) {
    list.splice(index, 0, ni)
    if (list.length > capacity) list.length = capacity
  } else if (list.length < capacity) {
    list.push(ni)
  }
}

/**
 * Tie-break between two nodes equally far from `key`: true when `a` is the one clockwise after
 * `key` (Bamboo: key on the arc best→a and not on the arc a→best).
 */
function followsKey (a: bigint, b: bigint, key: bigint): boolean {
  return inRangeMod(b, a, key) && !inRangeMod(a, b, key)
}


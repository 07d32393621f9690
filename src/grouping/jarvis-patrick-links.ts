/**
 * Jarvis-Patrick links (design section 4, step 3) between objects `a < b`:
 *   strict: a ∈ N(b) and b ∈ N(a) and |N(a) ∩ N(b)| ≥ n;
 *   loose:  |N(a) ∩ N(b)| ≥ n, evaluated on the pairs where at least one lists the other.
 * Pairs where neither lists the other are not candidates, so finding links costs
 * O(objects × m × m) instead of a quadratic walk over the posting list of a popular object;
 * such pairs still end up together through the neighbours they share when those link to both.
 * A link records its shared count, whether it is strict (`mutual`) and `P(b|a) + P(a|b)` from
 * the lists, and only depends on N(a) and N(b), so links of untouched objects can be kept
 * across regroupings. Edges are kept in canonical (a, b) order. Pure computation.
 */
import { listedProb, type NeighbourLists, type ReverseLists } from './neighbour-lists.ts'

export interface Links {
  numObjects: number
  count: number
  /** Endpoints, u < v, ascending by (u, v). */
  u: Int32Array
  v: Int32Array
  shared: Int32Array
  /** 1 for a strict link (each in the other's list). */
  mutual: Uint8Array
  /** P(v | u) + P(u | v) as listed (0 for a side that does not list the other). */
  psum: Float64Array
}

export interface LinkOptions { n: number, loose: boolean }

/** Links by object, both directions: partners/edges[offsets[a] .. offsets[a + 1]). */
export interface LinkAdjacency {
  offsets: Int32Array
  partners: Int32Array
  edges: Int32Array
}

class EdgeBuffer {
  count = 0
  u: Int32Array<ArrayBuffer>
  v: Int32Array<ArrayBuffer>
  shared: Int32Array<ArrayBuffer>
  mutual: Uint8Array<ArrayBuffer>
  psum: Float64Array<ArrayBuffer>

  constructor (initial = 1024) {
    this.u = new Int32Array(initial)
    this.v = new Int32Array(initial)
    this.shared = new Int32Array(initial)
    this.mutual = new Uint8Array(initial)
    this.psum = new Float64Array(initial)
  }

  push (u: number, v: number, shared: number, mutual: number, psum: number): void {
    if (this.count === this.u.length) this.#grow()
    const i = this.count++
    this.u[i] = u; this.v[i] = v; this.shared[i] = shared; this.mutual[i] = mutual; this.psum[i] = psum
  }

  #grow (): void {
    const size = this.u.length * 2
    const g32 = (a: Int32Array): Int32Array<ArrayBuffer> => { const b = new Int32Array(size); b.set(a); return b }
    this.u = g32(this.u); this.v = g32(this.v); this.shared = g32(this.shared)
    const m = new Uint8Array(size); m.set(this.mutual); this.mutual = m
    const p = new Float64Array(size); p.set(this.psum); this.psum = p
  }

  /** The edges as Links: views of the buffers when they are mostly full, else trimmed copies. */
  toLinks (numObjects: number): Links {
    const c = this.count
    const view = c >= 0.75 * this.u.length
    const cut = <T extends Int32Array | Uint8Array | Float64Array>(a: T): T => (view ? a.subarray(0, c) : a.slice(0, c)) as T
    return { numObjects, count: c, u: cut(this.u), v: cut(this.v), shared: cut(this.shared), mutual: cut(this.mutual), psum: cut(this.psum) }
  }
}

/**
 * Evaluates the pair (a, b), a < b; pushes the link when there is one. One merge of the two
 * sorted sets gives the shared count and whether each lists the other.
 */
function linkPair (lists: NeighbourLists, a: number, b: number, options: LinkOptions, out: EdgeBuffer): void {
  const set = lists.setIds
  let i = lists.offsets[a]! + a
  const iEnd = lists.offsets[a + 1]! + a + 1
  let j = lists.offsets[b]! + b
  const jEnd = lists.offsets[b + 1]! + b + 1
  let shared = 0
  let aListsB = false
  let bListsA = false
  while (i < iEnd && j < jEnd) {
    const x = set[i]!
    const y = set[j]!
    if (x === y) {
      shared++; i++; j++
      if (x === b) aListsB = true
      else if (x === a) bListsA = true
    } else if (x < y) i++; else j++
  }
  const mutual = aListsB && bListsA
  if (!mutual && (!options.loose || (!aListsB && !bListsA))) return
  if (shared < options.n) return
  out.push(a, b, shared, mutual ? 1 : 0, listedProb(lists, a, b) + listedProb(lists, b, a))
}

/**
 * Calls visit(v) for each candidate partner v of a in ascending order: the union of a's list and
 * a's reverse list, a excluded.
 */
function forCandidates (lists: NeighbourLists, reverse: ReverseLists, a: number, visit: (v: number) => void): void {
  let i = lists.offsets[a]! + a
  const iEnd = lists.offsets[a + 1]! + a + 1
  let j = reverse.offsets[a]!
  const jEnd = reverse.offsets[a + 1]!
  const set = lists.setIds
  const rev = reverse.ids
  while (i < iEnd || j < jEnd) {
    const x = i < iEnd ? set[i]! : 0x7fffffff
    const y = j < jEnd ? rev[j]! : 0x7fffffff
    const v = x < y ? x : y
    if (x === v) i++
    if (y === v) j++
    if (v !== a) visit(v)
  }
}

/** All links, in canonical order. */
export function computeLinks (lists: NeighbourLists, reverse: ReverseLists, options: LinkOptions): Links {
  const out = new EdgeBuffer(Math.max(1024, lists.ids.length))
  const set = lists.setIds
  const rev = reverse.ids
  for (let a = 0; a < lists.numObjects; a++) {
    // Candidates b > a in ascending order: a's sorted set and reverse list, merged.
    let i = lists.offsets[a]! + a
    const iEnd = lists.offsets[a + 1]! + a + 1
    let j = reverse.offsets[a]!
    const jEnd = reverse.offsets[a + 1]!
    while (i < iEnd && set[i]! <= a) i++
    while (j < jEnd && rev[j]! <= a) j++
    while (i < iEnd || j < jEnd) {
      const x = i < iEnd ? set[i]! : 0x7fffffff
      const y = j < jEnd ? rev[j]! : 0x7fffffff
      const b = x < y ? x : y
      if (x === b) i++
      if (y === b) j++
      linkPair(lists, a, b, options, out)
    }
  }
  return out.toLinks(lists.numObjects)
}

/**
 * The links of `lists` with `old`'s links kept for pairs where neither end is `touched` and
 * recomputed for pairs touching one: equal to computeLinks(lists, …) when only the touched
 * objects' lists changed between old and lists.
 */
export function updateLinks (old: Links, lists: NeighbourLists, reverse: ReverseLists, touched: Uint8Array, options: LinkOptions): Links {
  const fresh = new EdgeBuffer()
  for (let a = 0; a < lists.numObjects; a++) {
    if (touched[a] !== 1) continue
    forCandidates(lists, reverse, a, (b) => {
      if (touched[b] === 1 && b < a) return
      if (a < b) linkPair(lists, a, b, options, fresh); else linkPair(lists, b, a, options, fresh)
    })
  }
  const order = Array.from({ length: fresh.count }, (_, i) => i)
  order.sort((x, y) => fresh.u[x]! - fresh.u[y]! || fresh.v[x]! - fresh.v[y]!)
  const out = new EdgeBuffer()
  let f = 0
  const takeFresh = (): void => { const i = order[f++]!; out.push(fresh.u[i]!, fresh.v[i]!, fresh.shared[i]!, fresh.mutual[i]!, fresh.psum[i]!) }
  for (let e = 0; e < old.count; e++) {
    const u = old.u[e]!
    const v = old.v[e]!
    if (touched[u] === 1 || touched[v] === 1) continue
    while (f < order.length && (fresh.u[order[f]!]! < u || (fresh.u[order[f]!] === u && fresh.v[order[f]!]! < v))) takeFresh()
    out.push(u, v, old.shared[e]!, old.mutual[e]!, old.psum[e]!)
  }
  while (f < order.length) takeFresh()
  return out.toLinks(lists.numObjects)
}

export function buildAdjacency (links: Links): LinkAdjacency {
  const n = links.numObjects
  const offsets = new Int32Array(n + 1)
  for (let e = 0; e < links.count; e++) { offsets[links.u[e]! + 1]!++; offsets[links.v[e]! + 1]!++ }
  for (let a = 0; a < n; a++) offsets[a + 1]! += offsets[a]!
  const cursor = offsets.slice(0, n)
  const partners = new Int32Array(2 * links.count)
  const edges = new Int32Array(2 * links.count)
  for (let e = 0; e < links.count; e++) {
    const u = links.u[e]!
    const v = links.v[e]!
    let at = cursor[u]!++
    partners[at] = v; edges[at] = e
    at = cursor[v]!++
    partners[at] = u; edges[at] = e
  }
  return { offsets, partners, edges }
}

/**
 * The edges of one form (strict: mutual links; loose: the others) that pass `include`, in merge
 * order: shared count descending, then P-sum descending (compared to 2^-20), then canonical
 * order. Closely related objects come first.
 */
export function mergeOrder (links: Links, strict: boolean, include?: (edge: number) => boolean): Uint32Array {
  const want = strict ? 1 : 0
  let count = 0
  const picked = new Uint32Array(links.count)
  for (let e = 0; e < links.count; e++) {
    if (links.mutual[e] === want && (include === undefined || include(e))) picked[count++] = e
  }
  const order = picked.slice(0, count)
  const shared = links.shared
  const psum = links.psum
  if (links.count <= PACK_EDGES && links.count > 0 && maxOf(shared, links.count) < PACK_SHARED) {
    // One native numeric sort of packed keys: shared count (high), P-sum (to 2^-20), edge index (low).
    const keys = new Float64Array(count)
    for (let i = 0; i < count; i++) {
      const e = order[i]!
      keys[i] = ((PACK_SHARED - 1 - shared[e]!) * PACK_PSUM + (PACK_PSUM - 1 - Math.round(psum[e]! * PSUM_SCALE))) * PACK_EDGES + e
    }
    keys.sort()
    for (let i = 0; i < count; i++) order[i] = keys[i]! % PACK_EDGES
    return order
  }
  order.sort((x, y) => (shared[y]! - shared[x]!) || (Math.round(psum[y]! * PSUM_SCALE) - Math.round(psum[x]! * PSUM_SCALE)) || (x - y))
  return order
}

/** Merge-order keys: P sums compare to 2^-20, so a key fits a double exactly. */
const PSUM_SCALE = 2 ** 20
const PACK_PSUM = 2 * PSUM_SCALE + 1
const PACK_SHARED = 64
const PACK_EDGES = 2 ** 25

function maxOf (values: Int32Array, count: number): number {
  let max = 0
  for (let i = 0; i < count; i++) if (values[i]! > max) max = values[i]!
  return max
}

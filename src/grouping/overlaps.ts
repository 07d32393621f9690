/**
 * Overlaps (design section 4, step 5): an object shared by many working sets (a shared library,
 * a `.so`) must not chain their groups together; it becomes a member of each of them instead.
 *
 * Detection, before merging and from local structure only: x is an overlap object when the
 * objects listing it, `I(x)`, fall into at least `overlapMinGroups` substantial components
 * under the strict links among them (x itself left out); substantial means at least 2 objects
 * and at least `overlapComponentFraction` of the largest such component. Members of one working
 * set link to each other strictly; members of different sets do not, except through x. A
 * shared library is listed by whole sets (large components); an ordinary member is listed by
 * its own set plus a few stray members of sets that happened to run beside it (small
 * components), so it is not mistaken for a hub. One-off noise that lists x has no strict links
 * and forms no component. A sequential run of blocks does not look like a hub either: the
 * objects listing a block are its predecessors, which link among themselves.
 *
 * Overlap objects take no part in merging (their links are ignored). Afterwards each joins every
 * group of ≥ 2 home members of which at least `overlapJoinFraction` list it; one that joins no
 * group keeps a singleton group of its own. Pure computation.
 */
import type { LinkAdjacency, Links } from './jarvis-patrick-links.ts'
import type { ReverseLists } from './neighbour-lists.ts'

export class OverlapDetector {
  /** Strict links only, by object: partners[offsets[a] .. offsets[a + 1]). */
  readonly #strictOffsets: Int32Array
  readonly #strictPartners: Int32Array
  readonly #reverse: ReverseLists
  readonly #minGroups: number
  readonly #componentFraction: number
  readonly #stamp: Int32Array
  readonly #local: Int32Array
  #parent = new Int32Array(64)
  #size = new Int32Array(64)

  constructor (links: Links, adjacency: LinkAdjacency, reverse: ReverseLists, minGroups: number, componentFraction: number) {
    const n = links.numObjects
    this.#strictOffsets = new Int32Array(n + 1)
    for (let a = 0; a < n; a++) {
      let degree = 0
      for (let j = adjacency.offsets[a]!; j < adjacency.offsets[a + 1]!; j++) degree += links.mutual[adjacency.edges[j]!]!
      this.#strictOffsets[a + 1] = this.#strictOffsets[a]! + degree
    }
    this.#strictPartners = new Int32Array(this.#strictOffsets[n]!)
    for (let a = 0, at = 0; a < n; a++) {
      for (let j = adjacency.offsets[a]!; j < adjacency.offsets[a + 1]!; j++) if (links.mutual[adjacency.edges[j]!] === 1) this.#strictPartners[at++] = adjacency.partners[j]!
    }
    this.#reverse = reverse
    this.#minGroups = minGroups
    this.#componentFraction = componentFraction
    this.#stamp = new Int32Array(links.numObjects)
    this.#local = new Int32Array(links.numObjects)
  }

  /** The number of substantial strictly linked components among the objects listing x (0 when there cannot be overlapMinGroups of them). */
  components (x: number): number {
    const from = this.#reverse.offsets[x]!
    const to = this.#reverse.offsets[x + 1]!
    const count = to - from
    // Each substantial component has ≥ 2 objects, each with a strict link.
    if (count < 2 * this.#minGroups) return 0
    let linked = 0
    for (let t = from; t < to; t++) {
      const a = this.#reverse.ids[t]!
      if (this.#strictOffsets[a + 1]! > this.#strictOffsets[a]!) linked++
    }
    if (linked < 2 * this.#minGroups) return 0
    if (this.#parent.length < count) { this.#parent = new Int32Array(count * 2); this.#size = new Int32Array(count * 2) }
    const parent = this.#parent
    const size = this.#size
    const stamp = this.#stamp
    const local = this.#local
    const gen = x + 1
    for (let t = 0; t < count; t++) {
      const a = this.#reverse.ids[from + t]!
      stamp[a] = gen; local[a] = t; parent[t] = t; size[t] = 1
    }
    const offsets = this.#strictOffsets
    const partners = this.#strictPartners
    for (let t = 0; t < count; t++) {
      const a = this.#reverse.ids[from + t]!
      for (let j = offsets[a]!; j < offsets[a + 1]!; j++) {
        const b = partners[j]!
        if (b <= a || stamp[b] !== gen) continue
        const ra = findRoot(parent, t)
        const rb = findRoot(parent, local[b]!)
        if (ra === rb) continue
        if (size[ra]! < size[rb]!) { parent[ra] = rb; size[rb]! += size[ra]! } else { parent[rb] = ra; size[ra]! += size[rb]! }
      }
    }
    let largest = 0
    for (let t = 0; t < count; t++) if (parent[t] === t && size[t]! > largest) largest = size[t]!
    const minSize = Math.max(2, Math.ceil(this.#componentFraction * largest))
    let components = 0
    for (let t = 0; t < count; t++) if (parent[t] === t && size[t]! >= minSize) components++
    // Clear the stamps so a later call for the same x starts clean.
    for (let t = 0; t < count; t++) stamp[this.#reverse.ids[from + t]!] = 0
    return components
  }

  isOverlap (x: number): boolean {
    return this.components(x) >= this.#minGroups
  }
}

/** Overlap flags for every object. */
export function findOverlaps (detector: OverlapDetector, numObjects: number): Uint8Array {
  const out = new Uint8Array(numObjects)
  for (let x = 0; x < numObjects; x++) if (detector.isOverlap(x)) out[x] = 1
  return out
}

/**
 * For each overlap object, the home groups it joins: `home[a]` is a's group label (an integer
 * ≥ 0; -1 for overlap objects), `homeSize[label]` that group's home members. Returns pairs
 * (object, label) in object order, then label order.
 */
export function joinOverlaps (overlap: Uint8Array, home: Int32Array, homeSize: Int32Array, reverse: ReverseLists, joinFraction: number): Array<[number, number]> {
  const out: Array<[number, number]> = []
  const counts = new Map<number, number>()
  for (let x = 0; x < overlap.length; x++) {
    if (overlap[x] !== 1) continue
    counts.clear()
    for (let j = reverse.offsets[x]!; j < reverse.offsets[x + 1]!; j++) {
      const label = home[reverse.ids[j]!]!
      if (label >= 0) counts.set(label, (counts.get(label) ?? 0) + 1)
    }
    const joined: number[] = []
    for (const [label, listing] of counts) {
      const size = homeSize[label] ?? 0
      if (size >= 2 && listing >= Math.ceil(joinFraction * size)) joined.push(label)
    }
    joined.sort((p, q) => p - q)
    for (const label of joined) out.push([x, label])
  }
  return out
}

function findRoot (parent: Int32Array, t: number): number {
  while (parent[t] !== t) { parent[t] = parent[parent[t]!]!; t = parent[t]! }
  return t
}

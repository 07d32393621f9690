/**
 * A Merkle tree over the tuples of one guid range, indexed by their timestamps, with Bamboo's
 * shape (`dmgr/MerkleTree.java`): a node at level l covers 2^(expansion·l) µs from its `low`
 * time and has 2^expansion children; the root (level 13 for expansion 5) covers all 64-bit
 * times. A node with at most 2^expansion tuples, or at level 0, is a leaf node: its hash is the
 * SHA-1 of its tuples' 77-byte keys in time then Key order. Any other node hashes its children's
 * hashes (20 zero bytes for an empty child). An empty node's hash is empty.
 *
 * Built on demand from a snapshot of the tuples (immutable; rebuilt when the store changes) with
 * node hashes memoised; two replicas holding the same tuples compute the same hashes. Pure.
 */
import { createHash } from 'node:crypto'
import { compareTuples, encodeKey, type Tuple } from './tuple.ts'

export const MERKLE_EXPANSION = 5
const FAN_OUT = 1 << MERKLE_EXPANSION
/** Lowest level whose single node covers every non-negative 64-bit time. */
export const MERKLE_ROOT_LEVEL = Math.ceil(64 / MERKLE_EXPANSION)
const EMPTY = new Uint8Array(0)
const ZERO_CHILD = new Uint8Array(20)
/** Every empty node is this one object, never memoised (most of a sparse tree is empty). */
const EMPTY_NODE: MerkleNode = Object.freeze({ hash: EMPTY, leaf: true, children: [] })
/** Each tuple's 77-byte key, computed once (tuples are immutable; trees are rebuilt often). */
const ON_DISK_KEYS = new WeakMap<Tuple, Uint8Array>()

function onDiskKey (t: Tuple): Uint8Array {
  let key = ON_DISK_KEYS.get(t)
  if (key === undefined) ON_DISK_KEYS.set(t, key = encodeKey(t, true))
  return key
}

export interface MerkleNode {
  /** Empty when no tuple lies under the node. */
  readonly hash: Uint8Array
  /** Its children are tuples (fetch its keys), not nodes. */
  readonly leaf: boolean
  /** Child hashes (20 bytes each, zero for an empty child); none for a leaf or empty node. */
  readonly children: readonly Uint8Array[]
}

/** 2^(expansion·l) for each level l, made once. */
const SPANS_USEC = Array.from({ length: MERKLE_ROOT_LEVEL + 1 }, (_, level) => 1n << BigInt(MERKLE_EXPANSION * level))

export function spanUsec (level: number): bigint {
  return SPANS_USEC[level] ?? 1n << BigInt(MERKLE_EXPANSION * level)
}

export class MerkleSnapshot {
  /** Tuples sorted by time, then Key order. */
  readonly tuples: readonly Tuple[]
  /** Computed nodes, by level then low time (bigint keys: no text made per lookup). */
  readonly #memo: Array<Map<bigint, MerkleNode> | undefined> = []
  /** The snapshot this one replaced: a node over exactly the same tuple objects keeps its hash. */
  #previous: MerkleSnapshot | null

  constructor (tuples: readonly Tuple[], previous: MerkleSnapshot | null = null) {
    this.tuples = [...tuples].sort((a, b) => a.timeUsec < b.timeUsec ? -1 : a.timeUsec > b.timeUsec ? 1 : compareTuples(a, b))
    this.#previous = previous
    if (previous !== null) previous.#previous = null
  }

  /** Whether (level, low) names a node: 0 ≤ level ≤ root level and low aligned to its span. */
  static validNode (level: number, lowUsec: bigint): boolean {
    return Number.isInteger(level) && level >= 0 && level <= MERKLE_ROOT_LEVEL && lowUsec >= 0n && lowUsec % spanUsec(level) === 0n
  }

  /** Tuples with lowUsec ≤ time < highUsec. */
  inTimeRange (lowUsec: bigint, highUsec: bigint): Tuple[] {
    return this.tuples.slice(this.#lowerBound(lowUsec), this.#lowerBound(highUsec))
  }

  node (level: number, lowUsec: bigint): MerkleNode {
    const memo = this.#memo[level] ??= new Map()
    const known = memo.get(lowUsec)
    if (known !== undefined) return known
    const highUsec = lowUsec + spanUsec(level)
    const first = this.#lowerBound(lowUsec)
    const end = this.#lowerBound(highUsec)
    if (end === first) return EMPTY_NODE
    let node = this.#unchanged(level, lowUsec, highUsec, first, end)
    if (node !== undefined) {
      memo.set(lowUsec, node)
      return node
    }
    if (level === 0 || end - first <= FAN_OUT) {
      const digest = createHash('sha1')
      for (let i = first; i < end; i++) digest.update(onDiskKey(this.tuples[i]!))
      node = { hash: new Uint8Array(digest.digest()), leaf: true, children: [] }
    } else {
      // Only the children some tuple lies under are visited (the tuples are in time order, so
      // each child's run is contiguous); the rest are empty.
      const childSpan = spanUsec(level - 1)
      const children: Uint8Array[] = new Array<Uint8Array>(FAN_OUT).fill(ZERO_CHILD)
      for (let i = first; i < end;) {
        const c = Number((this.tuples[i]!.timeUsec - lowUsec) / childSpan)
        const childLowUsec = lowUsec + BigInt(c) * childSpan
        const child = this.node(level - 1, childLowUsec).hash
        if (child.length > 0) children[c] = child
        i = this.#lowerBound(childLowUsec + childSpan)
      }
      const digest = createHash('sha1')
      for (const entry of children) digest.update(entry)
      node = { hash: new Uint8Array(digest.digest()), leaf: false, children }
    }
    memo.set(lowUsec, node)
    return node
  }

  /**
   * The previous snapshot's node for this span when it covered the very same tuple objects (most
   * of a busy store's tree between two rebuilds: new puts land at the newest times).
   */
  #unchanged (level: number, lowUsec: bigint, highUsec: bigint, first: number, end: number): MerkleNode | undefined {
    const previous = this.#previous
    if (previous === null) return undefined
    const known = previous.#memo[level]?.get(lowUsec)
    if (known === undefined) return undefined
    const before = previous.#lowerBound(lowUsec)
    if (previous.#lowerBound(highUsec) - before !== end - first) return undefined
    for (let i = 0; i < end - first; i++) if (previous.tuples[before + i] !== this.tuples[first + i]) return undefined
    return known
  }

  root (): MerkleNode {
    return this.node(MERKLE_ROOT_LEVEL, 0n)
  }

  #lowerBound (timeUsec: bigint): number {
    let lo = 0
    let hi = this.tuples.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.tuples[mid]!.timeUsec < timeUsec) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

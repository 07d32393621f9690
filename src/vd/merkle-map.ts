/**
 * The persistent Merkle map behind snapshots: a hash array mapped trie (HAMT) from key (a path
 * or block number) to MapEntry whose nodes are content-addressed objects. A key's place is
 * decided by SHA-1(key): nibble d picks one of 16 slots at depth d. A slot holds either a bucket
 * of at most 8 entries inline or a child node with the count of entries below it. The shape is
 * canonical (a slot is a child exactly when more than 8 entries fall in it; the root is always a
 * node), so equal maps have equal root ids however they were built, and equal subtrees are
 * shared between snapshots. `apply` copies only the nodes on the paths to changed keys; `diff`
 * (map-diff.ts) skips slots whose child ids are equal. Reads and writes go through an
 * ObjectStore; counters say how many nodes each operation visited and wrote.
 *
 * Node bytes: 'XMN' 1 | depth u8 | bitmap u16 | per set slot: 0 (bucket) n {key, entry}×n sorted
 * by key | 1 (child) id count.
 */
import { hash } from 'node:crypto'
import { ByteReader, ByteWriter } from './bytes.ts'
import { decodeEntry, encodeEntry, sameEntry, type MapEntry } from './map-entry.ts'
import type { ObjectId } from './object-id.ts'
import type { ObjectStore } from './object-store.ts'

export const FANOUT = 16
export const BUCKET_MAX = 8
/** SHA-1 has 40 nibbles; at the last depth a bucket may exceed BUCKET_MAX (never in practice). */
const MAX_DEPTH = 39
const MAGIC = [0x58, 0x4d, 0x4e, 0x01]

export type Bucket = Array<[string, MapEntry]>
export type Slot = { bucket: Bucket } | { child: ObjectId, count: number }

export interface MapNode {
  depth: number
  slots: Array<Slot | undefined>
}

export interface MapCounters {
  /** Nodes looked at (from the cache or the store). */
  nodesVisited: number
  /** Nodes read and decoded from the store. */
  nodesLoaded: number
  nodesWritten: number
  bytesWritten: number
}

export interface MapChange { key: string, entry: MapEntry | null }

interface Item { key: string, hash: Buffer, entry: MapEntry | null }

export function keyHash (key: string): Buffer {
  return hash('sha1', key, 'buffer')
}

function nibble (h: Buffer, depth: number): number {
  const byte = h[depth >> 1]!
  return (depth & 1) === 0 ? byte >> 4 : byte & 15
}

export function encodeNode (node: MapNode): Uint8Array {
  const w = new ByteWriter().bytes(Uint8Array.from(MAGIC)).u8(node.depth)
  let bitmap = 0
  node.slots.forEach((s, i) => { if (s !== undefined) bitmap |= 1 << i })
  w.u16(bitmap)
  for (const slot of node.slots) {
    if (slot === undefined) continue
    if ('child' in slot) {
      w.u8(1).id(slot.child).varint(slot.count)
    } else {
      w.u8(0).varint(slot.bucket.length)
      for (const [key, entry] of slot.bucket) {
        w.string(key)
        encodeEntry(w, entry)
      }
    }
  }
  return w.finish()
}

export function decodeNode (bytes: Uint8Array, id: ObjectId | null = null): MapNode {
  const r = new ByteReader(bytes, id)
  for (const b of MAGIC) if (r.u8('map node magic') !== b) r.fail('not a map node')
  const depth = r.u8('depth')
  if (depth > MAX_DEPTH) r.fail(`depth ${depth}`)
  const bitmap = r.u16('bitmap')
  const slots: Array<Slot | undefined> = new Array(FANOUT).fill(undefined)
  for (let i = 0; i < FANOUT; i++) {
    if ((bitmap & (1 << i)) === 0) continue
    const tag = r.u8('slot tag')
    if (tag === 1) {
      slots[i] = { child: r.id('child id'), count: r.varint('child count') }
    } else if (tag === 0) {
      const n = r.varint('bucket size')
      const bucket: Bucket = []
      for (let j = 0; j < n; j++) bucket.push([r.string('key'), decodeEntry(r)])
      slots[i] = { bucket }
    } else {
      r.fail(`slot tag ${tag}`)
    }
  }
  r.end()
  return { depth, slots }
}

function slotCount (slot: Slot | undefined): number {
  return slot === undefined ? 0 : 'child' in slot ? slot.count : slot.bucket.length
}

export function nodeCount (node: MapNode): number {
  let n = 0
  for (const s of node.slots) n += slotCount(s)
  return n
}

function byKey (a: [string, unknown], b: [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0
}

const CACHE_MAX = 8192

export class MerkleMap {
  readonly counters: MapCounters = { nodesVisited: 0, nodesLoaded: 0, nodesWritten: 0, bytesWritten: 0 }
  readonly #cache = new Map<ObjectId, MapNode>()

  constructor (readonly store: ObjectStore) {}

  resetCounters (): MapCounters {
    const before = { ...this.counters }
    Object.assign(this.counters, { nodesVisited: 0, nodesLoaded: 0, nodesWritten: 0, bytesWritten: 0 })
    return before
  }

  /** A node by id (decoded nodes are cached: they are immutable). */
  load (id: ObjectId): MapNode {
    this.counters.nodesVisited++
    let node = this.#cache.get(id)
    if (node !== undefined) return node
    node = decodeNode(this.store.get(id), id)
    this.counters.nodesLoaded++
    if (this.#cache.size >= CACHE_MAX) this.#cache.delete(this.#cache.keys().next().value!)
    this.#cache.set(id, node)
    return node
  }

  #write (node: MapNode): ObjectId {
    const bytes = encodeNode(node)
    this.counters.nodesWritten++
    this.counters.bytesWritten += bytes.length
    return this.store.put(bytes)
  }

  /** The root of the empty map. */
  empty (): ObjectId {
    return this.#write({ depth: 0, slots: new Array(FANOUT).fill(undefined) })
  }

  /** A map holding `entries` (keys must be distinct). */
  build (entries: Iterable<[string, MapEntry]>): ObjectId {
    const items: Item[] = []
    const seen = new Set<string>()
    for (const [key, entry] of entries) {
      if (seen.has(key)) throw new Error(`duplicate key "${key}"`)
      seen.add(key)
      items.push({ key, hash: keyHash(key), entry })
    }
    return this.#write(this.#buildNode(items, 0))
  }

  #buildNode (items: Item[], depth: number): MapNode {
    const groups: Item[][] = Array.from({ length: FANOUT }, () => [])
    for (const item of items) groups[nibble(item.hash, depth)]!.push(item)
    return { depth, slots: groups.map((g) => this.#slotFor(g, depth + 1)) }
  }

  /** The canonical slot for `items` (all with entries) whose subtree would start at `depth`. */
  #slotFor (items: Item[], depth: number): Slot | undefined {
    if (items.length === 0) return undefined
    if (items.length <= BUCKET_MAX || depth > MAX_DEPTH) {
      return { bucket: items.map((i): [string, MapEntry] => [i.key, i.entry!]).sort(byKey) }
    }
    return { child: this.#write(this.#buildNode(items, depth)), count: items.length }
  }

  /** The entry under `key`, if any. */
  get (root: ObjectId, key: string): MapEntry | undefined {
    const h = keyHash(key)
    let node = this.load(root)
    while (true) {
      const slot = node.slots[nibble(h, node.depth)]
      if (slot === undefined) return undefined
      if ('child' in slot) {
        node = this.load(slot.child)
        continue
      }
      for (const [k, e] of slot.bucket) if (k === key) return e
      return undefined
    }
  }

  /** Number of entries in the map (read from the root alone). */
  count (root: ObjectId): number {
    return nodeCount(this.load(root))
  }

  /**
   * A new root with `changes` applied (an entry sets the key, null deletes it); only nodes on the
   * paths to changed keys are written. The old root stays valid (persistence).
   */
  apply (root: ObjectId, changes: Iterable<MapChange>): ObjectId {
    const items: Item[] = []
    const seen = new Set<string>()
    for (const { key, entry } of changes) {
      if (seen.has(key)) throw new Error(`key "${key}" changed twice in one batch`)
      seen.add(key)
      items.push({ key, hash: keyHash(key), entry })
    }
    if (items.length === 0) return root
    const next = this.#applyNode(this.load(root), items)
    return next === null ? root : this.#write(next)
  }

  /** The node with `items` applied, or null when nothing changed. */
  #applyNode (node: MapNode, items: Item[]): MapNode | null {
    const groups: Array<Item[] | undefined> = new Array(FANOUT)
    for (const item of items) (groups[nibble(item.hash, node.depth)] ??= []).push(item)
    let slots: Array<Slot | undefined> | null = null
    for (let s = 0; s < FANOUT; s++) {
      const group = groups[s]
      if (group === undefined) continue
      const current = node.slots[s]
      let next: Slot | undefined
      if (current !== undefined && 'child' in current) {
        const child = this.#applyNode(this.load(current.child), group)
        if (child === null) continue
        const count = nodeCount(child)
        next = count === 0 ? undefined : count <= BUCKET_MAX ? { bucket: this.#collect(child).sort(byKey) } : { child: this.#write(child), count }
      } else {
        const merged = this.#mergeBucket(current?.bucket ?? [], group)
        if (merged === null) continue
        next = this.#slotFor(merged, node.depth + 1)
      }
      slots ??= node.slots.slice()
      slots[s] = next
    }
    return slots === null ? null : { depth: node.depth, slots }
  }

  /** Bucket entries with changes applied, as items; null when nothing changed. */
  #mergeBucket (bucket: Bucket, changes: Item[]): Item[] | null {
    const byKeyMap = new Map<string, MapEntry>(bucket)
    let changed = false
    for (const c of changes) {
      const old = byKeyMap.get(c.key)
      if (c.entry === null) {
        if (old !== undefined) { byKeyMap.delete(c.key); changed = true }
      } else if (!sameEntry(old, c.entry)) {
        byKeyMap.set(c.key, c.entry)
        changed = true
      }
    }
    if (!changed) return null
    return [...byKeyMap].map(([key, entry]) => ({ key, hash: keyHash(key), entry }))
  }

  /** All entries below a node (small subtrees: collapsing a child into a bucket). */
  #collect (node: MapNode): Bucket {
    const out: Bucket = []
    for (const slot of node.slots) {
      if (slot === undefined) continue
      if ('child' in slot) out.push(...this.#collect(this.load(slot.child)))
      else out.push(...slot.bucket)
    }
    return out
  }

  /** Every entry, in hash order (sort the keys when order matters). */
  * entries (root: ObjectId): Generator<[string, MapEntry]> {
    const stack: ObjectId[] = [root]
    while (stack.length > 0) {
      const node = this.load(stack.pop()!)
      for (let s = FANOUT - 1; s >= 0; s--) {
        const slot = node.slots[s]
        if (slot === undefined) continue
        if ('child' in slot) stack.push(slot.child)
      }
      for (const slot of node.slots) if (slot !== undefined && 'bucket' in slot) yield * slot.bucket
    }
  }

  /** Entries sorted by key. */
  sortedEntries (root: ObjectId): Array<[string, MapEntry]> {
    return [...this.entries(root)].sort(byKey)
  }

  /** Ids of every node of the map (root first). */
  * nodeIds (root: ObjectId): Generator<ObjectId> {
    const stack: ObjectId[] = [root]
    while (stack.length > 0) {
      const id = stack.pop()!
      yield id
      for (const slot of this.load(id).slots) if (slot !== undefined && 'child' in slot) stack.push(slot.child)
    }
  }
}

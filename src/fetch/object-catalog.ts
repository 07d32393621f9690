/**
 * A snapshot's objects as the fetch path sees them: dense indices (the group table's ids) with
 * their 20-byte content ids and sizes, the group table, and the DHT name of each group
 * (`<snapshot key>/<group>`). Built from a group table, or from bare keys and sizes when there
 * are no groups. Pure data with lookups; no I/O.
 */
import { sha1 } from '../ids/sha1.ts'
import type { FetchOrder, GroupTable } from '../grouping/group-table.ts'
import { idHex } from './object-id-hex.ts'

export class ObjectCatalog {
  readonly ids: Uint8Array[]
  /** Index by id hex, built on the first lookup of an id object that is not one of the catalog's own. */
  #indexOf: Map<string, number> | null = null
  /** Each of this catalog's own id objects carries its index under this symbol (non-enumerable). */
  readonly #indexMark = Symbol('catalogIndex')

  /**
   * `contentIds`: each object's id (absent: SHA-1 of its key, for studies whose objects are
   * synthetic stand-ins of the real bytes).
   */
  constructor (
    readonly snapshotKey: string,
    readonly keys: readonly string[],
    readonly sizesBytes: ArrayLike<number>,
    readonly table: GroupTable | null,
    contentIds?: readonly Uint8Array[]
  ) {
    this.ids = keys.map((key, i) => contentIds?.[i] ?? sha1(`${snapshotKey}:${key}`))
    this.ids.forEach((id, i) => {
      Object.defineProperty(id, this.#indexMark, { value: i, configurable: true }) // a repeated id object: the last index, as the map
    })
  }

  get count (): number {
    return this.keys.length
  }

  sizeOf (index: number): number {
    return Math.max(0, Math.round(this.sizesBytes[index] ?? 0))
  }

  indexOf (id: Uint8Array): number | undefined {
    // The catalog's own id objects (shared by every host of a study) answer without a lookup,
    // and so does any other id object asked about before (ids and catalogs never change).
    const marked = (id as Uint8Array & Record<symbol, number | undefined>)[this.#indexMark]
    if (marked !== undefined) return marked < 0 ? undefined : marked
    if (this.#indexOf === null) {
      this.#indexOf = new Map()
      this.ids.forEach((own, i) => this.#indexOf!.set(idHex(own), i))
    }
    const index = this.#indexOf.get(idHex(id))
    Object.defineProperty(id, this.#indexMark, { value: index ?? -1, configurable: true })
    return index
  }

  groupsOf (index: number): readonly number[] {
    return this.table === null || index >= this.table.objectCount ? [] : this.table.groupsOf(index)
  }

  groupMembers (group: number): ArrayLike<number> {
    return this.table === null ? [] : this.table.members(group)
  }

  /** The rest of `index`'s groups, most likely next first (empty without a table). */
  fetchOrder (index: number): FetchOrder {
    return this.table === null || index >= this.table.objectCount ? { ids: [], probs: [] } : this.table.fetchOrder(index)
  }

  groupKey (group: number): string {
    return `${this.snapshotKey}/${group}`
  }
}

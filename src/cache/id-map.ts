/**
 * A map from whole-number ids to values, for the caches' hot paths: ids below `DENSE_ID_LIMIT`
 * live in a plain array indexed by id (the reference string's and group table's ids are dense,
 * so this is a few bytes per id and several times faster than a Map under churn); larger ids
 * fall back to a Map, so any id works. Grows the array one slot at a time up to the id it
 * stores, which keeps V8's fast elements. Iterates dense ids in increasing order, then the rest
 * in insertion order. No other behaviour.
 */

export const DENSE_ID_LIMIT = 1 << 24

export class IdMap<T> {
  readonly #dense: Array<T | undefined> = []
  #sparse: Map<number, T> | undefined
  #size = 0

  get size (): number { return this.#size }

  get (id: number): T | undefined {
    return id < DENSE_ID_LIMIT ? this.#dense[id] : this.#sparse?.get(id)
  }

  has (id: number): boolean {
    return this.get(id) !== undefined
  }

  /** Stores `value` (never undefined) under `id`. */
  set (id: number, value: T): void {
    if (id < DENSE_ID_LIMIT) {
      const dense = this.#dense
      while (dense.length <= id) dense.push(undefined)
      if (dense[id] === undefined) this.#size++
      dense[id] = value
    } else {
      this.#sparse ??= new Map()
      if (!this.#sparse.has(id)) this.#size++
      this.#sparse.set(id, value)
    }
  }

  delete (id: number): boolean {
    if (id < DENSE_ID_LIMIT) {
      if (this.#dense[id] === undefined) return false
      this.#dense[id] = undefined
    } else if (this.#sparse?.delete(id) !== true) {
      return false
    }
    this.#size--
    return true
  }

  * keys (): IterableIterator<number> {
    const dense = this.#dense
    for (let id = 0; id < dense.length; id++) if (dense[id] !== undefined) yield id
    if (this.#sparse !== undefined) yield * this.#sparse.keys()
  }

  * values (): IterableIterator<T> {
    for (const value of this.#dense) if (value !== undefined) yield value
    if (this.#sparse !== undefined) yield * this.#sparse.values()
  }

  * entries (): IterableIterator<[number, T]> {
    const dense = this.#dense
    for (let id = 0; id < dense.length; id++) {
      const value = dense[id]
      if (value !== undefined) yield [id, value]
    }
    if (this.#sparse !== undefined) yield * this.#sparse.entries()
  }
}

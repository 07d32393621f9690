/**
 * A set of catalog indices (small non-negative integers) as one byte per index: membership is an
 * array read, not a hash lookup, which matters when every VM read asks whether a host holds the
 * object. Grows when a larger index is added. Iterates in index order. Pure.
 */
export class IndexSet {
  #member: Uint8Array
  #size = 0

  constructor (capacity = 0) {
    this.#member = new Uint8Array(Math.max(16, capacity))
  }

  get size (): number {
    return this.#size
  }

  has (index: number): boolean {
    return this.#member[index] === 1
  }

  add (index: number): this {
    if (!(Number.isInteger(index) && index >= 0)) throw new RangeError(`IndexSet holds non-negative integers, not ${index}`)
    if (index >= this.#member.length) {
      const grown = new Uint8Array(Math.max(index + 1, 2 * this.#member.length))
      grown.set(this.#member)
      this.#member = grown
    }
    if (this.#member[index] === 0) {
      this.#member[index] = 1
      this.#size++
    }
    return this
  }

  delete (index: number): boolean {
    if (this.#member[index] !== 1) return false
    this.#member[index] = 0
    this.#size--
    return true
  }

  * [Symbol.iterator] (): IterableIterator<number> {
    const member = this.#member
    for (let i = 0; i < member.length; i++) if (member[i] === 1) yield i
  }
}

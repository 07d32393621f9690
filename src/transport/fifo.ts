/**
 * A first-in first-out queue with O(1) push and shift (Array.prototype.shift is O(n), which made
 * a 100,000-message send queue quadratic). Storage is compacted once the consumed prefix
 * dominates, and reset whenever it drains. Pure data structure.
 */

export class Fifo<T> {
  #items: Array<T | undefined> = []
  #head = 0

  get length (): number {
    return this.#items.length - this.#head
  }

  push (item: T): void {
    this.#items.push(item)
  }

  peek (): T | undefined {
    return this.#items[this.#head]
  }

  shift (): T | undefined {
    if (this.#head >= this.#items.length) return undefined
    const item = this.#items[this.#head]
    this.#items[this.#head++] = undefined
    if (this.#head === this.#items.length) {
      // Empty: start over, so a queue that drains after every message never grows (thousands of
      // per-peer queues in a simulation would otherwise each hold up to 1,024 dead slots).
      this.#items.length = 0
      this.#head = 0
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
    return item
  }

  * [Symbol.iterator] (): IterableIterator<T> {
    for (let i = this.#head; i < this.#items.length; i++) yield this.#items[i] as T
  }
}

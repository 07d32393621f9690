/**
 * A binary min-heap under a comparator: push, peek and pop in O(log n). Holds whatever it is
 * given; never compares equal items in any particular order. Pure.
 */
export class MinHeap<T> {
  #items: T[] = []

  constructor (private readonly compare: (a: T, b: T) => number) {}

  get size (): number {
    return this.#items.length
  }

  peek (): T | undefined {
    return this.#items[0]
  }

  push (item: T): void {
    const items = this.#items
    let i = items.length
    items.push(item)
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (this.compare(items[parent]!, item) <= 0) break
      items[i] = items[parent]!
      i = parent
    }
    items[i] = item
  }

  pop (): T | undefined {
    const items = this.#items
    const top = items[0]
    const last = items.pop()
    if (items.length === 0 || last === undefined) return top
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      if (left >= items.length) break
      const right = left + 1
      const child = right < items.length && this.compare(items[right]!, items[left]!) < 0 ? right : left
      if (this.compare(items[child]!, last) >= 0) break
      items[i] = items[child]!
      i = child
    }
    items[i] = last
    return top
  }

  /** Keeps only the items `keep` accepts (then re-heapifies). */
  retain (keep: (item: T) => boolean): void {
    const kept = this.#items.filter(keep)
    this.#items = []
    for (const item of kept) this.push(item)
  }
}

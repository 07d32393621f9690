/**
 * Duplicate suppression as Bamboo's UdpCC does it: remembers the last `capacity` (source,
 * msg_id) pairs received (1000 by default) and reports repeats. Retransmissions of a message
 * whose ack was lost are thus acked again but delivered once. Pure, bounded memory.
 */

export class DuplicateFilter {
  readonly #seen = new Set<string>()
  readonly #order: string[] = []
  #head = 0

  constructor (readonly capacity = 1000) {}

  /** True if (source, msgId) was seen recently; otherwise records it and returns false. */
  seen (sourceKey: string, msgId: bigint): boolean {
    const key = `${sourceKey}/${msgId}`
    if (this.#seen.has(key)) return true
    this.#seen.add(key)
    this.#order.push(key)
    if (this.#order.length - this.#head > this.capacity) {
      this.#seen.delete(this.#order[this.#head]!)
      this.#head++
      if (this.#head > 4096 && this.#head * 2 > this.#order.length) {
        this.#order.splice(0, this.#head)
        this.#head = 0
      }
    }
    return false
  }

  get size (): number {
    return this.#seen.size
  }
}

/**
 * The simulator's event queue: a binary min-heap of events ordered by (timeUs, seq), with the
 * keys in typed arrays so it stays fast with 10^5–10^6 pending events (a heap of objects slows
 * five-fold there; docs/toolchain). Time is integer microseconds. Each event belongs to an owner
 * (a simulated node, or −1 for the world); `cancelOwner` drops every event of a crashed node in
 * O(1) by bumping the owner's epoch. Cancelled events are skipped lazily when they surface.
 * Never reads real time.
 */

export interface EventHandle {
  cancel (): void
}

export interface RunLimits {
  /** Stop before running an event later than this. */
  timeUsMax?: number
  /** Stop after this many events. */
  eventCountMax?: number
}

export const WORLD_OWNER = -1

export class EventQueue {
  #nowUs = 0
  #seq = 0
  #executed = 0
  // Per-slot event data.
  #timeUs = new Float64Array(1024)
  #order = new Float64Array(1024)
  #owner = new Int32Array(1024)
  #epoch = new Int32Array(1024)
  #generation = new Int32Array(1024)
  #fire: Array<(() => void) | null> = new Array(1024).fill(null)
  #freeSlots: number[] = []
  #slotCount = 0
  // The heap holds slot numbers.
  #heap = new Int32Array(1024)
  #heapSize = 0
  #live = 0
  readonly #ownerEpochs = new Map<number, number>()

  get nowUs (): number {
    return this.#nowUs
  }

  /** Events run so far. */
  get executed (): number {
    return this.#executed
  }

  /** Events scheduled and not yet run or cancelled. */
  get pending (): number {
    return this.#live
  }

  /** Schedules `fire` at `atUs` (not before now) on behalf of `owner`. */
  schedule (atUs: number, owner: number, fire: () => void): EventHandle {
    const timeUs = Math.max(Math.round(atUs), this.#nowUs)
    const slot = this.#allocateSlot()
    this.#timeUs[slot] = timeUs
    this.#order[slot] = this.#seq++
    this.#owner[slot] = owner
    this.#epoch[slot] = this.#ownerEpochs.get(owner) ?? 0
    this.#fire[slot] = fire
    const generation = this.#generation[slot]!
    this.#push(slot)
    this.#live++
    return {
      cancel: () => {
        if (this.#generation[slot] === generation && this.#fire[slot] !== null) {
          this.#fire[slot] = null
          this.#live--
        }
      }
    }
  }

  /** Drops every pending event of `owner` (a crash); later events it schedules run normally. */
  cancelOwner (owner: number): void {
    this.#ownerEpochs.set(owner, (this.#ownerEpochs.get(owner) ?? 0) + 1)
  }

  /** Runs the next live event; false when none is left. */
  runNext (limits: RunLimits = {}): boolean {
    while (this.#heapSize > 0) {
      const slot = this.#heap[0]!
      const timeUs = this.#timeUs[slot]!
      if (limits.timeUsMax !== undefined && timeUs > limits.timeUsMax) return false
      this.#pop()
      const fire = this.#fire[slot] ?? null
      const owner = this.#owner[slot]!
      const stale = fire === null || this.#epoch[slot] !== (this.#ownerEpochs.get(owner) ?? 0)
      this.#releaseSlot(slot)
      if (fire !== null) this.#live--
      if (stale) continue
      this.#nowUs = timeUs
      this.#executed++
      fire()
      return true
    }
    return false
  }

  /** Runs events until a limit or until none is left; returns the number run. */
  run (limits: RunLimits = {}): number {
    const start = this.#executed
    const countMax = limits.eventCountMax ?? Infinity
    while (this.#executed - start < countMax && this.runNext(limits)) { /* keep going */ }
    if (limits.timeUsMax !== undefined && this.#nowUs < limits.timeUsMax && (this.#executed - start) < countMax) {
      this.#nowUs = Math.max(this.#nowUs, Math.round(limits.timeUsMax))
    }
    return this.#executed - start
  }

  #allocateSlot (): number {
    const free = this.#freeSlots.pop()
    if (free !== undefined) return free
    if (this.#slotCount === this.#timeUs.length) this.#grow()
    return this.#slotCount++
  }

  #releaseSlot (slot: number): void {
    this.#fire[slot] = null
    this.#generation[slot] = (this.#generation[slot]! + 1) | 0
    this.#freeSlots.push(slot)
  }

  #grow (): void {
    const size = this.#timeUs.length * 2
    const grow64 = (a: Float64Array): Float64Array<ArrayBuffer> => { const b = new Float64Array(size); b.set(a); return b }
    const grow32 = (a: Int32Array): Int32Array<ArrayBuffer> => { const b = new Int32Array(size); b.set(a); return b }
    this.#timeUs = grow64(this.#timeUs)
    this.#order = grow64(this.#order)
    this.#owner = grow32(this.#owner)
    this.#epoch = grow32(this.#epoch)
    this.#generation = grow32(this.#generation)
    this.#heap = grow32(this.#heap)
    this.#fire.length = size
    this.#fire.fill(null, this.#slotCount)
  }

  #less (a: number, b: number): boolean {
    const ta = this.#timeUs[a]!
    const tb = this.#timeUs[b]!
    return ta < tb || (ta === tb && this.#order[a]! < this.#order[b]!)
  }

  #push (slot: number): void {
    const heap = this.#heap
    let i = this.#heapSize++
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.#less(slot, heap[parent]!)) break
      heap[i] = heap[parent]!
      i = parent
    }
    heap[i] = slot
  }

  #pop (): void {
    const heap = this.#heap
    const last = heap[--this.#heapSize]!
    const size = this.#heapSize
    let i = 0
    while (true) {
      const left = 2 * i + 1
      if (left >= size) break
      const right = left + 1
      const child = right < size && this.#less(heap[right]!, heap[left]!) ? right : left
      if (!this.#less(heap[child]!, last)) break
      heap[i] = heap[child]!
      i = child
    }
    if (size > 0) heap[i] = last
  }
}

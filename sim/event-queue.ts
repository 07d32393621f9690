/**
 * The simulator's event queue: a 4-ary min-heap of events ordered by (timeUs, seq). The heap's
 * keys (time and sequence number) live in typed arrays beside the slot numbers, so sifting
 * touches contiguous memory and stays fast with 10^5–10^6 pending events (a heap of objects
 * slows five-fold there; docs/toolchain). Time is integer microseconds; the sequence number
 * makes ties FIFO. Each event belongs to an owner (a simulated node ≥ 0, or −1 for the world);
 * `cancelOwner` drops every pending event of a crashed node in O(1) by bumping the owner's
 * epoch, and stale events are skipped when they surface. A rolling hash of every executed
 * (time, owner) pair lets a determinism check compare two runs. Never reads real time.
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

const INITIAL_SLOTS = 1024
const FNV_PRIME = 16777619
const TWO_POW_32 = 2 ** 32

export class EventQueue {
  #nowUs = 0
  #seq = 0
  #executed = 0
  #live = 0
  #hash = 2166136261
  // Heap entries: time and slot number in parallel arrays; the tie-breaking sequence number
  // lives with the slot, read only on equal times.
  #heapTimeUs = new Float64Array(INITIAL_SLOTS)
  #heapSlot = new Int32Array(INITIAL_SLOTS)
  #slotSeq = new Float64Array(INITIAL_SLOTS)
  #heapSize = 0
  // Per-slot event data.
  #slotOwner = new Int32Array(INITIAL_SLOTS)
  #slotEpoch = new Int32Array(INITIAL_SLOTS)
  #slotGeneration = new Int32Array(INITIAL_SLOTS)
  #slotFire: Array<((arg: unknown) => void) | null> = new Array<((arg: unknown) => void) | null>(INITIAL_SLOTS).fill(null)
  /** The argument each slot's fire is called with (`postWith`), undefined otherwise. */
  #slotArg: unknown[] = new Array<unknown>(INITIAL_SLOTS).fill(undefined)
  #freeSlots = new Int32Array(INITIAL_SLOTS)
  #freeCount = 0
  #slotCount = 0
  // Owner epochs, indexed by owner + 1 (the world is owner −1).
  #ownerEpochs = new Int32Array(64)

  get nowUs (): number {
    return this.#nowUs
  }

  /** Events run so far. */
  get executed (): number {
    return this.#executed
  }

  /** Events scheduled and not yet run or cancelled (events of crashed owners count until they surface). */
  get pending (): number {
    return this.#live
  }

  /** A rolling 32-bit hash of every (timeUs, owner) executed so far, as 8 hex digits. */
  get traceHash (): string {
    return (this.#hash >>> 0).toString(16).padStart(8, '0')
  }

  /** Schedules `fire` at `atUs` (not before now) on behalf of `owner`; returns a cancel handle. */
  schedule (atUs: number, owner: number, fire: () => void): EventHandle {
    const slot = this.#insert(atUs, owner, fire)
    return new SlotHandle(this, slot, this.#slotGeneration[slot]!)
  }

  /** Like `schedule`, without a handle: the cheaper form for events nobody cancels. */
  post (atUs: number, owner: number, fire: () => void): void {
    this.#insert(atUs, owner, fire)
  }

  /**
   * Like `post`, calling `fire(arg)`: a hot path passes one long-lived function and a record of
   * the event instead of making a closure per event.
   */
  postWith<A> (atUs: number, owner: number, fire: (arg: A) => void, arg: A): void {
    this.#slotArg[this.#insert(atUs, owner, fire as (arg: unknown) => void)] = arg
  }

  /** Drops every pending event of `owner` (a crash); events it schedules later run normally. */
  cancelOwner (owner: number): void {
    this.#ensureOwner(owner)
    this.#ownerEpochs[owner + 1]!++
  }

  /** @internal Used by handles. */
  cancelSlot (slot: number, generation: number): void {
    if (this.#slotGeneration[slot] === generation && this.#slotFire[slot] !== null) {
      this.#slotFire[slot] = null
      this.#live--
    }
  }

  /** Runs the next live event; false when none is left (or the next is after `timeUsMax`). */
  runNext (limits: RunLimits = {}): boolean {
    return this.#runNext(limits.timeUsMax ?? Infinity)
  }

  /** Runs events until a limit or until none is left; returns the number run. */
  run (limits: RunLimits = {}): number {
    const start = this.#executed
    const timeUsMax = limits.timeUsMax ?? Infinity
    const countMax = limits.eventCountMax ?? Infinity
    let ran = 0
    while (ran < countMax && this.#runNext(timeUsMax)) ran++
    if (timeUsMax !== Infinity && ran < countMax) this.advanceTo(timeUsMax)
    return this.#executed - start
  }

  /** Moves the clock forward to `timeUs` when no event is due before it (never backward). */
  advanceTo (timeUs: number): void {
    if (this.#heapSize > 0 && this.#heapTimeUs[0]! < timeUs) throw new Error(`advanceTo(${timeUs}) would skip an event at ${this.#heapTimeUs[0]}`)
    if (timeUs > this.#nowUs) this.#nowUs = Math.round(timeUs)
  }

  #runNext (timeUsMax: number): boolean {
    while (this.#heapSize > 0) {
      const timeUs = this.#heapTimeUs[0]!
      if (timeUs > timeUsMax) return false
      const slot = this.#heapSlot[0]!
      this.#popRoot()
      const fire = this.#slotFire[slot]!
      const arg = this.#slotArg[slot]
      const owner = this.#slotOwner[slot]!
      const stale = fire === null || this.#slotEpoch[slot] !== this.#ownerEpochs[owner + 1]
      this.#releaseSlot(slot)
      if (fire === null) continue
      this.#live--
      if (stale) continue
      this.#nowUs = timeUs
      this.#executed++
      let h = Math.imul(this.#hash ^ (timeUs >>> 0), FNV_PRIME)
      h = Math.imul(h ^ ((timeUs / TWO_POW_32) >>> 0), FNV_PRIME)
      this.#hash = Math.imul(h ^ owner, FNV_PRIME)
      fire(arg)
      return true
    }
    return false
  }

  #insert (atUs: number, owner: number, fire: (arg: unknown) => void): number {
    const timeUs = atUs > this.#nowUs ? Math.round(atUs) : this.#nowUs
    if (owner + 1 >= this.#ownerEpochs.length) this.#ensureOwner(owner)
    const slot = this.#freeCount > 0 ? this.#freeSlots[--this.#freeCount]! : this.#newSlot()
    this.#slotOwner[slot] = owner
    this.#slotEpoch[slot] = this.#ownerEpochs[owner + 1]!
    this.#slotFire[slot] = fire
    this.#slotSeq[slot] = this.#seq++
    this.#live++
    this.#siftUp(timeUs, slot)
    return slot
  }

  #newSlot (): number {
    if (this.#slotCount === this.#slotOwner.length) this.#grow()
    return this.#slotCount++
  }

  #releaseSlot (slot: number): void {
    this.#slotFire[slot] = null
    this.#slotArg[slot] = undefined
    this.#slotGeneration[slot] = (this.#slotGeneration[slot]! + 1) | 0
    this.#freeSlots[this.#freeCount++] = slot
  }

  #ensureOwner (owner: number): void {
    if (!(Number.isInteger(owner) && owner >= -1)) throw new RangeError(`event owner ${owner}`)
    if (owner + 1 < this.#ownerEpochs.length) return
    const epochs = new Int32Array(Math.max(2 * this.#ownerEpochs.length, owner + 2))
    epochs.set(this.#ownerEpochs)
    this.#ownerEpochs = epochs
  }

  #grow (): void {
    const size = this.#slotOwner.length * 2
    this.#heapTimeUs = grow(new Float64Array(size), this.#heapTimeUs)
    this.#slotSeq = grow(new Float64Array(size), this.#slotSeq)
    this.#heapSlot = grow(new Int32Array(size), this.#heapSlot)
    this.#slotOwner = grow(new Int32Array(size), this.#slotOwner)
    this.#slotEpoch = grow(new Int32Array(size), this.#slotEpoch)
    this.#slotGeneration = grow(new Int32Array(size), this.#slotGeneration)
    this.#freeSlots = grow(new Int32Array(size), this.#freeSlots)
    this.#slotFire.length = size
    this.#slotFire.fill(null, this.#slotCount)
    this.#slotArg.length = size
    this.#slotArg.fill(undefined, this.#slotCount)
  }

  #siftUp (timeUs: number, slot: number): void {
    const times = this.#heapTimeUs
    const slots = this.#heapSlot
    const seqs = this.#slotSeq
    let i = this.#heapSize++
    while (i > 0) {
      const parent = (i - 1) >> 2
      const parentTimeUs = times[parent]!
      if (parentTimeUs < timeUs || (parentTimeUs === timeUs && seqs[slots[parent]!]! < seqs[slot]!)) break
      times[i] = parentTimeUs
      slots[i] = slots[parent]!
      i = parent
    }
    times[i] = timeUs
    slots[i] = slot
  }

  #popRoot (): void {
    const size = --this.#heapSize
    if (size === 0) return
    const times = this.#heapTimeUs
    const slots = this.#heapSlot
    const seqs = this.#slotSeq
    const timeUs = times[size]!
    const slot = slots[size]!
    let i = 0
    while (true) {
      const first = 4 * i + 1
      if (first >= size) break
      // The smallest of up to four children.
      let child = first
      let childTimeUs = times[first]!
      const last = first + 4 < size ? first + 4 : size
      for (let c = first + 1; c < last; c++) {
        const t = times[c]!
        if (t < childTimeUs || (t === childTimeUs && seqs[slots[c]!]! < seqs[slots[child]!]!)) { child = c; childTimeUs = t }
      }
      if (timeUs < childTimeUs || (timeUs === childTimeUs && seqs[slot]! < seqs[slots[child]!]!)) break
      times[i] = childTimeUs
      slots[i] = slots[child]!
      i = child
    }
    times[i] = timeUs
    slots[i] = slot
  }
}

class SlotHandle implements EventHandle {
  constructor (private readonly queue: EventQueue, private readonly slot: number, private readonly generation: number) {}

  cancel (): void {
    this.queue.cancelSlot(this.slot, this.generation)
  }
}

function grow<A extends Float64Array | Int32Array> (into: A, from: A): A {
  into.set(from)
  return into
}

/**
 * One direction of a simulated node's access link: a FIFO with a fixed bit rate. A datagram
 * waits until the link is free, then takes `wireBytes × 8 / rate` to serialize; if it would wait
 * longer than the queue limit it is dropped at the tail, as a router's buffer would. Pure
 * arithmetic over the times it is given; never schedules events itself.
 */

export interface AccessLinkRate {
  /** Link rate, bits/s; Infinity means no serialization or queueing delay. */
  readonly bitsPerSecond: number
  /** Longest a datagram may wait for the link before it is dropped, µs. */
  readonly queueLimitUs: number
}

export class AccessLink {
  #freeAtUs = 0
  #usPerByte: number

  constructor (private rate: AccessLinkRate) {
    this.#usPerByte = usPerByte(rate.bitsPerSecond)
  }

  get bitsPerSecond (): number {
    return this.rate.bitsPerSecond
  }

  get unlimited (): boolean {
    return this.#usPerByte === 0
  }

  setRate (rate: AccessLinkRate): void {
    this.rate = rate
    this.#usPerByte = usPerByte(rate.bitsPerSecond)
  }

  /**
   * Puts `wireBytes` on the link at `nowUs`; returns when the last bit leaves (integer µs), or
   * −1 when the queue is over its limit and the datagram is dropped.
   */
  transmit (nowUs: number, wireBytes: number): number {
    if (this.#usPerByte === 0) return nowUs
    const startUs = Math.max(nowUs, this.#freeAtUs)
    if (startUs - nowUs > this.rate.queueLimitUs) return -1
    const endUs = startUs + this.serializeUs(wireBytes)
    this.#freeAtUs = endUs
    return endUs
  }

  /** Time `wireBytes` take to serialize on this link, µs (0 when unlimited). */
  serializeUs (wireBytes: number): number {
    return this.#usPerByte === 0 ? 0 : Math.max(1, Math.ceil(wireBytes * this.#usPerByte))
  }

  /** Queueing delay a datagram sent now would see, µs. */
  backlogUs (nowUs: number): number {
    return Math.max(0, this.#freeAtUs - nowUs)
  }

  /** Forgets queued traffic (the node crashed; its buffers are gone). */
  reset (): void {
    this.#freeAtUs = 0
  }
}

function usPerByte (bitsPerSecond: number): number {
  if (!(bitsPerSecond > 0)) throw new RangeError(`link rate ${bitsPerSecond} bits/s must be > 0`)
  return bitsPerSecond === Infinity ? 0 : 8e6 / bitsPerSecond
}

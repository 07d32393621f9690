/**
 * A simulated node's view of time: the `Clock` interface over the shared event queue. Time
 * starts at `epochMs` (so msg ids and logs look like wall-clock values) and advances only as
 * events run. Timers belong to the node, so crashing it cancels them.
 */
import type { Clock, Timer } from '../src/env/clock.ts'
import type { EventQueue } from './event-queue.ts'

/** 2026-01-01T00:00:00Z: the default start of simulated time. */
export const DEFAULT_EPOCH_MS = 1_767_225_600_000

export class SimClock implements Clock {
  constructor (
    private readonly queue: EventQueue,
    readonly owner: number,
    private readonly epochMs: number = DEFAULT_EPOCH_MS
  ) {}

  nowMs (): number {
    return this.epochMs + this.queue.nowUs / 1000
  }

  setTimer (delayMs: number, fire: () => void): Timer {
    const delayUs = delayMs > 0 ? Math.round(delayMs * 1000) : 0
    return this.queue.schedule(this.queue.nowUs + delayUs, this.owner, fire)
  }
}

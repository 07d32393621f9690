/**
 * Time and timers, injected. Protocol code reads time and schedules work only through a Clock,
 * so the same code runs on the system clock and inside the simulator's event queue.
 * Real implementation: `system-clock.ts`. Simulated: `sim/sim-clock.ts`.
 */

export interface Timer {
  /** Stops the timer; harmless if it already fired or was cancelled. */
  cancel (): void
}

export interface Clock {
  /**
   * Milliseconds since the Unix epoch (the simulator starts at a configured epoch). Never
   * decreases. May carry a fraction of a millisecond.
   */
  nowMs (): number
  /**
   * Calls `fire` once, no earlier than `delayMs` from now. A delay ≤ 0 runs after the current
   * event and everything already due, never re-entrantly inside the caller.
   */
  setTimer (delayMs: number, fire: () => void): Timer
}

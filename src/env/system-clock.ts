/**
 * The real clock: epoch milliseconds from a monotonic source, timers on Node's event loop.
 * One of the few modules allowed to touch real time and timers.
 */
import { performance } from 'node:perf_hooks'
import type { Clock, Timer } from './clock.ts'

export class SystemClock implements Clock {
  nowMs (): number {
    return performance.timeOrigin + performance.now()
  }

  setTimer (delayMs: number, fire: () => void): Timer {
    if (delayMs <= 0) {
      const handle = setImmediate(fire)
      return { cancel: () => clearImmediate(handle) }
    }
    const handle = setTimeout(fire, delayMs)
    return { cancel: () => clearTimeout(handle) }
  }
}

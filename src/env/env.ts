/**
 * The environment bundle every protocol component receives: clock with timers, seeded random
 * source, datagram port and logger. Only the real implementations (`system-clock.ts`,
 * `udp-port.ts`, `console-logger.ts`) touch wall time, timers, sockets or the console.
 */
import type { Clock } from './clock.ts'
import type { DatagramPort } from './datagram-port.ts'
import type { Logger } from './logger.ts'
import type { Rng } from './rng.ts'

export interface Env {
  readonly clock: Clock
  readonly rng: Rng
  readonly port: DatagramPort
  readonly log: Logger
}

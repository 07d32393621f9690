/**
 * A datagram port wrapper that impairs what it sends: loss, duplication and extra delay with
 * jitter (which reorders), drawn from the injected seeded Rng and timed by the injected Clock.
 * This is how wide-area conditions are emulated in user space (this kernel has no netem) and
 * how transport tests inject faults; it runs the same over real UDP and in the simulator.
 * Enabled only when a caller wraps a port in it explicitly.
 */
import type { Clock, Timer } from './clock.ts'
import type { DatagramPort, DatagramReceiver } from './datagram-port.ts'
import type { Rng } from './rng.ts'
import type { NodeAddress } from '../ids/node-address.ts'

export interface Impairment {
  /** Probability that a datagram is dropped. @default 0 */
  lossProbability: number
  /** Probability that a datagram is sent twice (each copy delayed independently). @default 0 */
  duplicateProbability: number
  /** Added one-way delay, ms. @default 0 */
  delayMs: number
  /** Extra delay drawn uniformly from [0, jitterMs), ms. @default 0 */
  jitterMs: number
}

export interface ImpairmentStats {
  sent: number
  dropped: number
  duplicated: number
}

export class ImpairedPort implements DatagramPort {
  readonly impairment: Impairment
  readonly stats: ImpairmentStats = { sent: 0, dropped: 0, duplicated: 0 }
  readonly #pending = new Set<Timer>()

  constructor (
    private readonly inner: DatagramPort,
    private readonly env: { clock: Clock, rng: Rng },
    impairment: Partial<Impairment>
  ) {
    this.impairment = { lossProbability: 0, duplicateProbability: 0, delayMs: 0, jitterMs: 0, ...impairment }
  }

  get local (): NodeAddress {
    return this.inner.local
  }

  send (target: NodeAddress, bytes: Uint8Array): void {
    this.stats.sent++
    const { rng } = this.env
    if (this.impairment.lossProbability > 0 && rng.float() < this.impairment.lossProbability) {
      this.stats.dropped++
      return
    }
    const copies = this.impairment.duplicateProbability > 0 && rng.float() < this.impairment.duplicateProbability ? 2 : 1
    if (copies === 2) this.stats.duplicated++
    for (let i = 0; i < copies; i++) {
      const delayMs = this.impairment.delayMs + (this.impairment.jitterMs > 0 ? rng.float() * this.impairment.jitterMs : 0)
      if (delayMs <= 0) { this.inner.send(target, bytes); continue }
      const payload = bytes.slice()
      const timer = this.env.clock.setTimer(delayMs, () => {
        this.#pending.delete(timer)
        this.inner.send(target, payload)
      })
      this.#pending.add(timer)
    }
  }

  setReceiver (receive: DatagramReceiver): void {
    this.inner.setReceiver(receive)
  }

  close (): void {
    for (const timer of this.#pending) timer.cancel()
    this.#pending.clear()
    this.inner.close()
  }
}

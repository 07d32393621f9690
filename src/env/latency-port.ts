/**
 * A datagram port wrapper that emulates a wide-area topology in user space (this kernel has no
 * netem): every datagram sent to a peer is held for the one-way delay between this node's model
 * host and the peer's (from a latency matrix, as the simulator reads it, with the simulator's
 * same-site delay where the matrix says 0), and dropped with a given probability. Datagrams to
 * one peer leave in the order they were sent (a FIFO per peer, one timer per non-empty FIFO).
 * Peers the host map does not know are sent at once and counted (`unmapped`). Timers come only
 * from the injected Clock and loss draws only from the injected Rng, so it runs the same on the
 * system clock and under a fake clock in tests. Enabled only when a caller wraps a port in it;
 * it never delays what it receives and never reads files (the caller loads the matrix).
 */
import type { Clock, Timer } from './clock.ts'
import type { DatagramPort, DatagramReceiver } from './datagram-port.ts'
import type { Rng } from './rng.ts'
import { addressKey, type NodeAddress } from '../ids/node-address.ts'

/** One-way delays between model hosts, µs (the simulator's NetworkModel satisfies this). */
export interface LatencyMatrix {
  readonly hostCount: number
  oneWayUs (source: number, target: number): number
}

export interface LatencyPortConfig {
  matrix: LatencyMatrix
  /** This node's host in the matrix. */
  selfHost: number
  /** A peer's host in the matrix, or undefined when the peer is not part of the emulated topology. */
  hostOf: (peer: NodeAddress) => number | undefined
  /** Probability that a datagram to a mapped peer is dropped. @default 0 */
  lossProbability?: number
  /** One-way delay where the matrix says 0 (same host or site), µs; the simulator's default. @default 250 */
  sameSiteUs?: number
  /**
   * A held datagram leaves when its due time is at most this far ahead of the clock, ms, so a
   * timer that fires a little early (real timers keep whole milliseconds) does not re-arm for
   * a sliver. @default 0.5
   */
  earlyToleranceMs?: number
}

export interface LatencyPortStats {
  /** Datagrams handed to send(). */
  sent: number
  /** Datagrams passed on to the inner port after their delay. */
  delivered: number
  /** Datagrams dropped by the emulated loss. */
  dropped: number
  /** Datagrams to peers outside the host map, sent at once without delay or loss. */
  unmapped: number
  /** Datagrams held when the port was closed. */
  discardedAtClose: number
}

interface Held { dueMs: number, bytes: Uint8Array }

interface PeerQueue {
  readonly target: NodeAddress
  readonly items: Held[]
  head: number
  timer: Timer | null
}

export class LatencyPort implements DatagramPort {
  readonly stats: LatencyPortStats = { sent: 0, delivered: 0, dropped: 0, unmapped: 0, discardedAtClose: 0 }
  readonly #queues = new Map<string, PeerQueue>()
  readonly #lossProbability: number
  readonly #sameSiteUs: number
  readonly #toleranceMs: number
  #closed = false

  constructor (
    private readonly inner: DatagramPort,
    private readonly env: { clock: Clock, rng: Rng },
    private readonly config: LatencyPortConfig
  ) {
    const { matrix, selfHost } = config
    if (!(Number.isInteger(selfHost) && selfHost >= 0 && selfHost < matrix.hostCount)) {
      throw new RangeError(`host index ${selfHost} is outside the matrix's hosts 0 … ${matrix.hostCount - 1}`)
    }
    this.#lossProbability = config.lossProbability ?? 0
    if (!(this.#lossProbability >= 0 && this.#lossProbability < 1)) throw new RangeError(`loss probability must be in [0, 1), got ${this.#lossProbability}`)
    this.#sameSiteUs = config.sameSiteUs ?? 250
    this.#toleranceMs = config.earlyToleranceMs ?? 0.5
  }

  get local (): NodeAddress {
    return this.inner.local
  }

  /** The emulated one-way delay to a peer, ms, or null when the peer is unmapped. */
  delayToMs (peer: NodeAddress): number | null {
    const host = this.config.hostOf(peer)
    if (host === undefined || !(host >= 0 && host < this.config.matrix.hostCount)) return null
    const us = this.config.matrix.oneWayUs(this.config.selfHost, host)
    return (us > 0 ? us : this.#sameSiteUs) / 1000
  }

  /** Datagrams currently held for their delay. */
  get held (): number {
    let count = 0
    for (const q of this.#queues.values()) count += q.items.length - q.head
    return count
  }

  send (target: NodeAddress, bytes: Uint8Array): void {
    if (this.#closed) return
    this.stats.sent++
    const delayMs = this.delayToMs(target)
    if (delayMs === null) {
      this.stats.unmapped++
      this.inner.send(target, bytes)
      return
    }
    if (this.#lossProbability > 0 && this.env.rng.float() < this.#lossProbability) {
      this.stats.dropped++
      return
    }
    const key = addressKey(target)
    let queue = this.#queues.get(key)
    if (queue === undefined) {
      queue = { target, items: [], head: 0, timer: null }
      this.#queues.set(key, queue)
    }
    const last = queue.items.length > queue.head ? queue.items[queue.items.length - 1]!.dueMs : -Infinity
    // A later datagram never overtakes an earlier one to the same peer.
    const dueMs = Math.max(this.env.clock.nowMs() + delayMs, last)
    queue.items.push({ dueMs, bytes: bytes.slice() })
    if (queue.timer === null) this.#arm(key, queue)
  }

  setReceiver (receive: DatagramReceiver): void {
    this.inner.setReceiver(receive)
  }

  close (): void {
    if (this.#closed) return
    this.#closed = true
    for (const queue of this.#queues.values()) {
      queue.timer?.cancel()
      this.stats.discardedAtClose += queue.items.length - queue.head
    }
    this.#queues.clear()
    this.inner.close()
  }

  #arm (key: string, queue: PeerQueue): void {
    const head = queue.items[queue.head]!
    queue.timer = this.env.clock.setTimer(head.dueMs - this.env.clock.nowMs(), () => this.#release(key, queue))
  }

  #release (key: string, queue: PeerQueue): void {
    queue.timer = null
    if (this.#closed) return
    const limitMs = this.env.clock.nowMs() + this.#toleranceMs
    while (queue.head < queue.items.length && queue.items[queue.head]!.dueMs <= limitMs) {
      const item = queue.items[queue.head]!
      queue.head++
      this.stats.delivered++
      this.inner.send(queue.target, item.bytes)
    }
    if (queue.head === queue.items.length) {
      this.#queues.delete(key)
      return
    }
    if (queue.head > 64 && queue.head * 2 > queue.items.length) {
      queue.items.splice(0, queue.head)
      queue.head = 0
    }
    this.#arm(key, queue)
  }
}

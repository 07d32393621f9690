/**
 * A simulated world: one event queue, one wide-area network, and numbered nodes that run the
 * project's real protocol code over simulated environments (clock, timers, datagram port,
 * Rng derived from the run seed and the node's index and incarnation). It owns each node's life
 * cycle — start, graceful stop, crash, restart with its storage kept — and runs the queue under
 * limits, failing loudly when the workload is unfinished but no event is left. Never touches
 * real time; two worlds can run side by side in one process.
 */
import type { Env } from '../src/env/env.ts'
import { silentLogger, type Logger, type LogLevel } from '../src/env/logger.ts'
import { deriveSeed, SeededRng, type Rng } from '../src/env/rng.ts'
import { addressKey, type NodeAddress } from '../src/ids/node-address.ts'
import { EventQueue, WORLD_OWNER, type EventHandle } from './event-queue.ts'
import type { NetworkModel } from './net/network-model.ts'
import { SimNetwork, type SimNetworkOptions } from './net/sim-network.ts'
import { DEFAULT_EPOCH_MS, SimClock } from './sim-clock.ts'

export interface WorldOptions {
  /** The run seed; every random draw of the run derives from it. */
  seed: string
  model: NetworkModel
  network?: Partial<SimNetworkOptions>
  /** Wall-clock value of simulated time 0, ms. @default 2026-01-01T00:00:00Z */
  epochMs?: number
  /** Receives every node's log entries with simulated time; @default discard */
  logSink?: (entry: SimLogEntry) => void
}

export interface SimLogEntry {
  timeUs: number
  node: number
  level: LogLevel
  event: string
  fields: Record<string, unknown>
}

/** What a node's code receives when it starts. */
export interface NodeContext {
  readonly node: number
  /** 0 on the first start, +1 on every restart. */
  readonly incarnation: number
  readonly address: NodeAddress
  readonly env: Env
  /** Survives crashes and restarts: the node's "disk". */
  readonly storage: Map<string, unknown>
}

/** A running node's code, as the world sees it. */
export interface SimNodeApp {
  /** Graceful shutdown; not called on a crash. */
  stop?(): void
}

export type NodeFactory = (context: NodeContext) => SimNodeApp | undefined

export interface NodeSpec {
  factory: NodeFactory
  /** Model host; @default node index modulo the model's host count */
  host?: number
  /** @default 10.x.y.z:3630 derived from the node index */
  address?: NodeAddress
}

export type NodeState = 'new' | 'up' | 'stopped' | 'crashed'

interface NodeRecord {
  readonly spec: NodeSpec
  readonly address: NodeAddress
  readonly storage: Map<string, unknown>
  state: NodeState
  incarnation: number
  app: SimNodeApp | undefined
}

export interface WorldRunOptions {
  /** Run until this simulated time, µs (the clock then reads exactly this). */
  untilUs?: number
  eventCountMax?: number
  /** The workload's own "finished" test; the run stops when it holds. */
  done?: () => boolean
  /** Called about every `progressEveryEvents` events (terminal progress). */
  progress?: (status: RunStatus) => void
  /** @default 200_000 */
  progressEveryEvents?: number
}

export interface RunStatus {
  nowUs: number
  executed: number
  pending: number
  nodesUp: number
}

/** The run ran out of events while the workload still had work pending. */
export class StalledRunError extends Error {
  override name = 'StalledRunError'
}

export class World {
  readonly seed: string
  readonly queue = new EventQueue()
  readonly network: SimNetwork
  /** Randomness for workloads and churn (never shared with nodes). */
  readonly rng: Rng
  readonly #nodes: NodeRecord[] = []
  readonly #byAddress = new Map<string, number>()
  readonly #epochMs: number
  readonly #logSink: ((entry: SimLogEntry) => void) | undefined

  constructor (options: WorldOptions) {
    this.seed = options.seed
    this.rng = new SeededRng(deriveSeed(options.seed, 'world'))
    this.network = new SimNetwork(this.queue, options.model, new SeededRng(deriveSeed(options.seed, 'network')), options.network)
    this.#epochMs = options.epochMs ?? DEFAULT_EPOCH_MS
    this.#logSink = options.logSink
  }

  get nowUs (): number {
    return this.queue.nowUs
  }

  get nodeCount (): number {
    return this.#nodes.length
  }

  /** Adds a node (not started); returns its index. */
  addNode (spec: NodeSpec): number {
    const node = this.#nodes.length
    const host = spec.host ?? node % this.network.model.hostCount
    const address = spec.address ?? defaultAddress(node)
    if (this.#byAddress.has(addressKey(address))) throw new Error(`address ${addressKey(address)} is taken by node ${this.#byAddress.get(addressKey(address))}`)
    this.network.addNode(node, host)
    this.#byAddress.set(addressKey(address), node)
    this.#nodes.push({ spec, address, storage: new Map(), state: 'new', incarnation: -1, app: undefined })
    return node
  }

  state (node: number): NodeState {
    return this.#record(node).state
  }

  isUp (node: number): boolean {
    return this.#record(node).state === 'up'
  }

  address (node: number): NodeAddress {
    return this.#record(node).address
  }

  /** The node that owns `address`, if any. */
  nodeAt (address: NodeAddress): number | undefined {
    return this.#byAddress.get(addressKey(address))
  }

  app<T extends SimNodeApp> (node: number): T | undefined {
    return this.#record(node).app as T | undefined
  }

  upNodes (): number[] {
    const up: number[] = []
    for (let i = 0; i < this.#nodes.length; i++) if (this.#nodes[i]!.state === 'up') up.push(i)
    return up
  }

  /** Starts (or restarts) a node: a fresh port, clock and Rng; its storage is kept. */
  start (node: number): void {
    const record = this.#record(node)
    if (record.state === 'up') throw new Error(`node ${node} is already up`)
    record.incarnation++
    const port = this.network.open(node, record.address)
    const env: Env = {
      clock: new SimClock(this.queue, node, this.#epochMs),
      rng: new SeededRng(deriveSeed(this.seed, `node:${node}:${record.incarnation}`)),
      port,
      log: this.#logger(node)
    }
    record.state = 'up'
    record.app = record.spec.factory({ node, incarnation: record.incarnation, address: record.address, env, storage: record.storage })
  }

  /** Graceful stop: the node's `stop` runs, then its timers and in-flight deliveries are dropped. */
  stop (node: number): void {
    const record = this.#record(node)
    if (record.state !== 'up') return
    record.app?.stop?.()
    this.#takeDown(node, record, 'stopped')
  }

  /** Crash: no callback; timers, queued link traffic and datagrams in flight to it vanish. */
  crash (node: number): void {
    const record = this.#record(node)
    if (record.state !== 'up') return
    this.#takeDown(node, record, 'crashed')
  }

  /** Schedules a world event at simulated time `atUs`. */
  at (atUs: number, fire: () => void): EventHandle {
    return this.queue.schedule(atUs, WORLD_OWNER, fire)
  }

  /** Like `at`, without a handle: the cheaper form for events nobody cancels. */
  post (atUs: number, fire: () => void): void {
    this.queue.post(atUs, WORLD_OWNER, fire)
  }

  /** Schedules a world event `delayUs` from now. */
  after (delayUs: number, fire: () => void): EventHandle {
    return this.queue.schedule(this.queue.nowUs + delayUs, WORLD_OWNER, fire)
  }

  /**
   * Runs events until `done()` holds, `untilUs` is reached or `eventCountMax` events ran.
   * Throws StalledRunError when no event is left but `done()` is still false.
   */
  run (options: WorldRunOptions = {}): RunStatus {
    const { untilUs, done, progress } = options
    const everyEvents = options.progressEveryEvents ?? 200_000
    const limits = { timeUsMax: untilUs }
    let remaining = options.eventCountMax ?? Infinity
    let sinceProgress = 0
    while (remaining > 0) {
      if (done?.() === true) return this.status()
      if (done === undefined) {
        const batch = Math.min(remaining, everyEvents - sinceProgress)
        const ran = this.queue.run({ timeUsMax: untilUs, eventCountMax: batch })
        remaining -= ran
        sinceProgress += ran
        if (sinceProgress >= everyEvents) { sinceProgress = 0; progress?.(this.status()) }
        if (ran < batch) break
        continue
      }
      if (!this.queue.runNext(limits)) {
        if (this.queue.pending === 0) {
          throw new StalledRunError(`no events left at t=${this.queue.nowUs} µs but the workload is not done (seed=${this.seed})`)
        }
        this.queue.advanceTo(untilUs!)
        break
      }
      remaining--
      if (++sinceProgress >= everyEvents) { sinceProgress = 0; progress?.(this.status()) }
    }
    return this.status()
  }

  status (): RunStatus {
    let nodesUp = 0
    for (const record of this.#nodes) if (record.state === 'up') nodesUp++
    return { nowUs: this.queue.nowUs, executed: this.queue.executed, pending: this.queue.pending, nodesUp }
  }

  #takeDown (node: number, record: NodeRecord, state: NodeState): void {
    this.queue.cancelOwner(node)
    this.network.close(node)
    record.state = state
    record.app = undefined
  }

  #logger (node: number): Logger {
    const sink = this.#logSink
    if (sink === undefined) return silentLogger
    return { log: (level, event, fields = {}) => sink({ timeUs: this.queue.nowUs, node, level, event, fields }) }
  }

  #record (node: number): NodeRecord {
    const record = this.#nodes[node]
    if (record === undefined) throw new RangeError(`unknown node ${node}`)
    return record
  }
}

/** 10.a.b.c:3630 with a.b.c the node index + 1 in base 256. */
export function defaultAddress (node: number): NodeAddress {
  const n = node + 1
  return { host: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, port: 3630 }
}

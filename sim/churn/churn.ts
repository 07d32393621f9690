/**
 * Churn: nodes leave after session times drawn from a distribution and either come back (the
 * same node, storage kept, after a downtime) or are replaced at once by a fresh node with a new
 * address and identity (Bamboo's churn experiment: Poisson departures, constant population).
 * Drives only the World's life-cycle calls through world events, drawing from its own Rng
 * forked from the world's; never touches node internals.
 */
import type { Rng } from '../../src/env/rng.ts'
import type { World } from '../world.ts'
import type { SessionTimes } from './session-times.ts'

export interface ChurnOptions {
  /** How long a node stays up each time. */
  sessions: SessionTimes
  /** 'replace': a fresh node takes a departed node's place at once; 'restart': it returns after a downtime. */
  mode: 'replace' | 'restart'
  /** Downtime before a restart; @default the session distribution */
  downtimes?: SessionTimes
  /** How nodes leave. @default 'crash' */
  departure?: 'crash' | 'stop'
  /** No departures before this simulated time, µs. @default now */
  fromUs?: number
  /** No departures or arrivals from this simulated time on, µs. @default never */
  untilUs?: number
}

export interface ChurnStats {
  departures: number
  arrivals: number
}

/** Makes and starts a replacement for `departed`; returns the new node's index. */
export type SpawnReplacement = (departed: number) => number

export class Churn {
  readonly stats: ChurnStats = { departures: 0, arrivals: 0 }
  readonly #rng: Rng
  #stopped = false

  constructor (
    private readonly world: World,
    readonly options: ChurnOptions,
    private readonly spawn: SpawnReplacement | null = null
  ) {
    if (options.mode === 'replace' && spawn === null) throw new Error('churn mode "replace" needs a spawn function')
    this.#rng = world.rng.fork('churn')
  }

  /** Puts `nodes` (up now) under churn: each gets its first session from `fromUs`. */
  start (nodes: readonly number[]): void {
    const fromUs = Math.max(this.options.fromUs ?? this.world.nowUs, this.world.nowUs)
    for (const node of nodes) this.#scheduleDeparture(node, fromUs)
  }

  /** No further departures or arrivals. */
  stop (): void {
    this.#stopped = true
  }

  #active (atUs: number): boolean {
    return !this.#stopped && (this.options.untilUs === undefined || atUs < this.options.untilUs)
  }

  #scheduleDeparture (node: number, fromUs: number): void {
    const atUs = fromUs + this.options.sessions.nextSessionUs(this.#rng)
    if (!this.#active(atUs)) return
    this.world.at(atUs, () => this.#depart(node))
  }

  #depart (node: number): void {
    if (!this.#active(this.world.nowUs) || !this.world.isUp(node)) return
    if (this.options.departure === 'stop') this.world.stop(node)
    else this.world.crash(node)
    this.stats.departures++
    if (this.options.mode === 'replace') {
      const fresh = this.spawn!(node)
      this.stats.arrivals++
      this.#scheduleDeparture(fresh, this.world.nowUs)
      return
    }
    const downtimes = this.options.downtimes ?? this.options.sessions
    const backUs = this.world.nowUs + downtimes.nextSessionUs(this.#rng)
    if (!this.#active(backUs)) return
    this.world.at(backUs, () => {
      if (!this.#active(this.world.nowUs) || this.world.isUp(node)) return
      this.world.start(node)
      this.stats.arrivals++
      this.#scheduleDeparture(node, this.world.nowUs)
    })
  }
}

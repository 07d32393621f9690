/**
 * Per-node Vivaldi state with Bamboo's update rule for 2.5-D coordinates (`SpecialVC.update`,
 * driven by `Vivaldi.handleAddSample`), as OpenDHT ran it (`vc_type 2.5d`). Pure: no I/O, no
 * timers, no clock; randomness only from the injected Rng. The caller measures RTTs and carries
 * coordinates in messages.
 *
 * Reproduced from the Java, in the same double-precision operation order (so a run matches
 * Bamboo's numbers given the same random directions):
 *  - Latency fed to the spring is one-way: RTT / 2 (Vivaldi.java halves every ping RTT).
 *  - A plain spring step, NOT the error-weighted adaptive timestep of the Vivaldi papers:
 *      dist  = ‖plane difference‖ + |h_remote| + |h_local|
 *      dir   = ((x_r − x)/dist, (y_r − y)/dist, −(h_r + h)/dist)   (not unit length in general)
 *      d     = dist − rtt/2
 *      δ     = max(δ − 0.025, 0.05)        (δ starts at 1.0; decremented before use)
 *      c[i] += dir[i]·d·δ, then height = max(height, 0.5)
 *    Too far (d > 0) pulls us toward the remote and lowers our height; too close pushes us away
 *    and raises it.
 *  - When dist is exactly 0 (both points on the same spot with zero heights, e.g. two fresh
 *    nodes at the origin) the direction is a random unit vector over all three values, drawn as
 *    Bamboo does: each component uniform in [−0.5, 0.5), then normalized.
 *  - Every node starts at the origin with height 0 (it is clamped to 0.5 by the first sample).
 *
 * There is no cc/ce constant, no error estimate (local or remote: none is kept and none is on the
 * wire), no per-neighbour sample history, no percentile filter and no RTT cap in Bamboo's
 * Vivaldi; none is invented here. `sample` accepts a remoteError argument only so callers shaped
 * for error-weighted Vivaldi compile; it is ignored.
 *
 * Deliberately not reproduced / added:
 *  - Guards Bamboo lacks, so that no NaN or Infinity can ever enter the state: a sample is
 *    rejected (state untouched, δ not decremented) if the RTT is negative, non-finite or above
 *    `maxRttMs`, if a remote value's magnitude exceeds `maxCoordinateMs`, or if the resulting
 *    coordinate would. Bamboo cannot see such RTTs anyway (its pings time out after 60 s).
 *  - A random direction of zero length is redrawn (Java would divide by zero).
 *  - The Random is the injected Rng, not java.lang.Math.random, so streams differ from Java's.
 *  - Stage concerns stay with the caller: `update_start` gating, version filtering, choosing
 *    whom to sample (LocateNodeMsg to a random ID, reverse ping), the 3-D and 5-D classes.
 */
import type { Rng } from '../env/rng.ts'
import { VivaldiCoordinate } from './vivaldi-coordinate.ts'

export { VivaldiCoordinate, VIVALDI_WIRE_VALUES } from './vivaldi-coordinate.ts'

export interface VivaldiConfig {
  /** Damping factor δ before the first sample (Bamboo `_delta`). Unitless. @default 1.0 */
  initialDelta: number
  /** Amount δ decreases by on every sample, before use. Unitless. @default 0.025 */
  deltaStep: number
  /** Floor of δ, reached after 38 samples with the defaults. Unitless. @default 0.05 */
  minDelta: number
  /** Minimum height of our own coordinate after a sample, ms (one-way). @default 0.5 */
  minHeightMs: number
  /**
   * Samples with a larger RTT are rejected, ms. Not a Bamboo filter: its sampling pings carry
   * Network's 60 s deadline, so it never sees larger RTTs; here it also bounds the state.
   * @default 60000
   */
  maxRttMs: number
  /**
   * Sanity bound on every coordinate value (remote and resulting local), ms. Not in Bamboo; keeps
   * hostile or corrupt remote coordinates from driving the state to overflow. @default 1000000
   */
  maxCoordinateMs: number
}

export const DEFAULT_VIVALDI_CONFIG: Readonly<VivaldiConfig> = Object.freeze({
  initialDelta: 1.0,
  deltaStep: 0.025,
  minDelta: 0.05,
  minHeightMs: 0.5,
  maxRttMs: 60_000,
  maxCoordinateMs: 1_000_000
})

/** Why `sample` did or did not change the state. */
export type VivaldiSampleOutcome = 'applied' | 'bad-rtt' | 'bad-remote' | 'out-of-range'

export class VivaldiState {
  readonly config: Readonly<VivaldiConfig>
  readonly #rng: Rng
  #coordinate: VivaldiCoordinate
  #delta: number
  #samples = 0
  #rejected = 0
  #lastOutcome: VivaldiSampleOutcome | null = null

  /**
   * @param rng source of the random direction used when two coordinates coincide.
   * @param config overrides of DEFAULT_VIVALDI_CONFIG.
   * @param initial starting coordinate; Bamboo starts at the origin with height 0.
   * @throws RangeError on an invalid configuration or an initial coordinate beyond maxCoordinateMs.
   */
  constructor (rng: Rng, config: Partial<VivaldiConfig> = {}, initial: VivaldiCoordinate = VivaldiCoordinate.ORIGIN) {
    const c: VivaldiConfig = { ...DEFAULT_VIVALDI_CONFIG, ...config }
    validateConfig(c)
    this.config = Object.freeze(c)
    this.#rng = rng
    if (!withinBound(initial, c.maxCoordinateMs)) throw new RangeError(`initial coordinate ${String(initial)} out of range`)
    this.#coordinate = initial
    this.#delta = c.initialDelta
  }

  /** Our current coordinate (immutable; send `coordinate.toWire()`). */
  get coordinate (): VivaldiCoordinate { return this.#coordinate }
  /** The current damping factor δ (unitless); the only adaptive quantity in Bamboo's rule. */
  get delta (): number { return this.#delta }
  /** Samples applied so far (Bamboo's `_samples`, shown in its VC_VALUE log line). */
  get sampleCount (): number { return this.#samples }
  /** Samples rejected by the guards (not a Bamboo counter). */
  get rejectedCount (): number { return this.#rejected }
  /** What the most recent `sample` call did; null before the first. */
  get lastOutcome (): VivaldiSampleOutcome | null { return this.#lastOutcome }

  /**
   * Applies one latency sample: `rttMs` measured to a node whose coordinate was `remote`.
   * @param remote the remote node's coordinate (as carried in LocateNodeResp / PingVCResp).
   * @param _remoteError ignored: Bamboo keeps no error estimate and its wire carries none.
   * @param rttMs measured round-trip time, ms; the spring uses rttMs / 2.
   * @returns true if the state changed; false if a guard rejected the sample (see lastOutcome).
   */
  sample (remote: VivaldiCoordinate, _remoteError: number, rttMs: number): boolean {
    const outcome = this.#apply(remote, rttMs)
    this.#lastOutcome = outcome
    if (outcome === 'applied') {
      this.#samples++
      return true
    }
    this.#rejected++
    return false
  }

  /** Estimated one-way latency to `remote`, ms. */
  estimateOneWayMs (remote: VivaldiCoordinate): number {
    return this.#coordinate.distanceMs(remote)
  }

  /** Estimated round-trip time to `remote`, ms: twice the coordinate distance. */
  estimateRttMs (remote: VivaldiCoordinate): number {
    return 2 * this.#coordinate.distanceMs(remote)
  }

  #apply (remote: VivaldiCoordinate, rttMs: number): VivaldiSampleOutcome {
    const cfg = this.config
    if (!Number.isFinite(rttMs) || rttMs < 0 || rttMs > cfg.maxRttMs) return 'bad-rtt'
    if (!withinBound(remote, cfg.maxCoordinateMs)) return 'bad-remote'
    const me = this.#coordinate
    const latency = rttMs / 2.0

    // displacement(): the (generally non-unit) direction toward the remote, or a random one.
    const dist = me.distanceMs(remote)
    let dir: [number, number, number]
    if (dist === 0) {
      dir = this.#randomUnitVector()
    } else {
      dir = [(remote.x - me.x) / dist, (remote.y - me.y) / dist, -1.0 * (remote.height + me.height) / dist]
    }
    // Distance from the spring's rest position (Java: remote.distance(this), the same value).
    const d = dist - latency

    let delta = this.#delta - cfg.deltaStep
    if (delta < cfg.minDelta) delta = cfg.minDelta

    const x = me.x + dir[0] * d * delta
    const y = me.y + dir[1] * d * delta
    let height = me.height + dir[2] * d * delta
    if (height < cfg.minHeightMs) height = cfg.minHeightMs

    const bound = cfg.maxCoordinateMs
    if (!(Math.abs(x) <= bound && Math.abs(y) <= bound && Math.abs(height) <= bound)) return 'out-of-range'
    this.#coordinate = new VivaldiCoordinate(x, y, height)
    this.#delta = delta
    return 'applied'
  }

  /** A unit vector in a random direction: components uniform in [−0.5, 0.5), normalized. */
  #randomUnitVector (): [number, number, number] {
    for (;;) {
      const a = this.#rng.float() - 0.5
      const b = this.#rng.float() - 0.5
      const c = this.#rng.float() - 0.5
      const length = Math.sqrt(a * a + b * b + c * c)
      if (length > 0) return [a / length, b / length, c / length]
    }
  }
}

function withinBound (c: VivaldiCoordinate, bound: number): boolean {
  return Math.abs(c.x) <= bound && Math.abs(c.y) <= bound && Math.abs(c.height) <= bound
}

function validateConfig (c: VivaldiConfig): void {
  const finite = (name: keyof VivaldiConfig, ok: boolean): void => {
    if (!Number.isFinite(c[name]) || !ok) throw new RangeError(`VivaldiConfig.${name} = ${c[name]} is invalid`)
  }
  finite('initialDelta', c.initialDelta > 0)
  finite('deltaStep', c.deltaStep >= 0)
  finite('minDelta', c.minDelta > 0 && c.minDelta <= c.initialDelta)
  finite('minHeightMs', c.minHeightMs >= 0)
  finite('maxRttMs', c.maxRttMs > 0)
  finite('maxCoordinateMs', c.maxCoordinateMs > 0 && c.minHeightMs <= c.maxCoordinateMs)
}

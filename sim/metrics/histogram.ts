/**
 * A sample-keeping histogram for simulation metrics (latencies in µs, hop counts, sizes): stores
 * every value in one growing Float64Array (no per-sample objects) and answers exact quantiles
 * with d3-array's quantileSorted (linear interpolation, R-7) over a sorted copy that is cached
 * until the next record. Never produces NaN in a summary: an empty histogram reports nulls.
 */
import { bisectRight, quantileSorted } from 'd3-array'

/** Summary of a histogram; quantile keys come from `quantileKey` (0.5 → p50, 0.999 → p99_9). */
export interface HistogramSummary {
  count: number
  mean: number | null
  min: number | null
  max: number | null
  [quantile: `p${string}`]: number | null
}

/** A point of an empirical CDF: `fraction` of the samples are ≤ `value`. */
export interface CdfPoint {
  value: number
  fraction: number
}

/** The summary key for quantile `q` ∈ [0, 1]: 0.5 → "p50", 0.99 → "p99", 0.999 → "p99_9", 1 → "p100". */
export function quantileKey (q: number): `p${string}` {
  checkQuantile(q)
  // toPrecision(12) absorbs binary rounding (0.999 · 100 = 99.89999999999999).
  return `p${String(Number((q * 100).toPrecision(12))).replace('.', '_')}`
}

function checkQuantile (q: number): void {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is outside [0, 1]`)
}

export class Histogram {
  #values = new Float64Array(64)
  #count = 0
  #sum = 0
  #min = Infinity
  #max = -Infinity
  #sorted: Float64Array | null = null

  /** Records one sample; it must be a finite number (units are the caller's, e.g. µs). */
  record (value: number): void {
    if (!Number.isFinite(value)) throw new RangeError(`histogram: cannot record ${value}`)
    if (this.#count === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2)
      grown.set(this.#values)
      this.#values = grown
    }
    this.#values[this.#count++] = value
    this.#sum += value
    if (value < this.#min) this.#min = value
    if (value > this.#max) this.#max = value
    this.#sorted = null
  }

  /** Number of samples recorded. */
  get count (): number {
    return this.#count
  }

  /** Sum of the samples (0 when empty). */
  get sum (): number {
    return this.#sum
  }

  /** Arithmetic mean, or null when empty. */
  get mean (): number | null {
    return this.#count === 0 ? null : this.#sum / this.#count
  }

  /** Smallest sample, or null when empty. */
  get min (): number | null {
    return this.#count === 0 ? null : this.#min
  }

  /** Largest sample, or null when empty. */
  get max (): number | null {
    return this.#count === 0 ? null : this.#max
  }

  /** The samples in ascending order (a cached copy; do not modify). */
  sorted (): Float64Array {
    if (this.#sorted === null) this.#sorted = this.#values.slice(0, this.#count).sort()
    return this.#sorted
  }

  /** The `q`-quantile, q ∈ [0, 1], linearly interpolated between samples; null when empty. */
  quantile (q: number): number | null {
    checkQuantile(q)
    if (this.#count === 0) return null
    // quantileSorted only indexes and reads .length, so a typed array serves at runtime.
    return quantileSorted(this.sorted() as unknown as number[], q) ?? null
  }

  /**
   * `{ count, mean, min, max, p50, p90, p99 }` for the default quantiles; key names follow
   * `quantileKey`. Values are null (never NaN) when the histogram is empty.
   */
  summary (quantiles: readonly number[] = [0.5, 0.9, 0.99]): HistogramSummary {
    const out: HistogramSummary = { count: this.#count, mean: this.mean, min: this.min, max: this.max }
    for (const q of quantiles) out[quantileKey(q)] = this.quantile(q)
    return out
  }

  /**
   * Points of the empirical CDF for plotting; every point satisfies "`fraction` of the samples
   * are ≤ `value`".
   * - `points` a number n ≥ 1: at most n points at evenly spaced ranks, always ending at
   *   (max, 1); one point per distinct value when n ≥ count.
   * - `points` an array of values: one point per given value, in the given order.
   * Empty histogram: [] for a count, fraction 0 for given values.
   */
  cdf (points: number | readonly number[]): CdfPoint[] {
    const sorted = this.sorted()
    const n = this.#count
    if (typeof points !== 'number') {
      return points.map((value) => ({ value, fraction: n === 0 ? 0 : bisectRight(sorted, value) / n }))
    }
    if (!(Number.isInteger(points) && points >= 1)) throw new RangeError(`cdf: point count ${points} is not a positive integer`)
    const out: CdfPoint[] = []
    let rank = 0 // samples ≤ the last point's value
    for (let i = 1; i <= points && rank < n; i++) {
      const target = Math.max(Math.ceil((i * n) / points), rank + 1)
      const value = sorted[target - 1]!
      rank = bisectRight(sorted, value, target - 1) // include ties
      out.push({ value, fraction: rank / n })
    }
    return out
  }
}

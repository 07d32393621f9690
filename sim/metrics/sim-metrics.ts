/**
 * The metrics of one simulated run in one place: named counters, named histograms (created on
 * first use) and datagram traffic. `snapshot()` turns them into a plain JSON-able object with
 * keys in a deterministic order. Never reads clocks or does I/O; writing results is report.ts's job.
 */
import { Counters } from './counters.ts'
import { Histogram, type HistogramSummary } from './histogram.ts'
import { TrafficMeter, type DropRow, type NodeTrafficRow, type TrafficTotals, type TypeTrafficRow } from './traffic.ts'

export interface SimMetricsSnapshot {
  /** Counter values by name, keys in name order. */
  counters: Record<string, number>
  /** Histogram summaries by name, keys in name order. */
  histograms: Record<string, HistogramSummary>
  traffic: {
    totals: TrafficTotals
    byType: TypeTrafficRow[]
    drops: DropRow[]
    /** Present unless the snapshot was taken with `byNode: false`. */
    byNode?: NodeTrafficRow[]
  }
}

export interface SnapshotOptions {
  /** Include the per-node traffic table (one row per active node). @default true */
  byNode?: boolean
  /** Quantiles for every histogram summary. @default [0.5, 0.9, 0.99] */
  quantiles?: readonly number[]
}

export class SimMetrics {
  readonly counters = new Counters()
  readonly traffic = new TrafficMeter()
  readonly #histograms = new Map<string, Histogram>()

  /** The histogram called `name`, created empty on first use. */
  histogram (name: string): Histogram {
    let h = this.#histograms.get(name)
    if (h === undefined) this.#histograms.set(name, h = new Histogram())
    return h
  }

  /** All histograms as [name, histogram] pairs, sorted by name. */
  histograms (): Array<[string, Histogram]> {
    return [...this.#histograms].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  }

  /** Everything as plain data; the same metrics always give the same object, key order included. */
  snapshot (options: SnapshotOptions = {}): SimMetricsSnapshot {
    const histograms: Record<string, HistogramSummary> = {}
    for (const [name, h] of this.histograms()) histograms[name] = h.summary(options.quantiles)
    const traffic: SimMetricsSnapshot['traffic'] = {
      totals: this.traffic.totals(),
      byType: this.traffic.byType(),
      drops: this.traffic.drops()
    }
    if (options.byNode ?? true) traffic.byNode = this.traffic.byNode()
    return { counters: this.counters.toObject(), histograms, traffic }
  }
}

/**
 * The wide-area network model seam: how long a datagram takes to propagate between two hosts of
 * a topology (a King matrix, coordinates, a synthetic generator). Pure and deterministic: a model
 * never draws randomness after construction and never does I/O. Bandwidth, queueing, loss and
 * partitions are the simulated network's business, not the model's.
 */

export interface NetworkModel {
  /** A short description for reports, e.g. "king:king128.top (128 hosts, rtt)". */
  readonly name: string
  /** Hosts are numbered 0 … hostCount − 1. */
  readonly hostCount: number
  /**
   * One-way propagation delay from `source` to `target`, integer µs, ≥ 0. Zero means the two
   * hosts share a site (or are the same host); the network then applies its small same-site
   * latency so no datagram arrives in zero time.
   */
  oneWayUs (source: number, target: number): number
}

/** A file a model (or trace) was read from, for the run's provenance. */
export interface InputFile {
  readonly path: string
  readonly sha1: string
  readonly bytes: number
}

/**
 * Per-peer round-trip estimation exactly as Bamboo's UdpCC computes it (Jacobson/Karels with
 * integer scaling, `Connection.add_rtt_meas` and `timeout`): srtt is kept ×8 (`sa`), the mean
 * deviation ×4 (`sv`). First sample m: sa = 8m, sv = 0, rto = 4m + 10. Later samples:
 * err = m − sa/8; sa += err; sv += |err| − sv/4; rto = sa/8 + sv + 10 (srtt + 4·rttvar + 10 ms
 * "for GC"). The RTO is capped at 5 s, starts at 5 s for an unknown peer, and doubles on a
 * timeout (still capped). Pure: no clock, no I/O; times are integer milliseconds.
 */

export interface RttConfig {
  /** RTO cap and the RTO of a peer with no sample yet. @default 5000 */
  maxRtoMs: number
  /** Added to every computed RTO (Bamboo's allowance for garbage collection). @default 10 */
  rtoSlackMs: number
}

export const DEFAULT_RTT_CONFIG: RttConfig = { maxRtoMs: 5000, rtoSlackMs: 10 }

export class RttEstimator {
  /** 8 × smoothed RTT in ms, or −1 before the first sample. */
  sa = -1
  /** 4 × mean deviation in ms. */
  sv = 0
  /** Current retransmission timeout in ms. */
  rtoMs: number

  constructor (private readonly config: RttConfig = DEFAULT_RTT_CONFIG) {
    this.rtoMs = config.maxRtoMs
  }

  /** Smoothed RTT in ms (sa >> 3), −1 when unknown; what Bamboo sends as est_rtt_ms. */
  get srttMs (): number {
    return this.sa >> 3
  }

  /** Mean deviation in ms (sv >> 2). */
  get rttvarMs (): number {
    return this.sv >> 2
  }

  /** Folds in one measurement of `sampleMs` (an integer ≥ 0). */
  addSample (sampleMs: number): void {
    let m = Math.max(0, Math.floor(sampleMs))
    if (this.sa === -1) {
      this.sa = m << 3
      this.sv = 0
      this.rtoMs = (m << 2) + this.config.rtoSlackMs
    } else {
      m -= this.sa >> 3
      this.sa += m
      if (m < 0) m = -m
      m -= this.sv >> 2
      this.sv += m
      this.rtoMs = (this.sa >> 3) + this.sv + this.config.rtoSlackMs
    }
    if (this.rtoMs > this.config.maxRtoMs) this.rtoMs = this.config.maxRtoMs
  }

  /** A retransmission timeout: back off by doubling, capped. */
  backOff (): void {
    this.rtoMs = Math.min(this.rtoMs * 2, this.config.maxRtoMs)
  }
}

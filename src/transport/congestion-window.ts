/**
 * Bamboo UdpCC's per-destination congestion window: cwnd starts at 1; each ack adds 1 below
 * ssthresh (slow start, ssthresh initially 10^6) and 1/cwnd above it (additive increase); a
 * timeout sets ssthresh = cwnd/2 and cwnd = 1 (the caller applies it once per window). At most
 * ⌊cwnd⌋ reliable messages may be in flight. Pure state, no I/O.
 */

export const MAX_WINDOW = 1_000_000

export class CongestionWindow {
  cwnd = 1
  ssthresh = MAX_WINDOW

  /** How many reliable messages may be unacknowledged at once. */
  get limit (): number {
    return Math.floor(this.cwnd)
  }

  onAck (): void {
    this.cwnd += this.cwnd < this.ssthresh ? 1 : 1 / this.cwnd
    if (this.cwnd > MAX_WINDOW) this.cwnd = MAX_WINDOW
  }

  onTimeout (): void {
    this.ssthresh = this.cwnd / 2
    this.cwnd = 1
  }
}

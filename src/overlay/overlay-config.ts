/**
 * The overlay's configuration, with Bamboo's defaults (Router.init; bamboo.md §5, §17) except
 * the leaf set, which defaults to 4 per side as OpenDHT ran it. Every period is a mean: each
 * firing waits mean/2 + uniform[0, mean) (Bamboo's randomPeriod).
 *
 * Bamboo's cost estimate for a 1000-node ring with these periods, base 16 and 8 leaves: ≈ 1574
 * bytes/s sent per node (pings 691, leaf set 659, local tuning 123, global tuning 100).
 */
import type { NodeAddress } from '../ids/node-address.ts'
import type { DigitBase } from '../ids/digits.ts'

export interface OverlayConfig {
  /** Digit base of the routing table: 2, 4, 16 or 256. @default 16 */
  digitBase: DigitBase
  /** Leaf-set members on each side. @default 4 (OpenDHT; Bamboo's own default is 2) */
  leafSetSizePerSide: number
  /** PNS: replace a routing-table entry only if the newcomer's RTT is below this × the entry's. @default 0.9 */
  replaceRatio: number
  /** Gateways to join through; empty = start a new ring. @default [] */
  gateways: NodeAddress[]
  /** OpenDHT's immediate_join: start as a ring of one and let the partition check merge rings. @default false */
  immediateJoin: boolean
  /** Leaf-set push-pull period, ms. @default 4000 */
  leafSetPeriodMs: number
  /** Local tuning (RoutingTableReq) period, ms. @default 10000 */
  localTuningPeriodMs: number
  /** Global tuning (lookup of a random ID with our prefix) period, ms. @default 20000 */
  globalTuningPeriodMs: number
  /** Liveness pings to every neighbour, ms. @default 20000 */
  pingPeriodMs: number
  /**
   * Xest's change to Bamboo: skip the liveness ping of a neighbour heard from within the last
   * half period (anything it sent proves it alive as well as an ack would). @default true
   */
  skipPingIfHeard: boolean
  /** Partition check (JoinReq to a recently failed node), ms; 0 = off. @default 60000 */
  partitionCheckPeriodMs: number
  /**
   * Vivaldi coordinate exchange with one neighbour, ms; 0 = off. Bamboo hard-codes 1 s, which
   * costs ≈ 227 bytes/s/node (measured, `xest sim churn`); 5 s costs a fifth of that and, with
   * the LocateNodeMsg sampling below, keeps the whole maintenance under 900 bytes/s/node at a
   * 1.4 min median session while coordinates still converge. @default 5000
   */
  coordinatePeriodMs: number
  /**
   * Vivaldi's sampling of a random node (LocateNodeMsg), ms; 0 = off. OpenDHT ran it every 10 s;
   * Xest's default of 30 s keeps maintenance under 900 bytes/s/node under churn (1,000 nodes,
   * 1.4 min sessions: 898 bytes/s/node at 20 s). @default 30000
   */
  vivaldiSamplePeriodMs: number
  /** UdpCC deadline of routed messages, pings and tuning messages, ms. @default 5000 */
  hopTimeoutMs: number
  /**
   * Xest's change to Bamboo: a routed message whose next hop has not acked within this many of
   * that hop's RTOs is rerouted around it (deadline min(hopTimeoutMs, max(rerouteMinMs, k × RTO)))
   * instead of after the full hopTimeoutMs; 0 keeps Bamboo's fixed deadline. @default 3
   */
  rerouteRtoMultiple: number
  /** Floor of that early deadline, ms. @default 150 */
  rerouteMinMs: number
  /**
   * Xest's change to Bamboo: for this long after joining, a node tells each node it adds to its
   * leaf set about itself at once (a LeafSetChanged), instead of waiting for their periodic
   * push-pull to find it; 0 = Bamboo's behaviour. ms. @default 30000
   */
  joinAnnounceMs: number
  /**
   * Deadline of the second-chance ping to a possibly-down neighbour, ms. Bamboo waits 60 s;
   * Xest's default is 20 s, because dead leaves that linger block live ones from the leaf set:
   * at a 1.4 min median session (100 nodes, King-128) consistent lookups rose from 96.4 % to
   * 98.6 % (`xest sim churn`). The ping is retransmitted at the peer's RTO until then, so a live
   * peer answers long before. @default 20000
   */
  secondChanceTimeoutMs: number
  /**
   * Xest's change to Bamboo: on an empty routing-table cell, forward to any neighbour that makes
   * prefix or numeric progress (Pastry's rare case) before falling back to the leaf set.
   * @default true
   */
  rareCaseRouting: boolean
  /** Xest's addition: after joining, ask the i-th node of the join path for routing-table row i (Pastry). @default true */
  joinRowRequests: boolean
  /**
   * A lookup not answered within this long is routed again (Bamboo's router leaves retries to
   * applications); 0 = never. ms. @default 5000
   */
  lookupRetryMs: number
  /** Deadline of a partition-check JoinReq, ms. @default 10000 */
  partitionJoinTimeoutMs: number
  /** First join retry, ms; doubles up to joinRetryMaxMs. @default 10000 */
  joinRetryMs: number
  /** @default 60000 */
  joinRetryMaxMs: number
  /** Recently failed nodes remembered for the partition check. @default 20 */
  downNodesCap: number
}

export const DEFAULT_OVERLAY_CONFIG: OverlayConfig = {
  digitBase: 16,
  leafSetSizePerSide: 4,
  replaceRatio: 0.9,
  gateways: [],
  immediateJoin: false,
  leafSetPeriodMs: 4_000,
  localTuningPeriodMs: 10_000,
  globalTuningPeriodMs: 20_000,
  pingPeriodMs: 20_000,
  skipPingIfHeard: true,
  partitionCheckPeriodMs: 60_000,
  coordinatePeriodMs: 5_000,
  vivaldiSamplePeriodMs: 30_000,
  hopTimeoutMs: 5_000,
  rerouteRtoMultiple: 3,
  rerouteMinMs: 150,
  joinAnnounceMs: 30_000,
  secondChanceTimeoutMs: 20_000,
  rareCaseRouting: true,
  joinRowRequests: true,
  lookupRetryMs: 5_000,
  partitionJoinTimeoutMs: 10_000,
  joinRetryMs: 10_000,
  joinRetryMaxMs: 60_000,
  downNodesCap: 20
}

/** Bamboo's randomPeriod: mean/2 + uniform[0, mean). */
export function randomPeriodMs (meanMs: number, draw: (maxExclusive: number) => number): number {
  return meanMs / 2 + draw(Math.max(1, Math.floor(meanMs)))
}

/**
 * The DHT layer's settings, defaults as OpenDHT ran Bamboo (bamboo.md §11): 8 copies (root and
 * leaf set), a put acknowledged after 2 replica acks, CAP when the root has fewer than 7 distinct
 * leaf-set neighbours, gateway put retries every 30 s, unacked replicas re-sent after 60 s,
 * quorum gets with 5 s per request, Merkle anti-entropy with a random neighbour. OpenDHT's fixes
 * for the get tail (delay-aware hops, redundant reads) and RTT-based hop deadlines are switches.
 * Data only.
 */

/** Application id of the DHT (`bamboo.dht.Dht`): first 8 bytes of SHA-1 of the class name. */
export const DHT_APP = 0x4533de0530040854n

export interface DhtConfig {
  /** Copies of each tuple: the root and its nearest leaf-set neighbours. @default 8 */
  replicas: number
  /** The root answers CAP when it knows fewer than `minReplicas − 1` other replicas. @default 8 */
  minReplicas: number
  /** Replica acks (besides the root's own copy) before a put is acknowledged. @default 2 */
  requiredAcks: number
  /** The gateway re-routes an unanswered put after this long. @default 30000 */
  putRetryMs: number
  /** Routed attempts before the gateway answers AGAIN. @default 3 */
  putAttempts: number
  /** The root re-sends a tuple to a replica that has not acked after this long. @default 60000 */
  replicaRetryMs: number
  /** Deadline of one get request to one node. @default 5000 */
  getRequestTimeoutMs: number
  /** A get gives up (answering with what it has) after this long. @default 30000 */
  getTimeoutMs: number
  /** Delay-aware next-hop choice for gets: among closer nodes, the one nearest in Vivaldi space. @default false */
  delayAwareGets: boolean
  /** Replicas read beyond the quorum, in parallel, to cut the tail (0 = read a quorum, then more on failure). @default 0 */
  redundantReads: number
  /**
   * RTT-based hop deadlines for gets: a request unanswered after this multiple of the peer's
   * estimated RTT (measured, else Vivaldi) is treated as lost and the next candidate or replica
   * is asked, though a late answer is still used until `getRequestTimeoutMs`. 0 keeps Bamboo's
   * fixed deadline. @default 0
   */
  getHopRttMultiple: number
  /** Floor of an RTT-based hop deadline. @default 150 */
  getHopMinMs: number
  /** How often expired tuples are dropped. @default 60000 */
  expirePeriodMs: number
  /** How often a node hands tuples it is no longer a replica for to the current replicas. @default 60000 */
  handoffPeriodMs: number
  /**
   * Mean time between Merkle anti-entropy rounds with a random leaf-set neighbour (jittered in
   * [0.5, 1.5)×); 0 turns anti-entropy off. Bamboo's `ae_period` is 1 s; 10 s here keeps an
   * in-sync ring's cost to one small request and answer per node every 10 s. @default 10000
   */
  antiEntropyPeriodMs: number
  /** A round not finished in this long is abandoned (Bamboo: 30 s). @default 30000 */
  antiEntropySessionTimeoutMs: number
  /** Requests of one round in flight at once. @default 8 */
  antiEntropyParallel: number
}

export const DEFAULT_DHT_CONFIG: DhtConfig = {
  replicas: 8,
  minReplicas: 8,
  requiredAcks: 2,
  putRetryMs: 30_000,
  putAttempts: 3,
  replicaRetryMs: 60_000,
  getRequestTimeoutMs: 5000,
  getTimeoutMs: 30_000,
  delayAwareGets: false,
  redundantReads: 0,
  getHopRttMultiple: 0,
  getHopMinMs: 150,
  expirePeriodMs: 60_000,
  handoffPeriodMs: 60_000,
  antiEntropyPeriodMs: 10_000,
  antiEntropySessionTimeoutMs: 30_000,
  antiEntropyParallel: 8
}

/**
 * Datagram traffic accounting for a simulated run: sends, deliveries and drops tallied by
 * datagram type, by node and by drop reason. Per-node tallies live in one growing Float64Array
 * (four slots a node) and per-type / per-reason tallies in Maps, so recording is O(1) with no
 * per-datagram allocation — fine for 10,000 nodes and millions of datagrams. Sizes are bytes;
 * never keeps individual datagrams, never does I/O.
 */

/** Traffic of one datagram type: `datagrams`/`bytes` sent, `delivered` and `dropped` datagrams. */
export interface TypeTrafficRow {
  type: string
  datagrams: number
  bytes: number
  delivered: number
  dropped: number
}

/** Traffic of one node (index into the world's nodes): datagrams and bytes sent and received. */
export interface NodeTrafficRow {
  node: number
  sentDatagrams: number
  sentBytes: number
  receivedDatagrams: number
  receivedBytes: number
}

/** Datagrams dropped for one reason (loss, partition, crashed target, queue overflow, …). */
export interface DropRow {
  reason: string
  datagrams: number
  bytes: number
}

/** Whole-run totals, in datagrams and bytes. */
export interface TrafficTotals {
  sentDatagrams: number
  sentBytes: number
  deliveredDatagrams: number
  deliveredBytes: number
  droppedDatagrams: number
  droppedBytes: number
}

interface TypeTally {
  datagrams: number
  bytes: number
  delivered: number
  dropped: number
}

const SLOTS = 4
const SENT_DATAGRAMS = 0
const SENT_BYTES = 1
const RECEIVED_DATAGRAMS = 2
const RECEIVED_BYTES = 3

function byKey<T> (key: (row: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const ka = key(a)
    const kb = key(b)
    return ka < kb ? -1 : ka > kb ? 1 : 0
  }
}

export class TrafficMeter {
  readonly #types = new Map<string, TypeTally>()
  readonly #drops = new Map<string, { datagrams: number, bytes: number }>()
  #nodes = new Float64Array(SLOTS * 256)
  /** One past the highest node index seen. */
  #nodeLimit = 0
  readonly #totals: TrafficTotals = {
    sentDatagrams: 0, sentBytes: 0, deliveredDatagrams: 0, deliveredBytes: 0, droppedDatagrams: 0, droppedBytes: 0
  }

  /** A datagram of `type` and `bytes` bytes leaves `sourceNode` (a node index ≥ 0). */
  recordSend (sourceNode: number, type: string, bytes: number): void {
    const base = this.#touch(sourceNode)
    checkBytes(bytes)
    this.#nodes[base + SENT_DATAGRAMS]! += 1
    this.#nodes[base + SENT_BYTES]! += bytes
    const tally = this.#type(type)
    tally.datagrams += 1
    tally.bytes += bytes
    this.#totals.sentDatagrams += 1
    this.#totals.sentBytes += bytes
  }

  /** A datagram of `type` and `bytes` bytes reached `targetNode`. */
  recordDelivery (targetNode: number, type: string, bytes: number): void {
    const base = this.#touch(targetNode)
    checkBytes(bytes)
    this.#nodes[base + RECEIVED_DATAGRAMS]! += 1
    this.#nodes[base + RECEIVED_BYTES]! += bytes
    this.#type(type).delivered += 1
    this.#totals.deliveredDatagrams += 1
    this.#totals.deliveredBytes += bytes
  }

  /** A datagram of `type` and `bytes` bytes was lost, for `reason`. */
  recordDrop (reason: string, type: string, bytes: number): void {
    checkBytes(bytes)
    let drop = this.#drops.get(reason)
    if (drop === undefined) this.#drops.set(reason, drop = { datagrams: 0, bytes: 0 })
    drop.datagrams += 1
    drop.bytes += bytes
    this.#type(type).dropped += 1
    this.#totals.droppedDatagrams += 1
    this.#totals.droppedBytes += bytes
  }

  /** One row per datagram type seen, sorted by type. */
  byType (): TypeTrafficRow[] {
    return [...this.#types].map(([type, t]) => ({
      type, datagrams: t.datagrams, bytes: t.bytes, delivered: t.delivered, dropped: t.dropped
    })).sort(byKey((row) => row.type))
  }

  /**
   * One row per node, sorted by node. With `nodeCount`, exactly nodes 0 … nodeCount − 1 (idle
   * ones as zeros); without it, only nodes that sent or received anything.
   */
  byNode (nodeCount?: number): NodeTrafficRow[] {
    const limit = nodeCount ?? this.#nodeLimit
    const rows: NodeTrafficRow[] = []
    for (let node = 0; node < limit; node++) {
      const base = node * SLOTS
      const inRange = node < this.#nodeLimit
      const row: NodeTrafficRow = {
        node,
        sentDatagrams: inRange ? this.#nodes[base + SENT_DATAGRAMS]! : 0,
        sentBytes: inRange ? this.#nodes[base + SENT_BYTES]! : 0,
        receivedDatagrams: inRange ? this.#nodes[base + RECEIVED_DATAGRAMS]! : 0,
        receivedBytes: inRange ? this.#nodes[base + RECEIVED_BYTES]! : 0
      }
      if (nodeCount !== undefined || row.sentDatagrams > 0 || row.receivedDatagrams > 0) rows.push(row)
    }
    return rows
  }

  /** One row per drop reason, sorted by reason. */
  drops (): DropRow[] {
    return [...this.#drops].map(([reason, d]) => ({ reason, datagrams: d.datagrams, bytes: d.bytes }))
      .sort(byKey((row) => row.reason))
  }

  /** Whole-run totals (a copy). */
  totals (): TrafficTotals {
    return { ...this.#totals }
  }

  /**
   * Mean bytes sent per second per node over `durationUs` µs of simulated time and `nodeCount`
   * nodes; only datagrams of `type` when given.
   */
  bytesPerSecondPerNode (durationUs: number, nodeCount: number, type?: string): number {
    if (!(durationUs > 0 && Number.isFinite(durationUs))) throw new RangeError(`durationUs ${durationUs} must be positive`)
    if (!(nodeCount > 0 && Number.isFinite(nodeCount))) throw new RangeError(`nodeCount ${nodeCount} must be positive`)
    const bytes = type === undefined ? this.#totals.sentBytes : (this.#types.get(type)?.bytes ?? 0)
    return bytes / (durationUs / 1_000_000) / nodeCount
  }

  #type (type: string): TypeTally {
    let tally = this.#types.get(type)
    if (tally === undefined) this.#types.set(type, tally = { datagrams: 0, bytes: 0, delivered: 0, dropped: 0 })
    return tally
  }

  /** Ensures a slot for `node`; returns its base index into #nodes. */
  #touch (node: number): number {
    if (!(Number.isInteger(node) && node >= 0)) throw new RangeError(`node index ${node} is not a non-negative integer`)
    if (node >= this.#nodeLimit) {
      const needed = (node + 1) * SLOTS
      if (needed > this.#nodes.length) {
        const grown = new Float64Array(Math.max(needed, this.#nodes.length * 2))
        grown.set(this.#nodes)
        this.#nodes = grown
      }
      this.#nodeLimit = node + 1
    }
    return node * SLOTS
  }
}

function checkBytes (bytes: number): void {
  if (!(Number.isFinite(bytes) && bytes >= 0)) throw new RangeError(`datagram size ${bytes} bytes is invalid`)
}

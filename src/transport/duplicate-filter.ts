/**
 * Duplicate suppression for UdpCC: remembers (source, msg_id) pairs received and reports
 * repeats, so a retransmission whose first copy arrived (but whose ack was lost) is acked again
 * and delivered once. Bamboo keeps only the last 1000 pairs; under loss a sender's RTO backs off
 * to 5 s and a late retransmission can outlive that window (measured: 4 in 10,000 messages
 * delivered twice at 20 % loss with four busy peers). So a pair is kept until it is both older
 * than `retentionMs` and beyond the last `capacity` pairs; `hardCapacity` bounds memory.
 * Pure: the caller passes the time.
 */

export interface DuplicateFilterConfig {
  /** Pairs always remembered, however old (Bamboo's window). @default 1000 */
  capacity: number
  /** Pairs younger than this are remembered even beyond `capacity`, ms. @default 120000 */
  retentionMs: number
  /** Never remember more than this many pairs. @default 1000000 */
  hardCapacity: number
}

export const DEFAULT_DUPLICATE_FILTER: DuplicateFilterConfig = { capacity: 1000, retentionMs: 120_000, hardCapacity: 1_000_000 }

const SAFE_LIMIT = 2n ** 53n

export class DuplicateFilter {
  readonly config: DuplicateFilterConfig
  /** Remembered msg ids per source: numbers (no per-pair string), bigint only for ids beyond 2^53. */
  readonly #bySource = new Map<string, Set<number | bigint>>()
  // Eviction order: the source, its set and the id of every remembered pair, with its time.
  readonly #sources: string[] = []
  readonly #sets: Array<Set<number | bigint>> = []
  readonly #ids: Array<number | bigint> = []
  readonly #times: number[] = []
  #head = 0
  #size = 0

  constructor (config: Partial<DuplicateFilterConfig> = {}) {
    this.config = { ...DEFAULT_DUPLICATE_FILTER, ...config }
  }

  /** True if (source, msgId) was seen and is still remembered; otherwise records it. */
  seen (sourceKey: string, msgId: bigint, nowMs: number): boolean {
    const id = msgId < SAFE_LIMIT ? Number(msgId) : msgId
    let ids = this.#bySource.get(sourceKey)
    if (ids === undefined) this.#bySource.set(sourceKey, ids = new Set())
    if (ids.has(id)) return true
    ids.add(id)
    this.#sources.push(sourceKey)
    this.#sets.push(ids)
    this.#ids.push(id)
    this.#times.push(nowMs)
    this.#size++
    this.#evict(nowMs)
    return false
  }

  get size (): number {
    return this.#size
  }

  /** Sources with remembered pairs. */
  get sources (): number {
    return this.#bySource.size
  }

  #evict (nowMs: number): void {
    const { capacity, retentionMs, hardCapacity } = this.config
    while (this.#size > capacity) {
      const old = this.#times[this.#head]! + retentionMs < nowMs
      if (!old && this.#size <= hardCapacity) break
      const ids = this.#sets[this.#head]!
      ids.delete(this.#ids[this.#head]!)
      // A source heard from no more is forgotten entirely.
      if (ids.size === 0 && this.#bySource.get(this.#sources[this.#head]!) === ids) this.#bySource.delete(this.#sources[this.#head]!)
      this.#size--
      this.#head++
    }
    if (this.#head > 4096 && this.#head * 2 > this.#ids.length) {
      this.#sources.splice(0, this.#head)
      this.#sets.splice(0, this.#head)
      this.#ids.splice(0, this.#head)
      this.#times.splice(0, this.#head)
      this.#head = 0
    }
  }
}

/**
 * Serves content-addressed objects to other hosts over the node's transport (UdpCC or the
 * simulator's message transport): answers `ObjectReq` with `ObjectChunk`s, and one `ObjectMissing`
 * naming the requested objects it does not hold.
 * Per requesting peer it keeps two queues, demand before prefetch, and only `windowChunks`
 * chunks in flight, so a demand request waits behind at most a window of prefetch chunks on the
 * link (xest.md §5: demand fetches always go first); a demand request for an object queued as a
 * prefetch moves it ahead. A chunk carries one priority's objects back to back (three 4 KiB
 * blocks to a datagram); a small object is not split when the next chunk can take it whole.
 * Never reads from disk itself (an ObjectSource does) and never throws
 * on peers' input.
 */
import { addressKey, type NodeAddress } from '../ids/node-address.ts'
import type { OverlayNode } from '../overlay/overlay-node.ts'
import { DEMAND, OBJECT_CHUNK_BYTES, PART_HEADER_BYTES, type ObjectPart, type ObjectPriority, type ObjectReq } from '../wire/xest-messages.ts'
import { Fifo } from '../transport/fifo.ts'
import { idHex } from './object-id-hex.ts'

export interface ObjectSource {
  /** The object's bytes, or null when this host does not hold it. */
  get (id: Uint8Array): Uint8Array | null
}

export interface ObjectServerConfig {
  /** Chunks in flight per peer. @default 4 */
  windowChunks: number
  /** Deadline of one chunk send; a failed send drops that peer's queue. @default 30000 */
  sendTimeoutMs: number
}

export const DEFAULT_OBJECT_SERVER_CONFIG: ObjectServerConfig = { windowChunks: 4, sendTimeoutMs: 30_000 }

interface Job {
  readonly seq: bigint
  readonly id: Uint8Array
  readonly bytes: Uint8Array
  offset: number
  priority: ObjectPriority
  done: boolean
}

interface Peer {
  readonly address: NodeAddress
  readonly demand: Fifo<Job>
  readonly prefetch: Fifo<Job>
  readonly jobs: Map<string, Job>
  inFlight: number
}

export interface ObjectServerStats {
  requests: number
  objectsQueued: number
  promoted: number
  missing: number
  chunksSent: number
  bytesSent: { demand: number, prefetch: number }
  failedSends: number
}

export class ObjectServer {
  readonly config: ObjectServerConfig
  readonly stats: ObjectServerStats = { requests: 0, objectsQueued: 0, promoted: 0, missing: 0, chunksSent: 0, bytesSent: { demand: 0, prefetch: 0 }, failedSends: 0 }
  readonly #peers = new Map<string, Peer>()

  constructor (private readonly node: OverlayNode, private readonly source: ObjectSource, config: Partial<ObjectServerConfig> = {}) {
    this.config = { ...DEFAULT_OBJECT_SERVER_CONFIG, ...config }
    node.handle('ObjectReq', (m, from) => { if (m.type === 'ObjectReq') this.#onRequest(m, from) })
  }

  /** Jobs queued for every peer (for tests and status). */
  get queuedObjects (): number {
    let n = 0
    for (const peer of this.#peers.values()) n += peer.jobs.size
    return n
  }

  #onRequest (m: ObjectReq, from: NodeAddress): void {
    this.stats.requests++
    const key = addressKey(from)
    let peer = this.#peers.get(key)
    if (peer === undefined) this.#peers.set(key, peer = { address: from, demand: new Fifo(), prefetch: new Fifo(), jobs: new Map(), inFlight: 0 })
    let missing: Uint8Array[] | null = null
    for (const id of m.ids) {
      const hex = idHex(id)
      const queued = peer.jobs.get(hex)
      if (queued !== undefined) {
        if (m.priority === DEMAND && queued.priority !== DEMAND) {
          queued.priority = DEMAND
          peer.demand.push(queued)
          this.stats.promoted++
        }
        continue
      }
      const bytes = this.source.get(id)
      if (bytes === null) {
        this.stats.missing++
        ;(missing ??= []).push(id)
        continue
      }
      const job: Job = { seq: m.seq, id, bytes, offset: 0, priority: m.priority, done: false }
      peer.jobs.set(hex, job)
      ;(m.priority === DEMAND ? peer.demand : peer.prefetch).push(job)
      this.stats.objectsQueued++
    }
    if (missing !== null) this.node.send(from, { type: 'ObjectMissing', seq: m.seq, ids: missing }, this.config.sendTimeoutMs)
    this.#pump(peer)
  }

  /** The next job with chunks left: demand first; promoted or finished entries are skipped. */
  #next (peer: Peer): Job | null {
    while (peer.demand.length > 0 && peer.demand.peek()!.done) peer.demand.shift()
    if (peer.demand.length > 0) return peer.demand.peek()!
    while (peer.prefetch.length > 0 && (peer.prefetch.peek()!.done || peer.prefetch.peek()!.priority === DEMAND)) peer.prefetch.shift()
    return peer.prefetch.peek() ?? null
  }

  #pump (peer: Peer): void {
    while (peer.inFlight < this.config.windowChunks) {
      const first = this.#next(peer)
      if (first === null) break
      const priority = first.priority
      const parts: ObjectPart[] = []
      let budget = OBJECT_CHUNK_BYTES
      let length = 0
      for (let job: Job | null = first; job !== null && job.priority === priority && budget > PART_HEADER_BYTES; job = this.#next(peer)) {
        const left = job.bytes.length - job.offset
        const take = Math.min(budget - PART_HEADER_BYTES, left)
        if (take < left && parts.length > 0 && left <= OBJECT_CHUNK_BYTES - PART_HEADER_BYTES) break
        parts.push({ id: job.id, totalBytes: job.bytes.length, offsetBytes: job.offset, data: job.bytes.subarray(job.offset, job.offset + take) })
        job.offset += take
        budget -= PART_HEADER_BYTES + take
        length += take
        if (job.offset < job.bytes.length) break
        job.done = true
        peer.jobs.delete(idHex(job.id))
      }
      const message = { type: 'ObjectChunk' as const, seq: first.seq, parts }
      peer.inFlight++
      this.stats.chunksSent++
      if (priority === DEMAND) this.stats.bytesSent.demand += length
      else this.stats.bytesSent.prefetch += length
      this.node.send(peer.address, message, this.config.sendTimeoutMs, (delivered) => {
        peer.inFlight--
        if (!delivered) {
          this.stats.failedSends++
          this.#drop(peer)
          return
        }
        this.#pump(peer)
      })
    }
    if (peer.inFlight === 0 && peer.jobs.size === 0) this.#idle(peer)
  }

  /** A peer that stopped acking loses its queue; it asks again (elsewhere) after its timeout. */
  #drop (peer: Peer): void {
    for (const job of peer.jobs.values()) job.done = true
    peer.jobs.clear()
    while (peer.demand.shift() !== undefined) { /* drop */ }
    while (peer.prefetch.shift() !== undefined) { /* drop */ }
    if (peer.inFlight === 0) this.#idle(peer)
  }

  /** A peer with nothing queued or in flight is kept for its next request, up to IDLE_PEERS_KEPT peers. */
  #idle (peer: Peer): void {
    if (this.#peers.size > IDLE_PEERS_KEPT) this.#peers.delete(addressKey(peer.address))
  }
}

/** Peers kept while idle (their queues are reused; past this many, an idle peer is forgotten). */
const IDLE_PEERS_KEPT = 64

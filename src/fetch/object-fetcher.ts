/**
 * Fetches objects from a holder over the node's transport: sends `ObjectReq`s, reassembles
 * objects from the parts `ObjectChunk`s carry, and calls back once per object with its bytes, or null when the holder does
 * not have it, stops sending (no progress for `stallTimeoutMs`) or sends bytes whose SHA-1 is not
 * the object's id. Requests for an object already on its way join it; a demand request for an
 * object coming as a prefetch asks the holder to move it ahead. Never picks holders (the caller
 * does) and never throws on peers' input: unexpected or inconsistent chunks are counted.
 */
import type { Timer } from '../env/clock.ts'
import { addressKey, type NodeAddress } from '../ids/node-address.ts'
import { sha1 } from '../ids/sha1.ts'
import type { OverlayNode } from '../overlay/overlay-node.ts'
import { DEMAND, MAX_IDS_PER_REQ, type ObjectPart, type ObjectPriority } from '../wire/xest-messages.ts'
import { idHex } from './object-id-hex.ts'

export type ObjectDone = (id: Uint8Array, bytes: Uint8Array | null) => void

export interface ObjectFetcherConfig {
  /** A fetch with no chunk for this long fails. @default 15000 */
  stallTimeoutMs: number
  /** Check each object's bytes against its id (off only for synthetic objects in studies). @default true */
  verifyIds: boolean
  /** Deadline of a request send. @default 15000 */
  sendTimeoutMs: number
  /** Times a request whose send failed is sent again while its holder keeps sending. @default 2 */
  requestRetries: number
}

export const DEFAULT_OBJECT_FETCHER_CONFIG: ObjectFetcherConfig = { stallTimeoutMs: 15_000, verifyIds: true, sendTimeoutMs: 15_000, requestRetries: 2 }

interface Pending {
  readonly id: Uint8Array
  readonly holder: NodeAddress
  readonly holderKey: string
  priority: ObjectPriority
  buffer: Uint8Array | null
  /** Offsets of the parts received, once an object comes in more than one part. */
  offsets: Set<number> | null
  receivedBytes: number
  readonly waiters: ObjectDone[]
  readonly requestedMs: number
}

/** One holder's pending fetches (in request order) and the one stall timer that watches them. */
interface Holder {
  readonly pending: Map<string, Pending>
  /** When the holder last sent a part (or when it got work while idle). */
  lastProgressMs: number
  timer: Timer | null
}

export interface ObjectFetcherStats {
  requested: number
  joined: number
  promoted: number
  completed: number
  failed: number
  bytesReceived: number
  unexpectedChunks: number
  badObjects: number
  /** Requests sent again after a failed send to a holder that kept sending. */
  requestRetries: number
  /** Bytes of objects fetched, once per transfer (however many callers joined it), by the priority it ended at. */
  demandBytes: number
  prefetchBytes: number
}

export class ObjectFetcher {
  readonly config: ObjectFetcherConfig
  readonly stats: ObjectFetcherStats = { requested: 0, joined: 0, promoted: 0, completed: 0, failed: 0, bytesReceived: 0, unexpectedChunks: 0, badObjects: 0, requestRetries: 0, demandBytes: 0, prefetchBytes: 0 }
  readonly #pending = new Map<string, Pending>()
  /** Holders with pending fetches: an object queued behind others waits while its holder progresses. */
  readonly #holders = new Map<string, Holder>()
  #nextSeq = 1n

  constructor (private readonly node: OverlayNode, config: Partial<ObjectFetcherConfig> = {}) {
    this.config = { ...DEFAULT_OBJECT_FETCHER_CONFIG, ...config }
    node.handle('ObjectChunk', (m, from) => { if (m.type === 'ObjectChunk') for (const part of m.parts) this.#onPart(part, from) })
    node.handle('ObjectMissing', (m, from) => {
      if (m.type !== 'ObjectMissing') return
      const fromKey = addressKey(from)
      for (const id of m.ids) {
        const pending = this.#pending.get(idHex(id))
        if (pending === undefined || pending.holderKey !== fromKey) { this.stats.unexpectedChunks++; continue }
        this.#finish(pending, null)
      }
    })
  }

  /** Whether `id` is on its way (at any priority). */
  inFlight (id: Uint8Array): boolean {
    return this.#pending.has(idHex(id))
  }

  get pendingCount (): number {
    return this.#pending.size
  }

  /** Fetches `ids` from `holder` at `priority`; `done` is called once per id. */
  fetch (holder: NodeAddress, ids: readonly Uint8Array[], priority: ObjectPriority, done: ObjectDone): void {
    const fresh: Uint8Array[] = []
    let promote: Array<{ holder: NodeAddress, id: Uint8Array }> | null = null
    const holderKey = addressKey(holder)
    const nowMs = this.node.env.clock.nowMs()
    let state: Holder | undefined
    for (const id of ids) {
      const hex = idHex(id)
      const pending = this.#pending.get(hex)
      if (pending !== undefined) {
        pending.waiters.push(done)
        this.stats.joined++
        if (priority === DEMAND && pending.priority !== DEMAND) {
          pending.priority = DEMAND
          ;(promote ??= []).push({ holder: pending.holder, id })
          this.stats.promoted++
        }
        continue
      }
      state ??= this.#holder(holderKey, nowMs)
      const entry: Pending = { id, holder, holderKey, priority, buffer: null, offsets: null, receivedBytes: 0, waiters: [done], requestedMs: nowMs }
      this.#pending.set(hex, entry)
      state.pending.set(hex, entry)
      if (state.timer === null) this.#armStall(holderKey, state, this.config.stallTimeoutMs)
      fresh.push(id)
      this.stats.requested++
    }
    if (fresh.length <= MAX_IDS_PER_REQ) {
      if (fresh.length > 0) this.#request(holder, fresh, priority)
    } else {
      for (let i = 0; i < fresh.length; i += MAX_IDS_PER_REQ) this.#request(holder, fresh.slice(i, i + MAX_IDS_PER_REQ), priority)
    }
    if (promote !== null) for (const p of promote) this.#request(p.holder, [p.id], DEMAND)
  }

  /** Fails every pending fetch (the host is stopping). */
  stop (): void {
    for (const pending of [...this.#pending.values()]) this.#finish(pending, null)
  }

  /**
   * Sends one ObjectReq. When its send fails, the ids still waiting on this holder with no byte
   * received are asked again if the holder has sent anything since (it is alive, and the request
   * most likely arrived and only its ack was late behind a full uplink: the holder ignores ids it
   * has queued already), up to `requestRetries` times; otherwise they fail (the caller tries
   * another holder).
   */
  #request (holder: NodeAddress, ids: Uint8Array[], priority: ObjectPriority, attempt = 0): void {
    const seq = this.#nextSeq++
    const holderKey = addressKey(holder)
    const sentMs = this.node.env.clock.nowMs()
    this.node.send(holder, { type: 'ObjectReq', seq, priority, ids }, this.config.sendTimeoutMs, (delivered) => {
      if (delivered) return
      const waiting: Pending[] = []
      for (const id of ids) {
        const pending = this.#pending.get(idHex(id))
        if (pending !== undefined && pending.holderKey === holderKey && pending.receivedBytes === 0) waiting.push(pending)
      }
      if (waiting.length === 0) return
      const state = this.#holders.get(holderKey)
      if (attempt < this.config.requestRetries && state !== undefined && state.lastProgressMs > sentMs) {
        this.stats.requestRetries++
        this.#request(holder, waiting.map((p) => p.id), waiting.some((p) => p.priority === DEMAND) ? DEMAND : priority, attempt + 1)
        return
      }
      for (const pending of waiting) this.#finish(pending, null)
    })
  }

  /**
   * A fetch fails once it is `stallTimeoutMs` old and its holder has sent nothing at all for
   * `stallTimeoutMs` (an object queued behind others at a busy holder keeps waiting while the
   * holder makes progress). One timer per holder checks this for all its fetches, oldest first;
   * their deadlines only move later, so the timer fires early at worst and re-arms.
   */
  #armStall (holderKey: string, state: Holder, delayMs: number): void {
    state.timer = this.node.env.clock.setTimer(delayMs, () => {
      state.timer = null
      if (this.#holders.get(holderKey) !== state) return
      // 1 µs of slack: times in ms are floats, and the timer must not re-arm for no time at all.
      const stallMs = this.config.stallTimeoutMs - 0.001
      const nowMs = this.node.env.clock.nowMs()
      if (nowMs - state.lastProgressMs >= stallMs) {
        for (const pending of [...state.pending.values()]) {
          if (nowMs - pending.requestedMs < stallMs) break
          this.#finish(pending, null)
        }
      }
      if (this.#holders.get(holderKey) !== state || state.timer !== null) return
      const oldest = state.pending.values().next().value
      if (oldest === undefined) return
      const deadlineMs = Math.max(oldest.requestedMs, state.lastProgressMs) + this.config.stallTimeoutMs
      this.#armStall(holderKey, state, Math.max(0.001, deadlineMs - this.node.env.clock.nowMs()))
    })
  }

  /** The holder's state, kept while idle for its next fetches; work after idleness counts as progress. */
  #holder (holderKey: string, nowMs: number): Holder {
    let state = this.#holders.get(holderKey)
    if (state === undefined) this.#holders.set(holderKey, state = { pending: new Map(), lastProgressMs: nowMs, timer: null })
    else if (state.pending.size === 0) state.lastProgressMs = nowMs
    return state
  }

  #progress (holderKey: string): void {
    const state = this.#holders.get(holderKey)
    if (state !== undefined) state.lastProgressMs = this.node.env.clock.nowMs()
  }

  #onPart (m: ObjectPart, from: NodeAddress): void {
    const hex = idHex(m.id)
    const pending = this.#pending.get(hex)
    if (pending === undefined || pending.holderKey !== addressKey(from)) { this.stats.unexpectedChunks++; return }
    if (pending.buffer === null && m.offsetBytes === 0 && m.data.length === m.totalBytes) {
      // The whole object in one part: keep its bytes as they came, no reassembly copy.
      pending.buffer = m.data
      pending.receivedBytes = m.totalBytes
      this.stats.bytesReceived += m.totalBytes
      this.#progress(pending.holderKey)
      this.#complete(pending, hex)
      return
    }
    if (pending.buffer === null) pending.buffer = new Uint8Array(m.totalBytes)
    if (pending.buffer.length !== m.totalBytes || m.offsetBytes + m.data.length > m.totalBytes) { this.stats.unexpectedChunks++; return }
    pending.offsets ??= new Set()
    if (pending.offsets.has(m.offsetBytes)) return
    pending.offsets.add(m.offsetBytes)
    pending.buffer.set(m.data, m.offsetBytes)
    pending.receivedBytes += m.data.length
    this.stats.bytesReceived += m.data.length
    this.#progress(pending.holderKey)
    if (pending.receivedBytes < m.totalBytes) return
    this.#complete(pending, hex)
  }

  /** Every byte of `pending` is in: check the id when configured, then hand the bytes over. */
  #complete (pending: Pending, hex: string): void {
    const bytes = pending.buffer!
    if (this.config.verifyIds && idHex(sha1(bytes)) !== hex) {
      this.stats.badObjects++
      this.#finish(pending, null)
      return
    }
    this.#finish(pending, bytes)
  }

  #finish (pending: Pending, bytes: Uint8Array | null): void {
    const hex = idHex(pending.id)
    if (this.#pending.get(hex) !== pending) return
    this.#pending.delete(hex)
    const state = this.#holders.get(pending.holderKey)
    if (state !== undefined) {
      state.pending.delete(hex)
      if (state.pending.size === 0) {
        state.timer?.cancel()
        state.timer = null
        if (this.#holders.size > IDLE_HOLDERS_KEPT) this.#holders.delete(pending.holderKey)
      }
    }
    if (bytes === null) this.stats.failed++
    else {
      this.stats.completed++
      if (pending.priority === DEMAND) this.stats.demandBytes += bytes.length
      else this.stats.prefetchBytes += bytes.length
    }
    for (const waiter of pending.waiters) waiter(pending.id, bytes)
  }
}

/** Holders kept while idle (past this many, an idle holder is forgotten). */
const IDLE_HOLDERS_KEPT = 64

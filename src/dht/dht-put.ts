/**
 * Puts and removes, as Bamboo's Dht and DataManager do them (bamboo.md §11). The gateway stamps
 * the request with its time, routes a Dht$PutReqPayload to the key's root and re-routes it every
 * `putRetryMs` (marked retried; the root recognises the sequence number) until the root answers
 * with a Dht$PutRespMsg, answering AGAIN after `putAttempts`. The root refuses with CAP when it
 * knows too few replicas, else stores the tuple, pushes it to its replicas in PutOrRemoveMsgs and
 * answers OK once `requiredAcks` replicas acked; replicas that stay silent get it again after
 * `replicaRetryMs`. Replicas store and ack. Never throws on peers' input.
 */
import type { Timer } from '../env/clock.ts'
import { addressKey, type NodeAddress } from '../ids/node-address.ts'
import type { OverlayNode } from '../overlay/overlay-node.ts'
import type { NeighborInfo } from '../wire/fields.ts'
import type { WireMessage } from '../wire/wire-message.ts'
import { DHT_AGAIN, DHT_CAP, DHT_OK, type DhtStatus } from './dht-api.ts'
import { DHT_APP, type DhtConfig } from './dht-config.ts'
import type { TupleStore } from './tuple-store.ts'
import { putOrRemoveFromTuple, putReqFromTuple, tupleFromPutOrRemove, tupleFromPutReq } from './tuple-wire.ts'
import type { Tuple } from './tuple.ts'

export interface DhtContext {
  readonly node: OverlayNode
  readonly store: TupleStore
  readonly config: DhtConfig
  nowUsec (): bigint
  /** A random 64-bit sequence number. */
  randomSeq (): bigint
  /** Counts events for stats. */
  count (event: string): void
}

interface PendingPut {
  readonly tuple: Tuple
  readonly seq: bigint
  readonly done: (status: DhtStatus) => void
  attempts: number
  timer: Timer | null
}

interface RootPut {
  /** Where to answer: (return address, gateway seq). */
  readonly answerTo: NodeAddress
  readonly gatewaySeq: bigint
  readonly tuple: Tuple
  acks: number
  answered: boolean
  readonly unacked: Map<bigint, NeighborInfo>
  readonly startedMs: number
}

const ROOT_PUT_MEMORY_MS = 120_000

export class DhtPut {
  readonly #pending = new Map<bigint, PendingPut>()
  /** Root-side puts by gateway key `address/seq`, kept for retries. */
  readonly #rootPuts = new Map<string, RootPut>()
  /** Root-side replica pushes by our own seq. */
  readonly #pushes = new Map<bigint, RootPut>()
  #nextPushSeq: bigint

  constructor (private readonly ctx: DhtContext) {
    this.#nextPushSeq = ctx.randomSeq()
  }

  // ---- gateway ------------------------------------------------------------------------------

  /** Routes a put or remove tuple to its root; `done` gets OK, CAP or AGAIN. */
  start (tuple: Tuple, done: (status: DhtStatus) => void): void {
    const pending: PendingPut = { tuple, seq: this.ctx.randomSeq(), done, attempts: 0, timer: null }
    this.#pending.set(pending.seq, pending)
    this.#attempt(pending)
  }

  #attempt (pending: PendingPut): void {
    const { node, config } = this.ctx
    if (pending.attempts >= config.putAttempts) {
      this.#pending.delete(pending.seq)
      this.ctx.count('put-again')
      pending.done(DHT_AGAIN)
      return
    }
    pending.attempts++
    const payload = putReqFromTuple(pending.tuple, node.self.address, pending.seq, pending.attempts > 1)
    node.route(pending.tuple.guid, DHT_APP, payload)
    pending.timer = node.env.clock.setTimer(config.putRetryMs, () => this.#attempt(pending))
  }

  onPutResp (seq: bigint, result: number): void {
    const pending = this.#pending.get(seq)
    if (pending === undefined) return
    this.#pending.delete(seq)
    pending.timer?.cancel()
    pending.done(result === DHT_CAP ? DHT_CAP : DHT_OK)
  }

  // ---- root ----------------------------------------------------------------------------------

  /** A Dht$PutReqPayload reached this node, the key's root. */
  onPutReq (payload: WireMessage): void {
    if (payload.type !== 'Dht$PutReqPayload') return
    const { node, store, config } = this.ctx
    const tuple = tupleFromPutReq(payload)
    if (tuple === null) { this.ctx.count('put-malformed'); return }
    const gatewayKey = `${addressKey(payload.returnAddress)}/${payload.seq}`
    const known = this.#rootPuts.get(gatewayKey)
    if (known !== undefined) {
      if (known.answered) this.#answer(known, DHT_OK)
      return
    }
    this.#forgetOldRootPuts()
    const replicas = node.leafSet.replicas(tuple.guid, config.replicas).filter((n) => !node.isSelf(n))
    if (replicas.length < config.minReplicas - 1) {
      this.ctx.count('put-cap')
      node.send(payload.returnAddress, { type: 'Dht$PutRespMsg', seq: payload.seq, result: DHT_CAP }, node.config.hopTimeoutMs)
      return
    }
    const outcome = store.apply(tuple, this.ctx.nowUsec())
    this.ctx.count(`root-${outcome}`)
    const put: RootPut = {
      answerTo: payload.returnAddress, gatewaySeq: payload.seq, tuple, acks: 0, answered: false,
      unacked: new Map(), startedMs: node.env.clock.nowMs()
    }
    this.#rootPuts.set(gatewayKey, put)
    if (config.requiredAcks <= 0) this.#answer(put, DHT_OK)
    for (const replica of replicas) this.#push(put, replica)
    node.env.clock.setTimer(config.replicaRetryMs, () => {
      for (const replica of [...put.unacked.values()]) this.#push(put, replica)
    })
  }

  #push (put: RootPut, replica: NeighborInfo): void {
    const seq = this.#nextPushSeq++
    put.unacked.set(seq, replica)
    this.#pushes.set(seq, put)
    const node = this.ctx.node
    node.send(replica.address, putOrRemoveFromTuple(put.tuple, seq), node.config.hopTimeoutMs, (delivered) => {
      if (!delivered) this.#pushes.delete(seq)
    })
  }

  onPutOrRemoveAck (seq: bigint): void {
    const put = this.#pushes.get(seq)
    if (put === undefined) return
    this.#pushes.delete(seq)
    put.unacked.delete(seq)
    put.acks++
    if (!put.answered && put.acks >= this.ctx.config.requiredAcks) this.#answer(put, DHT_OK)
  }

  #answer (put: RootPut, result: DhtStatus): void {
    put.answered = true
    const node = this.ctx.node
    if (node.isSelf({ guid: node.self.guid, address: put.answerTo })) return this.onPutResp(put.gatewaySeq, result)
    node.send(put.answerTo, { type: 'Dht$PutRespMsg', seq: put.gatewaySeq, result }, node.config.hopTimeoutMs)
  }

  #forgetOldRootPuts (): void {
    const cutoffMs = this.ctx.node.env.clock.nowMs() - ROOT_PUT_MEMORY_MS
    for (const [key, put] of this.#rootPuts) {
      if (put.startedMs >= cutoffMs) break
      this.#rootPuts.delete(key)
      for (const seq of put.unacked.keys()) this.#pushes.delete(seq)
    }
  }

  // ---- replica -------------------------------------------------------------------------------

  onPutOrRemove (message: WireMessage, from: NodeAddress): void {
    if (message.type !== 'PutOrRemoveMsg') return
    const tuple = tupleFromPutOrRemove(message)
    if (tuple === null) { this.ctx.count('replica-malformed'); return }
    this.ctx.count(`replica-${this.ctx.store.apply(tuple, this.ctx.nowUsec())}`)
    this.ctx.node.send(from, { type: 'PutOrRemoveAck', seq: message.seq }, this.ctx.node.config.hopTimeoutMs)
  }
}

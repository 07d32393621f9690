/**
 * The writer lease of a VD (xest.md §3, Isolation): a host becomes the writer only by publishing
 * a record with a higher epoch after the previous writer released the lease or its lease ran out
 * (the record says until when, by the writer's clock; a taker allows `clockSkewMs` more). Records
 * live for `recordTtlS`, much longer than a lease, so epochs only grow. Two hosts racing for one epoch both publish; after `settleMs` each reads the key
 * again and the record every reader takes as current (smallest writer among the highest epoch)
 * wins: the loser removes its record and is refused. The winner removes older records.
 *
 * Fencing: `fence()` is the VD repository's WriteFence. It refuses every change to a VD this
 * host holds no lease for, or whose lease a later `check` found taken by a higher epoch; so a
 * stale writer's writes are refused. Runs on the DHT's callback API (same code in the simulator
 * and on real nodes); never throws on what it reads.
 */
import type { Clock } from '../env/clock.ts'
import type { GetResult } from '../dht/dht-api.ts'
import type { CallbackDht } from '../fetch/group-pointers.ts'
import { sha1 } from '../ids/sha1.ts'
import { currentRecord, decodeVdRecord, encodeVdRecord, vdNameKey, vdRecordKey, type DatedRecord, type VdDhtRecord } from './vd-records.ts'

export interface WriterLeaseConfig {
  /** Length of a lease, s; the holder renews before it runs out. @default 300 */
  leaseTtlS: number
  /** TTL of the records in the DHT, s. @default 604800 (a week, the DHT's maximum) */
  recordTtlS: number
  /** Extra wait past a lease's end before another host may take it, ms. @default 30000 */
  clockSkewMs: number
  /** Wait before re-reading to settle a race, ms. @default 2000 */
  settleMs: number
}

export const DEFAULT_WRITER_LEASE_CONFIG: WriterLeaseConfig = { leaseTtlS: 300, recordTtlS: 604_800, clockSkewMs: 30_000, settleMs: 2000 }

export type AcquireResult =
  | { readonly ok: true, readonly epoch: number }
  | { readonly ok: false, readonly reason: 'held' | 'lost-race' | 'dht-failed', readonly holder: string | null }

export class StaleWriterError extends Error {
  override name = 'StaleWriterError'
}

interface Held { epoch: number, value: Uint8Array, stale: boolean }

/** What the caller says about the VD in its record (the lease layer adds writer, epoch and end). */
export type LeaseRecordFields = Omit<VdDhtRecord, 'writer' | 'epoch' | 'untilMs'>

export class WriterLease {
  readonly config: WriterLeaseConfig
  readonly #held = new Map<string, Held>()

  constructor (
    private readonly dht: CallbackDht,
    private readonly clock: Clock,
    /** This host, `host:port`. */
    readonly self: string,
    config: Partial<WriterLeaseConfig> = {}
  ) {
    this.config = { ...DEFAULT_WRITER_LEASE_CONFIG, ...config }
  }

  /** The epoch this host holds for `vdId`, if its lease is live as far as it knows. */
  heldEpoch (vdId: string): number | null {
    const held = this.#held.get(vdId)
    return held === undefined || held.stale ? null : held.epoch
  }

  /** Every record under the VD's key, decoded (malformed ones dropped). */
  records (vdId: string, done: (records: DatedRecord[]) => void): void {
    this.dht.getThen({ key: vdRecordKey(vdId), maxValues: 100, placemark: new Uint8Array(0), application: 'xest', clientHost: this.#host() }, (result: GetResult) => {
      const out: DatedRecord[] = []
      for (const v of result.values) {
        const r = decodeVdRecord(v.value)
        if (r !== null) out.push({ ...r, ttlRemainingS: v.ttlRemainingS })
      }
      done(out)
    })
  }

  /** Tries to become the writer of `vdId` (name, snapshot and group table go into the record). */
  acquire (vdId: string, secret: Uint8Array, record: LeaseRecordFields, done: (result: AcquireResult) => void): void {
    this.records(vdId, (records) => {
      const current = currentRecord(records)
      if (current !== null && current.untilMs > 0 && current.writer !== this.self && current.untilMs + this.config.clockSkewMs > this.clock.nowMs()) {
        done({ ok: false, reason: 'held', holder: current.writer })
        return
      }
      const epoch = (current?.epoch ?? 0) + 1
      const value = encodeVdRecord({ ...record, writer: this.self, epoch, untilMs: this.#until() })
      this.#put(vdId, value, secret, (ok) => {
        if (!ok) { done({ ok: false, reason: 'dht-failed', holder: null }); return }
        this.clock.setTimer(this.config.settleMs, () => this.records(vdId, (after) => {
          const winner = currentRecord(after)
          if (winner === null || winner.writer !== this.self || winner.epoch !== epoch) {
            this.#rm(vdId, value, secret)
            done({ ok: false, reason: 'lost-race', holder: winner?.writer ?? null })
            return
          }
          this.#held.set(vdId, { epoch, value, stale: false })
          for (const old of after) {
            if (old.epoch < epoch) this.#rm(vdId, encodeVdRecord(old), secret)
          }
          done({ ok: true, epoch })
        }))
      })
    })
  }

  /** Extends the held lease: a record with a later end replaces the held one. */
  renew (vdId: string, secret: Uint8Array, record: LeaseRecordFields, done: (ok: boolean) => void = () => {}): void {
    const held = this.#held.get(vdId)
    if (held === undefined || held.stale) { done(false); return }
    const old = held.value
    held.value = encodeVdRecord({ ...record, writer: this.self, epoch: held.epoch, untilMs: this.#until() })
    this.#put(vdId, held.value, secret, (ok) => {
      if (ok) this.#rm(vdId, old, secret)
      done(ok)
    })
  }

  #until (): number {
    return Math.floor(this.clock.nowMs()) + this.config.leaseTtlS * 1000
  }

  /**
   * Publishes the released record (same writer and epoch, lease end 0: anyone may take it, and
   * the next writer knows where the data is) and removes the held one.
   */
  release (vdId: string, secret: Uint8Array, record: LeaseRecordFields, done: (ok: boolean) => void = () => {}): void {
    const held = this.#held.get(vdId)
    if (held === undefined) { done(false); return }
    this.#held.delete(vdId)
    this.#put(vdId, encodeVdRecord({ ...record, writer: this.self, epoch: held.epoch, untilMs: 0 }), secret, (ok) => {
      this.#rm(vdId, held.value, secret)
      done(ok)
    })
  }

  /** Reads the DHT: is this host still the writer? A higher epoch elsewhere makes the lease stale. */
  check (vdId: string, done: (valid: boolean) => void): void {
    const held = this.#held.get(vdId)
    if (held === undefined) { done(false); return }
    this.records(vdId, (records) => {
      const current = currentRecord(records)
      const valid = current !== null && current.writer === this.self && current.epoch === held.epoch
      if (!valid && current !== null && current.epoch >= held.epoch) held.stale = true
      done(!held.stale)
    })
  }

  /** The repository's WriteFence: refuses changes to VDs without a live lease here. */
  fence (): { checkWrite (record: { id: string }, operation: string): void } {
    return {
      checkWrite: (record, operation) => {
        if (this.heldEpoch(record.id) === null) throw new StaleWriterError(`${operation} refused: ${this.self} does not hold the writer lease of VD ${record.id}`)
      }
    }
  }

  /** Publishes `name` → `vdId`, removable with the VD's secret. */
  publishName (name: string, vdId: string, secret: Uint8Array, done: (ok: boolean) => void = () => {}): void {
    this.dht.putThen({ key: vdNameKey(name), value: new TextEncoder().encode(vdId), ttlS: 7 * 24 * 3600, secretHash: sha1(secret), application: 'xest', clientHost: this.#host() }, (s) => done(s === 0))
  }

  /** The VD ids published under `name`. */
  resolveName (name: string, done: (ids: string[]) => void): void {
    this.dht.getThen({ key: vdNameKey(name), maxValues: 100, placemark: new Uint8Array(0), application: 'xest', clientHost: this.#host() }, (result) => {
      done(result.values.map((v) => new TextDecoder().decode(v.value)).filter((id) => /^[0-9a-f]{40}$/.test(id)))
    })
  }

  #put (vdId: string, value: Uint8Array, secret: Uint8Array, done: (ok: boolean) => void): void {
    this.dht.putThen({ key: vdRecordKey(vdId), value, ttlS: this.config.recordTtlS, secretHash: sha1(secret), application: 'xest', clientHost: this.#host() }, (s) => done(s === 0))
  }

  #rm (vdId: string, value: Uint8Array, secret: Uint8Array): void {
    this.dht.rmThen({ key: vdRecordKey(vdId), valueHash: sha1(value), secret, ttlS: this.config.recordTtlS, application: 'xest', clientHost: this.#host() }, () => {})
  }

  #host (): string {
    return this.self.replace(/:\d+$/, '')
  }
}

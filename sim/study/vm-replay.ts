/**
 * One VM replaying its share of a trace against its VD, in simulated time (xest.md §6): it issues
 * each reference after the trace's think time (capped) following the previous one's completion,
 * so stalls push the rest of the run later. Reads go through its host's fetch path; writes land
 * in the VD's head on the current host (no fetch) and a later read on another host fetches that
 * version from where it was written. At each segment start (boot and every migration) the new
 * host takes the writer lease (a DHT put of the VD record; the VM waits for it) and, by policy,
 * copies the whole VD first, image and the VM's writes elsewhere (pre-copy), or starts
 * prefetching exactly the segment's future reads in order, written ones from where they were
 * written (oracle). Under group prefetch a miss also prefetches the members of its groups that
 * this VM wrote on another host, from that host (its writes form working sets as its reads do).
 * Records every read's stall, and the written objects prefetched but never read. Drives only its
 * own VM; never reads real time.
 */
import { idHex } from '../../src/fetch/object-id-hex.ts'
import type { NodeAddress } from '../../src/ids/node-address.ts'
import type { XestHost } from '../../src/fetch/xest-host.ts'
import { PREFETCH } from '../../src/wire/xest-messages.ts'
import type { World } from '../world.ts'
import type { StudyWorkload } from './study-workload.ts'
import { WrittenObjects } from './written-objects.ts'
import { IndexSet } from '../../src/fetch/index-set.ts'

export type StudyPolicy = 'demand' | 'precopy' | 'group' | 'oracle'

export interface VmSegment {
  /** First reference of the segment. */
  readonly startRef: number
  /** Index of the study host it runs on. */
  readonly host: number
}

export interface VmEnv {
  readonly world: World
  readonly workload: StudyWorkload
  readonly policy: StudyPolicy
  readonly maxThinkUs: number
  readonly timeScale: number
  /** Index of the host that stores the whole image. */
  readonly home: number
  host (index: number): XestHost
  address (index: number): NodeAddress
  /** Takes the writer lease for `vm` at `host` (a DHT put of its record); `done(ok)`. */
  takeLease (vm: number, host: number, epoch: number, done: (ok: boolean) => void): void
}

export interface SegmentReport {
  vm: number
  segment: number
  host: number
  startUs: number
  endUs: number
  leaseUs: number
  /** Time the VM waited for a whole-image copy before running (pre-copy). */
  copyStallUs: number
  reads: number
  stalledReads: number
  readStallUs: number
}

export class VmReplay {
  #segment = -1
  #ref = 0
  #end = 0
  #lastUs = 0
  #report: SegmentReport | null = null
  readonly segments: SegmentReport[] = []
  /** What this VM wrote, where its versions are, and their names. */
  readonly #written: WrittenObjects
  /** `#sources()` of segment `#sourcesOf`. */
  #sourcesOf = -1
  #segmentSources: NodeAddress[] = []
  #done = false
  /** Written objects prefetched to another host and not read since, by catalog index. */
  readonly prefetchedUnread: IndexSet
  /** The oracle's plan: the segment's first reads in order, prefetched within half the cache ahead of the VM. */
  #oracle: { order: number[], next: number, consumed: number, aheadBytes: number, limitBytes: number } | null = null

  constructor (
    private readonly env: VmEnv,
    readonly vm: number,
    private readonly plan: readonly VmSegment[],
    private readonly endRef: number,
    /** Stall of every read, µs, by reference index (shared across VMs of a run). */
    private readonly readStallUs: Float64Array,
    private readonly onDone: (vm: VmReplay) => void
  ) {
    this.#written = new WrittenObjects(vm, env.host(env.home).catalog.ids)
    this.prefetchedUnread = new IndexSet(env.host(env.home).catalog.count)
  }

  get done (): boolean { return this.#done }

  start (): void {
    this.#beginSegment(0)
  }

  #beginSegment (s: number): void {
    const { env } = this
    this.#segment = s
    const seg = this.plan[s]!
    this.#ref = seg.startRef
    this.#end = s + 1 < this.plan.length ? this.plan[s + 1]!.startRef : this.endRef
    const startUs = env.world.nowUs
    const report: SegmentReport = { vm: this.vm, segment: s, host: seg.host, startUs, endUs: startUs, leaseUs: 0, copyStallUs: 0, reads: 0, stalledReads: 0, readStallUs: 0 }
    this.#report = report
    this.segments.push(report)
    env.takeLease(this.vm, seg.host, s + 1, () => {
      report.leaseUs = env.world.nowUs - startUs
      const sources = this.#sources()
      const host = env.host(seg.host)
      if (env.policy === 'precopy') {
        const all = Array.from({ length: host.catalog.count }, (_, i) => i)
        const copyStartUs = env.world.nowUs
        const written = [...this.#written.firstWritten]
        let left = 2
        const copied = (): void => {
          if (--left > 0) return
          report.copyStallUs = env.world.nowUs - copyStartUs
          this.#resume()
        }
        host.prefetch(all, sources, copied, true)
        this.#prefetchWritten(written, copied)
        return
      }
      if (env.policy === 'oracle') {
        this.#oracle = { order: this.#futureReads(), next: 0, consumed: 0, aheadBytes: 0, limitBytes: host.cache.capacityBytes / 2 }
        this.#topUp()
      }
      this.#resume()
    })
  }

  /** Where this VM's data is, in order: the host it ran on before, then the image's home (once per segment). */
  #sources (): NodeAddress[] {
    if (this.#sourcesOf === this.#segment) return this.#segmentSources
    const here = this.plan[this.#segment]!.host
    const before = this.#segment > 0 ? this.plan[this.#segment - 1]!.host : this.env.home
    const order = [before, this.env.home].filter((h, i, all) => h !== here && all.indexOf(h) === i)
    this.#sourcesOf = this.#segment
    this.#segmentSources = order.map((h) => this.env.address(h))
    return this.#segmentSources
  }

  /** Distinct objects the rest of this segment reads before writing them, in first-read order. */
  #futureReads (): number[] {
    const { refs, writes } = this.env.workload
    const seen = new Set<number>()
    const out: number[] = []
    for (let i = this.#ref; i < this.#end; i++) {
      const r = refs[i]!
      if (writes[i] === 1) { seen.add(r); continue }
      if (!seen.has(r)) { seen.add(r); out.push(r) }
    }
    return out
  }

  /**
   * Prefetches this VM's versions of `indices` that live on other hosts to its current host;
   * `done` after the last (at once when there are none).
   */
  #prefetchWritten (indices: readonly number[], done: () => void = () => {}): void {
    const here = this.plan[this.#segment]!.host
    const host = this.env.host(here)
    const byHost = new Map<number, Map<string, number>>()
    for (const x of indices) {
      const from = this.#written.hostOf(x)
      if (from === -1 || from === here) continue
      let wanted = byHost.get(from)
      if (wanted === undefined) byHost.set(from, wanted = new Map())
      wanted.set(this.#written.key(x), x)
    }
    let left = 1
    const finish = (): void => { if (--left === 0) done() }
    for (const [from, wanted] of byHost) {
      left += wanted.size
      const ids = [...wanted.values()].map((x) => this.#written.id(x))
      host.fetchExtras(ids, this.env.address(from), PREFETCH, (id, ok) => {
        const x = wanted.get(idHex(id))
        if (x !== undefined && ok && this.#written.hostOf(x) === from && this.plan[this.#segment]!.host === here) {
          this.#written.moved(x, here)
          this.prefetchedUnread.add(x)
        }
        finish()
      })
    }
    finish()
  }

  /**
   * Group prefetch of written data: the objects this VM wrote just before and after `r` (within
   * WRITE_WINDOW writes of its last write) that are still on other hosts. Writes made together
   * are read together, as references are (the grouping's window, applied to the VM's own writes).
   */
  #prefetchWrittenNear (r: number): void {
    if (this.env.policy !== 'group') return
    const written = this.#written
    const at = written.lastWriteAt(r)
    if (at === -1) return
    const here = this.plan[this.#segment]!.host
    const wanted: number[] = []
    const log = written.log
    for (let p = Math.max(0, at - WRITE_WINDOW); p <= Math.min(log.length - 1, at + WRITE_WINDOW); p++) {
      const x = log[p]!
      if (x === r || written.lastWriteAt(x) !== p) continue
      const where = written.hostOf(x)
      if (where !== -1 && where !== here) wanted.push(x)
    }
    if (wanted.length > 0) this.#prefetchWritten(wanted)
  }

  /** Group prefetch: the members of `r`'s groups this VM wrote elsewhere, most likely first. */
  #prefetchWrittenGroup (r: number): void {
    if (this.env.policy !== 'group' || !this.#written.any) return
    const here = this.plan[this.#segment]!.host
    const order = this.env.host(here).catalog.fetchOrder(r)
    const wanted: number[] = []
    for (let j = 0; j < order.ids.length; j++) {
      const x = order.ids[j]!
      const at = this.#written.hostOf(x)
      if (at !== -1 && at !== here) wanted.push(x)
    }
    if (wanted.length > 0) this.#prefetchWritten(wanted)
  }

  #topUp (): void {
    const o = this.#oracle
    if (o === null) return
    const host = this.env.host(this.plan[this.#segment]!.host)
    const sources = this.#sources()
    while (o.next < o.order.length && (o.aheadBytes < o.limitBytes || o.next === o.consumed)) {
      const x = o.order[o.next++]!
      o.aheadBytes += host.catalog.sizeOf(x)
      const at = this.#written.hostOf(x)
      if (at === -1) host.prefetch([x], sources)
      else if (at !== this.plan[this.#segment]!.host) this.#prefetchWritten([x])
    }
  }

  /** The VM read `r`: the oracle's window moves on. */
  #consumed (r: number): void {
    const o = this.#oracle
    if (o === null || o.order[o.consumed] !== r) return
    o.consumed++
    o.aheadBytes -= this.env.host(this.plan[this.#segment]!.host).catalog.sizeOf(r)
    this.#topUp()
  }

  #resume (): void {
    this.#lastUs = this.env.world.nowUs
    this.#step()
  }

  #thinkUs (i: number): number {
    if (i === 0 || i === this.plan[this.#segment]!.startRef) return 0
    const { timesUs } = this.env.workload
    return Math.min(this.env.maxThinkUs, Math.max(0, (timesUs[i]! - timesUs[i - 1]!) * this.env.timeScale))
  }

  #readIndex = 0
  #readDueUs = 0

  /** The stalled read `#readIndex` got its object (or failed): its stall is counted and the VM goes on. */
  readonly #readDone = (): void => {
    const nowUs = this.env.world.nowUs
    const report = this.#report!
    const stallUs = nowUs - this.#readDueUs
    this.readStallUs[this.#readIndex] = stallUs
    if (stallUs > 0) { report.stalledReads++; report.readStallUs += stallUs }
    this.#lastUs = nowUs
    this.#ref++
    this.#step()
  }

  readonly #step = (): void => {
    const { env } = this
    const { refs, writes } = env.workload
    const here = this.plan[this.#segment]!.host
    const host = env.host(here)
    const report = this.#report!
    while (this.#ref < this.#end) {
      const i = this.#ref
      const dueUs = this.#lastUs + this.#thinkUs(i)
      if (dueUs > env.world.nowUs) { env.world.post(dueUs, this.#step); return }
      const r = refs[i]!
      if (writes[i] === 1) {
        this.#written.write(r, here)
        host.extra.set(this.#written.key(r), host.catalog.sizeOf(r))
        this.#lastUs = dueUs
        this.#ref++
        continue
      }
      report.reads++
      this.#consumed(r)
      this.prefetchedUnread.delete(r)
      const writtenAt = this.#written.hostOf(r)
      // A read that stalls ends in #readDone (one at a time: the VM waits for it).
      this.#readIndex = i
      this.#readDueUs = dueUs
      if (writtenAt !== -1) {
        if (writtenAt === here) { this.#lastUs = dueUs; this.#ref++; continue }
        this.#written.moved(r, here)
        host.fetchExtra(this.#written.id(r), [env.address(writtenAt)], this.#readDone)
        this.#prefetchWrittenGroup(r)
        this.#prefetchWrittenNear(r)
        return
      }
      if (host.read(r, this.#sources(), this.#readDone)) { this.#lastUs = dueUs; this.#ref++; continue }
      this.#prefetchWrittenGroup(r)
      return
    }
    report.endUs = env.world.nowUs
    this.#oracle = null
    if (this.#segment + 1 < this.plan.length) { this.#beginSegment(this.#segment + 1); return }
    this.#done = true
    this.onDone(this)
  }
}

/** Writes on each side of a written object that group prefetch fetches with it. */
const WRITE_WINDOW = 16

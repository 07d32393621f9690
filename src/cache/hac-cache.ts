/**
 * HAC, hybrid adaptive caching (Castro, Adya, Liskov, Myers, SOSP 1997), with groups playing the
 * part of pages (design section 5). Implements ObjectCache (object-cache.ts).
 *
 * The cache is `floor(capacityBytes / frameBytes)` frames (hac-frame.ts). Arriving objects are
 * packed, in arrival order, into the install frame — a group fetched together lands together,
 * small groups share a frame, a large one spans several; when the next object does not fit, a
 * new install frame is taken. Every new frame starts an epoch: the scan pointer visits the next
 * S normal frames in frame-table order (HAC's primary pointer), decays their objects' usage
 * bits and enters the frames with their usage (T, H) into the candidate set, where they stay for
 * E epochs (hac-usage.ts, hac-candidates.ts). While no free frame is left, the least valuable
 * candidate is compacted: objects with usage > T (hot) move into the target frame, the others
 * are evicted, the emptied frame is freed; when the target is full (or there is none yet), the
 * frame being compacted becomes the target, its remaining hot objects staying in place.
 * A use (hit, touch, demand insert) sets an object's top usage bit; a prefetched object arrives
 * with usage 0, so an unused prefetch is the first thing a compaction drops, while the used
 * members of a group survive it ("hot" pointer grade).
 *
 * Where this differs from the paper: one epoch per frame taken (HAC: per page fetched, which
 * also fills one frame); room is made synchronously when a frame is needed (HAC frees the next
 * frame in the background); no secondary scan pointer and no installed/uninstalled object
 * distinction (Thor's indirection table); H over bytes; the use rule as in hac-usage.ts;
 * objects bigger than a frame get a multi-slot frame of their own (Thor had none). If compacting
 * makes no progress for many rounds (everything hot and nowhere to move it), the least valuable
 * frame is emptied whole (`forcedEvictions`), so an insert always terminates.
 *
 * Deterministic (no randomness); pure and synchronous.
 */
import { CacheLedger, SPARE_ENTRIES_MAX } from './cache-ledger.ts'
import type { CacheStatsSnapshot } from './cache-stats.ts'
import { CandidateSet } from './hac-candidates.ts'
import { HacFrame, type HacObject } from './hac-frame.ts'
import { IdMap } from './id-map.ts'
import { USAGE_MAX, decayedUsage, frameValue, usedUsage } from './hac-usage.ts'
import {
  checkWhole, type GroupCounts, type GroupId, type GroupResidency, type InsertOptions, type InsertOutcome, type ObjectCache,
  type ObjectCacheOptions, type ObjectId
} from './object-cache.ts'

export interface HacOptions extends ObjectCacheOptions {
  /** Bytes per frame (HAC's page size). @default 65536 */
  frameBytes?: number
  /** S: frames scanned per epoch. @default 3 (the paper's value) */
  scanFramesPerEpoch?: number
  /** E: epochs a scanned frame stays a candidate. @default 20 (the paper's value) */
  candidateEpochs?: number
  /** R: the most of a frame's bytes a compaction keeps. @default 2/3 (the paper's value) */
  retentionFraction?: number
}

export class HacCache implements ObjectCache {
  readonly kind = 'hac' as const
  readonly capacityBytes: number
  readonly frameBytes: number
  readonly frameCount: number
  readonly #scanPerEpoch: number
  readonly #candidateEpochs: number
  readonly #retention: number
  readonly #objects = new IdMap<HacObject>()
  readonly #ledger: CacheLedger
  /** Live frames by position; null where free. */
  readonly #table: Array<HacFrame | null>
  readonly #freePositions: number[] = []
  readonly #candidates = new CandidateSet<HacFrame>()
  /** Evicted objects kept for reuse. */
  readonly #spare: HacObject[] = []
  #freeSlots: number
  #install: HacFrame | null = null
  #target: HacFrame | null = null
  #scanAt = 0
  /** One past the highest position ever used: the scan wraps here (positions are taken lowest first). */
  #highWater = 0
  #epoch = 0
  #usedBytes = 0

  constructor (options: HacOptions) {
    checkWhole(options.capacityBytes, 'capacityBytes')
    this.capacityBytes = options.capacityBytes
    this.frameBytes = options.frameBytes ?? 65536
    if (!(Number.isSafeInteger(this.frameBytes) && this.frameBytes > 0)) throw new RangeError(`frameBytes ${this.frameBytes} is not a positive whole number`)
    this.frameCount = Math.floor(this.capacityBytes / this.frameBytes)
    if (this.frameCount < 2) throw new RangeError(`capacityBytes ${this.capacityBytes} holds fewer than 2 frames of ${this.frameBytes} bytes`)
    this.#scanPerEpoch = options.scanFramesPerEpoch ?? 3
    this.#candidateEpochs = options.candidateEpochs ?? 20
    this.#retention = options.retentionFraction ?? 2 / 3
    if (!(Number.isSafeInteger(this.#scanPerEpoch) && this.#scanPerEpoch >= 1)) throw new RangeError(`scanFramesPerEpoch ${this.#scanPerEpoch} is not a whole number ≥ 1`)
    if (!(Number.isSafeInteger(this.#candidateEpochs) && this.#candidateEpochs >= 1)) throw new RangeError(`candidateEpochs ${this.#candidateEpochs} is not a whole number ≥ 1`)
    if (!(this.#retention >= 0 && this.#retention < 1)) throw new RangeError(`retentionFraction ${this.#retention} is not in [0, 1)`)
    this.#table = new Array<HacFrame | null>(this.frameCount).fill(null)
    for (let p = this.frameCount - 1; p >= 0; p--) this.#freePositions.push(p)
    this.#freeSlots = this.frameCount
    this.#ledger = new CacheLedger(options)
  }

  get usedBytes (): number { return this.#usedBytes }
  get objectCount (): number { return this.#objects.size }

  lookup (objectId: ObjectId): boolean {
    const object = this.#objects.get(objectId)
    if (object === undefined) {
      this.#ledger.stats.misses++
      return false
    }
    this.#ledger.stats.hits++
    object.usage = usedUsage(object.usage)
    this.#ledger.used(object)
    return true
  }

  touch (objectId: ObjectId): boolean {
    const object = this.#objects.get(objectId)
    if (object === undefined) return false
    this.#ledger.stats.touches++
    object.usage = usedUsage(object.usage)
    this.#ledger.used(object)
    return true
  }

  has (objectId: ObjectId): boolean {
    return this.#objects.has(objectId)
  }

  insert (objectId: ObjectId, sizeBytes: number, groupId: GroupId | null, options: InsertOptions): InsertOutcome {
    const present = this.#objects.get(objectId)
    if (present !== undefined) {
      if (!options.prefetched) present.usage = usedUsage(present.usage)
      this.#ledger.present(present, groupId, options.prefetched)
      return 'present'
    }
    checkWhole(objectId, 'objectId')
    checkWhole(sizeBytes, 'sizeBytes')
    if (groupId !== null) checkWhole(groupId, 'groupId')
    const slots = sizeBytes <= this.frameBytes ? 1 : Math.ceil(sizeBytes / this.frameBytes)
    if (slots > this.frameCount - 1) {
      this.#ledger.rejected(sizeBytes)
      return 'rejected'
    }
    let frame: HacFrame
    if (slots > 1) {
      frame = this.#takeFrame(slots, 'normal')
    } else if (this.#install !== null && this.#install.fits(sizeBytes)) {
      frame = this.#install
    } else {
      if (this.#install !== null) this.#install.setRole('normal')
      this.#install = null
      frame = this.#takeFrame(1, 'install')
      this.#install = frame
    }
    const object = this.#spare.pop() ?? { id: 0, sizeBytes: 0, prefetched: false, accessed: false, frame, usage: 0 }
    object.id = objectId
    object.sizeBytes = sizeBytes
    object.prefetched = options.prefetched
    object.accessed = !options.prefetched
    object.usage = options.prefetched ? 0 : usedUsage(0)
    frame.add(object)
    this.#objects.set(objectId, object)
    this.#usedBytes += sizeBytes
    this.#ledger.arrived(object, groupId)
    return 'inserted'
  }

  groupResidency (groupId: GroupId): GroupResidency {
    return this.#ledger.groups.residency(groupId)
  }

  groupCounts (groupId: GroupId): GroupCounts {
    return this.#ledger.groups.counts(groupId)
  }

  residentIds (): IterableIterator<ObjectId> {
    return this.#objects.keys()
  }

  /** An object's usage bits and frame (position and role), for tests and debugging. */
  inspect (objectId: ObjectId): { usage: number, framePosition: number, frameRole: string } | undefined {
    const o = this.#objects.get(objectId)
    return o === undefined ? undefined : { usage: o.usage, framePosition: o.frame.position, frameRole: o.frame.role }
  }

  /** Frames in use (slots), and how many candidates the set holds. */
  get framesInUse (): number { return this.frameCount - this.#freeSlots }
  get candidateCount (): number { return this.#candidates.size }

  stats (): CacheStatsSnapshot {
    return this.#ledger.stats.snapshot()
  }

  checkInvariants (): void {
    this.#ledger.check(this.#objects.values(), this.#usedBytes, this.capacityBytes)
    let slots = 0
    let objects = 0
    for (let p = 0; p < this.#table.length; p++) {
      const f = this.#table[p]
      if (f === null || f === undefined) continue
      if (f.position !== p || f.role === 'free') throw new Error(`frame at ${p}: position ${f.position}, role ${f.role}`)
      slots += f.slots
      let bytes = 0
      for (const o of f.objects) {
        if (o.frame !== f || this.#objects.get(o.id) !== o) throw new Error(`object ${o.id} listed in frame ${p} but lives elsewhere`)
        if (!(Number.isInteger(o.usage) && o.usage >= 0 && o.usage <= USAGE_MAX)) throw new Error(`object ${o.id} usage ${o.usage}`)
        bytes += o.sizeBytes
      }
      objects += f.objects.length
      if (bytes !== f.usedBytes || bytes > f.capacityBytes) throw new Error(`frame ${p}: usedBytes ${f.usedBytes}, objects ${bytes}, capacity ${f.capacityBytes}`)
      if (f.slots > 1 && f.objects.length > 1) throw new Error(`multi-slot frame ${p} holds ${f.objects.length} objects`)
    }
    if (objects !== this.#objects.size) throw new Error(`frames hold ${objects} objects, the index ${this.#objects.size}`)
    if (slots + this.#freeSlots !== this.frameCount) throw new Error(`slots in use ${slots} + free ${this.#freeSlots} ≠ ${this.frameCount}`)
    for (const [name, f, role] of [['install', this.#install, 'install'], ['target', this.#target, 'target']] as const) {
      if (f !== null && (this.#table[f.position] !== f || f.role !== role)) throw new Error(`${name} frame is not live or has role ${f.role}`)
    }
    if (this.#usedBytes > this.frameCount * this.frameBytes) throw new Error(`usedBytes ${this.#usedBytes} > frames' capacity`)
  }

  /** A new frame of `slots` slots; starts an epoch and makes room first. */
  #takeFrame (slots: number, role: 'install' | 'normal'): HacFrame {
    this.#epoch++
    this.#candidates.expire(this.#epoch - this.#candidateEpochs + 1)
    this.#scan(this.#scanPerEpoch)
    this.#makeRoom(slots)
    const position = this.#freePositions.pop()
    if (position === undefined) throw new Error('HAC: no free frame position (slot accounting out of step)')
    const frame = new HacFrame(position, slots, slots * this.frameBytes, role)
    this.#table[position] = frame
    if (position >= this.#highWater) this.#highWater = position + 1
    this.#freeSlots -= slots
    return frame
  }

  /** Scans up to `count` normal frames from the scan pointer; returns how many it scanned. */
  #scan (count: number): number {
    const table = this.#table
    const end = this.#highWater
    let scanned = 0
    for (let visited = 0; visited < end && scanned < count; visited++) {
      if (this.#scanAt >= end) this.#scanAt = 0
      const frame = table[this.#scanAt++]
      if (frame === null || frame === undefined || frame.role !== 'normal') continue
      for (const o of frame.objects) o.usage = decayedUsage(o.usage)
      frame.version++
      this.#candidates.add(frame, frameValue(frame.objects, frame.usedBytes, this.#retention), this.#epoch)
      scanned++
    }
    this.#ledger.stats.framesScanned += scanned
    return scanned
  }

  /** Compacts candidates until `slots` frame slots are free. */
  #makeRoom (slots: number): void {
    const stats = this.#ledger.stats
    let fruitless = 0
    const patience = 4 * this.frameCount + 16
    while (this.#freeSlots < slots) {
      const candidate = this.#candidates.takeLeastValuable()
      if (candidate === undefined) {
        if (this.#scan(this.#scanPerEpoch) > 0) continue
        // No normal frame left: the target and install frames are all there is; let them be compacted.
        if (this.#target !== null) { this.#target.setRole('normal'); this.#target = null; continue }
        if (this.#install !== null) { this.#install.setRole('normal'); this.#install = null; continue }
        throw new Error(`HAC: no frame to compact but only ${this.#freeSlots} of ${slots} slots free`)
      }
      const before = stats.evicted + this.#freeSlots
      const force = fruitless >= patience
      if (force) stats.forcedEvictions++
      this.#compact(candidate.frame, force ? USAGE_MAX : candidate.threshold)
      if (stats.evicted + this.#freeSlots === before) fruitless++
      else fruitless = 0
    }
  }

  /** Compacts `frame`: usage > threshold moves to the target (or stays, the frame becoming the target); the rest is evicted. */
  #compact (frame: HacFrame, threshold: number): void {
    const stats = this.#ledger.stats
    stats.compactions++
    frame.version++
    const kept: HacObject[] = []
    let becomesTarget = false
    for (const o of frame.objects) {
      if (o.usage <= threshold) {
        frame.usedBytes -= o.sizeBytes
        this.#evict(o)
        continue
      }
      const target = this.#target
      if (!becomesTarget && target !== null && target.fits(o.sizeBytes)) {
        frame.usedBytes -= o.sizeBytes
        target.add(o)
        stats.movedObjects++
        stats.movedBytes += o.sizeBytes
      } else {
        kept.push(o)
        if (frame.slots === 1) becomesTarget = true
      }
    }
    frame.objects = kept
    if (kept.length === 0) {
      this.#free(frame)
    } else if (becomesTarget) {
      if (this.#target !== null) this.#target.setRole('normal')
      frame.setRole('target')
      this.#target = frame
    }
  }

  #evict (o: HacObject): void {
    this.#objects.delete(o.id)
    this.#usedBytes -= o.sizeBytes
    this.#ledger.evicted(o)
    if (this.#spare.length < SPARE_ENTRIES_MAX) this.#spare.push(o)
  }

  #free (frame: HacFrame): void {
    frame.setRole('free')
    this.#table[frame.position] = null
    this.#freePositions.push(frame.position)
    this.#freeSlots += frame.slots
  }
}

/**
 * HAC's frames and cached objects (design section 5: groups play the part of pages). A frame is
 * `frameBytes` of cache space holding whole objects; an object lives in exactly one frame. A
 * frame's role: 'install' (receiving arriving objects), 'target' (receiving the hot objects of
 * compacted frames), 'normal' (may be scanned and compacted) or 'free' (released; the object is
 * not reused). An object larger than a frame gets a frame of its own spanning several frame
 * slots. Plain data; the cache (hac-cache.ts) owns every change.
 */
import type { CachedEntry } from './cache-ledger.ts'

export type FrameRole = 'install' | 'target' | 'normal' | 'free'

export interface HacObject extends CachedEntry {
  frame: HacFrame
  /** 4-bit usage (hac-usage.ts). */
  usage: number
}

export class HacFrame {
  /** Index in the cache's frame table (the scan order). */
  readonly position: number
  /** Frame slots it takes (1, or more for one oversized object). */
  readonly slots: number
  readonly capacityBytes: number
  usedBytes = 0
  objects: HacObject[] = []
  role: FrameRole
  /** Bumped on every scan, compaction and role change: older candidate entries go stale. */
  version = 0

  constructor (position: number, slots: number, capacityBytes: number, role: FrameRole) {
    this.position = position
    this.slots = slots
    this.capacityBytes = capacityBytes
    this.role = role
  }

  get compactable (): boolean { return this.role === 'normal' }

  fits (sizeBytes: number): boolean {
    return this.usedBytes + sizeBytes <= this.capacityBytes
  }

  add (object: HacObject): void {
    this.objects.push(object)
    this.usedBytes += object.sizeBytes
    object.frame = this
  }

  setRole (role: FrameRole): void {
    this.role = role
    this.version++
  }
}

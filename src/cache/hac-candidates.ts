/**
 * HAC's candidate set (Castro et al., SOSP 1997, section 3.2.2): the frames scanned during the
 * last E epochs, each with the usage value (T, H) computed when it was scanned. The victim is the
 * least valuable candidate (lowest T, then lowest H, then the earliest scanned). Entries go
 * stale when their frame is freed, compacted, rescanned or becomes the target or install frame
 * (the frame's version moves on); stale and expired entries are dropped lazily. The set holds at
 * most about S × E entries, so picking the victim is a short linear pass. No randomness.
 */
import { compareFrameValues, type FrameValue } from './hac-usage.ts'

/** What the candidate set needs of a frame. */
export interface CandidateFrame {
  /** Changes whenever an entry made earlier no longer describes the frame. */
  readonly version: number
  /** Whether the frame may be compacted now (a normal, live frame). */
  readonly compactable: boolean
}

export interface Candidate<F extends CandidateFrame> extends FrameValue {
  readonly frame: F
  readonly version: number
  readonly epoch: number
  readonly seq: number
}

export class CandidateSet<F extends CandidateFrame> {
  #entries: Array<Candidate<F>> = []
  #seq = 0

  get size (): number { return this.#entries.length }

  add (frame: F, value: FrameValue, epoch: number): void {
    this.#entries.push({ frame, version: frame.version, epoch, seq: this.#seq++, threshold: value.threshold, hotFraction: value.hotFraction })
  }

  /** Drops entries scanned before `oldestEpoch`, and stale ones. */
  expire (oldestEpoch: number): void {
    this.#entries = this.#entries.filter((c) => c.epoch >= oldestEpoch && this.#valid(c))
  }

  /** Removes and returns the least valuable valid candidate; undefined when none is left. */
  takeLeastValuable (): Candidate<F> | undefined {
    const entries = this.#entries
    let best = -1
    let write = 0
    for (let read = 0; read < entries.length; read++) {
      const c = entries[read]!
      if (!this.#valid(c)) continue
      entries[write] = c
      if (best < 0) {
        best = write
      } else {
        const b = entries[best]!
        const order = compareFrameValues(c, b)
        if (order < 0 || (order === 0 && c.seq < b.seq)) best = write
      }
      write++
    }
    entries.length = write
    if (best < 0) return undefined
    const chosen = entries[best]!
    entries.splice(best, 1)
    return chosen
  }

  #valid (c: Candidate<F>): boolean {
    return c.frame.compactable && c.frame.version === c.version
  }
}

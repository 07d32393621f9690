/**
 * HAC's usage statistics (Castro et al., SOSP 1997, section 3.2): every cached object has a
 * 4-bit usage value; a frame's usage is a pair (T, H).
 *  - Object usage: a use sets the top bit (`usage | 0b1000`); scanning the object's frame decays
 *    it by a right shift. So the value records in which of the last four scan periods the object
 *    was used — recency and frequency together, like the paper's LRU-K-inspired counter (the
 *    paper's exact update on use is not reproduced here; this is the aging form of it).
 *  - Frame usage: T is the smallest threshold in 0..15 such that the objects with usage > T
 *    ("hot") take at most the retention fraction R (default 2/3) of the frame's bytes; H is that
 *    hot fraction. F is less valuable than G when T_F < T_G, or T_F = T_G and H_F < H_G.
 *    Compacting F keeps objects with usage > T_F and evicts the rest, so it frees at least
 *    1 − R of the frame. (The paper counts the fraction over objects; here over bytes, since
 *    objects differ in size and bytes are what compaction frees.)
 * Pure functions on plain numbers; no state.
 */

export const USAGE_BITS = 4
export const USAGE_MAX = (1 << USAGE_BITS) - 1
const USAGE_TOP_BIT = 1 << (USAGE_BITS - 1)

/** The usage after a use. */
export function usedUsage (usage: number): number {
  return usage | USAGE_TOP_BIT
}

/** The usage after its frame is scanned. */
export function decayedUsage (usage: number): number {
  return usage >>> 1
}

export interface FrameValue {
  /** T: objects with usage > T are hot. */
  threshold: number
  /** H: the fraction of the frame's bytes that is hot at T (0 when the frame holds no bytes). */
  hotFraction: number
}

/** What frameValue needs of an object. */
export interface UsageCarrier { readonly sizeBytes: number, readonly usage: number }

const bytesAt = new Float64Array(USAGE_MAX + 1)

/** (T, H) of a frame holding `objects` (usedBytes = their total size). */
export function frameValue (objects: readonly UsageCarrier[], usedBytes: number, retentionFraction: number): FrameValue {
  if (usedBytes === 0) return { threshold: 0, hotFraction: 0 }
  bytesAt.fill(0)
  for (const o of objects) bytesAt[o.usage]! += o.sizeBytes
  const limit = retentionFraction * usedBytes
  // hot(T) = bytes with usage > T shrinks as T grows; hot(USAGE_MAX) = 0 ≤ limit always.
  let hot = usedBytes - bytesAt[0]!
  for (let t = 0; t < USAGE_MAX; t++) {
    if (hot <= limit) return { threshold: t, hotFraction: hot / usedBytes }
    hot -= bytesAt[t + 1]!
  }
  return { threshold: USAGE_MAX, hotFraction: 0 }
}

/** Negative when frame value a is less valuable than b (compact a first), 0 when equal. */
export function compareFrameValues (a: FrameValue, b: FrameValue): number {
  return a.threshold !== b.threshold ? a.threshold - b.threshold : a.hotFraction - b.hotFraction
}

/**
 * Reuse (stack) distances of a reference string: for each reference, the number of distinct
 * other objects referenced since the previous reference to the same object (-1 for a first
 * reference). O(n log n) with a Fenwick tree over positions that marks each object's latest
 * reference, so millions of references take about a second. Pure.
 */

export interface ReuseDistanceSummary {
  references: number
  /** First references (cold misses of any cache). */
  firstReferences: number
  /** Quantiles over the re-references; 0 when there are none. */
  p50: number
  p90: number
  p99: number
  max: number
  mean: number
}

export function reuseDistances (refs: Int32Array, objectCount: number): Int32Array {
  const n = refs.length
  const tree = new Int32Array(n + 1)
  const last = new Int32Array(objectCount).fill(-1)
  const out = new Int32Array(n)
  let marked = 0
  for (let i = 0; i < n; i++) {
    const object = refs[i] as number
    const previous = last[object] as number
    if (previous < 0) {
      out[i] = -1
    } else {
      // distinct objects whose latest reference lies after `previous`: all marks minus those up to it
      let upTo = 0
      for (let j = previous + 1; j > 0; j -= j & -j) upTo += tree[j] as number
      out[i] = marked - upTo
      for (let j = previous + 1; j <= n; j += j & -j) tree[j] = (tree[j] as number) - 1
      marked--
    }
    for (let j = i + 1; j <= n; j += j & -j) tree[j] = (tree[j] as number) + 1
    marked++
    last[object] = i
  }
  return out
}

export function summarizeReuse (distances: Int32Array): ReuseDistanceSummary {
  let count = 0
  for (let i = 0; i < distances.length; i++) if ((distances[i] as number) >= 0) count++
  const reused = new Int32Array(count)
  for (let i = 0, j = 0; i < distances.length; i++) if ((distances[i] as number) >= 0) reused[j++] = distances[i] as number
  reused.sort()
  const at = (q: number): number => count === 0 ? 0 : reused[Math.min(count - 1, Math.floor(q * count))] as number
  let sum = 0
  for (let i = 0; i < count; i++) sum += reused[i] as number
  return {
    references: distances.length,
    firstReferences: distances.length - count,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: count === 0 ? 0 : reused[count - 1] as number,
    mean: count === 0 ? 0 : sum / count
  }
}

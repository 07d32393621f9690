/**
 * The working-set grouping's parameters (design section 4): their defaults, validation, the pass
 * schedule (strict to loose thresholds) and the parsing of group sizes given as an object count
 * ("32") or a byte size ("256KiB"). Pure functions; never reads files or the environment.
 */

export interface GroupingParams {
  /** Window: for each access, the distinct objects among the next `k` references. */
  k: number
  /** Neighbour-list length: `N(a)` is `a` plus at most `m` objects. */
  m: number
  /** The loosest Jarvis-Patrick threshold: a link needs `|N(a) ∩ N(b)| ≥ n`. */
  n: number
  /** Neighbours need `P(b | a) ≥ pMin`. */
  pMin: number
  /** Space-Saving counters per object (≥ m); default max(2m, ⌈k / pMin⌉). Exact while an object's distinct successors fit. */
  capacity: number
  /** Accesses an object needs in the statistics before it gets a neighbour list (fewer: it stays a singleton unless it overlaps). */
  minCount: number
  /** Group-size cap in objects (Infinity: none). Applies to an object's home group; overlap members come on top. */
  maxGroupObjects: number
  /** Group-size cap in bytes (Infinity: none). */
  maxGroupBytes: number
  /** Acceptable size in objects: a group this large at the end of a pass takes no more merges. */
  targetGroupObjects: number
  /** Acceptable size in bytes, as targetGroupObjects. */
  targetGroupBytes: number
  /** Thresholds per form, evenly spaced from m + 1 (identical lists) down to n. */
  passes: number
  /** After the strict passes, run the same thresholds on loose links (no mutual-listing requirement). */
  loose: boolean
  /** An object whose in-list splits into at least this many substantial strictly linked components is an overlap object. */
  overlapMinGroups: number
  /** A component is substantial with ≥ 2 objects and at least this fraction of the largest one. */
  overlapComponentFraction: number
  /** An overlap object joins a group when at least this fraction of the group's home members list it. */
  overlapJoinFraction: number
}

export const DEFAULT_GROUPING_PARAMS: Readonly<GroupingParams> = Object.freeze({
  k: 10,
  m: 16,
  n: 8,
  pMin: 0.1,
  capacity: 100,
  minCount: 1,
  maxGroupObjects: 32,
  maxGroupBytes: Infinity,
  targetGroupObjects: Infinity,
  targetGroupBytes: Infinity,
  passes: 4,
  loose: true,
  overlapMinGroups: 3,
  overlapComponentFraction: 0.5,
  overlapJoinFraction: 0.5
})

/**
 * Defaults overlaid with `partial`. Without a capacity, it is max(2m, ⌈k / pMin⌉): then every b
 * with P(b | a) > pMin is guaranteed a counter (see co-access-stats.ts). Throws RangeError
 * naming a bad field.
 */
export function groupingParams (partial: Partial<GroupingParams> = {}): GroupingParams {
  const merged: GroupingParams = { ...DEFAULT_GROUPING_PARAMS, ...stripUndefined(partial) }
  if (partial.capacity === undefined) merged.capacity = defaultCapacity(merged)
  validateGroupingParams(merged)
  return merged
}

/** max(2m, ⌈k / pMin⌉), at most 65,535 (pMin 0 gives the cap). */
export function defaultCapacity (p: Pick<GroupingParams, 'k' | 'm' | 'pMin'>): number {
  const needed = p.pMin > 0 ? Math.ceil(p.k / p.pMin - 1e-9) : Infinity
  return Math.min(65_535, Math.max(2 * p.m, needed))
}

function stripUndefined<T extends object> (value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}

export function validateGroupingParams (p: GroupingParams): void {
  const integer = (name: keyof GroupingParams, min: number, max = 1e9): void => {
    const v = p[name] as number
    if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`grouping: ${name} must be an integer in [${min}, ${max}], got ${String(v)}`)
  }
  const positive = (name: keyof GroupingParams): void => {
    const v = p[name] as number
    if (!(v > 0)) throw new RangeError(`grouping: ${name} must be positive (or Infinity), got ${String(v)}`)
  }
  integer('k', 1, 10_000)
  integer('m', 1, 1000)
  integer('n', 1, 1001)
  integer('capacity', p.m, 65_535)
  integer('minCount', 1)
  integer('passes', 1, 1000)
  integer('overlapMinGroups', 2)
  if (!(p.pMin >= 0 && p.pMin <= 1)) throw new RangeError(`grouping: pMin must be in [0, 1], got ${p.pMin}`)
  if (!(p.overlapComponentFraction > 0 && p.overlapComponentFraction <= 1)) throw new RangeError(`grouping: overlapComponentFraction must be in (0, 1], got ${p.overlapComponentFraction}`)
  if (!(p.overlapJoinFraction > 0 && p.overlapJoinFraction <= 1)) throw new RangeError(`grouping: overlapJoinFraction must be in (0, 1], got ${p.overlapJoinFraction}`)
  if (p.n > p.m + 1) throw new RangeError(`grouping: n (${p.n}) cannot exceed m + 1 (${p.m + 1}), the largest possible |N(a) ∩ N(b)|`)
  positive('maxGroupObjects')
  positive('maxGroupBytes')
  positive('targetGroupObjects')
  positive('targetGroupBytes')
  if (p.maxGroupObjects !== Infinity) integer('maxGroupObjects', 1)
}

/** The strict-form thresholds, then (when loose) the same for the loose form: descending from m + 1 to n. */
export function passThresholds (p: GroupingParams): number[] {
  const top = p.m + 1
  const out: number[] = []
  for (let i = 0; i < p.passes; i++) {
    const t = p.passes === 1 ? p.n : Math.round(top - (top - p.n) * i / (p.passes - 1))
    if (out[out.length - 1] !== t) out.push(t)
  }
  return out
}

export interface GroupSize { objects: number, bytes: number }

const UNITS: Record<string, number> = { b: 1, kb: 1e3, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3 }

/** "32" → 32 objects; "256KiB", "1MiB", "65536B" → bytes. The other dimension is Infinity. */
export function parseGroupSize (text: string): GroupSize {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text)
  if (match === null) throw new RangeError(`not a group size: "${text}" (use an object count like 32 or bytes like 256KiB)`)
  const value = Number(match[1])
  const unit = (match[2] ?? '').toLowerCase()
  if (unit === '' || unit === 'objects' || unit === 'obj') {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`not a group size: "${text}" (an object count must be a positive integer)`)
    return { objects: value, bytes: Infinity }
  }
  const scale = UNITS[unit]
  if (scale === undefined) throw new RangeError(`not a group size: "${text}" (unknown unit "${match[2]}"; use B, KiB, MiB, KB, MB)`)
  if (!(value > 0)) throw new RangeError(`not a group size: "${text}" (must be positive)`)
  return { objects: Infinity, bytes: Math.round(value * scale) }
}

/**
 * Ring arithmetic on the 2^160 identifier circle, with Bamboo's semantics (`GuidTools`):
 * distance is the shorter way round; `inRangeMod` is inclusive at both ends and wraps.
 * Pure functions; ids are `bigint`s in [0, 2^160).
 */
import { ID_SPACE, type Id } from './node-id.ts'

function mod (value: bigint, modulus: bigint): bigint {
  const r = value % modulus
  return r < 0n ? r + modulus : r
}

/** Clockwise distance from `from` to `to` (how far `to` is ahead of `from`). */
export function clockwiseDistance (from: Id, to: Id, modulus: bigint = ID_SPACE): bigint {
  return mod(to - from, modulus)
}

/** Bamboo's `calc_dist`: the smaller of the clockwise and counter-clockwise distances. */
export function ringDistance (a: Id, b: Id, modulus: bigint = ID_SPACE): bigint {
  const one = mod(b - a, modulus)
  const two = mod(a - b, modulus)
  return one <= two ? one : two
}

/**
 * Bamboo's `in_range_mod(low, high, query)`: true when `query` lies on the clockwise arc from
 * `low` to `high`, both ends included. `low == high` is the single point.
 */
export function inRangeMod (low: Id, high: Id, query: Id, modulus: bigint = ID_SPACE): boolean {
  // Ids on the ring: comparisons only (the general form below makes new bigints when it wraps).
  if (low < modulus && high < modulus && query < modulus) return inArc(low, high, query)
  const top = low <= high ? high : high + modulus
  const q = low <= query ? query : query + modulus
  return q <= top && q >= low
}

/** `query` on the arc from `low` to `high`, both included, wrapping through zero when low > high (values on the ring). */
export function inArc (low: Id, high: Id, query: Id): boolean {
  return low <= high ? low <= query && query <= high : query >= low || query <= high
}

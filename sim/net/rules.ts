/**
 * Fault rules of the simulated network, turmoil-style: an ordered list, each rule looks at one
 * datagram and either has no opinion (`undefined`) or gives a verdict — pass, drop (with a
 * reason) or deliver later. The first verdict wins, so a `pass` rule placed first carves an
 * exception out of the rules after it. Rules are plain descriptions (JSON-able, so a run's
 * report records them) and draw randomness only from the Rng the network hands them.
 */
import type { Rng } from '../../src/env/rng.ts'

export type Verdict =
  | { readonly kind: 'pass' }
  | { readonly kind: 'drop', readonly reason: string }
  | { readonly kind: 'delay', readonly extraUs: number }

/** What a rule may look at. */
export interface PacketFacts {
  readonly nowUs: number
  readonly sourceNode: number
  readonly targetNode: number
  readonly sizeBytes: number
}

/** Which datagrams a rule applies to; every field left out matches everything. */
export interface Match {
  /** Active from this simulated time, µs (inclusive). */
  readonly fromUs?: number
  /** Active until this simulated time, µs (exclusive): the rule "heals" then. */
  readonly untilUs?: number
  readonly sourceNodes?: readonly number[]
  readonly targetNodes?: readonly number[]
}

export type NetworkRule =
  | { readonly kind: 'loss', readonly probability: number, readonly match?: Match }
  | { readonly kind: 'partition', readonly side: readonly number[], readonly otherSide?: readonly number[], readonly fromUs?: number, readonly untilUs?: number }
  | { readonly kind: 'delay', readonly extraUs: number, readonly jitterUs?: number, readonly match?: Match }
  | { readonly kind: 'pass', readonly match?: Match }

/** A rule prepared for fast matching (node lists turned into sets). */
export class CompiledRule {
  readonly #sources: Set<number> | null
  readonly #targets: Set<number> | null
  readonly #side: Set<number> | null
  readonly #otherSide: Set<number> | null
  readonly #fromUs: number
  readonly #untilUs: number

  constructor (readonly rule: NetworkRule, private readonly rng: Rng) {
    validateRule(rule)
    const match = rule.kind === 'partition' ? undefined : rule.match
    const window = rule.kind === 'partition' ? rule : match
    this.#fromUs = window?.fromUs ?? -Infinity
    this.#untilUs = window?.untilUs ?? Infinity
    this.#sources = match?.sourceNodes === undefined ? null : new Set(match.sourceNodes)
    this.#targets = match?.targetNodes === undefined ? null : new Set(match.targetNodes)
    this.#side = rule.kind === 'partition' ? new Set(rule.side) : null
    this.#otherSide = rule.kind === 'partition' && rule.otherSide !== undefined ? new Set(rule.otherSide) : null
  }

  judge (packet: PacketFacts): Verdict | undefined {
    if (packet.nowUs < this.#fromUs || packet.nowUs >= this.#untilUs) return undefined
    const rule = this.rule
    if (rule.kind === 'partition') return this.#crossesPartition(packet) ? DROP_PARTITION : undefined
    if (this.#sources !== null && !this.#sources.has(packet.sourceNode)) return undefined
    if (this.#targets !== null && !this.#targets.has(packet.targetNode)) return undefined
    switch (rule.kind) {
      case 'pass': return PASS
      case 'loss': return this.rng.float() < rule.probability ? DROP_LOSS : undefined
      case 'delay': {
        const jitterUs = rule.jitterUs ?? 0
        return { kind: 'delay', extraUs: rule.extraUs + (jitterUs > 0 ? Math.floor(this.rng.float() * jitterUs) : 0) }
      }
    }
  }

  #crossesPartition (packet: PacketFacts): boolean {
    const side = this.#side!
    const sourceIn = side.has(packet.sourceNode)
    const targetIn = side.has(packet.targetNode)
    if (sourceIn === targetIn) return false
    if (this.#otherSide === null) return true
    return this.#otherSide.has(sourceIn ? packet.targetNode : packet.sourceNode)
  }
}

const PASS: Verdict = { kind: 'pass' }
const DROP_LOSS: Verdict = { kind: 'drop', reason: 'loss' }
const DROP_PARTITION: Verdict = { kind: 'drop', reason: 'partition' }

/** Throws a RangeError naming the bad field; rules come from users' configurations. */
export function validateRule (rule: NetworkRule): void {
  const window = rule.kind === 'partition' ? rule : rule.match
  if (window?.fromUs !== undefined && window.untilUs !== undefined && window.untilUs < window.fromUs) {
    throw new RangeError(`${rule.kind} rule: untilUs ${window.untilUs} is before fromUs ${window.fromUs}`)
  }
  if (rule.kind === 'loss' && !(rule.probability >= 0 && rule.probability <= 1)) {
    throw new RangeError(`loss rule: probability ${rule.probability} is not in [0, 1]`)
  }
  if (rule.kind === 'delay' && (!(rule.extraUs >= 0) || !((rule.jitterUs ?? 0) >= 0))) {
    throw new RangeError(`delay rule: extraUs ${rule.extraUs} and jitterUs ${rule.jitterUs ?? 0} must be ≥ 0`)
  }
  if (rule.kind === 'partition' && rule.side.length === 0) {
    throw new RangeError('partition rule: side is empty')
  }
}

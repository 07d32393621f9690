/**
 * The simulator's embedded default topology: a seeded synthetic wide area. Region centres
 * ("continents") lie on a 2-D plane whose unit is 1 ms of one-way delay, hosts are scattered
 * around their region's centre, and each host has an access delay. The result is a
 * CoordinateModel, so delays are computed on demand. Generation draws only from SeededRngs derived
 * from the seed, so the same options always give the identical model; this module never reads
 * files, never uses ambient randomness and never changes a model after construction.
 */
import { deriveSeed, type Rng, SeededRng } from '../../../src/env/rng.ts'
import { CoordinateModel } from './coordinate-model.ts'

/** Parameters of the synthetic topology. Delays are one-way, in ms. */
export interface SyntheticModelOptions {
  /** Seed of the generator; the same seed and options give an identical model. */
  seed: string | number
  /** Number of hosts. @default 128 */
  hostCount?: number
  /** Number of regions (continents) hosts belong to. @default 6 */
  regionCount?: number
  /**
   * Radius of the disc region centres are drawn in, ms of one-way delay; two centres are at most
   * twice this apart. @default 55
   */
  planeRadiusMs?: number
  /**
   * Smallest distance between two region centres, ms one-way; centres are redrawn (up to a
   * bound, then the farthest candidate is kept) until they are this far from each other. @default 20
   */
  minRegionSpacingMs?: number
  /**
   * Radius of the disc a region's hosts are scattered in around its centre, ms one-way; two hosts
   * of one region are at most twice this apart. @default 14
   */
  regionRadiusMs?: number
  /**
   * Ratio between the most and the least populated region's expected share of hosts (regions get
   * weights drawn uniformly in [1, ratio]); 1 spreads hosts evenly. @default 4
   */
  regionSkew?: number
  /** Smallest per-host access delay, ms, added at each end of a path. @default 0.5 */
  accessMinMs?: number
  /** Largest per-host access delay, ms (drawn uniformly in [accessMinMs, accessMaxMs]). @default 5 */
  accessMaxMs?: number
}

/** The defaults of every optional SyntheticModelOptions field. */
export const DEFAULT_SYNTHETIC_OPTIONS = {
  hostCount: 128,
  regionCount: 6,
  planeRadiusMs: 55,
  minRegionSpacingMs: 20,
  regionRadiusMs: 14,
  regionSkew: 4,
  accessMinMs: 0.5,
  accessMaxMs: 5
} as const satisfies Omit<Required<SyntheticModelOptions>, 'seed'>

/** Attempts to place a region centre at least minRegionSpacingMs from the others. */
const CENTRE_ATTEMPTS = 200

/** A seeded synthetic wide-area topology (see the module comment); build with createSyntheticModel. */
export class SyntheticModel extends CoordinateModel {
  /** The options the model was generated from, defaults filled in. */
  readonly options: Readonly<Required<SyntheticModelOptions>>
  /** Region of each host, 0 … regionCount − 1. */
  readonly regionOfHost: Int32Array
  /** Region centres as x, y pairs, ms. */
  readonly regionCentresMs: Float64Array

  constructor (options: SyntheticModelOptions) {
    const resolved = resolveOptions(options)
    const generated = generate(resolved)
    super(syntheticName(resolved), 2, generated.coordinatesMs, generated.accessUs)
    this.options = resolved
    this.regionOfHost = generated.regionOfHost
    this.regionCentresMs = generated.regionCentresMs
  }
}

/** Generates the synthetic topology for `options` (see SyntheticModelOptions for the defaults). */
export function createSyntheticModel (options: SyntheticModelOptions): SyntheticModel {
  return new SyntheticModel(options)
}

function resolveOptions (options: SyntheticModelOptions): Required<SyntheticModelOptions> {
  const resolved: Required<SyntheticModelOptions> = { ...DEFAULT_SYNTHETIC_OPTIONS, ...stripUndefined(options) }
  const check = (ok: boolean, what: string): void => { if (!ok) throw new RangeError(`synthetic model: ${what}`) }
  check(typeof resolved.seed === 'string' || Number.isFinite(resolved.seed), 'seed must be a string or a finite number')
  check(Number.isInteger(resolved.hostCount) && resolved.hostCount >= 1, `hostCount ${resolved.hostCount} is not a positive integer`)
  check(Number.isInteger(resolved.regionCount) && resolved.regionCount >= 1, `regionCount ${resolved.regionCount} is not a positive integer`)
  for (const key of ['planeRadiusMs', 'minRegionSpacingMs', 'regionRadiusMs', 'accessMinMs', 'accessMaxMs'] as const) {
    check(Number.isFinite(resolved[key]) && resolved[key] >= 0, `${key} ${resolved[key]} is not a finite value ≥ 0`)
  }
  check(Number.isFinite(resolved.regionSkew) && resolved.regionSkew >= 1, `regionSkew ${resolved.regionSkew} is not ≥ 1`)
  check(resolved.accessMinMs <= resolved.accessMaxMs, `accessMinMs ${resolved.accessMinMs} > accessMaxMs ${resolved.accessMaxMs}`)
  return resolved
}

function stripUndefined<T extends object> (value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}

function syntheticName (o: Required<SyntheticModelOptions>): string {
  return `synthetic:seed=${String(o.seed)} (${o.hostCount} hosts, ${o.regionCount} regions, plane ${o.planeRadiusMs} ms, ` +
    `spacing ${o.minRegionSpacingMs} ms, region ${o.regionRadiusMs} ms, skew ${o.regionSkew}, access ${o.accessMinMs}–${o.accessMaxMs} ms)`
}

/** A point drawn uniformly in the disc of `radiusMs` around the origin. */
function pointInDisc (rng: Rng, radiusMs: number): [number, number] {
  const r = radiusMs * Math.sqrt(rng.float())
  const angle = 2 * Math.PI * rng.float()
  return [r * Math.cos(angle), r * Math.sin(angle)]
}

interface Generated {
  coordinatesMs: Float64Array
  accessUs: Float64Array
  regionOfHost: Int32Array
  regionCentresMs: Float64Array
}

/**
 * Regions come from the seed alone (labels 'regions'), hosts from ('hosts'), so adding hosts
 * keeps the regions and the first hosts' regions follow only from the region weights.
 */
function generate (o: Required<SyntheticModelOptions>): Generated {
  const regionRng = new SeededRng(deriveSeed(o.seed, 'regions'))
  const centres = new Float64Array(2 * o.regionCount)
  for (let region = 0; region < o.regionCount; region++) {
    let best: [number, number] = [0, 0]
    let bestSpacingMs = -1
    for (let attempt = 0; attempt < CENTRE_ATTEMPTS && bestSpacingMs < o.minRegionSpacingMs; attempt++) {
      const candidate = pointInDisc(regionRng, o.planeRadiusMs)
      let spacingMs = Infinity
      for (let other = 0; other < region; other++) {
        const dx = candidate[0] - (centres[2 * other] as number)
        const dy = candidate[1] - (centres[2 * other + 1] as number)
        spacingMs = Math.min(spacingMs, Math.hypot(dx, dy))
      }
      if (spacingMs > bestSpacingMs) {
        best = candidate
        bestSpacingMs = spacingMs
      }
    }
    centres[2 * region] = best[0]
    centres[2 * region + 1] = best[1]
  }
  const cumulativeWeight = new Float64Array(o.regionCount)
  let totalWeight = 0
  for (let region = 0; region < o.regionCount; region++) {
    totalWeight += 1 + (o.regionSkew - 1) * regionRng.float()
    cumulativeWeight[region] = totalWeight
  }

  const hostRng = new SeededRng(deriveSeed(o.seed, 'hosts'))
  const coordinatesMs = new Float64Array(2 * o.hostCount)
  const accessUs = new Float64Array(o.hostCount)
  const regionOfHost = new Int32Array(o.hostCount)
  for (let host = 0; host < o.hostCount; host++) {
    const pick = hostRng.float() * totalWeight
    let region = 0
    while (region < o.regionCount - 1 && (cumulativeWeight[region] as number) <= pick) region++
    const [dx, dy] = pointInDisc(hostRng, o.regionRadiusMs)
    regionOfHost[host] = region
    coordinatesMs[2 * host] = (centres[2 * region] as number) + dx
    coordinatesMs[2 * host + 1] = (centres[2 * region + 1] as number) + dy
    accessUs[host] = Math.round(1000 * (o.accessMinMs + (o.accessMaxMs - o.accessMinMs) * hostRng.float()))
  }
  return { coordinatesMs, accessUs, regionOfHost, regionCentresMs: centres }
}

/**
 * The study's configuration: trace and wide-area model, hosts and VMs, migrations, policies,
 * cache, grouping and prefetch parameters, link rates. Defaults are the embedded short study
 * (a recorded trace from traces/ on the synthetic topology). Data and validation only.
 */
import type { GroupingParams } from '../../src/grouping/grouping-params.ts'
import type { CacheKind } from '../../src/cache/object-cache.ts'
import type { LatencyValues } from '../net/models/matrix-model.ts'
import type { StudyPolicy } from './vm-replay.ts'

export const STUDY_POLICIES: readonly StudyPolicy[] = ['demand', 'precopy', 'group', 'oracle']

export interface StudyConfig {
  seed: string
  trace: string
  /** Chunk size of file traces (absent: whole files are objects). */
  fileChunkBytes: number | null
  maxReferences: number | null
  latencyFile: string | null
  latencyValues: LatencyValues
  hosts: number
  vms: number
  /** Migrations per VM, evenly spaced over its replay. */
  migrations: number
  policies: StudyPolicy[]
  cache: CacheKind
  /** Each host's cache as a fraction of the image's bytes. */
  cacheFraction: number
  /** Share of the trace used to build the group table (the profile run); VMs replay the rest. */
  trainFraction: number
  grouping: Partial<GroupingParams>
  /** Most group members prefetched after a miss (Infinity: the whole group). */
  subgroupMax: number
  pPrefetch: number
  uplinkMbps: number
  downlinkMbps: number
  /** Think times of the trace are multiplied by this and capped at maxThinkMs. */
  timeScale: number
  maxThinkMs: number
  /**
   * Nodes are handed the sent message objects (sized by the wire encoders, never encoded or
   * decoded): the study's results are identical either way (tested), only faster.
   */
  shareMessages: boolean
}

export const DEFAULT_STUDY_CONFIG: StudyConfig = {
  seed: '1',
  trace: 'traces/sqlite-db.xtrace',
  fileChunkBytes: 4096,
  maxReferences: null,
  latencyFile: null,
  latencyValues: 'rtt',
  hosts: 16,
  vms: 4,
  migrations: 3,
  policies: [...STUDY_POLICIES],
  cache: 'hac',
  cacheFraction: 0.5,
  trainFraction: 0.5,
  grouping: { k: 8, m: 16, n: 6, pMin: 0.05, maxGroupObjects: 32 },
  subgroupMax: Infinity,
  pPrefetch: 0,
  uplinkMbps: 10,
  downlinkMbps: 50,
  timeScale: 1,
  maxThinkMs: 1000,
  shareMessages: true
}

export function checkStudyConfig (c: StudyConfig): void {
  const positiveInt = (name: string, v: number, min = 1): void => {
    if (!(Number.isInteger(v) && v >= min)) throw new RangeError(`${name} must be a whole number ≥ ${min}, got ${v}`)
  }
  positiveInt('hosts', c.hosts, 2)
  positiveInt('vms', c.vms)
  positiveInt('migrations', c.migrations, 0)
  if (c.policies.length === 0 || c.policies.some((p) => !STUDY_POLICIES.includes(p))) throw new RangeError(`policies must be some of ${STUDY_POLICIES.join(', ')}`)
  if (!(c.cacheFraction > 0 && c.cacheFraction <= 10)) throw new RangeError(`cache fraction must be in (0, 10], got ${c.cacheFraction}`)
  if (!(c.trainFraction >= 0 && c.trainFraction < 1)) throw new RangeError(`train fraction must be in [0, 1), got ${c.trainFraction}`)
  if (!(c.subgroupMax >= 1)) throw new RangeError(`subgroup max must be ≥ 1, got ${c.subgroupMax}`)
  if (!(c.pPrefetch >= 0 && c.pPrefetch <= 1)) throw new RangeError(`p-prefetch must be in [0, 1], got ${c.pPrefetch}`)
  if (!(c.uplinkMbps > 0 && c.downlinkMbps > 0)) throw new RangeError('link rates must be > 0')
  if (!(c.timeScale >= 0 && c.maxThinkMs >= 0)) throw new RangeError('time scale and max think time must be ≥ 0')
}

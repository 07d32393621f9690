/**
 * A run's parameters as flat `flag → value` pairs named like `xest study`'s flags (grouping
 * fields lifted out, `maxGroupObjects` as `max-group`), which of them differ across runs, and
 * short captions naming a run. Pure functions of the provenance; never reads files.
 */
import type { RunResult } from './run-results.ts'

export type ParamValue = string | number | boolean | null

/** Config keys whose flag is not simply the key in kebab case. */
const FLAG_OF: Record<string, string> = { maxGroupObjects: 'max-group', latencyFile: 'latency' }

/** Parameters that are lists or descriptions of the run rather than settings of it. */
const SKIPPED = new Set(['policies'])

const kebab = (key: string): string => FLAG_OF[key] ?? key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())

function scalar (value: unknown): ParamValue {
  if (value === null || value === undefined) return null
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value
  return JSON.stringify(value)
}

/** The run's configuration as flag → value, grouping parameters included at top level. */
export function runParams (run: RunResult): Map<string, ParamValue> {
  const params = new Map<string, ParamValue>()
  for (const [key, value] of Object.entries(run.provenance.config)) {
    if (SKIPPED.has(key)) continue
    if (key === 'grouping' && value !== null && typeof value === 'object') {
      for (const [gKey, gValue] of Object.entries(value)) params.set(kebab(gKey), scalar(gValue))
    } else {
      params.set(kebab(key), scalar(value))
    }
  }
  return params
}

/** Flags whose values differ between the runs, in the first run's order. */
export function varyingParams (runs: readonly RunResult[]): string[] {
  const all = runs.map(runParams)
  const flags: string[] = []
  for (const params of all) for (const flag of params.keys()) if (!flags.includes(flag)) flags.push(flag)
  return flags.filter((flag) => new Set(all.map((p) => JSON.stringify(p.get(flag) ?? null))).size > 1)
}

export function formatParam (flag: string, value: ParamValue): string {
  if (value === null) return `${flag}=${flag === 'subgroup-max' ? 'all' : 'none'}`
  return `${flag}=${typeof value === 'number' ? String(Number(value.toPrecision(6))) : String(value)}`
}

/** Long axis names for the parameters the sweep figures put on x. */
const AXIS_TITLES: Record<string, string> = {
  'max-group': 'Group size cap, max-group (objects per group)',
  n: 'Jarvis–Patrick threshold n (shared neighbours)',
  k: 'Grouping window k (references)',
  m: 'Neighbour-list length m (objects)',
  'p-min': 'Neighbour cut p-min (probability)',
  'subgroup-max': 'Prefetch limit after a miss, subgroup-max (objects)',
  'p-prefetch': 'Prefetch threshold p-prefetch (probability)',
  'cache-fraction': 'Cache per host (fraction of the image)',
  'train-fraction': 'Training share of the trace (fraction)',
  hosts: 'Hosts', vms: 'VMs', migrations: 'Migrations per VM',
  'uplink-mbps': 'Uplink (Mbit/s)', 'downlink-mbps': 'Downlink (Mbit/s)',
  'time-scale': 'Think-time scale (×)', 'max-think-ms': 'Think-time cap (ms)',
  'max-references': 'References used (count)', 'file-chunk-bytes': 'File chunk size (bytes)',
  seed: 'Seed of the run', cache: 'Cache policy', trace: 'Trace', latency: 'Latency model'
}

export function paramAxisTitle (flag: string): string {
  return AXIS_TITLES[flag] ?? flag
}

const baseName = (path: string): string => path.split(/[\\/]/).pop() ?? path

/** One line naming what a run replayed and on what: trace, hosts, VMs × migrations, cache, seed. */
export function runCaption (run: RunResult): string {
  const c = run.provenance.config
  const s = run.summary
  const parts = [
    `trace ${s.trace ?? baseName(String(c.trace ?? '?'))}`,
    c.latencyFile !== null && c.latencyFile !== undefined ? `latency ${baseName(String(c.latencyFile))}` : 'synthetic wide area',
    `${s.hosts ?? c.hosts} hosts`,
    `${s.vms} VMs × ${s.migrationsPerVm} migrations`,
    `${String(c.cache ?? '?').toUpperCase()} cache ${Math.round(100 * Number(c.cacheFraction ?? 0))} % of image`,
    `seed ${run.provenance.seed}`
  ]
  return parts.join(' · ')
}

/**
 * A study result directory as the figures see it: `run.json` (provenance and summary) read and
 * checked for the fields the figures use. Reads files only; never writes, never runs a study.
 * A missing or malformed file is a clear error naming the file and the missing field.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface PolicyMetrics {
  policy: string
  reads: number
  missRate: number
  stall: { totalS: number, readS: number, copyS: number, shareOfReplay: number, perReadMs: { p50: number, p90: number, p99: number, p999: number } }
  addressing: {
    dhtGets: number, dhtPuts: number, dhtRms: number, opsPerMigration: number | null, opsPerThousandReads: number | null
    getLatencyMsMedian: number | null, leaseLatencyMsMedian: number | null
  }
  fetched: { demandBytes: number, prefetchBytes: number, bytesPerVmStart: number }
  unnecessary: { objects: number, bytes: number, shareOfFetchedBytes: number }
  /** The quantile function of per-read stall: 101 points, fraction 0..1. */
  stallCdf: Array<{ fraction: number, stall_ms: number }>
}

export interface RunProvenance {
  packageVersion?: string
  codeVersion?: { commit: string | null, dirty: boolean | null }
  seed: string
  config: Record<string, unknown>
  inputs?: Array<{ path: string, sha1: string, bytes: number }>
  command?: string[]
}

export interface RunResult {
  /** The result directory as given. */
  dir: string
  provenance: RunProvenance
  summary: {
    trace?: string
    references?: number
    vms: number
    migrationsPerVm: number
    hosts?: number
    model?: string
    /** Policies in the order the run compared them. */
    policies: PolicyMetrics[]
  }
}

function need (value: unknown, what: string, file: string): unknown {
  if (value === undefined) throw new Error(`${file}: missing ${what} (not a study result?)`)
  return value
}

/** Reads `<dir>/run.json`; throws an Error naming the file when it is missing or not a study result. */
export function readRunResult (dir: string): RunResult {
  const file = join(dir, 'run.json')
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new Error(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)}); give a directory written by xest study`)
  }
  let run: { provenance?: RunProvenance, summary?: Record<string, unknown> }
  try {
    run = JSON.parse(text) as typeof run
  } catch (error) {
    throw new Error(`${file}: not JSON (${(error as Error).message})`)
  }
  const provenance = need(run.provenance, 'provenance', file) as RunProvenance
  need(provenance.config, 'provenance.config', file)
  const summary = need(run.summary, 'summary', file) as Record<string, unknown>
  const byPolicy = need(summary.policies, 'summary.policies', file) as Record<string, PolicyMetrics>
  const policies = Object.entries(byPolicy).map(([name, p]) => {
    for (const field of ['missRate', 'stall', 'addressing', 'fetched', 'unnecessary', 'stallCdf'] as const) {
      need(p[field], `summary.policies.${name}.${field}`, file)
    }
    return { ...p, policy: name }
  })
  if (policies.length === 0) throw new Error(`${file}: summary.policies is empty`)
  return {
    dir,
    provenance,
    summary: {
      ...summary,
      vms: Number(need(summary.vms, 'summary.vms', file)),
      migrationsPerVm: Number(need(summary.migrationsPerVm, 'summary.migrationsPerVm', file)),
      policies
    }
  }
}

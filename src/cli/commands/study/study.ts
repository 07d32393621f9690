/**
 * `xest study`: flags to a StudyConfig, the study run with terminal progress, results with
 * provenance under results/<run>/ (run.json, CSV tables), and a table of the policies printed.
 * Wall time is printed, never written into result files (same seed ⇒ identical files).
 */
import path from 'node:path'
import { buildProvenance } from '../../../../sim/metrics/provenance.ts'
import { toDeterministicJson, writeRunResults } from '../../../../sim/metrics/report.ts'
import { DEFAULT_STUDY_CONFIG, STUDY_POLICIES, type StudyConfig } from '../../../../sim/study/study-config.ts'
import { runStudy } from '../../../../sim/study/study-scenario.ts'
import { runStudyInJobs } from './study-jobs.ts'
import type { StudyPolicy } from '../../../../sim/study/vm-replay.ts'
import { UsageError } from '../../handle-errors.ts'
import { terminalProgress } from '../../progress.ts'
import type { StudyArgs } from './command.ts'

const REPO = path.resolve(import.meta.dirname, '../../../..')

export function studyConfigOf (args: StudyArgs): StudyConfig {
  const policies = args.policies.split(',').map((p) => p.trim()).filter((p) => p.length > 0)
  const unknown = policies.filter((p) => !STUDY_POLICIES.includes(p as StudyPolicy))
  if (unknown.length > 0) throw new UsageError(`--policies: unknown ${unknown.join(', ')} (choose from ${STUDY_POLICIES.join(', ')})`)
  if (!(Number.isInteger(args.jobs) && args.jobs >= 1)) throw new UsageError(`--jobs: an integer ≥ 1, got ${args.jobs}`)
  const grouping = { ...DEFAULT_STUDY_CONFIG.grouping }
  if (args.k !== undefined) grouping.k = args.k
  if (args.m !== undefined) grouping.m = args.m
  if (args.n !== undefined) grouping.n = args.n
  if (args.pMin !== undefined) grouping.pMin = args.pMin
  if (args.maxGroup !== undefined) grouping.maxGroupObjects = args.maxGroup
  return {
    ...DEFAULT_STUDY_CONFIG,
    seed: args.seed,
    trace: args.trace ?? path.relative(process.cwd(), path.join(REPO, DEFAULT_STUDY_CONFIG.trace)),
    fileChunkBytes: args.wholeFiles ? null : args.fileChunkBytes ?? DEFAULT_STUDY_CONFIG.fileChunkBytes,
    maxReferences: args.maxReferences ?? null,
    latencyFile: args.latency ?? null,
    latencyValues: args.latencyValues,
    hosts: args.hosts,
    vms: args.vms,
    migrations: args.migrations,
    policies: policies as StudyPolicy[],
    cache: args.cache,
    cacheFraction: args.cacheFraction,
    trainFraction: args.trainFraction,
    grouping,
    subgroupMax: args.subgroupMax ?? Infinity,
    pPrefetch: args.pPrefetch,
    uplinkMbps: args.uplinkMbps,
    downlinkMbps: args.downlinkMbps,
    timeScale: args.timeScale,
    maxThinkMs: args.maxThinkMs
  }
}

export async function runStudyCommand (args: StudyArgs): Promise<void> {
  const config = studyConfigOf(args)
  const progress = terminalProgress('study')
  const startedMs = performance.now()
  let result: ReturnType<typeof runStudy>
  try {
    result = args.jobs > 1 && config.policies.length > 1 ? await runStudyInJobs(config, args.jobs) : runStudy(config, progress.update)
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message)
    throw error
  } finally {
    progress.done()
  }
  const wallS = (performance.now() - startedMs) / 1000
  const out = args.out ?? path.join('results', `study-seed${config.seed}`)
  const provenance = buildProvenance(REPO, { seed: config.seed, config, inputs: result.inputs, command: ['study', ...process.argv.slice(3)] })
  writeRunResults(out, { provenance, summary: result.summary, tables: result.tables })
  // --- figures (plot helper): <out>/figures/ from the results just written; --no-plots skips. ---
  if (args.plots !== false) {
    const { plotRunDir } = await import('../plot/plot.ts')
    await plotRunDir(out)
  }
  // --- end figures ---
  const s = result.summary
  const references = (s.references as number) - (s.trainReferences as number)
  const refsPerS = Math.round((references * config.vms * config.policies.length) / wallS)
  if (args.json) {
    process.stdout.write(toDeterministicJson({ ...s, wallS, replayedReferencesPerS: refsPerS }) + '\n')
  } else {
    const lines = [
      `trace ${s.trace}: ${s.references} references (${s.trainReferences} build the group table), ${s.objects} objects, ${s.groups} groups, image ${mib(s.imageBytes as number)}`,
      `model ${String(s.model)}; ${config.hosts} hosts; ${config.vms} VMs × ${config.migrations} migrations; ${config.cache} cache of ${mib(s.cacheBytesPerHost as number)} per host`,
      '',
      'policy    miss rate  stall s (copy)     p50 ms   p99 ms  DHT ops/migration  fetched MiB  unnecessary',
      ...result.policies.map((p) => [
        p.policy.padEnd(9), pct(p.missRate).padStart(9), `${p.stall.totalS.toFixed(1)} (${p.stall.copyS.toFixed(1)})`.padStart(15),
        p.stall.perReadMs.p50.toFixed(1).padStart(10), p.stall.perReadMs.p99.toFixed(1).padStart(8),
        String(p.addressing.opsPerMigration ?? '-').padStart(18), ((p.fetched.demandBytes + p.fetched.prefetchBytes) / 2 ** 20).toFixed(1).padStart(12),
        pct(p.unnecessary.shareOfFetchedBytes).padStart(12)
      ].join(' ')),
      '',
      `${refsPerS.toLocaleString('en')} references replayed per second (${wallS.toFixed(1)} s wall)`,
      ''
    ]
    process.stdout.write(lines.join('\n'))
  }
  process.stderr.write(`results: ${out}\n`)
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`

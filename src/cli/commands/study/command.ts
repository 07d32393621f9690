/** `xest study`: the trace-replay study of migrating VDs over the wide area, policies side by side. */
import type { CommandModule } from 'yargs'
import { handleErrors } from '../../handle-errors.ts'

export interface StudyArgs {
  trace: string | undefined
  fileChunkBytes: number | undefined
  wholeFiles: boolean
  maxReferences: number | undefined
  latency: string | undefined
  latencyValues: 'rtt' | 'one-way'
  hosts: number
  vms: number
  migrations: number
  policies: string
  cache: 'lru' | 'hac'
  cacheFraction: number
  trainFraction: number
  k: number | undefined
  m: number | undefined
  n: number | undefined
  pMin: number | undefined
  maxGroup: number | undefined
  subgroupMax: number | undefined
  pPrefetch: number
  uplinkMbps: number
  downlinkMbps: number
  timeScale: number
  maxThinkMs: number
  seed: string
  out: string | undefined
  json: boolean
  /** Write figures into <out>/figures (sweep and plot helper; --no-plots turns it off). */
  plots: boolean
  /** Policies run at once, in as many worker processes. */
  jobs: number
  /** Internal: a worker of --jobs, running the policies named on stdin of the study in XEST_STUDY_CONFIG. */
  policyWorker: boolean
  verbose: boolean
}

export const studyCommand: CommandModule<object, StudyArgs> = {
  command: 'study',
  describe: 'replay a trace on VMs that migrate between wide-area hosts; compare demand, pre-copy, group prefetch and oracle',
  builder: (y) => y
    .option('trace', { type: 'string', describe: 'trace file (.xtrace or any format xest trace reads; default traces/sqlite-db.xtrace)' })
    .option('file-chunk-bytes', { type: 'number', describe: 'objects of file traces are chunks of this size (default 4096)' })
    .option('whole-files', { type: 'boolean', default: false, describe: 'objects of file traces are whole files' })
    .option('max-references', { type: 'number', describe: 'use only the first N references' })
    .option('latency', { type: 'string', describe: 'latency matrix (King/p2psim or N×N ms); default: the synthetic wide area' })
    .option('latency-values', { choices: ['rtt', 'one-way'] as const, default: 'rtt' as const })
    .option('hosts', { type: 'number', default: 16 })
    .option('vms', { type: 'number', default: 4, describe: 'VMs forked from the template, each replaying the trace' })
    .option('migrations', { type: 'number', default: 3, describe: 'migrations per VM, evenly spaced' })
    .option('policies', { type: 'string', default: 'demand,precopy,group,oracle' })
    .option('cache', { choices: ['lru', 'hac'] as const, default: 'hac' as const })
    .option('cache-fraction', { type: 'number', default: 0.5, describe: 'each host\'s cache as a fraction of the image' })
    .option('train-fraction', { type: 'number', default: 0.5, describe: 'share of the trace that builds the group table; VMs replay the rest' })
    .option('k', { type: 'number', describe: 'grouping window (default 8)' })
    .option('m', { type: 'number', describe: 'neighbour-list length (default 16)' })
    .option('n', { type: 'number', describe: 'Jarvis-Patrick threshold (default 6)' })
    .option('p-min', { type: 'number', describe: 'neighbour cut (default 0.05)' })
    .option('max-group', { type: 'number', describe: 'group-size cap in objects (default 32)' })
    .option('subgroup-max', { type: 'number', describe: 'most group members prefetched after a miss (default: all)' })
    .option('p-prefetch', { type: 'number', default: 0, describe: 'prefetch only members with P(x|o) at least this' })
    .option('uplink-mbps', { type: 'number', default: 10 })
    .option('downlink-mbps', { type: 'number', default: 50 })
    .option('time-scale', { type: 'number', default: 1, describe: 'multiplies the trace\'s think times' })
    .option('max-think-ms', { type: 'number', default: 1000, describe: 'caps one think time' })
    .option('seed', { type: 'string', default: '1' })
    .option('out', { type: 'string', describe: 'result directory (default results/study-seed<S>)' })
    .option('json', { type: 'boolean', default: false, describe: 'print the summary as JSON' })
    // plots (sweep/plot helper): figures after the results; --no-plots skips them.
    .option('plots', { type: 'boolean', default: true, describe: 'write figures (SVG, PNG, index.html) into <out>/figures; --no-plots skips them' })
    .option('jobs', { type: 'number', default: 1, describe: 'policies run at once, in as many worker processes (results are identical)' })
    .option('policy-worker', { type: 'boolean', default: false, hidden: true })
    .option('verbose', { type: 'boolean', default: false })
    .example('$0 study', 'the embedded short study: a recorded trace on the synthetic wide area')
    .example('$0 study --trace ../shared/data/cloudphysics-vscsi-libcachesim/cloudPhysicsIO.csv --latency ../shared/data/king128-bamboo/king128.top --latency-values one-way --jobs 2', 'CloudPhysics over King-128, two policies at a time') as never,
  handler: async (args) => handleErrors(args.verbose, async () => {
    if (args.policyWorker) {
      const { runPolicyWorker } = await import('./study-jobs.ts')
      await runPolicyWorker()
      return
    }
    const { runStudyCommand } = await import('./study.ts')
    await runStudyCommand(args)
  })
}

/** `xest group --trace FILE`: working-set grouping of a trace, its quality on a held-out part, and the group table. */
import type { CommandModule } from 'yargs'
import { handleErrors } from '../../handle-errors.ts'

export interface GroupArgs {
  trace: string
  format: string | undefined
  blockBytes: number
  k: number | undefined
  m: number | undefined
  n: number | undefined
  pMin: number | undefined
  capacity: number | undefined
  minCount: number | undefined
  maxGroup: string
  targetGroup: string | undefined
  passes: number | undefined
  loose: boolean
  overlapGroups: number | undefined
  trainFraction: number
  out: string | undefined
  show: number
  json: boolean
  verbose: boolean
}

export const groupCommand: CommandModule<object, GroupArgs> = {
  command: 'group',
  describe: 'group a trace\'s objects into working sets (co-access statistics, Jarvis-Patrick links, multi-pass merge), report quality and write the group table',
  builder: (y) => y
    .option('trace', { type: 'string', demandOption: true, describe: 'trace file: a plain reference list (one key per line) or any format xest trace reads' })
    .option('format', { type: 'string', describe: 'list (one key per line), cloudphysics, msr, spc, blkparse, refs, strace, xtrace, mqsim (default: detected)' })
    .option('block-bytes', { type: 'number', default: 4096, describe: 'block size that turns block-trace requests into objects' })
    .option('k', { type: 'number', describe: 'window: distinct objects among the next k references (default 10)' })
    .option('m', { type: 'number', describe: 'neighbour-list length (default 16)' })
    .option('n', { type: 'number', describe: 'loosest Jarvis-Patrick threshold |N(a) ∩ N(b)| ≥ n (default 8)' })
    .option('p-min', { type: 'number', describe: 'neighbours need P(b|a) ≥ p-min (default 0.1)' })
    .option('capacity', { type: 'number', describe: 'Space-Saving counters per object (default max(2m, ⌈k / p-min⌉))' })
    .option('min-count', { type: 'number', describe: 'accesses an object needs for a neighbour list (default 1)' })
    .option('max-group', { type: 'string', default: '32', describe: 'group-size cap: objects (32) or bytes (256KiB)' })
    .option('target-group', { type: 'string', describe: 'acceptable size: a group this large at the end of a pass takes no more merges (objects or bytes; default: none)' })
    .option('passes', { type: 'number', describe: 'thresholds from m + 1 down to n (default 4)' })
    .option('loose', { type: 'boolean', default: true, describe: 'after the strict passes, run the thresholds again on loose links (no mutual listing needed; sequential scans only link this way); --no-loose for strict only' })
    .option('overlap-groups', { type: 'number', describe: 'components an object\'s in-list must split into to make it an overlap object (default 3)' })
    .option('train-fraction', { type: 'number', default: 0.5, describe: 'group on this leading share of the trace and replay the rest for quality (1: no replay)' })
    .option('out', { type: 'string', describe: 'write the group table (JSON) here' })
    .option('show', { type: 'number', default: 10, describe: 'largest groups to print' })
    .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' })
    .option('verbose', { type: 'boolean', default: false })
    .example('$0 group --trace refs.txt', 'group a reference list (one key per line), replay its second half')
    .example('$0 group --trace ../shared/data/cloudphysics-vscsi-libcachesim/cloudPhysicsIO.csv --max-group 256KiB --out cp.groups.json', '4 KiB blocks of a CloudPhysics trace, groups up to 256 KiB')
    .example('$0 group --trace t.xtrace --k 20 --m 30 --n 12 --train-fraction 0.7 --json', 'other parameters, JSON report') as never,
  handler: async (args) => handleErrors(args.verbose, async () => {
    const { runGroup } = await import('./group.ts')
    await runGroup(args)
  })
}

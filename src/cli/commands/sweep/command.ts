/** `xest sweep`: a grid of `xest study` runs in parallel over cores, a summary table and figures. */
import type { CommandModule } from 'yargs'
import { handleErrors } from '../../handle-errors.ts'

export interface SweepArgs {
  param: string[]
  jobs: number | undefined
  out: string | undefined
  json: boolean
  verbose: boolean
}

export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: 'sweep',
  describe: 'run a grid of studies in parallel (one result directory each), then a summary table and sweep figures',
  builder: (y) => y
    .option('param', { type: 'string', array: true, default: [] as string[], describe: 'NAME=V1,V2,…: a xest study flag and its values; the grid is every combination' })
    .option('jobs', { type: 'number', describe: 'studies run at once (default: number of CPUs)' })
    .option('out', { type: 'string', describe: 'sweep directory (default results/sweep-<params>); runs go to <out>/<name=value_…>' })
    .option('json', { type: 'boolean', default: false, describe: 'print the summary rows as JSON' })
    .option('verbose', { type: 'boolean', default: false })
    // Any other flag is a xest study flag, passed unchanged to every run (checked in the handler).
    .strict(false)
    .epilogue('Other flags (any xest study flag, e.g. --hosts 10 --vms 2) are passed to every run. Each run is ' +
      '`xest study ... --out <out>/<name> --json --no-plots`; a failed run is reported with its stderr and the sweep exits 1 ' +
      'after the others finish. Writes <out>/summary.csv and summary.json (one row per run and policy) and <out>/figures/.')
    .example('$0 sweep --param k=2,5,10 --param n=4,8', 'six studies, as many at once as there are CPUs')
    .example('$0 sweep --param max-group=8,16,32,64 --param seed=1,2 --vms 2 --jobs 4', 'group size against two seeds, smaller runs') as never,
  handler: async (args) => handleErrors(args.verbose, async () => {
    const { runSweepCommand } = await import('./sweep.ts')
    await runSweepCommand(args)
  })
}

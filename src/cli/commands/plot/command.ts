/** `xest plot`: figures (SVG and PNG) and an HTML page from study result directories. */
import type { CommandModule } from 'yargs'
import { handleErrors } from '../../handle-errors.ts'

export interface PlotArgs {
  results: string[]
  out: string | undefined
  json: boolean
  verbose: boolean
}

export const plotCommand: CommandModule<object, PlotArgs> = {
  command: 'plot <results..>',
  describe: 'figures (SVG + PNG) and index.html from study results: one run, or several runs (a sweep)',
  builder: (y) => y
    .positional('results', { type: 'string', array: true, demandOption: true, describe: 'result directories written by xest study (or a sweep directory)' })
    .option('out', { type: 'string', describe: 'output directory (default: <run>/figures for one run, <sweep>/figures for the runs of one sweep)' })
    .option('json', { type: 'boolean', default: false, describe: 'print the files written as JSON' })
    .option('verbose', { type: 'boolean', default: false })
    .example('$0 plot results/study-seed1', 'stall time, stall CDF, addressing overhead and bytes fetched per policy')
    .example('$0 plot results/sweep-k=2,5,10_n=4,8', 'miss rate and unnecessary bytes against group size and n across a sweep')
    .example('$0 plot runA runB runC --out results/plots-abc', 'several runs compared') as never,
  handler: async (args) => handleErrors(args.verbose, async () => {
    const { runPlotCommand } = await import('./plot.ts')
    await runPlotCommand(args)
  })
}

/** `xest ring`: N real node processes on 127.0.0.1, checked for convergence, lookups and repair. */
import type { CommandModule } from 'yargs'
import { handleErrors } from '../../handle-errors.ts'

export interface RingArgs {
  nodes: number
  basePort: number
  killFraction: number
  lookups: number
  base: number
  leafSet: number
  secondChance: number
  timeout: number
  hold: boolean
  json: boolean
  verbose: boolean
}

export const ringCommand: CommandModule<object, RingArgs> = {
  command: 'ring',
  describe: 'start N real nodes on 127.0.0.1, wait for correct leaf sets, check lookups, optionally kill some and measure repair',
  builder: (y) => y
    .option('nodes', { type: 'number', default: 16 })
    .option('base-port', { type: 'number', default: 5850, describe: 'node i listens on base-port + 2i (port + 1 is kept for its gateway)' })
    .option('kill-fraction', { type: 'number', default: 0, describe: 'share of nodes to SIGKILL after convergence' })
    .option('lookups', { type: 'number', default: 10, describe: 'random keys looked up from every node' })
    .option('base', { type: 'number', default: 16 })
    .option('leaf-set', { type: 'number', default: 4 })
    .option('second-chance', { type: 'number', default: 20_000, describe: 'ms before a silent neighbour is removed (Bamboo: 60000)' })
    .option('timeout', { type: 'number', default: 300, describe: 'seconds to wait for convergence or repair' })
    .option('hold', { type: 'boolean', default: false, describe: 'keep the ring running after the checks until Ctrl-C (gateways on port + 1)' })
    .option('json', { type: 'boolean', default: false })
    .option('verbose', { type: 'boolean', default: false })
    .example('$0 ring --nodes 16 --kill-fraction 0.25 --json', 'converge, look up, kill a quarter, repair')
    .example('$0 ring --nodes 8 --hold', 'then, elsewhere: xest put colors red --gateway 127.0.0.1:5851') as never,
  handler: async (args) => handleErrors(args.verbose, async () => {
    const { runRing } = await import('./ring.ts')
    await runRing(args)
  })
}

/** `xest id HOST:PORT`: the node id Bamboo derives from an address (SHA-1 of its NodeId bytes). */
import type { CommandModule } from 'yargs'
import { handleErrors } from '../../handle-errors.ts'

interface IdArgs { address: string, verbose: boolean }

export const idCommand: CommandModule<object, IdArgs> = {
  command: 'id <address>',
  describe: 'print the 160-bit node id of HOST:PORT as 40 hex digits',
  builder: (y) => y
    .positional('address', { type: 'string', demandOption: true, describe: 'IPv4 HOST:PORT or [IPv6]:PORT' })
    .option('verbose', { type: 'boolean', default: false })
    .example('$0 id 127.0.0.1:5850', 'prints 0d7375bf9009102050ca281ab2262bffbe323a34') as never,
  handler: async (args) => handleErrors(args.verbose, async () => {
    const { runId } = await import('./id.ts')
    process.stdout.write(runId(args.address) + '\n')
  })
}

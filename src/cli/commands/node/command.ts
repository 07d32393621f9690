/** `xest node`: one real overlay node over UDP. */
import type { CommandModule } from 'yargs'
import { handleErrors } from '../../handle-errors.ts'

export interface NodeArgs {
  port: number
  bind: string
  gateway: string[] | undefined
  macKey: string | undefined
  base: number
  leafSet: number
  immediateJoin: boolean
  secondChance: number
  dataDir: string | undefined
  xmlrpc: boolean
  logLevel: 'debug' | 'info' | 'warn' | 'error'
  json: boolean
  verbose: boolean
}

export const nodeCommand: CommandModule<object, NodeArgs> = {
  command: 'node',
  describe: 'run a Bamboo-compatible overlay and DHT node on UDP until SIGINT/SIGTERM',
  builder: (y) => y
    .option('port', { type: 'number', demandOption: true, describe: 'UDP port' })
    .option('bind', { type: 'string', default: '127.0.0.1', describe: 'address to bind and advertise' })
    .option('gateway', { type: 'string', array: true, describe: 'HOST:PORT of a ring member to join through (repeatable); none starts a ring' })
    .option('mac-key', { type: 'string', describe: 'file with the 20-byte UdpCC HMAC key' })
    .option('base', { type: 'number', default: 16, describe: 'routing-table digit base (2, 4, 16, 256)' })
    .option('leaf-set', { type: 'number', default: 4, describe: 'leaf-set members per side' })
    .option('immediate-join', { type: 'boolean', default: false, describe: 'start as a ring of one; the partition check merges rings' })
    .option('second-chance', { type: 'number', default: 20_000, describe: 'ms a possibly-down neighbour gets before removal (Bamboo: 60000)' })
    .option('data-dir', { type: 'string', describe: 'directory of the node\'s LevelDB tuple store (default: tuples in memory only)' })
    .option('xmlrpc', { type: 'boolean', default: true, describe: 'serve the OpenDHT XML-RPC gateway and status page on TCP port + 1 (--no-xmlrpc: none)' })
    .option('log-level', { choices: ['debug', 'info', 'warn', 'error'] as const, default: 'info' as const })
    .option('json', { type: 'boolean', default: false, describe: 'log JSON lines' })
    .option('verbose', { type: 'boolean', default: false })
    .example('$0 node --port 5850', 'start a ring')
    .example('$0 node --port 5852 --gateway 127.0.0.1:5850', 'join it') as never,
  handler: async (args) => handleErrors(args.verbose, async () => {
    const { runNode } = await import('./node.ts')
    await runNode(args)
  })
}

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
  emulateLatency: string | undefined
  latencyValues: 'rtt' | 'one-way'
  hostIndex: number | undefined
  hostMap: string | undefined
  loss: number
  controlSocket: string | undefined
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
    .option('emulate-latency', { type: 'string', describe: 'emulate wide-area delay in user space: hold each sent datagram for the one-way delay of this latency matrix (King E2EGraph, N×N ms matrix, OverSim XML, or "zero"); needs --host-index and --host-map' })
    .option('latency-values', { choices: ['rtt', 'one-way'] as const, default: 'rtt' as const, describe: 'how --emulate-latency matrix values are read (as the simulator)' })
    .option('host-index', { type: 'number', describe: 'this node\'s host in the --emulate-latency matrix' })
    .option('host-map', { type: 'string', describe: 'peer address → matrix host: a JSON file {"IP:PORT" or "IP": index} or a list IP=INDEX,...' })
    .option('loss', { type: 'number', default: 0, describe: 'with --emulate-latency: probability that a sent datagram is dropped' })
    .option('control-socket', { type: 'string', describe: 'serve JSON-line control requests (state, lookup, put, get) on this Unix-domain socket path' })
    .option('log-level', { choices: ['debug', 'info', 'warn', 'error'] as const, default: 'info' as const })
    .option('json', { type: 'boolean', default: false, describe: 'log JSON lines' })
    .option('verbose', { type: 'boolean', default: false })
    .example('$0 node --port 5850', 'start a ring')
    .example('$0 node --port 5852 --gateway 127.0.0.1:5850', 'join it')
    .example('$0 node --port 3630 --bind 10.77.0.2 --emulate-latency king128.top --host-index 1 --host-map hosts.json', 'as in `xest testbed`: King-128 delays to the peers hosts.json maps') as never,
  handler: async (args) => handleErrors(args.verbose, async () => {
    const { runNode } = await import('./node.ts')
    await runNode(args)
  })
}

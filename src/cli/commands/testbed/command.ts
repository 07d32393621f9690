/** `xest testbed up|down|status|run`: real nodes in network namespaces with emulated wide-area delay. */
import type { Argv, CommandModule } from 'yargs'
import { handleErrors } from '../../handle-errors.ts'
import { DEFAULT_STATE_FILE } from './state.ts'

interface Common { state: string, json: boolean, verbose: boolean }

export interface UpArgs extends Common {
  hosts: number
  latency: string | undefined
  latencyValues: 'rtt' | 'one-way'
  loss: number
  baseNet: string
  prefix: string
  base: number
  leafSet: number
  nodeArg: string[] | undefined
  timeout: number
  keepOnFailure: boolean
}

export interface RunArgs extends Common {
  workload: 'lookups' | 'dht' | 'vd-migrate'
  seed: string
  rounds: number
  interval: number
  warmup: number
  keys: number
  values: number
}

export interface ProbeArgs { gateway: string, put: string[] | undefined, get: string[] | undefined, ttl: number, verbose: boolean }

function common<T> (y: Argv<T>) {
  return y
    .option('state', { type: 'string', default: DEFAULT_STATE_FILE, describe: 'state file recording what the testbed created (logs, sockets and data in <state>.d/)' })
    .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' })
    .option('verbose', { type: 'boolean', default: false })
}

const upCommand: CommandModule<object, UpArgs> = {
  command: 'up',
  describe: 'create N namespaces on a private bridge and start one `xest node` in each (host 0 starts the ring); waits for correct leaf sets',
  builder: (y) => common(y)
    .option('hosts', { type: 'number', demandOption: true, describe: 'namespaces (one node each), 2 … 128' })
    .option('latency', { type: 'string', describe: 'latency matrix to emulate (King E2EGraph, N×N ms matrix, OverSim XML); host i is matrix host i. Default: no added delay beyond 250 µs' })
    .option('latency-values', { choices: ['rtt', 'one-way'] as const, default: 'rtt' as const, describe: 'how matrix values are read, as in `xest sim`' })
    .option('loss', { type: 'number', default: 0, describe: 'probability that a node drops a datagram it sends' })
    .option('base-net', { type: 'string', default: '10.77.0.0/16', describe: 'private IPv4 network of the hosts (host i gets base + i + 1)' })
    .option('prefix', { type: 'string', default: 'xest-tb', describe: 'namespace names: <prefix>-<i> and the bridge\'s <prefix>-br' })
    .option('base', { type: 'number', default: 16, describe: 'routing-table digit base of the nodes' })
    .option('leaf-set', { type: 'number', default: 4, describe: 'leaf-set members per side' })
    .option('node-arg', { type: 'string', array: true, describe: 'extra argument for every `xest node` (repeatable; use --node-arg=--flag)' })
    .option('timeout', { type: 'number', default: 180, describe: 'seconds to wait for every leaf set to be the true one' })
    .option('keep-on-failure', { type: 'boolean', default: false, describe: 'on failure, keep what was created (for inspection) instead of removing it; then run `down`' })
    .example('$0 testbed up --hosts 16 --latency ../shared/data/king128-bamboo/king128.top', '16 hosts with King-128 delays')
    .example('$0 testbed up --hosts 4 --loss 0.01 --state /tmp/tb4.json --prefix tb4', 'a second, small testbed with 1 % loss') as never,
  handler: async (args) => handleErrors(args.verbose, async () => {
    const { upMain } = await import('./testbed.ts')
    await upMain(args)
  })
}

const downCommand: CommandModule<object, Common> = {
  command: 'down',
  describe: 'stop the nodes and remove the namespaces, links and bridge the state file lists (and nothing else); works after a failed `up` too',
  builder: (y) => common(y).example('$0 testbed down', 'remove the default testbed') as never,
  handler: async (args) => handleErrors(args.verbose, async () => {
    const { downMain } = await import('./testbed.ts')
    await downMain(args)
  })
}

const statusCommand: CommandModule<object, Common> = {
  command: 'status',
  describe: 'show each host: namespace, process, joined, leaf set, emulation counters',
  builder: (y) => common(y).example('$0 testbed status --json', 'as JSON') as never,
  handler: async (args) => handleErrors(args.verbose, async () => {
    const { statusMain } = await import('./testbed.ts')
    await statusMain(args)
  })
}

const runCommand: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'run a workload on the testbed: lookups (compared with the simulator on the same topology), dht (gateways), vd-migrate',
  builder: (y) => common(y)
    .option('workload', { choices: ['lookups', 'dht', 'vd-migrate'] as const, demandOption: true })
    .option('seed', { type: 'string', default: '1', describe: 'seed of the lookup keys and of the simulated twin' })
    .option('rounds', { type: 'number', default: 30, describe: 'lookups: rounds; each host looks up one key per round' })
    .option('interval', { type: 'number', default: 1000, describe: 'lookups: ms between rounds' })
    .option('warmup', { type: 'number', default: 60, describe: 'lookups: start no earlier than this many s after the last node started' })
    .option('keys', { type: 'number', default: 4, describe: 'dht: keys, key j put through host j mod N' })
    .option('values', { type: 'number', default: 2, describe: 'dht: values per key' })
    .example('$0 testbed run --workload lookups --json', 'testbed vs simulator lookup latency')
    .example('$0 testbed run --workload dht', 'put through one host\'s gateway, get through every other') as never,
  handler: async (args) => handleErrors(args.verbose, async () => {
    const { runMain } = await import('./testbed.ts')
    await runMain(args)
  })
}

const probeCommand: CommandModule<object, ProbeArgs> = {
  command: 'gateway-probe',
  describe: false,
  builder: (y) => y
    .option('gateway', { type: 'string', demandOption: true })
    .option('put', { type: 'string', array: true })
    .option('get', { type: 'string', array: true })
    .option('ttl', { type: 'number', default: 3600 })
    .option('verbose', { type: 'boolean', default: false }) as never,
  handler: async (args) => handleErrors(args.verbose, async () => {
    const { runGatewayProbe } = await import('./run-dht.ts')
    process.stdout.write(JSON.stringify(await runGatewayProbe(args.gateway, args.put ?? [], args.get ?? [], args.ttl)) + '\n')
  })
}

export const testbedCommand: CommandModule = {
  command: 'testbed <action>',
  describe: 'a wide-area testbed on this machine: real nodes in network namespaces with user-space delay and loss (needs root)',
  builder: (y) => y
    .command(upCommand as CommandModule)
    .command(downCommand as CommandModule)
    .command(statusCommand as CommandModule)
    .command(runCommand as CommandModule)
    .command(probeCommand as CommandModule)
    .demandCommand(1),
  handler: () => {}
}

/** `xest sim <scenario>`: simulated runs over the wide-area model, writing results with provenance. */
import type { Argv, CommandModule } from 'yargs'
import { handleErrors } from '../../handle-errors.ts'
import { dhtCommand } from './dht-command.ts'

export interface TrafficArgs {
  nodes: number
  latency: string | undefined
  latencyValues: 'rtt' | 'one-way'
  hosts: number
  pings: number
  interval: string
  payload: number
  peers: 'fixed' | 'random'
  timeout: string
  uplinkMbps: number | undefined
  downlinkMbps: number | undefined
  loss: number
  partition: string | undefined
  sessionMedian: string | undefined
  sessions: string
  downtimeMedian: string
  duration: string | undefined
  seed: string
  out: string | undefined
  json: boolean
  verbose: boolean
}

/** Options every simulated run shares. */
export function withSimRun<T> (y: Argv<T>) {
  return y
    .option('seed', { type: 'string', default: '1', describe: 'run seed; same seed and options give identical results' })
    .option('latency', { type: 'string', describe: 'latency file: King/p2psim E2EGraph, N×N ms matrix or OverSim XML (default: synthetic wide area)' })
    .option('latency-values', { choices: ['rtt', 'one-way'] as const, default: 'rtt' as const, describe: 'how matrix values are read (Bamboo\'s simulator reads King values as one-way)' })
    .option('hosts', { type: 'number', default: 128, describe: 'hosts of the synthetic model' })
    .option('out', { type: 'string', describe: 'result directory (default results/<scenario>-seed<S>)' })
    .option('json', { type: 'boolean', default: false, describe: 'print the summary as JSON' })
    .option('verbose', { type: 'boolean', default: false })
}

const trafficCommand: CommandModule<object, TrafficArgs> = {
  command: 'traffic',
  describe: 'UdpCC ping-pong between simulated nodes under loss, partitions, access links and churn',
  builder: (y) => withSimRun(y)
    .option('nodes', { type: 'number', default: 100 })
    .option('pings', { type: 'number', default: 20, describe: 'pings per node' })
    .option('interval', { type: 'string', default: '1s', describe: 'mean gap between one node\'s pings' })
    .option('payload', { type: 'number', default: 64, describe: 'bytes per ping and pong' })
    .option('peers', { choices: ['fixed', 'random'] as const, default: 'random' as const })
    .option('timeout', { type: 'string', default: '30s', describe: 'UdpCC deadline per message' })
    .option('uplink-mbps', { type: 'number', describe: 'access uplink rate (default unlimited)' })
    .option('downlink-mbps', { type: 'number', describe: 'access downlink rate (default unlimited)' })
    .option('loss', { type: 'number', default: 0, describe: 'datagram loss probability' })
    .option('partition', { type: 'string', describe: 'FRACTION:FROM-UNTIL, e.g. 0.5:10s-40s cuts the first half of the nodes off for 30 s' })
    .option('session-median', { type: 'string', describe: 'churn: median session time, e.g. 1.4min (needs --duration)' })
    .option('sessions', { type: 'string', default: 'exponential', describe: 'churn session times: exponential, pareto or a file of lengths' })
    .option('downtime-median', { type: 'string', default: '30s', describe: 'churn: median time down before a restart' })
    .option('duration', { type: 'string', describe: 'simulated time to run (default: until every ping resolves)' })
    .example('$0 sim traffic --nodes 1000 --latency ../shared/data/king128-bamboo/king128.top', 'ping-pong over King-128')
    .example('$0 sim traffic --loss 0.05 --partition 0.5:10s-40s --session-median 2min --duration 5min', 'faults and churn') as never,
  handler: async (args) => handleErrors(args.verbose, async () => {
    const { runSimTraffic } = await import('./sim-traffic.ts')
    await runSimTraffic(args)
  })
}

export interface ChurnArgs {
  nodes: number
  latency: string | undefined
  latencyValues: 'rtt' | 'one-way'
  hosts: number
  base: number
  leafSet: number
  sessionMedian: string | undefined
  sessions: 'exponential' | 'pareto'
  duration: string
  warmup: string
  joinSpacing: string
  lookupInterval: string
  lookupGroup: number
  transport: 'udpcc' | 'message'
  settle: string
  seed: string
  out: string | undefined
  json: boolean
  verbose: boolean
}

const churnCommand: CommandModule<object, ChurnArgs> = {
  command: 'churn',
  describe: 'Bamboo\'s churn experiment: consistent lookups, latency, hops, stretch and maintenance traffic under churn',
  builder: (y) => withSimRun(y)
    .option('nodes', { type: 'number', default: 100 })
    .option('base', { type: 'number', default: 16, describe: 'digit base (2, 4, 16, 256)' })
    .option('leaf-set', { type: 'number', default: 4, describe: 'leaf-set members per side' })
    .option('session-median', { type: 'string', describe: 'median session time, e.g. 1.4min or 3h (default: no churn)' })
    .option('sessions', { choices: ['exponential', 'pareto'] as const, default: 'exponential' as const })
    .option('duration', { type: 'string', default: '5min', describe: 'measured time with churn and lookups' })
    .option('warmup', { type: 'string', default: '2min', describe: 'quiet time after the last join' })
    .option('join-spacing', { type: 'string', default: '100ms', describe: 'gap between joins while the ring is built' })
    .option('lookup-interval', { type: 'string', default: '1s', describe: 'a lookup group every this long' })
    .option('lookup-group', { type: 'number', default: 10, describe: 'nodes looking up one key at the same moment' })
    .option('transport', { choices: ['udpcc', 'message'] as const, default: 'udpcc' as const, describe: 'udpcc simulates every ack and retransmission; message carries messages as Bamboo\'s simulator does (about 2x faster, 1/3 the memory)' })
    .option('settle', { type: 'string', default: '5min', describe: 'after churn stops, wait up to this long for correct leaf sets (0 skips)' })
    .example('$0 sim churn --nodes 1000 --latency ../shared/data/king128-bamboo/king128.top --session-median 1.4min', 'Bamboo\'s 1.4-minute experiment') as never,
  handler: async (args) => handleErrors(args.verbose, async () => {
    const { runSimChurn } = await import('./sim-churn.ts')
    await runSimChurn(args)
  })
}

export const simCommand: CommandModule = {
  command: 'sim <scenario>',
  describe: 'run a deterministic wide-area simulation',
  builder: (y) => y.command(trafficCommand as CommandModule).command(churnCommand as CommandModule).command(dhtCommand as CommandModule).demandCommand(1),
  handler: () => {}
}

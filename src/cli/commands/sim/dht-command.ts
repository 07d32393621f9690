/** `xest sim dht`: the DHT under churn (puts and gets, acknowledged puts checked until their TTL). */
import type { CommandModule } from 'yargs'
import { handleErrors } from '../../handle-errors.ts'
import { withSimRun } from './command.ts'

export interface DhtArgs {
  nodes: number
  latency: string | undefined
  latencyValues: 'rtt' | 'one-way'
  hosts: number
  sessionMedian: string | undefined
  duration: string
  warmup: string
  joinSpacing: string
  putRate: number
  getRate: number
  ttl: string
  valueBytes: number
  delayAware: boolean
  redundantReads: number
  hopRttMultiple: number
  seed: string
  out: string | undefined
  json: boolean
  verbose: boolean
}

export const dhtCommand: CommandModule<object, DhtArgs> = {
  command: 'dht',
  describe: 'the DHT under churn: put and get latency, and every acknowledged put checked until its TTL',
  builder: (y) => withSimRun(y)
    .option('nodes', { type: 'number', default: 100 })
    .option('session-median', { type: 'string', default: '30min', describe: 'median session time, or "none" for no churn' })
    .option('duration', { type: 'string', default: '10min', describe: 'measured time with churn, puts and gets' })
    .option('warmup', { type: 'string', default: '2min', describe: 'quiet time after the last join' })
    .option('join-spacing', { type: 'string', default: '100ms', describe: 'gap between joins while the ring is built' })
    .option('put-rate', { type: 'number', default: 1, describe: 'puts per second over the ring' })
    .option('get-rate', { type: 'number', default: 2, describe: 'gets per second over the ring' })
    .option('ttl', { type: 'string', default: '1h', describe: 'TTL of every put' })
    .option('value-bytes', { type: 'number', default: 32 })
    .option('delay-aware', { type: 'boolean', default: false, describe: 'OpenDHT fix: next get hop nearest in Vivaldi space among closer nodes' })
    .option('redundant-reads', { type: 'number', default: 0, describe: 'OpenDHT fix: replicas read beyond the quorum in parallel' })
    .option('hop-rtt-multiple', { type: 'number', default: 0, describe: 'RTT-based get hop deadlines: pass over a request after this multiple of the peer\'s estimated RTT (0: Bamboo\'s fixed 5 s)' })
    .example('$0 sim dht --nodes 1000 --latency ../shared/data/king128-bamboo/king128.top --duration 1h', 'puts and gets under 30-minute sessions')
    .example('$0 sim dht --delay-aware --redundant-reads 2 --hop-rtt-multiple 3', 'with OpenDHT\'s fixes for the tail') as never,
  handler: async (args) => handleErrors(args.verbose, async () => {
    const { runSimDht } = await import('./sim-dht.ts')
    await runSimDht(args)
  })
}

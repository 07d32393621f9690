/** `xest put | get | rm`: an OpenDHT client against any gateway (Bamboo's put.py, get.py, rm.py). */
import type { Argv, CommandModule } from 'yargs'
import { handleErrors } from '../../handle-errors.ts'

export interface ClientArgs {
  gateway: string
  app: string
  keyHex: boolean
  timeout: number
  json: boolean
  verbose: boolean
}
export interface PutArgs extends ClientArgs { key: string, value: string, ttl: number, secret: string | undefined }
export interface GetArgs extends ClientArgs { key: string, maxValues: number, details: boolean, hex: boolean }
export interface RmArgs extends ClientArgs { key: string, value: string, ttl: number, secret: string }

function withClientOptions<T> (y: Argv<T>): Argv<T> {
  return y
    .option('gateway', { type: 'string', default: '127.0.0.1:5851', describe: 'HOST:PORT of a node\'s XML-RPC gateway (its UDP port + 1)' })
    .option('app', { type: 'string', default: 'xest', describe: 'application name sent with each call' })
    .option('key-hex', { type: 'boolean', default: false, describe: 'KEY is up to 40 hex digits used as the key bytes (default: SHA-1 of KEY, as put.py)' })
    .option('timeout', { type: 'number', default: 60, describe: 'seconds to wait for each answer' })
    .option('json', { type: 'boolean', default: false })
    .option('verbose', { type: 'boolean', default: false }) as Argv<T>
}

export const putCommand: CommandModule<object, PutArgs> = {
  command: 'put <key> <value>',
  describe: 'store VALUE under KEY through a gateway; prints Success, Capacity or Again',
  builder: (y) => withClientOptions(y)
    .positional('key', { type: 'string', demandOption: true })
    .positional('value', { type: 'string', demandOption: true, describe: 'at most 1024 bytes (UTF-8)' })
    .option('ttl', { type: 'number', default: 3600, describe: 'seconds to keep it (at most 604800)' })
    .option('secret', { type: 'string', describe: 'makes the value removable by whoever knows this secret (put_removable)' })
    .example('$0 put colors red --ttl 600 --gateway 127.0.0.1:5851', 'prints Success') as never,
  handler: async (args) => handleErrors(args.verbose, async () => {
    const { runPut } = await import('./dht-client.ts')
    await runPut(args)
  })
}

export const getCommand: CommandModule<object, GetArgs> = {
  command: 'get <key>',
  describe: 'print every value stored under KEY, one per line, following placemarks',
  builder: (y) => withClientOptions(y)
    .positional('key', { type: 'string', demandOption: true })
    .option('max-values', { type: 'number', default: 10, describe: 'values asked for per call' })
    .option('details', { type: 'boolean', default: false, describe: 'also TTLs and secret hashes (get_details)' })
    .option('hex', { type: 'boolean', default: false, describe: 'print values as hex' })
    .example('$0 get colors', 'prints red') as never,
  handler: async (args) => handleErrors(args.verbose, async () => {
    const { runGet } = await import('./dht-client.ts')
    await runGet(args)
  })
}

export const rmCommand: CommandModule<object, RmArgs> = {
  command: 'rm <key> <value>',
  describe: 'remove VALUE from KEY with the secret it was put with',
  builder: (y) => withClientOptions(y)
    .positional('key', { type: 'string', demandOption: true })
    .positional('value', { type: 'string', demandOption: true })
    .option('secret', { type: 'string', demandOption: true, describe: 'the secret given to put --secret' })
    .option('ttl', { type: 'number', default: 3600, describe: 'must outlive the value\'s remaining TTL' })
    .example('$0 rm colors blue --secret s3cret', 'prints Success') as never,
  handler: async (args) => handleErrors(args.verbose, async () => {
    const { runRm } = await import('./dht-client.ts')
    await runRm(args)
  })
}

/**
 * The OpenDHT client commands: map KEY as put.py did (SHA-1 of the text, or raw hex bytes),
 * check limits before sending, call the gateway and print the answer. Exit 0 on Success, 1 on
 * Capacity, Again, a fault or a network failure, 2 on bad arguments.
 */
import { createHash } from 'node:crypto'
import { MAX_KEY_BYTES, MAX_SECRET_BYTES, MAX_TTL_S, MAX_VALUE_BYTES } from '../../../dht/dht-api.ts'
import { parseAddress } from '../../../ids/node-address.ts'
import { EXIT_FAILURE, UsageError } from '../../handle-errors.ts'
import type { ClientArgs, GetArgs, PutArgs, RmArgs } from './command.ts'
import { OpenDhtClient, STATUS_NAMES } from './opendht-client.ts'

const sha1 = (bytes: Uint8Array): Uint8Array => new Uint8Array(createHash('sha1').update(bytes).digest())
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)

export function keyBytes (key: string, keyHex: boolean): Uint8Array {
  if (!keyHex) return sha1(utf8(key))
  if (!/^([0-9a-fA-F]{2}){1,20}$/.test(key)) throw new UsageError(`--key-hex: KEY must be 1 to ${MAX_KEY_BYTES} bytes of hex, got "${key}"`)
  return new Uint8Array(Buffer.from(key, 'hex'))
}

function connect (args: ClientArgs): OpenDhtClient {
  const address = parseAddress(args.gateway)
  if (address === null) throw new UsageError(`--gateway: not HOST:PORT: "${args.gateway}"`)
  if (!(args.timeout > 0)) throw new UsageError(`--timeout must be > 0, got ${args.timeout}`)
  return new OpenDhtClient(address.host, address.port, args.timeout * 1000)
}

function checkTtl (ttlS: number): void {
  if (!(Number.isInteger(ttlS) && ttlS >= 0 && ttlS <= MAX_TTL_S)) throw new UsageError(`--ttl must be an integer in 0..${MAX_TTL_S}, got ${ttlS}`)
}

function report (args: ClientArgs, status: number, extra: Record<string, unknown> = {}): void {
  const name = STATUS_NAMES[status] ?? `status ${status}`
  process.stdout.write(args.json ? JSON.stringify({ status, name, ...extra }) + '\n' : name + '\n')
  if (status !== 0) process.exitCode = EXIT_FAILURE
}

export async function runPut (args: PutArgs): Promise<void> {
  const key = keyBytes(args.key, args.keyHex)
  const value = utf8(args.value)
  if (value.length > MAX_VALUE_BYTES) throw new UsageError(`VALUE is ${value.length} bytes; at most ${MAX_VALUE_BYTES}`)
  checkTtl(args.ttl)
  const client = connect(args)
  try {
    const secretHash = args.secret === undefined ? null : sha1(utf8(args.secret))
    report(args, await client.put(key, value, args.ttl, args.app, secretHash))
  } finally {
    client.close()
  }
}

export async function runRm (args: RmArgs): Promise<void> {
  const key = keyBytes(args.key, args.keyHex)
  const secret = utf8(args.secret)
  if (secret.length > MAX_SECRET_BYTES) throw new UsageError(`--secret is ${secret.length} bytes; at most ${MAX_SECRET_BYTES}`)
  checkTtl(args.ttl)
  const client = connect(args)
  try {
    report(args, await client.rm(key, sha1(utf8(args.value)), secret, args.ttl, args.app))
  } finally {
    client.close()
  }
}

export async function runGet (args: GetArgs): Promise<void> {
  const key = keyBytes(args.key, args.keyHex)
  if (!(Number.isInteger(args.maxValues) && args.maxValues >= 1)) throw new UsageError(`--max-values must be ≥ 1, got ${args.maxValues}`)
  const client = connect(args)
  try {
    const values = await client.getAll(key, args.maxValues, args.app, args.details)
    const text = (bytes: Uint8Array): string => args.hex ? Buffer.from(bytes).toString('hex') : new TextDecoder().decode(bytes)
    if (args.json) {
      process.stdout.write(JSON.stringify(values.map((v) => ({
        value: text(v.value),
        ...(args.details ? { ttlRemainingS: v.ttlRemainingS, secretHashAlgorithm: v.secretHashAlgorithm, secretHash: Buffer.from(v.secretHash ?? []).toString('hex') } : {})
      }))) + '\n')
      return
    }
    for (const v of values) {
      const details = args.details ? `\tttl=${v.ttlRemainingS ?? ''}${v.secretHashAlgorithm === 'SHA' ? `\tsecret-hash=${Buffer.from(v.secretHash ?? []).toString('hex')}` : ''}` : ''
      process.stdout.write(text(v.value) + details + '\n')
    }
  } finally {
    client.close()
  }
}

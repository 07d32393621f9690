/**
 * Gateway throughput on an 8-node local ring (`xest ring --nodes 8 --hold`, real UDP between
 * nodes, each node's XML-RPC gateway on port + 1): XML-RPC `ping` (the gateway alone, no DHT:
 * the baseline), then puts and gets of 100-byte values spread over every gateway with
 * `--concurrency` calls outstanding. Prints calls/s and latency quantiles for each, and the
 * ratio of DHT calls to bare gateway calls.
 *
 *   node --import tsx bench/gateway.ts [--calls 2000] [--concurrency 16] [--base-port 48100]
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { quantile } from 'd3-array'
import { OpenDhtClient } from '../src/cli/commands/dht-client/opendht-client.ts'
import { numberFlag } from './flags.ts'

const argv = process.argv.slice(2)
const CALLS = numberFlag(argv, 'calls', 2000)
const CONCURRENCY = numberFlag(argv, 'concurrency', 16)
const BASE_PORT = numberFlag(argv, 'base-port', 48100)
const NODES = 8
const BIN = fileURLToPath(new URL('../bin/xest.js', import.meta.url))

const ring = spawn('node', [BIN, 'ring', '--nodes', String(NODES), '--base-port', String(BASE_PORT), '--lookups', '1', '--hold'], { stdio: ['ignore', 'ignore', 'pipe'] })
let stderr = ''
await new Promise<void>((resolve, reject) => {
  ring.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); if (stderr.includes('holding the ring')) resolve() })
  ring.once('exit', (code) => reject(new Error(`xest ring exited ${code}: ${stderr}`)))
})
const clients = Array.from({ length: NODES }, (_, i) => new OpenDhtClient('127.0.0.1', BASE_PORT + 2 * i + 1, 60_000))

interface Phase { name: string, callsPerS: number, p50Ms: number, p99Ms: number, failures: number }

async function phase (name: string, call: (i: number) => Promise<boolean>): Promise<Phase> {
  const latencies: number[] = []
  let next = 0
  let failures = 0
  const startedMs = performance.now()
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < CALLS) {
      const i = next++
      const t0 = performance.now()
      const ok = await call(i).catch(() => false)
      latencies.push(performance.now() - t0)
      if (!ok) failures++
    }
  }))
  const wallS = (performance.now() - startedMs) / 1000
  latencies.sort((a, b) => a - b)
  const q = (p: number): number => Math.round((quantile(latencies, p) ?? 0) * 10) / 10
  return { name, callsPerS: Math.round(CALLS / wallS), p50Ms: q(0.5), p99Ms: q(0.99), failures }
}

const KEYS = 200
const keys = Array.from({ length: KEYS }, () => new Uint8Array(randomBytes(20)))
const value = (i: number): Uint8Array => { const v = new Uint8Array(100); v.fill(i & 0xff); new DataView(v.buffer).setUint32(0, i); return v }
const results: Phase[] = []
try {
  results.push(await phase('ping (gateway only)', async (i) => (await clients[i % NODES]!.ping()).length > 0))
  results.push(await phase('put 100 B', async (i) => await clients[i % NODES]!.put(keys[i % KEYS]!, value(i), 3600, 'bench') === 0))
  const perKey = Math.ceil(CALLS / KEYS)
  results.push(await phase('get', async (i) => {
    const page = await clients[(i + 3) % NODES]!.get(keys[i % KEYS]!, 1000, new Uint8Array(0), 'bench')
    return page.values.length >= Math.min(perKey - 1, 9)
  }))
} finally {
  for (const client of clients) client.close()
  ring.kill('SIGTERM')
}
process.stdout.write(`gateway benchmark: ${NODES}-node local ring, ${CALLS} calls per phase, ${CONCURRENCY} outstanding\n`)
for (const r of results) {
  process.stdout.write(`${r.name.padEnd(22)} ${String(r.callsPerS).padStart(6)} calls/s   p50 ${r.p50Ms} ms   p99 ${r.p99Ms} ms   failures ${r.failures}\n`)
}
const ping = results[0]!.callsPerS
process.stdout.write(`ratio to bare gateway calls: put ${(results[1]!.callsPerS / ping).toFixed(2)}, get ${(results[2]!.callsPerS / ping).toFixed(2)}\n`)

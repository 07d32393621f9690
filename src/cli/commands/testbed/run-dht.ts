/**
 * `xest testbed run --workload dht`: puts and gets through the OpenDHT XML-RPC gateways of
 * different hosts. Each call is made by a small probe process started inside the gateway host's
 * own namespace (`ip netns exec`), so a client talks to its local gateway as an OpenDHT client
 * would, and the DHT traffic between hosts crosses the emulated wide area. Key j is put through
 * host j mod N; then every host reads every key it did not put. Also the probe itself
 * (`xest testbed gateway-probe`, hidden): calls one gateway and prints JSON.
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { quantile } from 'd3-array'
import { sha1, toHex, fromHex } from '../../../ids/sha1.ts'
import { UsageError } from '../../handle-errors.ts'
import { OpenDhtClient } from '../dht-client/opendht-client.ts'
import { signal } from './netns.ts'
import type { TestbedState } from './state.ts'

const BIN = path.resolve(import.meta.dirname, '../../../../bin/xest.js')

export interface DhtOptions { seed: string, keys: number, valuesPerKey: number, ttlS: number, concurrency: number }

interface ProbeCall { op: 'put' | 'get', keyHex: string, ok: boolean, ms: number, values?: string[], status?: number, error?: string }

export interface DhtReport {
  workload: 'dht'
  hosts: number
  keys: number
  puts: { issued: number, ok: number, msMedian: number | null, msMax: number | null }
  gets: { issued: number, complete: number, msMedian: number | null, msMax: number | null }
  failures: string[]
}

/** The hidden probe: put VALUE under each --put HEX=VALUE, then read each --get HEX, through one gateway. */
export async function runGatewayProbe (gateway: string, puts: string[], gets: string[], ttlS: number): Promise<ProbeCall[]> {
  const match = /^([0-9.]+):(\d+)$/.exec(gateway)
  if (match === null) throw new UsageError(`--gateway must be IP:PORT, got "${gateway}"`)
  const client = new OpenDhtClient(match[1]!, Number(match[2]), 60_000)
  const calls: ProbeCall[] = []
  try {
    for (const spec of puts) {
      const [keyHex, value] = [spec.slice(0, spec.indexOf('=')), spec.slice(spec.indexOf('=') + 1)]
      const key = fromHex(keyHex)
      if (key === null || spec.indexOf('=') < 0) throw new UsageError(`--put must be KEYHEX=VALUE, got "${spec}"`)
      const startedMs = performance.now()
      try {
        const status = await client.put(key, new TextEncoder().encode(value), ttlS, 'xest testbed')
        calls.push({ op: 'put', keyHex, ok: status === 0, status, ms: performance.now() - startedMs })
      } catch (error) {
        calls.push({ op: 'put', keyHex, ok: false, ms: performance.now() - startedMs, error: (error as Error).message })
      }
    }
    for (const keyHex of gets) {
      const key = fromHex(keyHex)
      if (key === null) throw new UsageError(`--get must be KEYHEX, got "${keyHex}"`)
      const startedMs = performance.now()
      try {
        const values = await client.getAll(key, 100, 'xest testbed')
        calls.push({ op: 'get', keyHex, ok: true, ms: performance.now() - startedMs, values: values.map((v) => new TextDecoder().decode(v.value)) })
      } catch (error) {
        calls.push({ op: 'get', keyHex, ok: false, ms: performance.now() - startedMs, error: (error as Error).message })
      }
    }
  } finally {
    client.close()
  }
  return calls
}

/** Runs the probe in `namespace`; resolves with its calls, or with one failed call per request. */
async function probeIn (namespace: string, gateway: string, puts: string[], gets: string[], ttlS: number, timeoutMs: number): Promise<ProbeCall[]> {
  const argv = ['netns', 'exec', namespace, process.execPath, BIN, 'testbed', 'gateway-probe', '--gateway', gateway, '--ttl', String(ttlS),
    ...puts.flatMap((p) => ['--put', p]), ...gets.flatMap((g) => ['--get', g])]
  return await new Promise((resolve) => {
    const child = spawn('ip', argv, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => { stdout += String(chunk) })
    child.stderr.on('data', (chunk) => { stderr += String(chunk) })
    const timer = setTimeout(() => { if (child.pid !== undefined) signal(child.pid, 'SIGKILL') }, timeoutMs)
    const failed = (why: string): ProbeCall[] => [
      ...puts.map((p) => ({ op: 'put' as const, keyHex: p.split('=')[0]!, ok: false, ms: 0, error: why })),
      ...gets.map((g) => ({ op: 'get' as const, keyHex: g, ok: false, ms: 0, error: why }))
    ]
    child.on('close', (code) => {
      clearTimeout(timer)
      try {
        resolve(code === 0 ? JSON.parse(stdout) as ProbeCall[] : failed(`probe in ${namespace} exited ${code}: ${stderr.trim().split('\n').slice(-2).join(' ')}`))
      } catch {
        resolve(failed(`probe in ${namespace} printed no JSON`))
      }
    })
  })
}

async function inBatches<T, R> (items: T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = []
  for (let i = 0; i < items.length; i += size) out.push(...await Promise.all(items.slice(i, i + size).map(run)))
  return out
}

export async function runDht (state: TestbedState, options: DhtOptions, progress: (line: string) => void): Promise<DhtReport> {
  const n = state.hosts.length
  if (!(Number.isInteger(options.keys) && options.keys >= 1)) throw new UsageError(`--keys must be ≥ 1, got ${options.keys}`)
  const keys = Array.from({ length: options.keys }, (_, j) => ({
    keyHex: toHex(sha1(`xest-testbed-dht/${options.seed}/${Date.now()}/${j}`)),
    putHost: j % n,
    values: Array.from({ length: options.valuesPerKey }, (_, v) => `testbed value ${j}.${v} via host ${j % n}`)
  }))
  const gatewayOf = (i: number): string => `${state.hosts[i]!.address}:${state.hosts[i]!.port + 1}`
  const putHosts = [...new Set(keys.map((k) => k.putHost))]
  progress(`putting ${keys.length} keys × ${options.valuesPerKey} values through the gateways of hosts ${putHosts.join(', ')}`)
  const putCalls = (await inBatches(putHosts, options.concurrency, async (h) => await probeIn(state.hosts[h]!.namespace, gatewayOf(h),
    keys.filter((k) => k.putHost === h).flatMap((k) => k.values.map((v) => `${k.keyHex}=${v}`)), [], options.ttlS, 120_000))).flat()
  progress(`reading every key through the gateways of the ${n - 1} other hosts`)
  const getCalls = (await inBatches(state.hosts.map((h) => h.index), options.concurrency, async (h) => {
    const wanted = keys.filter((k) => k.putHost !== h).map((k) => k.keyHex)
    return wanted.length === 0 ? [] : await probeIn(state.hosts[h]!.namespace, gatewayOf(h), [], wanted, options.ttlS, 120_000)
  })).flat()
  const expected = new Map(keys.map((k) => [k.keyHex, k.values]))
  const complete = getCalls.filter((c) => c.ok && expected.get(c.keyHex)!.every((v) => c.values?.includes(v)))
  const summary = (calls: ProbeCall[]): { msMedian: number | null, msMax: number | null } => {
    const ms = calls.filter((c) => c.ok).map((c) => c.ms).sort((a, b) => a - b)
    return { msMedian: ms.length === 0 ? null : Math.round((quantile(ms, 0.5) ?? 0) * 10) / 10, msMax: ms.length === 0 ? null : Math.round(ms[ms.length - 1]! * 10) / 10 }
  }
  const failures = [...putCalls, ...getCalls].filter((c) => !c.ok || (c.op === 'get' && !complete.includes(c)))
    .slice(0, 10).map((c) => `${c.op} ${c.keyHex.slice(0, 8)}: ${c.error ?? (c.op === 'put' ? `status ${c.status}` : `got ${c.values?.length ?? 0} values`)}`)
  return {
    workload: 'dht',
    hosts: n,
    keys: keys.length,
    puts: { issued: putCalls.length, ok: putCalls.filter((c) => c.ok).length, ...summary(putCalls) },
    gets: { issued: getCalls.length, complete: complete.length, ...summary(getCalls) },
    failures
  }
}

export function describeDht (r: DhtReport): string {
  return [
    `dht: ${r.hosts} hosts, ${r.keys} keys`,
    `puts: ${r.puts.ok}/${r.puts.issued} Success through ${Math.min(r.keys, r.hosts)} gateways (median ${r.puts.msMedian} ms, max ${r.puts.msMax} ms)`,
    `gets: ${r.gets.complete}/${r.gets.issued} returned every value, each through a gateway on another host (median ${r.gets.msMedian} ms, max ${r.gets.msMax} ms)`,
    ...r.failures.map((f) => `  failed: ${f}`),
    ''
  ].join('\n')
}

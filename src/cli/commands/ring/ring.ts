/**
 * `xest ring`: forks N `xest node` processes on 127.0.0.1 with an IPC channel, polls their leaf
 * sets until each equals the true one (computed from every node's id), looks up random keys from
 * every node and checks each answer against the true root, then optionally SIGKILLs a share of
 * the processes and measures how long the survivors take to repair. Every node serves an
 * XML-RPC gateway on its port + 1: the ring puts values through one gateway and reads them back
 * through every other. With --hold it then keeps running until interrupted, for clients such as
 * `xest put|get|rm`. Every child is killed on exit, error or interrupt.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { quantile } from 'd3-array'
import { idToHex, nodeIdOf, type Id } from '../../../ids/node-id.ts'
import { sortIds, trueLeafSet, trueRoot } from '../../../overlay/ring-truth.ts'
import { UsageError } from '../../handle-errors.ts'
import type { RingArgs } from './command.ts'
import { OpenDhtClient } from '../dht-client/opendht-client.ts'

const BIN = path.resolve(import.meta.dirname, '../../../../bin/xest.js')

interface Member { index: number, guid: Id, child: ChildProcess, alive: boolean }
interface NodeState { guid: string, initialized: boolean, leafSet: string[] }

export async function runRing (args: RingArgs): Promise<void> {
  if (!(Number.isInteger(args.nodes) && args.nodes >= 2 && args.nodes <= 200)) throw new UsageError(`--nodes must be 2..200, got ${args.nodes}`)
  if (!(args.killFraction >= 0 && args.killFraction < 1)) throw new UsageError(`--kill-fraction must be in [0, 1), got ${args.killFraction}`)
  const members: Member[] = []
  const cleanup = (): void => { for (const m of members) if (m.alive) m.child.kill('SIGKILL') }
  process.once('SIGINT', () => { cleanup(); process.exit(130) })
  try {
    const startedMs = performance.now()
    for (let i = 0; i < args.nodes; i++) members.push(spawnNode(args, i))
    const convergenceMs = await waitForTrueLeafSets(members, args) - startedMs
    const lookups = await checkLookups(members, args.lookups)
    const report: Record<string, unknown> = { nodes: args.nodes, convergenceMs: Math.round(convergenceMs), lookups }
    if (args.nodes >= 8) report.gateways = await checkGateways(members, args)
    if (args.killFraction > 0) {
      const victims = chooseVictims(members, args.killFraction)
      const killedMs = performance.now()
      for (const v of victims) { v.child.kill('SIGKILL'); v.alive = false }
      const repairMs = await waitForTrueLeafSets(members, args) - killedMs
      report.kill = { killed: victims.length, repairMs: Math.round(repairMs), lookups: await checkLookups(members, args.lookups) }
    }
    process.stdout.write(args.json ? JSON.stringify(report, null, 2) + '\n' : describe(report))
    if (args.hold) {
      const live = members.filter((m) => m.alive).map((m) => `127.0.0.1:${args.basePort + 2 * m.index + 1}`)
      process.stderr.write(`holding the ring; gateways: ${live.join(' ')}\n(Ctrl-C stops every node)\n`)
      await new Promise<void>((resolve) => { process.once('SIGTERM', () => resolve()); process.once('SIGINT', () => resolve()) })
    }
  } finally {
    cleanup()
  }
}

function spawnNode (args: RingArgs, index: number): Member {
  const port = args.basePort + 2 * index
  const argv = ['node', '--port', String(port), '--base', String(args.base), '--leaf-set', String(args.leafSet),
    '--second-chance', String(args.secondChance), '--log-level', 'warn']
  if (index > 0) argv.push('--gateway', `127.0.0.1:${args.basePort}`)
  const child = fork(BIN, argv, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  const member: Member = { index, guid: nodeIdOf({ host: '127.0.0.1', port }), child, alive: true }
  child.on('exit', () => { member.alive = false })
  return member
}

let nextRequestId = 1

function request<T> (member: Member, message: Record<string, unknown>, timeoutMs = 35_000): Promise<T | null> {
  return new Promise((resolve) => {
    if (!member.alive || !member.child.connected) { resolve(null); return }
    const id = nextRequestId++
    const timer = setTimeout(() => { member.child.off('message', onMessage); resolve(null) }, timeoutMs)
    const onMessage = (reply: any): void => {
      if (reply?.id !== id) return
      clearTimeout(timer)
      member.child.off('message', onMessage)
      resolve(reply as T)
    }
    member.child.on('message', onMessage)
    member.child.send({ id, ...message })
  })
}

/**
 * Resolves with the time (performance.now) at which every live node's leaf set was first the
 * true one — once it has stayed so for two more seconds, so lookups start from a settled ring.
 */
async function waitForTrueLeafSets (members: Member[], args: RingArgs): Promise<number> {
  const deadlineMs = performance.now() + args.timeout * 1000
  let trueSinceMs: number | null = null
  while (performance.now() < deadlineMs) {
    const live = members.filter((m) => m.alive)
    const states = await Promise.all(live.map((m) => request<NodeState>(m, { op: 'state' }, 5_000)))
    const sorted = sortIds(live.map((m) => m.guid))
    const allTrue = states.every((s, i) => s !== null && s.initialized && sameSet(s.leafSet, expectedLeafSet(sorted, live[i]!.guid, args.leafSet)))
    if (!allTrue) trueSinceMs = null
    else if (trueSinceMs === null) trueSinceMs = performance.now()
    else if (performance.now() - trueSinceMs >= 2_000) return trueSinceMs
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`leaf sets did not converge within ${args.timeout} s`)
}

function expectedLeafSet (sorted: Id[], guid: Id, perSide: number): string[] {
  return [...trueLeafSet(sorted, sorted.indexOf(guid), perSide)].map(idToHex)
}

function sameSet (a: string[], b: string[]): boolean {
  return a.length === b.length && b.every((x) => a.includes(x))
}

async function checkLookups (members: Member[], perNode: number) {
  const live = members.filter((m) => m.alive)
  const sorted = sortIds(live.map((m) => m.guid))
  const latencies: number[] = []
  let issued = 0
  let correct = 0
  let failed = 0
  for (let k = 0; k < perNode; k++) {
    const key = BigInt('0x' + randomBytes(20).toString('hex'))
    const root = trueRoot(sorted, key)
    const replies = await Promise.all(live.map((m) => request<{ owner: string | null, latencyMs: number }>(m, { op: 'lookup', key: idToHex(key) })))
    for (const reply of replies) {
      issued++
      if (reply === null || reply.owner === null) { failed++; continue }
      latencies.push(reply.latencyMs)
      if (reply.owner === idToHex(root)) correct++
    }
  }
  latencies.sort((a, b) => a - b)
  const q = (p: number): number | null => latencies.length === 0 ? null : Math.round((quantile(latencies, p) ?? 0) * 100) / 100
  return { issued, correct, failed, latencyMs: { p50: q(0.5), p90: q(0.9), p99: q(0.99) } }
}

/**
 * Puts values under one key through the first node's gateway, then reads the key through every
 * live node's gateway (XML-RPC, the OpenDHT client contract) and counts complete answers.
 */
async function checkGateways (members: Member[], args: RingArgs) {
  const live = members.filter((m) => m.alive)
  const clients = live.map((m) => new OpenDhtClient('127.0.0.1', args.basePort + 2 * m.index + 1, 30_000))
  try {
    const key = new Uint8Array(randomBytes(20))
    const values = Array.from({ length: 5 }, (_, i) => `ring-check-${i}`)
    const putMs: number[] = []
    let putOk = 0
    for (const value of values) {
      const startedMs = performance.now()
      const status = await clients[0]!.put(key, new TextEncoder().encode(value), 600, 'xest ring')
      putMs.push(performance.now() - startedMs)
      if (status === 0) putOk++
    }
    const getMs: number[] = []
    let complete = 0
    for (const client of clients) {
      const startedMs = performance.now()
      const got = await client.getAll(key, 10, 'xest ring').catch(() => [])
      getMs.push(performance.now() - startedMs)
      const texts = new Set(got.map((v) => new TextDecoder().decode(v.value)))
      if (values.every((v) => texts.has(v))) complete++
    }
    const median = (xs: number[]): number => Math.round((quantile(xs.sort((a, b) => a - b), 0.5) ?? 0) * 10) / 10
    return { puts: values.length, putOk, reads: clients.length, readsComplete: complete, putMsMedian: median(putMs), getMsMedian: median(getMs) }
  } finally {
    for (const client of clients) client.close()
  }
}

function chooseVictims (members: Member[], fraction: number): Member[] {
  const candidates = members.filter((m) => m.alive && m.index !== 0)
  const count = Math.max(1, Math.round(fraction * members.length))
  const victims: Member[] = []
  while (victims.length < count && candidates.length > 0) {
    victims.push(candidates.splice(randomBytes(2).readUInt16BE(0) % candidates.length, 1)[0]!)
  }
  return victims
}

function describe (report: Record<string, any>): string {
  const lines = [`${report.nodes} nodes converged in ${report.convergenceMs} ms; lookups ${report.lookups.correct}/${report.lookups.issued} correct, median ${report.lookups.latencyMs.p50} ms`]
  if (report.gateways !== undefined) {
    const g = report.gateways
    lines.push(`gateways: ${g.putOk}/${g.puts} puts Success (median ${g.putMsMedian} ms); ${g.readsComplete}/${g.reads} gateways returned every value (median ${g.getMsMedian} ms)`)
  }
  if (report.kill !== undefined) {
    lines.push(`killed ${report.kill.killed}; repaired in ${report.kill.repairMs} ms; lookups ${report.kill.lookups.correct}/${report.kill.lookups.issued} correct`)
  }
  return lines.join('\n') + '\n'
}

import test from 'ava'
import { fork, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const bin = fileURLToPath(new URL('../bin/xest.js', import.meta.url))
const BASE_PORT = 47400

interface Node { child: ChildProcess, port: number, nextId: number, pending: Map<number, (reply: any) => void> }

function start (port: number, dataDir: string, gateway: number | null): Node {
  const args = ['node', '--port', String(port), '--data-dir', dataDir, '--second-chance', '5000', '--log-level', 'warn']
  if (gateway !== null) args.push('--gateway', `127.0.0.1:${gateway}`)
  const child = fork(bin, args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  const node: Node = { child, port, nextId: 1, pending: new Map() }
  child.on('message', (reply: any) => { node.pending.get(reply.id)?.(reply); node.pending.delete(reply.id) })
  return node
}

async function ask (node: Node, request: Record<string, unknown>, timeoutMs = 60_000): Promise<any> {
  const id = node.nextId++
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer from ${node.port} to ${JSON.stringify(request)}`)), timeoutMs)
    node.pending.set(id, (reply) => { clearTimeout(timer); resolve(reply) })
    node.child.send({ id, ...request })
  })
}

async function stop (node: Node): Promise<void> {
  if (node.child.exitCode !== null) return
  const exited = new Promise((resolve) => node.child.once('exit', resolve))
  node.child.kill('SIGTERM')
  await exited
}

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms))

test('real UDP, 10 nodes with LevelDB stores: puts reach 8 replicas; with 3 replicas killed gets return every value; a restarted node keeps its tuples', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'xest-dht-'))
  const nodes: Node[] = []
  t.teardown(async () => { for (const n of nodes) await stop(n); rmSync(root, { recursive: true, force: true }) })
  for (let i = 0; i < 10; i++) {
    nodes.push(start(BASE_PORT + 2 * i, join(root, `n${i}`), i === 0 ? null : BASE_PORT))
    await sleep(i === 0 ? 1500 : 300)
  }
  for (let waitedMs = 0; ; waitedMs += 1000) {
    const states = await Promise.all(nodes.map(async (n) => await ask(n, { op: 'state' })))
    if (states.every((s) => s.initialized && s.leafSet.length >= 7)) break
    if (waitedMs > 90_000) t.fail(`ring did not form: ${JSON.stringify(states.map((s) => s.leafSet.length))}`)
    await sleep(1000)
  }
  await sleep(3000)
  for (let v = 0; v < 6; v++) {
    const reply = await ask(nodes[v % 10]!, { op: 'put', key: 'colors', value: `c${v}`, ttlS: 3600 })
    t.true(reply.ok, JSON.stringify(reply))
  }
  await sleep(2000)
  const holders: Node[] = []
  for (const n of nodes) if ((await ask(n, { op: 'state' })).storedTuples === 6) holders.push(n)
  t.is(holders.length, 8, 'the root and 7 replicas hold all six values')
  const expected = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5']
  const reader = nodes.find((n) => !holders.includes(n)) ?? nodes[0]!
  t.deepEqual((await ask(reader, { op: 'get', key: 'colors' })).values.sort(), expected)

  const victims = holders.filter((n) => n !== reader).slice(0, 3)
  for (const v of victims) await stop(v)
  t.deepEqual((await ask(reader, { op: 'get', key: 'colors' })).values.sort(), expected, 'a quorum of the 5 live replicas answers')

  const restarted = victims[0]!
  const index = nodes.indexOf(restarted)
  nodes[index] = start(restarted.port, join(root, `n${index}`), BASE_PORT + (index === 0 ? 2 : 0))
  await sleep(4000)
  t.is((await ask(nodes[index]!, { op: 'state' })).storedTuples, 6, 'its LevelDB store came back with the six tuples')
})

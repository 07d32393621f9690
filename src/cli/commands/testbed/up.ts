/**
 * `xest testbed up`: N network namespaces `<prefix>-<i>`, each joined by a veth pair to one bridge
 * that lives in its own namespace `<prefix>-br` (so the root namespace gets no interface, address
 * or route), private addresses from --base-net, and one `xest node` per namespace bound to its
 * address, with user-space delay and loss from the latency matrix (host i = matrix host i, as in
 * the simulator) and a control socket. Host 0 starts the ring; the others join through it.
 * Each resource is written to the state file before it is created; on any failure (or Ctrl-C)
 * everything created so far is removed again, unless --keep-on-failure leaves it for `down`.
 */
import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { loadNetworkModel } from '../../../../sim/net/models/load-model.ts'
import { isDigitBase } from '../../../ids/digits.ts'
import { idToHex, nodeIdOf } from '../../../ids/node-id.ts'
import { sortIds, trueLeafSet } from '../../../overlay/ring-truth.ts'
import { UsageError } from '../../handle-errors.ts'
import { ControlClient } from './control-socket.ts'
import { ip, isOurProcess, listNamespaces, netnsAvailable, sleepMs } from './netns.ts'
import { hostAddresses, NODE_PORT, readState, stateDir, writeState, type HostRecord, type TestbedConfig, type TestbedState } from './state.ts'
import { teardown } from './teardown.ts'

const BIN = path.resolve(import.meta.dirname, '../../../../bin/xest.js')

export interface UpOptions extends TestbedConfig {
  stateFile: string
  timeoutS: number
  keepOnFailure: boolean
}

export interface UpReport { hosts: number, convergenceMs: number, dir: string, stateFile: string, addresses: string[] }

export async function testbedUp (options: UpOptions, progress: (line: string) => void): Promise<UpReport> {
  const state = planTestbed(options)
  writeState(options.stateFile, state)
  let interrupted = false
  const onSignal = (): void => { interrupted = true }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  const startedMs = Date.now()
  try {
    createNetwork(state, options.stateFile, () => interrupted)
    progress(`${state.namespaces.length} namespaces and ${state.hosts.length} veth links created`)
    const convergenceMs = await startNodes(state, options, () => interrupted, progress)
    state.status = 'up'
    writeState(options.stateFile, state)
    return { hosts: state.hosts.length, convergenceMs: Math.round(convergenceMs - startedMs), dir: state.dir, stateFile: options.stateFile, addresses: state.hosts.map((h) => `${h.address}:${h.port}`) }
  } catch (error) {
    state.status = 'failed'
    state.error = (error as Error).message
    writeState(options.stateFile, state)
    if (!options.keepOnFailure) {
      progress('up failed; removing what it created')
      const report = await teardown(state, options.stateFile)
      const left = report.leftover
      if (left.namespaces.length + left.links.length + left.processes.length > 0) progress(`teardown left ${JSON.stringify(left)}; run \`xest testbed down --state ${options.stateFile}\``)
    }
    throw error
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

/** Validates everything before anything is created, and lays out names, addresses and files. */
function planTestbed (options: UpOptions): TestbedState {
  const available = netnsAvailable()
  if (!available.ok) throw new UsageError(`xest testbed needs network namespaces: ${available.reason}`)
  if (!(Number.isInteger(options.hosts) && options.hosts >= 2 && options.hosts <= 128)) throw new UsageError(`--hosts must be 2 … 128, got ${options.hosts}`)
  if (!(options.loss >= 0 && options.loss < 1)) throw new UsageError(`--loss must be in [0, 1), got ${options.loss}`)
  if (!/^[a-z][a-z0-9-]{0,15}$/.test(options.prefix)) throw new UsageError(`--prefix must be 1 … 16 of a-z, 0-9 and -, starting with a letter; got "${options.prefix}"`)
  if (!isDigitBase(options.base)) throw new UsageError(`--base must be 2, 4, 16 or 256, got ${options.base}`)
  if (!(Number.isInteger(options.leafSet) && options.leafSet >= 1 && options.leafSet <= 32)) throw new UsageError(`--leaf-set must be 1 … 32, got ${options.leafSet}`)
  if (!(options.timeoutS > 0)) throw new UsageError(`--timeout must be > 0, got ${options.timeoutS}`)
  const previous = readState(options.stateFile)
  if (previous !== null && previous.status !== 'down') {
    throw new UsageError(`${options.stateFile} records a testbed that is ${previous.status}; run \`xest testbed down --state ${options.stateFile}\` first`)
  }
  if (options.latency !== null) {
    const model = loadNetworkModel(options.latency, { values: options.latencyValues }).model
    if (model.hostCount < options.hosts) throw new UsageError(`--latency ${options.latency} has ${model.hostCount} hosts; --hosts ${options.hosts} needs as many`)
  }
  const { addresses, prefixLength } = hostAddresses(options.baseNet, options.hosts)
  const bridgeNs = `${options.prefix}-br`
  const hostNs = addresses.map((_, i) => `${options.prefix}-${i}`)
  const clash = listNamespaces().filter((ns) => ns === bridgeNs || hostNs.includes(ns))
  if (clash.length > 0) throw new UsageError(`network namespaces ${clash.join(', ')} already exist (another testbed with --prefix ${options.prefix}?); nothing was created`)
  const dir = stateDir(options.stateFile)
  mkdirSync(dir, { recursive: true })
  const hostMapFile = path.join(dir, 'hosts.json')
  writeFileSync(hostMapFile, JSON.stringify(Object.fromEntries(addresses.map((a, i) => [`${a}:${NODE_PORT}`, i])), null, 2) + '\n')
  const config: TestbedConfig = {
    hosts: options.hosts, latency: options.latency === null ? null : path.resolve(options.latency), latencyValues: options.latencyValues, loss: options.loss,
    baseNet: options.baseNet, prefix: options.prefix, base: options.base, leafSet: options.leafSet, nodeArgs: options.nodeArgs
  }
  return {
    version: 1,
    status: 'creating',
    createdMs: Date.now(),
    dir,
    config,
    namespaces: [],
    bridge: { namespace: bridgeNs, name: 'tb-bridge' },
    hostMapFile,
    hosts: addresses.map((address, index): HostRecord => ({
      index,
      matrixHost: index,
      namespace: hostNs[index]!,
      address,
      prefixLength,
      port: NODE_PORT,
      link: 'tb0',
      bridgePort: `tb-h${index}`,
      pid: null,
      startedMs: null,
      spawnedMs: null,
      log: path.join(dir, `host-${index}.log`),
      controlSocket: path.join(dir, `host-${index}.sock`),
      dataDir: path.join(dir, `host-${index}.data`)
    }))
  }
}

function createNetwork (state: TestbedState, stateFile: string, interrupted: () => boolean): void {
  const record = (ns: string): void => { state.namespaces.push(ns); writeState(stateFile, state) }
  const br = state.bridge
  record(br.namespace)
  ip('netns', 'add', br.namespace)
  ip('-n', br.namespace, 'link', 'add', br.name, 'type', 'bridge')
  ip('-n', br.namespace, 'link', 'set', br.name, 'up')
  for (const host of state.hosts) {
    if (interrupted()) throw new Error('interrupted')
    record(host.namespace)
    ip('netns', 'add', host.namespace)
    // Both ends are created inside their namespaces: no interface ever appears in the root namespace.
    ip('link', 'add', host.link, 'netns', host.namespace, 'type', 'veth', 'peer', 'name', host.bridgePort, 'netns', br.namespace)
    ip('-n', br.namespace, 'link', 'set', host.bridgePort, 'master', br.name, 'up')
    ip('-n', host.namespace, 'addr', 'add', `${host.address}/${host.prefixLength}`, 'dev', host.link)
    ip('-n', host.namespace, 'link', 'set', host.link, 'up')
    ip('-n', host.namespace, 'link', 'set', 'lo', 'up')
  }
}

function nodeArgv (state: TestbedState, host: HostRecord): string[] {
  const c = state.config
  const argv = ['node', '--port', String(host.port), '--bind', host.address, '--control-socket', host.controlSocket, '--data-dir', host.dataDir,
    '--base', String(c.base), '--leaf-set', String(c.leafSet), '--log-level', 'info',
    '--emulate-latency', c.latency ?? 'zero', '--latency-values', c.latencyValues, '--host-index', String(host.matrixHost),
    '--host-map', state.hostMapFile, '--loss', String(c.loss)]
  if (host.index > 0) argv.push('--gateway', `${state.hosts[0]!.address}:${state.hosts[0]!.port}`)
  return [...argv, ...c.nodeArgs]
}

function spawnNode (state: TestbedState, host: HostRecord, stateFile: string, exits: Map<number, number | null>): void {
  const fd = openSync(host.log, 'a')
  try {
    const child = spawn('ip', ['netns', 'exec', host.namespace, process.execPath, BIN, ...nodeArgv(state, host)], { detached: true, stdio: ['ignore', fd, fd] })
    if (child.pid === undefined) throw new Error(`cannot start the node of host ${host.index} in ${host.namespace}`)
    child.on('exit', (code) => exits.set(host.index, code))
    child.on('error', () => exits.set(host.index, -1))
    child.unref()
    host.pid = child.pid
    host.spawnedMs = Date.now()
    writeState(stateFile, state)
  } finally {
    closeSync(fd)
  }
}

function failIfExited (host: HostRecord, exits: Map<number, number | null>): void {
  const exited = exits.has(host.index) || (host.pid !== null && !isOurProcess(host.pid, host.controlSocket) && host.startedMs !== null)
  if (!exited) return
  let tail = ''
  try {
    const lines = readFileSync(host.log, 'utf8').trim().split('\n')
    const errors = lines.filter((l) => /^xest: |^\s+caused by: /.test(l))
    tail = (errors.length > 0 ? errors : lines.slice(-3)).join(' | ')
  } catch { /* no log */ }
  throw new Error(`the node of host ${host.index} (${host.namespace}) exited with code ${exits.get(host.index) ?? '?'}: ${tail}`)
}

async function startNodes (state: TestbedState, options: UpOptions, interrupted: () => boolean, progress: (line: string) => void): Promise<number> {
  const deadlineMs = Date.now() + options.timeoutS * 1000
  const exits = new Map<number, number | null>()
  const clients = new Map<number, ControlClient>()
  const check = (): void => {
    if (interrupted()) throw new Error('interrupted')
    if (Date.now() > deadlineMs) throw new Error(`the testbed did not converge within ${options.timeoutS} s (see the logs in ${state.dir})`)
  }
  const waitStarted = async (hosts: HostRecord[]): Promise<void> => {
    for (;;) {
      check()
      for (const host of hosts) {
        failIfExited(host, exits)
        if (clients.has(host.index)) continue
        const client = await ControlClient.connect(host.controlSocket, 500)
        if (client !== null) { clients.set(host.index, client); host.startedMs = Date.now() }
      }
      if (hosts.every((h) => clients.has(h.index))) { writeState(options.stateFile, state); return }
      await sleepMs(100)
    }
  }
  try {
    const [first, ...rest] = state.hosts
    spawnNode(state, first!, options.stateFile, exits)
    await waitStarted([first!])
    for (const host of rest) { check(); spawnNode(state, host, options.stateFile, exits); await sleepMs(100) }
    await waitStarted(rest)
    progress(`${state.hosts.length} nodes started; waiting for every leaf set to be the true one`)
    const sorted = sortIds(state.hosts.map((h) => nodeIdOf({ host: h.address, port: h.port })))
    const expected = state.hosts.map((h) => {
      const guid = nodeIdOf({ host: h.address, port: h.port })
      return [...trueLeafSet(sorted, sorted.indexOf(guid), state.config.leafSet)].map(idToHex)
    })
    let trueSinceMs: number | null = null
    for (;;) {
      check()
      for (const host of state.hosts) failIfExited(host, exits)
      const states = await Promise.all(state.hosts.map(async (h) => await clients.get(h.index)!.request<{ initialized: boolean, leafSet: string[] }>({ op: 'state' }, 5_000)))
      const allTrue = states.every((s, i) => s !== null && s.initialized && s.leafSet.length === expected[i]!.length && expected[i]!.every((g) => s.leafSet.includes(g)))
      if (!allTrue) trueSinceMs = null
      else if (trueSinceMs === null) trueSinceMs = Date.now()
      else if (Date.now() - trueSinceMs >= 2_000) return trueSinceMs
      await sleepMs(250)
    }
  } finally {
    for (const client of clients.values()) client.close()
  }
}

/**
 * `xest testbed` actions: flags to options, the state file read or refused, results printed as
 * text or JSON, progress on stderr. `status` reads the state file and asks each node over its
 * control socket; it changes nothing. See up.ts, teardown.ts and the run-*.ts workloads.
 */
import { UsageError } from '../../handle-errors.ts'
import type { ProbeArgs, RunArgs, UpArgs } from './command.ts'
import { ControlClient } from './control-socket.ts'
import { isOurProcess, listNamespaces } from './netns.ts'
import { describeDht, runDht } from './run-dht.ts'
import { describeLookups, runLookups } from './run-lookups.ts'
import { describeVd, runVdMigrate } from './run-vd.ts'
import { readState, type TestbedState } from './state.ts'
import { teardown } from './teardown.ts'
import { testbedUp } from './up.ts'

export type { ProbeArgs }

const progress = (line: string): void => { process.stderr.write(`testbed: ${line}\n`) }

function print (json: boolean, data: unknown, text: string): void {
  process.stdout.write(json ? JSON.stringify(data, null, 2) + '\n' : text)
}

export async function upMain (args: UpArgs): Promise<void> {
  const report = await testbedUp({
    stateFile: args.state,
    hosts: args.hosts,
    latency: args.latency ?? null,
    latencyValues: args.latencyValues,
    loss: args.loss,
    baseNet: args.baseNet,
    prefix: args.prefix,
    base: args.base,
    leafSet: args.leafSet,
    nodeArgs: args.nodeArg ?? [],
    timeoutS: args.timeout,
    keepOnFailure: args.keepOnFailure
  }, progress)
  print(args.json, report, `testbed up: ${report.hosts} hosts (${report.addresses[0]} … ${report.addresses[report.addresses.length - 1]}), every leaf set true after ${(report.convergenceMs / 1000).toFixed(1)} s\nstate: ${report.stateFile}; logs: ${report.dir}\n`)
}

function mustRead (stateFile: string): TestbedState {
  const state = readState(stateFile)
  if (state === null) throw new UsageError(`no testbed state at ${stateFile} (xest testbed up first, or pass --state)`)
  return state
}

export async function downMain (args: { state: string, json: boolean }): Promise<void> {
  const state = readState(args.state)
  if (state === null) {
    print(args.json, { removed: false, reason: 'no state file' }, `no testbed recorded at ${args.state}; nothing to remove\n`)
    return
  }
  const report = await teardown(state, args.state)
  const left = report.leftover
  const clean = left.namespaces.length === 0 && left.links.length === 0 && left.processes.length === 0
  print(args.json, { ...report, clean }, [
    `testbed down: stopped ${report.stoppedProcesses} processes, deleted ${report.deletedNamespaces.length} namespaces (their links and the bridge with them)`,
    clean ? 'nothing left behind' : `LEFT BEHIND: ${JSON.stringify(left)}`,
    ...report.errors.map((e) => `error: ${e}`),
    ''
  ].join('\n'))
  if (!clean) process.exitCode = 1
}

export async function statusMain (args: { state: string, json: boolean }): Promise<void> {
  const state = mustRead(args.state)
  const namespaces = new Set(listNamespaces())
  const hosts = await Promise.all(state.hosts.map(async (h) => {
    const running = h.pid !== null && isOurProcess(h.pid, h.controlSocket)
    const client = running ? await ControlClient.connect(h.controlSocket, 1_000) : null
    const reply = await client?.request<{ initialized: boolean, leafSet: string[], routingTable: number, storedTuples: number, emulation: Record<string, number> | null }>({ op: 'state' }, 3_000) ?? null
    client?.close()
    return {
      index: h.index, namespace: h.namespace, namespaceExists: namespaces.has(h.namespace), address: `${h.address}:${h.port}`, pid: h.pid, running,
      joined: reply?.initialized ?? null, leafSet: reply?.leafSet.length ?? null, routingTable: reply?.routingTable ?? null, storedTuples: reply?.storedTuples ?? null,
      emulation: reply?.emulation ?? null
    }
  }))
  const data = { status: state.status, config: state.config, dir: state.dir, bridge: state.bridge, error: state.error, hosts }
  const lines = [
    `testbed ${state.status}: ${state.hosts.length} hosts, latency ${state.config.latency ?? 'none'} (${state.config.latencyValues}), loss ${state.config.loss}, bridge ${state.bridge.name} in ${state.bridge.namespace}${state.error === undefined ? '' : `; error: ${state.error}`}`,
    'host namespace        address              pid      running joined leaf-set sent     dropped unmapped'
  ]
  for (const h of hosts) {
    const e = h.emulation
    lines.push(`${String(h.index).padEnd(5)}${(h.namespace + (h.namespaceExists ? '' : '(gone)')).padEnd(16)}${h.address.padEnd(21)}${String(h.pid ?? '-').padEnd(9)}${String(h.running).padEnd(8)}${String(h.joined ?? '-').padEnd(7)}${String(h.leafSet ?? '-').padEnd(9)}${String(e?.sent ?? '-').padEnd(9)}${String(e?.dropped ?? '-').padEnd(8)}${e?.unmapped ?? '-'}`)
  }
  print(args.json, data, lines.join('\n') + '\n')
}

export async function runMain (args: RunArgs): Promise<void> {
  const state = mustRead(args.state)
  if (state.status !== 'up') throw new UsageError(`the testbed at ${args.state} is ${state.status}, not up`)
  if (args.workload === 'lookups') {
    if (!(Number.isInteger(args.rounds) && args.rounds >= 1)) throw new UsageError(`--rounds must be ≥ 1, got ${args.rounds}`)
    if (!(args.interval > 0)) throw new UsageError(`--interval must be > 0, got ${args.interval}`)
    const report = await runLookups(state, { seed: args.seed, rounds: args.rounds, intervalMs: args.interval, warmupS: args.warmup, lookupTimeoutMs: 30_000 }, progress)
    print(args.json, report, describeLookups(report))
  } else if (args.workload === 'dht') {
    const report = await runDht(state, { seed: args.seed, keys: args.keys, valuesPerKey: args.values, ttlS: 3600, concurrency: 4 }, progress)
    print(args.json, report, describeDht(report))
    if (report.puts.ok < report.puts.issued || report.gets.complete < report.gets.issued) process.exitCode = 1
  } else {
    const report = await runVdMigrate(state, progress)
    print(args.json, report, describeVd(report))
    if (report.status !== 'done' || report.filesExact < report.files || !report.exportEqual) process.exitCode = 1
  }
}

/**
 * `xest node`: builds the real environment (system clock, UDP port, seeded Rng from the OS's
 * randomness, console logger), starts an OverlayNode with the DHT on it (tuples in LevelDB with
 * --data-dir, kept across restarts), logs joins and leaf-set changes, and stops cleanly on
 * SIGINT/SIGTERM (flushing the tuple log). Unless --no-xmlrpc, it serves OpenDHT's XML-RPC
 * gateway and status page on TCP port + 1, as Bamboo's nodes did. When started with an IPC channel (by `xest ring`), it
 * also answers control requests: its state, lookups, puts and gets, and with --data-dir the VD
 * operations of `vd-control.ts` (import, write, migrate out and in, read, export, FUSE mounts, which it
 * unmounts on shutdown); with --control-socket, the same
 * requests on a Unix-domain socket (how `xest testbed` drives nodes inside network namespaces).
 * With --emulate-latency its UDP port is wrapped in a LatencyPort (user-space wide-area delay and
 * loss from a latency matrix; see `testbed/emulation.ts`); without the flag nothing changes.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { ConsoleLogger } from '../../../env/console-logger.ts'
import { SeededRng } from '../../../env/rng.ts'
import { SystemClock } from '../../../env/system-clock.ts'
import { UdpPort } from '../../../env/udp-port.ts'
import type { DatagramPort } from '../../../env/datagram-port.ts'
import type { LatencyPort } from '../../../env/latency-port.ts'
import { isDigitBase } from '../../../ids/digits.ts'
import { addressKey, parseAddress, type NodeAddress } from '../../../ids/node-address.ts'
import { idToHex, parseId } from '../../../ids/node-id.ts'
import { DHT_OK } from '../../../dht/dht-api.ts'
import { DhtNode } from '../../../dht/dht-node.ts'
import { LevelTupleLog } from '../../../dht/level-tuple-log.ts'
import { TupleStore } from '../../../dht/tuple-store.ts'
import { OverlayNode } from '../../../overlay/overlay-node.ts'
import { startGateway, type Gateway } from '../../../gateway/gateway-server.ts'
import { WriterLease } from '../../../lease/writer-lease.ts'
import { VdHost } from '../../../migrate/vd-host.ts'
import { VdRepository } from '../../../vd/vd-repository.ts'
import { handleVdControl, unmountAllVdMounts, type VdControlRequest } from './vd-control.ts'
import { UsageError } from '../../handle-errors.ts'
import type { NodeArgs } from './command.ts'

export async function runNode (args: NodeArgs): Promise<void> {
  const gateways = (args.gateway ?? []).map(parseGateway)
  if (!isDigitBase(args.base)) throw new UsageError(`--base must be 2, 4, 16 or 256, got ${args.base}`)
  if (!(Number.isInteger(args.leafSet) && args.leafSet >= 1 && args.leafSet <= 32)) throw new UsageError(`--leaf-set must be 1..32, got ${args.leafSet}`)
  if (!(Number.isInteger(args.port) && args.port > 0 && args.port < 65536)) throw new UsageError(`--port must be 1..65535, got ${args.port}`)
  const macKey = args.macKey === undefined ? null : readMacKey(args.macKey)
  const log = new ConsoleLogger({ minLevel: args.logLevel, json: args.json })
  if (args.emulateLatency === undefined && args.loss !== 0) throw new UsageError('--loss needs --emulate-latency (use "zero" for loss without delay)')
  const clock = new SystemClock()
  const rng = new SeededRng(randomBytes(16).toString('hex'))
  const udp = await UdpPort.open({ host: args.bind, port: args.port })
  let emulation: LatencyPort | null = null
  if (args.emulateLatency !== undefined) {
    const { emulatedPort } = await import('../testbed/emulation.ts')
    try {
      emulation = emulatedPort(udp, { ...args, emulateLatency: args.emulateLatency }, { clock, rng })
    } catch (error) { udp.close(); throw error }
    log.log('info', 'latency-emulation', { matrix: args.emulateLatency, values: args.latencyValues, hostIndex: args.hostIndex, loss: args.loss })
  }
  const port: DatagramPort = emulation ?? udp
  const env = { clock, rng, port, log }
  const node = new OverlayNode(env, {
    gateways, digitBase: args.base, leafSetSizePerSide: args.leafSet, immediateJoin: args.immediateJoin, secondChanceTimeoutMs: args.secondChance
  }, {}, { udpcc: { macKey } })
  node.registerApp(0x7865737472696e67n, {
    leafSetChanged: (predecessors, successors) => log.log('info', 'leaf-set', {
      predecessors: predecessors.map((n) => addressKey(n.address)), successors: successors.map((n) => addressKey(n.address))
    })
  })
  const store = new TupleStore()
  let tupleLog: LevelTupleLog | null = null
  if (args.dataDir !== undefined) {
    tupleLog = await LevelTupleLog.open(args.dataDir, log)
    const loaded = await tupleLog.attach(store, BigInt(Date.now()) * 1000n)
    log.log('info', 'tuples-loaded', { dataDir: args.dataDir, tuples: loaded })
  }
  const dht = new DhtNode(node, store)
  const vdHost = args.dataDir === undefined ? null : openVdHost(node, dht, path.join(args.dataDir, 'vd'), rng)
  const handle = controlHandler(node, dht, vdHost, () => ({ udp: udp.stats, emulation: emulation === null ? null : { ...emulation.stats, held: emulation.held } }))
  let xmlrpc: Gateway | null = null
  if (args.xmlrpc) {
    try {
      xmlrpc = await startGateway({ host: args.bind, port: port.local.port + 1, api: dht, clock: env.clock, log })
    } catch (error) {
      port.close()
      await tupleLog?.close()
      throw new Error(`cannot serve the XML-RPC gateway on ${args.bind}:${port.local.port + 1} (use --no-xmlrpc to run without it)`, { cause: error })
    }
  }
  let control: { close (): Promise<void> } | null = null
  if (args.controlSocket !== undefined) {
    const { serveControlSocket } = await import('../testbed/control-socket.ts')
    try {
      control = await serveControlSocket(args.controlSocket, (request, reply) => handle(request as ControlRequest, reply))
    } catch (error) {
      port.close()
      await xmlrpc?.close()
      await tupleLog?.close()
      throw new Error(`cannot serve the control socket ${args.controlSocket}`, { cause: error })
    }
  }
  log.log('info', 'node-start', {
    address: addressKey(port.local), guid: idToHex(node.self.guid), gateways: gateways.map(addressKey), xmlrpc: xmlrpc === null ? null : addressKey(xmlrpc.address)
  })
  node.start()
  dht.start()
  if (process.send !== undefined) process.on('message', (raw: unknown) => handle(raw as ControlRequest, (m) => process.send!(m)))
  await new Promise<void>((resolve) => {
    let stopping = false
    const shutdown = (signal: string): void => {
      if (stopping) return
      stopping = true
      log.log('info', 'node-stop', { signal })
      dht.stop()
      node.stop()
      const unmounting = unmountAllVdMounts(vdHost).then(({ unmounted, failed }) => {
        if (unmounted + failed.length > 0) log.log(failed.length > 0 ? 'error' : 'info', 'vd-unmount', { unmounted, failed })
      })
      void Promise.all([unmounting, xmlrpc?.close(), control?.close()])
        .then(async () => await tupleLog?.close())
        .then(resolve, (error) => { log.log('error', 'shutdown-failed', { error: String(error) }); resolve() })
    }
    process.once('SIGINT', () => shutdown('SIGINT'))
    process.once('SIGTERM', () => shutdown('SIGTERM'))
    process.once('disconnect', () => shutdown('disconnect'))
  })
  process.disconnect?.()
  // Everything is flushed and closed; protocol timers still pending (get and put deadlines,
  // lease renewals) must not keep a stopped node alive. The short delay lets log lines drain.
  setTimeout(() => process.exit(0), 200)
}

function parseGateway (text: string): NodeAddress {
  const address = parseAddress(text)
  if (address === null) throw new UsageError(`--gateway: not HOST:PORT: "${text}"`)
  return address
}

function readMacKey (file: string): Uint8Array {
  const key = readFileSync(file)
  if (key.length < 20) throw new UsageError(`--mac-key: ${file} holds ${key.length} bytes; 20 are needed`)
  return new Uint8Array(key.subarray(0, 20))
}

/** Control requests from a parent process (`xest ring`) or the control socket: state, lookups, puts, gets. */
export type ControlRequest = { id: number, op: 'state' } | { id: number, op: 'lookup', key: string } |
  { id: number, op: 'put', key: string, value: string, ttlS: number } | { id: number, op: 'get', key: string }

/** The node's VD repository (under --data-dir), its writer leases and object transfer. */
function openVdHost (node: OverlayNode, dht: DhtNode, dir: string, rng: SeededRng): VdHost {
  const lease = new WriterLease(dht, node.env.clock, addressKey(node.self.address))
  const repo = VdRepository.openDir(dir, rng.fork('vd'), { fence: lease.fence() })
  return new VdHost(node, repo, lease)
}

function controlHandler (node: OverlayNode, dht: DhtNode, vdHost: VdHost | null, portStats: () => Record<string, unknown>) {
  return (request: ControlRequest, send: (message: Record<string, unknown> & { id: number }) => void): void => {
    if (typeof request.op === 'string' && request.op.startsWith('vd.')) {
      void handleVdControl(vdHost, request as unknown as VdControlRequest).then((reply) => send({ id: request.id, ...reply }))
      return
    }
    if (request.op === 'state') {
      send({
        id: request.id,
        guid: idToHex(node.self.guid),
        initialized: node.initialized,
        leafSet: node.leafSet.members().map((n) => idToHex(n.guid)),
        routingTable: node.routingTable.size,
        storedTuples: dht.store.size,
        ...portStats()
      })
    } else if (request.op === 'put') {
      const text = new TextEncoder()
      void dht.put({ key: text.encode(request.key), value: text.encode(request.value), ttlS: request.ttlS, secretHash: null, application: 'ring', clientHost: '127.0.0.1' })
        .then((status) => send({ id: request.id, ok: status === DHT_OK, status }))
    } else if (request.op === 'get') {
      void dht.get({ key: new TextEncoder().encode(request.key), maxValues: 1000, placemark: new Uint8Array(0), application: 'ring', clientHost: '127.0.0.1' })
        .then((result) => send({ id: request.id, values: result.values.map((v) => new TextDecoder().decode(v.value)) }))
    } else if (request.op === 'lookup') {
      const key = parseId(request.key)
      if (key === null) { send({ id: request.id, error: 'bad key' }); return }
      const startedMs = performance.now()
      node.lookup(key, (owner) => {
        send({ id: request.id, owner: owner === null ? null : idToHex(owner.guid), latencyMs: performance.now() - startedMs })
      })
    } else {
      send({ id: (request as { id: number }).id, error: `unknown op ${JSON.stringify((request as { op: unknown }).op)}` })
    }
  }
}

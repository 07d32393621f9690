/**
 * The testbed's state file: everything `xest testbed up` created (namespaces, links, the bridge,
 * node processes, files), written before each thing is created so that `down` can remove it even
 * after a crash half-way, and the configuration `run` needs to simulate the same topology. Reads
 * and writes this one JSON file (atomically, via a temporary file and rename); never touches the
 * network or processes itself.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { UsageError } from '../../handle-errors.ts'

export const DEFAULT_STATE_FILE = '/tmp/xest-testbed/state.json'
/** The node port in every namespace (the simulator's default port, so addresses read alike). */
export const NODE_PORT = 3630

export interface TestbedConfig {
  hosts: number
  latency: string | null
  latencyValues: 'rtt' | 'one-way'
  loss: number
  baseNet: string
  prefix: string
  base: number
  leafSet: number
  nodeArgs: string[]
}

export interface HostRecord {
  index: number
  /** The host's row in the latency matrix. */
  matrixHost: number
  namespace: string
  address: string
  /** Prefix length of the address on the host's link. */
  prefixLength: number
  port: number
  /** Interface inside the host's namespace and its peer in the bridge namespace. */
  link: string
  bridgePort: string
  pid: number | null
  /** When the node first answered on its control socket (epoch ms), null until then. */
  startedMs: number | null
  spawnedMs: number | null
  log: string
  controlSocket: string
  /** The node's --data-dir (LevelDB tuples, VD store); removed by `down`. */
  dataDir: string
}

export interface TestbedState {
  version: 1
  status: 'creating' | 'up' | 'failed' | 'down'
  createdMs: number
  /** Directory of logs, sockets and the host map. */
  dir: string
  config: TestbedConfig
  /** Every namespace created (or about to be), bridge namespace first. */
  namespaces: string[]
  bridge: { namespace: string, name: string }
  hostMapFile: string
  hosts: HostRecord[]
  /** The last error of a failed `up`. */
  error?: string
}

export function stateDir (stateFile: string): string {
  const base = path.basename(stateFile).replace(/\.json$/, '')
  return path.join(path.dirname(path.resolve(stateFile)), `${base}.d`)
}

export function readState (stateFile: string): TestbedState | null {
  let text: string
  try {
    text = readFileSync(stateFile, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
  let state: TestbedState
  try {
    state = JSON.parse(text) as TestbedState
  } catch (error) {
    throw new UsageError(`${stateFile} is not a testbed state file: ${(error as Error).message}`)
  }
  if (state.version !== 1 || !Array.isArray(state.namespaces) || !Array.isArray(state.hosts)) throw new UsageError(`${stateFile} is not a testbed state file (version 1)`)
  return state
}

export function writeState (stateFile: string, state: TestbedState): void {
  mkdirSync(path.dirname(path.resolve(stateFile)), { recursive: true })
  const temporary = `${stateFile}.tmp-${process.pid}`
  writeFileSync(temporary, JSON.stringify(state, null, 2) + '\n')
  renameSync(temporary, stateFile)
}

/** Addresses base + 1 … base + hosts of an IPv4 /16…/24 network "A.B.C.D/L". */
export function hostAddresses (baseNet: string, hosts: number): { addresses: string[], prefixLength: number } {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(baseNet)
  if (match === null) throw new UsageError(`--base-net must be A.B.C.D/LEN, got "${baseNet}"`)
  const octets = match.slice(1, 5).map(Number)
  const prefixLength = Number(match[5])
  if (octets.some((o) => o > 255) || prefixLength < 8 || prefixLength > 24) throw new UsageError(`--base-net: "${baseNet}" is not an IPv4 network with a prefix of 8 … 24 bits`)
  const base = ((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!
  const isPrivate = octets[0] === 10 || (octets[0] === 172 && octets[1]! >= 16 && octets[1]! < 32) || (octets[0] === 192 && octets[1] === 168)
  if (!isPrivate) throw new UsageError(`--base-net: ${baseNet} is not a private (RFC 1918) network; the testbed uses private addresses only`)
  const mask = prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0
  if (((base & mask) >>> 0) !== base) throw new UsageError(`--base-net: ${baseNet} has host bits set`)
  const size = 2 ** (32 - prefixLength)
  if (hosts + 2 > size) throw new UsageError(`--base-net: ${baseNet} has room for ${size - 2} hosts, not ${hosts}`)
  const addresses: string[] = []
  for (let i = 1; i <= hosts; i++) {
    const a = base + i
    addresses.push(`${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`)
  }
  return { addresses, prefixLength }
}

/**
 * The Xest study (xest.md §5–7): hosts on a wide-area model run the real overlay, DHT and fetch
 * path (message-level transport, access links with serialization); one host stores a VM
 * template's image; VMs forked from it replay a trace, each migrating on a schedule between
 * hosts whose caches persist across VMs. The same schedule runs once per policy — demand-only,
 * whole-image pre-copy, group prefetch (group table from the trace's first part), oracle —
 * and each run reports miss rate, stall time, addressing overhead, unnecessary fetches and
 * bytes moved. Deterministic from the seed; never reads real time.
 */
import { SeededRng } from '../../src/env/rng.ts'
import { DhtNode } from '../../src/dht/dht-node.ts'
import { TupleStore } from '../../src/dht/tuple-store.ts'
import { ObjectCatalog } from '../../src/fetch/object-catalog.ts'
import { XestHost } from '../../src/fetch/xest-host.ts'
import { GroupTable } from '../../src/grouping/group-table.ts'
import { groupReferenceString } from '../../src/grouping/grouping.ts'
import { sha1 } from '../../src/ids/sha1.ts'
import { addressKey } from '../../src/ids/node-address.ts'
import type { InputFile } from '../net/network-model.ts'
import { scenarioModel } from '../net/models/scenario-model.ts'
import { OverlayWorld } from '../overlay/overlay-world.ts'
import type { RunStatus } from '../world.ts'
import { checkStudyConfig, type StudyConfig } from './study-config.ts'
import { policyMetrics, type PolicyMetrics } from './study-metrics.ts'
import { loadWorkload, type StudyWorkload } from './study-workload.ts'
import { VmReplay, type StudyPolicy, type VmSegment } from './vm-replay.ts'

const SECOND_US = 1e6
/** Quiet time after the last host joined, so leaf sets settle and Vivaldi coordinates converge. */
const WARMUP_US = 120 * SECOND_US
/** Gap between VM starts. */
const VM_STAGGER_US = 5 * SECOND_US
/** A run stops this long after the VMs start even if some are still replaying (reported). */
const RUN_LIMIT_US = 48 * 3600 * SECOND_US

export interface StudyResult {
  summary: Record<string, unknown>
  tables: Record<string, Array<Record<string, unknown>>>
  inputs: InputFile[]
  policies: PolicyMetrics[]
}

export interface StudySetup {
  workload: StudyWorkload
  catalog: ObjectCatalog
  trainRefs: number
  imageBytes: number
  plans: VmSegment[][]
}

/** Loads the trace, builds the group table from its first part and the migration schedule. */
export function prepareStudy (config: StudyConfig): StudySetup {
  checkStudyConfig(config)
  const workload = loadWorkload(config.trace, { fileChunkBytes: config.fileChunkBytes ?? undefined, maxReferences: config.maxReferences ?? undefined })
  const n = workload.refs.length
  if (n < 10) throw new RangeError(`${config.trace}: ${n} references are too few for a study`)
  const trainRefs = Math.floor(n * config.trainFraction)
  const grouped = groupReferenceString(workload, config.grouping, Math.max(1, trainRefs))
  const table = GroupTable.fromGrouping(grouped.state, workload.keys, grouped.stats)
  const catalog = new ObjectCatalog(`template:${workload.name}`, workload.keys, workload.sizesBytes, table)
  let imageBytes = 0
  for (let i = 0; i < catalog.count; i++) imageBytes += catalog.sizeOf(i)
  const rng = new SeededRng(`${config.seed}/schedule`)
  const replayRefs = n - trainRefs
  const plans: VmSegment[][] = []
  for (let v = 0; v < config.vms; v++) {
    let host = 1 + (v % (config.hosts - 1))
    const plan: VmSegment[] = [{ startRef: trainRefs, host }]
    for (let m = 1; m <= config.migrations; m++) {
      let next = rng.int(config.hosts)
      while (next === host) next = rng.int(config.hosts)
      host = next
      plan.push({ startRef: trainRefs + Math.floor((replayRefs * m) / (config.migrations + 1)), host })
    }
    plans.push(plan)
  }
  return { workload, catalog, trainRefs, imageBytes, plans }
}

export function runStudy (config: StudyConfig, progress?: (status: RunStatus) => void): StudyResult {
  const setup = prepareStudy(config)
  const policies = config.policies.map((policy) => runPolicy(config, setup, policy, progress))
  return assembleStudy(config, studyFacts(config, setup), policies)
}

/** What the study's summary says of its setup: plain data, so a worker process can report it. */
export interface StudyFacts {
  trace: string
  references: number
  trainReferences: number
  objects: number
  groups: number
  imageBytes: number
  cacheBytesPerHost: number
  inputs: InputFile[]
}

export function studyFacts (config: StudyConfig, setup: StudySetup): StudyFacts {
  const { workload, catalog } = setup
  const inputs: InputFile[] = [workload.input]
  scenarioModel({ seed: config.seed, latencyFile: config.latencyFile, latencyValues: config.latencyValues }, inputs)
  return {
    trace: workload.name, references: workload.refs.length, trainReferences: setup.trainRefs, objects: catalog.count,
    groups: catalog.table?.groupCount ?? 0, imageBytes: setup.imageBytes, cacheBytesPerHost: cacheBytes(config, setup), inputs
  }
}

/**
 * The study's summary and tables from its policies' metrics, in `config.policies` order
 * (`runPolicy` may have run them in other processes: facts and metrics are plain data).
 */
export function assembleStudy (config: StudyConfig, facts: StudyFacts, policies: PolicyMetrics[]): StudyResult {
  const byName = new Map(policies.map((p) => [p.policy, p]))
  const ratio = (a: number | undefined, b: number | undefined): number | null => a === undefined || b === undefined || b === 0 ? null : a / b
  const group = byName.get('group')
  const summary = {
    trace: facts.trace, references: facts.references, trainReferences: facts.trainReferences, objects: facts.objects,
    groups: facts.groups, imageBytes: facts.imageBytes, hosts: config.hosts, vms: config.vms, migrationsPerVm: config.migrations,
    cacheBytesPerHost: facts.cacheBytesPerHost, model: policies[0]?.model ?? null,
    comparisons: {
      groupStallVsDemand: ratio(group?.stall.totalS, byName.get('demand')?.stall.totalS),
      groupStallVsOracle: ratio(group?.stall.totalS, byName.get('oracle')?.stall.totalS),
      groupUnnecessaryShareOfFetched: group?.unnecessary.shareOfFetchedBytes ?? null
    },
    policies: Object.fromEntries(policies.map((p) => [p.policy, p]))
  }
  return {
    summary,
    tables: {
      policies: policies.map((p) => p.row),
      segments: policies.flatMap((p) => p.segments),
      stall_quantiles: policies.flatMap((p) => p.stallQuantiles),
      stall_cdf: policies.flatMap((p) => p.stallCdf)
    },
    inputs: facts.inputs,
    policies
  }
}

function cacheBytes (config: StudyConfig, setup: StudySetup): number {
  return Math.max(256 * 1024, Math.round(config.cacheFraction * setup.imageBytes))
}

/** One policy's run of the study (independent of the others: same setup, same seed). */
export function runPolicy (config: StudyConfig, setup: StudySetup, policy: StudyPolicy, progress?: (status: RunStatus) => void): PolicyMetrics {
  const { catalog, workload } = setup
  const model = scenarioModel({ seed: config.seed, latencyFile: config.latencyFile, latencyValues: config.latencyValues }, [])
  let maxSize = 1
  for (let i = 0; i < catalog.count; i++) maxSize = Math.max(maxSize, catalog.sizeOf(i))
  const standIn = new Uint8Array(maxSize)
  const nodes = new Map<number, { dht: DhtNode, host: XestHost }>()
  const overlay = new OverlayWorld({
    seed: config.seed, model, transport: 'message', shareMessages: config.shareMessages,
    network: { uplinkBitsPerSecond: config.uplinkMbps * 1e6, downlinkBitsPerSecond: config.downlinkMbps * 1e6 },
    layer: (node, ctx) => {
      const dht = new DhtNode(node, new TupleStore())
      dht.start()
      const host = new XestHost(node, dht, catalog, (_index, size) => standIn.subarray(0, size), sha1(`${config.seed}/host/${ctx.node}`), {
        policy: policy === 'group' ? 'group' : 'demand', cacheKind: config.cache, cacheBytes: cacheBytes(config, setup),
        subgroupMax: config.subgroupMax, pPrefetch: config.pPrefetch, fetcher: { verifyIds: false }
      })
      nodes.set(ctx.node, { dht, host })
      return { stop: () => { host.stop(); dht.stop() } }
    }
  })
  const { world } = overlay
  overlay.populate(config.hosts, SECOND_US)
  world.run({ untilUs: config.hosts * SECOND_US + WARMUP_US, progress })
  const hostNodes = overlay.joinedNodes()
  if (hostNodes.length < config.hosts) throw new Error(`only ${hostNodes.length} of ${config.hosts} hosts joined`)
  const hosts = hostNodes.map((i) => nodes.get(i)!)
  for (let i = 0; i < catalog.count; i++) hosts[0]!.host.local.add(i)
  const lease = { puts: 0, failed: 0, latencyMs: [] as number[] }
  const stalls: Float64Array[] = []
  const vms: VmReplay[] = []
  let finished = 0
  const env = {
    world, workload, policy, home: 0, timeScale: config.timeScale, maxThinkUs: config.maxThinkMs * 1000,
    host: (h: number) => hosts[h]!.host,
    address: (h: number) => hosts[h]!.host.node.self.address,
    takeLease: (vm: number, h: number, epoch: number, done: (ok: boolean) => void) => {
      const startedUs = world.nowUs
      const record = new TextEncoder().encode(`writer ${addressKey(hosts[h]!.host.node.self.address)} epoch ${epoch}`)
      lease.puts++
      hosts[h]!.dht.putThen({ key: sha1(`xest:vd:vm${vm}`), value: record, ttlS: 3600, secretHash: sha1(`vd-secret-${vm}`), application: 'xest', clientHost: '10.0.0.1' }, (status) => {
        lease.latencyMs.push((world.nowUs - startedUs) / 1000)
        if (status !== 0) lease.failed++
        done(status === 0)
      })
    }
  }
  const startUs = world.nowUs
  for (let v = 0; v < config.vms; v++) {
    const stall = new Float64Array(workload.refs.length).fill(Number.NaN)
    stalls.push(stall)
    const vm = new VmReplay(env, v, setup.plans[v]!, workload.refs.length, stall, () => { finished++ })
    vms.push(vm)
    world.at(startUs + v * VM_STAGGER_US, () => vm.start())
  }
  while (finished < config.vms && world.nowUs < startUs + RUN_LIMIT_US) {
    const status = world.run({ untilUs: world.nowUs + 600 * SECOND_US, progress })
    if (status.pending === 0) break
  }
  return policyMetrics({ policy, model: model.name, world, hosts: hosts.map((h) => h.host), vms, stalls, lease, unfinished: config.vms - finished, setup })
}

/**
 * The DHT under churn: N nodes running the real overlay and DHT code (message-level transport),
 * churned with exponential sessions; random live nodes put fresh keys at a steady rate and get
 * keys whose puts were acknowledged. Every get must return the acknowledged value (a get that
 * does not is counted as missed); the checker: after churn stops, every acknowledged, unexpired
 * put is read once more, and one not read back is lost. Reports put outcomes and get latency
 * (median, p99), plain or with OpenDHT's delay-aware gets and redundant reads.
 * Deterministic from the seed; never reads real time.
 */
import { scenarioModel } from '../net/models/scenario-model.ts'
import { quantile } from 'd3-array'
import { DHT_AGAIN, DHT_CAP, DHT_OK } from '../../src/dht/dht-api.ts'
import { DhtNode } from '../../src/dht/dht-node.ts'
import { TupleStore } from '../../src/dht/tuple-store.ts'
import { makePut } from '../../src/dht/tuple.ts'
import { bytesToBigUint } from '../../src/ids/sha1.ts'
import { Churn } from '../churn/churn.ts'
import { exponentialSessions } from '../churn/session-times.ts'
import type { InputFile } from '../net/network-model.ts'
import { OverlayWorld } from '../overlay/overlay-world.ts'
import type { RunStatus } from '../world.ts'

export interface DhtScenarioConfig {
  seed: string
  nodes: number
  latencyFile: string | null
  latencyValues: 'rtt' | 'one-way'
  /** Median session time, s; null = no churn. */
  sessionMedianS: number | null
  joinSpacingMs: number
  warmupS: number
  /** Measured time with churn, puts and gets, s. */
  durationS: number
  /** Puts per second over the whole ring. */
  putsPerS: number
  /** Gets per second over the whole ring. */
  getsPerS: number
  ttlS: number
  valueBytes: number
  delayAwareGets: boolean
  redundantReads: number
  /** RTT-based get hop deadlines (DhtConfig.getHopRttMultiple); 0 = Bamboo's fixed deadline. */
  getHopRttMultiple: number
}

export const DEFAULT_DHT_SCENARIO: DhtScenarioConfig = {
  seed: '1', nodes: 100, latencyFile: null, latencyValues: 'rtt', sessionMedianS: 1800, joinSpacingMs: 100, warmupS: 120,
  durationS: 600, putsPerS: 1, getsPerS: 2, ttlS: 3600, valueBytes: 32, delayAwareGets: false, redundantReads: 0, getHopRttMultiple: 0
}

interface AckedPut { readonly key: Uint8Array, readonly value: string, readonly expiresUs: number }

export function runDhtScenario (config: DhtScenarioConfig, progress?: (status: RunStatus) => void) {
  checkDhtConfig(config)
  const inputs: InputFile[] = []
  const model = scenarioModel(config, inputs)
  const dhts = new Map<number, DhtNode>()
  /** DHT event counters summed over every node that ran (departed ones folded in as they stop). */
  const counters = new Map<string, number>()
  const addCounters = (dht: DhtNode): void => { for (const [k, n] of dht.counters) counters.set(k, (counters.get(k) ?? 0) + n) }
  const overlay = new OverlayWorld({
    seed: config.seed, model, transport: 'message',
    layer: (node, ctx) => {
      const dht = new DhtNode(node, new TupleStore(), { delayAwareGets: config.delayAwareGets, redundantReads: config.redundantReads, getHopRttMultiple: config.getHopRttMultiple })
      dht.start()
      dhts.set(ctx.node, dht)
      return { stop: () => { dht.stop(); addCounters(dht) } }
    }
  })
  const { world } = overlay
  overlay.populate(config.nodes, config.joinSpacingMs * 1000)
  const startUs = config.nodes * config.joinSpacingMs * 1000 + config.warmupS * 1e6
  const untilUs = startUs + config.durationS * 1e6
  world.run({ untilUs: startUs, progress })
  let churn: Churn | null = null
  if (config.sessionMedianS !== null) {
    churn = new Churn(world, { sessions: exponentialSessions({ medianUs: config.sessionMedianS * 1e6 }), mode: 'replace', untilUs }, (departed) => overlay.replace(departed))
    churn.start(world.upNodes())
  }
  const puts = { issued: 0, ok: 0, cap: 0, again: 0 }
  const gets = { issued: 0, found: 0, missed: 0, latencyMs: [] as number[] }
  const acked: AckedPut[] = []
  const liveDht = (): DhtNode | undefined => {
    const joined = overlay.joinedNodes()
    return joined.length === 0 ? undefined : dhts.get(joined[world.rng.int(joined.length)]!)
  }
  const encoder = new TextEncoder()
  const readBack = (dht: DhtNode, put: AckedPut, onResult: (found: boolean, latencyMs: number) => void): void => {
    const issuedUs = world.nowUs
    const found: string[] = []
    dht.gets.start({ guid: bytesToBigUint(put.key), maxValues: 100, placemark: null }, (result) => {
      for (const v of result.values) found.push(new TextDecoder().decode(v.value))
      onResult(found.includes(put.value), (world.nowUs - issuedUs) / 1000)
    })
  }
  const putTick = (): void => {
    if (world.nowUs >= untilUs) return
    world.after(exponentialGapUs(config.putsPerS), putTick)
    const dht = liveDht()
    if (dht === undefined) return
    const key = world.rng.bytes(20)
    const value = `v${puts.issued}:`.padEnd(config.valueBytes, '.')
    const nowUs = world.nowUs
    puts.issued++
    const tuple = makePut({ timeUsec: BigInt(Math.floor(dht.node.env.clock.nowMs())) * 1000n, ttlS: config.ttlS, guid: bytesToBigUint(key), value: encoder.encode(value), secretHash: null, clientIp: Uint8Array.from([10, 255, 0, 1]) })
    dht.puts.start(tuple, (status) => {
      if (status === DHT_OK) { puts.ok++; acked.push({ key, value, expiresUs: nowUs + config.ttlS * 1e6 }) }
      if (status === DHT_CAP) puts.cap++
      if (status === DHT_AGAIN) puts.again++
    })
  }
  const getTick = (): void => {
    if (world.nowUs >= untilUs) return
    world.after(exponentialGapUs(config.getsPerS), getTick)
    const dht = liveDht()
    const live = acked.filter((p) => p.expiresUs > world.nowUs + 60e6)
    if (dht === undefined || live.length === 0) return
    const put = live[world.rng.int(live.length)]!
    gets.issued++
    readBack(dht, put, (found, latencyMs) => {
      if (found) { gets.found++; gets.latencyMs.push(latencyMs) } else gets.missed++
    })
  }
  const exponentialGapUs = (perS: number): number => Math.max(1, Math.round(-Math.log(1 - world.rng.float()) / perS * 1e6))
  world.after(0, putTick)
  world.after(exponentialGapUs(config.getsPerS), getTick)
  world.run({ untilUs, progress })
  world.run({ untilUs: untilUs + 120e6, progress })
  // Final check: every acknowledged, unexpired put is read once more from a random node.
  const final = { checked: 0, found: 0 }
  for (const put of acked) {
    if (put.expiresUs <= world.nowUs + 60e6) continue
    const dht = liveDht()
    if (dht === undefined) break
    final.checked++
    readBack(dht, put, (found) => { if (found) final.found++ })
  }
  world.run({ untilUs: world.nowUs + 60e6, progress })
  const stored: number[] = []
  for (const node of overlay.joinedNodes()) {
    const dht = dhts.get(node)
    if (dht === undefined) continue
    addCounters(dht)
    stored.push(dht.store.size)
  }
  const q = (p: number): number | null => gets.latencyMs.length === 0 ? null : quantile(gets.latencyMs, p) ?? null
  return {
    summary: {
      model: model.name, nodes: config.nodes, events: world.queue.executed, simulatedS: world.nowUs / 1e6, traceHash: world.queue.traceHash,
      churn: churn?.stats ?? null,
      getMode: config.delayAwareGets || config.redundantReads > 0 || config.getHopRttMultiple > 0
        ? `delay-aware ${config.delayAwareGets}, redundant reads ${config.redundantReads}, hop deadline ${config.getHopRttMultiple > 0 ? `${config.getHopRttMultiple}× RTT` : 'fixed'}`
        : 'plain',
      puts,
      gets: { issued: gets.issued, found: gets.found, missed: gets.missed, latencyMs: { median: q(0.5), p90: q(0.9), p99: q(0.99), mean: gets.latencyMs.length === 0 ? null : gets.latencyMs.reduce((s, x) => s + x, 0) / gets.latencyMs.length } },
      finalCheck: { ...final, lost: final.checked - final.found },
      storedTuplesPerNode: { mean: stored.length === 0 ? 0 : stored.reduce((x, y) => x + y, 0) / stored.length, max: Math.max(0, ...stored) },
      dhtEvents: Object.fromEntries([...counters].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))
    },
    tables: {},
    inputs
  }
}


export function checkDhtConfig (config: DhtScenarioConfig): void {
  if (!(Number.isInteger(config.nodes) && config.nodes >= 8)) throw new RangeError(`nodes must be an integer ≥ 8 (8 replicas), got ${config.nodes}`)
  if (!(config.durationS > 0)) throw new RangeError(`duration must be > 0, got ${config.durationS}`)
  if (config.sessionMedianS !== null && !(config.sessionMedianS > 0)) throw new RangeError(`session median must be > 0, got ${config.sessionMedianS}`)
  if (!(config.putsPerS > 0) || !(config.getsPerS > 0)) throw new RangeError('put and get rates must be > 0')
  if (!(Number.isInteger(config.ttlS) && config.ttlS > 60 && config.ttlS <= 604_800)) throw new RangeError(`ttl must be 61..604800 s, got ${config.ttlS}`)
  if (!(Number.isInteger(config.valueBytes) && config.valueBytes >= 8 && config.valueBytes <= 1024)) throw new RangeError(`value size must be 8..1024 bytes, got ${config.valueBytes}`)
  if (!(config.getHopRttMultiple >= 0)) throw new RangeError(`hop RTT multiple must be ≥ 0, got ${config.getHopRttMultiple}`)
  if (!(Number.isInteger(config.redundantReads) && config.redundantReads >= 0)) throw new RangeError(`redundant reads must be ≥ 0, got ${config.redundantReads}`)
}

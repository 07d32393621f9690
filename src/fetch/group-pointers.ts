/**
 * Group pointers in the DHT (xest.md §3, §5): under `SHA-1("xest:group:" + group key)` each host
 * that caches a group stores a removable value `"<grade> <host>:<port> <x> <y> <height>"`, grade
 * `whole` (it holds every member) or `hot` (it evicted the cold ones), with its Vivaldi coordinate
 * so that readers pick the nearest holder. A host publishes, downgrades (put the new
 * grade, remove the old) and withdraws its own pointers with a per-host secret; readers look a
 * group up once and keep the answer for `cacheMs`, with concurrent lookups of one group joined.
 * Counts every DHT operation and its latency (the study's addressing overhead). Runs on the DHT's
 * callback API, so the same code serves simulated and real nodes; never throws on what it reads
 * (malformed pointers are skipped and counted).
 */
import type { Clock } from '../env/clock.ts'
import type { DhtStatus, GetRequest, GetResult, PutRequest, RmRequest } from '../dht/dht-api.ts'
import { addressKey, parseAddress, type NodeAddress } from '../ids/node-address.ts'
import { sha1 } from '../ids/sha1.ts'
import { VivaldiCoordinate } from '../overlay/vivaldi-coordinate.ts'

export type PointerGrade = 'whole' | 'hot'

export interface Pointer {
  readonly holder: NodeAddress
  readonly grade: PointerGrade
  /** The holder's Vivaldi coordinate (x, y, height in ms) when it published, for holder choice. */
  readonly coordinate: VivaldiCoordinate | null
}

/** What this layer needs from a DHT node (DhtNode has it). */
export interface CallbackDht {
  putThen (request: PutRequest, done: (status: DhtStatus) => void): void
  rmThen (request: RmRequest, done: (status: DhtStatus) => void): void
  getThen (request: GetRequest, done: (result: GetResult) => void): void
}

export interface GroupPointersConfig {
  /** TTL of a published pointer, s. @default 3600 */
  ttlS: number
  /** How long a lookup's answer is reused, ms. @default 60000 */
  cacheMs: number
}

export const DEFAULT_GROUP_POINTERS_CONFIG: GroupPointersConfig = { ttlS: 3600, cacheMs: 60_000 }

export interface AddressingStats {
  puts: number
  rms: number
  gets: number
  /** Lookups answered from the local cache or joined to one in flight. */
  cachedLookups: number
  /** Key + value bytes the operations carried (the DHT's own overhead is counted by the network). */
  payloadBytes: number
  /** Latency of every get, ms. */
  getLatencyMs: number[]
  malformed: number
}

const APP = 'xest'
const text = new TextEncoder()

export function groupPointerKey (groupKey: string): Uint8Array {
  return sha1(`xest:group:${groupKey}`)
}

export function encodePointer (pointer: Pointer): Uint8Array {
  const c = pointer.coordinate
  return text.encode(`${pointer.grade} ${addressKey(pointer.holder)}` + (c === null ? '' : ` ${c.x.toFixed(1)} ${c.y.toFixed(1)} ${c.height.toFixed(1)}`))
}

export function decodePointer (bytes: Uint8Array): Pointer | null {
  const match = /^(whole|hot) (\S+)(?: (-?[\d.]+) (-?[\d.]+) (-?[\d.]+))?$/.exec(new TextDecoder().decode(bytes))
  if (match === null) return null
  const holder = parseAddress(match[2]!)
  if (holder === null) return null
  const coordinate = match[3] === undefined ? null : VivaldiCoordinate.fromWire([Number(match[3]), Number(match[4]), Number(match[5])])
  return { grade: match[1] as PointerGrade, holder, coordinate }
}

/**
 * The holder to fetch from: for a prefetch a `whole` pointer when there is one, then the lowest
 * estimated RTT (pointers without a coordinate last); null when there are none.
 */
export function chooseHolder (pointers: readonly Pointer[], estimateRttMs: (c: VivaldiCoordinate) => number, preferWhole: boolean): Pointer | null {
  let best: Pointer | null = null
  let bestScore = Infinity
  for (const p of pointers) {
    const rtt = p.coordinate === null ? 1e9 : estimateRttMs(p.coordinate)
    const score = rtt + (preferWhole && p.grade !== 'whole' ? 1e12 : 0)
    if (score < bestScore) { best = p; bestScore = score }
  }
  return best
}

export class GroupPointers {
  readonly config: GroupPointersConfig
  readonly stats: AddressingStats = { puts: 0, rms: 0, gets: 0, cachedLookups: 0, payloadBytes: 0, getLatencyMs: [], malformed: 0 }
  readonly #published = new Map<string, PointerGrade>()
  /** The exact value each pointer was put with (its hash is what `rm` names). */
  readonly #publishedValue = new Map<string, Uint8Array>()
  readonly #cache = new Map<string, { atMs: number, pointers: Pointer[] }>()
  readonly #inFlight = new Map<string, Array<(pointers: Pointer[]) => void>>()
  readonly #secretHash: Uint8Array

  constructor (
    private readonly dht: CallbackDht,
    private readonly self: NodeAddress,
    private readonly clock: Clock,
    private readonly secret: Uint8Array,
    private readonly coordinate: () => VivaldiCoordinate | null,
    config: Partial<GroupPointersConfig> = {}
  ) {
    this.config = { ...DEFAULT_GROUP_POINTERS_CONFIG, ...config }
    this.#secretHash = sha1(secret)
  }

  /** The grade this host currently advertises for a group, if any. */
  published (groupKey: string): PointerGrade | undefined {
    return this.#published.get(groupKey)
  }

  /** Advertises (or re-grades) this host's copy of a group. */
  publish (groupKey: string, grade: PointerGrade, done: (status: DhtStatus) => void = () => {}): void {
    const previous = this.#published.get(groupKey)
    if (previous === grade) { done(0); return }
    const previousValue = this.#publishedValue.get(groupKey)
    this.#published.set(groupKey, grade)
    const key = groupPointerKey(groupKey)
    const value = encodePointer({ holder: this.self, grade, coordinate: this.coordinate() })
    this.#publishedValue.set(groupKey, value)
    this.stats.puts++
    this.stats.payloadBytes += key.length + value.length
    this.dht.putThen({ key, value, ttlS: this.config.ttlS, secretHash: this.#secretHash, application: APP, clientHost: this.self.host }, done)
    if (previousValue !== undefined) this.#remove(key, previousValue)
  }

  /** Stops advertising a group this host no longer holds. */
  withdraw (groupKey: string): void {
    const value = this.#publishedValue.get(groupKey)
    if (value === undefined) return
    this.#published.delete(groupKey)
    this.#publishedValue.delete(groupKey)
    this.#remove(groupPointerKey(groupKey), value)
  }

  #remove (key: Uint8Array, value: Uint8Array): void {
    this.stats.rms++
    this.stats.payloadBytes += key.length + 20 + this.secret.length
    this.dht.rmThen({ key, valueHash: sha1(value), secret: this.secret, ttlS: this.config.ttlS, application: APP, clientHost: this.self.host }, () => {})
  }

  /** The group's holders (from the cache when fresh); never includes this host. */
  lookup (groupKey: string, done: (pointers: Pointer[]) => void): void {
    const nowMs = this.clock.nowMs()
    const cached = this.#cache.get(groupKey)
    if (cached !== undefined && nowMs - cached.atMs < this.config.cacheMs) { this.stats.cachedLookups++; done(cached.pointers); return }
    const waiting = this.#inFlight.get(groupKey)
    if (waiting !== undefined) { this.stats.cachedLookups++; waiting.push(done); return }
    this.#inFlight.set(groupKey, [done])
    const key = groupPointerKey(groupKey)
    this.stats.gets++
    this.stats.payloadBytes += key.length
    const startedMs = nowMs
    this.dht.getThen({ key, maxValues: 100, placemark: new Uint8Array(0), application: APP, clientHost: this.self.host }, (result) => {
      this.stats.getLatencyMs.push(this.clock.nowMs() - startedMs)
      const selfKey = addressKey(this.self)
      const pointers: Pointer[] = []
      for (const v of result.values) {
        this.stats.payloadBytes += v.value.length
        const pointer = decodePointer(v.value)
        if (pointer === null) { this.stats.malformed++; continue }
        if (addressKey(pointer.holder) !== selfKey) pointers.push(pointer)
      }
      this.#cache.set(groupKey, { atMs: this.clock.nowMs(), pointers })
      const waiters = this.#inFlight.get(groupKey) ?? []
      this.#inFlight.delete(groupKey)
      for (const waiter of waiters) waiter(pointers)
    })
  }

  /** A fresh cached answer, without a DHT operation; undefined when there is none. */
  peek (groupKey: string): Pointer[] | undefined {
    const cached = this.#cache.get(groupKey)
    return cached !== undefined && this.clock.nowMs() - cached.atMs < this.config.cacheMs ? cached.pointers : undefined
  }

  /** Forgets a cached answer (a holder it named failed). */
  invalidate (groupKey: string): void {
    this.#cache.delete(groupKey)
  }
}

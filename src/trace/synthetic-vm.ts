/**
 * A synthetic virtual machine's file accesses, with the truth about them, for testing grouping:
 *  1. boot: a fixed ordered list of files, each read once, in order;
 *  2. service loop: phases, each running one working set (popular sets more often, weight
 *     1/rank); within a phase a reference is a shared library (used by every set) with
 *     `sharedProbability`, a noise file (logs, temp files; uniform) with `noiseProbability`, and
 *     otherwise a member of the phase's set, mostly the next one in the set's own order (a
 *     service loop) and sometimes a random member.
 * Keys are opaque (`/vm/objN`, N a seeded permutation) so nothing but co-access reveals a set.
 * Everything derives from `seed` through SeededRng: the same config gives the same records and
 * truth. Records stream in chunks (re-iterating regenerates them), so millions of references
 * need constant memory; 5,000,000 references over 300,000 objects take seconds. Never reads a
 * clock or Math.random.
 */
import { SeededRng, type Rng } from '../env/rng.ts'
import type { ReferenceString, TraceRecord } from './trace-record.ts'

export interface SyntheticVmConfig {
  seed: string | number
  /** Distinct files. @default 10000 */
  objects?: number
  /** Total references (boot included). @default 200000 */
  references?: number
  /** Working sets of the service loop. @default 8 */
  sets?: number
  /** Fraction of the objects read by the boot phase. @default 0.05 */
  bootFraction?: number
  /** Fraction of the objects that are shared libraries. @default 0.02 */
  sharedFraction?: number
  /** Fraction of the objects that are noise files (in no set). @default 0.1 */
  noiseFraction?: number
  /** Chance a service reference goes to a shared library. @default 0.15 */
  sharedProbability?: number
  /** Chance a service reference goes to a noise file. @default 0.05 */
  noiseProbability?: number
  /** Chance a set member is picked at random instead of the next in order. @default 0.2 */
  jumpProbability?: number
  /** Chance a set or noise reference writes. @default 0.1 */
  writeProbability?: number
  /** Mean references of one service phase. @default 2000 */
  phaseReferences?: number
}

export interface SyntheticVmTruth {
  generator: 'synthetic-vm'
  config: Required<SyntheticVmConfig>
  /** Boot files in the order the boot reads them. */
  boot: string[]
  /** Shared libraries, used by every working set. */
  shared: string[]
  sets: Array<{ name: string, process: string, keys: string[] }>
  noise: string[]
}

export interface SyntheticVm {
  truth: SyntheticVmTruth
  /** The records in chunks; each iteration regenerates the same records. */
  chunks: Iterable<TraceRecord[]>
  /** The same references as `toReferenceString(chunks)` gives, built from the ids without key lookups (fast). */
  referenceString: () => ReferenceString
}

const CHUNK_RECORDS = 8192

export function withDefaults (config: SyntheticVmConfig): Required<SyntheticVmConfig> {
  const full = {
    objects: 10000, references: 200000, sets: 8, bootFraction: 0.05, sharedFraction: 0.02, noiseFraction: 0.1,
    sharedProbability: 0.15, noiseProbability: 0.05, jumpProbability: 0.2, writeProbability: 0.1, phaseReferences: 2000,
    ...config
  }
  const whole = (name: keyof typeof full, min: number): void => {
    const value = full[name] as number
    if (!(Number.isSafeInteger(value) && value >= min)) throw new RangeError(`${name} ${value} must be a whole number ≥ ${min}`)
  }
  const fraction = (name: keyof typeof full): void => {
    const value = full[name] as number
    if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} ${value} must be in [0, 1]`)
  }
  whole('objects', 1); whole('references', 0); whole('sets', 1); whole('phaseReferences', 1)
  for (const name of ['bootFraction', 'sharedFraction', 'noiseFraction', 'sharedProbability', 'noiseProbability', 'jumpProbability', 'writeProbability'] as const) fraction(name)
  if (full.bootFraction + full.sharedFraction + full.noiseFraction > 0.9) throw new RangeError('bootFraction + sharedFraction + noiseFraction must leave at least 10% of the objects to the sets')
  if (full.objects < full.sets * 10) throw new RangeError(`${full.objects} objects are too few for ${full.sets} sets (need 10 per set)`)
  return full
}

interface Layout {
  keys: string[]
  sizesBytes: Float64Array
  boot: Int32Array
  shared: Int32Array
  noise: Int32Array
  sets: Int32Array[]
}

function layOut (config: Required<SyntheticVmConfig>, rng: Rng): Layout {
  const n = config.objects
  const names = new Int32Array(n)
  for (let i = 0; i < n; i++) names[i] = i
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.float() * (i + 1))
    const t = names[i] as number
    names[i] = names[j] as number
    names[j] = t
  }
  const keys = Array.from(names, (name) => `/vm/obj${name}`)
  const sizesBytes = new Float64Array(n)
  for (let i = 0; i < n; i++) sizesBytes[i] = 4096 * (1 + Math.floor(rng.float() * rng.float() * 64))
  const bootCount = Math.floor(n * config.bootFraction)
  const sharedCount = Math.floor(n * config.sharedFraction)
  const noiseCount = Math.floor(n * config.noiseFraction)
  let next = 0
  const take = (count: number): Int32Array => Int32Array.from({ length: count }, () => next++)
  const boot = take(bootCount)
  const shared = take(sharedCount)
  const noise = take(noiseCount)
  const rest = n - next
  const weights = Array.from({ length: config.sets }, () => 0.5 + rng.float())
  const total = weights.reduce((a, b) => a + b, 0)
  const sets: Int32Array[] = []
  for (let s = 0; s < config.sets; s++) {
    const count = s === config.sets - 1 ? n - next : Math.max(1, Math.floor(rest * (weights[s] as number) / total))
    sets.push(take(count))
  }
  return { keys, sizesBytes, boot, shared, noise, sets }
}

export function generateSyntheticVm (input: SyntheticVmConfig): SyntheticVm {
  const config = withDefaults(input)
  const layout = layOut(config, new SeededRng(`${String(config.seed)}/synthetic-vm/layout`))
  const named = (ids: Int32Array): string[] => Array.from(ids, (id) => layout.keys[id] as string)
  const truth: SyntheticVmTruth = {
    generator: 'synthetic-vm',
    config,
    boot: named(layout.boot),
    shared: named(layout.shared),
    sets: layout.sets.map((ids, s) => ({ name: `set${s}`, process: `service${s}`, keys: named(ids) })),
    noise: named(layout.noise)
  }
  return {
    truth,
    chunks: { [Symbol.iterator]: () => recordChunks(config, layout) },
    referenceString: () => referenceString(config, layout)
  }
}

/** One generated batch: object ids with their times, write flags and process indexes. */
interface IdBatch {
  length: number
  ids: Int32Array
  timesUs: Float64Array
  writes: Uint8Array
  processes: Int32Array
}

/** Process names: 0 init, 1 noise, 2 + s service s. */
function processNames (sets: number): string[] {
  return ['init', 'noise', ...Array.from({ length: sets }, (_, s) => `service${s}`)]
}

function * recordChunks (config: Required<SyntheticVmConfig>, layout: Layout): Generator<TraceRecord[]> {
  const names = processNames(config.sets)
  const { keys, sizesBytes } = layout
  for (const batch of idBatches(config, layout)) {
    const chunk: TraceRecord[] = new Array(batch.length)
    for (let i = 0; i < batch.length; i++) {
      const id = batch.ids[i] as number
      chunk[i] = {
        timeUs: batch.timesUs[i] as number,
        key: keys[id] as string,
        offsetBytes: 0,
        sizeBytes: sizesBytes[id] as number,
        op: batch.writes[i] === 1 ? 'w' : 'r',
        process: names[batch.processes[i] as number] as string
      }
    }
    yield chunk
  }
}

/** The reference string straight from the ids (no key lookups): what toReferenceString gives for the records. */
function referenceString (config: Required<SyntheticVmConfig>, layout: Layout): ReferenceString {
  const refs = new Int32Array(config.references)
  const dense = new Int32Array(config.objects).fill(-1)
  const keys: string[] = []
  const sizes: number[] = []
  let at = 0
  for (const batch of idBatches(config, layout)) {
    for (let i = 0; i < batch.length; i++) {
      const id = batch.ids[i] as number
      let denseId = dense[id] as number
      if (denseId < 0) {
        denseId = dense[id] = keys.length
        keys.push(layout.keys[id] as string)
        sizes.push(layout.sizesBytes[id] as number)
      }
      refs[at++] = denseId
    }
  }
  return { refs: refs.subarray(0, at), keys, sizesBytes: Float64Array.from(sizes) }
}

function * idBatches (config: Required<SyntheticVmConfig>, layout: Layout): Generator<IdBatch> {
  const rng = new SeededRng(`${String(config.seed)}/synthetic-vm/references`)
  let batch = newBatch()
  let timeUs = 0
  let emitted = 0
  const emit = (id: number, write: boolean, process: number): void => {
    timeUs += 20 + Math.floor(rng.float() * 400)
    const i = batch.length++
    batch.ids[i] = id
    batch.timesUs[i] = timeUs
    batch.writes[i] = write ? 1 : 0
    batch.processes[i] = process
    emitted++
  }
  for (let i = 0; i < layout.boot.length && emitted < config.references; i++) {
    if (batch.length === CHUNK_RECORDS) {
      yield batch
      batch = newBatch()
    }
    emit(layout.boot[i] as number, false, 0)
  }
  const setWeights = layout.sets.map((_, s) => 1 / (s + 1))
  const weightTotal = setWeights.reduce((a, b) => a + b, 0)
  const cursors = new Int32Array(layout.sets.length)
  while (emitted < config.references) {
    let pick = rng.float() * weightTotal
    let s = 0
    while (s < setWeights.length - 1 && (pick -= setWeights[s] as number) > 0) s++
    const members = layout.sets[s] as Int32Array
    const phaseEnd = Math.min(config.references, emitted + Math.max(1, Math.round(config.phaseReferences * (0.5 + rng.float()))))
    timeUs += Math.floor(rng.float() * 1_000_000)
    while (emitted < phaseEnd) {
      if (batch.length === CHUNK_RECORDS) {
        yield batch
        batch = newBatch()
      }
      const roll = rng.float()
      if (roll < config.sharedProbability && layout.shared.length > 0) {
        emit(layout.shared[Math.floor(rng.float() * layout.shared.length)] as number, false, 2 + s)
      } else if (roll < config.sharedProbability + config.noiseProbability && layout.noise.length > 0) {
        emit(layout.noise[Math.floor(rng.float() * layout.noise.length)] as number, rng.float() < config.writeProbability, 1)
      } else {
        const at = rng.float() < config.jumpProbability ? Math.floor(rng.float() * members.length) : ((cursors[s] as number) + 1) % members.length
        cursors[s] = at
        emit(members[at] as number, rng.float() < config.writeProbability, 2 + s)
      }
    }
  }
  if (batch.length > 0) yield batch
}

function newBatch (): IdBatch {
  return { length: 0, ids: new Int32Array(CHUNK_RECORDS), timesUs: new Float64Array(CHUNK_RECORDS), writes: new Uint8Array(CHUNK_RECORDS), processes: new Int32Array(CHUNK_RECORDS) }
}

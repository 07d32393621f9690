/**
 * The group table stored with a snapshot (design sections 4 and 5): object → groups, and for a
 * demand miss on `o` the rest of its groups ordered by `P(x | o)` so a fetcher can take the first
 * `g` members or those above `pPrefetch`. Group members are kept in a default order (most
 * listed within the group first); `P(x | o)` is kept only for pairs that share a group, so the
 * table is O(group members × group size), not O(objects²).
 *
 * Serialised as compact JSON (ids as array indices, P in units of 1e-4); `parseGroupTable`
 * validates what it loads and names the file and field at fault. Reads and writes files only in
 * `loadGroupTable` / `saveGroupTable`.
 */
import { readFile, writeFile } from 'node:fs/promises'
import type { CoAccessStats } from './co-access-stats.ts'
import type { GroupingState } from './grouping.ts'

export const GROUP_TABLE_FORMAT = 'xest-group-table'
export const GROUP_TABLE_VERSION = 1
const P_SCALE = 10_000

export interface GroupTableJson {
  format: typeof GROUP_TABLE_FORMAT
  version: typeof GROUP_TABLE_VERSION
  /** Parameters the table was made with (Infinity written as null). */
  params: Record<string, number | boolean | null>
  keys: string[]
  /** Omitted when every size is unknown (0). */
  sizesBytes?: number[]
  /** Members of each group in default order; the first homeCounts[g] are home members. */
  groups: number[][]
  homeCounts: number[]
  /** P(x | o) for x sharing a group with o: o's entries are probIds/probP[probOffsets[o] .. probOffsets[o + 1]), P descending. */
  probOffsets: number[]
  probIds: number[]
  probP: number[]
}

export interface FetchOrder { readonly ids: readonly number[], readonly probs: readonly number[] }

export class GroupTable {
  readonly keys: readonly string[]
  readonly sizesBytes: Float64Array
  readonly #groups: Int32Array[]
  readonly #fetchOrders = new Map<number, FetchOrder>()
  readonly #homeCounts: Int32Array
  readonly #groupsOf: number[][]
  readonly #probOffsets: Int32Array
  readonly #probIds: Int32Array
  readonly #probP: Float64Array
  readonly params: Record<string, number | boolean | null>
  #idOf: Map<string, number> | undefined

  private constructor (json: GroupTableJson) {
    this.keys = json.keys
    this.params = json.params
    this.sizesBytes = new Float64Array(json.keys.length)
    if (json.sizesBytes !== undefined) this.sizesBytes.set(json.sizesBytes)
    this.#groups = json.groups.map((g) => Int32Array.from(g))
    this.#homeCounts = Int32Array.from(json.homeCounts)
    this.#groupsOf = Array.from({ length: json.keys.length }, () => [])
    this.#groups.forEach((members, g) => { for (const x of members) this.#groupsOf[x]!.push(g) })
    this.#probOffsets = Int32Array.from(json.probOffsets)
    this.#probIds = Int32Array.from(json.probIds)
    this.#probP = Float64Array.from(json.probP, (p) => p / P_SCALE)
  }

  /** Builds the table from a grouping; P(x | o) from the neighbour lists, else from the statistics' counters when given. */
  static fromGrouping (state: GroupingState, keys: readonly string[], stats?: CoAccessStats): GroupTable {
    return new GroupTable(groupTableJson(state, keys, stats))
  }

  /** Validates and loads parsed JSON; `source` names the file in errors. */
  static fromJson (value: unknown, source = 'group table'): GroupTable {
    return new GroupTable(validate(value, source))
  }

  get objectCount (): number { return this.keys.length }
  get groupCount (): number { return this.#groups.length }

  groupsOf (o: number): readonly number[] { return this.#groupsOf[o] ?? [] }
  members (g: number): Int32Array { return this.#groups[g]! }
  homeCount (g: number): number { return this.#homeCounts[g]! }

  idOf (key: string): number | undefined {
    this.#idOf ??= new Map(this.keys.map((k, i) => [k, i]))
    return this.#idOf.get(key)
  }

  /** P(x | o) as stored (0 when not stored). */
  prob (o: number, x: number): number {
    for (let j = this.#probOffsets[o]!; j < this.#probOffsets[o + 1]!; j++) if (this.#probIds[j] === x) return this.#probP[j]!
    return 0
  }

  /** The members of o's groups other than o, ordered by P(x | o) descending, then by group order. */
  fetchOrder (o: number): FetchOrder {
    // The table never changes: each object's order is made once, on its first miss.
    const known = this.#fetchOrders.get(o)
    if (known !== undefined) return known
    const ids: number[] = []
    const probs: number[] = []
    const seen = new Set<number>([o])
    for (let j = this.#probOffsets[o]!; j < this.#probOffsets[o + 1]!; j++) {
      ids.push(this.#probIds[j]!); probs.push(this.#probP[j]!); seen.add(this.#probIds[j]!)
    }
    for (const g of this.groupsOf(o)) {
      for (const x of this.#groups[g]!) if (!seen.has(x)) { seen.add(x); ids.push(x); probs.push(0) }
    }
    const order = { ids, probs }
    this.#fetchOrders.set(o, order)
    return order
  }

  toJson (): GroupTableJson {
    const json: GroupTableJson = {
      format: GROUP_TABLE_FORMAT,
      version: GROUP_TABLE_VERSION,
      params: this.params,
      keys: [...this.keys],
      groups: this.#groups.map((g) => Array.from(g)),
      homeCounts: Array.from(this.#homeCounts),
      probOffsets: Array.from(this.#probOffsets),
      probIds: Array.from(this.#probIds),
      probP: Array.from(this.#probP, (p) => Math.round(p * P_SCALE))
    }
    if (this.sizesBytes.some((s) => s > 0)) json.sizesBytes = Array.from(this.sizesBytes)
    return json
  }
}

function groupTableJson (state: GroupingState, keys: readonly string[], stats?: CoAccessStats): GroupTableJson {
  const n = state.numObjects
  if (keys.length < n) throw new RangeError(`group table: ${keys.length} keys for ${n} objects`)
  const { lists, groups } = state
  const groupsOf: number[][] = Array.from({ length: n }, () => [])
  for (let g = 0; g < groups.count; g++) for (let j = groups.offsets[g]!; j < groups.offsets[g + 1]!; j++) groupsOf[groups.members[j]!]!.push(g)
  // P(x | o) for every x tracked for o: the statistics' counters when given (they hold the
  // lists' entries and more), else the neighbour lists.
  const ids = new Int32Array(stats?.capacity ?? 0)
  const counts = new Float64Array(stats?.capacity ?? 0)
  const forProbs = (o: number, visit: (x: number, p: number) => void): void => {
    if (stats !== undefined && o < stats.numObjects) {
      const total = stats.accessCount(o)
      const f = stats.successors(o, ids, counts)
      for (let j = 0; j < f; j++) if (counts[j]! > 0 && ids[j]! < n) visit(ids[j]!, counts[j]! / total)
    } else {
      for (let j = lists.offsets[o]!; j < lists.offsets[o + 1]!; j++) visit(lists.ids[j]!, lists.probs[j]!)
    }
  }
  const stamp = new Int32Array(n).fill(-1)
  const weight = new Float64Array(n)
  // Default order inside a group: by how strongly the other members point at it.
  const out: number[][] = []
  for (let g = 0; g < groups.count; g++) {
    const members = Array.from(groups.members.subarray(groups.offsets[g]!, groups.offsets[g + 1]!))
    for (const x of members) { stamp[x] = g; weight[x] = 0 }
    for (const o of members) forProbs(o, (x, p) => { if (stamp[x] === g && x !== o) weight[x]! += p })
    out.push(members.sort((p, q) => weight[q]! - weight[p]! || p - q))
  }
  stamp.fill(-1)
  const probOffsets: number[] = [0]
  const probIds: number[] = []
  const probP: number[] = []
  const entries: Array<[number, number]> = []
  for (let o = 0; o < n; o++) {
    for (const g of groupsOf[o]!) for (const x of out[g]!) stamp[x] = o
    entries.length = 0
    forProbs(o, (x, p) => { if (x !== o && stamp[x] === o) { const q = Math.round(p * P_SCALE); if (q > 0) entries.push([x, q]) } })
    entries.sort((p, q) => q[1] - p[1] || p[0] - q[0])
    for (const [x, p] of entries) { probIds.push(x); probP.push(p) }
    probOffsets.push(probIds.length)
  }
  const params: Record<string, number | boolean | null> = {}
  for (const [name, value] of Object.entries(state.params)) params[name] = value === Infinity ? null : value
  const json: GroupTableJson = {
    format: GROUP_TABLE_FORMAT,
    version: GROUP_TABLE_VERSION,
    params,
    keys: keys.slice(0, n),
    groups: out,
    homeCounts: Array.from(groups.homeCounts),
    probOffsets,
    probIds,
    probP
  }
  if (state.sizesBytes.some((s) => s > 0)) json.sizesBytes = Array.from(state.sizesBytes)
  return json
}

function validate (value: unknown, source: string): GroupTableJson {
  const fail = (what: string): never => { throw new Error(`${source}: not a group table: ${what}`) }
  if (typeof value !== 'object' || value === null) fail('not a JSON object')
  const v = value as Record<string, unknown>
  if (v.format !== GROUP_TABLE_FORMAT) fail(`format is ${JSON.stringify(v.format)}, expected "${GROUP_TABLE_FORMAT}"`)
  if (v.version !== GROUP_TABLE_VERSION) fail(`version ${JSON.stringify(v.version)} is not supported (expected ${GROUP_TABLE_VERSION})`)
  const keys = v.keys
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) fail('keys must be an array of strings')
  const n = (keys as string[]).length
  const ids = (name: string, arr: unknown, max: number): number[] => {
    if (!Array.isArray(arr)) fail(`${name} must be an array`)
    const list = arr as unknown[]
    list.forEach((x, i) => { if (!Number.isInteger(x) || (x as number) < 0 || (x as number) >= max) fail(`${name}[${i}] = ${JSON.stringify(x)} is out of range [0, ${max})`) })
    return list as number[]
  }
  if (!Array.isArray(v.groups)) fail('groups must be an array')
  const groups = (v.groups as unknown[]).map((g, i) => ids(`groups[${i}]`, g, n))
  const homeCounts = ids('homeCounts', v.homeCounts, n + 1)
  if (homeCounts.length !== groups.length) fail(`homeCounts has ${homeCounts.length} entries for ${groups.length} groups`)
  homeCounts.forEach((h, g) => { if (h > groups[g]!.length) fail(`homeCounts[${g}] exceeds the group's size`) })
  const probOffsets = ids('probOffsets', v.probOffsets, Number.MAX_SAFE_INTEGER)
  const probIds = ids('probIds', v.probIds, n)
  const probP = ids('probP', v.probP, P_SCALE + 1)
  if (probOffsets.length !== n + 1) fail(`probOffsets has ${probOffsets.length} entries, expected ${n + 1}`)
  if (probP.length !== probIds.length || probOffsets[n] !== probIds.length) fail('probIds, probP and probOffsets disagree')
  for (let o = 0; o < n; o++) if (probOffsets[o]! > probOffsets[o + 1]!) fail(`probOffsets decreases at ${o}`)
  if (v.sizesBytes !== undefined) {
    if (!Array.isArray(v.sizesBytes) || v.sizesBytes.length !== n || !v.sizesBytes.every((s) => typeof s === 'number' && s >= 0)) fail('sizesBytes must hold one non-negative number per key')
  }
  if (typeof v.params !== 'object' || v.params === null) fail('params must be an object')
  return v as unknown as GroupTableJson
}

export async function saveGroupTable (table: GroupTable, path: string): Promise<void> {
  await writeFile(path, JSON.stringify(table.toJson()) + '\n')
}

export async function loadGroupTable (path: string): Promise<GroupTable> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new Error(`cannot read group table ${path}`, { cause: error })
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new Error(`${path}: not a group table: invalid JSON`, { cause: error })
  }
  return GroupTable.fromJson(value, path)
}

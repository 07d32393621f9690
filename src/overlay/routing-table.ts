/**
 * Bamboo's prefix routing table (`router/RoutingTable.java`): one cell per (level, digit), where a
 * node belongs in the cell given by the number of leading digits it shares with us (the level) and
 * its own digit at that level. Each cell holds at most one neighbour with its measured RTT; with
 * proximity neighbour selection (PNS) a newcomer replaces the occupant only if clearly closer.
 *
 * Pure data structure: no I/O, environment or timers; it never measures RTTs or checks liveness.
 * Storage is a Map of the non-empty cells keyed by level × base + digit (Bamboo's own column, which
 * Java fills with self, is simply absent), so a base-256 table costs nothing for its empty cells —
 * this matters for 100,000-node simulations. Lookups are O(1) apart from computing the shared prefix.
 */
import { digitAt, digitsPerId, sharedPrefixLength, type DigitBase } from '../ids/digits.ts'
import type { NeighborInfo } from '../wire/fields.ts'

export interface RoutingEntry {
  readonly neighbor: NeighborInfo
  /** Last measured round-trip time to the neighbour, milliseconds. */
  readonly rttMs: number
}

export class RoutingTable {
  readonly self: NeighborInfo
  readonly base: DigitBase
  /** Number of rows: digits per id (160, 80, 40 or 20). */
  readonly levels: number
  /**
   * PNS factor (Bamboo's `rt_scale`): an occupant is replaced only when the newcomer's RTT is
   * strictly below `replaceRatio` × the occupant's RTT. 0 never replaces (Bamboo's `ignore_proximity`).
   */
  readonly replaceRatio: number
  private readonly cells = new Map<number, RoutingEntry>()
  /** Entries per level; sized `levels` (at most 320 bytes). */
  private readonly perLevel: Uint16Array
  private highest = -1

  constructor (self: NeighborInfo, base: DigitBase, replaceRatio = 0.9) {
    if (!(replaceRatio >= 0) || !Number.isFinite(replaceRatio)) throw new RangeError(`replaceRatio must be a finite number ≥ 0, not ${replaceRatio}`)
    this.self = self
    this.base = base
    this.levels = digitsPerId(base)
    this.replaceRatio = replaceRatio
    this.perLevel = new Uint16Array(this.levels)
  }

  /**
   * The cell a node belongs in: `level` = number of leading digits it shares with self, `digit` =
   * its digit at that level. Null for self's own guid.
   */
  cellOf (guid: bigint): { level: number, digit: number } | null {
    const level = sharedPrefixLength(this.self.guid, guid, this.base)
    if (level >= this.levels) return null
    return { level, digit: digitAt(guid, level, this.base) }
  }

  /** The occupant of a cell; undefined for a hole or self's own column. */
  entry (level: number, digit: number): RoutingEntry | undefined {
    if (!Number.isInteger(level) || level < 0 || level >= this.levels) return undefined
    if (!Number.isInteger(digit) || digit < 0 || digit >= this.base) return undefined
    return this.cells.get(level * this.base + digit)
  }

  /** Would `add` fill an empty cell? (Bamboo's `fills_hole`; false for self.) */
  fillsHole (guid: bigint): boolean {
    const key = this.keyOf(guid)
    return key >= 0 && !this.cells.has(key)
  }

  /**
   * Bamboo's `add` with a measured RTT (ms): fills a hole (`added`), refreshes the RTT when the cell
   * already holds this node (`added: false`), or — PNS — replaces the occupant when
   * `rttMs < replaceRatio × occupant RTT` (`added: true`, `replaced` = the old occupant). Otherwise,
   * and for self, nothing changes.
   */
  add (neighbor: NeighborInfo, rttMs: number): { added: boolean, replaced: NeighborInfo | null } {
    if (Number.isNaN(rttMs) || rttMs < 0) throw new RangeError(`rttMs must be ≥ 0, not ${rttMs}`)
    const key = this.keyOf(neighbor.guid)
    if (key < 0) return { added: false, replaced: null }
    const old = this.cells.get(key)
    if (old === undefined) {
      this.cells.set(key, { neighbor, rttMs })
      const level = Math.floor(key / this.base)
      this.perLevel[level]!++
      if (level > this.highest) this.highest = level
      return { added: true, replaced: null }
    }
    if (old.neighbor.guid === neighbor.guid) {
      this.cells.set(key, { neighbor, rttMs })
      return { added: false, replaced: null }
    }
    if (rttMs < this.replaceRatio * old.rttMs) {
      this.cells.set(key, { neighbor, rttMs })
      return { added: true, replaced: old.neighbor }
    }
    return { added: false, replaced: null }
  }

  /** Removes the node if it occupies its cell; true if it did. */
  remove (guid: bigint): boolean {
    const key = this.keyOf(guid)
    if (key < 0) return false
    const old = this.cells.get(key)
    if (old === undefined || old.neighbor.guid !== guid) return false
    this.cells.delete(key)
    const level = Math.floor(key / this.base)
    this.perLevel[level]!--
    if (level === this.highest) {
      let h = level
      while (h >= 0 && this.perLevel[h] === 0) h--
      this.highest = h
    }
    return true
  }

  has (guid: bigint): boolean {
    const key = this.keyOf(guid)
    return key >= 0 && this.cells.get(key)?.neighbor.guid === guid
  }

  /** The entries of one level (row), in digit order; self's own column is never included. */
  row (level: number): RoutingEntry[] {
    const out: RoutingEntry[] = []
    if (!Number.isInteger(level) || level < 0 || level >= this.levels || this.perLevel[level] === 0) return out
    const start = level * this.base
    for (let d = 0; d < this.base; d++) {
      const e = this.cells.get(start + d)
      if (e !== undefined) out.push(e)
    }
    return out
  }

  /** Highest level holding any entry, −1 when empty (Bamboo's H for the tuning-level weights). */
  highestLevel (): number {
    return this.highest
  }

  /**
   * Bamboo's `next_hop`: the occupant of the cell at `key`'s first digit differing from self (it
   * shares a longer prefix with `key` than self does). Undefined for a hole, when `skip(occupant)`
   * says so, or when `key` is self's own guid (Bamboo returns self there).
   */
  nextHop (key: bigint, skip?: (neighbor: NeighborInfo) => boolean): NeighborInfo | undefined {
    const cell = this.keyOf(key)
    if (cell < 0) return undefined
    const e = this.cells.get(cell)
    if (e === undefined || (skip !== undefined && skip(e.neighbor))) return undefined
    return e.neighbor
  }

  /** Every neighbour, by level then digit. */
  neighbors (): NeighborInfo[] {
    const keys = [...this.cells.keys()].sort((a, b) => a - b)
    return keys.map((k) => this.cells.get(k)!.neighbor)
  }

  /** Number of occupied cells. */
  get size (): number {
    return this.cells.size
  }

  /** level × base + digit of the cell `guid` belongs in, or −1 for self. */
  private keyOf (guid: bigint): number {
    const level = sharedPrefixLength(this.self.guid, guid, this.base)
    if (level >= this.levels) return -1
    return level * this.base + digitAt(guid, level, this.base)
  }
}

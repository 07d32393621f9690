/**
 * A 2.5-D Vivaldi network coordinate as OpenDHT runs Bamboo (`vc_type 2.5d`, class
 * `bamboo.vivaldi.SpecialVC`): a point on a 2-D "core network" plane plus a height, the access
 * link's latency from the node down to that plane. All values are one-way latencies in ms
 * (Bamboo feeds its coordinates RTT/2), so a distance estimates one-way latency.
 *
 * Wire layout (the same 3 IEEE doubles in SpecialVC, in LocateNodeMsg/LocateNodeResp/PingVCResp,
 * and as a plain `VirtualCoordinate` in the router's CoordReq/CoordResp):
 *   values[0] = x       plane position, ms
 *   values[1] = y       plane position, ms
 *   values[2] = height  access latency to the plane, ms (SpecialVC treats the LAST value as height:
 *                       its plane loop runs over indices 0..length-2 and its height term is |values[2]|)
 *
 * Distance (SpecialVC.distance): ‖(x,y) − (x',y')‖₂ + |h| + |h'|. Heights are taken in absolute
 * value as Bamboo does, so a peer announcing a negative height is still measured sensibly.
 *
 * Pure value type: immutable, no I/O, no randomness. Never clamps or rewrites values it is given
 * (the update rule in vivaldi.ts enforces Bamboo's 0.5 ms minimum height on our own coordinate).
 */

/** The number of doubles in a 2.5-D coordinate on the wire (SpecialVC and the router's CoordReq). */
export const VIVALDI_WIRE_VALUES = 3

export class VivaldiCoordinate {
  /** The origin with zero height: where Bamboo starts every node (SpecialVC's constructor). */
  static readonly ORIGIN = new VivaldiCoordinate(0, 0, 0)

  /** Plane position, ms (one-way). */
  readonly x: number
  /** Plane position, ms (one-way). */
  readonly y: number
  /** Height above the plane (access latency), ms (one-way). Our own is ≥ 0.5 after a sample. */
  readonly height: number

  /** @throws RangeError if any value is not finite. */
  constructor (x: number, y: number, height: number) {
    if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(height)) {
      throw new RangeError(`VivaldiCoordinate(${x}, ${y}, ${height}): values must be finite`)
    }
    this.x = x
    this.y = y
    this.height = height
    Object.freeze(this)
  }

  /**
   * Parses the wire values `[x, y, height]` (ms). Returns null unless there are exactly 3 values
   * and all are finite; magnitudes are not bounded here (VivaldiState rejects absurd ones).
   */
  static fromWire (values: readonly number[]): VivaldiCoordinate | null {
    if (values.length !== VIVALDI_WIRE_VALUES) return null
    const [x, y, height] = values
    if (x === undefined || y === undefined || height === undefined) return null
    if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(height)) return null
    return new VivaldiCoordinate(x, y, height)
  }

  /** The wire values `[x, y, height]`, ms: what SpecialVC and CoordReq/CoordResp serialize. */
  toWire (): number[] {
    return [this.x, this.y, this.height]
  }

  /** Euclidean distance between the two points' projections on the plane, ms. */
  planeDistanceMs (other: VivaldiCoordinate): number {
    // Same operation order as SpecialVC.withinPlaneDistance: sqrt(0 + dx² + dy²).
    const dx = this.x - other.x
    const dy = this.y - other.y
    return Math.sqrt(dx * dx + dy * dy)
  }

  /**
   * Estimated one-way latency to `other`, ms: plane distance + |height| + |other.height|
   * (SpecialVC.distance). Symmetric. Double it for an RTT estimate.
   */
  distanceMs (other: VivaldiCoordinate): number {
    return this.planeDistanceMs(other) + (Math.abs(this.height) + Math.abs(other.height))
  }

  /**
   * Plain 3-D Euclidean distance over the same three values, ms. Not the 2.5-D estimate: this is
   * what Bamboo computes when the receiving object is a plain `VirtualCoordinate`, which happens
   * where a coordinate is deserialized without its type code (e.g. the `vc` of an IterGetReq).
   * Provided only to reproduce that behaviour; use distanceMs for latency estimates.
   */
  euclideanDistanceMs (other: VivaldiCoordinate): number {
    const dx = this.x - other.x
    const dy = this.y - other.y
    const dh = this.height - other.height
    return Math.sqrt(dx * dx + dy * dy + dh * dh)
  }

  /** True if every value is identical (`===`, as Java's `!=` on doubles; so 0 equals -0). */
  equals (other: VivaldiCoordinate): boolean {
    return this.x === other.x && this.y === other.y && this.height === other.height
  }

  /** `(x,y,height)`, the shape Bamboo logs as VC_VALUE. */
  toString (): string {
    return `(${this.x},${this.y},${this.height})`
  }
}

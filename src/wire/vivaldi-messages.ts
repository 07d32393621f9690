/**
 * Bamboo's Vivaldi messages (package `bamboo.vivaldi`) and the objects nested in them. As the
 * captures show, LocateNodeMsg and LocateNodeResp carry their NodeId and coordinate as nested
 * objects with type codes (`ostore.util.NodeId` aba46836be3aac1f, `SpecialVC` 3bb29575e1e2f640).
 * Coordinates: VirtualCoordinate 3 doubles, SpecialVC (2.5-D: plane + height) 3, FiveDVC 5.
 */
import type { NodeAddress } from '../ids/node-address.ts'
import { readNodeAddress, writeNodeAddress } from './fields.ts'
import type { WireReader } from './reader.ts'
import { decodeObject, encodeObject, registerWireType } from './registry.ts'

export type CoordinateKind = 'VirtualCoordinate' | 'SpecialVC' | 'FiveDVC'

export interface Coordinate {
  readonly type: CoordinateKind
  readonly values: readonly number[]
}

export interface NodeIdObject { readonly type: 'NodeId', readonly address: NodeAddress }

export interface LocateNodeMsg {
  readonly type: 'LocateNodeMsg'
  readonly version: number
  readonly requestor: NodeIdObject
  readonly coordinate: Coordinate
}
export interface LocateNodeResp {
  readonly type: 'LocateNodeResp'
  readonly coordinate: Coordinate
  readonly locatedId: NodeIdObject
}
export interface PingVCResp { readonly type: 'PingVCResp', readonly version: number, readonly coordinate: Coordinate }
export interface PingNodeMsg { readonly type: 'PingNodeMsg', readonly coordinate: Coordinate }

export type VivaldiMessage = Coordinate | NodeIdObject | LocateNodeMsg | LocateNodeResp | PingVCResp | PingNodeMsg

export const COORDINATE_DIMENSIONS: Record<CoordinateKind, number> = { VirtualCoordinate: 3, SpecialVC: 3, FiveDVC: 5 }
const COORDINATE_KINDS = Object.keys(COORDINATE_DIMENSIONS)

for (const kind of ['VirtualCoordinate', 'SpecialVC', 'FiveDVC'] as const) {
  const dimensions = COORDINATE_DIMENSIONS[kind]
  registerWireType<Coordinate>({
    type: kind, className: `bamboo.vivaldi.${kind}`,
    encode (w, m) {
      if (m.values.length !== dimensions) throw new Error(`${kind} needs ${dimensions} values`)
      for (const v of m.values) w.f64(v)
    },
    decode (r) {
      const values: number[] = []
      for (let i = 0; i < dimensions; i++) values.push(r.f64(`${kind} value`))
      return { type: kind, values }
    }
  })
}

registerWireType<NodeIdObject>({
  type: 'NodeId', className: 'ostore.util.NodeId',
  encode (w, m) { writeNodeAddress(w, m.address) },
  decode: (r) => ({ type: 'NodeId', address: readNodeAddress(r) })
})

function decodeCoordinate (r: WireReader): Coordinate {
  return decodeObject<Coordinate>(r, COORDINATE_KINDS)
}

registerWireType<LocateNodeMsg>({
  type: 'LocateNodeMsg', className: 'bamboo.vivaldi.LocateNodeMsg',
  encode (w, m) {
    w.i32(m.version)
    encodeObject(w, m.requestor)
    encodeObject(w, m.coordinate)
  },
  decode (r) {
    const version = r.i32('version')
    const requestor = decodeObject<NodeIdObject>(r, ['NodeId'])
    return { type: 'LocateNodeMsg', version, requestor, coordinate: decodeCoordinate(r) }
  }
})

registerWireType<LocateNodeResp>({
  type: 'LocateNodeResp', className: 'bamboo.vivaldi.LocateNodeResp',
  encode (w, m) {
    encodeObject(w, m.coordinate)
    encodeObject(w, m.locatedId)
  },
  decode (r) {
    const coordinate = decodeCoordinate(r)
    return { type: 'LocateNodeResp', coordinate, locatedId: decodeObject<NodeIdObject>(r, ['NodeId']) }
  }
})

registerWireType<PingVCResp>({
  type: 'PingVCResp', className: 'bamboo.vivaldi.PingVCResp',
  encode (w, m) {
    w.i32(m.version)
    encodeObject(w, m.coordinate)
  },
  decode (r) {
    const version = r.i32('version')
    return { type: 'PingVCResp', version, coordinate: decodeCoordinate(r) }
  }
})

registerWireType<PingNodeMsg>({
  type: 'PingNodeMsg', className: 'bamboo.vivaldi.PingNodeMsg',
  encode (w, m) { encodeObject(w, m.coordinate) },
  decode: (r) => ({ type: 'PingNodeMsg', coordinate: decodeCoordinate(r) })
})



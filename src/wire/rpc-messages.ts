/**
 * Bamboo's request/response envelope `bamboo.lss.Rpc$Msg {bool req; long xact_id; object payload}`,
 * used for the router's Vivaldi coordinate exchange (CoordReq/CoordResp) and the DHT's gets.
 */
import { decodeObject, encodeObject, registerWireType } from './registry.ts'
import type { WireMessage } from './wire-message.ts'

export interface RpcMsg {
  readonly type: 'Rpc$Msg'
  readonly req: boolean
  readonly xactId: bigint
  readonly payload: WireMessage
}

registerWireType<RpcMsg>({
  type: 'Rpc$Msg', className: 'bamboo.lss.Rpc$Msg',
  encode (w, m) {
    w.bool(m.req)
    w.i64(m.xactId)
    encodeObject(w, m.payload)
  },
  decode (r) {
    const req = r.bool('req')
    const xactId = r.i64('xact_id')
    return { type: 'Rpc$Msg', req, xactId, payload: decodeObject<WireMessage>(r) }
  }
})

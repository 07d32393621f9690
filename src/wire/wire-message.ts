/**
 * The union of every message type the codec knows, for typed nested payloads (RouteMsg,
 * Rpc$Msg). Layers that add wire types (the DHT) add their unions here.
 */
import type { DhtMessage } from './dht-messages.ts'
import type { DmgrMessage } from './dmgr-messages.ts'
import type { RouterMessage } from './router-messages.ts'
import type { RpcMsg } from './rpc-messages.ts'
import type { VivaldiMessage } from './vivaldi-messages.ts'
import type { XestMessage } from './xest-messages.ts'

export type WireMessage = RouterMessage | RpcMsg | VivaldiMessage | DhtMessage | DmgrMessage | XestMessage

/**
 * The DHT's client contract, as OpenDHT's gateway offers it (bamboo.md §11–12): put, put with a
 * secret hash (removable), get with a placemark (paging), rm with the secret. The XML-RPC
 * gateway (`src/gateway/`) speaks it to clients; the DHT node implements it. Types only.
 */

/** Bamboo's `bamboo_stat`: 0 OK, 1 CAP (over capacity or too few replicas), 2 AGAIN (try later). */
export type DhtStatus = 0 | 1 | 2
export const DHT_OK: DhtStatus = 0
export const DHT_CAP: DhtStatus = 1
export const DHT_AGAIN: DhtStatus = 2

/** Longest TTL a put may ask for; longer TTLs are silently capped (Bamboo's `MAX_TTL_SEC`). */
export const MAX_TTL_S = 604_800
export const MAX_KEY_BYTES = 20
export const MAX_VALUE_BYTES = 1024
export const MAX_SECRET_BYTES = 40
export const MAX_HASH_BYTES = 20
/** Largest placemark a client may send back (a Key with a secret hash, serialized). */
export const MAX_PLACEMARK_BYTES = 77

export interface PutRequest {
  /** ≤ 20 bytes, read as a big-endian integer left-padded to 160 bits. */
  readonly key: Uint8Array
  /** ≤ 1024 bytes. */
  readonly value: Uint8Array
  readonly ttlS: number
  /** SHA-1 of the secret for a removable put, else null. */
  readonly secretHash: Uint8Array | null
  readonly application: string
  /** The client's IPv4 address, dotted, for per-client accounting. */
  readonly clientHost: string
}

export interface GetRequest {
  readonly key: Uint8Array
  readonly maxValues: number
  /** Empty on the first call; then what the previous answer returned. */
  readonly placemark: Uint8Array
  readonly application: string
  readonly clientHost: string
}

export interface RmRequest {
  readonly key: Uint8Array
  /** SHA-1 of the value to remove. */
  readonly valueHash: Uint8Array
  /** The secret whose SHA-1 the put carried (≤ 40 bytes). */
  readonly secret: Uint8Array
  /** ≥ the put's remaining TTL, so the tombstone outlives it. */
  readonly ttlS: number
  readonly application: string
  readonly clientHost: string
}

export interface GetValue {
  readonly value: Uint8Array
  readonly ttlRemainingS: number
  /** "SHA" when the value was put with a secret hash, else "". */
  readonly secretHashAlgorithm: 'SHA' | ''
  /** The secret hash, or empty. */
  readonly secretHash: Uint8Array
}

export interface GetResult {
  readonly values: readonly GetValue[]
  /** Empty when there is nothing more. */
  readonly placemark: Uint8Array
}

/** What a node shows on its gateway's status page. */
export interface NodeStatus {
  readonly address: string
  readonly guidHex: string
  /** Leaf-set members with their measured RTT, when the node has one. */
  readonly leafSet: ReadonlyArray<{ readonly address: string, readonly guidHex: string, readonly side: 'pred' | 'succ', readonly latencyMs?: number }>
  readonly routingTable: ReadonlyArray<{ readonly level: number, readonly digit: number, readonly address: string, readonly latencyMs: number, readonly guidHex?: string }>
  readonly storedTuples: number
  readonly storedBytes: number
}

export interface DhtClientApi {
  put (request: PutRequest): Promise<DhtStatus>
  get (request: GetRequest): Promise<GetResult>
  rm (request: RmRequest): Promise<DhtStatus>
  status (): NodeStatus
}

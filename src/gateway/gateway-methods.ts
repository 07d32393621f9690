/**
 * The six OpenDHT gateway methods, dispatched as Bamboo's `WebInterface` did: the handler is
 * found by the exact method name, then a Java method whose parameter types equal the call's
 * (`base64`→`byte[]`, `int`, `string`, …, plus the user agent, client address and callback
 * Bamboo appended), so a wrong count or type is a `NoSuchMethodException` fault naming Bamboo's
 * classes. Validation runs in Bamboo's order with its texts (`Gateway.java`, XML RPC handlers):
 * key ≤ 20 bytes, value ≤ 1024, hash algorithm "SHA", secret hash ≤ 20, value hash ≤ 20,
 * secret ≤ 40, placemark ≤ 77; an empty key, or a placemark of 1–76 bytes, made the Java handler
 * throw, which Bamboo reported as "java.lang.reflect.InvocationTargetException". TTLs above
 * `MAX_TTL_S` are capped silently; nothing else is changed on the way to the DHT.
 *
 * Talks to the DHT only through the injected `DhtClientApi`; never throws (a rejected API
 * promise becomes a fault flagged `apiError`).
 */
import {
  MAX_HASH_BYTES, MAX_KEY_BYTES, MAX_PLACEMARK_BYTES, MAX_SECRET_BYTES, MAX_TTL_S, MAX_VALUE_BYTES,
  type DhtClientApi, type GetResult
} from '../dht/dht-api.ts'
import type { XmlRpcResult } from './xmlrpc-format.ts'
import type { XmlRpcCall, XmlRpcValue } from './xmlrpc-parse.ts'

export interface GatewayCallContext {
  /** "XML: " + the request's User-Agent, or "XML: unknown" (Bamboo's client-library string). */
  readonly userAgent: string
  /** The client's address as Java printed it (dotted IPv4). */
  readonly clientHost: string
  readonly clientPort: number
}

export type GatewayReply =
  | { readonly kind: 'result', readonly result: XmlRpcResult }
  | { readonly kind: 'fault', readonly faultString: string, readonly apiError?: true }

type ParamType = XmlRpcValue['kind']

export interface GatewayMethodSpec {
  /** The Java class Bamboo registered under this name. */
  readonly javaClass: string
  readonly params: readonly ParamType[]
  readonly run: (api: DhtClientApi, args: Args, context: GatewayCallContext) => GatewayReply | Promise<GatewayReply>
}

export const FAULT_KEY_TOO_LONG = 'java.lang.Exception: key is longer than 20 bytes'
export const FAULT_VALUE_TOO_LONG = 'java.lang.Exception: value is longer than 1024 bytes'
export const FAULT_SECRET_HASH_TOO_LONG = 'java.lang.Exception: secret hash is longer than 20 bytes'
export const FAULT_VALUE_HASH_TOO_LONG = 'java.lang.Exception: value_hash is longer than 20 bytes'
export const FAULT_SECRET_TOO_LONG = 'java.lang.Exception: secret is longer than 40 bytes'
export const FAULT_PLACEMARK_TOO_LONG = 'java.lang.Exception: placemark is longer than 77 bytes'
/** An exception thrown inside the Java handler (empty key, placemark shorter than a Key). */
export const FAULT_HANDLER_THREW = 'java.lang.reflect.InvocationTargetException'
/** Not Bamboo's: our DHT API rejected (Bamboo's DHT always answered). */
export const FAULT_API_ERROR = 'java.lang.Exception: DHT request failed'

export function faultUnknownAlgorithm (algorithm: string): string {
  return `java.lang.Exception: unknown secret hash algorithm: "${algorithm}"`
}

export function faultNoSuchHandler (methodName: string): string {
  return `java.lang.Exception: no such handler: ${methodName}`
}

const JAVA_TYPE_NAMES: Readonly<Record<ParamType, string>> = {
  string: 'java.lang.String',
  int: 'int',
  boolean: 'boolean',
  double: 'double',
  dateTime: 'java.util.Date',
  base64: '[B',
  array: 'java.util.Vector',
  struct: 'java.util.Hashtable'
}
/** The arguments Bamboo appended to every call before the reflective lookup. */
const APPENDED_JAVA_TYPES = ['java.lang.String', 'java.net.InetSocketAddress', 'bamboo.util.Curry$Thunk1']
/** Java 5–8 `Class.getMethod` joins types with ", " (Java 11+ prints ","); Bamboo ran on Java 5. */
const JAVA_TYPE_SEPARATOR = ', '

/** The `NoSuchMethodException` text Bamboo sent for a call whose parameter types did not fit. */
export function faultNoSuchMethod (javaClass: string, methodName: string, params: readonly XmlRpcValue[]): string {
  const types = [...params.map((param) => JAVA_TYPE_NAMES[param.kind]), ...APPENDED_JAVA_TYPES]
  return `java.lang.NoSuchMethodException: ${javaClass}.${methodName}(${types.join(JAVA_TYPE_SEPARATOR)})`
}

class Args {
  constructor (private readonly params: readonly XmlRpcValue[]) {}

  bytes (index: number): Uint8Array {
    const param = this.params[index]
    return param?.kind === 'base64' ? param.value : new Uint8Array(0)
  }

  int (index: number): number {
    const param = this.params[index]
    return param?.kind === 'int' ? param.value : 0
  }

  string (index: number): string {
    const param = this.params[index]
    return param?.kind === 'string' ? param.value : ''
  }
}

function fault (faultString: string): GatewayReply {
  return { kind: 'fault', faultString }
}

function intResult (value: number): GatewayReply {
  return { kind: 'result', result: { kind: 'int', value } }
}

function capTtlS (ttlS: number): number {
  return ttlS > MAX_TTL_S ? MAX_TTL_S : ttlS
}

async function callApi (invoke: () => Promise<GatewayReply>): Promise<GatewayReply> {
  try {
    return await invoke()
  } catch {
    return { kind: 'fault', faultString: FAULT_API_ERROR, apiError: true }
  }
}

function put (api: DhtClientApi, args: Args, context: GatewayCallContext, removable: boolean): GatewayReply | Promise<GatewayReply> {
  const key = args.bytes(0)
  const value = args.bytes(1)
  if (key.length > MAX_KEY_BYTES) return fault(FAULT_KEY_TOO_LONG)
  if (value.length > MAX_VALUE_BYTES) return fault(FAULT_VALUE_TOO_LONG)
  let secretHash: Uint8Array | null = null
  if (removable) {
    const algorithm = args.string(2)
    if (algorithm !== 'SHA') return fault(faultUnknownAlgorithm(algorithm))
    secretHash = args.bytes(3)
    if (secretHash.length > MAX_HASH_BYTES) return fault(FAULT_SECRET_HASH_TOO_LONG)
  }
  if (key.length === 0) return fault(FAULT_HANDLER_THREW)
  const ttlS = capTtlS(args.int(removable ? 4 : 2))
  const application = args.string(removable ? 5 : 3)
  return callApi(async () => intResult(await api.put({
    key, value, ttlS, secretHash, application, clientHost: context.clientHost
  })))
}

function rm (api: DhtClientApi, args: Args, context: GatewayCallContext): GatewayReply | Promise<GatewayReply> {
  const key = args.bytes(0)
  const valueHash = args.bytes(1)
  const algorithm = args.string(2)
  const secret = args.bytes(3)
  if (key.length > MAX_KEY_BYTES) return fault(FAULT_KEY_TOO_LONG)
  if (valueHash.length > MAX_HASH_BYTES) return fault(FAULT_VALUE_HASH_TOO_LONG)
  if (algorithm !== 'SHA') return fault(faultUnknownAlgorithm(algorithm))
  if (secret.length > MAX_SECRET_BYTES) return fault(FAULT_SECRET_TOO_LONG)
  if (key.length === 0) return fault(FAULT_HANDLER_THREW)
  const ttlS = capTtlS(args.int(4))
  return callApi(async () => intResult(await api.rm({
    key, valueHash, secret, ttlS, application: args.string(5), clientHost: context.clientHost
  })))
}

/** Bamboo's `[[values…], placemark]`, or with details `[[[value, ttl, alg, hash]…], placemark]`. */
export function getResultToXmlRpc (result: GetResult, details: boolean): XmlRpcResult {
  const values: XmlRpcResult[] = result.values.map((item) => details
    ? {
        kind: 'array',
        value: [
          { kind: 'base64', value: item.value },
          { kind: 'int', value: item.ttlRemainingS },
          { kind: 'string', value: item.secretHashAlgorithm },
          { kind: 'base64', value: item.secretHash }
        ]
      }
    : { kind: 'base64', value: item.value })
  return { kind: 'array', value: [{ kind: 'array', value: values }, { kind: 'base64', value: result.placemark }] }
}

function get (api: DhtClientApi, args: Args, context: GatewayCallContext, details: boolean): GatewayReply | Promise<GatewayReply> {
  const key = args.bytes(0)
  const placemark = args.bytes(2)
  if (key.length > MAX_KEY_BYTES) return fault(FAULT_KEY_TOO_LONG)
  if (placemark.length > MAX_PLACEMARK_BYTES) return fault(FAULT_PLACEMARK_TOO_LONG)
  if (key.length === 0) return fault(FAULT_HANDLER_THREW)
  if (placemark.length > 0 && placemark.length < MAX_PLACEMARK_BYTES) return fault(FAULT_HANDLER_THREW)
  return callApi(async () => {
    const result = await api.get({
      key, maxValues: args.int(1), placemark, application: args.string(3), clientHost: context.clientHost
    })
    return { kind: 'result', result: getResultToXmlRpc(result, details) }
  })
}

const BYTES_BYTES_INT_STRING: readonly ParamType[] = ['base64', 'base64', 'int', 'string']
const REMOVABLE: readonly ParamType[] = ['base64', 'base64', 'string', 'base64', 'int', 'string']
const GET: readonly ParamType[] = ['base64', 'int', 'base64', 'string']

/** Bamboo's handler table: `Gateway.init` and the `WebInterface` constructor. */
export const GATEWAY_METHODS: ReadonlyMap<string, GatewayMethodSpec> = new Map<string, GatewayMethodSpec>([
  ['put', { javaClass: 'bamboo.dht.Gateway$XmlRpcPutHandler', params: BYTES_BYTES_INT_STRING, run: (api, args, context) => put(api, args, context, false) }],
  ['get', { javaClass: 'bamboo.dht.Gateway$XmlRpcGetHandler', params: GET, run: (api, args, context) => get(api, args, context, false) }],
  ['put_removable', { javaClass: 'bamboo.dht.Gateway$XmlRpcPutRemovableHandler', params: REMOVABLE, run: (api, args, context) => put(api, args, context, true) }],
  ['get_details', { javaClass: 'bamboo.dht.Gateway$XmlRpcGetHandler', params: GET, run: (api, args, context) => get(api, args, context, true) }],
  ['rm', { javaClass: 'bamboo.dht.Gateway$XmlRpcRmHandler', params: REMOVABLE, run: rm }],
  ['ping', {
    javaClass: 'bamboo.www.WebInterface$PingHandler',
    params: [],
    run: (_api, _args, context) => ({ kind: 'result', result: { kind: 'string', value: `${context.clientHost}:${context.clientPort}, ${context.userAgent}` } })
  }]
])

/** Answers one parsed call: a result or a fault, exactly as Bamboo's gateway would. */
export async function dispatchGatewayCall (api: DhtClientApi, call: XmlRpcCall, context: GatewayCallContext): Promise<GatewayReply> {
  const spec = GATEWAY_METHODS.get(call.methodName)
  if (spec === undefined) return fault(faultNoSuchHandler(call.methodName))
  const fits = call.params.length === spec.params.length && call.params.every((param, i) => param.kind === spec.params[i])
  if (!fits) return fault(faultNoSuchMethod(spec.javaClass, call.methodName, call.params))
  return await spec.run(api, new Args(call.params), context)
}

/**
 * OpenDHT's XML-RPC client gateway (Bamboo's `WebInterface`, on the node's UDP port + 1): one
 * HTTP/1.0 request per TCP connection. A POST carries an XML-RPC call, answered with Bamboo's
 * exact bytes (`xmlrpc-format.ts`) after the DHT answers; a GET gets the HTML status page; then
 * the connection closes. As in Bamboo, a request it cannot read (no or bad Content-Length, XML
 * it cannot parse, an unknown HTTP method) is dropped by closing the connection without an
 * answer, unless `httpErrorResponses` asks for a 4xx/5xx status line instead.
 *
 * Each connection has a deadline from accept (`connectionTimeoutMs`, Bamboo's 60 s), re-armed
 * while its DHT call is outstanding, so a slow or silent client (slowloris) holds a connection
 * for one deadline at most. Timers come from the injected Clock; sockets only through
 * `src/env/tcp-listener.ts`. Never throws on anything a client sends.
 */
import type { Clock, Timer } from '../env/clock.ts'
import type { Logger } from '../env/logger.ts'
import { TcpListener, type TcpConnection, type TcpConnectionHandler } from '../env/tcp-listener.ts'
import type { NodeAddress } from '../ids/node-address.ts'
import type { DhtClientApi } from '../dht/dht-api.ts'
import { dispatchGatewayCall, type GatewayCallContext } from './gateway-methods.ts'
import { HttpRequestReader, type HttpRequestError, type HttpRequestLimits } from './http-request.ts'
import { formatFaultBody, formatResponseBody, frameXmlResponse, latin1Encode } from './xmlrpc-format.ts'
import { parseMethodCall, type XmlRpcCall } from './xmlrpc-parse.ts'
import { statusPageResponse } from './status-page.ts'

export interface GatewayEnv {
  readonly api: DhtClientApi
  readonly clock: Clock
  readonly log: Logger
}

export interface GatewayOptions extends HttpRequestLimits {
  /**
   * Time from accept to a complete request (and again while the DHT call is outstanding) before
   * the connection is closed; Bamboo's `WebInterface.conn_timeout_cb`. @default 60000
   */
  readonly connectionTimeoutMs?: number
  /** Answer unreadable requests with an HTTP error status instead of Bamboo's silent close. @default false */
  readonly httpErrorResponses?: boolean
  /** What the status page's "Build:" row shows. @default 'xest' */
  readonly build?: string
}

export interface GatewayConfig extends GatewayEnv, GatewayOptions {
  /** Address to bind. @default '127.0.0.1' */
  readonly host?: string
  /** TCP port (the node's UDP port + 1); 0 picks a free one. */
  readonly port: number
  /** Open connections beyond this are refused. @default 1024 */
  readonly maxConnections?: number
}

export interface GatewayStats {
  connections: number
  /** XML-RPC calls answered (results and faults). */
  requests: number
  /** Answers that were faults (validation, unknown method, wrong types, DHT API errors). */
  faults: number
  /** Requests dropped unanswered or with an HTTP error: framing errors and unparseable XML. */
  badRequests: number
  /** Connections closed by the deadline. */
  timeouts: number
  /** Clients that went away before their request was complete or before the answer. */
  disconnects: number
  statusPages: number
  /** DHT API promises that rejected (answered with a fault). */
  apiErrors: number
}

export interface Gateway {
  readonly address: NodeAddress
  readonly stats: GatewayStats
  /** Stops listening and closes every open connection. */
  close (): Promise<void>
}

export const DEFAULT_CONNECTION_TIMEOUT_MS = 60_000

const REASONS: Readonly<Record<HttpRequestError['statusCode'], string>> = {
  400: 'Bad Request', 411: 'Length Required', 413: 'Request Entity Too Large', 431: 'Request Header Fields Too Large', 501: 'Not Implemented'
}

export function newGatewayStats (): GatewayStats {
  return { connections: 0, requests: 0, faults: 0, badRequests: 0, timeouts: 0, disconnects: 0, statusPages: 0, apiErrors: 0 }
}

type Phase = 'reading' | 'calling' | 'writing' | 'closed'

/** One client connection: read a request, answer it, close. */
class GatewayConnection implements TcpConnectionHandler {
  readonly #reader: HttpRequestReader
  #phase: Phase = 'reading'
  #timer: Timer

  constructor (
    private readonly env: GatewayEnv,
    private readonly options: GatewayOptions,
    private readonly stats: GatewayStats,
    private readonly startedAtMs: number,
    private readonly connection: TcpConnection
  ) {
    stats.connections++
    this.#reader = new HttpRequestReader(options)
    this.#timer = this.#armTimer()
  }

  onData (bytes: Uint8Array): void {
    if (this.#phase !== 'reading') return
    const progress = this.#reader.push(bytes)
    switch (progress.kind) {
      case 'incomplete': return
      case 'error': return this.#reject(progress.error.statusCode, progress.error.kind, progress.error.message)
      case 'get': return this.#answerStatusPage()
      case 'post': return this.#answerCall(progress.body, progress.userAgent)
    }
  }

  onEnd (): void {
    if (this.#phase !== 'reading') return
    this.stats.disconnects++
    this.#close()
  }

  onClose (): void {
    if (this.#phase === 'reading' || this.#phase === 'calling') this.stats.disconnects++
    this.#phase = 'closed'
    this.#timer.cancel()
  }

  #armTimer (): Timer {
    return this.env.clock.setTimer(this.options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS, () => this.#onTimeout())
  }

  #onTimeout (): void {
    if (this.#phase === 'closed') return
    if (this.#phase === 'calling') {
      this.#timer = this.#armTimer()
      return
    }
    // While writing, the answer is out and only the client's close is awaited: not a timeout.
    if (this.#phase === 'reading') this.stats.timeouts++
    this.#close()
  }

  #close (): void {
    if (this.#phase === 'closed') return
    this.#phase = 'closed'
    this.#timer.cancel()
    this.connection.destroy()
  }

  #send (bytes: Uint8Array): void {
    this.#phase = 'writing'
    this.connection.write(bytes)
    this.connection.end()
  }

  #reject (statusCode: HttpRequestError['statusCode'], kind: string, message: string): void {
    this.stats.badRequests++
    this.env.log.log('info', 'gateway.bad-request', { client: this.connection.remote, kind, message })
    if (this.options.httpErrorResponses !== true) return this.#close()
    const reason = REASONS[statusCode]
    const body = `${statusCode} ${reason}\n`
    this.#send(latin1Encode(`HTTP/1.0 ${statusCode} ${reason}\r\nServer: bamboo\r\nConnection: close\r\n` +
      `Content-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`))
  }

  #answerStatusPage (): void {
    let page: Uint8Array
    try {
      const uptimeS = (this.env.clock.nowMs() - this.startedAtMs) / 1000
      page = statusPageResponse(this.env.api.status(), { uptimeS, build: this.options.build ?? 'xest' })
    } catch (error) {
      this.stats.apiErrors++
      this.env.log.log('warn', 'gateway.status-failed', { error: String(error) })
      return this.#close()
    }
    this.stats.statusPages++
    this.#send(page)
  }

  #answerCall (body: Uint8Array, userAgent: string): void {
    const parsed = parseMethodCall(body)
    if (!parsed.ok) return this.#reject(400, `xml-${parsed.error.kind}`, parsed.error.message)
    this.#phase = 'calling'
    const { host, port } = this.connection.remote
    this.#call(parsed.call, { userAgent, clientHost: host, clientPort: port }).catch((error: unknown) => {
      this.env.log.log('error', 'gateway.dispatch-failed', { error: String(error) })
      this.#close()
    })
  }

  async #call (call: XmlRpcCall, context: GatewayCallContext): Promise<void> {
    const reply = await dispatchGatewayCall(this.env.api, call, context)
    this.stats.requests++
    if (reply.kind === 'fault') {
      this.stats.faults++
      if (reply.apiError === true) this.stats.apiErrors++
    }
    if (this.#phase !== 'calling') return
    const xml = reply.kind === 'result' ? formatResponseBody(reply.result) : formatFaultBody(reply.faultString)
    this.#send(frameXmlResponse(xml))
  }
}

/**
 * The per-connection logic without a socket: give it connections (real ones from
 * `TcpListener`, or fakes in tests).
 */
export function createGatewayHandler (env: GatewayEnv, options: GatewayOptions = {}, stats: GatewayStats = newGatewayStats()):
(connection: TcpConnection) => TcpConnectionHandler {
  const startedAtMs = env.clock.nowMs()
  return (connection) => new GatewayConnection(env, options, stats, startedAtMs, connection)
}

/** Listens on host:port and serves the gateway until `close()`. */
export async function startGateway (config: GatewayConfig): Promise<Gateway> {
  const stats = newGatewayStats()
  const handler = createGatewayHandler(config, config, stats)
  const listener = await TcpListener.listen({ host: config.host, port: config.port, maxConnections: config.maxConnections }, handler)
  config.log.log('info', 'gateway.listening', { address: listener.local })
  return {
    address: listener.local,
    stats,
    close: async () => await listener.close()
  }
}

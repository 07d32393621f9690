/**
 * The real TCP server over node:net: listens on host:port and hands each accepted connection to
 * a handler through a small interface (bytes in, bytes out, end, destroy), so protocol code such
 * as the XML-RPC gateway never touches sockets. Socket errors (resets, writes after the peer
 * left) are counted and end the connection; nothing a client does makes this throw. The only
 * module in src/ that imports node:net.
 */
import net from 'node:net'
import { hostFromBytes, tryAddressBytes, type NodeAddress } from '../ids/node-address.ts'

export interface TcpListenerConfig {
  /** Address to bind. @default '127.0.0.1' */
  readonly host?: string
  /** TCP port; 0 picks a free one. */
  readonly port: number
  /** Connections beyond this many open ones are refused by the kernel-facing server. @default 1024 */
  readonly maxConnections?: number
}

/** One accepted connection, as protocol code sees it. */
export interface TcpConnection {
  /** The peer; IPv4-mapped IPv6 addresses are given as dotted IPv4, IPv6 as Java prints it. */
  readonly remote: NodeAddress
  /** Queues bytes; ignored once the connection is closing. */
  write (bytes: Uint8Array): void
  /** Sends what is queued, then FIN; the connection closes when the peer is done too. */
  end (): void
  /** Closes at once, dropping anything unsent. */
  destroy (): void
}

/** What the listener calls for one connection. Handlers must not throw. */
export interface TcpConnectionHandler {
  onData (bytes: Uint8Array): void
  /** The peer sent FIN (no more data will arrive); writing is still possible. */
  onEnd (): void
  /** The connection is gone, for whatever reason; called exactly once. */
  onClose (): void
}

export type TcpAcceptor = (connection: TcpConnection) => TcpConnectionHandler

export interface TcpListenerStats {
  accepted: number
  /** Open right now. */
  active: number
  /** Socket errors seen (resets, broken pipes, timeouts reported by the OS). */
  errors: number
  /** Exceptions thrown by a handler, caught here and ended with the connection. */
  handlerErrors: number
}

/** Java's `InetAddress.getHostAddress` form of a Node remote address. */
function remoteHost (address: string | undefined): string {
  if (address === undefined) return '0.0.0.0'
  const bytes = tryAddressBytes(address)
  if (bytes === null) return address
  const mapped = bytes.length === 16 && bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff
  return hostFromBytes(mapped ? bytes.subarray(12) : bytes) ?? address
}

export class TcpListener {
  readonly stats: TcpListenerStats = { accepted: 0, active: 0, errors: 0, handlerErrors: 0 }
  readonly #sockets = new Set<net.Socket>()
  #closed = false

  private constructor (private readonly server: net.Server, readonly local: NodeAddress, private readonly accept: TcpAcceptor) {
    server.on('connection', (socket) => this.#onConnection(socket))
    server.on('error', () => { this.stats.errors++ })
  }

  /** Starts listening; rejects when the address cannot be bound. */
  static async listen (config: TcpListenerConfig, accept: TcpAcceptor): Promise<TcpListener> {
    const host = config.host ?? '127.0.0.1'
    const server = net.createServer({ allowHalfOpen: true, noDelay: true })
    server.maxConnections = config.maxConnections ?? 1024
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => { server.close(); reject(error) }
      server.once('error', onError)
      server.listen({ host, port: config.port, exclusive: true }, () => { server.off('error', onError); resolve() })
    })
    const bound = server.address()
    const port = typeof bound === 'object' && bound !== null ? bound.port : config.port
    return new TcpListener(server, { host: remoteHost(host), port }, accept)
  }

  /** Stops accepting, destroys open connections, resolves when the server is closed. */
  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    for (const socket of this.#sockets) socket.destroy()
    await closed
  }

  #onConnection (socket: net.Socket): void {
    if (this.#closed) { socket.destroy(); return }
    this.stats.accepted++
    this.stats.active++
    this.#sockets.add(socket)
    const remote = { host: remoteHost(socket.remoteAddress), port: socket.remotePort ?? 0 }
    let open = true
    const connection: TcpConnection = {
      remote,
      write: (bytes) => { if (open && socket.writable) socket.write(bytes) },
      end: () => { if (open) socket.end() },
      destroy: () => { if (open) socket.destroy() }
    }
    const handler = this.#guard(socket, () => this.accept(connection))
    socket.on('data', (data: Buffer) => {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      this.#guard(socket, () => handler?.onData(bytes))
    })
    socket.on('end', () => this.#guard(socket, () => handler?.onEnd()))
    socket.on('error', () => { this.stats.errors++ })
    socket.on('close', () => {
      open = false
      this.stats.active--
      this.#sockets.delete(socket)
      this.#guard(socket, () => handler?.onClose())
    })
  }

  /** Runs handler code; a throw is a bug in the handler, counted, and ends that connection only. */
  #guard<T> (socket: net.Socket, run: () => T): T | undefined {
    try {
      return run()
    } catch {
      this.stats.handlerErrors++
      socket.destroy()
      return undefined
    }
  }
}

/**
 * A node's local control channel over a Unix-domain socket (`xest node --control-socket PATH`):
 * newline-delimited JSON requests { id, op, ... } and replies { id, ... } — the same operations
 * `xest ring` sends over IPC (state, lookup, put, get). A path socket lives in the file system,
 * not in a network namespace, so the testbed drives nodes inside namespaces from the root
 * namespace without any network traffic and without a process per request. The server accepts
 * only local connections by construction; it never listens on an IP port. Bad lines are
 * answered with an error, never crash the node.
 */
import { lstatSync, unlinkSync } from 'node:fs'
import net from 'node:net'

export type ControlReply = Record<string, unknown> & { id: number }
export type ControlHandler = (request: Record<string, unknown> & { id: number, op: string }, reply: (message: ControlReply) => void) => void

const MAX_LINE_BYTES = 64 * 1024

/** Listens on `path` (replacing a stale socket file there, never any other file). */
export async function serveControlSocket (path: string, handle: ControlHandler): Promise<{ close (): Promise<void> }> {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path)
    else throw new Error(`--control-socket: ${path} exists and is not a socket`)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    let buffered = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      buffered += chunk
      if (buffered.length > MAX_LINE_BYTES && !buffered.includes('\n')) { socket.destroy(); return }
      let newline: number
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline)
        buffered = buffered.slice(newline + 1)
        if (line.trim() === '') continue
        const send = (message: ControlReply): void => { if (!socket.destroyed) socket.write(JSON.stringify(message) + '\n') }
        let request: unknown
        try { request = JSON.parse(line) } catch { send({ id: -1, error: 'not JSON' }); continue }
        const r = request as { id?: unknown, op?: unknown }
        if (typeof r !== 'object' || r === null || typeof r.id !== 'number' || typeof r.op !== 'string') { send({ id: -1, error: 'need { id: number, op: string }' }); continue }
        try { handle(r as never, send) } catch (error) { send({ id: r.id, error: String(error) }) }
      }
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(path, () => { server.off('error', reject); resolve() })
  })
  return {
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

/** A client of one node's control socket; requests time out rather than hang. */
export class ControlClient {
  #nextId = 1
  readonly #pending = new Map<number, { resolve: (reply: ControlReply | null) => void, timer: NodeJS.Timeout }>()
  #buffered = ''

  private constructor (private readonly socket: net.Socket) {
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      this.#buffered += chunk
      let newline: number
      while ((newline = this.#buffered.indexOf('\n')) >= 0) {
        const line = this.#buffered.slice(0, newline)
        this.#buffered = this.#buffered.slice(newline + 1)
        let reply: ControlReply
        try { reply = JSON.parse(line) as ControlReply } catch { continue }
        const pending = this.#pending.get(reply.id)
        if (pending === undefined) continue
        clearTimeout(pending.timer)
        this.#pending.delete(reply.id)
        pending.resolve(reply)
      }
    })
    const failAll = (): void => {
      for (const [id, pending] of this.#pending) { clearTimeout(pending.timer); this.#pending.delete(id); pending.resolve(null) }
    }
    socket.on('close', failAll)
    socket.on('error', failAll)
  }

  static async connect (path: string, timeoutMs = 2_000): Promise<ControlClient | null> {
    return await new Promise((resolve) => {
      const socket = net.createConnection(path)
      const timer = setTimeout(() => { socket.destroy(); resolve(null) }, timeoutMs)
      socket.once('connect', () => { clearTimeout(timer); socket.removeAllListeners('error'); resolve(new ControlClient(socket)) })
      socket.once('error', () => { clearTimeout(timer); socket.destroy(); resolve(null) })
    })
  }

  /** Sends one request; null when the node does not answer within `timeoutMs` or the socket closes. */
  async request<T extends object> (message: Record<string, unknown> & { op: string }, timeoutMs = 35_000): Promise<(T & ControlReply) | null> {
    if (this.socket.destroyed) return null
    const id = this.#nextId++
    return await new Promise((resolve) => {
      const timer = setTimeout(() => { this.#pending.delete(id); resolve(null) }, timeoutMs)
      this.#pending.set(id, { resolve: resolve as (reply: ControlReply | null) => void, timer })
      this.socket.write(JSON.stringify({ id, ...message }) + '\n')
    })
  }

  close (): void {
    this.socket.destroy()
  }
}

/**
 * The real datagram port over node:dgram: binds a UDP socket, sets a 4 MiB receive buffer (so
 * bursts are not lost in the kernel; the default 208 KiB drops most of one), and turns socket
 * errors into counted drops. The only module in src/ that imports node:dgram.
 */
import dgram from 'node:dgram'
import type { DatagramPort, DatagramReceiver } from './datagram-port.ts'
import { hostFromBytes, tryAddressBytes, type NodeAddress } from '../ids/node-address.ts'

export interface UdpPortConfig {
  /** Address to bind. @default '127.0.0.1' */
  host?: string
  /** UDP port; 0 picks a free one. */
  port: number
  /** Kernel receive buffer. @default 4 MiB */
  receiveBufferBytes?: number
  /** Kernel send buffer. @default 4 MiB */
  sendBufferBytes?: number
}

export interface UdpPortStats {
  sentDatagrams: number
  sentBytes: number
  sendErrors: number
  receivedDatagrams: number
  receivedBytes: number
  /** Datagrams that arrived before a receiver was set, or after close. */
  droppedDatagrams: number
}

const FOUR_MIB = 4 * 1024 * 1024

export class UdpPort implements DatagramPort {
  readonly stats: UdpPortStats = {
    sentDatagrams: 0, sentBytes: 0, sendErrors: 0, receivedDatagrams: 0, receivedBytes: 0, droppedDatagrams: 0
  }

  #receive: DatagramReceiver | null = null
  #closed = false
  /** The last socket error seen, for diagnostics. */
  lastError: Error | null = null

  private constructor (private readonly socket: dgram.Socket, readonly local: NodeAddress) {
    socket.on('message', (message, rinfo) => this.#onMessage(message, rinfo))
    socket.on('error', (error) => { this.lastError = error; this.stats.sendErrors++ })
  }

  /** Binds a socket; rejects when the address cannot be bound (in use, not local). */
  static async open (config: UdpPortConfig): Promise<UdpPort> {
    const host = config.host ?? '127.0.0.1'
    const bytes = tryAddressBytes(host)
    if (bytes === null) throw new Error(`not an IP address: ${host}`)
    const socket = dgram.createSocket({ type: bytes.length === 4 ? 'udp4' : 'udp6', reuseAddr: false })
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => { socket.close(); reject(error) }
      socket.once('error', onError)
      socket.bind(config.port, host, () => { socket.off('error', onError); resolve() })
    })
    socket.setRecvBufferSize(config.receiveBufferBytes ?? FOUR_MIB)
    socket.setSendBufferSize(config.sendBufferBytes ?? FOUR_MIB)
    const bound = socket.address()
    return new UdpPort(socket, { host: hostFromBytes(bytes)!, port: bound.port })
  }

  /** The receive buffer the kernel granted (Linux reports twice the requested size). */
  receiveBufferBytes (): number {
    return this.socket.getRecvBufferSize()
  }

  send (target: NodeAddress, bytes: Uint8Array): void {
    if (this.#closed) return
    this.stats.sentDatagrams++
    this.stats.sentBytes += bytes.length
    this.socket.send(bytes, target.port, target.host, (error) => {
      if (error !== null && error !== undefined) { this.lastError = error; this.stats.sendErrors++ }
    })
  }

  setReceiver (receive: DatagramReceiver): void {
    this.#receive = receive
  }

  close (): void {
    if (this.#closed) return
    this.#closed = true
    this.socket.close()
  }

  #onMessage (message: Buffer, rinfo: dgram.RemoteInfo): void {
    const receive = this.#receive
    if (receive === null || this.#closed) { this.stats.droppedDatagrams++; return }
    this.stats.receivedDatagrams++
    this.stats.receivedBytes += message.length
    const raw = tryAddressBytes(rinfo.address)
    const host = raw === null ? rinfo.address : hostFromBytes(raw)!
    receive({ host, port: rinfo.port }, new Uint8Array(message.buffer, message.byteOffset, message.byteLength))
  }
}

/**
 * Tests' handle on real `xest node` processes with a data directory: start one (its control
 * socket beside the directory, XML-RPC off), ask it control requests over IPC with a deadline,
 * and wait for it to exit. Test support only.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const bin = fileURLToPath(new URL('../../bin/xest.js', import.meta.url))

export interface NodeProcess { child: ChildProcess, nextId: number, pending: Map<number, (reply: any) => void> }

export function startNode (port: number, dataDir: string, gateway: number | null): NodeProcess {
  const args = ['node', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn', '--no-xmlrpc', '--control-socket', `${dataDir}.sock`]
  if (gateway !== null) args.push('--gateway', `127.0.0.1:${gateway}`)
  const child = fork(bin, args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  const node: NodeProcess = { child, nextId: 1, pending: new Map() }
  child.on('message', (reply: any) => { node.pending.get(reply.id)?.(reply); node.pending.delete(reply.id) })
  return node
}

export async function ask (node: NodeProcess, request: Record<string, unknown>, timeoutMs = 60_000): Promise<any> {
  const id = node.nextId++
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${JSON.stringify(request)}`)), timeoutMs)
    node.pending.set(id, (reply) => { clearTimeout(timer); resolve(reply) })
    node.child.send({ id, ...request })
  })
}

export const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms))

/** The child's exit code once it exits, or 'running' after `timeoutMs`. */
export async function exited (child: ChildProcess, timeoutMs: number): Promise<number | null | 'running'> {
  if (child.exitCode !== null) return child.exitCode
  return await new Promise((resolve) => {
    const timer = setTimeout(() => resolve('running'), timeoutMs)
    child.once('exit', (code) => { clearTimeout(timer); resolve(code) })
  })
}

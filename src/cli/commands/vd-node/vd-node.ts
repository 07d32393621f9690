/**
 * The `xest vd-node` operations: each is one or two `vd.*` control requests to running nodes
 * (see `node/vd-control.ts`); a node's error answer becomes a failure (exit 1) with its message,
 * missing flags a usage error (exit 2).
 */
import { resolve } from 'node:path'
import { ControlClient } from '../testbed/control-socket.ts'
import { UsageError } from '../../handle-errors.ts'
import type { VdNodeArgs } from './command.ts'

function need (args: VdNodeArgs, ...names: Array<keyof VdNodeArgs>): void {
  const missing = names.filter((n) => args[n] === undefined)
  if (missing.length > 0) throw new UsageError(`vd-node ${args.op} needs ${missing.map((n) => `--${n}`).join(', ')}`)
  if (args.secret !== undefined && !/^([0-9a-fA-F]{2}){1,40}$/.test(args.secret)) throw new UsageError('--secret must be 1 to 40 bytes of hex')
}

async function ask (socket: string, request: Record<string, unknown> & { op: string }): Promise<Record<string, unknown>> {
  const client = await ControlClient.connect(socket)
  if (client === null) throw new Error(`no node answers on ${socket}`)
  try {
    const reply = await client.request<Record<string, unknown>>(request, 600_000)
    if (reply === null) throw new Error(`${socket}: no answer to ${request.op}`)
    if (reply.ok !== true) throw new Error(`${socket}: ${String(reply.error ?? 'failed')}`)
    return reply
  } finally {
    client.close()
  }
}

export async function runVdNode (args: VdNodeArgs): Promise<void> {
  let result: Record<string, unknown>
  switch (args.op) {
    case 'import':
      need(args, 'node', 'dir', 'name', 'secret')
      result = await ask(args.node!, { op: 'vd.import', dir: args.dir!, name: args.name!, secretHex: args.secret! })
      break
    case 'write':
      need(args, 'node', 'vd', 'path', 'text')
      result = await ask(args.node!, { op: 'vd.write', vdId: args.vd!, path: args.path!, text: args.text! })
      break
    case 'migrate': {
      need(args, 'from', 'to', 'vd', 'secret')
      const out = await ask(args.from!, { op: 'vd.migrate-out', vdId: args.vd!, secretHex: args.secret! })
      const taken = await ask(args.to!, { op: 'vd.migrate-in', vdId: args.vd!, secretHex: args.secret! })
      result = { snapshot: out.snapshot, epoch: taken.epoch, from: taken.from }
      break
    }
    case 'read': {
      need(args, 'node', 'vd', 'path')
      const reply = await ask(args.node!, { op: 'vd.read', vdId: args.vd!, path: args.path! })
      if (!args.json) { process.stdout.write(Buffer.from(String(reply.base64), 'base64')); return }
      result = reply
      break
    }
    case 'export':
      need(args, 'node', 'vd', 'out')
      result = await ask(args.node!, { op: 'vd.export', vdId: args.vd!, out: args.out! })
      break
    case 'mount':
      need(args, 'node', 'vd', 'mountpoint')
      result = await ask(args.node!, { op: 'vd.mount', vdId: args.vd!, mountpoint: resolve(args.mountpoint!), ...(args.snapshot !== undefined ? { snapshot: args.snapshot } : {}) })
      break
    case 'unmount':
      need(args, 'node', 'mountpoint')
      result = await ask(args.node!, { op: 'vd.unmount', mountpoint: resolve(args.mountpoint!) })
      break
  }
  const { id: _id, ok: _ok, ...rest } = result
  process.stdout.write(args.json ? JSON.stringify(rest) + '\n' : Object.entries(rest).map(([k, v]) => `${k}: ${String(v)}`).join('\n') + '\n')
}

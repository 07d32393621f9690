/**
 * `xest vd-node <op>`: virtual disks on running nodes, through their control sockets
 * (`xest node --data-dir DIR --control-socket PATH`): import a tree, write a file, migrate a VD
 * from one node to another, read a file (fetching on demand), export.
 */
import type { CommandModule } from 'yargs'
import { handleErrors } from '../../handle-errors.ts'

export interface VdNodeArgs {
  op: 'import' | 'write' | 'migrate' | 'read' | 'export'
  node: string | undefined
  from: string | undefined
  to: string | undefined
  vd: string | undefined
  path: string | undefined
  dir: string | undefined
  name: string | undefined
  text: string | undefined
  out: string | undefined
  secret: string | undefined
  json: boolean
  verbose: boolean
}

export const vdNodeCommand: CommandModule<object, VdNodeArgs> = {
  command: 'vd-node <op>',
  describe: 'virtual disks on running nodes (import, write, migrate, read, export) through their control sockets',
  builder: (y) => y
    .positional('op', { choices: ['import', 'write', 'migrate', 'read', 'export'] as const, demandOption: true })
    .option('node', { type: 'string', describe: 'control socket of the node (import, write, read, export)' })
    .option('from', { type: 'string', describe: 'control socket of the node giving the VD up (migrate)' })
    .option('to', { type: 'string', describe: 'control socket of the node taking it (migrate)' })
    .option('vd', { type: 'string', describe: 'VD id (40 hex digits)' })
    .option('path', { type: 'string', describe: 'path inside the VD (write, read)' })
    .option('dir', { type: 'string', describe: 'directory tree to import' })
    .option('name', { type: 'string', describe: 'name of the new VD (import)' })
    .option('text', { type: 'string', describe: 'content to write (write)' })
    .option('out', { type: 'string', describe: 'directory to export to' })
    .option('secret', { type: 'string', describe: 'the VD\'s secret, hex (import creates the records with it; migrate needs it)' })
    .option('json', { type: 'boolean', default: false })
    .option('verbose', { type: 'boolean', default: false })
    .example('$0 vd-node import --node /run/xest-a.sock --dir ./rootfs --name web-1 --secret 00ff…', 'prints the VD id')
    .example('$0 vd-node migrate --vd ID --from /run/xest-a.sock --to /run/xest-b.sock --secret 00ff…', 'B becomes the writer and fetches from A on demand') as never,
  handler: async (args) => handleErrors(args.verbose, async () => {
    const { runVdNode } = await import('./vd-node.ts')
    await runVdNode(args)
  })
}

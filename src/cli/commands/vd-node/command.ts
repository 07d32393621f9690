/**
 * `xest vd-node <op>`: virtual disks on running nodes, through their control sockets
 * (`xest node --data-dir DIR --control-socket PATH`): import a tree, write a file, migrate a VD
 * from one node to another, read a file (fetching on demand), export, and FUSE-mount a VD's head
 * or a snapshot read-only on the node (its reads fetch objects on demand) and unmount it.
 */
import type { CommandModule } from 'yargs'
import { handleErrors } from '../../handle-errors.ts'

export interface VdNodeArgs {
  op: 'import' | 'write' | 'migrate' | 'read' | 'export' | 'mount' | 'unmount'
  node: string | undefined
  from: string | undefined
  to: string | undefined
  vd: string | undefined
  path: string | undefined
  dir: string | undefined
  name: string | undefined
  text: string | undefined
  out: string | undefined
  mountpoint: string | undefined
  snapshot: string | undefined
  secret: string | undefined
  json: boolean
  verbose: boolean
}

export const vdNodeCommand: CommandModule<object, VdNodeArgs> = {
  command: 'vd-node <op>',
  describe: 'virtual disks on running nodes (import, write, migrate, read, export, mount, unmount) through their control sockets',
  builder: (y) => y
    .positional('op', { choices: ['import', 'write', 'migrate', 'read', 'export', 'mount', 'unmount'] as const, demandOption: true })
    .option('node', { type: 'string', describe: 'control socket of the node (import, write, read, export, mount, unmount)' })
    .option('from', { type: 'string', describe: 'control socket of the node giving the VD up (migrate)' })
    .option('to', { type: 'string', describe: 'control socket of the node taking it (migrate)' })
    .option('vd', { type: 'string', describe: 'VD id (40 hex digits)' })
    .option('path', { type: 'string', describe: 'path inside the VD (write, read)' })
    .option('dir', { type: 'string', describe: 'directory tree to import' })
    .option('name', { type: 'string', describe: 'name of the new VD (import)' })
    .option('text', { type: 'string', describe: 'content to write (write)' })
    .option('out', { type: 'string', describe: 'directory to export to' })
    .option('mountpoint', { type: 'string', describe: 'empty directory the node mounts the VD on, read-only (mount, unmount)' })
    .option('snapshot', { type: 'string', describe: 'mount this snapshot (id, id prefix, or ~K back from the latest) instead of the head' })
    .option('secret', { type: 'string', describe: 'the VD\'s secret, hex (import creates the records with it; migrate needs it)' })
    .option('json', { type: 'boolean', default: false })
    .option('verbose', { type: 'boolean', default: false })
    .example('$0 vd-node import --node /run/xest-a.sock --dir ./rootfs --name web-1 --secret 00ff…', 'prints the VD id')
    .example('$0 vd-node migrate --vd ID --from /run/xest-a.sock --to /run/xest-b.sock --secret 00ff…', 'B becomes the writer and fetches from A on demand')
    .example('$0 vd-node mount --node /run/xest-b.sock --vd ID --mountpoint /mnt/web-1', 'B serves the VD\'s head read-only with FUSE, fetching objects on demand')
    .example('$0 vd-node unmount --node /run/xest-b.sock --mountpoint /mnt/web-1', 'prints what the mount read and fetched') as never,
  handler: async (args) => handleErrors(args.verbose, async () => {
    const { runVdNode } = await import('./vd-node.ts')
    await runVdNode(args)
  })
}

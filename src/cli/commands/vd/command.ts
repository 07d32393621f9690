/**
 * `xest vd <op>`: virtual disks in a local store directory (--store DIR or $XEST_STORE; there is no
 * default). import, write, rm, mkdir, snapshot, fork, merge, log, diff, ls, cat, export, status,
 * list, common, mount (read-only FUSE, until SIGINT/SIGTERM). The implementation (vd.ts) is imported
 * lazily. VDs on running nodes (leases, migrate, mounts there) are `xest vd-node`.
 */
import type { Argv, CommandModule } from 'yargs'
import { handleErrors } from '../../handle-errors.ts'

export interface VdArgs {
  op: string
  store: string | undefined
  json: boolean
  verbose: boolean
  source?: string
  name?: string
  message?: string
  seed?: string
  vd?: string
  path?: string
  file?: string
  mode?: string
  recursive?: boolean
  target?: string
  snapshot?: string
  a?: string
  b?: string
  out?: string
  ours?: string
  theirs?: string
  resolve?: string[]
  resolvers?: string
  budget?: number
  dir?: string
  image?: boolean
  ref?: string
  mountpoint?: string
}

function common<T> (y: Argv<T>) {
  return y
    .option('store', { type: 'string', describe: 'store directory (objects and VD records); default $XEST_STORE' })
    .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' })
    .option('verbose', { type: 'boolean', default: false })
}

function op (command: string, describe: string, build: (y: Argv<object>) => Argv<object>, examples: Array<[string, string]>): CommandModule<object, VdArgs> {
  const name = command.split(' ')[0]!
  return {
    command,
    aliases: name === 'common' ? ['du'] : [],
    describe,
    builder: (y) => {
      let out = build(common(y) as Argv<object>)
      for (const [cmd, text] of examples) out = out.example(cmd, text)
      return out as never
    },
    handler: async (args) => handleErrors(args.verbose, async () => {
      const { runVd } = await import('./vd.ts')
      await runVd({ ...args, op: name })
    })
  }
}

const ops: Array<CommandModule<object, VdArgs>> = [
  op('import <source>', 'import a directory tree (or a disk image file, as 4 KiB blocks) as a new VD', (y) => y
    .positional('source', { type: 'string', demandOption: true })
    .option('name', { type: 'string', demandOption: true, describe: 'the new VD\'s name (unique on this host)' })
    .option('message', { alias: 'm', type: 'string' })
    .option('image', { type: 'boolean', describe: 'treat SOURCE as a disk image (default: a regular file is an image)' })
    .option('seed', { type: 'string', describe: 'seed of the random VD id (default: random)' }),
  [['$0 vd import ./rootfs --name web --store /tmp/xs', 'a tree'], ['$0 vd import disk.img --name db --store /tmp/xs --json', 'a disk image']]),
  op('write <vd> <path> [file]', 'put a local file (or stdin) at PATH in the VD\'s head', (y) => y
    .positional('vd', { type: 'string', demandOption: true }).positional('path', { type: 'string', demandOption: true })
    .positional('file', { type: 'string', describe: 'local file; "-" or absent reads stdin' })
    .option('mode', { type: 'string', describe: 'octal permission bits (default: the local file\'s, or 644)' }),
  [['$0 vd write web etc/motd ./motd --store /tmp/xs', 'stage a file']]),
  op('rm <vd> <path>', 'delete PATH from the VD\'s head', (y) => y
    .positional('vd', { type: 'string', demandOption: true }).positional('path', { type: 'string', demandOption: true })
    .option('recursive', { alias: 'r', type: 'boolean', default: false }),
  [['$0 vd rm web var/cache -r --store /tmp/xs', 'stage a recursive delete']]),
  op('mkdir <vd> <path>', 'create a directory (and its parents) in the VD\'s head', (y) => y
    .positional('vd', { type: 'string', demandOption: true }).positional('path', { type: 'string', demandOption: true })
    .option('mode', { type: 'string', describe: 'octal (default 755)' }),
  [['$0 vd mkdir web srv/data --store /tmp/xs', '']]),
  op('snapshot <vd>', 'close the head\'s staged changes into a new snapshot', (y) => y
    .positional('vd', { type: 'string', demandOption: true })
    .option('message', { alias: 'm', type: 'string' }),
  [['$0 vd snapshot web -m "motd" --store /tmp/xs', '']]),
  op('fork <snapshot>', 'a new VD continuing from SNAPSHOT (no data copied)', (y) => y
    .positional('snapshot', { type: 'string', demandOption: true, describe: 'snapshot id (prefix), VD name (latest) or NAME~K' })
    .option('name', { type: 'string', demandOption: true })
    .option('seed', { type: 'string', describe: 'seed of the random VD id (default: random)' }),
  [['$0 vd fork web --name web-test --store /tmp/xs', '']]),
  op('merge <ours> <theirs>', 'three-way merge of snapshot THEIRS into VD OURS; nothing is written while a conflict is unresolved (exit 1)', (y) => y
    .positional('ours', { type: 'string', demandOption: true, describe: 'VD that receives the merge snapshot' })
    .positional('theirs', { type: 'string', demandOption: true, describe: 'snapshot (id, VD name, NAME~K)' })
    .option('resolve', { type: 'string', array: true, describe: 'GLOB=RESOLVER, first match wins: ours, theirs, newest, fail, or one from --resolvers' })
    .option('resolvers', { type: 'string', describe: 'JS/TS module whose exports are named resolvers: (conflict, ctx) => "ours"|"theirs"|"base"|{entry}|null' })
    .option('message', { alias: 'm', type: 'string' }),
  [['$0 vd merge web web-test --resolve "var/log/**=newest" --resolve "*=fail" --store /tmp/xs', '']]),
  op('log <vd>', 'the VD\'s snapshots, latest first', (y) => y.positional('vd', { type: 'string', demandOption: true }),
    [['$0 vd log web --store /tmp/xs', '']]),
  op('diff <a> <b>', 'entries changed from snapshot A to snapshot B (visits only differing subtrees)', (y) => y
    .positional('a', { type: 'string', demandOption: true }).positional('b', { type: 'string', demandOption: true }),
  [['$0 vd diff web~1 web --store /tmp/xs', 'what the last snapshot changed']]),
  op('ls <snapshot> [dir]', 'entries of a snapshot (under DIR)', (y) => y
    .positional('snapshot', { type: 'string', demandOption: true }).positional('dir', { type: 'string' }),
  [['$0 vd ls web etc --store /tmp/xs', '']]),
  op('cat <snapshot> <path>', 'a file\'s bytes from a snapshot, to stdout', (y) => y
    .positional('snapshot', { type: 'string', demandOption: true }).positional('path', { type: 'string', demandOption: true }),
  [['$0 vd cat web etc/motd --store /tmp/xs', '']]),
  op('export <snapshot> <out>', 'write a snapshot to OUT: a directory for a tree, a file for an image', (y) => y
    .positional('snapshot', { type: 'string', demandOption: true }).positional('out', { type: 'string', demandOption: true }),
  [['$0 vd export web /tmp/web-out --store /tmp/xs', '']]),
  op('status <vd>', 'the VD\'s head: base snapshot and staged changes', (y) => y.positional('vd', { type: 'string', demandOption: true }),
    [['$0 vd status web --store /tmp/xs', '']]),
  op('list', 'the VDs in the store', (y) => y, [['$0 vd list --store /tmp/xs', '']]),
  op('mount <ref> <mountpoint>', 'mount a VD\'s head, or VD@SNAPSHOT, read-only with FUSE at MOUNTPOINT (an empty directory) until SIGINT/SIGTERM', (y) => y
    .positional('ref', { type: 'string', demandOption: true, describe: 'VD (its head: base snapshot + staged changes), VD@SNAPSHOT (id, id prefix, ~K back) or VD~K' })
    .positional('mountpoint', { type: 'string', demandOption: true }),
  [['$0 vd mount web /mnt/web --store /tmp/xs', 'the head; Ctrl-C unmounts'], ['$0 vd mount web@~1 /mnt/web-prev --store /tmp/xs --json', 'the snapshot before the latest']]),
  op('common', 'commonality report: objects shared between VDs, bytes saved, same files under different chunkings (alias du)', (y) => y
    .option('budget', { type: 'number', default: 100_000, describe: 'objects per step of the incremental pass' }),
  [['$0 vd common --store /tmp/xs --json', '']])
]

export const vdCommand: CommandModule = {
  command: 'vd <op>',
  describe: 'virtual disks in a local store: import, write, snapshot, fork, merge, log, diff, export, common, mount',
  builder: (y) => {
    let out = y
    for (const o of ops) out = out.command(o as CommandModule)
    return out.demandCommand(1)
  },
  handler: () => {}
}

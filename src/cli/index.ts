/**
 * The `xest` command line: one module per command under `commands/`, each importing its
 * implementation lazily. Unknown commands and bad flags are usage errors (exit 2).
 */
import yargs from 'yargs'
import { hideBin } from 'yargs/helpers'
import { idCommand } from './commands/id/command.ts'
import { getCommand, putCommand, rmCommand } from './commands/dht-client/command.ts'
import { nodeCommand } from './commands/node/command.ts'
import { ringCommand } from './commands/ring/command.ts'
import { simCommand } from './commands/sim/command.ts'
import { wireCommand } from './commands/wire/command.ts'
import { vdCommand } from './commands/vd/command.ts'
import { traceCommand } from './commands/trace/command.ts'
import { groupCommand } from './commands/group/command.ts'
import { studyCommand } from './commands/study/command.ts'
import { plotCommand } from './commands/plot/command.ts'
import { sweepCommand } from './commands/sweep/command.ts'
import { testbedCommand } from './commands/testbed/command.ts'
import { vdNodeCommand } from './commands/vd-node/command.ts'

await yargs(hideBin(process.argv))
  .scriptName('xest')
  .command(idCommand as never)
  .command(wireCommand)
  .command(simCommand)
  .command(traceCommand)
  .command(nodeCommand as never)
  .command(ringCommand as never)
  .command(putCommand as never)
  .command(getCommand as never)
  .command(rmCommand as never)
  .command(vdCommand)
  .command(groupCommand as never)
  .command(studyCommand as never)
  .command(plotCommand as never)
  .command(sweepCommand as never)
  .command(testbedCommand)
  .command(vdNodeCommand as never)
  .demandCommand(1, 'name a command; see --help')
  .strict()
  .recommendCommands()
  .fail((message, error, y) => {
    if (error !== undefined && error !== null) throw error
    process.stderr.write(`xest: ${message}\n\n`)
    y.showHelp((help) => process.stderr.write(help + '\n'))
    process.exit(2)
  })
  .help()
  .version(false)
  .parseAsync()

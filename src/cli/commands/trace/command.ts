/**
 * `xest trace <action>`: record a program's file accesses under strace, convert public trace
 * formats to the project's `.xtrace`, print statistics, and generate synthetic VM traces with
 * their true working sets. Each action imports its implementation lazily.
 */
import type { Argv, CommandModule } from 'yargs'
import { handleErrors } from '../../handle-errors.ts'

const FORMATS = ['xtrace', 'cloudphysics', 'msr', 'spc', 'blkparse', 'mqsim', 'refs', 'strace'] as const
type FormatName = typeof FORMATS[number]

export interface TraceRecordArgs { out: string, keepStrace: string | undefined, json: boolean, verbose: boolean }
export interface TraceConvertArgs { input: string, output: string, format: FormatName | undefined, onBadLine: 'fail' | 'skip', blkparseAction: string, json: boolean, verbose: boolean }
export interface TraceStatsArgs { file: string, format: FormatName | undefined, onBadLine: 'fail' | 'skip', blkparseAction: string, blockBytes: number, fileChunkBytes: number | undefined, json: boolean, verbose: boolean }
export interface TraceGenerateArgs {
  out: string
  truth: string | undefined
  seed: string
  objects: number
  references: number
  sets: number
  noise: number
  shared: number
  phase: number
  json: boolean
  verbose: boolean
}

function withInput<T> (y: Argv<T>) {
  return y
    .option('format', { choices: FORMATS, describe: 'input format (default: detected from the file\'s head)' })
    .option('on-bad-line', { choices: ['fail', 'skip'] as const, default: 'fail' as const, describe: 'a malformed line stops with file:line (fail) or is skipped and counted (skip)' })
    .option('blkparse-action', { type: 'string', default: 'Q', describe: 'blkparse: the action whose events are records (Q queued, D issued, C completed)' })
}

const recordCommand: CommandModule<object, TraceRecordArgs> = {
  command: 'record',
  describe: 'run COMMAND under strace and record its file accesses (opens, stats, reads, writes, mmaps) as .xtrace',
  builder: (y) => y
    .usage('$0 trace record [--out FILE] -- COMMAND [ARGS...]')
    .option('out', { type: 'string', default: 'trace.xtrace', describe: 'the trace to write' })
    .option('keep-strace', { type: 'string', describe: 'also keep strace\'s raw log at this path' })
    .option('json', { type: 'boolean', default: false, describe: 'print the summary as JSON' })
    .option('verbose', { type: 'boolean', default: false })
    .example('$0 trace record --out py.xtrace -- python3 -c "import json"', 'Python starting and importing json')
    .example('$0 trace record --out db.xtrace -- sqlite3 /tmp/t.db "create table t(x)"', 'a database creating a table') as never,
  handler: async (args) => handleErrors(args.verbose, async () => {
    const { runTraceRecord } = await import('./record.ts')
    runTraceRecord(args)
  })
}

const convertCommand: CommandModule<object, TraceConvertArgs> = {
  command: 'convert <input> <output>',
  describe: 'convert a trace (CloudPhysics, MSR, SPC, blkparse, MQSim, reference list, strace, xtrace) to .xtrace',
  builder: (y) => withInput(y)
    .positional('input', { type: 'string', demandOption: true })
    .positional('output', { type: 'string', demandOption: true, describe: 'the .xtrace file to write' })
    .option('json', { type: 'boolean', default: false })
    .option('verbose', { type: 'boolean', default: false })
    .example('$0 trace convert ../shared/data/cloudphysics-vscsi-libcachesim/cloudPhysicsIO.csv cp.xtrace', 'CloudPhysics CSV to xtrace')
    .example('$0 trace convert msr_hm_1.csv hm1.xtrace --format msr --on-bad-line skip', 'skip and count malformed lines') as never,
  handler: async (args) => handleErrors(args.verbose, async () => {
    const { runTraceConvert } = await import('./convert.ts')
    runTraceConvert(args)
  })
}

const statsCommand: CommandModule<object, TraceStatsArgs> = {
  command: 'stats <file>',
  describe: 'references, distinct objects, bytes, read/write mix and reuse-distance quantiles of a trace',
  builder: (y) => withInput(y)
    .positional('file', { type: 'string', demandOption: true })
    .option('block-bytes', { type: 'number', default: 4096, describe: 'block traces: bytes per object' })
    .option('file-chunk-bytes', { type: 'number', describe: 'file traces: split files into chunks of this many bytes (default: one object per file)' })
    .option('json', { type: 'boolean', default: false })
    .option('verbose', { type: 'boolean', default: false })
    .example('$0 trace stats traces/python-imports.xtrace', 'a recorded trace')
    .example('$0 trace stats ../shared/data/lirs-file-traces-caffeine/sprite.trace.gz --json', 'a LIRS reference list') as never,
  handler: async (args) => handleErrors(args.verbose, async () => {
    const { runTraceStats } = await import('./stats.ts')
    runTraceStats(args)
  })
}

const generateCommand: CommandModule<object, TraceGenerateArgs> = {
  command: 'generate',
  describe: 'generate a synthetic VM life cycle (boot, working sets, shared libraries, noise) and its true working sets',
  builder: (y) => y
    .option('out', { type: 'string', demandOption: true, describe: 'the .xtrace file to write' })
    .option('truth', { type: 'string', describe: 'where to write the true sets as JSON (default: OUT with .sets.json)' })
    .option('seed', { type: 'string', default: '1', describe: 'run seed; the same seed and options give the same trace' })
    .option('objects', { type: 'number', default: 10000, describe: 'distinct files' })
    .option('references', { type: 'number', default: 200000, describe: 'total references, boot included' })
    .option('sets', { type: 'number', default: 8, describe: 'working sets of the service loop' })
    .option('noise', { type: 'number', default: 0.05, describe: 'chance a service reference is noise' })
    .option('shared', { type: 'number', default: 0.15, describe: 'chance a service reference is a shared library' })
    .option('phase', { type: 'number', default: 2000, describe: 'mean references of one service phase' })
    .option('json', { type: 'boolean', default: false })
    .option('verbose', { type: 'boolean', default: false })
    .example('$0 trace generate --out vm.xtrace --seed 7', 'writes vm.xtrace and vm.sets.json')
    .example('$0 trace generate --out big.xtrace --objects 300000 --references 5000000 --sets 40', 'a grouping benchmark input') as never,
  handler: async (args) => handleErrors(args.verbose, async () => {
    const { runTraceGenerate } = await import('./generate.ts')
    runTraceGenerate(args)
  })
}

export const traceCommand: CommandModule = {
  command: 'trace <action>',
  describe: 'record, convert, summarize and generate I/O traces',
  builder: (y) => y
    .command(recordCommand as CommandModule)
    .command(convertCommand as CommandModule)
    .command(statsCommand as CommandModule)
    .command(generateCommand as CommandModule)
    .demandCommand(1),
  handler: () => {}
}

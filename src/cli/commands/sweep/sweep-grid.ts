/**
 * The sweep's grid: `--param name=v1,v2,…` parsed and checked against `xest study`'s flags, the
 * study flags to pass through unchanged separated from the sweep's own, the cartesian product
 * of the values (first --param outermost) and a directory name per run. Pure: no processes,
 * no files; bad input is a UsageError saying what is wrong and what is expected.
 */
import { UsageError } from '../../handle-errors.ts'

export interface SweepParam { name: string, values: string[] }

/** What the sweep knows of `xest study`'s options. */
export interface StudyOptions { names: ReadonlySet<string>, numbers: ReadonlySet<string>, booleans: ReadonlySet<string>, choices: Readonly<Record<string, readonly string[]>> }

/** The sweep's own flags and how many values each takes; never passed through or swept. */
export const SWEEP_FLAGS: Readonly<Record<string, 'none' | 'one' | 'many'>> = { param: 'many', jobs: 'one', out: 'one', json: 'none', verbose: 'none', help: 'none' }
/** Study flags the sweep sets itself for every run. */
const RESERVED = new Set(['out', 'json', 'plots', 'verbose', 'help', 'version'])

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())

const USAGE = 'expected --param NAME=V1,V2,… with NAME a flag of xest study, e.g. --param k=2,5,10'

/** The --param specs as parameters; UsageError on bad syntax, unknown or reserved names, duplicates, bad values. */
export function parseParams (specs: readonly string[], study: StudyOptions): SweepParam[] {
  if (specs.length === 0) throw new UsageError(`no --param given; ${USAGE}`)
  const params: SweepParam[] = []
  for (const spec of specs) {
    const eq = spec.indexOf('=')
    if (eq <= 0) throw new UsageError(`--param ${JSON.stringify(spec)}: ${USAGE}`)
    const name = kebab(spec.slice(0, eq).trim().replace(/^--/, ''))
    const values = spec.slice(eq + 1).split(',').map((v) => v.trim())
    if (RESERVED.has(name)) throw new UsageError(`--param ${name}: the sweep sets --${name} itself; it cannot be swept`)
    if (!study.names.has(name)) throw new UsageError(`--param ${name}: not a flag of xest study (see xest study --help); ${USAGE}`)
    if (values.some((v) => v === '')) throw new UsageError(`--param ${JSON.stringify(spec)}: empty value; ${USAGE}`)
    if (new Set(values).size !== values.length) throw new UsageError(`--param ${name}: a value is repeated`)
    if (params.some((p) => p.name === name)) throw new UsageError(`--param ${name} given twice; list all its values in one --param`)
    for (const v of values) {
      if (study.numbers.has(name) && !Number.isFinite(Number(v))) throw new UsageError(`--param ${name}: ${JSON.stringify(v)} is not a number`)
      if (study.booleans.has(name) && v !== 'true' && v !== 'false') throw new UsageError(`--param ${name}: ${JSON.stringify(v)} is not true or false`)
      const choices = study.choices[name]
      if (choices !== undefined && !choices.includes(v)) throw new UsageError(`--param ${name}: ${JSON.stringify(v)} is not one of ${choices.join(', ')}`)
    }
    params.push({ name, values })
  }
  return params
}

/**
 * The arguments after `sweep` without the sweep's own flags: the study flags to pass to every
 * run, verbatim, and their names. UsageError for an unknown or reserved flag, a positional
 * argument, or a flag that is also swept.
 */
export function passThroughArgs (argv: readonly string[], study: StudyOptions, swept: readonly string[]): { args: string[], names: string[] } {
  const args: string[] = []
  const names: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!
    if (!token.startsWith('--') || token === '--') throw new UsageError(`unexpected argument ${JSON.stringify(token)}; study flags are given as --name value`)
    const eq = token.indexOf('=')
    const raw = kebab(token.slice(2, eq < 0 ? undefined : eq))
    const hasValue = eq >= 0
    const next = argv[i + 1]
    const nextIsValue = !hasValue && next !== undefined && !next.startsWith('--')
    const own = Object.hasOwn(SWEEP_FLAGS, raw) ? SWEEP_FLAGS[raw] : undefined
    if (own !== undefined) {
      if (own === 'one' && nextIsValue) i++
      if (own === 'many' && !hasValue) while (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) i++
      continue
    }
    const name = raw.startsWith('no-') && study.booleans.has(raw.slice(3)) ? raw.slice(3) : raw
    if (RESERVED.has(name)) throw new UsageError(`--${raw}: the sweep sets it for every run`)
    if (!study.names.has(name)) throw new UsageError(`--${raw}: neither a sweep flag nor a flag of xest study`)
    if (swept.includes(name)) throw new UsageError(`--${name} is both given and swept (--param ${name}=…); give it once`)
    names.push(name)
    args.push(token)
    if (nextIsValue) args.push(argv[++i]!)
  }
  return { args, names }
}

/** Every combination of the values, first parameter outermost: [[name, value], …] per run. */
export function gridOf (params: readonly SweepParam[]): Array<Array<[string, string]>> {
  let grid: Array<Array<[string, string]>> = [[]]
  for (const p of params) grid = grid.flatMap((combo) => p.values.map((v) => [...combo, [p.name, v] as [string, string]]))
  return grid
}

const safe = (text: string): string => text.replace(/[^A-Za-z0-9._+-]/g, '_')

/** A run's directory name, e.g. `k=2_n=4`; characters outside [A-Za-z0-9._+-] become `_`. */
export function runName (assignment: ReadonlyArray<[string, string]>): string {
  return assignment.map(([name, value]) => `${safe(name)}=${safe(value)}`).join('_')
}

/** The default sweep directory: results/sweep-<name=values…>, e.g. results/sweep-k=2,5,10_n=4,8. */
export function defaultSweepDir (params: readonly SweepParam[]): string {
  const name = params.map((p) => `${safe(p.name)}=${p.values.map(safe).join(',')}`).join('_')
  return `results/sweep-${name.length > 120 ? name.slice(0, 120) : name}`
}

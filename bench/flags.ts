/**
 * The benchmarks' tiny flag reader: `--name value` numbers with a default; a bad value exits
 * with status 2 and a message naming the flag. Benchmarks print; they take no other input.
 */

export function numberFlag (args: readonly string[], name: string, fallback: number, integer = true): number {
  const at = args.indexOf(`--${name}`)
  if (at < 0) return fallback
  const value = Number(args[at + 1])
  if (!(value > 0) || (integer && !Number.isInteger(value))) {
    process.stderr.write(`--${name} needs a positive ${integer ? 'integer' : 'number'}\n`)
    process.exit(2)
  }
  return value
}

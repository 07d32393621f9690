/**
 * The CLI's one error boundary: a `UsageError` or any failure becomes a clear message on stderr
 * and a meaningful exit code (2 usage, 1 failure); stacks only with --verbose; `cause` followed.
 */

export class UsageError extends Error {
  override name = 'UsageError'
}

export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2

export async function handleErrors (verbose: boolean, run: () => Promise<void> | void): Promise<void> {
  try {
    await run()
  } catch (error) {
    process.exitCode = error instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE
    let current: unknown = error
    let prefix = 'xest: '
    while (current !== undefined && current !== null) {
      const message = current instanceof Error ? (verbose ? current.stack ?? current.message : current.message) : String(current)
      process.stderr.write(prefix + message + '\n')
      current = current instanceof Error ? current.cause : undefined
      prefix = '  caused by: '
    }
  }
}

/**
 * Provenance of a run's results: tool and package version, the git commit and whether the work
 * tree was dirty, the seed, the configuration, SHA-1 hashes of input files and the command line —
 * enough to rerun it. Reads git and files synchronously; never records wall-clock time, host
 * names or user names, and never changes the repository (read-only git commands only).
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { InputFile } from '../net/network-model.ts'

export interface Provenance {
  tool: 'xest'
  /** The `version` of the repository's package.json. */
  packageVersion: string
  /** Git HEAD and work-tree state; nulls when git or the repository is unavailable. */
  codeVersion: CodeVersion
  /** The run's root seed. */
  seed: string
  /** The full run configuration as given (JSON-able). */
  config: unknown
  /** Files the run read (topologies, traces), with SHA-1 hashes. */
  inputs: InputFile[]
  /** The command line (arguments after the executable), when run from the CLI. */
  command?: string[]
}

export interface CodeVersion {
  /** Full commit hash of HEAD, or null. */
  commit: string | null
  /** Whether tracked or untracked files differ from HEAD, or null. */
  dirty: boolean | null
}

function git (repoDir: string, args: string[]): string | null {
  try {
    return execFileSync('git', args, {
      cwd: repoDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000
    })
  } catch {
    return null
  }
}

/** The git commit and dirtiness of `repoDir`; nulls when git is unavailable. Never throws. */
export function codeVersion (repoDir: string): CodeVersion {
  const head = git(repoDir, ['rev-parse', 'HEAD'])?.trim() ?? ''
  const commit = /^[0-9a-f]{40,64}$/.test(head) ? head : null
  // --no-optional-locks: status must not refresh (write) the index while others work in the tree.
  const status = commit === null ? null : git(repoDir, ['--no-optional-locks', 'status', '--porcelain'])
  return { commit, dirty: status === null ? null : status.trim() !== '' }
}

/** The SHA-1 (hex) and size in bytes of the file at `path`, read synchronously; `path` is kept as given. */
export function hashInputFile (path: string): InputFile {
  const data = readFileSync(path)
  return { path, sha1: createHash('sha1').update(data).digest('hex'), bytes: data.length }
}

/** The `version` field of `repoDir`/package.json; throws if it is missing. */
export function packageVersion (repoDir: string): string {
  const file = join(repoDir, 'package.json')
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'))
  const version = (parsed as { version?: unknown } | null)?.version
  if (typeof version !== 'string') throw new Error(`${file}: no "version" field`)
  return version
}

/** A complete Provenance for a run of the code in `repoDir`. */
export function buildProvenance (repoDir: string, run: {
  seed: string | number
  config: unknown
  inputs?: InputFile[]
  command?: string[]
}): Provenance {
  const out: Provenance = {
    tool: 'xest',
    packageVersion: packageVersion(repoDir),
    codeVersion: codeVersion(repoDir),
    seed: String(run.seed),
    config: run.config,
    inputs: run.inputs ?? []
  }
  if (run.command !== undefined) out.command = run.command
  return out
}

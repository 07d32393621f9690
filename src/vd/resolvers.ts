/**
 * Merge conflicts and the resolvers that settle them. A resolver looks at one conflict and answers
 * `ours`, `theirs`, `base`, a new entry (`{ entry }`, possibly built from both sides' bytes
 * through `ctx.storeFile`), or null (unresolved). Built-ins: `ours`, `theirs`, `newest` (the side
 * whose version is newer: an entry's mtime, a deletion's time is its side's snapshot time; a tie
 * goes to ours) and `fail`. Rules pick a resolver per path by glob, first match wins, `fail` when
 * none matches. Never performs I/O (objects a resolver stores go to the merge's staging store).
 */
import { globMatcher } from './glob.ts'
import type { MapEntry } from './map-entry.ts'
import type { ObjectStore } from './object-store.ts'

/**
 * `modify/modify`: both changed differently; `modify/delete`: ours changed, theirs deleted;
 * `delete/modify`: ours deleted, theirs changed (for a directory: something below it);
 * `add/add`: both added different content; `type`: file, directory or symlink on one side, a
 * different kind on the other.
 */
export type ConflictKind = 'modify/modify' | 'modify/delete' | 'delete/modify' | 'add/add' | 'type'

export type ResolutionSide = 'ours' | 'theirs' | 'base'

export interface Conflict {
  path: string
  kind: ConflictKind
  base: MapEntry | null
  ours: MapEntry | null
  theirs: MapEntry | null
  /**
   * The conflict is about whether `path` is a directory; its resolution (a side) also decides
   * every change below it, listed in `below`.
   */
  subtree: boolean
  below: string[]
  /** The resolver the rules chose. */
  resolver: string
  /** How it was settled; null while unresolved. */
  resolution: ResolutionSide | 'custom' | null
  /** The entry a resolver built (resolution `custom`; null deletes). */
  custom?: MapEntry | null
  /** Why it is unresolved (a resolver's error or refusal). */
  reason?: string
}

export interface ResolveContext {
  /** The merge's staging store: objects put here are written only if the whole merge succeeds. */
  store: ObjectStore
  oursTimeMs: number
  theirsTimeMs: number
  /** The bytes of a file or symlink entry. */
  read (entry: MapEntry): Uint8Array
  /** Stores bytes as a file and returns its entry. */
  storeFile (bytes: Uint8Array, mode: number, mtimeMs: number): MapEntry
}

export type ResolverAnswer = ResolutionSide | { entry: MapEntry | null } | null

export type Resolver = (conflict: Readonly<Conflict>, ctx: ResolveContext) => ResolverAnswer

export interface ResolveRule {
  pattern: string
  resolver: string
}

const BUILT_INS: Record<string, Resolver> = {
  ours: () => 'ours',
  theirs: () => 'theirs',
  fail: () => null,
  newest: (c, ctx) => {
    const oursMs = c.ours?.mtimeMs ?? ctx.oursTimeMs
    const theirsMs = c.theirs?.mtimeMs ?? ctx.theirsTimeMs
    return theirsMs > oursMs ? 'theirs' : 'ours'
  }
}

export class ResolverRegistry {
  readonly #resolvers = new Map<string, Resolver>(Object.entries(BUILT_INS))
  readonly #rules: Array<{ rule: ResolveRule, test: (path: string) => boolean }> = []

  /** Adds an application-specific resolver under `name` (built-in names cannot be replaced). */
  register (name: string, resolver: Resolver): this {
    if (name in BUILT_INS) throw new Error(`"${name}" is a built-in resolver`)
    if (!/^[A-Za-z0-9_.:-]+$/.test(name)) throw new Error(`bad resolver name "${name}"`)
    this.#resolvers.set(name, resolver)
    return this
  }

  /** Paths matching `pattern` go to `resolver` (rules are tried in the order added). */
  rule (pattern: string, resolver: string): this {
    if (!this.#resolvers.has(resolver)) throw new Error(`unknown resolver "${resolver}" (known: ${this.names().join(', ')})`)
    this.#rules.push({ rule: { pattern, resolver }, test: globMatcher(pattern) })
    return this
  }

  names (): string[] {
    return [...this.#resolvers.keys()]
  }

  get rules (): ResolveRule[] {
    return this.#rules.map((r) => r.rule)
  }

  /** The resolver name for `path`: the first matching rule's, else `fail`. */
  choose (path: string): string {
    return this.#rules.find((r) => r.test(path))?.rule.resolver ?? 'fail'
  }

  get (name: string): Resolver {
    const resolver = this.#resolvers.get(name)
    if (resolver === undefined) throw new Error(`unknown resolver "${name}"`)
    return resolver
  }
}

/** Parses `GLOB=RESOLVER` (the CLI's --resolve); the last '=' separates. */
export function parseRule (text: string): ResolveRule {
  const at = text.lastIndexOf('=')
  if (at <= 0 || at === text.length - 1) throw new Error(`--resolve "${text}": expected GLOB=RESOLVER`)
  return { pattern: text.slice(0, at), resolver: text.slice(at + 1) }
}

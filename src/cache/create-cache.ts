/**
 * Makes an ObjectCache of a named kind ('lru' or 'hac'), so the study can name the cache policy
 * in its configuration. HAC-only options are ignored for LRU. Throws a RangeError on an unknown
 * kind or bad sizes (from the constructors). No other logic.
 */
import { HacCache, type HacOptions } from './hac-cache.ts'
import { LruCache } from './lru-cache.ts'
import type { CacheKind, ObjectCache } from './object-cache.ts'

export const CACHE_KINDS: readonly CacheKind[] = ['lru', 'hac']

export function createCache (kind: CacheKind, options: HacOptions): ObjectCache {
  switch (kind) {
    case 'lru': return new LruCache(options)
    case 'hac': return new HacCache(options)
    default: throw new RangeError(`unknown cache kind ${String(kind)}; expected one of ${CACHE_KINDS.join(', ')}`)
  }
}

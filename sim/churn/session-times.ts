/**
 * Session-time sources for churn: how long a node stays up (or down) each time, in integer µs
 * (at least 1, at most MAX_SESSION_US). Random sources draw only from the Rng passed to each
 * call, so a run is reproduced from its seed; the file source replays measured lengths in order.
 * Never reads clocks, never uses Math.random, never does I/O (callers read the file).
 */
import type { Rng } from '../../src/env/rng.ts'

export interface SessionTimes {
  /** The next session length, integer µs in [1, MAX_SESSION_US]. */
  nextSessionUs (rng: Rng): number
  /** A short description for reports, e.g. "exponential(median 1h)". */
  describe (): string
}

/** Upper bound on a session, µs (2^50 µs ≈ 35.7 years), so heavy tails cannot overflow time. */
export const MAX_SESSION_US = 2 ** 50

const UNIT_US: Readonly<Record<string, number>> = {
  us: 1, µs: 1, ms: 1_000, s: 1_000_000, min: 60_000_000, h: 3_600_000_000
}
const DURATION = /^((?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*([a-zµ]*)$/i

/**
 * Parses a duration such as "90s", "1.4min", "3h", "250ms", "40us" into integer µs (rounded).
 * Units: us (or µs), ms, s, min, h; a bare number is seconds. Throws an Error naming the text
 * for anything else (negative, empty, unknown unit, too large).
 */
export function parseDuration (text: string): number {
  const trimmed = text.trim()
  const match = DURATION.exec(trimmed)
  const hint = 'expected a non-negative number with an optional unit us, ms, s, min or h (bare numbers are seconds)'
  if (match === null) throw new Error(`bad duration "${text}": ${hint}`)
  const unit = (match[2] ?? '').toLowerCase()
  const factor = unit === '' ? UNIT_US.s! : UNIT_US[unit]
  if (factor === undefined) throw new Error(`bad duration "${text}": unknown unit "${match[2]}"; ${hint}`)
  const us = Math.round(Number(match[1]) * factor)
  if (!Number.isSafeInteger(us)) throw new Error(`bad duration "${text}": too large`)
  return us
}

/** `us` µs as a short human-readable duration in the largest fitting unit, e.g. 90_000_000 → "1.5min". */
export function formatDurationUs (us: number): string {
  const abs = Math.abs(us)
  const [unit, factor] = abs >= 3_600_000_000
    ? ['h', 3_600_000_000]
    : abs >= 60_000_000 ? ['min', 60_000_000] : abs >= 1_000_000 ? ['s', 1_000_000] : abs >= 1_000 ? ['ms', 1_000] : ['us', 1]
  return `${String(Number((us / factor).toPrecision(6)))}${unit}`
}

function clampUs (us: number): number {
  return Math.min(MAX_SESSION_US, Math.max(1, Math.round(us)))
}

function checkMedian (medianUs: number): void {
  if (!(Number.isFinite(medianUs) && medianUs > 0)) throw new RangeError(`medianUs ${medianUs} must be a positive number of µs`)
}

/**
 * Exponentially distributed sessions (memoryless; Poisson departures) with median `medianUs`
 * µs, i.e. mean medianUs / ln 2.
 */
export function exponentialSessions (options: { medianUs: number }): SessionTimes {
  const { medianUs } = options
  checkMedian(medianUs)
  const meanUs = medianUs / Math.LN2
  return {
    nextSessionUs: (rng) => clampUs(-meanUs * Math.log(1 - rng.float())),
    describe: () => `exponential(median ${formatDurationUs(medianUs)})`
  }
}

/**
 * Pareto-distributed (heavy-tailed) sessions with median `medianUs` µs and shape α = `shape`
 * (> 1, so the mean is finite; default 2). The scale is x_m = medianUs / 2^(1/α); the mean is
 * α·x_m / (α − 1).
 */
export function paretoSessions (options: { medianUs: number, shape?: number }): SessionTimes {
  const { medianUs, shape = 2 } = options
  checkMedian(medianUs)
  if (!(Number.isFinite(shape) && shape > 1)) throw new RangeError(`Pareto shape ${shape} must be > 1`)
  const scaleUs = medianUs / 2 ** (1 / shape)
  return {
    nextSessionUs: (rng) => clampUs(scaleUs * (1 - rng.float()) ** (-1 / shape)),
    describe: () => `pareto(median ${formatDurationUs(medianUs)}, shape ${shape})`
  }
}

/**
 * Session lengths from a file's text (named `sourceName` in errors and descriptions): one
 * duration per line in `parseDuration` syntax (bare numbers are seconds); `#` starts a comment;
 * blank lines are skipped. Replays the lengths in file order, cycling; ignores the Rng. Throws
 * an Error "sourceName:line: …" for a bad line, or "sourceName: …" when there are no lengths.
 */
export function fileSessions (text: string, sourceName: string): SessionTimes {
  const lengthsUs: number[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    const hash = raw.indexOf('#')
    const line = (hash >= 0 ? raw.slice(0, hash) : raw).trim()
    if (line === '') return
    try {
      lengthsUs.push(clampUs(parseDuration(line)))
    } catch (err) {
      throw new Error(`${sourceName}:${i + 1}: ${(err as Error).message}`)
    }
  })
  if (lengthsUs.length === 0) throw new Error(`${sourceName}: no session lengths`)
  const sorted = [...lengthsUs].sort((a, b) => a - b)
  const medianUs = sorted[(sorted.length - 1) >> 1]!
  let next = 0
  return {
    nextSessionUs: () => {
      const us = lengthsUs[next]!
      next = (next + 1) % lengthsUs.length
      return us
    },
    describe: () => `file ${sourceName} (${lengthsUs.length} sessions, median ${formatDurationUs(medianUs)})`
  }
}

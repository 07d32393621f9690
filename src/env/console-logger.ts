/**
 * The real logger: one line per event on stderr, `ISO-time level event key=value ...`, or JSON
 * lines with `json: true`. Levels below `minLevel` are dropped.
 */
import type { LogLevel, Logger } from './logger.ts'

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 }

export class ConsoleLogger implements Logger {
  constructor (private readonly options: { minLevel?: LogLevel, json?: boolean } = {}) {}

  log (level: LogLevel, event: string, fields: Record<string, unknown> = {}): void {
    if (RANK[level] < RANK[this.options.minLevel ?? 'info']) return
    const time = new Date().toISOString()
    const line = this.options.json === true
      ? JSON.stringify({ time, level, event, ...fields }, jsonSafe)
      : `${time} ${level} ${event}` + Object.entries(fields).map(([k, v]) => ` ${k}=${format(v)}`).join('')
    process.stderr.write(line + '\n')
  }
}

function jsonSafe (_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value
}

function format (value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value
  if (typeof value === 'bigint') return value.toString()
  return JSON.stringify(value, jsonSafe) ?? String(value)
}

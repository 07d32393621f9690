/**
 * Structured logging, injected. Protocol code logs events with fields; the real logger writes
 * lines to stderr with a timestamp, the simulator's collects or discards them.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export interface Logger {
  log (level: LogLevel, event: string, fields?: Record<string, unknown>): void
}

/** A logger that discards everything. */
export const silentLogger: Logger = { log () {} }

/** A logger that keeps entries in memory (tests, simulator). */
export class MemoryLogger implements Logger {
  readonly entries: Array<{ level: LogLevel, event: string, fields: Record<string, unknown> }> = []
  log (level: LogLevel, event: string, fields: Record<string, unknown> = {}): void {
    this.entries.push({ level, event, fields })
  }
}

/**
 * The one error type of trace reading: it always names the file and where in it the problem is
 * (`file:line: message` for text formats, `file: byte N: message` for the binary format), so a
 * bad input is located without a debugger. Never thrown for I/O errors of the OS (those keep
 * their own code and are wrapped as `cause`).
 */

export class TraceFormatError extends Error {
  override name = 'TraceFormatError'
  readonly path: string
  /** 1-based line of a text trace, when the problem is on a line. */
  readonly line: number | undefined
  /** Byte offset in a binary trace, when the problem is at a byte. */
  readonly byteOffset: number | undefined

  constructor (message: string, path: string, line: number | undefined, byteOffset: number | undefined) {
    super(message)
    this.path = path
    this.line = line
    this.byteOffset = byteOffset
  }

  static atLine (path: string, line: number, message: string): TraceFormatError {
    return new TraceFormatError(`${path}:${line}: ${message}`, path, line, undefined)
  }

  static atByte (path: string, byteOffset: number, message: string): TraceFormatError {
    return new TraceFormatError(`${path}: byte ${byteOffset}: ${message}`, path, undefined, byteOffset)
  }

  static inFile (path: string, message: string): TraceFormatError {
    return new TraceFormatError(`${path}: ${message}`, path, undefined, undefined)
  }
}

/** Thrown by a line parser for a malformed line; the text reader adds the file and line number. */
export class LineError extends Error {
  override name = 'LineError'
}

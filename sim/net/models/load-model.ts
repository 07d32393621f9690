/**
 * Loads a network model from a topology file: reads the bytes once (synchronously), records the
 * file's SHA-1 for the run's provenance, sniffs the format and hands the text to its parser. The
 * only module under sim/net/models that does I/O; it never writes, never caches, never falls
 * back to another model when a file is missing or malformed (it throws).
 */
import { readFileSync } from 'node:fs'
import { sha1, toHex } from '../../../src/ids/sha1.ts'
import type { InputFile, NetworkModel } from '../network-model.ts'
import { parseOverSimNodes } from './coordinate-model.ts'
import { type LatencyValues, parseKingTopology, parsePlainMatrix } from './matrix-model.ts'

export interface LoadNetworkModelOptions {
  /**
   * How a matrix file's latency values are read (King and plain matrices; OverSim coordinates
   * are one-way ms by definition and ignore this). @default 'rtt'
   */
  values?: LatencyValues
}

/** A model and the file it came from. */
export interface LoadedNetworkModel {
  model: NetworkModel
  input: InputFile
}

/** The topology file formats loadNetworkModel recognises. */
export type NetworkModelFormat = 'king' | 'oversim' | 'matrix'

/**
 * The format of a topology text: `topology E2EGraph` first → King (p2psim E2EGraph); contains
 * `<nodelist` → OverSim node coordinates; otherwise a plain matrix.
 */
export function sniffNetworkModelFormat (text: string): NetworkModelFormat {
  if (/^\s*topology\s+E2EGraph\b/.test(text)) return 'king'
  if (text.includes('<nodelist')) return 'oversim'
  return 'matrix'
}

/**
 * Reads and parses the topology file at `path` (King E2EGraph, OverSim XML or plain matrix).
 * `input.path` is `path` as given; `input.sha1` is the hex SHA-1 of the file's bytes.
 * @throws Error naming the path when the file cannot be read; ModelParseError (whose source is
 *   `path`) when it does not parse.
 */
export function loadNetworkModel (path: string, options: LoadNetworkModelOptions = {}): LoadedNetworkModel {
  let bytes: Buffer
  try {
    bytes = readFileSync(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message
    throw new Error(`cannot read network model file ${path}: ${reason}`, { cause: error })
  }
  const input: InputFile = { path, sha1: toHex(sha1(bytes)), bytes: bytes.byteLength }
  let text = bytes.toString('utf8')
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  const values = options.values ?? 'rtt'
  switch (sniffNetworkModelFormat(text)) {
    case 'king': return { model: parseKingTopology(text, path, { values }), input }
    case 'oversim': return { model: parseOverSimNodes(text, path), input }
    case 'matrix': return { model: parsePlainMatrix(text, path, { values }), input }
  }
}

/** Implementation of `xest id`. */
import { parseAddress } from '../../../ids/node-address.ts'
import { idToHex, nodeIdOf } from '../../../ids/node-id.ts'
import { UsageError } from '../../handle-errors.ts'

export function runId (text: string): string {
  const address = parseAddress(text)
  if (address === null) throw new UsageError(`not an address: '${text}' (expected HOST:PORT, e.g. 127.0.0.1:5850)`)
  return idToHex(nodeIdOf(address))
}

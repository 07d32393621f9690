/** Implementation of `xest wire decode`: framing, header fields and the decoded message. */
import { readFile } from 'node:fs/promises'
import { fromHex } from '../../../ids/sha1.ts'
import { decodeMessage } from '../../../wire/codec.ts'
import { parseDatagram, seqAttempt, seqMsgId } from '../../../wire/datagram.ts'
import { UsageError } from '../../handle-errors.ts'
import { toJson } from '../../json.ts'

export async function runWireDecode (text: string, macKeyFile?: string): Promise<string> {
  const bytes = fromHex(text.replace(/[|:]/g, ''))
  if (bytes === null) throw new UsageError('not hex: give the datagram as hex digits (spaces and | are ignored)')
  const macKey = macKeyFile === undefined ? null : await readMacKey(macKeyFile)
  const parsed = parseDatagram(bytes, macKey)
  if (!parsed.ok) throw new Error(`not a UdpCC datagram (${parsed.reason}): ${parsed.detail}`)
  const d = parsed.datagram
  if (d.kind === 'ack') {
    return toJson({ kind: 'pure-ack', bytes: bytes.length, version: d.version, seq: hexSeq(d.seq), msgId: seqMsgId(d.seq), attempt: seqAttempt(d.seq) })
  }
  const h = d.header
  const header = {
    version: d.version,
    ack: h.ack === -1n ? null : { seq: hexSeq(h.ack), msgId: seqMsgId(h.ack), attempt: seqAttempt(h.ack) },
    seq: h.seq === -1n ? null : { seq: hexSeq(h.seq), msgId: seqMsgId(h.seq), attempt: seqAttempt(h.seq) },
    reliable: h.seq !== -1n,
    waitMs: h.waitMs,
    estRttMs: h.estRttMs
  }
  const decoded = decodeMessage(d.body)
  if (!decoded.ok) {
    process.exitCode = 1
    return toJson({ kind: 'data', bytes: bytes.length, header, bodyBytes: d.body.length, error: decoded.error })
  }
  return toJson({ kind: 'data', bytes: bytes.length, header, message: decoded.value, trailingBytes: decoded.trailingBytes })
}

function hexSeq (seq: bigint): string {
  return '0x' + BigInt.asUintN(64, seq).toString(16)
}

async function readMacKey (file: string): Promise<Uint8Array> {
  const key = new Uint8Array(await readFile(file))
  if (key.length < 20) throw new UsageError(`MAC key file ${file} holds ${key.length} bytes; 20 are needed`)
  return key.subarray(0, 20)
}

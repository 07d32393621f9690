import test from 'ava'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LevelTupleLog } from '../src/dht/level-tuple-log.ts'
import { inRangeMod } from '../src/dht/shared-ranges.ts'
import { MAX_GET_RESP_BYTES, TupleStore } from '../src/dht/tuple-store.ts'
import { compareTuples, decodeKey, encodeKey, expiryUsec, guidOfKey, makePut, makeRemove, ttlRemainingS, type Tuple } from '../src/dht/tuple.ts'
import { silentLogger } from '../src/env/logger.ts'
import { SeededRng } from '../src/env/rng.ts'
import { sha1 } from '../src/ids/sha1.ts'

const IP = Uint8Array.from([10, 0, 0, 1])
const text = (s: string) => new TextEncoder().encode(s)
const S = 1_000_000n

function put (value: string, atS: number, ttlS = 3600, secret: string | null = null, key = 'k'): Tuple {
  return makePut({ timeUsec: BigInt(atS) * S, ttlS, guid: guidOfKey(text(key)), value: text(value), secretHash: secret === null ? null : sha1(secret), clientIp: IP })
}

function remove (value: string, atS: number, secret: string, ttlS = 3600, key = 'k'): Tuple {
  return makeRemove({ timeUsec: BigInt(atS) * S, ttlS, guid: guidOfKey(text(key)), valueHash: sha1(value), secret: text(secret), clientIp: IP })
}

const values = (ts: Tuple[]) => ts.map((t) => new TextDecoder().decode(t.data))

test('keys are big-endian integers left-padded to 160 bits; longer keys and TTLs are refused or capped', (t) => {
  t.is(guidOfKey(Uint8Array.from([1, 2])), 0x0102n)
  t.throws(() => guidOfKey(new Uint8Array(21)), { message: /longer than 20 bytes/ })
  t.is(put('v', 0, 10 * 604_800).ttlS, 604_800)
})

test('a key holds a set of values in put-time order; a re-put keeps the later expiry; expired values vanish', (t) => {
  const store = new TupleStore()
  t.is(store.apply(put('b', 2), 10n * S), 'stored')
  t.is(store.apply(put('a', 1), 10n * S), 'stored')
  t.is(store.apply(put('a', 1), 10n * S), 'duplicate')
  t.is(store.apply(put('a', 5), 10n * S), 'refreshed', 'same value, later put: the later expiry wins')
  t.deepEqual(values(store.read(guidOfKey(text('k')), null, 100, 10n * S).tuples), ['b', 'a'])
  t.is(store.apply(put('old', 0, 5), 10n * S), 'expired')
  t.deepEqual(values(store.read(guidOfKey(text('k')), null, 100, 3604n * S).tuples), ['a'], 'b expired at 3602 s')
  t.is(store.expire(3604n * S), 1)
  t.is(store.size, 1)
})

test('rm needs the secret: a tombstone deletes the put and suppresses later copies until it expires', (t) => {
  const store = new TupleStore()
  store.apply(put('blue', 1, 3600, 'donttell'), 2n * S)
  store.apply(put('red', 1), 2n * S)
  t.is(store.apply({ ...remove('blue', 3, 'wrong'), secretHash: sha1('donttell') }, 4n * S), 'invalid', 'a secret that does not hash to the secret hash')
  t.is(store.apply(remove('blue', 3, 'wrong'), 4n * S), 'stored', 'a tombstone for a different secret hash is stored but removes nothing')
  t.deepEqual(values(store.read(guidOfKey(text('k')), null, 100, 4n * S).tuples), ['blue', 'red'])
  t.is(store.apply(remove('blue', 3, 'donttell'), 4n * S), 'stored')
  t.deepEqual(values(store.read(guidOfKey(text('k')), null, 100, 4n * S).tuples), ['red'])
  t.is(store.apply(put('blue', 1, 3600, 'donttell'), 5n * S), 'suppressed', 'a replica re-sending the old put cannot resurrect it')
})

test('reads page after a placemark, at most ~1 KiB and maxValues per answer, with no value skipped or repeated', (t) => {
  const store = new TupleStore()
  for (let i = 0; i < 40; i++) store.apply(put(`${i}:`.padEnd(100, 'x'), i), 50n * S)
  const seen: string[] = []
  let after: Tuple | null = null
  let pages = 0
  for (;;) {
    const page = store.read(guidOfKey(text('k')), after, 1000, 50n * S)
    pages++
    const bytes = page.tuples.reduce((s, x) => s + x.data.length + 39, 0)
    t.true(bytes <= MAX_GET_RESP_BYTES)
    seen.push(...values(page.tuples))
    if (!page.more) break
    after = decodeKey(encodeKey(page.tuples.at(-1)!))
  }
  t.is(seen.length, 40)
  t.is(new Set(seen).size, 40)
  t.is(pages, 6, 'seven 139-byte GetValues fit in 1,063 bytes')
  t.is(store.read(guidOfKey(text('k')), null, 3, 50n * S).tuples.length, 3)
})

test('a Key on the wire is 57 bytes, or 77 with a secret hash; the client placemark is the 77-byte on-disk form; both order like Key.compareTo', (t) => {
  const plain = put('v', 7)
  const secret = put('v', 7, 60, 's')
  t.is(encodeKey(plain).length, 57)
  t.is(encodeKey(secret).length, 77)
  t.is(encodeKey(secret)[0]! & 0x80, 0x80, 'top bit of time_usec flags the secret hash')
  const back = decodeKey(encodeKey(secret))!
  t.is(compareTuples(back, secret), 0)
  t.is(ttlRemainingS(secret, 8n * S), 59)
  t.is(decodeKey(new Uint8Array(56)), null)
  const disk = encodeKey(plain, true)
  t.is(disk.length, 77, 'Key.to_byte_buffer always writes the secret hash')
  t.is(disk[0]! & 0x80, 0, 'and no flag bit')
  t.deepEqual(disk.subarray(32, 52), new Uint8Array(20))
  t.is(compareTuples(decodeKey(disk, true)!, plain), 0)
  t.is(compareTuples(decodeKey(encodeKey(secret, true), true)!, secret), 0)
  t.is(decodeKey(encodeKey(plain), true), null, 'a 57-byte wire Key is not an on-disk Key')
  t.true(compareTuples(put('v', 1), put('v', 2)) < 0)
  t.true(compareTuples(remove('v', 1, 's'), { ...remove('v', 1, 's'), put: true }) < 0, 'removes sort before puts')
})

test('LevelDB log: a reopened store holds exactly the live tuples it had', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xest-level-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const first = new TupleStore()
  const log = await LevelTupleLog.open(dir, silentLogger)
  await log.attach(first, 0n)
  for (let i = 0; i < 50; i++) first.apply(put(`v${i}`, 1, i < 10 ? 5 : 3600, i % 2 === 0 ? 'sec' : null, `key${i % 5}`), 2n * S)
  first.apply(remove('v20', 3, 'sec', 3600, 'key0'), 4n * S)
  await log.close()
  t.is(log.stats.failures, 0)

  const second = new TupleStore()
  const reopened = await LevelTupleLog.open(dir, silentLogger)
  const loaded = await reopened.attach(second, 10n * S)
  t.is(loaded, 40, '39 live puts (v20 removed) and the tombstone; the 10 short-lived puts expired while down')
  const live = (s: TupleStore) => s.tuples().map((x) => `${x.guid}:${new TextDecoder().decode(x.data)}:${x.put}`).sort()
  const firstLive = new TupleStore()
  for (const x of first.tuples()) firstLive.apply(x, 10n * S)
  t.deepEqual(live(second), live(firstLive))
  await reopened.close()
})

test('expire drops exactly what has expired, in any mix of refreshes, deletes and removes (checked against a full scan)', (t) => {
  const store = new TupleStore()
  const rng = new SeededRng('dht-store/expire')
  const live = new Map<string, Tuple>()
  let nowS = 10
  for (let step = 0; step < 3000; step++) {
    nowS += rng.int(3)
    const value = `v${rng.int(200)}`
    const key = `k${rng.int(20)}`
    const roll = rng.int(10)
    if (roll < 6) store.apply(put(value, nowS, 1 + rng.int(600), null, key), BigInt(nowS) * S)
    else if (roll < 7) { const victim = [...live.values()][rng.int(Math.max(1, live.size))]; if (victim !== undefined) store.delete(victim) }
    else if (roll < 8) store.apply(put(value, nowS, 1 + rng.int(600), 'secret', key), BigInt(nowS) * S)
    else if (roll < 9) store.apply(remove(value, nowS, 'secret', 1 + rng.int(600), key), BigInt(nowS) * S)
    else {
      const nowUsec = BigInt(nowS) * S
      const due = store.tuples().filter((x) => expiryUsec(x) <= nowUsec).length
      t.is(store.expire(nowUsec), due, `step ${step}`)
      t.true(store.tuples().every((x) => expiryUsec(x) > nowUsec))
    }
    live.clear()
    for (const x of store.tuples()) live.set(`${live.size}`, x)
  }
})

test('liveInRange keeps exactly the unexpired tuples of a range and their soonest expiry, to the µs, at times doubles cannot hold exactly', (t) => {
  const rng = new SeededRng('dht-store/live-in-range')
  for (const baseUsec of [1_767_000_000n * S, (1n << 62n) + 12_345n, (1n << 63n) - 10_000_000n * S]) {
    const store = new TupleStore()
    const nowUsec = baseUsec + 1000n * S
    const tuples: Tuple[] = []
    for (let i = 0; i < 400; i++) {
      const ttlS = 1 + rng.int(2000)
      // Expiries within a few µs of now, and of one another, where a double rounds by up to 2 ms.
      const timeUsec = nowUsec - BigInt(ttlS) * S + BigInt(rng.int(9) - 4) * (i % 3 === 0 ? 1n : 1000n)
      const tuple = makePut({ timeUsec, ttlS, guid: guidOfKey(text(`k${rng.int(60)}`)), value: text(`v${i}`), secretHash: null, clientIp: IP })
      if (store.apply(tuple, timeUsec) === 'stored') tuples.push(tuple)
    }
    const range = { low: guidOfKey(text('k2')), high: guidOfKey(text('k5')) }
    const inRange = (x: Tuple) => inRangeMod(range, x.guid)
    const expected = tuples.filter((x) => inRange(x) && expiryUsec(x) > nowUsec)
    const { tuples: live, soonestExpiryUsec } = store.liveInRange(range, nowUsec)
    t.true(expected.length > 10 && expected.length < tuples.filter(inRange).length, 'some tuples of the range expired, some did not')
    t.deepEqual(values(live).sort(), values(expected).sort(), `at ${baseUsec}`)
    t.is(soonestExpiryUsec, expected.map(expiryUsec).reduce((a, b) => (b < a ? b : a)))
  }
})

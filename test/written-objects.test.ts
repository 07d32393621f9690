import test from 'ava'
import { WrittenObjects } from '../sim/study/written-objects.ts'
import { idHex } from '../src/fetch/object-id-hex.ts'
import { sha1, toHex } from '../src/ids/sha1.ts'

const CATALOG = Array.from({ length: 200_000 }, (_, i) => sha1(`object ${i}`))

test('records where each version is, first-write order and every write in order', (t) => {
  const w = new WrittenObjects(0, CATALOG)
  t.false(w.any)
  t.is(w.hostOf(7), -1)
  w.write(7, 2)
  w.write(3, 2)
  w.write(7, 5)
  w.moved(3, 4)
  t.true(w.any)
  t.deepEqual(w.firstWritten, [7, 3])
  t.deepEqual(w.log, [7, 3, 7])
  t.is(w.hostOf(7), 5)
  t.is(w.hostOf(3), 4)
  t.is(w.lastWriteAt(7), 2)
  t.is(w.lastWriteAt(3), 1)
  t.is(w.lastWriteAt(199_999), -1)
})

test('versions get distinct ids, per VM and object, stable across calls, keyed by their hex', (t) => {
  const a = new WrittenObjects(0, CATALOG)
  const b = new WrittenObjects(1, CATALOG)
  const seen = new Set<string>(CATALOG.map(toHex))
  for (const w of [a, b]) {
    for (const i of [0, 1, 2, 99_999, 199_999]) {
      t.is(w.id(i), w.id(i))
      t.is(w.id(i).length, 20)
      t.is(w.key(i), idHex(w.id(i)))
      t.is(w.key(i), toHex(w.id(i)))
      t.false(seen.has(w.key(i)), 'never an image object id nor another version')
      seen.add(w.key(i))
    }
  }
})

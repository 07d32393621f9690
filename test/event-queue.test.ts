import test from 'ava'
import { EventQueue } from '../sim/event-queue.ts'
import { SimClock } from '../sim/sim-clock.ts'
import { SeededRng } from '../src/env/rng.ts'

test('events run in (time, sequence) order; ties are FIFO', (t) => {
  const q = new EventQueue()
  const order: string[] = []
  q.schedule(20, 0, () => order.push('b'))
  q.schedule(10, 0, () => order.push('a'))
  q.schedule(20, 0, () => order.push('c'))
  q.schedule(5, 1, () => { order.push('x'); q.schedule(20, 1, () => order.push('d')) })
  q.run()
  t.deepEqual(order, ['x', 'a', 'b', 'c', 'd'])
  t.is(q.nowUs, 20)
})

test('cancel, crash of an owner, run limits', (t) => {
  const q = new EventQueue()
  const fired: number[] = []
  const h = q.schedule(10, 0, () => fired.push(1))
  q.schedule(20, 1, () => fired.push(2))
  q.schedule(30, 2, () => fired.push(3))
  q.schedule(40, 2, () => fired.push(4))
  h.cancel()
  h.cancel()
  q.cancelOwner(2)
  t.is(q.run({ timeUsMax: 25 }), 1)
  t.is(q.nowUs, 25)
  q.schedule(50, 2, () => fired.push(5))
  q.run()
  t.deepEqual(fired, [2, 5], 'cancelled and crashed-owner events never run; later ones do')
  t.is(q.pending, 0)
})

test('a heap with 200,000 pending events pops in order (against a sorted reference)', (t) => {
  const q = new EventQueue()
  const rng = new SeededRng('heap')
  const times: number[] = []
  const got: number[] = []
  for (let i = 0; i < 200_000; i++) {
    const time = rng.int(1_000_000)
    times.push(time)
    q.schedule(time, i % 7, () => got.push(time))
  }
  q.run()
  times.sort((a, b) => a - b)
  t.deepEqual(got, times)
})

test('SimClock: epoch-based milliseconds, zero-delay timers run after the current event', (t) => {
  const q = new EventQueue()
  const clock = new SimClock(q, 0, 1000)
  const order: string[] = []
  clock.setTimer(1.5, () => { order.push(`t1@${clock.nowMs()}`) })
  clock.setTimer(0, () => {
    clock.setTimer(0, () => order.push('inner'))
    order.push('outer')
  })
  q.run()
  t.deepEqual(order, ['outer', 'inner', 't1@1001.5'])
})

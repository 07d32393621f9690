import test from 'ava'
import { Churn } from '../sim/churn/churn.ts'
import { exponentialSessions, paretoSessions } from '../sim/churn/session-times.ts'
import { World, type NodeFactory } from '../sim/world.ts'
import { tableModel } from './support/table-model.ts'

const MODEL = tableModel([[0, 10], [10, 0]])
const minute = 60e6
const idle: NodeFactory = () => undefined

function populated (count: number, seed = 'churn') {
  const world = new World({ seed, model: MODEL })
  for (let i = 0; i < count; i++) world.addNode({ factory: idle })
  for (let i = 0; i < count; i++) world.start(i)
  return world
}

test('replace mode: departures follow the session median and the population stays constant', (t) => {
  const world = populated(1000)
  let spawned = 0
  const churn = new Churn(world, { sessions: exponentialSessions({ medianUs: 1.4 * minute }), mode: 'replace' }, (departed) => {
    const fresh = world.addNode({ host: world.network.hostOf(departed), factory: idle })
    world.start(fresh)
    spawned++
    return fresh
  })
  churn.start(world.upNodes())
  const upSamples: number[] = []
  for (let m = 1; m <= 30; m++) {
    world.run({ untilUs: m * minute })
    upSamples.push(world.upNodes().length)
  }
  t.true(upSamples.every((n) => n === 1000), 'a replacement arrives the moment a node leaves')
  // Exponential sessions, mean = median / ln 2: 1000 nodes leave at 1000 · ln 2 / 1.4 min ≈ 495 per minute.
  const perMinute = churn.stats.departures / 30
  t.true(Math.abs(perMinute - 495) < 25, `${perMinute.toFixed(1)} departures per minute`)
  t.is(spawned, churn.stats.departures)
  t.is(world.nodeCount, 1000 + spawned)
})

test('restart mode: nodes come back; the up fraction matches session/(session+downtime)', (t) => {
  const world = populated(400, 'restart')
  // Mean up 2 min and mean down 1 min (medians scaled by ln 2): two thirds up in the steady state.
  const churn = new Churn(world, {
    sessions: exponentialSessions({ medianUs: 2 * minute * Math.LN2 }),
    downtimes: exponentialSessions({ medianUs: minute * Math.LN2 }),
    mode: 'restart'
  })
  churn.start(world.upNodes())
  let upSum = 0
  for (let m = 10; m < 70; m++) {
    world.run({ untilUs: m * minute })
    upSum += world.upNodes().length
  }
  const upFraction = upSum / 60 / 400
  t.true(Math.abs(upFraction - 2 / 3) < 0.03, `up fraction ${upFraction.toFixed(3)}`)
  t.is(world.nodeCount, 400, 'restart keeps the node set')
  t.true(churn.stats.arrivals > 0 && churn.stats.arrivals <= churn.stats.departures)
})

test('churn stops at untilUs and is reproducible from the seed', (t) => {
  const run = (seed: string) => {
    const world = populated(50, seed)
    const churn = new Churn(world, { sessions: paretoSessions({ medianUs: minute }), mode: 'restart', untilUs: 10 * minute, departure: 'stop' })
    churn.start(world.upNodes())
    world.run({ untilUs: 10 * minute })
    const atStop = { ...churn.stats }
    world.run({ untilUs: 60 * minute })
    return { atStop, after: churn.stats, up: world.upNodes().join(',') }
  }
  const a = run('x')
  t.deepEqual(a.atStop, a.after, 'nothing happens after untilUs')
  t.deepEqual(run('x'), a)
  t.notDeepEqual(run('y'), a)
})

test('replace mode without a spawn function is a programmer error', (t) => {
  t.throws(() => new Churn(populated(2), { sessions: exponentialSessions({ medianUs: minute }), mode: 'replace' }), { message: /needs a spawn function/ })
})

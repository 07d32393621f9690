import test from 'ava'
import { StalledRunError, World, type NodeContext } from '../sim/world.ts'
import { tableModel } from './support/table-model.ts'

const MODEL = tableModel([[0, 10], [10, 0]])

function echoWorld (seed = 'w') {
  const world = new World({ seed, model: MODEL })
  const received: string[] = []
  const contexts: NodeContext[] = []
  const factory = (ctx: NodeContext) => {
    contexts.push(ctx)
    ctx.env.port.setReceiver((source, bytes) => {
      received.push(`${ctx.node}<-${source.host}:${bytes[0]}@${world.nowUs}`)
    })
    const tick = ctx.env.clock.setTimer(1, () => received.push(`${ctx.node} timer@${world.nowUs}`))
    return { stop: () => { received.push(`${ctx.node} stop`); tick.cancel() } }
  }
  const a = world.addNode({ factory })
  const b = world.addNode({ factory })
  return { world, received, contexts, a, b }
}

test('life cycle: start, graceful stop, crash, restart with storage kept and a new Rng', (t) => {
  const { world, received, contexts, a, b } = echoWorld()
  world.start(a)
  world.start(b)
  t.deepEqual([world.state(a), world.state(b)], ['up', 'up'])
  contexts[0]!.storage.set('k', 'v')
  contexts[0]!.env.port.send(world.address(b), new Uint8Array([1]))
  world.run({ untilUs: 20_000 })
  t.deepEqual(received, ['0 timer@1000', '1 timer@1000', '1<-10.0.0.1:1@10000'])
  received.length = 0

  world.stop(b)
  t.deepEqual(received, ['1 stop'])
  world.crash(a)
  t.is(world.state(a), 'crashed')
  world.start(a)
  const restarted = contexts[2]!
  t.is(restarted.incarnation, 1)
  t.is(restarted.storage.get('k'), 'v', 'storage survives a crash')
  t.not(restarted.env.rng.float(), contexts[0]!.env.rng.float(), 'each incarnation draws from its own Rng')
  t.deepEqual(world.upNodes(), [0])
})

test('a crash cancels the node\'s timers and drops datagrams in flight to it, even across a quick restart', (t) => {
  const { world, received, contexts, a, b } = echoWorld()
  world.start(a)
  world.start(b)
  contexts[0]!.env.port.send(world.address(b), new Uint8Array([1]))
  world.run({ untilUs: 500 })
  world.crash(b)
  world.start(b) // back before the datagram would arrive at 10 ms
  world.run({ untilUs: 50_000 })
  t.deepEqual(received, ['0 timer@1000', '1 timer@1500'], 'the old timer and the in-flight datagram are gone; the new incarnation\'s timer runs')
})

test('run: stops when done() holds, and fails loudly when events run out first', (t) => {
  const { world, a } = echoWorld()
  world.start(a)
  let fired = 0
  world.after(5000, () => fired++)
  const status = world.run({ done: () => fired === 1 })
  t.is(status.nowUs, 5000)
  const error = t.throws(() => world.run({ done: () => fired === 2 }), { instanceOf: StalledRunError })
  t.regex(error.message, /no events left at t=5000 µs but the workload is not done \(seed=w\)/)
})

test('run: untilUs leaves the clock exactly there; progress is reported', (t) => {
  const world = new World({ seed: 'p', model: MODEL })
  const tick = (): void => { world.after(10, tick) }
  tick()
  const seen: number[] = []
  const status = world.run({ untilUs: 1_000_000, progress: (s) => seen.push(s.executed), progressEveryEvents: 25_000 })
  t.is(status.nowUs, 1_000_000)
  t.deepEqual(seen, [25_000, 50_000, 75_000, 100_000])
})

test('two worlds with one seed run identically; another seed differs', (t) => {
  const trace = (seed: string) => {
    const world = new World({ seed, model: MODEL })
    for (let i = 0; i < 20; i++) {
      world.addNode({
        factory: (ctx) => {
          const loop = (): void => {
            const peer = ctx.env.rng.int(20)
            ctx.env.port.send(world.address(peer), new Uint8Array([ctx.node]))
            ctx.env.clock.setTimer(ctx.env.rng.float() * 100, loop)
          }
          loop()
          return undefined
        }
      })
    }
    for (let i = 0; i < 20; i++) world.start(i)
    world.run({ untilUs: 2_000_000 })
    return `${world.queue.executed}:${world.queue.traceHash}:${world.network.stats.delivered}`
  }
  t.is(trace('s1'), trace('s1'))
  t.not(trace('s1'), trace('s2'))
})

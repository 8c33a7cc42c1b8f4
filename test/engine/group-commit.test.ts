/**
 * Group commit (sync 'batch') acknowledges a write only once it is durable:
 * at the moment each put resolves, a power loss must keep it, while writes
 * keep arriving during the syncs (the next group gathers meanwhile).
 */
import test from 'ava'
import {createStore, open} from '../../src/index.js'
import {FaultFileSystem} from '../../src/vfs/fault-fs.js'

const DIR = '/root/db'

test('every put of sync batch is durable when it resolves, while later groups gather', async (t) => {
  const fs = new FaultFileSystem()
  fs.mkdir('/root')
  fs.syncDir('/')
  await createStore(DIR, {fs, shards: 3})
  const store = await open(DIR, {fs, sync: 'batch'})
  const acked: string[] = []
  const images: Array<{image: FaultFileSystem; keys: string[]}> = []
  const syncsBefore = fs.callsOf('sync')
  const writer = async (w: number): Promise<void> => {
    for (let i = 0; i < 12; i++) {
      // Writers arrive at different turns of the event loop, so some arrive while a group syncs.
      for (let turn = 0; turn < (w * 7 + i) % 3; turn++) await new Promise<void>((resolve) => setImmediate(resolve))
      const key = `w${w}:${i}`
      await store.put(key, `value ${key}`)
      acked.push(key)
      // What a power loss at this instant would leave (checked below, after the run).
      if (i % 4 === 3) images.push({image: fs.crashImage({mode: 'garbage', seed: images.length}), keys: [...acked]})
    }
  }
  await Promise.all(Array.from({length: 16}, (_, w) => writer(w)))
  const syncs = fs.callsOf('sync') - syncsBefore
  await store.close()
  t.is(acked.length, 16 * 12)
  t.true(syncs < acked.length, `${syncs} WAL syncs for ${acked.length} writes: they were grouped`)
  t.is(images.length, 16 * 3)
  for (const {image, keys} of images) {
    const r = await open(DIR, {fs: image})
    const missing = keys.filter((k) => r.getSync(k)?.value.toString() !== `value ${k}`)
    await r.close()
    t.deepEqual(missing, [], `a power loss after ${keys.length} acknowledged writes keeps them all`)
  }
})

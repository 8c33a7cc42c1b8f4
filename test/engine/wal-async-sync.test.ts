/**
 * The WAL's asynchronous sync (group commit's path): what it makes durable,
 * that the descriptor it syncs outlives a park or close made meanwhile, and
 * that its failure is fail-stop like the synchronous sync's. On the
 * fault-injecting filesystem, whose asynchronous sync fails with EBADF when
 * its handle is closed before it settles, as a real descriptor would.
 */
import test from 'ava'
import {WalWriter} from '../../src/wal/writer.js'
import {decodeWal} from '../../src/wal/reader.js'
import {FaultFileSystem} from '../../src/vfs/fault-fs.js'
import {OpenFiles} from '../../src/vfs/open-files.js'
import {Kind, type Entry} from '../../src/record/format.js'

const PATH = '/db/000001.wal'

function freshFs(): FaultFileSystem {
  const fs = new FaultFileSystem()
  fs.mkdir('/db')
  fs.syncDir('/')
  return fs
}

function put(seq: number, key: string): Entry[] {
  return [{kind: Kind.PUT, seq, key: Buffer.from(key), value: Buffer.from(`value of ${key}`)}]
}

/** The keys a power loss now would leave in the WAL (unsynced tails dropped). */
function durableKeys(fs: FaultFileSystem): string[] {
  const image = fs.crashImage({mode: 'drop'})
  image.syncDir('/db')
  return decodeWal(image.readFile(PATH), PATH).batches.flatMap((b) => b.entries.map((e) => e.key.toString()))
}

test('an asynchronous sync makes durable what was appended before it, not what was appended while it ran', async (t) => {
  const fs = freshFs()
  const w = WalWriter.create(fs, PATH, 0)
  fs.syncDir('/db')
  w.appendBatch(put(1, 'a'))
  const pending = w.syncAsync()
  w.appendBatch(put(2, 'b'))
  await pending
  t.deepEqual(durableKeys(fs), ['a'])
  const syncs = fs.callsOf('sync')
  await w.syncAsync()
  t.is(fs.callsOf('sync'), syncs + 1, 'the later append still needed a sync')
  t.deepEqual(durableKeys(fs), ['a', 'b'])
  await w.syncAsync()
  t.is(fs.callsOf('sync'), syncs + 1, 'nothing left to sync: no call')
  w.close()
})

test('closing or parking the writer while its asynchronous sync runs closes the descriptor only once the sync settles', async (t) => {
  for (const giveUp of ['close', 'park'] as const) {
    const fs = freshFs()
    const files = new OpenFiles(16)
    const w = WalWriter.create(fs, PATH, 0, files)
    fs.syncDir('/db')
    w.appendBatch(put(1, 'a'))
    const pending = w.syncAsync()
    if (giveUp === 'close') w.close()
    else t.true(w.park(), 'a synced writer parks')
    t.is(fs.callsOf('writeClose'), 0, `${giveUp}: the descriptor is still open`)
    await t.notThrowsAsync(pending, `${giveUp}: the sync settles without EBADF`)
    t.is(fs.callsOf('writeClose'), 1, `${giveUp}: then it is closed`)
    t.deepEqual(durableKeys(fs), ['a'])
    if (giveUp === 'park') {
      // The parked writer reopens its file by path for the next append.
      w.appendBatch(put(2, 'b'))
      await w.syncAsync()
      t.deepEqual(durableKeys(fs), ['a', 'b'])
      w.close()
      t.is(fs.callsOf('writeClose'), 2)
    }
  }
})

test('a failed asynchronous sync fails every later sync, asynchronous or not', async (t) => {
  const fs = freshFs()
  const w = WalWriter.create(fs, PATH, 0)
  fs.syncDir('/db')
  w.appendBatch(put(1, 'a'))
  fs.injectFault({at: 1, kinds: ['sync'], code: 'EIO'})
  const err = await t.throwsAsync(w.syncAsync())
  t.is((err as NodeJS.ErrnoException).code, 'EIO')
  fs.clearFaults()
  w.appendBatch(put(2, 'b'))
  const again = await t.throwsAsync(w.syncAsync())
  t.is(again, err)
  t.throws(() => w.sync(), {is: err})
  w.close()
})

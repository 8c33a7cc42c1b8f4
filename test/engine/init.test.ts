import test from 'ava'
import {createStore, open, verifyStore, ErrorCode, StrataError} from '../../src/index.js'
import {FaultFileSystem, MUTATING_KINDS, type CrashMode} from '../../src/vfs/fault-fs.js'

const DIR = '/root/db'

function freshFs(): FaultFileSystem {
  const fs = new FaultFileSystem()
  fs.mkdir('/root')
  fs.syncDir('/')
  return fs
}

/** The mutating filesystem calls one createStore makes. */
async function countInitCalls(): Promise<number> {
  const fs = freshFs()
  let n = 0
  fs.onCall = (kind) => void (MUTATING_KINDS.has(kind) && n++)
  await createStore(DIR, {fs, shards: 2})
  return n
}

test('an init cut by a crash before any of its steps is finished by the next init, never refused', async (t) => {
  const n = await countInitCalls()
  t.true(n >= 20, `init makes ${n} mutating calls`)
  let restarted = 0
  let alreadyDone = 0
  for (let k = 1; k <= n; k++) {
    for (const mode of ['drop', 'none', 'mixed'] as CrashMode[]) {
      const fs = freshFs()
      let calls = 0
      let image: FaultFileSystem | undefined
      fs.onCall = (kind) => {
        if (image === undefined && MUTATING_KINDS.has(kind) && ++calls === k) image = fs.crashImage({mode, dirChanges: 'prefix', seed: k})
      }
      await createStore(DIR, {fs, shards: 2})
      const after = image!
      const where = `crash before mutating call ${k} of ${n} (${mode})`
      let shards = 3
      try {
        await createStore(DIR, {fs: after, shards: 3})
        restarted++
      } catch (err) {
        // The crash came after the commit point: the first init's store is there.
        t.true(err instanceof StrataError && err.code === ErrorCode.ALREADY_EXISTS, `${where}: the next init failed: ${(err as Error).message}`)
        shards = 2
        alreadyDone++
      }
      const s = await open(DIR, {fs: after, readOnly: true})
      t.is(s.shardCount, shards, where)
      await s.close()
      t.true(verifyStore(DIR, {fs: after}).ok, `${where}: the store verifies`)
      t.deepEqual(after.readdir(DIR).filter((n) => n === 'INIT-IN-PROGRESS'), [], `${where}: no marker is left`)
    }
  }
  t.true(restarted > 0 && alreadyDone > 0, `restarted ${restarted}, already done ${alreadyDone}`)
})

test('an init marker does not make other content acceptable', async (t) => {
  const fs = freshFs()
  fs.mkdir(`${DIR}/shard-0000`)
  fs.create(`${DIR}/INIT-IN-PROGRESS`).close()
  fs.create(`${DIR}/notes.txt`).close()
  const code = async (): Promise<string | undefined> => ((await t.throwsAsync(createStore(DIR, {fs, shards: 1}))) as StrataError | undefined)?.code
  t.is(await code(), ErrorCode.INVALID_ARGUMENT, 'a file init does not write')
  fs.unlink(`${DIR}/notes.txt`)
  fs.create(`${DIR}/shard-0000/000004.sst`).close()
  t.is(await code(), ErrorCode.INVALID_ARGUMENT, 'a table in a shard directory')
  t.true(fs.exists(`${DIR}/shard-0000/000004.sst`), 'nothing was removed')
  fs.unlink(`${DIR}/shard-0000/000004.sst`)
  await createStore(DIR, {fs, shards: 1})
  t.true(verifyStore(DIR, {fs}).ok)
})

test('in-memory locks exclude each other, follow the file across a rename, and die with a crash', (t) => {
  const fs = freshFs()
  const a = fs.tryLock('/root/L')
  t.truthy(a)
  t.is(fs.tryLock('/root/L'), undefined)
  fs.rename('/root/L', '/root/M')
  t.is(fs.tryLock('/root/M'), undefined, 'the lock is on the file, not on its name')
  a!.release()
  const b = fs.tryLock('/root/M')
  t.truthy(b)
  a!.release()
  t.is(fs.tryLock('/root/M'), undefined, 'a second release of an old lock frees nothing')
  fs.syncDir('/root')
  fs.crash({mode: 'none'})
  t.truthy(fs.tryLock('/root/M'), 'a crash ends the holder, and its lock')
})

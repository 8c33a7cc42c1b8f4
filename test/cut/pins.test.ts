/**
 * Pins: the files of a held cut survive compactions in other processes; a
 * pin whose holder was killed is removed by the next writer, a live one is
 * not; the tools that list a data directory ignore the pins folder.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {spawn, type ChildProcess} from 'node:child_process'
import {createStore, open, takeCut, type StoreCut} from '../../src/index.js'
import {claimPin, pinOwnerAlive, releaseClaim} from '../../src/cut/pin-owner.js'
import {OWNER_FILE} from '../../src/layout/names.js'
import {nodeFileSystem} from '../../src/vfs/node-fs.js'
import {strata} from '../helpers/cli.js'
import {repoRoot, tempDir} from '../helpers/temp.js'

/** A store whose shards hold several tables each (small WAL budget, no automatic compaction). */
async function storeWithTables(shards = 2, batches = 12): Promise<string> {
  const dir = path.join(tempDir(), 'db')
  await createStore(dir, {shards})
  const s = await open(dir, {walFlushBytes: 4 * 1024, compactionTrigger: 1000})
  for (let b = 0; b < batches; b++) {
    await s.batch(Array.from({length: 40}, (_, i) => ({type: 'put' as const, key: `k${String((b * 40 + i) % 300).padStart(4, '0')}`, value: `v${b}-${i}`.repeat(8)})))
  }
  await s.close()
  return dir
}

/** Every file of a cut, as its pinned bytes. */
function cutBytes(cut: StoreCut): Map<string, Buffer> {
  const out = new Map<string, Buffer>()
  for (const s of cut.shards) for (const f of s.files) out.set(`${s.shard}/${f}`, fs.readFileSync(cut.path(s.shard, f)))
  return out
}

function tableNames(cut: StoreCut): string[] {
  return cut.shards.flatMap((s) => s.files.filter((f) => f.endsWith('.sst')).map((f) => `${s.shard}/${f}`))
}

const shardFile = (dir: string, name: string): string => {
  const [shard, file] = name.split('/')
  return path.join(dir, `shard-${shard.padStart(4, '0')}`, file)
}

test('a compaction in another process deletes nothing a held cut uses', async (t) => {
  const dir = await storeWithTables()
  const cut = await takeCut(dir)
  const before = cutBytes(cut)
  const tables = tableNames(cut)
  t.true(tables.length >= 4, `the store has ${tables.length} tables`)
  const r = strata(['compact', '--dir', dir])
  t.is(r.code, 0, r.stderr)
  // The compaction replaced the cut's tables in the shard directories...
  const replaced = tables.filter((n) => !fs.existsSync(shardFile(dir, n)))
  t.is(replaced.length, tables.length)
  // ...and every file of the cut still reads back exactly.
  let checked = 0
  for (const [name, bytes] of before) {
    const [shard, file] = name.split('/')
    t.deepEqual(fs.readFileSync(cut.path(Number(shard), file)), bytes, name)
    checked++
  }
  t.is(checked, before.size)
  t.true(checked > tables.length)
  // A held cut is never cleaned by a writer of another process.
  t.is(strata(['put', '--dir', dir, 'x', 'y']).code, 0)
  t.true(fs.existsSync(cut.pinDir))
  cut.release()
  t.false(fs.existsSync(cut.pinDir))
  t.false(fs.existsSync(path.join(dir, 'pins')), 'the pins folder goes with its last pin')
})

test('Store.cut() of an open writer matches its state and survives its own compaction', async (t) => {
  const dir = await storeWithTables(3, 6)
  const s = await open(dir, {walFlushBytes: 4 * 1024, compactionTrigger: 1000})
  await s.put('late', 'write')
  const cut = s.cut()
  const stats = s.stats()
  t.deepEqual(cut.shards.map((c) => c.lastSeq), stats.shards.map((x) => x.lastSeq))
  t.is(cut.shards.length, 3)
  const before = cutBytes(cut)
  await s.compact()
  await s.put('after', 'cut')
  const after = cutBytes(cut)
  t.is(after.size, before.size)
  for (const [name, bytes] of before) {
    const [shard, file] = name.split('/')
    const shardCut = cut.shards[Number(shard)]
    // The WAL may grow after the cut: its bytes up to the cut's length are the cut's.
    const len = file.endsWith('.wal') ? shardCut.walLength : bytes.length
    t.deepEqual(after.get(name)!.subarray(0, len), bytes.subarray(0, len), name)
  }
  cut.release()
  await s.close()
  const ro = await open(dir, {readOnly: true})
  t.throws(() => ro.cut(), {code: 'INVALID_ARGUMENT'})
  await ro.close()
})

/** Starts a process that takes a cut of `dir` and holds it until killed; resolves with the process and its pin folder. */
function holdCut(dir: string): Promise<{child: ChildProcess; pinDir: string}> {
  const lib = path.join(repoRoot, 'dist', 'src', 'index.js')
  const script = `import {takeCut} from ${JSON.stringify(lib)}; const c = await takeCut(process.argv[1], {lockTimeoutMs: 10000}); console.log(c.pinDir); setInterval(() => {}, 1000)`
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, dir], {stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d
      if (out.endsWith('\n')) resolve({child, pinDir: out.trim()})
    })
    child.stderr.on('data', (d) => (err += d))
    child.on('exit', (code) => reject(new Error(`cut holder exited ${code}: ${err}`)))
  })
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })
}

test('a pin of a killed process is removed by the next writer; a live pin is kept', async (t) => {
  const dir = await storeWithTables()
  const dead = await holdCut(dir)
  const live = await holdCut(dir)
  t.not(dead.pinDir, live.pinDir)
  const liveFiles = fs.readdirSync(path.join(live.pinDir, 'shard-0000')).sort()
  t.true(liveFiles.length >= 3)
  await kill9(dead.child)
  t.true(fs.existsSync(dead.pinDir), 'kill -9 leaves the pin behind')
  try {
    t.is(strata(['put', '--dir', dir, 'a', 'b']).code, 0)
    t.false(fs.existsSync(dead.pinDir), 'the next writer removed the dead pin')
    t.deepEqual(fs.readdirSync(path.join(live.pinDir, 'shard-0000')).sort(), liveFiles)
    t.is(strata(['compact', '--dir', dir]).code, 0)
    t.deepEqual(fs.readdirSync(path.join(live.pinDir, 'shard-0000')).sort(), liveFiles, 'compaction keeps a live pin')
  } finally {
    await kill9(live.child)
  }
  t.is(strata(['compact', '--dir', dir]).code, 0)
  t.false(fs.existsSync(live.pinDir), 'compaction removed the pin once its holder was killed')
  t.false(fs.existsSync(path.join(dir, 'pins')))
})

test('verify, stats, scan and dump ignore the pins folder of a held cut', async (t) => {
  const dir = await storeWithTables()
  const cut = await takeCut(dir)
  try {
    t.is(strata(['compact', '--dir', dir]).code, 0)
    const v = strata(['verify', '--dir', dir, '--format', 'json'])
    t.is(v.code, 0, v.stderr)
    const report = JSON.parse(v.stdout)
    t.is(report.summary?.errors ?? report.errors, 0)
    t.is(report.summary?.warnings ?? report.warnings, 0)
    const st = strata(['stats', '--dir', dir, '--format', 'json'])
    t.is(st.code, 0, st.stderr)
    t.is(JSON.parse(st.stdout).shardCount, 2)
    t.is(strata(['scan', '--dir', dir, '--format', 'ndjson']).stdout.trim().split('\n').length, 300)
    t.is(strata(['dump', '--dir', dir]).code, 0)
  } finally {
    cut.release()
  }
})

test('pin owner: a claim by this process is alive; an OWNER nobody locks (even naming a live pid), a torn one or none is not', (t) => {
  const root = tempDir()
  const mine = path.join(root, 'mine')
  fs.mkdirSync(mine)
  claimPin(nodeFileSystem, mine)
  t.true(pinOwnerAlive(nodeFileSystem, mine))
  const [pid] = fs.readFileSync(path.join(mine, OWNER_FILE), 'latin1').trim().split(' ')
  t.is(Number(pid), process.pid)
  const unlocked = path.join(root, 'unlocked')
  fs.mkdirSync(unlocked)
  // What a claim's contents could say of this live process (its pid, any start time): without the lock, no owner.
  fs.writeFileSync(path.join(unlocked, OWNER_FILE), `${pid} -\n`)
  t.false(pinOwnerAlive(nodeFileSystem, unlocked), 'a live pid in OWNER without its lock held: not an owner')
  const gone = path.join(root, 'gone')
  fs.mkdirSync(gone)
  const maxPid = Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'latin1'))
  fs.writeFileSync(path.join(gone, OWNER_FILE), `${maxPid + 1} 1\n`)
  t.false(pinOwnerAlive(nodeFileSystem, gone))
  const unclaimed = path.join(root, 'unclaimed')
  fs.mkdirSync(unclaimed)
  t.false(pinOwnerAlive(nodeFileSystem, unclaimed))
  t.false(fs.existsSync(path.join(unclaimed, OWNER_FILE)), 'asking does not create a claim')
  const torn = path.join(root, 'torn')
  fs.mkdirSync(torn)
  fs.writeFileSync(path.join(torn, OWNER_FILE), `${pid}`)
  t.false(pinOwnerAlive(nodeFileSystem, torn))
  t.true(pinOwnerAlive(nodeFileSystem, mine), 'probing other folders left the claim held')
  releaseClaim(nodeFileSystem, mine)
  t.false(pinOwnerAlive(nodeFileSystem, mine), 'a released claim is gone')
})

/**
 * The fault filesystem itself: same semantics as node-fs (checked side by
 * side on a real temporary directory), what a power loss keeps, and error
 * injection.
 */
import test from 'ava'
import * as path from 'node:path'
import {NodeFileSystem} from '../../src/vfs/node-fs.js'
import {FaultFileSystem, type CrashMode} from '../../src/vfs/fault-fs.js'
import type {FileSystem} from '../../src/index.js'
import {tempDir} from '../helpers/temp.js'
import {memRoot} from './lib/stores.js'

/** Runs `fn`, returning its result or the error code it threw. */
function outcome(fn: () => unknown): unknown {
  try {
    const v = fn()
    return Buffer.isBuffer(v) ? `bytes:${v.toString('hex')}` : v === undefined ? 'ok' : v
  } catch (err) {
    return `error:${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`
  }
}

/** A script of filesystem calls under `root`, returning every outcome. */
function script(fs: FileSystem, root: string): unknown[] {
  const p = (...parts: string[]): string => path.join(root, ...parts)
  const out: unknown[] = []
  const step = (fn: () => unknown): void => void out.push(outcome(fn))
  step(() => fs.mkdir(p('a', 'b')))
  step(() => fs.mkdir(p('a', 'b')))
  step(() => fs.readdir(p('a')))
  step(() => fs.isDirectory(p('a', 'b')))
  step(() => fs.exists(p('a', 'nope')))
  step(() => {
    const f = fs.create(p('a', 'f'))
    f.append(Buffer.from('hello'))
    f.append(Buffer.from(' world'))
    const size = f.size()
    f.sync()
    f.close()
    return size
  })
  step(() => fs.create(p('a', 'f')))
  step(() => fs.create(p('a', 'b')))
  step(() => fs.create(p('missing', 'f')))
  step(() => fs.create(p('a', 'f', 'x')))
  step(() => fs.readFile(p('a', 'f')))
  step(() => fs.fileSize(p('a', 'f')))
  step(() => {
    const r = fs.openRead(p('a', 'f'))
    const buf = Buffer.alloc(8)
    const n = r.read(buf, 1, 6, 3)
    const m = r.read(buf, 0, 8, 100)
    const size = r.size()
    r.close()
    return `${n},${m},${size},${buf.toString('hex')}`
  })
  step(() => {
    const w = fs.openAppend(p('a', 'f'), 4)
    const s0 = w.size()
    w.append(Buffer.from('!'))
    const s1 = w.size()
    w.close()
    return `${s0},${s1}`
  })
  step(() => fs.readFile(p('a', 'f')))
  step(() => {
    const w = fs.openAppend(p('a', 'f'), 8)
    const s = w.size()
    w.close()
    return s
  })
  step(() => fs.readFile(p('a', 'f')))
  step(() => {
    const w = fs.openAppend(p('a', 'f'))
    w.append(Buffer.from('+'))
    const s = w.size()
    w.close()
    return s
  })
  step(() => fs.openAppend(p('a', 'nope')))
  step(() => fs.openRead(p('a', 'nope')))
  step(() => fs.readFile(p('a', 'nope')))
  step(() => fs.readFile(p('a', 'b')))
  step(() => fs.fileSize(p('a', 'nope')))
  step(() => {
    const g = fs.create(p('a', 'g'))
    g.append(Buffer.from('G'))
    g.close()
  })
  step(() => {
    // A read handle keeps reading a file that is replaced and then unlinked.
    const r = fs.openRead(p('a', 'f'))
    fs.rename(p('a', 'g'), p('a', 'f'))
    const buf = Buffer.alloc(3)
    const n = r.read(buf, 0, 3, 0)
    r.close()
    return `${n}:${buf.toString('latin1')}`
  })
  step(() => fs.readFile(p('a', 'f')))
  step(() => fs.exists(p('a', 'g')))
  step(() => fs.rename(p('a', 'nope'), p('a', 'x')))
  step(() => fs.rename(p('a', 'f'), p('a', 'f')))
  step(() => fs.rename(p('a', 'f'), p('a', 'b')))
  step(() => fs.readdir(p('a')))
  step(() => fs.readdir(p('a', 'f')))
  step(() => fs.readdir(p('nope')))
  step(() => fs.unlink(p('a', 'nope')))
  step(() => fs.unlink(p('a', 'b')))
  step(() => fs.rmdir(p('a')))
  step(() => fs.rmdir(p('a', 'f')))
  step(() => fs.rmdir(p('a', 'nope')))
  step(() => fs.mkdir(p('a', 'f')))
  step(() => fs.mkdir(p('a', 'f', 'sub')))
  step(() => fs.syncDir(p('a')))
  step(() => fs.syncDir(p('nope')))
  step(() => fs.unlink(p('a', 'f')))
  step(() => fs.rmdir(p('a', 'b')))
  step(() => fs.readdir(p('a')))
  step(() => fs.isDirectory(p('a', 'nope')))
  step(() => fs.exists(p('a')))
  return out
}

test('the fault filesystem behaves like node-fs, call by call, errors included', (t) => {
  const real = script(new NodeFileSystem(), path.join(tempDir(), 'root'))
  const fake = script(new FaultFileSystem(), `${memRoot()}/root`)
  const names = real.map((r, i) => `step ${i}: ${JSON.stringify(r)}`)
  t.deepEqual(fake.map((r, i) => `step ${i}: ${JSON.stringify(r)}`), names)
})

/** A filesystem holding /d/f with `synced` synced and `tail` appended after, the creation made durable. */
function fileWithTail(synced: string, tail: Buffer | string): FaultFileSystem {
  const fs = new FaultFileSystem()
  fs.mkdir('/d')
  fs.syncDir('/')
  const f = fs.create('/d/f')
  f.append(Buffer.from(synced))
  f.sync()
  f.append(Buffer.isBuffer(tail) ? tail : Buffer.from(tail))
  f.close()
  fs.syncDir('/d')
  return fs
}

test('power loss: an unsynced tail is dropped, zero-filled, garbage-filled, cut short or torn at a sector', (t) => {
  const tail = Buffer.alloc(2000, 0x61)
  const read = (mode: CrashMode, seed = 1): Buffer => fileWithTail('synced:', tail).crashImage({mode, seed}).readFile('/d/f')
  t.is(read('none').length, 7 + 2000)
  t.is(read('drop').toString(), 'synced:')
  const zero = read('zero')
  t.is(zero.length, 2007)
  t.true(zero.subarray(7).equals(Buffer.alloc(2000)))
  const garbage = read('garbage')
  t.is(garbage.length, 2007)
  t.is(garbage.subarray(0, 7).toString(), 'synced:')
  t.false(garbage.subarray(7).equals(tail))
  const lengths = new Set<number>()
  for (let seed = 1; seed < 40; seed++) {
    const partial = read('partial', seed)
    t.true(partial.length >= 7 && partial.length <= 2007)
    t.true(partial.subarray(7).equals(tail.subarray(0, partial.length - 7)))
    lengths.add(partial.length)
    for (const mode of ['torn-zero', 'torn-garbage'] as const) {
      const torn = read(mode, seed)
      t.is(torn.length, 2007)
      // Real data up to a 512-byte sector boundary (or none of it), then filler.
      let keep = 7
      while (keep < 2007 && torn[keep] === 0x61) keep++
      t.true(keep === 7 || keep % 512 === 0 || keep === 2007, `${mode} kept ${keep} bytes`)
      if (mode === 'torn-zero') t.true(torn.subarray(keep).equals(Buffer.alloc(2007 - keep)))
    }
  }
  t.true(lengths.size > 10, 'partial keeps prefixes of many lengths')
})

test('power loss: a file synced but whose directory was not synced vanishes', (t) => {
  const fs = new FaultFileSystem()
  fs.mkdir('/d')
  fs.syncDir('/')
  const f = fs.create('/d/f')
  f.append(Buffer.from('x'))
  f.sync()
  t.false(fs.crashImage({mode: 'drop'}).exists('/d/f'))
  t.true(fs.crashImage({mode: 'none'}).exists('/d/f'), 'a process crash keeps it')
  fs.syncDir('/d')
  t.is(fs.crashImage({mode: 'drop'}).readFile('/d/f').toString(), 'x')
})

test('power loss: a rename not made durable reverts, and the file it replaced comes back', (t) => {
  const fs = fileWithTail('old', '')
  const w = fs.create('/d/f.tmp')
  w.append(Buffer.from('new'))
  w.sync()
  w.close()
  fs.rename('/d/f.tmp', '/d/f')
  const crashed = fs.crashImage({mode: 'drop'})
  t.is(crashed.readFile('/d/f').toString(), 'old')
  t.false(crashed.exists('/d/f.tmp'), 'the temporary file was never made durable')
  fs.syncDir('/d')
  const after = fs.crashImage({mode: 'drop'})
  t.is(after.readFile('/d/f').toString(), 'new')
  t.deepEqual(after.readdir('/d'), ['f'])
})

test('power loss: an unlink not made durable is undone, with the synced contents only', (t) => {
  const fs = fileWithTail('kept', '-lost')
  fs.unlink('/d/f')
  t.false(fs.exists('/d/f'))
  t.is(fs.crashImage({mode: 'drop'}).readFile('/d/f').toString(), 'kept')
  fs.syncDir('/d')
  t.false(fs.crashImage({mode: 'drop'}).exists('/d/f'))
})

test('power loss: a directory whose creation was not made durable vanishes with everything in it', (t) => {
  const fs = new FaultFileSystem()
  fs.mkdir('/a/b')
  const f = fs.create('/a/b/f')
  f.append(Buffer.from('x'))
  f.sync()
  fs.syncDir('/a/b')
  fs.syncDir('/a')
  t.false(fs.crashImage({mode: 'drop'}).exists('/a'))
  fs.syncDir('/')
  t.is(fs.crashImage({mode: 'drop'}).readFile('/a/b/f').toString(), 'x')
})

test('power loss with dirChanges prefix keeps an ordered prefix of the unsynced directory changes', (t) => {
  const fs = new FaultFileSystem()
  fs.mkdir('/d')
  fs.syncDir('/')
  fs.syncDir('/d')
  const names = ['a', 'b', 'c', 'd', 'e', 'f']
  for (const n of names) fs.create(`/d/${n}`).close()
  const seen = new Set<number>()
  for (let seed = 1; seed < 60; seed++) {
    const kept = fs.crashImage({mode: 'drop', dirChanges: 'prefix', seed}).readdir('/d')
    t.deepEqual(kept, names.slice(0, kept.length), 'the changes kept are the oldest ones')
    seen.add(kept.length)
  }
  t.true(seen.has(0) && seen.has(names.length) && seen.size >= 5)
})

test('crash() switches in place: earlier handles fail, later calls see the crashed state', (t) => {
  const fs = fileWithTail('a', 'b')
  const w = fs.openAppend('/d/f')
  fs.crash({mode: 'drop'})
  t.is(fs.readFile('/d/f').toString(), 'a')
  t.throws(() => w.append(Buffer.from('x')), {code: 'EIO'})
  const again = fs.openAppend('/d/f')
  again.append(Buffer.from('c'))
  again.close()
  t.is(fs.readFile('/d/f').toString(), 'ac')
})

test('faults: the k-th call fails once or from then on, counted over all calls, one kind, or one path', (t) => {
  const fs = fileWithTail('x', '')
  const base = fs.calls
  fs.injectFault({at: 2})
  t.notThrows(() => fs.readFile('/d/f'))
  t.throws(() => fs.readFile('/d/f'), {code: 'EIO'})
  t.notThrows(() => fs.readFile('/d/f'), 'once: the next call succeeds')
  t.is(fs.calls, base + 3)
  t.deepEqual(fs.fired.map((f) => [f.kind, f.path, f.code]), [['readFile', '/d/f', 'EIO']])

  const sticky = fileWithTail('x', '').injectFault({at: 1, kinds: ['sync'], code: 'ENOSPC', sticky: true})
  const w = sticky.openAppend('/d/f')
  w.append(Buffer.from('y'))
  t.throws(() => w.sync(), {code: 'ENOSPC'})
  t.throws(() => w.sync(), {code: 'ENOSPC'}, 'sticky: every later sync fails too')
  t.notThrows(() => sticky.readFile('/d/f'), 'other kinds are not affected')
  t.is(sticky.callsOf('sync'), 3, 'one sync while building the file, two here')
  t.is(sticky.crashImage({mode: 'drop'}).readFile('/d/f').toString(), 'x', 'a failed sync made nothing durable')
  sticky.clearFaults()
  t.notThrows(() => w.sync())

  const byPath = fileWithTail('x', '').injectFault({at: 1, path: /other$/})
  t.notThrows(() => byPath.readFile('/d/f'), 'calls on other paths do not count')
  t.throws(() => byPath.create('/d/other'), {code: 'EIO'})
  t.notThrows(() => byPath.create('/d/other').close())
})

test('faults: exists and isDirectory answer false instead of throwing, as node-fs does', (t) => {
  const fs = fileWithTail('x', '')
  fs.injectFault({at: 1, kinds: ['exists', 'isDirectory'], sticky: true})
  t.false(fs.exists('/d/f'))
  t.false(fs.isDirectory('/d'))
  t.is(fs.fired.length, 2)
})

test('faults: a failing append can write part of its data first (a short write)', (t) => {
  const fs = fileWithTail('', '').injectFault({at: 1, kinds: ['append'], code: 'ENOSPC', partialWrite: 0.5})
  const w = fs.openAppend('/d/f')
  t.throws(() => w.append(Buffer.from('abcdefgh')), {code: 'ENOSPC'})
  t.is(fs.readFile('/d/f').toString(), 'abcd')
})

test('clone() copies the durability state: a crash of the clone loses what a crash of the original would', (t) => {
  const fs = fileWithTail('synced', '+unsynced')
  fs.create('/d/new').close()
  const copy = fs.clone()
  t.is(copy.readFile('/d/f').toString(), 'synced+unsynced')
  const crashed = copy.crashImage({mode: 'drop'})
  t.is(crashed.readFile('/d/f').toString(), 'synced')
  t.false(crashed.exists('/d/new'), 'the unsynced create is still undone')
  copy.unlink('/d/f')
  t.true(fs.exists('/d/f'), 'the copy is independent')
  t.is(copy.calls, 2, 'fresh counters: the copy counts its own calls only')
})

/**
 * What the rebalance's proof trusts: a kept shard is counted from its new
 * tables only when each of its other tables is the very file the plan read
 * (device and inode). A table that is another file, here a damaged copy
 * standing where the hard link should be, is read whole, so its damage
 * refuses the rebalance with nothing committed; a filesystem whose names
 * never prove the same file still gets a complete, equal-digest rebalance.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {rebalance} from '../../src/index.js'
import {ErrorCode, StrataError} from '../../src/errors.js'
import {nodeFileSystem} from '../../src/vfs/node-fs.js'
import type {FileSystem} from '../../src/vfs/fs.js'
import {readDescriptor} from '../../src/store/descriptor.js'
import {REBALANCE_FILE} from '../../src/layout/names.js'
import {assertPlacement, assertVerifyClean, digestOf, filledStore, shardFolders} from './helpers.js'

const KEYS = 12_000

/** The node filesystem with some methods replaced. */
function nodeWith(overrides: Partial<FileSystem>): FileSystem {
  return Object.assign(Object.create(nodeFileSystem) as FileSystem, overrides)
}

test('a kept table that is not the file the plan read is read whole, and its damage refuses the rebalance', async (t) => {
  const dir = await filledStore(t, 4, KEYS)
  const digest = await digestOf(dir)
  let damaged = 0
  const fsx = nodeWith({
    // "Links" by writing a copy with one byte of the middle flipped: same name and size, another file.
    link(existing: string, newPath: string): void {
      const bytes = fs.readFileSync(existing)
      bytes[bytes.length >> 2] ^= 0xff
      fs.writeFileSync(newPath, bytes)
      damaged++
    },
  })
  const err = await t.throwsAsync(rebalance(dir, {shards: 6, fs: fsx}))
  t.true(err instanceof StrataError)
  t.is((err as StrataError).code, ErrorCode.CORRUPTION)
  t.true(damaged >= 4, `${damaged} kept tables replaced`)
  t.is(readDescriptor(nodeFileSystem, dir).shardCount, 4)
  t.deepEqual(shardFolders(dir).filter((n) => n.includes('.g')), [])
  t.false(fs.existsSync(path.join(dir, REBALANCE_FILE)))
  t.is(await digestOf(dir), digest)
  assertVerifyClean(t, dir)
})

test('where no name proves the same file, every shard is read whole and the rebalance completes', async (t) => {
  const dir = await filledStore(t, 4, KEYS)
  const digest = await digestOf(dir)
  let asked = 0
  const fsx = nodeWith({
    fileId(p: string): string {
      asked++
      return p
    },
  })
  const r = await rebalance(dir, {shards: 6, fs: fsx})
  t.is(r.action, 'rebalanced')
  t.true(asked > 0)
  t.is(r.digestBefore, digest)
  t.is(r.digestAfter, digest)
  t.is(await digestOf(dir), digest)
  t.is(await assertPlacement(t, dir), KEYS)
  assertVerifyClean(t, dir)
})

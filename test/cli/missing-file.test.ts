/**
 * A file a shard's CURRENT or manifest names that is missing, or a table of
 * the wrong size, is damage: every command that reads the shard exits 3
 * with one CORRUPTION line naming the file, and nothing is changed.
 */
import test from 'ava'
import {readdirSync, rmSync, truncateSync} from 'node:fs'
import {join} from 'node:path'
import {assertError, newStore, strata, treeHash} from './helpers.js'

/** Every command that opens the shard, read-only or as the writer. */
const COMMANDS: readonly string[][] = [
  ['get', 'k1'], ['scan'], ['stats'], ['verify'], ['dump'], ['dump', '--latest'], ['compact'], ['compact', '--dry-run'],
  ['put', 'k9', 'v'], ['delete', 'k1'], ['explain', 'k1'],
]

/** A one-shard store with a table (from a compaction) and a WAL holding data. */
async function storeWithTable(t: Parameters<typeof newStore>[0]): Promise<{dir: string; shard: string}> {
  const dir = await newStore(t, 1)
  for (const [k, v] of [['k1', 'a'], ['k2', 'b']]) t.is((await strata(['put', k, v, '--dir', dir])).code, 0)
  t.is((await strata(['compact', '--dir', dir])).code, 0)
  t.is((await strata(['put', 'k3', 'c', '--dir', dir])).code, 0)
  return {dir, shard: join(dir, 'shard-0000')}
}

async function assertDamageEverywhere(t: Parameters<typeof newStore>[0], dir: string, file: string): Promise<void> {
  const before = treeHash(dir)
  for (const args of COMMANDS) {
    const r = await strata([...args, '--dir', dir])
    assertError(t, r, 'CORRUPTION', 3)
    t.true(r.stderr.includes(file), `${args.join(' ')} names ${file}: ${r.stderr}`)
  }
  t.deepEqual(treeHash(dir), before, 'nothing was changed')
}

test('a table the manifest names but that is missing is CORRUPTION (exit 3) for every command', async (t) => {
  const {dir, shard} = await storeWithTable(t)
  const tables = readdirSync(shard).filter((n) => n.endsWith('.sst'))
  t.is(tables.length, 1)
  rmSync(join(shard, tables[0]))
  await assertDamageEverywhere(t, dir, tables[0])
})

test('a table shorter than the manifest says is CORRUPTION (exit 3) for every command', async (t) => {
  const {dir, shard} = await storeWithTable(t)
  const tables = readdirSync(shard).filter((n) => n.endsWith('.sst'))
  t.is(tables.length, 1)
  truncateSync(join(shard, tables[0]), 100)
  await assertDamageEverywhere(t, dir, tables[0])
})

test('a missing WAL is CORRUPTION (exit 3) for every command', async (t) => {
  const {dir, shard} = await storeWithTable(t)
  const wals = readdirSync(shard).filter((n) => n.endsWith('.wal'))
  t.is(wals.length, 1)
  rmSync(join(shard, wals[0]))
  await assertDamageEverywhere(t, dir, wals[0])
})

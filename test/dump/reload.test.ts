/**
 * Every dump output documented as loadable - the records of a directory
 * (`--records`, every version) and `--latest` (live versions) as NDJSON -
 * loads with `put --batch` into an empty store as exactly the source's live
 * data: every key reads the same (deleted and expired keys stay absent),
 * and the full scans agree, values, JSON marks and expiry included.
 */
import test from 'ava'
import * as path from 'node:path'
import {open} from '../../src/index.js'
import {engineLive, hex, sharedStore, strataAsync as strata, tempDir, type Live} from './helpers.js'

interface RecordLine {
  key: string; keyEncoding: string; delete?: true; shard: number; seq: number; expiresAt?: number | null
}

const lines = <T>(s: string): T[] => s.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as T)

/** Live content that must survive a copy (sequence numbers and shards may differ). */
const content = (live: readonly Live[]) => live.map(({key, value, json, expiresAt}) => ({key, value, json, expiresAt}))

/** What `get` of each key returns in the store at `dir`: hex value, or null when absent. */
async function reads(dir: string, keys: readonly Buffer[]): Promise<Array<{key: string; value: string | null; json: boolean | null; expiresAt: number | null}>> {
  const store = await open(dir, {readOnly: true})
  try {
    return keys.map((k) => {
      const kv = store.getSync(k)
      return {key: hex(k), value: kv === undefined ? null : hex(kv.value), json: kv?.json ?? null, expiresAt: kv?.expiresAt ?? null}
    })
  } finally {
    await store.close()
  }
}

/** Every key the store at `dir` ever stored a version of (deleted and expired ones included). */
async function everyKey(dir: string): Promise<Buffer[]> {
  const r = await strata(['dump', dir, '--records', '--format', 'ndjson', '--key-encoding', 'hex'])
  if (r.code !== 0) throw new Error(r.stderr)
  return [...new Set(lines<RecordLine>(r.stdout).map((x) => x.key))].map((k) => Buffer.from(k, 'hex'))
}

async function load(dump: string, shards: number): Promise<string> {
  const copy = path.join(tempDir(), 'copy')
  const init = await strata(['init', '--dir', copy, '--shards', String(shards)])
  if (init.code !== 0) throw new Error(init.stderr)
  const put = await strata(['put', '--batch', '-', '--dir', copy], dump)
  if (put.code !== 0) throw new Error(put.stderr)
  return copy
}

for (const view of ['--records', '--latest'] as const) {
  for (const enc of [[], ['--key-encoding', 'hex', '--value-encoding', 'base64']]) {
    test(`dump DIR ${view} --format ndjson ${enc.join(' ')} | put --batch reproduces the live data exactly`, async (t) => {
      const dir = await sharedStore('none')
      const keys = await everyKey(dir)
      const before = await reads(dir, keys)
      const absent = before.filter((x) => x.value === null).length
      t.true(absent > 10, `deleted and expired keys are among the keys (${absent})`)
      t.true(before.some((x) => x.json === true) && before.some((x) => x.expiresAt !== null))

      const dump = await strata(['dump', dir, view, '--format', 'ndjson', ...enc])
      t.is(dump.code, 0, dump.stderr)
      if (view === '--records') t.true(lines<RecordLine>(dump.stdout).some((x) => x.delete === true), 'tombstones are listed')
      const copy = await load(dump.stdout, 2)
      t.deepEqual(await reads(copy, keys), before)
      t.deepEqual(content(await engineLive(copy)), content(await engineLive(dir)))
    })
  }
}

test('a directory\'s --records lists each key\'s versions oldest first, every version of every file once', async (t) => {
  const dir = await sharedStore('zlib')
  const r = await strata(['dump', dir, '--records', '--locations', '--format', 'ndjson', '--key-encoding', 'hex'])
  t.is(r.code, 0, r.stderr)
  const got = lines<RecordLine & {file: string}>(r.stdout)
  let multi = 0
  for (let i = 1; i < got.length; i++) {
    const c = Buffer.compare(Buffer.from(got[i - 1].key, 'hex'), Buffer.from(got[i].key, 'hex'))
    t.true(c <= 0, `keys ascend at line ${i + 1}`)
    if (c === 0) {
      multi++
      t.true(got[i - 1].seq < got[i].seq, `versions of ${got[i].key} ascend at line ${i + 1}`)
    }
  }
  t.true(multi >= 5, `many keys have several versions (${multi})`)
  // The same versions as the files' own listings.
  const files = [...new Set(got.map((x) => x.file))]
  t.true(files.some((f) => f.endsWith('.wal')) && files.some((f) => f.endsWith('.sst')))
  const perFile: string[] = []
  for (const f of files) {
    const one = await strata(['dump', f, '--records', '--format', 'ndjson', '--key-encoding', 'hex'])
    t.is(one.code, 0, one.stderr)
    perFile.push(...lines<RecordLine>(one.stdout).map((x) => `${x.shard}:${x.seq}:${x.key}`))
  }
  t.deepEqual(got.map((x) => `${x.shard}:${x.seq}:${x.key}`).sort(), perFile.sort())
})

/**
 * `strata explain KEY`: the key's shard and every stored version, which one
 * wins and why, for live, overwritten, deleted, expired and missing keys.
 */
import test from 'ava'
import * as path from 'node:path'
import {createStore, open} from '../../src/index.js'
import {snapshotTree} from '../helpers/temp.js'
import {strataAsync as strata, tempDir} from './helpers.js'

interface Version {
  source: 'wal' | 'sstable'; file: string; offset: number; level: number | null; seq: number; kind: 'put' | 'delete'
  expiresAt: number | null; valueBytes: number; value?: string; valueEncoding?: string; status: string; reason: string
}
interface Explanation {key: string; keyEncoding: string; shard: number; hash: string; state: string; winner: number | null; reason: string; versions: Version[]}

const DAY = 86_400_000
let built: Promise<string> | undefined

/**
 * k: put v1, flush, put v2, flush, put v3 (WAL) - three versions across two tables and the WAL.
 * gone: put, flush, delete (WAL). old: expired in the WAL; older: expired in a table.
 * ttl: live with a TTL. A binary key 00ff. nope: never written.
 */
function store(): Promise<string> {
  built ??= (async () => {
    const dir = path.join(tempDir(), 'db')
    await createStore(dir, {shards: 2, compression: 'none'})
    const real = Date.now()
    let clock = real
    const s = await open(dir, {sync: 'none', walFlushBytes: 1 << 30, now: () => clock})
    await s.put('k', 'v1')
    await s.put('gone', 'here')
    clock = real - DAY
    await s.put('older', 'x', {ttlMs: 60_000})
    clock = real
    await s.flush()
    await s.put('k', 'v2')
    await s.flush()
    await s.put('k', 'v3')
    await s.delete('gone')
    clock = real - DAY
    await s.put('old', 'x', {ttlMs: 60_000})
    clock = real
    await s.put('ttl', 'soon', {ttlMs: 3_600_000})
    await s.put(Buffer.from([0x00, 0xff]), Buffer.from([0xde, 0xff, 0x0a]))
    await s.close()
    return dir
  })()
  return built
}

async function explain(args: string[]): Promise<{code: number | null; doc: Explanation; stderr: string}> {
  const dir = await store()
  const r = await strata(['explain', ...args, '--dir', dir, '--format', 'json'])
  return {code: r.code, doc: JSON.parse(r.stdout) as Explanation, stderr: r.stderr}
}

test('an overwritten key: every version across WAL and tables, the newest wins', async (t) => {
  const dir = await store()
  const {code, doc, stderr} = await explain(['k'])
  t.is(code, 0, stderr)
  t.is(stderr, '')
  const s = await open(dir, {readOnly: true})
  const shard = s.getSync('k')!.shard
  await s.close()
  t.like(doc, {key: 'k', keyEncoding: 'utf8', shard, state: 'live', winner: 0})
  t.regex(doc.hash, /^[0-9a-f]{16}$/)
  t.deepEqual(doc.versions.map((v) => [v.source, v.kind, v.value, v.status]), [
    ['wal', 'put', 'v3', 'wins'], ['sstable', 'put', 'v2', 'shadowed'], ['sstable', 'put', 'v1', 'shadowed'],
  ])
  t.true(doc.versions[0].seq > doc.versions[1].seq && doc.versions[1].seq > doc.versions[2].seq)
  t.is(doc.versions[0].level, null)
  t.deepEqual(doc.versions.slice(1).map((v) => v.level), [0, 0])
  t.regex(doc.versions[0].file, /shard-000\d\/\d{6}\.wal$/)
  t.not(doc.versions[1].file, doc.versions[2].file)
  t.true(doc.versions[0].offset >= 20, 'a WAL record offset')
  t.is(doc.versions[0].reason, 'newest version, live')
  t.regex(doc.versions[1].reason, new RegExp(`older than seq ${doc.versions[0].seq}`))
  t.true(doc.versions.every((v) => v.valueBytes === 2 && v.expiresAt === null))
})

test('the winning version is where dump --records finds it', async (t) => {
  const dir = await store()
  const {doc} = await explain(['k'])
  const r = await strata(['dump', dir, '--records', '--locations', '--format', 'ndjson'])
  const records = r.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as {key: string; seq: number; file: string; offset: number; shard: number})
  for (const v of doc.versions) {
    const found = records.find((x) => x.key === 'k' && x.seq === v.seq)
    t.like(found, {file: v.file, offset: v.offset, shard: doc.shard})
  }
})

test('a deleted key exits 1 and still shows its history', async (t) => {
  const {code, doc, stderr} = await explain(['gone'])
  t.is(code, 1)
  t.like(doc, {state: 'deleted', winner: null})
  t.deepEqual(doc.versions.map((v) => [v.source, v.kind, v.status]), [['wal', 'delete', 'deleted'], ['sstable', 'put', 'shadowed']])
  t.false('value' in doc.versions[0])
  t.is(doc.versions[1].value, 'here')
  const err = JSON.parse(stderr) as {error: {code: string; message: string; exitCode: number}}
  t.like(err.error, {code: 'NOT_FOUND', exitCode: 1})
  t.regex(err.error.message, /key "gone" is deleted: newest version is a tombstone/)
})

test('an expired key exits 1, in the WAL and in a table', async (t) => {
  for (const [key, source] of [['old', 'wal'], ['older', 'sstable']] as const) {
    const {code, doc} = await explain([key])
    t.is(code, 1)
    t.like(doc, {state: 'expired', winner: null})
    t.is(doc.versions.length, 1)
    t.like(doc.versions[0], {source, status: 'expired', kind: 'put'})
    t.true(doc.versions[0].expiresAt! < Date.now())
    t.regex(doc.versions[0].reason, /^newest version expired at \d{4}-\d\d-\d\dT/)
  }
  const live = await explain(['ttl'])
  t.is(live.code, 0)
  t.like(live.doc.versions[0], {status: 'wins'})
  t.true(live.doc.versions[0].expiresAt! > Date.now())
  t.regex(live.doc.reason, /^newest version, live until /)
})

test('a missing key exits 1 with no versions', async (t) => {
  const dir = await store()
  const {code, doc} = await explain(['nope'])
  t.is(code, 1)
  t.like(doc, {key: 'nope', state: 'missing', winner: null, versions: [], reason: 'no version of the key is stored'})
  t.true(doc.shard === 0 || doc.shard === 1)
  const text = await strata(['explain', 'nope', '--dir', dir])
  t.is(text.code, 1)
  t.regex(text.stdout, /^state: missing$/m)
  t.is(text.stderr, 'strata: error NOT_FOUND: key not found: "nope" (no stored version)\n')
})

test('binary keys and values in hex; text and table output; --values', async (t) => {
  const dir = await store()
  const {code, doc} = await explain(['00ff', '--key-encoding', 'hex', '--value-encoding', 'hex'])
  t.is(code, 0)
  t.like(doc, {key: '00ff', keyEncoding: 'hex', state: 'live'})
  t.like(doc.versions[0], {value: 'deff0a', valueEncoding: 'hex', valueBytes: 3})
  const text = await strata(['explain', '00ff', '--key-encoding', 'hex', '--dir', dir, '--values'])
  t.is(text.code, 0, text.stderr)
  t.regex(text.stdout, /^key: 00ff$/m)
  t.regex(text.stdout, /^ {2}wins: seq=\d+ put source=wal file=\S*\/shard-000\d\/\d{6}\.wal offset=\d+ valueBytes=3 value="\\xde\\xff\\n" - newest version, live$/m)
  const plain = await strata(['explain', 'k', '--dir', dir])
  t.notRegex(plain.stdout, /value=/, 'values only with --values')
  const plainJson = await strata(['explain', 'k', '--dir', dir, '--format', 'json'])
  const files = (JSON.parse(plainJson.stdout) as {versions: Array<{file: string}>}).versions.map((v) => v.file)
  t.true(files.length > 0)
  for (const f of files) t.true(plain.stdout.includes(` file=${f} `), `text and JSON name ${f} the same way`)
  t.is(plain.stdout.split('\n').filter((l) => /^ {2}(wins|shadowed):/.test(l)).length, 3)
  const table = await strata(['explain', 'k', '--dir', dir, '--format', 'table', '--values'])
  t.is(table.code, 0)
  t.regex(table.stdout, /│ SEQ │ STATUS +│ KIND │ SOURCE +│ FILE/)
  t.regex(table.stdout, /│ wins +│ put +│ WAL\/memtable │/)
  const nd = await strata(['explain', 'k', '--dir', dir, '--format', 'ndjson'])
  t.is(nd.stdout.trim().split('\n').length, 1)
  t.like(JSON.parse(nd.stdout), {state: 'live'})
})

test('bad input exits 2; explain never changes the directory', async (t) => {
  const dir = await store()
  const before = snapshotTree(dir)
  const bad = await strata(['explain', 'zz', '--key-encoding', 'hex', '--dir', dir])
  t.is(bad.code, 2)
  t.regex(bad.stderr, /^strata: error INVALID_ARGUMENT: key is not valid hex/)
  const missingArg = await strata(['explain', '--dir', dir])
  t.is(missingArg.code, 2)
  const notStore = await strata(['explain', 'k', '--dir', path.dirname(dir)])
  t.is(notStore.code, 2)
  t.regex(notStore.stderr, /NOT_A_STORE/)
  for (const key of ['k', 'gone', 'old', 'nope']) await strata(['explain', key, '--dir', dir])
  t.deepEqual(snapshotTree(dir), before)
})

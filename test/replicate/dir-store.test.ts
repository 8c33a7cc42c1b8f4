/**
 * The directory object store against its contract (src/objstore/object-store.ts):
 * whole-object puts, conditional puts, ranges, listing by prefix in key
 * order, NOT_FOUND for absent objects, bad keys refused, and the temporary
 * files of a killed put removed once their process is gone.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {spawnSync} from 'node:child_process'
import {ErrorCode} from '../../src/index.js'
import {DirStore} from '../../src/objstore/dir-store.js'
import {openObjectStore} from '../../src/objstore/open.js'
import {tempDir} from '../helpers/temp.js'
import {errCodeAsync} from '../helpers/errors.js'

test('put, get, ranges, head, delete and list keep the contract', async (t) => {
  const root = path.join(tempDir(t), 'new', 'replica')
  const s = new DirStore(root)
  t.is(await s.put('b/2', Buffer.from('hello world')), 'written')
  t.is(await s.put('a', Buffer.from('A')), 'written')
  t.is(await s.put('b/1', Buffer.from('one')), 'written')
  t.is(await s.put('b/1', Buffer.from('other'), {ifAbsent: true}), 'exists')
  t.is(Buffer.from(await s.get('b/1')).toString(), 'one', 'a conditional put writes nothing over an object')
  t.is(await s.put('b/1', Buffer.from('two')), 'written')
  t.is(Buffer.from(await s.get('b/1')).toString(), 'two')
  t.is(Buffer.from(await s.getRange('b/2', 6, 11)).toString(), 'world')
  t.is(Buffer.from(await s.getRange('b/2', 6, 100)).toString(), 'world')
  t.deepEqual(await s.head('b/2'), {key: 'b/2', size: 11})
  t.is(await s.head('nope'), undefined)
  t.is(await errCodeAsync(s.get('nope')), ErrorCode.NOT_FOUND)
  t.is(await errCodeAsync(s.getRange('nope', 0, 1)), ErrorCode.NOT_FOUND)
  const list = async (prefix: string): Promise<string[]> => {
    const keys: string[] = []
    for await (const o of s.list(prefix)) keys.push(o.key)
    return keys
  }
  t.deepEqual(await list(''), ['a', 'b/1', 'b/2'])
  t.deepEqual(await list('b/'), ['b/1', 'b/2'])
  t.deepEqual(await list('b/2'), ['b/2'])
  t.deepEqual(await list('c/'), [])
  await s.delete('b/1')
  await s.delete('b/1')
  t.deepEqual(await list(''), ['a', 'b/2'])
  for (const bad of ['', '/x', 'x/', 'a/../b', './a', '.partial/x', 'a//b']) t.is(await errCodeAsync(s.put(bad, Buffer.alloc(0))), ErrorCode.INVALID_ARGUMENT, bad)
})

test('a killed put leaves a temporary file that is never listed and is removed once its process is gone', async (t) => {
  const root = tempDir(t)
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString()
  fs.mkdirSync(path.join(root, '.partial'))
  fs.writeFileSync(path.join(root, '.partial', `${dead}-0123456789abcdef`), 'torn')
  fs.writeFileSync(path.join(root, '.partial', `${process.pid}-0123456789abcdef`), 'in flight')
  const s = new DirStore(root)
  const keys: string[] = []
  for await (const o of s.list('')) keys.push(o.key)
  t.deepEqual(keys, [])
  await s.put('k', Buffer.from('v'))
  t.deepEqual(fs.readdirSync(path.join(root, '.partial')), [`${process.pid}-0123456789abcdef`])
})

test('destinations by name: a path or file:// is a directory; other schemes are refused', async (t) => {
  const root = tempDir(t)
  const a = await openObjectStore(`file://${root}`)
  await a.put('x', Buffer.from('1'))
  t.is(Buffer.from(await (await openObjectStore(root)).get('x')).toString(), '1')
  t.is(await errCodeAsync(openObjectStore('ftp://host/x')), ErrorCode.INVALID_ARGUMENT)
  t.is(await errCodeAsync(openObjectStore('')), ErrorCode.INVALID_ARGUMENT)
})

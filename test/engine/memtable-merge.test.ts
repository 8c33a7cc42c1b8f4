import test from 'ava'
import {Memtable} from '../../src/store/memtable.js'
import {mergeNewest} from '../../src/store/merge.js'
import {Kind, type Entry} from '../../src/record/format.js'

const e = (key: number[] | string, seq: number, value = `v${seq}`): Entry => ({
  kind: Kind.PUT,
  seq,
  key: typeof key === 'string' ? Buffer.from(key) : Buffer.from(key),
  value: Buffer.from(value),
})

test('memtable keeps the newest version and iterates in bytewise order', (t) => {
  const m = new Memtable()
  m.add(e([0xff], 1))
  m.add(e([0x00, 0x01], 2))
  m.add(e([0x80], 3))
  m.add(e([0x00], 4))
  m.add(e([0x80], 5, 'new'))
  t.is(m.size, 4)
  t.is(m.get(Buffer.from([0x80]))?.value.toString(), 'new')
  t.deepEqual([...m.entries()].map((x) => x.key.toString('hex')), ['00', '0001', '80', 'ff'])
  t.deepEqual([...m.entries(Buffer.from([0x01]), Buffer.from([0xff]))].map((x) => x.key.toString('hex')), ['80'])
  t.deepEqual([...m.entries(undefined, undefined, true)].map((x) => x.key.toString('hex')), ['ff', '80', '0001', '00'])
})

test('merge yields each key once, the highest sequence number winning', (t) => {
  const a = [e('a', 1), e('c', 5), e('d', 2)]
  const b = [e('a', 3), e('b', 4), e('d', 1)]
  const c = [e('c', 2), e('e', 9)]
  const out = [...mergeNewest([a, b, c])].map((x) => `${x.key}:${x.seq}`)
  t.deepEqual(out, ['a:3', 'b:4', 'c:5', 'd:2', 'e:9'])
  const rev = [...mergeNewest([a.slice().reverse(), b.slice().reverse(), c.slice().reverse()], true)].map((x) => `${x.key}:${x.seq}`)
  t.deepEqual(rev, ['e:9', 'd:2', 'c:5', 'b:4', 'a:3'])
})

test('merge reports the source of each entry', (t) => {
  const out = {source: -1}
  const seen: string[] = []
  for (const x of mergeNewest([[e('b', 1)], [e('a', 1), e('c', 1)]], false, out)) seen.push(`${x.key}@${out.source}`)
  t.deepEqual(seen, ['a@1', 'b@0', 'c@1'])
})

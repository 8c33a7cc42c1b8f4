/**
 * sortRun (src/store/sorted-run.ts) against Buffer.compare: the radix passes,
 * their ties and the small groups compared key by key must give exactly
 * bytewise key order, whatever the keys share or however they end.
 */
import test from 'ava'
import {Memtable} from '../../src/store/memtable.js'
import {runEntries, sortRun} from '../../src/store/sorted-run.js'
import {Kind} from '../../src/record/format.js'
import {prng as rng} from '../../src/vfs/fault-spec.js'

/** Sorts `keys` (unique) through a memtable's run; checks the order and that each record kept its value. */
function checkSorted(t: import('ava').ExecutionContext, keys: Buffer[], label: string): void {
  const m = new Memtable()
  keys.forEach((key, i) => m.add({kind: Kind.PUT, seq: i + 1, key, value: Buffer.from(`value of ${key.toString('hex')}`)}))
  const got = [...runEntries(sortRun(m.unsortedRun()))]
  const want = [...new Map(keys.map((k) => [k.toString('hex'), k])).values()].sort(Buffer.compare)
  t.is(got.length, want.length, label)
  const wrong = got.findIndex((e, i) => !e.key.equals(want[i]) || e.value.toString() !== `value of ${want[i].toString('hex')}`)
  t.is(wrong, -1, `${label}: first record out of place at ${wrong}`)
}

test('keys from a tiny alphabet, where many begin others and bytes 0 and 255 abound, sort bytewise', (t) => {
  const next = rng(1)
  const alphabet = [0x00, 0x01, 0x61, 0xfe, 0xff]
  for (const n of [0, 1, 2, 3, 16, 17, 100, 5000]) {
    const keys: Buffer[] = []
    for (let i = 0; i < n; i++) keys.push(Buffer.from(Array.from({length: 1 + Math.floor(next() * 12)}, () => alphabet[Math.floor(next() * alphabet.length)])))
    checkSorted(t, keys, `${n} keys`)
  }
})

test('keys that are each other\'s prefixes, padded with zero bytes, sort shortest first', (t) => {
  const keys: Buffer[] = []
  for (let len = 1; len <= 40; len++) {
    keys.push(Buffer.alloc(len, 0), Buffer.concat([Buffer.from('a'), Buffer.alloc(len - 1, 0)]), Buffer.alloc(len, 0xff))
  }
  checkSorted(t, keys, 'prefix chains')
})

test('large groups sharing long prefixes go through several radix passes', (t) => {
  const next = rng(2)
  const keys: Buffer[] = []
  // 40 tenants × 300 users; every key shares 'tenant/' and a tenant's keys share 24 more bytes.
  for (let tenant = 0; tenant < 40; tenant++) {
    for (let user = 0; user < 300; user++) {
      keys.push(Buffer.from(`tenant/${String(tenant).padStart(4, '0')}/users/profile/data/${Math.floor(next() * 1e9).toString(36)}/${user}`))
    }
  }
  checkSorted(t, keys, 'tenants')
  // Keys as the benchmark writes them: 10 shared bytes, then digits.
  checkSorted(t, Array.from({length: 35_000}, (_, i) => Buffer.from(`key:${String((i * 7919) % 1_000_003).padStart(12, '0')}`)), 'benchmark keys')
})

test('a group of more than 2^19 records is sorted four bytes at a time, then its ties five at a time', (t) => {
  // 600k keys: 'k', then a 32-bit scramble of i / 4 (ties of four in the four-byte pass), then a byte
  // that orders each tie against the order the records were added in.
  const keys = Array.from({length: 600_000}, (_, i) => {
    const k = Buffer.alloc(6)
    k[0] = 0x6b
    k.writeUInt32BE(Math.imul(i >>> 2, 0x9e3779b1) >>> 0, 1)
    k[5] = 3 - (i & 3)
    return k
  })
  checkSorted(t, keys, '600k keys')
})

test('keys that tie pass after pass (each a prefix of the next) sort shortest first', (t) => {
  // 'x' × 5, 'x' × 10, ... : every radix pass splits off one key, so this takes about 1,500 passes.
  const keys = Array.from({length: 1500}, (_, i) => Buffer.alloc(5 * (i + 1), 0x78))
  for (let i = 0; i < 40; i++) keys.push(Buffer.concat([Buffer.alloc(5 * 1500, 0x78), Buffer.from([40 - i])]))
  checkSorted(t, keys.reverse(), 'prefix ladder')
})

test('random binary keys of random lengths sort bytewise', (t) => {
  for (let seed = 10; seed < 20; seed++) {
    const next = rng(seed)
    const common = Buffer.from(Array.from({length: Math.floor(next() * 9)}, () => Math.floor(next() * 256)))
    const keys = Array.from({length: 2000}, () => Buffer.concat([common, Buffer.from(Array.from({length: Math.floor(next() * 9)}, () => Math.floor(next() * 256)))]))
    checkSorted(t, keys.filter((k) => k.length > 0), `seed ${seed}`)
  }
})

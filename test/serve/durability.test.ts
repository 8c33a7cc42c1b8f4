/**
 * Acknowledged means durable: 32 clients write and read at once, the server
 * is killed with SIGKILL at an observed point (after a number of acks, with
 * writes still in flight), and every write it acknowledged is in the store
 * when reopened. And a graceful stop: SIGTERM lets an in-flight request
 * finish, refuses new connections, and exits 0 with the lock released.
 */
import test from 'ava'
import {randomBytes} from 'node:crypto'
import {connect} from 'node:net'
import {strata} from '../helpers/cli.js'
import {newStore, startServe} from './helpers.js'

const CLIENTS = 32
/** The server is killed once this many writes are acknowledged. */
const KILL_AFTER_ACKS = 600

for (const sync of ['batch', 'always']) {
  test(`--sync ${sync}: after SIGKILL every acknowledged write of 32 concurrent clients is present`, async (t) => {
    const dir = newStore(t)
    const s = await startServe(t, dir, ['--sync', sync])
    const acked = new Map<string, string>()
    let killed = false
    let readsChecked = 0
    let readMismatches = 0
    const killedAt = new Promise<void>((resolve) => {
      const client = async (c: number): Promise<void> => {
        for (let n = 0; !killed; n++) {
          const key = `c${c}-${n}`
          const value = randomBytes(12).toString('hex')
          try {
            const r = await fetch(`${s.url}/kv/${key}`, {method: 'PUT', body: value})
            if (r.status !== 200) continue
            await r.arrayBuffer()
            acked.set(key, value)
            if (acked.size === KILL_AFTER_ACKS && !killed) {
              killed = true
              s.child.kill('SIGKILL')
              resolve()
            }
            // Read back a random earlier write of this client.
            const back = `c${c}-${Math.floor(Math.random() * (n + 1))}`
            const expect = acked.get(back)
            const g = await fetch(`${s.url}/kv/${back}`)
            const text = await g.text()
            if (expect !== undefined && g.status === 200) {
              readsChecked++
              if (text !== expect) readMismatches++
            }
          } catch {
            // The server was killed under this request: its write may or may not be durable.
          }
        }
      }
      for (let c = 0; c < CLIENTS; c++) void client(c)
    })
    await killedAt
    const exit = await s.stop('SIGKILL')
    t.is(exit.signal, 'SIGKILL')
    t.true(acked.size >= KILL_AFTER_ACKS)
    t.true(readsChecked > 0)
    t.is(readMismatches, 0, 'every read returned the acknowledged value')

    const r = strata(['scan', '--dir', dir, '--format', 'ndjson'])
    t.is(r.code, 0, r.stderr)
    const stored = new Map(r.stdout.split('\n').filter((l) => l !== '').map((l) => {
      const rec = JSON.parse(l) as {key: string; value: string}
      return [rec.key, rec.value] as const
    }))
    let missing = 0
    for (const [key, value] of acked) if (stored.get(key) !== value) missing++
    t.is(missing, 0, `${missing} of ${acked.size} acknowledged writes are missing`)
    // A store killed mid-write opens as a writer again (the lock died with the process).
    t.is(strata(['put', 'after', 'x', '--dir', dir, '--lock-timeout', '0']).code, 0)
  })
}

test('SIGTERM: the in-flight request finishes, new connections are refused, exit 0, the lock is free', async (t) => {
  const dir = newStore(t)
  const s = await startServe(t, dir)
  t.is((await fetch(`${s.url}/kv/before`, {method: 'PUT', body: 'b'})).status, 200)
  // An in-flight PUT: headers and half the body sent.
  const socket = connect(s.port, '127.0.0.1')
  await new Promise<void>((resolve) => socket.once('connect', resolve))
  let reply = ''
  socket.on('data', (b) => (reply += b.toString('latin1')))
  const closed = new Promise<void>((resolve) => socket.on('close', resolve))
  socket.write('PUT /kv/inflight HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01234')
  // Wait until the server counts it in flight (the /metrics request itself is the other one).
  let inFlight = 0
  for (const deadline = Date.now() + 20_000; inFlight < 2 && Date.now() < deadline;) {
    inFlight = Number(/^strata_http_requests_in_flight (\d+)$/m.exec(await (await fetch(`${s.url}/metrics`)).text())?.[1] ?? 0)
  }
  t.is(inFlight, 2)
  const exited = s.stop('SIGTERM')
  // Wait until the server says it is draining, then check it no longer accepts.
  for (const deadline = Date.now() + 20_000; !/finishing in-flight/.test(s.stderr()) && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 50))
  t.regex(s.stderr(), /SIGTERM: finishing in-flight requests/)
  const refused = await new Promise<boolean>((resolve) => {
    const probe = connect(s.port, '127.0.0.1')
    probe.on('connect', () => {
      probe.destroy()
      resolve(false)
    })
    probe.on('error', () => resolve(true))
  })
  t.true(refused, 'new connections are refused while draining')
  socket.write('56789')
  await closed
  t.regex(reply, /^HTTP\/1\.1 200 /)
  t.regex(reply, /"valueBytes":10/)
  const exit = await exited
  t.is(exit.code, 0)
  t.regex(s.stderr(), /stopped after SIGTERM/)
  t.is(strata(['get', 'inflight', '--dir', dir]).stdout, '0123456789\n')
  t.is(strata(['put', 'next', 'x', '--dir', dir, '--lock-timeout', '0']).code, 0, 'the lock was released')
})

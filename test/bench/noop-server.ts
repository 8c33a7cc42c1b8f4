/**
 * The serve workload's yardstick: a node:http server that answers every
 * request (its body read to the end) with 200 and a fixed 100-byte body, and
 * does nothing else. Driven exactly as `strata serve` is, it shows how many
 * requests per second this machine's loopback, Node's HTTP stack and the
 * load generator allow at all. Prints its URL to stderr as `strata serve`
 * does. Usage: node dist/test/bench/noop-server.js
 */
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'

const BODY = Buffer.alloc(100, 0x61)

const server = createServer((req, res) => {
  req.resume()
  req.once('end', () => {
    res.writeHead(200, {'content-type': 'application/octet-stream', 'content-length': String(BODY.length)})
    res.end(BODY)
  })
})
server.listen(0, '127.0.0.1', () => {
  process.stderr.write(`noop server: listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`)
})
process.once('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections())

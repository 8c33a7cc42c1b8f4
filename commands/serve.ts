import {MAX_VALUE_BYTES, open} from '../src/engine.js'
import {CliError, Flags, StrataCommand, cacheSizeFlag, formatBytes, lockTimeoutFlag, parseDuration, parseSize, parseSyncMode, syncModeText} from '../src/cli/index.js'
import {ErrorCode} from '../src/engine.js'
import {renameSync, writeFileSync} from 'node:fs'

/** The endpoints, for --help (README.md has the full table). */
const ENDPOINTS = `Endpoints (keys in paths are percent-encoded bytes; ?key-encoding=hex|base64 for keys given as hex or base64):
  GET /kv/{key}                     the value (404 when missing); Content-Type application/json for JSON values; X-Strata-Expires-At / X-Strata-TTL for keys with a TTL
  PUT|POST /kv/{key}                body = value; ?ttl=30s, ?json=1, ?schema=NAME[@V]
  DELETE /kv/{key}                  {"key", "keyEncoding", "deleted": bool}
  POST /bulk                        NDJSON lines as put --batch takes them, or (Content-Type application/json) one object {"key": value}; ?chunk=N
  GET /bulk/range?start_key=&end_key=   NDJSON records, end_key included
  GET /scan?from=&to=&prefix=&limit=&reverse=   NDJSON records, [from, to)
  GET /stats, /digest, /healthz, /metrics (Prometheus text)`

/** How far behind its writer a --read-only server may read. */
const READ_ONLY_REFRESH_MS = 1000

/** The server runs until a signal; nothing goes to stdout. */
export default class Serve extends StrataCommand {
  static override summary = 'Serve the store over HTTP: get, put, delete, bulk loads, scans, stats, digest, metrics.'
  static override description = `Holds the writer lock (unless --read-only) and answers HTTP requests until SIGINT or SIGTERM; then it stops accepting connections, lets in-flight requests finish, syncs, releases the lock and exits 0. The address it listens on is printed on stderr ("listening on http://HOST:PORT"), the real port when --listen asks for port 0.

A write is answered (2xx) only once it is durable under --sync: "batch" (the default) is group commit, so writes arriving together share one fdatasync; "always" syncs each; "none" and every:N / every:DURATION acknowledge before the sync, and a crash can lose what was acknowledged since the last one.

Security: only loopback addresses are allowed without --token-file; with a token, every request must carry "Authorization: Bearer TOKEN" (else 401). Bodies over the value limit (64 MiB, or --max-body) get 413, malformed requests 400, unknown paths 404, wrong methods 405, writes to a --read-only server 405; every error has a JSON body {"error": {"code", "message", "hint", "status"}} with the CLI's error codes. A client that sends its headers or body too slowly is cut off (--header-timeout, --body-timeout, --request-timeout).

Read replica: with --replica-of SRC, --dir is a local directory (new, empty, or one an earlier run used) that SRC's newest cut is restored into; every --interval the server looks for a newer cut (without listing SRC), restores it beside the one served, checks it (--verify), and swaps it in: requests already running finish on the previous cut, so a reader never sees half of a cut. Writes get 405 naming the replica and SRC. Every response carries Strata-Replica-Cut (the cut id) and Strata-Replica-Lag-Ms (now minus the time the cut was taken); /stats has a "replica" object, /metrics strata_replica_lag_seconds. When SRC fails (unreachable, a damaged object), the last good cut is still served, /stats and /healthz report "degraded" with the error, and the next interval tries again.

/scan and /bulk/range hold at most --max-range records; when more remain the last line is {"next": {"param", "value", "query"}}: request the same path with that query for the rest.

${ENDPOINTS}`

  static override examples = [
    {
      description: 'Serve ./data on a free loopback port; once it listens, its address is in the file "ready"; ask it for its health, then stop it with SIGTERM, as a service manager would: it finishes in-flight requests and exits 0.',
      command: 'rm -f ready; <%= config.bin %> <%= command.id %> --listen 127.0.0.1:0 --ready-file ready & until [ -s ready ]; do sleep 0.1; done; curl -s "$(cat ready)/healthz"; kill -TERM $! && wait $!',
    },
    {
      description: 'Serve reads only, on every interface, to clients that send the token in the file.',
      command: 'openssl rand -hex 32 > token; rm -f ready; <%= config.bin %> <%= command.id %> --read-only --listen 0.0.0.0:0 --token-file token --ready-file ready & until [ -s ready ]; do sleep 0.1; done; curl -s -H "Authorization: Bearer $(cat token)" "$(cat ready)/stats" > /dev/null; kill -TERM $! && wait $!',
    },
    {
      description: 'Serve with an fdatasync per write and pages of at most 100 records; write a record over HTTP.',
      command: 'rm -f ready; <%= config.bin %> <%= command.id %> --listen 127.0.0.1:0 --sync always --max-range 100 --ready-file ready & until [ -s ready ]; do sleep 0.1; done; curl -s -X PUT --data-binary "hello" "$(cat ready)/kv/greeting"; kill -TERM $! && wait $!',
    },
  ]

  static override flags = {
    listen: Flags.string({summary: 'Address to listen on, HOST:PORT ([::1]:PORT for IPv6; port 0 picks a free one). Other than loopback only with --token-file.', default: '127.0.0.1:7070', helpValue: 'HOST:PORT'}),
    'token-file': Flags.string({summary: 'File holding the bearer token every request must carry (Authorization: Bearer TOKEN).', helpValue: 'FILE'}),
    sync: Flags.string({summary: 'When writes are durable before they are acknowledged: always, batch (group commit), none, every:N or every:DURATION.', default: 'batch', helpValue: 'MODE'}),
    'cache-size': cacheSizeFlag,
    'max-range': Flags.integer({summary: 'Most records one /scan or /bulk/range response holds; the rest is a continuation away.', default: 1000, min: 1, helpValue: 'N'}),
    'max-body': Flags.string({summary: 'Largest request body that is read whole (a value, a JSON /bulk object); larger ones get 413. At most 64MiB.', default: '64MiB', helpValue: 'SIZE'}),
    'read-only': Flags.boolean({summary: 'Serve reads only, without the writer lock (another process may write; reads follow it within a second): writes get 405.'}),
    'header-timeout': Flags.string({summary: 'Time a client has to send the request line and headers.', default: '10s', helpValue: 'DURATION'}),
    'body-timeout': Flags.string({summary: 'Longest pause allowed while a client sends a request body.', default: '30s', helpValue: 'DURATION'}),
    'request-timeout': Flags.string({summary: 'Time a client has to send a whole request (raise it for large /bulk loads).', default: '5m', helpValue: 'DURATION'}),
    'lock-timeout': lockTimeoutFlag,
    'ready-file': Flags.string({summary: 'Once listening (and ready for SIGTERM), write the server\'s URL to this file, replaced atomically: a script waits for it instead of guessing how long start-up takes.', helpValue: 'FILE'}),
    'replica-of': Flags.string({summary: 'Serve as a read replica of SRC (a replica directory or s3://bucket/prefix that strata replicate writes): --dir is the local directory its cuts are restored into; writes get 405.', helpValue: 'SRC', exclusive: ['read-only']}),
    interval: Flags.string({summary: 'With --replica-of: how often to look for a newer cut of SRC (default 1s).', helpValue: 'DURATION', dependsOn: ['replica-of']}),
    verify: Flags.string({summary: 'With --replica-of: how each cut is checked before it is served: quick (size and SHA-256 of every object) or full (also the cut\'s digest); default quick.', options: ['quick', 'full'], dependsOn: ['replica-of']}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parseCommand(Serve)
    const serve = await import('../src/serve/index.js')
    const listen = serve.parseListen(flags.listen)
    const sync = parseSyncMode(flags.sync)
    const maxBodyBytes = parseSize(flags['max-body'], '--max-body')
    if (maxBodyBytes < 1 || maxBodyBytes > MAX_VALUE_BYTES) throw new CliError(ErrorCode.INVALID_ARGUMENT, `--max-body must be from 1 byte to ${formatBytes(MAX_VALUE_BYTES)}`)
    const ms = (flag: 'header-timeout' | 'body-timeout' | 'request-timeout' | 'lock-timeout'): number => parseDuration(flags[flag], {what: `--${flag}`, allowZero: flag === 'lock-timeout'})
    const settings = {headersTimeoutMs: ms('header-timeout'), bodyIdleMs: ms('body-timeout'), requestTimeoutMs: ms('request-timeout')}
    if (settings.requestTimeoutMs < settings.headersTimeoutMs) throw new CliError(ErrorCode.INVALID_ARGUMENT, '--request-timeout must be at least --header-timeout')
    const auth = flags['token-file'] === undefined ? undefined : serve.BearerAuth.fromFile(flags['token-file'])
    serve.checkExposure(listen, auth !== undefined)
    const cacheSizeBytes = parseSize(flags['cache-size'], '--cache-size')
    const reader = async (dir = flags.dir) => open(dir, {readOnly: true, cacheSizeBytes})
    const source = flags['replica-of']
    const log = (line: string): void => void process.stderr.write(`strata serve: ${line}\n`)
    const handle: import('../src/serve/index.js').StoreHandle =
      source !== undefined
        ? await serve.startReplica({source, local: flags.dir, intervalMs: parseDuration(flags.interval ?? '1s', {what: '--interval'}), verify: (flags.verify ?? 'quick') as 'quick' | 'full', open: reader, log})
        : flags['read-only']
          ? new serve.RefreshingStoreHandle(await reader(), reader, READ_ONLY_REFRESH_MS)
          : new serve.FixedStoreHandle(await open(flags.dir, {sync, cacheSizeBytes, lockTimeoutMs: ms('lock-timeout')}))
    let server
    try {
      server = await serve.startServer(handle, {listen, ...settings, maxRange: flags['max-range'], maxBodyBytes, ...(auth === undefined ? {} : {auth})})
    } catch (err) {
      await handle.close()
      throw new CliError(ErrorCode.IO, `cannot listen on ${flags.listen}: ${(err as Error).message}`)
    }
    const {host, port} = server.address
    const shown = host.includes(':') ? `[${host}]` : host
    const mode = source !== undefined ? `replica of ${handle.source ?? source}` : flags['read-only'] ? 'read-only' : `primary, sync ${syncModeText(sync)}`
    // The signal handlers are installed when serveUntilSignal is called, so
    // the address is announced only after a SIGTERM would be handled.
    const stopped = serve.serveUntilSignal(server, (s) => process.stderr.write(`strata serve: ${s}: finishing in-flight requests\n`))
    process.stderr.write(`strata serve: listening on http://${shown}:${port} (${mode}, ${source === undefined ? 'store' : 'local directory'} ${flags.dir})\n`)
    if (flags['ready-file'] !== undefined) {
      try {
        writeReadyFile(flags['ready-file'], `http://${shown}:${port}`)
      } catch (err) {
        await server.stop()
        throw err
      }
    }
    const signal = await stopped
    process.stderr.write(`strata serve: stopped after ${signal}\n`)
  }
}

/** Writes `url` to `file` through a temporary name and a rename, so a reader never sees it half written. */
function writeReadyFile(file: string, url: string): void {
  const tmp = `${file}.${process.pid}.tmp`
  try {
    writeFileSync(tmp, `${url}\n`)
    renameSync(tmp, file)
  } catch (err) {
    throw new CliError(ErrorCode.IO, `cannot write --ready-file ${file}: ${(err as Error).message}`)
  }
}

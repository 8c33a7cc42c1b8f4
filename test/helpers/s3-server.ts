/**
 * The S3 server of the tests: a one-node Ceph cluster with its RADOS Gateway
 * on 127.0.0.1, started by test/support/ceph-s3.sh. The first test that needs
 * it starts it; later ones (in this or any other ava worker, or a CI job that
 * started it before the suite) find it running: the script is idempotent and
 * serialises concurrent starts with a lock file beside the state directory.
 * It is left running after the suite (a restart costs ~20 s); `ceph-s3.sh stop
 * DIR` stops it.
 *
 * STRATA_S3_STATE and STRATA_S3_PORT choose the state directory and the port
 * (defaults: $TMPDIR/strata-ceph-s3 and 17480). Without the Ceph packages the
 * tests fail with one line naming the packages to install: they never skip.
 */
import {spawn} from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {randomBytes} from 'node:crypto'
import {CreateBucketCommand, S3Client} from '@aws-sdk/client-s3'
import {repoRoot} from './temp.js'

export const cephScript = path.join(repoRoot, 'test', 'support', 'ceph-s3.sh')
export const s3StateDir = process.env.STRATA_S3_STATE ?? path.join(os.tmpdir(), 'strata-ceph-s3')
export const s3Port = Number(process.env.STRATA_S3_PORT ?? 17480)

/** A running gateway: its endpoint and the AWS_* variables that reach it. */
export interface S3Server {
  readonly endpoint: string
  readonly env: Record<string, string>
}

/** Runs the script; resolves to its stdout, rejects with its last stderr line. */
export function cephS3(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [cephScript, ...args], {stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolve(out)
      else reject(new Error(err.trim().split('\n').pop() ?? `ceph-s3.sh ${args[0]} exited ${code}`))
    })
  })
}

let started: Promise<S3Server> | undefined

/** The test gateway, started on first use (see the file comment). */
export function ensureS3Server(): Promise<S3Server> {
  started ??= cephS3('start', s3StateDir, String(s3Port)).then((out) => {
    const env: Record<string, string> = {}
    for (const m of out.matchAll(/^export (\w+)=(.*)$/gm)) env[m[1]!] = m[2]!
    if (env.AWS_ENDPOINT_URL === undefined) throw new Error(`ceph-s3.sh start printed no endpoint: ${out}`)
    return {endpoint: env.AWS_ENDPOINT_URL, env}
  })
  return started
}

let buckets = 0

/** A new, empty bucket on the test gateway, named after `name` and unique to this call. */
export async function freshBucket(name: string): Promise<string> {
  const {env} = await ensureS3Server()
  const stem = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 30) || 'b'
  const bucket = `${stem}-${process.pid}-${++buckets}-${randomBytes(3).toString('hex')}`
  const client = s3Client(env)
  try {
    await client.send(new CreateBucketCommand({Bucket: bucket}))
  } finally {
    client.destroy()
  }
  return bucket
}

/** An SDK client on the gateway `env` names, for tests that look behind the store. */
export function s3Client(env: Record<string, string>): S3Client {
  // The SDK's Node 22 notice is not the tests' business (the store itself silences it the same way).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  return new S3Client({
    region: env.AWS_REGION!,
    endpoint: env.AWS_ENDPOINT_URL!,
    forcePathStyle: true,
    credentials: {accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY!},
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
}

/**
 * A gateway of one test's own on the shared cluster, which that test may
 * stop and restart without disturbing the others. `slot` (1-30) picks its
 * port; each test file that uses one takes a slot of its own. Tests stop it
 * when they end (it costs ~60 MB); the next use starts it again.
 */
export interface OwnGateway extends S3Server {
  stop(): Promise<void>
  start(): Promise<void>
  /** Sends `signal` to the gateway's process (SIGSTOP: a server that hangs; SIGCONT: it goes on). */
  signal(signal: NodeJS.Signals): void
}

export async function ownGateway(slot: number): Promise<OwnGateway> {
  const main = await ensureS3Server()
  const name = `fault${slot}`
  const port = String(s3Port + 50 + slot)
  const endpoint = `http://127.0.0.1:${port}`
  const start = async (): Promise<void> => void (await cephS3('start-gateway', s3StateDir, name, port))
  await start()
  return {
    endpoint,
    env: {...main.env, AWS_ENDPOINT_URL: endpoint},
    start,
    stop: async () => void (await cephS3('stop-gateway', s3StateDir, name)),
    signal: (signal) => process.kill(Number(fs.readFileSync(path.join(s3StateDir, `gw-${name}.pid`), 'utf8')), signal),
  }
}

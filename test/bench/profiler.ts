/**
 * CPU profiles of exactly a workload's timed region (not its setup or its
 * checks), through the inspector in the worker process. Writes the same
 * .cpuprofile format as `node --cpu-prof`.
 */
import {writeFileSync} from 'node:fs'
import {Session} from 'node:inspector/promises'

/** Profiles the timed region when `path` is given; a no-op otherwise. */
export class RegionProfiler {
  private session?: Session
  constructor(private readonly path: string | undefined) {}

  async start(): Promise<void> {
    if (this.path === undefined) return
    const session = new Session()
    session.connect()
    await session.post('Profiler.enable')
    await session.post('Profiler.start')
    this.session = session
  }

  async stop(): Promise<void> {
    const session = this.session
    if (!session || this.path === undefined) return
    this.session = undefined
    const {profile} = await session.post('Profiler.stop')
    session.disconnect()
    writeFileSync(this.path, JSON.stringify(profile))
  }
}

/**
 * The counting and error injection of FaultFileSystem (fault-fs.ts), its
 * base class: every I/O call is counted (in total and by kind) and offered
 * to the armed faults, the at-th matching call of one fails with a Node-shaped
 * system error, and a sticky fault keeps failing. What fired is logged.
 */
import {sysError, type FaultSpec, type FiredFault, type FsCallKind} from './fault-spec.js'

interface ActiveFault extends FaultSpec {
  counted: number
  firing: boolean
}

/** Counts calls and fires faults; see the file comment. */
export class FaultInjector {
  private faults: ActiveFault[] = []
  private readonly byKind = new Map<FsCallKind, number>()
  /** Every counted call so far. */
  calls = 0
  /** Faults that fired, in order. */
  readonly fired: FiredFault[] = []
  /** Called at the start of each counted call, before a fault may fail it; `calls` already counts it. */
  onCall: ((kind: FsCallKind, path: string) => void) | undefined

  /** Calls of `kind` so far. */
  callsOf(kind: FsCallKind): number {
    return this.byKind.get(kind) ?? 0
  }

  /** Arms a fault; see FaultSpec. Returns this. */
  injectFault(spec: FaultSpec): this {
    if (!(Number.isInteger(spec.at) && spec.at >= 1)) throw new RangeError(`fault position must be a positive integer, got ${spec.at}`)
    this.faults.push({...spec, counted: 0, firing: false})
    return this
  }

  /** Disarms every fault (a healthy filesystem over the same state). */
  clearFaults(): this {
    this.faults = []
    return this
  }

  /**
   * Counts a call and throws if a fault fires on it. For exists/isDirectory
   * the caller turns the throw into `false`.
   */
  protected enter(kind: FsCallKind, path: string, onFail?: (f: ActiveFault) => void): void {
    this.calls++
    this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1)
    this.onCall?.(kind, path)
    for (const f of this.faults) {
      if (f.kinds !== undefined && !f.kinds.includes(kind)) continue
      if (f.path !== undefined && !f.path.test(path)) continue
      f.counted++
      if (f.counted === f.at || (f.firing && f.sticky)) {
        f.firing = true
        const code = f.code ?? 'EIO'
        this.fired.push({kind, path, code, call: this.calls})
        onFail?.(f)
        throw sysError(code, kind, path)
      }
    }
  }
}

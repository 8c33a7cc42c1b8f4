/**
 * `--sync`: the engine's sync modes as the command line writes them:
 * always, batch, none, every:N (every N writes) or every:DURATION
 * (every:100ms, every:2s).
 */
import type {SyncMode} from '../../engine.js'
import {ErrorCode} from '../../engine.js'
import {parseDuration} from '../../codec/duration.js'
import {CliError} from '../oclif/cli-error.js'

/** Parses a --sync value; INVALID_ARGUMENT (exit 2) on anything else. */
export function parseSyncMode(text: string): SyncMode {
  if (text === 'always' || text === 'batch' || text === 'none') return text
  const m = /^every:(.+)$/.exec(text)
  if (m !== null) {
    if (/^[1-9]\d{0,8}$/.test(m[1])) return {everyOps: Number(m[1])}
    if (/[a-z]$/i.test(m[1])) return {everyMs: parseDuration(m[1], {what: '--sync every:'})}
  }
  throw new CliError(ErrorCode.INVALID_ARGUMENT, `--sync ${JSON.stringify(text)} is not a sync mode`, 'use always, batch, none, every:N (writes) or every:DURATION (every:100ms)')
}

/** A sync mode as --sync writes it. */
export function syncModeText(mode: SyncMode): string {
  if (typeof mode === 'string') return mode
  return 'everyOps' in mode ? `every:${mode.everyOps}` : `every:${mode.everyMs}ms`
}

/**
 * Flags shared by several commands (those that are on every command live in
 * base-command.ts).
 */
import {Flags} from '@oclif/core'
import {ENCODINGS} from '../../codec/encoding.js'
import {DEFAULT_CACHE_SIZE, DEFAULT_ENCODING} from '../input/flag-defaults.js'

/** --key-encoding: how keys are written in arguments and printed. */
export const keyEncodingFlag = Flags.option({
  options: ENCODINGS,
  default: DEFAULT_ENCODING,
  summary: 'How keys are written in arguments and printed: utf8, hex or base64.',
  helpValue: 'ENC',
})()

/** --value-encoding: how values are written (argument, --file, stdin) and printed. */
export const valueEncodingFlag = Flags.option({
  options: ENCODINGS,
  default: DEFAULT_ENCODING,
  summary: 'How values are given and printed: utf8, hex or base64.',
  helpValue: 'ENC',
})()

/** --lock-timeout: how long a writer waits for the store's writer lock. */
export const lockTimeoutFlag = Flags.string({
  summary: 'How long to wait for the writer lock before failing with exit code 4 (500ms, 30s, 2m; 0 = do not wait).',
  default: '10s',
  helpValue: 'DURATION',
})

/** --cache-size: the block cache budget of a reading command. */
export const cacheSizeFlag = Flags.string({
  summary: 'Block cache budget: decoded data blocks kept in memory while the command runs (0 turns it off). Worth raising for many keys or repeated reads.',
  description: 'Bytes with an optional unit: 0, 65536, 512K, 64MiB, 1G (1024-based).',
  default: DEFAULT_CACHE_SIZE,
  helpValue: 'SIZE',
})

/** --progress / --no-progress: progress lines on stderr (rule: src/cli/output/progress.ts). */
export const progressFlag = Flags.boolean({
  summary: 'Show progress on stderr (default: only when stderr is a terminal and the run takes over a second).',
  allowNo: true,
})

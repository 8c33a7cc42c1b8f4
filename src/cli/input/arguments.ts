/**
 * Keys, values and bounds given as command-line arguments. Node decodes argv
 * as UTF-8 and replaces each byte that is not valid UTF-8 with U+FFFD; the
 * original bytes are not available to the program. So under utf8 an argument
 * can stand for exact bytes only if it holds no U+FFFD: $'\xff' and $'\xfe'
 * would otherwise both arrive as U+FFFD and name the same key.
 */
import {ErrorCode} from '../../errors.js'
import {CliError} from '../oclif/cli-error.js'
import {decodeInput, type Encoding} from '../../codec/encoding.js'

/** U+FFFD, which Node puts in argv for each byte that is not valid UTF-8. */
const REPLACEMENT = '\ufffd'

/**
 * Decodes a command-line argument (a key, a value, --from, --to, --prefix)
 * written in `enc`; `flag` is the encoding flag to suggest (--key-encoding or
 * --value-encoding).
 *
 * Under utf8 an argument holding U+FFFD is refused: Node decodes argv as
 * UTF-8 and replaces each invalid byte with U+FFFD, and the original bytes are
 * not available, so $'\xff' and $'\xfe' would both arrive as U+FFFD and name
 * the same key. A real U+FFFD cannot be told apart, so it too must be given in
 * hex (efbfbd) or base64.
 */
export function decodeArgument(text: string, enc: Encoding, what: string, flag: '--key-encoding' | '--value-encoding'): Buffer {
  if (enc === 'utf8' && text.includes(REPLACEMENT)) {
    throw new CliError(ErrorCode.INVALID_ARGUMENT, `${what} is not valid UTF-8 (or holds U+FFFD): its bytes cannot be read exactly from the command line`,
      `give it in hex or base64 with ${flag} hex|base64 (U+FFFD itself is efbfbd in hex)`)
  }
  return decodeInput(text, enc, what)
}


/**
 * Strings that become bytes. A JavaScript string is UTF-16 and may hold a
 * lone surrogate, which UTF-8 cannot encode: Buffer.from(s, 'utf8') replaces
 * it with U+FFFD, so "\ud800" and "\udc00" would encode to the same bytes.
 * Every place that turns a user's string into a key or value refuses such a
 * string instead.
 */

const nativeIsWellFormed = (String.prototype as {isWellFormed?: (this: string) => boolean}).isWellFormed

/** True if `s` has no lone surrogate, so its UTF-8 encoding decodes back to `s`. */
export function isWellFormed(s: string): boolean {
  // Node 20 has String.prototype.isWellFormed; the regex is the same rule for older engines.
  return nativeIsWellFormed !== undefined ? nativeIsWellFormed.call(s) : !/\p{Cs}/u.test(s)
}

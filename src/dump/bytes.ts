/**
 * Key or value bytes inside a decoded result (a file summary, a block
 * layout). The views choose how to show them: JSON in the chosen encoding,
 * text escaped onto one line.
 */
export class Bytes {
  constructor(readonly bytes: Uint8Array, readonly role: 'key' | 'value') {}
}

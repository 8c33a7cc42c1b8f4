/**
 * A sum of 256-bit unsigned integers modulo 2^256: how the digest combines
 * record hashes. Addition (unlike XOR) does not cancel a record that appears
 * twice, and it is order-independent, so shards can be summed separately.
 *
 * Eight 32-bit limbs, most significant first, held in a Float64Array without
 * carrying: every addition adds less than 2^32 to a limb, so a limb stays an
 * exact integer below 2^53 for 2^21 additions. Carries are propagated every
 * CARRY_EVERY additions and whenever the value is read; the carry out of the
 * top limb is dropped (the modulus).
 */

const LIMBS = 8
const TWO_32 = 2 ** 32
/** Additions between carry propagations: 2^20, well inside the 2^21 bound above. */
const CARRY_EVERY = 1 << 20

export class Sum256 {
  private readonly limbs = new Float64Array(LIMBS)
  private pending = 0

  /** Adds a 256-bit value given as 32 latin1 characters (bytes, most significant first). */
  addLatin1(h: string): void {
    const l = this.limbs
    for (let i = 0, o = 0; i < LIMBS; i++, o += 4) {
      l[i] += h.charCodeAt(o) * 0x1000000 + ((h.charCodeAt(o + 1) << 16) | (h.charCodeAt(o + 2) << 8) | h.charCodeAt(o + 3))
    }
    if (++this.pending >= CARRY_EVERY) this.carry()
  }

  /** Adds a 256-bit value given as 64 hex digits (as `hex()` gives), most significant first. */
  addHex(hex: string): void {
    this.addLatin1(Buffer.from(hex, 'hex').toString('latin1'))
  }

  /** Adds another sum. */
  addSum(other: Sum256): void {
    other.carry()
    this.carry()
    for (let i = 0; i < LIMBS; i++) this.limbs[i] += other.limbs[i]
    this.carry()
  }

  /** The value as 64 lowercase hex digits, most significant first. */
  hex(): string {
    this.carry()
    let s = ''
    for (let i = 0; i < LIMBS; i++) s += this.limbs[i].toString(16).padStart(8, '0')
    return s
  }

  private carry(): void {
    const l = this.limbs
    let c = 0
    for (let i = LIMBS - 1; i >= 0; i--) {
      const v = l[i] + c
      const r = v % TWO_32
      l[i] = r
      c = (v - r) / TWO_32
    }
    this.pending = 0
  }
}

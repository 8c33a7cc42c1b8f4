meta:
  id: strata_varint
  title: strata varint (unsigned LEB128, at most 8 bytes, at most 2^53 - 1)
  license: MIT
  ks-version: '0.11'
  endian: le
doc: |
  An unsigned integer in little-endian base-128 groups (LEB128): each byte
  carries 7 bits of the value, least significant group first; a byte with
  its top bit set says another byte follows.

  strata varints carry integers up to 2^53 - 1 (JavaScript's safe range) in
  at most 8 bytes, so the 8th byte, when present, must be below 0x10 (it
  ends the varint and adds at most 4 bits): a longer varint, or one above
  2^53 - 1, is corruption. Non-minimal encodings (such as 0x80 0x00 for 0)
  decode; strata never writes them.

  The bytes are fields b0 .. b7, each present only if every byte before it
  has its top bit set; one flat object per varint keeps decoded files
  small. The value is computed with multiplication (`group * 128^i`), never
  with shifts, which are 32-bit in JavaScript.

  Engine: src/util/coding.ts (ByteWriter.varint, ByteReader.varint).
doc-ref: src/util/coding.ts
seq:
  - id: b0
    type: u1
    doc: Bits 0-6 of the value; bit 7 set if b1 follows.
  - id: b1
    type: u1
    if: b0 >= 0x80
    doc: Bits 7-13; bit 7 set if b2 follows.
  - id: b2
    type: u1
    if: b0 >= 0x80 and b1 >= 0x80
    doc: Bits 14-20; bit 7 set if b3 follows.
  - id: b3
    type: u1
    if: b0 >= 0x80 and b1 >= 0x80 and b2 >= 0x80
    doc: Bits 21-27; bit 7 set if b4 follows.
  - id: b4
    type: u1
    if: b0 >= 0x80 and b1 >= 0x80 and b2 >= 0x80 and b3 >= 0x80
    doc: Bits 28-34; bit 7 set if b5 follows.
  - id: b5
    type: u1
    if: b0 >= 0x80 and b1 >= 0x80 and b2 >= 0x80 and b3 >= 0x80 and b4 >= 0x80
    doc: Bits 35-41; bit 7 set if b6 follows.
  - id: b6
    type: u1
    if: b0 >= 0x80 and b1 >= 0x80 and b2 >= 0x80 and b3 >= 0x80 and b4 >= 0x80 and b5 >= 0x80
    doc: Bits 42-48; bit 7 set if b7 follows.
  - id: b7
    type: u1
    if: b0 >= 0x80 and b1 >= 0x80 and b2 >= 0x80 and b3 >= 0x80 and b4 >= 0x80 and b5 >= 0x80 and b6 >= 0x80
    valid:
      max: 0x0f
    doc: Bits 49-52, the last byte a strata varint may have; below 0x10 (no continuation, at most 2^53 - 1).
instances:
  len:
    value: 'b0 < 0x80 ? 1 : b1 < 0x80 ? 2 : b2 < 0x80 ? 3 : b3 < 0x80 ? 4 : b4 < 0x80 ? 5 : b5 < 0x80 ? 6 : b6 < 0x80 ? 7 : 8'
    doc: Number of bytes the varint takes, 1 to 8.
  value:
    value: >-
      (b0 & 0x7f)
      + (len > 1 ? (b1 & 0x7f) * 0x80 : 0)
      + (len > 2 ? (b2 & 0x7f) * 0x4000 : 0)
      + (len > 3 ? (b3 & 0x7f) * 0x200000 : 0)
      + (len > 4 ? (b4 & 0x7f) * 0x10000000 : 0)
      + (len > 5 ? (b5 & 0x7f) * 0x800000000 : 0)
      + (len > 6 ? (b6 & 0x7f) * 0x40000000000 : 0)
      + (len > 7 ? b7 * 0x2000000000000 : 0)
    doc: The decoded integer, the sum of group i times 128^i.

meta:
  id: strata_entry
  title: strata record entry (one version of one key), format v1
  license: MIT
  ks-version: '0.11'
  endian: le
  imports:
    - strata_varint
doc: |
  One version of one key: the unit every file kind stores. WAL batches
  (strata_wal.ksy) and SSTable data blocks (strata_sstable.ksy) use this
  same encoding. The optional fields at the end are present exactly when
  their flag bit is set, in the order listed.

  Engine: src/record/format.ts (layout), src/record/codec.ts (encodeEntry,
  decodeEntry).
doc-ref: src/record/format.ts
seq:
  - id: kind
    type: u1
    enum: record_kind
    valid:
      in-enum: true
    doc: What the entry does to its key (record_kind; 0 is never valid).
  - id: flags
    type: u1
    valid:
      expr: (_ & 0xf0) == 0
    doc: |
      Bit set of entry_flag values saying which optional fields follow.
      Bits 4-7 are reserved and must be zero in format v1.
  - id: sequence
    type: strata_varint
    doc: |
      Sequence number, per shard; strictly increasing within a WAL and
      unique within a table. The newest version of a key has the highest.
  - id: key_len
    type: strata_varint
    valid:
      expr: _.value >= 1 and _.value <= 65536
    doc: Key length in bytes, 1 to 65536.
  - id: key
    size: key_len.value
    doc: The key, an arbitrary byte string (keys sort bytewise).
  - id: value_len
    type: strata_varint
    valid:
      expr: _.value <= 67108864 and (kind == record_kind::put or _.value == 0)
    doc: Stored value length in bytes, 0 to 64 MiB; always 0 for a delete.
  - id: value
    size: value_len.value
    doc: The value bytes as stored, encoded by `codec` (raw when absent).
  - id: expires_at
    type: u8
    if: has_expiry
    valid:
      max: 9007199254740991
    doc: |
      [flag has_expiry] Expiry time in milliseconds since the Unix epoch;
      the key reads as absent from this instant on.
  - id: codec
    type: u1
    enum: value_codec
    if: has_codec
    valid:
      in-enum: true
    doc: '[flag has_codec] How `value` encodes the user''s value; absent means raw.'
  - id: schema_id
    type: strata_varint
    if: has_schema
    doc: '[flag has_schema] Id of the value schema in the store''s schema registry.'
  - id: schema_version
    type: strata_varint
    if: has_schema
    doc: '[flag has_schema] Version of that schema the value was written with.'
instances:
  has_expiry:
    value: (flags & entry_flag::has_expiry.to_i) != 0
    doc: True if `expires_at` is present (the entry has a TTL).
  has_schema:
    value: (flags & entry_flag::has_schema.to_i) != 0
    doc: True if `schema_id` and `schema_version` are present.
  is_json:
    value: (flags & entry_flag::json.to_i) != 0
    doc: True if the value was marked as JSON when written (no field of its own).
  has_codec:
    value: (flags & entry_flag::has_codec.to_i) != 0
    doc: True if `codec` is present.
enums:
  record_kind:
    1:
      id: put
      doc: Sets the key to `value`.
    2:
      id: delete
      doc: A tombstone; hides every older version of the key. Its value is empty.
  entry_flag:
    0x01:
      id: has_expiry
      doc: expires_at (u8) follows the value.
    0x02:
      id: has_schema
      doc: schema_id and schema_version (varints) follow.
    0x04:
      id: json
      doc: The value is JSON text; adds no field.
    0x08:
      id: has_codec
      doc: codec (u1) follows; without it the codec is raw.
  value_codec:
    0:
      id: raw
      doc: The value is stored as is.
    1:
      id: zlib
      doc: The value is a zlib stream (RFC 1950); inflate it to read the value.

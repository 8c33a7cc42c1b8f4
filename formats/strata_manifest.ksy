meta:
  id: strata_manifest
  title: strata shard manifest (MANIFEST-NNNNNN), format v1
  application: strata
  license: MIT
  ks-version: '0.11'
  endian: le
  imports:
    - strata_varint
doc: |
  A complete snapshot of one shard's live files: the SSTables, the live
  WAL and the counters a writer resumes from. A manifest is never edited
  in place: a change writes a new MANIFEST-NNNNNN (the name carries its file
  number; the file has no extension) and switches the shard's CURRENT file
  to name it.

    file  := magic "STRATAMF"  u4 format_version  u4 shard
             u8 next_file_number  u8 last_seq  u8 wal_number
             u4 table_count  table[table_count]  u4 crc
    table := u8 file_number  u8 file_size  u1 level  u8 entries
             u8 min_seq  u8 max_seq
             varint smallest_key_len  smallest_key
             varint largest_key_len  largest_key

  The crc is CRC-32 (zlib polynomial) of every byte before it
  (`checked_span`); it is the file's last 4 bytes. Tables are listed
  newest first (descending max_seq).

  CURRENT, beside it, is a text file holding the live manifest's name and a
  newline, e.g. "MANIFEST-000007\n"; it has no spec of its own.

  Engine: src/manifest/format.ts (layout), src/manifest/codec.ts,
  src/manifest/current.ts.
doc-ref: src/manifest/format.ts
seq:
  - id: magic
    contents: STRATAMF
    doc: Identifies a strata manifest.
  - id: format_version
    type: u4
    enum: manifest_format
    valid:
      in-enum: true
    doc: Layout version of this file (manifest_format).
  - id: shard
    type: u4
    doc: Index of the shard the manifest describes.
  - id: next_file_number
    type: u8
    doc: Every file number in use in the shard is below it; the next file gets it.
  - id: last_seq
    type: u8
    doc: |
      Highest sequence number the shard had assigned when the manifest was
      written: at least every listed table's max_seq (a compaction may drop
      the newest versions), and the live WAL's records continue above it.
  - id: wal_number
    type: u8
    valid:
      expr: _ < next_file_number
    doc: File number of the live WAL (NNNNNN.wal); 0 means none.
  - id: table_count
    type: u4
    valid:
      expr: _ * 43 <= _io.size - _io.pos - 4
    doc: |
      Number of live tables. A table record takes at least 43 bytes, so a
      count that cannot fit in the file is rejected up front.
  - id: tables
    type: table
    repeat: expr
    repeat-expr: table_count
    doc: The live SSTables, newest first.
  - id: crc
    type: u4
    doc: CRC-32 of every byte before it.
  - id: trailing
    size-eos: true
    valid:
      expr: _.length == 0
    doc: Bytes after the crc; must be empty (the crc is the file's last 4 bytes).
instances:
  checked_span:
    pos: 0
    size: _io.size - 4
    doc: The bytes `crc` covers - everything before the crc.
types:
  table:
    doc: One live SSTable.
    seq:
      - id: file_number
        type: u8
        valid:
          expr: _ > 0 and _ < _parent.next_file_number
        doc: The table's file number (NNNNNN.sst); below next_file_number.
      - id: file_size
        type: u8
        doc: Size of the table file in bytes.
      - id: level
        type: u1
        doc: LSM level (0 = flush output, 1 = compaction output).
      - id: entries
        type: u8
        doc: Entries in the table.
      - id: min_seq
        type: u8
        doc: Smallest sequence number in the table.
      - id: max_seq
        type: u8
        valid:
          expr: _ >= min_seq and _ <= _parent.last_seq
        doc: Largest sequence number in the table; at most the manifest's last_seq.
      - id: smallest_key_len
        type: strata_varint
        valid:
          expr: _.value <= 65536
        doc: Length of smallest_key.
      - id: smallest_key
        size: smallest_key_len.value
        doc: The table's first key.
      - id: largest_key_len
        type: strata_varint
        valid:
          expr: _.value <= 65536
        doc: Length of largest_key.
      - id: largest_key
        size: largest_key_len.value
        doc: The table's last key.
enums:
  manifest_format:
    1:
      id: v1
      doc: The layout described here.

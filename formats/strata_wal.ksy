meta:
  id: strata_wal
  title: strata write-ahead log (NNNNNN.wal), format v1
  application: strata
  file-extension: wal
  license: MIT
  ks-version: '0.11'
  endian: le
  imports:
    - strata_entry
doc: |
  A shard's write-ahead log: a 20-byte header, then records appended one
  per atomic batch of writes. One WAL per shard is live at a time (the
  manifest names it); it is replaced by a new, empty one when the shard's
  memtable is flushed to an SSTable.

    file   := header record*
    header := magic "STRATAWL"  u4 format_version  u4 shard  u4 crc
    record := u4 crc  u4 length  u1 type  payload[length]
    BATCH payload := u4 count  entry[count]

  The header crc is CRC-32 (zlib polynomial) of the 16 header bytes before
  it. A record's crc is CRC-32 of its length, type and payload (the 5 + length
  bytes after the crc field, `checked_span`), so a damaged length or type is
  caught as well as a damaged payload. Checksums are not checked by this
  spec; recompute them over the spans it exposes.

  A record that runs past the end of the file is a torn tail (the writer
  died mid-append). This spec then fails with an end-of-stream error; the
  engine's recovery drops such a tail and keeps every record before it.

  Engine: src/wal/format.ts (layout), src/wal/writer.ts, src/wal/reader.ts.
doc-ref: src/wal/format.ts
seq:
  - id: header
    size: 20
    type: header
    doc: The fixed 20-byte file header.
  - id: records
    type: record(_io.pos)
    repeat: eos
    doc: The records, in the order they were appended.
types:
  header:
    doc: The WAL file header.
    seq:
      - id: magic
        contents: STRATAWL
        doc: Identifies a strata WAL.
      - id: format_version
        type: u4
        enum: wal_format
        valid:
          in-enum: true
        doc: Layout version of this file (wal_format).
      - id: shard
        type: u4
        doc: Index of the shard the log belongs to.
      - id: crc
        type: u4
        doc: CRC-32 of the 16 bytes before it (magic, format_version, shard).
    instances:
      checked_span:
        pos: 0
        size: 16
        doc: The bytes `crc` covers.
  record:
    doc: One framed record - a checksummed header and a payload.
    params:
      - id: ofs
        type: u8
        doc: File offset of the record's first byte (its crc).
    seq:
      - id: crc
        type: u4
        doc: CRC-32 of length, type and payload (`checked_span`).
      - id: length
        type: u4
        valid:
          max: 268435456
        doc: Payload length in bytes, at most 256 MiB.
      - id: type
        type: u1
        enum: record_type
        valid:
          in-enum: true
        doc: What the payload holds (record_type; 0 is never written).
      - id: payload
        size: length
        type:
          switch-on: type
          cases:
            'record_type::batch': batch
        doc: The record's payload, decoded according to `type`.
    instances:
      checked_span:
        io: _root._io
        pos: ofs + 4
        size: 5 + length
        doc: The bytes `crc` covers - length, type and payload as stored.
      end_ofs:
        value: ofs + 9 + length
        doc: File offset just past this record, where the next one starts.
  batch:
    doc: |
      One atomic batch of writes to one shard; recovery applies all of its
      entries or none. Sequence numbers increase strictly inside a batch
      and across the log.
    seq:
      - id: count
        type: u4
        valid:
          expr: _ >= 1 and _ * 5 <= _io.size - 4
        doc: |
          Number of entries, at least 1. An entry takes at least 5 bytes,
          so a count that cannot fit in the payload is rejected up front.
      - id: entries
        type: strata_entry
        repeat: expr
        repeat-expr: count
        doc: The batch's entries, in sequence order.
      - id: trailing
        size-eos: true
        valid:
          expr: _.length == 0
        doc: Bytes after the last entry; must be empty (the payload is exactly the entries).
enums:
  wal_format:
    1:
      id: v1
      doc: The layout described here.
  record_type:
    1:
      id: batch
      doc: The payload is one atomic batch of entries.

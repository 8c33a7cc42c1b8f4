meta:
  id: strata_sstable
  title: strata SSTable (sorted string table, NNNNNN.sst), formats v1 and v2
  application: strata
  file-extension: sst
  license: MIT
  ks-version: '0.11'
  endian: le
  imports:
    - strata_entry
    - strata_varint
doc: |
  An immutable, sorted table of entries, written once by a flush or a
  compaction and never modified:

    file    := data_block* filter_block properties_block index_block footer
    block   := contents trailer
    trailer := u1 compression  u4 crc

  The 52-byte footer at the end of the file holds the handles (offset,
  size) of the filter, properties and index blocks. The index holds one
  entry per data block: the block's last key and handle; from format v2 on
  the entries are followed by where each starts (`index_offsets`) and how
  many there are (`index_count`), so a reader can binary-search the index
  without decoding every entry. A handle names a
  block's contents only; its 5-byte trailer follows the contents. The
  trailer crc is CRC-32 (zlib polynomial) of the stored contents followed
  by the compression byte (`checked_span` of a handle).

  Data blocks may be compressed (compression = zlib, RFC 1950, or
  compression = lz, the strata_lz stream described under
  `lz_data_block`); the filter, properties and index blocks never are. Blocks lie end to end:
  data blocks from offset 0, then filter, properties, index and footer.

  Everything here is reached through instances (footer, then the blocks the
  footer and the index name), so nothing is read until it is asked for.
  Checksums are not checked by this spec; recompute them over the spans it
  exposes.

  Engine: src/sstable/format.ts (layout), builder.ts, block-builder.ts,
  footer.ts, properties.ts, index-block.ts, bloom.ts; reader.ts, block.ts.
doc-ref: src/sstable/format.ts
instances:
  magic:
    pos: _io.size - 8
    size: 8
    valid:
      eq: '[0x53, 0x54, 0x52, 0x41, 0x54, 0x41, 0x54, 0x42]'
    doc: |
      The table magic "STRATATB", the file's last 8 bytes (the footer's
      `magic` again). Read it first: it tells a strata table from any other
      file before anything else is trusted.
  footer:
    pos: _io.size - 52
    size: 52
    type: footer
    doc: The fixed-size footer, the last 52 bytes of the file.
  filter:
    pos: footer.filter.offset
    size: footer.filter.size
    type: filter_block
    doc: The bloom filter over every key in the table.
  properties:
    pos: footer.properties.offset
    size: footer.properties.size
    type: properties_block
    doc: Counts, key and sequence ranges, and who wrote the table.
  index:
    pos: footer.index.offset
    size: footer.index.size - index_tail_size
    type: index_block
    doc: |
      One entry per data block, in file (and key) order: the index block's
      contents up to its v2 tail (all of them in v1).
  index_count:
    pos: footer.index.offset + footer.index.size - 4
    type: u4
    if: footer.format_version == table_format::v2
    valid:
      expr: _ >= 1 and _ <= (_root.footer.index.size - 4) / 18
    doc: v2 - the number of index entries (the index block's last 4 bytes).
  index_offsets:
    pos: footer.index.offset + footer.index.size - index_tail_size
    type: u4
    repeat: expr
    repeat-expr: index_count
    if: footer.format_version == table_format::v2
    doc: |
      v2 - offset of each index entry inside the index block: the first is
      0, they strictly increase, and each entry ends where the next starts
      (the last where this array starts).
  index_tail_size:
    value: 'footer.format_version == table_format::v2 ? 4 + 4 * index_count : 0'
    doc: Bytes after the index entries - the v2 offset array and count; 0 in v1.
types:
  footer:
    doc: |
      Where the meta blocks are, the format version and the table magic.
      The crc covers footer bytes 0 to 39 (`checked_span`).
    seq:
      - id: filter
        type: block_handle(false)
        doc: Handle of the filter block.
      - id: properties
        type: block_handle(false)
        doc: Handle of the properties block.
      - id: index
        type: block_handle(false)
        doc: Handle of the index block.
      - id: format_version
        type: u4
        enum: table_format
        valid:
          in-enum: true
        doc: Layout version of this table (table_format).
      - id: crc
        type: u4
        doc: CRC-32 of the 40 footer bytes before it.
      - id: magic
        contents: STRATATB
        doc: Identifies a strata table; the file's last 8 bytes.
    instances:
      checked_span:
        pos: 0
        size: 40
        doc: The bytes `crc` covers.
  block_handle:
    doc: Where a block's contents are; the 5-byte trailer follows them.
    params:
      - id: compressible
        type: bool
        doc: True for data blocks, which may be compressed.
    seq:
      - id: offset
        type: u8
        doc: File offset of the block's contents.
      - id: size
        type: u4
        doc: Size of the contents as stored (compressed size for a zlib or lz block), trailer excluded.
    instances:
      trailer:
        io: _root._io
        pos: offset + size
        type: block_trailer(compressible)
        doc: The trailer right after the contents.
      checked_span:
        io: _root._io
        pos: offset
        size: size + 1
        doc: The bytes the trailer crc covers - the stored contents and the compression byte.
      end_ofs:
        value: offset + size + 5
        doc: File offset just past the trailer, where the next block starts.
  block_trailer:
    doc: The 5 bytes after every block's contents.
    params:
      - id: compressible
        type: bool
        doc: True if compression is allowed (data blocks only).
    seq:
      - id: compression
        type: u1
        enum: block_compression
        valid:
          expr: _ == block_compression::none or (compressible and (_ == block_compression::zlib or _ == block_compression::lz))
        doc: How the contents are stored (block_compression); always none for meta blocks.
      - id: crc
        type: u4
        doc: CRC-32 of the stored contents followed by the compression byte.
  index_block:
    doc: The index, one entry per data block; never compressed.
    seq:
      - id: entries
        type: index_entry
        repeat: eos
        doc: Entries in file order; last keys strictly increase.
  index_entry:
    doc: One data block as the index names it.
    seq:
      - id: key_len
        type: strata_varint
        valid:
          expr: _.value >= 1 and _.value <= 65536
        doc: Length of last_key, 1 to 65536.
      - id: last_key
        size: key_len.value
        doc: The largest key in the block.
      - id: handle
        type: block_handle(true)
        doc: Where the block is.
    instances:
      block:
        io: _root._io
        pos: handle.offset
        size: handle.size
        type:
          switch-on: handle.trailer.compression
          cases:
            'block_compression::none': data_block
            'block_compression::zlib': zlib_data_block
            'block_compression::lz': lz_data_block
        doc: The data block, decompressed first when its trailer says zlib or lz.
  zlib_data_block:
    doc: A data block stored as a zlib stream.
    seq:
      - id: inflated
        size-eos: true
        process: zlib
        type: data_block
        doc: The block's contents after inflating.
  lz_data_block:
    doc: |
      A data block stored as a strata_lz stream: byte-oriented LZ77 without
      an entropy stage (engine: src/codec/lz-block.ts). The custom process
      `strata_lz` decodes it:

        stream   := varint raw_length  sequence*
        sequence := u1 token  [varint literal_extra]  literal bytes
                    [u2le distance  [varint match_extra]]

      The token's high nibble is the literal count (15 means 15 +
      literal_extra), its low nibble the match length minus 4 (15 means 15 +
      match_extra). A sequence whose literals end the stream has no match
      part and a low nibble of 0. A match copies `length` bytes from
      `distance` (1 to 65535) bytes back in the output, and may overlap the
      bytes it produces. Varints are unsigned LEB128 (strata_varint). The
      decoded size must equal raw_length exactly; anything else is damage.
    seq:
      - id: inflated
        size-eos: true
        process: strata_lz
        type: data_block
        doc: The block's contents after decoding.
  data_block:
    doc: |
      A data block's uncompressed contents: entries sorted by key, then the
      restart array, located from the end of the block:

        entry*  u4 restart[num_restarts]  u4 num_restarts

      A restart is the offset of every 16th entry (entry 0, 16, 32, ...),
      where binary search can start decoding. Entries are stored whole (no
      key prefix compression). An empty block has no entries and no restarts.
    instances:
      num_restarts:
        pos: _io.size - 4
        type: u4
        valid:
          expr: _ <= (_io.size - 4) / 4 and (_ > 0 or _io.size == 4)
        doc: Number of restart points (the block's last 4 bytes); at least 1 unless the block is empty.
      entries_size:
        value: _io.size - 4 - 4 * num_restarts
        doc: Size of the entry area, which starts at offset 0 of the block.
      restarts:
        pos: entries_size
        type: u4
        repeat: expr
        repeat-expr: num_restarts
        valid:
          expr: _ < entries_size
        doc: Offset in the block of every 16th entry; the first is 0 and they strictly increase.
      entry_area:
        pos: 0
        size: entries_size
        type: entry_list
        doc: The entries.
  entry_list:
    doc: The entry area of a data block.
    seq:
      - id: entries
        type: strata_entry
        repeat: eos
        doc: Entries with strictly increasing keys, at most one per key in a table.
  filter_block:
    doc: |
      A bloom filter over every key in the table; never compressed. Probe i
      of a key tests bit (start + i * step) mod (nbytes * 8), computed in
      unsigned 32-bit arithmetic, where {start, step} is
      bloomSeed(FNV-1a 64 of the key) from src/util/hash.ts; bit b lives in
      byte b >> 3 under mask 1 << (b & 7). An empty block (written when
      filtering is off) matches every key, as does one whose probe count is
      outside 1 to 30.
    seq:
      - id: bits
        size: _io.size - 1
        if: _io.size > 0
        doc: The bit array (nbytes bytes, at least 8 when present).
      - id: probes
        type: u1
        if: _io.size > 0
        doc: Number of probes per key, 1 to 30.
  properties_block:
    doc: |
      Facts about the table, checked against the data by `strata verify`;
      never compressed. Later format versions may append fields: a reader
      ignores bytes after created_by.
    seq:
      - id: entries
        type: u8
        doc: Entries in the table (puts + deletes).
      - id: puts
        type: u8
        doc: Entries of kind put.
      - id: deletes
        type: u8
        valid:
          expr: puts + _ == entries
        doc: Entries of kind delete (tombstones).
      - id: with_expiry
        type: u8
        valid:
          expr: _ <= entries
        doc: Entries with an expiry time.
      - id: min_seq
        type: u8
        doc: Smallest sequence number in the table.
      - id: max_seq
        type: u8
        valid:
          expr: _ >= min_seq
        doc: Largest sequence number in the table.
      - id: raw_key_bytes
        type: u8
        doc: Sum of the key lengths.
      - id: raw_value_bytes
        type: u8
        doc: Sum of the stored value lengths.
      - id: data_blocks
        type: u4
        doc: Number of data blocks (= index entries).
      - id: shard
        type: u4
        doc: Index of the shard the table belongs to.
      - id: created_at_ms
        type: u8
        doc: When the table was written, in milliseconds since the Unix epoch.
      - id: level
        type: u1
        doc: LSM level the table was written for (0 = flush, 1 = compaction output).
      - id: smallest_key_len
        type: strata_varint
        valid:
          expr: _.value <= 65536
        doc: Length of smallest_key.
      - id: smallest_key
        size: smallest_key_len.value
        doc: The first key in the table.
      - id: largest_key_len
        type: strata_varint
        valid:
          expr: _.value <= 65536
        doc: Length of largest_key.
      - id: largest_key
        size: largest_key_len.value
        doc: The last key in the table (= the last index entry's key).
      - id: created_by_len
        type: strata_varint
        valid:
          expr: _.value <= 4096
        doc: Length of created_by, at most 4096 bytes.
      - id: created_by
        type: str
        size: created_by_len.value
        encoding: UTF-8
        doc: Who wrote the table, e.g. "strata 0.1.0 flush".
      - id: extension
        size-eos: true
        doc: Fields appended by later format versions; empty in v1 and v2, ignored by their readers.
enums:
  table_format:
    1:
      id: v1
      doc: The layout described here, the index block holding its entries only.
    2:
      id: v2
      doc: As v1, with the index entries' offsets and count after them (index_offsets, index_count).
  block_compression:
    0:
      id: none
      doc: Contents stored as is.
    1:
      id: zlib
      doc: Contents stored as a zlib stream (RFC 1950); data blocks only.
    2:
      id: lz
      doc: Contents stored as a strata_lz stream (lz_data_block); data blocks only.

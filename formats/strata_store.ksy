meta:
  id: strata_store
  title: strata data directory descriptor (STORE), format v1
  application: strata
  license: MIT
  ks-version: '0.11'
  endian: le
  imports:
    - strata_varint
    - strata_sstable
doc: |
  The descriptor at the root of a data directory, named STORE (no
  extension). It fixes what every shard shares: the format version, the
  shard count and the key hash that routes keys to shards. It is replaced
  atomically (STORE.tmp, sync, rename, sync the directory), never edited.

    file := magic "STRATADS"  u4 format_version  u4 shard_count
            u1 hash_id  u1 compression  u2 reserved
            u4 shard_generation  u4 block_size  u8 created_at_ms
            varint created_by_len  created_by  u4 crc

  format_version sits at the same offset in every version, so a reader can
  tell a newer store (unsupported) from a damaged one. The crc is CRC-32
  (zlib polynomial) of every byte before it (`checked_span`).

  Engine: src/store/descriptor.ts.
doc-ref: src/store/descriptor.ts
seq:
  - id: magic
    contents: STRATADS
    doc: Identifies a strata data directory.
  - id: format_version
    type: u4
    enum: store_format
    valid:
      in-enum: true
    doc: Layout version of the store (store_format); fixed position in every version.
  - id: shard_count
    type: u4
    valid:
      min: 1
      max: 1024
    doc: Number of shards (shard-0000 ...), 1 to 1024.
  - id: hash_id
    type: u1
    enum: hash_id
    valid:
      in-enum: true
    doc: The key hash that assigns keys to shards (hash_id).
  - id: compression
    type: u1
    enum: strata_sstable::block_compression
    valid:
      in-enum: true
    doc: Data block compression for new SSTables (the SSTable's block_compression).
  - id: reserved
    type: u2
    doc: Written as 0; reserved for later versions.
  - id: shard_generation
    type: u4
    doc: Incremented by each shard-rebalance.
  - id: block_size
    type: u4
    valid:
      min: 256
      max: 67108864
    doc: Target uncompressed data block size for new SSTables, 256 B to 64 MiB.
  - id: created_at_ms
    type: u8
    doc: When the store was created, in milliseconds since the Unix epoch.
  - id: created_by_len
    type: strata_varint
    valid:
      expr: _.value <= 1024
    doc: Length of created_by, at most 1024 bytes.
  - id: created_by
    type: str
    size: created_by_len.value
    encoding: UTF-8
    doc: Who created the store, e.g. "strata 0.1.0".
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
enums:
  store_format:
    1:
      id: v1
      doc: The layout described here; per-shard WAL, SSTable and manifest format v1.
  hash_id:
    1:
      id: fnv1a64_jump
      doc: |
        A key's 64-bit hash is FNV-1a 64 of its bytes; its shard is the jump
        consistent hash (Lamping and Veach) of that hash over shard_count.

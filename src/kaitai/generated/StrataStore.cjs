// This is a generated file! Please edit source .ksy file and use kaitai-struct-compiler to rebuild

(function (root, factory) {
  if (typeof define === 'function' && define.amd) {
    define(['exports', 'kaitai-struct/KaitaiStream', './StrataSstable', './StrataVarint'], factory);
  } else if (typeof exports === 'object' && exports !== null && typeof exports.nodeType !== 'number') {
    factory(exports, require('kaitai-struct/KaitaiStream'), require('./StrataSstable.cjs'), require('./StrataVarint.cjs'));
  } else {
    factory(root.StrataStore || (root.StrataStore = {}), root.KaitaiStream, root.StrataSstable || (root.StrataSstable = {}), root.StrataVarint || (root.StrataVarint = {}));
  }
})(typeof self !== 'undefined' ? self : this, function (StrataStore_, KaitaiStream, StrataSstable_, StrataVarint_) {
/**
 * The descriptor at the root of a data directory, named STORE (no
 * extension). It fixes what every shard shares: the format version, the
 * shard count and the key hash that routes keys to shards. It is replaced
 * atomically (STORE.tmp, sync, rename, sync the directory), never edited.
 * 
 *   file := magic "STRATADS"  u4 format_version  u4 shard_count
 *           u1 hash_id  u1 compression  u2 reserved
 *           u4 shard_generation  u4 block_size  u8 created_at_ms
 *           varint created_by_len  created_by  u4 crc
 * 
 * format_version sits at the same offset in every version, so a reader can
 * tell a newer store (unsupported) from a damaged one. The crc is CRC-32
 * (zlib polynomial) of every byte before it (`checked_span`).
 * 
 * Engine: src/store/descriptor.ts.
 * @see src/store/descriptor.ts
 */

var StrataStore = (function() {
  StrataStore.HashId = Object.freeze({
    FNV1A64_JUMP: 1,

    1: "FNV1A64_JUMP",
  });

  StrataStore.StoreFormat = Object.freeze({
    V1: 1,

    1: "V1",
  });

  function StrataStore(_io, _parent, _root) {
    this._io = _io;
    this._parent = _parent;
    this._root = _root || this;
    this._debug = {};

  }
  StrataStore.prototype._read = function() {
    this._debug.magic = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this.magic = this._io.readBytes(8);
    this._debug.magic.end = this._io.pos;
    if (!((KaitaiStream.byteArrayCompare(this.magic, new Uint8Array([83, 84, 82, 65, 84, 65, 68, 83])) == 0))) {
      var _err = new KaitaiStream.ValidationNotEqualError(new Uint8Array([83, 84, 82, 65, 84, 65, 68, 83]), this.magic, this._io, "/seq/0");
      this._debug.magic.validationError = _err;
      throw _err;
    }
    this._debug.formatVersion = { start: this._io.pos, ioOffset: this._io.byteOffset, enumName: "StrataStore.StoreFormat" };
    this.formatVersion = this._io.readU4le();
    this._debug.formatVersion.end = this._io.pos;
    if (!Object.prototype.hasOwnProperty.call(StrataStore.StoreFormat, this.formatVersion)) {
      var _err = new KaitaiStream.ValidationNotInEnumError(this.formatVersion, this._io, "/seq/1");
      this._debug.formatVersion.validationError = _err;
      throw _err;
    }
    this._debug.shardCount = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this.shardCount = this._io.readU4le();
    this._debug.shardCount.end = this._io.pos;
    if (!(this.shardCount >= 1)) {
      var _err = new KaitaiStream.ValidationLessThanError(1, this.shardCount, this._io, "/seq/2");
      this._debug.shardCount.validationError = _err;
      throw _err;
    }
    if (!(this.shardCount <= 1024)) {
      var _err = new KaitaiStream.ValidationGreaterThanError(1024, this.shardCount, this._io, "/seq/2");
      this._debug.shardCount.validationError = _err;
      throw _err;
    }
    this._debug.hashId = { start: this._io.pos, ioOffset: this._io.byteOffset, enumName: "StrataStore.HashId" };
    this.hashId = this._io.readU1();
    this._debug.hashId.end = this._io.pos;
    if (!Object.prototype.hasOwnProperty.call(StrataStore.HashId, this.hashId)) {
      var _err = new KaitaiStream.ValidationNotInEnumError(this.hashId, this._io, "/seq/3");
      this._debug.hashId.validationError = _err;
      throw _err;
    }
    this._debug.compression = { start: this._io.pos, ioOffset: this._io.byteOffset, enumName: "StrataSstable.BlockCompression" };
    this.compression = this._io.readU1();
    this._debug.compression.end = this._io.pos;
    if (!Object.prototype.hasOwnProperty.call(StrataSstable_.StrataSstable.BlockCompression, this.compression)) {
      var _err = new KaitaiStream.ValidationNotInEnumError(this.compression, this._io, "/seq/4");
      this._debug.compression.validationError = _err;
      throw _err;
    }
    this._debug.reserved = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this.reserved = this._io.readU2le();
    this._debug.reserved.end = this._io.pos;
    this._debug.shardGeneration = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this.shardGeneration = this._io.readU4le();
    this._debug.shardGeneration.end = this._io.pos;
    this._debug.blockSize = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this.blockSize = this._io.readU4le();
    this._debug.blockSize.end = this._io.pos;
    if (!(this.blockSize >= 256)) {
      var _err = new KaitaiStream.ValidationLessThanError(256, this.blockSize, this._io, "/seq/7");
      this._debug.blockSize.validationError = _err;
      throw _err;
    }
    if (!(this.blockSize <= 67108864)) {
      var _err = new KaitaiStream.ValidationGreaterThanError(67108864, this.blockSize, this._io, "/seq/7");
      this._debug.blockSize.validationError = _err;
      throw _err;
    }
    this._debug.createdAtMs = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this.createdAtMs = this._io.readU8le();
    this._debug.createdAtMs.end = this._io.pos;
    this._debug.createdByLen = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this.createdByLen = new StrataVarint_.StrataVarint(this._io, null, null);
    this.createdByLen._read();
    this._debug.createdByLen.end = this._io.pos;
    var _ = this.createdByLen;
    if (!(_.value <= 1024)) {
      var _err = new KaitaiStream.ValidationExprError(this.createdByLen, this._io, "/seq/9");
      this._debug.createdByLen.validationError = _err;
      throw _err;
    }
    this._debug.createdBy = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this.createdBy = KaitaiStream.bytesToStr(this._io.readBytes(this.createdByLen.value), "UTF-8");
    this._debug.createdBy.end = this._io.pos;
    this._debug.crc = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this.crc = this._io.readU4le();
    this._debug.crc.end = this._io.pos;
    this._debug.trailing = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this.trailing = this._io.readBytesFull();
    this._debug.trailing.end = this._io.pos;
    var _ = this.trailing;
    if (!(_.length == 0)) {
      var _err = new KaitaiStream.ValidationExprError(this.trailing, this._io, "/seq/12");
      this._debug.trailing.validationError = _err;
      throw _err;
    }
  }

  /**
   * The bytes `crc` covers - everything before the crc.
   */
  Object.defineProperty(StrataStore.prototype, 'checkedSpan', {
    get: function() {
      if (this._m_checkedSpan !== undefined)
        return this._m_checkedSpan;
      var _pos = this._io.pos;
      this._io.seek(0);
      this._debug._m_checkedSpan = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this._m_checkedSpan = this._io.readBytes(this._io.size - 4);
      this._debug._m_checkedSpan.end = this._io.pos;
      this._io.seek(_pos);
      return this._m_checkedSpan;
    }
  });

  /**
   * Identifies a strata data directory.
   */

  /**
   * Layout version of the store (store_format); fixed position in every version.
   */

  /**
   * Number of shards (shard-0000 ...), 1 to 1024.
   */

  /**
   * The key hash that assigns keys to shards (hash_id).
   */

  /**
   * Data block compression for new SSTables (the SSTable's block_compression).
   */

  /**
   * Written as 0; reserved for later versions.
   */

  /**
   * Incremented by each shard-rebalance.
   */

  /**
   * Target uncompressed data block size for new SSTables, 256 B to 64 MiB.
   */

  /**
   * When the store was created, in milliseconds since the Unix epoch.
   */

  /**
   * Length of created_by, at most 1024 bytes.
   */

  /**
   * Who created the store, e.g. "strata 0.1.0".
   */

  /**
   * CRC-32 of every byte before it.
   */

  /**
   * Bytes after the crc; must be empty (the crc is the file's last 4 bytes).
   */

  return StrataStore;
})();
StrataStore_.StrataStore = StrataStore;
});

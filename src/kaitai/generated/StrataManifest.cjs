// This is a generated file! Please edit source .ksy file and use kaitai-struct-compiler to rebuild

(function (root, factory) {
  if (typeof define === 'function' && define.amd) {
    define(['exports', 'kaitai-struct/KaitaiStream', './StrataVarint'], factory);
  } else if (typeof exports === 'object' && exports !== null && typeof exports.nodeType !== 'number') {
    factory(exports, require('kaitai-struct/KaitaiStream'), require('./StrataVarint.cjs'));
  } else {
    factory(root.StrataManifest || (root.StrataManifest = {}), root.KaitaiStream, root.StrataVarint || (root.StrataVarint = {}));
  }
})(typeof self !== 'undefined' ? self : this, function (StrataManifest_, KaitaiStream, StrataVarint_) {
/**
 * A complete snapshot of one shard's live files: the SSTables, the live
 * WAL and the counters a writer resumes from. A manifest is never edited
 * in place: a change writes a new MANIFEST-NNNNNN (the name carries its file
 * number; the file has no extension) and switches the shard's CURRENT file
 * to name it.
 * 
 *   file  := magic "STRATAMF"  u4 format_version  u4 shard
 *            u8 next_file_number  u8 last_seq  u8 wal_number
 *            u4 table_count  table[table_count]  u4 crc
 *   table := u8 file_number  u8 file_size  u1 level  u8 entries
 *            u8 min_seq  u8 max_seq
 *            varint smallest_key_len  smallest_key
 *            varint largest_key_len  largest_key
 * 
 * The crc is CRC-32 (zlib polynomial) of every byte before it
 * (`checked_span`); it is the file's last 4 bytes. Tables are listed
 * newest first (descending max_seq).
 * 
 * CURRENT, beside it, is a text file holding the live manifest's name and a
 * newline, e.g. "MANIFEST-000007\n"; it has no spec of its own.
 * 
 * Engine: src/manifest/format.ts (layout), src/manifest/codec.ts,
 * src/manifest/current.ts.
 * @see src/manifest/format.ts
 */

var StrataManifest = (function() {
  StrataManifest.ManifestFormat = Object.freeze({
    V1: 1,

    1: "V1",
  });

  function StrataManifest(_io, _parent, _root) {
    this._io = _io;
    this._parent = _parent;
    this._root = _root || this;
    this._debug = {};

  }
  StrataManifest.prototype._read = function() {
    this._debug.magic = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this.magic = this._io.readBytes(8);
    this._debug.magic.end = this._io.pos;
    if (!((KaitaiStream.byteArrayCompare(this.magic, new Uint8Array([83, 84, 82, 65, 84, 65, 77, 70])) == 0))) {
      var _err = new KaitaiStream.ValidationNotEqualError(new Uint8Array([83, 84, 82, 65, 84, 65, 77, 70]), this.magic, this._io, "/seq/0");
      this._debug.magic.validationError = _err;
      throw _err;
    }
    this._debug.formatVersion = { start: this._io.pos, ioOffset: this._io.byteOffset, enumName: "StrataManifest.ManifestFormat" };
    this.formatVersion = this._io.readU4le();
    this._debug.formatVersion.end = this._io.pos;
    if (!Object.prototype.hasOwnProperty.call(StrataManifest.ManifestFormat, this.formatVersion)) {
      var _err = new KaitaiStream.ValidationNotInEnumError(this.formatVersion, this._io, "/seq/1");
      this._debug.formatVersion.validationError = _err;
      throw _err;
    }
    this._debug.shard = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this.shard = this._io.readU4le();
    this._debug.shard.end = this._io.pos;
    this._debug.nextFileNumber = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this.nextFileNumber = this._io.readU8le();
    this._debug.nextFileNumber.end = this._io.pos;
    this._debug.lastSeq = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this.lastSeq = this._io.readU8le();
    this._debug.lastSeq.end = this._io.pos;
    this._debug.walNumber = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this.walNumber = this._io.readU8le();
    this._debug.walNumber.end = this._io.pos;
    var _ = this.walNumber;
    if (!(_ < this.nextFileNumber)) {
      var _err = new KaitaiStream.ValidationExprError(this.walNumber, this._io, "/seq/5");
      this._debug.walNumber.validationError = _err;
      throw _err;
    }
    this._debug.tableCount = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this.tableCount = this._io.readU4le();
    this._debug.tableCount.end = this._io.pos;
    var _ = this.tableCount;
    if (!(_ * 43 <= (this._io.size - this._io.pos) - 4)) {
      var _err = new KaitaiStream.ValidationExprError(this.tableCount, this._io, "/seq/6");
      this._debug.tableCount.validationError = _err;
      throw _err;
    }
    this._debug.tables = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this._debug.tables.arr = [];
    this.tables = [];
    for (var i = 0; i < this.tableCount; i++) {
      this._debug.tables.arr[i] = { start: this._io.pos, ioOffset: this._io.byteOffset };
      var _t_tables = new Table(this._io, this, this._root);
      try {
        _t_tables._read();
      } finally {
        this.tables.push(_t_tables);
      }
      this._debug.tables.arr[i].end = this._io.pos;
    }
    this._debug.tables.end = this._io.pos;
    this._debug.crc = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this.crc = this._io.readU4le();
    this._debug.crc.end = this._io.pos;
    this._debug.trailing = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this.trailing = this._io.readBytesFull();
    this._debug.trailing.end = this._io.pos;
    var _ = this.trailing;
    if (!(_.length == 0)) {
      var _err = new KaitaiStream.ValidationExprError(this.trailing, this._io, "/seq/9");
      this._debug.trailing.validationError = _err;
      throw _err;
    }
  }

  /**
   * One live SSTable.
   */

  var Table = StrataManifest.Table = (function() {
    function Table(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this._debug = {};

    }
    Table.prototype._read = function() {
      this._debug.fileNumber = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.fileNumber = this._io.readU8le();
      this._debug.fileNumber.end = this._io.pos;
      var _ = this.fileNumber;
      if (!( ((_ > 0) && (_ < this._parent.nextFileNumber)) )) {
        var _err = new KaitaiStream.ValidationExprError(this.fileNumber, this._io, "/types/table/seq/0");
        this._debug.fileNumber.validationError = _err;
        throw _err;
      }
      this._debug.fileSize = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.fileSize = this._io.readU8le();
      this._debug.fileSize.end = this._io.pos;
      this._debug.level = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.level = this._io.readU1();
      this._debug.level.end = this._io.pos;
      this._debug.entries = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.entries = this._io.readU8le();
      this._debug.entries.end = this._io.pos;
      this._debug.minSeq = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.minSeq = this._io.readU8le();
      this._debug.minSeq.end = this._io.pos;
      this._debug.maxSeq = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.maxSeq = this._io.readU8le();
      this._debug.maxSeq.end = this._io.pos;
      var _ = this.maxSeq;
      if (!( ((_ >= this.minSeq) && (_ <= this._parent.lastSeq)) )) {
        var _err = new KaitaiStream.ValidationExprError(this.maxSeq, this._io, "/types/table/seq/5");
        this._debug.maxSeq.validationError = _err;
        throw _err;
      }
      this._debug.smallestKeyLen = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.smallestKeyLen = new StrataVarint_.StrataVarint(this._io, null, null);
      this.smallestKeyLen._read();
      this._debug.smallestKeyLen.end = this._io.pos;
      var _ = this.smallestKeyLen;
      if (!(_.value <= 65536)) {
        var _err = new KaitaiStream.ValidationExprError(this.smallestKeyLen, this._io, "/types/table/seq/6");
        this._debug.smallestKeyLen.validationError = _err;
        throw _err;
      }
      this._debug.smallestKey = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.smallestKey = this._io.readBytes(this.smallestKeyLen.value);
      this._debug.smallestKey.end = this._io.pos;
      this._debug.largestKeyLen = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.largestKeyLen = new StrataVarint_.StrataVarint(this._io, null, null);
      this.largestKeyLen._read();
      this._debug.largestKeyLen.end = this._io.pos;
      var _ = this.largestKeyLen;
      if (!(_.value <= 65536)) {
        var _err = new KaitaiStream.ValidationExprError(this.largestKeyLen, this._io, "/types/table/seq/8");
        this._debug.largestKeyLen.validationError = _err;
        throw _err;
      }
      this._debug.largestKey = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.largestKey = this._io.readBytes(this.largestKeyLen.value);
      this._debug.largestKey.end = this._io.pos;
    }

    /**
     * The table's file number (NNNNNN.sst); below next_file_number.
     */

    /**
     * Size of the table file in bytes.
     */

    /**
     * LSM level (0 = flush output, 1 = compaction output).
     */

    /**
     * Entries in the table.
     */

    /**
     * Smallest sequence number in the table.
     */

    /**
     * Largest sequence number in the table; at most the manifest's last_seq.
     */

    /**
     * Length of smallest_key.
     */

    /**
     * The table's first key.
     */

    /**
     * Length of largest_key.
     */

    /**
     * The table's last key.
     */

    return Table;
  })();

  /**
   * The bytes `crc` covers - everything before the crc.
   */
  Object.defineProperty(StrataManifest.prototype, 'checkedSpan', {
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
   * Identifies a strata manifest.
   */

  /**
   * Layout version of this file (manifest_format).
   */

  /**
   * Index of the shard the manifest describes.
   */

  /**
   * Every file number in use in the shard is below it; the next file gets it.
   */

  /**
   * Highest sequence number the shard had assigned when the manifest was
   * written: at least every listed table's max_seq (a compaction may drop
   * the newest versions), and the live WAL's records continue above it.
   */

  /**
   * File number of the live WAL (NNNNNN.wal); 0 means none.
   */

  /**
   * Number of live tables. A table record takes at least 43 bytes, so a
   * count that cannot fit in the file is rejected up front.
   */

  /**
   * The live SSTables, newest first.
   */

  /**
   * CRC-32 of every byte before it.
   */

  /**
   * Bytes after the crc; must be empty (the crc is the file's last 4 bytes).
   */

  return StrataManifest;
})();
StrataManifest_.StrataManifest = StrataManifest;
});

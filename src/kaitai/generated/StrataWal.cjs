// This is a generated file! Please edit source .ksy file and use kaitai-struct-compiler to rebuild

(function (root, factory) {
  if (typeof define === 'function' && define.amd) {
    define(['exports', 'kaitai-struct/KaitaiStream', './StrataEntry'], factory);
  } else if (typeof exports === 'object' && exports !== null && typeof exports.nodeType !== 'number') {
    factory(exports, require('kaitai-struct/KaitaiStream'), require('./StrataEntry.cjs'));
  } else {
    factory(root.StrataWal || (root.StrataWal = {}), root.KaitaiStream, root.StrataEntry || (root.StrataEntry = {}));
  }
})(typeof self !== 'undefined' ? self : this, function (StrataWal_, KaitaiStream, StrataEntry_) {
/**
 * A shard's write-ahead log: a 20-byte header, then records appended one
 * per atomic batch of writes. One WAL per shard is live at a time (the
 * manifest names it); it is replaced by a new, empty one when the shard's
 * memtable is flushed to an SSTable.
 * 
 *   file   := header record*
 *   header := magic "STRATAWL"  u4 format_version  u4 shard  u4 crc
 *   record := u4 crc  u4 length  u1 type  payload[length]
 *   BATCH payload := u4 count  entry[count]
 * 
 * The header crc is CRC-32 (zlib polynomial) of the 16 header bytes before
 * it. A record's crc is CRC-32 of its length, type and payload (the 5 + length
 * bytes after the crc field, `checked_span`), so a damaged length or type is
 * caught as well as a damaged payload. Checksums are not checked by this
 * spec; recompute them over the spans it exposes.
 * 
 * A record that runs past the end of the file is a torn tail (the writer
 * died mid-append). This spec then fails with an end-of-stream error; the
 * engine's recovery drops such a tail and keeps every record before it.
 * 
 * Engine: src/wal/format.ts (layout), src/wal/writer.ts, src/wal/reader.ts.
 * @see src/wal/format.ts
 */

var StrataWal = (function() {
  StrataWal.RecordType = Object.freeze({
    BATCH: 1,

    1: "BATCH",
  });

  StrataWal.WalFormat = Object.freeze({
    V1: 1,

    1: "V1",
  });

  function StrataWal(_io, _parent, _root) {
    this._io = _io;
    this._parent = _parent;
    this._root = _root || this;
    this._debug = {};

  }
  StrataWal.prototype._read = function() {
    this._debug.header = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this._raw_header = this._io.readBytes(20);
    var _io__raw_header = new KaitaiStream(this._raw_header);
    this.header = new Header(_io__raw_header, this, this._root);
    this.header._read();
    this._debug.header.end = this._io.pos;
    this._debug.records = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this._debug.records.arr = [];
    this.records = [];
    var i = 0;
    while (!this._io.isEof()) {
      this._debug.records.arr[this.records.length] = { start: this._io.pos, ioOffset: this._io.byteOffset };
      var _t_records = new Record(this._io, this, this._root, this._io.pos);
      try {
        _t_records._read();
      } finally {
        this.records.push(_t_records);
      }
      this._debug.records.arr[this.records.length - 1].end = this._io.pos;
      i++;
    }
    this._debug.records.end = this._io.pos;
  }

  /**
   * One atomic batch of writes to one shard; recovery applies all of its
   * entries or none. Sequence numbers increase strictly inside a batch
   * and across the log.
   */

  var Batch = StrataWal.Batch = (function() {
    function Batch(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this._debug = {};

    }
    Batch.prototype._read = function() {
      this._debug.count = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.count = this._io.readU4le();
      this._debug.count.end = this._io.pos;
      var _ = this.count;
      if (!( ((_ >= 1) && (_ * 5 <= this._io.size - 4)) )) {
        var _err = new KaitaiStream.ValidationExprError(this.count, this._io, "/types/batch/seq/0");
        this._debug.count.validationError = _err;
        throw _err;
      }
      this._debug.entries = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this._debug.entries.arr = [];
      this.entries = [];
      for (var i = 0; i < this.count; i++) {
        this._debug.entries.arr[i] = { start: this._io.pos, ioOffset: this._io.byteOffset };
        var _t_entries = new StrataEntry_.StrataEntry(this._io, null, null);
        try {
          _t_entries._read();
        } finally {
          this.entries.push(_t_entries);
        }
        this._debug.entries.arr[i].end = this._io.pos;
      }
      this._debug.entries.end = this._io.pos;
      this._debug.trailing = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.trailing = this._io.readBytesFull();
      this._debug.trailing.end = this._io.pos;
      var _ = this.trailing;
      if (!(_.length == 0)) {
        var _err = new KaitaiStream.ValidationExprError(this.trailing, this._io, "/types/batch/seq/2");
        this._debug.trailing.validationError = _err;
        throw _err;
      }
    }

    /**
     * Number of entries, at least 1. An entry takes at least 5 bytes,
     * so a count that cannot fit in the payload is rejected up front.
     */

    /**
     * The batch's entries, in sequence order.
     */

    /**
     * Bytes after the last entry; must be empty (the payload is exactly the entries).
     */

    return Batch;
  })();

  /**
   * The WAL file header.
   */

  var Header = StrataWal.Header = (function() {
    function Header(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this._debug = {};

    }
    Header.prototype._read = function() {
      this._debug.magic = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.magic = this._io.readBytes(8);
      this._debug.magic.end = this._io.pos;
      if (!((KaitaiStream.byteArrayCompare(this.magic, new Uint8Array([83, 84, 82, 65, 84, 65, 87, 76])) == 0))) {
        var _err = new KaitaiStream.ValidationNotEqualError(new Uint8Array([83, 84, 82, 65, 84, 65, 87, 76]), this.magic, this._io, "/types/header/seq/0");
        this._debug.magic.validationError = _err;
        throw _err;
      }
      this._debug.formatVersion = { start: this._io.pos, ioOffset: this._io.byteOffset, enumName: "StrataWal.WalFormat" };
      this.formatVersion = this._io.readU4le();
      this._debug.formatVersion.end = this._io.pos;
      if (!Object.prototype.hasOwnProperty.call(StrataWal.WalFormat, this.formatVersion)) {
        var _err = new KaitaiStream.ValidationNotInEnumError(this.formatVersion, this._io, "/types/header/seq/1");
        this._debug.formatVersion.validationError = _err;
        throw _err;
      }
      this._debug.shard = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.shard = this._io.readU4le();
      this._debug.shard.end = this._io.pos;
      this._debug.crc = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.crc = this._io.readU4le();
      this._debug.crc.end = this._io.pos;
    }

    /**
     * The bytes `crc` covers.
     */
    Object.defineProperty(Header.prototype, 'checkedSpan', {
      get: function() {
        if (this._m_checkedSpan !== undefined)
          return this._m_checkedSpan;
        var _pos = this._io.pos;
        this._io.seek(0);
        this._debug._m_checkedSpan = { start: this._io.pos, ioOffset: this._io.byteOffset };
        this._m_checkedSpan = this._io.readBytes(16);
        this._debug._m_checkedSpan.end = this._io.pos;
        this._io.seek(_pos);
        return this._m_checkedSpan;
      }
    });

    /**
     * Identifies a strata WAL.
     */

    /**
     * Layout version of this file (wal_format).
     */

    /**
     * Index of the shard the log belongs to.
     */

    /**
     * CRC-32 of the 16 bytes before it (magic, format_version, shard).
     */

    return Header;
  })();

  /**
   * One framed record - a checksummed header and a payload.
   */

  var Record = StrataWal.Record = (function() {
    function Record(_io, _parent, _root, ofs) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this.ofs = ofs;
      this._debug = {};

    }
    Record.prototype._read = function() {
      this._debug.crc = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.crc = this._io.readU4le();
      this._debug.crc.end = this._io.pos;
      this._debug.length = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.length = this._io.readU4le();
      this._debug.length.end = this._io.pos;
      if (!(this.length <= 268435456)) {
        var _err = new KaitaiStream.ValidationGreaterThanError(268435456, this.length, this._io, "/types/record/seq/1");
        this._debug.length.validationError = _err;
        throw _err;
      }
      this._debug.type = { start: this._io.pos, ioOffset: this._io.byteOffset, enumName: "StrataWal.RecordType" };
      this.type = this._io.readU1();
      this._debug.type.end = this._io.pos;
      if (!Object.prototype.hasOwnProperty.call(StrataWal.RecordType, this.type)) {
        var _err = new KaitaiStream.ValidationNotInEnumError(this.type, this._io, "/types/record/seq/2");
        this._debug.type.validationError = _err;
        throw _err;
      }
      this._debug.payload = { start: this._io.pos, ioOffset: this._io.byteOffset };
      switch (this.type) {
      case StrataWal.RecordType.BATCH:
        this._raw_payload = this._io.readBytes(this.length);
        var _io__raw_payload = new KaitaiStream(this._raw_payload);
        this.payload = new Batch(_io__raw_payload, this, this._root);
        this.payload._read();
        break;
      default:
        this.payload = this._io.readBytes(this.length);
        break;
      }
      this._debug.payload.end = this._io.pos;
    }

    /**
     * The bytes `crc` covers - length, type and payload as stored.
     */
    Object.defineProperty(Record.prototype, 'checkedSpan', {
      get: function() {
        if (this._m_checkedSpan !== undefined)
          return this._m_checkedSpan;
        var io = this._root._io;
        var _pos = io.pos;
        io.seek(this.ofs + 4);
        this._debug._m_checkedSpan = { start: io.pos, ioOffset: io.byteOffset };
        this._m_checkedSpan = io.readBytes(5 + this.length);
        this._debug._m_checkedSpan.end = io.pos;
        io.seek(_pos);
        return this._m_checkedSpan;
      }
    });

    /**
     * File offset just past this record, where the next one starts.
     */
    Object.defineProperty(Record.prototype, 'endOfs', {
      get: function() {
        if (this._m_endOfs !== undefined)
          return this._m_endOfs;
        this._debug._m_endOfs = {  };
        this._m_endOfs = (this.ofs + 9) + this.length;
        return this._m_endOfs;
      }
    });

    /**
     * CRC-32 of length, type and payload (`checked_span`).
     */

    /**
     * Payload length in bytes, at most 256 MiB.
     */

    /**
     * What the payload holds (record_type; 0 is never written).
     */

    /**
     * The record's payload, decoded according to `type`.
     */

    /**
     * File offset of the record's first byte (its crc).
     */

    return Record;
  })();

  /**
   * The fixed 20-byte file header.
   */

  /**
   * The records, in the order they were appended.
   */

  return StrataWal;
})();
StrataWal_.StrataWal = StrataWal;
});

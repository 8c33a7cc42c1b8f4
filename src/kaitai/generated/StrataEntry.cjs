// This is a generated file! Please edit source .ksy file and use kaitai-struct-compiler to rebuild

(function (root, factory) {
  if (typeof define === 'function' && define.amd) {
    define(['exports', 'kaitai-struct/KaitaiStream', './StrataVarint'], factory);
  } else if (typeof exports === 'object' && exports !== null && typeof exports.nodeType !== 'number') {
    factory(exports, require('kaitai-struct/KaitaiStream'), require('./StrataVarint.cjs'));
  } else {
    factory(root.StrataEntry || (root.StrataEntry = {}), root.KaitaiStream, root.StrataVarint || (root.StrataVarint = {}));
  }
})(typeof self !== 'undefined' ? self : this, function (StrataEntry_, KaitaiStream, StrataVarint_) {
/**
 * One version of one key: the unit every file kind stores. WAL batches
 * (strata_wal.ksy) and SSTable data blocks (strata_sstable.ksy) use this
 * same encoding. The optional fields at the end are present exactly when
 * their flag bit is set, in the order listed.
 * 
 * Engine: src/record/format.ts (layout), src/record/codec.ts (encodeEntry,
 * decodeEntry).
 * @see src/record/format.ts
 */

var StrataEntry = (function() {
  StrataEntry.EntryFlag = Object.freeze({
    HAS_EXPIRY: 1,
    HAS_SCHEMA: 2,
    JSON: 4,
    HAS_CODEC: 8,

    1: "HAS_EXPIRY",
    2: "HAS_SCHEMA",
    4: "JSON",
    8: "HAS_CODEC",
  });

  StrataEntry.RecordKind = Object.freeze({
    PUT: 1,
    DELETE: 2,

    1: "PUT",
    2: "DELETE",
  });

  StrataEntry.ValueCodec = Object.freeze({
    RAW: 0,
    ZLIB: 1,

    0: "RAW",
    1: "ZLIB",
  });

  function StrataEntry(_io, _parent, _root) {
    this._io = _io;
    this._parent = _parent;
    this._root = _root || this;
    this._debug = {};

  }
  StrataEntry.prototype._read = function() {
    this._debug.kind = { start: this._io.pos, ioOffset: this._io.byteOffset, enumName: "StrataEntry.RecordKind" };
    this.kind = this._io.readU1();
    this._debug.kind.end = this._io.pos;
    if (!Object.prototype.hasOwnProperty.call(StrataEntry.RecordKind, this.kind)) {
      var _err = new KaitaiStream.ValidationNotInEnumError(this.kind, this._io, "/seq/0");
      this._debug.kind.validationError = _err;
      throw _err;
    }
    this._debug.flags = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this.flags = this._io.readU1();
    this._debug.flags.end = this._io.pos;
    var _ = this.flags;
    if (!((_ & 240) == 0)) {
      var _err = new KaitaiStream.ValidationExprError(this.flags, this._io, "/seq/1");
      this._debug.flags.validationError = _err;
      throw _err;
    }
    this._debug.sequence = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this.sequence = new StrataVarint_.StrataVarint(this._io, null, null);
    this.sequence._read();
    this._debug.sequence.end = this._io.pos;
    this._debug.keyLen = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this.keyLen = new StrataVarint_.StrataVarint(this._io, null, null);
    this.keyLen._read();
    this._debug.keyLen.end = this._io.pos;
    var _ = this.keyLen;
    if (!( ((_.value >= 1) && (_.value <= 65536)) )) {
      var _err = new KaitaiStream.ValidationExprError(this.keyLen, this._io, "/seq/3");
      this._debug.keyLen.validationError = _err;
      throw _err;
    }
    this._debug.key = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this.key = this._io.readBytes(this.keyLen.value);
    this._debug.key.end = this._io.pos;
    this._debug.valueLen = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this.valueLen = new StrataVarint_.StrataVarint(this._io, null, null);
    this.valueLen._read();
    this._debug.valueLen.end = this._io.pos;
    var _ = this.valueLen;
    if (!( ((_.value <= 67108864) && ( ((this.kind == StrataEntry.RecordKind.PUT) || (_.value == 0)) )) )) {
      var _err = new KaitaiStream.ValidationExprError(this.valueLen, this._io, "/seq/5");
      this._debug.valueLen.validationError = _err;
      throw _err;
    }
    this._debug.value = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this.value = this._io.readBytes(this.valueLen.value);
    this._debug.value.end = this._io.pos;
    if (this.hasExpiry) {
      this._debug.expiresAt = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.expiresAt = this._io.readU8le();
      this._debug.expiresAt.end = this._io.pos;
      if (!(this.expiresAt <= 9007199254740991)) {
        var _err = new KaitaiStream.ValidationGreaterThanError(9007199254740991, this.expiresAt, this._io, "/seq/7");
        this._debug.expiresAt.validationError = _err;
        throw _err;
      }
    }
    if (this.hasCodec) {
      this._debug.codec = { start: this._io.pos, ioOffset: this._io.byteOffset, enumName: "StrataEntry.ValueCodec" };
      this.codec = this._io.readU1();
      this._debug.codec.end = this._io.pos;
      if (!Object.prototype.hasOwnProperty.call(StrataEntry.ValueCodec, this.codec)) {
        var _err = new KaitaiStream.ValidationNotInEnumError(this.codec, this._io, "/seq/8");
        this._debug.codec.validationError = _err;
        throw _err;
      }
    }
    if (this.hasSchema) {
      this._debug.schemaId = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.schemaId = new StrataVarint_.StrataVarint(this._io, null, null);
      this.schemaId._read();
      this._debug.schemaId.end = this._io.pos;
    }
    if (this.hasSchema) {
      this._debug.schemaVersion = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.schemaVersion = new StrataVarint_.StrataVarint(this._io, null, null);
      this.schemaVersion._read();
      this._debug.schemaVersion.end = this._io.pos;
    }
  }

  /**
   * True if `codec` is present.
   */
  Object.defineProperty(StrataEntry.prototype, 'hasCodec', {
    get: function() {
      if (this._m_hasCodec !== undefined)
        return this._m_hasCodec;
      this._debug._m_hasCodec = {  };
      this._m_hasCodec = (this.flags & StrataEntry.EntryFlag.HAS_CODEC) != 0;
      return this._m_hasCodec;
    }
  });

  /**
   * True if `expires_at` is present (the entry has a TTL).
   */
  Object.defineProperty(StrataEntry.prototype, 'hasExpiry', {
    get: function() {
      if (this._m_hasExpiry !== undefined)
        return this._m_hasExpiry;
      this._debug._m_hasExpiry = {  };
      this._m_hasExpiry = (this.flags & StrataEntry.EntryFlag.HAS_EXPIRY) != 0;
      return this._m_hasExpiry;
    }
  });

  /**
   * True if `schema_id` and `schema_version` are present.
   */
  Object.defineProperty(StrataEntry.prototype, 'hasSchema', {
    get: function() {
      if (this._m_hasSchema !== undefined)
        return this._m_hasSchema;
      this._debug._m_hasSchema = {  };
      this._m_hasSchema = (this.flags & StrataEntry.EntryFlag.HAS_SCHEMA) != 0;
      return this._m_hasSchema;
    }
  });

  /**
   * True if the value was marked as JSON when written (no field of its own).
   */
  Object.defineProperty(StrataEntry.prototype, 'isJson', {
    get: function() {
      if (this._m_isJson !== undefined)
        return this._m_isJson;
      this._debug._m_isJson = {  };
      this._m_isJson = (this.flags & StrataEntry.EntryFlag.JSON) != 0;
      return this._m_isJson;
    }
  });

  /**
   * What the entry does to its key (record_kind; 0 is never valid).
   */

  /**
   * Bit set of entry_flag values saying which optional fields follow.
   * Bits 4-7 are reserved and must be zero in format v1.
   */

  /**
   * Sequence number, per shard; strictly increasing within a WAL and
   * unique within a table. The newest version of a key has the highest.
   */

  /**
   * Key length in bytes, 1 to 65536.
   */

  /**
   * The key, an arbitrary byte string (keys sort bytewise).
   */

  /**
   * Stored value length in bytes, 0 to 64 MiB; always 0 for a delete.
   */

  /**
   * The value bytes as stored, encoded by `codec` (raw when absent).
   */

  /**
   * [flag has_expiry] Expiry time in milliseconds since the Unix epoch;
   * the key reads as absent from this instant on.
   */

  /**
   * [flag has_codec] How `value` encodes the user's value; absent means raw.
   */

  /**
   * [flag has_schema] Id of the value schema in the store's schema registry.
   */

  /**
   * [flag has_schema] Version of that schema the value was written with.
   */

  return StrataEntry;
})();
StrataEntry_.StrataEntry = StrataEntry;
});

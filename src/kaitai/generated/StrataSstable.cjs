// This is a generated file! Please edit source .ksy file and use kaitai-struct-compiler to rebuild

(function (root, factory) {
  if (typeof define === 'function' && define.amd) {
    define(['exports', 'kaitai-struct/KaitaiStream', './StrataVarint', './StrataEntry', 'StrataLz'], factory);
  } else if (typeof exports === 'object' && exports !== null && typeof exports.nodeType !== 'number') {
    factory(exports, require('kaitai-struct/KaitaiStream'), require('./StrataVarint.cjs'), require('./StrataEntry.cjs'), require('./StrataLz.cjs'));
  } else {
    factory(root.StrataSstable || (root.StrataSstable = {}), root.KaitaiStream, root.StrataVarint || (root.StrataVarint = {}), root.StrataEntry || (root.StrataEntry = {}), root.StrataLz || (root.StrataLz = {}));
  }
})(typeof self !== 'undefined' ? self : this, function (StrataSstable_, KaitaiStream, StrataVarint_, StrataEntry_, StrataLz_) {
/**
 * An immutable, sorted table of entries, written once by a flush or a
 * compaction and never modified:
 * 
 *   file    := data_block* filter_block properties_block index_block footer
 *   block   := contents trailer
 *   trailer := u1 compression  u4 crc
 * 
 * The 52-byte footer at the end of the file holds the handles (offset,
 * size) of the filter, properties and index blocks. The index holds one
 * entry per data block: the block's last key and handle; from format v2 on
 * the entries are followed by where each starts (`index_offsets`) and how
 * many there are (`index_count`), so a reader can binary-search the index
 * without decoding every entry. A handle names a
 * block's contents only; its 5-byte trailer follows the contents. The
 * trailer crc is CRC-32 (zlib polynomial) of the stored contents followed
 * by the compression byte (`checked_span` of a handle).
 * 
 * Data blocks may be compressed (compression = zlib, RFC 1950, or
 * compression = lz, the strata_lz stream described under
 * `lz_data_block`); the filter, properties and index blocks never are. Blocks lie end to end:
 * data blocks from offset 0, then filter, properties, index and footer.
 * 
 * Everything here is reached through instances (footer, then the blocks the
 * footer and the index name), so nothing is read until it is asked for.
 * Checksums are not checked by this spec; recompute them over the spans it
 * exposes.
 * 
 * Engine: src/sstable/format.ts (layout), builder.ts, block-builder.ts,
 * footer.ts, properties.ts, index-block.ts, bloom.ts; reader.ts, block.ts.
 * @see src/sstable/format.ts
 */

var StrataSstable = (function() {
  StrataSstable.BlockCompression = Object.freeze({
    NONE: 0,
    ZLIB: 1,
    LZ: 2,

    0: "NONE",
    1: "ZLIB",
    2: "LZ",
  });

  StrataSstable.TableFormat = Object.freeze({
    V1: 1,
    V2: 2,

    1: "V1",
    2: "V2",
  });

  function StrataSstable(_io, _parent, _root) {
    this._io = _io;
    this._parent = _parent;
    this._root = _root || this;
    this._debug = {};

  }
  StrataSstable.prototype._read = function() {
  }

  /**
   * Where a block's contents are; the 5-byte trailer follows them.
   */

  var BlockHandle = StrataSstable.BlockHandle = (function() {
    function BlockHandle(_io, _parent, _root, compressible) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this.compressible = compressible;
      this._debug = {};

    }
    BlockHandle.prototype._read = function() {
      this._debug.offset = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.offset = this._io.readU8le();
      this._debug.offset.end = this._io.pos;
      this._debug.size = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.size = this._io.readU4le();
      this._debug.size.end = this._io.pos;
    }

    /**
     * The bytes the trailer crc covers - the stored contents and the compression byte.
     */
    Object.defineProperty(BlockHandle.prototype, 'checkedSpan', {
      get: function() {
        if (this._m_checkedSpan !== undefined)
          return this._m_checkedSpan;
        var io = this._root._io;
        var _pos = io.pos;
        io.seek(this.offset);
        this._debug._m_checkedSpan = { start: io.pos, ioOffset: io.byteOffset };
        this._m_checkedSpan = io.readBytes(this.size + 1);
        this._debug._m_checkedSpan.end = io.pos;
        io.seek(_pos);
        return this._m_checkedSpan;
      }
    });

    /**
     * File offset just past the trailer, where the next block starts.
     */
    Object.defineProperty(BlockHandle.prototype, 'endOfs', {
      get: function() {
        if (this._m_endOfs !== undefined)
          return this._m_endOfs;
        this._debug._m_endOfs = {  };
        this._m_endOfs = (this.offset + this.size) + 5;
        return this._m_endOfs;
      }
    });

    /**
     * The trailer right after the contents.
     */
    Object.defineProperty(BlockHandle.prototype, 'trailer', {
      get: function() {
        if (this._m_trailer !== undefined)
          return this._m_trailer;
        var io = this._root._io;
        var _pos = io.pos;
        io.seek(this.offset + this.size);
        this._debug._m_trailer = { start: io.pos, ioOffset: io.byteOffset };
        this._m_trailer = new BlockTrailer(io, this, this._root, this.compressible);
        this._m_trailer._read();
        this._debug._m_trailer.end = io.pos;
        io.seek(_pos);
        return this._m_trailer;
      }
    });

    /**
     * File offset of the block's contents.
     */

    /**
     * Size of the contents as stored (compressed size for a zlib or lz block), trailer excluded.
     */

    /**
     * True for data blocks, which may be compressed.
     */

    return BlockHandle;
  })();

  /**
   * The 5 bytes after every block's contents.
   */

  var BlockTrailer = StrataSstable.BlockTrailer = (function() {
    function BlockTrailer(_io, _parent, _root, compressible) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this.compressible = compressible;
      this._debug = {};

    }
    BlockTrailer.prototype._read = function() {
      this._debug.compression = { start: this._io.pos, ioOffset: this._io.byteOffset, enumName: "StrataSstable.BlockCompression" };
      this.compression = this._io.readU1();
      this._debug.compression.end = this._io.pos;
      var _ = this.compression;
      if (!( ((_ == StrataSstable.BlockCompression.NONE) || ( ((this.compressible) && ( ((_ == StrataSstable.BlockCompression.ZLIB) || (_ == StrataSstable.BlockCompression.LZ)) )) )) )) {
        var _err = new KaitaiStream.ValidationExprError(this.compression, this._io, "/types/block_trailer/seq/0");
        this._debug.compression.validationError = _err;
        throw _err;
      }
      this._debug.crc = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.crc = this._io.readU4le();
      this._debug.crc.end = this._io.pos;
    }

    /**
     * How the contents are stored (block_compression); always none for meta blocks.
     */

    /**
     * CRC-32 of the stored contents followed by the compression byte.
     */

    /**
     * True if compression is allowed (data blocks only).
     */

    return BlockTrailer;
  })();

  /**
   * A data block's uncompressed contents: entries sorted by key, then the
   * restart array, located from the end of the block:
   * 
   *   entry*  u4 restart[num_restarts]  u4 num_restarts
   * 
   * A restart is the offset of every 16th entry (entry 0, 16, 32, ...),
   * where binary search can start decoding. Entries are stored whole (no
   * key prefix compression). An empty block has no entries and no restarts.
   */

  var DataBlock = StrataSstable.DataBlock = (function() {
    function DataBlock(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this._debug = {};

    }
    DataBlock.prototype._read = function() {
    }

    /**
     * Size of the entry area, which starts at offset 0 of the block.
     */
    Object.defineProperty(DataBlock.prototype, 'entriesSize', {
      get: function() {
        if (this._m_entriesSize !== undefined)
          return this._m_entriesSize;
        this._debug._m_entriesSize = {  };
        this._m_entriesSize = (this._io.size - 4) - 4 * this.numRestarts;
        return this._m_entriesSize;
      }
    });

    /**
     * The entries.
     */
    Object.defineProperty(DataBlock.prototype, 'entryArea', {
      get: function() {
        if (this._m_entryArea !== undefined)
          return this._m_entryArea;
        var _pos = this._io.pos;
        this._io.seek(0);
        this._debug._m_entryArea = { start: this._io.pos, ioOffset: this._io.byteOffset };
        this._raw__m_entryArea = this._io.readBytes(this.entriesSize);
        var _io__raw__m_entryArea = new KaitaiStream(this._raw__m_entryArea);
        this._m_entryArea = new EntryList(_io__raw__m_entryArea, this, this._root);
        this._m_entryArea._read();
        this._debug._m_entryArea.end = this._io.pos;
        this._io.seek(_pos);
        return this._m_entryArea;
      }
    });

    /**
     * Number of restart points (the block's last 4 bytes); at least 1 unless the block is empty.
     */
    Object.defineProperty(DataBlock.prototype, 'numRestarts', {
      get: function() {
        if (this._m_numRestarts !== undefined)
          return this._m_numRestarts;
        var _pos = this._io.pos;
        this._io.seek(this._io.size - 4);
        this._debug._m_numRestarts = { start: this._io.pos, ioOffset: this._io.byteOffset };
        this._m_numRestarts = this._io.readU4le();
        this._debug._m_numRestarts.end = this._io.pos;
        var _ = this._m_numRestarts;
        if (!( ((_ <= Math.floor((this._io.size - 4) / 4)) && ( ((_ > 0) || (this._io.size == 4)) )) )) {
          var _err = new KaitaiStream.ValidationExprError(this._m_numRestarts, this._io, "/types/data_block/instances/num_restarts");
          this._debug._m_numRestarts.validationError = _err;
          throw _err;
        }
        this._io.seek(_pos);
        return this._m_numRestarts;
      }
    });

    /**
     * Offset in the block of every 16th entry; the first is 0 and they strictly increase.
     */
    Object.defineProperty(DataBlock.prototype, 'restarts', {
      get: function() {
        if (this._m_restarts !== undefined)
          return this._m_restarts;
        var _pos = this._io.pos;
        this._io.seek(this.entriesSize);
        this._debug._m_restarts = { start: this._io.pos, ioOffset: this._io.byteOffset };
        this._debug._m_restarts.arr = [];
        this._m_restarts = [];
        for (var i = 0; i < this.numRestarts; i++) {
          this._debug._m_restarts.arr[i] = { start: this._io.pos, ioOffset: this._io.byteOffset };
          this._m_restarts.push(this._io.readU4le());
          this._debug._m_restarts.arr[i].end = this._io.pos;
          var _ = this._m_restarts[i];
          if (!(_ < this.entriesSize)) {
            var _err = new KaitaiStream.ValidationExprError(this._m_restarts[i], this._io, "/types/data_block/instances/restarts");
            this._debug._m_restarts.arr[i].validationError = _err;
            throw _err;
          }
        }
        this._debug._m_restarts.end = this._io.pos;
        this._io.seek(_pos);
        return this._m_restarts;
      }
    });

    return DataBlock;
  })();

  /**
   * The entry area of a data block.
   */

  var EntryList = StrataSstable.EntryList = (function() {
    function EntryList(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this._debug = {};

    }
    EntryList.prototype._read = function() {
      this._debug.entries = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this._debug.entries.arr = [];
      this.entries = [];
      var i = 0;
      while (!this._io.isEof()) {
        this._debug.entries.arr[this.entries.length] = { start: this._io.pos, ioOffset: this._io.byteOffset };
        var _t_entries = new StrataEntry_.StrataEntry(this._io, null, null);
        try {
          _t_entries._read();
        } finally {
          this.entries.push(_t_entries);
        }
        this._debug.entries.arr[this.entries.length - 1].end = this._io.pos;
        i++;
      }
      this._debug.entries.end = this._io.pos;
    }

    /**
     * Entries with strictly increasing keys, at most one per key in a table.
     */

    return EntryList;
  })();

  /**
   * A bloom filter over every key in the table; never compressed. Probe i
   * of a key tests bit (start + i * step) mod (nbytes * 8), computed in
   * unsigned 32-bit arithmetic, where {start, step} is
   * bloomSeed(FNV-1a 64 of the key) from src/util/hash.ts; bit b lives in
   * byte b >> 3 under mask 1 << (b & 7). An empty block (written when
   * filtering is off) matches every key, as does one whose probe count is
   * outside 1 to 30.
   */

  var FilterBlock = StrataSstable.FilterBlock = (function() {
    function FilterBlock(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this._debug = {};

    }
    FilterBlock.prototype._read = function() {
      if (this._io.size > 0) {
        this._debug.bits = { start: this._io.pos, ioOffset: this._io.byteOffset };
        this.bits = this._io.readBytes(this._io.size - 1);
        this._debug.bits.end = this._io.pos;
      }
      if (this._io.size > 0) {
        this._debug.probes = { start: this._io.pos, ioOffset: this._io.byteOffset };
        this.probes = this._io.readU1();
        this._debug.probes.end = this._io.pos;
      }
    }

    /**
     * The bit array (nbytes bytes, at least 8 when present).
     */

    /**
     * Number of probes per key, 1 to 30.
     */

    return FilterBlock;
  })();

  /**
   * Where the meta blocks are, the format version and the table magic.
   * The crc covers footer bytes 0 to 39 (`checked_span`).
   */

  var Footer = StrataSstable.Footer = (function() {
    function Footer(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this._debug = {};

    }
    Footer.prototype._read = function() {
      this._debug.filter = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.filter = new BlockHandle(this._io, this, this._root, false);
      this.filter._read();
      this._debug.filter.end = this._io.pos;
      this._debug.properties = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.properties = new BlockHandle(this._io, this, this._root, false);
      this.properties._read();
      this._debug.properties.end = this._io.pos;
      this._debug.index = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.index = new BlockHandle(this._io, this, this._root, false);
      this.index._read();
      this._debug.index.end = this._io.pos;
      this._debug.formatVersion = { start: this._io.pos, ioOffset: this._io.byteOffset, enumName: "StrataSstable.TableFormat" };
      this.formatVersion = this._io.readU4le();
      this._debug.formatVersion.end = this._io.pos;
      if (!Object.prototype.hasOwnProperty.call(StrataSstable.TableFormat, this.formatVersion)) {
        var _err = new KaitaiStream.ValidationNotInEnumError(this.formatVersion, this._io, "/types/footer/seq/3");
        this._debug.formatVersion.validationError = _err;
        throw _err;
      }
      this._debug.crc = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.crc = this._io.readU4le();
      this._debug.crc.end = this._io.pos;
      this._debug.magic = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.magic = this._io.readBytes(8);
      this._debug.magic.end = this._io.pos;
      if (!((KaitaiStream.byteArrayCompare(this.magic, new Uint8Array([83, 84, 82, 65, 84, 65, 84, 66])) == 0))) {
        var _err = new KaitaiStream.ValidationNotEqualError(new Uint8Array([83, 84, 82, 65, 84, 65, 84, 66]), this.magic, this._io, "/types/footer/seq/5");
        this._debug.magic.validationError = _err;
        throw _err;
      }
    }

    /**
     * The bytes `crc` covers.
     */
    Object.defineProperty(Footer.prototype, 'checkedSpan', {
      get: function() {
        if (this._m_checkedSpan !== undefined)
          return this._m_checkedSpan;
        var _pos = this._io.pos;
        this._io.seek(0);
        this._debug._m_checkedSpan = { start: this._io.pos, ioOffset: this._io.byteOffset };
        this._m_checkedSpan = this._io.readBytes(40);
        this._debug._m_checkedSpan.end = this._io.pos;
        this._io.seek(_pos);
        return this._m_checkedSpan;
      }
    });

    /**
     * Handle of the filter block.
     */

    /**
     * Handle of the properties block.
     */

    /**
     * Handle of the index block.
     */

    /**
     * Layout version of this table (table_format).
     */

    /**
     * CRC-32 of the 40 footer bytes before it.
     */

    /**
     * Identifies a strata table; the file's last 8 bytes.
     */

    return Footer;
  })();

  /**
   * The index, one entry per data block; never compressed.
   */

  var IndexBlock = StrataSstable.IndexBlock = (function() {
    function IndexBlock(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this._debug = {};

    }
    IndexBlock.prototype._read = function() {
      this._debug.entries = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this._debug.entries.arr = [];
      this.entries = [];
      var i = 0;
      while (!this._io.isEof()) {
        this._debug.entries.arr[this.entries.length] = { start: this._io.pos, ioOffset: this._io.byteOffset };
        var _t_entries = new IndexEntry(this._io, this, this._root);
        try {
          _t_entries._read();
        } finally {
          this.entries.push(_t_entries);
        }
        this._debug.entries.arr[this.entries.length - 1].end = this._io.pos;
        i++;
      }
      this._debug.entries.end = this._io.pos;
    }

    /**
     * Entries in file order; last keys strictly increase.
     */

    return IndexBlock;
  })();

  /**
   * One data block as the index names it.
   */

  var IndexEntry = StrataSstable.IndexEntry = (function() {
    function IndexEntry(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this._debug = {};

    }
    IndexEntry.prototype._read = function() {
      this._debug.keyLen = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.keyLen = new StrataVarint_.StrataVarint(this._io, null, null);
      this.keyLen._read();
      this._debug.keyLen.end = this._io.pos;
      var _ = this.keyLen;
      if (!( ((_.value >= 1) && (_.value <= 65536)) )) {
        var _err = new KaitaiStream.ValidationExprError(this.keyLen, this._io, "/types/index_entry/seq/0");
        this._debug.keyLen.validationError = _err;
        throw _err;
      }
      this._debug.lastKey = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.lastKey = this._io.readBytes(this.keyLen.value);
      this._debug.lastKey.end = this._io.pos;
      this._debug.handle = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.handle = new BlockHandle(this._io, this, this._root, true);
      this.handle._read();
      this._debug.handle.end = this._io.pos;
    }

    /**
     * The data block, decompressed first when its trailer says zlib or lz.
     */
    Object.defineProperty(IndexEntry.prototype, 'block', {
      get: function() {
        if (this._m_block !== undefined)
          return this._m_block;
        var io = this._root._io;
        var _pos = io.pos;
        io.seek(this.handle.offset);
        this._debug._m_block = { start: io.pos, ioOffset: io.byteOffset };
        switch (this.handle.trailer.compression) {
        case StrataSstable.BlockCompression.LZ:
          this._raw__m_block = io.readBytes(this.handle.size);
          var _io__raw__m_block = new KaitaiStream(this._raw__m_block);
          this._m_block = new LzDataBlock(_io__raw__m_block, this, this._root);
          this._m_block._read();
          break;
        case StrataSstable.BlockCompression.NONE:
          this._raw__m_block = io.readBytes(this.handle.size);
          var _io__raw__m_block = new KaitaiStream(this._raw__m_block);
          this._m_block = new DataBlock(_io__raw__m_block, this, this._root);
          this._m_block._read();
          break;
        case StrataSstable.BlockCompression.ZLIB:
          this._raw__m_block = io.readBytes(this.handle.size);
          var _io__raw__m_block = new KaitaiStream(this._raw__m_block);
          this._m_block = new ZlibDataBlock(_io__raw__m_block, this, this._root);
          this._m_block._read();
          break;
        default:
          this._m_block = io.readBytes(this.handle.size);
          break;
        }
        this._debug._m_block.end = io.pos;
        io.seek(_pos);
        return this._m_block;
      }
    });

    /**
     * Length of last_key, 1 to 65536.
     */

    /**
     * The largest key in the block.
     */

    /**
     * Where the block is.
     */

    return IndexEntry;
  })();

  /**
   * A data block stored as a strata_lz stream: byte-oriented LZ77 without
   * an entropy stage (engine: src/codec/lz-block.ts). The custom process
   * `strata_lz` decodes it:
   * 
   *   stream   := varint raw_length  sequence*
   *   sequence := u1 token  [varint literal_extra]  literal bytes
   *               [u2le distance  [varint match_extra]]
   * 
   * The token's high nibble is the literal count (15 means 15 +
   * literal_extra), its low nibble the match length minus 4 (15 means 15 +
   * match_extra). A sequence whose literals end the stream has no match
   * part and a low nibble of 0. A match copies `length` bytes from
   * `distance` (1 to 65535) bytes back in the output, and may overlap the
   * bytes it produces. Varints are unsigned LEB128 (strata_varint). The
   * decoded size must equal raw_length exactly; anything else is damage.
   */

  var LzDataBlock = StrataSstable.LzDataBlock = (function() {
    function LzDataBlock(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this._debug = {};

    }
    LzDataBlock.prototype._read = function() {
      this._debug.inflated = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this._raw__raw_inflated = this._io.readBytesFull();
      var _process = new StrataLz_.StrataLz();
      this._raw_inflated = _process.decode(this._raw__raw_inflated);
      var _io__raw_inflated = new KaitaiStream(this._raw_inflated);
      this.inflated = new DataBlock(_io__raw_inflated, this, this._root);
      this.inflated._read();
      this._debug.inflated.end = this._io.pos;
    }

    /**
     * The block's contents after decoding.
     */

    return LzDataBlock;
  })();

  /**
   * Facts about the table, checked against the data by `strata verify`;
   * never compressed. Later format versions may append fields: a reader
   * ignores bytes after created_by.
   */

  var PropertiesBlock = StrataSstable.PropertiesBlock = (function() {
    function PropertiesBlock(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this._debug = {};

    }
    PropertiesBlock.prototype._read = function() {
      this._debug.entries = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.entries = this._io.readU8le();
      this._debug.entries.end = this._io.pos;
      this._debug.puts = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.puts = this._io.readU8le();
      this._debug.puts.end = this._io.pos;
      this._debug.deletes = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.deletes = this._io.readU8le();
      this._debug.deletes.end = this._io.pos;
      var _ = this.deletes;
      if (!(this.puts + _ == this.entries)) {
        var _err = new KaitaiStream.ValidationExprError(this.deletes, this._io, "/types/properties_block/seq/2");
        this._debug.deletes.validationError = _err;
        throw _err;
      }
      this._debug.withExpiry = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.withExpiry = this._io.readU8le();
      this._debug.withExpiry.end = this._io.pos;
      var _ = this.withExpiry;
      if (!(_ <= this.entries)) {
        var _err = new KaitaiStream.ValidationExprError(this.withExpiry, this._io, "/types/properties_block/seq/3");
        this._debug.withExpiry.validationError = _err;
        throw _err;
      }
      this._debug.minSeq = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.minSeq = this._io.readU8le();
      this._debug.minSeq.end = this._io.pos;
      this._debug.maxSeq = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.maxSeq = this._io.readU8le();
      this._debug.maxSeq.end = this._io.pos;
      var _ = this.maxSeq;
      if (!(_ >= this.minSeq)) {
        var _err = new KaitaiStream.ValidationExprError(this.maxSeq, this._io, "/types/properties_block/seq/5");
        this._debug.maxSeq.validationError = _err;
        throw _err;
      }
      this._debug.rawKeyBytes = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.rawKeyBytes = this._io.readU8le();
      this._debug.rawKeyBytes.end = this._io.pos;
      this._debug.rawValueBytes = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.rawValueBytes = this._io.readU8le();
      this._debug.rawValueBytes.end = this._io.pos;
      this._debug.dataBlocks = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.dataBlocks = this._io.readU4le();
      this._debug.dataBlocks.end = this._io.pos;
      this._debug.shard = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.shard = this._io.readU4le();
      this._debug.shard.end = this._io.pos;
      this._debug.createdAtMs = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.createdAtMs = this._io.readU8le();
      this._debug.createdAtMs.end = this._io.pos;
      this._debug.level = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.level = this._io.readU1();
      this._debug.level.end = this._io.pos;
      this._debug.smallestKeyLen = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.smallestKeyLen = new StrataVarint_.StrataVarint(this._io, null, null);
      this.smallestKeyLen._read();
      this._debug.smallestKeyLen.end = this._io.pos;
      var _ = this.smallestKeyLen;
      if (!(_.value <= 65536)) {
        var _err = new KaitaiStream.ValidationExprError(this.smallestKeyLen, this._io, "/types/properties_block/seq/12");
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
        var _err = new KaitaiStream.ValidationExprError(this.largestKeyLen, this._io, "/types/properties_block/seq/14");
        this._debug.largestKeyLen.validationError = _err;
        throw _err;
      }
      this._debug.largestKey = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.largestKey = this._io.readBytes(this.largestKeyLen.value);
      this._debug.largestKey.end = this._io.pos;
      this._debug.createdByLen = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.createdByLen = new StrataVarint_.StrataVarint(this._io, null, null);
      this.createdByLen._read();
      this._debug.createdByLen.end = this._io.pos;
      var _ = this.createdByLen;
      if (!(_.value <= 4096)) {
        var _err = new KaitaiStream.ValidationExprError(this.createdByLen, this._io, "/types/properties_block/seq/16");
        this._debug.createdByLen.validationError = _err;
        throw _err;
      }
      this._debug.createdBy = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.createdBy = KaitaiStream.bytesToStr(this._io.readBytes(this.createdByLen.value), "UTF-8");
      this._debug.createdBy.end = this._io.pos;
      this._debug.extension = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.extension = this._io.readBytesFull();
      this._debug.extension.end = this._io.pos;
    }

    /**
     * Entries in the table (puts + deletes).
     */

    /**
     * Entries of kind put.
     */

    /**
     * Entries of kind delete (tombstones).
     */

    /**
     * Entries with an expiry time.
     */

    /**
     * Smallest sequence number in the table.
     */

    /**
     * Largest sequence number in the table.
     */

    /**
     * Sum of the key lengths.
     */

    /**
     * Sum of the stored value lengths.
     */

    /**
     * Number of data blocks (= index entries).
     */

    /**
     * Index of the shard the table belongs to.
     */

    /**
     * When the table was written, in milliseconds since the Unix epoch.
     */

    /**
     * LSM level the table was written for (0 = flush, 1 = compaction output).
     */

    /**
     * Length of smallest_key.
     */

    /**
     * The first key in the table.
     */

    /**
     * Length of largest_key.
     */

    /**
     * The last key in the table (= the last index entry's key).
     */

    /**
     * Length of created_by, at most 4096 bytes.
     */

    /**
     * Who wrote the table, e.g. "strata 0.1.0 flush".
     */

    /**
     * Fields appended by later format versions; empty in v1 and v2, ignored by their readers.
     */

    return PropertiesBlock;
  })();

  /**
   * A data block stored as a zlib stream.
   */

  var ZlibDataBlock = StrataSstable.ZlibDataBlock = (function() {
    function ZlibDataBlock(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this._debug = {};

    }
    ZlibDataBlock.prototype._read = function() {
      this._debug.inflated = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this._raw__raw_inflated = this._io.readBytesFull();
      this._raw_inflated = KaitaiStream.processZlib(this._raw__raw_inflated);
      var _io__raw_inflated = new KaitaiStream(this._raw_inflated);
      this.inflated = new DataBlock(_io__raw_inflated, this, this._root);
      this.inflated._read();
      this._debug.inflated.end = this._io.pos;
    }

    /**
     * The block's contents after inflating.
     */

    return ZlibDataBlock;
  })();

  /**
   * The bloom filter over every key in the table.
   */
  Object.defineProperty(StrataSstable.prototype, 'filter', {
    get: function() {
      if (this._m_filter !== undefined)
        return this._m_filter;
      var _pos = this._io.pos;
      this._io.seek(this.footer.filter.offset);
      this._debug._m_filter = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this._raw__m_filter = this._io.readBytes(this.footer.filter.size);
      var _io__raw__m_filter = new KaitaiStream(this._raw__m_filter);
      this._m_filter = new FilterBlock(_io__raw__m_filter, this, this._root);
      this._m_filter._read();
      this._debug._m_filter.end = this._io.pos;
      this._io.seek(_pos);
      return this._m_filter;
    }
  });

  /**
   * The fixed-size footer, the last 52 bytes of the file.
   */
  Object.defineProperty(StrataSstable.prototype, 'footer', {
    get: function() {
      if (this._m_footer !== undefined)
        return this._m_footer;
      var _pos = this._io.pos;
      this._io.seek(this._io.size - 52);
      this._debug._m_footer = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this._raw__m_footer = this._io.readBytes(52);
      var _io__raw__m_footer = new KaitaiStream(this._raw__m_footer);
      this._m_footer = new Footer(_io__raw__m_footer, this, this._root);
      this._m_footer._read();
      this._debug._m_footer.end = this._io.pos;
      this._io.seek(_pos);
      return this._m_footer;
    }
  });

  /**
   * One entry per data block, in file (and key) order: the index block's
   * contents up to its v2 tail (all of them in v1).
   */
  Object.defineProperty(StrataSstable.prototype, 'index', {
    get: function() {
      if (this._m_index !== undefined)
        return this._m_index;
      var _pos = this._io.pos;
      this._io.seek(this.footer.index.offset);
      this._debug._m_index = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this._raw__m_index = this._io.readBytes(this.footer.index.size - this.indexTailSize);
      var _io__raw__m_index = new KaitaiStream(this._raw__m_index);
      this._m_index = new IndexBlock(_io__raw__m_index, this, this._root);
      this._m_index._read();
      this._debug._m_index.end = this._io.pos;
      this._io.seek(_pos);
      return this._m_index;
    }
  });

  /**
   * v2 - the number of index entries (the index block's last 4 bytes).
   */
  Object.defineProperty(StrataSstable.prototype, 'indexCount', {
    get: function() {
      if (this._m_indexCount !== undefined)
        return this._m_indexCount;
      if (this.footer.formatVersion == StrataSstable.TableFormat.V2) {
        var _pos = this._io.pos;
        this._io.seek((this.footer.index.offset + this.footer.index.size) - 4);
        this._debug._m_indexCount = { start: this._io.pos, ioOffset: this._io.byteOffset };
        this._m_indexCount = this._io.readU4le();
        this._debug._m_indexCount.end = this._io.pos;
        var _ = this._m_indexCount;
        if (!( ((_ >= 1) && (_ <= Math.floor((this._root.footer.index.size - 4) / 18))) )) {
          var _err = new KaitaiStream.ValidationExprError(this._m_indexCount, this._io, "/instances/index_count");
          this._debug._m_indexCount.validationError = _err;
          throw _err;
        }
        this._io.seek(_pos);
      }
      return this._m_indexCount;
    }
  });

  /**
   * v2 - offset of each index entry inside the index block: the first is
   * 0, they strictly increase, and each entry ends where the next starts
   * (the last where this array starts).
   */
  Object.defineProperty(StrataSstable.prototype, 'indexOffsets', {
    get: function() {
      if (this._m_indexOffsets !== undefined)
        return this._m_indexOffsets;
      if (this.footer.formatVersion == StrataSstable.TableFormat.V2) {
        var _pos = this._io.pos;
        this._io.seek((this.footer.index.offset + this.footer.index.size) - this.indexTailSize);
        this._debug._m_indexOffsets = { start: this._io.pos, ioOffset: this._io.byteOffset };
        this._debug._m_indexOffsets.arr = [];
        this._m_indexOffsets = [];
        for (var i = 0; i < this.indexCount; i++) {
          this._debug._m_indexOffsets.arr[i] = { start: this._io.pos, ioOffset: this._io.byteOffset };
          this._m_indexOffsets.push(this._io.readU4le());
          this._debug._m_indexOffsets.arr[i].end = this._io.pos;
        }
        this._debug._m_indexOffsets.end = this._io.pos;
        this._io.seek(_pos);
      }
      return this._m_indexOffsets;
    }
  });

  /**
   * Bytes after the index entries - the v2 offset array and count; 0 in v1.
   */
  Object.defineProperty(StrataSstable.prototype, 'indexTailSize', {
    get: function() {
      if (this._m_indexTailSize !== undefined)
        return this._m_indexTailSize;
      this._debug._m_indexTailSize = {  };
      this._m_indexTailSize = (this.footer.formatVersion == StrataSstable.TableFormat.V2 ? 4 + 4 * this.indexCount : 0);
      return this._m_indexTailSize;
    }
  });

  /**
   * The table magic "STRATATB", the file's last 8 bytes (the footer's
   * `magic` again). Read it first: it tells a strata table from any other
   * file before anything else is trusted.
   */
  Object.defineProperty(StrataSstable.prototype, 'magic', {
    get: function() {
      if (this._m_magic !== undefined)
        return this._m_magic;
      var _pos = this._io.pos;
      this._io.seek(this._io.size - 8);
      this._debug._m_magic = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this._m_magic = this._io.readBytes(8);
      this._debug._m_magic.end = this._io.pos;
      if (!((KaitaiStream.byteArrayCompare(this._m_magic, new Uint8Array([83, 84, 82, 65, 84, 65, 84, 66])) == 0))) {
        var _err = new KaitaiStream.ValidationNotEqualError(new Uint8Array([83, 84, 82, 65, 84, 65, 84, 66]), this._m_magic, this._io, "/instances/magic");
        this._debug._m_magic.validationError = _err;
        throw _err;
      }
      this._io.seek(_pos);
      return this._m_magic;
    }
  });

  /**
   * Counts, key and sequence ranges, and who wrote the table.
   */
  Object.defineProperty(StrataSstable.prototype, 'properties', {
    get: function() {
      if (this._m_properties !== undefined)
        return this._m_properties;
      var _pos = this._io.pos;
      this._io.seek(this.footer.properties.offset);
      this._debug._m_properties = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this._raw__m_properties = this._io.readBytes(this.footer.properties.size);
      var _io__raw__m_properties = new KaitaiStream(this._raw__m_properties);
      this._m_properties = new PropertiesBlock(_io__raw__m_properties, this, this._root);
      this._m_properties._read();
      this._debug._m_properties.end = this._io.pos;
      this._io.seek(_pos);
      return this._m_properties;
    }
  });

  return StrataSstable;
})();
StrataSstable_.StrataSstable = StrataSstable;
});

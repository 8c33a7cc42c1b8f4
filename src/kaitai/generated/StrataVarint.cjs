// This is a generated file! Please edit source .ksy file and use kaitai-struct-compiler to rebuild

(function (root, factory) {
  if (typeof define === 'function' && define.amd) {
    define(['exports', 'kaitai-struct/KaitaiStream'], factory);
  } else if (typeof exports === 'object' && exports !== null && typeof exports.nodeType !== 'number') {
    factory(exports, require('kaitai-struct/KaitaiStream'));
  } else {
    factory(root.StrataVarint || (root.StrataVarint = {}), root.KaitaiStream);
  }
})(typeof self !== 'undefined' ? self : this, function (StrataVarint_, KaitaiStream) {
/**
 * An unsigned integer in little-endian base-128 groups (LEB128): each byte
 * carries 7 bits of the value, least significant group first; a byte with
 * its top bit set says another byte follows.
 * 
 * strata varints carry integers up to 2^53 - 1 (JavaScript's safe range) in
 * at most 8 bytes, so the 8th byte, when present, must be below 0x10 (it
 * ends the varint and adds at most 4 bits): a longer varint, or one above
 * 2^53 - 1, is corruption. Non-minimal encodings (such as 0x80 0x00 for 0)
 * decode; strata never writes them.
 * 
 * The bytes are fields b0 .. b7, each present only if every byte before it
 * has its top bit set; one flat object per varint keeps decoded files
 * small. The value is computed with multiplication (`group * 128^i`), never
 * with shifts, which are 32-bit in JavaScript.
 * 
 * Engine: src/util/coding.ts (ByteWriter.varint, ByteReader.varint).
 * @see src/util/coding.ts
 */

var StrataVarint = (function() {
  function StrataVarint(_io, _parent, _root) {
    this._io = _io;
    this._parent = _parent;
    this._root = _root || this;
    this._debug = {};

  }
  StrataVarint.prototype._read = function() {
    this._debug.b0 = { start: this._io.pos, ioOffset: this._io.byteOffset };
    this.b0 = this._io.readU1();
    this._debug.b0.end = this._io.pos;
    if (this.b0 >= 128) {
      this._debug.b1 = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.b1 = this._io.readU1();
      this._debug.b1.end = this._io.pos;
    }
    if ( ((this.b0 >= 128) && (this.b1 >= 128)) ) {
      this._debug.b2 = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.b2 = this._io.readU1();
      this._debug.b2.end = this._io.pos;
    }
    if ( ((this.b0 >= 128) && (this.b1 >= 128) && (this.b2 >= 128)) ) {
      this._debug.b3 = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.b3 = this._io.readU1();
      this._debug.b3.end = this._io.pos;
    }
    if ( ((this.b0 >= 128) && (this.b1 >= 128) && (this.b2 >= 128) && (this.b3 >= 128)) ) {
      this._debug.b4 = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.b4 = this._io.readU1();
      this._debug.b4.end = this._io.pos;
    }
    if ( ((this.b0 >= 128) && (this.b1 >= 128) && (this.b2 >= 128) && (this.b3 >= 128) && (this.b4 >= 128)) ) {
      this._debug.b5 = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.b5 = this._io.readU1();
      this._debug.b5.end = this._io.pos;
    }
    if ( ((this.b0 >= 128) && (this.b1 >= 128) && (this.b2 >= 128) && (this.b3 >= 128) && (this.b4 >= 128) && (this.b5 >= 128)) ) {
      this._debug.b6 = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.b6 = this._io.readU1();
      this._debug.b6.end = this._io.pos;
    }
    if ( ((this.b0 >= 128) && (this.b1 >= 128) && (this.b2 >= 128) && (this.b3 >= 128) && (this.b4 >= 128) && (this.b5 >= 128) && (this.b6 >= 128)) ) {
      this._debug.b7 = { start: this._io.pos, ioOffset: this._io.byteOffset };
      this.b7 = this._io.readU1();
      this._debug.b7.end = this._io.pos;
      if (!(this.b7 <= 15)) {
        var _err = new KaitaiStream.ValidationGreaterThanError(15, this.b7, this._io, "/seq/7");
        this._debug.b7.validationError = _err;
        throw _err;
      }
    }
  }

  /**
   * Number of bytes the varint takes, 1 to 8.
   */
  Object.defineProperty(StrataVarint.prototype, 'len', {
    get: function() {
      if (this._m_len !== undefined)
        return this._m_len;
      this._debug._m_len = {  };
      this._m_len = (this.b0 < 128 ? 1 : (this.b1 < 128 ? 2 : (this.b2 < 128 ? 3 : (this.b3 < 128 ? 4 : (this.b4 < 128 ? 5 : (this.b5 < 128 ? 6 : (this.b6 < 128 ? 7 : 8)))))));
      return this._m_len;
    }
  });

  /**
   * The decoded integer, the sum of group i times 128^i.
   */
  Object.defineProperty(StrataVarint.prototype, 'value', {
    get: function() {
      if (this._m_value !== undefined)
        return this._m_value;
      this._debug._m_value = {  };
      this._m_value = (((((((this.b0 & 127) + (this.len > 1 ? (this.b1 & 127) * 128 : 0)) + (this.len > 2 ? (this.b2 & 127) * 16384 : 0)) + (this.len > 3 ? (this.b3 & 127) * 2097152 : 0)) + (this.len > 4 ? (this.b4 & 127) * 268435456 : 0)) + (this.len > 5 ? (this.b5 & 127) * 34359738368 : 0)) + (this.len > 6 ? (this.b6 & 127) * 4398046511104 : 0)) + (this.len > 7 ? this.b7 * 562949953421312 : 0);
      return this._m_value;
    }
  });

  /**
   * Bits 0-6 of the value; bit 7 set if b1 follows.
   */

  /**
   * Bits 7-13; bit 7 set if b2 follows.
   */

  /**
   * Bits 14-20; bit 7 set if b3 follows.
   */

  /**
   * Bits 21-27; bit 7 set if b4 follows.
   */

  /**
   * Bits 28-34; bit 7 set if b5 follows.
   */

  /**
   * Bits 35-41; bit 7 set if b6 follows.
   */

  /**
   * Bits 42-48; bit 7 set if b7 follows.
   */

  /**
   * Bits 49-52, the last byte a strata varint may have; below 0x10 (no continuation, at most 2^53 - 1).
   */

  return StrataVarint;
})();
StrataVarint_.StrataVarint = StrataVarint;
});

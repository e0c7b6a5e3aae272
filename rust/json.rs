//! A bounded, validating JSON reader that reads the way Go's `encoding/json` decodes.
//!
//! This is not a general JSON library. It offers the few primitives the manifest decoder
//! (`manifest.rs`) needs to reproduce, byte for byte, what moby gets when it hands a manifest
//! list to `json.Unmarshal`:
//!
//! - **Syntax** is RFC 8259 exactly as Go's scanner checks it: no byte-order mark, no trailing
//!   bytes other than whitespace (space, tab, CR, LF), no control characters (< 0x20) inside
//!   strings, only the eight short escapes and `\uXXXX`, numbers by the JSON grammar (any size:
//!   `1e999` is valid syntax), and at most [`MAX_DEPTH`] (10,000) nested arrays and objects.
//! - **Strings** are decoded like Go's `unquote`: invalid UTF-8 bytes become U+FFFD one byte at a
//!   time, and a `\u` surrogate that is not part of a valid pair becomes U+FFFD. A string without
//!   escapes or invalid bytes is borrowed from the input.
//! - **Object keys** are matched to field names the way Go matches struct fields: exact first,
//!   then case-insensitively with Unicode simple folding ([`Key::is`]). The only non-ASCII
//!   characters that fold onto ASCII letters are U+017F (long s, folds with `s`) and U+212A
//!   (Kelvin sign, folds with `k`); escapes are decoded before matching, so `"manif\u0065sts"`
//!   names `manifests`.
//! - **Integers** for Go `int`/`int64` fields must be integer literals that fit in 64 bits:
//!   `1.0`, `1E3` and `9223372036854775808` are type errors, `-0` is zero.
//! - **Base64** for Go `[]byte` fields is standard padded base64 with CR and LF ignored
//!   ([`decode_base64`]).
//!
//! Bounds: the reader only ever looks at the slice it is given (callers check the caller's
//! limit before constructing it), it never recurses (unknown values are skipped by an iterative
//! loop with a fixed-size bit stack), and every error carries the byte offset where reading
//! stopped. Nothing here panics on any input.

use crate::error::{Error, Result};
use std::borrow::Cow;

/// The deepest nesting of arrays and objects Go's scanner accepts.
pub const MAX_DEPTH: usize = 10_000;

/// The JSON type of the value that starts at the reader's position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Object,
    Array,
    String,
    Number,
    Bool,
    Null,
}

impl Kind {
    /// Go's word for the kind in "cannot unmarshal <kind> into …".
    pub fn name(self) -> &'static str {
        match self {
            Kind::Object => "object",
            Kind::Array => "array",
            Kind::String => "string",
            Kind::Number => "number",
            Kind::Bool => "bool",
            Kind::Null => "null",
        }
    }
}

/// An object key as it appears in the input, between its quotes.
#[derive(Clone, Copy, Debug)]
pub struct Key<'a> {
    raw: &'a [u8],
    escaped: bool,
}

impl<'a> Key<'a> {
    /// The raw bytes between the quotes (escapes not decoded).
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The decoded key (Go's `unquote`: escapes decoded, invalid UTF-8 replaced).
    pub fn decode(&self) -> Cow<'a, str> {
        decode_string_body(self.raw, self.escaped)
    }

    /// True when the key names the exact bytes `name` (how Go matches map keys).
    pub fn equals(&self, name: &str) -> bool {
        if self.escaped {
            self.decode() == name
        } else {
            same_bytes(self.raw, name.as_bytes())
        }
    }

    /// True when Go would decode this key into the struct field called `name` (ASCII):
    /// exact match, else case-insensitive with Unicode simple folding.
    #[inline]
    pub fn is(&self, name: &str) -> bool {
        let name = name.as_bytes();
        // Escapes and the two non-ASCII folds only ever make a key longer than its name.
        if self.raw.len() < name.len() {
            return false;
        }
        if !self.escaped {
            if self.raw.len() == name.len() {
                return self.raw.eq_ignore_ascii_case(name);
            }
            if self.raw.is_ascii() {
                return false;
            }
        }
        self.is_folded(name)
    }

    #[cold]
    fn is_folded(&self, name: &[u8]) -> bool {
        let decoded = self.decode();
        let mut want = name.iter();
        for c in decoded.chars() {
            let folded = match c {
                'a'..='z' | 'A'..='Z' => c.to_ascii_lowercase(),
                '\u{017f}' => 's',
                '\u{212a}' => 'k',
                c if c.is_ascii() => c,
                _ => return false,
            };
            match want.next() {
                Some(&w) if w.to_ascii_lowercase() as char == folded => {}
                _ => return false,
            }
        }
        want.next().is_none()
    }

    /// True when the key is written as exactly `name`, byte for byte (no escapes, no case
    /// change): the match Go tries first.
    #[inline(always)]
    pub fn is_exactly(&self, name: &str) -> bool {
        same_bytes(self.raw, name.as_bytes())
    }

    /// The index in `names` of the field this key decodes into, if any.
    #[inline]
    pub fn field(&self, names: &[&str]) -> Option<usize> {
        if !self.escaped {
            let raw = self.raw;
            let exact = |n: &&str| {
                let n = n.as_bytes();
                n.len() == raw.len() && n.first() == raw.first() && same_bytes(n, raw)
            };
            if let Some(i) = names.iter().position(exact) {
                return Some(i);
            }
        }
        names.iter().position(|n| self.is(n))
    }
}

/// A cursor over a JSON document held entirely in `buf`.
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    depth: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0, depth: 0 }
    }

    /// A reader over `buf` positioned at `pos`, inside `depth` open containers (to read a
    /// value again that an earlier reader found at that position and depth).
    pub fn resume(buf: &'a [u8], pos: usize, depth: usize) -> Self {
        Self { buf, pos: pos.min(buf.len()), depth }
    }

    /// The number of arrays and objects open at the current position.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Moves to `end`, where a [`Quick`] cursor started at [`Reader::pos`] finished reading
    /// one complete value (so the nesting depth is unchanged).
    pub fn skip_to(&mut self, end: usize) {
        self.pos = end.clamp(self.pos, self.buf.len());
    }

    /// Byte offset of the next unread byte.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// The input bytes from `start` to the current position.
    pub fn since(&self, start: usize) -> &'a [u8] {
        &self.buf[start.min(self.pos)..self.pos]
    }

    /// An [`Error::InvalidManifest`] at the current position.
    #[cold]
    pub fn error(&self, reason: impl Into<String>) -> Error {
        Error::invalid_manifest(self.pos, reason)
    }

    #[cold]
    fn unexpected(&self, context: &str) -> Error {
        match self.buf.get(self.pos) {
            None => self.error("unexpected end of JSON input"),
            Some(&b) => self.error(format!("invalid character {} {context}", quote_byte(b))),
        }
    }

    /// A Go-style type error for the value at the current position.
    #[cold]
    pub fn type_error(&self, found: Kind, field: &str, go_type: &str) -> Error {
        self.error(format!(
            "cannot unmarshal {} into field {field} of type {go_type}",
            found.name()
        ))
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(&b) = self.buf.get(self.pos) {
            if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                break;
            }
            self.pos += 1;
        }
    }

    /// The kind of the next value (after whitespace), without consuming it.
    #[inline]
    pub fn peek_kind(&mut self) -> Result<Kind> {
        self.skip_ws();
        match self.buf.get(self.pos) {
            Some(b'{') => Ok(Kind::Object),
            Some(b'[') => Ok(Kind::Array),
            Some(b'"') => Ok(Kind::String),
            Some(b'-' | b'0'..=b'9') => Ok(Kind::Number),
            Some(b't' | b'f') => Ok(Kind::Bool),
            Some(b'n') => Ok(Kind::Null),
            _ => Err(self.unexpected("looking for beginning of value")),
        }
    }

    /// After the top-level value: only whitespace may follow.
    pub fn finish(&mut self) -> Result<()> {
        self.skip_ws();
        if self.pos < self.buf.len() {
            return Err(self.unexpected("after top-level value"));
        }
        Ok(())
    }

    fn push_depth(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("exceeded max depth"));
        }
        Ok(())
    }

    /// Consumes `{`; then call [`Reader::next_key`] until it returns `None`.
    #[inline]
    pub fn enter_object(&mut self) -> Result<()> {
        self.skip_ws();
        if self.buf.get(self.pos) != Some(&b'{') {
            return Err(self.unexpected("looking for beginning of object"));
        }
        self.push_depth()?;
        self.pos += 1;
        Ok(())
    }

    /// The next key of the object being read (the `:` after it consumed), or `None` after
    /// the closing `}`. `first` starts true and is managed by this method.
    #[inline(always)]
    pub fn next_key(&mut self, first: &mut bool) -> Result<Option<Key<'a>>> {
        self.skip_ws();
        match self.buf.get(self.pos) {
            Some(b'}') => {
                self.pos += 1;
                self.depth -= 1;
                return Ok(None);
            }
            Some(b',') if !*first => {
                self.pos += 1;
                self.skip_ws();
            }
            Some(b'"') if *first => {}
            _ => {
                let context = if *first {
                    "looking for beginning of object key string"
                } else {
                    "after object key:value pair"
                };
                return Err(self.unexpected(context));
            }
        }
        *first = false;
        if self.buf.get(self.pos) != Some(&b'"') {
            return Err(self.unexpected("looking for beginning of object key string"));
        }
        let (raw, escaped) = self.string_body()?;
        self.skip_ws();
        if self.buf.get(self.pos) != Some(&b':') {
            return Err(self.unexpected("after object key"));
        }
        self.pos += 1;
        Ok(Some(Key { raw, escaped }))
    }

    /// Consumes `[`; then call [`Reader::next_element`] until it returns false.
    #[inline]
    pub fn enter_array(&mut self) -> Result<()> {
        self.skip_ws();
        if self.buf.get(self.pos) != Some(&b'[') {
            return Err(self.unexpected("looking for beginning of array"));
        }
        self.push_depth()?;
        self.pos += 1;
        Ok(())
    }

    /// True when another element follows (positioned at it), false after the closing `]`.
    #[inline]
    pub fn next_element(&mut self, first: &mut bool) -> Result<bool> {
        self.skip_ws();
        match self.buf.get(self.pos) {
            Some(b']') => {
                self.pos += 1;
                self.depth -= 1;
                Ok(false)
            }
            Some(b',') if !*first => {
                self.pos += 1;
                Ok(true)
            }
            Some(_) if *first => {
                *first = false;
                Ok(true)
            }
            _ => Err(self.unexpected("after array element")),
        }
    }

    /// Reads a string value, decoded as Go decodes it (borrowed when nothing changes).
    #[inline]
    pub fn read_string(&mut self) -> Result<Cow<'a, str>> {
        self.skip_ws();
        if self.buf.get(self.pos) != Some(&b'"') {
            return Err(self.unexpected("looking for beginning of string"));
        }
        self.string_here()
    }

    /// Reads the string value [`Reader::peek_kind`] just reported.
    #[inline(always)]
    pub fn string_here(&mut self) -> Result<Cow<'a, str>> {
        let (raw, flags) = self.scan_string()?;
        if flags == 0 {
            // SAFETY: `find_special` saw no byte >= 0x80, so `raw` is ASCII, hence UTF-8.
            return Ok(Cow::Borrowed(unsafe { std::str::from_utf8_unchecked(raw) }));
        }
        Ok(decode_string_body(raw, flags & ESCAPED != 0))
    }

    /// Validates the string value [`Reader::peek_kind`] just reported, without decoding it.
    #[inline(always)]
    pub fn skip_string_here(&mut self) -> Result<()> {
        self.scan_string().map(|_| ())
    }

    /// Reads a string value and returns its raw body and whether it has escapes.
    pub fn read_raw_string(&mut self) -> Result<(&'a [u8], bool)> {
        self.skip_ws();
        if self.buf.get(self.pos) != Some(&b'"') {
            return Err(self.unexpected("looking for beginning of string"));
        }
        self.string_body()
    }

    /// Positioned at `"`: validates the string and returns the bytes between the quotes and
    /// whether they hold escapes.
    #[inline]
    fn string_body(&mut self) -> Result<(&'a [u8], bool)> {
        let (raw, flags) = self.scan_string()?;
        Ok((raw, flags & ESCAPED != 0))
    }

    /// Positioned at `"`: validates the string; returns its body and [`ESCAPED`]/[`NON_ASCII`].
    #[inline(always)]
    fn scan_string(&mut self) -> Result<(&'a [u8], u8)> {
        let start = self.pos + 1;
        let mut at = start;
        let mut flags = 0;
        loop {
            let (off, high) = find_special(self.buf.get(at..).unwrap_or_default());
            if high {
                flags |= NON_ASCII;
            }
            at += off;
            match self.buf.get(at) {
                Some(b'"') => {
                    self.pos = at + 1;
                    return Ok((&self.buf[start..at], flags));
                }
                Some(b'\\') => {
                    flags |= ESCAPED;
                    at = self.escape_end(at)?;
                }
                Some(_) => {
                    self.pos = at;
                    return Err(self.unexpected("in string literal"));
                }
                None => {
                    self.pos = self.buf.len();
                    return Err(self.error("unexpected end of JSON input"));
                }
            }
        }
    }

    /// Positioned at a backslash at `at`: validates the escape, returns the offset after it.
    fn escape_end(&mut self, at: usize) -> Result<usize> {
        match self.buf.get(at + 1) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(at + 2),
            Some(b'u') => {
                for i in 0..4 {
                    match self.buf.get(at + 2 + i) {
                        Some(b) if b.is_ascii_hexdigit() => {}
                        _ => {
                            self.pos = at + 2 + i;
                            return Err(self.unexpected("in \\u hexadecimal character escape"));
                        }
                    }
                }
                Ok(at + 6)
            }
            _ => {
                self.pos = at + 1;
                Err(self.unexpected("in string escape code"))
            }
        }
    }

    /// Consumes a `null` literal.
    pub fn read_null(&mut self) -> Result<()> {
        self.skip_ws();
        self.literal(b"null")
    }

    fn literal(&mut self, word: &'static [u8]) -> Result<()> {
        for (i, &want) in word.iter().enumerate() {
            match self.buf.get(self.pos + i) {
                Some(&b) if b == want => {}
                _ if i == 0 => return Err(self.unexpected("looking for beginning of value")),
                _ => {
                    self.pos += i;
                    let lit = std::str::from_utf8(word).unwrap_or_default();
                    return Err(self.unexpected(&format!(
                        "in literal {lit} (expecting {})",
                        quote_byte(want)
                    )));
                }
            }
        }
        self.pos += word.len();
        Ok(())
    }

    /// Consumes a number literal (JSON grammar) and returns its text.
    fn number(&mut self) -> Result<&'a [u8]> {
        let start = self.pos;
        let buf = self.buf;
        let mut at = start;
        if buf.get(at) == Some(&b'-') {
            at += 1;
        }
        match buf.get(at) {
            Some(b'0') => at += 1,
            Some(b'1'..=b'9') => {
                at += 1;
                while matches!(buf.get(at), Some(b'0'..=b'9')) {
                    at += 1;
                }
            }
            _ => {
                self.pos = at;
                return Err(self.unexpected("in numeric literal"));
            }
        }
        if buf.get(at) == Some(&b'.') {
            at += 1;
            if !matches!(buf.get(at), Some(b'0'..=b'9')) {
                self.pos = at;
                return Err(self.unexpected("after decimal point in numeric literal"));
            }
            while matches!(buf.get(at), Some(b'0'..=b'9')) {
                at += 1;
            }
        }
        if matches!(buf.get(at), Some(b'e' | b'E')) {
            at += 1;
            if matches!(buf.get(at), Some(b'+' | b'-')) {
                at += 1;
            }
            if !matches!(buf.get(at), Some(b'0'..=b'9')) {
                self.pos = at;
                return Err(self.unexpected("in exponent of numeric literal"));
            }
            while matches!(buf.get(at), Some(b'0'..=b'9')) {
                at += 1;
            }
        }
        self.pos = at;
        Ok(&buf[start..at])
    }

    /// Reads a number into a Go `int64`: an integer literal that fits, else a type error
    /// naming `field`.
    pub fn read_i64(&mut self, field: &str) -> Result<i64> {
        self.skip_ws();
        let start = self.pos;
        let text = self.number()?;
        parse_i64(text).ok_or_else(|| {
            let shown = String::from_utf8_lossy(&text[..text.len().min(40)]).into_owned();
            Error::invalid_manifest(
                start,
                format!("cannot unmarshal number {shown} into field {field} of type int64"),
            )
        })
    }

    /// Reads a number into a Go `uint8` (an element of a `[]byte` given as an array).
    pub fn read_u8(&mut self, field: &str) -> Result<u8> {
        self.skip_ws();
        let start = self.pos;
        let text = self.number()?;
        match parse_i64(text) {
            Some(n) if (0..=255).contains(&n) && text[0] != b'-' => Ok(n as u8),
            _ => {
                let shown = String::from_utf8_lossy(&text[..text.len().min(40)]).into_owned();
                Err(Error::invalid_manifest(
                    start,
                    format!("cannot unmarshal number {shown} into field {field} of type uint8"),
                ))
            }
        }
    }

    /// Skips one value of any kind, validating its syntax, without recursion.
    pub fn skip_value(&mut self) -> Result<()> {
        match self.peek_kind()? {
            Kind::String => self.string_body().map(|_| ()),
            Kind::Number => self.number().map(|_| ()),
            Kind::Null => self.literal(b"null"),
            Kind::Bool => {
                if self.buf[self.pos] == b't' {
                    self.literal(b"true")
                } else {
                    self.literal(b"false")
                }
            }
            Kind::Object | Kind::Array => self.skip_container(),
        }
    }

    #[cold]
    fn skip_container(&mut self) -> Result<()> {
        // One bit per open container below the starting depth: 1 = object, 0 = array.
        let mut stack = [0u64; MAX_DEPTH / 64 + 1];
        let base = self.depth;
        let is_object = |stack: &[u64], level: usize| stack[level / 64] >> (level % 64) & 1 == 1;
        'value: loop {
            // A value starts here.
            let kind = self.peek_kind()?;
            match kind {
                Kind::Object | Kind::Array => {
                    self.push_depth()?;
                    let level = self.depth - base - 1;
                    let bit = 1u64 << (level % 64);
                    if kind == Kind::Object {
                        stack[level / 64] |= bit;
                    } else {
                        stack[level / 64] &= !bit;
                    }
                    self.pos += 1;
                    self.skip_ws();
                    let close = if kind == Kind::Object { b'}' } else { b']' };
                    if self.buf.get(self.pos) == Some(&close) {
                        self.pos += 1;
                        self.depth -= 1;
                    } else if kind == Kind::Object {
                        self.object_key()?;
                        continue 'value;
                    } else {
                        continue 'value;
                    }
                }
                Kind::String => {
                    self.string_body()?;
                }
                Kind::Number => {
                    self.number()?;
                }
                Kind::Null | Kind::Bool => self.skip_value()?,
            }
            // After a value: close containers or move to the next member.
            loop {
                if self.depth == base {
                    return Ok(());
                }
                let level = self.depth - base - 1;
                let in_object = is_object(&stack, level);
                self.skip_ws();
                match self.buf.get(self.pos) {
                    Some(b',') => {
                        self.pos += 1;
                        if in_object {
                            self.skip_ws();
                            self.object_key()?;
                        }
                        continue 'value;
                    }
                    Some(b'}') if in_object => {
                        self.pos += 1;
                        self.depth -= 1;
                    }
                    Some(b']') if !in_object => {
                        self.pos += 1;
                        self.depth -= 1;
                    }
                    _ => {
                        let context = if in_object {
                            "after object key:value pair"
                        } else {
                            "after array element"
                        };
                        return Err(self.unexpected(context));
                    }
                }
            }
        }
    }

    /// Positioned at an object key: consumes `"key" :`.
    fn object_key(&mut self) -> Result<()> {
        if self.buf.get(self.pos) != Some(&b'"') {
            return Err(self.unexpected("looking for beginning of object key string"));
        }
        self.string_body()?;
        self.skip_ws();
        if self.buf.get(self.pos) != Some(&b':') {
            return Err(self.unexpected("after object key"));
        }
        self.pos += 1;
        Ok(())
    }
}

/// A cursor for the plain, common shape of a value: every method either reads what it is
/// asked for, or returns `None` when the bytes are anything else (an escape, a control
/// character, the end of the input, an unexpected byte), without saying why. A `None` means
/// "not handled here", never "invalid": the caller then reads the same bytes again with
/// [`Reader`], which handles every case and reports errors. What `Quick` accepts, `Reader`
/// accepts too and reads the same way.
///
/// The end of a string is found sixteen bytes a step ([`find_special`]), over the string's
/// own bytes only, which also tells whether it is ASCII. (A 64-byte mask of the input computed
/// once per window and shared by the strings in it measured slower: it also scans the keys,
/// punctuation and known values between strings, and its windows straddle them.)
#[derive(Debug)]
pub struct Quick<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Quick<'a> {
    pub fn new(buf: &'a [u8], pos: usize) -> Self {
        Self { buf, pos }
    }

    /// Continues at `pos`.
    pub fn seek(&mut self, pos: usize) {
        self.pos = pos;
    }

    /// Byte offset of the next unread byte.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// The next byte after whitespace (not consumed).
    #[inline(always)]
    pub fn peek(&mut self) -> Option<u8> {
        loop {
            let b = *self.buf.get(self.pos)?;
            if b > b' ' || !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                return Some(b);
            }
            self.pos += 1;
        }
    }

    /// Consumes the next byte after whitespace if it is `want`.
    #[inline(always)]
    pub fn eat(&mut self, want: u8) -> Option<()> {
        if self.peek()? == want {
            self.pos += 1;
            Some(())
        } else {
            None
        }
    }

    /// After whitespace, a string without escapes: its body, which may hold any bytes but
    /// control bytes (a decoder may have to replace some).
    #[inline(always)]
    pub fn string(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        self.string_rest()
    }

    /// After the opening quote (already consumed), the rest of a string without escapes: its
    /// body, as [`Quick::string`] reads it.
    #[inline(always)]
    pub fn string_rest(&mut self) -> Option<&'a [u8]> {
        self.text_rest().map(|(body, _)| body)
    }

    /// [`Quick::string`], and whether the body holds a byte >= 0x80.
    #[inline(always)]
    pub fn text(&mut self) -> Option<(&'a [u8], bool)> {
        self.eat(b'"')?;
        self.text_rest()
    }

    /// [`Quick::string_rest`], and whether the body holds a byte >= 0x80.
    #[inline(always)]
    pub fn text_rest(&mut self) -> Option<(&'a [u8], bool)> {
        let rest = self.buf.get(self.pos..)?;
        let (len, high) = find_special(rest);
        if rest.get(len) != Some(&b'"') {
            return None;
        }
        self.pos += len + 1;
        Some((&rest[..len], high))
    }

    /// After whitespace, an ASCII string without escapes (its bytes are its decoded value).
    #[inline(always)]
    pub fn ascii(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        self.ascii_rest()
    }

    /// After the opening quote (already consumed), the rest of an ASCII string without
    /// escapes, as [`Quick::ascii`] reads it.
    #[inline(always)]
    pub fn ascii_rest(&mut self) -> Option<&'a str> {
        let (body, high) = self.text_rest()?;
        if !high {
            // SAFETY: ASCII is UTF-8.
            Some(unsafe { std::str::from_utf8_unchecked(body) })
        } else {
            None
        }
    }

    /// After whitespace, an object key without escapes and the `:` after it.
    #[inline(always)]
    pub fn key(&mut self) -> Option<&'a [u8]> {
        let key = self.string()?;
        self.eat(b':')?;
        Some(key)
    }

    /// After whitespace, a number that Go decodes into an `int64`: an integer literal of at
    /// most 18 digits (longer ones are left to [`Reader::read_i64`]).
    #[inline(always)]
    pub fn int(&mut self) -> Option<i64> {
        let negative = self.peek()? == b'-';
        if negative {
            self.pos += 1;
        }
        let start = self.pos;
        let mut value: i64 = 0;
        match *self.buf.get(start)? {
            b'0' => self.pos += 1,
            b'1'..=b'9' => {
                while let Some(&d) = self.buf.get(self.pos).filter(|d| d.is_ascii_digit()) {
                    if self.pos - start == 18 {
                        return None;
                    }
                    value = value * 10 + i64::from(d - b'0');
                    self.pos += 1;
                }
            }
            _ => return None,
        }
        match self.buf.get(self.pos) {
            Some(b'0'..=b'9' | b'.' | b'e' | b'E') => None,
            _ => Some(if negative { -value } else { value }),
        }
    }

    /// Consumes `"name":` when the next bytes are exactly those of `key` (no whitespace, no
    /// escape): what [`Quick::key`] reads when a key is written the plain way, found with two
    /// word compares instead of a string scan. False, with nothing consumed, for anything
    /// else (also within 16 bytes of the end), which the caller then reads with
    /// [`Quick::key`].
    #[inline(always)]
    pub fn exact_key(&mut self, key: &ExactKey) -> bool {
        let Some(next) = self.buf.get(self.pos..).and_then(<[u8]>::first_chunk::<16>) else {
            return false;
        };
        if (u128::from_le_bytes(*next) ^ key.bytes) & key.mask != 0 {
            return false;
        }
        self.pos += key.len;
        true
    }

    /// Consumes `text` followed by `"` when the next bytes are exactly those (whitespace not
    /// skipped): after an opening quote, a string whose body the caller expects, found with
    /// word compares instead of a string scan. `text` must hold no `"`, `\\` or control
    /// byte, so that [`Quick::string_rest`] would read the same body. False, with nothing
    /// consumed, for anything else.
    #[inline(always)]
    pub fn known_string_rest(&mut self, text: &str) -> bool {
        let text = text.as_bytes();
        let n = text.len();
        let Some(next) = self.buf.get(self.pos..).and_then(|rest| rest.get(..=n)) else {
            return false;
        };
        if next[n] != b'"' || !same_bytes(&next[..n], text) {
            return false;
        }
        self.pos += n + 1;
        true
    }

    /// Consumes `n` bytes the caller has looked at with [`Quick::byte_at`].
    #[inline(always)]
    pub fn advance(&mut self, n: usize) {
        self.pos += n;
    }

    /// The byte `ahead` bytes after the next unread one (whitespace not skipped).
    #[inline(always)]
    pub fn byte_at(&self, ahead: usize) -> Option<u8> {
        self.buf.get(self.pos.wrapping_add(ahead)).copied()
    }

    /// The eight bytes from `ahead` bytes after the next unread one, little-endian (whitespace
    /// not skipped), with zero bytes for those past the end of the input; `None` when it ends
    /// before the first.
    #[inline(always)]
    pub fn word_at(&self, ahead: usize) -> Option<u64> {
        let rest = self.buf.get(self.pos.checked_add(ahead)?..).filter(|r| !r.is_empty())?;
        if let Some(bytes) = rest.first_chunk::<8>() {
            return Some(u64::from_le_bytes(*bytes));
        }
        let mut bytes = [0u8; 8];
        bytes[..rest.len()].copy_from_slice(rest);
        Some(u64::from_le_bytes(bytes))
    }

    /// After a member of an object: `,` (true) or `}` (false), consumed.
    #[inline(always)]
    pub fn next_member(&mut self) -> Option<bool> {
        let more = match self.peek()? {
            b',' => true,
            b'}' => false,
            _ => return None,
        };
        self.pos += 1;
        Some(more)
    }

    /// After whitespace, `{` and the first key, or `}` (`None` inside the `Some`): then call
    /// [`Quick::next_key`] until it gives `Some(None)`.
    #[inline(always)]
    pub fn first_key(&mut self) -> Option<Option<&'a [u8]>> {
        self.eat(b'{')?;
        if self.peek()? == b'}' {
            self.pos += 1;
            return Some(None);
        }
        self.key().map(Some)
    }

    /// After a member: `,` and the next key, or `}` (`None` inside the `Some`).
    #[inline(always)]
    pub fn next_key(&mut self) -> Option<Option<&'a [u8]>> {
        match self.peek()? {
            b',' => {
                self.pos += 1;
                self.key().map(Some)
            }
            b'}' => {
                self.pos += 1;
                Some(None)
            }
            _ => None,
        }
    }
}

/// An object key as plain JSON writes it, quotes and colon included (`"name":`), for
/// [`Quick::exact_key`]: at most 16 bytes, held as a little-endian `u128` and a mask of the
/// bytes that count.
#[derive(Clone, Copy, Debug)]
pub struct ExactKey {
    bytes: u128,
    mask: u128,
    len: usize,
}

impl ExactKey {
    /// `"name":`; `name` must be at most 13 bytes and hold no `"`, `\\` or control byte
    /// (checked when the constant is built).
    pub const fn new(name: &str) -> Self {
        let name = name.as_bytes();
        let len = name.len() + 3;
        assert!(len <= 16, "key too long for ExactKey");
        let mut bytes = [0u8; 16];
        bytes[0] = b'"';
        let mut i = 0;
        while i < name.len() {
            assert!(name[i] >= 0x20 && name[i] != b'"' && name[i] != b'\\');
            bytes[i + 1] = name[i];
            i += 1;
        }
        bytes[len - 2] = b'"';
        bytes[len - 1] = b':';
        let mask = if len == 16 { u128::MAX } else { (1u128 << (8 * len)) - 1 };
        Self { bytes: u128::from_le_bytes(bytes), mask, len }
    }

    /// A member of a compact object from the byte before its key: that byte (`{` or `,`,
    /// which the caller checks and this does not compare), `"name":`, then `open`, the first
    /// byte of the value when the caller knows it (`"` or `{`) or nothing. At most 16 bytes in
    /// all; `name` as for [`ExactKey::new`].
    pub const fn member(name: &str, open: &str) -> Self {
        let name = name.as_bytes();
        let open = open.as_bytes();
        let len = name.len() + open.len() + 4;
        assert!(len <= 16 && open.len() <= 1, "member too long for ExactKey");
        let mut bytes = [0u8; 16];
        bytes[1] = b'"';
        let mut i = 0;
        while i < name.len() {
            assert!(name[i] >= 0x20 && name[i] != b'"' && name[i] != b'\\');
            bytes[i + 2] = name[i];
            i += 1;
        }
        bytes[name.len() + 2] = b'"';
        bytes[name.len() + 3] = b':';
        if open.len() == 1 {
            bytes[len - 1] = open[0];
        }
        let mask = if len == 16 { u128::MAX } else { (1u128 << (8 * len)) - 1 };
        Self { bytes: u128::from_le_bytes(bytes), mask: mask & !0xff, len }
    }
}

/// Go's quoting of a byte in scanner errors: `'x'`, or `'\x01'`-style for others.
fn quote_byte(b: u8) -> String {
    match b {
        b'\'' => "'\\''".to_string(),
        b'"' => "'\"'".to_string(),
        0x20..=0x7e => format!("'{}'", b as char),
        _ => format!("'\\x{b:02x}'"),
    }
}

/// Byte equality without a library call for the short strings keys are.
#[inline(always)]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let n = a.len();
    let word = |s: &[u8], at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[at..at + 8]);
        u64::from_le_bytes(w)
    };
    let wide = |s: &[u8], at: usize| {
        let mut w = [0u8; 16];
        w.copy_from_slice(&s[at..at + 16]);
        u128::from_le_bytes(w)
    };
    match n {
        0..=7 => a.iter().zip(b).all(|(x, y)| x == y),
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        17..=64 => {
            // 16-byte words from the start, the last one ending at the end (overlapping).
            let mut at = 0;
            while at + 16 < n {
                if wide(a, at) != wide(b, at) {
                    return false;
                }
                at += 16;
            }
            wide(a, n - 16) == wide(b, n - 16)
        }
        _ => a == b,
    }
}

const ESCAPED: u8 = 1;
const NON_ASCII: u8 = 2;

/// Offset of the first `"`, `\\` or control byte (< 0x20) in `s` (or `s.len()`), and whether
/// a byte >= 0x80 came before it. Sixteen bytes at a time with SSE2 where the target enables
/// it at compile time (every x86_64 target except soft-float ones such as
/// `x86_64-unknown-none`), else eight at a time in a `u64` ([`find_special_swar`]; aarch64,
/// x86 without SSE2, …). (A copy of the whole selection path built for AVX2, chosen at run
/// time, scanned 32 bytes a step and ran 14% fewer instructions, yet measured 7–10% slower
/// on the corpus: most strings are platform words and 71-byte digests.)
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn find_special(s: &[u8]) -> (usize, bool) {
    use std::arch::x86_64::*;
    let mut at = 0;
    let mut high = 0;
    // SAFETY: compiled only when the target enables SSE2 (the `cfg` above); every load is
    // unaligned and reads s[at..at + 16], which the loop condition keeps inside `s`.
    unsafe {
        // Flipping bit 1 maps `"` (0x22) to 0x20 and the control bytes onto themselves, and
        // every other byte above 0x20: one unsigned `<= 0x20` finds both.
        let flip = _mm_set1_epi8(0x02);
        let quote_or_control = _mm_set1_epi8(0x20);
        let backslash = _mm_set1_epi8(b'\\' as i8);
        while at + 16 <= s.len() {
            let v = _mm_loadu_si128(s.as_ptr().add(at).cast::<__m128i>());
            let flipped = _mm_xor_si128(v, flip);
            let special = _mm_or_si128(
                _mm_cmpeq_epi8(_mm_min_epu8(flipped, quote_or_control), flipped),
                _mm_cmpeq_epi8(v, backslash),
            );
            let mask = _mm_movemask_epi8(special) as u32;
            let hi = _mm_movemask_epi8(v) as u32;
            if mask != 0 {
                let i = mask.trailing_zeros();
                return (at + i as usize, high | (hi & ((1u32 << i) - 1)) != 0);
            }
            high |= hi;
            at += 16;
        }
    }
    let (off, tail_high) = find_special_swar(&s[at..]);
    (at + off, high != 0 || tail_high)
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline]
fn find_special(s: &[u8]) -> (usize, bool) {
    find_special_swar(s)
}

/// [`find_special`] eight bytes at a time in a `u64`.
#[inline]
fn find_special_swar(s: &[u8]) -> (usize, bool) {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut high = 0u64;
    let mut chunks = s.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let quote = w ^ (LO * u64::from(b'"'));
        let backslash = w ^ (LO * u64::from(b'\\'));
        // A byte is flagged when it is zero (quote/backslash) or below 0x20; the lowest
        // flagged byte is exact (borrows only spill into higher bytes).
        let special = (quote.wrapping_sub(LO) & !quote
            | backslash.wrapping_sub(LO) & !backslash
            | w.wrapping_sub(LO * 0x20) & !w)
            & HI;
        if special != 0 {
            let i = (special.trailing_zeros() / 8) as usize;
            let before = if i == 0 { 0 } else { w & HI & (u64::MAX >> (64 - 8 * i)) };
            return (at + i, high | before != 0);
        }
        high |= w & HI;
        at += 8;
    }
    for &b in chunks.remainder() {
        if b == b'"' || b == b'\\' || b < 0x20 {
            return (at, high != 0);
        }
        high |= u64::from(b & 0x80);
        at += 1;
    }
    (at, high != 0)
}

/// Parses a validated number literal as Go's `strconv.ParseInt(s, 10, 64)`.
fn parse_i64(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut value: i128 = 0;
    for &d in digits {
        value = value * 10 + i128::from(d - b'0');
        if value > i128::from(i64::MAX) + 1 {
            return None;
        }
    }
    let value = if negative { -value } else { value };
    i64::try_from(value).ok()
}

/// Decodes a validated string body (between the quotes) as Go's `unquote` does.
pub fn decode_string_body(raw: &[u8], escaped: bool) -> Cow<'_, str> {
    if !escaped {
        if let Ok(s) = std::str::from_utf8(raw) {
            return Cow::Borrowed(s);
        }
    }
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let run_end = memchr::memchr(b'\\', &raw[i..]).map_or(raw.len(), |o| i + o);
        push_lossy(&mut out, &raw[i..run_end]);
        i = run_end;
        if i >= raw.len() {
            break;
        }
        // raw[i] is a backslash; the escape was validated by the reader.
        let Some(&code) = raw.get(i + 1) else { break };
        i += 2;
        let c = match code {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let Some(unit) = hex4(raw.get(i..i + 4)) else {
                    break;
                };
                i += 4;
                if (0xd800..0xe000).contains(&unit) {
                    let low = if raw.get(i) == Some(&b'\\') && raw.get(i + 1) == Some(&b'u') {
                        hex4(raw.get(i + 2..i + 6))
                    } else {
                        None
                    };
                    match low {
                        Some(low)
                            if (0xd800..0xdc00).contains(&unit)
                                && (0xdc00..0xe000).contains(&low) =>
                        {
                            i += 6;
                            let c = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
                            char::from_u32(c).unwrap_or('\u{fffd}')
                        }
                        _ => '\u{fffd}',
                    }
                } else {
                    char::from_u32(unit).unwrap_or('\u{fffd}')
                }
            }
            _ => '\u{fffd}',
        };
        out.push(c);
    }
    Cow::Owned(out)
}

fn hex4(digits: Option<&[u8]>) -> Option<u32> {
    let digits = digits?;
    let mut value = 0u32;
    for &d in digits {
        value = value * 16 + (d as char).to_digit(16)?;
    }
    Some(value)
}

/// Appends `bytes` to `out`, replacing each byte that does not start a valid UTF-8 sequence
/// with U+FFFD and moving on by one byte, as Go's `utf8.DecodeRune` loop does.
fn push_lossy(out: &mut String, mut bytes: &[u8]) {
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                out.push_str(s);
                return;
            }
            Err(e) => {
                let (good, bad) = bytes.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(good).unwrap_or_default());
                out.push('\u{fffd}');
                bytes = &bad[1..];
            }
        }
    }
}

/// Decodes standard padded base64 as Go's `base64.StdEncoding.Decode` (CR and LF ignored,
/// padding required, nothing after padding). Returns the decoded bytes and the capacity Go
/// allocates (`DecodedLen` of the input), or the offset of the first bad character.
pub fn decode_base64(text: &[u8]) -> std::result::Result<(Vec<u8>, usize), usize> {
    fn sextet(b: u8) -> Option<u32> {
        Some(match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let capacity = text.len() / 4 * 3;
    let mut out = Vec::with_capacity(capacity);
    let mut quantum = [0u32; 4];
    let mut filled = 0;
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        i += 1;
        if b == b'\n' || b == b'\r' {
            continue;
        }
        if let Some(v) = sextet(b) {
            quantum[filled] = v;
            filled += 1;
            if filled == 4 {
                let v = quantum[0] << 18 | quantum[1] << 12 | quantum[2] << 6 | quantum[3];
                out.extend_from_slice(&[(v >> 16) as u8, (v >> 8) as u8, v as u8]);
                filled = 0;
            }
            continue;
        }
        if b != b'=' || filled < 2 {
            return Err(i - 1);
        }
        // Padding: "==" after two sextets, "=" after three; then only CR/LF may follow.
        if filled == 2 {
            while i < text.len() && (text[i] == b'\n' || text[i] == b'\r') {
                i += 1;
            }
            if text.get(i) != Some(&b'=') {
                return Err(i.min(text.len()));
            }
            i += 1;
        }
        while i < text.len() && (text[i] == b'\n' || text[i] == b'\r') {
            i += 1;
        }
        if i < text.len() {
            return Err(i);
        }
        let v = quantum[0] << 18 | quantum[1] << 12 | quantum[2] << 6;
        out.push((v >> 16) as u8);
        if filled == 3 {
            out.push((v >> 8) as u8);
        }
        return Ok((out, capacity));
    }
    if filled != 0 {
        return Err(text.len());
    }
    Ok((out, capacity))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skip_all(input: &str) -> Result<()> {
        let mut r = Reader::new(input.as_bytes());
        r.skip_value()?;
        r.finish()
    }

    fn string(input: &str) -> String {
        let mut r = Reader::new(input.as_bytes());
        r.read_string().unwrap().into_owned()
    }

    #[test]
    fn valid_documents_skip() {
        for doc in [
            "{}",
            "[]",
            " {\"a\" : [1, -0.5e+3, true, false, null, \"x\"], \"b\": {}} ",
            "1e999",
            "-0",
            "\"\\u00e9\\ud83d\\ude00\"",
            "[[[[]]]]",
            "{\"a\":{\"b\":{\"c\":[{}]}}}",
        ] {
            assert!(skip_all(doc).is_ok(), "{doc}");
        }
    }

    #[test]
    fn invalid_documents_fail_with_offsets() {
        for (doc, offset) in [
            ("", 0),
            ("{", 1),
            ("[1,]", 3),
            ("{\"a\" 1}", 5),
            ("{\"a\":1,}", 7),
            ("[1 2]", 3),
            ("01", 1),
            ("1.", 2),
            ("1e", 2),
            ("-", 1),
            ("tru", 3),
            ("nul1", 3),
            ("\"a\u{1}\"", 2),
            ("\"\\x\"", 2),
            ("\"\\u12g4\"", 5),
            ("\u{feff}{}", 0),
            ("{} x", 3),
            ("{\"a\":1]", 6),
            ("[1}", 2),
            ("{1:2}", 1),
        ] {
            match skip_all(doc) {
                Err(Error::InvalidManifest { offset: got, .. }) => {
                    assert_eq!(got, offset, "{doc:?}")
                }
                other => panic!("{doc:?}: {other:?}"),
            }
        }
    }

    /// `find_special` one byte at a time.
    fn find_special_bytewise(s: &[u8]) -> (usize, bool) {
        let end = s.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20).unwrap_or(s.len());
        (end, s[..end].iter().any(|&b| b >= 0x80))
    }

    #[test]
    fn find_special_agrees_with_bytewise_in_every_build() {
        // Both the version this target uses and the portable one (used where SSE2 is not
        // enabled, e.g. aarch64), on every length around the 8- and 16-byte steps.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut text = Vec::new();
        for round in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            text.clear();
            let len = (seed % 70) as usize;
            for i in 0..len {
                let r = seed.rotate_left(i as u32 * 7) ^ (i as u64).wrapping_mul(0x9e37_79b9);
                // Rare specials so that many strings run past several steps before one.
                text.push(match r % 97 {
                    0 => b'"',
                    1 => b'\\',
                    2 => (r >> 8) as u8 % 0x20,
                    3..=9 => 0x80 | (r >> 8) as u8,
                    10 => 0x20,
                    _ => b'a' + (r >> 8) as u8 % 26,
                });
            }
            let want = find_special_bytewise(&text);
            assert_eq!(find_special(&text), want, "round {round}: {text:?}");
            assert_eq!(find_special_swar(&text), want, "round {round}: {text:?}");
        }
    }

    /// Every byte value in every lane of the 16- and 8-byte steps, after ordinary bytes (one
    /// of them >= 0x80 or not), against the bytewise version.
    #[test]
    fn find_special_agrees_on_every_byte_in_every_lane() {
        for b in 0..=255u8 {
            for len in [1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 40] {
                for at in 0..len {
                    for high in [None, Some(at / 2)] {
                        let mut text = vec![b'a'; len];
                        if let Some(h) = high.filter(|&h| h < at) {
                            text[h] = 0xc3;
                        }
                        text[at] = b;
                        let want = find_special_bytewise(&text);
                        assert_eq!(find_special(&text), want, "{b:#04x} at {at} of {len}");
                        assert_eq!(find_special_swar(&text), want, "{b:#04x} at {at} of {len}");
                    }
                }
            }
        }
    }

    #[test]
    fn quick_reads_plain_values_and_refuses_the_rest() {
        let s = |doc: &[u8]| Quick::new(doc, 0).string().map(<[u8]>::to_vec);
        assert_eq!(s(b"\"abc\""), Some(b"abc".to_vec()));
        assert_eq!(s(b"  \"\""), Some(Vec::new()));
        let long = format!("\"{}\"", "x".repeat(200));
        assert_eq!(s(long.as_bytes()).map(|v| v.len()), Some(200));
        assert_eq!(s(b"\"\xff\xfe\""), Some(vec![0xff, 0xfe]));
        for refused in [&b"\"a\\nb\""[..], b"\"a\x01\"", b"\"abc", b"abc", b"", b"\"a\tb\""] {
            assert_eq!(s(refused), None, "{:?}", String::from_utf8_lossy(refused));
        }
        let int = |doc: &[u8]| Quick::new(doc, 0).int();
        assert_eq!(int(b"0,"), Some(0));
        assert_eq!(int(b"-0}"), Some(0));
        assert_eq!(int(b"123456789012345678"), Some(123_456_789_012_345_678));
        assert_eq!(int(b"-42 "), Some(-42));
        for refused in [&b"1234567890123456789"[..], b"01", b"1.0", b"1e3", b"1E3", b"-", b"x"] {
            assert_eq!(int(refused), None, "{:?}", String::from_utf8_lossy(refused));
        }
        let mut q = Quick::new(b"{\"a\":\"b\" , \"c\" :\"d\"}", 0);
        assert_eq!(q.first_key(), Some(Some(&b"a"[..])));
        assert_eq!(q.ascii(), Some("b"));
        assert_eq!(q.next_key(), Some(Some(&b"c"[..])));
        assert_eq!(q.ascii(), Some("d"));
        assert_eq!(q.next_key(), Some(None));
        assert_eq!(Quick::new(b"{}", 0).first_key(), Some(None));
        assert_eq!(Quick::new(b"{\"a\" 1}", 0).first_key(), None);
    }

    #[test]
    fn exact_keys_are_what_key_reads() {
        const MEDIA: ExactKey = ExactKey::new("mediaType");
        const LONGEST: ExactKey = ExactKey::new("architecture1");
        let exact = |doc: &[u8], key: &ExactKey| {
            let mut q = Quick::new(doc, 0);
            let found = q.exact_key(key);
            (found, q.pos())
        };
        let doc = b"\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"";
        assert_eq!(exact(doc, &MEDIA), (true, 12));
        let mut q = Quick::new(doc, 0);
        assert_eq!(q.key(), Some(&b"mediaType"[..]));
        assert_eq!(q.pos(), 12);
        assert_eq!(exact(b"\"architecture1\":1,\"a\":1}", &LONGEST), (true, 16));
        // Anything else is left to `key`, nothing consumed: whitespace, another spelling,
        // a longer or shorter key, an escape, or fewer than 16 bytes left.
        for other in [
            &b" \"mediaType\":\"x\",\"y\":\"z\""[..],
            b"\"mediaType\" :\"x\",\"y\":\"z\"",
            b"\"MediaType\":\"x\",\"y\":\"z\"",
            b"\"mediaTypes\":\"x\",\"y\":\"z\"",
            b"\"mediaTyp\":\"x\",\"y\":\"z\"",
            b"\"media\\u0054ype\":\"x\",\"y\"",
            b"\"mediaType\":\"x\"",
            b"\"mediaType\":",
        ] {
            assert_eq!(exact(other, &MEDIA), (false, 0), "{}", String::from_utf8_lossy(other));
        }
        let mut q = Quick::new(b"\"mediaType\":\"x\"", 0);
        assert!(!q.exact_key(&MEDIA));
        assert_eq!(q.key(), Some(&b"mediaType"[..]));
    }

    /// A member template reads what `,` (or `{`), [`Quick::key`] and the opening byte read,
    /// whatever the byte before the key; a known string what [`Quick::string_rest`] reads.
    #[test]
    fn members_and_known_strings_are_what_the_plain_reads_read() {
        const DIGEST: ExactKey = ExactKey::member("digest", "\"");
        const SIZE: ExactKey = ExactKey::member("size", "");
        const LONGEST: ExactKey = ExactKey::member("annotations", "{");
        let member = |doc: &[u8], key: &ExactKey| {
            let mut q = Quick::new(doc, 0);
            let found = q.exact_key(key);
            (found, q.pos())
        };
        assert_eq!(member(b",\"digest\":\"sha256:a\"}", &DIGEST), (true, 11));
        assert_eq!(member(b"{\"digest\":\"sha256:a\"}", &DIGEST), (true, 11));
        assert_eq!(member(b",\"size\":12345678,\"a\":1", &SIZE), (true, 8));
        assert_eq!(member(b",\"annotations\":{\"a\":\"b\"}", &LONGEST), (true, 16));
        let mut q = Quick::new(b",\"digest\":\"sha256:a\"}", 1);
        assert_eq!(q.key(), Some(&b"digest"[..]));
        assert_eq!((q.byte_at(0), q.pos()), (Some(b'"'), 10));
        for other in [
            &b", \"digest\":\"sha256:a\"}"[..],
            b",\"digest\": \"sha256:a\"}",
            b",\"digest\":1234567890,",
            b",\"Digest\":\"sha256:a\"}",
            b",\"digests\":\"sha256:a\"}",
            b",\"dig\\u0065st\":\"sha256:a\"}",
            b",\"digest\":\"sha\"",
        ] {
            assert_eq!(member(other, &DIGEST), (false, 0), "{}", String::from_utf8_lossy(other));
        }
        let known = |doc: &[u8], text: &str| {
            let mut q = Quick::new(doc, 0);
            let found = q.known_string_rest(text);
            (found, q.pos())
        };
        let text = "application/vnd.docker.distribution.manifest.v2+json";
        let doc = format!("{text}\",\"size\":1");
        assert_eq!(known(doc.as_bytes(), text), (true, text.len() + 1));
        let mut q = Quick::new(doc.as_bytes(), 0);
        assert_eq!(q.string_rest(), Some(text.as_bytes()));
        assert_eq!(q.pos(), text.len() + 1);
        for n in [0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 48, 64, 65, 80] {
            let text = "abcdefghijklmnopqrstuvwxyz0123456789".repeat(3)[..n].to_string();
            assert_eq!(known(format!("{text}\"").as_bytes(), &text), (true, n + 1), "{n}");
            for at in 0..n {
                // One byte different, anywhere: not this string.
                let mut changed = text.clone().into_bytes();
                changed[at] ^= 0x20;
                changed.push(b'"');
                assert_eq!(known(&changed, &text), (false, 0), "{n} {at}");
            }
            // A longer string, an escape or a control byte where the quote should be, or the
            // input ending before it.
            for end in [&b"x\""[..], b"\\\"", b"\n\"", b""] {
                let doc = [text.as_bytes(), end].concat();
                assert_eq!(known(&doc, &text), (false, 0), "{n} {end:?}");
            }
        }
    }

    #[test]
    fn depth_limit_is_go_scanners() {
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(skip_all(&ok).is_ok());
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        match skip_all(&deep) {
            Err(Error::InvalidManifest { reason, offset }) => {
                assert_eq!(reason, "exceeded max depth");
                assert_eq!(offset, MAX_DEPTH);
            }
            other => panic!("{other:?}"),
        }
        // Unbalanced and very deep input: no stack overflow, just an error.
        let open = "{\"a\":".repeat(200_000);
        assert!(skip_all(&open).is_err());
    }

    #[test]
    fn strings_decode_like_go() {
        assert_eq!(string("\"plain\""), "plain");
        assert_eq!(string("\"a\\n\\t\\\"\\\\\\/b\""), "a\n\t\"\\/b");
        assert_eq!(string("\"\\ud83d\\ude00\""), "😀");
        assert_eq!(string("\"\\ud83d\""), "\u{fffd}");
        assert_eq!(string("\"\\ude00\\ud83d\""), "\u{fffd}\u{fffd}");
        assert_eq!(string("\"\\ud83dx\""), "\u{fffd}x");
        assert_eq!(string("\"\\ud83d\\u0041\""), "\u{fffd}A");
        let mut r = Reader::new(b"\"a\xffb\xe2\x82c\"");
        // Go replaces each invalid byte: 0xff, then 0xe2 and 0x82 separately.
        assert_eq!(r.read_string().unwrap(), "a\u{fffd}b\u{fffd}\u{fffd}c");
        let mut r = Reader::new(b"\"\xed\xa0\x80\"");
        assert_eq!(r.read_string().unwrap(), "\u{fffd}\u{fffd}\u{fffd}");
        assert!(matches!(Reader::new(b"\"abc\"").read_string().unwrap(), Cow::Borrowed(_)));
    }

    #[test]
    fn keys_fold_like_go_struct_fields() {
        let key = |s: &str| {
            let doc = format!("{{{s}:1}}");
            let mut r = Reader::new(doc.as_bytes());
            r.enter_object().unwrap();
            let k = r.next_key(&mut true).unwrap().unwrap();
            (k.is("manifests"), k.is("size"), k.is("os.version"), k.is("Kind"))
        };
        assert!(key("\"manifests\"").0);
        assert!(key("\"MANIFESTS\"").0);
        assert!(key("\"manif\\u0065sts\"").0);
        assert!(key("\"manifeſts\"").0);
        assert!(!key("\"manifest\"").0);
        assert!(!key("\"ſıze\"").1);
        assert!(key("\"SIZE\"").1);
        assert!(key("\"OS.Version\"").2);
        assert!(key("\"\u{212a}ind\"").3);
        assert!(!key("\"kİnd\"").3);
    }

    #[test]
    fn integers_are_go_int64() {
        let int = |s: &str| Reader::new(s.as_bytes()).read_i64("size");
        assert_eq!(int("12").unwrap(), 12);
        assert_eq!(int("-0").unwrap(), 0);
        assert_eq!(int("-9223372036854775808").unwrap(), i64::MIN);
        assert_eq!(int("9223372036854775807").unwrap(), i64::MAX);
        for bad in ["9223372036854775808", "1.0", "1E3", "1e0", "-9223372036854775809"] {
            assert!(int(bad).is_err(), "{bad}");
        }
        assert!(int("\"1\"").is_err());
    }

    #[test]
    fn base64_like_go_std_encoding() {
        assert_eq!(decode_base64(b"").unwrap().0, b"");
        assert_eq!(decode_base64(b"YQ==").unwrap(), (b"a".to_vec(), 3));
        assert_eq!(decode_base64(b"YWI=").unwrap().0, b"ab");
        assert_eq!(decode_base64(b"YWJj").unwrap().0, b"abc");
        assert_eq!(decode_base64(b"YW\nJj\r\n").unwrap().0, b"abc");
        assert_eq!(decode_base64(b"YQ=\n=").unwrap().0, b"a");
        for bad in [&b"YQ"[..], b"YQ=", b"Y===", b"YQ==YQ==", b"YW-j", b"Y", b"=YQ="] {
            assert!(decode_base64(bad).is_err(), "{bad:?}");
        }
    }
}

//! A small lexer for what sqlparser does not see: splitting a script into
//! statements at top-level `;`, and the tokens of the Spark commands that
//! `spark_ddl.rs` parses by hand (`SET`, `CREATE ... USING`, `SHOW`, ...).
//!
//! It knows Spark's quoting: `'...'` and `"..."` strings with backslash
//! escapes, `` `...` `` identifiers with doubled backticks, `--` line
//! comments and nested `/* */` comments. Offsets are byte offsets.

use ember_core::{Error, Result};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// an unquoted word (identifier or keyword), as written
    Word(String),
    /// a backquoted identifier, unescaped
    Quoted(String),
    /// a string literal, unescaped
    Str(String),
    Number(String),
    Punct(char),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// Whether this is the (unquoted) keyword `kw`, ignoring case.
    pub fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.tok, Tok::Word(w) if w.eq_ignore_ascii_case(kw))
    }
}

/// Where a comment or quoted run that starts at `i` ends (exclusive), or
/// None if `i` starts none.
pub(crate) fn skip_quoted_or_comment(b: &[u8], i: usize) -> Option<usize> {
    let c = b[i];
    match c {
        b'\'' | b'"' | b'`' => {
            let mut j = i + 1;
            while j < b.len() {
                if b[j] == b'\\' && c != b'`' {
                    j += 2;
                    continue;
                }
                if b[j] == c {
                    // a doubled quote continues the run
                    if j + 1 < b.len() && b[j + 1] == c {
                        j += 2;
                        continue;
                    }
                    return Some(j + 1);
                }
                j += 1;
            }
            Some(b.len())
        }
        b'-' if b.get(i + 1) == Some(&b'-') => {
            Some(b[i..].iter().position(|&x| x == b'\n').map(|p| i + p + 1).unwrap_or(b.len()))
        }
        b'/' if b.get(i + 1) == Some(&b'*') => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                if b[j] == b'/' && b.get(j + 1) == Some(&b'*') {
                    depth += 1;
                    j += 2;
                } else if b[j] == b'*' && b.get(j + 1) == Some(&b'/') {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        return Some(j);
                    }
                } else {
                    j += 1;
                }
            }
            Some(b.len())
        }
        _ => None,
    }
}

/// Byte ranges of the statements of a script, split at top-level `;`.
/// Ranges holding only whitespace and comments are dropped.
pub(crate) fn split_statements(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = vec![];
    let mut start = 0;
    let mut has_content = false;
    let mut i = 0;
    while i < b.len() {
        if let Some(end) = skip_quoted_or_comment(b, i) {
            if matches!(b[i], b'\'' | b'"' | b'`') {
                has_content = true;
            }
            i = end;
            continue;
        }
        if b[i] == b';' {
            if has_content {
                out.push((start, i));
            }
            start = i + 1;
            has_content = false;
        } else if !b[i].is_ascii_whitespace() {
            has_content = true;
        }
        i += 1;
    }
    if has_content {
        out.push((start, b.len()));
    }
    out
}

/// Unescapes a Spark string literal body (between the quotes).
fn unescape(body: &str, quote: char) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('0') => out.push('\0'),
                Some('b') => out.push('\u{8}'),
                Some('Z') => out.push('\u{1a}'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else if c == quote && chars.peek() == Some(&quote) {
            chars.next();
            out.push(quote);
        } else {
            out.push(c);
        }
    }
    out
}

/// Tokens of a statement, without whitespace and comments.
pub(crate) fn tokenize(text: &str) -> Result<Vec<Token>> {
    let b = text.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if let Some(end) = skip_quoted_or_comment(b, i) {
            if matches!(c, b'\'' | b'"' | b'`') {
                let closed = end >= i + 2 && b[end - 1] == c;
                if !closed {
                    return Err(Error::parse_syntax(&format!("'{}'", &text[i..]), ""));
                }
                let body = &text[i + 1..end - 1];
                let tok =
                    if c == b'`' { Tok::Quoted(body.replace("``", "`")) } else { Tok::Str(unescape(body, c as char)) };
                out.push(Token { tok, start: i, end });
            }
            i = end;
            continue;
        }
        let start = i;
        if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80) {
                i += 1;
            }
            out.push(Token { tok: Tok::Word(text[start..i].to_string()), start, end: i });
        } else if c.is_ascii_digit() {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                i += 1;
            }
            out.push(Token { tok: Tok::Number(text[start..i].to_string()), start, end: i });
        } else {
            let ch = text[i..].chars().next().unwrap_or(' ');
            i += ch.len_utf8();
            out.push(Token { tok: Tok::Punct(ch), start, end: i });
        }
    }
    Ok(out)
}

//! Positions: sqlparser reports 1-based line/column `Location`s (columns
//! count characters) relative to the text it was given; Ember spans are byte
//! ranges in the ORIGINAL text. A `Source` is one statement's text together
//! with its byte offset in the original, and converts between the two.
//!
//! It also turns sqlparser's error strings into Spark's `PARSE_SYNTAX_ERROR`
//! pointing at the offending token.

use ember_core::error::Span;
use ember_core::Error;
use sqlparser::ast::Spanned;
use sqlparser::parser::ParserError;
use sqlparser::tokenizer::{Location, Token, Tokenizer};

use super::dialect::EmberDialect;

/// One statement's text and where it starts in the original text.
#[derive(Debug, Clone)]
pub(crate) struct Source<'a> {
    pub text: &'a str,
    /// byte offset of `text` in the original text
    pub base: usize,
    /// byte offset (in `text`) of the start of each line
    line_starts: Vec<usize>,
}

impl<'a> Source<'a> {
    pub fn new(text: &'a str, base: usize) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Source { text, base, line_starts }
    }

    /// A sub-range of this source (byte offsets relative to `text`).
    pub fn slice(&self, start: usize, end: usize) -> Source<'a> {
        Source::new(&self.text[start..end], self.base + start)
    }

    /// Byte offset in `text` of a sqlparser location; None for "no location".
    pub fn local_offset(&self, loc: Location) -> Option<usize> {
        if loc.line == 0 || loc.column == 0 {
            return None;
        }
        let line_start = *self.line_starts.get(loc.line as usize - 1)?;
        let line = &self.text[line_start..];
        let col = loc.column as usize - 1;
        let within = line.char_indices().nth(col).map(|(i, _)| i).unwrap_or(line.len());
        Some(line_start + within)
    }

    /// A sqlparser span as a byte range of the original text.
    pub fn span(&self, s: sqlparser::tokenizer::Span) -> Option<Span> {
        let start = self.local_offset(s.start)?;
        let end = self.local_offset(s.end).unwrap_or(start).max(start);
        Some(Span::new(self.base + start, self.base + end))
    }

    pub fn span_of(&self, node: &impl Spanned) -> Option<Span> {
        self.span(node.span())
    }

    /// A byte range of `text` as a span of the original text.
    pub fn local_span(&self, start: usize, end: usize) -> Span {
        Span::new(self.base + start, self.base + end)
    }

    /// Extends a span back over a preceding `c` (and whitespace), e.g. the
    /// minus sign of a negative literal, which sqlparser's spans omit.
    pub fn extend_back_to(&self, s: Span, c: char) -> Span {
        let local = s.start.saturating_sub(self.base).min(self.text.len());
        let before = self.text[..local].trim_end();
        if before.ends_with(c) {
            Span::new(self.base + before.len() - c.len_utf8(), s.end)
        } else {
            s
        }
    }

    /// Extends a span that starts at a call `name(` to the matching `)`:
    /// sqlparser's spans of calls stop at the last argument.
    pub fn through_closing_paren(&self, s: Span) -> Span {
        let b = self.text.as_bytes();
        let Some(mut i) = s.start.checked_sub(self.base) else {
            return s;
        };
        let mut depth = 0usize;
        while i < b.len() {
            if let Some(end) = super::lexer::skip_quoted_or_comment(b, i) {
                i = end;
                continue;
            }
            match b[i] {
                b'(' => depth += 1,
                b')' if depth <= 1 => {
                    if depth == 0 {
                        return s;
                    }
                    return Span::new(s.start, (self.base + i + 1).max(s.end));
                }
                b')' => depth -= 1,
                _ => {}
            }
            i += 1;
        }
        s
    }

    /// The span of the end of input.
    pub fn end_span(&self) -> Span {
        let end = self.text.trim_end().len();
        self.local_span(end, end)
    }

    /// Converts a sqlparser error into Spark's `PARSE_SYNTAX_ERROR`.
    pub fn syntax_error(&self, e: &ParserError) -> Error {
        let msg = match e {
            ParserError::TokenizerError(m) | ParserError::ParserError(m) => m.as_str(),
            ParserError::RecursionLimitExceeded => {
                return Error::spark_msg(
                    "FAILED_TO_PARSE_TOO_COMPLEX",
                    "54001",
                    "The statement is too complex to parse",
                )
            }
        };
        let (body, loc) = split_location(msg);
        let offset = loc.and_then(|l| self.local_offset(l));
        let Some(offset) = offset else {
            let hint = missing_hint(body);
            return Error::parse_syntax("end of input", &hint).with_span(Some(self.end_span()));
        };
        let (token, end) = self.token_at(offset);
        let hint = if body.starts_with("Expected: end of statement") { String::new() } else { missing_hint(body) };
        Error::parse_syntax(&format!("'{token}'"), &hint).with_span(Some(self.local_span(offset, end)))
    }

    /// The source text of the token that starts at `offset`, and its end.
    pub fn token_at(&self, offset: usize) -> (String, usize) {
        let rest = &self.text[offset..];
        let dialect = EmberDialect;
        if let Ok(tokens) = Tokenizer::new(&dialect, rest).tokenize_with_location() {
            let src = Source::new(rest, 0);
            if let Some(t) = tokens.iter().find(|t| !matches!(t.token, Token::Whitespace(_))) {
                if let (Some(s), Some(e)) = (src.local_offset(t.span.start), src.local_offset(t.span.end)) {
                    if e > s {
                        return (rest[s..e].to_string(), offset + e);
                    }
                }
            }
        }
        // Untokenizable (e.g. an unterminated string): the rest of the word.
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len()).max(1.min(rest.len()));
        let end = (1..=end).rev().find(|i| rest.is_char_boundary(*i)).unwrap_or(0);
        (rest[..end].to_string(), offset + end)
    }
}

/// Splits "message at Line: l, Column: c" into the message and location.
fn split_location(msg: &str) -> (&str, Option<Location>) {
    let Some(i) = msg.rfind(" at Line: ") else {
        return (msg, None);
    };
    let tail = &msg[i + " at Line: ".len()..];
    let mut parts = tail.split(", Column: ");
    let line = parts.next().and_then(|l| l.trim().parse::<u64>().ok());
    let col = parts.next().and_then(|c| c.trim().parse::<u64>().ok());
    match (line, col) {
        (Some(line), Some(column)) => (&msg[..i], Some(Location { line, column })),
        _ => (msg, None),
    }
}

/// Spark's hint for a missing closing parenthesis; otherwise none.
fn missing_hint(body: &str) -> String {
    if body.starts_with("Expected: ), found") || body.starts_with("Expected: ')'") {
        ": missing ')'".to_string()
    } else {
        String::new()
    }
}

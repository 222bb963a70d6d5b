//! Splits SQL text into statements at top-level semicolons.
//!
//! A `;` ends a statement unless it is inside a string literal (`'...'` or
//! `"..."`, where a backslash escapes the next character as in Spark's
//! lexer), a quoted identifier (`` `...` ``), a line comment (`-- ...`) or a
//! bracketed comment (`/* ... */`, which nests in Spark). Doubled quotes
//! (`'it''s'`, `` `a``b` ``) need no special case: they close and reopen the
//! literal, which leaves the splitter in the same state.
//!
//! All delimiters are ASCII, so scanning bytes is safe on UTF-8 text.

/// One statement found in the text, without its terminating `;` and trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement<'a> {
    pub text: &'a str,
    /// Byte offset of `text` in the whole input.
    pub offset: usize,
}

/// The statements of a text plus what follows the last `;`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    /// Complete statements (ended by `;`) that hold more than comments.
    pub statements: Vec<Statement<'a>>,
    /// Text after the last `;`: a statement still being typed, or nothing.
    pub rest: Statement<'a>,
    /// Byte offset just past the last `;` (0 when there is none).
    pub rest_start: usize,
    /// Whether the text ends inside a string, quoted identifier or comment.
    pub rest_is_open: bool,
}

impl Split<'_> {
    /// Whether more input is needed to finish the last statement (the shell
    /// keeps reading); false when the rest is empty or only comments.
    pub fn needs_more(&self) -> bool {
        self.rest_is_open || !self.rest.text.is_empty()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Normal,
    /// Inside a string literal opened by this quote byte.
    Str(u8),
    Backtick,
    LineComment,
    /// Inside a bracketed comment, at this nesting depth.
    Block(u32),
}

/// Splits `text` into complete statements and the unterminated rest.
pub fn split(text: &str) -> Split<'_> {
    let bytes = text.as_bytes();
    let mut statements = Vec::new();
    let mut state = State::Normal;
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let next = bytes.get(i + 1).copied();
        match state {
            State::Normal => match b {
                b'\'' | b'"' => state = State::Str(b),
                b'`' => state = State::Backtick,
                b'-' if next == Some(b'-') => {
                    state = State::LineComment;
                    i += 1;
                }
                b'/' if next == Some(b'*') => {
                    state = State::Block(1);
                    i += 1;
                }
                b';' => {
                    if let Some(stmt) = statement(text, start, i) {
                        statements.push(stmt);
                    }
                    start = i + 1;
                }
                _ => {}
            },
            State::Str(q) => {
                if b == b'\\' {
                    i += 1;
                } else if b == q {
                    state = State::Normal;
                }
            }
            State::Backtick => {
                if b == b'`' {
                    state = State::Normal;
                }
            }
            State::LineComment => {
                if b == b'\n' {
                    state = State::Normal;
                }
            }
            State::Block(depth) => {
                if b == b'*' && next == Some(b'/') {
                    state = if depth == 1 { State::Normal } else { State::Block(depth - 1) };
                    i += 1;
                } else if b == b'/' && next == Some(b'*') {
                    state = State::Block(depth + 1);
                    i += 1;
                }
            }
        }
        i += 1;
    }
    let rest_is_open = matches!(state, State::Str(_) | State::Backtick | State::Block(_));
    let rest = statement(text, start, text.len()).unwrap_or(Statement { text: "", offset: text.len() });
    Split { statements, rest, rest_start: start, rest_is_open }
}

/// All statements of a script, including a last one without `;`.
pub fn split_script(text: &str) -> Vec<Statement<'_>> {
    let split = split(text);
    let mut all = split.statements;
    if !split.rest.text.is_empty() {
        all.push(split.rest);
    }
    all
}

/// The trimmed statement in `text[start..end]`, or None when it holds only
/// whitespace and comments.
fn statement(text: &str, start: usize, end: usize) -> Option<Statement<'_>> {
    let raw = &text[start..end];
    if is_blank(raw) {
        return None;
    }
    let trimmed_start = raw.len() - raw.trim_start().len();
    Some(Statement { text: raw.trim(), offset: start + trimmed_start })
}

/// Whether `text` holds nothing but whitespace and comments (an unclosed
/// bracketed comment counts as a comment).
pub fn is_blank(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
        } else if b == b'-' && bytes.get(i + 1) == Some(&b'-') {
            match text[i..].find('\n') {
                Some(n) => i += n + 1,
                None => return true,
            }
        } else if b == b'/' && bytes.get(i + 1) == Some(&b'*') {
            let mut depth = 1u32;
            i += 2;
            while i < bytes.len() && depth > 0 {
                if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    i += 2;
                } else if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    i += 2;
                } else {
                    i += 1;
                }
            }
        } else {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(input: &str) -> Vec<&str> {
        split(input).statements.iter().map(|s| s.text).collect()
    }

    #[test]
    fn splits_at_semicolons() {
        assert_eq!(texts("SELECT 1; SELECT 2;"), ["SELECT 1", "SELECT 2"]);
        let s = split("SELECT 1;\n  SELECT 2");
        assert_eq!(s.statements[0].offset, 0);
        assert_eq!(s.rest, Statement { text: "SELECT 2", offset: 12 });
        assert_eq!(s.rest_start, 9);
        assert!(s.needs_more());
    }

    #[test]
    fn empty_statements_are_skipped() {
        assert_eq!(texts(";;  ; SELECT 1;;"), ["SELECT 1"]);
        assert!(!split("SELECT 1;   ").needs_more());
        assert!(!split("").needs_more());
    }

    #[test]
    fn semicolons_in_strings_do_not_split() {
        assert_eq!(texts("SELECT 'a;b'; SELECT \"c;d\";"), ["SELECT 'a;b'", "SELECT \"c;d\""]);
        // backslash escapes the quote, as in Spark's string literals
        assert_eq!(texts(r"SELECT 'it\'s;'; SELECT 2;"), [r"SELECT 'it\'s;'", "SELECT 2"]);
        // doubled quotes close and reopen the literal
        assert_eq!(texts("SELECT 'it''s;x';"), ["SELECT 'it''s;x'"]);
        // a backslash before the closing quote of a different kind
        assert_eq!(texts(r#"SELECT "a\"';";"#), [r#"SELECT "a\"';""#]);
    }

    #[test]
    fn semicolons_in_backticks_do_not_split() {
        assert_eq!(texts("SELECT 1 AS `a;b`; SELECT 1 AS `x``;`;"), ["SELECT 1 AS `a;b`", "SELECT 1 AS `x``;`"]);
        // no escapes inside backticks
        assert_eq!(texts(r"SELECT 1 AS `a\`; SELECT 2;"), [r"SELECT 1 AS `a\`", "SELECT 2"]);
    }

    #[test]
    fn comments_hide_semicolons() {
        assert_eq!(texts("SELECT 1 -- not; the end\n, 2;"), ["SELECT 1 -- not; the end\n, 2"]);
        assert_eq!(texts("SELECT /* ; */ 1;"), ["SELECT /* ; */ 1"]);
        // bracketed comments nest in Spark
        assert_eq!(texts("SELECT /* a /* b; */ c; */ 1;"), ["SELECT /* a /* b; */ c; */ 1"]);
        // quotes inside comments do not open strings
        assert_eq!(texts("SELECT 1 -- it's\n; SELECT 2;"), ["SELECT 1 -- it's", "SELECT 2"]);
        // a lone minus or slash is an operator
        assert_eq!(texts("SELECT 4-1/2;"), ["SELECT 4-1/2"]);
    }

    #[test]
    fn comment_only_statements_are_skipped() {
        assert_eq!(texts("-- intro\n; /* x */ ; SELECT 1;"), ["SELECT 1"]);
        let s = split("SELECT 1; -- trailing");
        assert!(!s.needs_more());
        let s = split("SELECT 1; /* trailing */");
        assert!(!s.needs_more());
    }

    #[test]
    fn open_constructs_need_more_input() {
        assert!(split("SELECT 'abc;").needs_more());
        assert!(split("SELECT 'abc;").rest_is_open);
        assert!(split("SELECT `abc;").rest_is_open);
        assert!(split("/* unclosed;").rest_is_open);
        assert!(!split("SELECT 1 -- comment;").rest_is_open);
        assert!(split("SELECT 1 -- comment;").needs_more());
    }

    #[test]
    fn leading_comments_stay_with_the_statement() {
        let s = split("-- c\nSELECT 1;");
        assert_eq!(s.statements, vec![Statement { text: "-- c\nSELECT 1", offset: 0 }]);
    }

    #[test]
    fn scripts_keep_the_unterminated_last_statement() {
        let all = split_script("SELECT 1;\nSELECT 2\n");
        assert_eq!(all.iter().map(|s| s.text).collect::<Vec<_>>(), ["SELECT 1", "SELECT 2"]);
        assert_eq!(all[1].offset, 10);
        assert!(split_script("  -- only a comment\n").is_empty());
    }

    #[test]
    fn multibyte_text_is_kept_intact() {
        assert_eq!(texts("SELECT 'é;ü'; SELECT '日本';"), ["SELECT 'é;ü'", "SELECT '日本'"]);
    }
}

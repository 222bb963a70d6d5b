//! Error text with a `^^^` marker under the part of the statement at fault.
//!
//! The engine reports a byte range (`Span`) into the statement text it was
//! given. We print the line the span starts on and a marker line under it;
//! the marker covers the span up to the end of that line. Columns count
//! characters, and tabs are copied into the marker's indent so the marker
//! lines up in a terminal.

use ember_core::{Error, Span};

/// Lines longer than this (in characters) are cut to a window around the span.
const MAX_LINE_CHARS: usize = 120;
/// Characters of context kept before the span when a long line is cut.
const CONTEXT_BEFORE: usize = 40;

/// Where a statement sits in its source, for line numbers.
#[derive(Debug, Clone, Copy, Default)]
pub struct Origin {
    /// Line number (1-based) of the statement's first line in its file or
    /// input; 1 for a statement typed on its own.
    pub first_line: usize,
    /// Always print the line number (a file), even for one-line statements.
    pub number_lines: bool,
}

impl Origin {
    pub fn statement() -> Origin {
        Origin { first_line: 1, number_lines: false }
    }
}

/// The error's text, followed by the offending line and its marker when the
/// error carries a span.
pub fn render_error(err: &Error, sql: &str, origin: Origin) -> String {
    let mut out = err.to_string();
    if let Some(span) = err.span() {
        if let Some(marker) = span_marker(sql, span, origin) {
            out.push('\n');
            out.push_str(&marker);
        }
    }
    out
}

/// The line holding `span.start` and a `^^^` marker under the span. None when
/// the span lies outside `sql`.
pub fn span_marker(sql: &str, span: Span, origin: Origin) -> Option<String> {
    if span.start > sql.len() {
        return None;
    }
    let start = floor_char_boundary(sql, span.start);
    let end = floor_char_boundary(sql, span.end.clamp(start, sql.len()));
    let line_start = sql[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = sql[start..].find('\n').map_or(sql.len(), |i| start + i);
    let line = sql[line_start..line_end].trim_end_matches('\r');
    let line_no = origin.first_line.max(1) + sql[..line_start].matches('\n').count();

    // character columns of the span within the line
    let col_start = sql[line_start..start].chars().count();
    let col_end = sql[line_start..end.min(line_start + line.len()).max(start)].chars().count();
    let width = (col_end - col_start).max(1);

    let chars: Vec<char> = line.chars().collect();
    let (shown_from, prefix_dots) = if chars.len() > MAX_LINE_CHARS && col_start > CONTEXT_BEFORE {
        (col_start - CONTEXT_BEFORE, true)
    } else {
        (0, false)
    };
    let shown_to = chars.len().min(shown_from + MAX_LINE_CHARS);
    let suffix_dots = shown_to < chars.len();
    let mut shown: String = chars[shown_from..shown_to].iter().collect();
    if suffix_dots {
        shown.push_str("...");
    }

    let label = if origin.number_lines || sql.contains('\n') { format!("LINE {line_no}: ") } else { String::new() };
    let lead = if prefix_dots { "..." } else { "" };
    let mut indent: String = " ".repeat(label.chars().count() + lead.len());
    indent.extend(chars[shown_from..col_start].iter().map(|&c| if c == '\t' { '\t' } else { ' ' }));
    let marks = width.min(shown_to.saturating_sub(col_start).max(1));
    Some(format!("{label}{lead}{shown}\n{indent}{}", "^".repeat(marks)))
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_the_span_on_a_one_line_statement() {
        let sql = "SELECT foo FROM t";
        let m = span_marker(sql, Span::new(7, 10), Origin::statement()).unwrap();
        assert_eq!(m, "SELECT foo FROM t\n       ^^^");
    }

    #[test]
    fn multi_line_statements_show_the_line_and_its_number() {
        let sql = "SELECT a,\n  foo\nFROM t";
        let start = sql.find("foo").unwrap();
        let m = span_marker(sql, Span::new(start, start + 3), Origin::statement()).unwrap();
        assert_eq!(m, "LINE 2:   foo\n          ^^^");
    }

    #[test]
    fn file_origin_offsets_line_numbers() {
        let origin = Origin { first_line: 10, number_lines: true };
        let m = span_marker("SELECT x", Span::new(7, 8), origin).unwrap();
        assert_eq!(m, "LINE 10: SELECT x\n                ^");
    }

    #[test]
    fn spans_across_lines_are_cut_at_the_line_end() {
        let sql = "SELECT (a +\n b)";
        let m = span_marker(sql, Span::new(7, sql.len()), Origin::statement()).unwrap();
        assert_eq!(m, "LINE 1: SELECT (a +\n               ^^^^");
    }

    #[test]
    fn empty_span_gets_one_caret() {
        let m = span_marker("SELECT", Span::new(6, 6), Origin::statement()).unwrap();
        assert_eq!(m, "SELECT\n      ^");
    }

    #[test]
    fn columns_count_characters_and_keep_tabs() {
        let sql = "SELECT 'é',\tbar";
        let start = sql.find("bar").unwrap();
        let m = span_marker(sql, Span::new(start, start + 3), Origin::statement()).unwrap();
        assert_eq!(m, "SELECT 'é',\tbar\n           \t^^^");
    }

    #[test]
    fn out_of_range_spans_do_not_panic() {
        assert!(span_marker("SELECT 1", Span::new(100, 200), Origin::statement()).is_none());
        let m = span_marker("SELECT 1", Span::new(7, 200), Origin::statement()).unwrap();
        assert_eq!(m, "SELECT 1\n       ^");
        // a span inside a multi-byte character snaps to its start
        let m = span_marker("é x", Span::new(1, 2), Origin::statement()).unwrap();
        assert_eq!(m, "é x\n^");
    }

    #[test]
    fn long_lines_are_windowed_around_the_span() {
        let sql = format!("SELECT {} , missing", "a, ".repeat(100));
        let start = sql.find("missing").unwrap();
        let m = span_marker(&sql, Span::new(start, start + 7), Origin::statement()).unwrap();
        let (line, marker) = m.split_once('\n').unwrap();
        assert!(line.starts_with("..."));
        let col = marker.find('^').unwrap();
        assert_eq!(&line[col..col + 7], "missing");
    }

    #[test]
    fn errors_without_span_print_only_the_message() {
        let err = Error::table_not_found("t");
        let text = render_error(&err, "SELECT * FROM t", Origin::statement());
        assert!(text.starts_with("[TABLE_OR_VIEW_NOT_FOUND] The table or view `t` cannot be found."));
        assert!(!text.contains('^'));
        let err = Error::unresolved_column("foo", &[]).with_span(Some(Span::new(7, 10)));
        let text = render_error(&err, "SELECT foo", Origin::statement());
        assert!(text.ends_with("\nSELECT foo\n       ^^^"), "{text}");
    }
}

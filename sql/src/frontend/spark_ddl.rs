//! Spark's commands, parsed by hand over `lexer` tokens: `SET`, `RESET`,
//! `SHOW`, `DESCRIBE`, `EXPLAIN`, `CACHE`/`UNCACHE`/`REFRESH`/`CLEAR CACHE`,
//! `USE`, `CREATE VIEW`, `CREATE ... USING`, `CREATE TABLE ... AS`,
//! `REPLACE TABLE`, `INSERT` (also into a directory), `TRUNCATE TABLE`,
//! `SHOW CREATE TABLE`, `DROP`. Queries inside them are handed to sqlparser at their
//! byte offset, so spans stay positions in the original text.

use ember_core::spec::{ColumnDef, DescribeTarget, DropKind, ExplainMode, Expr, ObjectName, Statement};
use ember_core::{Error, Result};
use sqlparser::parser::Parser;

use super::dialect::EmberDialect;
use super::expr::spark_type;
use super::lexer::{Tok, Token};
use super::span::Source;
use super::statement::{parse_query, starts_query, statement};
use super::Converter;

/// A cursor over a command's tokens.
struct Cursor<'s, 'a> {
    src: &'s Source<'a>,
    toks: Vec<Token>,
    pos: usize,
}

impl Cursor<'_, '_> {
    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.pos)
    }
    fn peek_kw(&self, kw: &str) -> bool {
        self.peek().is_some_and(|t| t.is_kw(kw))
    }
    fn peek_punct(&self, c: char) -> bool {
        matches!(self.peek(), Some(Token { tok: Tok::Punct(p), .. }) if *p == c)
    }
    fn eat_kw(&mut self, kw: &str) -> bool {
        let hit = self.peek_kw(kw);
        if hit {
            self.pos += 1;
        }
        hit
    }
    fn eat_kws(&mut self, kws: &[&str]) -> bool {
        let hit = kws.iter().enumerate().all(|(i, k)| self.toks.get(self.pos + i).is_some_and(|t| t.is_kw(k)));
        if hit {
            self.pos += kws.len();
        }
        hit
    }
    fn eat_punct(&mut self, c: char) -> bool {
        let hit = self.peek_punct(c);
        if hit {
            self.pos += 1;
        }
        hit
    }
    fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }
    /// A syntax error at the current token (or at the end of input).
    fn error(&self) -> Error {
        match self.peek() {
            Some(t) => Error::parse_syntax(&format!("'{}'", &self.src.text[t.start..t.end]), "")
                .with_span(Some(self.src.local_span(t.start, t.end))),
            None => Error::parse_syntax("end of input", "").with_span(Some(self.src.end_span())),
        }
    }
    fn expect_kw(&mut self, kw: &str) -> Result<()> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(self.error())
        }
    }
    fn expect_punct(&mut self, c: char) -> Result<()> {
        if self.eat_punct(c) {
            Ok(())
        } else {
            Err(self.error())
        }
    }
    fn expect_end(&self) -> Result<()> {
        match self.peek() {
            None => Ok(()),
            Some(t) => {
                let text = &self.src.text[t.start..t.end];
                Err(Error::parse_syntax(&format!("'{text}'"), &format!(": extra input '{text}'"))
                    .with_span(Some(self.src.local_span(t.start, t.end))))
            }
        }
    }
    fn ident(&mut self) -> Result<String> {
        match self.peek().map(|t| &t.tok) {
            Some(Tok::Word(w)) | Some(Tok::Quoted(w)) => {
                let w = w.clone();
                self.pos += 1;
                Ok(w)
            }
            _ => Err(self.error()),
        }
    }
    /// `a.b.c` with backquoted parts allowed.
    fn name(&mut self) -> Result<ObjectName> {
        let mut parts = vec![self.ident()?];
        while self.eat_punct('.') {
            parts.push(self.ident()?);
        }
        Ok(parts)
    }
    fn string(&mut self) -> Result<String> {
        match self.peek().map(|t| &t.tok) {
            Some(Tok::Str(s)) => {
                let s = s.clone();
                self.pos += 1;
                Ok(s)
            }
            _ => Err(self.error()),
        }
    }
    /// Byte offset of the current token (end of text when none).
    fn offset(&self) -> usize {
        self.peek().map(|t| t.start).unwrap_or(self.src.text.len())
    }
    /// The rest of the text, from the current token, as its own source.
    fn rest(&self) -> Source<'_> {
        self.src.slice(self.offset(), self.src.text.len())
    }
    /// Skips a balanced `( ... )` group.
    fn skip_parens(&mut self) -> Result<()> {
        self.expect_punct('(')?;
        let mut depth = 1;
        while depth > 0 {
            match self.peek().map(|t| &t.tok) {
                None => return Err(self.error()),
                Some(Tok::Punct('(')) => depth += 1,
                Some(Tok::Punct(')')) => depth -= 1,
                _ => {}
            }
            self.pos += 1;
        }
        Ok(())
    }
}

/// Parses a command, or returns None when the statement is not one Ember
/// parses by hand.
pub(crate) fn command(src: &Source, toks: Vec<Token>) -> Result<Option<Statement>> {
    let mut c = Cursor { src, toks, pos: 1 };
    let first = &c.toks[0];
    let kw = match &first.tok {
        Tok::Word(w) => w.to_ascii_uppercase(),
        _ => return Ok(None),
    };
    let after_first = first.end;
    Ok(Some(match kw.as_str() {
        "SET" => set(src, after_first)?,
        "RESET" => {
            let key = src.text[after_first..].trim();
            Statement::Reset { key: (!key.is_empty()).then(|| unquote_backticks(key)) }
        }
        "SHOW" => show(&mut c)?,
        "DESCRIBE" | "DESC" => describe(&mut c)?,
        "EXPLAIN" => explain(&mut c)?,
        "CACHE" => cache(&mut c)?,
        "UNCACHE" => {
            c.expect_kw("TABLE")?;
            c.eat_kws(&["IF", "EXISTS"]);
            c.name()?;
            c.expect_end()?;
            Statement::NoOp { what: "UNCACHE TABLE".into() }
        }
        "REFRESH" => Statement::NoOp { what: "REFRESH".into() },
        "CLEAR" => {
            c.expect_kw("CACHE")?;
            c.expect_end()?;
            Statement::NoOp { what: "CLEAR CACHE".into() }
        }
        "USE" => {
            if !c.eat_kw("NAMESPACE") && !c.eat_kw("DATABASE") {
                c.eat_kw("SCHEMA");
            }
            c.name()?;
            c.expect_end()?;
            Statement::NoOp { what: "USE".into() }
        }
        "CREATE" => match create(&mut c)? {
            Some(s) => s,
            None => return Ok(None),
        },
        "INSERT" => insert(&mut c)?,
        // REPLACE TABLE: Spark's session catalog refuses it (the session
        // reports UNSUPPORTED_FEATURE.TABLE_OPERATION)
        "REPLACE" if c.peek_kw("TABLE") => {
            c.pos += 1;
            create_table(&mut c, true)?
        }
        "TRUNCATE" => {
            c.expect_kw("TABLE")?;
            let name = c.name()?;
            if c.peek_kw("PARTITION") {
                return Err(Error::not_implemented("TRUNCATE TABLE ... PARTITION"));
            }
            c.expect_end()?;
            Statement::Truncate { name }
        }
        "DROP" => match drop(&mut c)? {
            Some(s) => s,
            None => return Ok(None),
        },
        _ => return Ok(None),
    }))
}

fn unquote_backticks(s: &str) -> String {
    let s = s.trim();
    match s.strip_prefix('`').and_then(|r| r.strip_suffix('`')) {
        Some(inner) => inner.replace("``", "`"),
        None => s.to_string(),
    }
}

/// `SET`, `SET -v`, `SET key`, `SET key = value` (value: the raw text up to
/// the end of the statement), `SET TIME ZONE 'zone'`.
fn set(src: &Source, after_set: usize) -> Result<Statement> {
    let rest = src.text[after_set..].trim();
    if rest.is_empty() || rest == "-v" {
        return Ok(Statement::Set { key: None, value: None });
    }
    let words: Vec<&str> = rest.split_whitespace().collect();
    if words.len() >= 2 && (words[0].eq_ignore_ascii_case("VAR") || words[0].eq_ignore_ascii_case("VARIABLE")) {
        return Err(Error::not_implemented("session variables (SET VAR)"));
    }
    if words.len() >= 2 && words[0].eq_ignore_ascii_case("TIME") && words[1].eq_ignore_ascii_case("ZONE") {
        let zone = rest[rest.to_ascii_uppercase().find("ZONE").unwrap_or(0) + 4..].trim();
        if let Some(zone) = super::literal::set_time_zone_value(zone)? {
            return Ok(Statement::Set { key: Some("spark.sql.session.timeZone".into()), value: Some(zone) });
        }
        let zone = zone
            .strip_prefix('\'')
            .and_then(|z| z.strip_suffix('\''))
            .or_else(|| zone.strip_prefix('"').and_then(|z| z.strip_suffix('"')))
            .ok_or_else(|| Error::not_implemented("SET TIME ZONE other than a zone string"))?;
        return Ok(Statement::Set { key: Some("spark.sql.session.timeZone".into()), value: Some(zone.to_string()) });
    }
    let (key, value) = match rest.find('=') {
        Some(i) => (rest[..i].trim(), Some(unquote_backticks(&rest[i + 1..]))),
        None => (rest, None),
    };
    let key = unquote_backticks(key);
    if key.is_empty() || key.contains(char::is_whitespace) {
        return Err(Error::spark_msg(
            "INVALID_SET_SYNTAX",
            "42000",
            "Expected format is 'SET', 'SET key', or 'SET key=value'. If you want to include \
             special characters in key, or include semicolon in value, please use backquotes, \
             e.g., SET `key`=`value`.",
        ));
    }
    Ok(Statement::Set { key: Some(key), value })
}

/// `SHOW TABLES [(FROM|IN) db] [[LIKE] 'pattern']`, `SHOW COLUMNS (FROM|IN)
/// t [(FROM|IN) db]`, `SHOW [USER|SYSTEM|ALL] FUNCTIONS [[LIKE] 'p']`.
fn show(c: &mut Cursor) -> Result<Statement> {
    if c.eat_kws(&["CREATE", "TABLE"]) {
        let name = c.name()?;
        if c.eat_kw("AS") {
            c.expect_kw("SERDE")?;
            return Err(Error::not_implemented("SHOW CREATE TABLE ... AS SERDE"));
        }
        c.expect_end()?;
        return Ok(Statement::ShowCreateTable { name });
    }
    if c.eat_kw("TABLES") {
        if c.eat_kw("FROM") || c.eat_kw("IN") {
            c.name()?;
        }
        let pattern = if c.at_end() {
            None
        } else {
            c.eat_kw("LIKE");
            Some(c.string()?)
        };
        c.expect_end()?;
        return Ok(Statement::ShowTables { pattern });
    }
    if c.eat_kw("COLUMNS") {
        if !c.eat_kw("FROM") {
            c.expect_kw("IN")?;
        }
        let mut table = c.name()?;
        if c.eat_kw("FROM") || c.eat_kw("IN") {
            let mut db = c.name()?;
            db.append(&mut table);
            table = db;
        }
        c.expect_end()?;
        return Ok(Statement::ShowColumns { table });
    }
    if !c.eat_kw("USER") && !c.eat_kw("SYSTEM") {
        c.eat_kw("ALL");
    }
    if c.eat_kw("FUNCTIONS") {
        return Ok(Statement::ShowFunctions);
    }
    Err(Error::not_implemented(format!(
        "SHOW {}",
        c.peek().map(|t| c.src.text[t.start..t.end].to_uppercase()).unwrap_or_default()
    )))
}

/// `DESCRIBE [TABLE] [EXTENDED|FORMATTED] name`, `DESCRIBE [QUERY] query`.
fn describe(c: &mut Cursor) -> Result<Statement> {
    if c.eat_kw("QUERY") || c.peek().is_some_and(|t| starts_query(t) && !t.is_kw("TABLE")) {
        let rest = c.rest();
        let plan = parse_query(&rest)?;
        return Ok(Statement::Describe { target: DescribeTarget::Query(Box::new(plan)), extended: false });
    }
    for what in ["FUNCTION", "DATABASE", "SCHEMA", "NAMESPACE", "CATALOG"] {
        if c.peek_kw(what) && c.toks.len() > c.pos + 1 {
            return Err(Error::not_implemented(format!("DESCRIBE {what}")));
        }
    }
    c.eat_kw("TABLE");
    let extended = c.eat_kw("EXTENDED") || c.eat_kw("FORMATTED");
    let name = c.name()?;
    if !c.at_end() {
        return Err(Error::not_implemented("DESCRIBE of a column or partition"));
    }
    Ok(Statement::Describe { target: DescribeTarget::Table(name), extended })
}

/// `EXPLAIN [EXTENDED|FORMATTED|ANALYZE|CODEGEN|COST|LOGICAL] statement`.
fn explain(c: &mut Cursor) -> Result<Statement> {
    let mode = if c.eat_kw("EXTENDED") {
        ExplainMode::Extended
    } else if c.eat_kw("FORMATTED") {
        ExplainMode::Formatted
    } else if c.eat_kw("ANALYZE") {
        ExplainMode::Analyze
    } else if c.eat_kw("CODEGEN") {
        ExplainMode::Codegen
    } else if c.eat_kw("COST") {
        ExplainMode::Cost
    } else if c.eat_kw("LOGICAL") {
        ExplainMode::Extended
    } else {
        ExplainMode::Simple
    };
    if c.at_end() {
        return Err(c.error());
    }
    let inner = statement(&c.rest())?;
    Ok(Statement::Explain { statement: Box::new(inner), mode })
}

/// `CACHE [LAZY] TABLE name [OPTIONS (...)] [[AS] query]`: with a query it
/// defines a temporary view (Spark then caches it; Ember need not).
fn cache(c: &mut Cursor) -> Result<Statement> {
    c.eat_kw("LAZY");
    c.expect_kw("TABLE")?;
    let name = c.name()?;
    if c.eat_kw("OPTIONS") {
        options(c)?;
    }
    if c.at_end() {
        return Ok(Statement::NoOp { what: "CACHE TABLE".into() });
    }
    c.eat_kw("AS");
    let rest = c.rest();
    let query = parse_query(&rest)?;
    Ok(Statement::CreateView {
        name,
        columns: vec![],
        query,
        replace: false,
        temporary: true,
        if_not_exists: false,
        sql: rest.text.trim().to_string(),
    })
}

/// `OPTIONS ( key [=] value, ... )`; keys lowercased.
fn options(c: &mut Cursor) -> Result<Vec<(String, String)>> {
    c.expect_punct('(')?;
    let mut out = vec![];
    if c.eat_punct(')') {
        return Ok(out);
    }
    loop {
        let key = match c.peek().map(|t| &t.tok) {
            Some(Tok::Str(s)) => {
                let s = s.clone();
                c.pos += 1;
                s
            }
            _ => c.name()?.join("."),
        };
        c.eat_punct('=');
        let value = option_value(c)?;
        out.push((key.to_lowercase(), value));
        if c.eat_punct(')') {
            return Ok(out);
        }
        c.expect_punct(',')?;
    }
}

fn option_value(c: &mut Cursor) -> Result<String> {
    let negative = c.eat_punct('-');
    let v = match c.peek().map(|t| &t.tok) {
        Some(Tok::Str(s)) | Some(Tok::Number(s)) | Some(Tok::Word(s)) => s.clone(),
        _ => return Err(c.error()),
    };
    c.pos += 1;
    Ok(if negative { format!("-{v}") } else { v })
}

/// `(name type [NOT NULL] [COMMENT 'c'], ...)` when `typed`, else
/// `(name [COMMENT 'c'], ...)`.
fn column_list(c: &mut Cursor, typed: bool) -> Result<Vec<(String, Option<ColumnDef>)>> {
    c.expect_punct('(')?;
    let mut out = vec![];
    loop {
        let name = c.ident()?;
        let def = if typed {
            // the type is the text up to NOT / COMMENT / ',' / ')' at depth 0
            let start = c.offset();
            let mut depth = 0i32;
            while let Some(t) = c.peek() {
                match &t.tok {
                    Tok::Punct('(') | Tok::Punct('<') => depth += 1,
                    Tok::Punct(')') | Tok::Punct('>') if depth > 0 => depth -= 1,
                    Tok::Punct(',') | Tok::Punct(')') if depth == 0 => break,
                    Tok::Word(_) if depth == 0 && (t.is_kw("NOT") || t.is_kw("COMMENT")) => break,
                    _ => {}
                }
                c.pos += 1;
            }
            let end = c.toks.get(c.pos.wrapping_sub(1)).map(|t| t.end).unwrap_or(start).max(start);
            let type_text = &c.src.text[start..end];
            if type_text.trim().is_empty() {
                return Err(c.error());
            }
            let data_type = spark_type(type_text)?;
            let nullable = !c.eat_kws(&["NOT", "NULL"]);
            Some(ColumnDef { name: name.clone(), data_type, nullable })
        } else {
            None
        };
        if c.eat_kw("COMMENT") {
            c.string()?;
        }
        out.push((name, def));
        if c.eat_punct(')') {
            return Ok(out);
        }
        c.expect_punct(',')?;
    }
}

/// `CREATE [OR REPLACE] [GLOBAL] [TEMPORARY|TEMP] VIEW ...` and
/// `CREATE [OR REPLACE] [EXTERNAL] TABLE ...`; None for other CREATEs.
fn create(c: &mut Cursor) -> Result<Option<Statement>> {
    let replace = c.eat_kws(&["OR", "REPLACE"]);
    c.eat_kw("GLOBAL");
    let temporary = c.eat_kw("TEMPORARY") || c.eat_kw("TEMP");
    if c.eat_kw("VIEW") {
        return create_view(c, replace, temporary).map(Some);
    }
    c.eat_kw("EXTERNAL");
    if !c.eat_kw("TABLE") {
        return Ok(None);
    }
    if temporary {
        return Err(Error::not_implemented("CREATE TEMPORARY TABLE (use CREATE TEMPORARY VIEW ... USING)"));
    }
    create_table(c, replace).map(Some)
}

fn create_view(c: &mut Cursor, replace: bool, temporary: bool) -> Result<Statement> {
    let if_not_exists = c.eat_kws(&["IF", "NOT", "EXISTS"]);
    let name = c.name()?;
    // the column list is typed for `USING`, plain names for `AS`: look ahead
    let using = {
        let mut depth = 0;
        let mut found = false;
        for t in &c.toks[c.pos..] {
            match &t.tok {
                Tok::Punct('(') => depth += 1,
                Tok::Punct(')') => depth -= 1,
                _ if depth == 0 && t.is_kw("USING") => {
                    found = true;
                    break;
                }
                _ if depth == 0 && t.is_kw("AS") => break,
                _ => {}
            }
        }
        found
    };
    let columns = if c.peek_punct('(') { column_list(c, using)? } else { vec![] };
    if using {
        c.expect_kw("USING")?;
        let format = c.name()?.join(".").to_lowercase();
        let options = if c.eat_kw("OPTIONS") { options(c)? } else { vec![] };
        c.expect_end()?;
        let schema = if columns.is_empty() { None } else { Some(columns.into_iter().filter_map(|(_, d)| d).collect()) };
        return Ok(Statement::CreateDataSource {
            name,
            format,
            options,
            schema,
            partition_by: vec![],
            replace,
            temporary,
            if_not_exists,
        });
    }
    loop {
        if c.eat_kw("COMMENT") {
            c.string()?;
        } else if c.eat_kw("TBLPROPERTIES") {
            c.skip_parens()?;
        } else {
            break;
        }
    }
    c.expect_kw("AS")?;
    let rest = c.rest();
    let query = parse_query(&rest)?;
    Ok(Statement::CreateView {
        name,
        columns: columns.into_iter().map(|(n, _)| n).collect(),
        query,
        replace,
        temporary,
        if_not_exists,
        sql: rest.text.trim().to_string(),
    })
}

/// `CREATE TABLE [IF NOT EXISTS] name [(cols)] [USING fmt] [OPTIONS (...)]
/// [PARTITIONED BY (...)] [LOCATION 'path'] [COMMENT 'c'] [TBLPROPERTIES
/// (...)] [STORED AS fmt] [[AS] query]`. Without USING, Spark 4 uses the
/// default source (parquet).
fn create_table(c: &mut Cursor, replace: bool) -> Result<Statement> {
    let if_not_exists = c.eat_kws(&["IF", "NOT", "EXISTS"]);
    let name = c.name()?;
    if c.peek_kw("LIKE") {
        return Err(Error::not_implemented("CREATE TABLE LIKE"));
    }
    let mut columns = if c.peek_punct('(') { Some(column_list(c, true)?) } else { None };
    let mut format = "parquet".to_string();
    let mut opts = vec![];
    let mut partition_by = vec![];
    loop {
        if c.eat_kw("USING") {
            format = c.name()?.join(".").to_lowercase();
        } else if c.eat_kws(&["STORED", "AS"]) {
            format = c.ident()?.to_lowercase();
        } else if c.eat_kw("OPTIONS") {
            opts.extend(options(c)?);
        } else if c.eat_kw("LOCATION") {
            opts.push(("path".to_string(), c.string()?));
        } else if c.eat_kw("COMMENT") {
            c.string()?;
        } else if c.eat_kw("TBLPROPERTIES") {
            c.skip_parens()?;
        } else if c.eat_kws(&["PARTITIONED", "BY"]) {
            // `(a, b)` names columns of the schema; `(a INT)` (Hive's form)
            // adds typed columns to it
            let typed = c.toks.get(c.pos + 2).is_some_and(|t| !matches!(t.tok, Tok::Punct(',') | Tok::Punct(')')));
            for (name, def) in column_list(c, typed)? {
                if let Some(def) = def {
                    columns.get_or_insert_with(Vec::new).push((name.clone(), Some(def)));
                }
                partition_by.push(name);
            }
        } else if c.peek_kw("CLUSTERED") {
            return Err(Error::not_implemented("bucketed tables (CLUSTERED BY)"));
        } else {
            break;
        }
    }
    if c.at_end() {
        let schema = columns.map(|cols| cols.into_iter().filter_map(|(_, d)| d).collect());
        return Ok(Statement::CreateDataSource {
            name,
            format,
            options: opts,
            schema,
            partition_by,
            replace,
            temporary: false,
            if_not_exists,
        });
    }
    if columns.is_some() {
        return Err(Error::spark_msg(
            "_LEGACY_ERROR_TEMP_0035",
            "42000",
            "Operation not allowed: Schema may not be specified in a Create Table As Select (CTAS) statement.",
        ));
    }
    c.eat_kw("AS");
    let query = parse_query(&c.rest())?;
    Ok(Statement::CreateTableAs { name, format, options: opts, partition_by, query, replace, if_not_exists })
}

/// `INSERT INTO|OVERWRITE [TABLE] name [PARTITION (p = v, q)] [IF NOT
/// EXISTS] [(cols)] query` and `INSERT OVERWRITE [LOCAL] DIRECTORY ['path']
/// USING fmt [OPTIONS (...)] query`.
fn insert(c: &mut Cursor) -> Result<Statement> {
    let overwrite = if c.eat_kw("OVERWRITE") {
        true
    } else {
        c.expect_kw("INTO")?;
        false
    };
    if overwrite
        && (c.peek_kw("DIRECTORY")
            || (c.peek_kw("LOCAL") && c.toks.get(c.pos + 1).is_some_and(|t| t.is_kw("DIRECTORY"))))
    {
        return insert_directory(c);
    }
    c.eat_kw("TABLE");
    let name = c.name()?;
    let mut partition = vec![];
    if c.eat_kw("PARTITION") {
        c.expect_punct('(')?;
        loop {
            let column = c.ident()?;
            let value = if c.eat_punct('=') { Some(value_expr(c)?) } else { None };
            partition.push((column, value));
            if c.eat_punct(')') {
                break;
            }
            c.expect_punct(',')?;
        }
        if c.eat_kws(&["IF", "NOT", "EXISTS"]) {
            return Err(Error::not_implemented("INSERT ... IF NOT EXISTS"));
        }
    }
    if c.eat_kws(&["BY", "NAME"]) {
        return Err(Error::not_implemented("INSERT ... BY NAME"));
    }
    let mut columns = vec![];
    // `(a, b) SELECT ...` is a column list; `(SELECT ...)` a query
    if c.peek_punct('(') && !c.toks.get(c.pos + 1).is_some_and(|t| starts_query(t) && !t.is_kw("TABLE")) {
        columns = column_list(c, false)?.into_iter().map(|(n, _)| n).collect();
    }
    if c.at_end() {
        return Err(c.error());
    }
    let query = parse_query(&c.rest())?;
    Ok(Statement::Insert { name, columns, partition, query, overwrite })
}

/// After `INSERT OVERWRITE`: `[LOCAL] DIRECTORY ['path'] USING fmt [OPTIONS
/// (...)] query`; the path may come as the `path` option instead.
fn insert_directory(c: &mut Cursor) -> Result<Statement> {
    c.eat_kw("LOCAL");
    c.expect_kw("DIRECTORY")?;
    let path = if matches!(c.peek().map(|t| &t.tok), Some(Tok::Str(_))) { Some(c.string()?) } else { None };
    if c.peek_kw("ROW") || c.peek_kw("STORED") {
        return Err(Error::spark_msg(
            "NOT_SUPPORTED_COMMAND_WITHOUT_HIVE_SUPPORT",
            "0A000",
            "INSERT OVERWRITE DIRECTORY with the Hive format is not supported, if you want to enable it, please set \"spark.sql.catalogImplementation\" to \"hive\".",
        ));
    }
    c.expect_kw("USING")?;
    let format = c.name()?.join(".").to_lowercase();
    let mut options = if c.eat_kw("OPTIONS") { options(c)? } else { vec![] };
    let option_path = options.iter().position(|(k, _)| k == "path").map(|i| options.remove(i).1);
    let path = match (path, option_path) {
        (Some(p), None) | (None, Some(p)) => p,
        _ => {
            return Err(Error::spark_msg(
                "_LEGACY_ERROR_TEMP_0049",
                "42000",
                "Directory path and 'path' in OPTIONS should be specified one, but not both.",
            ))
        }
    };
    if c.at_end() {
        return Err(c.error());
    }
    let query = parse_query(&c.rest())?;
    Ok(Statement::InsertDirectory { path, format, options, query })
}

/// A constant up to the next `,` or `)` at depth 0 (a partition value).
fn value_expr(c: &mut Cursor) -> Result<Expr> {
    let start = c.offset();
    let mut depth = 0i32;
    while let Some(t) = c.peek() {
        match &t.tok {
            Tok::Punct('(') => depth += 1,
            Tok::Punct(')') if depth > 0 => depth -= 1,
            Tok::Punct(',') | Tok::Punct(')') if depth == 0 => break,
            _ => {}
        }
        c.pos += 1;
    }
    let end = c.offset();
    if end <= start {
        return Err(c.error());
    }
    let src = c.src.slice(start, end);
    let dialect = EmberDialect;
    let mut parser = Parser::new(&dialect).try_with_sql(src.text).map_err(|e| src.syntax_error(&e))?;
    let e = parser.parse_expr().map_err(|e| src.syntax_error(&e))?;
    Converter { src }.expr(&e)
}

/// `DROP TABLE|VIEW [IF EXISTS] name [PURGE]`; None for other DROPs.
fn drop(c: &mut Cursor) -> Result<Option<Statement>> {
    let kind = if c.eat_kw("TABLE") {
        DropKind::Table
    } else if c.eat_kw("VIEW") {
        DropKind::View
    } else {
        return Ok(None);
    };
    let if_exists = c.eat_kws(&["IF", "EXISTS"]);
    let name = c.name()?;
    c.eat_kw("PURGE");
    c.expect_end()?;
    Ok(Some(Statement::Drop { name, kind, if_exists }))
}

//! The schema argument of `from_json`: a DDL string (`a INT, b STRING`), a
//! type (`MAP<STRING,INT>`, `array<int>`), or Spark's JSON form of a type
//! (`{"type":"struct","fields":[...]}`, what PySpark's `StructType.json()`
//! sends), read with a small JSON reader.

use arrow_schema::{DataType, Field, Fields};
use ember_core::types::parse_spark_type;
use ember_core::{Error, Result};

use super::nested::{list_of, map_of};

#[derive(Debug)]
enum J {
    Str(String),
    Bool(bool),
    Other,
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

fn invalid(text: &str) -> Error {
    super::spark_error(
        "INVALID_SCHEMA.PARSE_ERROR",
        "42K07",
        "The input schema <inputSchema> is not a valid schema string. Cannot parse the schema.",
        &[("inputSchema", format!("\"{text}\""))],
    )
}

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

impl Reader<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && self.b[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn value(&mut self) -> Option<J> {
        self.ws();
        match *self.b.get(self.i)? {
            b'{' => {
                self.i += 1;
                let mut out = vec![];
                loop {
                    self.ws();
                    if self.b.get(self.i) == Some(&b'}') {
                        self.i += 1;
                        return Some(J::Obj(out));
                    }
                    let J::Str(k) = self.value()? else { return None };
                    self.ws();
                    if self.b.get(self.i) != Some(&b':') {
                        return None;
                    }
                    self.i += 1;
                    out.push((k, self.value()?));
                    self.ws();
                    if self.b.get(self.i) == Some(&b',') {
                        self.i += 1;
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut out = vec![];
                loop {
                    self.ws();
                    if self.b.get(self.i) == Some(&b']') {
                        self.i += 1;
                        return Some(J::Arr(out));
                    }
                    out.push(self.value()?);
                    self.ws();
                    if self.b.get(self.i) == Some(&b',') {
                        self.i += 1;
                    }
                }
            }
            b'"' => {
                self.i += 1;
                let mut s = String::new();
                loop {
                    let c = *self.b.get(self.i)? as char;
                    self.i += 1;
                    match c {
                        '"' => return Some(J::Str(s)),
                        '\\' => {
                            let e = *self.b.get(self.i)? as char;
                            self.i += 1;
                            s.push(match e {
                                'n' => '\n',
                                't' => '\t',
                                other => other,
                            });
                        }
                        _ => {
                            // copy a whole UTF-8 sequence
                            let start = self.i - 1;
                            let len = match c as u8 {
                                0x00..=0x7F => 1,
                                0xC0..=0xDF => 2,
                                0xE0..=0xEF => 3,
                                _ => 4,
                            };
                            self.i = start + len;
                            s.push_str(std::str::from_utf8(self.b.get(start..start + len)?).ok()?);
                        }
                    }
                }
            }
            b't' | b'f' => {
                let v = self.b[self.i] == b't';
                self.i += if v { 4 } else { 5 };
                Some(J::Bool(v))
            }
            _ => {
                while self.i < self.b.len() && !matches!(self.b[self.i], b',' | b'}' | b']') {
                    self.i += 1;
                }
                Some(J::Other)
            }
        }
    }
}

fn get<'a>(fields: &'a [(String, J)], k: &str) -> Option<&'a J> {
    fields.iter().find(|(n, _)| n == k).map(|(_, v)| v)
}

fn json_type(v: &J) -> Option<DataType> {
    match v {
        J::Str(name) => match name.as_str() {
            "integer" => Some(DataType::Int32),
            "long" => Some(DataType::Int64),
            "short" => Some(DataType::Int16),
            "byte" => Some(DataType::Int8),
            "null" => Some(DataType::Null),
            other => parse_spark_type(other),
        },
        J::Obj(f) => {
            let J::Str(kind) = get(f, "type")? else { return None };
            match kind.as_str() {
                "struct" => {
                    let J::Arr(items) = get(f, "fields")? else { return None };
                    let mut out = vec![];
                    for item in items {
                        let J::Obj(g) = item else { return None };
                        let J::Str(name) = get(g, "name")? else { return None };
                        let t = json_type(get(g, "type")?)?;
                        let nullable = !matches!(get(g, "nullable"), Some(J::Bool(false)));
                        out.push(Field::new(name, t, nullable));
                    }
                    Some(DataType::Struct(Fields::from(out)))
                }
                "array" => Some(list_of(json_type(get(f, "elementType")?)?)),
                "map" => Some(map_of(json_type(get(f, "keyType")?)?, json_type(get(f, "valueType")?)?)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The type a `from_json` schema string describes.
pub(super) fn schema_type(text: &str) -> Result<DataType> {
    let t = text.trim();
    if t.starts_with('{') {
        let mut r = Reader { b: t.as_bytes(), i: 0 };
        return r.value().as_ref().and_then(json_type).ok_or_else(|| invalid(text));
    }
    if let Ok(dt) = crate::frontend::parse_data_type(t) {
        return Ok(dt);
    }
    let cols = crate::frontend::parse_table_schema(t).map_err(|_| invalid(text))?;
    let fields: Vec<Field> = cols.into_iter().map(|c| Field::new(c.name, c.data_type, true)).collect();
    Ok(DataType::Struct(Fields::from(fields)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_forms() {
        let s = schema_type("a INT, b STRING").unwrap();
        assert_eq!(
            s,
            DataType::Struct(Fields::from(vec![
                Field::new("a", DataType::Int32, true),
                Field::new("b", DataType::Utf8, true)
            ]))
        );
        assert!(matches!(schema_type("MAP<STRING,INT>").unwrap(), DataType::Map(..)));
        let j = r#"{"fields":[{"metadata":{},"name":"a","nullable":true,"type":"integer"}],"type":"struct"}"#;
        assert_eq!(
            schema_type(j).unwrap(),
            DataType::Struct(Fields::from(vec![Field::new("a", DataType::Int32, true)]))
        );
        let j = r#"{"containsNull":true,"elementType":"integer","type":"array"}"#;
        assert_eq!(schema_type(j).unwrap(), list_of(DataType::Int32));
        assert!(schema_type("not a schema !!").is_err());
    }
}

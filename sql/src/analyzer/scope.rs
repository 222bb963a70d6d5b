//! Name resolution scopes: the attributes an expression can see, with the
//! qualifiers (`t` in `t.a`) they answer to.
//!
//! A scope has visible attributes (what `*` expands to and what unqualified
//! names find) and hidden ones: the join keys of a `USING` join that only a
//! qualified name reaches (`t2.k` after `t1 JOIN t2 USING (k)`), as in Spark.

use ember_core::error::quote_ident;
use ember_core::{Attribute, Error, Result};

#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub attrs: Vec<Attribute>,
    pub hidden: Vec<Attribute>,
    pub case_sensitive: bool,
}

impl Scope {
    pub fn new(attrs: Vec<Attribute>, case_sensitive: bool) -> Scope {
        Scope { attrs, hidden: vec![], case_sensitive }
    }

    pub fn name_eq(&self, a: &str, b: &str) -> bool {
        names_equal(a, b, self.case_sensitive)
    }

    /// `qualifier` (as written) matches the end of the attribute's qualifier.
    fn qualifier_matches(&self, attr: &Attribute, qualifier: &[String]) -> bool {
        if qualifier.len() > attr.qualifier.len() {
            return false;
        }
        let tail = &attr.qualifier[attr.qualifier.len() - qualifier.len()..];
        tail.iter().zip(qualifier).all(|(a, b)| self.name_eq(a, b))
    }

    fn matches<'a>(&self, list: &'a [Attribute], parts: &[String]) -> Vec<&'a Attribute> {
        let Some((name, qualifier)) = parts.split_last() else {
            return vec![];
        };
        let mut found: Vec<&Attribute> = Vec::new();
        for a in list {
            if self.name_eq(&a.name, name)
                && self.qualifier_matches(a, qualifier)
                && !found.iter().any(|f| f.id == a.id)
            {
                found.push(a);
            }
        }
        found
    }

    /// Resolves a (possibly qualified) column name. `Ok(None)` when nothing
    /// matches; `AMBIGUOUS_REFERENCE` when several attributes do.
    pub fn resolve(&self, parts: &[String]) -> Result<Option<Attribute>> {
        let mut found = self.matches(&self.attrs, parts);
        if found.is_empty() && parts.len() > 1 {
            found = self.matches(&self.hidden, parts);
        }
        match found.len() {
            0 => Ok(None),
            1 => Ok(Some(found[0].clone())),
            _ => {
                let names = found
                    .iter()
                    .map(|a| qualified_name(a).split('.').map(quote_ident).collect::<Vec<_>>().join("."))
                    .collect::<Vec<_>>()
                    .join(", ");
                Err(Error::spark(
                    "AMBIGUOUS_REFERENCE",
                    &[
                        ("name", parts.iter().map(|p| quote_ident(p)).collect::<Vec<_>>().join(".")),
                        ("referenceNames", format!("[{names}]")),
                    ],
                ))
            }
        }
    }

    /// `*` (no qualifier) or `t.*`: the visible attributes, in order.
    pub fn expand_star(&self, qualifier: Option<&[String]>) -> Option<Vec<Attribute>> {
        match qualifier {
            None => Some(self.attrs.clone()),
            Some(q) => {
                let v: Vec<Attribute> = self
                    .attrs
                    .iter()
                    .chain(self.hidden.iter())
                    .filter(|a| self.qualifier_matches(a, q))
                    .cloned()
                    .collect();
                if v.is_empty() {
                    None
                } else {
                    Some(v)
                }
            }
        }
    }

    /// Spark's suggestions for an unresolved name: the visible columns,
    /// qualified, closest first by edit distance (at most five).
    pub fn suggestions(&self, parts: &[String]) -> Vec<String> {
        let multi = parts.len() > 1;
        let base = parts.join(".");
        let mut cands: Vec<(usize, String)> = self
            .attrs
            .iter()
            .map(|a| {
                let full = qualified_name(a);
                let key = if multi { full.clone() } else { a.name.clone() };
                (levenshtein(&key.to_lowercase(), &base.to_lowercase()), full)
            })
            .collect();
        cands.sort_by_key(|(d, _)| *d);
        let mut out: Vec<String> = Vec::new();
        for (_, c) in cands {
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out.truncate(5);
        out
    }
}

pub fn names_equal(a: &str, b: &str, case_sensitive: bool) -> bool {
    if case_sensitive {
        a == b
    } else {
        a.eq_ignore_ascii_case(b)
    }
}

/// `t.a` for an attribute qualified by `t` (dot-joined; the error renders
/// each part quoted).
pub fn qualified_name(a: &Attribute) -> String {
    let mut parts = a.qualifier.clone();
    parts.push(a.name.clone());
    parts.join(".")
}

pub fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

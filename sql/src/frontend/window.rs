//! `OVER (...)` and the `WINDOW` clause -> `spec::Expr::Window`.
//!
//! Named windows (`WINDOW w AS (...)`, `OVER w`, `OVER (w)`) are replaced
//! by their definition while the SELECT that defines them is converted, as
//! Spark's `WindowsSubstitution` does. The definitions of the SELECT being
//! converted live on a per-thread stack (conversion is synchronous), pushed
//! by [`NamedWindows::enter`] and popped when its guard drops, so a nested
//! query sees its own WINDOW clause only.

use std::cell::RefCell;

use ember_core::error::{quote_ident, Span, SparkError};
use ember_core::spec::{Expr, FrameBound, FrameUnits, SortExpr, WindowFrame};
use ember_core::{Error, Result};
use sqlparser::ast;

use super::Converter;

/// A window specification without its function.
#[derive(Debug, Clone)]
pub(crate) struct WindowSpec {
    pub partition_by: Vec<Expr>,
    pub order_by: Vec<SortExpr>,
    pub frame: Option<WindowFrame>,
}

thread_local! {
    /// The WINDOW clauses of the SELECTs being converted, innermost last.
    static NAMED_WINDOWS: RefCell<Vec<Vec<(String, WindowSpec)>>> = const { RefCell::new(Vec::new()) };
}

/// The named windows of one SELECT, in effect until the guard drops.
pub(crate) struct NamedWindows;

impl NamedWindows {
    pub fn enter(defs: Vec<(String, WindowSpec)>) -> NamedWindows {
        NAMED_WINDOWS.with(|s| s.borrow_mut().push(defs));
        NamedWindows
    }
}

impl Drop for NamedWindows {
    fn drop(&mut self) {
        NAMED_WINDOWS.with(|s| {
            s.borrow_mut().pop();
        });
    }
}

/// The definition of window `name` in the innermost SELECT (names are
/// case-insensitive, like Spark's).
fn lookup(name: &str) -> Result<WindowSpec> {
    NAMED_WINDOWS
        .with(|s| {
            s.borrow().last().and_then(|defs| defs.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, w)| w.clone()))
        })
        .ok_or_else(|| {
            spark_error(
                "MISSING_WINDOW_SPECIFICATION",
                "42P20",
                &[("windowName", name.to_string()), ("docroot", "https://spark.apache.org/docs/latest".to_string())],
                format!(
                    "Window specification {name} is not defined in the WINDOW clause. For more information about \
                     WINDOW clauses, please refer to 'https://spark.apache.org/docs/latest/sql-ref-syntax-qry-select-window.html'."
                ),
            )
        })
}

/// A Spark error with a message written here (the core table does not
/// keep these templates).
pub(crate) fn spark_error(class: &str, state: &str, params: &[(&str, String)], message: String) -> Error {
    Error::Spark(Box::new(SparkError {
        error_class: class.to_string(),
        sql_state: state.to_string(),
        parameters: params.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
        message,
        span: None,
    }))
}

/// Whether a frame bound is a constant as Spark's parser requires (it
/// rejects anything unresolved or not foldable: columns, function calls).
fn is_constant(e: &Expr) -> bool {
    match e {
        Expr::Literal { .. } | Expr::Parameter { .. } => true,
        Expr::Negative { expr, .. } | Expr::Cast { expr, .. } | Expr::Alias { expr, .. } => is_constant(expr),
        Expr::Binary { left, right, .. } => is_constant(left) && is_constant(right),
        Expr::Function { name, args, .. } => name == "positive" && args.iter().all(is_constant),
        _ => false,
    }
}

impl Converter<'_> {
    /// `function OVER window`.
    pub(crate) fn window(&self, function: Expr, over: &ast::WindowType, span: Option<Span>) -> Result<Expr> {
        let spec = match over {
            ast::WindowType::NamedWindow(name) => lookup(&name.value).map_err(|e| e.with_span(span))?,
            ast::WindowType::WindowSpec(spec) => self.window_spec(spec).map_err(|e| e.with_span(span))?,
        };
        Ok(Expr::Window {
            function: Box::new(function),
            partition_by: spec.partition_by,
            order_by: spec.order_by,
            frame: spec.frame,
            span,
        })
    }

    /// `(PARTITION BY .. ORDER BY .. frame)` or `(w)`.
    pub(crate) fn window_spec(&self, spec: &ast::WindowSpec) -> Result<WindowSpec> {
        if let Some(name) = &spec.window_name {
            if spec.partition_by.is_empty() && spec.order_by.is_empty() && spec.window_frame.is_none() {
                return lookup(&name.value);
            }
            return Err(Error::not_implemented("SQL window specification that refines a named window"));
        }
        let frame = match &spec.window_frame {
            Some(f) => Some(self.window_frame(f)?),
            None => None,
        };
        Ok(WindowSpec {
            partition_by: self.exprs(&spec.partition_by)?,
            order_by: self.sort_exprs(&spec.order_by)?,
            frame,
        })
    }

    fn window_frame(&self, f: &ast::WindowFrame) -> Result<WindowFrame> {
        let units = match f.units {
            ast::WindowFrameUnits::Rows => FrameUnits::Rows,
            ast::WindowFrameUnits::Range => FrameUnits::Range,
            ast::WindowFrameUnits::Groups => return Err(Error::not_implemented("SQL GROUPS window frame")),
        };
        let start = self.frame_bound(&f.start_bound)?;
        let end = match &f.end_bound {
            Some(b) => self.frame_bound(b)?,
            None => FrameBound::CurrentRow,
        };
        Ok(WindowFrame { units, start, end })
    }

    fn frame_bound(&self, b: &ast::WindowFrameBound) -> Result<FrameBound> {
        let value = |e: &ast::Expr| -> Result<Box<Expr>> {
            let v = self.expr(e)?;
            if !is_constant(&v) {
                return Err(spark_error(
                    "_LEGACY_ERROR_TEMP_0064",
                    "42601",
                    &[("msg", "Frame bound value must be a literal.".to_string())],
                    "Frame bound value must be a literal.".to_string(),
                )
                .with_span(self.src.span_of(e)));
            }
            Ok(Box::new(v))
        };
        Ok(match b {
            ast::WindowFrameBound::CurrentRow => FrameBound::CurrentRow,
            ast::WindowFrameBound::Preceding(None) => FrameBound::UnboundedPreceding,
            ast::WindowFrameBound::Preceding(Some(e)) => FrameBound::Preceding(value(e)?),
            ast::WindowFrameBound::Following(None) => FrameBound::UnboundedFollowing,
            ast::WindowFrameBound::Following(Some(e)) => FrameBound::Following(value(e)?),
        })
    }

    /// The WINDOW clause of a SELECT: each definition converted, in order (a
    /// definition may name an earlier one); a name defined twice is Spark's
    /// `REPETITIVE_WINDOW_DEFINITION`.
    pub(crate) fn named_windows(&self, defs: &[ast::NamedWindowDefinition]) -> Result<Vec<(String, WindowSpec)>> {
        let mut out: Vec<(String, WindowSpec)> = Vec::with_capacity(defs.len());
        for ast::NamedWindowDefinition(name, def) in defs {
            if out.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name.value)) {
                let shown = quote_ident(&name.value);
                return Err(spark_error(
                    "INVALID_SQL_SYNTAX.REPETITIVE_WINDOW_DEFINITION",
                    "42000",
                    &[("windowName", shown.clone())],
                    format!("Invalid SQL syntax: The definition of window {shown} is repetitive."),
                ));
            }
            let spec = match def {
                ast::NamedWindowExpr::NamedWindow(other) => {
                    match out.iter().find(|(n, _)| n.eq_ignore_ascii_case(&other.value)).map(|(_, w)| w.clone()) {
                        Some(w) => w,
                        None => lookup(&other.value)?,
                    }
                }
                ast::NamedWindowExpr::WindowSpec(spec) => {
                    // a definition may refer to one defined before it
                    let _scope = NamedWindows::enter(out.clone());
                    self.window_spec(spec)?
                }
            };
            out.push((name.value.clone(), spec));
        }
        Ok(out)
    }
}

//! The renderer: the one place a search's SQL text is made, for SQLite or
//! PostgreSQL ([`Dialect`]).
//!
//! It numbers placeholders in order of appearance, quotes every identifier,
//! escapes LIKE patterns (`\` is the escape character) and binds every
//! value. A list value is one parameter (`IN rarray(?n)`, rusqlite's array
//! table-valued function, in SQLite; `= ANY($n)` in PostgreSQL), so a
//! statement's text does not depend on how many ids a request names and
//! stays in the statement cache.
//!
//! The dialects differ in placeholders (`?1`; `$1::bigint`, typed so that
//! PostgreSQL never has to guess a parameter's type), lists, truth values
//! (`1`/`0`; `TRUE`/`FALSE`) and [`Expr::Unindexed`] (`+x` in SQLite, which
//! its planner reads as "no index"; `(condition) IS TRUE` in PostgreSQL,
//! which no index matches).

use super::sql::{
    Aggregate, Alias, CmpOp, Expr, JoinSource, LikePattern, Order, Query, Select, Source, SqlValue,
};
use std::fmt::Write;

/// A statement ready to prepare: its text and its parameters, in placeholder order.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub sql: String,
    pub params: Vec<SqlValue>,
}

/// The SQL dialect to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// Renders `query` for `dialect`.
pub fn render(query: &Query, dialect: Dialect) -> Rendered {
    let mut renderer = Renderer {
        dialect,
        sql: String::with_capacity(512),
        params: Vec::new(),
    };
    renderer.query(query);
    Rendered {
        sql: renderer.sql,
        params: renderer.params,
    }
}

struct Renderer {
    dialect: Dialect,
    sql: String,
    params: Vec<SqlValue>,
}

/// Quotes an identifier. Names come from this crate only; quoting anyway
/// keeps a future name that is also a keyword from breaking a statement.
fn quote(out: &mut String, name: &str) {
    out.push('"');
    for c in name.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
}

fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl Renderer {
    fn bind(&mut self, value: SqlValue) {
        let cast = match &value {
            SqlValue::Null => "",
            SqlValue::Int(_) => "::bigint",
            SqlValue::Real(_) => "::float8",
            SqlValue::Text(_) => "::text",
            SqlValue::IntList(_) => "::bigint[]",
            SqlValue::TextList(_) => "::text[]",
        };
        self.params.push(value);
        let n = self.params.len();
        let _ = match self.dialect {
            Dialect::Sqlite => write!(self.sql, "?{n}"),
            Dialect::Postgres => write!(self.sql, "${n}{cast}"),
        };
    }

    fn alias(&mut self, alias: Alias) {
        let _ = write!(self.sql, "\"t{}\"", alias.0);
    }

    fn query(&mut self, query: &Query) {
        match query {
            Query::Select(select) => self.select(select),
            Query::UnionAll(selects) => {
                for (i, select) in selects.iter().enumerate() {
                    if i > 0 {
                        self.sql.push_str(" UNION ALL ");
                    }
                    self.select(select);
                }
            }
        }
    }

    fn select(&mut self, select: &Select) {
        self.sql.push_str(if select.distinct {
            "SELECT DISTINCT "
        } else {
            "SELECT "
        });
        for (i, (expr, name)) in select.columns.iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.expr(expr);
            if let Some(name) = name {
                self.sql.push_str(" AS ");
                quote(&mut self.sql, name);
            }
        }
        self.sql.push_str(" FROM ");
        match &select.from {
            Source::Table(table, alias) => {
                quote(&mut self.sql, table.name());
                self.sql.push_str(" AS ");
                self.alias(*alias);
            }
            Source::Derived(query, alias) => {
                self.sql.push('(');
                self.query(query);
                self.sql.push_str(") AS ");
                self.alias(*alias);
            }
        }
        for join in &select.joins {
            match &join.source {
                JoinSource::Table(table) => {
                    self.sql.push_str(" JOIN ");
                    quote(&mut self.sql, table.name());
                }
                JoinSource::Lateral(query) => {
                    self.sql.push_str(" JOIN LATERAL (");
                    self.query(query);
                    self.sql.push(')');
                }
            }
            self.sql.push_str(" AS ");
            self.alias(join.alias);
            self.sql.push_str(" ON ");
            self.expr(&join.on);
        }
        if !select.filter.is_empty() {
            self.sql.push_str(" WHERE ");
            for (i, expr) in select.filter.iter().enumerate() {
                if i > 0 {
                    self.sql.push_str(" AND ");
                }
                self.expr(expr);
            }
        }
        if !select.order_by.is_empty() {
            self.sql.push_str(" ORDER BY ");
            for (i, term) in select.order_by.iter().enumerate() {
                if i > 0 {
                    self.sql.push_str(", ");
                }
                self.expr(&term.expr);
                self.sql.push_str(match term.order {
                    Order::Ascending => " ASC",
                    Order::AscendingNullsLast => " ASC NULLS LAST",
                    Order::DescendingNullsLast => " DESC NULLS LAST",
                });
            }
        }
        if let Some(limit) = select.limit {
            self.sql.push_str(" LIMIT ");
            self.bind(SqlValue::Int(limit));
        }
    }

    fn list(&mut self, separator: &str, parts: &[Expr]) {
        self.sql.push('(');
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                self.sql.push_str(separator);
            }
            self.expr(part);
        }
        self.sql.push(')');
    }

    fn expr(&mut self, expr: &Expr) {
        match expr {
            Expr::Column(alias, column) => {
                self.alias(*alias);
                self.sql.push('.');
                quote(&mut self.sql, column);
            }
            Expr::Value(value) => self.bind(value.clone()),
            Expr::Literal(value) => {
                let _ = write!(self.sql, "{value}");
            }
            Expr::Bool(value) => self.sql.push_str(match (self.dialect, value) {
                (Dialect::Sqlite, true) => "1",
                (Dialect::Sqlite, false) => "0",
                (Dialect::Postgres, true) => "TRUE",
                (Dialect::Postgres, false) => "FALSE",
            }),
            Expr::Compare(left, op, right) => {
                self.expr(left);
                self.sql.push_str(match op {
                    CmpOp::Eq => " = ",
                    CmpOp::Ne => " <> ",
                    CmpOp::Lt => " < ",
                    CmpOp::Le => " <= ",
                    CmpOp::Gt => " > ",
                    CmpOp::Ge => " >= ",
                });
                self.expr(right);
            }
            Expr::And(parts) => self.list(" AND ", parts),
            Expr::Or(parts) => self.list(" OR ", parts),
            Expr::Not(inner) => {
                self.sql.push_str("NOT ");
                self.list("", std::slice::from_ref(inner));
            }
            Expr::IsNull(inner) => {
                self.expr(inner);
                self.sql.push_str(" IS NULL");
            }
            Expr::InList(inner, list) => {
                self.expr(inner);
                match self.dialect {
                    Dialect::Sqlite => {
                        self.sql.push_str(" IN rarray(");
                        self.bind(list.clone());
                        self.sql.push(')');
                    }
                    Dialect::Postgres => {
                        self.sql.push_str(" = ANY(");
                        self.bind(list.clone());
                        self.sql.push(')');
                    }
                }
            }
            Expr::InQuery(inner, query) => {
                self.expr(inner);
                self.sql.push_str(" IN (");
                self.query(query);
                self.sql.push(')');
            }
            Expr::InDriver(inner, query) => {
                self.expr(inner);
                self.sql.push_str(match self.dialect {
                    Dialect::Sqlite => " IN (",
                    Dialect::Postgres => " = ANY(ARRAY(",
                });
                self.query(query);
                self.sql.push_str(match self.dialect {
                    Dialect::Sqlite => ")",
                    Dialect::Postgres => "))",
                });
            }
            Expr::Exists(query) => {
                self.sql.push_str("EXISTS (");
                self.query(query);
                // Every EXISTS is a probe of the row the driver found. An
                // OFFSET keeps PostgreSQL from turning it into a semi-join it
                // may then drive from, on a generic plan's guess of its size.
                if self.dialect == Dialect::Postgres {
                    self.sql.push_str(" OFFSET 0");
                }
                self.sql.push(')');
            }
            Expr::Scalar(query) => {
                self.sql.push('(');
                self.query(query);
                self.sql.push(')');
            }
            Expr::Like(inner, pattern) => {
                self.expr(inner);
                self.sql.push_str(" LIKE ");
                let LikePattern::Contains(text) = pattern;
                self.bind(SqlValue::Text(format!("%{}%", escape_like(text))));
                self.sql.push_str(" ESCAPE '\\'");
            }
            Expr::Aggregate(aggregate, inner) => {
                self.sql.push_str(match aggregate {
                    Aggregate::Min => "MIN(",
                    Aggregate::Max => "MAX(",
                });
                self.expr(inner);
                self.sql.push(')');
            }
            Expr::CountAll => self.sql.push_str("COUNT(*)"),
            Expr::Unindexed(inner) => match self.dialect {
                Dialect::Sqlite => {
                    self.sql.push('+');
                    self.expr(inner);
                }
                // A condition PostgreSQL cannot match to an index: with
                // generic plans it otherwise judged a probe's value test
                // (three equalities on idx_reference_target) more selective
                // than the probe's primary key, and scanned hundreds of a
                // patient's references for every candidate row.
                Dialect::Postgres if is_condition(inner) => {
                    self.sql.push('(');
                    self.expr(inner);
                    self.sql.push_str(") IS TRUE");
                }
                Dialect::Postgres => self.expr(inner),
            },
        }
    }
}

/// Whether `expr` is a truth value (a condition), not a column or a value.
fn is_condition(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::Compare(..)
            | Expr::And(_)
            | Expr::Or(_)
            | Expr::Not(_)
            | Expr::IsNull(_)
            | Expr::InList(..)
            | Expr::InQuery(..)
            | Expr::InDriver(..)
            | Expr::Exists(_)
            | Expr::Like(..)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::sql::{Aliases, Table};

    #[test]
    fn values_are_bound_and_like_is_escaped() {
        let mut aliases = Aliases::default();
        let s = aliases.fresh();
        let select = Select::from(Table::IdxString, s)
            .column(Expr::col(s, "rid"))
            .filter(Expr::eq(Expr::col(s, "exact"), Expr::text("x' OR 1=1 --")))
            .filter(Expr::Like(
                Box::new(Expr::col(s, "normalized")),
                LikePattern::Contains("50%_off\\".into()),
            ));
        let rendered = render(&Query::Select(select.clone()), Dialect::Sqlite);
        assert_eq!(
            rendered.sql,
            "SELECT \"t0\".\"rid\" FROM \"idx_string\" AS \"t0\" WHERE \"t0\".\"exact\" = ?1 \
             AND \"t0\".\"normalized\" LIKE ?2 ESCAPE '\\'"
        );
        assert_eq!(
            rendered.params,
            vec![
                SqlValue::Text("x' OR 1=1 --".into()),
                SqlValue::Text("%50\\%\\_off\\\\%".into())
            ]
        );
        let postgres = render(&Query::Select(select), Dialect::Postgres);
        assert_eq!(
            postgres.sql,
            "SELECT \"t0\".\"rid\" FROM \"idx_string\" AS \"t0\" WHERE \"t0\".\"exact\" = $1::text \
             AND \"t0\".\"normalized\" LIKE $2::text ESCAPE '\\'"
        );
        assert_eq!(postgres.params, rendered.params);
    }

    #[test]
    fn an_unindexed_condition_is_kept_from_every_index() {
        let mut aliases = Aliases::default();
        let s = aliases.fresh();
        let select = Select::from(Table::IdxReference, s)
            .column(Expr::col(s, "rid").unindexed())
            .filter(Expr::eq(Expr::col(s, "target_id"), Expr::text("p1")).unindexed());
        let sqlite = render(&Query::Select(select.clone()), Dialect::Sqlite);
        assert_eq!(
            sqlite.sql,
            "SELECT +\"t0\".\"rid\" FROM \"idx_reference\" AS \"t0\" WHERE +\"t0\".\"target_id\" = ?1"
        );
        let postgres = render(&Query::Select(select), Dialect::Postgres);
        assert_eq!(
            postgres.sql,
            "SELECT \"t0\".\"rid\" FROM \"idx_reference\" AS \"t0\" \
             WHERE (\"t0\".\"target_id\" = $1::text) IS TRUE"
        );
    }
}

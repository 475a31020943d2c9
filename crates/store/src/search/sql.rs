//! The typed SQL tree: what a search compiles to before any text exists.
//!
//! Tables and columns are `&'static str` names from this crate's schema
//! ([`Table`] and the column constants in `build`), never request text;
//! every value is a [`SqlValue`] that the renderer binds as a parameter.
//! The renderer ([`super::render`], one per [`super::render::Dialect`])
//! turns the tree into text: it alone numbers placeholders, quotes
//! identifiers and escapes LIKE patterns, so no other code writes SQL for a
//! search.

/// The tables a search reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Resource,
    ResourceVersion,
    IdxString,
    IdxToken,
    IdxDate,
    IdxNumber,
    IdxQuantity,
    IdxReference,
    IdxUri,
}

impl Table {
    pub fn name(self) -> &'static str {
        match self {
            Table::Resource => "resource",
            Table::ResourceVersion => "resource_version",
            Table::IdxString => "idx_string",
            Table::IdxToken => "idx_token",
            Table::IdxDate => "idx_date",
            Table::IdxNumber => "idx_number",
            Table::IdxQuantity => "idx_quantity",
            Table::IdxReference => "idx_reference",
            Table::IdxUri => "idx_uri",
        }
    }

    /// Every index table (each keyed by `rid, param_hash, ord`).
    pub const INDEXES: [Table; 7] = [
        Table::IdxString,
        Table::IdxToken,
        Table::IdxDate,
        Table::IdxNumber,
        Table::IdxQuantity,
        Table::IdxReference,
        Table::IdxUri,
    ];
}

/// A table alias, rendered `t0`, `t1`, ... (or a derived table's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Alias(pub u32);

/// A value bound as a parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    /// A list bound as one parameter (`IN rarray(?)` in SQLite,
    /// `= ANY($n)` in PostgreSQL).
    IntList(Vec<i64>),
    TextList(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    Min,
    Max,
}

/// A LIKE pattern before escaping: the renderer escapes `%`, `_` and the
/// escape character itself in the text.
#[derive(Debug, Clone, PartialEq)]
pub enum LikePattern {
    Contains(String),
}

/// A scalar or boolean expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Column(Alias, &'static str),
    Value(SqlValue),
    /// A constant of our own making (`1` in `SELECT 1`, a boolean), never a
    /// value from a request.
    Literal(i64),
    /// A constant truth value (an empty `AND` or `OR`, a test that can
    /// never hold).
    Bool(bool),
    Compare(Box<Expr>, CmpOp, Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    IsNull(Box<Expr>),
    /// `expr IN <list parameter>`.
    InList(Box<Expr>, SqlValue),
    InQuery(Box<Expr>, Box<Query>),
    /// `expr IN (query)` where the query is the search's driver: computed
    /// once, before any other test. SQLite does that for `IN (query)`;
    /// PostgreSQL gets `= ANY(ARRAY(query))`, an init plan, because with a
    /// generic plan it may otherwise join the driver in per row of another
    /// test it misjudges as smaller.
    InDriver(Box<Expr>, Box<Query>),
    Exists(Box<Query>),
    Scalar(Box<Query>),
    Like(Box<Expr>, LikePattern),
    Aggregate(Aggregate, Box<Expr>),
    CountAll,
    /// Keeps the planner from using an index for this test (`+x` in
    /// SQLite), so it drives from the index chosen on purpose.
    Unindexed(Box<Expr>),
}

impl Expr {
    pub fn col(alias: Alias, column: &'static str) -> Expr {
        Expr::Column(alias, column)
    }

    pub fn cmp(left: Expr, op: CmpOp, right: Expr) -> Expr {
        Expr::Compare(Box::new(left), op, Box::new(right))
    }

    pub fn eq(left: Expr, right: Expr) -> Expr {
        Expr::cmp(left, CmpOp::Eq, right)
    }

    pub fn int(value: i64) -> Expr {
        Expr::Value(SqlValue::Int(value))
    }

    pub fn real(value: f64) -> Expr {
        Expr::Value(SqlValue::Real(value))
    }

    pub fn text(value: impl Into<String>) -> Expr {
        Expr::Value(SqlValue::Text(value.into()))
    }

    pub fn negated(self) -> Expr {
        Expr::Not(Box::new(self))
    }

    pub fn unindexed(self) -> Expr {
        Expr::Unindexed(Box::new(self))
    }

    pub fn exists(query: Select) -> Expr {
        Expr::Exists(Box::new(Query::Select(query)))
    }

    pub fn in_query(self, query: Query) -> Expr {
        Expr::InQuery(Box::new(self), Box::new(query))
    }

    pub fn in_driver(self, query: Query) -> Expr {
        Expr::InDriver(Box::new(self), Box::new(query))
    }

    pub fn in_list(self, list: SqlValue) -> Expr {
        Expr::InList(Box::new(self), list)
    }

    /// `AND` of `parts`, flattening the trivial cases.
    pub fn all(mut parts: Vec<Expr>) -> Expr {
        match parts.len() {
            0 => Expr::Bool(true),
            1 => parts.remove(0),
            _ => Expr::And(parts),
        }
    }

    /// `OR` of `parts`, flattening the trivial cases.
    pub fn any(mut parts: Vec<Expr>) -> Expr {
        match parts.len() {
            0 => Expr::Bool(false),
            1 => parts.remove(0),
            _ => Expr::Or(parts),
        }
    }
}

/// Where rows come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Table(Table, Alias),
    Derived(Box<Query>, Alias),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Join {
    pub source: JoinSource,
    pub alias: Alias,
    pub on: Expr,
}

/// What a join reads.
#[derive(Debug, Clone, PartialEq)]
pub enum JoinSource {
    Table(Table),
    /// A subquery that may refer to the rows before it (`JOIN LATERAL`):
    /// PostgreSQL only.
    Lateral(Box<Query>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Ascending, on a column that is never null (the rid).
    Ascending,
    /// Ascending, nulls last.
    AscendingNullsLast,
    /// Descending, nulls last.
    DescendingNullsLast,
}

/// One `ORDER BY` term.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderTerm {
    pub expr: Expr,
    pub order: Order,
}

/// A `SELECT`. Output columns may be named (`&'static str`) for a derived
/// table's readers.
#[derive(Debug, Clone, PartialEq)]
pub struct Select {
    /// `SELECT DISTINCT`.
    pub distinct: bool,
    pub columns: Vec<(Expr, Option<&'static str>)>,
    pub from: Source,
    pub joins: Vec<Join>,
    pub filter: Vec<Expr>,
    pub order_by: Vec<OrderTerm>,
    pub limit: Option<i64>,
}

impl Select {
    pub fn from(table: Table, alias: Alias) -> Select {
        Select {
            distinct: false,
            columns: Vec::new(),
            from: Source::Table(table, alias),
            joins: Vec::new(),
            filter: Vec::new(),
            order_by: Vec::new(),
            limit: None,
        }
    }

    pub fn column(mut self, expr: Expr) -> Select {
        self.columns.push((expr, None));
        self
    }

    pub fn named(mut self, expr: Expr, name: &'static str) -> Select {
        self.columns.push((expr, Some(name)));
        self
    }

    pub fn join(mut self, table: Table, alias: Alias, on: Expr) -> Select {
        self.joins.push(Join {
            source: JoinSource::Table(table),
            alias,
            on,
        });
        self
    }

    pub fn filter(mut self, expr: Expr) -> Select {
        self.filter.push(expr);
        self
    }
}

/// A query: one `SELECT` or several joined by `UNION ALL`.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    Select(Select),
    UnionAll(Vec<Select>),
}

/// Hands out fresh aliases for one statement.
#[derive(Debug, Default)]
pub struct Aliases(u32);

impl Aliases {
    pub fn fresh(&mut self) -> Alias {
        let alias = Alias(self.0);
        self.0 += 1;
        alias
    }
}

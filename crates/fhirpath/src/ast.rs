//! The FHIRPath syntax tree produced by the parser and walked by the evaluator.

use crate::decimal::Decimal;
use crate::quantity::Quantity;
use crate::temporal::{DateTime, Time};

/// A literal written in the expression.
#[derive(Clone, Debug)]
pub enum Literal {
    /// `{}`
    Empty,
    Boolean(bool),
    String(String),
    Integer(i64),
    Decimal(Decimal),
    Date(DateTime),
    DateTime(DateTime),
    Time(Time),
    Quantity(Quantity),
}

/// A type name as written after `is`/`as` or inside `ofType(...)`: `FHIR.Patient`,
/// `System.String` or just `Quantity`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeSpecifier {
    pub namespace: Option<String>,
    pub name: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Plus,
    Minus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Multiply,
    Divide,
    Div,
    Mod,
    Add,
    Subtract,
    Concatenate,
    Union,
    LessThan,
    LessOrEqual,
    GreaterThan,
    GreaterOrEqual,
    Equal,
    NotEqual,
    Equivalent,
    NotEquivalent,
    In,
    Contains,
    And,
    Or,
    Xor,
    Implies,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeOp {
    Is,
    As,
}

/// A FHIRPath expression node.
#[derive(Clone, Debug)]
pub enum Expr {
    Literal(Literal),
    /// A name at the start of a path: an element of the focus, or its type name.
    Identifier(String),
    This,
    Index,
    Total,
    /// `%name`: an environment variable.
    Variable(String),
    /// `target.name`
    Member(Box<Expr>, String),
    /// `target.name(args)`, or `name(args)` on the focus when `target` is `None`.
    Function {
        target: Option<Box<Expr>>,
        name: String,
        args: Vec<Expr>,
        position: usize,
    },
    /// `target[index]`
    Indexer(Box<Expr>, Box<Expr>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    TypeOp(TypeOp, Box<Expr>, TypeSpecifier),
}

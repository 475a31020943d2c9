//! The FHIRPath parser: a Pratt (precedence-climbing) parser over the lexer's tokens.
//!
//! Precedence, tightest first, follows the FHIRPath N1 grammar: `.` and `[]`; unary
//! `+ -`; `* / div mod`; `+ - &`; `is as`; `|`; `< > <= >=`; `= ~ != !~`;
//! `in contains`; `and`; `or xor`; `implies`. Nesting is bounded by [`crate::MAX_DEPTH`]
//! so hostile input cannot overflow the stack.

use crate::MAX_DEPTH;
use crate::ast::{BinaryOp, Expr, Literal, TypeOp, TypeSpecifier, UnaryOp};
use crate::decimal::Decimal;
use crate::error::Error;
use crate::lexer::{Token, TokenKind, tokenize};
use crate::quantity::{Quantity, calendar_keyword};
use crate::temporal::{DateTime, Time};

/// Parses a whole expression.
pub fn parse(text: &str) -> Result<Expr, Error> {
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    let expr = parser.expression(0)?;
    let token = parser.peek();
    if token.kind != TokenKind::End {
        return Err(Error::syntax(
            token.position,
            format!("unexpected {}", describe(&token.kind)),
        ));
    }
    Ok(expr)
}

fn describe(kind: &TokenKind) -> String {
    match kind {
        TokenKind::End => "end of expression".into(),
        TokenKind::Symbol(s) => format!("'{s}'"),
        TokenKind::Identifier(s) | TokenKind::DelimitedIdentifier(s) => format!("'{s}'"),
        other => format!("{other:?}"),
    }
}

const PREFIX_BP: u8 = 21;
const POSTFIX_BP: u8 = 23;
const TYPE_OP_BP: u8 = 15;

fn infix_operator(kind: &TokenKind) -> Option<(BinaryOp, u8)> {
    let op = match kind {
        TokenKind::Symbol(s) => match *s {
            "*" => (BinaryOp::Multiply, 19),
            "/" => (BinaryOp::Divide, 19),
            "+" => (BinaryOp::Add, 17),
            "-" => (BinaryOp::Subtract, 17),
            "&" => (BinaryOp::Concatenate, 17),
            "|" => (BinaryOp::Union, 13),
            "<" => (BinaryOp::LessThan, 11),
            "<=" => (BinaryOp::LessOrEqual, 11),
            ">" => (BinaryOp::GreaterThan, 11),
            ">=" => (BinaryOp::GreaterOrEqual, 11),
            "=" => (BinaryOp::Equal, 9),
            "!=" => (BinaryOp::NotEqual, 9),
            "~" => (BinaryOp::Equivalent, 9),
            "!~" => (BinaryOp::NotEquivalent, 9),
            _ => return None,
        },
        TokenKind::Identifier(word) => match word.as_str() {
            "div" => (BinaryOp::Div, 19),
            "mod" => (BinaryOp::Mod, 19),
            "in" => (BinaryOp::In, 7),
            "contains" => (BinaryOp::Contains, 7),
            "and" => (BinaryOp::And, 5),
            "or" => (BinaryOp::Or, 3),
            "xor" => (BinaryOp::Xor, 3),
            "implies" => (BinaryOp::Implies, 1),
            _ => return None,
        },
        _ => return None,
    };
    Some(op)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Token {
        self.tokens
            .get(self.pos)
            .or_else(|| self.tokens.last())
            .cloned()
            .unwrap_or(Token {
                kind: TokenKind::End,
                position: 0,
            })
    }

    fn peek_kind_at(&self, offset: usize) -> Option<&TokenKind> {
        self.tokens.get(self.pos + offset).map(|t| &t.kind)
    }

    fn advance(&mut self) -> Token {
        let token = self.peek();
        if self.pos < self.tokens.len() {
            self.pos += 1;
        }
        token
    }

    fn is_symbol(&self, symbol: &str) -> bool {
        matches!(&self.peek().kind, TokenKind::Symbol(s) if *s == symbol)
    }

    fn expect_symbol(&mut self, symbol: &'static str) -> Result<(), Error> {
        if self.is_symbol(symbol) {
            self.advance();
            return Ok(());
        }
        let token = self.peek();
        Err(Error::syntax(
            token.position,
            format!("expected '{symbol}', found {}", describe(&token.kind)),
        ))
    }

    /// `self.depth` is the depth of the tree being built at this point: one level
    /// per enclosing expression plus one per postfix/infix step already taken, so it
    /// bounds the finished tree's depth (and with it the evaluator's recursion).
    fn deeper(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Error::TooDeep {
                position: self.peek().position,
                limit: MAX_DEPTH,
            });
        }
        Ok(())
    }

    fn expression(&mut self, min_bp: u8) -> Result<Expr, Error> {
        let entry_depth = self.depth;
        let result = self.deeper().and_then(|()| self.expression_inner(min_bp));
        self.depth = entry_depth;
        result
    }

    fn expression_inner(&mut self, min_bp: u8) -> Result<Expr, Error> {
        let mut lhs = self.prefix()?;
        loop {
            // Each postfix or infix step nests the tree one level deeper (`a.b.c` is
            // Member(Member(a, b), c)).
            self.deeper()?;
            let token = self.peek();
            if self.is_symbol(".") && POSTFIX_BP >= min_bp {
                self.advance();
                lhs = self.member(lhs)?;
                continue;
            }
            if self.is_symbol("[") && POSTFIX_BP >= min_bp {
                self.advance();
                let index = self.expression(0)?;
                self.expect_symbol("]")?;
                lhs = Expr::Indexer(Box::new(lhs), Box::new(index));
                continue;
            }
            if let TokenKind::Identifier(word) = &token.kind
                && (word == "is" || word == "as")
            {
                if TYPE_OP_BP < min_bp {
                    break;
                }
                let op = if word == "is" { TypeOp::Is } else { TypeOp::As };
                self.advance();
                let type_spec = self.type_specifier()?;
                lhs = Expr::TypeOp(op, Box::new(lhs), type_spec);
                continue;
            }
            let Some((op, bp)) = infix_operator(&token.kind) else {
                break;
            };
            if bp < min_bp {
                break;
            }
            self.advance();
            let rhs = self.expression(bp + 1)?;
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn type_specifier(&mut self) -> Result<TypeSpecifier, Error> {
        let first = self.identifier_name()?;
        if self.is_symbol(".") {
            self.advance();
            let name = self.identifier_name()?;
            return Ok(TypeSpecifier {
                namespace: Some(first),
                name,
            });
        }
        Ok(TypeSpecifier {
            namespace: None,
            name: first,
        })
    }

    fn identifier_name(&mut self) -> Result<String, Error> {
        let token = self.advance();
        match token.kind {
            TokenKind::Identifier(name) | TokenKind::DelimitedIdentifier(name) => Ok(name),
            other => Err(Error::syntax(
                token.position,
                format!("expected a name, found {}", describe(&other)),
            )),
        }
    }

    /// After a `.`: an element name or a method call.
    fn member(&mut self, target: Expr) -> Result<Expr, Error> {
        let position = self.peek().position;
        let name = self.identifier_name()?;
        if self.is_symbol("(") {
            let args = self.arguments()?;
            return Ok(Expr::Function {
                target: Some(Box::new(target)),
                name,
                args,
                position,
            });
        }
        Ok(Expr::Member(Box::new(target), name))
    }

    fn arguments(&mut self) -> Result<Vec<Expr>, Error> {
        self.expect_symbol("(")?;
        let mut args = Vec::new();
        if self.is_symbol(")") {
            self.advance();
            return Ok(args);
        }
        loop {
            args.push(self.expression(0)?);
            if self.is_symbol(",") {
                self.advance();
                continue;
            }
            self.expect_symbol(")")?;
            return Ok(args);
        }
    }

    fn prefix(&mut self) -> Result<Expr, Error> {
        let token = self.advance();
        let position = token.position;
        match token.kind {
            TokenKind::Number(text) => self.number(&text, position),
            TokenKind::String(text) => Ok(Expr::Literal(Literal::String(text))),
            TokenKind::DateTime(text) => temporal_literal(&text, position),
            TokenKind::Special(name) => Ok(match name.as_str() {
                "this" => Expr::This,
                "index" => Expr::Index,
                _ => Expr::Total,
            }),
            TokenKind::Variable(name) => Ok(Expr::Variable(name)),
            TokenKind::Identifier(name) if name == "true" || name == "false" => {
                Ok(Expr::Literal(Literal::Boolean(name == "true")))
            }
            TokenKind::Identifier(name) | TokenKind::DelimitedIdentifier(name) => {
                if self.is_symbol("(") {
                    let args = self.arguments()?;
                    return Ok(Expr::Function {
                        target: None,
                        name,
                        args,
                        position,
                    });
                }
                Ok(Expr::Identifier(name))
            }
            TokenKind::Symbol("(") => {
                let inner = self.expression(0)?;
                self.expect_symbol(")")?;
                Ok(inner)
            }
            TokenKind::Symbol("{") => {
                self.expect_symbol("}")?;
                Ok(Expr::Literal(Literal::Empty))
            }
            TokenKind::Symbol(sign @ ("+" | "-")) => {
                let operand = self.expression(PREFIX_BP)?;
                let op = if sign == "+" {
                    UnaryOp::Plus
                } else {
                    UnaryOp::Minus
                };
                Ok(Expr::Unary(op, Box::new(operand)))
            }
            other => Err(Error::syntax(
                position,
                format!("expected an expression, found {}", describe(&other)),
            )),
        }
    }

    /// A number, or a quantity when a unit string or calendar keyword follows.
    fn number(&mut self, text: &str, position: usize) -> Result<Expr, Error> {
        let unit = match self.peek_kind_at(0) {
            Some(TokenKind::String(unit)) => Some(unit.clone()),
            Some(TokenKind::Identifier(word)) => calendar_keyword(word).map(str::to_string),
            _ => None,
        };
        if let Some(unit) = unit {
            self.advance();
            let value = Decimal::parse(text)
                .ok_or_else(|| Error::syntax(position, "number out of range"))?;
            return Ok(Expr::Literal(Literal::Quantity(Quantity::new(value, unit))));
        }
        if text.contains('.') {
            let value = Decimal::parse(text)
                .ok_or_else(|| Error::syntax(position, "decimal out of range"))?;
            return Ok(Expr::Literal(Literal::Decimal(value)));
        }
        match text.parse::<i64>() {
            Ok(value) => Ok(Expr::Literal(Literal::Integer(value))),
            Err(_) => Err(Error::syntax(position, "integer out of range")),
        }
    }
}

fn temporal_literal(text: &str, position: usize) -> Result<Expr, Error> {
    let invalid = || Error::syntax(position, format!("invalid date/time literal @{text}"));
    if let Some(clock) = text.strip_prefix('T') {
        return Time::parse(clock)
            .map(|t| Expr::Literal(Literal::Time(t)))
            .ok_or_else(invalid);
    }
    if text.contains('T') {
        return DateTime::parse_datetime(text)
            .map(|d| Expr::Literal(Literal::DateTime(d)))
            .ok_or_else(invalid);
    }
    DateTime::parse_date(text)
        .map(|d| Expr::Literal(Literal::Date(d)))
        .ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(text: &str) -> String {
        format!("{:?}", parse(text).unwrap())
    }

    #[test]
    fn precedence_follows_the_grammar() {
        let expr = shape("1+2*3");
        assert!(expr.starts_with("Binary(Add"), "{expr}");
        let expr = shape("1 | 1 is Integer");
        assert!(expr.starts_with("Binary(Union"), "{expr}");
        let expr = shape("-1.convertsToInteger()");
        assert!(expr.starts_with("Unary(Minus, Function"), "{expr}");
        let expr = shape("a and b or c implies d");
        assert!(
            expr.starts_with("Binary(Implies, Binary(Or, Binary(And"),
            "{expr}"
        );
    }

    #[test]
    fn quantities_and_type_specifiers() {
        assert!(shape("4 days").contains("Quantity"));
        assert!(shape("10.1 'mg'").contains("Quantity"));
        assert!(shape("x is FHIR.Patient").contains("namespace: Some(\"FHIR\")"));
    }

    #[test]
    fn syntax_errors_have_positions() {
        match parse("2 + 2 /") {
            Err(Error::Syntax { position, .. }) => assert_eq!(position, 7),
            other => panic!("{other:?}"),
        }
        assert!(parse("a.").is_err());
        assert!(parse("(1").is_err());
        assert!(parse("1 2").is_err());
    }

    #[test]
    fn depth_is_limited() {
        let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(matches!(parse(&deep), Err(Error::TooDeep { .. })));
        let deep = "-".repeat(10_000) + "1";
        assert!(matches!(parse(&deep), Err(Error::TooDeep { .. })));
        let long_path = "a".to_string() + &".b".repeat(10_000);
        assert!(matches!(parse(&long_path), Err(Error::TooDeep { .. })));
        let long_sum = "1".to_string() + &"+1".repeat(10_000);
        assert!(matches!(parse(&long_sum), Err(Error::TooDeep { .. })));
        assert!(parse(&("a".to_string() + &".b".repeat(50))).is_ok());
    }
}

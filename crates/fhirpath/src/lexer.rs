//! The FHIRPath lexer: turns expression text into tokens with byte offsets.
//!
//! Date/time literals are lexed whole (`@2015-02-04T14:34:28.123+10:00`) because their
//! grammar is context-free but awkward to rebuild from smaller tokens; a `.` is part
//! of a number only when a digit follows, so `1.convertsToInteger()` is a call on `1`.

use crate::error::Error;

#[derive(Clone, Debug, PartialEq)]
pub enum TokenKind {
    Identifier(String),
    /// A `` `backtick` `` identifier: never a keyword.
    DelimitedIdentifier(String),
    String(String),
    Number(String),
    /// The text after `@`.
    DateTime(String),
    /// `$this`, `$index`, `$total`
    Special(String),
    /// `%name`, `` %`name` `` or `%'name'`
    Variable(String),
    Symbol(&'static str),
    End,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub kind: TokenKind,
    pub position: usize,
}

const SYMBOLS: [&str; 20] = [
    "<=", ">=", "!=", "!~", "(", ")", "[", "]", "{", "}", ".", ",", "+", "-", "*", "/", "&", "|",
    "=", "~",
];

pub fn tokenize(text: &str) -> Result<Vec<Token>, Error> {
    let mut lexer = Lexer { text, pos: 0 };
    let mut tokens = Vec::new();
    loop {
        let token = lexer.next_token()?;
        let end = token.kind == TokenKind::End;
        tokens.push(token);
        if end {
            return Ok(tokens);
        }
    }
}

struct Lexer<'t> {
    text: &'t str,
    pos: usize,
}

impl Lexer<'_> {
    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn skip_trivia(&mut self) -> Result<(), Error> {
        loop {
            let rest = self.rest();
            if let Some(c) = rest.chars().next().filter(|c| c.is_whitespace()) {
                self.pos += c.len_utf8();
            } else if rest.starts_with("//") {
                self.pos += rest.find('\n').unwrap_or(rest.len());
            } else if let Some(body) = rest.strip_prefix("/*") {
                match body.find("*/") {
                    Some(end) => self.pos += end + 4,
                    None => return Err(Error::syntax(self.pos, "unterminated /* comment")),
                }
            } else {
                return Ok(());
            }
        }
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &str {
        let start = self.pos;
        while let Some(c) = self.peek().filter(|c| keep(*c)) {
            self.pos += c.len_utf8();
        }
        &self.text[start..self.pos]
    }

    fn next_token(&mut self) -> Result<Token, Error> {
        self.skip_trivia()?;
        let position = self.pos;
        let token = |kind| Ok(Token { kind, position });
        let Some(c) = self.peek() else {
            return token(TokenKind::End);
        };
        if c.is_ascii_alphabetic() || c == '_' {
            let word = self.take_while(|c| c.is_ascii_alphanumeric() || c == '_');
            return token(TokenKind::Identifier(word.to_string()));
        }
        if c.is_ascii_digit() {
            let mut end = self.pos + self.rest().bytes().take_while(u8::is_ascii_digit).count();
            let bytes = self.text.as_bytes();
            if bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
                end += 1;
                end += self.text[end..]
                    .bytes()
                    .take_while(u8::is_ascii_digit)
                    .count();
            }
            let number = self.text[self.pos..end].to_string();
            self.pos = end;
            return token(TokenKind::Number(number));
        }
        match c {
            '\'' => {
                let value = self.quoted('\'')?;
                token(TokenKind::String(value))
            }
            '`' => {
                let value = self.quoted('`')?;
                token(TokenKind::DelimitedIdentifier(value))
            }
            '@' => {
                self.pos += 1;
                let text = self
                    .take_while(|c| c.is_ascii_digit() || matches!(c, '-' | ':' | 'T' | 'Z' | '+'));
                let mut literal = text.to_string();
                // A fractional second: only when a digit follows the dot.
                let bytes = self.text.as_bytes();
                if bytes.get(self.pos) == Some(&b'.')
                    && bytes.get(self.pos + 1).is_some_and(u8::is_ascii_digit)
                    && literal.contains(':')
                {
                    self.pos += 1;
                    let fraction = self.take_while(|c| c.is_ascii_digit()).to_string();
                    let zone = self
                        .take_while(|c| c.is_ascii_digit() || matches!(c, ':' | 'Z' | '+' | '-'));
                    literal = format!("{literal}.{fraction}{zone}");
                }
                if literal.is_empty() {
                    return Err(Error::syntax(position, "'@' must start a date or time"));
                }
                token(TokenKind::DateTime(literal))
            }
            '$' => {
                self.pos += 1;
                let name = self.take_while(|c| c.is_ascii_alphanumeric() || c == '_');
                match name {
                    "this" | "index" | "total" => token(TokenKind::Special(name.to_string())),
                    _ => Err(Error::syntax(position, format!("unknown ${name}"))),
                }
            }
            '%' => {
                self.pos += 1;
                let name = match self.peek() {
                    Some('`') => self.quoted('`')?,
                    Some('\'') => self.quoted('\'')?,
                    _ => self
                        .take_while(|c| c.is_ascii_alphanumeric() || c == '_')
                        .to_string(),
                };
                if name.is_empty() {
                    return Err(Error::syntax(position, "'%' must name a variable"));
                }
                token(TokenKind::Variable(name))
            }
            _ => {
                for symbol in SYMBOLS {
                    if self.rest().starts_with(symbol) {
                        self.pos += symbol.len();
                        return token(TokenKind::Symbol(symbol));
                    }
                }
                for symbol in ["<", ">"] {
                    if self.rest().starts_with(symbol) {
                        self.pos += 1;
                        return token(TokenKind::Symbol(if symbol == "<" { "<" } else { ">" }));
                    }
                }
                Err(Error::syntax(
                    position,
                    format!("unexpected character {c:?}"),
                ))
            }
        }
    }

    /// Reads a quoted string or identifier, resolving FHIRPath escapes.
    fn quoted(&mut self, quote: char) -> Result<String, Error> {
        let start = self.pos;
        self.pos += 1;
        let mut value = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(Error::syntax(start, "unterminated string"));
            };
            self.pos += c.len_utf8();
            if c == quote {
                return Ok(value);
            }
            if c != '\\' {
                value.push(c);
                continue;
            }
            let Some(escaped) = self.peek() else {
                return Err(Error::syntax(start, "unterminated string"));
            };
            self.pos += escaped.len_utf8();
            match escaped {
                'n' => value.push('\n'),
                'r' => value.push('\r'),
                't' => value.push('\t'),
                'f' => value.push('\u{c}'),
                'u' => {
                    let hex = self.rest().get(..4).unwrap_or("");
                    let code = u32::from_str_radix(hex, 16)
                        .ok()
                        .filter(|_| hex.len() == 4)
                        .and_then(char::from_u32)
                        .ok_or_else(|| Error::syntax(self.pos, "invalid \\u escape"))?;
                    self.pos += 4;
                    value.push(code);
                }
                other => value.push(other),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<TokenKind> {
        tokenize(text)
            .unwrap()
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    #[test]
    fn numbers_stop_before_method_calls() {
        assert_eq!(
            kinds("1.is(Integer)")[..3],
            [
                TokenKind::Number("1".into()),
                TokenKind::Symbol("."),
                TokenKind::Identifier("is".into())
            ]
        );
        assert_eq!(kinds("1.50")[0], TokenKind::Number("1.50".into()));
    }

    #[test]
    fn date_literals_and_escapes() {
        assert_eq!(
            kinds("@2015-02-04T14:34:28.123Z.x")[0],
            TokenKind::DateTime("2015-02-04T14:34:28.123Z".into())
        );
        assert_eq!(kinds(r"'a\'b\u0041'")[0], TokenKind::String("a'bA".into()));
        assert!(tokenize("2 /* open").is_err());
    }
}

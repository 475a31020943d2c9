//! Encodings for `encode`/`decode` (base64, urlbase64, hex) and `escape`/`unescape`
//! (html, json). Small enough to write here rather than take dependencies for.

use crate::error::Error;

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64_URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64_encode(bytes: &[u8], alphabet: &[u8; 64]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(alphabet[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(text: &str, alphabet: &[u8; 64]) -> Option<Vec<u8>> {
    let mut bits: u32 = 0;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.bytes().filter(|c| *c != b'=') {
        let value = alphabet.iter().position(|a| *a == c)? as u32;
        bits = (bits << 6) | value;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Some(out)
}

pub fn encode(text: &str, format: &str) -> Result<Option<String>, Error> {
    Ok(Some(match format {
        "base64" => base64_encode(text.as_bytes(), BASE64),
        "urlbase64" => base64_encode(text.as_bytes(), BASE64_URL),
        "hex" => text.bytes().map(|b| format!("{b:02x}")).collect(),
        other => return Err(Error::Evaluation(format!("unknown encoding '{other}'"))),
    }))
}

pub fn decode(text: &str, format: &str) -> Result<Option<String>, Error> {
    let bytes = match format {
        "base64" => base64_decode(text, BASE64),
        "urlbase64" => base64_decode(text, BASE64_URL),
        "hex" => {
            if !text.len().is_multiple_of(2) {
                None
            } else {
                (0..text.len())
                    .step_by(2)
                    .map(|i| {
                        text.get(i..i + 2)
                            .and_then(|h| u8::from_str_radix(h, 16).ok())
                    })
                    .collect()
            }
        }
        other => return Err(Error::Evaluation(format!("unknown encoding '{other}'"))),
    };
    Ok(bytes.and_then(|b| String::from_utf8(b).ok()))
}

pub fn escape(text: &str, format: &str) -> Option<String> {
    let mut out = String::new();
    for c in text.chars() {
        match (format, c) {
            ("html", '&') => out.push_str("&amp;"),
            ("html", '<') => out.push_str("&lt;"),
            ("html", '>') => out.push_str("&gt;"),
            ("html", '"') => out.push_str("&quot;"),
            ("html", '\'') => out.push_str("&#39;"),
            ("json", '"') => out.push_str("\\\""),
            ("json", '\\') => out.push_str("\\\\"),
            ("json", '\n') => out.push_str("\\n"),
            ("json", '\r') => out.push_str("\\r"),
            ("json", '\t') => out.push_str("\\t"),
            ("html" | "json", c) => out.push(c),
            _ => return None,
        }
    }
    Some(out)
}

pub fn unescape(text: &str, format: &str) -> Option<String> {
    match format {
        "html" => Some(
            text.replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&"),
        ),
        "json" => {
            let mut out = String::new();
            let mut chars = text.chars();
            while let Some(c) = chars.next() {
                if c != '\\' {
                    out.push(c);
                    continue;
                }
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('r') => out.push('\r'),
                    Some('t') => out.push('\t'),
                    Some(other) => out.push(other),
                    None => out.push('\\'),
                }
            }
            Some(out)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for text in ["", "t", "te", "tes", "test", "subjects?_d"] {
            let encoded = encode(text, "base64").unwrap().unwrap();
            assert_eq!(decode(&encoded, "base64").unwrap().unwrap(), text);
        }
        assert_eq!(encode("test", "base64").unwrap().unwrap(), "dGVzdA==");
    }
}

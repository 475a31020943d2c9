//! The narrative rule txt-1: `Narrative.div` holds only basic HTML formatting, which keeps
//! script out of every chart a clinician or patient opens. This is a tag-level scan, not an
//! XML parser: it checks every element name against the R4 allow-list, rejects event-handler
//! attributes (`onclick=`), script URLs (`javascript:`) and DOCTYPE/ENTITY declarations or
//! processing instructions, and skips comments.

/// The elements txt-1 allows (HTML 4.0 chapters 7-11 except 9.4, and 12; plus images).
const ALLOWED_ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "address",
    "area",
    "b",
    "bdo",
    "big",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "map",
    "ol",
    "p",
    "pre",
    "q",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "tt",
    "ul",
    "var",
];

/// URL schemes that run code when a link is followed or an image is loaded.
const SCRIPT_SCHEMES: &[&str] = &["javascript:", "vbscript:"];

/// Returns why `div` breaks txt-1, if it does.
pub(super) fn check_narrative(div: &str) -> Result<(), String> {
    let bytes = div.as_bytes();
    let mut position = 0;
    while let Some(offset) = div[position..].find('<') {
        let start = position + offset + 1;
        let rest = &div[start..];
        if rest.starts_with("!--") {
            position = match rest.find("-->") {
                Some(end) => start + end + 3,
                None => return Ok(()),
            };
            continue;
        }
        if rest.starts_with('!') || rest.starts_with('?') {
            return Err("declarations and processing instructions are not allowed".into());
        }
        let closing = rest.starts_with('/');
        let name_start = start + usize::from(closing);
        let name_end = name_start
            + div[name_start..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == ':' || c == '-'))
                .unwrap_or(div.len() - name_start);
        let name = &div[name_start..name_end];
        if name.is_empty() {
            // A stray '<' in text is an XML error the narrative generator made, not script.
            position = name_start;
            continue;
        }
        if !ALLOWED_ELEMENTS
            .iter()
            .any(|e| e.eq_ignore_ascii_case(name))
        {
            return Err(format!("<{name}> is not an allowed narrative element"));
        }
        position = if closing {
            name_end
        } else {
            check_attributes(div, bytes, name_end)?
        };
    }
    Ok(())
}

/// Scans the attributes of a start tag from `position`; returns the position after the tag.
fn check_attributes(div: &str, bytes: &[u8], mut position: usize) -> Result<usize, String> {
    loop {
        while position < bytes.len() && bytes[position].is_ascii_whitespace() {
            position += 1;
        }
        match bytes.get(position) {
            None => return Ok(position),
            Some(b'>') => return Ok(position + 1),
            Some(b'/') => {
                position += 1;
                continue;
            }
            Some(_) => {}
        }
        let name_start = position;
        while position < bytes.len()
            && !bytes[position].is_ascii_whitespace()
            && !matches!(bytes[position], b'=' | b'>' | b'/')
        {
            position += 1;
        }
        let name = &div[name_start..position];
        if name.len() > 2 && name.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("on")) {
            return Err(format!("the event-handler attribute {name} is not allowed"));
        }
        while position < bytes.len() && bytes[position].is_ascii_whitespace() {
            position += 1;
        }
        if bytes.get(position) != Some(&b'=') {
            continue;
        }
        position += 1;
        while position < bytes.len() && bytes[position].is_ascii_whitespace() {
            position += 1;
        }
        let value = match bytes.get(position) {
            Some(&quote @ (b'"' | b'\'')) => {
                let value_start = position + 1;
                let value_end = div[value_start..]
                    .find(quote as char)
                    .map_or(div.len(), |end| value_start + end);
                position = (value_end + 1).min(div.len());
                &div[value_start..value_end]
            }
            _ => {
                let value_start = position;
                while position < bytes.len()
                    && !bytes[position].is_ascii_whitespace()
                    && bytes[position] != b'>'
                {
                    position += 1;
                }
                &div[value_start..position]
            }
        };
        let value = value.trim_start();
        if SCRIPT_SCHEMES.iter().any(|scheme| {
            value
                .get(..scheme.len())
                .is_some_and(|prefix| prefix.eq_ignore_ascii_case(scheme))
        }) {
            return Err(format!("the {name} attribute holds a script URL"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check_narrative;

    #[test]
    fn basic_formatting_is_allowed() {
        for div in [
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><p>Peter <b>Chalmers</b></p></div>"#,
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><table class="grid"><tr><td style="color: red">1 &lt; 2</td></tr></table></div>"#,
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><a href="http://example.org/?a=1&amp;b=2">x</a><img src="pic.png" alt="x"/><br/></div>"#,
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><!-- <script> in a comment --><p>x</p></div>"#,
            r#"<div xmlns="http://www.w3.org/1999/xhtml">a < b</div>"#,
        ] {
            assert_eq!(check_narrative(div), Ok(()), "{div}");
        }
    }

    #[test]
    fn script_and_active_content_are_rejected() {
        for div in [
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></div>"#,
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><SCRIPT>alert(1)</SCRIPT></div>"#,
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><iframe src="http://x"></iframe></div>"#,
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><p onclick="alert(1)">x</p></div>"#,
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><img src=x onerror=alert(1)></div>"#,
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><a href=" JavaScript:alert(1)">x</a></div>"#,
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><a href='vbscript:x'>x</a></div>"#,
            r#"<!DOCTYPE div [<!ENTITY x "y">]><div>&x;</div>"#,
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><?php echo 1 ?></div>"#,
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><style>p{}</style></div>"#,
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><form><input/></form></div>"#,
        ] {
            assert!(check_narrative(div).is_err(), "{div}");
        }
    }

    #[test]
    fn never_panics_on_truncated_or_multibyte_markup() {
        let tricky =
            "<div><p \u{20ac}x=\"\u{e9}\" title='a>b'><a href=\"java\u{e9}\">\u{1f600}</a><!-- <b";
        for (end, _) in tricky.char_indices() {
            let _ = check_narrative(&tricky[..end]);
            let _ = check_narrative(&tricky[end..]);
        }
    }
}

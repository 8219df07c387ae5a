use std::borrow::Cow;

use crate::{Location, ModelError};

/// Turns a file's bytes into text: UTF-8 with or without BOM, or, failing
/// that, Windows-1252 (what Excel writes on Windows), with a warning naming
/// the first line that is not UTF-8. Empty, binary and UTF-16 files are refused.
/// Text and, when it was not UTF-8, a warning saying where it stopped being so.
pub(crate) type Decoded<'a> = (Cow<'a, str>, Option<(Location, String)>);

pub(crate) fn decode<'a>(file: &str, bytes: &'a [u8]) -> Result<Decoded<'a>, ModelError> {
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return Err(ModelError::file(file, "is UTF-16 text; save it as UTF-8 and import again"));
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ModelError::file(file, "is empty"));
    }
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(ModelError::file(file, format!("is not a text file (NUL byte at offset {offset})")));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), None),
        Err(e) => {
            let line = line_of(bytes, e.valid_up_to());
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            (text, Some((Location::Line(line), "not UTF-8 from this line on; read as Windows-1252".to_owned())))
        }
    };
    let controls = text.0.chars().filter(|&c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')).count();
    if controls * 100 > text.0.len() {
        return Err(ModelError::file(file, format!("is not a text file ({controls} control characters)")));
    }
    Ok(text)
}

fn line_of(bytes: &[u8], offset: usize) -> u64 {
    bytes[..offset].split(|&b| b == b'\n').count() as u64
}

/// HTML fragment to plain text: tags dropped (block ends become line breaks),
/// entities decoded, runs of blank lines folded.
pub(crate) fn strip_html(html: &str) -> String {
    if !html.contains('<') && !html.contains('&') {
        return html.to_owned();
    }
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            text.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let tag = rest[open + 1..open + close].trim_start_matches('/').to_ascii_lowercase();
        let name = tag.split(|c: char| !c.is_ascii_alphanumeric()).next().unwrap_or("");
        if matches!(name, "br" | "p" | "div" | "li" | "tr" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6") {
            text.push('\n');
        }
        rest = &rest[open + close + 1..];
    }
    text.push_str(rest);
    let decoded = html_escape::decode_html_entities(&text);
    let mut out = String::with_capacity(decoded.len());
    for line in decoded.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&line.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    out
}

/// Undoes UTF-8 that was read as Latin-1 and written again (`CoopÃ©rative`
/// → `Coopérative`). Text that does not decode that way is left as it is.
pub(crate) fn repair_mojibake(text: &str) -> Option<String> {
    if !text.contains(['Ã', 'Â', 'Å', 'Ä']) {
        return None;
    }
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    if unmappable {
        return None;
    }
    let repaired = std::str::from_utf8(&bytes).ok()?;
    (repaired.chars().count() < text.chars().count()).then(|| repaired.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_html_to_lines_of_text() {
        assert_eq!(strip_html("<p>Une <b>coop</b>&nbsp;&amp; co</p><p>Depuis&#160;1998<br/>Lyon</p>"), "Une coop & co\nDepuis 1998\nLyon");
        assert_eq!(strip_html("plain text"), "plain text");
        assert_eq!(strip_html("a < b"), "a < b");
        assert_eq!(strip_html("<script>alert(1)</script>x"), "alert(1)x");
    }

    #[test]
    fn repairs_double_encoded_text_only() {
        assert_eq!(repair_mojibake("CoopÃ©rative Ã\u{a0}Lyon").as_deref(), Some("Coopérative àLyon"));
        assert_eq!(repair_mojibake("Coopérative"), None);
        assert_eq!(repair_mojibake("Ãrbol"), None);
    }

    #[test]
    fn decodes_utf8_bom_and_windows_1252() {
        let (text, warning) = decode("f.csv", b"\xef\xbb\xbfname\nCaf\xc3\xa9").unwrap();
        assert_eq!((text.as_ref(), warning), ("name\nCafé", None));
        let (text, warning) = decode("f.csv", b"name\nok\nCaf\xe9").unwrap();
        assert_eq!(text.as_ref(), "name\nok\nCafé");
        assert_eq!(warning.unwrap().0, Location::Line(3));
    }

    #[test]
    fn refuses_empty_binary_and_utf16() {
        for (bytes, message) in [
            (&b""[..], "f: is empty"),
            (b"\xef\xbb\xbf \n", "f: is empty"),
            (b"\x89PNG\r\n\x1a\n\0\0\0", "f: is not a text file (NUL byte at offset 8)"),
            (b"\xff\xfen\0a\0", "f: is UTF-16 text; save it as UTF-8 and import again"),
        ] {
            assert_eq!(decode("f", bytes).unwrap_err().to_string(), message);
        }
    }
}

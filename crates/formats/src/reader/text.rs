use std::borrow::Cow;
use std::io::{self, Read};

use crate::{FormatError, SourcePos};

/// The UTF-8 byte order mark, which spreadsheets write first.
pub(crate) const BOM: &[u8] = b"\xef\xbb\xbf";

/// Text and, when it was not UTF-8, a warning saying where it stopped being so.
pub(crate) type Decoded<'a> = (Cow<'a, str>, Option<(SourcePos, String)>);

/// Turns a file's bytes into text: UTF-8 with or without BOM, or, failing
/// that, Windows-1252 (what Excel writes on Windows), with a warning naming
/// the first line that is not UTF-8. Empty, binary and UTF-16 files are refused.
pub(crate) fn decode<'a>(file: &str, bytes: &'a [u8]) -> Result<Decoded<'a>, FormatError> {
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return Err(FormatError::file(file, "is UTF-16 text; save it as UTF-8 and import again"));
    }
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(FormatError::file(file, "is empty"));
    }
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(FormatError::file(
            file,
            format!("is not a text file (NUL byte at offset {offset})"),
        ));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), None),
        Err(e) => {
            let line = line_of(bytes, e.valid_up_to());
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            (
                text,
                Some((
                    SourcePos::Line(line),
                    "not UTF-8 from this line on; read as Windows-1252".to_owned(),
                )),
            )
        }
    };
    let controls =
        text.0.chars().filter(|&c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')).count();
    if controls * 100 > text.0.len() {
        return Err(FormatError::file(
            file,
            format!("is not a text file ({controls} control characters)"),
        ));
    }
    Ok(text)
}

/// Reads a file through, chunk by chunk, and says whether [`decode`] would
/// take it as it is: UTF-8 without NUL bytes, not blank, few control
/// characters. Such a file can be read as a stream; any other is read whole,
/// so that `decode` says what is wrong with it or how it was read.
pub(crate) fn is_plain_utf8(mut input: impl Read) -> io::Result<bool> {
    let mut buffer = vec![0; 1 << 16];
    // The bytes of a character cut by the last read, carried to the next.
    let mut carried = 0;
    let mut at_start = true;
    let (mut bytes, mut controls, mut blank) = (0_usize, 0_usize, true);
    loop {
        let read = input.read(&mut buffer[carried..])?;
        if read == 0 {
            break;
        }
        let filled = carried + read;
        let (text, cut) = match std::str::from_utf8(&buffer[..filled]) {
            Ok(text) => (text, 0),
            Err(e) if e.error_len().is_none() => (
                std::str::from_utf8(&buffer[..e.valid_up_to()]).unwrap_or_default(),
                filled - e.valid_up_to(),
            ),
            Err(_) => return Ok(false),
        };
        let text = if at_start && !text.is_empty() {
            at_start = false;
            text.strip_prefix('\u{feff}').unwrap_or(text)
        } else {
            text
        };
        if text.contains('\0') {
            return Ok(false);
        }
        blank = blank && text.bytes().all(|b| b.is_ascii_whitespace());
        controls +=
            text.chars().filter(|&c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')).count();
        bytes += text.len();
        buffer.copy_within(filled - cut..filled, 0);
        carried = cut;
    }
    Ok(carried == 0 && !blank && controls * 100 <= bytes)
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
        if matches!(
            name,
            "br" | "p" | "div" | "li" | "tr" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
        ) {
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
    use proptest::strategy::Strategy;

    use super::*;

    #[test]
    fn strips_html_to_lines_of_text() {
        assert_eq!(
            strip_html("<p>Une <b>coop</b>&nbsp;&amp; co</p><p>Depuis&#160;1998<br/>Lyon</p>"),
            "Une coop & co\nDepuis 1998\nLyon"
        );
        assert_eq!(strip_html("plain text"), "plain text");
        assert_eq!(strip_html("a < b"), "a < b");
        assert_eq!(strip_html("<script>alert(1)</script>x"), "alert(1)x");
    }

    #[test]
    fn repairs_double_encoded_text_only() {
        assert_eq!(
            repair_mojibake("CoopÃ©rative Ã\u{a0}Lyon").as_deref(),
            Some("Coopérative àLyon")
        );
        assert_eq!(repair_mojibake("Coopérative"), None);
        assert_eq!(repair_mojibake("Ãrbol"), None);
    }

    #[test]
    fn decodes_utf8_bom_and_windows_1252() {
        let (text, warning) = decode("f.csv", b"\xef\xbb\xbfname\nCaf\xc3\xa9").unwrap();
        assert_eq!((text.as_ref(), warning), ("name\nCafé", None));
        let (text, warning) = decode("f.csv", b"name\nok\nCaf\xe9").unwrap();
        assert_eq!(text.as_ref(), "name\nok\nCafé");
        assert_eq!(warning.unwrap().0, SourcePos::Line(3));
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

    /// A reader that hands out at most `step` bytes a call, as a pipe or a
    /// slow disk may, so that characters are cut at every place.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.bytes.len().min(self.step).min(buf.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    proptest::proptest! {
        /// The scan takes a file for streaming exactly when `decode` takes
        /// it as UTF-8 without a warning, however the reads cut it.
        #[test]
        fn the_scan_agrees_with_decode(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::string::string_regex("[a-zé€𝄞,;\n\r\t \u{1}\u{feff}]{0,12}")
                        .unwrap()
                        .prop_map(String::into_bytes),
                    proptest::collection::vec(proptest::num::u8::ANY, 0..4),
                    proptest::strategy::Just(BOM.to_vec()),
                ],
                0..12,
            ),
            step in 1..9_usize,
        ) {
            let bytes = parts.concat();
            let plain = is_plain_utf8(Trickle { bytes: &bytes, step }).unwrap();
            let decoded = matches!(decode("f", &bytes), Ok((Cow::Borrowed(_), None)));
            proptest::prop_assert_eq!(plain, decoded, "{:?}", bytes);
        }
    }
}

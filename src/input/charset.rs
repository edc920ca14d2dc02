//! Charset decoding in the order browsers use: HTTP header, BOM, `<meta>` in the first 1024
//! bytes (or the XML declaration), then detection.

use encoding_rs::Encoding;

/// Decodes bytes to text; never fails (undecodable bytes become U+FFFD).
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> String {
    let encoding = content_type
        .and_then(charset_param)
        .and_then(|l| Encoding::for_label(l.as_bytes()))
        .or_else(|| Encoding::for_bom(bytes).map(|(e, _)| e))
        .or_else(|| prescan(bytes))
        .unwrap_or_else(|| detect(bytes));
    let (text, _, _) = encoding.decode(bytes);
    text.into_owned()
}

fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']).to_string())
    })
}

/// Looks for `<meta charset=…>`, `<meta http-equiv … content="…; charset=…">` or
/// `<?xml … encoding="…"?>` in the first 1024 bytes.
fn prescan(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(1024)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    for key in ["charset=", "encoding="] {
        let mut from = 0;
        while let Some(pos) = head[from..].find(key) {
            let start = from + pos + key.len();
            from = start;
            let value: String = head[start..]
                .trim_start_matches(['"', '\''])
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
                .collect();
            if let Some(enc) = Encoding::for_label(value.as_bytes()) {
                // A page that says UTF-16 in ASCII bytes is not UTF-16.
                if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
                    return Some(encoding_rs::UTF_8);
                }
                return Some(enc);
            }
        }
    }
    None
}

fn detect(bytes: &[u8]) -> &'static Encoding {
    if let Some(utf16) = sniff_utf16(bytes) {
        return utf16;
    }
    if std::str::from_utf8(bytes).is_ok() {
        return encoding_rs::UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(None, chardetng::Utf8Detection::Allow)
}

/// UTF-16 without a BOM: markup and Latin text put a NUL in every other byte. (NULs are valid
/// UTF-8, so without this such a page would decode to noise.)
fn sniff_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(1024) & !1];
    if head.len() < 8 {
        return None;
    }
    let pairs = head.len() / 2;
    let nul_at = |offset: usize| {
        head.iter()
            .skip(offset)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let (even, odd) = (nul_at(0), nul_at(1));
    if odd * 10 >= pairs * 7 && even * 10 < pairs {
        Some(encoding_rs::UTF_16LE)
    } else if even * 10 >= pairs * 7 && odd * 10 < pairs {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_windows_1252_from_meta() {
        let mut page = b"<html><head><meta charset=\"windows-1252\"></head><body>".to_vec();
        page.extend_from_slice(&[0x4e, 0xe6, 0x73, 0x74, 0x65, 0x20, 0xf8, 0x20, 0xe5]);
        assert!(decode(&page, None).contains("Næste ø å"));
    }

    #[test]
    fn header_beats_meta_and_latin1_is_1252() {
        let page = b"<meta charset=\"utf-8\"><p>\xe6\x80</p>";
        let text = decode(page, Some("text/html; charset=ISO-8859-1"));
        assert!(text.contains("æ€"));
    }

    #[test]
    fn detects_utf16_without_bom() {
        let page = "<html><body><h1>Blåbær</h1><p>Tekst</p></body></html>";
        let le: Vec<u8> = page.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = page.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode(&le, None), page);
        assert_eq!(decode(&be, None), page);
    }

    #[test]
    fn detects_without_declaration() {
        let page = "<p>Blåbærgrød og rødgrød med fløde smager godt på en kold dag i København</p>";
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(page);
        assert_eq!(decode(&bytes, None), page);
        assert_eq!(decode(page.as_bytes(), None), page);
    }
}

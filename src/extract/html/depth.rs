//! A linear pre-scan of markup for how deeply elements nest. html5ever's tree builder checks
//! element scopes by walking the stack of open elements, so parsing costs grow with the square
//! of the nesting depth (100,000 nested `<div>`s take minutes): pages nested past a limit are
//! refused before they are parsed.

/// Deepest nesting accepted. Real pages stay well under a few hundred levels; at this depth the
/// parser's quadratic part costs a few milliseconds.
pub const MAX_DEPTH: usize = 1_000;

/// Elements that never have content.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "frame", "keygen",
];

/// Elements whose end tag is implied by their next sibling (`<p>`, `<li>`, table cells, …): an
/// unclosed run of them does not nest, so they are not counted.
const IMPLIED_END: &[&str] = &[
    "p", "li", "dt", "dd", "option", "tr", "td", "th", "thead", "tbody", "tfoot", "colgroup",
    "caption", "html", "head", "body",
];

/// Elements whose content is text up to their end tag.
const RAW_TEXT: &[&str] = &[
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "plaintext",
];

/// The deepest nesting of counted elements in `markup`, scanning each byte once; stops early,
/// returning `Err(depth)`, once `limit` is exceeded.
pub fn check(markup: &str, limit: usize) -> Result<usize, usize> {
    let bytes = markup.as_bytes();
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut i = 0;
    // Raw-text elements found without an end tag after some point: none comes later either, so
    // they are not searched for again (an SVG full of `<title>`s stays linear).
    let mut unclosed: Vec<&'static str> = Vec::new();
    while let Some(off) = memchr_lt(&bytes[i..]) {
        i += off + 1;
        match bytes.get(i) {
            Some(b'!') | Some(b'?') => i = skip_markup_declaration(bytes, i),
            Some(b'/') => {
                let (name, end) = tag_name(bytes, i + 1);
                i = end;
                if counted(name) {
                    depth = depth.saturating_sub(1);
                }
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let (name, end) = tag_name(bytes, i);
                // Past the tag's attributes, quotes respected: `title="<!--"` is no comment.
                i = skip_tag(bytes, end);
                if let Some(raw) = one_of(name, RAW_TEXT) {
                    if !unclosed.contains(&raw) {
                        match skip_raw_text(bytes, i, raw) {
                            Some(end) => i = end,
                            None => unclosed.push(raw),
                        }
                    }
                } else if counted(name) {
                    depth += 1;
                    deepest = deepest.max(depth);
                    if deepest > limit {
                        return Err(deepest);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(deepest)
}

fn counted(name: &[u8]) -> bool {
    !name.is_empty() && one_of(name, VOID).is_none() && one_of(name, IMPLIED_END).is_none()
}

/// The entry of `list` that `name` is, ignoring ASCII case.
fn one_of(name: &[u8], list: &[&'static str]) -> Option<&'static str> {
    list.iter()
        .copied()
        .find(|n| n.as_bytes().eq_ignore_ascii_case(name))
}

fn memchr_lt(bytes: &[u8]) -> Option<usize> {
    memchr::memchr(b'<', bytes)
}

/// A tag's name starting at `from` (in the case the page wrote it), and the index after it.
fn tag_name(bytes: &[u8], from: usize) -> (&[u8], usize) {
    let from = from.min(bytes.len());
    let end = bytes[from..]
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b':' | b'_')))
        .map_or(bytes.len(), |p| from + p);
    (&bytes[from..end], end)
}

/// Past a tag's attributes to its `>`, skipping quoted values.
fn skip_tag(bytes: &[u8], from: usize) -> usize {
    let mut i = from.min(bytes.len());
    while let Some(p) = memchr::memchr3(b'>', b'"', b'\'', &bytes[i..]) {
        let at = i + p;
        if bytes[at] == b'>' {
            return at + 1;
        }
        match memchr::memchr(bytes[at], &bytes[at + 1..]) {
            Some(close) => i = at + 1 + close + 1,
            None => return bytes.len(),
        }
    }
    bytes.len()
}

/// Past a comment (`<!-- … -->`, also ended by `--!>`), doctype or processing instruction.
/// Outside foreign content a CDATA section is a bogus comment that ends at the first `>`, as
/// the parser reads it.
fn skip_markup_declaration(bytes: &[u8], from: usize) -> usize {
    let rest = &bytes[from..];
    if rest.starts_with(b"!--") {
        // `--!>` is looked for only before the first `-->`: searching the whole rest of the
        // page for it at every comment would make many comments quadratic.
        let plain = find(rest, b"-->");
        let window = plain.map_or(rest.len(), |p| (p + 3).min(rest.len()));
        let bang = find(&rest[..window], b"--!>").map(|p| p + 1);
        return [plain, bang]
            .into_iter()
            .flatten()
            .min()
            .map_or(bytes.len(), |p| from + p + 3);
    }
    find(rest, b">").map_or(bytes.len(), |p| from + p + 1)
}

/// Past the end tag of a raw-text element (`</script>`), case-insensitively. Without one
/// (a `<title>` in SVG, say, is no raw text), `None`: nothing is skipped, as counting too
/// much is safe.
fn skip_raw_text(bytes: &[u8], from: usize, name: &str) -> Option<usize> {
    let end_tag = format!("</{name}");
    let mut i = from;
    while let Some(p) = find(&bytes[i..], b"</") {
        let at = i + p;
        let candidate = &bytes[at..(at + end_tag.len()).min(bytes.len())];
        if candidate.eq_ignore_ascii_case(end_tag.as_bytes()) {
            return Some(at + end_tag.len());
        }
        i = at + 2;
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_nesting() {
        assert_eq!(check("<div><div><span>x</span></div></div>", 10), Ok(3));
        // Unclosed paragraphs and list items do not nest; void elements have no content.
        assert_eq!(check("<div><p>a<p>b<li>c<br><img src=x></div>", 10), Ok(1));
        // Markup inside comments and scripts is no markup.
        assert_eq!(
            check(
                "<!-- <div><div> --><script>if (a<b) '<div><div>'</script><b>x</b>",
                10
            ),
            Ok(1)
        );
        assert_eq!(check(&"<div>".repeat(50), 10), Err(11));
        assert_eq!(check(&"<DIV/>".repeat(5), 10), Ok(5));
        // What hides markup from a naive scan hides nothing from this one.
        for (opening, nested) in [
            ("<p title=\"<!--\">", "<div>"),
            ("<!-- x --!>", "<div>"),
            ("<![CDATA[>", "<div>"),
            ("<svg><title>", "<g>"),
        ] {
            let page = format!("{opening}{}", nested.repeat(50));
            assert_eq!(check(&page, 10), Err(11), "{opening}");
        }
        assert_eq!(check(&"<rb>".repeat(50), 10), Err(11));
    }

    #[test]
    fn is_linear_in_the_page() {
        let deep = format!("{}x{}", "<div>".repeat(100_000), "</div>".repeat(100_000));
        assert_eq!(check(&deep, MAX_DEPTH), Err(MAX_DEPTH + 1));
        let flat = "<div><a href=x>y</a></div>".repeat(100_000);
        assert_eq!(check(&flat, MAX_DEPTH), Ok(2));
        // Many comments, and many raw-text tags without an end tag, are each searched past once.
        let comments = "<!-- c --><div></div>".repeat(100_000);
        assert_eq!(check(&comments, MAX_DEPTH), Ok(1));
        let titles = format!("<svg>{}</svg>", "<title>t<g></g>".repeat(100_000));
        assert_eq!(check(&titles, MAX_DEPTH), Ok(2));
    }
}

//! Step 1: read an input (file, URL or stdin), decode its charset and tell what kind it is.

mod charset;
mod fetch;

use std::io::Read;
use std::path::Path;

pub use charset::decode;
pub use fetch::{
    AddressPolicy, FetchError, FetchOptions, Fetched, Fetcher, Politeness, Validators, fetch,
    is_public,
};

/// What an input holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[derive(clap::ValueEnum)]
pub enum InputKind {
    /// An HTML page.
    Html,
    /// The visible text of a page, blocks separated by line breaks.
    Text,
    /// An RSS, Atom or JSON feed.
    Feed,
}

/// A decoded input, ready for extraction.
#[derive(Debug, Clone)]
pub struct Document {
    /// Where it came from, as the user named it (path, URL or `-`).
    pub origin: String,
    /// The URL it was fetched from, for resolving relative links and naming the source.
    pub url: Option<url::Url>,
    pub kind: InputKind,
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{origin}: cannot read: {source}")]
    Read {
        origin: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{origin}: input is empty")]
    Empty { origin: String },
    #[error("{origin}: not a regular file")]
    NotAFile { origin: String },
    #[error("{origin}: larger than {max_bytes} bytes")]
    TooLarge { origin: String, max_bytes: u64 },
    #[error(
        "{origin}: cannot decode the text ({share}% of it is control or replacement characters)"
    )]
    Undecodable { origin: String, share: usize },
}

/// Whether an input names a web page (else it is a path, or `-` for stdin).
pub fn is_url(spec: &str) -> bool {
    // Schemes are case-insensitive: `HTTP://` is a URL too, not a file name.
    let starts = |prefix: &str| {
        spec.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    starts("http://") || starts("https://")
}

/// Loads one input: a path, an http(s) URL, or `-` for stdin.
pub fn load(
    spec: &str,
    kind: Option<InputKind>,
    fetch_options: &FetchOptions,
) -> Result<Document, InputError> {
    if is_url(spec) {
        // The user named this URL, so any address is theirs to choose. (Asked without
        // validators, a 304 is no answer: the page is empty.)
        return fetch(spec, fetch_options, None, AddressPolicy::Any)?
            .document(spec, kind)?
            .ok_or_else(|| InputError::Empty {
                origin: spec.to_string(),
            });
    }
    let bytes = if spec == "-" {
        read_capped(std::io::stdin(), "stdin", fetch_options.max_bytes)?
    } else {
        read_file(Path::new(spec), fetch_options.max_bytes)?
    };
    from_bytes(spec, None, &bytes, None, kind)
}

impl Fetched {
    /// The body decoded as the document `origin` names; `None` for a 304 Not Modified.
    pub fn document(
        self,
        origin: &str,
        kind: Option<InputKind>,
    ) -> Result<Option<Document>, InputError> {
        let Some(body) = self.body else {
            return Ok(None);
        };
        from_bytes(
            origin,
            Some(self.final_url),
            &body,
            self.content_type.as_deref(),
            kind,
        )
        .map(Some)
    }
}

/// Reads a local input: regular files only (a FIFO or device would hang or never end), at most
/// `max_bytes`, the same cap as a fetch.
pub fn read_file(path: &Path, max_bytes: u64) -> Result<Vec<u8>, InputError> {
    let origin = path.display().to_string();
    let read_err = |source| InputError::Read {
        origin: origin.clone(),
        source,
    };
    // Checked before opening: opening a FIFO blocks until a writer comes.
    if !std::fs::metadata(path).map_err(read_err)?.is_file() {
        return Err(InputError::NotAFile { origin });
    }
    let file = std::fs::File::open(path).map_err(read_err)?;
    read_capped(file, &origin, max_bytes)
}

fn read_capped(reader: impl Read, origin: &str, max_bytes: u64) -> Result<Vec<u8>, InputError> {
    let mut buf = Vec::new();
    reader
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|source| InputError::Read {
            origin: origin.to_string(),
            source,
        })?;
    if buf.len() as u64 > max_bytes {
        return Err(InputError::TooLarge {
            origin: origin.to_string(),
            max_bytes,
        });
    }
    Ok(buf)
}

/// Percent of characters that are no text at all: C0 controls other than whitespace, and the
/// replacement character a failed decode leaves.
fn garbage_share(text: &str) -> usize {
    // Counted on bytes: C0 controls are single bytes, U+FFFD is three; characters are
    // counted as the bytes that start one.
    let bytes = text.as_bytes();
    let all = bytes.iter().filter(|&&b| (b as i8) >= -0x40).count();
    let controls = bytes
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C) || b == 0x7F)
        .count();
    let replacements = memchr::memmem::find_iter(bytes, "\u{FFFD}".as_bytes()).count();
    ((controls + replacements) * 100)
        .checked_div(all)
        .unwrap_or(0)
}

/// Decodes bytes already in hand: a file's, stdin's, or a fetched body's.
pub fn from_bytes(
    origin: &str,
    url: Option<url::Url>,
    bytes: &[u8],
    content_type: Option<&str>,
    kind: Option<InputKind>,
) -> Result<Document, InputError> {
    let text = decode(bytes, content_type);
    if text.trim().is_empty() {
        return Err(InputError::Empty {
            origin: origin.to_string(),
        });
    }
    // A wrong charset or a binary file decodes to noise that yields no items; feeds built from
    // it would silently replace good ones.
    let share = garbage_share(&text);
    if share > 10 {
        return Err(InputError::Undecodable {
            origin: origin.to_string(),
            share,
        });
    }
    let kind = kind.unwrap_or_else(|| detect_kind(&text, content_type));
    Ok(Document {
        origin: origin.to_string(),
        url,
        kind,
        text,
    })
}

/// Tells a feed from an HTML page from plain text by the content type and the first bytes.
pub fn detect_kind(text: &str, content_type: Option<&str>) -> InputKind {
    if let Some(ct) = content_type.map(str::to_ascii_lowercase) {
        if ct.contains("rss") || ct.contains("atom") || ct.contains("feed+json") {
            return InputKind::Feed;
        }
        if ct.contains("text/html") || ct.contains("xhtml") {
            return InputKind::Html;
        }
    }
    let head: String = text
        .trim_start_matches('\u{FEFF}')
        .trim_start()
        .chars()
        .take(2048)
        .collect::<String>()
        .to_ascii_lowercase();
    if head.starts_with('{') && head.contains("jsonfeed.org") {
        return InputKind::Feed;
    }
    if head.starts_with("<?xml") || head.starts_with("<rss") || head.starts_with("<feed") {
        if head.contains("<rss") || head.contains("<feed") || head.contains("<rdf:rdf") {
            return InputKind::Feed;
        }
        return InputKind::Html;
    }
    let markup = [
        "<!doctype html",
        "<html",
        "<head",
        "<body",
        "<div",
        "<p>",
        "<article",
    ];
    if head.starts_with('<') || markup.iter().any(|m| head.contains(m)) {
        return InputKind::Html;
    }
    InputKind::Text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_kinds() {
        assert_eq!(
            detect_kind("<?xml version=\"1.0\"?><rss>", None),
            InputKind::Feed
        );
        assert_eq!(
            detect_kind("<feed xmlns=\"http://www.w3.org/2005/Atom\">", None),
            InputKind::Feed
        );
        assert_eq!(
            detect_kind("{\"version\": \"https://jsonfeed.org/version/1.1\"}", None),
            InputKind::Feed
        );
        assert_eq!(detect_kind("<!DOCTYPE html><html>", None), InputKind::Html);
        assert_eq!(
            detect_kind("Overskrift\n\nBrødtekst", None),
            InputKind::Text
        );
        assert_eq!(
            detect_kind("anything", Some("application/rss+xml")),
            InputKind::Feed
        );
    }

    #[test]
    fn binary_input_is_an_error_and_http_scheme_is_case_blind() {
        let err = from_bytes("x.bin", None, &[0u8, 1, 2, 3, 0xff, 0xfe, 7, 8], None, None)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("x.bin: cannot decode"), "{err}");
        assert!(is_url("HTTP://example.org/") && is_url("Https://example.org/"));
        assert!(!is_url("http.html") && !is_url("./https:/x"));
    }

    #[test]
    fn local_files_are_capped_and_must_be_regular() {
        let dir = tempfile::tempdir().expect("tmp");
        let big = dir.path().join("big.html");
        std::fs::write(&big, vec![b'a'; 2048]).expect("write");
        let err = read_file(&big, 1024).unwrap_err().to_string();
        assert!(err.ends_with("larger than 1024 bytes"), "{err}");
        assert_eq!(read_file(&big, 4096).expect("fits").len(), 2048);
        let err = read_file(dir.path(), 4096).unwrap_err().to_string();
        assert!(err.ends_with("not a regular file"), "{err}");
    }

    #[test]
    fn empty_input_is_an_error() {
        let err = from_bytes("x.html", None, b"  \n", None, None).unwrap_err();
        assert_eq!(err.to_string(), "x.html: input is empty");
    }
}

//! Step 1: read an input (file, URL or stdin), decode its charset and tell what kind it is.

mod charset;
mod fetch;

use std::io::Read;
use std::path::Path;

pub use charset::decode;
pub use fetch::{FetchError, FetchOptions, Fetched, Fetcher, Validators, fetch};

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
}

/// Whether an input names a web page (else it is a path, or `-` for stdin).
pub fn is_url(spec: &str) -> bool {
    spec.starts_with("http://") || spec.starts_with("https://")
}

/// Loads one input: a path, an http(s) URL, or `-` for stdin.
pub fn load(
    spec: &str,
    kind: Option<InputKind>,
    fetch_options: &FetchOptions,
) -> Result<Document, InputError> {
    let (bytes, content_type, url) = if is_url(spec) {
        let fetched = fetch(spec, fetch_options, None)?;
        let body = fetched.body.unwrap_or_default();
        (body, fetched.content_type, Some(fetched.final_url))
    } else if spec == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|source| InputError::Read {
                origin: "stdin".into(),
                source,
            })?;
        (buf, None, None)
    } else {
        let bytes = std::fs::read(Path::new(spec)).map_err(|source| InputError::Read {
            origin: spec.to_string(),
            source,
        })?;
        (bytes, None, None)
    };
    from_bytes(spec, url, &bytes, content_type.as_deref(), kind)
}

/// Decodes bytes already in hand (also used by the cron runner after a fetch).
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
    fn empty_input_is_an_error() {
        let err = from_bytes("x.html", None, b"  \n", None, None).unwrap_err();
        assert_eq!(err.to_string(), "x.html: input is empty");
    }
}

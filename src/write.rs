//! Step 5: render each class as RSS 2.0, Atom 1.0 and JSON Feed 1.1, and write the files
//! atomically, only when their bytes changed.

mod atom;
mod index;
mod json;
mod rss;
mod status;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};

use crate::model::{Class, Classified};
pub use index::write_index;
pub use status::{SourceStatus, Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Rss,
    Atom,
    Json,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Rss, Format::Atom, Format::Json];

    pub fn extension(self) -> &'static str {
        match self {
            Format::Rss => "rss",
            Format::Atom => "atom",
            Format::Json => "json",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Rss => "application/rss+xml",
            Format::Atom => "application/atom+xml",
            Format::Json => "application/feed+json",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{path}: cannot write: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot render {what}: {message}")]
    Render { what: String, message: String },
}

impl FeedMeta {
    /// A rendering error of this feed in the format named `format`.
    pub(crate) fn render_error(&self, format: &'static str) -> impl Fn(String) -> WriteError {
        let class = self.class;
        move |message| WriteError::Render {
            what: format!("{class} {format}"),
            message,
        }
    }
}

/// What a feed says about itself.
#[derive(Debug, Clone)]
pub struct FeedMeta {
    pub name: String,
    pub class: Class,
    pub title: String,
    pub description: String,
    /// The site the items come from.
    pub site_link: Option<String>,
    /// The absolute URL the file is served at, when known.
    pub self_url: Option<String>,
    /// Newest item change, never "now", so unchanged input gives unchanged bytes.
    pub updated: DateTime<FixedOffset>,
    /// Minutes between regenerations, for readers that schedule by it.
    pub ttl: Option<u32>,
}

/// An item as a feed shows it: with the date it is filed under.
pub struct Entry<'a> {
    pub item: &'a Classified,
    pub date: DateTime<FixedOffset>,
}

/// What the writer needs to lay out one source's feeds.
#[derive(Debug, Clone)]
pub struct Layout {
    pub dir: PathBuf,
    pub name: String,
    pub formats: Vec<Format>,
    /// Public URL the output directory is served under.
    pub base_url: Option<url::Url>,
    pub site_link: Option<String>,
    pub ttl: Option<u32>,
}

/// What a feed set's name may hold, as errors say it.
pub const NAME_RULE: &str = "use letters, digits, '-', '_' and '.', not starting with '.'";

/// A feed set's name is a directory under the output directory and part of every feed URL:
/// see `NAME_RULE`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('.') && name.chars().all(valid_name_char)
}

pub fn valid_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

impl Layout {
    /// A feed's title: the feed set's name and what the class holds.
    pub fn feed_title(&self, class: Class) -> String {
        format!("{} – {}", self.name, class_title(class))
    }

    /// `NAME/CLASS.EXT`: where a feed lives below the output directory, and below the base URL.
    pub fn relative(&self, class: Class, format: Format) -> String {
        format!("{}/{}.{}", self.name, class.as_str(), format.extension())
    }

    pub fn path(&self, class: Class, format: Format) -> PathBuf {
        self.dir.join(self.relative(class, format))
    }

    pub fn url(&self, class: Class, format: Format) -> Option<String> {
        let base = self.base_url.as_ref()?;
        let mut base = base.clone();
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        base.join(&self.relative(class, format))
            .ok()
            .map(|u| u.to_string())
    }
}

/// A file written (or left alone because its bytes were already right).
#[derive(Debug, Clone)]
pub struct Written {
    pub path: PathBuf,
    pub class: Class,
    pub format: Format,
    pub items: usize,
    pub changed: bool,
}

/// Renders and writes every class in every format. Items without a date are filed under `now`.
pub fn write_feeds(
    layout: &Layout,
    items: &[Classified],
    now: DateTime<FixedOffset>,
) -> Result<Vec<Written>, WriteError> {
    let dated = |c: &Classified| c.item.published.unwrap_or(now);
    // An empty feed still needs an `updated`: the newest item of the source, else now.
    let fallback = items.iter().map(dated).max().unwrap_or(now);
    let mut written = Vec::new();
    for class in Class::ALL {
        let mut entries: Vec<Entry> = items
            .iter()
            .filter(|c| c.class == class)
            .map(|c| Entry {
                item: c,
                date: dated(c),
            })
            .collect();
        entries.sort_by(|a, b| {
            b.date
                .cmp(&a.date)
                .then(a.item.item.id.cmp(&b.item.item.id))
        });
        for &format in &layout.formats {
            let meta = FeedMeta {
                name: layout.name.clone(),
                class,
                title: layout.feed_title(class),
                description: class_description(class).to_string(),
                site_link: layout.site_link.clone(),
                self_url: layout.url(class, format),
                updated: entries.iter().map(|e| e.date).max().unwrap_or(fallback),
                ttl: layout.ttl,
            };
            let text = render(format, &meta, &entries)?;
            let path = layout.path(class, format);
            let changed = write_atomic(&path, text.as_bytes())?;
            written.push(Written {
                path,
                class,
                format,
                items: entries.len(),
                changed,
            });
        }
    }
    Ok(written)
}

pub fn render(format: Format, meta: &FeedMeta, entries: &[Entry]) -> Result<String, WriteError> {
    match format {
        Format::Rss => rss::render(meta, entries),
        Format::Atom => atom::render(meta, entries),
        Format::Json => json::render(meta, entries),
    }
}

pub fn class_title(class: Class) -> &'static str {
    match class {
        Class::Editorial => "editorial",
        Class::Sponsored => "sponsored content",
        Class::Personnel => "people moves",
    }
}

fn class_description(class: Class) -> &'static str {
    match class {
        Class::Editorial => "The publication's own journalism, without paid content.",
        Class::Sponsored => "Paid content labelled as advertising, with its sponsor.",
        Class::Personnel => "People notices: new jobs, promotions, education, anniversaries.",
    }
}

/// Removes characters XML 1.0 forbids; both XML writers would copy them and break the feed.
pub fn clean(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            !matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
        })
        .collect()
}

/// An item's HTML body for RSS `description` and JSON Feed `content_html`: its sanitised content,
/// else its plain-text summary, else its title, escaped (plain text is never passed as HTML, and
/// JSON Feed 1.1 wants content on every item).
pub fn body_html(item: &crate::model::Item) -> String {
    match (&item.content_html, &item.summary) {
        (Some(html), _) if !html.trim().is_empty() => clean(html),
        (_, Some(summary)) if !summary.trim().is_empty() => {
            format!("<p>{}</p>", clean(&crate::extract::escape(summary)))
        }
        _ => format!("<p>{}</p>", clean(&crate::extract::escape(&item.title))),
    }
}

/// The categories every format carries: sponsor, the kicker or section, personnel fields, as
/// (scheme, value).
pub fn categories(c: &Classified) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(s) = &c.item.sponsor {
        out.push(("urn:feedsplit:sponsor", s.clone()));
    }
    if let Some(k) = &c.item.category {
        out.push(("urn:feedsplit:section", k.clone()));
    }
    // A headline's parsed appointment is evidence on any item, and data only in the people feed.
    if let Some(p) = people_fields(c) {
        let fields = [
            ("urn:feedsplit:kind", Some(p.kind.to_string())),
            ("urn:feedsplit:person", p.person.clone()),
            ("urn:feedsplit:company", p.company.clone()),
            ("urn:feedsplit:role", p.role.clone()),
            ("urn:feedsplit:date", p.date.map(|d| d.to_string())),
        ];
        out.extend(fields.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))));
    }
    out
}

/// An item's people-notice fields, as the feeds carry them: for a people notice only.
pub fn people_fields(c: &Classified) -> Option<&crate::model::Personnel> {
    c.item
        .personnel
        .as_ref()
        .filter(|_| c.class == crate::model::Class::Personnel)
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a reader or a crash never
/// sees half a file. Returns false, touching nothing, when the file already holds these bytes.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<bool, WriteError> {
    let io = |source| WriteError::Io {
        path: path.display().to_string(),
        source,
    };
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(false);
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // tempfile creates 0600; feeds are served to everyone.
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644)).map_err(io)?;
    }
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_control_characters() {
        assert_eq!(clean("a\u{1}b\u{B}c\td\n\u{FFFF}"), "abc\td\n");
    }

    #[test]
    fn atomic_write_skips_identical_bytes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("x/feed.rss");
        assert!(write_atomic(&path, b"one").expect("write"));
        assert!(!write_atomic(&path, b"one").expect("write"));
        assert!(write_atomic(&path, b"two").expect("write"));
        assert_eq!(std::fs::read(&path).expect("read"), b"two");
        let leftovers = std::fs::read_dir(dir.path().join("x"))
            .expect("dir")
            .count();
        assert_eq!(leftovers, 1);
    }

    #[test]
    fn feed_urls_join_base() {
        let layout = Layout {
            dir: "feeds".into(),
            name: "cw".into(),
            formats: vec![Format::Rss],
            base_url: url::Url::parse("https://example.org/feeds").ok(),
            site_link: None,
            ttl: None,
        };
        assert_eq!(
            layout.url(Class::Sponsored, Format::Atom).as_deref(),
            Some("https://example.org/feeds/cw/sponsored.atom")
        );
    }
}

//! `index.opml` (one subscription per class feed) and `index.html` (the status page, with every
//! feed's subscribe links and autodiscovery) for an output directory.

use std::path::Path;

use html_escape::encode_double_quoted_attribute as attr;

use super::status::Status;
use super::{Format, Layout, WriteError, write_atomic};
use crate::model::Class;

/// Writes both index files for the feed sets laid out by `layouts`. Returns whether either
/// file changed.
pub fn write_index(dir: &Path, layouts: &[Layout], status: &Status) -> Result<bool, WriteError> {
    let opml = write_atomic(&dir.join("index.opml"), opml(layouts).as_bytes())?;
    let html = super::status::page(layouts, status, href);
    let html = write_atomic(&dir.join("index.html"), html.as_bytes())?;
    Ok(opml || html)
}

/// The feed's public URL, else its path relative to the index.
fn href(layout: &Layout, class: Class, format: Format) -> String {
    layout
        .url(class, format)
        .unwrap_or_else(|| layout.relative(class, format))
}

fn opml(layouts: &[Layout]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n    \
         <title>feedsplit feeds</title>\n  </head>\n  <body>\n",
    );
    for layout in layouts {
        out.push_str(&format!("    <outline text=\"{}\">\n", attr(&layout.name)));
        // One format per class, so importing the file subscribes once to each feed.
        let Some(&format) = [Format::Rss, Format::Atom, Format::Json]
            .iter()
            .find(|f| layout.formats.contains(f))
        else {
            continue;
        };
        for class in Class::ALL {
            let title = layout.feed_title(class);
            let site = layout
                .site_link
                .as_deref()
                .map(|s| format!(" htmlUrl=\"{}\"", attr(s)))
                .unwrap_or_default();
            out.push_str(&format!(
                "      <outline type=\"rss\" text=\"{t}\" title=\"{t}\" xmlUrl=\"{u}\"{site}/>\n",
                t = attr(&title),
                u = attr(&href(layout, class, format)),
            ));
        }
        out.push_str("    </outline>\n");
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

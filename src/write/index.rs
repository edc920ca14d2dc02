//! `index.opml` (one subscription per class feed) and `index.html` (every feed, with subscribe
//! links and autodiscovery) for an output directory.

use std::path::Path;

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use super::{Format, Layout, WriteError, class_title, write_atomic};
use crate::classify::Class;

/// Writes both index files for the feed sets laid out by `layouts`. Returns whether either
/// file changed.
pub fn write_index(dir: &Path, layouts: &[Layout]) -> Result<bool, WriteError> {
    let opml = write_atomic(&dir.join("index.opml"), opml(layouts).as_bytes())?;
    let html = write_atomic(&dir.join("index.html"), html(layouts).as_bytes())?;
    Ok(opml || html)
}

/// The feed's public URL, else its path relative to the index.
fn href(layout: &Layout, class: Class, format: Format) -> String {
    layout
        .url(class, format)
        .unwrap_or_else(|| format!("{}/{}.{}", layout.name, class.as_str(), format.extension()))
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
            let title = format!("{} – {}", layout.name, class_title(class));
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

fn html(layouts: &[Layout]) -> String {
    let mut head = String::new();
    let mut body = String::new();
    for layout in layouts {
        body.push_str(&format!("<h2>{}</h2>\n<ul>\n", text(&layout.name)));
        for class in Class::ALL {
            let title = format!("{} – {}", layout.name, class_title(class));
            let links: Vec<String> = layout
                .formats
                .iter()
                .map(|&f| {
                    let h = href(layout, class, f);
                    head.push_str(&format!(
                        "<link rel=\"alternate\" type=\"{}\" title=\"{}\" href=\"{}\">\n",
                        f.content_type(),
                        attr(&title),
                        attr(&h)
                    ));
                    format!(
                        "<a href=\"{}\">{}</a>",
                        attr(&h),
                        f.extension().to_uppercase()
                    )
                })
                .collect();
            body.push_str(&format!(
                "<li>{}: {}</li>\n",
                text(class_title(class)),
                links.join(" · ")
            ));
        }
        body.push_str("</ul>\n");
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>feedsplit feeds</title>\n{head}</head>\n<body>\n<h1>feedsplit feeds</h1>\n\
         <p>Subscribe to a feed in your reader, or import <a href=\"index.opml\">index.opml</a>.</p>\n\
         {body}</body>\n</html>\n"
    )
}

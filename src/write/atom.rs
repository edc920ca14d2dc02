//! Atom 1.0: `updated` on the feed and every entry, self link, categories with schemes.

use atom_syndication::{
    Category, Content, Entry as AtomEntry, Feed, Generator, Link, Person, Text,
};

use super::{Entry, FeedMeta, WriteError, categories, clean};

pub fn render(meta: &FeedMeta, entries: &[Entry]) -> Result<String, WriteError> {
    let failed = meta.render_error("Atom");
    let mut links = Vec::new();
    if let Some(url) = &meta.self_url {
        links.push(Link {
            href: url.clone(),
            rel: "self".into(),
            mime_type: Some(super::Format::Atom.content_type().into()),
            ..Link::default()
        });
    }
    if let Some(site) = &meta.site_link {
        links.push(Link {
            href: site.clone(),
            rel: "alternate".into(),
            ..Link::default()
        });
    }
    let feed = Feed {
        title: Text::plain(clean(&meta.title)),
        id: meta
            .self_url
            .clone()
            .unwrap_or_else(|| format!("tag:feedsplit,2025:{}/{}", meta.name, meta.class)),
        updated: meta.updated,
        subtitle: Some(Text::plain(clean(&meta.description))),
        generator: Some(Generator {
            value: "feedsplit".into(),
            ..Generator::default()
        }),
        links,
        entries: entries.iter().map(entry).collect(),
        ..Feed::default()
    };
    let bytes = feed
        .write_with_config(
            Vec::new(),
            atom_syndication::WriteConfig {
                write_document_declaration: true,
                indent_size: Some(2),
            },
        )
        .map_err(|e| failed(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| failed(e.to_string()))
}

fn entry(e: &Entry) -> AtomEntry {
    let item = &e.item.item;
    AtomEntry {
        id: clean(&item.id),
        title: Text::plain(clean(&item.title)),
        updated: e.date,
        published: item.published,
        authors: item
            .author
            .iter()
            .map(|a| Person {
                name: clean(a),
                ..Person::default()
            })
            .collect(),
        links: item
            .link
            .iter()
            .map(|l| Link {
                href: clean(l),
                rel: "alternate".into(),
                ..Link::default()
            })
            .collect(),
        summary: item.summary.as_deref().map(|s| Text::plain(clean(s))),
        content: item.content_html.as_deref().map(|c| Content {
            value: Some(clean(c)),
            content_type: Some("html".into()),
            ..Content::default()
        }),
        categories: categories(e.item)
            .into_iter()
            .map(|(scheme, v)| Category {
                term: clean(&v),
                scheme: Some(scheme.to_string()),
                label: None,
            })
            .collect(),
        ..AtomEntry::default()
    }
}

//! RSS 2.0 with `atom:link rel="self"`.

use rss::extension::atom::{AtomExtension, Link};
use rss::{CategoryBuilder, ChannelBuilder, GuidBuilder, ItemBuilder};

use super::{Entry, FeedMeta, WriteError, body_html, categories, clean};

pub fn render(meta: &FeedMeta, entries: &[Entry]) -> Result<String, WriteError> {
    let failed = meta.render_error("RSS");
    let items: Vec<rss::Item> = entries
        .iter()
        .map(|e| {
            let item = &e.item.item;
            // A URL id is a permalink; a tag: id is not.
            let guid = GuidBuilder::default()
                .value(clean(&item.id))
                .permalink(item.link.as_deref() == Some(item.id.as_str()))
                .build();
            let cats = categories(e.item)
                .into_iter()
                .map(|(scheme, v)| {
                    CategoryBuilder::default()
                        .name(clean(&v))
                        .domain(Some(scheme.to_string()))
                        .build()
                })
                .collect::<Vec<_>>();
            ItemBuilder::default()
                .title(Some(clean(&item.title)))
                .link(item.link.as_deref().map(clean))
                .description(Some(body_html(item)))
                .author(item.author.as_deref().map(clean))
                .guid(Some(guid))
                .pub_date(Some(e.date.to_rfc2822()))
                .categories(cats)
                .build()
        })
        .collect();
    let atom = meta.self_url.as_ref().map(|url| AtomExtension {
        links: vec![Link {
            href: url.clone(),
            rel: "self".into(),
            mime_type: Some(super::Format::Rss.content_type().into()),
            ..Link::default()
        }],
    });
    let channel = ChannelBuilder::default()
        .title(clean(&meta.title))
        .link(
            meta.site_link
                .clone()
                .or_else(|| meta.self_url.clone())
                .unwrap_or_default(),
        )
        .description(clean(&meta.description))
        .last_build_date(Some(meta.updated.to_rfc2822()))
        .generator(Some("feedsplit".to_string()))
        .ttl(meta.ttl.map(|t| t.to_string()))
        .atom_ext(atom)
        .items(items)
        .build();
    let bytes = channel
        .pretty_write_to(Vec::new(), b' ', 2)
        .map_err(|e| failed(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| failed(e.to_string()))
}

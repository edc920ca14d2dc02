//! JSON Feed 1.1, with the classification and personnel fields in a `_feedsplit` extension.

use serde::Serialize;

use super::{Entry, FeedMeta, WriteError, body_html, categories, clean};
use crate::model::{Evidence, Personnel};

#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    home_page_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    feed_url: Option<&'a str>,
    description: String,
    items: Vec<JsonItem<'a>>,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    title: String,
    content_html: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
    date_published: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Author>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    _feedsplit: Extension<'a>,
}

#[derive(Serialize)]
struct Author {
    name: String,
}

#[derive(Serialize)]
struct Extension<'a> {
    class: &'static str,
    reasons: &'a [Evidence],
    #[serde(skip_serializing_if = "Option::is_none")]
    sponsor: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    personnel: Option<&'a Personnel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suspect: Option<&'a str>,
}

pub fn render(meta: &FeedMeta, entries: &[Entry]) -> Result<String, WriteError> {
    let failed = meta.render_error("JSON Feed");
    let items = entries
        .iter()
        .map(|e| {
            let c = e.item;
            let item = &c.item;
            JsonItem {
                id: clean(&item.id),
                url: item.link.as_deref().map(clean),
                title: clean(&item.title),
                content_html: body_html(item),
                summary: item.summary.as_deref().map(clean),
                date_published: e.date.to_rfc3339(),
                authors: item
                    .author
                    .iter()
                    .map(|a| Author { name: clean(a) })
                    .collect(),
                tags: categories(c).into_iter().map(|(_, v)| clean(&v)).collect(),
                _feedsplit: Extension {
                    class: c.class.as_str(),
                    reasons: &c.decided_by,
                    sponsor: item.sponsor.as_deref(),
                    personnel: crate::write::people_fields(c),
                    suspect: c.suspect.as_deref(),
                },
            }
        })
        .collect();
    let feed = JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        title: clean(&meta.title),
        home_page_url: meta.site_link.as_deref(),
        feed_url: meta.self_url.as_deref(),
        description: clean(&meta.description),
        items,
    };
    let mut text = serde_json::to_string_pretty(&feed).map_err(|e| failed(e.to_string()))?;
    text.push('\n');
    Ok(text)
}

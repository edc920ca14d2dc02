//! Extraction from an existing RSS/Atom/JSON feed: each entry is one item, carrying its own
//! signals (title prefixes, categories, URL paths, notice shapes).

use chrono::{DateTime, Utc};

use super::dates::{local_midnight, parse_timestamp};
use super::identity::{canonical_url, personnel_id, tag_id};
use super::personnel::parse_notice;
use super::{Block, Context, Evidence, ExtractError, Extraction, Item, Signal};
use crate::input::Document;

pub fn extract(doc: &Document, cx: &Context) -> Result<Extraction, ExtractError> {
    let tz = cx.tz;
    let parser = feed_rs::parser::Builder::new()
        .base_uri(doc.url.as_ref().map(|u| u.as_str()))
        // An entry without guid or link would get a random id on every parse; an empty id tells
        // us to derive one from its content instead.
        .id_generator(|_links, _title, _uri| String::new())
        .timestamp_parser(move |s| parse_timestamp(s, tz).map(|d| d.with_timezone(&Utc)))
        .sanitize_content(false)
        .build();
    let text = utf8_declaration(&doc.text);
    let feed = parser
        .parse(text.as_bytes())
        .map_err(|e| ExtractError::Feed {
            origin: doc.origin.clone(),
            message: e.to_string(),
        })?;
    let feed_link = alternate(&feed.links).and_then(|l| url::Url::parse(&l.href).ok());
    let base = doc.url.clone().or(feed_link);
    let mut out = Extraction::default();
    for (index, entry) in feed.entries.into_iter().enumerate() {
        let location = format!("entry {}", index + 1);
        out.items
            .push(entry_item(entry, &location, base.as_ref(), doc, cx)?);
    }
    Ok(out)
}

/// The link a feed or entry points readers to.
fn alternate(links: &[feed_rs::model::Link]) -> Option<&feed_rs::model::Link> {
    links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
}

/// One entry as an item, with the evidence its title, categories, link and text carry.
fn entry_item(
    entry: feed_rs::model::Entry,
    location: &str,
    base: Option<&url::Url>,
    doc: &Document,
    cx: &Context,
) -> Result<Item, ExtractError> {
    let raw_title = entry
        .title
        .as_ref()
        .map(|t| decode_entities(&t.content))
        .unwrap_or_default();
    let link = alternate(&entry.links).and_then(|l| canonical_url(&l.href, base));
    let content = entry
        .content
        .as_ref()
        .and_then(|c| c.body.clone())
        .or_else(|| entry.summary.as_ref().map(|s| s.content.clone()));
    let summary_html = entry.summary.as_ref().map(|s| s.content.clone());
    for html in content.iter().chain(&summary_html) {
        super::html::check_depth(html, &format!("{} {location}", doc.origin))?;
    }
    let plain = content.as_deref().map(html_to_text).unwrap_or_default();
    let summary = summary_html
        .as_deref()
        .map(html_to_text)
        .filter(|s| !s.is_empty());
    let mut signs = paid_signs(
        &entry,
        &raw_title,
        link.as_ref(),
        base,
        &plain,
        location,
        cx,
    );
    let personnel = notice(
        &plain,
        signs.personnel_category.take(),
        location,
        cx,
        &mut signs.evidence,
    );
    let lines: Vec<&str> = plain.lines().collect();
    signs.evidence.extend(super::disclosure_evidence(
        &lines,
        cx.rules,
        &format!("{location} content"),
    ));
    let published = entry_date(&entry, personnel.as_ref(), cx.tz);
    let id = entry_id(
        &entry,
        personnel.as_ref(),
        link.as_ref(),
        &raw_title,
        &plain,
        cx,
    );
    let mut title = signs.title;
    if title.is_empty() {
        title = personnel
            .as_ref()
            .and_then(|p| p.title())
            .unwrap_or_else(|| plain.chars().take(80).collect());
    }
    Ok(Item {
        id,
        title,
        link,
        summary,
        content_html: content,
        published,
        author: entry.authors.first().and_then(|a| a.name.clone()),
        sponsor: signs.sponsor,
        personnel,
        block: Block::FeedEntry,
        evidence: signs.evidence,
        category: None,
        shape: None,
    })
}

/// The entry's date, else the date a notice takes effect, at midnight where the site is.
fn entry_date(
    entry: &feed_rs::model::Entry,
    personnel: Option<&crate::model::Personnel>,
    tz: chrono_tz::Tz,
) -> Option<DateTime<chrono::FixedOffset>> {
    entry
        .published
        .or(entry.updated)
        .map(|d: DateTime<Utc>| d.fixed_offset())
        .or_else(|| {
            personnel
                .and_then(|p| p.date)
                .map(|d| local_midnight(d, tz))
        })
}

/// A notice's structured identity, else the entry's link, else its own id, else its text.
fn entry_id(
    entry: &feed_rs::model::Entry,
    personnel: Option<&crate::model::Personnel>,
    link: Option<&String>,
    raw_title: &str,
    plain: &str,
    cx: &Context,
) -> String {
    let authority = cx.source_name;
    match (personnel.and_then(|p| personnel_id(authority, p)), link) {
        (Some(s), _) => s,
        (None, Some(l)) => l.clone(),
        (None, None) if !entry.id.is_empty() => tag_id(authority, "entry", &entry.id),
        (None, None) => tag_id(authority, "entry", &format!("{raw_title} {plain}")),
    }
}

/// What an entry's title, categories, link and first line say about who paid for it.
struct EntrySigns {
    /// The title without a paid label in front.
    title: String,
    sponsor: Option<String>,
    evidence: Vec<Evidence>,
    personnel_category: Option<String>,
}

fn paid_signs(
    entry: &feed_rs::model::Entry,
    raw_title: &str,
    link: Option<&String>,
    base: Option<&url::Url>,
    plain: &str,
    location: &str,
    cx: &Context,
) -> EntrySigns {
    let rules = cx.rules;
    let mut signs = EntrySigns {
        title: raw_title.to_string(),
        sponsor: None,
        evidence: Vec::new(),
        personnel_category: None,
    };
    if let Some((label, rest)) = rules.sponsored_title_label(raw_title) {
        signs.evidence.push(Evidence::new(
            Signal::SponsoredTitlePrefix,
            label.label,
            format!("{location} title"),
        ));
        signs.title = rest;
    }
    for cat in &entry.categories {
        let term = cat.label.as_deref().unwrap_or(&cat.term);
        if let Some(m) = rules.sponsored_label(term) {
            signs.evidence.push(Evidence::new(
                Signal::SponsoredCategory,
                term.to_string(),
                format!("{location} category"),
            ));
            signs.sponsor = signs.sponsor.or(m.sponsor);
        } else if rules.is_personnel_category(term) {
            signs.personnel_category = Some(term.to_string());
        }
    }
    if let Some(url) = link
        && let Some(path) = rules.sponsored_url_path(url, base.and_then(|b| b.host_str()))
    {
        signs.evidence.push(Evidence::new(
            Signal::SponsoredUrl,
            path,
            format!("{location} link"),
        ));
    }
    // A sponsor named in the text's first line: "Annonceindlæg fra X".
    if let Some(first) = plain.lines().next()
        && let Some(m) = rules.sponsored_label(first)
    {
        signs.evidence.push(
            Evidence::new(
                Signal::SponsoredLabel,
                first.to_string(),
                format!("{location} content"),
            )
            .at(crate::model::Reach::own()),
        );
        signs.sponsor = signs.sponsor.or(m.sponsor);
    }
    signs
}

/// The entry as a people notice, when a category names it one or its text both ends in a
/// notice tag and has a notice's shape.
fn notice(
    plain: &str,
    category: Option<String>,
    location: &str,
    cx: &Context,
    evidence: &mut Vec<Evidence>,
) -> Option<crate::model::Personnel> {
    let text = crate::rules::squeeze(plain);
    let signs = cx.rules.notice_signs(&text);
    if let Some(cat) = category {
        evidence.push(Evidence::new(
            Signal::PersonnelCategory,
            cat,
            format!("{location} category"),
        ));
    }
    if let Some(tag) = signs.tag.filter(|_| signs.shaped) {
        evidence.push(Evidence::new(
            Signal::PersonnelTag,
            tag.tag,
            format!("{location} content"),
        ));
    }
    evidence
        .iter()
        .any(|e| e.signal.is_personnel())
        .then(|| parse_notice(&text, &[], cx.rules))
}

/// The text is already decoded to UTF-8 (input chose the charset); an XML declaration naming
/// another encoding would make the parser decode it a second time.
fn utf8_declaration(text: &str) -> std::borrow::Cow<'_, str> {
    let trimmed = text.trim_start_matches('\u{FEFF}').trim_start();
    let Some(end) = trimmed
        .starts_with("<?xml")
        .then(|| trimmed.find("?>"))
        .flatten()
    else {
        return std::borrow::Cow::Borrowed(text);
    };
    let declaration = &trimmed[..end];
    match declaration.find("encoding=") {
        Some(_) => std::borrow::Cow::Owned(format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"{}",
            &trimmed[end..]
        )),
        None => std::borrow::Cow::Borrowed(text),
    }
}

/// Entities that feed parsers leave as literal text (`&nbsp;`, `&aelig;`).
fn decode_entities(text: &str) -> String {
    html_escape::decode_html_entities(text).trim().to_string()
}

/// The visible text of an HTML fragment, one line per block element.
fn html_to_text(html: &str) -> String {
    let fragment = scraper::Html::parse_fragment(html);
    super::html::block_lines(fragment.root_element()).join("\n")
}

//! Step 2: find the items of a document (the article, teasers, labelled blocks, people notices)
//! and the evidence each carries. Deciding the class from the evidence is `classify`'s job.

pub mod dates;
mod feed;
mod html;
pub use html::ARTICLE_NOT_FOUND;
pub mod identity;
pub mod personnel;
mod text;

use chrono_tz::Tz;
use serde::Serialize;

use crate::input::{Document, InputKind};
pub use crate::model::Personnel;
use crate::rules::{Folded, Rules};

pub use crate::model::{Block, Evidence, Item, Signal};

/// A part of the page deliberately left out of every feed, kept for `--explain`.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    /// job ads, event, ad slot, related links, …
    pub what: String,
    pub text: String,
    pub location: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Extraction {
    pub items: Vec<Item>,
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("{origin}: not a readable feed: {message}")]
    Feed { origin: String, message: String },
    #[error("{origin}: elements nested more than {limit} deep; refusing to parse it")]
    TooDeep { origin: String, limit: usize },
}

/// What extraction needs besides the document.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub rules: &'a Rules,
    /// The zone the site writes its dates in.
    pub tz: Tz,
    /// Names the source in `tag:` ids when the document has no URL (the feed name).
    pub source_name: &'a str,
}

/// Extracts every item of a document.
pub fn extract(doc: &Document, cx: &Context) -> Result<Extraction, ExtractError> {
    let mut extraction = match doc.kind {
        InputKind::Html => html::extract(doc, cx)?,
        InputKind::Text => text::extract(doc, cx),
        InputKind::Feed => feed::extract(doc, cx)?,
    };
    let mut sanitizers = Sanitizers::default();
    for item in &mut extraction.items {
        sanitizers.clean_item(item, doc);
        appointment_evidence(item, cx.rules);
    }
    dedupe(&mut extraction.items);
    Ok(extraction)
}

/// A headline that announces an appointment ("X named CEO of Y", "X wird neuer Geschäftsführer"),
/// whatever the input kind: evidence of a people notice the learned decision weighs.
fn appointment_evidence(item: &mut Item, rules: &Rules) {
    let found = rules
        .appointment(&item.title)
        .map(|w| (w, "title"))
        .or_else(|| {
            let kicker = item.category.as_deref()?;
            rules.appointment(kicker).map(|w| (w, "kicker"))
        })
        .or_else(|| {
            // A teaser's blurb says it as often ("… hat einen neuen Job").
            let blurb = item
                .summary
                .as_deref()
                .filter(|_| item.block != Block::Article)?;
            rules.appointment(blurb).map(|w| (w, "blurb"))
        });
    if let Some((word, place)) = found {
        let e = Evidence::new(Signal::AppointmentShape, word, place);
        if !item.evidence.contains(&e) {
            item.evidence.push(e);
        }
    }
    if item.personnel.is_none() {
        item.personnel = personnel::parse_headline(&item.title, rules);
    }
}

/// The one ammonia policy, one builder per base URL of a document (building one costs more
/// than cleaning a teaser's blurb).
#[derive(Default)]
struct Sanitizers {
    by_base: Vec<(Option<url::Url>, ammonia::Builder<'static>)>,
}

impl Sanitizers {
    /// The one sanitising step every item passes, whatever the input kind: its HTML through
    /// one ammonia policy, relative links made absolute. A feed entry's links are relative to
    /// the entry's own page; a page's are relative to the page.
    fn clean_item(&mut self, item: &mut Item, doc: &Document) {
        let Some(html) = item.content_html.take() else {
            return;
        };
        let link = item.link.as_deref().and_then(|l| url::Url::parse(l).ok());
        let base = match doc.kind {
            InputKind::Feed => link.or_else(|| doc.url.clone()),
            InputKind::Html | InputKind::Text => doc.url.clone().or(link),
        };
        let at = match self.by_base.iter().position(|(b, _)| *b == base) {
            Some(at) => at,
            None => {
                let builder = policy(base.as_ref());
                self.by_base.push((base, builder));
                self.by_base.len() - 1
            }
        };
        item.content_html = Some(
            self.by_base[at]
                .1
                .clean(&without_controls(&html))
                .to_string(),
        );
    }
}

/// Feed-safe HTML: no scripts, styles, frames, forms, objects, `<base>`/`<meta>`, event handlers
/// or `javascript:`/`data:` URLs (ammonia's defaults allow none of them); links made absolute.
pub fn sanitize(html: &str, base: Option<&url::Url>) -> String {
    policy(base).clean(&without_controls(html)).to_string()
}

/// Control characters removed before sanitising: `java\u{1}script:` must not become
/// `javascript:` when the writer strips them later.
fn without_controls(html: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
    if html.contains(bad) {
        std::borrow::Cow::Owned(html.chars().filter(|c| !bad(*c)).collect())
    } else {
        std::borrow::Cow::Borrowed(html)
    }
}

fn policy(base: Option<&url::Url>) -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    match base {
        Some(b) => builder.url_relative(ammonia::UrlRelative::RewriteWithBase(b.clone())),
        // A relative link means nothing in a feed without a base, and is no place to hide a
        // scheme in.
        None => builder.url_relative(ammonia::UrlRelative::Deny),
    };
    builder
}

/// One id, one item: a block seen twice on a page (trending and related lists) is merged.
fn dedupe(items: &mut Vec<Item>) {
    let mut out: Vec<Item> = Vec::with_capacity(items.len());
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for item in items.drain(..) {
        match at.get(&item.id) {
            Some(&i) => out[i].absorb(item),
            None => {
                at.insert(item.id.clone(), out.len());
                out.push(item);
            }
        }
    }
    *items = out;
}

/// What one sighting lacks, taken from another.
fn fill<T>(mine: &mut Option<T>, theirs: Option<T>) {
    if mine.is_none() {
        *mine = theirs;
    }
}

impl Item {
    /// A bare teaser with a link, for unit tests of the later steps.
    #[cfg(test)]
    pub(crate) fn teaser(id: &str, evidence: Vec<Evidence>) -> Item {
        Item {
            id: id.into(),
            title: "Titel".into(),
            link: Some(id.into()),
            summary: None,
            content_html: None,
            published: None,
            author: None,
            sponsor: None,
            personnel: None,
            block: Block::Teaser,
            evidence,
            category: None,
            shape: None,
        }
    }

    /// Merges another sighting of the same item into this one: what this one lacks is taken
    /// from the other, the fuller text wins, and evidence is pooled, so a label seen in either
    /// place counts.
    pub fn absorb(&mut self, other: Item) {
        fill(&mut self.link, other.link);
        fill(&mut self.summary, other.summary);
        fill(&mut self.published, other.published);
        fill(&mut self.author, other.author);
        fill(&mut self.sponsor, other.sponsor);
        fill(&mut self.category, other.category);
        match (&mut self.personnel, other.personnel) {
            (Some(mine), Some(theirs)) => mine.absorb(theirs),
            (mine, theirs) => fill(mine, theirs),
        }
        let len = |c: &Option<String>| c.as_deref().map_or(0, str::len);
        if len(&other.content_html) > len(&self.content_html) {
            self.content_html = other.content_html;
        }
        for e in other.evidence {
            if !self.evidence.contains(&e) {
                self.evidence.push(e);
            }
        }
    }
}

/// Disclosures where pages put them: in a short line of their own or in the closing paragraphs;
/// prose about such phrases further up does not count. A post's statement about itself ("Dieser
/// Beitrag entstand in Zusammenarbeit mit X") is a label; a bare "i samarbejde med" only makes
/// the item a suspect, as does promotional wording.
pub(crate) fn disclosure_evidence(
    paragraphs: &[&str],
    rules: &Rules,
    location: &str,
) -> Vec<Evidence> {
    let count = paragraphs.len();
    // Each paragraph folded once for all the tests below.
    let folded: Vec<Folded> = paragraphs.iter().map(|p| Folded::new(p)).collect();
    let short: Vec<bool> = paragraphs
        .iter()
        .map(|p| p.chars().count() <= 200)
        .collect();
    // The first match among the paragraphs where disclosures stand.
    let placed = |find: &dyn Fn(&Folded) -> Option<String>| {
        folded
            .iter()
            .enumerate()
            .filter(|(i, _)| i + 3 >= count || short[*i])
            .find_map(|(_, p)| find(p))
    };
    let evidence = |signal, matched: String| Evidence::new(signal, matched, location);
    if let Some(d) = placed(&|p| rules.disclosure(p)) {
        return vec![evidence(Signal::SponsoredDisclosure, d)];
    }
    // Hashtags stand at the start or the end of a post.
    let edges = |find: &dyn Fn(&Folded) -> Option<String>| {
        folded
            .iter()
            .enumerate()
            .filter(|(i, _)| *i < 2 || i + 2 >= count || short[*i])
            .find_map(|(_, p)| find(p))
    };
    let negated = placed(&|p| rules.negation(p));
    if negated.is_none()
        && let Some(tag) = edges(&|p| rules.hashtag(p, false))
    {
        return vec![evidence(Signal::SponsoredDisclosure, tag)];
    }
    let mut out = Vec::new();
    let weak = placed(&|p| rules.weak_label(p))
        .or(negated)
        .or_else(|| edges(&|p| rules.hashtag(p, false).or_else(|| rules.hashtag(p, true))));
    if let Some(w) = weak {
        out.push(evidence(Signal::WeakDisclosure, w));
    }
    if let Some(words) = rules.promotional_wording(&Folded::joined(&folded)) {
        out.push(evidence(Signal::PromotionalWording, words.join(", ")));
    }
    out
}

/// Escapes text for HTML content.
pub(crate) fn escape(text: &str) -> String {
    html_escape::encode_text(text).into_owned()
}

/// Plain paragraphs as HTML.
pub(crate) fn paragraphs_html(paragraphs: &[String]) -> String {
    paragraphs
        .iter()
        .map(|p| format!("<p>{}</p>", escape(p)))
        .collect::<Vec<_>>()
        .join("\n")
}

//! Paid-content evidence: of a teaser's block (labels in it or just before it, the widget it is
//! in, markup on it and its ancestors, a network's flags, site selectors) and of the page's own
//! article (labels above its text, tags, breadcrumbs, titles, markup, schema.org types).

use std::collections::HashSet;

use scraper::ElementRef;

use super::{Claims, Page, describe, is_heading, sel};
use crate::extract::{Evidence, Signal};
use crate::model::{Place, Reach};
use crate::rules::LabelMatch;

/// A block's evidence, each fact once, and the sponsor first named.
#[derive(Default)]
struct Found {
    evidence: Vec<Evidence>,
    sponsor: Option<String>,
}

impl Found {
    fn push(&mut self, signal: Signal, matched: impl Into<String>, location: impl Into<String>) {
        self.add(Evidence::new(signal, matched, location));
    }

    fn add(&mut self, e: Evidence) {
        if !self.evidence.contains(&e) {
            self.evidence.push(e);
        }
    }

    fn sponsor(&mut self, sponsor: Option<String>) {
        self.sponsor = self.sponsor.take().or(sponsor);
    }
}

impl<'a> Page<'a> {
    /// Sponsored signals of a block: labels in it or just before it, the widget it is in,
    /// markup on it and its ancestors (up to the page's article), site selectors.
    pub(super) fn block_evidence(
        &self,
        container: ElementRef<'a>,
        claims: &Claims,
    ) -> (Vec<Evidence>, Option<String>) {
        let mut found = Found::default();
        let seen_labels = self.block_labels(container, claims, &mut found);
        self.widget_over(container, &seen_labels, &mut found);
        self.markup_up_to_article(container, &mut found);
        (found.evidence, found.sponsor)
    }

    /// A label just before the block, or just before the list the block is an item of; it may
    /// itself be a link (to the publisher's advertising page), but its whole text must be the
    /// label.
    fn label_before(&self, el: ElementRef<'a>, claims: &Claims) -> Option<ElementRef<'a>> {
        let map = self.map;
        el.prev_siblings()
            .filter_map(ElementRef::wrap)
            .next()
            .filter(|p| {
                // The innermost element carrying the label: beside a banner it labels the
                // banner's slot, not the block after it.
                let inner = map
                    .subtree(*p)
                    .iter()
                    .rev()
                    .find(|d| map.text(**d) == map.text(*p))
                    .copied()
                    .unwrap_or(*p);
                !claims.covers(map, *p)
                    && !map.subtree(*p).iter().any(|d| is_heading(d.value().name()))
                    && self.rules().sponsored_kicker(map.text(*p)).is_some()
                    && !self.is_slot_label(inner)
            })
    }

    /// Labels and card badges in the block or just before it; returns the label texts found.
    fn block_labels(
        &self,
        container: ElementRef<'a>,
        claims: &Claims,
        found: &mut Found,
    ) -> HashSet<&'a str> {
        let (map, rules) = (self.map, self.rules());
        let list = (container.value().name() == "li")
            .then(|| container.parent().and_then(ElementRef::wrap))
            .flatten()
            .filter(|l| matches!(l.value().name(), "ul" | "ol"));
        let before: Vec<ElementRef<'a>> = self
            .label_before(container, claims)
            .into_iter()
            .chain(list.and_then(|l| self.label_before(l, claims)))
            .collect();
        let candidates = std::iter::once(container)
            .chain(map.subtree(container).iter().copied())
            .chain(before.iter().copied());
        let mut seen_labels = HashSet::new();
        let is_title = |e: &ElementRef| e.value().name() == "a" || is_heading(e.value().name());
        for el in candidates {
            // A label is a line of its own, not the teaser's title or a block holding it.
            let outside = before.iter().any(|b| b.id() == el.id());
            if !outside && map.subtree(el).iter().any(is_title) {
                continue;
            }
            let text = map.text(el);
            if text.chars().count() > 90 {
                continue;
            }
            let kicker = rules.sponsored_kicker(text);
            let header = kicker.is_none();
            if let Some(m) = kicker.or_else(|| rules.widget_header(text))
                && seen_labels.insert(text)
            {
                let reach = Reach {
                    place: if outside {
                        Place::Before
                    } else {
                        Place::Inside
                    },
                    steps: steps_between(container, el),
                    extra_words: extra_words(text, &m),
                    header,
                    ..Reach::own()
                };
                found.sponsor(m.sponsor);
                found.add(
                    Evidence::new(Signal::SponsoredLabel, text.to_string(), describe(el)).at(reach),
                );
            } else if !outside
                && !el
                    .ancestors()
                    .filter_map(ElementRef::wrap)
                    .take_while(|a| a.id() != container.id())
                    .chain(std::iter::once(el))
                    .any(|a| a.value().name() == "a")
                && rules
                    .card_badge(text, el.attr("class").unwrap_or_default())
                    .is_some()
                && seen_labels.insert(text)
            {
                // A badge on the card itself ("PARTNER" over its picture).
                let reach = Reach {
                    steps: steps_between(container, el),
                    ..Reach::own()
                };
                found.add(
                    Evidence::new(
                        Signal::SponsoredLabel,
                        text.to_string(),
                        format!("{} (badge on the card)", describe(el)),
                    )
                    .at(reach),
                );
            }
        }
        seen_labels
    }

    /// A label heading the widget the block is in, unless a network marks the card organic.
    fn widget_over(&self, container: ElementRef<'a>, seen: &HashSet<&str>, found: &mut Found) {
        let map = self.map;
        let at = map.pos(container);
        let organic = self.network_organic.covers(map, container)
            || map
                .subtree(container)
                .iter()
                .any(|e| self.network_organic.is_root(map, *e));
        // (A block inside the header's own box that holds the header, as a one-offer widget's
        // box does, is in it too.)
        let (start, end) = map.span(container);
        for w in self.widgets.iter().filter(|w| {
            let holds_head = (start..end).contains(&w.head)
                && w.own_box.0 <= start
                && end <= w.own_box.1
                && !seen.contains(w.label);
            !organic && (w.scope.contains(&at) || holds_head)
        }) {
            found.sponsor(w.sponsor.clone());
            let depth = container.ancestors().count() as u32;
            let reach = Reach {
                steps: depth.abs_diff(w.reach.steps),
                ..w.reach
            };
            found.add(
                Evidence::new(
                    Signal::SponsoredLabel,
                    w.label.to_string(),
                    format!("{} heading the widget", w.place),
                )
                .at(reach),
            );
        }
    }

    /// Paid markup on the block and its ancestors up to the page's article: attributes,
    /// classes, a network's paid item, site selectors.
    fn markup_up_to_article(&self, container: ElementRef<'a>, found: &mut Found) {
        let (map, rules) = (self.map, self.rules());
        for el in std::iter::once(container).chain(
            container
                .ancestors()
                .filter_map(ElementRef::wrap)
                .take_while(|a| self.article.is_none_or(|art| art.id() != a.id())),
        ) {
            for (name, value) in el.value().attrs() {
                if rules
                    .file
                    .sponsored
                    .attributes
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(name))
                {
                    found.push(Signal::SponsoredMarkup, format!("[{name}]"), describe(el));
                } else if name == "aria-label" || name == "data-label" || name == "title" {
                    if let Some(m) = rules.sponsored_label(value) {
                        found.sponsor(m.sponsor);
                        found.push(
                            Signal::SponsoredMarkup,
                            format!("{name}=\"{value}\""),
                            describe(el),
                        );
                    }
                } else if (matches!(name, "class" | "id") || name.starts_with("data-"))
                    && let Some(tok) = rules.sponsored_class(value)
                {
                    found.push(
                        Signal::SponsoredMarkup,
                        format!("{name}=\"{tok}\""),
                        describe(el),
                    );
                }
            }
            if self.network_paid.is_root(map, el) {
                found.push(
                    Signal::SponsoredMarkup,
                    format!("{} (a recommendation network's paid item)", describe(el)),
                    describe(el),
                );
            }
            if self.site_sponsored.is_root(map, el) {
                found.push(Signal::SponsoredSelector, describe(el), "site profile");
            }
        }
    }

    /// Paid-content signals of the page's own article: labels above its text, its tags and
    /// categories, markup on it and on the body, `article:section`, schema.org types.
    pub(super) fn article_evidence(
        &self,
        article: ElementRef<'a>,
        h1: Option<ElementRef<'a>>,
        ld: &[serde_json::Value],
        claims: &Claims,
        body_start: Option<usize>,
        evidence: &mut Vec<Evidence>,
    ) -> Option<String> {
        let sponsor = self.labels_above_text(article, h1, claims, body_start, evidence);
        self.tags_titles_and_crumbs(claims, evidence);
        let section_sponsor = self.markup_and_metadata(article, ld, evidence);
        sponsor.or(section_sponsor)
    }

    /// Labels above the article's text: a kicker, a badge, a disclosure line under the
    /// headline.
    fn labels_above_text(
        &self,
        article: ElementRef<'a>,
        h1: Option<ElementRef<'a>>,
        claims: &Claims,
        body_start: Option<usize>,
        evidence: &mut Vec<Evidence>,
    ) -> Option<String> {
        let map = self.map;
        let rules = self.rules();
        let mut sponsor = None;
        let scope = article
            .ancestors()
            .filter_map(ElementRef::wrap)
            .find(|a| a.value().name() != "article")
            .unwrap_or(article);
        for el in map.subtree(scope).iter().copied() {
            if self.is_ignored(el)
                || claims.covers(map, el)
                || h1.is_some_and(|h| h.id() == el.id())
            {
                continue;
            }
            let text = self.text(el);
            if text.chars().count() > 90 || el.child_elements().any(|c| map.text(c) == text) {
                continue;
            }
            if !self.before_body(el, body_start) || self.is_slot_label(el) {
                continue;
            }
            // A link is only a label by its exact text (a category link "ANZEIGE"); other
            // elements may carry a kicker with the sponsor's name ("- Advertorial Dalbello-"),
            // a badge word ("Promotion"), or a byline ending in one ("By Jane Doe (Sponsored
            // Post)").
            let label = if el.value().name() == "a" {
                rules.sponsored_label(text)
            } else {
                rules
                    .sponsored_kicker(text)
                    .or_else(|| rules.sponsored_title_suffix(text).map(|(m, _)| m))
                    .or_else(|| {
                        rules.head_kicker(text).map(|k| crate::rules::LabelMatch {
                            label: k,
                            sponsor: None,
                        })
                    })
            };
            if let Some(m) = label {
                // (Without a headline element, the article's start stands for it.)
                let head = h1.map_or(map.pos(article), |h| map.pos(h));
                let at = map.pos(el);
                let reach = Reach {
                    place: if at < head {
                        Place::AboveHeadline
                    } else {
                        Place::UnderHeadline
                    },
                    // Elements between the label and the headline.
                    steps: at.abs_diff(head).min(10_000) as u32,
                    extra_words: extra_words(text, &m),
                    header: rules.widget_header(text).is_some(),
                    slot: self.beside_media(el),
                    ..Reach::own()
                };
                sponsor = sponsor.or(m.sponsor.clone());
                evidence.push(
                    Evidence::new(
                        Signal::SponsoredLabel,
                        text.to_string(),
                        format!("{} above the article text", describe(el)),
                    )
                    .at(reach),
                );
            }
        }
        sponsor
    }

    /// The post's tags and categories, its titles, and a breadcrumb naming its section.
    fn tags_titles_and_crumbs(&self, claims: &Claims, evidence: &mut Vec<Evidence>) {
        let (map, rules) = (self.map, self.rules());
        // The post's own tags and categories (rel="tag"/"category"), wherever the theme puts
        // them.
        if let Some(q) = sel("a[rel~=tag], a[rel~=category]") {
            for a in map.select("a", &q) {
                if self.is_ignored(a) || claims.covers(map, a) {
                    continue;
                }
                let text = self.text(a);
                if rules.sponsored_label(text).is_some() {
                    evidence.push(Evidence::new(
                        Signal::SponsoredCategory,
                        text.to_string(),
                        format!("{} (rel=\"{}\")", describe(a), a.attr("rel").unwrap_or("")),
                    ));
                    break;
                }
            }
        }
        // The document's own title and its share title, with a label before or after.
        let doc_title = map.named("title").next().map(|t| self.text(t).to_string());
        for (title, place) in [
            (doc_title, "document title"),
            (self.meta("property", "og:title"), "og:title"),
        ] {
            if let Some((m, _)) = title
                .as_deref()
                .and_then(|t| rules.sponsored_title_label(t))
            {
                evidence.push(Evidence::new(Signal::SponsoredTitlePrefix, m.label, place));
                break;
            }
        }
        // A breadcrumb naming the page's section ("Home › Anzeige › …").
        // (Containers first, then their links: a selector with an ancestor condition would
        // walk up from every link of the page.)
        let crumbs = map.elements().iter().filter(|e| {
            e.attr("class")
                .is_some_and(|c| c.contains("breadcrumb") || c.contains("Breadcrumb"))
        });
        if let Some(a) = crumbs
            .flat_map(|c| map.descendants(*c).iter().copied())
            .find(|a| a.value().name() == "a" && rules.sponsored_label(self.text(*a)).is_some())
        {
            evidence.push(Evidence::new(
                Signal::SponsoredCategory,
                self.text(a).to_string(),
                format!("{} (breadcrumb)", describe(a)),
            ));
        }
    }

    /// Paid markup on the article and the body, `article:section`, schema.org types.
    fn markup_and_metadata(
        &self,
        article: ElementRef<'a>,
        ld: &[serde_json::Value],
        evidence: &mut Vec<Evidence>,
    ) -> Option<String> {
        let (map, rules) = (self.map, self.rules());
        let mut sponsor = None;
        let body_el = map.named("body").next();
        for el in [Some(article), body_el].into_iter().flatten() {
            for name in ["class", "id"] {
                if let Some(tok) = el.attr(name).and_then(|v| rules.sponsored_class(v)) {
                    evidence.push(Evidence::new(
                        Signal::SponsoredMarkup,
                        format!("{name}=\"{tok}\""),
                        describe(el),
                    ));
                }
            }
        }
        for section in [
            self.meta("property", "article:section"),
            self.meta("name", "article:section"),
        ]
        .into_iter()
        .flatten()
        {
            if let Some(m) = rules.sponsored_label(&section) {
                sponsor = sponsor.or(m.sponsor);
                evidence.push(Evidence::new(
                    Signal::SponsoredCategory,
                    section,
                    "meta article:section",
                ));
            }
        }
        for ty in ld.iter().flat_map(types_of) {
            if rules.is_sponsored_schema(&ty) {
                evidence.push(Evidence::new(Signal::SponsoredSchema, ty, "JSON-LD @type"));
            }
        }
        sponsor
    }
}

/// Element steps from `inner` up to `outer` (0 when they are one).
fn steps_between(outer: ElementRef, inner: ElementRef) -> u32 {
    inner
        .ancestors()
        .take_while(|a| a.id() != outer.id())
        .count()
        .min(1000) as u32
}

/// Words of a label's text beyond the label and the sponsor it names.
pub(super) fn extra_words(text: &str, m: &LabelMatch) -> u32 {
    let words = |t: &str| t.split_whitespace().count();
    let label = words(&m.label) + m.sponsor.as_deref().map_or(0, words);
    words(text).saturating_sub(label).min(1000) as u32
}

/// Every JSON-LD object on the page, `@graph` members included.
pub(super) fn json_ld(map: &super::PageMap) -> Vec<serde_json::Value> {
    let Some(q) = sel("script[type='application/ld+json']") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for script in map.select("script", &q) {
        let raw: String = script.text().collect();
        let Ok(value) = serde_json::from_str::<serde_json::Value>(raw.trim()) else {
            continue;
        };
        let mut stack = vec![value];
        while let Some(v) = stack.pop() {
            match v {
                serde_json::Value::Array(a) => stack.extend(a),
                serde_json::Value::Object(ref o) => {
                    if let Some(g) = o.get("@graph") {
                        stack.push(g.clone());
                    }
                    out.push(v);
                }
                _ => {}
            }
        }
    }
    out
}

pub(super) fn types_of(o: &serde_json::Value) -> Vec<String> {
    match o.get("@type") {
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

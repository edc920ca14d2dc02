//! Extraction from an HTML page: labels and text first, markup (classes, attributes, schema.org,
//! URL paths, site selectors) as further evidence.

mod depth;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, FixedOffset};
use ego_tree::NodeId;
use scraper::{ElementRef, Html, Selector};

use super::dates::parse_timestamp;
use super::identity::{canonical_url, tag_id};
use super::personnel::notice_items;
use super::{Block, Context, Evidence, ExtractError, Extraction, Item, Signal, Skipped, escape};
use crate::input::Document;
use crate::rules::Rules;

/// Elements whose whole text is short enough to be a label or header, with that text.
fn short_text_elements(html: &Html) -> Vec<(ElementRef<'_>, String)> {
    html.root_element()
        .descendent_elements()
        .filter(|e| {
            !matches!(
                e.value().name(),
                "html" | "body" | "head" | "title" | "script" | "style"
            )
        })
        .filter_map(|e| {
            let t = text_of(e);
            (!t.is_empty() && t.chars().count() <= 90).then_some((e, t))
        })
        .collect()
}

/// Elements whose subtrees never hold items or article text.
const STRUCTURAL_IGNORE: &str =
    "script, style, noscript, template, svg, nav, footer, form, iframe, button, select";

pub fn extract(doc: &Document, cx: &Context) -> Result<Extraction, ExtractError> {
    check_depth(&doc.text, &doc.origin)?;
    let html = Html::parse_document(&doc.text);
    let mut page = Page::new(&html, doc, cx);
    page.mark_ignored();
    page.article = page.find_article();
    page.personnel_sections();
    page.teasers();
    page.body_start = page.body_start();
    page.unlinked_labels();
    page.article();
    Ok(page.finish())
}

/// Refuses markup nested deeper than the parser can handle in linear time.
pub(crate) fn check_depth(markup: &str, origin: &str) -> Result<(), ExtractError> {
    depth::check(markup, depth::MAX_DEPTH)
        .map(|_| ())
        .map_err(|_| ExtractError::TooDeep {
            origin: origin.to_string(),
            limit: depth::MAX_DEPTH,
        })
}

/// Selectors used inside loops, parsed once.
struct Hot {
    link: Selector,
    h1: Selector,
    p: Selector,
}

static HOT: std::sync::LazyLock<Option<Hot>> = std::sync::LazyLock::new(|| {
    Some(Hot {
        link: sel("a[href]")?,
        h1: sel("h1")?,
        p: sel("p")?,
    })
});

/// The elements in `el` matching one of the hot selectors.
fn matching<'e>(
    el: ElementRef<'e>,
    pick: fn(&Hot) -> &Selector,
) -> impl Iterator<Item = ElementRef<'e>> {
    HOT.as_ref()
        .into_iter()
        .flat_map(move |hot| el.select(pick(hot)))
}

/// Whether `el` holds an element matching one of the hot selectors.
fn holds(el: ElementRef, pick: fn(&Hot) -> &Selector) -> bool {
    matching(el, pick).next().is_some()
}

struct Page<'a> {
    html: &'a Html,
    cx: &'a Context<'a>,
    base: Option<url::Url>,
    host: Option<String>,
    authority: String,
    /// Document order of every element, for "before the body" tests.
    order: HashMap<NodeId, usize>,
    /// The page's own article element, when there is one.
    article: Option<ElementRef<'a>>,
    /// Document position of the article's first paragraph of running text.
    body_start: Option<usize>,
    /// Elements whose whole text is short enough to be a label or header, with that text.
    short_texts: Vec<(ElementRef<'a>, String)>,
    ignored: HashSet<NodeId>,
    /// Roots of subtrees already turned into items.
    claimed: HashSet<NodeId>,
    site_sponsored: HashSet<NodeId>,
    items: Vec<Item>,
    article_item: Option<Item>,
    skipped: Vec<Skipped>,
}

fn sel(s: &str) -> Option<Selector> {
    Selector::parse(s).ok()
}

/// Collapsed visible text of an element.
fn text_of(el: ElementRef) -> String {
    el.text()
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `tag.class1.class2` for explanations.
fn describe(el: ElementRef) -> String {
    let mut s = el.value().name().to_string();
    if let Some(id) = el.value().id() {
        s.push('#');
        s.push_str(id);
    }
    for c in el.value().classes().take(3) {
        s.push('.');
        s.push_str(c);
    }
    s
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

impl<'a> Page<'a> {
    fn new(html: &'a Html, doc: &Document, cx: &'a Context<'a>) -> Self {
        let meta_url = |s: &str| {
            sel(s).and_then(|q| {
                html.select(&q)
                    .find_map(|e| e.attr("href").or_else(|| e.attr("content")))
                    .and_then(|u| url::Url::parse(u.trim()).ok())
            })
        };
        let base = doc
            .url
            .clone()
            .or_else(|| meta_url("base[href]"))
            .or_else(|| meta_url("link[rel=canonical]"))
            .or_else(|| meta_url("meta[property='og:url']"));
        let host = base.as_ref().and_then(|b| b.host_str()).map(str::to_string);
        let order = html
            .root_element()
            .descendent_elements()
            .enumerate()
            .map(|(i, e)| (e.id(), i))
            .collect();
        Page {
            html,
            cx,
            authority: cx.source_name.to_string(),
            base,
            host,
            order,
            article: None,
            body_start: None,
            short_texts: short_text_elements(html),
            ignored: HashSet::new(),
            claimed: HashSet::new(),
            site_sponsored: HashSet::new(),
            items: Vec::new(),
            article_item: None,
            skipped: Vec::new(),
        }
    }

    fn rules(&self) -> &'a Rules {
        self.cx.rules
    }

    fn within(set: &HashSet<NodeId>, el: ElementRef) -> bool {
        set.contains(&el.id()) || el.ancestors().any(|a| set.contains(&a.id()))
    }

    fn is_ignored(&self, el: ElementRef) -> bool {
        Self::within(&self.ignored, el)
    }

    fn is_claimed(&self, el: ElementRef) -> bool {
        Self::within(&self.claimed, el)
    }

    fn skip(&mut self, what: &str, el: ElementRef) {
        let text: String = text_of(el).chars().take(100).collect();
        if !text.is_empty() {
            self.skipped.push(Skipped {
                what: what.to_string(),
                text,
                location: describe(el),
            });
        }
    }

    fn select_all(&self, selectors: &[String]) -> Vec<ElementRef<'a>> {
        selectors
            .iter()
            .filter_map(|s| sel(s))
            .flat_map(|q| self.html.select(&q).collect::<Vec<_>>())
            .collect()
    }

    /// The element a header heads: climbs out of wrappers that hold only the header's text.
    fn section_of(&self, header: ElementRef<'a>) -> Option<ElementRef<'a>> {
        let own = text_of(header);
        let mut current = header;
        loop {
            let parent = current.parent().and_then(ElementRef::wrap)?;
            if matches!(parent.value().name(), "body" | "html") {
                return None;
            }
            if text_of(parent) != own {
                return Some(parent);
            }
            current = parent;
        }
    }

    /// The block a people-notice header heads; on a page that is all notices (the header is the
    /// page's headline), the block right after the header.
    fn personnel_section_of(&self, header: ElementRef<'a>) -> Option<ElementRef<'a>> {
        match self.section_of(header) {
            Some(s) if !self.is_page_scale(s) => Some(s),
            _ => header.next_siblings().filter_map(ElementRef::wrap).next(),
        }
    }

    /// Whether an element is the page or its article rather than a block in it: it holds the
    /// headline or the article, or several paragraphs of running text.
    fn is_page_scale(&self, el: ElementRef<'a>) -> bool {
        let holds_article = self
            .article
            .is_some_and(|a| a.id() == el.id() || a.ancestors().any(|x| x.id() == el.id()));
        let holds_h1 = holds(el, |h| &h.h1);
        let long_paragraphs = matching(el, |h| &h.p)
            .filter(|p| text_of(*p).chars().count() > 120)
            .count();
        holds_article || holds_h1 || long_paragraphs > 2
    }

    fn mark_ignored(&mut self) {
        let rules = self.rules();
        let host = self.host.clone();
        let mut selectors: Vec<String> = rules.file.ignore.selectors.clone();
        selectors.extend(
            rules
                .sites_for(host.as_deref())
                .flat_map(|s| s.ignore_selectors.iter().cloned()),
        );
        let mut roots = self.select_all(&selectors);
        for el in &roots {
            if !self.is_ignored(*el) {
                self.skip("ignored by selector", *el);
                self.ignored.insert(el.id());
            }
        }
        if let Some(q) = sel(STRUCTURAL_IGNORE) {
            roots.extend(self.html.select(&q));
        }
        // A page header or a header that is not the article's own.
        if let Some(q) = sel("header") {
            roots.extend(self.html.select(&q).filter(|h| {
                !h.ancestors()
                    .any(|a| ElementRef::wrap(a).is_some_and(|e| e.value().name() == "article"))
                    && sel("h1").is_none_or(|h1| h.select(&h1).next().is_none())
            }));
        }
        for el in &roots {
            self.ignored.insert(el.id());
        }
        // Sections headed "Kommende events", "Brancheguiden", "Premium", …
        for (el, text) in self.short_texts.clone() {
            if rules.is_ignore_header(&text)
                && !self.is_ignored(el)
                && let Some(section) = self.section_of(el).filter(|s| !self.is_page_scale(*s))
            {
                self.skip("house promotion", section);
                self.ignored.insert(section.id());
            }
        }
        let sponsored: Vec<String> = rules
            .sites_for(host.as_deref())
            .flat_map(|s| s.sponsored_selectors.iter().cloned())
            .collect();
        for el in self.select_all(&sponsored) {
            self.site_sponsored.insert(el.id());
        }
    }

    /// The page's own article: the `article` (or articleBody) holding the page's `h1`.
    fn find_article(&self) -> Option<ElementRef<'a>> {
        let long_paragraphs = |a: ElementRef| {
            matching(a, |h| &h.p)
                .filter(|p| text_of(*p).len() > 80)
                .count()
        };
        let h1 = sel("h1").and_then(|q| self.html.select(&q).find(|h| !self.is_ignored(*h)));
        let around_h1 = h1.and_then(|h| {
            h.ancestors().filter_map(ElementRef::wrap).find(|a| {
                a.value().name() == "article" || a.attr("itemprop") == Some("articleBody")
            })
        });
        if around_h1.is_some() {
            return around_h1;
        }
        // The h1 may be the site's name (blog themes): then the one article element with
        // running text is the post.
        let posts: Vec<ElementRef<'a>> = sel("article")
            .map(|q| {
                self.html
                    .select(&q)
                    .filter(|a| !self.is_ignored(*a) && long_paragraphs(*a) >= 2)
                    .filter(|a| !a.value().classes().any(|c| c.contains("comment")))
                    .collect()
            })
            .unwrap_or_default();
        let outermost: Vec<ElementRef<'a>> = posts
            .iter()
            .filter(|a| {
                !posts
                    .iter()
                    .any(|o| o.id() != a.id() && a.ancestors().any(|x| x.id() == o.id()))
            })
            .copied()
            .collect();
        if let [post] = outermost.as_slice() {
            return Some(*post);
        }
        // No article element: the nearest ancestor of the h1 holding paragraphs.
        h1?.ancestors()
            .filter_map(ElementRef::wrap)
            .find(|a| long_paragraphs(*a) >= 2)
    }

    fn personnel_sections(&mut self) {
        let rules = self.rules();
        let host = self.host.clone();
        let mut sections: Vec<(ElementRef<'a>, String)> = Vec::new();
        for (el, text) in self.short_texts.clone() {
            if rules.is_personnel_header(&text)
                && !self.is_ignored(el)
                && let Some(section) = self.personnel_section_of(el)
                && !sections.iter().any(|(s, _)| s.id() == section.id())
            {
                sections.push((section, text));
            }
        }
        let site: Vec<String> = rules
            .sites_for(host.as_deref())
            .flat_map(|s| s.personnel_selectors.iter().cloned())
            .collect();
        for el in self.select_all(&site) {
            if !sections.iter().any(|(s, _)| s.id() == el.id()) {
                sections.push((el, describe(el)));
            }
        }
        for (section, header) in sections {
            if self.is_claimed(section) {
                continue;
            }
            let location = describe(section);
            let lines: Vec<(String, String)> = block_lines(section)
                .into_iter()
                .filter(|l| !rules.is_personnel_header(l))
                .map(|l| (l, location.clone()))
                .collect();
            let (items, skipped) = notice_items(&lines, &header, self.cx, &self.authority);
            // Links to the notices' own pages, matched by the person's name.
            let anchors: Vec<(String, String)> = sel("a[href]")
                .map(|q| {
                    section
                        .select(&q)
                        .filter_map(|a| {
                            let href = canonical_url(a.attr("href")?, self.base.as_ref())?;
                            Some((text_of(a), href))
                        })
                        .collect()
                })
                .unwrap_or_default();
            for mut item in items {
                let person = item.personnel.as_ref().and_then(|p| p.person.clone());
                if let Some((_, href)) = anchors
                    .iter()
                    .find(|(t, _)| person.as_deref().is_some_and(|p| t.contains(p)))
                {
                    item.link = Some(href.clone());
                }
                self.items.push(item);
            }
            self.skipped.extend(skipped);
            self.claimed.insert(section.id());
        }
    }

    /// Every link that looks like a teaser (a title, not a word in running text).
    fn teasers(&mut self) {
        let Some(q) = sel("a[href]") else { return };
        let anchors: Vec<ElementRef<'a>> = self.html.select(&q).collect();
        let page_url = self
            .base
            .as_ref()
            .and_then(|b| canonical_url(b.as_str(), None));
        for anchor in anchors {
            if self.is_ignored(anchor) || self.is_claimed(anchor) {
                continue;
            }
            let Some(href) = anchor
                .attr("href")
                .and_then(|h| canonical_url(h, self.base.as_ref()))
            else {
                continue;
            };
            // The page itself and a site's home page are no articles.
            let home = url::Url::parse(&href).is_ok_and(|u| u.path() == "/" && u.query().is_none());
            if page_url.as_deref() == Some(href.as_str()) || home || !self.is_title_link(anchor) {
                continue;
            }
            let container = self.teaser_container(anchor, &href);
            if self.is_claimed(container) {
                continue;
            }
            if let Some(item) = self.teaser_item(anchor, container, href) {
                self.items.push(item);
            }
            self.claimed.insert(container.id());
        }
    }

    /// A link whose text is a title: a heading in or around it, or several words standing
    /// alone in their block (not a link inside a sentence).
    fn is_title_link(&self, anchor: ElementRef) -> bool {
        let has_heading = anchor
            .descendent_elements()
            .any(|e| is_heading(e.value().name()))
            || anchor
                .parent()
                .and_then(ElementRef::wrap)
                .is_some_and(|p| is_heading(p.value().name()));
        if has_heading {
            return true;
        }
        let text = text_of(anchor);
        if text.split_whitespace().count() < 3 || text.chars().count() < 15 {
            return false;
        }
        let block = anchor.ancestors().filter_map(ElementRef::wrap).find(|e| {
            matches!(
                e.value().name(),
                "p" | "li" | "td" | "dd" | "blockquote" | "div" | "article"
            )
        });
        match block {
            Some(b) => {
                let block_text = text_of(b);
                let rest = block_text.replace(&text, "");
                rest.trim().chars().count() <= 20 || self.rules().is_inline_ref(&block_text)
            }
            None => true,
        }
    }

    /// The largest element around a teaser link that holds nothing but that teaser.
    fn teaser_container(&self, anchor: ElementRef<'a>, href: &str) -> ElementRef<'a> {
        let other_link = |el: ElementRef| {
            matching(el, |h| &h.link).any(|a| {
                !self.is_ignored(a)
                    && a.attr("href")
                        .and_then(|h| canonical_url(h, self.base.as_ref()))
                        .is_some_and(|h| h != href)
            })
        };
        let mut current = anchor;
        loop {
            if matches!(current.value().name(), "article" | "li") && current.id() != anchor.id() {
                return current;
            }
            let Some(parent) = current.parent().and_then(ElementRef::wrap) else {
                return current;
            };
            let is_page_article = self.article.is_some_and(|a| a.id() == parent.id());
            let holds_h1 = holds(parent, |h| &h.h1);
            if matches!(parent.value().name(), "body" | "html" | "main")
                || is_page_article
                || holds_h1
                || other_link(parent)
            {
                return current;
            }
            current = parent;
        }
    }

    /// Sponsored signals of a block: labels in it or just before it, markup on it and its
    /// ancestors (up to the page's article), site selectors.
    fn block_evidence(&self, container: ElementRef<'a>) -> (Vec<Evidence>, Option<String>) {
        let rules = self.rules();
        let mut evidence = Vec::new();
        let mut sponsor = None;
        let mut push = |signal, matched: String, location: String| {
            let e = Evidence {
                signal,
                matched,
                location,
            };
            if !evidence.contains(&e) {
                evidence.push(e);
            }
        };
        // A label just before the block, or just before the list the block is an item of.
        // A label just before the block, or just before the list the block is an item of; it
        // may itself be a link (to the publisher's advertising page), but its whole text must
        // be the label.
        let prev = |el: ElementRef<'a>| {
            el.prev_siblings()
                .filter_map(ElementRef::wrap)
                .next()
                .filter(|p| {
                    !self.is_claimed(*p)
                        && !p
                            .descendent_elements()
                            .any(|d| is_heading(d.value().name()))
                        && rules.sponsored_kicker(&text_of(*p)).is_some()
                })
        };
        let list = (container.value().name() == "li")
            .then(|| container.parent().and_then(ElementRef::wrap))
            .flatten()
            .filter(|l| matches!(l.value().name(), "ul" | "ol"));
        let before: Vec<ElementRef<'a>> = prev(container)
            .into_iter()
            .chain(list.and_then(prev))
            .collect();
        let candidates = std::iter::once(container)
            .chain(container.descendent_elements())
            .chain(before.iter().copied());
        let mut seen_labels = HashSet::new();
        let is_title = |e: ElementRef| e.value().name() == "a" || is_heading(e.value().name());
        for el in candidates {
            // A label is a line of its own, not the teaser's title or a block holding it.
            let outside = before.iter().any(|b| b.id() == el.id());
            if !outside && (is_title(el) || el.descendent_elements().any(is_title)) {
                continue;
            }
            let text = text_of(el);
            if text.chars().count() > 90 {
                continue;
            }
            if let Some(m) = rules.sponsored_kicker(&text)
                && seen_labels.insert(text.clone())
            {
                sponsor = sponsor.or(m.sponsor);
                push(Signal::SponsoredLabel, text, describe(el));
            }
        }
        for el in std::iter::once(container).chain(
            container
                .ancestors()
                .filter_map(ElementRef::wrap)
                .take_while(|a| self.article.is_none_or(|art| art.id() != a.id())),
        ) {
            let v = el.value();
            for (name, value) in v.attrs() {
                if rules
                    .file
                    .sponsored
                    .attributes
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(name))
                {
                    push(Signal::SponsoredMarkup, format!("[{name}]"), describe(el));
                } else if name == "aria-label" || name == "data-label" || name == "title" {
                    if let Some(m) = rules.sponsored_label(value) {
                        sponsor = sponsor.or(m.sponsor);
                        push(
                            Signal::SponsoredMarkup,
                            format!("{name}=\"{value}\""),
                            describe(el),
                        );
                    }
                } else if (matches!(name, "class" | "id") || name.starts_with("data-"))
                    && let Some(tok) = rules.sponsored_class(value)
                {
                    push(
                        Signal::SponsoredMarkup,
                        format!("{name}=\"{tok}\""),
                        describe(el),
                    );
                }
            }
            if self.site_sponsored.contains(&el.id()) {
                push(
                    Signal::SponsoredSelector,
                    describe(el),
                    "site profile".into(),
                );
            }
        }
        (evidence, sponsor)
    }

    fn teaser_item(
        &mut self,
        anchor: ElementRef<'a>,
        container: ElementRef<'a>,
        href: String,
    ) -> Option<Item> {
        let rules = self.rules();
        let (mut evidence, sponsor) = self.block_evidence(container);
        if anchor.attr("rel").is_some_and(|r| {
            r.split_whitespace()
                .any(|t| t.eq_ignore_ascii_case("sponsored"))
        }) {
            evidence.push(Evidence {
                signal: Signal::SponsoredRel,
                matched: "rel=\"sponsored\"".into(),
                location: describe(anchor),
            });
        }
        if let Some(path) = rules.sponsored_url_path(&href, self.host.as_deref()) {
            evidence.push(Evidence {
                signal: Signal::SponsoredUrl,
                matched: path,
                location: describe(anchor),
            });
        }
        // The heading around or inside the link, else the link text; the block's first heading
        // only for a link without text (an image link), since a box may have a header of its own.
        let own_heading = anchor
            .parent()
            .and_then(ElementRef::wrap)
            .filter(|p| is_heading(p.value().name()))
            .or_else(|| {
                anchor
                    .descendent_elements()
                    .find(|e| is_heading(e.value().name()))
            })
            .map(text_of)
            .filter(|t| !t.is_empty());
        let mut title = own_heading
            .or_else(|| Some(text_of(anchor)).filter(|t| !t.is_empty()))
            .or_else(|| {
                container
                    .descendent_elements()
                    .find(|e| is_heading(e.value().name()))
                    .map(text_of)
                    .filter(|t| !t.is_empty())
            })
            .or_else(|| anchor.attr("title").map(str::to_string))?;
        if let Some((m, rest)) = rules.sponsored_title_prefix(&title) {
            evidence.push(Evidence {
                signal: Signal::SponsoredTitlePrefix,
                matched: m.label,
                location: describe(anchor),
            });
            title = rest;
        }
        let sponsored = evidence.iter().any(|e| e.signal.is_sponsored());
        if !sponsored {
            if let Some(path) = rules.ignored_url_path(&href) {
                self.skip(&format!("job ad or event ({path})"), container);
                return None;
            }
            if block_lines(container)
                .iter()
                .any(|l| rules.is_ignored_text(l))
            {
                self.skip("house promotion", container);
                return None;
            }
        }
        let blurb = container
            .descendent_elements()
            .filter(|e| matches!(e.value().name(), "p" | "div" | "span"))
            .filter(|e| {
                e.child_elements()
                    .all(|c| !matches!(c.value().name(), "p" | "div"))
            })
            .map(text_of)
            .find(|t| {
                t.chars().count() >= 25
                    && *t != title
                    && !title.contains(t.as_str())
                    && !t.contains(title.as_str())
                    && rules.sponsored_label(t).is_none()
            });
        let published = sel("time[datetime]")
            .and_then(|q| container.select(&q).next())
            .and_then(|t| t.attr("datetime"))
            .and_then(|d| parse_timestamp(d, self.cx.tz));
        if let Some(w) = blurb.as_deref().and_then(|b| rules.weak_label(b)) {
            evidence.push(Evidence {
                signal: Signal::WeakDisclosure,
                matched: w,
                location: describe(container),
            });
        }
        Some(Item {
            id: href.clone(),
            title,
            link: Some(href),
            content_html: blurb.as_deref().map(|b| format!("<p>{}</p>", escape(b))),
            summary: blurb,
            published,
            author: None,
            sponsor,
            personnel: None,
            block: if sponsored {
                Block::SponsoredTeaser
            } else {
                Block::Teaser
            },
            evidence,
        })
    }

    /// Labelled blocks without a link (a sponsored box with its text inline), and bare labels
    /// that are display-ad slots.
    fn unlinked_labels(&mut self) {
        let rules = self.rules();
        for (el, text) in self.short_texts.clone() {
            if self.is_ignored(el) || self.is_claimed(el) {
                continue;
            }
            // The innermost element carrying the label.
            if el.child_elements().any(|c| text_of(c) == text) {
                continue;
            }
            let in_article_head = self
                .article
                .is_some_and(|a| el.ancestors().any(|x| x.id() == a.id()) && self.before_body(el));
            if in_article_head {
                continue;
            }
            let label = rules.sponsored_label(&text);
            if label.is_none() {
                if rules.is_slot_text(&text) {
                    self.skip("ad slot", el);
                    self.claimed.insert(el.id());
                }
                continue;
            }
            let Some(section) = self.section_of(el) else {
                continue;
            };
            // A label over linked teasers was counted as their evidence already.
            if holds(section, |h| &h.link) {
                continue;
            }
            // A label inside running article text marks a display slot, not a block of its own;
            // so does a label with no headline beside it.
            let in_article = self
                .article
                .is_some_and(|a| section.ancestors().any(|x| x.id() == a.id()));
            let has_heading = section
                .descendent_elements()
                .any(|e| is_heading(e.value().name()));
            if self.is_page_scale(section) || in_article || !has_heading {
                self.skip("ad slot", el);
                self.claimed.insert(el.id());
                continue;
            }
            let lines: Vec<String> = block_lines(section)
                .into_iter()
                .filter(|l| *l != text)
                .collect();
            if lines.is_empty() || lines[0].chars().count() > 160 || self.is_claimed(section) {
                self.skip("ad slot", el);
                self.claimed.insert(el.id());
                continue;
            }
            let sponsor = label.and_then(|m| m.sponsor);
            let title = lines[0].clone();
            let blurb = lines.get(1).cloned();
            let (mut evidence, _) = self.block_evidence(section);
            if evidence.is_empty() {
                evidence.push(Evidence {
                    signal: Signal::SponsoredLabel,
                    matched: text.clone(),
                    location: describe(el),
                });
            }
            let identifying = format!("{} {}", sponsor.as_deref().unwrap_or(""), title);
            self.items.push(Item {
                id: tag_id(&self.authority, "sponsored", &identifying),
                title,
                link: None,
                content_html: blurb.as_deref().map(|b| format!("<p>{}</p>", escape(b))),
                summary: blurb,
                published: None,
                author: None,
                sponsor,
                personnel: None,
                block: Block::SponsoredTeaser,
                evidence,
            });
            self.claimed.insert(section.id());
        }
    }

    /// Document position of the article's first paragraph of running text (teasers claimed
    /// inside the article do not count).
    fn body_start(&self) -> Option<usize> {
        let (article, hot) = (self.article?, HOT.as_ref()?);
        let first = article
            .select(&hot.p)
            .find(|p| !self.is_claimed(*p) && text_of(*p).chars().count() > 60)?;
        self.order.get(&first.id()).copied()
    }

    /// Whether `el` comes before the article's text (a kicker, a disclosure line).
    fn before_body(&self, el: ElementRef) -> bool {
        match (self.body_start, self.order.get(&el.id())) {
            (Some(start), Some(pos)) => *pos < start,
            _ => false,
        }
    }

    fn article(&mut self) {
        let Some(article) = self.article else { return };
        let rules = self.rules();
        // The headline: the article's own h1, else its first h2 (a post under a site-name h1),
        // else the page's h1.
        let first = |q: &str, scope: ElementRef<'a>| sel(q).and_then(|s| scope.select(&s).next());
        let h1 = first("h1", article)
            .or_else(|| first("h2", article))
            .or_else(|| first("h1", self.html.root_element()));
        let Some(h1) = h1 else { return };
        let mut evidence = Vec::new();
        let mut title = text_of(h1);
        if let Some((m, rest)) = rules.sponsored_title_prefix(&title) {
            evidence.push(Evidence {
                signal: Signal::SponsoredTitlePrefix,
                matched: m.label,
                location: "h1".into(),
            });
            title = rest;
        }
        let ld = json_ld(self.html);
        let sponsor = self.article_evidence(article, h1, &ld, &mut evidence);
        let link = sel("link[rel=canonical]")
            .and_then(|q| {
                self.html
                    .select(&q)
                    .find_map(|l| l.attr("href").map(str::to_string))
            })
            .or_else(|| self.meta("meta[property='og:url']"))
            .and_then(|h| canonical_url(&h, self.base.as_ref()))
            .or_else(|| {
                self.base
                    .as_ref()
                    .and_then(|b| canonical_url(b.as_str(), None))
            });
        if let Some(path) = link
            .as_deref()
            .and_then(|l| rules.sponsored_url_path(l, self.host.as_deref()))
        {
            evidence.push(Evidence {
                signal: Signal::SponsoredUrl,
                matched: path,
                location: "canonical URL".into(),
            });
        }
        let (published, author) = self.article_date_and_author(article, &ld);
        let lede_el = sel(".lede, .lead, .standfirst, .article-lede, .article__lede, .summary, .intro, [itemprop=description]")
            .and_then(|q| article.select(&q).find(|e| !self.is_claimed(*e)));
        let lede = lede_el
            .map(text_of)
            .or_else(|| self.meta("meta[property='og:description']"))
            .or_else(|| self.meta("meta[name=description]"))
            .filter(|l| !l.is_empty());
        let body_root = sel("[itemprop=articleBody], .article-body, .article__body, .entry-content, .post-content, .story-body, .article-content")
            .and_then(|q| article.select(&q).next())
            .unwrap_or(article);
        let mut skip_ids: HashSet<NodeId> = HashSet::new();
        skip_ids.insert(h1.id());
        if let Some(l) = lede_el {
            skip_ids.insert(l.id());
        }
        let mut parts = Vec::new();
        self.walk_body(body_root, true, &skip_ids, &mut parts);
        let body_text: String = parts
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        if body_text.chars().count() < 200 && lede.is_none() {
            return;
        }
        let paragraphs: Vec<&str> = parts.iter().map(|(_, t)| t.as_str()).collect();
        evidence.extend(super::disclosure_evidence(
            &paragraphs,
            rules,
            "article text",
        ));
        let mut html = String::new();
        if let Some(l) = &lede {
            html.push_str(&format!("<p><strong>{}</strong></p>\n", escape(l)));
        }
        for (part, _) in &parts {
            html.push_str(part);
            html.push('\n');
        }
        let id = link.clone().unwrap_or_else(|| {
            tag_id(
                &self.authority,
                "article",
                lede.as_deref().unwrap_or(&title),
            )
        });
        self.article_item = Some(Item {
            id,
            title,
            link,
            summary: lede,
            // Sanitised with every other item's content, in `extract`.
            content_html: Some(html),
            published,
            author,
            sponsor,
            personnel: None,
            block: Block::Article,
            evidence,
        });
    }

    /// Paid-content signals of the page's own article: labels above its text, its tags and
    /// categories, markup on it and on the body, `article:section`, schema.org types.
    fn article_evidence(
        &self,
        article: ElementRef<'a>,
        h1: ElementRef<'a>,
        ld: &[serde_json::Value],
        evidence: &mut Vec<Evidence>,
    ) -> Option<String> {
        let rules = self.rules();
        let mut sponsor = None;
        // Labels above the text: a kicker, a badge, a disclosure line under the headline.
        let scope = article
            .ancestors()
            .filter_map(ElementRef::wrap)
            .find(|a| a.value().name() != "article")
            .unwrap_or(article);
        for el in scope.descendent_elements() {
            if self.is_ignored(el) || self.is_claimed(el) || el.id() == h1.id() {
                continue;
            }
            let text = text_of(el);
            if text.chars().count() > 90 || el.child_elements().any(|c| text_of(c) == text) {
                continue;
            }
            // A link is only a label by its exact text (a category link "ANZEIGE"); other
            // elements may carry a kicker with the sponsor's name ("- Advertorial Dalbello-").
            let label = if el.value().name() == "a" {
                rules.sponsored_label(&text)
            } else {
                rules.sponsored_kicker(&text)
            };
            if let Some(m) = label
                && self.before_body(el)
            {
                sponsor = sponsor.or(m.sponsor);
                evidence.push(Evidence {
                    signal: Signal::SponsoredLabel,
                    matched: text,
                    location: format!("{} above the article text", describe(el)),
                });
            }
        }
        // The post's own tags and categories (rel="tag"/"category"), wherever the theme puts
        // them.
        if let Some(q) = sel("a[rel~=tag], a[rel~=category]") {
            for a in self.html.select(&q) {
                if self.is_ignored(a) || self.is_claimed(a) {
                    continue;
                }
                let text = text_of(a);
                if rules.sponsored_label(&text).is_some() {
                    evidence.push(Evidence {
                        signal: Signal::SponsoredCategory,
                        matched: text,
                        location: format!(
                            "{} (rel=\"{}\")",
                            describe(a),
                            a.attr("rel").unwrap_or("")
                        ),
                    });
                    break;
                }
            }
        }
        let body_el = sel("body").and_then(|q| self.html.select(&q).next());
        for el in [Some(article), body_el].into_iter().flatten() {
            for name in ["class", "id"] {
                if let Some(tok) = el.attr(name).and_then(|v| rules.sponsored_class(v)) {
                    evidence.push(Evidence {
                        signal: Signal::SponsoredMarkup,
                        matched: format!("{name}=\"{tok}\""),
                        location: describe(el),
                    });
                }
            }
        }
        for section in [
            self.meta("meta[property='article:section']"),
            self.meta("meta[name='article:section']"),
        ]
        .into_iter()
        .flatten()
        {
            if let Some(m) = rules.sponsored_label(&section) {
                sponsor = sponsor.or(m.sponsor);
                evidence.push(Evidence {
                    signal: Signal::SponsoredCategory,
                    matched: section,
                    location: "meta article:section".into(),
                });
            }
        }
        for ty in ld.iter().flat_map(types_of) {
            if rules.is_sponsored_schema(&ty) {
                evidence.push(Evidence {
                    signal: Signal::SponsoredSchema,
                    matched: ty,
                    location: "JSON-LD @type".into(),
                });
            }
        }
        sponsor
    }

    fn meta(&self, query: &str) -> Option<String> {
        sel(query).and_then(|s| {
            self.html
                .select(&s)
                .find_map(|m| m.attr("content").map(str::to_string))
        })
    }

    /// Publication date and author: JSON-LD first, then meta tags, then the article's markup.
    fn article_date_and_author(
        &self,
        article: ElementRef<'a>,
        ld: &[serde_json::Value],
    ) -> (Option<DateTime<FixedOffset>>, Option<String>) {
        let article_ld = ld.iter().find(|o| {
            types_of(o)
                .iter()
                .any(|t| t.ends_with("Article") || t == "BlogPosting" || t == "Report")
        });
        let published = article_ld
            .and_then(|o| {
                o.get("datePublished")
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            })
            .or_else(|| self.meta("meta[property='article:published_time']"))
            .or_else(|| self.meta("meta[name='article:published_time']"))
            .or_else(|| {
                sel("time[datetime]")
                    .and_then(|q| article.select(&q).next())
                    .and_then(|t| t.attr("datetime").map(str::to_string))
            })
            .or_else(|| self.meta("meta[itemprop=datePublished]"))
            .and_then(|d| parse_timestamp(&d, self.cx.tz));
        let author = article_ld
            .and_then(|o| o.get("author"))
            .and_then(|a| {
                let one = if a.is_array() { a.get(0)? } else { a };
                one.get("name")
                    .and_then(|n| n.as_str())
                    .or_else(|| one.as_str())
                    .map(str::to_string)
            })
            .or_else(|| self.meta("meta[name=author]"))
            .or_else(|| {
                sel("[rel=author], [itemprop=author], .byline, .author")
                    .and_then(|q| article.select(&q).next())
                    .map(text_of)
            })
            .filter(|a| !a.is_empty());
        (published, author)
    }

    /// Collects the article's text blocks in order. Returns false when a header that ends the
    /// article ("Læs også", "Læses lige nu") was met directly in the body.
    fn walk_body(
        &mut self,
        el: ElementRef<'a>,
        top: bool,
        skip_ids: &HashSet<NodeId>,
        out: &mut Vec<(String, String)>,
    ) -> bool {
        let rules = self.rules();
        for child in el.child_elements() {
            if skip_ids.contains(&child.id()) || self.is_ignored(child) {
                continue;
            }
            if self.is_claimed(child) {
                continue;
            }
            let name = child.value().name();
            let text = text_of(child);
            let is_header = |t: &str| {
                rules.is_related_header(t)
                    || rules.is_trending_header(t)
                    || rules.is_personnel_header(t)
                    || rules.is_ignore_header(t)
            };
            match name {
                "p" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote" | "ul" | "ol" | "figure"
                | "pre" | "table" | "dl" => {
                    if is_header(&text) {
                        if top {
                            return false;
                        }
                        // A box that starts with a header is not article text.
                        return true;
                    }
                    let has_claimed = child
                        .descendent_elements()
                        .any(|d| self.claimed.contains(&d.id()));
                    if has_claimed
                        || rules.is_inline_ref(&text)
                        || rules.is_ignored_text(&text)
                        || rules.is_slot_text(&text)
                        || (text.is_empty() && name != "figure")
                    {
                        continue;
                    }
                    out.push((child.html(), text));
                }
                "aside" | "nav" | "h1" => {}
                _ => {
                    let mut inner = Vec::new();
                    let finished = self.walk_body(child, false, skip_ids, &mut inner);
                    out.extend(inner);
                    if !finished && top {
                        return false;
                    }
                }
            }
        }
        true
    }

    fn finish(mut self) -> Extraction {
        let mut items: Vec<Item> = self.article_item.take().into_iter().collect();
        items.append(&mut self.items);
        Extraction {
            items,
            skipped: self.skipped,
        }
    }
}

/// The text of an element as lines, one per block element, as a page's text dump shows it.
pub(super) fn block_lines(el: ElementRef) -> Vec<String> {
    let mut raw = String::new();
    for node in el.descendants() {
        if let Some(t) = node.value().as_text() {
            raw.push_str(t);
        } else if let Some(e) = node.value().as_element()
            && (matches!(
                e.name(),
                "p" | "br"
                    | "div"
                    | "li"
                    | "h1"
                    | "h2"
                    | "h3"
                    | "h4"
                    | "h5"
                    | "h6"
                    | "blockquote"
                    | "article"
                    | "section"
                    | "header"
                    | "footer"
                    | "dt"
                    | "dd"
                    | "figcaption"
            ) || e
                .attr("class")
                .is_some_and(|c| c.contains("name") || c.contains("company")))
        {
            raw.push('\n');
        }
    }
    raw.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect()
}

/// Every JSON-LD object on the page, `@graph` members included.
fn json_ld(html: &Html) -> Vec<serde_json::Value> {
    let Some(q) = sel("script[type='application/ld+json']") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for script in html.select(&q) {
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

fn types_of(o: &serde_json::Value) -> Vec<String> {
    match o.get("@type") {
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

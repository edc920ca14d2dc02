//! The page's own article: headline, lede, body text in order, date and author, and the paid
//! signals that belong to the article as a whole (kickers, tags, markup, schema.org types).

use std::borrow::Cow;

use chrono::{DateTime, FixedOffset};
use scraper::ElementRef;

use super::{Claims, Page, describe, sel};
use crate::extract::dates::parse_timestamp;
use crate::extract::identity::{canonical_url, tag_id};
use crate::extract::{Block, Evidence, Item, Signal, escape};

impl<'a> Page<'a> {
    pub(super) fn article(&self, claims: &mut Claims, body_start: Option<usize>) -> Option<Item> {
        let article = self.article?;
        let map = self.map;
        let rules = self.rules();
        let markup = rules.markup();
        let first = |name: &str, scope: ElementRef<'a>| {
            map.descendants(scope)
                .iter()
                .copied()
                .find(|e| e.value().name() == name)
        };
        // The headline: of the article's h1, the page's h1 before the article, the article's
        // first h2 (a post under a site-name h1) and the page's first h1, the first that the
        // page's own title (og:title or <title>) names; else the first of them.
        // A heading that is a link to the home page is the site's name (blog themes).
        let site_name = |h: &ElementRef| {
            map.descendants(*h).iter().any(|a| {
                a.value().name() == "a"
                    && self.text(*a) == self.text(*h)
                    && self.href(*a).is_some_and(super::teasers::is_home)
            })
        };
        let page_h1 = map
            .named("h1")
            .find(|h| !self.is_ignored(*h) && map.pos(*h) < map.pos(article) && !site_name(h));
        let candidates: Vec<ElementRef<'a>> = [
            first("h1", article),
            page_h1,
            first("h2", article),
            first("h1", map.html.root_element()),
        ]
        .into_iter()
        .flatten()
        .collect();
        let page_title = self
            .meta("property", "og:title")
            .or_else(|| map.named("title").next().map(|t| self.text(t).to_string()))
            .map(|t| crate::rules::normalize(&t))
            .unwrap_or_default();
        let named = |h: &ElementRef| {
            let t = crate::rules::normalize(self.text(*h));
            // Most of the title: a site name in "Headline | Site" is not the headline.
            t.chars().count() >= 10 && t.len() * 2 >= page_title.len() && page_title.contains(&t)
        };
        let h1 = candidates
            .iter()
            .copied()
            .filter(|h| !site_name(h))
            .find(named)
            .or_else(|| {
                // Any h1 or h2 of the page the page's title names (the article element may be
                // a template's wrapper around the text only).
                map.named("h1")
                    .chain(map.named("h2"))
                    .filter(|h| !self.is_ignored(*h) && !site_name(h))
                    .find(named)
            })
            .or_else(|| {
                // Without a match, the old order: the article's h1, its first h2, any h1.
                [
                    first("h1", article),
                    first("h2", article),
                    first("h1", map.html.root_element()),
                ]
                .into_iter()
                .flatten()
                .next()
            })?;
        let mut evidence = Vec::new();
        let mut title = self.text(h1).to_string();
        if let Some((m, rest)) = rules.sponsored_title_label(&title) {
            evidence.push(Evidence {
                signal: Signal::SponsoredTitlePrefix,
                matched: m.label,
                location: "h1".into(),
            });
            title = rest;
        }
        let ld = json_ld(map);
        let sponsor = self.article_evidence(article, h1, &ld, claims, body_start, &mut evidence);
        let link = sel("link[rel=canonical]")
            .and_then(|q| {
                map.select("link", &q)
                    .find_map(|l| l.attr("href").map(str::to_string))
            })
            .or_else(|| self.meta("property", "og:url"))
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
        let lede_el = self
            .first_matching(article, &markup.lede)
            .into_iter()
            .find(|e| !claims.covers(map, *e));
        let lede = lede_el
            .map(|l| self.text(l).to_string())
            .or_else(|| self.meta("property", "og:description"))
            .or_else(|| self.meta("name", "description"))
            .filter(|l| !l.is_empty());
        let body_root = self
            .first_matching(article, &markup.body)
            .first()
            .copied()
            .unwrap_or(article);
        let mut skip = vec![h1];
        skip.extend(lede_el);
        let mut parts = Vec::new();
        self.walk_body(body_root, true, &skip, claims, &mut parts);
        let body_chars: usize = parts.iter().map(|(_, t)| t.chars().count() + 1).sum();
        if body_chars.saturating_sub(1) < 200 && lede.is_none() {
            return None;
        }
        let paragraphs: Vec<&str> = parts.iter().map(|(_, t)| t.as_ref()).collect();
        evidence.extend(crate::extract::disclosure_evidence(
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
        Some(Item {
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
        })
    }

    /// A sponsored article is one item: the unlabelled links inside it are its calls to action,
    /// not teasers of their own (labelled teasers inside it stay paid items).
    pub(super) fn calls_to_action(&self, claims: &mut Claims) {
        let Some(article) = self.article else { return };
        let inside: std::collections::HashSet<&str> = self
            .map
            .descendants(article)
            .iter()
            .filter(|a| a.value().name() == "a")
            .filter_map(|a| self.href(*a))
            .collect();
        let (ctas, items): (Vec<Item>, Vec<Item>) = std::mem::take(&mut claims.items)
            .into_iter()
            .partition(|i| {
                i.block == Block::Teaser && i.link.as_deref().is_some_and(|l| inside.contains(l))
            });
        claims.items = items;
        claims
            .skipped
            .extend(ctas.into_iter().map(|i| crate::extract::Skipped {
                what: "call to action of the sponsored article".into(),
                text: i.title,
                location: i.link.unwrap_or_default(),
            }));
    }

    /// Says so when a page that presents itself as an article (og:type article, an Article in
    /// JSON-LD, a publication time) yields no article: an article lost to every feed.
    pub(super) fn article_not_found(&self, claims: &mut Claims) {
        let og_article = self
            .meta("property", "og:type")
            .is_some_and(|t| t.eq_ignore_ascii_case("article"));
        let dated = self.meta("property", "article:published_time").is_some();
        let ld_article = json_ld(self.map).iter().any(|o| {
            types_of(o)
                .iter()
                .any(|t| t.ends_with("Article") || t == "BlogPosting")
        });
        if !(og_article || dated || ld_article) {
            return;
        }
        let title = self
            .meta("property", "og:title")
            .or_else(|| {
                self.map
                    .named("title")
                    .next()
                    .map(|t| self.text(t).to_string())
            })
            .unwrap_or_default();
        claims.skipped.push(crate::extract::Skipped {
            what: super::ARTICLE_NOT_FOUND.into(),
            text: title,
            location: "page".into(),
        });
    }

    /// The elements inside `scope` matching selectors of the rules, selector by selector (the
    /// list is in order of preference), each found by the class, id or tag it needs.
    fn first_matching(&self, scope: ElementRef<'a>, selectors: &[String]) -> Vec<ElementRef<'a>> {
        let map = self.map;
        self.select_all(selectors)
            .into_iter()
            .filter(|e| e.id() != scope.id() && map.contains(scope, *e))
            .collect()
    }

    /// Paid-content signals of the page's own article: labels above its text, its tags and
    /// categories, markup on it and on the body, `article:section`, schema.org types.
    fn article_evidence(
        &self,
        article: ElementRef<'a>,
        h1: ElementRef<'a>,
        ld: &[serde_json::Value],
        claims: &Claims,
        body_start: Option<usize>,
        evidence: &mut Vec<Evidence>,
    ) -> Option<String> {
        let map = self.map;
        let rules = self.rules();
        let mut sponsor = None;
        // Labels above the text: a kicker, a badge, a disclosure line under the headline.
        let scope = article
            .ancestors()
            .filter_map(ElementRef::wrap)
            .find(|a| a.value().name() != "article")
            .unwrap_or(article);
        for el in map.subtree(scope).iter().copied() {
            if self.is_ignored(el) || claims.covers(map, el) || el.id() == h1.id() {
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
                sponsor = sponsor.or(m.sponsor);
                evidence.push(Evidence {
                    signal: Signal::SponsoredLabel,
                    matched: text.to_string(),
                    location: format!("{} above the article text", describe(el)),
                });
            }
        }
        // The post's own tags and categories (rel="tag"/"category"), wherever the theme puts
        // them.
        if let Some(q) = sel("a[rel~=tag], a[rel~=category]") {
            for a in map.select("a", &q) {
                if self.is_ignored(a) || claims.covers(map, a) {
                    continue;
                }
                let text = self.text(a);
                if rules.sponsored_label(text).is_some() {
                    evidence.push(Evidence {
                        signal: Signal::SponsoredCategory,
                        matched: text.to_string(),
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
                evidence.push(Evidence {
                    signal: Signal::SponsoredTitlePrefix,
                    matched: m.label,
                    location: place.into(),
                });
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
            evidence.push(Evidence {
                signal: Signal::SponsoredCategory,
                matched: self.text(a).to_string(),
                location: format!("{} (breadcrumb)", describe(a)),
            });
        }
        let body_el = map.named("body").next();
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
            self.meta("property", "article:section"),
            self.meta("name", "article:section"),
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

    /// The content of the first `<meta>` whose `attr` is `value` (no selector to parse).
    fn meta(&self, attr: &str, value: &str) -> Option<String> {
        self.map
            .named("meta")
            .filter(|m| m.attr(attr) == Some(value))
            .find_map(|m| m.attr("content").map(str::to_string))
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
            .or_else(|| self.meta("property", "article:published_time"))
            .or_else(|| self.meta("name", "article:published_time"))
            .or_else(|| {
                self.map
                    .descendants(article)
                    .iter()
                    .filter(|t| t.value().name() == "time")
                    .find_map(|t| t.attr("datetime").map(str::to_string))
            })
            .or_else(|| self.meta("itemprop", "datePublished"))
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
            .or_else(|| self.meta("name", "author"))
            .or_else(|| {
                self.first_matching(article, &self.rules().markup().author)
                    .first()
                    .map(|a| self.text(*a).to_string())
            })
            .filter(|a| !a.is_empty());
        (published, author)
    }

    /// Collects the article's text blocks in order, as (HTML, text). Returns false when a
    /// header that ends the article ("Læs også", "Læses lige nu") was met directly in the body.
    /// Text written straight into a container, lines apart (`text<br><br>text`), makes blocks
    /// too, as many blogs and older sites write their posts.
    fn walk_body(
        &self,
        el: ElementRef<'a>,
        top: bool,
        skip: &[ElementRef<'a>],
        claims: &Claims,
        out: &mut Vec<(String, Cow<'a, str>)>,
    ) -> bool {
        let rules = self.rules();
        let map = self.map;
        let mut run = BareRun::default();
        for node in el.children() {
            if let Some(t) = node.value().as_text() {
                if !super::map::in_code(node) {
                    run.push_text(t);
                }
                continue;
            }
            let Some(child) = ElementRef::wrap(node) else {
                continue;
            };
            if skip.iter().any(|s| s.id() == child.id())
                || self.is_ignored(child)
                || claims.covers(map, child)
            {
                continue;
            }
            let name = child.value().name();
            let text = self.text(child);
            if is_inline(name)
                && !map
                    .descendants(child)
                    .iter()
                    .any(|d| is_block(d.value().name()))
            {
                run.push_inline(child.html(), text);
                continue;
            }
            if name == "br" {
                run.line_break(out);
                continue;
            }
            run.flush(out);
            match name {
                "p" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote" | "ul" | "ol" | "figure"
                | "pre" | "table" | "dl" => {
                    if rules.is_section_header(text) {
                        // A header ends the article at the top level; a box that starts with
                        // a header is not article text.
                        return !top;
                    }
                    if claims.regions.any_inside(map, child)
                        || rules.is_inline_ref(text)
                        || rules.is_ignored_text(text)
                        || rules.is_slot_text(text)
                        || (text.is_empty() && name != "figure")
                    {
                        continue;
                    }
                    out.push((child.html(), Cow::Borrowed(text)));
                }
                "aside" | "nav" | "h1" => {}
                _ => {
                    let mut inner = Vec::new();
                    let finished = self.walk_body(child, false, skip, claims, &mut inner);
                    out.extend(inner);
                    if !finished && top {
                        return false;
                    }
                }
            }
        }
        run.flush(out);
        true
    }
}

/// Elements that run inside a line of text.
fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "a" | "b"
            | "strong"
            | "em"
            | "i"
            | "span"
            | "small"
            | "sup"
            | "sub"
            | "u"
            | "abbr"
            | "time"
            | "mark"
            | "q"
            | "cite"
            | "code"
            | "font"
    )
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "table"
            | "blockquote"
            | "figure"
            | "section"
            | "article"
            | "pre"
            | "dl"
    )
}

/// Text written straight into a container, gathered until a blank line or a block element.
#[derive(Default)]
struct BareRun {
    html: String,
    text: String,
    /// A `<br>` just passed: a second one ends the block.
    after_break: bool,
}

impl BareRun {
    fn push_text(&mut self, t: &str) {
        if t.trim().is_empty() {
            return;
        }
        self.html.push_str(&crate::extract::escape(t));
        self.push_words(t);
    }

    fn push_inline(&mut self, html: String, text: &str) {
        self.html.push_str(&html);
        self.push_words(text);
    }

    fn push_words(&mut self, t: &str) {
        for word in t.split_whitespace() {
            if !self.text.is_empty() {
                self.text.push(' ');
            }
            self.text.push_str(word);
        }
        self.after_break = false;
    }

    fn line_break<'a>(&mut self, out: &mut Vec<(String, Cow<'a, str>)>) {
        if self.after_break {
            self.flush(out);
        } else {
            self.html.push_str("<br>");
            self.after_break = true;
        }
    }

    /// Emits the run as a block when it is running text (a few words are a caption or a label).
    fn flush<'a>(&mut self, out: &mut Vec<(String, Cow<'a, str>)>) {
        let run = std::mem::take(self);
        if run.text.chars().count() >= 80 {
            out.push((format!("<p>{}</p>", run.html), Cow::Owned(run.text)));
        }
    }
}

/// Every JSON-LD object on the page, `@graph` members included.
fn json_ld(map: &super::PageMap) -> Vec<serde_json::Value> {
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

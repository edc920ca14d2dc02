//! The page's own article: headline, lede, date and author, its calls to action, and whether a
//! page that says it is an article yields none (its body text is in `body`, its paid evidence in
//! `evidence`).

use chrono::{DateTime, FixedOffset};
use scraper::ElementRef;

use super::evidence::{json_ld, types_of};
use super::{Claims, Page, sel};
use crate::extract::dates::parse_timestamp;
use crate::extract::identity::{canonical_url, tag_id};
use crate::extract::{Block, Evidence, Item, Signal, escape};

impl<'a> Page<'a> {
    /// The page's own article as an item, or `None` when it has too little text to be one.
    pub(super) fn article(&self, claims: &mut Claims, body_start: Option<usize>) -> Option<Item> {
        let article = self.article?;
        let map = self.map;
        let rules = self.rules();
        let markup = rules.markup();
        let h1 = self.headline(article);
        let mut evidence = Vec::new();
        let mut title = match h1 {
            Some(h) => self.text(h).to_string(),
            None => self.untitled_headline(article)?,
        };
        if let Some((m, rest)) = rules.sponsored_title_label(&title) {
            evidence.push(Evidence::new(Signal::SponsoredTitlePrefix, m.label, "h1"));
            title = rest;
        }
        let ld = json_ld(map);
        let sponsor = self.article_evidence(article, h1, &ld, claims, body_start, &mut evidence);
        let link = self.canonical_link();
        if let Some(path) = link
            .as_deref()
            .and_then(|l| rules.sponsored_url_path(l, self.host.as_deref()))
        {
            evidence.push(Evidence::new(Signal::SponsoredUrl, path, "canonical URL"));
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
        let mut skip: Vec<ElementRef<'a>> = h1.into_iter().collect();
        skip.extend(lede_el);
        let mut parts = Vec::new();
        self.walk_body(body_root, true, &skip, claims, &mut parts);
        // A wrapper that carries the body's class but no text (an empty column) is not the
        // body: the whole article is.
        if parts.is_empty() && body_root.id() != article.id() {
            self.walk_body(article, true, &skip, claims, &mut parts);
        }
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
            // Sanitised with every other item's content, in `extract`.
            content_html: Some(body_html(lede.as_deref(), &parts)),
            summary: lede,
            published,
            author,
            sponsor,
            personnel: None,
            block: Block::Article,
            evidence,
            category: None,
            shape: None,
        })
    }

    /// The headline: of the article's h1, the page's h1 before the article, the article's
    /// first h2 (a post under a site-name h1) and the page's first h1, the first that the
    /// page's own title (og:title or <title>) names; else the first of them.
    fn headline(&self, article: ElementRef<'a>) -> Option<ElementRef<'a>> {
        let map = self.map;
        let first = |name: &str, scope: ElementRef<'a>| {
            map.descendants(scope)
                .iter()
                .copied()
                .find(|e| e.value().name() == name)
        };
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
        let page_title = self.page_title();
        let named = |h: &ElementRef| super::regions::names_headline(&page_title, self.text(*h));
        candidates
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
            })
            // No h1 or h2: a smaller heading the page's title names.
            .or_else(|| self.named_heading())
    }

    /// The title the page gives itself: `og:title`, else `<title>`.
    pub(super) fn own_title(&self) -> Option<String> {
        self.meta("property", "og:title").or_else(|| {
            self.map
                .named("title")
                .next()
                .map(|t| self.text(t).to_string())
        })
    }

    /// The title of an article with no headline element: the page's own title, else the
    /// opening words of its first paragraph (a fragment with the body only).
    fn untitled_headline(&self, article: ElementRef<'a>) -> Option<String> {
        let own = self.own_title().filter(|t| !t.trim().is_empty());
        own.or_else(|| {
            let first = self
                .map
                .descendants(article)
                .iter()
                .filter(|p| p.value().name() == "p")
                .map(|p| self.text(*p))
                .find(|t| t.chars().count() > 80)
                .unwrap_or(self.text(article));
            Some(opening_words(first, 80))
        })
    }

    /// The page's canonical URL (`link rel=canonical`, else og:url), else its own address.
    fn canonical_link(&self) -> Option<String> {
        sel("link[rel=canonical]")
            .and_then(|q| {
                self.map
                    .select("link", &q)
                    .find_map(|l| l.attr("href").map(str::to_string))
            })
            .or_else(|| self.meta("property", "og:url"))
            .and_then(|h| canonical_url(&h, self.base.as_ref()))
            .or_else(|| {
                self.base
                    .as_ref()
                    .and_then(|b| canonical_url(b.as_str(), None))
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
        let title = self.own_title().unwrap_or_default();
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

    /// The content of the first `<meta>` whose `attr` is `value` (no selector to parse).
    pub(super) fn meta(&self, attr: &str, value: &str) -> Option<String> {
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
}

/// The words of a text up to about `limit` characters, with an ellipsis when cut.
fn opening_words(text: &str, limit: usize) -> String {
    let mut out = String::new();
    for word in text.split_whitespace() {
        if out.chars().count() + word.chars().count() > limit {
            out.push('…');
            return out;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The article's content: the lede in bold, then each body part on a line.
fn body_html(lede: Option<&str>, parts: &[(String, std::borrow::Cow<str>)]) -> String {
    let mut html = String::new();
    if let Some(l) = lede {
        html.push_str(&format!("<p><strong>{}</strong></p>\n", escape(l)));
    }
    for (part, _) in parts {
        html.push_str(part);
        html.push('\n');
    }
    html
}

#[cfg(test)]
mod tests {
    #[test]
    fn opening_words_cut_at_a_word() {
        assert_eq!(super::opening_words("one two three", 8), "one two…");
        assert_eq!(super::opening_words("one two", 80), "one two");
    }
}

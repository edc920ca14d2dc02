//! Teasers: links whose text is a title (or, inside a widget, any named link), each with the
//! block around it, its title and blurb (the block's evidence is in `evidence`).

use scraper::ElementRef;

use super::{Claims, Page, describe, is_heading};
use crate::extract::dates::parse_timestamp;
use crate::extract::identity::canonical_url;
use crate::extract::{Block, Evidence, Item, Signal, escape};

impl<'a> Page<'a> {
    /// Every link that looks like a teaser (a title, not a word in running text).
    pub(super) fn teasers(&self, claims: &mut Claims) {
        let map = self.map;
        let page_url = self
            .base
            .as_ref()
            .and_then(|b| canonical_url(b.as_str(), None));
        for anchor in map.named("a") {
            if anchor.attr("href").is_none()
                || self.is_ignored(anchor)
                || claims.covers(map, anchor)
            {
                continue;
            }
            let Some(href) = self.href(anchor).map(str::to_string) else {
                continue;
            };
            // The page itself and a site's home page are no articles.
            let home = is_home(&href);
            if page_url.as_deref() == Some(href.as_str())
                || home
                || !(self.is_title_link(anchor) || self.is_widget_link(anchor))
            {
                continue;
            }
            let container = self.teaser_container(anchor, &href);
            if claims.covers(map, container) {
                continue;
            }
            if let Some(item) = self.teaser_item(anchor, container, href, claims) {
                claims.items.push(item);
            }
            claims.claim(map, container);
        }
    }

    /// Inside a widget a label governs, every link with a name is one of its items, however short
    /// (`Allergy Relief`) or image-only with a `title`.
    fn is_widget_link(&self, anchor: ElementRef) -> bool {
        let at = self.map.pos(anchor);
        let text = self.text(anchor);
        // Two words at least: a single word is a tag, a brand or a menu entry.
        self.widgets.iter().any(|w| w.scope.contains(&at))
            && (text.split_whitespace().count() >= 2
                || text.is_empty()
                    && anchor
                        .attr("title")
                        .is_some_and(|t| t.split_whitespace().count() >= 2))
            && !self.rules().is_more_link(text)
            && !self.rules().is_credit_link(text)
    }

    /// A link whose text is a title: a heading in or around it, or several words standing
    /// alone in their block (not a link inside a sentence).
    fn is_title_link(&self, anchor: ElementRef) -> bool {
        let has_heading = self
            .map
            .subtree(anchor)
            .iter()
            .any(|e| is_heading(e.value().name()))
            || anchor
                .parent()
                .and_then(ElementRef::wrap)
                .is_some_and(|p| is_heading(p.value().name()));
        if has_heading {
            return true;
        }
        let text = self.text(anchor);
        if self.rules().is_more_link(text) || self.rules().is_credit_link(text) {
            return false;
        }
        // A card link that carries its headline in `title` and a brand name after it.
        if anchor
            .attr("title")
            .map(str::trim)
            .is_some_and(|t| t.split_whitespace().count() >= 3 && text.starts_with(t))
        {
            return true;
        }
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
                let block_text = self.text(b);
                // What the block says besides this link and its twins (an image link to the
                // same page, as cards have).
                let href = self.href(anchor);
                let mut rest = block_text.replace(text, "");
                for twin in self.map.descendants(b) {
                    if twin.value().name() == "a"
                        && twin.id() != anchor.id()
                        && self.href(*twin) == href
                    {
                        let twin_text = self.text(*twin);
                        if !twin_text.is_empty() {
                            rest = rest.replacen(twin_text, "", 1);
                        }
                    }
                }
                rest.trim().chars().count() <= 20 || self.rules().is_inline_ref(block_text)
            }
            None => true,
        }
    }

    /// The largest element around a teaser link that holds nothing but that teaser.
    fn teaser_container(&self, anchor: ElementRef<'a>, href: &str) -> ElementRef<'a> {
        let map = self.map;
        let other_link = |el: ElementRef| {
            map.descendants(el).iter().any(|a| {
                a.value().name() == "a"
                    && !self.is_ignored(*a)
                    && self.href(*a).is_some_and(|h| h != href)
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
            if matches!(parent.value().name(), "body" | "html" | "main")
                || is_page_article
                || map.holds_h1(parent)
                || other_link(parent)
            {
                return current;
            }
            current = parent;
        }
    }

    /// A card's headline when its links add more than the headline: the `title` of a link to
    /// the same page whose text starts with it (a brand name follows), else the longest text of
    /// those links.
    fn card_title(&self, anchor: ElementRef<'a>, container: ElementRef<'a>) -> Option<&'a str> {
        let href = self.href(anchor)?;
        let twins: Vec<ElementRef<'a>> = self
            .map
            .subtree(container)
            .iter()
            .copied()
            .filter(|a| a.value().name() == "a" && self.href(*a) == Some(href))
            .collect();
        if twins.len() < 2 {
            return None;
        }
        twins
            .iter()
            .find_map(|a| {
                let t = a.attr("title")?.trim();
                (t.split_whitespace().count() >= 3 && self.text(*a).starts_with(t)).then_some(t)
            })
            .or_else(|| {
                twins
                    .iter()
                    .map(|a| self.text(*a))
                    .max_by_key(|t| t.chars().count())
                    .filter(|t| !t.is_empty())
            })
    }

    /// A teaser link as an item: its block's evidence and the link's, its title and blurb;
    /// `None` for a link to a paid section, a job ad, an event or a house promotion.
    fn teaser_item(
        &self,
        anchor: ElementRef<'a>,
        container: ElementRef<'a>,
        href: String,
        claims: &mut Claims,
    ) -> Option<Item> {
        let rules = self.rules();
        let map = self.map;
        let (mut evidence, sponsor) = self.block_evidence(container, claims);
        evidence.extend(self.link_evidence(anchor, &href));
        let at = map.pos(container);
        if let Some((_, header)) = claims
            .people_boxes
            .iter()
            .find(|((start, end), _)| (*start..*end).contains(&at))
        {
            evidence.push(Evidence::new(
                Signal::PersonnelSection,
                header.clone(),
                format!("{} under a people header", describe(container)),
            ));
        }
        let mut title = self.teaser_title(anchor, container)?;
        if let Some((m, rest)) = rules.sponsored_title_label(&title) {
            evidence.push(Evidence::new(
                Signal::SponsoredTitlePrefix,
                m.label,
                describe(anchor),
            ));
            title = rest;
        }
        // A link whose whole text is a label leads to the paid section; it is none of its items.
        if rules.sponsored_kicker(&title).is_some() {
            claims.skip(map, "link to a paid section", container);
            return None;
        }
        let sponsored = evidence.iter().any(|e| e.signal.is_sponsored());
        if !sponsored && self.skip_unpaid(&href, container, claims) {
            return None;
        }
        let blurb = self.teaser_blurb(container, &title);
        let published = map
            .descendants(container)
            .iter()
            .find(|t| t.value().name() == "time" && t.attr("datetime").is_some())
            .and_then(|t| t.attr("datetime"))
            .and_then(|d| parse_timestamp(d, self.cx.tz));
        if let Some(w) = blurb
            .as_deref()
            .and_then(|b| rules.weak_label(&crate::rules::Folded::new(b)))
        {
            evidence.push(Evidence::new(
                Signal::WeakDisclosure,
                w,
                describe(container),
            ));
        }
        let shape = self.shape(anchor, container, &href, &title, blurb.is_some());
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
            shape: Some(shape),
        })
    }

    /// The heading around or inside the link, else the link text; the block's first heading
    /// only for a link without text or a `title` (an image link), since a box may have a header
    /// of its own.
    fn teaser_title(&self, anchor: ElementRef<'a>, container: ElementRef<'a>) -> Option<String> {
        if let Some(title) = self.kicker_and_headline(anchor) {
            return Some(title);
        }
        self.plain_title(anchor, container).map(str::to_string)
    }

    /// A link whose heading is a one- or two-word kicker ("Personalie", "Anzeige", "Bier") with
    /// the headline in a line of its own beside it: "Kicker: Headline", as the page reads.
    fn kicker_and_headline(&self, anchor: ElementRef<'a>) -> Option<String> {
        let map = self.map;
        let inside = map.subtree(anchor);
        let kicker = inside
            .iter()
            .copied()
            .find(|e| is_heading(e.value().name()))?;
        let kicker_text = map.text(kicker);
        let words = kicker_text.split_whitespace().count();
        if words == 0 || words > 2 {
            return None;
        }
        // The first line after the kicker of three words or more, not holding the kicker and
        // not a date or a byline under the headline.
        let headline = inside
            .iter()
            .copied()
            .filter(|e| map.pos(*e) > map.span(kicker).1.saturating_sub(1))
            .filter(|e| !map.contains(*e, kicker))
            .map(|e| (e, map.text(e)))
            .find(|(e, t)| {
                t.split_whitespace().count() >= 3
                    && !e.child_elements().any(|c| map.text(c) == *t)
                    && t.chars().any(char::is_alphabetic)
            })?;
        Some(format!("{kicker_text}: {}", headline.1))
    }

    fn plain_title(&self, anchor: ElementRef<'a>, container: ElementRef<'a>) -> Option<&'a str> {
        let map = self.map;
        let own_heading = anchor
            .parent()
            .and_then(ElementRef::wrap)
            .filter(|p| is_heading(p.value().name()))
            .map(|h| map.text(h))
            .filter(|t| !t.is_empty())
            .or_else(|| first_heading_text(map, anchor));
        own_heading
            .or_else(|| self.card_title(anchor, container))
            .or_else(|| Some(map.text(anchor)).filter(|t| !t.is_empty()))
            // An image link that names its target in `title` says more than a box's header.
            .or_else(|| {
                anchor
                    .attr("title")
                    .map(str::trim)
                    .filter(|t| t.split_whitespace().count() >= 3)
            })
            .or_else(|| first_heading_text(map, container))
            .or_else(|| anchor.attr("title"))
    }

    /// `rel="sponsored"` on the link, a paid URL path in its address.
    fn link_evidence(&self, anchor: ElementRef<'a>, href: &str) -> Vec<Evidence> {
        let mut evidence = Vec::new();
        if anchor.attr("rel").is_some_and(|r| {
            r.split_whitespace()
                .any(|t| t.eq_ignore_ascii_case("sponsored"))
        }) {
            evidence.push(Evidence::new(
                Signal::SponsoredRel,
                "rel=\"sponsored\"",
                describe(anchor),
            ));
        }
        if let Some(path) = self.rules().sponsored_url_path(href, self.host.as_deref()) {
            evidence.push(Evidence::new(Signal::SponsoredUrl, path, describe(anchor)));
        }
        evidence
    }

    /// An unpaid block that is a job ad, an event or a house promotion is skipped, not an item.
    fn skip_unpaid(&self, href: &str, container: ElementRef<'a>, claims: &mut Claims) -> bool {
        let (map, rules) = (self.map, self.rules());
        if let Some(path) = rules.ignored_url_path(href) {
            claims.skip(map, &format!("job ad or event ({path})"), container);
            return true;
        }
        if super::block_lines(container)
            .iter()
            .any(|l| rules.is_ignored_text(l))
        {
            claims.skip(map, "house promotion", container);
            return true;
        }
        false
    }

    /// The first text of the block long enough to be a blurb that is neither the title nor a
    /// label.
    fn teaser_blurb(&self, container: ElementRef<'a>, title: &str) -> Option<String> {
        let (map, rules) = (self.map, self.rules());
        map.subtree(container)
            .iter()
            .copied()
            .filter(|e| matches!(e.value().name(), "p" | "div" | "span"))
            .filter(|e| {
                e.child_elements()
                    .all(|c| !matches!(c.value().name(), "p" | "div"))
            })
            .map(|e| map.text(e))
            .find(|t| {
                t.chars().count() >= 25
                    && *t != title
                    && !title.contains(t)
                    && !t.contains(title)
                    && rules.sponsored_label(t).is_none()
            })
            .map(str::to_string)
    }
}

/// The text of the first heading in an element (itself included), if it has any.
fn first_heading_text<'a>(map: &'a super::PageMap<'a>, el: ElementRef<'a>) -> Option<&'a str> {
    map.subtree(el)
        .iter()
        .copied()
        .find(|e| is_heading(e.value().name()))
        .map(|h| map.text(h))
        .filter(|t| !t.is_empty())
}

/// Whether a canonical URL is a site's home page (path `/`, no query).
pub(super) fn is_home(href: &str) -> bool {
    let rest = href.split_once("://").map_or(href, |(_, r)| r);
    rest.find(['/', '?'])
        .is_some_and(|i| i + 1 == rest.len() && rest.ends_with('/'))
}

#[cfg(test)]
mod tests {
    #[test]
    fn tells_home_pages() {
        assert!(super::is_home("https://example.org/"));
        assert!(!super::is_home("https://example.org/a/"));
        assert!(!super::is_home("https://example.org/?p=1"));
        assert!(!super::is_home("https://example.org/a"));
    }
}

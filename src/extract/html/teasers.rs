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
    fn card_title(
        &self,
        anchor: ElementRef<'a>,
        container: ElementRef<'a>,
    ) -> Option<(&'a str, Option<ElementRef<'a>>)> {
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
                (t.split_whitespace().count() >= 3 && self.text(*a).starts_with(t))
                    .then_some((t, None))
            })
            .or_else(|| {
                twins
                    .iter()
                    .map(|a| (self.text(*a), Some(*a)))
                    .max_by_key(|(t, _)| t.chars().count())
                    .filter(|(t, _)| !t.is_empty())
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
        let Title {
            headline: mut title,
            whole,
            kicker,
        } = self.teaser_title(anchor, container)?;
        // A label set beside the headline is a label all the same.
        if let Some((m, rest)) = rules.sponsored_title_label(&whole) {
            evidence.push(Evidence::new(
                Signal::SponsoredTitlePrefix,
                m.label,
                describe(anchor),
            ));
            title = rules
                .sponsored_title_label(&title)
                .map_or(title, |(_, rest)| rest);
            if title.is_empty() {
                title = rest;
            }
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
            category: kicker,
            shape: Some(shape),
        })
    }

    /// The title, the whole text it was cut from (a label may stand in the rest), and the
    /// kicker set before it.
    fn teaser_title(&self, anchor: ElementRef<'a>, container: ElementRef<'a>) -> Option<Title> {
        let mut title = self.raw_title(anchor, container)?;
        title.headline = trim_separators(&title.headline).to_string();
        if let Some(full) = self.untruncated(&title.headline, anchor, container) {
            title.headline = full.to_string();
        }
        Some(title)
    }

    /// A headline the layout cut short ("11 secrets about Tesla cars you probably…") in full,
    /// from the link's `title` or an image's `alt` in its box that starts the same way.
    fn untruncated(
        &self,
        headline: &str,
        anchor: ElementRef<'a>,
        container: ElementRef<'a>,
    ) -> Option<&'a str> {
        let stem = headline
            .strip_suffix('…')
            .or_else(|| headline.strip_suffix("..."))?
            .trim_end();
        if stem.chars().count() < 10 {
            return None;
        }
        std::iter::once(anchor)
            .chain(self.map.subtree(container).iter().copied())
            .flat_map(|e| [e.attr("title"), e.attr("alt")])
            .flatten()
            .map(str::trim)
            .find(|t| t.len() > stem.len() && t.starts_with(stem))
    }

    fn raw_title(&self, anchor: ElementRef<'a>, container: ElementRef<'a>) -> Option<Title> {
        if let Some((kicker, headline)) = self.kicker_and_headline(anchor) {
            return Some(Title {
                headline: headline.to_string(),
                whole: format!("{kicker}: {headline}"),
                kicker: Some(kicker.to_string()),
            });
        }
        let (title, from) = self.plain_title(anchor, container)?;
        let Some((headline, kicker)) = from.and_then(|el| self.headline_part(el)) else {
            return Some(Title {
                headline: title.to_string(),
                whole: title.to_string(),
                kicker: None,
            });
        };
        Some(Title {
            headline: headline.to_string(),
            whole: title.to_string(),
            kicker: kicker.map(str::to_string),
        })
    }

    /// The headline of a title element when its text is set in parts: a kicker, a time, a rank
    /// or a source name in an element of its own beside the headline ("14:02", "1", "Gesund
    /// essen", "Tech Insider") is none of it.
    fn headline_part(&self, el: ElementRef<'a>) -> Option<(&'a str, Option<&'a str>)> {
        let mut at = el;
        // Through wrappers that hold all the text, down to where it splits.
        loop {
            let parts = self.title_parts(at);
            match parts.as_slice() {
                [Part::Element(inner, _)] => at = *inner,
                [] | [_] => return None,
                _ => return pick_headline(&parts),
            }
        }
    }

    /// The parts of an element's text: each child element with text, each text node.
    fn title_parts(&self, el: ElementRef<'a>) -> Vec<Part<'a>> {
        el.children()
            .filter_map(|node| match node.value() {
                scraper::Node::Text(t) => {
                    let t: &'a str = t;
                    Some(t.trim()).filter(|t| !t.is_empty()).map(Part::Text)
                }
                scraper::Node::Element(_) => {
                    let child = ElementRef::wrap(node)?;
                    let text = self.map.text(child);
                    (!text.is_empty()).then_some(Part::Element(child, text))
                }
                _ => None,
            })
            .collect()
    }

    /// A link whose heading is a one- or two-word kicker ("Personalie", "Anzeige", "Bier") with
    /// the headline in a line of its own beside it: the kicker and the headline.
    fn kicker_and_headline(&self, anchor: ElementRef<'a>) -> Option<(&'a str, &'a str)> {
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
        Some((kicker_text, headline.1))
    }

    /// The heading around or inside the link, else the link text; the block's first heading
    /// only for a link without text or a `title` (an image link), since a box may have a header
    /// of its own. The title and the element it is the text of (none for a `title` attribute).
    fn plain_title(
        &self,
        anchor: ElementRef<'a>,
        container: ElementRef<'a>,
    ) -> Option<(&'a str, Option<ElementRef<'a>>)> {
        let map = self.map;
        let texted =
            |el: ElementRef<'a>| Some((map.text(el), Some(el))).filter(|(t, _)| !t.is_empty());
        let own_heading = anchor
            .parent()
            .and_then(ElementRef::wrap)
            .filter(|p| is_heading(p.value().name()))
            .and_then(texted)
            .or_else(|| first_heading(map, anchor).and_then(texted));
        let attr = |t: Option<&'a str>| t.map(|t| (t, None));
        own_heading
            .or_else(|| self.card_title(anchor, container))
            .or_else(|| texted(anchor))
            // An image link that names its target in `title` says more than a box's header.
            .or_else(|| {
                attr(
                    anchor
                        .attr("title")
                        .map(str::trim)
                        .filter(|t| t.split_whitespace().count() >= 3),
                )
            })
            .or_else(|| first_heading(map, container).and_then(texted))
            .or_else(|| attr(anchor.attr("title")))
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

/// The first heading in an element (itself included) that has text.
fn first_heading<'a>(map: &'a super::PageMap<'a>, el: ElementRef<'a>) -> Option<ElementRef<'a>> {
    map.subtree(el)
        .iter()
        .copied()
        .find(|e| is_heading(e.value().name()))
        .filter(|h| !map.text(*h).is_empty())
}

/// One part of a title element's text.
enum Part<'a> {
    Element(ElementRef<'a>, &'a str),
    Text(&'a str),
}

/// Elements that style words inside a headline, not parts beside it.
const INLINE: [&str; 14] = [
    "em", "i", "b", "strong", "mark", "q", "abbr", "code", "sup", "sub", "u", "s", "cite", "a",
];

/// The headline among a title's parts, and the kicker before it: the longest, when each other
/// part is a short element of its own (a kicker, a time, a rank, a source) or a bare number or
/// time. Words styled inside the headline (`Why <em>this</em> matters`) keep the title whole.
fn pick_headline<'a>(parts: &[Part<'a>]) -> Option<(&'a str, Option<&'a str>)> {
    let text = |p: &Part<'a>| match p {
        Part::Element(_, t) | Part::Text(t) => *t,
    };
    let len = |t: &str| t.chars().count();
    let head = parts.iter().map(text).max_by_key(|t| len(t))?;
    // Twelve characters at least: a headline, not a word or a date.
    let long_enough = len(head) >= 12;
    let beside = |p: &Part<'a>| {
        let t = text(p);
        if std::ptr::eq(t, head) {
            return true;
        }
        let short = t.split_whitespace().count() <= 5 && len(t) * 13 < len(head) * 10;
        match p {
            Part::Element(e, _) => short && !INLINE.contains(&e.value().name()),
            // A rank or a time before the headline: "1", "14:02", "•".
            Part::Text(t) => t.chars().all(|c| !c.is_alphabetic()),
        }
    };
    if !(long_enough && parts.iter().all(beside)) {
        return None;
    }
    // A kicker is words before the headline; a date or a time ("3 days ago") has digits.
    let kicker = parts
        .iter()
        .map(text)
        .take_while(|t| !std::ptr::eq(*t, head))
        .filter(|t| t.chars().any(char::is_alphabetic) && !t.chars().any(|c| c.is_ascii_digit()))
        .last();
    Some((head, kicker))
}

/// A title without the separators a layout sets before or after it ("| Headline",
/// "Headline »").
fn trim_separators(title: &str) -> &str {
    const MARKS: [char; 9] = ['|', '•', '»', '«', '·', '›', '‹', '>', '/'];
    let mut t = title.trim();
    loop {
        let before = t;
        // Guillemets that quote inside the title stay.
        let quotes = t.contains('«') && t.contains('»');
        for mark in MARKS {
            if quotes && matches!(mark, '«' | '»') {
                continue;
            }
            if let Some(rest) = t.strip_prefix(mark).filter(|r| r.starts_with(' ')) {
                t = rest.trim_start();
            }
            if let Some(rest) = t.strip_suffix(mark).filter(|r| r.ends_with(' ')) {
                t = rest.trim_end();
            }
        }
        if t == before || t.is_empty() {
            return if t.is_empty() { title.trim() } else { t };
        }
    }
}

/// A teaser's title as the page sets it.
struct Title {
    headline: String,
    whole: String,
    kicker: Option<String>,
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
    fn separators_around_a_title_go_guillemets_inside_it_stay() {
        use super::trim_separators;
        assert_eq!(
            trim_separators("| Stadthunde haben Parasiten"),
            "Stadthunde haben Parasiten"
        );
        assert_eq!(
            trim_separators("Passion Fruit Cookies »"),
            "Passion Fruit Cookies"
        );
        assert_eq!(
            trim_separators("Retraites : « Les pompiers poursuivent »"),
            "Retraites : « Les pompiers poursuivent »"
        );
        assert_eq!(trim_separators("|"), "|");
    }

    #[test]
    fn a_kicker_time_or_rank_beside_the_headline_is_none_of_it() {
        let title = |html: &str| {
            let doc = scraper::Html::parse_fragment(html);
            let sel = scraper::Selector::parse("a").expect("selector");
            let a = doc.select(&sel).next().expect("a");
            let texts: Vec<String> = a
                .children()
                .map(|node| match scraper::ElementRef::wrap(node) {
                    Some(el) => el.text().collect::<String>().trim().to_string(),
                    None => node.value().as_text().map_or("", |t| t.trim()).to_string(),
                })
                .collect();
            let parts: Vec<super::Part> = a
                .children()
                .zip(&texts)
                .filter(|(_, t)| !t.is_empty())
                .map(|(node, t)| match scraper::ElementRef::wrap(node) {
                    Some(el) => super::Part::Element(el, t.as_str()),
                    None => super::Part::Text(t.as_str()),
                })
                .collect();
            super::pick_headline(&parts).map(|(h, k)| (h.to_string(), k.map(str::to_string)))
        };
        assert_eq!(
            title(
                "<a><span>Gesund essen</span> <span>Diese 7 Lebensmittel sind gut für den Darm</span></a>"
            ),
            Some((
                "Diese 7 Lebensmittel sind gut für den Darm".into(),
                Some("Gesund essen".into())
            ))
        );
        assert_eq!(
            title("<a><span>14:02</span> Théo Hernandez tient à l'Equipe de France</a>"),
            Some(("Théo Hernandez tient à l'Equipe de France".into(), None))
        );
        assert_eq!(
            title("<a>Why <em>this</em> matters so much today</a>"),
            None
        );
    }

    #[test]
    fn tells_home_pages() {
        assert!(super::is_home("https://example.org/"));
        assert!(!super::is_home("https://example.org/a/"));
        assert!(!super::is_home("https://example.org/?p=1"));
        assert!(!super::is_home("https://example.org/a"));
    }
}

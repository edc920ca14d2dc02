//! Regions of the page: what is no content (ignored by selector, structure or header), the
//! page's own article, people-notice sections, and labelled blocks that carry no link (widgets
//! are in `widgets`).

use std::collections::HashMap;

use scraper::ElementRef;

use super::{Claims, Page, describe, is_heading, skipped};
use crate::extract::identity::tag_id;
use crate::extract::personnel::notice_items;
use crate::extract::{Block, Evidence, Item, Signal, escape};

impl<'a> Page<'a> {
    pub(super) fn mark_ignored(&mut self) {
        let rules = self.rules();
        let host = self.host.clone();
        let mut selectors: Vec<String> = rules.file.ignore.selectors.clone();
        selectors.extend(
            rules
                .sites_for(host.as_deref())
                .flat_map(|s| s.ignore_selectors.iter().cloned()),
        );
        let sponsored: Vec<String> = rules
            .sites_for(host.as_deref())
            .flat_map(|s| s.sponsored_selectors.iter().cloned())
            .collect();
        // All of the page's selectors in one pass: ignored, structural, site-sponsored, network
        // paid and organic items.
        let mut found = self
            .select_groups(&[
                &selectors,
                &rules.file.markup.structural_ignore,
                &sponsored,
                &rules.file.sponsored.item_selectors,
                &rules.file.sponsored.organic_selectors,
            ])
            .into_iter();
        let mut next = || found.next().unwrap_or_default();
        let (mut roots, structural, site_sponsored, network_paid, network_organic) =
            (next(), next(), next(), next(), next());
        roots.retain(|el| !self.holds_the_page(*el));
        for el in &roots {
            if !self.is_ignored(*el) {
                self.skipped_regions
                    .extend(skipped(self.map, "ignored by selector", *el));
                self.ignored.insert(self.map, *el);
            }
        }
        roots.extend(structural);
        // A page header or a header that is not the article's own.
        roots.extend(self.map.named("header").filter(|h| {
            !h.ancestors()
                .any(|a| ElementRef::wrap(a).is_some_and(|e| e.value().name() == "article"))
                && !self.map.holds_h1(*h)
        }));
        for el in &roots {
            self.ignored.insert(self.map, *el);
        }
        // Sections headed "Kommende events", "Brancheguiden", "Premium", …
        for el in self.short_texts.clone() {
            if rules.is_ignore_header(self.text(el))
                && !self.is_ignored(el)
                && let Some(section) = self.section_of(el).filter(|s| !self.is_page_scale(*s))
            {
                self.skipped_regions
                    .extend(skipped(self.map, "house promotion", section));
                self.ignored.insert(self.map, section);
            }
        }
        for el in site_sponsored {
            self.site_sponsored.insert(self.map, el);
        }
        for el in network_paid {
            self.network_paid.insert(self.map, el);
        }
        for el in network_organic {
            self.network_organic.insert(self.map, el);
        }
    }

    /// The page's own article: the `article` (or articleBody) holding the page's `h1`; else
    /// the one post with running text; else the text around the h1; else, without a usable
    /// h1, the text around the heading the page's title names; else, on a page with no h1 at
    /// all, its one block of running text.
    pub(super) fn find_article(&self) -> Option<ElementRef<'a>> {
        let h1 = self.map.named("h1").find(|h| !self.is_ignored(*h));
        if let Some(around) = h1.and_then(article_ancestor) {
            return Some(around);
        }
        if let Some(post) = self.only_post() {
            return Some(post);
        }
        // No article element: the nearest ancestor of the h1 holding paragraphs, unless the
        // h1 is a teaser's headline (a front page's top story).
        if let Some(around) = h1
            .filter(|h| !self.links_away(*h))
            .and_then(|h| self.text_around(h))
        {
            return Some(around);
        }
        // The h1 is in the navigation (a breadcrumb) or missing: the headline is the heading
        // the page's own title names (an h2 to h4, or schema.org `headline`).
        if let Some(named) = self.named_heading() {
            return article_ancestor(named).or_else(|| self.text_around(named));
        }
        h1.is_none().then(|| self.running_text_block()).flatten()
    }

    /// Paragraphs of running text: `p` elements, and text written straight into a container
    /// (`text<br><br>text`), counted by the blank lines in it.
    fn running_paragraphs(&self, el: ElementRef<'a>) -> usize {
        let map = self.map;
        map.descendants(el)
            .iter()
            .map(|p| match p.value().name() {
                "p" => usize::from(map.text(*p).len() > 80),
                _ => bare_paragraphs(*p),
            })
            .sum()
    }

    /// The h1 may be the site's name (blog themes): then the one article element with running
    /// text is the post.
    fn only_post(&self) -> Option<ElementRef<'a>> {
        let map = self.map;
        let posts: Vec<ElementRef<'a>> = map
            .named("article")
            .filter(|a| !self.is_ignored(*a) && self.running_paragraphs(*a) >= 2)
            .filter(|a| !a.value().classes().any(|c| c.contains("comment")))
            .collect();
        let outermost: Vec<ElementRef<'a>> = posts
            .iter()
            .filter(|a| {
                !posts
                    .iter()
                    .any(|o| o.id() != a.id() && map.contains(*o, **a))
            })
            .copied()
            .collect();
        match outermost.as_slice() {
            [post] => Some(*post),
            _ => None,
        }
    }

    /// The nearest ancestor of a headline that holds paragraphs of running text.
    fn text_around(&self, headline: ElementRef<'a>) -> Option<ElementRef<'a>> {
        headline
            .ancestors()
            .filter_map(ElementRef::wrap)
            .find(|a| self.running_paragraphs(*a) >= 2)
    }

    /// Whether a heading is wholly a link to another page (not the home page, not the page
    /// itself): a teaser's headline, as on front pages.
    fn links_away(&self, heading: ElementRef<'a>) -> bool {
        let map = self.map;
        let own = self.base.as_ref().map(|b| b.path().trim_end_matches('/'));
        map.descendants(heading).iter().any(|a| {
            a.value().name() == "a"
                && map.text(*a) == map.text(heading)
                && a.attr("href").is_some_and(|href| {
                    let target = self.base.as_ref().map_or_else(
                        || {
                            url::Url::parse("http://page.invalid/")
                                .ok()?
                                .join(href)
                                .ok()
                        },
                        |b| b.join(href).ok(),
                    );
                    target.is_some_and(|t| {
                        let path = t.path().trim_end_matches('/');
                        !path.is_empty() && own != Some(path)
                    })
                })
        })
    }

    /// The first heading (h1 to h4, or an element marked schema.org `headline`) the page's
    /// own title names, outside ignored regions.
    pub(super) fn named_heading(&self) -> Option<ElementRef<'a>> {
        let map = self.map;
        let page_title = self.page_title();
        let mut headings: Vec<ElementRef<'a>> = ["h1", "h2", "h3", "h4"]
            .into_iter()
            .flat_map(|n| map.named(n))
            .chain(
                map.elements()
                    .iter()
                    .copied()
                    .filter(|e| e.attr("itemprop") == Some("headline")),
            )
            .filter(|h| !self.is_ignored(*h) || self.in_own_header(*h))
            .filter(|h| title_words_name(&page_title, self.text(*h)))
            .collect();
        headings.sort_by_key(|h| map.pos(*h));
        headings.first().copied()
    }

    /// Whether a heading is in a `header` ignored only for being outside any article element
    /// (the article's own header, above its text), not in navigation within it.
    fn in_own_header(&self, heading: ElementRef<'a>) -> bool {
        let mut up = heading.ancestors().filter_map(ElementRef::wrap);
        let Some(header) = up.find(|a| matches!(a.value().name(), "header" | "nav" | "aside"))
        else {
            return false;
        };
        header.value().name() == "header"
            && header
                .parent()
                .and_then(ElementRef::wrap)
                .is_some_and(|p| !self.is_ignored(p))
    }

    /// The page's own title (og:title, else `<title>`), normalised.
    pub(super) fn page_title(&self) -> String {
        self.own_title()
            .map(|t| crate::rules::normalize(&t))
            .unwrap_or_default()
    }

    /// A page with no headline element (a body-only fragment, an old table layout): the
    /// innermost element holding most of its running text, when that text is prose, not
    /// links (a front page's teasers are mostly links).
    fn running_text_block(&self) -> Option<ElementRef<'a>> {
        let count = |e: ElementRef<'a>| self.prose_paragraphs(e);
        let mut block = self.map.named("body").next()?;
        let total = count(block);
        loop {
            let best = block
                .child_elements()
                .filter(|c| !self.is_ignored(*c))
                .max_by_key(|c| count(*c));
            match best {
                // Most of the page's running text is inside it: look further in.
                Some(c) if count(c) * 5 >= total * 4 && count(c) >= 2 => block = c,
                _ => break,
            }
        }
        // Several article elements are a list of items (notices, teasers), not one text.
        let items = self.map.subtree(block).iter();
        let list = items.filter(|e| e.value().name() == "article").count() > 1;
        (count(block) >= 2 && !list && self.link_share(block) < 0.3).then_some(block)
    }

    /// Paragraphs of running text outside ignored regions, a `p` of several blank-line
    /// separated paragraphs counting each.
    fn prose_paragraphs(&self, el: ElementRef<'a>) -> usize {
        let map = self.map;
        map.subtree(el)
            .iter()
            .filter(|p| !self.is_ignored(**p))
            .map(|p| match p.value().name() {
                // Unfilled template placeholders ({{…}}) are no text.
                _ if map.text(*p).contains("{{") => 0,
                "p" => bare_paragraphs(*p).max(usize::from(map.text(*p).len() > 80)),
                _ => bare_paragraphs(*p),
            })
            .sum()
    }

    /// The share of an element's text that is link text.
    fn link_share(&self, el: ElementRef<'a>) -> f64 {
        let map = self.map;
        let linked: usize = map
            .descendants(el)
            .iter()
            .filter(|a| a.value().name() == "a")
            .map(|a| map.text(*a).len())
            .sum();
        linked as f64 / map.text(el).len().max(1) as f64
    }

    /// Whether an element holds the page itself: its headline and running text. Such an element
    /// is never ignored, whatever selector matches it (a page wrapped in a hidden or paywall
    /// container).
    fn holds_the_page(&self, el: ElementRef<'a>) -> bool {
        self.map.holds_h1(el) && self.map.long_paragraphs(el, 80) >= 2
    }

    /// The block a people-notice header heads; on a page that is all notices (the header is the
    /// page's headline), the block right after the header.
    fn personnel_section_of(&self, header: ElementRef<'a>) -> Option<ElementRef<'a>> {
        match self.section_of(header) {
            Some(s) if !self.is_page_scale(s) => Some(s),
            _ => header.next_siblings().filter_map(ElementRef::wrap).next(),
        }
    }

    pub(super) fn personnel_sections(&self, claims: &mut Claims) {
        let rules = self.rules();
        let mut sections: Vec<(ElementRef<'a>, String)> = Vec::new();
        for el in &self.short_texts {
            let text = self.text(*el);
            // A people word inside a link is that teaser's kicker ("Personalie"), which its
            // title carries; it heads no section.
            if rules.is_personnel_header(text)
                && !super::within_link(*el)
                && !self.is_ignored(*el)
                && let Some(section) = self.personnel_section_of(*el)
                && !sections.iter().any(|(s, _)| s.id() == section.id())
            {
                sections.push((section, text.to_string()));
            }
        }
        let site: Vec<String> = rules
            .sites_for(self.host.as_deref())
            .flat_map(|s| s.personnel_selectors.iter().cloned())
            .collect();
        for el in self.select_all(&site) {
            if !sections.iter().any(|(s, _)| s.id() == el.id()) {
                sections.push((el, describe(el)));
            }
        }
        for (section, header) in sections {
            if claims.covers(self.map, section) {
                continue;
            }
            let location = describe(section);
            let lines: Vec<(String, String)> = super::block_lines(section)
                .into_iter()
                .filter(|l| !rules.is_personnel_header(l))
                .map(|l| (l, location.clone()))
                .collect();
            let (items, skipped) = notice_items(&lines, &header, self.cx, &self.authority);
            // Links to the notices' own pages, matched by the person's name.
            let anchors: Vec<(&str, String)> = self
                .map
                .descendants(section)
                .iter()
                .filter(|a| a.value().name() == "a")
                .filter_map(|a| Some((self.text(*a), self.href(*a)?.to_string())))
                .collect();
            // A block under a people header ("Personalien", "People moves") without one notice
            // in it is not a notice column: a box of teasers (the header is evidence on each) or
            // an article about one appointment, left to the rest of extraction.
            if items.is_empty() {
                if !anchors.is_empty() {
                    claims.people_boxes.push((self.map.span(section), header));
                }
                continue;
            }
            for mut item in items {
                let person = item.personnel.as_ref().and_then(|p| p.person.clone());
                if let Some((_, href)) = anchors
                    .iter()
                    .find(|(t, _)| person.as_deref().is_some_and(|p| t.contains(p)))
                {
                    item.link = Some(href.clone());
                }
                claims.items.push(item);
            }
            claims.skipped.extend(skipped);
            claims.claim(self.map, section);
        }
    }

    /// Document position of the article's first paragraph of running text (teasers claimed
    /// inside the article do not count).
    pub(super) fn body_start(&self, claims: &Claims) -> Option<usize> {
        let article = self.article?;
        self.map
            .descendants(article)
            .iter()
            .find(|p| {
                p.value().name() == "p"
                    && !claims.covers(self.map, **p)
                    && self.text(**p).chars().count() > 60
            })
            .map(|p| self.map.pos(*p))
    }

    /// Whether `el` comes before the article's text (a kicker, a disclosure line).
    pub(super) fn before_body(&self, el: ElementRef, body_start: Option<usize>) -> bool {
        body_start.is_some_and(|start| self.map.pos(el) < start)
    }

    /// Labelled blocks without a link (a sponsored box with its text inline), and bare labels
    /// that are display-ad slots.
    pub(super) fn unlinked_labels(&self, claims: &mut Claims, body_start: Option<usize>) {
        let mut verdicts: HashMap<ego_tree::NodeId, Section> = HashMap::new();
        let rules = self.rules();
        let map = self.map;
        for el in self.short_texts.iter().copied() {
            if self.is_ignored(el) || claims.covers(map, el) {
                continue;
            }
            let text = self.text(el);
            // The innermost element carrying the label.
            if el.child_elements().any(|c| map.text(c) == text) {
                continue;
            }
            if self.inside_article(el) && self.before_body(el, body_start) {
                continue;
            }
            // A widget's header was counted as the evidence of the widget's teasers.
            if self.widgets.iter().any(|w| w.head == map.pos(el)) {
                continue;
            }
            let Some(label) = rules.sponsored_label(text) else {
                if rules.is_slot_text(text) {
                    claims.skip(map, "ad slot", el);
                    claims.claim(map, el);
                }
                continue;
            };
            let Some(section) = self.section_of(el) else {
                continue;
            };
            // What a section is, judged once however many labels it holds.
            let verdict = *verdicts
                .entry(section.id())
                .or_insert_with(|| self.judge_section(section));
            match verdict {
                Section::Linked => {}
                Section::Slot => {
                    claims.skip(map, "ad slot", el);
                    claims.claim(map, el);
                }
                Section::Block => self.labelled_block(el, section, label.sponsor, claims),
            }
        }
    }

    /// What a labelled section is: linked teasers, a display slot, or a block of its own.
    fn judge_section(&self, section: ElementRef<'a>) -> Section {
        let map = self.map;
        // A label over linked teasers was counted as their evidence already.
        if map
            .descendants(section)
            .iter()
            .any(|a| a.value().name() == "a" && a.attr("href").is_some())
        {
            return Section::Linked;
        }
        // A label inside running article text marks a display slot, not a block of its own; so
        // does a label with no headline beside it.
        let has_heading = map
            .subtree(section)
            .iter()
            .any(|e| is_heading(e.value().name()));
        if self.is_page_scale(section) || self.inside_article(section) || !has_heading {
            Section::Slot
        } else {
            Section::Block
        }
    }

    /// A labelled block with no link as an item: its first line the title, the next the blurb.
    fn labelled_block(
        &self,
        el: ElementRef<'a>,
        section: ElementRef<'a>,
        sponsor: Option<String>,
        claims: &mut Claims,
    ) {
        let map = self.map;
        let text = self.text(el);
        let lines: Vec<String> = super::block_lines(section)
            .into_iter()
            .filter(|l| l != text)
            .collect();
        if lines.is_empty() || lines[0].chars().count() > 160 || claims.covers(map, section) {
            claims.skip(map, "ad slot", el);
            claims.claim(map, el);
            return;
        }
        let title = lines[0].clone();
        let blurb = lines.get(1).cloned();
        let (mut evidence, _) = self.block_evidence(section, claims);
        if evidence.is_empty() {
            evidence.push(
                Evidence::new(Signal::SponsoredLabel, text.to_string(), describe(el))
                    .at(crate::model::Reach::own()),
            );
        }
        let identifying = format!("{} {}", sponsor.as_deref().unwrap_or(""), title);
        claims.items.push(Item {
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
            category: None,
            shape: None,
        });
        claims.claim(map, section);
    }
}

/// The `article` (or articleBody) element around a headline.
fn article_ancestor(headline: ElementRef) -> Option<ElementRef> {
    headline
        .ancestors()
        .filter_map(ElementRef::wrap)
        .find(|a| a.value().name() == "article" || a.attr("itemprop") == Some("articleBody"))
}

/// Whether a heading's text is most of the page's title: a site name in "Headline | Site" is
/// not the headline.
pub(super) fn names_headline(page_title: &str, heading: &str) -> bool {
    let t = crate::rules::normalize(heading);
    t.chars().count() >= 10 && t.len() * 2 >= page_title.len() && page_title.contains(&t)
}

/// `names_headline` on the words alone: a heading set in parts ("Kicker : Title") names the
/// title "Kicker: Title" too.
fn title_words_name(page_title: &str, heading: &str) -> bool {
    let words = |t: &str| {
        crate::rules::normalize(t)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    names_headline(&words(page_title), &words(heading))
}

/// What a section holding a paid label is, judged once.
#[derive(Clone, Copy)]
enum Section {
    /// Holds links: its label was evidence of its teasers.
    Linked,
    /// A display slot or running text: its labels are slot markers.
    Slot,
    /// A labelled block of its own.
    Block,
}

/// Paragraphs of text written straight into an element: runs of 80 or more characters between
/// blank lines (two `<br>`) or block elements.
fn bare_paragraphs(el: ElementRef) -> usize {
    let (mut count, mut run, mut breaks) = (0, 0usize, 0);
    for node in el.children() {
        match node.value() {
            scraper::Node::Text(t) if !super::map::in_code(node) => {
                run += t.trim().len();
                if !t.trim().is_empty() {
                    breaks = 0;
                }
            }
            scraper::Node::Element(e) if e.name() == "br" => {
                breaks += 1;
                if breaks >= 2 {
                    count += usize::from(run >= 80);
                    run = 0;
                }
            }
            scraper::Node::Element(e)
                if matches!(e.name(), "a" | "b" | "strong" | "em" | "i" | "span") =>
            {
                if let Some(inner) = ElementRef::wrap(node) {
                    run += inner.text().map(str::len).sum::<usize>();
                }
            }
            scraper::Node::Element(_) => {
                count += usize::from(run >= 80);
                run = 0;
            }
            _ => {}
        }
    }
    count + usize::from(run >= 80)
}

#[cfg(test)]
mod tests {
    #[test]
    fn headline_set_in_parts_names_the_title() {
        let title = crate::rules::normalize("Kicker: The headline of the story - Site");
        assert!(super::title_words_name(
            &title,
            "Kicker : The headline of the story"
        ));
        assert!(!super::title_words_name(&title, "Site"));
    }
}

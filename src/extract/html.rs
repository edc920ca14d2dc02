//! Extraction from an HTML page: labels and text first, markup (classes, attributes, schema.org,
//! URL paths, site selectors) as further evidence.
//!
//! The steps, each in a file of its own: `map` reads the page once (texts, positions, subtrees);
//! `regions` finds what is no content (ignored regions), the page's article, people-notice
//! sections and labelled blocks without links; `teasers` turns title links into items with the
//! evidence of their blocks; `article` builds the page's own article. What the steps claim as
//! they go (blocks already turned into items) lives in `Claims`, apart from the read-only map.

mod article;
mod body;
mod depth;
mod evidence;
mod map;
mod regions;
mod shape;
mod teasers;
mod widgets;

use scraper::{ElementRef, Html, Selector};

use super::identity::canonical_url;
use super::{Context, ExtractError, Extraction, Item, Skipped};
use crate::input::Document;
use crate::rules::Rules;
use map::{PageMap, Regions, Wanted};

pub fn extract(doc: &Document, cx: &Context) -> Result<Extraction, ExtractError> {
    check_depth(&doc.text, &doc.origin)?;
    let html = Html::parse_document(&doc.text);
    let map = PageMap::new(&html, doc.text.len(), page_selectors(cx.rules));
    let page = Page::new(&map, doc, cx);
    let mut claims = Claims::default();
    page.personnel_sections(&mut claims);
    page.teasers(&mut claims);
    let body_start = page.body_start(&claims);
    page.unlinked_labels(&mut claims, body_start);
    let article = page.article(&mut claims, body_start);
    match &article {
        Some(a) if a.evidence.iter().any(|e| e.signal.is_sponsored()) => {
            page.calls_to_action(&mut claims);
        }
        Some(_) => {}
        None => page.article_not_found(&mut claims),
    }
    page.page_context(&mut claims.items);
    let mut items: Vec<Item> = article.into_iter().collect();
    items.append(&mut claims.items);
    let mut skipped = page.skipped_regions;
    skipped.append(&mut claims.skipped);
    Ok(Extraction { items, skipped })
}

/// What `--explain` and `run` call a page that looks like an article page whose article was
/// not found.
pub const ARTICLE_NOT_FOUND: &str = "article not found";

/// What every selector a page may be asked about looks its candidates up by: the rules' lists
/// and every site's (a selector left out still works, by scanning the page).
fn page_selectors(rules: &Rules) -> Wanted {
    let file = &rules.file;
    let lists = [
        &file.ignore.selectors,
        &file.markup.structural_ignore,
        &file.markup.lede,
        &file.markup.body,
        &file.markup.author,
        &file.sponsored.item_selectors,
        &file.sponsored.organic_selectors,
    ];
    let sites = file.sites.iter().flat_map(|s| {
        [
            &s.sponsored_selectors,
            &s.personnel_selectors,
            &s.ignore_selectors,
        ]
    });
    Wanted::of(
        lists
            .into_iter()
            .chain(sites)
            .flat_map(|l| l.iter().map(String::as_str)),
    )
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

/// What is known of the page before any item is made: read-only for the steps that make items.
struct Page<'a> {
    map: &'a PageMap<'a>,
    cx: &'a Context<'a>,
    base: Option<url::Url>,
    host: Option<String>,
    authority: String,
    /// Regions that never hold items or article text.
    ignored: Regions,
    /// What was left out while finding them, for `--explain`.
    skipped_regions: Vec<Skipped>,
    /// Elements a site profile marks as sponsored.
    site_sponsored: Regions,
    /// Cards a recommendation network flags as paid (its organic cards carry no such flag).
    network_paid: Regions,
    /// Cards a content exchange or recommendation network marks as organic.
    network_organic: Regions,
    /// Widgets headed by a label.
    widgets: Vec<Widget<'a>>,
    /// The page's own article element, when there is one.
    article: Option<ElementRef<'a>>,
    /// The innermost elements whose whole text is short enough to be a label or header.
    short_texts: Vec<ElementRef<'a>>,
    /// The hosts the page is on or names as its own (without `www.`).
    own_hosts: Vec<String>,
    /// Every link's canonical absolute URL, resolved once, when first asked for.
    hrefs: map::IdMap<std::cell::OnceCell<Option<String>>>,
}

/// A widget headed by a label ("Sponsored Links", "From Our Sponsors"): the label governs the
/// blocks after its header.
struct Widget<'a> {
    /// Position of the label element.
    head: usize,
    /// Span of the box the header stands in.
    own_box: (usize, usize),
    /// Positions of the blocks it governs.
    scope: std::ops::Range<usize>,
    label: &'a str,
    /// The sponsor the label names ("Sponsored by X").
    sponsor: Option<String>,
    /// Where the label is, for explanations.
    place: String,
    /// What its teasers' evidence says of the label (`steps` is the label's depth, made
    /// relative to each teaser).
    reach: crate::model::Reach,
}

/// What extraction has claimed so far: blocks turned into items, and the items.
#[derive(Default)]
struct Claims {
    /// Roots of subtrees already turned into items (or ruled out).
    regions: Regions,
    items: Vec<Item>,
    skipped: Vec<Skipped>,
    /// People-section boxes of teasers rather than notices (their spans and headers): their
    /// teasers carry the header as evidence.
    people_boxes: Vec<((usize, usize), String)>,
}

impl Claims {
    fn claim(&mut self, map: &PageMap, el: ElementRef) {
        self.regions.insert(map, el);
    }

    fn covers(&self, map: &PageMap, el: ElementRef) -> bool {
        self.regions.covers(map, el)
    }

    fn skip(&mut self, map: &PageMap, what: &str, el: ElementRef) {
        if let Some(s) = skipped(map, what, el) {
            self.skipped.push(s);
        }
    }
}

fn skipped(map: &PageMap, what: &str, el: ElementRef) -> Option<Skipped> {
    let text: String = map.text(el).chars().take(100).collect();
    (!text.is_empty()).then(|| Skipped {
        what: what.to_string(),
        text,
        location: describe(el),
    })
}

impl<'a> Page<'a> {
    fn new(map: &'a PageMap<'a>, doc: &Document, cx: &'a Context<'a>) -> Self {
        let meta_url = |name: &str, s: &str| {
            sel(s).and_then(|q| {
                map.select(name, &q)
                    .find_map(|e| e.attr("href").or_else(|| e.attr("content")))
                    .and_then(|u| url::Url::parse(u.trim()).ok())
            })
        };
        let canonical = meta_url("link", "link[rel=canonical]");
        let og_url = meta_url("meta", "meta[property='og:url']");
        let base = doc
            .url
            .clone()
            .or_else(|| meta_url("base", "base[href]"))
            .or_else(|| canonical.clone())
            .or_else(|| og_url.clone());
        let host = base.as_ref().and_then(|b| b.host_str()).map(str::to_string);
        // A page fetched from one host may name another as its own (a mirror, a test server).
        let own_hosts: Vec<String> = [&base, &canonical, &og_url]
            .into_iter()
            .flatten()
            .filter_map(|u| u.host_str().map(super::identity::site_host))
            .collect();
        let short_texts = map
            .elements()
            .iter()
            .copied()
            .filter(|e| {
                !matches!(
                    e.value().name(),
                    "html" | "body" | "head" | "title" | "script" | "style"
                )
            })
            .filter(|e| {
                let t = map.text(*e);
                // The innermost element carrying the text: its wrappers say the same, and every
                // test on short texts climbs out of wrappers by itself.
                !t.is_empty()
                    && t.len() <= 4 * 90
                    && t.chars().count() <= 90
                    && !e.child_elements().any(|c| map.text(c) == t)
            })
            .collect();
        // Resolved when first asked for: links in navigation and footers never are.
        let hrefs = map
            .named("a")
            .filter(|a| a.attr("href").is_some())
            .map(|a| (a.id(), std::cell::OnceCell::new()))
            .collect();
        let mut page = Page {
            hrefs,
            map,
            cx,
            authority: cx.source_name.to_string(),
            base,
            host,
            own_hosts,
            ignored: Regions::default(),
            skipped_regions: Vec::new(),
            site_sponsored: Regions::default(),
            network_paid: Regions::default(),
            network_organic: Regions::default(),
            widgets: Vec::new(),
            article: None,
            short_texts,
        };
        page.mark_ignored();
        page.article = page.find_article();
        page.widgets = page.widget_labels();
        page
    }

    fn rules(&self) -> &'a Rules {
        self.cx.rules
    }

    fn text(&self, el: ElementRef) -> &'a str {
        self.map.text(el)
    }

    /// A link's canonical URL (`None` for no link, or one that is no http(s) page).
    fn href(&self, a: ElementRef) -> Option<&str> {
        self.hrefs
            .get(&a.id())?
            .get_or_init(|| canonical_url(a.attr("href")?, self.base.as_ref()))
            .as_deref()
    }

    fn is_ignored(&self, el: ElementRef) -> bool {
        self.ignored.covers(self.map, el)
    }

    /// Whether `el` is inside the page's article (not the article itself).
    fn inside_article(&self, el: ElementRef) -> bool {
        self.article
            .is_some_and(|a| a.id() != el.id() && self.map.contains(a, el))
    }

    /// The elements each selector matches, selector by selector (a comma list as one, in
    /// document order).
    fn select_all(&self, selectors: &[String]) -> Vec<ElementRef<'a>> {
        self.select_groups(&[selectors]).pop().unwrap_or_default()
    }

    /// `select_all` for several groups of selectors at once, in one pass over the page.
    fn select_groups(&self, groups: &[&[String]]) -> Vec<Vec<ElementRef<'a>>> {
        // Every comma-free part, parsed, with the group and list it belongs to.
        let mut parts: Vec<(usize, usize, &str, Selector)> = Vec::new();
        for (g, group) in groups.iter().enumerate() {
            for (i, list) in group.iter().enumerate() {
                if sel(list).is_none() {
                    continue;
                }
                for part in split_selector_list(list) {
                    if let Some(q) = sel(part) {
                        parts.push((g, i, part, q));
                    }
                }
            }
        }
        let queries: Vec<(&str, &Selector)> = parts.iter().map(|(_, _, t, q)| (*t, q)).collect();
        let found = self.map.select_each(&queries);
        let mut out: Vec<Vec<ElementRef<'a>>> = vec![Vec::new(); groups.len()];
        let mut at = 0;
        while at < parts.len() {
            let (group, list) = (parts[at].0, parts[at].1);
            let mut matched: Vec<ElementRef<'a>> = Vec::new();
            while at < parts.len() && (parts[at].0, parts[at].1) == (group, list) {
                matched.extend(found[at].iter().copied());
                at += 1;
            }
            // A comma list matches in document order, each element once.
            matched.sort_by_key(|e| self.map.pos(*e));
            matched.dedup_by_key(|e| e.id());
            out[group].extend(matched);
        }
        out
    }

    /// The element a header heads: climbs out of wrappers that hold only the header's text.
    fn section_of(&self, header: ElementRef<'a>) -> Option<ElementRef<'a>> {
        let own = self.text(header);
        let mut current = header;
        loop {
            let parent = current.parent().and_then(ElementRef::wrap)?;
            if matches!(parent.value().name(), "body" | "html") {
                return None;
            }
            if self.text(parent) != own {
                return Some(parent);
            }
            current = parent;
        }
    }

    /// Whether an element is the page or its article rather than a block in it: it holds the
    /// headline or the article, or several paragraphs of running text.
    fn is_page_scale(&self, el: ElementRef<'a>) -> bool {
        let holds_article = self.article.is_some_and(|a| self.map.contains(el, a));
        holds_article || self.map.holds_h1(el) || self.map.long_paragraphs(el, 120) > 2
    }
}

fn sel(s: &str) -> Option<Selector> {
    Selector::parse(s).ok()
}

/// The selectors of a comma-separated list (commas inside brackets or quotes stay).
pub(super) fn split_selector_list(list: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None, 0);
    for (i, c) in list.char_indices() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '[' | '(') => depth += 1,
            (None, ']' | ')') => depth -= 1,
            (None, ',') if depth == 0 => {
                parts.push(list[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(list[start..].trim());
    parts
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

/// Whether an element stands inside a link.
fn within_link(el: ElementRef) -> bool {
    el.ancestors()
        .filter_map(ElementRef::wrap)
        .any(|a| a.value().name() == "a")
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// The text of an element as lines, one per block element, as a page's text dump shows it.
pub(super) fn block_lines(el: ElementRef) -> Vec<String> {
    let mut raw = String::new();
    for node in el.descendants() {
        if let Some(t) = node.value().as_text() {
            if !map::in_code(node) {
                raw.push_str(t);
            }
        } else if let Some(e) = node.value().as_element()
            && (is_heading(e.name())
                || matches!(
                    e.name(),
                    "p" | "br"
                        | "div"
                        | "li"
                        | "blockquote"
                        | "article"
                        | "section"
                        | "header"
                        | "footer"
                        | "dt"
                        | "dd"
                        | "figcaption"
                )
                || e.attr("class")
                    .is_some_and(|c| c.contains("name") || c.contains("company")))
        {
            raw.push('\n');
        }
    }
    raw.lines()
        .map(crate::rules::squeeze)
        .filter(|l| !l.is_empty())
        .collect()
}

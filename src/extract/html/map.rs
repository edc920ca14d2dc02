//! The page map: what every later step asks of the document, computed in one pass over it and
//! read-only afterwards. Every element's visible text is collected once into one buffer (an
//! element's text is a slice of it), every element has a document position and the end of its
//! subtree, so "is X inside Y" is two comparisons instead of a walk up the tree.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rustc_hash::FxHashMap;

use ego_tree::NodeId;
use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node};

/// A hasher for node ids, which are small distinct integers already, and for tag names.
#[derive(Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

pub type IdMap<V> = HashMap<NodeId, V, BuildHasherDefault<IdHasher>>;

/// What a selector's last compound requires of an element, to find candidates by lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key<'k> {
    Class(&'k str),
    Id(&'k str),
    Attr(&'k str),
    Tag(&'k str),
}

/// The most selective requirement of a selector's last compound (`div.ad > span.x` needs class
/// `x`), or `None` when it has none a lookup can use (`*`, `:not(…)`), or is not plain ASCII.
fn required_key(selector: &str) -> Option<Key<'_>> {
    let s = selector.trim();
    if !s.is_ascii() || s.contains(['(', '\\']) {
        return None;
    }
    // The last compound: after the last combinator outside brackets.
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ' ' | '>' | '+' | '~' if depth == 0 => start = i + 1,
            _ => {}
        }
    }
    let compound = &s[start..];
    let name_end = |from: usize| {
        compound[from..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .map_or(compound.len(), |e| from + e)
    };
    let (mut id, mut class, mut attr) = (None, None, None);
    let mut i = 0;
    while i < compound.len() {
        match compound.as_bytes()[i] {
            b'#' => {
                let end = name_end(i + 1);
                id = id.or(Some(&compound[i + 1..end]));
                i = end;
            }
            b'.' => {
                let end = name_end(i + 1);
                class = class.or(Some(&compound[i + 1..end]));
                i = end;
            }
            b'[' => {
                let end = name_end(i + 1);
                attr = attr.or(Some(&compound[i + 1..end]));
                i = compound[i..]
                    .find(']')
                    .map_or(compound.len(), |e| i + e + 1);
            }
            b':' => {
                return id
                    .map(Key::Id)
                    .or(class.map(Key::Class))
                    .or(attr.map(Key::Attr));
            }
            _ => i += 1,
        }
    }
    let tag_end = name_end(0);
    let tag = (tag_end > 0).then(|| &compound[..tag_end]);
    id.filter(|v| !v.is_empty())
        .map(Key::Id)
        .or(class.filter(|v| !v.is_empty()).map(Key::Class))
        .or(attr.filter(|v| !v.is_empty()).map(Key::Attr))
        .or(tag.map(Key::Tag))
}

/// The classes, ids and attribute names the page's selectors need (what the map indexes).
#[derive(Debug, Clone, Default)]
pub struct Wanted {
    classes: rustc_hash::FxHashSet<String>,
    ids: rustc_hash::FxHashSet<String>,
    attrs: rustc_hash::FxHashSet<String>,
}

impl Wanted {
    /// What these selectors (comma lists allowed) look their candidates up by.
    pub fn of<'s>(selectors: impl IntoIterator<Item = &'s str>) -> Wanted {
        let mut wanted = Wanted::default();
        for list in selectors {
            for part in crate::extract::html::split_selector_list(list) {
                match required_key(part) {
                    Some(Key::Class(c)) => wanted.classes.insert(c.to_string()),
                    Some(Key::Id(i)) => wanted.ids.insert(i.to_string()),
                    Some(Key::Attr(a)) => wanted.attrs.insert(a.to_ascii_lowercase()),
                    Some(Key::Tag(_)) | None => false,
                };
            }
        }
        wanted
    }

    fn has(&self, key: Key) -> bool {
        match key {
            Key::Class(c) => self.classes.contains(c),
            Key::Id(i) => self.ids.contains(i),
            Key::Attr(a) => self.attrs.contains(a),
            Key::Tag(_) => true,
        }
    }
}

/// Whether a text node is the body of a script, style or similar element.
pub fn in_code(node: ego_tree::NodeRef<Node>) -> bool {
    node.parent()
        .and_then(|p| p.value().as_element().map(|e| e.name()))
        .is_some_and(|n| matches!(n, "script" | "style" | "noscript" | "template"))
}

/// One element's place in the map.
#[derive(Debug, Clone, Copy)]
struct Place {
    /// Position in document order (elements only).
    pos: u32,
    /// Position after the last element of its subtree.
    end: u32,
    /// Its collapsed text as a byte range of `Texts::buffer`.
    text: (u32, u32),
}

/// The read-only map of one parsed page.
pub struct PageMap<'a> {
    pub html: &'a Html,
    places: IdMap<Place>,
    /// Every element in document order.
    elements: Vec<ElementRef<'a>>,
    /// All text of the page, white space collapsed, words of separate text nodes one space
    /// apart: the text of an element is a slice of it.
    buffer: String,
    /// Positions of the elements of each tag name, class, id and attribute name, ascending:
    /// selectors look up their candidates here instead of scanning the page.
    by_key: FxHashMap<Key<'a>, Vec<u32>>,
    /// The classes, ids and attribute names indexed in `by_key` (tags always are).
    wanted: Wanted,
    /// Positions of `h1` elements, ascending.
    h1s: Vec<u32>,
    /// Positions of `p` elements with their text length in characters, ascending.
    paragraphs: Vec<(u32, usize)>,
}

impl<'a> PageMap<'a> {
    /// Maps a parsed page; `source_len` (the markup's length) sizes the text buffer. Elements
    /// are indexed by tag and by the classes, ids and attribute names in `wanted`.
    pub fn new(html: &'a Html, source_len: usize, wanted: Wanted) -> Self {
        // About one element per 60 bytes of markup on real pages.
        let mut places: IdMap<Place> =
            IdMap::with_capacity_and_hasher(source_len / 60, Default::default());
        let mut elements = Vec::with_capacity(source_len / 60);
        let mut buffer = String::with_capacity(source_len / 3);
        let mut open: Vec<(NodeId, u32, u32)> = Vec::new();
        let mut by_key: FxHashMap<Key<'a>, Vec<u32>> = FxHashMap::default();
        let mut h1s = Vec::new();
        let mut paragraph_pos = Vec::new();
        for edge in html.root_element().traverse() {
            match edge {
                Edge::Open(node) => match node.value() {
                    Node::Element(e) => {
                        let pos = elements.len() as u32;
                        if let Some(el) = ElementRef::wrap(node) {
                            elements.push(el);
                        }
                        by_key.entry(Key::Tag(e.name())).or_default().push(pos);
                        for class in e.classes().filter(|c| wanted.classes.contains(*c)) {
                            by_key.entry(Key::Class(class)).or_default().push(pos);
                        }
                        if let Some(id) = e.id().filter(|i| wanted.ids.contains(*i)) {
                            by_key.entry(Key::Id(id)).or_default().push(pos);
                        }
                        for (attr, _) in e.attrs().filter(|(a, _)| wanted.attrs.contains(*a)) {
                            by_key.entry(Key::Attr(attr)).or_default().push(pos);
                        }
                        match e.name() {
                            "h1" => h1s.push(pos),
                            "p" => paragraph_pos.push(pos),
                            _ => {}
                        }
                        open.push((node.id(), pos, buffer.len() as u32));
                    }
                    // Script and style bodies are code, not text a reader sees.
                    Node::Text(t) if !in_code(node) => {
                        for word in t.split_whitespace() {
                            if !buffer.is_empty() {
                                buffer.push(' ');
                            }
                            buffer.push_str(word);
                        }
                    }
                    _ => {}
                },
                Edge::Close(node) => {
                    if node.value().is_element()
                        && let Some((id, pos, start)) = open.pop()
                    {
                        places.insert(
                            id,
                            Place {
                                pos,
                                end: elements.len() as u32,
                                text: (start, buffer.len() as u32),
                            },
                        );
                    }
                }
            }
        }
        let mut map = PageMap {
            html,
            places,
            elements,
            buffer,
            by_key,
            wanted,
            h1s,
            paragraphs: Vec::new(),
        };
        map.paragraphs = paragraph_pos
            .into_iter()
            .map(|pos| (pos, map.text_at(pos).chars().count()))
            .collect();
        map
    }

    fn place(&self, el: ElementRef) -> Option<Place> {
        self.places.get(&el.id()).copied()
    }

    fn text_at(&self, pos: u32) -> &str {
        self.elements
            .get(pos as usize)
            .map_or("", |el| self.text(*el))
    }

    /// The element's visible text, white space collapsed (as `text_of` on the element).
    pub fn text(&self, el: ElementRef) -> &str {
        self.place(el).map_or("", |p| {
            self.buffer[p.text.0 as usize..p.text.1 as usize].trim_start()
        })
    }

    /// Document position of an element.
    pub fn pos(&self, el: ElementRef) -> usize {
        self.place(el).map_or(usize::MAX, |p| p.pos as usize)
    }

    /// Positions `[start, end)` of the element and its subtree.
    pub fn span(&self, el: ElementRef) -> (usize, usize) {
        self.place(el).map_or((usize::MAX, usize::MAX), |p| {
            (p.pos as usize, p.end as usize)
        })
    }

    /// Whether `inner` is `outer` or inside it.
    pub fn contains(&self, outer: ElementRef, inner: ElementRef) -> bool {
        let (start, end) = self.span(outer);
        let at = self.pos(inner);
        start <= at && at < end
    }

    /// Every element in document order.
    pub fn elements(&self) -> &[ElementRef<'a>] {
        &self.elements
    }

    /// The elements with a tag name, in document order.
    pub fn named<'m>(
        &'m self,
        name: &'m str,
    ) -> impl Iterator<Item = ElementRef<'a>> + use<'a, 'm> {
        self.positions(Key::Tag(name))
            .iter()
            .filter_map(|&p| self.elements.get(p as usize).copied())
    }

    /// The elements of one tag name matching a selector, in document order (meta, link and
    /// script lookups look at those elements only).
    pub fn select<'m>(
        &'m self,
        name: &'m str,
        selector: &'m scraper::Selector,
    ) -> impl Iterator<Item = ElementRef<'a>> + use<'a, 'm> {
        self.named(name).filter(move |e| selector.matches(e))
    }

    /// Positions of the elements that have a key, ascending.
    fn positions<'k>(&'k self, key: Key<'k>) -> &'k [u32] {
        // The map's keys borrow the page; a key borrowing less is looked up through a shorter
        // view of the same map.
        let by_key: &'k FxHashMap<Key<'k>, Vec<u32>> = &self.by_key;
        by_key.get(&key).map_or(&[], Vec::as_slice)
    }

    /// The elements each selector (no commas) matches, in document order, selector by
    /// selector. Each is tried only on the elements that have what its last compound requires
    /// (a class, id, attribute or tag), looked up in the map.
    pub fn select_each(
        &self,
        selectors: &[(&str, &scraper::Selector)],
    ) -> Vec<Vec<ElementRef<'a>>> {
        selectors
            .iter()
            .map(|(text, selector)| {
                let candidates: Vec<ElementRef<'a>> = match required_key(text) {
                    Some(Key::Tag(tag)) => self.named(&tag.to_ascii_lowercase()).collect(),
                    // A key left out of the index: every element is a candidate.
                    Some(key) if !self.wanted.has(key) => self.elements.clone(),
                    Some(key) => self
                        .positions(key)
                        .iter()
                        .filter_map(|&p| self.elements.get(p as usize).copied())
                        .collect(),
                    None => self.elements.clone(),
                };
                candidates
                    .into_iter()
                    .filter(|e| selector.matches(e))
                    .collect()
            })
            .collect()
    }

    /// The elements of the subtree of `el`, `el` first, in document order.
    pub fn subtree(&self, el: ElementRef) -> &[ElementRef<'a>] {
        let (start, end) = self.span(el);
        self.elements.get(start..end).unwrap_or(&[])
    }

    /// The elements inside `el` (not `el` itself), in document order, as `ElementRef::select`
    /// sees them.
    pub fn descendants(&self, el: ElementRef) -> &[ElementRef<'a>] {
        self.subtree(el).get(1..).unwrap_or(&[])
    }

    /// Whether an `h1` is inside the element.
    pub fn holds_h1(&self, el: ElementRef) -> bool {
        let (start, end) = self.span(el);
        let first = self.h1s.partition_point(|&p| (p as usize) <= start);
        self.h1s.get(first).is_some_and(|&p| (p as usize) < end)
    }

    /// How many paragraphs in a span of positions have more than `chars` characters of text.
    pub fn paragraphs_between(&self, span: &std::ops::Range<usize>, chars: usize) -> usize {
        let first = self
            .paragraphs
            .partition_point(|&(p, _)| (p as usize) < span.start);
        self.paragraphs[first..]
            .iter()
            .take_while(|&&(p, _)| (p as usize) < span.end)
            .filter(|&&(_, len)| len > chars)
            .count()
    }

    /// How many paragraphs inside the element have more than `chars` characters of text.
    pub fn long_paragraphs(&self, el: ElementRef, chars: usize) -> usize {
        let (start, end) = self.span(el);
        let first = self
            .paragraphs
            .partition_point(|&(p, _)| (p as usize) <= start);
        self.paragraphs[first..]
            .iter()
            .take_while(|&&(p, _)| (p as usize) < end)
            .filter(|&&(_, len)| len > chars)
            .count()
    }
}

/// A set of subtrees (ignored regions, claimed blocks), asked "is this element in one of them".
/// Subtrees nest or are apart, so the outermost ones, sorted, answer by binary search.
#[derive(Default)]
pub struct Regions {
    /// Spans `[start, end)` of the outermost subtrees, by start; none overlaps another.
    outer: Vec<(usize, usize)>,
    /// Every root inserted, nested ones included.
    roots: std::collections::HashSet<(usize, usize)>,
}

impl Regions {
    pub fn insert(&mut self, map: &PageMap, el: ElementRef) {
        let span = map.span(el);
        if span.0 == usize::MAX || !self.roots.insert(span) || self.covers_pos(span.0) {
            return;
        }
        // Drop the subtrees the new one holds, and keep the order by start.
        let from = self.outer.partition_point(|&(s, _)| s < span.0);
        let to = self.outer[from..].partition_point(|&(s, _)| s < span.1) + from;
        self.outer.splice(from..to, [span]);
    }

    fn covers_pos(&self, at: usize) -> bool {
        let i = self.outer.partition_point(|&(s, _)| s <= at);
        i > 0 && at < self.outer[i - 1].1
    }

    /// Whether `el` is a root of one of the subtrees or inside one.
    pub fn covers(&self, map: &PageMap, el: ElementRef) -> bool {
        self.covers_pos(map.pos(el))
    }

    /// Whether `el` is the root of one of the subtrees.
    pub fn is_root(&self, map: &PageMap, el: ElementRef) -> bool {
        self.roots.contains(&map.span(el))
    }

    /// Whether one of the subtrees starts inside `el` (or at it).
    pub fn any_inside(&self, map: &PageMap, el: ElementRef) -> bool {
        let (start, end) = map.span(el);
        let i = self.outer.partition_point(|&(s, _)| s < start);
        self.outer.get(i).is_some_and(|&(s, _)| s < end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_key_a_selector_requires() {
        assert_eq!(required_key(".paywall"), Some(Key::Class("paywall")));
        assert_eq!(
            required_key("div.disclosure-text"),
            Some(Key::Class("disclosure-text"))
        );
        assert_eq!(required_key("#leader"), Some(Key::Id("leader")));
        assert_eq!(
            required_key("[style*='display:none']"),
            Some(Key::Attr("style"))
        );
        assert_eq!(
            required_key(".paragraphAd .sponsored"),
            Some(Key::Class("sponsored"))
        );
        assert_eq!(
            required_key("aside[data-label=\"Annonce i\"]"),
            Some(Key::Attr("data-label"))
        );
        assert_eq!(required_key("dialog"), Some(Key::Tag("dialog")));
        assert_eq!(required_key("div > *"), None);
        assert_eq!(required_key(":not(.x)"), None);
    }

    #[test]
    fn keyed_selection_equals_a_full_scan() {
        let html = Html::parse_document(
            "<body><div class='a b' id=x><p style='display:none'>x</p><p hidden>y</p>\
             <span class=b>z</span></div><dialog>d</dialog></body>",
        );
        let texts = [
            ".b",
            "#x",
            "[style*='display:none']",
            "[hidden]",
            "dialog",
            "div .b",
            "p",
        ];
        // Indexed for these selectors, and indexed for none (every element a candidate).
        for wanted in [Wanted::of(texts), Wanted::default()] {
            let map = PageMap::new(&html, 0, wanted);
            for text in texts {
                let q = scraper::Selector::parse(text).expect("selector");
                let full: Vec<_> = map
                    .elements()
                    .iter()
                    .copied()
                    .filter(|e| q.matches(e))
                    .collect();
                assert_eq!(map.select_each(&[(text, &q)]), vec![full], "{text}");
            }
        }
    }

    #[test]
    fn texts_and_spans_match_the_tree() {
        let html = Html::parse_document(
            "<html><body><div id=a><h1> Title  here</h1><p>One <b>two</b>three</p>\
             <p>x</p></div><p id=c>  after </p></body></html>",
        );
        let map = PageMap::new(&html, 0, Wanted::default());
        let by_id = |id: &str| {
            map.elements()
                .iter()
                .copied()
                .find(|e| e.value().id() == Some(id))
                .expect("element")
        };
        let (a, c) = (by_id("a"), by_id("c"));
        assert_eq!(map.text(a), "Title here One two three x");
        assert_eq!(map.text(c), "after");
        assert!(map.holds_h1(a) && !map.holds_h1(c));
        assert_eq!(map.long_paragraphs(a, 3), 1);
        assert!(!map.contains(a, c) && map.contains(a, a));
        // The same text `ElementRef::text` gives, collapsed (this page has no scripts).
        for el in map.elements() {
            let want = el.text().collect::<Vec<_>>().join(" ");
            let want = crate::rules::squeeze(&want);
            assert_eq!(map.text(*el), want);
        }
        let mut regions = Regions::default();
        regions.insert(&map, a);
        assert!(regions.covers(&map, map.subtree(a)[1]) && !regions.covers(&map, c));
    }
}

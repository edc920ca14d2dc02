//! The page map: what every later step asks of the document, computed in one pass over it and
//! read-only afterwards. Every element's visible text is collected once into one buffer (an
//! element's text is a slice of it), every element has a document position and the end of its
//! subtree, so "is X inside Y" is two comparisons instead of a walk up the tree.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use ego_tree::NodeId;
use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node};

/// A hasher for node ids, which are small distinct integers already.
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
    /// Positions of the elements of each tag name, ascending.
    by_name: HashMap<&'a str, Vec<u32>>,
    /// Positions of `h1` elements, ascending.
    h1s: Vec<u32>,
    /// Positions of `p` elements with their text length in characters, ascending.
    paragraphs: Vec<(u32, usize)>,
}

impl<'a> PageMap<'a> {
    pub fn new(html: &'a Html) -> Self {
        let mut places: IdMap<Place> = IdMap::default();
        let mut elements = Vec::new();
        let mut buffer = String::new();
        let mut open: Vec<(NodeId, u32, u32)> = Vec::new();
        let mut by_name: HashMap<&'a str, Vec<u32>> = HashMap::new();
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
                        by_name.entry(e.name()).or_default().push(pos);
                        match e.name() {
                            "h1" => h1s.push(pos),
                            "p" => paragraph_pos.push(pos),
                            _ => {}
                        }
                        open.push((node.id(), pos, buffer.len() as u32));
                    }
                    Node::Text(t) => {
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
            by_name,
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
    pub fn named<'m>(&'m self, name: &str) -> impl Iterator<Item = ElementRef<'a>> + use<'a, 'm> {
        self.by_name
            .get(name)
            .into_iter()
            .flatten()
            .filter_map(|&p| self.elements.get(p as usize).copied())
    }

    /// The elements matching a selector, in document order: by tag name when the caller
    /// knows it (meta, link, script), else over every element.
    pub fn select<'m>(
        &'m self,
        name: Option<&str>,
        selector: &'m scraper::Selector,
    ) -> Box<dyn Iterator<Item = ElementRef<'a>> + 'm> {
        match name {
            Some(n) => Box::new(self.named(n).filter(move |e| selector.matches(e))),
            None => Box::new(
                self.elements
                    .iter()
                    .copied()
                    .filter(move |e| selector.matches(e)),
            ),
        }
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
#[derive(Default)]
pub struct Regions {
    /// Spans `[start, end)` of the subtrees' roots.
    spans: Vec<(usize, usize)>,
}

impl Regions {
    pub fn insert(&mut self, map: &PageMap, el: ElementRef) {
        let span = map.span(el);
        if span.0 != usize::MAX && !self.spans.contains(&span) {
            self.spans.push(span);
        }
    }

    /// Whether `el` is a root of one of the subtrees or inside one.
    pub fn covers(&self, map: &PageMap, el: ElementRef) -> bool {
        let at = map.pos(el);
        self.spans.iter().any(|&(s, e)| s <= at && at < e)
    }

    /// Whether `el` is the root of one of the subtrees.
    pub fn is_root(&self, map: &PageMap, el: ElementRef) -> bool {
        self.spans.contains(&map.span(el))
    }

    /// Whether one of the subtrees starts inside `el` (or at it).
    pub fn any_inside(&self, map: &PageMap, el: ElementRef) -> bool {
        let (start, end) = map.span(el);
        self.spans.iter().any(|&(s, _)| start <= s && s < end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_and_spans_match_the_tree() {
        let html = Html::parse_document(
            "<html><body><div id=a><h1> Title  here</h1><p>One <b>two</b>three</p>\
             <p>x</p></div><p id=c>  after </p></body></html>",
        );
        let map = PageMap::new(&html);
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
        // The same text `ElementRef::text` gives, collapsed.
        for el in map.elements() {
            let want = el.text().collect::<Vec<_>>().join(" ");
            let want = want.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(map.text(*el), want);
        }
        let mut regions = Regions::default();
        regions.insert(&map, a);
        assert!(regions.covers(&map, map.subtree(a)[1]) && !regions.covers(&map, c));
    }
}

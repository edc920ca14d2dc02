//! Widgets: a label heading a box of links ("Sponsored Links", "From our partners", a heading
//! ending "– Werbung") governs the blocks after its header; a label over an empty placeholder is
//! a display ad's slot.

use scraper::ElementRef;

use super::{Page, Widget, describe};
use crate::model::{Place, Reach};

/// Blocks a widget's label governs, at most: widgets hold a few dozen items.
const MAX_WIDGET_BLOCKS: usize = 100;

/// A short text found to label a widget, and how.
struct WidgetLabel<'a> {
    text: &'a str,
    /// The heading the label is in, if any.
    heading: Option<ElementRef<'a>>,
    /// A heading naming the widget before its label ("Geschenkideen – Werbung").
    named: bool,
    /// A list header ("From our partners").
    list_header: bool,
}

/// Whether a block holds a link with an address.
fn has_link(map: &super::PageMap, block: ElementRef) -> bool {
    map.subtree(block)
        .iter()
        .any(|d| d.value().name() == "a" && d.attr("href").is_some())
}

impl<'a> Page<'a> {
    /// Labels that head a widget ("Sponsored Links", "From Our Sponsors", a heading ending in
    /// "– Werbung"): each governs the blocks that follow its header, up to the next heading.
    pub(super) fn widget_labels(&self) -> Vec<Widget<'a>> {
        let map = self.map;
        let mut out = Vec::new();
        for label in self.short_texts.iter().copied() {
            let Some(found) = self.widget_label(label) else {
                continue;
            };
            let header = self.widget_header(found.heading.unwrap_or(label));
            let Some(scope) = self.widget_scope(header, &found) else {
                continue;
            };
            let (Some(first), Some(last)) = (scope.first(), scope.last()) else {
                continue;
            };
            // A label right above an empty box labels the display ad to come there, not the
            // blocks after it (under a named widget, a box of image links is not empty).
            if map.text(*first).is_empty() && !(found.named && has_link(map, *first)) {
                continue;
            }
            if scope.iter().any(|s| self.is_page_scale(*s)) {
                continue;
            }
            let own_box = header
                .parent()
                .and_then(ElementRef::wrap)
                .map_or((0, 0), |b| map.span(b));
            let scope = map.pos(*first)..map.span(*last).1;
            let kicker = self.rules().sponsored_kicker(found.text);
            let reach = Reach {
                place: Place::Widget,
                steps: label.ancestors().count() as u32,
                shared: self.links_in(&scope),
                extra_words: kicker
                    .clone()
                    .or_else(|| self.rules().widget_header(found.text))
                    .map_or(0, |m| super::evidence::extra_words(found.text, &m)),
                header: found.list_header,
                slot: self.is_slot_label(label) || self.beside_media(label),
                prose: self.map.paragraphs_between(&scope, 120) > 0,
            };
            out.push(Widget {
                reach,
                head: map.pos(label),
                own_box,
                scope,
                label: found.text,
                sponsor: kicker.and_then(|m| m.sponsor),
                place: describe(label),
            });
        }
        out
    }

    /// How many different links a span of the page holds: the items a label over it governs.
    fn links_in(&self, scope: &std::ops::Range<usize>) -> u32 {
        let elements = self.map.elements();
        let mut hrefs: Vec<&str> = elements
            [scope.start.min(elements.len())..scope.end.min(elements.len())]
            .iter()
            .filter(|a| a.value().name() == "a")
            .filter_map(|a| self.href(*a))
            .collect();
        hrefs.sort_unstable();
        hrefs.dedup();
        hrefs.len().min(1000) as u32
    }

    /// A short text that labels a widget: a kicker, a list header, "Ad" that the markup calls
    /// an ad too, or a heading naming the widget before its label.
    fn widget_label(&self, label: ElementRef<'a>) -> Option<WidgetLabel<'a>> {
        let rules = self.rules();
        let map = self.map;
        if self.is_ignored(label)
            || label
                .child_elements()
                .any(|c| map.text(c) == map.text(label))
        {
            return None;
        }
        let text = self.text(label);
        // A label line, not a card holding a label and a title link.
        if map.descendants(label).iter().any(|d| {
            super::is_heading(d.value().name())
                || (d.value().name() == "a" && !self.text(*d).is_empty())
        }) {
            return None;
        }
        // A heading may name the widget and end with the label: "Geschenkideen – Werbung".
        let heading = label
            .ancestors()
            .filter_map(ElementRef::wrap)
            .take(3)
            .find(|a| super::is_heading(a.value().name()));
        // "Ad" alone is a label only when the markup says so too (a class or title on it or on
        // the wrappers that hold only it).
        let says_ad = |e: &ElementRef| {
            e.value().classes().any(|c| c.to_lowercase().contains("ad"))
                || e.attr("title")
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case(text.trim()))
        };
        let short_ad = matches!(text.trim().to_lowercase().as_str(), "ad" | "ads")
            && std::iter::once(label)
                .chain(
                    label
                        .ancestors()
                        .filter_map(ElementRef::wrap)
                        .take_while(|a| map.text(*a) == text),
                )
                .any(|e| says_ad(&e));
        let list_header = rules.widget_header(text).is_some();
        // A heading that names the widget before its label ("Geschenkideen – Werbung") titles a
        // set of offers; a bare label over an image may be a banner's slot.
        // (A bare label: "Glücksspiel – Werbung für Sportwetten" is a headline.)
        let named = heading.is_some_and(|h| {
            rules
                .sponsored_title_suffix(self.text(h))
                .is_some_and(|(m, _)| m.sponsor.is_none())
                && !map.subtree(h).iter().any(|d| d.value().name() == "a")
        });
        let labelled = rules.sponsored_kicker(text).is_some() || short_ad || list_header || named;
        if !labelled || (!named && self.is_slot_label(label)) {
            return None;
        }
        Some(WidgetLabel {
            text,
            heading,
            named,
            list_header,
        })
    }

    /// The header: the heading around the label, else the label, with the wrappers around it
    /// that hold nothing else (an image link beside it is something).
    fn widget_header(&self, mut header: ElementRef<'a>) -> ElementRef<'a> {
        let map = self.map;
        while let Some(parent) = header.parent().and_then(ElementRef::wrap) {
            if matches!(parent.value().name(), "body" | "html")
                || map.text(parent) != map.text(header)
                || map
                    .descendants(parent)
                    .iter()
                    .any(|d| matches!(d.value().name(), "a" | "img") && !map.contains(header, *d))
            {
                break;
            }
            header = parent;
        }
        header
    }

    /// The blocks a header governs. A header opens its box (after the widget's own title, if
    /// any); a label between items is a kicker of the next one; a label after a box, with a new
    /// section or nothing after it, closes that box.
    fn widget_scope(
        &self,
        header: ElementRef<'a>,
        label: &WidgetLabel<'a>,
    ) -> Option<Vec<ElementRef<'a>>> {
        let map = self.map;
        // (Looked at near the header only: a long run of siblings is a list, not a widget.)
        let before: Vec<ElementRef<'a>> = header
            .prev_siblings()
            .filter_map(ElementRef::wrap)
            .filter(|p| !map.text(*p).is_empty())
            .take(4)
            .collect();
        let opens = before.len() < 4 && before.iter().all(|p| super::is_heading(p.value().name()));
        if !opens {
            let next_text = header
                .next_siblings()
                .filter_map(ElementRef::wrap)
                .take(MAX_WIDGET_BLOCKS)
                .find(|n| !map.text(*n).is_empty());
            let closes = next_text.is_none_or(|n| self.starts_section(n));
            return match before.first() {
                Some(boxed) if closes && !super::is_heading(boxed.value().name()) => {
                    Some(vec![*boxed])
                }
                _ => None,
            };
        }
        let mut scope: Vec<ElementRef<'a>> = header
            .next_siblings()
            .filter_map(ElementRef::wrap)
            .take(MAX_WIDGET_BLOCKS)
            .take_while(|s| !self.starts_section(*s))
            // Under a list header, an empty box is the slot the list is loaded into.
            .skip_while(|s| label.list_header && map.text(*s).is_empty())
            .collect();
        if label.named {
            self.continue_named(header, &mut scope);
        }
        Some(scope)
    }

    /// Boxes of the same kind right after a named widget's own box, holding only image links
    /// (no heading, no text), continue it: a sidebar of one labelled widget of offers and more
    /// unlabelled ones.
    fn continue_named(&self, header: ElementRef<'a>, scope: &mut Vec<ElementRef<'a>>) {
        let map = self.map;
        let Some(own) = header.parent().and_then(ElementRef::wrap) else {
            return;
        };
        let ends_box = scope.last().is_some_and(|l| {
            own.child_elements()
                .last()
                .is_some_and(|c| c.id() == l.id())
        });
        let same_kind = |s: &ElementRef| {
            s.value().name() == own.value().name()
                && s.attr("class").is_some()
                && s.attr("class") == own.attr("class")
                && map.text(*s).is_empty()
                && has_link(map, *s)
        };
        if ends_box && !self.is_page_scale(own) {
            scope.extend(
                own.next_siblings()
                    .filter_map(ElementRef::wrap)
                    .take(MAX_WIDGET_BLOCKS)
                    .take_while(same_kind),
            );
        }
    }

    /// Whether a block opens a section of its own: a heading that is no link (a teaser's title
    /// is a link) and no label comes in it before any link.
    pub(super) fn starts_section(&self, block: ElementRef<'a>) -> bool {
        let map = self.map;
        for e in map.subtree(block) {
            let name = e.value().name();
            if name == "a" && !self.text(*e).is_empty() {
                return false;
            }
            if super::is_heading(name)
                && !self.text(*e).is_empty()
                && !map.subtree(*e).iter().any(|a| a.value().name() == "a")
                && !super::within_link(*e)
                && self.rules().sponsored_kicker(map.text(*e)).is_none()
            {
                return true;
            }
        }
        false
    }

    /// The box a label stands in: its outermost wrapper holding no other text.
    fn label_box(&self, label: ElementRef<'a>) -> ElementRef<'a> {
        let text = self.text(label);
        let mut boxed = label;
        while let Some(parent) = boxed.parent().and_then(ElementRef::wrap) {
            if matches!(parent.value().name(), "body" | "html") || self.text(parent) != text {
                break;
            }
            boxed = parent;
        }
        boxed
    }

    /// Whether the box a label stands in (its wrappers holding only its text) also holds an
    /// image or an icon: an ad slot's caption beside a placeholder or a logo.
    pub(super) fn beside_media(&self, label: ElementRef<'a>) -> bool {
        let boxed = self.label_box(label);
        self.map.descendants(boxed).iter().any(|e| {
            matches!(e.value().name(), "svg" | "img" | "picture" | "iframe")
                && !self.map.contains(*e, label)
        })
    }

    /// Whether a label marks an ad slot rather than content: the box it stands in holds nothing
    /// a reader can read but the label (an empty placeholder, an iframe, an image, a script).
    pub(super) fn is_slot_label(&self, label: ElementRef<'a>) -> bool {
        let boxed = self.label_box(label);
        if boxed.id() == label.id() {
            return false;
        }
        // Besides the label and its wrappers, a placeholder to be filled: an embed, or an empty
        // element named by an id or data attributes for the ad script.
        self.map.descendants(boxed).iter().any(|e| {
            let v = e.value();
            let embed = matches!(
                v.name(),
                "iframe"
                    | "ins"
                    | "img"
                    | "picture"
                    | "video"
                    | "object"
                    | "embed"
                    | "canvas"
                    | "svg"
                    | "script"
            );
            let ad_class = v.classes().any(|c| {
                let c = c.to_ascii_lowercase();
                let slot_word = |w: &str| {
                    c == w || c.ends_with(&format!("-{w}")) || c.ends_with(&format!("_{w}"))
                };
                slot_word("banner")
                    || slot_word("slot")
                    || slot_word("ad")
                    || c.starts_with("ad-")
                    || c.starts_with("ad_")
                    || c.contains("advert")
            });
            let placeholder =
                ad_class || v.id().is_some() || v.attrs().any(|(n, _)| n.starts_with("data-"));
            !self.map.contains(*e, label)
                && !self.map.contains(label, *e)
                && self.text(*e).is_empty()
                && (embed || placeholder)
        })
    }
}

//! An article's body text, block by block in document order, without what extraction claimed
//! for other items; text written straight into a container makes blocks too.

use std::borrow::Cow;

use scraper::ElementRef;

use super::{Claims, Page};

impl<'a> Page<'a> {
    /// Collects the article's text blocks in order, as (HTML, text). Returns false when a
    /// header that ends the article ("Læs også", "Læses lige nu") was met directly in the body.
    /// Text written straight into a container, lines apart (`text<br><br>text`), makes blocks
    /// too, as many blogs and older sites write their posts.
    pub(super) fn walk_body(
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
                        // A people word before any text is a kicker over the headline
                        // ("Personalie"), not the end of the article.
                        if top && out.is_empty() && rules.is_personnel_header(text) {
                            continue;
                        }
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
pub(super) fn is_inline(name: &str) -> bool {
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

pub(super) fn is_block(name: &str) -> bool {
    super::is_heading(name)
        || matches!(
            name,
            "p" | "div"
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

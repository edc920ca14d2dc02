//! Extraction from the plain visible text of a page: blocks are lines, labels are the only markup.
//! The page is read top to bottom as the reference describes it: headline, lede, body, then
//! related links, the "trending" sidebar, labelled sponsored teasers and people-notice columns.

use super::dates::parse_timestamp;
use super::identity::tag_id;
use super::personnel::notice_items;
use super::{Block, Context, Evidence, Extraction, Item, Signal, Skipped, paragraphs_html};
use crate::input::Document;
use crate::rules::{Rules, normalize};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the headline.
    Start,
    /// After the headline, before the body: the lede or a date stamp may come.
    Head,
    Body,
    Related,
    Sidebar,
    Ignored,
    Personnel,
}

struct Line<'a> {
    text: &'a str,
    number: usize,
}

pub fn extract(doc: &Document, cx: &Context) -> Extraction {
    let lines: Vec<Line> = doc
        .text
        .lines()
        .enumerate()
        .map(|(i, l)| Line {
            text: l.trim(),
            number: i + 1,
        })
        .filter(|l| !l.text.is_empty())
        .collect();
    let mut reader = Reader {
        cx,
        authority: cx.source_name.to_string(),
        out: Extraction::default(),
        headline: None,
        lede: None,
        date: None,
        body: Vec::new(),
        notice_lines: Vec::new(),
        section: String::new(),
    };
    reader.run(&lines);
    reader.finish()
}

struct Reader<'a> {
    cx: &'a Context<'a>,
    authority: String,
    out: Extraction,
    headline: Option<(String, usize)>,
    lede: Option<String>,
    date: Option<chrono::DateTime<chrono::FixedOffset>>,
    body: Vec<String>,
    /// Lines of the people-notice column being read: (text, location).
    notice_lines: Vec<(String, String)>,
    section: String,
}

impl Reader<'_> {
    fn rules(&self) -> &Rules {
        self.cx.rules
    }

    fn run(&mut self, lines: &[Line]) {
        let mut state = State::Start;
        let mut i = 0;
        while i < lines.len() {
            let line = &lines[i];
            let text = line.text;
            // A sponsored teaser glued into running text: keep what precedes it, read the rest.
            if let Some(at) = self
                .rules()
                .glued_sponsored_label(text)
                .filter(|&at| at > 0)
            {
                let (before, after) = text.split_at(at);
                self.content_line(state, before.trim(), line.number);
                if state == State::Head {
                    state = State::Body;
                }
                self.glued_teaser(after, line.number);
                i += 1;
                continue;
            }
            if let Some(label) = self.rules().sponsored_label(text) {
                self.flush_notices();
                let title = lines.get(i + 1).filter(|l| self.is_plain(l.text));
                match title {
                    Some(t) if t.text.chars().count() <= 160 => {
                        let blurb = lines
                            .get(i + 2)
                            .filter(|l| self.is_plain(l.text) && !self.looks_like_notice(l.text));
                        self.sponsored_teaser(
                            label.sponsor,
                            text,
                            t.text,
                            blurb.map(|b| b.text),
                            line.number,
                        );
                        i += 2 + usize::from(blurb.is_some());
                        if state == State::Head {
                            state = State::Body;
                        }
                    }
                    _ => {
                        self.skip("ad slot", text, line.number);
                        i += 1;
                    }
                }
                continue;
            }
            let header = self.rules().is_section_header(text);
            if header || self.rules().sponsored_label(text).is_some() {
                self.flush_notices();
            }
            if self.rules().is_personnel_header(text) {
                state = State::Personnel;
                self.section = text.to_string();
            } else if self.rules().is_trending_header(text) {
                state = State::Sidebar;
                self.skip("trending header", text, line.number);
            } else if self.rules().is_related_header(text) {
                state = State::Related;
                self.skip("related links header", text, line.number);
            } else if self.rules().is_ignore_header(text) {
                state = State::Ignored;
                self.skip("house promotion", text, line.number);
            } else if state == State::Personnel {
                self.notice_lines
                    .push((text.to_string(), format!("line {}", line.number)));
            } else {
                self.content_line(state, text, line.number);
                state = match state {
                    State::Start if self.headline.is_some() => State::Head,
                    State::Head if !self.body.is_empty() => State::Body,
                    s => s,
                };
            }
            i += 1;
        }
    }

    /// A line that is not a label or header: the article's, or a skipped sidebar line.
    fn content_line(&mut self, state: State, text: &str, number: usize) {
        if text.is_empty() {
            return;
        }
        let rules = self.cx.rules;
        if rules.is_ignored_text(text) || rules.is_slot_text(text) || is_photo_credit(text) {
            self.skip("page chrome", text, number);
            return;
        }
        match state {
            State::Start => self.headline = Some((text.to_string(), number)),
            State::Head | State::Body => {
                if rules.is_inline_ref(text) {
                    self.skip("related link", text, number);
                } else if state == State::Head && self.date.is_none() && is_date_stamp(text) {
                    self.date = parse_timestamp(text, self.cx.tz);
                } else if state == State::Head && self.lede.is_none() {
                    self.lede = Some(text.to_string());
                } else {
                    self.body.push(text.to_string());
                }
            }
            State::Related => self.skip("related link", text, number),
            State::Sidebar | State::Ignored | State::Personnel => {
                self.skip("sidebar", text, number)
            }
        }
    }

    /// Turns the collected column lines into notice items.
    fn flush_notices(&mut self) {
        if self.notice_lines.is_empty() {
            return;
        }
        let lines = std::mem::take(&mut self.notice_lines);
        let (items, skipped) = notice_items(&lines, &self.section, self.cx, &self.authority);
        self.out.items.extend(items);
        self.out.skipped.extend(skipped);
    }

    /// A notice sentence shape, even without its tag.
    fn looks_like_notice(&self, text: &str) -> bool {
        let signs = self.cx.rules.notice_signs(text);
        signs.shaped || signs.tag.is_some() && text.len() > 60
    }

    /// Not a label or header: can be a teaser's title or blurb.
    fn is_plain(&self, text: &str) -> bool {
        let r = self.cx.rules;
        r.sponsored_label(text).is_none() && !r.is_section_header(text) && !r.is_ignored_text(text)
    }

    /// "Annonceindlæg fra AcmeSådan gør duEr du …": sponsor, title and blurb run together.
    fn glued_teaser(&mut self, text: &str, number: usize) {
        let Some((label, rest)) = self.rules().split_sponsored_label(text) else {
            self.skip("ad slot", text, number);
            return;
        };
        let parts = split_glued(&rest);
        let sponsor = parts.first().cloned();
        let title = parts.get(1).cloned().unwrap_or_default();
        let blurb = (parts.len() > 2).then(|| parts[2..].join(" "));
        self.sponsored_teaser(sponsor, &label, &title, blurb.as_deref(), number);
    }

    fn sponsored_teaser(
        &mut self,
        sponsor: Option<String>,
        label_text: &str,
        title: &str,
        blurb: Option<&str>,
        number: usize,
    ) {
        let identifying = format!("{} {}", sponsor.as_deref().unwrap_or(""), title);
        self.out.items.push(Item {
            id: tag_id(&self.authority, "sponsored", &identifying),
            title: title.to_string(),
            link: None,
            summary: blurb.map(str::to_string),
            content_html: blurb.map(|b| paragraphs_html(&[b.to_string()])),
            published: None,
            author: None,
            sponsor,
            personnel: None,
            block: Block::SponsoredTeaser,
            evidence: vec![
                Evidence::new(
                    Signal::SponsoredLabel,
                    label_text.to_string(),
                    format!("line {number}"),
                )
                .at(crate::model::Reach::own()),
            ],
            category: None,
            shape: None,
        });
    }

    fn skip(&mut self, what: &str, text: &str, number: usize) {
        self.out.skipped.push(Skipped {
            what: what.to_string(),
            text: text.to_string(),
            location: format!("line {number}"),
        });
    }

    fn finish(mut self) -> Extraction {
        self.flush_notices();
        let mut items = Vec::new();
        if let Some((headline, number)) = self.headline.take()
            && (self.lede.is_some() || !self.body.is_empty())
        {
            let identifying = self.lede.clone().unwrap_or_else(|| headline.clone());
            let mut html = Vec::new();
            for p in &self.body {
                if is_subheading(p) {
                    html.push(format!("<h3>{}</h3>", super::escape(p)));
                } else {
                    html.push(paragraphs_html(std::slice::from_ref(p)));
                }
            }
            if let Some(lede) = &self.lede {
                html.insert(
                    0,
                    format!("<p><strong>{}</strong></p>", super::escape(lede)),
                );
            }
            let paragraphs: Vec<&str> = self
                .lede
                .iter()
                .chain(self.body.iter())
                .map(String::as_str)
                .collect();
            let evidence = super::disclosure_evidence(
                &paragraphs,
                self.cx.rules,
                &format!("article from line {number}"),
            );
            items.push(Item {
                id: tag_id(&self.authority, "article", &identifying),
                title: headline,
                link: None,
                summary: self.lede.clone(),
                content_html: Some(html.join("\n")),
                published: self.date,
                author: None,
                sponsor: None,
                personnel: None,
                block: Block::Article,
                evidence,
                category: None,
                shape: None,
            });
        }
        // The article first, then blocks in page order.
        items.append(&mut self.out.items);
        self.out.items = items;
        self.out
    }
}

/// Splits text whose parts were run together without spaces at each lower-to-upper case step:
/// "AcmeSådan gør duEr du" → ["Acme", "Sådan gør du", "Er du"].
fn split_glued(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut prev: Option<char> = None;
    for c in text.chars() {
        let boundary = prev.is_some_and(|p| {
            (p.is_lowercase() || matches!(p, '.' | '!' | '?' | ':')) && c.is_uppercase()
        });
        if boundary && !current.trim().is_empty() {
            parts.push(current.trim().to_string());
            current.clear();
        }
        current.push(c);
        prev = Some(c);
    }
    if !current.trim().is_empty() {
        parts.push(current.trim().to_string());
    }
    parts
}

fn is_photo_credit(text: &str) -> bool {
    let n = normalize(text);
    n.starts_with("(foto:") || n.starts_with("foto:") || n.starts_with("(photo:")
}

/// A line that is only a date ("27. jan. 2026 kl. 14:32", "2025-09-01").
fn is_date_stamp(text: &str) -> bool {
    text.len() <= 40
        && (super::dates::parse_written_date(text).is_some()
            || chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").is_ok())
}

/// A short line without closing punctuation inside a body: a sub-heading.
fn is_subheading(text: &str) -> bool {
    text.chars().count() <= 70
        && !text.ends_with(['.', ':', '!', '?', ','])
        && !text.ends_with(['"', '”', '»'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_glued_teaser_parts() {
        assert_eq!(
            split_glued("AcmeSådan gør duEr du klar?"),
            vec!["Acme", "Sådan gør du", "Er du klar?"]
        );
    }
}

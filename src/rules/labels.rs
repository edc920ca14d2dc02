//! Paid-content labels: whole labels, kickers, labels in titles, disclosures, hashtags, badges
//! and list headers.

use super::text::{Folded, Normalized, SHORT, first_word, fold};
use super::{LabelMatch, Rules};

/// A sponsor's name, not a clause: at most five words, at most two of them in lower case ("Bank
/// of America"), so "Werbung für E-Zigaretten soll verboten werden" is a headline, not a label.
fn name_like(name: &str) -> Option<String> {
    let words: Vec<&str> = name.split_whitespace().collect();
    let lower = words
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_lowercase))
        .count();
    (!words.is_empty() && words.len() <= 5 && lower <= 2).then(|| name.to_string())
}

/// Brackets publishers put a label in, before or after a title.
const BRACKETS: &[(char, char)] = &[('[', ']'), ('(', ')'), ('⌈', '⌉'), ('【', '】'), ('«', '»')];

impl Rules {
    /// The whole block is a sponsored label, maybe with a sponsor ("Annonceindlæg fra X").
    pub fn sponsored_label(&self, text: &str) -> Option<LabelMatch> {
        let (n, longer) = Normalized::up_to(text, SHORT);
        if longer {
            return None;
        }
        self.label_in(&n)
    }

    fn label_in(&self, n: &Normalized) -> Option<LabelMatch> {
        if n.text.is_empty() || n.text.chars().count() > 90 {
            return None;
        }
        for (label, original) in self.labels_starting(&n.text) {
            if n.text == *label {
                return Some(LabelMatch {
                    label: original.clone(),
                    sponsor: None,
                });
            }
            if let Some(rest) = n.text.strip_prefix(label.as_str())
                && let Some(sponsor) = self.sponsor_after(n, label.len(), rest)
            {
                return Some(LabelMatch {
                    label: original.clone(),
                    sponsor: Some(sponsor),
                });
            }
        }
        None
    }

    /// The labels a folded text may start with: those with the same first word, longest first.
    fn labels_starting<'r>(&'r self, text: &str) -> impl Iterator<Item = &'r (String, String)> {
        self.labels_by_first_word
            .get(first_word(text))
            .into_iter()
            .flatten()
            .filter_map(|&i| self.sponsored_labels.get(i))
    }

    /// A connector and a name after a label: " fra Trustworks" → "Trustworks".
    fn sponsor_after(&self, n: &Normalized, label_end: usize, rest: &str) -> Option<String> {
        let rest_trim = rest.strip_prefix(' ')?;
        for c in &self.connectors {
            if let Some(name) = rest_trim.strip_prefix(c.as_str())
                && let Some(name) = name.strip_prefix(' ')
                && !name.is_empty()
            {
                let start = label_end + 1 + c.len() + 1;
                return name_like(n.original_from(start).trim());
            }
        }
        // "Sponsored by X" has the connector in the label itself.
        if label_end > 0
            && self
                .connectors
                .iter()
                .any(|c| n.text[..label_end].ends_with(c.as_str()))
        {
            return name_like(n.original_from(label_end).trim());
        }
        None
    }

    /// A kicker line: a label with stray punctuation around it and maybe the sponsor's name
    /// without a connector ("- Advertorial Dalbello-", "ANZEIGE | Barbour").
    pub fn sponsored_kicker(&self, text: &str) -> Option<LabelMatch> {
        let trimmed = text.trim_matches(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    '-' | '–' | '—' | '|' | ':' | '•' | '*' | '[' | ']' | '(' | ')'
                )
        });
        let (n, longer) = Normalized::up_to(trimmed, SHORT);
        if longer {
            return None;
        }
        if let Some(m) = self.label_in(&n) {
            return Some(m);
        }
        for (label, original) in self.labels_starting(&n.text) {
            let Some(rest) = n.text.strip_prefix(label.as_str()) else {
                continue;
            };
            let Some(rest) = rest.strip_prefix([' ', '|', ':', ',']) else {
                continue;
            };
            let name = n.original_from(n.text.len() - rest.len()).trim();
            let name = name.trim_start_matches(['|', ':', ',', ' ']);
            let words = name.split_whitespace().count();
            let capitalised = name.chars().next().is_some_and(char::is_uppercase);
            if (1..=3).contains(&words) && capitalised {
                return Some(LabelMatch {
                    label: original.clone(),
                    sponsor: Some(name.to_string()),
                });
            }
        }
        None
    }

    /// A post's statement about itself that it was made with or for a brand.
    pub fn disclosure(&self, text: &Folded) -> Option<String> {
        let n = &text.0;
        if self.negations.first_in(n).is_some() {
            return None;
        }
        let found = self.disclosures.first_in(n)?;
        let after = &n[n.find(found.as_str()).unwrap_or(0) + found.len()..];
        let agency = self.disclosure_exceptions.iter().any(|e| {
            after
                .split(|c: char| !c.is_alphanumeric() && c != '-')
                .any(|w| w == e.as_str())
                || (e.contains(' ') || e.contains('-')) && after.contains(e.as_str())
        });
        (!agency).then(|| found.clone())
    }

    /// A statement that a post is not paid ("unbezahlte Werbung", "not sponsored").
    pub fn negation(&self, text: &Folded) -> Option<String> {
        self.negations.first_in(&text.0).cloned()
    }

    /// A disclosing hashtag in a text (`#ad`, `#werbung`), as a whole tag; `weak` for the ones
    /// regulators call insufficient (`#sp`, `#collab`).
    pub fn hashtag(&self, text: &Folded, weak: bool) -> Option<String> {
        let n = &text.0;
        if !n.contains('#') {
            return None;
        }
        let list = if weak {
            &self.weak_hashtags
        } else {
            &self.hashtags
        };
        n.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '.' | '(' | ')' | '!' | '|'))
            .find(|tok| list.iter().any(|h| h == tok))
            .map(str::to_string)
    }

    /// A badge or kicker word that is a label right above a headline ("Promotion").
    pub fn head_kicker(&self, text: &str) -> Option<String> {
        let trimmed = text.trim_matches(|c: char| {
            c.is_whitespace() || matches!(c, '-' | '–' | '|' | ':' | '*' | '[' | ']' | '(' | ')')
        });
        let (n, longer) = fold(trimmed, 64);
        (!longer && self.head_kickers.contains(&n)).then(|| trimmed.to_string())
    }

    /// A badge word on a card ("PARTNER"), given the badge's class names.
    pub fn card_badge(&self, text: &str, classes: &str) -> Option<String> {
        let (n, longer) = fold(text.trim(), 32);
        let classes = classes.to_ascii_lowercase();
        (!longer
            && self.card_badges.contains(&n)
            && self
                .file
                .sponsored
                .badge_classes
                .iter()
                .any(|c| classes.contains(c.as_str())))
        .then(|| text.trim().to_string())
    }

    /// A header of a list of paid links, alone or after a lead of up to three words ("The
    /// Latest from our Partners").
    pub fn widget_header(&self, text: &str) -> Option<LabelMatch> {
        let text = text.trim_matches(|c: char| c.is_whitespace() || c == ':');
        // Most short texts end in a word no header ends in: only that word is folded for them.
        let last = text.rsplit(char::is_whitespace).next().unwrap_or(text);
        if !self.widget_header_ends.contains(&fold(last, 32).0) {
            return None;
        }
        let (n, longer) = fold(text, 64);
        if longer {
            return None;
        }
        self.widget_headers
            .iter()
            .find(|h| {
                n.strip_suffix(h.as_str()).is_some_and(|lead| {
                    lead.is_empty() || lead.ends_with(' ') && lead.split_whitespace().count() <= 3
                })
            })
            .map(|h| LabelMatch {
                label: h.clone(),
                sponsor: None,
            })
    }

    /// Promotional wording found in a text, when there is enough of it to look like an ad.
    pub fn promotional_wording(&self, text: &Folded) -> Option<Vec<String>> {
        let hits: Vec<String> = self
            .promotional
            .all_in(&text.0)
            .into_iter()
            .map(str::to_string)
            .collect();
        (hits.len() >= 2).then_some(hits)
    }

    /// A title that starts with a label: "Annonce: Title", "ANZEIGE | Title", "[Sponsored] Title".
    /// Returns the label and the title without it.
    pub fn sponsored_title_prefix(&self, title: &str) -> Option<(LabelMatch, String)> {
        let n = Normalized::new(title);
        // "[Werbung] Title", "(Anzeige) Title", "⌈WERBUNG⌉ Title", else "Annonce: Title".
        let close = BRACKETS
            .iter()
            .find(|(open, _)| n.text.starts_with(*open))
            .map(|(open, close)| (open.len_utf8(), *close));
        let skip = close.map_or(0, |(len, _)| len);
        for (label, original) in &self.sponsored_labels {
            let Some(rest) = n.text[skip..].strip_prefix(label.as_str()) else {
                continue;
            };
            let rest_trim = rest.trim_start();
            let after = match close {
                Some((_, c)) => rest_trim.strip_prefix(c),
                None => [":", "|", " - ", "–", "—"]
                    .iter()
                    .find_map(|s| rest_trim.strip_prefix(s.trim_start())),
            };
            if let Some(after) = after {
                let consumed = n.text.len() - after.len();
                let clean = n.original_from(consumed).trim().to_string();
                if !clean.is_empty() {
                    return Some((
                        LabelMatch {
                            label: original.clone(),
                            sponsor: None,
                        },
                        clean,
                    ));
                }
            }
        }
        None
    }

    /// A title that ends with a label: "Title ⌈WERBUNG⌉", "Title (Anzeige)", "Title – Sponsored",
    /// "Title | Sponsored by X". Returns the label and the title without it.
    pub fn sponsored_title_suffix(&self, title: &str) -> Option<(LabelMatch, String)> {
        let t = title.trim();
        for (open, close) in BRACKETS {
            let Some(inner_end) = t.strip_suffix(*close).map(str::len) else {
                continue;
            };
            let Some(start) = t[..inner_end].rfind(*open) else {
                continue;
            };
            let head = t[..start].trim();
            if let Some(m) = self.sponsored_label(&t[start + open.len_utf8()..inner_end])
                && !head.is_empty()
            {
                return Some((m, head.to_string()));
            }
        }
        for sep in [" – ", " — ", " - ", " | ", " · ", " // "] {
            let Some(at) = t.rfind(sep) else { continue };
            let head = t[..at].trim();
            if let Some(m) = self.sponsored_label(&t[at + sep.len()..])
                && !head.is_empty()
            {
                return Some((m, head.to_string()));
            }
        }
        None
    }

    /// A label in a title, before or after it.
    pub fn sponsored_title_label(&self, title: &str) -> Option<(LabelMatch, String)> {
        self.sponsored_title_prefix(title)
            .or_else(|| self.sponsored_title_suffix(title))
    }

    /// A label glued into running text after the end of a sentence, as text dumps show a
    /// sponsored teaser that interrupts an article: "…løbe rundt.Annonceindlæg fra XY…".
    /// Returns the byte offset in `text` where the label starts.
    pub fn glued_sponsored_label(&self, text: &str) -> Option<usize> {
        let n = Normalized::new(text);
        for (label, at) in self.label_phrases.occurrences(&n.text) {
            let before = n.text[..at].chars().next_back();
            let glued = matches!(before, Some('.' | '!' | '?' | '"' | '»' | ')'));
            let rest = &n.text[at + label.len()..];
            let has_connector = self.connectors.iter().any(|c| {
                rest.strip_prefix(' ')
                    .and_then(|r| r.strip_prefix(c.as_str()))
                    .is_some_and(|r| r.starts_with(' '))
            });
            if glued && has_connector {
                return Some(n.original_offset(at));
            }
        }
        None
    }

    /// Text that starts with a label and a connector: ("Annonceindlæg fra", what follows).
    pub fn split_sponsored_label(&self, text: &str) -> Option<(String, String)> {
        let n = Normalized::new(text);
        for (label, _) in &self.sponsored_labels {
            let Some(rest) = n.text.strip_prefix(label.as_str()) else {
                continue;
            };
            for c in &self.connectors {
                let Some(after) = rest
                    .strip_prefix(' ')
                    .and_then(|r| r.strip_prefix(c.as_str()))
                    .and_then(|r| r.strip_prefix(' '))
                else {
                    continue;
                };
                let cut = n.original_offset(n.text.len() - after.len());
                let head = n.original[..cut].trim().to_string();
                return Some((head, n.original[cut..].trim().to_string()));
            }
        }
        None
    }

    /// A weak disclosure ("i samarbejde med") anywhere in the text.
    pub fn weak_label(&self, text: &Folded) -> Option<String> {
        let found = self.weak_phrases.first_index_in(&text.0)?;
        self.weak.get(found).map(|(_, o)| o.clone())
    }
}

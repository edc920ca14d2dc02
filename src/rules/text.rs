//! Text folded for matching, with a map back to the original, and phrase lists matched by one
//! automaton each.

use unicode_normalization::UnicodeNormalization;

/// A list of folded phrases with one automaton to find them in folded text. Results come in
/// list order (the order the rules give), whatever their place in the text.
#[derive(Debug, Clone)]
pub(super) struct Phrases {
    pub(super) list: Vec<String>,
    pub(super) automaton: Option<aho_corasick::AhoCorasick>,
}

impl Phrases {
    pub(super) fn new(list: Vec<String>) -> Self {
        // A contiguous NFA builds in a fraction of a DFA's time and searches these short texts
        // about as fast; building the rules is paid once per process.
        let automaton = aho_corasick::AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
            .build(&list)
            .ok();
        Phrases { list, automaton }
    }

    /// Every (phrase index, start) found, overlaps included, by phrase index then start.
    pub(super) fn matches(&self, text: &str) -> Vec<(usize, usize)> {
        let mut found: Vec<(usize, usize)> = match &self.automaton {
            Some(ac) => ac
                .find_overlapping_iter(text)
                .map(|m| (m.pattern().as_usize(), m.start()))
                .collect(),
            None => Vec::new(),
        };
        found.sort_unstable();
        found
    }

    pub(super) fn first_index_in(&self, text: &str) -> Option<usize> {
        self.matches(text).first().map(|&(i, _)| i)
    }

    /// The first phrase of the list that occurs in `text`.
    pub(super) fn first_in(&self, text: &str) -> Option<&String> {
        self.list.get(self.first_index_in(text)?)
    }

    /// Every phrase of the list that occurs in `text`, once each, in list order.
    pub(super) fn all_in(&self, text: &str) -> Vec<&str> {
        let mut ids: Vec<usize> = self.matches(text).into_iter().map(|(i, _)| i).collect();
        ids.dedup();
        ids.into_iter()
            .filter_map(|i| self.list.get(i).map(String::as_str))
            .collect()
    }

    /// Each occurrence as (phrase, start), by phrase in list order, then by place.
    pub(super) fn occurrences(&self, text: &str) -> Vec<(&str, usize)> {
        self.matches(text)
            .into_iter()
            .filter_map(|(i, at)| Some((self.list.get(i)?.as_str(), at)))
            .collect()
    }
}

/// Folded length past which a text is no label, header or slot marker (the longest are under a
/// hundred characters).
pub(super) const SHORT: usize = 400;

/// A short text folded, or `None` for a longer one.
pub(super) fn short(text: &str) -> Option<String> {
    match fold(text, SHORT) {
        (n, false) => Some(n),
        _ => None,
    }
}

/// A folded text's first word: what comes before a space or the separators a label may have
/// after it ("anzeige|barbour").
pub(super) fn first_word(text: &str) -> &str {
    text.split([' ', '|', ':', ',']).next().unwrap_or("")
}

/// Folded text up to about `limit` bytes, and whether the original went on, without the map
/// back to the original (for comparisons that cut nothing out).
pub(super) fn fold(text: &str, limit: usize) -> (String, bool) {
    let (n, longer) = Normalized::build(text, limit, false);
    (n.text, longer)
}

/// White space collapsed to single spaces, trimmed (notices carry doubled spaces and stray
/// line breaks).
pub fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text folded for matching: compatibility forms and accents removed (NFKD), confusables mapped
/// to Latin, zero-width characters removed, lower case, æ/ø/å and umlauts folded, white space
/// collapsed and trimmed.
pub fn normalize(text: &str) -> String {
    fold(text, usize::MAX).0
}

/// A text folded once (see `normalize`) for the tests that read all of it: disclosures,
/// negations, hashtags, weak labels, promotional wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folded(pub(super) String);

impl Folded {
    pub fn new(text: &str) -> Self {
        Folded(normalize(text))
    }

    /// Folded paragraphs read as one text.
    pub fn joined(parts: &[Folded]) -> Self {
        let texts: Vec<&str> = parts
            .iter()
            .map(|p| p.0.as_str())
            .filter(|t| !t.is_empty())
            .collect();
        Folded(texts.join(" "))
    }
}

/// Normalised text with a map back to byte offsets in the original, so a match found in folded
/// text can be cut out of the text as the page wrote it. Characters are folded one at a time,
/// which keeps every offset on a character boundary of the original.
pub(super) struct Normalized<'o> {
    pub(super) original: &'o str,
    pub(super) text: String,
    /// For each byte of `text`, the byte offset in `original` of the character it came from
    /// (left empty when the caller needs no offsets).
    pub(super) map: Vec<u32>,
    pub(super) record: bool,
}

impl<'o> Normalized<'o> {
    pub(super) fn new(original: &'o str) -> Self {
        Self::up_to(original, usize::MAX).0
    }

    /// The folded text up to about `limit` bytes, and whether the original went on: labels and
    /// headers are short, so the rest of a long paragraph never needs folding to tell it is none.
    pub(super) fn up_to(original: &'o str, limit: usize) -> (Self, bool) {
        Self::build(original, limit, true)
    }

    pub(super) fn build(original: &'o str, limit: usize, record: bool) -> (Self, bool) {
        let capacity = original.len().min(limit.saturating_add(8));
        let mut n = Normalized {
            original,
            text: String::with_capacity(capacity),
            map: if record {
                Vec::with_capacity(capacity)
            } else {
                Vec::new()
            },
            record,
        };
        let mut pending_space = false;
        // Most labels and headers are plain ASCII: lower case and white space only.
        if original.is_ascii() {
            for (i, &b) in original.as_bytes().iter().enumerate() {
                if n.text.len() > limit {
                    return (n, true);
                }
                if b.is_ascii_whitespace() || b == 0x0b {
                    pending_space = !n.text.is_empty();
                    continue;
                }
                if pending_space {
                    n.text.push(' ');
                    if record {
                        n.map.push(i as u32);
                    }
                    pending_space = false;
                }
                n.text.push(char::from(b.to_ascii_lowercase()));
                if record {
                    n.map.push(i as u32);
                }
            }
            return (n, false);
        }
        for (i, raw) in original.char_indices() {
            if n.text.len() > limit {
                return (n, true);
            }
            // Most text is ASCII: no fold, no decomposition, no allocation.
            if raw.is_ascii() {
                n.push(raw.to_ascii_lowercase(), i, &mut pending_space);
                continue;
            }
            match fold_char(raw) {
                Some(folded) => folded
                    .chars()
                    .for_each(|c| n.push(c, i, &mut pending_space)),
                None => std::iter::once(raw)
                    .nfkd()
                    .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
                    .for_each(|c| match fold_char(c) {
                        Some(folded) => folded
                            .chars()
                            .for_each(|f| n.push(f, i, &mut pending_space)),
                        None => n.push(c, i, &mut pending_space),
                    }),
            }
        }
        (n, false)
    }

    /// Appends one matched letter that came from the original's byte `at`: invisible
    /// characters dropped, white space collapsed, lower case.
    pub(super) fn push(&mut self, c: char, at: usize, pending_space: &mut bool) {
        if is_invisible(c) {
            return;
        }
        if c.is_whitespace() {
            *pending_space = !self.text.is_empty();
            return;
        }
        let at = at as u32;
        if *pending_space {
            self.text.push(' ');
            if self.record {
                self.map.push(at);
            }
            *pending_space = false;
        }
        if c.is_ascii() {
            self.text.push(c.to_ascii_lowercase());
            if self.record {
                self.map.push(at);
            }
            return;
        }
        let mut buf = [0u8; 4];
        for lower in c.to_lowercase() {
            let s = lower.encode_utf8(&mut buf);
            self.text.push_str(s);
            if self.record {
                self.map.extend(std::iter::repeat_n(at, s.len()));
            }
        }
    }

    pub(super) fn original_offset(&self, at: usize) -> usize {
        self.map
            .get(at)
            .map_or(self.original.len(), |&o| o as usize)
    }

    pub(super) fn original_from(&self, at: usize) -> &'o str {
        &self.original[self.original_offset(at)..]
    }
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{034F}'
    )
}

/// Letters publishers swap in to dodge filters, and Nordic/German letters folded the way they are
/// written without them.
fn fold_char(c: char) -> Option<&'static str> {
    let s: &'static str = match c {
        'а' | 'А' => "a",
        'е' | 'Е' | 'ё' => "e",
        'о' | 'О' | 'ο' | 'Ο' => "o",
        'р' | 'Р' | 'ρ' => "p",
        'с' | 'С' => "c",
        'у' | 'У' => "y",
        'х' | 'Х' | 'χ' => "x",
        'і' | 'І' | 'ι' | 'Ι' => "i",
        'ѕ' | 'Ѕ' => "s",
        'ј' | 'Ј' => "j",
        'ԁ' => "d",
        'ո' => "n",
        'ν' => "v",
        'Α' => "a",
        'Β' | 'В' => "b",
        'Ε' => "e",
        'Η' | 'Н' => "h",
        'Κ' | 'К' => "k",
        'Μ' | 'М' => "m",
        'Ν' => "n",
        'Τ' | 'Т' => "t",
        'Ζ' => "z",
        'æ' | 'Æ' | 'ä' | 'Ä' => "ae",
        'ø' | 'Ø' | 'ö' | 'Ö' => "oe",
        'å' | 'Å' => "aa",
        'ü' | 'Ü' => "ue",
        'ß' => "ss",
        '’' | '‘' => "'",
        '“' | '”' | '„' => "\"",
        '\u{2010}'..='\u{2013}' => "-",
        _ => return None,
    };
    Some(s)
}

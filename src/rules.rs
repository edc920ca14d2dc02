//! The classifier's knowledge as data: labels, headers, class names and URL paths per language,
//! loaded from the built-in `rules.toml` and extendable by a user's rules file.

use std::path::Path;

use regex::Regex;
use rustc_hash::FxHashMap;
use scraper::Selector;
use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

const DEFAULT_RULES: &str = include_str!("rules.toml");

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("{path}: cannot read rules file: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    #[error("{path}: bad personnel pattern {regex:?}: {message}")]
    Pattern {
        path: String,
        regex: String,
        message: String,
    },
    #[error("{path}: bad CSS selector {selector:?}: {message}")]
    Selector {
        path: String,
        selector: String,
        message: String,
    },
}

/// The rules file as written; every list is optional so a user's file can add just one thing.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RulesFile {
    pub sponsored: SponsoredRules,
    pub personnel: PersonnelRules,
    pub sections: SectionRules,
    pub ignore: IgnoreRules,
    pub markup: MarkupRules,
    pub sites: Vec<SiteRules>,
}

/// CSS selectors for the parts of a page: what never holds content, and where an article
/// keeps its lede, body and author.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MarkupRules {
    pub structural_ignore: Vec<String>,
    pub lede: Vec<String>,
    pub body: Vec<String>,
    pub author: Vec<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SponsoredRules {
    pub labels: Vec<String>,
    pub connectors: Vec<String>,
    pub weak: Vec<String>,
    pub classes: Vec<String>,
    pub attributes: Vec<String>,
    /// Selectors of single paid cards in recommendation widgets (a network's per-item flag).
    pub item_selectors: Vec<String>,
    /// Selectors of a network's organic cards (links through its traffic exchange): no widget
    /// label makes them paid.
    pub organic_selectors: Vec<String>,
    /// Headers of lists of paid links ("From our partners"), also after a short lead ("The
    /// latest from our partners").
    pub widget_headers: Vec<String>,
    pub url_paths: Vec<String>,
    pub schema_types: Vec<String>,
    pub slot_texts: Vec<String>,
    pub disclosures: Vec<String>,
    pub disclosure_exceptions: Vec<String>,
    /// Hashtags that disclose a paid post (`#ad`, `#werbung`), and ones too weak to route on.
    pub hashtags: Vec<String>,
    pub weak_hashtags: Vec<String>,
    /// Wording that says a post is *not* paid ("unbezahlte Werbung", "not sponsored"): the post
    /// stays editorial, as a suspect.
    pub negations: Vec<String>,
    /// Words that are a label only as a badge or kicker right above a headline ("Promotion").
    pub head_kickers: Vec<String>,
    /// Words that are a label only as a badge on a card ("PARTNER"), and the class fragments
    /// that make an element a badge.
    pub card_badges: Vec<String>,
    pub badge_classes: Vec<String>,
    pub promotional: Vec<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PersonnelRules {
    pub headers: Vec<String>,
    pub categories: Vec<String>,
    pub tags: Vec<TagRule>,
    pub patterns: Vec<PatternRule>,
    pub details: Vec<DetailRule>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagRule {
    pub text: String,
    pub kind: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatternRule {
    pub kind: String,
    pub regex: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetailRule {
    pub field: String,
    pub regex: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SectionRules {
    pub related: Vec<String>,
    pub trending: Vec<String>,
    pub inline_refs: Vec<String>,
    pub more_links: Vec<String>,
    pub credits: Vec<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IgnoreRules {
    pub headers: Vec<String>,
    pub prefixes: Vec<String>,
    pub texts: Vec<String>,
    pub selectors: Vec<String>,
    pub url_paths: Vec<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SiteRules {
    pub host: String,
    pub sponsored_selectors: Vec<String>,
    pub personnel_selectors: Vec<String>,
    pub ignore_selectors: Vec<String>,
    pub sponsored_labels: Vec<String>,
    pub url_paths: Vec<String>,
}

impl RulesFile {
    fn parse(text: &str, path: &str) -> Result<Self, RulesError> {
        toml::from_str(text).map_err(|e| RulesError::Parse {
            path: path.to_string(),
            message: one_line(&e.to_string()),
        })
    }

    /// Appends every list of `other` to this one.
    pub fn extend(&mut self, other: RulesFile) {
        let s = &mut self.sponsored;
        let o = other.sponsored;
        s.labels.extend(o.labels);
        s.connectors.extend(o.connectors);
        s.weak.extend(o.weak);
        s.classes.extend(o.classes);
        s.attributes.extend(o.attributes);
        s.item_selectors.extend(o.item_selectors);
        s.organic_selectors.extend(o.organic_selectors);
        s.widget_headers.extend(o.widget_headers);
        s.url_paths.extend(o.url_paths);
        s.schema_types.extend(o.schema_types);
        s.slot_texts.extend(o.slot_texts);
        s.disclosures.extend(o.disclosures);
        s.disclosure_exceptions.extend(o.disclosure_exceptions);
        s.hashtags.extend(o.hashtags);
        s.weak_hashtags.extend(o.weak_hashtags);
        s.negations.extend(o.negations);
        s.head_kickers.extend(o.head_kickers);
        s.card_badges.extend(o.card_badges);
        s.badge_classes.extend(o.badge_classes);
        s.promotional.extend(o.promotional);
        let p = &mut self.personnel;
        let o = other.personnel;
        p.headers.extend(o.headers);
        p.categories.extend(o.categories);
        p.tags.extend(o.tags);
        p.patterns.extend(o.patterns);
        p.details.extend(o.details);
        let c = &mut self.sections;
        let o = other.sections;
        c.related.extend(o.related);
        c.trending.extend(o.trending);
        c.inline_refs.extend(o.inline_refs);
        c.more_links.extend(o.more_links);
        c.credits.extend(o.credits);
        let i = &mut self.ignore;
        let o = other.ignore;
        i.headers.extend(o.headers);
        i.prefixes.extend(o.prefixes);
        i.texts.extend(o.texts);
        i.selectors.extend(o.selectors);
        i.url_paths.extend(o.url_paths);
        let m = &mut self.markup;
        let o = other.markup;
        m.structural_ignore.extend(o.structural_ignore);
        m.lede.extend(o.lede);
        m.body.extend(o.body);
        m.author.extend(o.author);
        self.sites.extend(other.sites);
    }
}

/// Turns a multi-line parser message into one line for the CLI's one-line errors.
pub fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.chars().all(|c| c == '|' || c == '^' || c == ' '))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A compiled personnel sentence shape.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub kind: String,
    pub regex: Regex,
}

/// A compiled detail extractor.
#[derive(Debug, Clone)]
pub struct Detail {
    pub field: String,
    pub regex: Regex,
}

/// What a label match found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelMatch {
    /// The label as written in the rules.
    pub label: String,
    /// The sponsor named after a connector ("fra Trustworks").
    pub sponsor: Option<String>,
}

/// The rules ready to match: every text entry normalised once.
#[derive(Debug, Clone)]
pub struct Rules {
    pub file: RulesFile,
    sponsored_labels: Vec<(String, String)>,
    /// Indexes into `sponsored_labels` by each label's first word, longest label first.
    labels_by_first_word: FxHashMap<String, Vec<usize>>,
    connectors: Vec<String>,
    weak: Vec<(String, String)>,
    weak_phrases: Phrases,
    slot_texts: Vec<String>,
    disclosures: Phrases,
    negations: Phrases,
    hashtags: Vec<String>,
    weak_hashtags: Vec<String>,
    head_kickers: Vec<String>,
    card_badges: Vec<String>,
    widget_headers: Vec<String>,
    disclosure_exceptions: Vec<String>,
    promotional: Phrases,
    /// The sponsored labels (longest first), to find them inside running text.
    label_phrases: Phrases,
    personnel_headers: Vec<String>,
    personnel_categories: Vec<String>,
    tags: Vec<(String, String, String)>,
    /// Personnel sentence shapes and details, compiled on first use: most pages have no people
    /// notice, and compiling them is most of the cost of loading the rules.
    patterns: std::sync::OnceLock<Vec<Pattern>>,
    details: std::sync::OnceLock<Vec<Detail>>,
    related: Vec<String>,
    trending: Vec<String>,
    inline_refs: Vec<String>,
    more_links: Vec<String>,
    credits: Vec<String>,
    ignore_headers: Vec<String>,
    ignore_prefixes: Vec<String>,
    ignore_texts: Vec<String>,
    /// The longest folded section header, so longer text is known to be none without folding.
    header_limit: usize,
    /// The same for slot markers, inline references and ignored texts and prefixes.
    slot_limit: usize,
    ref_limit: usize,
    ignored_limit: usize,
}

/// A list of folded phrases with one automaton to find them in folded text. Results come in
/// list order (the order the rules give), whatever their place in the text.
#[derive(Debug, Clone)]
struct Phrases {
    list: Vec<String>,
    automaton: Option<aho_corasick::AhoCorasick>,
}

impl Phrases {
    fn new(list: Vec<String>) -> Self {
        // A contiguous NFA builds in a fraction of a DFA's time and searches these short texts
        // about as fast; building the rules is paid once per process.
        let automaton = aho_corasick::AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
            .build(&list)
            .ok();
        Phrases { list, automaton }
    }

    /// Every (phrase index, start) found, overlaps included, by phrase index then start.
    fn matches(&self, text: &str) -> Vec<(usize, usize)> {
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

    fn first_index_in(&self, text: &str) -> Option<usize> {
        self.matches(text).first().map(|&(i, _)| i)
    }

    /// The first phrase of the list that occurs in `text`.
    fn first_in(&self, text: &str) -> Option<&String> {
        self.list.get(self.first_index_in(text)?)
    }

    /// Every phrase of the list that occurs in `text`, once each, in list order.
    fn all_in(&self, text: &str) -> Vec<&str> {
        let mut ids: Vec<usize> = self.matches(text).into_iter().map(|(i, _)| i).collect();
        ids.dedup();
        ids.into_iter()
            .filter_map(|i| self.list.get(i).map(String::as_str))
            .collect()
    }

    /// Each occurrence as (phrase, start), by phrase in list order, then by place.
    fn occurrences(&self, text: &str) -> Vec<(&str, usize)> {
        self.matches(text)
            .into_iter()
            .filter_map(|(i, at)| Some((self.list.get(i)?.as_str(), at)))
            .collect()
    }
}

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

/// A written date as the personnel patterns expect it: `1. september 2025`, `27. jan. 2026`,
/// `September 1, 2025`.
const DATE_GROUP: &str = r"(?P<date>\d{1,2}\.? ?\p{L}+\.? \d{4}|\p{L}+\.? \d{1,2},? \d{4})";

impl Rules {
    /// The built-in rules.
    pub fn builtin() -> Self {
        // The built-in file is part of the binary and covered by tests, so it always parses.
        let file = RulesFile::parse(DEFAULT_RULES, "built-in rules")
            .and_then(|f| Rules::compile(f, "built-in rules"));
        match file {
            Ok(rules) => rules,
            Err(e) => panic!("built-in rules are broken: {e}"),
        }
    }

    /// The built-in rules extended by the user's files.
    pub fn with_files(paths: &[impl AsRef<Path>]) -> Result<Self, RulesError> {
        let mut file = RulesFile::parse(DEFAULT_RULES, "built-in rules")?;
        for path in paths {
            let path = path.as_ref();
            let name = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|source| RulesError::Read {
                path: name.clone(),
                source,
            })?;
            file.extend(RulesFile::parse(&text, &name)?);
        }
        Rules::compile(file, "rules")
    }

    /// These rules extended by an already parsed rules file (a config's per-source additions).
    pub fn extended(&self, extra: RulesFile, origin: &str) -> Result<Self, RulesError> {
        let mut file = self.file.clone();
        file.extend(extra);
        Rules::compile(file, origin)
    }

    fn compile(file: RulesFile, origin: &str) -> Result<Self, RulesError> {
        let norm_all = |v: &[String]| v.iter().map(|s| normalize(s)).collect::<Vec<_>>();
        // Checked now, so a bad pattern in a user's file fails at load; compiled when needed.
        for regex in file
            .personnel
            .patterns
            .iter()
            .map(|p| &p.regex)
            .chain(file.personnel.details.iter().map(|d| &d.regex))
        {
            check_pattern(regex, origin)?;
        }
        let mut sponsored_labels: Vec<(String, String)> = file
            .sponsored
            .labels
            .iter()
            .chain(file.sites.iter().flat_map(|s| s.sponsored_labels.iter()))
            .map(|l| (normalize(l), l.clone()))
            .collect();
        // Longest first, so "annonceindlæg tema" wins over "annonce".
        sponsored_labels.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        sponsored_labels.dedup_by(|a, b| a.0 == b.0);
        let mut labels_by_first_word: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for (i, (label, _)) in sponsored_labels.iter().enumerate() {
            labels_by_first_word
                .entry(first_word(label).to_string())
                .or_default()
                .push(i);
        }
        let mut weak: Vec<(String, String)> = file
            .sponsored
            .weak
            .iter()
            .map(|l| (normalize(l), l.clone()))
            .collect();
        weak.sort_by_key(|w| std::cmp::Reverse(w.0.len()));
        let mut tags: Vec<(String, String, String)> = file
            .personnel
            .tags
            .iter()
            .map(|t| (normalize(&t.text), t.text.clone(), t.kind.clone()))
            .collect();
        tags.sort_by_key(|t| std::cmp::Reverse(t.0.len()));
        // Checked now, so a bad selector in a user's file fails at load (pages look them up
        // by the class, id or tag each needs).
        for list in [
            &file.markup.structural_ignore,
            &file.markup.lede,
            &file.markup.body,
            &file.markup.author,
        ] {
            selector_list(list, origin)?;
        }
        let header_limit = [
            &file.personnel.headers,
            &file.sections.related,
            &file.sections.trending,
            &file.ignore.headers,
        ]
        .iter()
        .flat_map(|l| l.iter())
        .map(|h| normalize(h).len() + 4)
        .max()
        .unwrap_or(0);
        let limit = |lists: &[&Vec<String>]| {
            lists
                .iter()
                .flat_map(|l| l.iter())
                .map(|h| normalize(h).len() + 4)
                .max()
                .unwrap_or(0)
        };
        Ok(Rules {
            slot_limit: limit(&[&file.sponsored.slot_texts]),
            ref_limit: limit(&[&file.sections.inline_refs]),
            ignored_limit: limit(&[&file.ignore.texts, &file.ignore.prefixes]),
            header_limit,
            connectors: norm_all(&file.sponsored.connectors),
            slot_texts: norm_all(&file.sponsored.slot_texts),
            disclosures: Phrases::new(norm_all(&file.sponsored.disclosures)),
            negations: Phrases::new(norm_all(&file.sponsored.negations)),
            hashtags: norm_all(&file.sponsored.hashtags),
            weak_hashtags: norm_all(&file.sponsored.weak_hashtags),
            head_kickers: norm_all(&file.sponsored.head_kickers),
            card_badges: norm_all(&file.sponsored.card_badges),
            widget_headers: norm_all(&file.sponsored.widget_headers),
            disclosure_exceptions: norm_all(&file.sponsored.disclosure_exceptions),
            promotional: Phrases::new(norm_all(&file.sponsored.promotional)),
            label_phrases: Phrases::new(sponsored_labels.iter().map(|l| l.0.clone()).collect()),
            weak_phrases: Phrases::new(weak.iter().map(|w| w.0.clone()).collect()),
            personnel_headers: norm_all(&file.personnel.headers),
            personnel_categories: norm_all(&file.personnel.categories),
            related: norm_all(&file.sections.related),
            trending: norm_all(&file.sections.trending),
            inline_refs: norm_all(&file.sections.inline_refs),
            more_links: norm_all(&file.sections.more_links),
            credits: norm_all(&file.sections.credits),
            ignore_headers: norm_all(&file.ignore.headers),
            ignore_prefixes: norm_all(&file.ignore.prefixes),
            ignore_texts: norm_all(&file.ignore.texts),
            labels_by_first_word,
            sponsored_labels,
            weak,
            tags,
            patterns: std::sync::OnceLock::new(),
            details: std::sync::OnceLock::new(),
            file,
        })
    }

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
        let (n, longer) = fold(
            text.trim_matches(|c: char| c.is_whitespace() || c == ':'),
            64,
        );
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

    pub fn is_slot_text(&self, text: &str) -> bool {
        matches!(fold(text, self.slot_limit), (n, false) if self.slot_texts.contains(&n))
    }

    pub fn is_personnel_header(&self, text: &str) -> bool {
        self.header(text)
            .is_some_and(|n| self.personnel_headers.contains(&n))
    }

    /// A short text folded for comparing with section headers, or `None` when it is longer than
    /// any header.
    fn header(&self, text: &str) -> Option<String> {
        match fold(text, self.header_limit) {
            (n, false) => Some(n),
            _ => None,
        }
    }

    /// Any header after which article text is over: people notices, related links, trending
    /// lists and house promotions (folded once for all four lists).
    pub fn is_section_header(&self, text: &str) -> bool {
        let Some(n) = self.header(text) else {
            return false;
        };
        let bare = n.trim_end_matches(':').trim();
        self.personnel_headers.contains(&n)
            || [&self.related, &self.trending, &self.ignore_headers]
                .iter()
                .any(|list| list.iter().any(|h| h == bare))
    }

    pub fn is_personnel_category(&self, text: &str) -> bool {
        short(text).is_some_and(|n| {
            self.personnel_categories.contains(&n) || self.personnel_headers.contains(&n)
        })
    }

    /// The tag a notice ends with ("… Nyt job"): (tag as written, kind, text without the tag).
    pub fn personnel_tag(&self, text: &str) -> Option<(String, String, String)> {
        let n = Normalized::new(text.trim());
        for (tag, original, kind) in &self.tags {
            if let Some(head) = n.text.strip_suffix(tag.as_str()) {
                // The tag must stand apart from the word before it ("… afdeling. Nyt job").
                let ok = head.is_empty()
                    || head.ends_with(' ')
                    || head.ends_with('.')
                    || head.ends_with(')');
                if ok {
                    let cut = n.original_offset(head.len());
                    let clean = text.trim()[..cut].trim().to_string();
                    return Some((original.clone(), kind.clone(), clean));
                }
            }
        }
        None
    }

    /// A tag text alone ("Nyt job"), as a feed category or a badge.
    pub fn personnel_tag_exact(&self, text: &str) -> Option<(String, String)> {
        let n = short(text)?;
        self.tags
            .iter()
            .find(|(t, _, _)| *t == n)
            .map(|(_, o, k)| (o.clone(), k.clone()))
    }

    fn header_in(&self, list: &[String], text: &str) -> bool {
        self.header(text).is_some_and(|n| {
            let n = n.trim_end_matches(':').trim();
            list.iter().any(|h| h == n)
        })
    }

    pub fn is_related_header(&self, text: &str) -> bool {
        self.header_in(&self.related, text)
    }

    pub fn is_trending_header(&self, text: &str) -> bool {
        self.header_in(&self.trending, text)
    }

    pub fn is_ignore_header(&self, text: &str) -> bool {
        self.header_in(&self.ignore_headers, text)
    }

    /// A "more of this" link ("More \"Tech News\" »", "Mehr zum Thema"): navigation, no teaser.
    pub fn is_more_link(&self, text: &str) -> bool {
        let n = fold(text, self.ref_limit.max(64)).0;
        self.more_links.iter().any(|m| {
            n.strip_prefix(m.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '"', '\'', ':']))
        })
    }

    /// A widget's credit to the network that fills it: "By PubExchange".
    pub fn is_credit_link(&self, text: &str) -> bool {
        let (n, longer) = fold(text, 64);
        !longer
            && self.credits.iter().any(|c| {
                n.strip_prefix(c.as_str())
                    .and_then(|rest| rest.strip_prefix(' '))
                    .is_some_and(|name| (1..=2).contains(&name.split_whitespace().count()))
            })
    }

    /// "Læs også: <title>" inside an article.
    pub fn is_inline_ref(&self, text: &str) -> bool {
        let n = fold(text, self.ref_limit).0;
        self.inline_refs.iter().any(|r| n.starts_with(r.as_str()))
    }

    /// Chrome and house-promotion text that is never content.
    pub fn is_ignored_text(&self, text: &str) -> bool {
        let (n, longer) = fold(text, self.ignored_limit);
        (!longer && self.ignore_texts.contains(&n))
            || self
                .ignore_prefixes
                .iter()
                .any(|p| n.starts_with(p.as_str()))
            || (text.contains(['|', '｜']) && {
                let full = if longer { normalize(text) } else { n.clone() };
                self.ignore_texts
                    .iter()
                    .any(|t| full.ends_with(&format!("| {t}")))
            })
    }

    /// A class, id, data-* or aria-label value token that marks paid content.
    pub fn sponsored_class(&self, value: &str) -> Option<String> {
        let v = value.to_lowercase();
        v.split(|c: char| c.is_whitespace() || c == ',')
            .find(|tok| {
                self.file
                    .sponsored
                    .classes
                    .iter()
                    .any(|c| tok.eq_ignore_ascii_case(c))
            })
            .map(str::to_string)
    }

    pub fn sponsored_url_path(&self, url: &str, host: Option<&str>) -> Option<String> {
        let path = url_path_lower(url);
        let site_paths = self
            .sites_for(host)
            .flat_map(|s| s.url_paths.iter())
            .collect::<Vec<_>>();
        self.file
            .sponsored
            .url_paths
            .iter()
            .chain(site_paths)
            .find(|p| path.contains(&p.to_lowercase()))
            .cloned()
    }

    pub fn ignored_url_path(&self, url: &str) -> Option<String> {
        let path = url_path_lower(url);
        self.file
            .ignore
            .url_paths
            .iter()
            .find(|p| path.contains(&p.to_lowercase()))
            .cloned()
    }

    /// The personnel sentence shapes, compiled on first use.
    pub fn patterns(&self) -> &[Pattern] {
        self.patterns.get_or_init(|| {
            self.file
                .personnel
                .patterns
                .iter()
                .filter_map(|p| {
                    Some(Pattern {
                        kind: p.kind.clone(),
                        regex: Regex::new(&expand_pattern(&p.regex)).ok()?,
                    })
                })
                .collect()
        })
    }

    /// The personnel detail extractors, compiled on first use.
    pub fn details(&self) -> &[Detail] {
        self.details.get_or_init(|| {
            self.file
                .personnel
                .details
                .iter()
                .filter_map(|d| {
                    Some(Detail {
                        field: d.field.clone(),
                        regex: Regex::new(&expand_pattern(&d.regex)).ok()?,
                    })
                })
                .collect()
        })
    }

    /// Selectors of page parts: structural ignores, lede, body, author.
    pub fn markup(&self) -> &MarkupRules {
        &self.file.markup
    }

    pub fn is_sponsored_schema(&self, ty: &str) -> bool {
        self.file
            .sponsored
            .schema_types
            .iter()
            .any(|t| t.eq_ignore_ascii_case(ty.trim_start_matches("https://schema.org/")))
    }

    /// Site profiles whose host matches (a profile for `example.dk` matches `www.example.dk`).
    pub fn sites_for<'a>(&'a self, host: Option<&'a str>) -> impl Iterator<Item = &'a SiteRules> {
        self.file.sites.iter().filter(move |s| {
            host.is_some_and(|h| h == s.host || h.ends_with(&format!(".{}", s.host)))
        })
    }
}

/// One selector matching any of `list`; `None` for an empty list.
fn selector_list(list: &[String], origin: &str) -> Result<Option<Selector>, RulesError> {
    if list.is_empty() {
        return Ok(None);
    }
    let joined = list.join(", ");
    Selector::parse(&joined)
        .map(Some)
        .map_err(|e| RulesError::Selector {
            path: origin.to_string(),
            selector: joined.clone(),
            message: one_line(&e.to_string()),
        })
}

fn expand_pattern(pattern: &str) -> String {
    pattern.replace("{date}", DATE_GROUP)
}

/// A pattern's syntax checked without compiling it (parsing costs a fraction of compiling).
fn check_pattern(pattern: &str, origin: &str) -> Result<(), RulesError> {
    regex_syntax::Parser::new()
        .parse(&expand_pattern(pattern))
        .map(|_| ())
        .map_err(|e| RulesError::Pattern {
            path: origin.to_string(),
            regex: pattern.to_string(),
            message: one_line(&e.to_string()),
        })
}

fn url_path_lower(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => u.path().to_lowercase(),
        Err(_) => url.to_lowercase(),
    }
}

/// Folded length past which a text is no label, header or slot marker (the longest are under a
/// hundred characters).
const SHORT: usize = 400;

/// A short text folded, or `None` for a longer one.
fn short(text: &str) -> Option<String> {
    match fold(text, SHORT) {
        (n, false) => Some(n),
        _ => None,
    }
}

/// A folded text's first word: what comes before a space or the separators a label may have
/// after it ("anzeige|barbour").
fn first_word(text: &str) -> &str {
    text.split([' ', '|', ':', ',']).next().unwrap_or("")
}

/// Folded text up to about `limit` bytes, and whether the original went on, without the map
/// back to the original (for comparisons that cut nothing out).
fn fold(text: &str, limit: usize) -> (String, bool) {
    let (n, longer) = Normalized::build(text, limit, false);
    (n.text, longer)
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
pub struct Folded(String);

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
struct Normalized<'o> {
    original: &'o str,
    text: String,
    /// For each byte of `text`, the byte offset in `original` of the character it came from
    /// (left empty when the caller needs no offsets).
    map: Vec<u32>,
    record: bool,
}

impl<'o> Normalized<'o> {
    fn new(original: &'o str) -> Self {
        Self::up_to(original, usize::MAX).0
    }

    /// The folded text up to about `limit` bytes, and whether the original went on: labels and
    /// headers are short, so the rest of a long paragraph never needs folding to tell it is none.
    fn up_to(original: &'o str, limit: usize) -> (Self, bool) {
        Self::build(original, limit, true)
    }

    fn build(original: &'o str, limit: usize, record: bool) -> (Self, bool) {
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
    fn push(&mut self, c: char, at: usize, pending_space: &mut bool) {
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

    fn original_offset(&self, at: usize) -> usize {
        self.map
            .get(at)
            .map_or(self.original.len(), |&o| o as usize)
    }

    fn original_from(&self, at: usize) -> &'o str {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_compile() {
        let rules = Rules::builtin();
        assert!(!rules.patterns().is_empty());
        assert!(rules.sponsored_label("Annonce").is_some());
    }

    #[test]
    fn offsets_stay_on_the_original_text() {
        let rules = Rules::builtin();
        // Full-width letters and a ligature change length under NFKC.
        let text = "ｆｉｎｅ ﬁne.Annonceindlæg fra AcmeTitel";
        let at = rules.glued_sponsored_label(text).expect("glued");
        assert!(text.is_char_boundary(at));
        assert!(text[at..].starts_with("Annonceindlæg"));
        assert_eq!(normalize("Ｓｐｏｎｓｏｒｅｄ"), "sponsored");
        assert_eq!(normalize("Cafe\u{301}"), normalize("Café"));
        assert_eq!(normalize("Annonceindlæg"), normalize("ANNONCEINDLAEG"));
    }

    #[test]
    fn normalises_obfuscated_labels() {
        assert_eq!(normalize("Anz\u{0435}ig\u{0435}"), "anzeige");
        assert_eq!(normalize("Wer\u{200B}bung"), "werbung");
        assert_eq!(normalize("ANNONCEINDLÆG"), normalize("Annonceindlaeg"));
        assert_eq!(
            normalize("  Navnenyt \n fra  it-Danmark "),
            "navnenyt fra it-danmark"
        );
    }

    #[test]
    fn finds_label_with_sponsor() {
        let rules = Rules::builtin();
        let m = rules
            .sponsored_label("Annonceindlæg fra Trustworks")
            .expect("label");
        assert_eq!(m.label, "annonceindlæg");
        assert_eq!(m.sponsor.as_deref(), Some("Trustworks"));
        let m = rules
            .sponsored_label("Sponsored by Ørsted A/S")
            .expect("label");
        assert_eq!(m.sponsor.as_deref(), Some("Ørsted A/S"));
        assert!(rules.sponsored_label("Annonceindlæg tema").is_some());
        assert!(rules.sponsored_label("Annoncer for sommerhuse").is_none());
        assert!(
            rules
                .sponsored_label("Artiklen fortsætter efter annoncen")
                .is_none()
        );
    }

    #[test]
    fn finds_labels_after_titles_hashtags_and_negations() {
        let rules = Rules::builtin();
        for (title, clean) in [
            ("AEG Ultramix im Test ⌈WERBUNG⌉", "AEG Ultramix im Test"),
            (
                "Neue Jacken für den Winter (Anzeige)",
                "Neue Jacken für den Winter",
            ),
            ("Geschenkideen – Werbung", "Geschenkideen"),
            (
                "Five cloud tips | Sponsored by Northwind",
                "Five cloud tips",
            ),
        ] {
            let (_, rest) = rules.sponsored_title_label(title).expect(title);
            assert_eq!(rest, clean);
        }
        assert!(
            rules
                .sponsored_title_label("Werbung in sozialen Medien wirkt")
                .is_none()
        );
        assert!(rules.sponsored_title_label("Kampagne (Teil 2)").is_none());
        assert_eq!(
            rules
                .hashtag(&Folded::new("Toller Tag am See! #ad #sommer"), false)
                .as_deref(),
            Some("#ad")
        );
        assert!(
            rules
                .hashtag(&Folded::new("#adventure #adidas"), false)
                .is_none()
        );
        assert_eq!(
            rules
                .hashtag(&Folded::new("#collab mit X"), true)
                .as_deref(),
            Some("#collab")
        );
        assert!(
            rules
                .disclosure(&Folded::new(
                    "Unbezahlte Werbung: dieser Beitrag enthält Werbung"
                ))
                .is_none()
        );
        assert!(
            rules
                .negation(&Folded::new("*unbezahlte Werbung"))
                .is_some()
        );
        assert!(
            rules
                .disclosure(&Folded::new(
                    "Dieser Beitrag entstand in Kooperation mit Acme."
                ))
                .is_some()
        );
        assert!(
            rules
                .disclosure(&Folded::new(
                    "Die Studie entstand in Kooperation mit der Universität."
                ))
                .is_none()
        );
        assert!(rules.head_kicker("Promotion").is_some());
        assert!(
            rules
                .sponsored_title_label(
                    "Streit um Tabak – Werbung für E-Zigaretten soll verboten werden"
                )
                .is_none()
        );
        assert!(
            rules
                .sponsored_kicker("Werbung für E-Zigaretten soll verboten werden")
                .is_none()
        );
        assert_eq!(
            rules
                .sponsored_label("Anzeige für Bergwerk Outdoor")
                .and_then(|m| m.sponsor)
                .as_deref(),
            Some("Bergwerk Outdoor")
        );
        assert!(rules.head_kicker("Promotion für Vertrieb").is_none());
        assert!(
            rules.is_more_link("More \"Tech News\" »") && !rules.is_more_link("Morecambe wins")
        );
    }

    #[test]
    fn finds_title_prefix_and_glued_label() {
        let rules = Rules::builtin();
        let (m, t) = rules
            .sponsored_title_prefix("Annonce: Sådan sikrer du skyen")
            .expect("prefix");
        assert_eq!(m.label, "annonce");
        assert_eq!(t, "Sådan sikrer du skyen");
        assert!(
            rules
                .sponsored_title_prefix("Annoncemarkedet falder")
                .is_none()
        );
        let text = "kan løbe rundt.Annonceindlæg fra AcmeSådan gør du";
        let at = rules.glued_sponsored_label(text).expect("glued");
        assert_eq!(&text[at..at + 5], "Annon");
        assert!(
            rules
                .glued_sponsored_label("Vi så et annonceindlæg fra firmaet i avisen.")
                .is_none()
        );
    }

    #[test]
    fn finds_kickers_and_disclosures() {
        let rules = Rules::builtin();
        let m = rules
            .sponsored_kicker("- Advertorial Dalbello-")
            .expect("kicker");
        assert_eq!(m.sponsor.as_deref(), Some("Dalbello"));
        assert!(rules.sponsored_kicker("Sponsoreret indhold").is_some());
        assert!(rules.sponsored_kicker("Annoncer du skal kende").is_none());
        assert!(
            rules
                .sponsored_kicker("Advertorial rules are strict in Denmark")
                .is_none()
        );
        assert!(
            rules
                .disclosure(&Folded::new(
                    "Dieser Beitrag entstand in freundlicher Zusammenarbeit mit der Shop-Apotheke."
                ))
                .is_some()
        );
        assert!(
            rules
                .disclosure(&Folded::new(
                    "Dieser Beitrag entstand in Zusammenarbeit mit der dpa."
                ))
                .is_none()
        );
        assert!(
            rules
                .disclosure(&Folded::new("Vi arbejder i samarbejde med kommunen."))
                .is_none()
        );
        assert!(
            rules
                .promotional_wording(&Folded::new("Brug koden SOMMER og køb nu"))
                .is_some()
        );
        assert!(
            rules
                .promotional_wording(&Folded::new("Køb nu, sagde han"))
                .is_none()
        );
    }

    #[test]
    fn finds_personnel_tag() {
        let rules = Rules::builtin();
        let (tag, kind, rest) = rules
            .personnel_tag("X har ansat Y som Z. Nyt job")
            .expect("tag");
        assert_eq!((tag.as_str(), kind.as_str()), ("nyt job", "new_job"));
        assert_eq!(rest, "X har ansat Y som Z.");
        assert!(rules.personnel_tag("Hun har fået nyt jobbet").is_none());
    }
}

//! The classifier's knowledge as data: labels, headers, class names and URL paths per language,
//! loaded from the built-in `rules.toml` and extendable by a user's rules file. `schema` is the
//! file as written, this module compiles it, `labels` and `sections` match text against it, and
//! `text` folds text for matching.

mod labels;
mod schema;
mod sections;
mod text;

use std::path::Path;

use regex::Regex;
use rustc_hash::FxHashMap;
use scraper::Selector;

pub use schema::{
    DetailRule, IgnoreRules, MarkupRules, PatternRule, PersonnelRules, RulesFile, SectionRules,
    SiteRules, SponsoredRules, TagRule, one_line,
};
pub use sections::{NoticeSigns, NoticeTag};
pub use text::{Folded, normalize, squeeze};

use crate::model::NoticeKind;
use text::{Phrases, first_word};

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
    #[error(transparent)]
    Model(#[from] crate::classify::ModelError),
}

/// Positions of the paid labels, by their first word.
type FirstWords = FxHashMap<String, Vec<usize>>;

/// The paid labels of the file and its sites, folded, longest first (so "annonceindlæg tema"
/// wins over "annonce"), with each label's position listed under its first word.
fn label_table(file: &RulesFile) -> (Vec<(String, String)>, FirstWords) {
    let mut labels: Vec<(String, String)> = file
        .sponsored
        .labels
        .iter()
        .chain(file.sites.iter().flat_map(|s| s.sponsored_labels.iter()))
        .map(|l| (normalize(l), l.clone()))
        .collect();
    labels.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
    labels.dedup_by(|a, b| a.0 == b.0);
    let mut by_first_word = FirstWords::default();
    for (i, (label, _)) in labels.iter().enumerate() {
        by_first_word
            .entry(first_word(label).to_string())
            .or_default()
            .push(i);
    }
    (labels, by_first_word)
}

/// How far to fold a text before comparing it with the lists: a little past their longest
/// entry, so a text that goes on further cannot equal any of them.
fn fold_limit(lists: &[&Vec<String>]) -> usize {
    lists
        .iter()
        .flat_map(|l| l.iter())
        .map(|h| normalize(h).len() + 4)
        .max()
        .unwrap_or(0)
}

/// A compiled personnel sentence shape.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub kind: NoticeKind,
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
    /// The learned decision's weights (the built-in ones unless the user gives a file).
    pub model: std::sync::Arc<crate::classify::Model>,
    sponsored_labels: Vec<(String, String)>,
    /// Indexes into `sponsored_labels` by each label's first word, longest label first.
    labels_by_first_word: FirstWords,
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
    /// The last words of `widget_headers`.
    widget_header_ends: rustc_hash::FxHashSet<String>,
    disclosure_exceptions: Vec<String>,
    promotional: Phrases,
    /// The sponsored labels (longest first), to find them inside running text.
    label_phrases: Phrases,
    personnel_headers: Vec<String>,
    personnel_categories: Vec<String>,
    appointments: Phrases,
    tags: Vec<(String, String, NoticeKind)>,
    /// Personnel sentence shapes and details, compiled on first use: most pages have no people
    /// notice, and compiling them is most of the cost of loading the rules.
    patterns: std::sync::OnceLock<Vec<Pattern>>,
    headlines: std::sync::OnceLock<Vec<Pattern>>,
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
    /// Each class or id word of `[items] class_words` and the page part it names.
    class_words: rustc_hash::FxHashMap<String, String>,
}

/// A written date as the personnel patterns expect it: `1. september 2025`, `27. jan. 2026`,
/// `September 1, 2025`.
const DATE_GROUP: &str = r"(?P<date>\d{1,2}\.? ?\p{L}+\.? \d{4}|\p{L}+\.? \d{1,2},? \d{4})";

impl Rules {
    /// The built-in rules.
    pub fn builtin() -> Self {
        // The built-in file is part of the binary and covered by tests, so it always parses.
        let file = RulesFile::parse(DEFAULT_RULES, "built-in rules").map(Rules::compile);
        match file {
            Ok(rules) => rules,
            Err(e) => panic!("built-in rules are broken: {e}"),
        }
    }

    /// The built-in rules extended by the user's files, deciding with the user's model if one
    /// is given.
    pub fn with_files_and_model(
        paths: &[impl AsRef<Path>],
        model: Option<&Path>,
    ) -> Result<Self, RulesError> {
        let rules = Rules::with_files(paths)?;
        Ok(match model {
            Some(path) => rules.with_model(crate::classify::Model::load(path)?),
            None => rules,
        })
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
            let extra = RulesFile::parse(&text, &name)?;
            check(&extra, &name)?;
            file.extend(extra);
        }
        Ok(Rules::compile(file))
    }

    /// These rules extended by an already parsed rules file (a config's per-source additions).
    pub fn extended(&self, extra: RulesFile, origin: &str) -> Result<Self, RulesError> {
        check(&extra, origin)?;
        let mut file = self.file.clone();
        file.extend(extra);
        Ok(Rules {
            model: self.model.clone(),
            ..Rules::compile(file)
        })
    }

    /// These rules deciding with another model.
    pub fn with_model(self, model: crate::classify::Model) -> Self {
        Rules {
            model: std::sync::Arc::new(model),
            ..self
        }
    }

    fn compile(file: RulesFile) -> Self {
        let norm_all = |v: &[String]| v.iter().map(|s| normalize(s)).collect::<Vec<_>>();
        let (sponsored_labels, labels_by_first_word) = label_table(&file);
        let mut weak: Vec<(String, String)> = file
            .sponsored
            .weak
            .iter()
            .map(|l| (normalize(l), l.clone()))
            .collect();
        weak.sort_by_key(|w| std::cmp::Reverse(w.0.len()));
        let mut tags: Vec<(String, String, NoticeKind)> = file
            .personnel
            .tags
            .iter()
            .map(|t| (normalize(&t.text), t.text.clone(), t.kind))
            .collect();
        tags.sort_by_key(|t| std::cmp::Reverse(t.0.len()));
        let limit = fold_limit;
        let header_limit = limit(&[
            &file.personnel.headers,
            &file.sections.related,
            &file.sections.trending,
            &file.ignore.headers,
        ]);
        Rules {
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
            widget_header_ends: norm_all(&file.sponsored.widget_headers)
                .iter()
                .filter_map(|h| h.rsplit(' ').next().map(str::to_string))
                .collect(),
            disclosure_exceptions: norm_all(&file.sponsored.disclosure_exceptions),
            promotional: Phrases::new(norm_all(&file.sponsored.promotional)),
            label_phrases: Phrases::new(sponsored_labels.iter().map(|l| l.0.clone()).collect()),
            weak_phrases: Phrases::new(weak.iter().map(|w| w.0.clone()).collect()),
            personnel_headers: norm_all(&file.personnel.headers),
            personnel_categories: norm_all(&file.personnel.categories),
            appointments: Phrases::new(norm_all(&file.personnel.appointments)),
            related: norm_all(&file.sections.related),
            trending: norm_all(&file.sections.trending),
            inline_refs: norm_all(&file.sections.inline_refs),
            more_links: norm_all(&file.sections.more_links),
            credits: norm_all(&file.sections.credits),
            ignore_headers: norm_all(&file.ignore.headers),
            ignore_prefixes: norm_all(&file.ignore.prefixes),
            ignore_texts: norm_all(&file.ignore.texts),
            class_words: file
                .items
                .class_words
                .iter()
                .flat_map(|c| c.words.iter().map(|w| (w.to_lowercase(), c.role.clone())))
                .collect(),
            labels_by_first_word,
            sponsored_labels,
            weak,
            tags,
            patterns: std::sync::OnceLock::new(),
            headlines: std::sync::OnceLock::new(),
            details: std::sync::OnceLock::new(),
            model: crate::classify::Model::shared(),
            file,
        }
    }
    /// The page part a class or id word names ("navbar" a menu), if any.
    pub fn class_role(&self, word: &str) -> Option<&str> {
        self.class_words.get(word).map(String::as_str)
    }

    /// The personnel sentence shapes, compiled on first use.
    pub fn patterns(&self) -> &[Pattern] {
        self.patterns
            .get_or_init(|| compile_patterns(&self.file.personnel.patterns))
    }

    /// The appointment headline shapes, compiled on first use.
    pub fn headlines(&self) -> &[Pattern] {
        self.headlines
            .get_or_init(|| compile_patterns(&self.file.personnel.headlines))
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

fn compile_patterns(rules: &[schema::PatternRule]) -> Vec<Pattern> {
    rules
        .iter()
        .filter_map(|p| {
            Some(Pattern {
                kind: p.kind,
                regex: Regex::new(&expand_pattern(&p.regex)).ok()?,
            })
        })
        .collect()
}

/// A user's rules file checked as it is read, so a bad pattern or selector fails at load, naming
/// the file (the built-in file is part of the binary and checked by a test): its patterns'
/// syntax (compiled on first use) and every selector list (pages look selectors up by the
/// class, id or tag each needs).
fn check(file: &RulesFile, origin: &str) -> Result<(), RulesError> {
    for regex in file
        .personnel
        .patterns
        .iter()
        .chain(&file.personnel.headlines)
        .map(|p| &p.regex)
        .chain(file.personnel.details.iter().map(|d| &d.regex))
    {
        check_pattern(regex, origin)?;
    }
    let sites = file.sites.iter().flat_map(|s| {
        [
            &s.sponsored_selectors,
            &s.personnel_selectors,
            &s.ignore_selectors,
        ]
    });
    for list in [
        &file.markup.structural_ignore,
        &file.markup.lede,
        &file.markup.body,
        &file.markup.author,
        &file.ignore.selectors,
        &file.sponsored.item_selectors,
        &file.sponsored.organic_selectors,
    ]
    .into_iter()
    .chain(sites)
    {
        for selector in list {
            selector_list(std::slice::from_ref(selector), origin)?;
        }
    }
    Ok(())
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

#[cfg(test)]
mod tests;

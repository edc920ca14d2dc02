//! Scoring on real pages nobody here wrote: `labels.v2.json` (schema in the folder's README),
//! per item. A labelled item matches an output item by its link (resolved against the page,
//! compared without scheme, case and trailing slash), else by its title.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{EvalError, axis_name, run_page};
use crate::extract::identity::canonical_url;
use crate::model::{Block, Class, Classified};
use crate::rules::{Rules, normalize, squeeze};

#[derive(Debug, Deserialize)]
struct PageLabel {
    file: String,
    /// The page's own article's class, or "none" for a page without one.
    #[serde(deserialize_with = "class_or_none")]
    main_article: Option<Class>,
    #[serde(default)]
    also_ok: Option<Class>,
    #[serde(default)]
    main_title: String,
    #[serde(default)]
    sponsored_items: Vec<PaidLabel>,
    #[serde(default)]
    personnel_items: Vec<PersonLabel>,
}

/// A class name, or "none".
fn class_or_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Class>, D::Error> {
    let name = String::deserialize(d)?;
    match name.as_str() {
        "none" => Ok(None),
        other => Class::parse(other)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown class {other:?}"))),
    }
}

#[derive(Debug, Deserialize)]
struct PaidLabel {
    title: String,
    #[serde(default)]
    href: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PersonLabel {
    person: String,
    #[serde(default)]
    role: String,
}

/// One page's outcome.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PageScore {
    pub file: String,
    pub main_labelled: String,
    /// The class of the page's own article, or "none" when no article was found.
    pub main_predicted: String,
    pub main_ok: bool,
    pub paid_labelled: usize,
    pub paid_found: usize,
    /// Items called sponsored that no label calls paid.
    pub false_alarms: usize,
    pub personnel_labelled: usize,
    pub personnel_found: usize,
    /// What went wrong, one line each.
    pub misses: Vec<String>,
}

/// Totals over every page, with the figures the gate holds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub pages: usize,
    pub main_right: usize,
    /// Pages whose main article is labelled sponsored (without `also_ok`), and how many of
    /// them landed in the sponsored feed.
    pub sponsored_posts: usize,
    pub sponsored_posts_found: usize,
    /// Editorial or personnel main articles that landed in the sponsored feed.
    pub journalism_in_sponsored: usize,
    pub paid_labelled: usize,
    pub paid_found: usize,
    pub paid_called: usize,
    /// Of those, the ones a label calls paid (several labels may name one item).
    pub paid_called_matched: usize,
    pub personnel_labelled: usize,
    pub personnel_found: usize,
}

fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        1.0
    } else {
        num as f64 / den as f64
    }
}

impl Summary {
    pub fn main_accuracy(&self) -> f64 {
        ratio(self.main_right, self.pages)
    }
    pub fn sponsored_post_recall(&self) -> f64 {
        ratio(self.sponsored_posts_found, self.sponsored_posts)
    }
    pub fn paid_recall(&self) -> f64 {
        ratio(self.paid_found, self.paid_labelled)
    }
    pub fn paid_precision(&self) -> f64 {
        ratio(self.paid_called_matched, self.paid_called)
    }
    pub fn personnel_recall(&self) -> f64 {
        ratio(self.personnel_found, self.personnel_labelled)
    }
}

/// The floors `eval --realworld --check` holds; a gate file (TOML, same field names) may set
/// others, e.g. the current level while work towards these goes on.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Gate {
    pub main_accuracy: f64,
    pub sponsored_post_recall: f64,
    pub journalism_in_sponsored: usize,
    pub paid_recall: f64,
    pub paid_precision: f64,
}

impl Default for Gate {
    fn default() -> Self {
        Gate {
            main_accuracy: 0.95,
            sponsored_post_recall: 0.95,
            journalism_in_sponsored: 0,
            paid_recall: 0.90,
            paid_precision: 0.95,
        }
    }
}

impl Gate {
    pub fn load(path: &Path) -> Result<Gate, EvalError> {
        super::load_toml(path)
    }

    /// Every floor the summary falls below, one line each.
    pub fn check(&self, s: &Summary) -> Vec<String> {
        let mut out = Vec::new();
        let mut floor = |name: &str, value: f64, min: f64| {
            if value + 1e-9 < min {
                out.push(format!("{name} {value:.3} is below {min:.3}"));
            }
        };
        floor(
            "main-article accuracy",
            s.main_accuracy(),
            self.main_accuracy,
        );
        floor(
            "recall of posts labelled sponsored",
            s.sponsored_post_recall(),
            self.sponsored_post_recall,
        );
        floor("paid-item recall", s.paid_recall(), self.paid_recall);
        floor(
            "paid-item precision",
            s.paid_precision(),
            self.paid_precision,
        );
        if s.journalism_in_sponsored > self.journalism_in_sponsored {
            out.push(format!(
                "{} editorial or personnel main article(s) in the sponsored feed (at most {})",
                s.journalism_in_sponsored, self.journalism_in_sponsored
            ));
        }
        out
    }
}

/// Scores every page of `DIR/labels.v2.json`.
pub fn evaluate(dir: &Path, rules: &Rules) -> Result<(Vec<PageScore>, Summary), EvalError> {
    let path = dir.join("labels.v2.json");
    let text = std::fs::read_to_string(&path).map_err(|source| EvalError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let labels: Vec<PageLabel> = serde_json::from_str(&text).map_err(|e| EvalError::Labels {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let mut pages = Vec::new();
    let mut summary = Summary::default();
    for label in &labels {
        let input = dir.join(&label.file).display().to_string();
        let name = label.file.trim_end_matches(".html");
        let outcome = run_page(&input, name, rules)?;
        pages.push(score(label, &outcome.items, &mut summary));
    }
    Ok((pages, summary))
}

/// A link as compared: no scheme, lower case, no trailing slash.
fn link_key(link: &str) -> String {
    let l = link.trim().to_lowercase();
    let l = l
        .strip_prefix("https://")
        .or_else(|| l.strip_prefix("http://"))
        .unwrap_or(&l);
    l.trim_end_matches('/').to_string()
}

/// Titles as compared: folded, whitespace collapsed.
fn title_key(title: &str) -> String {
    squeeze(&normalize(title))
}

fn same_title(a: &str, b: &str) -> bool {
    let (a, b) = (title_key(a), title_key(b));
    !a.is_empty() && (a == b || (a.len().min(b.len()) >= 15 && (a.contains(&b) || b.contains(&a))))
}

fn score(label: &PageLabel, items: &[Classified], summary: &mut Summary) -> PageScore {
    let main = items.iter().find(|c| c.item.block == Block::Article);
    let predicted = main.map(|c| c.class);
    let acceptable = |class: Option<Class>| {
        label.main_article == class || label.also_ok.is_some_and(|o| Some(o) == class)
    };
    let main_ok = acceptable(predicted);
    let labelled = axis_name(label.main_article);
    let mut page = PageScore {
        file: label.file.clone(),
        main_labelled: match label.also_ok {
            Some(o) => format!("{labelled} (or {o})"),
            None => labelled.to_string(),
        },
        main_predicted: axis_name(predicted).to_string(),
        main_ok,
        paid_labelled: label.sponsored_items.len(),
        personnel_labelled: label.personnel_items.len(),
        ..PageScore::default()
    };
    summary.pages += 1;
    summary.main_right += usize::from(main_ok);
    if !main_ok {
        page.misses.push(format!(
            "main article {:?}: labelled {}, got {}{}",
            label.main_title,
            page.main_labelled,
            page.main_predicted,
            main.map(|c| format!(" ({})", c.reason_text()))
                .unwrap_or_default()
        ));
    }
    let sponsored = Some(Class::Sponsored);
    if label.main_article == sponsored && label.also_ok.is_none() {
        summary.sponsored_posts += 1;
        summary.sponsored_posts_found += usize::from(predicted == sponsored);
    }
    if predicted == sponsored && !acceptable(sponsored) {
        summary.journalism_in_sponsored += 1;
    }
    // The items outside the page's own article.
    let others: Vec<&Classified> = items
        .iter()
        .filter(|c| c.item.block != Block::Article)
        .collect();
    let base = main
        .and_then(|c| c.item.link.as_deref())
        .or_else(|| others.iter().find_map(|c| c.item.link.as_deref()))
        .and_then(|l| url::Url::parse(l).ok());
    score_paid(label, &others, base.as_ref(), summary, &mut page);
    for person in &label.personnel_items {
        let found = others
            .iter()
            .any(|c| c.class == Class::Personnel && person_matches(person, c));
        if found {
            page.personnel_found += 1;
        } else {
            page.misses
                .push(format!("people notice {:?} not found", person.person));
        }
    }
    summary.paid_labelled += page.paid_labelled;
    summary.paid_found += page.paid_found;
    summary.paid_called += others
        .iter()
        .filter(|c| c.class == Class::Sponsored)
        .count();
    summary.personnel_labelled += page.personnel_labelled;
    summary.personnel_found += page.personnel_found;
    page
}

/// Each labelled paid item matched to one item outside the article, by link or title; every
/// item called sponsored and matched to no label is a false alarm.
fn score_paid(
    label: &PageLabel,
    others: &[&Classified],
    base: Option<&url::Url>,
    summary: &mut Summary,
    page: &mut PageScore,
) {
    let mut matched = vec![false; others.len()];
    for paid in &label.sponsored_items {
        let want = paid
            .href
            .as_deref()
            .and_then(|h| canonical_url(h, base))
            .map(|h| link_key(&h));
        let link_hit =
            |c: &&Classified| want.is_some() && c.item.link.as_deref().map(link_key) == want;
        // An item not matched yet, by link or title; else one already matched by the same link
        // (the same ad in two widgets of a page is one item of the feed).
        // By link first, then by title, among items not matched yet; else an item already
        // matched by the same link.
        let unmatched = |test: &dyn Fn(&&Classified) -> bool| {
            others
                .iter()
                .enumerate()
                .position(|(i, c)| !matched[i] && test(c))
        };
        let hit = unmatched(&|c| link_hit(c))
            .or_else(|| unmatched(&|c| same_title(&c.item.title, &paid.title)))
            .or_else(|| others.iter().position(link_hit));
        match hit {
            Some(i) if others[i].class == Class::Sponsored => {
                if !matched[i] {
                    summary.paid_called_matched += 1;
                }
                matched[i] = true;
                page.paid_found += 1;
            }
            Some(i) => {
                matched[i] = true;
                page.misses.push(format!(
                    "paid item {:?} in the {} feed",
                    paid.title, others[i].class
                ));
            }
            None => page
                .misses
                .push(format!("paid item {:?} not found", paid.title)),
        }
    }
    for (i, c) in others.iter().enumerate() {
        if c.class == Class::Sponsored && !matched[i] {
            page.false_alarms += 1;
            page.misses.push(format!(
                "false alarm {:?} ({})",
                c.item.title,
                c.reason_text()
            ));
        }
    }
}

/// A notice matches by the person's name; an unnamed one by the teaser title quoted in its role.
fn person_matches(label: &PersonLabel, c: &Classified) -> bool {
    let person = title_key(&label.person);
    if !label.person.starts_with('(') {
        let named = c.item.personnel.as_ref().and_then(|p| p.person.as_deref());
        return title_key(&c.item.title).contains(&person)
            || named.is_some_and(|n| title_key(n) == person);
    }
    let quoted = label.role.split(['\'', '"', '‘', '’', '“', '”']).nth(1);
    quoted.is_some_and(|q| same_title(&c.item.title, q))
}

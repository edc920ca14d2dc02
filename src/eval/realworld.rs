//! Scoring on real pages nobody here wrote: `labels.v2.json` (schema in the folder's README),
//! per item. A labelled item matches an output item by its link (resolved against the page,
//! compared without scheme, case and trailing slash), else by its title.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::items::{self, ItemLabel, ItemSummary};
use super::{EvalError, axis_name, run_page};
use crate::classify::train::{Example, train};
use crate::classify::{Model, classify};
use crate::extract::identity::canonical_url;
use crate::model::{Block, Class, Classified, Item};
use crate::rules::{Rules, normalize, squeeze};

#[derive(Debug, Deserialize)]
struct PageLabel {
    file: String,
    /// Where the page came from (`repository:path`).
    #[serde(default)]
    source: String,
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
    /// Of those, the notices found as the page's own article.
    pub personnel_found_as_main: usize,
    /// The editorial feed's teasers against the item labels.
    pub items: ItemSummary,
}

pub(super) fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        1.0
    } else {
        num as f64 / den as f64
    }
}

impl Summary {
    /// Another set of pages' figures added to these.
    pub fn add(&mut self, o: &Summary) {
        let Summary {
            pages,
            main_right,
            sponsored_posts,
            sponsored_posts_found,
            journalism_in_sponsored,
            paid_labelled,
            paid_found,
            paid_called,
            paid_called_matched,
            personnel_labelled,
            personnel_found,
            personnel_found_as_main,
            items,
        } = o;
        self.pages += pages;
        self.main_right += main_right;
        self.sponsored_posts += sponsored_posts;
        self.sponsored_posts_found += sponsored_posts_found;
        self.journalism_in_sponsored += journalism_in_sponsored;
        self.paid_labelled += paid_labelled;
        self.paid_found += paid_found;
        self.paid_called += paid_called;
        self.paid_called_matched += paid_called_matched;
        self.personnel_labelled += personnel_labelled;
        self.personnel_found += personnel_found;
        self.personnel_found_as_main += personnel_found_as_main;
        self.items.add(items);
    }

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
    /// Recall of people notices outside the main article.
    pub personnel_recall: f64,
    /// Content among the judged teasers the editorial feed keeps.
    pub editorial_precision: f64,
    /// Teasers judged content that the editorial feed keeps.
    pub content_recall: f64,
    /// Kept content whose title is its judged headline.
    pub headline_accuracy: f64,
}

impl Default for Gate {
    fn default() -> Self {
        Gate {
            main_accuracy: 0.95,
            sponsored_post_recall: 0.95,
            journalism_in_sponsored: 0,
            paid_recall: 0.90,
            paid_precision: 0.95,
            personnel_recall: 0.70,
            editorial_precision: 0.97,
            content_recall: 0.95,
            headline_accuracy: 0.95,
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
        floor(
            "people-notice recall",
            s.personnel_recall(),
            self.personnel_recall,
        );
        floor(
            "editorial-feed precision",
            s.items.precision(),
            self.editorial_precision,
        );
        floor("content recall", s.items.recall(), self.content_recall);
        floor(
            "headline accuracy",
            s.items.headline_accuracy(),
            self.headline_accuracy,
        );
        let item_floors = [
            self.editorial_precision,
            self.content_recall,
            self.headline_accuracy,
        ];
        if !s.items.measured() && item_floors.iter().any(|f| *f > 0.0) {
            out.push(
                "editorial-feed figures not measured: no teaser has an item label (--items FILE)"
                    .to_string(),
            );
        }
        if s.journalism_in_sponsored > self.journalism_in_sponsored {
            out.push(format!(
                "{} editorial or personnel main article(s) in the sponsored feed (at most {})",
                s.journalism_in_sponsored, self.journalism_in_sponsored
            ));
        }
        out
    }
}

/// A labelled page read once: its labels, the items extraction found (scored under any
/// model without reading the page again), and its site.
pub struct LabelledPage {
    label: PageLabel,
    items: Vec<Item>,
    /// Each candidate teaser's item label, where the page is judged.
    pub item_labels: Vec<ItemLabel>,
    /// The page's canonical or og:url host, else its file: no site is in two folds.
    pub site: String,
}

impl LabelledPage {
    pub fn file(&self) -> &str {
        &self.label.file
    }
}

/// Reads and extracts every page of `DIR/labels.v2.json`.
pub fn read_pages(dir: &Path, rules: &Rules) -> Result<Vec<LabelledPage>, EvalError> {
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
    for label in labels {
        let file = dir.join(&label.file);
        let input = file.display().to_string();
        let name = label.file.trim_end_matches(".html");
        let outcome = run_page(&input, name, rules)?;
        let site = site_of(&file)
            .or_else(|| site_of_source(&label.source))
            .unwrap_or_else(|| label.file.clone());
        pages.push(LabelledPage {
            // Every candidate, the teasers that are no item too: each fold's model decides again.
            items: outcome
                .items
                .into_iter()
                .chain(outcome.dropped)
                .map(|c| c.item)
                .collect(),
            item_labels: Vec::new(),
            label,
            site,
        });
    }
    Ok(pages)
}

/// The site a page names as its own (`link rel=canonical`, else `og:url`): its host's name
/// below the public suffix, so `www.nytimes.com` and `nytimes.com` are one site.
fn site_of(file: &Path) -> Option<String> {
    let bytes = std::fs::read(file).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    // Both live in the head: the page was parsed whole by the pipeline already.
    let head = text
        .find("</head>")
        .or_else(|| text.find("</HEAD>"))
        .map_or(&text[..], |end| &text[..end]);
    let html = scraper::Html::parse_document(head);
    let first = |css: &str, attr: &str| {
        let q = scraper::Selector::parse(css).ok()?;
        html.select(&q)
            .find_map(|e| e.attr(attr))
            .and_then(|u| url::Url::parse(u.trim()).ok())
            .and_then(|u| u.host_str().map(site_name))
    };
    first("link[rel=canonical]", "href").or_else(|| first("meta[property='og:url']", "content"))
}

/// A host's name below its public suffix ("www.express.co.uk" → "express"); a test suite's
/// page directory names the site the same way ("webmd-2" → "webmd").
fn site_name(host: &str) -> String {
    let labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty()).collect();
    // A second-level suffix under a country code, such as co.uk, com.br, or.jp.
    let short_suffix = labels.len() >= 3
        && labels[labels.len() - 1].len() == 2
        && matches!(
            labels[labels.len() - 2],
            "co" | "com" | "org" | "net" | "or" | "ne" | "ac" | "gov" | "edu"
        );
    let at = labels
        .len()
        .saturating_sub(if short_suffix { 3 } else { 2 });
    labels.get(at).copied().unwrap_or(host).to_lowercase()
}

/// The site of a page that names none, from the test suite's folder it came from
/// (`test-pages/webmd-1/source.html` → "webmd").
fn site_of_source(source: &str) -> Option<String> {
    let path = source.split_once(':').map_or(source, |(_, p)| p);
    let dir = path.rsplit('/').nth(1)?;
    let name = dir
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .trim_end_matches(['-', '_']);
    (!name.is_empty()).then(|| name.to_lowercase())
}

/// Scores every page of `DIR/labels.v2.json` with the rules' own model.
pub fn evaluate(dir: &Path, rules: &Rules) -> Result<(Vec<PageScore>, Summary), EvalError> {
    let pages = read_pages(dir, rules)?;
    let all: Vec<&LabelledPage> = pages.iter().collect();
    Ok(score_with(&all, &rules.model))
}

/// Pages scored with a model.
pub fn score_with(pages: &[&LabelledPage], model: &Model) -> (Vec<PageScore>, Summary) {
    let mut summary = Summary::default();
    let scores = pages
        .iter()
        .map(|p| {
            let items: Vec<Classified> =
                p.items.iter().map(|i| classify(i.clone(), model)).collect();
            let mut page = score(&p.label, &items, &mut summary);
            items::score(&p.item_labels, &items, &mut summary.items, &mut page.misses);
            page
        })
        .collect();
    (scores, summary)
}

/// One held-out fold: its sites, pages and figures under a model trained without them.
#[derive(Debug, Clone, Serialize)]
pub struct Fold {
    pub fold: usize,
    pub sites: usize,
    pub pages: usize,
    pub summary: Summary,
}

/// Figures cross-validated by site: per fold, pooled over every page, and each page's score
/// under the model that did not see its site.
#[derive(Debug, Clone, Serialize)]
pub struct CrossValidated {
    pub folds: Vec<Fold>,
    pub pooled: Summary,
    pub pages: Vec<PageScore>,
}

/// Each site's fold: sites ordered by a hash of their name (not by file order, which groups
/// the test suites), then dealt out in turn.
fn folds_by_site(pages: &[LabelledPage], k: usize) -> Vec<usize> {
    use sha2::Digest;
    let mut sites: Vec<(Vec<u8>, &str)> = pages
        .iter()
        .map(|p| {
            (
                sha2::Sha256::digest(p.site.as_bytes()).to_vec(),
                p.site.as_str(),
            )
        })
        .collect();
    sites.sort();
    sites.dedup();
    pages
        .iter()
        .map(|p| sites.iter().position(|(_, s)| *s == p.site).unwrap_or(0) % k.max(1))
        .collect()
}

/// Trains on every fold but one (with `extra` examples always in), scores the one left out.
pub fn cross_validate(pages: &[LabelledPage], extra: &[Example], k: usize) -> CrossValidated {
    let fold_of = folds_by_site(pages, k);
    let mut folds = Vec::new();
    let mut pooled = Summary::default();
    let mut scored: Vec<(usize, PageScore)> = Vec::new();
    let page_examples: Vec<Vec<Example>> = pages.iter().map(examples).collect();
    for f in 0..k {
        let mut train_on: Vec<Example> = extra.to_vec();
        let mut held_out = Vec::new();
        let mut at = Vec::new();
        for (i, p) in pages.iter().enumerate() {
            if fold_of[i] == f {
                held_out.push(p);
                at.push(i);
            } else {
                train_on.extend(page_examples[i].iter().cloned());
            }
        }
        let model = train(&train_on, &format!("fold {f} of {k}"));
        let (scores, summary) = score_with(&held_out, &model);
        pooled.add(&summary);
        let mut sites: Vec<&str> = held_out.iter().map(|p| p.site.as_str()).collect();
        sites.sort_unstable();
        sites.dedup();
        folds.push(Fold {
            fold: f,
            sites: sites.len(),
            pages: held_out.len(),
            summary,
        });
        scored.extend(at.into_iter().zip(scores));
    }
    scored.sort_by_key(|(i, _)| *i);
    CrossValidated {
        folds,
        pooled,
        pages: scored.into_iter().map(|(_, s)| s).collect(),
    }
}

/// Every page's candidates with the class its labels give them: the main article (when its
/// class is no judgement call) and every other item (paid or a people notice when a label
/// names it, else editorial).
pub fn examples(page: &LabelledPage) -> Vec<Example> {
    let label = &page.label;
    let mut out = Vec::new();
    let main = page.items.iter().find(|i| i.block == Block::Article);
    // A judgement call between two classes teaches nothing, except between a people notice and
    // plain news: neither reading is paid, and the people decision learns the labelled one.
    let clear = match label.also_ok {
        None => true,
        Some(other) => !matches!(
            (label.main_article, other),
            (Some(Class::Sponsored), _) | (_, Class::Sponsored)
        ),
    };
    if let (Some(item), Some(class), true) = (main, label.main_article, clear) {
        out.push(Example {
            item: item.clone(),
            class,
            content: None,
        });
    }
    let others: Vec<&Item> = page
        .items
        .iter()
        .filter(|i| i.block != Block::Article)
        .collect();
    let base = page_base(main, &others);
    let mut classes = vec![Class::Editorial; others.len()];
    for hit in paid_hits(label, &others, base.as_ref())
        .into_iter()
        .flatten()
    {
        classes[hit] = Class::Sponsored;
    }
    for person in &label.personnel_items {
        for (i, item) in others.iter().enumerate() {
            if classes[i] == Class::Editorial && person_matches(person, item) {
                classes[i] = Class::Personnel;
            }
        }
    }
    let judged = items::verdicts(&page.item_labels);
    out.extend(
        others
            .into_iter()
            .zip(classes)
            .map(|(item, class)| Example {
                content: items::is_content(&judged, item),
                item: item.clone(),
                class,
            }),
    );
    out
}

/// What labelled links are resolved against: the article's link, else the first item's.
fn page_base(main: Option<&Item>, others: &[&Item]) -> Option<url::Url> {
    main.and_then(|i| i.link.as_deref())
        .or_else(|| others.iter().find_map(|i| i.link.as_deref()))
        .and_then(|l| url::Url::parse(l).ok())
}

/// A link as compared: no scheme, lower case, no trailing slash.
pub(super) fn link_key(link: &str) -> String {
    let l = link.trim().to_lowercase();
    let l = l
        .strip_prefix("https://")
        .or_else(|| l.strip_prefix("http://"))
        .unwrap_or(&l);
    l.trim_end_matches('/').to_string()
}

/// Titles as compared: folded, whitespace collapsed.
pub(super) fn title_key(title: &str) -> String {
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
    let plain: Vec<&Item> = others.iter().map(|c| &c.item).collect();
    let base = page_base(main.map(|c| &c.item), &plain);
    score_paid(label, &others, base.as_ref(), summary, &mut page);
    // A notice is found when it is in the people feed: as a teaser or notice, or as the
    // page's own article when the notice is the page's subject.
    for person in &label.personnel_items {
        let found = items.iter().find(|c| {
            c.class == Class::Personnel
                && (person_matches(person, &c.item)
                    || c.item.block == Block::Article && article_names(&c.item, person))
        });
        match found {
            Some(c) => {
                page.personnel_found += 1;
                summary.personnel_found_as_main += usize::from(c.item.block == Block::Article);
            }
            None => page
                .misses
                .push(format!("people notice {:?} not found", person.person)),
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

/// The item outside the article each labelled paid item names, by link or title, each item
/// taken once (the same ad in two widgets of a page is one item of the feed, so a link
/// already taken may be named again).
fn paid_hits(label: &PageLabel, others: &[&Item], base: Option<&url::Url>) -> Vec<Option<usize>> {
    let mut matched = vec![false; others.len()];
    let mut hits = Vec::new();
    for paid in &label.sponsored_items {
        let want = paid
            .href
            .as_deref()
            .and_then(|h| canonical_url(h, base))
            .map(|h| link_key(&h));
        let link_hit = |i: &&Item| want.is_some() && i.link.as_deref().map(link_key) == want;
        // By link first, then by title, among items not matched yet; else an item already
        // matched by the same link.
        let unmatched = |test: &dyn Fn(&&Item) -> bool| {
            others
                .iter()
                .enumerate()
                .position(|(i, c)| !matched[i] && test(c))
        };
        let hit = unmatched(&|i| link_hit(i))
            .or_else(|| unmatched(&|i| same_title(&i.title, &paid.title)))
            .or_else(|| others.iter().position(link_hit));
        if let Some(i) = hit {
            matched[i] = true;
        }
        hits.push(hit);
    }
    hits
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
    let plain: Vec<&Item> = others.iter().map(|c| &c.item).collect();
    let hits = paid_hits(label, &plain, base);
    let mut matched = vec![false; others.len()];
    for (paid, hit) in label.sponsored_items.iter().zip(hits) {
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

/// Whether the page's own article names the labelled person in its text (an article about
/// one appointment need not name the person in its headline).
fn article_names(article: &Item, label: &PersonLabel) -> bool {
    let person = title_key(&label.person);
    !label.person.starts_with('(')
        && article
            .content_html
            .as_deref()
            .is_some_and(|html| title_key(html).contains(&person))
}

/// A notice matches by the person's name, or by the teaser title its role quotes (a teaser
/// often names the post, not the person).
fn person_matches(label: &PersonLabel, item: &Item) -> bool {
    let person = title_key(&label.person);
    let named = item.personnel.as_ref().and_then(|p| p.person.as_deref());
    let by_name = !label.person.starts_with('(')
        && (title_key(&item.title).contains(&person)
            || named.is_some_and(|n| title_key(n) == person));
    let quoted = label.role.split(['\'', '"', '‘', '’', '“', '”']).nth(1);
    by_name || quoted.is_some_and(|q| same_title(&item.title, q))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_are_named_below_the_public_suffix() {
        assert_eq!(site_name("www.nytimes.com"), "nytimes");
        assert_eq!(site_name("nytimes.com"), "nytimes");
        assert_eq!(site_name("www.express.co.uk"), "express");
        assert_eq!(site_name("edition.cnn.com"), "cnn");
        assert_eq!(site_name("localhost"), "localhost");
        assert_eq!(
            site_of_source("mozilla/readability:test/test-pages/webmd-2/source.html").as_deref(),
            Some("webmd")
        );
        assert_eq!(site_of_source("page.html"), None);
    }
}

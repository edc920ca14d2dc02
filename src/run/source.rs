//! One source's run: its URLs fetched (or local files read) and extracted on a worker, teasers
//! followed, then its items written in one transaction by the run's writer.

use chrono::{DateTime, FixedOffset};

use super::{RunError, SourceReport};
use crate::config::{Config, Source};
use crate::input::{self, AddressPolicy, Document, Fetcher, InputError, InputKind, Validators};
use crate::model::{Block, Item, PerClass};
use crate::pipeline::{Fetch, Got, Job, Options, Outcome, Read, follow};
use crate::rules::Rules;
use crate::store::{Change, Reader, RunRecord, RunStatus, Store, retention_cutoff};

/// The run's way of getting documents: conditional GET through the shared polite client, and a
/// local file unchanged in size and modification time counts as not modified.
struct Polite<'a> {
    fetcher: &'a Fetcher,
    /// Which addresses a followed link may reach.
    follow: AddressPolicy,
}

impl Fetch for Polite<'_> {
    fn get(
        &self,
        spec: &str,
        known: Option<&Validators>,
        kind: Option<InputKind>,
    ) -> Result<Got, InputError> {
        if !input::is_url(spec) {
            let stamp = file_stamp(spec);
            if stamp.is_some() && known.and_then(|k| k.etag.as_ref()) == stamp.as_ref() {
                return Ok(Got::NotModified);
            }
            let doc = input::load(spec, kind, &self.fetcher.options)?;
            let validators = stamp.map(|etag| Validators {
                etag: Some(etag),
                last_modified: None,
            });
            return Ok(Got::Document(doc, validators));
        }
        let fetched = self.fetcher.get(spec, known, AddressPolicy::Any)?;
        let validators = fetched.validators.clone();
        Ok(match fetched.document(spec, kind)? {
            Some(doc) => Got::Document(doc, Some(validators)),
            None => Got::NotModified,
        })
    }

    fn follow(&self, link: &str) -> Result<Option<Document>, InputError> {
        self.fetcher
            .get(link, None, self.follow)?
            .document(link, Some(InputKind::Html))
    }
}

/// A local file's size and modification time, as a validator of its own.
fn file_stamp(path: &str) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!("file:{}:{}", meta.len(), modified.as_nanos()))
}

/// What a worker found for one source: its items (followed teasers filled in), the validators
/// to keep, and its report so far.
pub(super) struct Prepared {
    report: SourceReport,
    items: Vec<Item>,
    validators: Vec<(String, Validators)>,
    /// Pages that say they are an article but yield none.
    lost: Vec<String>,
    /// The decision the source's rules use, for items merged in the store.
    model: std::sync::Arc<crate::classify::Model>,
    /// Every teaser link the pages showed (items or not), when every page was read.
    links: Option<Vec<String>>,
}

/// A link the source has shown on every full fetch for this many days and fetches is its
/// template's (an article seldom stays on a front page that long through every fetch).
const TEMPLATE_DAYS: i64 = 2;
const TEMPLATE_FETCHES: i64 = 3;
/// A template link stays an item only when its form leaves no doubt that it is an article (a
/// story pinned on the front page): under this item probability it is none.
const TEMPLATE_ITEM: f64 = 0.9;

/// Fetches and extracts one source (on a worker thread): nothing is written.
pub(super) fn prepare_source(
    config: &Config,
    source: &Source,
    base_rules: &Rules,
    store: &Reader,
    fetcher: &Fetcher,
    width: usize,
) -> Result<Prepared, RunError> {
    let rules = base_rules.extended(source.rules.clone(), &source.name)?;
    let mut report = SourceReport {
        name: source.name.clone(),
        ..SourceReport::default()
    };
    let opts = Options {
        rules: &rules,
        kind: None,
        tz: source.tz,
        source_name: &source.name,
    };
    let polite = Polite {
        fetcher,
        follow: config.fetch.follow_policy(),
    };
    let mut outcome = Outcome::default();
    let mut validators: Vec<(String, Validators)> = Vec::new();
    let known = source
        .urls
        .iter()
        .map(|spec| store.validators(spec))
        .collect::<Result<Vec<_>, _>>()?;
    let jobs: Vec<Job> = source
        .urls
        .iter()
        .zip(known)
        .map(|(spec, known)| Job { spec, known })
        .collect();
    // Fetched at once (each host still one request at a time), read in the config's order.
    let reads = outcome.read_all(&jobs, &polite, &opts, width);
    for (spec, read) in source.urls.iter().zip(reads) {
        match read {
            Ok(Read::NotModified) => {
                report.not_modified += 1;
                report.details.push(format!("{spec}: not modified"));
            }
            Ok(Read::Items(v)) => {
                report.fetched += 1;
                report.details.push(format!("{spec}: read"));
                if let Some(v) = v {
                    validators.push((spec.clone(), v));
                }
            }
            Err(e) => report.failures.push(e.to_string()),
        }
    }
    let lost = lost_articles(&outcome);
    // Only a fetch that read every page says which links are on all of them.
    let links = (report.not_modified == 0 && !report.failed()).then(|| {
        let mut links: Vec<String> = outcome
            .items
            .iter()
            .chain(&outcome.dropped)
            .filter(|c| c.item.shape.is_some())
            .filter_map(|c| c.item.link.clone())
            .collect();
        links.sort();
        links.dedup();
        links
    });
    let mut items: Vec<Item> = outcome.items.into_iter().map(|c| c.item).collect();
    report.items_seen = items.len();
    if !report.failed() {
        let chosen = to_follow(config, source, store, &items)?;
        let lines = follow(&mut items, &chosen, &polite, &opts, width);
        report.details.extend(lines);
    }
    Ok(Prepared {
        report,
        items,
        validators,
        lost,
        model: rules.model.clone(),
        links,
    })
}

/// Pages that say they are an article but yield none: articles lost to every feed.
fn lost_articles(outcome: &Outcome) -> Vec<String> {
    outcome
        .skipped
        .iter()
        .filter(|(_, s)| s.what == crate::extract::ARTICLE_NOT_FOUND)
        .map(|(origin, s)| {
            format!(
                "{origin}: no article found on a page that says it is one ({})",
                s.text
            )
        })
        .collect()
}

/// Writes what a worker found for one source into the store, in one transaction.
pub(super) fn commit_source(
    config: &Config,
    source: &Source,
    prepared: Prepared,
    store: &mut Store,
    now: DateTime<FixedOffset>,
) -> Result<SourceReport, RunError> {
    let Prepared {
        mut report,
        items,
        validators,
        lost,
        model,
        links,
    } = prepared;
    if report.failed() {
        // Nothing of a failing source is stored: its feeds stay as the last good run left them.
        let record = RunRecord {
            status: RunStatus::Failed,
            fetched: report.fetched,
            not_modified: report.not_modified,
            failed: report.failures.len(),
            items_seen: report.items_seen,
            new: PerClass::default(),
            message: Some(report.failures.join("; ")),
        };
        store.log_run(&source.name, now, &record)?;
        return Ok(report);
    }
    let recent = store.recent_items_seen(&source.name, 5)?;
    let cutoff = retention_cutoff(now, config.output.retention_days);
    let tx = store.begin(&source.name, now)?;
    let template = match &links {
        Some(links) => tx.template_links(links, TEMPLATE_DAYS, TEMPLATE_FETCHES)?,
        None => Default::default(),
    };
    for item in &items {
        // A template link is not admitted, and taken out if an earlier fetch let it in as
        // editorial; one stored as paid or people stays as it was.
        if is_template(item, &template, &model) {
            if tx.remove_editorial(&item.id)? {
                report.details.push(format!(
                    "{}: on every fetch for {TEMPLATE_DAYS} days, a template link: removed",
                    item.title
                ));
                continue;
            }
            if !tx.is_stored(&item.id)? {
                continue;
            }
        }
        // An item already past retention is kept in the store while the page shows it (so it
        // is neither followed nor reported again) but is in no feed: it is not news.
        let expired = item.published.is_some_and(|d| d.timestamp() < cutoff);
        match tx.upsert(item, &model)? {
            Change::New { .. } if expired => {}
            Change::New { class, suspect } => {
                report.new[class] += 1;
                if let Some(why) = suspect {
                    report.suspects.push(format!("{}: {why}", item.title));
                }
            }
            Change::Moved { from, to } => report.moves.push(format!(
                "{} moved from {from} to {to}: {}",
                item.id, item.title
            )),
            Change::Updated | Change::Unchanged => {}
        }
    }
    for (url, v) in &validators {
        tx.set_validators(url, v)?;
    }
    tx.prune(config.output.retention_days)?;
    let mut warnings: Vec<String> = item_count_warning(&source.name, &report, &recent)
        .into_iter()
        .collect();
    warnings.extend(lost);
    report.warning = (!warnings.is_empty()).then(|| warnings.join("; "));
    tx.log_run(&RunRecord {
        status: RunStatus::Ok,
        fetched: report.fetched,
        not_modified: report.not_modified,
        failed: 0,
        items_seen: report.items_seen,
        new: report.new,
        message: report.warning.clone(),
    })?;
    tx.commit()?;
    Ok(report)
}

/// Whether a teaser is one of the source's template links that is no article for sure.
fn is_template(
    item: &Item,
    template: &std::collections::HashSet<String>,
    model: &crate::classify::Model,
) -> bool {
    if item.shape.is_none() || !item.link.as_ref().is_some_and(|l| template.contains(l)) {
        return false;
    }
    let c = crate::classify::classify(item.clone(), model);
    c.class == crate::model::Class::Editorial && c.p_item.is_some_and(|p| p < TEMPLATE_ITEM)
}

/// A source that suddenly yields no items, or far fewer than its recent runs: its markup has
/// probably changed.
fn item_count_warning(name: &str, report: &SourceReport, recent: &[usize]) -> Option<String> {
    if report.fetched == 0 {
        return None;
    }
    if recent.is_empty() {
        return (report.items_seen == 0)
            .then(|| format!("{name}: no items found; check the source's URLs and rules"));
    }
    let typical = recent.iter().sum::<usize>() / recent.len();
    if report.items_seen == 0 {
        Some(format!(
            "{name}: no items found (recent runs found about {typical}); has the markup changed?"
        ))
    } else if report.items_seen * 2 < typical {
        Some(format!(
            "{name}: {} items found, recent runs found about {typical}; has the markup changed?",
            report.items_seen
        ))
    } else {
        None
    }
}

/// The new items whose pages to read once (teasers, and if asked upstream feed items), in page
/// order, at most `max_follow_per_run`.
fn to_follow(
    config: &Config,
    source: &Source,
    store: &Reader,
    items: &[Item],
) -> Result<Vec<(usize, String)>, RunError> {
    let fetch = &config.fetch;
    let mut chosen: Vec<(usize, String)> = Vec::new();
    if !fetch.follow_teasers && !fetch.check_feed_items {
        return Ok(chosen);
    }
    for (at, item) in items.iter().enumerate() {
        if chosen.len() >= fetch.max_follow_per_run {
            break;
        }
        let wanted = match item.block {
            Block::Teaser | Block::SponsoredTeaser => fetch.follow_teasers,
            Block::FeedEntry => fetch.check_feed_items,
            _ => false,
        };
        let Some(link) = item.link.clone() else {
            continue;
        };
        if wanted && !store.contains(&source.name, &item.id)? {
            chosen.push((at, link));
        }
    }
    Ok(chosen)
}

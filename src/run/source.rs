//! One source's run: its URLs fetched (or local files read) and extracted on a worker, teasers
//! followed, then its items written in one transaction by the run's writer.

use chrono::{DateTime, FixedOffset};

use super::threads::per_host;
use super::{RunError, SourceReport};
use crate::config::{Config, Source};
use crate::input::{self, AddressPolicy, FetchError, Fetcher, InputKind};
use crate::model::{Block, Item, PerClass};
use crate::pipeline::{Options, Outcome};
use crate::rules::Rules;
use crate::store::{Change, Reader, RunRecord, RunStatus, Store, retention_cutoff};

/// A fetched or read document, or why not.
enum Got {
    Document(input::Document, Option<input::Validators>),
    NotModified,
}

fn get(spec: &str, known: Option<input::Validators>, fetcher: &Fetcher) -> Result<Got, String> {
    if !input::is_url(spec) {
        // A local file whose size and modification time are unchanged is not read again.
        let stamp = file_stamp(spec);
        if stamp.is_some() && known.as_ref().and_then(|k| k.etag.as_ref()) == stamp.as_ref() {
            return Ok(Got::NotModified);
        }
        let doc = input::load(spec, None, &fetcher.options).map_err(|e| e.to_string())?;
        let validators = stamp.map(|etag| input::Validators {
            etag: Some(etag),
            last_modified: None,
        });
        return Ok(Got::Document(doc, validators));
    }
    let fetched = fetcher
        .get(spec, known.as_ref(), AddressPolicy::Any)
        .map_err(|e: FetchError| e.to_string())?;
    let Some(body) = fetched.body else {
        return Ok(Got::NotModified);
    };
    let doc = input::from_bytes(
        spec,
        Some(fetched.final_url),
        &body,
        fetched.content_type.as_deref(),
        None,
    )
    .map_err(|e| e.to_string())?;
    Ok(Got::Document(doc, Some(fetched.validators)))
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
    validators: Vec<(String, input::Validators)>,
    /// Pages that say they are an article but yield none.
    lost: Vec<String>,
}

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
        fetch: config.fetch.options(),
    };
    let mut outcome = Outcome::default();
    let mut validators: Vec<(String, input::Validators)> = Vec::new();
    // Fetched at once (each host still one request at a time), read in the config's order.
    let known = source
        .urls
        .iter()
        .map(|spec| store.validators(spec))
        .collect::<Result<Vec<_>, _>>()?;
    let jobs: Vec<(&String, Option<input::Validators>)> = source.urls.iter().zip(known).collect();
    let got = per_host(
        &jobs,
        width,
        |(spec, _)| spec.as_str(),
        |(spec, known)| get(spec, known.clone(), fetcher),
    );
    for (spec, got) in source.urls.iter().zip(got) {
        match got {
            Ok(Got::NotModified) => {
                report.not_modified += 1;
                report.details.push(format!("{spec}: not modified"));
            }
            Ok(Got::Document(doc, v)) => match outcome.items_from(&doc, &opts) {
                Ok(()) => {
                    report.fetched += 1;
                    report.details.push(format!("{spec}: read"));
                    if let Some(v) = v {
                        validators.push((spec.clone(), v));
                    }
                }
                Err(e) => report.failures.push(e.to_string()),
            },
            Err(e) => report.failures.push(e),
        }
    }
    let lost = lost_articles(&outcome);
    let mut items: Vec<Item> = outcome.items.into_iter().map(|c| c.item).collect();
    report.items_seen = items.len();
    if !report.failed() {
        follow_links(
            config,
            source,
            &opts,
            store,
            fetcher,
            width,
            &mut items,
            &mut report,
        )?;
    }
    Ok(Prepared {
        report,
        items,
        validators,
        lost,
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
    for item in &items {
        // An item already past retention is kept in the store while the page shows it (so it
        // is neither followed nor reported again) but is in no feed: it is not news.
        let expired = item.published.is_some_and(|d| d.timestamp() < cutoff);
        match tx.upsert(item)? {
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

/// Depth 1: reads the page behind new teasers (and, if asked, new upstream feed items) once, for
/// full text, dates and a label only the article page shows. At most `max_follow_per_run`.
#[allow(clippy::too_many_arguments)]
fn follow_links(
    config: &Config,
    source: &Source,
    opts: &Options,
    store: &Reader,
    fetcher: &Fetcher,
    width: usize,
    items: &mut [Item],
    report: &mut SourceReport,
) -> Result<(), RunError> {
    let fetch = &config.fetch;
    if !fetch.follow_teasers && !fetch.check_feed_items {
        return Ok(());
    }
    // The items to follow, in page order, up to the budget.
    let mut chosen: Vec<(usize, String)> = Vec::new();
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
    // Fetched and read at once; applied in page order.
    let articles = per_host(
        &chosen,
        width,
        |(_, link)| link.as_str(),
        |(_, link)| followed_article(link, opts, fetcher, fetch.follow_policy()),
    );
    for ((at, link), article) in chosen.iter().zip(articles) {
        match article {
            Err(e) => report.details.push(format!("{link}: not followed: {e}")),
            Ok(None) => {}
            Ok(Some(article)) => {
                if let Some(item) = items.get_mut(*at) {
                    enrich(item, article);
                    report.details.push(format!("{link}: followed"));
                }
            }
        }
    }
    Ok(())
}

/// The article of a followed page, if it has one.
fn followed_article(
    link: &str,
    opts: &Options,
    fetcher: &Fetcher,
    policy: AddressPolicy,
) -> Result<Option<Item>, FetchError> {
    let page = fetcher.get(link, None, policy)?;
    let Some(body) = page.body else {
        return Ok(None);
    };
    let Ok(doc) = input::from_bytes(
        link,
        Some(page.final_url),
        &body,
        page.content_type.as_deref(),
        Some(InputKind::Html),
    ) else {
        return Ok(None);
    };
    let Ok(extraction) = crate::extract::extract(&doc, &opts.context()) else {
        return Ok(None);
    };
    Ok(extraction
        .items
        .into_iter()
        .find(|i| i.block == Block::Article))
}

/// `f` over `inputs` on up to `width` threads at once; the results in input order, whatever
/// order they finish in.
/// Fills a teaser from its article page; the teaser keeps its id and block.
fn enrich(item: &mut Item, mut article: Item) {
    for e in &mut article.evidence {
        e.location = format!("article page: {}", e.location);
    }
    item.absorb(article);
}

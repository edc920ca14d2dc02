//! The cron job: every source of a config fetched politely, its items merged into the store in
//! one transaction, and every feed rendered from the store. A failed source keeps its feeds.

use std::fs::File;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::Duration;

use chrono::{DateTime, FixedOffset};

use crate::config::{Config, Source};
use crate::input::{self, AddressPolicy, FetchError, Fetcher, InputKind};
use crate::model::{Block, Class, Item, PerClass};
use crate::pipeline::{Options, Outcome, site_root};
use crate::rules::{Rules, RulesError};
use crate::store::{Change, Reader, RunRecord, RunStatus, Store, StoreError, retention_cutoff};
use crate::write::{self, Layout, WriteError};

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{0}: another feedsplit run holds the lock; try again later or pass --wait")]
    Locked(String),
    #[error("{path}: cannot take the lock: {source}")]
    Lock {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Rules(#[from] RulesError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// How one source's run went.
#[derive(Debug, Clone, Default)]
pub struct SourceReport {
    pub name: String,
    pub fetched: usize,
    pub not_modified: usize,
    pub failures: Vec<String>,
    /// New items per class: editorial, sponsored, personnel.
    pub new: PerClass<usize>,
    pub items_seen: usize,
    pub moves: Vec<String>,
    /// New items left editorial that look promotional without a label (add a site rule?).
    pub suspects: Vec<String>,
    pub warning: Option<String>,
    /// Per-URL lines for `-v`.
    pub details: Vec<String>,
}

impl SourceReport {
    pub fn failed(&self) -> bool {
        !self.failures.is_empty()
    }

    /// Prints the report as `run` does: the summary (failures to stderr), warnings, suspects,
    /// and with `verbose` what happened to each URL and each item that changed feeds.
    pub fn print(&self, quiet: bool, verbose: bool) {
        if self.failed() {
            eprintln!("{}", self.summary());
        } else if !quiet {
            println!("{}", self.summary());
        }
        if let Some(w) = &self.warning {
            eprintln!("warning: {w}");
        }
        if !quiet {
            for s in &self.suspects {
                println!("  suspect: {s}");
            }
        }
        if verbose {
            for line in self.details.iter().chain(&self.moves) {
                println!("  {line}");
            }
        }
    }

    /// The one summary line cron mails show.
    pub fn summary(&self) -> String {
        let status = if self.failed() { "FAILED" } else { "ok" };
        let mut line = format!(
            "{}: {status}; fetched {}, not modified {}, failed {}; new: {} editorial, {} sponsored, {} personnel",
            self.name,
            self.fetched,
            self.not_modified,
            self.failures.len(),
            self.new[Class::Editorial],
            self.new[Class::Sponsored],
            self.new[Class::Personnel],
        );
        if !self.suspects.is_empty() {
            line.push_str(&format!("; {} suspect", self.suspects.len()));
        }
        if let Some(first) = self.failures.first() {
            line.push_str(&format!(" ({first})"));
        }
        line
    }
}

/// Threads at most that one source's own URLs and followed pages are fetched on.
const MAX_SOURCE_WIDTH: usize = 8;

pub struct RunOptions {
    /// Wait for a running job's lock instead of giving up.
    pub wait: bool,
    pub now: DateTime<FixedOffset>,
    /// Sources fetched at once; `None` takes the config's `[fetch] concurrency`.
    pub concurrency: Option<usize>,
    /// Called as each source is done, with its name, for a progress bar.
    pub progress: Box<dyn Fn(&str)>,
}

/// The lock file that keeps two runs (cron, `serve --every`) from overlapping.
pub struct RunLock {
    _file: File,
}

impl RunLock {
    pub fn acquire(dir: &Path, wait: bool) -> Result<RunLock, RunError> {
        let path = dir.join(".feedsplit.lock");
        let err = |source| RunError::Lock {
            path: path.display().to_string(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(err)?;
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(err)?;
        if wait {
            file.lock().map_err(err)?;
        } else {
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(RunError::Locked(path.display().to_string()));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(err(e)),
            }
        }
        Ok(RunLock { _file: file })
    }
}

/// Runs every source of the config, then renders every feed and the index files.
///
/// Workers take sources in config order and fetch and extract them concurrently (politeness is
/// per host, in the shared `Fetcher`); this thread alone writes: each source's items in one
/// transaction, then its feeds, as each source comes in. Sources never share items, so the
/// output does not depend on which finishes first.
pub fn run(config: &Config, options: &RunOptions) -> Result<Vec<SourceReport>, RunError> {
    let _lock = RunLock::acquire(&config.output.dir, options.wait)?;
    let mut store = Store::open(&config.store_path())?;
    let base_rules = Rules::with_files(&config.rules_files)?;
    let fetch = &config.fetch;
    let concurrency = options.concurrency.unwrap_or(fetch.concurrency).max(1);
    let fetcher = Fetcher::new(
        fetch.options(),
        Duration::from_millis(fetch.host_delay_ms),
        fetch.retries,
        Duration::from_secs(fetch.max_retry_after_seconds),
        fetch.robots_txt,
        concurrency,
    );
    let count = config.sources.len();
    // More workers than requests in flight: a worker waiting out a host's delay holds no slot,
    // so others use it meanwhile.
    let workers = concurrency.saturating_mul(4).clamp(1, count.max(1));
    // Threads a source's own URLs and followed pages are fetched on.
    let width = concurrency.min(MAX_SOURCE_WIDTH);
    let next = AtomicUsize::new(0);
    let mut done: Vec<Option<(SourceReport, Layout)>> = (0..count).map(|_| None).collect();
    std::thread::scope(|scope| -> Result<(), RunError> {
        let (sender, results) = mpsc::channel::<(usize, Result<Prepared, RunError>)>();
        for _ in 0..workers {
            let sender = sender.clone();
            let reader = store.reader()?;
            let (next, fetcher, base_rules) = (&next, &fetcher, &base_rules);
            scope.spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some(source) = config.sources.get(index) else {
                        break;
                    };
                    let prepared =
                        prepare_source(config, source, base_rules, &reader, fetcher, width);
                    // The receiver is gone only when the run failed: stop taking sources.
                    if sender.send((index, prepared)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        for (index, prepared) in results {
            let source = &config.sources[index];
            let report = commit_source(config, source, prepared?, &mut store, options.now)?;
            // Right after the source's commit, so a run killed later leaves this source complete.
            let layout = layout(config, source, &store)?;
            // A failed source's files stay as its last good run left them (or absent).
            if !report.failed() {
                write_source_feeds(config, source, &layout, &store, options.now)?;
            }
            (options.progress)(&source.name);
            done[index] = Some((report, layout));
        }
        Ok(())
    })?;
    let (reports, layouts): (Vec<SourceReport>, Vec<Layout>) = done.into_iter().flatten().unzip();
    let status = collect_status(config, &store, options.now)?;
    write::write_index(&config.output.dir, &layouts, &status)?;
    Ok(reports)
}

/// Days the status page's charts and sponsor list cover (fewer if retention is shorter).
const STATUS_DAYS: u32 = 30;

/// What the status page shows, from the store: each source's last run, counts, newest items and
/// items per day; the top sponsors and the latest people moves. Each query reads a bounded
/// window through an index, so the page costs the same however long the store's history is.
fn collect_status(
    config: &Config,
    store: &Store,
    now: DateTime<FixedOffset>,
) -> Result<write::Status, RunError> {
    let days = STATUS_DAYS.min(config.output.retention_days.max(1));
    let since = now.timestamp() - i64::from(days) * 86_400;
    let cutoff = retention_cutoff(now, config.output.retention_days);
    let mut sources = Vec::new();
    for source in &config.sources {
        let mut status = write::SourceStatus {
            last_run: store.last_run(&source.name)?,
            counts: store.class_counts(&source.name, cutoff, config.output.items_per_feed)?,
            per_day: store.items_per_day(&source.name, since)?,
            ..Default::default()
        };
        for class in Class::ALL {
            status.newest[class] = store.feed_items(&source.name, class, 5, cutoff)?;
        }
        sources.push(status);
    }
    Ok(write::Status {
        now,
        days,
        sources,
        top_sponsors: store.top_sponsors(since, 10)?,
        people: store.latest_people(10)?,
    })
}

/// Renders a source's feeds from the store; files whose bytes did not change are not touched.
fn write_source_feeds(
    config: &Config,
    source: &Source,
    layout: &Layout,
    store: &Store,
    now: DateTime<FixedOffset>,
) -> Result<(), RunError> {
    let mut items = Vec::new();
    let cutoff = retention_cutoff(now, config.output.retention_days);
    for class in Class::ALL {
        items.extend(store.feed_items(
            &source.name,
            class,
            config.output.items_per_feed,
            cutoff,
        )?);
    }
    // An empty feed is dated by the source's first run, so it too keeps its bytes.
    let fallback = store.first_run(&source.name)?.unwrap_or(now);
    write::write_feeds(layout, &items, fallback)?;
    Ok(())
}

fn layout(config: &Config, source: &Source, store: &Store) -> Result<Layout, RunError> {
    // The site of the source's first web URL, else of its newest editorial item.
    let site_link = source
        .urls
        .iter()
        .filter(|u| input::is_url(u))
        .find_map(|u| url::Url::parse(u).ok())
        .or_else(|| {
            let newest = store
                .feed_items(&source.name, Class::Editorial, 1, i64::MIN)
                .ok()?;
            url::Url::parse(newest.first()?.item.link.as_deref()?).ok()
        })
        .map(|u| site_root(&u));
    Ok(Layout {
        dir: config.output.dir.clone(),
        name: source.name.clone(),
        formats: config.output.formats.clone(),
        base_url: config
            .output
            .base_url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok()),
        site_link,
        ttl: config.output.ttl_minutes,
    })
}

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
struct Prepared {
    report: SourceReport,
    items: Vec<Item>,
    validators: Vec<(String, input::Validators)>,
    /// Pages that say they are an article but yield none.
    lost: Vec<String>,
}

/// Fetches and extracts one source (on a worker thread): nothing is written.
fn prepare_source(
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
fn commit_source(
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
/// `f` over `inputs`, the inputs of each host (URL origin; local files count as one host) one
/// after the other in their order, different hosts at once on up to `width` threads; the
/// results in input order.
fn per_host<T: Sync, R: Send>(
    inputs: &[T],
    width: usize,
    url: impl Fn(&T) -> &str,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let mut hosts: Vec<(String, Vec<usize>)> = Vec::new();
    for (at, input) in inputs.iter().enumerate() {
        let host = url::Url::parse(url(input))
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        match hosts.iter_mut().find(|(h, _)| *h == host) {
            Some((_, list)) => list.push(at),
            None => hosts.push((host, vec![at])),
        }
    }
    let groups: Vec<Vec<usize>> = hosts.into_iter().map(|(_, list)| list).collect();
    let mut results: Vec<(usize, R)> = in_parallel(&groups, width, |group| {
        group
            .iter()
            .filter_map(|&at| inputs.get(at).map(|input| (at, f(input))))
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect();
    results.sort_by_key(|(at, _)| *at);
    results.into_iter().map(|(_, r)| r).collect()
}

fn in_parallel<T: Sync, R: Send>(inputs: &[T], width: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if inputs.len() < 2 || width < 2 {
        return inputs.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<R>>> = inputs.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..width.min(inputs.len()) {
            scope.spawn(|| {
                loop {
                    let at = next.fetch_add(1, Ordering::SeqCst);
                    let (Some(input), Some(slot)) = (inputs.get(at), results.get(at)) else {
                        break;
                    };
                    let result = f(input);
                    *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
                }
            });
        }
    });
    results
        .into_iter()
        .filter_map(|r| r.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect()
}

/// Fills a teaser from its article page; the teaser keeps its id and block.
fn enrich(item: &mut Item, mut article: Item) {
    for e in &mut article.evidence {
        e.location = format!("article page: {}", e.location);
    }
    item.absorb(article);
}

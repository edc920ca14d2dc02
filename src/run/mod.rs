//! The cron job: every source of a config fetched politely, its items merged into the store in
//! one transaction, and every feed rendered from the store. A failed source keeps its feeds.

use std::fs::File;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use chrono::{DateTime, FixedOffset};

use crate::config::{Config, Source};
use crate::input::{self, Fetcher};
use crate::model::{Class, PerClass};
use crate::pipeline::site_root;
use crate::rules::{Rules, RulesError};
use crate::store::{Store, StoreError, retention_cutoff};
use crate::write::{self, Layout, WriteError};

mod source;

use source::{Prepared, commit_source, prepare_source};

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
    let base_rules = Rules::with_files_and_model(&config.rules_files, config.model.as_deref())?;
    let fetch = &config.fetch;
    let concurrency = options.concurrency.unwrap_or(fetch.concurrency).max(1);
    let fetcher = Fetcher::new(fetch.options(), fetch.politeness(), concurrency);
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

//! The pipeline end to end for one set of inputs: input → extract → classify (→ write), the
//! same for `convert`, `classify`, `eval` and `run`; where documents come from is a `Fetch`.

mod fetch;
mod follow;
mod threads;

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use chrono_tz::Tz;

pub use fetch::{Direct, Fetch, Got};
pub use follow::follow;
pub use threads::per_host;

use crate::classify::{Classified, classify, merged};
use crate::extract::{self, Context, Skipped};
use crate::input::{self, InputKind, Validators};
use crate::rules::Rules;

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Input(#[from] input::InputError),
    #[error(transparent)]
    Extract(#[from] extract::ExtractError),
    #[error("SOURCE_DATE_EPOCH is not a number of seconds: {0:?}")]
    SourceDateEpoch(String),
}

/// The items of one or more documents, classified, one per id.
#[derive(Debug, Default)]
pub struct Outcome {
    pub items: Vec<Classified>,
    /// Teasers that are no item (menu entries, section links), kept out of every feed.
    pub dropped: Vec<Classified>,
    pub skipped: Vec<(String, Skipped)>,
    /// The site the items come from, for the feeds' home links.
    pub site_link: Option<String>,
    /// Position of each id in `items`.
    index: HashMap<String, usize>,
}

pub struct Options<'a> {
    pub rules: &'a Rules,
    pub kind: Option<InputKind>,
    pub tz: Tz,
    pub source_name: &'a str,
}

impl Options<'_> {
    /// What extraction needs of these options.
    pub fn context(&self) -> Context<'_> {
        Context {
            rules: self.rules,
            tz: self.tz,
            source_name: self.source_name,
        }
    }
}

/// Gets, extracts and classifies every input. Stops at the first input that fails, so a caller
/// that writes afterwards never writes feeds from half its inputs.
pub fn run_inputs(
    inputs: &[String],
    options: &Options,
    fetch: &dyn Fetch,
) -> Result<Outcome, PipelineError> {
    let mut outcome = Outcome::default();
    for spec in inputs {
        outcome.read(fetch.get(spec, None, options.kind)?, options)?;
    }
    Ok(outcome)
}

/// What became of one input.
#[derive(Debug)]
pub enum Read {
    /// Its items were added; the validators to keep for asking again, if any.
    Items(Option<Validators>),
    NotModified,
}

/// One input through `Outcome::read_all`.
pub struct Job<'s> {
    /// A path, an http(s) URL, or `-` for stdin.
    pub spec: &'s str,
    /// The validators kept from the last time it was read.
    pub known: Option<Validators>,
}

impl Outcome {
    /// Adds what one input's fetch got.
    fn read(&mut self, got: Got, options: &Options) -> Result<Read, PipelineError> {
        match got {
            Got::NotModified => Ok(Read::NotModified),
            Got::Document(doc, validators) => {
                self.items_from(&doc, options)?;
                Ok(Read::Items(validators))
            }
        }
    }

    /// Every input got through `fetch` (hosts at once on up to `width` threads, each host's
    /// inputs in order) and read in input order; what became of each. A failing input does not
    /// stop the others.
    pub fn read_all(
        &mut self,
        jobs: &[Job],
        fetch: &dyn Fetch,
        options: &Options,
        width: usize,
    ) -> Vec<Result<Read, PipelineError>> {
        let got = per_host(
            jobs,
            width,
            |job| job.spec,
            |job| fetch.get(job.spec, job.known.as_ref(), options.kind),
        );
        got.into_iter().map(|g| self.read(g?, options)).collect()
    }

    /// Adds one decoded document's items; an item already seen in another document is merged
    /// into the first sighting and classified again from the pooled evidence.
    pub fn items_from(
        &mut self,
        doc: &input::Document,
        options: &Options,
    ) -> Result<(), PipelineError> {
        let extraction = extract::extract(doc, &options.context())?;
        if self.site_link.is_none() {
            self.site_link = doc.url.as_ref().map(site_root).or_else(|| {
                extraction
                    .items
                    .iter()
                    .find_map(|i| i.link.as_deref().and_then(|l| url::Url::parse(l).ok()))
                    .map(|u| site_root(&u))
            });
        }
        for item in extraction.items {
            match self.index.get(&item.id) {
                Some(&at) => {
                    self.items[at] = merged(self.items[at].item.clone(), item, &options.rules.model)
                }
                None => {
                    let c = classify(item, &options.rules.model);
                    if let Some(why) = &c.not_an_item {
                        // The same teaser on another page of the source is listed once.
                        if self.dropped.iter().any(|d| d.item.id == c.item.id) {
                            continue;
                        }
                        self.skipped.push((
                            doc.origin.clone(),
                            Skipped {
                                what: why.clone(),
                                text: c.item.title.clone(),
                                location: c.item.link.clone().unwrap_or_default(),
                            },
                        ));
                        self.dropped.push(c);
                        continue;
                    }
                    self.index.insert(c.item.id.clone(), self.items.len());
                    self.items.push(c);
                }
            }
        }
        self.skipped.extend(
            extraction
                .skipped
                .into_iter()
                .map(|s| (doc.origin.clone(), s)),
        );
        Ok(())
    }
}

/// The home page of the site a URL belongs to.
pub fn site_root(u: &url::Url) -> String {
    format!("{}://{}/", u.scheme(), u.host_str().unwrap_or_default())
}

/// "Now" for items without a date: `--now`, else `SOURCE_DATE_EPOCH`, else the clock, so that
/// builds and tests can be reproduced byte for byte.
pub fn now(
    explicit: Option<DateTime<FixedOffset>>,
) -> Result<DateTime<FixedOffset>, PipelineError> {
    if let Some(n) = explicit {
        return Ok(n);
    }
    if let Ok(raw) = std::env::var("SOURCE_DATE_EPOCH") {
        let secs: i64 = raw
            .trim()
            .parse()
            .map_err(|_| PipelineError::SourceDateEpoch(raw.clone()))?;
        return Utc
            .timestamp_opt(secs, 0)
            .single()
            .map(|d| d.fixed_offset())
            .ok_or(PipelineError::SourceDateEpoch(raw));
    }
    Ok(Utc::now().fixed_offset())
}

#[cfg(test)]
mod tests;

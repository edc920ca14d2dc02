//! The command line's arguments, as clap parses them.

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};
use clap::{Args, Parser, Subcommand};

use crate::input::InputKind;
use crate::write::{self, Format};

#[derive(Debug, Parser)]
#[command(
    name = "feedsplit",
    version,
    about = "Split news pages and feeds into editorial, sponsored and personnel feeds"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Convert pages or feeds into split RSS, Atom and JSON feeds.
    Convert(ConvertArgs),
    /// Print each item's class and the reasons.
    Classify(ClassifyArgs),
    /// Regenerate every feed of a config file (the cron job).
    Run(RunArgs),
    /// Serve the feeds directory to feed readers, optionally regenerating on a schedule.
    Serve(ServeArgs),
    /// Score the classifier on labelled pages.
    Eval(EvalArgs),
    /// Learn the decision's weights from labelled pages and write them as a model file.
    Train(TrainArgs),
    /// Write a commented starter config.
    Init(InitArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Print the manual page (roff).
    Man,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write it.
    #[arg(default_value = "feedsplit.toml")]
    pub path: PathBuf,
    /// Replace an existing file.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// The corpus training reads: the one given, else the project's own when run from a checkout.
pub fn training_corpus(given: &Option<PathBuf>, none: bool) -> Option<PathBuf> {
    let default = PathBuf::from("fixtures/corpus");
    match given {
        Some(dir) => Some(dir.clone()),
        None if !none && default.is_dir() => Some(default),
        None => None,
    }
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// A directory of pages with NAME.expected.toml beside each, or with --realworld a directory
    /// with labels.v2.json.
    #[arg(default_value = "fixtures/corpus")]
    pub dir: PathBuf,
    /// Read DIR/labels.v2.json (main article, paid items and people notices per page).
    #[arg(long)]
    pub realworld: bool,
    /// Exit 1 when a threshold is missed.
    #[arg(long)]
    pub check: bool,
    /// With --realworld: a TOML file of floors to check instead of the built-in goals.
    #[arg(long, requires = "realworld", value_name = "FILE")]
    pub gate: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// With --realworld: cross-validate by site in K folds (train on the other sites, score the
    /// fold left out); the figures checked are the pooled held-out ones.
    #[arg(long, requires = "realworld", value_name = "K", value_parser = clap::value_parser!(u16).range(2..))]
    pub folds: Option<u16>,
    /// With --folds: a labelled corpus (NAME.expected.toml pages) always in the training set
    /// [default: fixtures/corpus when it exists, as the built-in model is trained].
    #[arg(
        long,
        requires = "folds",
        value_name = "DIR",
        conflicts_with = "no_corpus"
    )]
    pub corpus: Option<PathBuf>,
    /// With --folds: train on the labelled pages only, without the corpus.
    #[arg(long, requires = "folds")]
    pub no_corpus: bool,
    /// With --realworld: item labels of the pages' teasers (TSV: file, href, verdict, headline)
    /// [default: fixtures/realworld-items/items.tsv when it exists].
    #[arg(long, requires = "realworld", value_name = "FILE")]
    pub items: Option<PathBuf>,
    /// Extra rules files extending the built-in ones.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// A model file (`feedsplit train`) to decide with instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// A directory with labels.v2.json and the pages it labels.
    #[arg(long, value_name = "DIR")]
    pub realworld: PathBuf,
    /// A labelled corpus (NAME.expected.toml beside each page) to train on as well
    /// [default: fixtures/corpus when it exists].
    #[arg(long, value_name = "DIR", conflicts_with = "no_corpus")]
    pub corpus: Option<PathBuf>,
    /// Train on the labelled pages only, without the corpus.
    #[arg(long)]
    pub no_corpus: bool,
    /// Item labels of the pages' teasers (TSV: file, href, verdict, headline), for the
    /// item-or-not decision [default: fixtures/realworld-items/items.tsv when it exists].
    #[arg(long, value_name = "FILE")]
    pub items: Option<PathBuf>,
    /// Where to write the model (JSON); the same pages give the same file, byte for byte.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: PathBuf,
    /// Also write every training candidate (title, class, features) as JSON lines, to see what
    /// the weights were learned from.
    #[arg(long, value_name = "FILE")]
    pub examples: Option<PathBuf>,
    /// Extra rules files extending the built-in ones (the evidence the model weighs).
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The feeds directory (default: the config's output directory, else `feeds`).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// Config to regenerate from (with --every).
    #[arg(long, requires = "every")]
    pub config: Option<PathBuf>,
    /// Regenerate this often: 15m, 30s, 1h.
    #[arg(long, requires = "config", value_parser = crate::serve::parse_interval)]
    pub every: Option<std::time::Duration>,
    /// Worker threads answering requests.
    #[arg(long, default_value_t = 4)]
    pub threads: usize,
    /// Open connections at most; past it a client gets 503 at once. Keep it below the
    /// process's file limit (`ulimit -n`).
    #[arg(long, default_value_t = 10_000)]
    pub max_connections: usize,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The config file.
    #[arg(short, long, default_value = "feedsplit.toml")]
    pub config: PathBuf,
    /// Wait for a running job to finish instead of exiting at once.
    #[arg(long)]
    pub wait: bool,
    /// Print only failures and warnings.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print what happened to each URL and each item that changed feeds.
    #[arg(short, long)]
    pub verbose: bool,
    /// "Now" for this run (RFC 3339); SOURCE_DATE_EPOCH also works.
    #[arg(long)]
    pub now: Option<DateTime<FixedOffset>>,
    /// Requests in flight at once across hosts (default: the config's [fetch] concurrency, 16).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: Option<u16>,
}

#[derive(Debug, Args)]
pub struct InputArgs {
    /// Force the input kind instead of detecting it.
    #[arg(long, value_enum)]
    pub input_kind: Option<InputKind>,
    /// Extra rules files (TOML, same shape as the built-in rules) extending the built-in ones.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// A model file (`feedsplit train`) to decide with instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// The zone dates on the pages are written in.
    #[arg(long, default_value = "Europe/Copenhagen")]
    pub timezone: chrono_tz::Tz,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Saved HTML pages, page text, feeds, http(s) URLs, or - for stdin.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// Output directory.
    #[arg(short = 'o', long = "out", default_value = "feeds")]
    pub out: PathBuf,
    /// Formats to write.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "rss,atom,json"
    )]
    pub format: Vec<Format>,
    /// Public URL the output directory is served under (for self links).
    #[arg(long)]
    pub base_url: Option<url::Url>,
    /// Name of the feed set (a directory under the output directory).
    #[arg(long, value_parser = parse_name)]
    pub name: Option<String>,
    /// "Now" for undated items (RFC 3339); SOURCE_DATE_EPOCH also works.
    #[arg(long)]
    pub now: Option<DateTime<FixedOffset>>,
    /// Print each item's class and reasons to stderr.
    #[arg(long)]
    pub explain: bool,
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// A saved HTML page, page text, feed, http(s) URL, or - for stdin.
    #[arg(value_name = "INPUT")]
    pub input_spec: String,
    /// Print JSON instead of lines.
    #[arg(long)]
    pub json: bool,
    /// Also list the blocks left out of every feed (job ads, events, ad slots, related links).
    #[arg(long)]
    pub explain: bool,
    #[command(flatten)]
    pub input: InputArgs,
}

/// A `--name` checked as clap parses it, so a bad one is a usage error (exit 2).
fn parse_name(name: &str) -> Result<String, String> {
    if write::valid_name(name) {
        Ok(name.to_string())
    } else {
        Err(format!("{name:?}: {}", write::NAME_RULE))
    }
}

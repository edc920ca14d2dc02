//! The command line: `convert` and `classify`.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, FixedOffset};
use clap::{Args, Parser, Subcommand};

use crate::classify::Class;
use crate::config::{Config, ConfigError};
use crate::input::{FetchOptions, InputKind};
use crate::pipeline::{self, Direct, Options, Outcome, PipelineError};
use crate::rules::{Rules, RulesError};
use crate::run::{self, RunError, RunOptions};
use crate::write::{self, Format, Layout, WriteError};

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
    /// Extra rules files extending the built-in ones.
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

/// Exit code of a run refused because another holds the lock (sysexits' EX_TEMPFAIL).
pub const EXIT_LOCKED: u8 = 75;

#[derive(Debug, Args)]
pub struct InputArgs {
    /// Force the input kind instead of detecting it.
    #[arg(long, value_enum)]
    pub input_kind: Option<InputKind>,
    /// Extra rules files (TOML, same shape as the built-in rules) extending the built-in ones.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
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

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Rules(#[from] RulesError),
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Run(#[from] RunError),
    #[error(transparent)]
    Serve(#[from] crate::serve::ServeError),
    #[error(transparent)]
    Eval(#[from] crate::eval::EvalError),
    #[error("{0}: cannot name a feed set after it; pass --name")]
    NoName(String),
    #[error("{0}: already exists; pass --force to replace it")]
    Exists(String),
    #[error("{path}: cannot write the starter config: {source}")]
    Init {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot write to standard output: {source}")]
    Output { source: std::io::Error },
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode, CliError> {
    match cli.command {
        Command::Convert(args) => convert(args),
        Command::Classify(args) => classify(args),
        Command::Run(args) => run_job(args),
        Command::Serve(args) => serve(args),
        Command::Eval(args) => eval(args),
        Command::Init(args) => init(args),
        Command::Completions(args) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut command, "feedsplit", &mut script);
            print_bytes(&script)
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
                .render(&mut page)
                .map_err(|source| CliError::Output { source })?;
            print_bytes(&page)
        }
    }
}

/// Pretty JSON on standard output.
fn print_json(value: &serde_json::Value) -> Result<(), CliError> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| CliError::Output {
        source: std::io::Error::other(e),
    })?;
    text.push('\n');
    print_bytes(text.as_bytes()).map(|_| ())
}

/// Writes generated text to standard output; a reader that stopped early (`| head`) is fine.
fn print_bytes(bytes: &[u8]) -> Result<ExitCode, CliError> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(bytes) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::Output { source: e }),
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// The starter config `feedsplit init` writes: the repository's commented example.
pub const STARTER_CONFIG: &str = include_str!("../feedsplit.example.toml");

fn init(args: InitArgs) -> Result<ExitCode, CliError> {
    let path = args.path.display().to_string();
    let mut file = std::fs::OpenOptions::new();
    file.write(true);
    if args.force {
        file.create(true).truncate(true);
    } else {
        // Never over someone's config by accident.
        file.create_new(true);
    }
    let written = file
        .open(&args.path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, STARTER_CONFIG.as_bytes()));
    match written {
        Ok(()) => {
            println!("wrote {path}; edit its [[source]] and run: feedsplit run --config {path}");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(CliError::Exists(path)),
        Err(source) => Err(CliError::Init { path, source }),
    }
}

impl InputArgs {
    fn options<'a>(&self, rules: &'a Rules, name: &'a str) -> Options<'a> {
        Options {
            rules,
            kind: self.input_kind,
            tz: self.timezone,
            source_name: name,
        }
    }
}

/// A `--name` checked as clap parses it, so a bad one is a usage error (exit 2).
fn parse_name(name: &str) -> Result<String, String> {
    if write::valid_name(name) {
        Ok(name.to_string())
    } else {
        Err(format!(
            "{name:?}: use letters, digits, '-', '_' and '.', not starting with '.'"
        ))
    }
}

/// The feed set's name derived from the first input (host or file stem), held to the same rule
/// as `--name`: an input called `...html` must not name the parent directory.
fn derived_name(first: &str) -> Result<String, CliError> {
    let name = default_name(first);
    let name = name.trim_start_matches('.');
    if write::valid_name(name) {
        Ok(name.to_string())
    } else {
        Err(CliError::NoName(first.to_string()))
    }
}

/// The feed set's name: given, else the first input's host or file stem.
fn default_name(first: &str) -> String {
    let raw = url::Url::parse(first)
        .ok()
        .filter(|u| u.scheme().starts_with("http"))
        .and_then(|u| {
            u.host_str()
                .map(|h| h.trim_start_matches("www.").to_string())
        })
        .or_else(|| {
            std::path::Path::new(first)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "stdin".into());
    let name: String = raw
        .chars()
        .map(|c| if write::valid_name_char(c) { c } else { '-' })
        .collect();
    if name.is_empty() || name == "-" {
        "stdin".into()
    } else {
        name
    }
}

fn convert(args: ConvertArgs) -> Result<ExitCode, CliError> {
    let rules = Rules::with_files(&args.input.rules)?;
    let name = match args.name {
        Some(n) => n,
        None => derived_name(&args.inputs[0])?,
    };
    let now = pipeline::now(args.now)?;
    let options = args.input.options(&rules, &name);
    let outcome = pipeline::run_inputs(&args.inputs, &options, &Direct(&FetchOptions::default()))?;
    if args.explain {
        for line in explain_lines(&outcome, true) {
            eprintln!("{line}");
        }
    }
    let layout = Layout {
        dir: args.out.clone(),
        name: name.clone(),
        formats: dedup_formats(args.format),
        base_url: args.base_url,
        site_link: outcome.site_link.clone(),
        ttl: None,
    };
    let written = write::write_feeds(&layout, &outcome.items, now)?;
    let count = |c: Class| outcome.items.iter().filter(|i| i.class == c).count();
    let changed = written.iter().filter(|w| w.changed).count();
    println!(
        "{name}: {} editorial, {} sponsored, {} personnel -> {} ({} of {} files changed)",
        count(Class::Editorial),
        count(Class::Sponsored),
        count(Class::Personnel),
        args.out.join(&name).display(),
        changed,
        written.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn dedup_formats(formats: Vec<Format>) -> Vec<Format> {
    let mut out = Vec::new();
    for f in formats {
        if !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

fn classify(args: ClassifyArgs) -> Result<ExitCode, CliError> {
    let rules = Rules::with_files(&args.input.rules)?;
    let name = derived_name(&args.input_spec)?;
    let options = args.input.options(&rules, &name);
    let outcome = pipeline::run_inputs(
        std::slice::from_ref(&args.input_spec),
        &options,
        &Direct(&FetchOptions::default()),
    )?;
    if args.json {
        let skipped: Vec<_> = outcome.skipped.iter().map(|(_, s)| s).collect();
        let value = serde_json::json!({
            "items": outcome.items,
            "skipped": if args.explain { serde_json::json!(skipped) } else { serde_json::Value::Null },
        });
        print_json(&value)?;
    } else {
        for line in explain_lines(&outcome, args.explain) {
            println!("{line}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One line per item (class, title, reasons); with `skipped`, also what was left out and why.
fn explain_lines(outcome: &Outcome, skipped: bool) -> Vec<String> {
    let mut lines: Vec<String> = outcome
        .items
        .iter()
        .map(|c| format!("{}\t{}\t{}", c.class, c.item.title, c.reason_text()))
        .collect();
    if skipped {
        for (origin, s) in &outcome.skipped {
            lines.push(format!(
                "skipped\t{}\t{} at {} in {origin}",
                s.text, s.what, s.location
            ));
        }
    }
    lines
}

fn run_job(args: RunArgs) -> Result<ExitCode, CliError> {
    use std::io::IsTerminal;

    let config = Config::load(&args.config)?;
    let now = pipeline::now(args.now)?;
    let total = config.sources.len() as u64;
    let bar = if args.quiet || !std::io::stderr().is_terminal() {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(total)
    };
    let progress_bar = bar.clone();
    let options = RunOptions {
        wait: args.wait,
        now,
        concurrency: args.concurrency.map(usize::from),
        progress: Box::new(move |source: &str| {
            progress_bar.set_message(source.to_string());
            progress_bar.inc(1);
        }),
    };
    let reports = match run::run(&config, &options) {
        Ok(r) => r,
        Err(RunError::Locked(path)) => {
            bar.finish_and_clear();
            eprintln!("feedsplit: {}", RunError::Locked(path));
            return Ok(ExitCode::from(EXIT_LOCKED));
        }
        Err(e) => return Err(e.into()),
    };
    bar.finish_and_clear();
    for r in &reports {
        r.print(args.quiet, args.verbose);
    }
    if reports.iter().any(|r| r.failed()) {
        Ok(ExitCode::FAILURE)
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

fn serve(args: ServeArgs) -> Result<ExitCode, CliError> {
    let config = args.config.as_deref().map(Config::load).transpose()?;
    let dir = args
        .dir
        .or_else(|| config.as_ref().map(|c| c.output.dir.clone()))
        .unwrap_or_else(|| PathBuf::from("feeds"));
    // A fresh install may serve before the first run has made the directory.
    std::fs::create_dir_all(&dir).map_err(|source| crate::serve::ServeError::Dir {
        dir: dir.display().to_string(),
        source,
    })?;
    let schedule = match (config, args.every) {
        (Some(config), Some(every)) => Some(crate::serve::Schedule { config, every }),
        _ => None,
    };
    let options = crate::serve::ServeOptions {
        dir: dir.clone(),
        addr: args.addr,
        threads: args.threads,
        max_connections: args.max_connections,
        schedule,
    };
    crate::serve::serve(options, |addr| {
        println!("serving {} at http://{addr}/", dir.display());
    })?;
    Ok(ExitCode::SUCCESS)
}

fn eval(args: EvalArgs) -> Result<ExitCode, CliError> {
    let rules = Rules::with_files(&args.rules)?;
    if args.realworld {
        return eval_realworld(&args, &rules);
    }
    let report = crate::eval::evaluate(&args.dir, &rules)?;
    if args.json {
        let value = serde_json::json!({
            "report": report,
            "scores": Class::ALL.iter().map(|c| (c.as_str(), report.scores(*c))).collect::<std::collections::BTreeMap<_, _>>(),
            "personnel_field_accuracy": report.field_accuracy(),
        });
        print_json(&value)?;
    } else {
        print!("{}", report.render());
    }
    let failures = report.check();
    if args.check && !failures.is_empty() {
        for f in failures {
            eprintln!("feedsplit: {f}");
        }
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn eval_realworld(args: &EvalArgs, rules: &Rules) -> Result<ExitCode, CliError> {
    use crate::eval::realworld::{self, Gate};
    let (pages, summary) = realworld::evaluate(&args.dir, rules)?;
    if args.json {
        let value = serde_json::json!({ "pages": pages, "summary": summary });
        print_json(&value)?;
    } else {
        for p in &pages {
            let ok = p.main_ok && p.misses.is_empty();
            println!(
                "{} {:<40} main: {:<26} got {:<10} paid {}/{}, false alarms {}, people {}/{}",
                if ok { "ok  " } else { "MISS" },
                p.file,
                p.main_labelled,
                p.main_predicted,
                p.paid_found,
                p.paid_labelled,
                p.false_alarms,
                p.personnel_found,
                p.personnel_labelled,
            );
            for m in &p.misses {
                println!("       {m}");
            }
        }
        print!("\n{}", summary.render());
    }
    let gate = match &args.gate {
        Some(path) => Gate::load(path)?,
        None => Gate::default(),
    };
    let failures = gate.check(&summary);
    if args.check && !failures.is_empty() {
        for f in failures {
            eprintln!("feedsplit: {f}");
        }
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

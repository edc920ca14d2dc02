//! The command line: each command run, its errors, and its exit code.

mod args;

pub use args::*;

use std::path::PathBuf;
use std::process::ExitCode;

use crate::classify::Class;
use crate::config::{Config, ConfigError};
use crate::input::FetchOptions;
use crate::pipeline::{self, Direct, Options, PipelineError};
use crate::report::{self, OutputError, print_bytes, print_json};
use crate::rules::{Rules, RulesError};
use crate::run::{self, RunError, RunOptions};
use crate::write::{self, Format, Layout, WriteError};

/// Exit code of a run refused because another holds the lock (sysexits' EX_TEMPFAIL).
pub const EXIT_LOCKED: u8 = 75;

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
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode, CliError> {
    match cli.command {
        Command::Convert(args) => convert(args),
        Command::Classify(args) => classify(args),
        Command::Run(args) => run_job(args),
        Command::Serve(args) => serve(args),
        Command::Eval(args) => eval(args),
        Command::Train(args) => train(args),
        Command::Init(args) => init(args),
        Command::Completions(args) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut command, "feedsplit", &mut script);
            print_bytes(&script)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
                .render(&mut page)
                .map_err(OutputError::from)?;
            print_bytes(&page)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The starter config `feedsplit init` writes: the repository's commented example.
pub const STARTER_CONFIG: &str = include_str!("../../feedsplit.example.toml");

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
    let rules = Rules::with_files_and_model(&args.input.rules, args.input.model.as_deref())?;
    let name = match args.name {
        Some(n) => n,
        None => derived_name(&args.inputs[0])?,
    };
    let now = pipeline::now(args.now)?;
    let options = args.input.options(&rules, &name);
    let outcome = pipeline::run_inputs(&args.inputs, &options, &Direct(&FetchOptions::default()))?;
    if args.explain {
        for line in report::explain_lines(&outcome, true) {
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
    let changed = written.iter().filter(|w| w.changed).count();
    let line = report::converted(&name, &outcome.items, &args.out, changed, written.len());
    println!("{line}");
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
    let rules = Rules::with_files_and_model(&args.input.rules, args.input.model.as_deref())?;
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
        for line in report::explain_lines(&outcome, args.explain) {
            println!("{line}");
        }
    }
    Ok(ExitCode::SUCCESS)
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
        report::print_source(r, args.quiet, args.verbose);
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
    let rules = Rules::with_files_and_model(&args.rules, args.model.as_deref())?;
    if args.realworld {
        return eval_realworld(&args, &rules);
    }
    let scored = crate::eval::evaluate(&args.dir, &rules)?;
    if args.json {
        let value = serde_json::json!({
            "report": scored,
            "scores": Class::ALL.iter().map(|c| (c.as_str(), scored.scores(*c))).collect::<std::collections::BTreeMap<_, _>>(),
            "personnel_field_accuracy": scored.field_accuracy(),
        });
        print_json(&value)?;
    } else {
        print!("{}", report::eval_table(&scored));
    }
    let failures = scored.check();
    if args.check && !failures.is_empty() {
        report::print_failures(&failures);
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn eval_realworld(args: &EvalArgs, rules: &Rules) -> Result<ExitCode, CliError> {
    use crate::eval::realworld::{self, Gate};
    let mut pages = realworld::read_pages(&args.dir, rules)?;
    attach_item_labels(&mut pages, args.items.as_deref(), &args.dir)?;
    let all: Vec<&realworld::LabelledPage> = pages.iter().collect();
    let (fit_pages, fit) = realworld::score_with(&all, &rules.model);
    let checked = match args.folds {
        Some(k) => {
            let corpus = match args::training_corpus(&args.corpus, args.no_corpus) {
                Some(dir) => {
                    eprintln!(
                        "training on the other folds and the corpus {}",
                        dir.display()
                    );
                    crate::eval::corpus_examples(&dir, rules)?
                }
                None => Vec::new(),
            };
            let cv = realworld::cross_validate(&pages, &corpus, usize::from(k));
            if args.json {
                let value = serde_json::json!({ "cross_validated": cv, "fit": fit });
                print_json(&value)?;
            } else {
                print!("{}", report::cross_validated_table(&cv, &fit));
            }
            cv.pooled
        }
        None => {
            if args.json {
                let value = serde_json::json!({ "pages": fit_pages, "summary": fit });
                print_json(&value)?;
            } else {
                print!("{}", report::realworld_table(&fit_pages, &fit));
            }
            fit
        }
    };
    let gate = match &args.gate {
        Some(path) => Gate::load(path)?,
        None => Gate::default(),
    };
    let failures = gate.check(&checked);
    if args.check && !failures.is_empty() {
        report::print_failures(&failures);
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Gives each labelled page its teasers' item labels, from `items` or the shipped file.
fn attach_item_labels(
    pages: &mut [crate::eval::realworld::LabelledPage],
    items: Option<&std::path::Path>,
    dir: &std::path::Path,
) -> Result<(), CliError> {
    let default_items = PathBuf::from("fixtures/realworld-items/items.tsv");
    let path = match items {
        Some(path) => path.to_path_buf(),
        None if default_items.is_file() => default_items,
        None => return Ok(()),
    };
    let mut labels = crate::eval::items::read(&path)?;
    for page in pages.iter_mut() {
        page.item_labels = labels.remove(page.file()).unwrap_or_default();
    }
    if !labels.is_empty() {
        eprintln!(
            "{}: item labels of {} file(s) not among the labelled pages of {}",
            path.display(),
            labels.len(),
            dir.display()
        );
    }
    Ok(())
}

fn train(args: TrainArgs) -> Result<ExitCode, CliError> {
    use crate::eval::realworld;
    let rules = Rules::with_files(&args.rules)?;
    let mut pages = realworld::read_pages(&args.realworld, &rules)?;
    attach_item_labels(&mut pages, args.items.as_deref(), &args.realworld)?;
    let mut examples: Vec<_> = pages.iter().flat_map(realworld::examples).collect();
    let mut about = format!(
        "feedsplit train: {} labelled pages of {}",
        pages.len(),
        args.realworld.join("labels.v2.json").display()
    );
    if let Some(dir) = &args::training_corpus(&args.corpus, args.no_corpus) {
        let corpus = crate::eval::corpus_examples(dir, &rules)?;
        about.push_str(&format!(" and the corpus {}", dir.display()));
        examples.extend(corpus);
    }
    about.push_str(&format!(" ({} candidates)", examples.len()));
    if !examples.iter().any(|e| e.content.is_some()) {
        eprintln!("no item labels (--items FILE): the model keeps every teaser as an item");
    }
    let model = crate::classify::train::train(&examples, &about);
    if let Some(path) = &args.examples {
        let lines: String = examples
            .iter()
            .map(|e| {
                let features: std::collections::BTreeMap<String, f64> =
                    crate::classify::features::features(&e.item)
                        .into_iter()
                        .map(|f| (f.name, f.value))
                        .collect();
                let line = serde_json::json!({
                    "title": e.item.title,
                    "link": e.item.link,
                    "class": e.class,
                    "content": e.content,
                    "features": features,
                });
                format!("{line}\n")
            })
            .collect();
        write::write_atomic(path, lines.as_bytes()).map_err(CliError::Write)?;
    }
    write::write_atomic(&args.out, model.to_json().as_bytes()).map_err(CliError::Write)?;
    println!("{about} -> {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}

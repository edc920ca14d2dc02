//! Benchmarks over the real-world pages in `../shared/realworld/` (skipped when the folder is
//! absent): html5ever parsing alone against feedsplit's extraction and classification, loading
//! the rules, one `run` over the pages as sources, and peak memory of `convert` on the largest
//! page. `cargo bench` prints criterion's figures, then a summary with the ratios.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion};
use feedsplit::config::Config;
use feedsplit::input::{self, Document};
use feedsplit::pipeline::{Options, Outcome};
use feedsplit::rules::Rules;
use feedsplit::run::{self, RunOptions};

fn pages_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realworld")
}

/// Every page, decoded once, so parsing and extraction are measured on the same text.
fn load_pages(dir: &Path) -> Vec<(PathBuf, Document)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "html"))
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| {
            let bytes = std::fs::read(&p).ok()?;
            let doc = input::from_bytes(&p.display().to_string(), None, &bytes, None, None).ok()?;
            Some((p, doc))
        })
        .collect()
}

fn parse_all(pages: &[(PathBuf, Document)]) {
    for (_, doc) in pages {
        std::hint::black_box(scraper::Html::parse_document(&doc.text));
    }
}

fn extract_all(pages: &[(PathBuf, Document)], rules: &Rules) {
    for (_, doc) in pages {
        let options = Options {
            rules,
            kind: None,
            tz: chrono_tz::Europe::Copenhagen,
            source_name: "bench",
        };
        let mut outcome = Outcome::default();
        // A page that fails (too deep, unreadable) costs what it costs; the figure is the time.
        let _ = outcome.items_from(doc, &options);
        std::hint::black_box(outcome);
    }
}

/// A config with one source per page, writing into `dir`.
fn run_config(dir: &Path, pages: &[(PathBuf, Document)]) -> Config {
    let mut text = String::from("[output]\ndir = \"out\"\n\n");
    for (i, (path, _)) in pages.iter().enumerate() {
        text.push_str(&format!(
            "[[source]]\nname = \"page{i}\"\nurls = [{:?}]\n\n",
            path.display().to_string()
        ));
    }
    let path = dir.join("feedsplit.toml");
    match Config::parse(&text, &path) {
        Ok(c) => c,
        Err(e) => panic!("bench config: {e}"),
    }
}

fn run_once(config: &Config) {
    let options = RunOptions {
        wait: false,
        now: chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap_or_default(),
        concurrency: None,
        progress: Box::new(|_| {}),
    };
    std::hint::black_box(run::run(config, &options).ok());
}

/// Median wall time of `runs` calls.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

/// Peak resident memory of `feedsplit convert` on one page, in MB (Linux: the children's
/// maximum RSS after the child exits).
fn convert_peak_mb(page: &Path) -> Option<f64> {
    let out = tempfile::tempdir().ok()?;
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_feedsplit"))
        .args(["convert", "--name", "bench", "-o"])
        .arg(out.path())
        .arg(page)
        .stdout(std::process::Stdio::null())
        .status()
        .ok()?;
    if !status.success() {
        return None;
    }
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // Safety: getrusage writes into the struct we pass and reads nothing else.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    (rc == 0).then(|| usage.ru_maxrss as f64 / 1024.0)
}

/// The largest page by size on disk.
fn largest_page(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .max_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
}

fn main() {
    let dir = pages_dir();
    // Measured first, while this process is small: a child's peak memory as the kernel reports
    // it includes what the parent had mapped when the child was started.
    let largest = largest_page(&dir);
    let peak = largest.as_deref().and_then(convert_peak_mb);
    let pages = load_pages(&dir);
    if pages.is_empty() {
        println!(
            "skipped: no pages in {} (the real-world pages live in ../shared/realworld)",
            dir.display()
        );
        return;
    }
    let rules = Rules::builtin();
    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    {
        let mut group = c.benchmark_group(format!("realworld ({} pages)", pages.len()));
        group.bench_function("parse (html5ever)", |b| b.iter(|| parse_all(&pages)));
        group.bench_function("extract+classify", |b| {
            b.iter(|| extract_all(&pages, &rules))
        });
        group.finish();
    }
    c.bench_function("rules load", |b| b.iter(Rules::builtin));
    c.bench_function("run over the pages as sources", |b| {
        b.iter_batched(
            || {
                let tmp = tempfile::tempdir().expect("tmp");
                let config = run_config(tmp.path(), &pages);
                (tmp, config)
            },
            |(_tmp, config)| run_once(&config),
            BatchSize::PerIteration,
        )
    });
    c.final_summary();

    // Interleaved, so a busy machine slows both alike.
    let mut parse_times = Vec::new();
    let mut extract_times = Vec::new();
    for _ in 0..9 {
        parse_times.push(median(1, || parse_all(&pages)));
        extract_times.push(median(1, || extract_all(&pages, &rules)));
    }
    parse_times.sort();
    extract_times.sort();
    let (parse, extract) = (parse_times[4], extract_times[4]);
    let load = median(21, || {
        std::hint::black_box(Rules::builtin());
    });
    println!("\nsummary ({} pages, medians)", pages.len());
    println!("  parse alone (html5ever):  {:>8.1} ms", ms(parse));
    println!("  extract+classify:         {:>8.1} ms", ms(extract));
    println!(
        "  ratio:                    {:>8.2} x  (goal <= 2.5)",
        extract.as_secs_f64() / parse.as_secs_f64()
    );
    println!(
        "  rules load:               {:>8.2} ms  (goal <= 2)",
        ms(load)
    );
    match (largest, peak) {
        (Some(page), Some(mb)) => println!(
            "  convert peak memory:      {mb:>8.1} MB  on {} (goal <= 40)",
            page.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        ),
        _ => println!("  convert peak memory:      (not measured)"),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

//! Everything the commands print for people and cron mails: explanations, summaries, eval
//! tables, JSON. The text is built here; the commands decide when to print it.

use std::io::Write;
use std::path::Path;

use crate::eval::realworld::{CrossValidated, PageScore, Summary};
use crate::eval::{self, Confusion};
use crate::model::{Class, Classified};
use crate::pipeline::Outcome;
use crate::run::SourceReport;

#[derive(Debug, thiserror::Error)]
#[error("cannot write to standard output: {source}")]
pub struct OutputError {
    source: std::io::Error,
}

impl From<std::io::Error> for OutputError {
    fn from(source: std::io::Error) -> Self {
        OutputError { source }
    }
}

/// Pretty JSON on standard output.
pub fn print_json(value: &serde_json::Value) -> Result<(), OutputError> {
    let mut text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
    text.push('\n');
    print_bytes(text.as_bytes())
}

/// Writes generated text to standard output; a reader that stopped early (`| head`) is fine.
pub fn print_bytes(bytes: &[u8]) -> Result<(), OutputError> {
    match std::io::stdout().lock().write_all(bytes) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Each failed check on standard error, the way every error is printed.
pub fn print_failures(failures: &[String]) {
    for f in failures {
        eprintln!("feedsplit: {f}");
    }
}

/// One line per item (class, title, reasons); with `skipped`, also what was left out and why.
pub fn explain_lines(outcome: &Outcome, skipped: bool) -> Vec<String> {
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

/// `convert`'s line: items per class, where the feeds went, and how many files changed.
pub fn converted(
    name: &str,
    items: &[Classified],
    dir: &Path,
    changed: usize,
    files: usize,
) -> String {
    let count = |c: Class| items.iter().filter(|i| i.class == c).count();
    format!(
        "{name}: {} editorial, {} sponsored, {} personnel -> {} ({changed} of {files} files changed)",
        count(Class::Editorial),
        count(Class::Sponsored),
        count(Class::Personnel),
        dir.join(name).display(),
    )
}

/// Prints a source's report as `run` does: the summary (failures to stderr), warnings,
/// suspects, and with `verbose` what happened to each URL and each item that changed feeds.
pub fn print_source(r: &SourceReport, quiet: bool, verbose: bool) {
    if r.failed() {
        eprintln!("{}", source_summary(r));
    } else if !quiet {
        println!("{}", source_summary(r));
    }
    if let Some(w) = &r.warning {
        eprintln!("warning: {w}");
    }
    if !quiet {
        for s in &r.suspects {
            println!("  suspect: {s}");
        }
    }
    if verbose {
        for line in r.details.iter().chain(&r.moves) {
            println!("  {line}");
        }
    }
}

/// The one summary line per source that cron mails show.
pub fn source_summary(r: &SourceReport) -> String {
    let status = if r.failed() { "FAILED" } else { "ok" };
    let mut line = format!(
        "{}: {status}; fetched {}, not modified {}, failed {}; new: {} editorial, {} sponsored, {} personnel",
        r.name,
        r.fetched,
        r.not_modified,
        r.failures.len(),
        r.new[Class::Editorial],
        r.new[Class::Sponsored],
        r.new[Class::Personnel],
    );
    if !r.suspects.is_empty() {
        line.push_str(&format!("; {} suspect", r.suspects.len()));
    }
    if let Some(first) = r.failures.first() {
        line.push_str(&format!(" ({first})"));
    }
    line
}

/// The corpus eval's table: scores per class, field accuracy, the confusion matrix, misses.
pub fn eval_table(report: &eval::Report) -> String {
    let mut out = format!("pages: {}\n\n", report.pages);
    out.push_str("class       precision  recall  F1\n");
    for class in Class::ALL {
        let s = report.scores(class);
        out.push_str(&format!(
            "{:<11} {:>9.3}  {:>6.3}  {:.3}\n",
            class.as_str(),
            s.precision,
            s.recall,
            s.f1
        ));
    }
    out.push_str(&format!(
        "\npersonnel field accuracy: {:.3} ({} of {} fields)\n",
        report.field_accuracy(),
        report.fields_right,
        report.fields_checked
    ));
    out.push_str("\nconfusion (rows: labelled, columns: predicted)\n");
    out.push_str(&format!("{:<11}", ""));
    for a in Confusion::AXIS {
        out.push_str(&format!("{:>11}", eval::axis_name(a)));
    }
    out.push('\n');
    for row in Confusion::AXIS {
        out.push_str(&format!("{:<11}", eval::axis_name(row)));
        for col in Confusion::AXIS {
            out.push_str(&format!("{:>11}", report.confusion.count(row, col)));
        }
        out.push('\n');
    }
    if !report.misses.is_empty() {
        out.push_str("\nmisses\n");
        for m in &report.misses {
            out.push_str(&format!(
                "{}: {:?} labelled {}, got {} ({})\n",
                m.page, m.title, m.labelled, m.predicted, m.reasons
            ));
        }
    }
    out
}

/// The real-world eval's table: a line per page with what it missed, then the figures.
pub fn realworld_table(pages: &[PageScore], summary: &Summary) -> String {
    let mut out = String::new();
    for p in pages {
        let ok = p.main_ok && p.misses.is_empty();
        out.push_str(&format!(
            "{} {:<40} main: {:<26} got {:<10} paid {}/{}, false alarms {}, people {}/{}\n",
            if ok { "ok  " } else { "MISS" },
            p.file,
            p.main_labelled,
            p.main_predicted,
            p.paid_found,
            p.paid_labelled,
            p.false_alarms,
            p.personnel_found,
            p.personnel_labelled,
        ));
        for m in &p.misses {
            out.push_str(&format!("       {m}\n"));
        }
    }
    out.push('\n');
    out.push_str(&summary_lines(summary));
    out
}

/// The figures of a set of pages, a line each.
fn summary_lines(summary: &Summary) -> String {
    format!(
        "pages: {}\n\
         main article right: {:.3} ({} of {})\n\
         posts labelled sponsored found: {:.3} ({} of {})\n\
         editorial or personnel main articles in the sponsored feed: {}\n\
         paid items: recall {:.3} ({} of {}), precision {:.3} ({} called sponsored)\n\
         personnel items: recall {:.3} ({} of {}; {} of them as the page's own article)\n\
         {}\n",
        summary.pages,
        summary.main_accuracy(),
        summary.main_right,
        summary.pages,
        summary.sponsored_post_recall(),
        summary.sponsored_posts_found,
        summary.sponsored_posts,
        summary.journalism_in_sponsored,
        summary.paid_recall(),
        summary.paid_found,
        summary.paid_labelled,
        summary.paid_precision(),
        summary.paid_called,
        summary.personnel_recall(),
        summary.personnel_found,
        summary.personnel_labelled,
        summary.personnel_found_as_main,
        items_line(&summary.items),
    )
}

/// The editorial feed against the item labels, or why it was not measured.
fn items_line(s: &crate::eval::items::ItemSummary) -> String {
    if !s.measured() {
        return "editorial feed (judged teasers): not measured, no teaser has an item label"
            .to_string();
    }
    format!(
        "editorial feed (judged teasers): precision {:.3} ({} content of {} kept), content recall \
         {:.3} ({} of {}), headlines right {:.3} ({} of {}); {} kept unjudged",
        s.precision(),
        s.kept_content,
        s.kept_judged,
        s.recall(),
        s.content_kept,
        s.content,
        s.headline_accuracy(),
        s.headlines_right,
        s.headlines,
        s.unjudged,
    )
}

/// Cross-validation by site: each page as the model that never saw its site scored it, a line
/// per fold, the pooled held-out figures (the ones that count), and the fit beside them.
pub fn cross_validated_table(cv: &CrossValidated, fit: &Summary) -> String {
    let mut out = realworld_table(&cv.pages, &cv.pooled);
    out.push_str("\nfolds (by site; each scored by a model trained on the others)\n");
    for f in &cv.folds {
        let s = &f.summary;
        out.push_str(&format!(
            "fold {}: {} sites, {} pages; main {:.3}, posts {}/{}, journalism in sponsored {}, \
             paid recall {:.3} precision {:.3}, people {}/{}\n",
            f.fold,
            f.sites,
            f.pages,
            s.main_accuracy(),
            s.sponsored_posts_found,
            s.sponsored_posts,
            s.journalism_in_sponsored,
            s.paid_recall(),
            s.paid_precision(),
            s.personnel_found,
            s.personnel_labelled,
        ));
    }
    out.push_str("\nfit on every page (the model deciding: built-in unless --model; a debugging aid, not the target)\n");
    out.push_str(&summary_lines(fit));
    out.push_str("\ncross-validated, pooled over every held-out page\n");
    out.push_str(&summary_lines(&cv.pooled));
    out
}

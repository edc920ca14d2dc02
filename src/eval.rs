//! Measuring the classifier: a labelled corpus (pages with `NAME.expected.toml` beside them) or
//! the real-world pages' `labels.v2.json`, run through the same pipeline as `convert`.

pub mod items;
pub mod realworld;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::classify::train::Example;
use crate::input::FetchOptions;
use crate::model::{Class, Classified, Item};
use crate::pipeline::{self, Direct, Options};
use crate::rules::{Rules, normalize};

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: bad labels: {message}")]
    Labels { path: String, message: String },
    #[error("{0}: no labelled pages (NAME.expected.toml beside NAME.html/.txt/.rss/.atom/.json)")]
    Empty(String),
    #[error(transparent)]
    Pipeline(#[from] pipeline::PipelineError),
}

/// The labels of one page: what each feed should hold. The format is documented in
/// `fixtures/corpus/README.md`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// Titles of the editorial items.
    #[serde(default)]
    pub editorial: Vec<String>,
    /// Text that must not appear in the editorial feed.
    #[serde(default)]
    pub editorial_excludes: Vec<String>,
    /// Text that must appear in the editorial feed.
    #[serde(default)]
    pub editorial_includes: Vec<String>,
    #[serde(default)]
    pub sponsored: Vec<ExpectedSponsored>,
    #[serde(default)]
    pub personnel: Vec<ExpectedPerson>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedSponsored {
    pub title: String,
    pub sponsor: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedPerson {
    pub person: String,
    pub company: Option<String>,
    pub role: Option<String>,
    pub date: Option<String>,
    pub kind: crate::model::NoticeKind,
    pub age: Option<u32>,
}

impl Expected {
    pub fn load(path: &Path) -> Result<Expected, EvalError> {
        load_toml(path)
    }
}

/// A TOML file of labels or floors, with errors naming the file.
fn load_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|source| EvalError::Read {
        path: path.display().to_string(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| EvalError::Labels {
        path: path.display().to_string(),
        message: crate::rules::one_line(&e.to_string()),
    })
}

/// Every labelled page in a directory: (input, labels), sorted by name.
pub fn labelled_pages(dir: &Path) -> Result<Vec<(PathBuf, Expected)>, EvalError> {
    let read = |source| EvalError::Read {
        path: dir.display().to_string(),
        source,
    };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read)? {
        let path = entry.map_err(read)?.path();
        let Some(stem) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".expected.toml"))
        else {
            continue;
        };
        let input = ["html", "htm", "txt", "rss", "atom", "xml", "json"]
            .iter()
            .map(|ext| dir.join(format!("{stem}.{ext}")))
            .find(|p| p.exists())
            .ok_or_else(|| EvalError::Labels {
                path: path.display().to_string(),
                message: "no page beside it".into(),
            })?;
        out.push((input, Expected::load(&path)?));
    }
    if out.is_empty() {
        return Err(EvalError::Empty(dir.display().to_string()));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Items counted by the class the labels give them (rows) and the class the tool gave them
/// (columns). `None` is "none": an item the labels lack, or a labelled item not found.
#[derive(Debug, Clone, Default)]
pub struct Confusion([[usize; 4]; 4]);

impl Confusion {
    /// Rows and columns in order: the three classes, then none.
    pub const AXIS: [Option<Class>; 4] = [
        Some(Class::Editorial),
        Some(Class::Sponsored),
        Some(Class::Personnel),
        None,
    ];

    fn at(c: Option<Class>) -> usize {
        c.map_or(3, |c| c as usize)
    }

    pub fn add(&mut self, labelled: Option<Class>, predicted: Option<Class>) {
        self.0[Self::at(labelled)][Self::at(predicted)] += 1;
    }

    pub fn count(&self, labelled: Option<Class>, predicted: Option<Class>) -> usize {
        self.0[Self::at(labelled)][Self::at(predicted)]
    }
}

/// JSON keeps the matrix as rows of counts in `Confusion::AXIS` order.
impl Serialize for Confusion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// A row's or column's name: the class, or "none".
pub fn axis_name(c: Option<Class>) -> &'static str {
    c.map_or("none", Class::as_str)
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub pages: usize,
    pub confusion: Confusion,
    pub fields_checked: usize,
    pub fields_right: usize,
    pub misses: Vec<Miss>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    pub page: String,
    pub title: String,
    pub labelled: String,
    pub predicted: String,
    pub reasons: String,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Scores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Report {
    pub fn scores(&self, class: Class) -> Scores {
        let (c, m) = (Some(class), &self.confusion);
        let tp = m.count(c, c) as f64;
        let predicted: usize = Confusion::AXIS.iter().map(|r| m.count(*r, c)).sum();
        let labelled: usize = Confusion::AXIS.iter().map(|p| m.count(c, *p)).sum();
        let ratio = |n: f64, d: usize| if d == 0 { 1.0 } else { n / d as f64 };
        let precision = ratio(tp, predicted);
        let recall = ratio(tp, labelled);
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Scores {
            precision,
            recall,
            f1,
        }
    }

    pub fn field_accuracy(&self) -> f64 {
        if self.fields_checked == 0 {
            1.0
        } else {
            self.fields_right as f64 / self.fields_checked as f64
        }
    }

    /// The thresholds the project holds itself to; the failures, if any.
    pub fn check(&self) -> Vec<String> {
        let s = self.scores(Class::Sponsored);
        let p = self.scores(Class::Personnel);
        let e = self.scores(Class::Editorial);
        let gates = [
            ("sponsored recall", s.recall, 1.0),
            ("sponsored precision", s.precision, 0.98),
            ("personnel F1", p.f1, 0.98),
            ("personnel field accuracy", self.field_accuracy(), 0.95),
            ("editorial recall", e.recall, 0.98),
        ];
        gates
            .iter()
            .filter(|(_, value, min)| value + 1e-9 < *min)
            .map(|(name, value, min)| format!("{name} {value:.3} is below {min:.2}"))
            .collect()
    }
}

/// Every labelled page of `dir` through the pipeline: its file name, labels and outcome.
fn run_labelled(
    dir: &Path,
    rules: &Rules,
) -> Result<Vec<(String, Expected, pipeline::Outcome)>, EvalError> {
    let mut out = Vec::new();
    for (input, expected) in labelled_pages(dir)? {
        let name_of = |n: Option<&std::ffi::OsStr>| {
            n.map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let outcome = run_page(
            &input.display().to_string(),
            &name_of(input.file_stem()),
            rules,
        )?;
        out.push((name_of(input.file_name()), expected, outcome));
    }
    Ok(out)
}

/// Runs every labelled page of `dir` through the pipeline and scores it.
pub fn evaluate(dir: &Path, rules: &Rules) -> Result<Report, EvalError> {
    let mut report = Report::default();
    for (page, expected, outcome) in run_labelled(dir, rules)? {
        score_page(&page, &expected, &outcome.items, &mut report);
        report.pages += 1;
    }
    Ok(report)
}

/// One page through the same pipeline as `convert`, named for its tag ids.
fn run_page(input: &str, name: &str, rules: &Rules) -> Result<pipeline::Outcome, EvalError> {
    let options = Options {
        rules,
        kind: None,
        tz: chrono_tz::Europe::Copenhagen,
        source_name: name,
    };
    let fetch = Direct(&FetchOptions::default());
    Ok(pipeline::run_inputs(
        &[input.to_string()],
        &options,
        &fetch,
    )?)
}

/// Which item each label names, in the order labels are matched (editorial titles, sponsored
/// titles, people by name; each item taken once), and which items no label names.
struct Taken {
    editorial: Vec<Option<usize>>,
    sponsored: Vec<Option<usize>>,
    personnel: Vec<Option<usize>>,
    used: Vec<bool>,
}

fn take_labelled(expected: &Expected, items: &[&Item]) -> Taken {
    let mut used = vec![false; items.len()];
    // The first item not yet matched that passes `test`, marked as matched.
    let mut take = |test: &dyn Fn(&Item) -> bool| {
        let at = (0..items.len()).find(|&i| !used[i] && test(items[i]))?;
        used[at] = true;
        Some(at)
    };
    let same_title = |title: &str| {
        let want = normalize(title);
        move |i: &Item| normalize(&i.title) == want
    };
    let editorial = expected
        .editorial
        .iter()
        .map(|t| take(&same_title(t)))
        .collect();
    let sponsored = expected
        .sponsored
        .iter()
        .map(|s| take(&same_title(&s.title)))
        .collect();
    let personnel = expected
        .personnel
        .iter()
        .map(|p| {
            let want = normalize(&p.person);
            take(&|i: &Item| {
                i.personnel
                    .as_ref()
                    .and_then(|x| x.person.as_deref())
                    .is_some_and(|person| normalize(person) == want)
            })
        })
        .collect();
    Taken {
        editorial,
        sponsored,
        personnel,
        used,
    }
}

fn score_page(page: &str, expected: &Expected, items: &[Classified], report: &mut Report) {
    let plain: Vec<&Item> = items.iter().map(|c| &c.item).collect();
    let taken = take_labelled(expected, &plain);
    let found = |at: Option<usize>| at.map(|i| &items[i]);
    for (title, at) in expected.editorial.iter().zip(&taken.editorial) {
        report.tally(page, title, Some(Class::Editorial), found(*at));
    }
    for (s, at) in expected.sponsored.iter().zip(&taken.sponsored) {
        report.tally(page, &s.title, Some(Class::Sponsored), found(*at));
    }
    for (p, at) in expected.personnel.iter().zip(&taken.personnel) {
        report.tally(page, &p.person, Some(Class::Personnel), found(*at));
        let got = found(*at).and_then(|c| c.item.personnel.as_ref());
        for (want, have) in p.fields(got) {
            report.field(page, &p.person, want, have);
        }
    }
    for (c, _) in items.iter().zip(&taken.used).filter(|(_, used)| !**used) {
        report.tally(page, &c.item.title, None, Some(c));
    }
}

/// Every item of the corpus's pages with the class its labels give it (an item no label names
/// is editorial): training examples besides the real-world pages.
pub fn corpus_examples(dir: &Path, rules: &Rules) -> Result<Vec<Example>, EvalError> {
    let mut out = Vec::new();
    for (_, expected, outcome) in run_labelled(dir, rules)? {
        let items: Vec<&Item> = outcome
            .items
            .iter()
            .chain(&outcome.dropped)
            .map(|c| &c.item)
            .collect();
        let taken = take_labelled(&expected, &items);
        let mut classes = vec![Class::Editorial; items.len()];
        for at in taken.sponsored.iter().flatten() {
            classes[*at] = Class::Sponsored;
        }
        for at in taken.personnel.iter().flatten() {
            classes[*at] = Class::Personnel;
        }
        // An editorial title the page's labels list is an article's teaser.
        let mut content = vec![None; items.len()];
        for at in taken.editorial.iter().flatten() {
            content[*at] = Some(true);
        }
        out.extend(
            items
                .into_iter()
                .zip(classes)
                .zip(content)
                .map(|((item, class), content)| Example {
                    item: item.clone(),
                    class,
                    content,
                }),
        );
    }
    Ok(out)
}

impl ExpectedPerson {
    /// (labelled, parsed) for every field the labels give.
    fn fields(&self, got: Option<&crate::model::Personnel>) -> Vec<(String, Option<String>)> {
        let mut out = vec![(self.person.clone(), got.and_then(|g| g.person.clone()))];
        if let Some(c) = &self.company {
            out.push((c.clone(), got.and_then(|g| g.company.clone())));
        }
        if let Some(r) = &self.role {
            out.push((r.clone(), got.and_then(|g| g.role.clone())));
        }
        if let Some(d) = &self.date {
            out.push((d.clone(), got.and_then(|g| g.date).map(|x| x.to_string())));
        }
        out.push((self.kind.to_string(), got.map(|g| g.kind.to_string())));
        if let Some(a) = self.age {
            out.push((
                a.to_string(),
                got.and_then(|g| g.age).map(|x| x.to_string()),
            ));
        }
        out
    }
}

impl Report {
    /// Counts one labelled item (or, with `labelled` None, an item the labels lack) against
    /// what the tool made of it, and records a miss when they differ.
    fn tally(
        &mut self,
        page: &str,
        title: &str,
        labelled: Option<Class>,
        found: Option<&Classified>,
    ) {
        let predicted = found.map(|c| c.class);
        self.confusion.add(labelled, predicted);
        if labelled != predicted {
            self.misses.push(Miss {
                page: page.to_string(),
                title: title.to_string(),
                labelled: axis_name(labelled).to_string(),
                predicted: axis_name(predicted).to_string(),
                reasons: found.map_or_else(|| "not found on the page".into(), |c| c.reason_text()),
            });
        }
    }

    fn field(&mut self, page: &str, person: &str, want: String, have: Option<String>) {
        self.fields_checked += 1;
        if have.as_deref() == Some(want.as_str()) {
            self.fields_right += 1;
        } else {
            self.misses.push(Miss {
                page: page.to_string(),
                title: person.to_string(),
                labelled: format!("field {want:?}"),
                predicted: format!("{:?}", have.unwrap_or_default()),
                reasons: "personnel field".into(),
            });
        }
    }
}

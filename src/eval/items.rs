//! Item labels of the real-world pages: is each candidate teaser an item at all (`content`,
//! `nav`, `ad`, `other`), and its fair headline. Scores the editorial feed as a reader sees
//! it: how much of what it keeps is content, how much content it keeps, and whether each
//! headline is the headline.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use super::EvalError;
use super::realworld::{link_key as key, title_key};
use crate::classify::{Class, Classified};
use crate::model::{Block, Item};

/// What a candidate teaser is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Content,
    Nav,
    Ad,
    Other,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Content => "content",
            Verdict::Nav => "nav",
            Verdict::Ad => "ad",
            Verdict::Other => "other",
        }
    }

    fn parse(s: &str) -> Option<Verdict> {
        Some(match s {
            "content" => Verdict::Content,
            "nav" => Verdict::Nav,
            "ad" => Verdict::Ad,
            "other" => Verdict::Other,
            _ => return None,
        })
    }
}

/// One labelled candidate of a page.
#[derive(Debug, Clone)]
pub struct ItemLabel {
    pub href: String,
    pub verdict: Verdict,
    /// The fair headline (empty where the page shows none, and for nav and other).
    pub headline: String,
}

/// Reads a TSV of `file href verdict headline` (with that header), grouped by file.
pub fn read(path: &Path) -> Result<HashMap<String, Vec<ItemLabel>>, EvalError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| EvalError::Read {
        path: shown.clone(),
        source,
    })?;
    let bad = |line: usize, message: &str| EvalError::Labels {
        path: shown.clone(),
        message: format!("line {line}: {message}"),
    };
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, "file\thref\tverdict\theadline")) => {}
        _ => return Err(bad(1, "the header must be `file href verdict headline`")),
    }
    let mut out: HashMap<String, Vec<ItemLabel>> = HashMap::new();
    for (i, line) in lines {
        let fields: Vec<&str> = line.split('\t').collect();
        let [file, href, verdict, headline] = fields[..] else {
            return Err(bad(i + 1, "expected four tab-separated fields"));
        };
        let verdict = Verdict::parse(verdict)
            .ok_or_else(|| bad(i + 1, &format!("unknown verdict {verdict:?}")))?;
        out.entry(file.to_string()).or_default().push(ItemLabel {
            href: href.to_string(),
            verdict,
            headline: headline.to_string(),
        });
    }
    Ok(out)
}

/// The editorial feed's figures over the judged teasers.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ItemSummary {
    /// Judged teasers in the editorial feed, and the content among them.
    pub kept_judged: usize,
    pub kept_content: usize,
    /// Teasers judged content, and how many of them the editorial feed keeps.
    pub content: usize,
    pub content_kept: usize,
    /// Content kept with a judged headline, and how many titles are that headline.
    pub headlines: usize,
    pub headlines_right: usize,
    /// Editorial-feed teasers no label judges (found by a newer build).
    pub unjudged: usize,
}

impl ItemSummary {
    pub fn add(&mut self, o: &ItemSummary) {
        self.kept_judged += o.kept_judged;
        self.kept_content += o.kept_content;
        self.content += o.content;
        self.content_kept += o.content_kept;
        self.headlines += o.headlines;
        self.headlines_right += o.headlines_right;
        self.unjudged += o.unjudged;
    }
    /// Whether any teaser was judged at all (else the ratios say nothing).
    pub fn measured(&self) -> bool {
        self.kept_judged + self.content > 0
    }
    pub fn precision(&self) -> f64 {
        super::realworld::ratio(self.kept_content, self.kept_judged)
    }
    pub fn recall(&self) -> f64 {
        super::realworld::ratio(self.content_kept, self.content)
    }
    pub fn headline_accuracy(&self) -> f64 {
        super::realworld::ratio(self.headlines_right, self.headlines)
    }
}

/// A page's item labels by link.
pub fn verdicts(labels: &[ItemLabel]) -> HashMap<String, Verdict> {
    labels.iter().map(|l| (key(&l.href), l.verdict)).collect()
}

/// Whether a judged teaser is content (`None` when no label judges it).
pub fn is_content(verdicts: &HashMap<String, Verdict>, item: &Item) -> Option<bool> {
    let verdict = verdicts.get(&key(item.link.as_deref()?))?;
    Some(*verdict == Verdict::Content)
}

/// Scores one page's teasers against its item labels; misses go to `misses`, a line each.
pub fn score(
    labels: &[ItemLabel],
    items: &[Classified],
    summary: &mut ItemSummary,
    misses: &mut Vec<String>,
) {
    if labels.is_empty() {
        return;
    }
    let by_link: HashMap<String, &ItemLabel> = labels.iter().map(|l| (key(&l.href), l)).collect();
    let kept: Vec<&Classified> = items
        .iter()
        .filter(|c| {
            c.item.block != Block::Article && c.class == Class::Editorial && c.not_an_item.is_none()
        })
        .collect();
    for c in &kept {
        let Some(label) = c.item.link.as_deref().and_then(|l| by_link.get(&key(l))) else {
            summary.unjudged += 1;
            continue;
        };
        summary.kept_judged += 1;
        if label.verdict == Verdict::Content {
            summary.kept_content += 1;
            if !label.headline.is_empty() {
                summary.headlines += 1;
                if same(&c.item.title, &label.headline) {
                    summary.headlines_right += 1;
                } else {
                    misses.push(format!(
                        "headline {:?} is {:?}",
                        c.item.title, label.headline
                    ));
                }
            }
        } else {
            misses.push(format!(
                "{} in the editorial feed: {:?}",
                label.verdict.as_str(),
                c.item.title
            ));
        }
    }
    let kept_links: Vec<String> = kept
        .iter()
        .filter_map(|c| c.item.link.as_deref().map(key))
        .collect();
    for label in labels.iter().filter(|l| l.verdict == Verdict::Content) {
        summary.content += 1;
        if kept_links.contains(&key(&label.href)) {
            summary.content_kept += 1;
        } else {
            misses.push(format!("content teaser {:?} not kept", label.href));
        }
    }
}

fn same(a: &str, b: &str) -> bool {
    title_key(a) == title_key(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Item;

    fn label(href: &str, verdict: Verdict, headline: &str) -> ItemLabel {
        ItemLabel {
            href: href.into(),
            verdict,
            headline: headline.into(),
        }
    }

    fn kept(link: &str, title: &str) -> Classified {
        let mut item = Item::teaser(link, vec![]);
        item.title = title.into();
        crate::classify::classify(item, &crate::classify::Model::shared())
    }

    #[test]
    fn scores_what_the_editorial_feed_keeps() {
        let labels = [
            label("https://a.example/news/1", Verdict::Content, "Rates rise"),
            label("https://a.example/news/2", Verdict::Content, "Bridge opens"),
            label("https://a.example/sport", Verdict::Nav, ""),
            label("https://a.example/news/3", Verdict::Content, "Lost story"),
        ];
        let items = [
            kept("http://a.example/news/1/", "Rates rise"),
            kept("https://a.example/news/2", "14:00 Bridge opens"),
            kept("https://a.example/sport", "Sport"),
            kept("https://a.example/new", "Unjudged"),
        ];
        let (mut s, mut misses) = (ItemSummary::default(), Vec::new());
        score(&labels, &items, &mut s, &mut misses);
        assert_eq!((s.kept_judged, s.kept_content), (3, 2));
        assert_eq!((s.content, s.content_kept), (3, 2));
        assert_eq!((s.headlines, s.headlines_right), (2, 1));
        assert_eq!(s.unjudged, 1);
        assert_eq!(misses.len(), 3, "{misses:?}");
    }

    #[test]
    fn a_bad_row_names_its_line() {
        let dir = std::env::temp_dir().join(format!("feedsplit-items-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("items.tsv");
        std::fs::write(
            &path,
            "file\thref\tverdict\theadline\na.html\thttps://x\tmaybe\t\n",
        )
        .expect("write");
        let err = read(&path).expect_err("unknown verdict").to_string();
        assert!(err.contains("line 2") && err.contains("maybe"), "{err}");
        std::fs::write(
            &path,
            "file\thref\tverdict\theadline\na.html\thttps://x\tnav\t\n",
        )
        .expect("write");
        assert_eq!(read(&path).expect("reads")["a.html"].len(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

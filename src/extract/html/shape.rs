//! A teaser's shape: where the link stands (landmark, the page parts its ancestors' class words
//! name, its list), what its address looks like and what its box holds. The item-or-not
//! decision weighs these; nothing here decides alone.

use scraper::ElementRef;

use super::{Page, is_heading};
use crate::extract::identity::site_host;
use crate::model::Shape;

/// Ancestors whose class and id words count: past a handful of levels a word names the page's
/// layout (`body class="single-post"`), not the teaser's part of it.
const ROLE_LEVELS: usize = 7;
/// Ancestors searched for the list a link belongs to.
const GROUP_LEVELS: usize = 5;

impl<'a> Page<'a> {
    /// The shape of the teaser behind `anchor`, in its `container`, titled `title`.
    pub(super) fn shape(
        &self,
        anchor: ElementRef<'a>,
        container: ElementRef<'a>,
        href: &str,
        title: &str,
        blurb: bool,
    ) -> Shape {
        let map = self.map;
        let mut shape = Shape {
            title_words: count(title.split_whitespace().count()),
            title_chars: count(title.chars().count()),
            blurb,
            position: map.pos(anchor) as f64 / map.elements().len().max(1) as f64,
            ..Shape::default()
        };
        let letters: Vec<char> = title.chars().filter(|c| c.is_alphabetic()).collect();
        shape.capitals = letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase());
        let chain: Vec<ElementRef> = std::iter::once(anchor)
            .chain(anchor.ancestors().filter_map(ElementRef::wrap))
            .collect();
        shape.landmark = chain.iter().find_map(|e| landmark(*e)).map(str::to_string);
        for e in chain.iter().take(ROLE_LEVELS) {
            each_class_word(*e, |word| {
                if let Some(role) = self.rules().class_role(word)
                    && !shape.roles.iter().any(|r| r == role)
                {
                    shape.roles.push(role.to_string());
                }
            });
        }
        shape.roles.sort();
        self.address_shape(href, title, &mut shape);
        let inside = map.subtree(container);
        shape.image = inside
            .iter()
            .any(|e| matches!(e.value().name(), "img" | "picture"));
        shape.date = inside.iter().any(|e| {
            e.value().name() == "time" || {
                let mut dated = false;
                each_class_word(*e, |w| dated |= matches!(w, "date" | "time" | "timestamp"));
                dated
            }
        });
        shape.heading = inside.iter().any(|e| is_heading(e.value().name()))
            || chain.iter().take(3).any(|e| is_heading(e.value().name()));
        let group = chain
            .iter()
            .skip(1)
            .take(GROUP_LEVELS)
            .find(|e| matches!(e.value().name(), "ul" | "ol" | "menu" | "dl" | "table"))
            .copied()
            .or_else(|| container.parent().and_then(ElementRef::wrap))
            .unwrap_or(container);
        let words: Vec<usize> = map
            .subtree(group)
            .iter()
            .filter(|e| e.value().name() == "a" && e.attr("href").is_some())
            .map(|a| map.text(*a).split_whitespace().count())
            .collect();
        shape.group_links = count(words.len());
        shape.group_words = if words.is_empty() {
            0.0
        } else {
            words.iter().sum::<usize>() as f64 / words.len() as f64
        };
        shape
    }

    /// What a teaser's shape says beside the page's other links: links under its path, titles
    /// opening like its own, the page's usual title length.
    pub(super) fn page_context(&self, items: &mut [crate::model::Item]) {
        let map = self.map;
        // Every link of the page outside ignored regions, as host and path, sorted.
        let mut paths: Vec<String> = map
            .named("a")
            .filter(|a| !self.is_ignored(*a))
            .filter_map(|a| self.href(a))
            .filter_map(host_and_path)
            .collect();
        paths.sort_unstable();
        paths.dedup();
        let opening = |title: &str| -> Option<String> {
            let words: Vec<String> = title
                .split_whitespace()
                .take(2)
                .map(str::to_lowercase)
                .collect();
            (words.len() == 2).then(|| words.join(" "))
        };
        let mut openings: std::collections::HashMap<String, u32> = Default::default();
        let mut lengths: Vec<u32> = Vec::new();
        for item in items.iter().filter(|i| i.shape.is_some()) {
            if let Some(o) = opening(&item.title) {
                *openings.entry(o).or_default() += 1;
            }
            lengths.push(count(item.title.split_whitespace().count()));
        }
        lengths.sort_unstable();
        let median = lengths.get(lengths.len() / 2).copied().unwrap_or(0);
        for item in items.iter_mut() {
            let Some(shape) = item.shape.as_mut() else {
                continue;
            };
            shape.page_title_words = median;
            shape.same_start = opening(&item.title)
                .and_then(|o| openings.get(&o).copied())
                .map_or(0, |n| n.saturating_sub(1));
            if let Some(mut own) = item.link.as_deref().and_then(host_and_path) {
                if !own.ends_with('/') {
                    own.push('/');
                }
                let from = paths.partition_point(|p| p.as_str() < own.as_str());
                shape.children = count(
                    paths[from..]
                        .iter()
                        .take_while(|p| p.starts_with(own.as_str()))
                        .filter(|p| p.len() > own.len())
                        .count(),
                );
            }
        }
    }

    /// What the link's address says: depth, slug, id or date, file ending, query, host.
    fn address_shape(&self, href: &str, title: &str, shape: &mut Shape) {
        let Ok(url) = url::Url::parse(href) else {
            return;
        };
        // A subdomain of the page's own (`m.`, `sport.`) or the other way round is the site's.
        shape.external = url.host_str().is_some_and(|h| {
            let h = site_host(h);
            let same = |own: &String| {
                h == *own || h.ends_with(&format!(".{own}")) || own.ends_with(&format!(".{h}"))
            };
            !self.own_hosts.is_empty() && !self.own_hosts.iter().any(same)
        });
        shape.query = url.query().is_some_and(|q| !q.is_empty());
        let segments: Vec<String> = url
            .path_segments()
            .map(|s| {
                s.filter(|s| !s.is_empty())
                    .map(|s| {
                        percent_encoding::percent_decode_str(s)
                            .decode_utf8_lossy()
                            .into_owned()
                    })
                    .collect()
            })
            .unwrap_or_default();
        shape.path_depth = count(segments.len());
        let path = url.path();
        shape.id_in_path = has_digit_run(path, 4);
        shape.date_in_path = has_date(path);
        let Some(last) = segments.last() else {
            return;
        };
        let (stem, ending) = match last.rsplit_once('.') {
            Some((stem, ext)) if ext.len() <= 5 && ext.chars().all(|c| c.is_ascii_alphabetic()) => {
                (stem, true)
            }
            _ => (last.as_str(), false),
        };
        shape.file_ending = ending;
        shape.slug_words = count(
            stem.split(['-', '_', '+', ' ', ','])
                .filter(|w| w.chars().any(char::is_alphabetic))
                .count(),
        );
        let squash = |s: &str| -> String {
            s.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect()
        };
        let t = squash(title);
        shape.title_is_path = !t.is_empty() && t == squash(stem);
        // The path as written and decoded: a slug may spell a word either way.
        let address = path.to_lowercase() + &segments.join("/").to_lowercase();
        shape.title_in_address = count(
            title
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.chars().count() >= 3)
                .filter(|w| address.contains(&w.to_lowercase()))
                .count(),
        );
    }
}

/// A link as `host/path` without `www.` and query, for finding links under another's path.
fn host_and_path(href: &str) -> Option<String> {
    let url = url::Url::parse(href).ok()?;
    Some(format!("{}{}", site_host(url.host_str()?), url.path()))
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The landmark an element is: by its tag or its ARIA role.
fn landmark(e: ElementRef) -> Option<&'static str> {
    let by_role = e.attr("role").and_then(|r| {
        Some(match r.trim().to_ascii_lowercase().as_str() {
            "navigation" => "nav",
            "banner" => "header",
            "contentinfo" => "footer",
            "complementary" => "aside",
            "main" => "main",
            "menu" | "menubar" => "menu",
            "article" => "article",
            _ => return None,
        })
    });
    by_role.or(match e.value().name() {
        "nav" => Some("nav"),
        "header" => Some("header"),
        "footer" => Some("footer"),
        "aside" => Some("aside"),
        "main" => Some("main"),
        "article" => Some("article"),
        "menu" => Some("menu"),
        _ => None,
    })
}

/// Calls `f` with each word of an element's classes and id, lower case: `c-nav__item` and
/// `mainNavigation` give `c`, `nav`, `item` and `main`, `navigation`. One buffer for all words:
/// this runs for every ancestor of every teaser.
fn each_class_word(e: ElementRef, mut f: impl FnMut(&str)) {
    let v = e.value();
    let mut word = String::new();
    for name in v.classes().chain(v.id()) {
        let mut prev_lower = false;
        for c in name.chars() {
            let split = !c.is_alphanumeric() || (c.is_uppercase() && prev_lower);
            if split && !word.is_empty() {
                f(&word);
                word.clear();
            }
            if c.is_alphanumeric() {
                prev_lower = c.is_lowercase() || c.is_ascii_digit();
                word.extend(c.to_lowercase());
            } else {
                prev_lower = false;
            }
        }
        if !word.is_empty() {
            f(&word);
            word.clear();
        }
    }
}

/// Whether the text holds a run of at least `n` digits.
fn has_digit_run(s: &str, n: usize) -> bool {
    let mut run = 0;
    for c in s.chars() {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        if run >= n {
            return true;
        }
    }
    false
}

/// A year from 1990 to 2039 followed by a month, as `/2021/11/`, `2021-11-04` or `20211104`
/// in a path.
fn has_date(path: &str) -> bool {
    let b = path.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let digits = b.get(from..from + len)?;
        digits
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| digits.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let is_digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    (0..b.len()).any(|i| {
        if i > 0 && is_digit(i - 1) {
            return false;
        }
        if num(i, 4).filter(|y| (1990..2040).contains(y)).is_none() {
            return false;
        }
        let month = match b.get(i + 4) {
            // `/2021/11/` or `2021-5-x`: one or two digits, then no digit.
            Some(b'/' | b'-' | b'_') => {
                let len = if is_digit(i + 6) { 2 } else { 1 };
                num(i + 5, len).filter(|_| !is_digit(i + 5 + len))
            }
            // `20211104`: two digits right after the year.
            Some(_) => num(i + 4, 2),
            None => None,
        };
        month.is_some_and(|m| (1..=12).contains(&m))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_dates_and_ids_in_paths() {
        assert!(has_date("/2021/11/04/a-story"));
        assert!(has_date("/news/2019-03-02-x"));
        assert!(has_date("/a/20211104/b"));
        assert!(has_date("/2023/5/x"));
        assert!(!has_date("/2021/"));
        assert!(!has_date("/product/12345678"));
        assert!(!has_date("/1850/11/"));
        assert!(has_digit_run("/a/123456", 4));
        assert!(!has_digit_run("/a/123/b", 4));
    }

    #[test]
    fn splits_class_words() {
        let html = scraper::Html::parse_fragment(
            r#"<div class="c-nav__item mainNavigation" id="top-10"></div>"#,
        );
        let sel = scraper::Selector::parse("div").expect("selector");
        let div = html.select(&sel).next().expect("div");
        let mut words: Vec<String> = Vec::new();
        each_class_word(div, |w| words.push(w.to_string()));
        assert_eq!(
            words,
            ["c", "nav", "item", "main", "navigation", "top", "10"]
        );
    }
}

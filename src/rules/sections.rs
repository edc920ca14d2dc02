//! Section headers, people-notice tags, links that are navigation, ignored text, and the
//! class names and URL paths that mark paid or ignored content.

use super::Rules;
use super::text::{Normalized, fold, normalize, short};
use crate::model::NoticeKind;

/// The tag a people notice ends with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeTag {
    /// The tag as the rules write it ("Nyt job").
    pub tag: String,
    pub kind: NoticeKind,
    /// The notice without its tag.
    pub rest: String,
}

/// What marks a text as a people notice: a trailing tag, a known sentence shape, or both.
#[derive(Debug, Clone)]
pub struct NoticeSigns {
    pub tag: Option<NoticeTag>,
    pub shaped: bool,
}

impl Rules {
    pub fn is_slot_text(&self, text: &str) -> bool {
        matches!(fold(text, self.slot_limit), (n, false) if self.slot_texts.contains(&n))
    }

    /// The first appointment word of a headline ("wird neuer", "named"), as whole words.
    pub fn appointment(&self, text: &str) -> Option<String> {
        let folded = normalize(text);
        let bytes = folded.as_bytes();
        let word_edge =
            |i: usize| i == 0 || i >= bytes.len() || !bytes[i - 1].is_ascii_alphanumeric();
        let end_edge = |i: usize| i >= bytes.len() || !bytes[i].is_ascii_alphanumeric();
        self.appointments
            .matches(&folded)
            .into_iter()
            .find(|&(i, start)| {
                let end = start + self.appointments.list[i].len();
                word_edge(start) && end_edge(end)
            })
            .map(|(i, _)| self.appointments.list[i].clone())
    }

    /// A people-section header, alone or with a qualifier of a word or two ("Personalien
    /// Handel", "People moves this week").
    pub fn is_personnel_header(&self, text: &str) -> bool {
        self.header(text).is_some_and(|n| {
            self.personnel_headers.iter().any(|h| {
                n.strip_prefix(h.as_str()).is_some_and(|rest| {
                    rest.is_empty() || rest.starts_with(' ') && rest.split_whitespace().count() <= 2
                })
            })
        })
    }

    /// A short text folded for comparing with section headers, or `None` when it is longer than
    /// any header.
    fn header(&self, text: &str) -> Option<String> {
        match fold(text, self.header_limit) {
            (n, false) => Some(n),
            _ => None,
        }
    }

    /// Any header after which article text is over: people notices, related links, trending
    /// lists and house promotions (folded once for all four lists).
    pub fn is_section_header(&self, text: &str) -> bool {
        let Some(n) = self.header(text) else {
            return false;
        };
        let bare = n.trim_end_matches(':').trim();
        self.personnel_headers.contains(&n)
            || [&self.related, &self.trending, &self.ignore_headers]
                .iter()
                .any(|list| list.iter().any(|h| h == bare))
    }

    pub fn is_personnel_category(&self, text: &str) -> bool {
        short(text).is_some_and(|n| {
            self.personnel_categories.contains(&n) || self.personnel_headers.contains(&n)
        })
    }

    /// The tag a notice ends with ("… Nyt job").
    pub fn personnel_tag(&self, text: &str) -> Option<NoticeTag> {
        let n = Normalized::new(text.trim());
        for (tag, original, kind) in &self.tags {
            if let Some(head) = n.text.strip_suffix(tag.as_str()) {
                // The tag must stand apart from the word before it ("… afdeling. Nyt job").
                let ok = head.is_empty()
                    || head.ends_with(' ')
                    || head.ends_with('.')
                    || head.ends_with(')');
                if ok {
                    let cut = n.original_offset(head.len());
                    return Some(NoticeTag {
                        tag: original.clone(),
                        kind: *kind,
                        rest: text.trim()[..cut].trim().to_string(),
                    });
                }
            }
        }
        None
    }

    /// Whether a text matches one of the notice sentence shapes ("X har pr. … ansat Y som Z.").
    fn is_notice_shaped(&self, text: &str) -> bool {
        self.patterns()
            .iter()
            .any(|p| p.regex.is_match(text.trim()))
    }

    /// Both signs of a people notice, read once: callers weigh them for their kind of input.
    pub fn notice_signs(&self, text: &str) -> NoticeSigns {
        NoticeSigns {
            tag: self.personnel_tag(text),
            shaped: self.is_notice_shaped(text),
        }
    }

    fn header_in(&self, list: &[String], text: &str) -> bool {
        self.header(text).is_some_and(|n| {
            let n = n.trim_end_matches(':').trim();
            list.iter().any(|h| h == n)
        })
    }

    pub fn is_related_header(&self, text: &str) -> bool {
        self.header_in(&self.related, text)
    }

    pub fn is_trending_header(&self, text: &str) -> bool {
        self.header_in(&self.trending, text)
    }

    pub fn is_ignore_header(&self, text: &str) -> bool {
        self.header_in(&self.ignore_headers, text)
    }

    /// A "more of this" link ("More \"Tech News\" »", "Mehr zum Thema"): navigation, no teaser.
    pub fn is_more_link(&self, text: &str) -> bool {
        let n = fold(text, self.ref_limit.max(64)).0;
        self.more_links.iter().any(|m| {
            n.strip_prefix(m.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '"', '\'', ':']))
        })
    }

    /// A widget's credit to the network that fills it: "By PubExchange".
    pub fn is_credit_link(&self, text: &str) -> bool {
        let (n, longer) = fold(text, 64);
        !longer
            && self.credits.iter().any(|c| {
                n.strip_prefix(c.as_str())
                    .and_then(|rest| rest.strip_prefix(' '))
                    .is_some_and(|name| (1..=2).contains(&name.split_whitespace().count()))
            })
    }

    /// "Læs også: <title>" inside an article.
    pub fn is_inline_ref(&self, text: &str) -> bool {
        let n = fold(text, self.ref_limit).0;
        self.inline_refs.iter().any(|r| n.starts_with(r.as_str()))
    }

    /// Chrome and house-promotion text that is never content.
    pub fn is_ignored_text(&self, text: &str) -> bool {
        let (n, longer) = fold(text, self.ignored_limit);
        (!longer && self.ignore_texts.contains(&n))
            || self
                .ignore_prefixes
                .iter()
                .any(|p| n.starts_with(p.as_str()))
            || (text.contains(['|', '｜']) && {
                let full = if longer { normalize(text) } else { n.clone() };
                self.ignore_texts
                    .iter()
                    .any(|t| full.ends_with(&format!("| {t}")))
            })
    }

    /// A class, id, data-* or aria-label value token that marks paid content.
    pub fn sponsored_class(&self, value: &str) -> Option<String> {
        let v = value.to_lowercase();
        v.split(|c: char| c.is_whitespace() || c == ',')
            .find(|tok| {
                self.file
                    .sponsored
                    .classes
                    .iter()
                    .any(|c| tok.eq_ignore_ascii_case(c))
            })
            .map(str::to_string)
    }

    pub fn sponsored_url_path(&self, url: &str, host: Option<&str>) -> Option<String> {
        let path = url_path_lower(url);
        let site_paths = self
            .sites_for(host)
            .flat_map(|s| s.url_paths.iter())
            .collect::<Vec<_>>();
        self.file
            .sponsored
            .url_paths
            .iter()
            .chain(site_paths)
            .find(|p| path.contains(&p.to_lowercase()))
            .cloned()
    }

    pub fn ignored_url_path(&self, url: &str) -> Option<String> {
        let path = url_path_lower(url);
        self.file
            .ignore
            .url_paths
            .iter()
            .find(|p| path.contains(&p.to_lowercase()))
            .cloned()
    }
}

fn url_path_lower(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => u.path().to_lowercase(),
        Err(_) => url.to_lowercase(),
    }
}

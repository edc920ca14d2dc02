//! Item ids: the canonical URL where there is one, else a `tag:` URI from the source and a hash
//! of the item's normalised identifying text. Computed once; nothing here looks at edit-prone
//! fields unless nothing else identifies the item.

use sha2::{Digest, Sha256};

use crate::rules::normalize;

/// The canonical form of a link: absolute, no `utm_*` or other tracking parameters, no
/// fragment. The scheme is kept: an http-only site must stay reachable from the feed.
pub fn canonical_url(href: &str, base: Option<&url::Url>) -> Option<String> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    let mut url = match base {
        Some(b) => b.join(href).ok()?,
        None => url::Url::parse(href).ok()?,
    };
    if url.scheme() != "http" && url.scheme() != "https" {
        return None;
    }
    url.set_fragment(None);
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !is_tracking_param(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    Some(url.to_string())
}

fn is_tracking_param(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.starts_with("utm_")
        || matches!(
            k.as_str(),
            "fbclid" | "gclid" | "mc_cid" | "mc_eid" | "ref_src" | "_ga" | "igshid"
        )
}

/// A host as a site is known by: lower case, without `www.` (`www.Example.org` is
/// `example.org`).
pub fn site_host(host: &str) -> String {
    let host = host.to_ascii_lowercase();
    match host.strip_prefix("www.") {
        Some(rest) => rest.to_string(),
        None => host,
    }
}

/// A `tag:` URI for an item without a URL: `tag:<authority>,2025:<kind>-<hash>`.
/// The authority is the site's host or the source name, so the same teaser seen on twenty pages
/// of one site gets one id.
pub fn tag_id(authority: &str, kind: &str, identifying_text: &str) -> String {
    let digest = Sha256::digest(normalize(identifying_text).as_bytes());
    let hex: String = digest.iter().take(10).map(|b| format!("{b:02x}")).collect();
    let authority: String = authority
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("tag:{authority},2025:{kind}-{hex}")
}

/// A people notice's id: its structured identity (who, where, when, what) when all of it is
/// known, so the same notice read from a page's text, its HTML and a feed is one item.
pub fn personnel_id(authority: &str, p: &super::Personnel) -> Option<String> {
    let (person, company, date) = (p.person.as_deref()?, p.company.as_deref()?, p.date?);
    Some(tag_id(
        authority,
        "personnel",
        &format!("{person}|{company}|{date}|{}", p.kind),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_host_is_lower_case_without_www() {
        assert_eq!(site_host("www.Example.ORG"), "example.org");
        assert_eq!(site_host("m.example.org"), "m.example.org");
        assert_eq!(site_host("wwwexample.org"), "wwwexample.org");
    }

    #[test]
    fn canonicalises_urls() {
        assert_eq!(
            canonical_url(
                "http://www.computerworld.dk/art/123/x?utm_source=RSS&utm_medium=RSS#top",
                None
            )
            .as_deref(),
            Some("http://www.computerworld.dk/art/123/x")
        );
        let base = url::Url::parse("https://example.dk/a/b").ok();
        assert_eq!(
            canonical_url("/c?id=4&fbclid=z", base.as_ref()).as_deref(),
            Some("https://example.dk/c?id=4")
        );
        assert_eq!(canonical_url("mailto:x@y.dk", base.as_ref()), None);
        assert_eq!(canonical_url("#", base.as_ref()), None);
    }

    #[test]
    fn tag_ids_are_stable_under_spacing_and_case() {
        let a = tag_id(
            "computerworld.dk",
            "sponsored",
            "Trustworks  Tillid i en Zero-Trust verden",
        );
        let b = tag_id(
            "computerworld.dk",
            "sponsored",
            "trustworks tillid i en zero-trust verden",
        );
        assert_eq!(a, b);
        assert!(a.starts_with("tag:computerworld.dk,2025:sponsored-"));
        assert_ne!(a, tag_id("computerworld.dk", "sponsored", "Other"));
    }
}

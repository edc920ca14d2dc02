//! Where documents come from. `convert`, `classify` and `eval` read what they are given, once
//! (`Direct`); `run` plugs in conditional GET, its shared polite client and unchanged-file checks.

use crate::input::{
    self, AddressPolicy, Document, FetchOptions, InputError, InputKind, Validators,
};

/// A document got, or word that it has not changed since the validators were kept.
#[derive(Debug)]
pub enum Got {
    /// The document, and the validators to keep for asking again, if any.
    Document(Document, Option<Validators>),
    NotModified,
}

pub trait Fetch: Sync {
    /// The input `spec` names (a path, an http(s) URL, or `-` for stdin), asked conditionally
    /// when `known` validators are given. The user named it, so any address may be reached.
    fn get(
        &self,
        spec: &str,
        known: Option<&Validators>,
        kind: Option<InputKind>,
    ) -> Result<Got, InputError>;

    /// The page an item links to. A page chose that address, so the policy for page-chosen
    /// addresses applies; `None` when there is nothing to read.
    fn follow(&self, link: &str) -> Result<Option<Document>, InputError>;
}

/// Reads each input as given, once: files and stdin read, URLs fetched; followed links reach
/// public addresses only.
pub struct Direct<'a>(pub &'a FetchOptions);

impl Fetch for Direct<'_> {
    fn get(
        &self,
        spec: &str,
        _known: Option<&Validators>,
        kind: Option<InputKind>,
    ) -> Result<Got, InputError> {
        Ok(Got::Document(input::load(spec, kind, self.0)?, None))
    }

    fn follow(&self, link: &str) -> Result<Option<Document>, InputError> {
        input::fetch(link, self.0, None, AddressPolicy::PublicOnly)?
            .document(link, Some(InputKind::Html))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_followed_link_does_not_reach_a_loopback_address() {
        let err = Direct(&FetchOptions::default())
            .follow("http://127.0.0.1:9/internal")
            .expect_err("refused");
        assert!(err.to_string().contains("not a public address"), "{err}");
    }
}

//! Step 3: one class per item, decided from its evidence. Paid beats everything: a labelled ad is
//! sponsored even if it announces a hire; a people notice is personnel; the rest is editorial.

use crate::extract::{Evidence, Item, Signal};

pub use crate::model::{Class, Classified};

impl Classified {
    /// One line for `classify` and `--explain`.
    pub fn reason_text(&self) -> String {
        let mut out = if self.decided_by.is_empty() {
            format!("no paid or people-notice signal ({:?})", self.item.block).to_lowercase()
        } else {
            self.decided_by
                .iter()
                .map(describe)
                .collect::<Vec<_>>()
                .join("; ")
        };
        if !self.runners_up.is_empty() {
            out.push_str(" | outranked: ");
            out.push_str(
                &self
                    .runners_up
                    .iter()
                    .map(describe)
                    .collect::<Vec<_>>()
                    .join("; "),
            );
        }
        if let Some(s) = &self.suspect {
            out.push_str(" | SUSPECT: ");
            out.push_str(s);
        }
        out
    }
}

fn describe(e: &Evidence) -> String {
    format!("{} \"{}\" at {}", e.signal.as_str(), e.matched, e.location)
}

/// Two sightings of one item as one: `later` fills what `first` lacks, and the class is decided
/// again from the pooled evidence.
pub fn merged(mut first: Item, later: Item) -> Classified {
    first.absorb(later);
    classify(first)
}

pub fn classify(item: Item) -> Classified {
    let (sponsored, rest): (Vec<Evidence>, Vec<Evidence>) = item
        .evidence
        .iter()
        .cloned()
        .partition(|e| e.signal.is_sponsored());
    let (personnel, rest): (Vec<Evidence>, Vec<Evidence>) =
        rest.into_iter().partition(|e| e.signal.is_personnel());
    let weak: Vec<Evidence> = rest
        .into_iter()
        .filter(|e| {
            matches!(
                e.signal,
                Signal::WeakDisclosure | Signal::PromotionalWording | Signal::SponsoredRel
            )
        })
        .collect();
    let (class, decided_by, runners_up) = if !sponsored.is_empty() {
        (Class::Sponsored, sponsored, personnel)
    } else if !personnel.is_empty() {
        (Class::Personnel, personnel, Vec::new())
    } else {
        (Class::Editorial, Vec::new(), Vec::new())
    };
    let suspect = (class == Class::Editorial && !weak.is_empty()).then(|| {
        weak.iter()
            .map(|w| {
                let what = match w.signal {
                    Signal::WeakDisclosure => "weak disclosure",
                    Signal::SponsoredRel => "affiliate or paid link without a visible label",
                    _ => "promotional wording",
                };
                format!("{what} \"{}\" at {}", w.matched, w.location)
            })
            .collect::<Vec<_>>()
            .join("; ")
    });
    Classified {
        item,
        class,
        decided_by,
        runners_up,
        suspect,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(evidence: Vec<Evidence>) -> Item {
        Item::teaser("https://example.dk/x", evidence)
    }

    fn ev(signal: Signal) -> Evidence {
        Evidence::new(signal, "m", "l")
    }

    #[test]
    fn paid_beats_people_notice() {
        let c = classify(item(vec![
            ev(Signal::PersonnelSection),
            ev(Signal::SponsoredLabel),
        ]));
        assert_eq!(c.class, Class::Sponsored);
        assert_eq!(c.runners_up.len(), 1);
    }

    #[test]
    fn weak_disclosure_stays_editorial_as_suspect() {
        let c = classify(item(vec![ev(Signal::WeakDisclosure)]));
        assert_eq!(c.class, Class::Editorial);
        assert!(c.suspect.is_some());
        assert_eq!(classify(item(vec![])).class, Class::Editorial);
        assert_eq!(
            classify(item(vec![ev(Signal::PersonnelTag)])).class,
            Class::Personnel
        );
    }
}

//! Step 3: one class per item, decided by learned weights over the item's evidence
//! (`features`, `learned`, `train`). Paid beats everything: an item over the paid threshold is
//! sponsored even if it announces a hire; one over the people-notice threshold is personnel;
//! the rest is editorial. Each decision keeps its strongest reasons in words.

pub mod features;
pub mod learned;
pub mod train;

use crate::extract::{Evidence, Item, Signal};
use features::Feature;
pub use learned::{Model, ModelError};

use crate::model::Place;
pub use crate::model::{Class, Classified, Reason};

/// Reasons kept per decision.
const REASONS: usize = 4;

impl Classified {
    /// One line for `classify` and `--explain`.
    pub fn reason_text(&self) -> String {
        let mut out = if self.reasons.is_empty() {
            format!("no paid or people-notice signal ({:?})", self.item.block).to_lowercase()
        } else {
            self.reasons
                .iter()
                .map(|r| format!("{}: {:+.1}", r.says, r.weight))
                .collect::<Vec<_>>()
                .join("; ")
        };
        out.push_str(&format!(
            " (paid {:.2}, people {:.2})",
            self.p_sponsored, self.p_personnel
        ));
        if !self.runners_up.is_empty() {
            out.push_str(" | outweighed: ");
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

/// A piece of evidence in words, with where its label stands.
fn say(e: &Evidence) -> String {
    let Some(r) = e.reach else {
        return describe(e);
    };
    let steps = |n: u32| {
        if n == 1 {
            "1 step".to_string()
        } else {
            format!("{n} steps")
        }
    };
    match r.place {
        Place::Widget => format!(
            "'{}' heads this box of {} link{}, {} up",
            e.matched,
            r.shared,
            if r.shared == 1 { "" } else { "s" },
            steps(r.steps)
        ),
        Place::Inside if r.steps == 0 => format!("'{}' is the item's own label line", e.matched),
        Place::Inside => format!(
            "'{}' in the item's own block, {} down",
            e.matched,
            steps(r.steps)
        ),
        Place::Before => format!("'{}' right before the item", e.matched),
        Place::AboveHeadline => format!(
            "'{}' above the headline, {} elements before it",
            e.matched, r.steps
        ),
        Place::UnderHeadline => format!(
            "'{}' under the headline, {} elements after it",
            e.matched, r.steps
        ),
    }
}

/// Two sightings of one item as one: `later` fills what `first` lacks, and the class is decided
/// again from the pooled evidence.
///
/// Paid once, paid: a sighting that was sponsored on its own keeps the pooled item sponsored
/// (more evidence, such as an ad slot's context, must not let an ad back into the editorial feed).
/// An item once, an item, likewise.
pub fn merged(mut first: Item, later: Item, model: &Model) -> Classified {
    let (one, two) = (
        classify(first.clone(), model),
        classify(later.clone(), model),
    );
    let paid_alone = one.class == Class::Sponsored || two.class == Class::Sponsored;
    // An item once, an item: a sighting that is an article's teaser is not undone by another
    // that looks like a menu entry.
    let item_alone = one.not_an_item.is_none() || two.not_an_item.is_none();
    first.absorb(later);
    let mut pooled = classify(first, model);
    if item_alone {
        pooled.not_an_item = None;
    }
    if paid_alone && pooled.class != Class::Sponsored {
        pooled.class = Class::Sponsored;
        pooled.suspect = None;
        pooled.reasons.insert(
            0,
            Reason {
                says: "one sighting of it alone was sponsored".to_string(),
                weight: 0.0,
            },
        );
        let (decided_by, runners_up) = split_evidence(&pooled.item, Class::Sponsored);
        pooled.decided_by = decided_by;
        pooled.runners_up = runners_up;
    }
    pooled
}

pub fn classify(item: Item, model: &Model) -> Classified {
    let feats = features::features(&item);
    let (z_paid, paid_parts) = model.sponsored.logit(&feats);
    let (z_people, people_parts) = model.personnel.logit(&feats);
    let (p_paid, p_people) = (learned::sigmoid(z_paid), learned::sigmoid(z_people));
    let t = &model.thresholds;
    let decisive = item
        .evidence
        .iter()
        .find(|e| model.decisive.contains(&e.signal))
        .map(|e| Reason {
            says: format!("{} (decides whatever the weights)", say(e)),
            weight: 0.0,
        });
    let class = if p_paid >= t.sponsored || decisive.is_some() {
        Class::Sponsored
    } else if p_people >= t.personnel {
        Class::Personnel
    } else {
        Class::Editorial
    };
    // The reasons of the decision taken, or of the paid decision not taken.
    let parts = if class == Class::Personnel {
        &people_parts
    } else {
        &paid_parts
    };
    let mut reasons = reasons(&item, &feats, parts);
    if let Some(d) = decisive.filter(|_| p_paid < t.sponsored) {
        reasons.insert(0, d);
    }
    let (decided_by, runners_up) = split_evidence(&item, class);
    let weak: Vec<&Evidence> = item
        .evidence
        .iter()
        .filter(|e| {
            matches!(
                e.signal,
                Signal::WeakDisclosure | Signal::PromotionalWording | Signal::SponsoredRel
            )
        })
        .collect();
    let near = class == Class::Editorial && p_paid >= t.sponsored - t.suspect_margin;
    let suspect = (class == Class::Editorial && (near || !weak.is_empty())).then(|| {
        let mut why: Vec<String> = weak
            .iter()
            .map(|w| {
                let what = match w.signal {
                    Signal::WeakDisclosure => "weak disclosure",
                    Signal::SponsoredRel => "affiliate or paid link without a visible label",
                    _ => "promotional wording",
                };
                format!("{what} \"{}\" at {}", w.matched, w.location)
            })
            .collect();
        if near {
            why.push(format!(
                "paid {p_paid:.2}, near the threshold {:.2}",
                t.sponsored
            ));
        }
        why.join("; ")
    });
    let (p_item, not_an_item) = item_or_not(&item, class, suspect.is_some(), &feats, model);
    Classified {
        item,
        class,
        decided_by,
        runners_up,
        suspect,
        reasons,
        p_sponsored: round2(p_paid),
        p_personnel: round2(p_people),
        p_item,
        not_an_item,
    }
}

/// For a teaser on a page: the probability that it is an item at all, and when an editorial
/// one falls under the threshold, why it is none (its strongest reasons). A teaser with any
/// paid or people evidence, or a suspect, is kept whatever its form: an ad must never pass for
/// a menu entry that is dropped unseen.
fn item_or_not(
    item: &Item,
    class: Class,
    suspect: bool,
    feats: &[Feature],
    model: &Model,
) -> (Option<f64>, Option<String>) {
    if item.shape.is_none() || model.item.weights.is_empty() {
        return (None, None);
    }
    let (z, parts) = model.item.logit(feats);
    let p = learned::sigmoid(z);
    let evidence = item.evidence.iter().any(|e| {
        e.signal.is_sponsored() || e.signal.is_personnel() || e.signal == Signal::AppointmentShape
    });
    let none = class == Class::Editorial && !suspect && !evidence && p < model.thresholds.item;
    let why = none.then(|| {
        // The kind of item as such (a bare name) is the model's baseline, not a reason.
        let mut order: Vec<usize> = (0..feats.len())
            .filter(|&i| parts[i] < 0.0 && feats[i].name.contains('.'))
            .collect();
        order.sort_by(|&a, &b| parts[a].total_cmp(&parts[b]));
        let said: Vec<String> = order
            .iter()
            .take(REASONS)
            .map(|&i| format!("{}: {:+.1}", feature_words(&feats[i].name), parts[i]))
            .collect();
        format!("no item (item {:.2}): {}", p, said.join("; "))
    });
    (Some(round2(p)), why)
}

fn round2(p: f64) -> f64 {
    (p * 100.0).round() / 100.0
}

/// The strongest contributions, one per piece of evidence (a label's place, reach and size
/// summed), in words.
fn reasons(item: &Item, feats: &[Feature], parts: &[f64]) -> Vec<Reason> {
    let mut by_source: Vec<(Option<usize>, String, f64)> = Vec::new();
    for (f, &w) in feats.iter().zip(parts) {
        if w == 0.0 {
            continue;
        }
        let says = match f.evidence.and_then(|i| item.evidence.get(i)) {
            Some(e) => say(e),
            None => feature_words(&f.name),
        };
        match by_source
            .iter_mut()
            .find(|(src, s, _)| *src == f.evidence && (src.is_some() || *s == says))
        {
            Some(entry) => entry.2 += w,
            None => by_source.push((f.evidence, says, w)),
        }
    }
    by_source.sort_by(|a, b| b.2.abs().total_cmp(&a.2.abs()));
    by_source
        .into_iter()
        .filter(|(_, _, w)| w.abs() >= 0.05)
        .take(REASONS)
        .map(|(_, says, w)| Reason {
            says,
            weight: round2(w),
        })
        .collect()
}

/// A feature without evidence of its own, in words.
fn feature_words(name: &str) -> String {
    let (group, what) = name.split_once('.').unwrap_or((name, ""));
    if group == "shape" {
        return shape_words(what);
    }
    match what {
        "" => format!("a {group} as such"),
        "notice_fields" => "person, role and company parsed".to_string(),
        "role_at_company" => "a role at a company in the headline".to_string(),
        "no_link" => "a block without a link".to_string(),
        other => other.replace('_', " "),
    }
}

/// A shape feature in words.
fn shape_words(what: &str) -> String {
    let (kind, value) = what.split_once('.').unwrap_or((what, ""));
    match kind {
        "title_words" => format!("a title of {value} words"),
        "title_chars" => format!("a title of {value} characters"),
        "path_depth" => format!("an address {value} segments deep"),
        "slug_words" => format!("{value} words in the address's last segment"),
        "group_links" => format!("in a list of {value} links"),
        "group_words" => format!("its list's links {value} words long"),
        "children" => format!("{value} links of the page under its address"),
        "same_start" => format!("{value} other titles opening with its first words"),
        "title_in_address" => format!("{value} title words in its address"),
        "capitals" => "a title in capitals".to_string(),
        "title_vs_page" => format!(
            "a title {} the page's usual length",
            value.replace('_', " ")
        ),
        "landmark" => format!("inside <{value}>"),
        "role" => format!("in a part class names call {value}"),
        "id_in_path" => "an id in the address".to_string(),
        "date_in_path" => "a date in the address".to_string(),
        "file_ending" => "a file name in the address".to_string(),
        "query" => "a query in the address".to_string(),
        "external" => "a link to another site".to_string(),
        "title_is_path" => "a title that is its address".to_string(),
        "image" => "an image in its box".to_string(),
        "date" => "a date in its box".to_string(),
        "blurb" => "a blurb in its box".to_string(),
        "heading" => "a heading".to_string(),
        "top" => "at the top of the page".to_string(),
        "bottom" => "at the bottom of the page".to_string(),
        other => other.replace('_', " "),
    }
}

/// The evidence of the class taken, and the paid or people evidence that was outweighed.
fn split_evidence(item: &Item, class: Class) -> (Vec<Evidence>, Vec<Evidence>) {
    let of = |e: &Evidence| {
        if e.signal.is_sponsored() {
            Some(Class::Sponsored)
        } else if e.signal.is_personnel() || e.signal == Signal::AppointmentShape {
            Some(Class::Personnel)
        } else {
            None
        }
    };
    let mut decided = Vec::new();
    let mut lost = Vec::new();
    for e in &item.evidence {
        match of(e) {
            Some(c) if c == class => decided.push(e.clone()),
            Some(_) => lost.push(e.clone()),
            None => {}
        }
    }
    (decided, lost)
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

    fn shaped(title: &str, shape: crate::model::Shape, evidence: Vec<Evidence>) -> Item {
        let mut i = item(evidence);
        i.title = title.into();
        i.shape = Some(shape);
        i
    }

    #[test]
    fn a_menu_entry_is_no_item_an_article_teaser_and_an_ad_are() {
        use crate::model::Shape;
        let model = Model::builtin();
        let menu = Shape {
            landmark: Some("menu".into()),
            roles: vec!["menu".into()],
            title_words: 1,
            title_chars: 5,
            path_depth: 1,
            slug_words: 1,
            title_is_path: true,
            group_links: 12,
            group_words: 1.2,
            children: 20,
            page_title_words: 9,
            position: 0.05,
            ..Shape::default()
        };
        let c = classify(shaped("Sport", menu.clone(), vec![]), &model);
        assert_eq!(c.class, Class::Editorial);
        let why = c.not_an_item.as_deref().unwrap_or_default();
        assert!(why.starts_with("no item (item 0."), "{why}");
        assert!(why.contains("menu"), "{why}");
        let article = Shape {
            title_words: 9,
            title_chars: 60,
            path_depth: 3,
            slug_words: 8,
            date_in_path: true,
            title_in_address: 6,
            heading: true,
            blurb: true,
            image: true,
            group_links: 1,
            page_title_words: 9,
            position: 0.4,
            ..Shape::default()
        };
        let c = classify(
            shaped("Bridge opens after three years of work", article, vec![]),
            &model,
        );
        assert!(c.not_an_item.is_none(), "{:?}", c.p_item);
        assert!(c.p_item.is_some_and(|p| p > 0.5));
        // Paid teasers keep their feed whatever their form.
        let ad = classify(
            shaped("Sport", menu, vec![ev(Signal::SponsoredSelector)]),
            &model,
        );
        assert_eq!(ad.class, Class::Sponsored);
        assert!(ad.not_an_item.is_none());
    }

    #[test]
    fn paid_beats_people_notice() {
        let model = Model::builtin();
        let c = classify(
            item(vec![ev(Signal::PersonnelSection), ev(Signal::SponsoredUrl)]),
            &model,
        );
        assert_eq!(c.class, Class::Sponsored, "{}", c.reason_text());
        assert!(!c.reasons.is_empty());
        assert_eq!(c.runners_up.len(), 1);
    }

    #[test]
    fn a_site_selector_decides_whatever_the_weights() {
        let model = Model::builtin();
        let c = classify(
            item(vec![
                ev(Signal::SponsoredSelector),
                ev(Signal::AppointmentShape),
            ]),
            &model,
        );
        assert_eq!(c.class, Class::Sponsored, "{}", c.reason_text());
        assert!(c.reasons[0].says.contains("decides whatever the weights"));
    }

    #[test]
    fn paid_once_paid_when_sightings_merge() {
        let mut model = Model::builtin();
        // A model in which a second piece of evidence pulls the paid odds down.
        model
            .sponsored
            .weights
            .insert("weak_disclosure".into(), -50.0);
        let paid = item(vec![ev(Signal::SponsoredUrl)]);
        assert_eq!(classify(paid.clone(), &model).class, Class::Sponsored);
        let later = item(vec![ev(Signal::WeakDisclosure)]);
        let c = merged(paid, later, &model);
        assert_eq!(c.class, Class::Sponsored, "{}", c.reason_text());
        assert!(c.reasons[0].says.contains("alone was sponsored"));
    }

    #[test]
    fn weak_disclosure_stays_editorial_as_suspect() {
        let model = Model::builtin();
        let c = classify(item(vec![ev(Signal::WeakDisclosure)]), &model);
        assert_eq!(c.class, Class::Editorial);
        assert!(c.suspect.is_some());
        assert_eq!(classify(item(vec![]), &model).class, Class::Editorial);
        let notice = Item {
            block: crate::model::Block::PersonnelNotice,
            ..item(vec![ev(Signal::PersonnelSection), ev(Signal::PersonnelTag)])
        };
        assert_eq!(classify(notice, &model).class, Class::Personnel);
    }
}

//! Training the learned decision: L2-regularised logistic regression by Newton's method, in a
//! fixed order over examples and features, so the same examples give the same
//! weights, byte for byte, on every machine (weights are rounded before they are written).

use std::collections::BTreeMap;

use super::features::{SHAPE, features};
use super::learned::{Linear, Model, Thresholds, sigmoid};
use crate::model::{Class, Item, Signal};

/// One labelled candidate.
#[derive(Debug, Clone)]
pub struct Example {
    pub item: Item,
    pub class: Class,
    /// For a judged teaser: whether it is an item at all (content, not a menu entry, a
    /// section link, an ad or a caption).
    pub content: Option<bool>,
}

/// How hard large weights are pulled back (a Gaussian prior on each weight, in units of one
/// example's loss): one page's trick should not become a rule.
const L2: f64 = 0.1;
/// Newton steps: the loss is smooth and convex, so a few dozen reach the optimum.
const STEPS: usize = 30;
/// Thresholds chosen for precision: the editorial feed's promise is no ad, the sponsored
/// feed's no journalism, so a paid call needs more than even odds.
pub const THRESHOLDS: Thresholds = Thresholds {
    sponsored: 0.5,
    personnel: 0.5,
    suspect_margin: 0.2,
    item: 0.35,
};

/// What decides whatever the weights: see `Model::decisive`.
pub const DECISIVE: [Signal; 5] = [
    Signal::SponsoredSelector,
    Signal::SponsoredTitlePrefix,
    Signal::SponsoredSchema,
    Signal::SponsoredCategory,
    Signal::SponsoredDisclosure,
];

/// A model trained on `examples`, described as `trained_on`.
pub fn train(examples: &[Example], trained_on: &str) -> Model {
    let rows: Vec<Vec<(String, f64)>> = examples
        .iter()
        .map(|e| {
            features(&e.item)
                .into_iter()
                .map(|f| (f.name, f.value))
                .collect()
        })
        .collect();
    // Every feature name seen, in sorted order: the column of each.
    let names: Vec<String> = {
        let mut all: Vec<String> = rows.iter().flatten().map(|(n, _)| n.clone()).collect();
        all.sort();
        all.dedup();
        all
    };
    let index: BTreeMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let sparse: Vec<Vec<(usize, f64)>> = rows
        .iter()
        .map(|r| r.iter().map(|(n, v)| (index[n.as_str()], *v)).collect())
        .collect();
    let fit = |class: Class| {
        let y: Vec<f64> = examples
            .iter()
            .map(|e| f64::from(u8::from(e.class == class)))
            .collect();
        // Paid beats everything: whether an item announces a hire says nothing of whether it
        // is paid, so the paid decision does not weigh people-notice evidence at all. Neither
        // weighs a teaser's shape: a menu entry's form says nothing of who paid for it.
        let prior: Vec<f64> = names
            .iter()
            .map(|n| {
                if n.starts_with(SHAPE) || class == Class::Sponsored && is_people_feature(n) {
                    PINNED
                } else {
                    L2
                }
            })
            .collect();
        fit_logistic(&sparse, &y, &prior)
    };
    // Item or not, on the judged teasers only.
    let judged: Vec<usize> = (0..examples.len())
        .filter(|&i| examples[i].content.is_some())
        .collect();
    let item_fit = fit_logistic(
        &judged
            .iter()
            .map(|&i| sparse[i].clone())
            .collect::<Vec<_>>(),
        &judged
            .iter()
            .map(|&i| f64::from(u8::from(examples[i].content == Some(true))))
            .collect::<Vec<_>>(),
        // Paid and people evidence is weighed too, though a teaser carrying any is never
        // dropped (`classify::item_or_not`): ads among the examples then shape those weights,
        // not the form's.
        &vec![L2; names.len()],
    );
    let linear = |(bias, w): (f64, Vec<f64>)| Linear {
        bias: round(bias),
        weights: names
            .iter()
            .zip(w)
            .map(|(n, w)| (n.clone(), round(w)))
            .filter(|(_, w)| *w != 0.0)
            .collect(),
    };
    Model {
        trained_on: trained_on.to_string(),
        thresholds: THRESHOLDS,
        decisive: DECISIVE.to_vec(),
        sponsored: linear(fit(Class::Sponsored)),
        personnel: linear(fit(Class::Personnel)),
        item: if judged.is_empty() {
            Linear::default()
        } else {
            linear(item_fit)
        },
    }
}

/// A prior so strong that the weight stays at zero (it rounds to nothing).
const PINNED: f64 = 1e12;

/// Features of people-notice evidence (tags, sections, categories, appointment words, parsed
/// fields).
fn is_people_feature(name: &str) -> bool {
    let last = name.rsplit('.').next().unwrap_or(name);
    last.starts_with("personnel_")
        || ["appointment_shape", "notice_fields", "role_at_company"].contains(&last)
}

/// Four decimals: enough for the decision, and the same digits wherever it is trained.
fn round(w: f64) -> f64 {
    let r = (w * 1e4).round() / 1e4;
    if r == 0.0 { 0.0 } else { r }
}

/// Bias and weights minimising the summed log loss plus `Σ prior_j / 2 · w_j²` (the bias is
/// barely pulled), by Newton's method with step halving; the system is solved by Cholesky.
fn fit_logistic(x: &[Vec<(usize, f64)>], y: &[f64], priors: &[f64]) -> (f64, Vec<f64>) {
    // Column 0 is the bias.
    let n = priors.len() + 1;
    let prior: Vec<f64> = std::iter::once(1e-6)
        .chain(priors.iter().copied())
        .collect();
    let rows: Vec<Vec<(usize, f64)>> = x
        .iter()
        .map(|r| {
            std::iter::once((0, 1.0))
                .chain(r.iter().map(|&(j, v)| (j + 1, v)))
                .collect()
        })
        .collect();
    let loss = |w: &[f64]| {
        let data: f64 = rows
            .iter()
            .zip(y)
            .map(|(r, &t)| {
                let z: f64 = r.iter().map(|&(j, v)| w[j] * v).sum();
                // log(1 + e^z) - t·z, computed without overflow.
                z.max(0.0) + (-z.abs()).exp().ln_1p() - t * z
            })
            .sum();
        data + 0.5 * w.iter().zip(&prior).map(|(wj, l)| l * wj * wj).sum::<f64>()
    };
    let mut w = vec![0.0; n];
    let mut current = loss(&w);
    for _ in 0..STEPS {
        let mut grad: Vec<f64> = w.iter().zip(&prior).map(|(wj, l)| l * wj).collect();
        let mut hess = vec![0.0; n * n];
        for j in 0..n {
            hess[j * n + j] = prior[j];
        }
        for (r, &t) in rows.iter().zip(y) {
            let p = sigmoid(r.iter().map(|&(j, v)| w[j] * v).sum());
            let slope = p * (1.0 - p);
            for &(a, va) in r {
                grad[a] += (p - t) * va;
                for &(b, vb) in r {
                    hess[a * n + b] += slope * va * vb;
                }
            }
        }
        let Some(step) = cholesky_solve(&hess, &grad, n) else {
            break;
        };
        let mut scale = 1.0;
        let mut improved = false;
        while scale > 1e-4 {
            let next: Vec<f64> = w.iter().zip(&step).map(|(wj, s)| wj - scale * s).collect();
            let l = loss(&next);
            if l <= current {
                improved = current - l > 1e-9;
                w = next;
                current = l;
                break;
            }
            scale /= 2.0;
        }
        if !improved {
            break;
        }
    }
    (w[0], w[1..].to_vec())
}

/// Solves `A x = b` for a symmetric positive definite `A` (row-major, `n` × `n`).
fn cholesky_solve(a: &[f64], b: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let dot: f64 = (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum();
            if i == j {
                let d = a[i * n + i] - dot;
                if d <= 0.0 {
                    return None;
                }
                l[i * n + i] = d.sqrt();
            } else {
                l[i * n + j] = (a[i * n + j] - dot) / l[j * n + j];
            }
        }
    }
    // L z = b, then Lᵀ x = z.
    let mut z = vec![0.0; n];
    for i in 0..n {
        let dot: f64 = (0..i).map(|k| l[i * n + k] * z[k]).sum();
        z[i] = (b[i] - dot) / l[i * n + i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let dot: f64 = (i + 1..n).map(|k| l[k * n + i] * x[k]).sum();
        x[i] = (z[i] - dot) / l[i * n + i];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Evidence;

    fn example(evidence: Vec<Evidence>, class: Class) -> Example {
        Example {
            content: None,
            item: Item::teaser("https://example.org/a", evidence),
            class,
        }
    }

    #[test]
    fn cholesky_solves_a_small_system() {
        let a = [4.0, 2.0, 2.0, 3.0];
        let x = cholesky_solve(&a, &[2.0, 1.0], 2).expect("positive definite");
        assert!((x[0] - 0.5).abs() < 1e-12 && x[1].abs() < 1e-12, "{x:?}");
        assert!(cholesky_solve(&[0.0, 0.0, 0.0, 0.0], &[1.0, 1.0], 2).is_none());
    }

    #[test]
    fn learns_that_a_label_means_paid_and_is_reproducible() {
        let label = || vec![Evidence::new(Signal::SponsoredUrl, "/anzeige/", "a")];
        let mut examples = Vec::new();
        for _ in 0..20 {
            examples.push(example(label(), Class::Sponsored));
            examples.push(example(vec![], Class::Editorial));
            examples.push(example(vec![], Class::Editorial));
        }
        let model = train(&examples, "test");
        let w = model.sponsored.weights.get("teaser.sponsored_url").copied();
        assert!(w.is_some_and(|w| w > 1.0), "{w:?}");
        assert!(model.sponsored.bias < 0.0);
        assert_eq!(train(&examples, "test").to_json(), model.to_json());
    }

    #[test]
    fn the_paid_decision_weighs_no_people_evidence() {
        let hire = || Evidence::new(Signal::AppointmentShape, "named ceo", "title");
        let mut examples = Vec::new();
        for _ in 0..20 {
            examples.push(example(vec![hire()], Class::Editorial));
            examples.push(example(vec![hire()], Class::Personnel));
            examples.push(example(vec![], Class::Sponsored));
        }
        let model = train(&examples, "test");
        assert!(
            model
                .sponsored
                .weights
                .keys()
                .all(|k| !is_people_feature(k))
        );
        assert!(model.personnel.weights.contains_key("appointment_shape"));
        assert!(is_people_feature("notice.personnel_tag") && !is_people_feature("teaser"));
    }
}

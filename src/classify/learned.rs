//! The learned decision: two logistic models over an item's features, one for "paid" and one
//! for "people notice", with thresholds chosen for precision. The weights are data: the
//! built-in file is made by `feedsplit train` from labelled pages and compiled into the binary;
//! a user may give another with `--model`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::features::Feature;

/// The largest weight (log-odds) a model file may give one feature.
const MAX_WEIGHT: f64 = 1000.0;

/// The built-in weights (`feedsplit train`, see README).
const BUILTIN: &str = include_str!("model.json");

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("{path}: cannot read the model: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not a feedsplit model: {message}")]
    Parse { path: String, message: String },
}

/// One logistic model: a bias and a weight per feature name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Linear {
    pub bias: f64,
    pub weights: BTreeMap<String, f64>,
}

impl Linear {
    /// The log-odds and each feature's part of it, in feature order.
    pub fn logit(&self, features: &[Feature]) -> (f64, Vec<f64>) {
        let parts: Vec<f64> = features
            .iter()
            .map(|f| self.weights.get(&f.name).map_or(0.0, |w| w * f.value))
            .collect();
        (self.bias + parts.iter().sum::<f64>(), parts)
    }
}

/// Where the decision falls: a probability at or over the threshold decides; one within
/// `suspect_margin` under it makes an editorial item a suspect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    pub sponsored: f64,
    pub personnel: f64,
    pub suspect_margin: f64,
    /// A teaser under this probability of being an item is none (a menu entry, a section).
    #[serde(default)]
    pub item: f64,
}

/// The weights of the three decisions (paid, people notice, item) and their thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// What it was trained on, for people reading the file.
    pub trained_on: String,
    pub thresholds: Thresholds,
    /// Signals that make an item sponsored whatever the weights say: a user's site selector,
    /// and labels that leave no doubt whose they are (a label in the item's own title, its
    /// schema.org type, its own category, the post's statement that it was paid for: "Dieser
    /// Beitrag entstand in Zusammenarbeit mit X"). The editorial feed's promise is no ad, ever.
    pub decisive: Vec<crate::model::Signal>,
    pub sponsored: Linear,
    pub personnel: Linear,
    /// Whether an unpaid teaser is an item at all; a model without it keeps every teaser.
    #[serde(default)]
    pub item: Linear,
}

/// The built-in model, parsed once per process: every rules set (each source's) shares it.
static SHARED: std::sync::LazyLock<std::sync::Arc<Model>> =
    std::sync::LazyLock::new(|| std::sync::Arc::new(Model::builtin()));

impl Model {
    /// The built-in model, shared.
    pub fn shared() -> std::sync::Arc<Model> {
        SHARED.clone()
    }

    /// The model built into the binary.
    pub fn builtin() -> Model {
        // The built-in file is part of the binary and covered by a test, so it always parses.
        match serde_json::from_str(BUILTIN) {
            Ok(m) => m,
            Err(e) => panic!("built-in model is broken: {e}"),
        }
    }

    /// A model file given by the user.
    pub fn load(path: &Path) -> Result<Model, ModelError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ModelError::Read {
            path: name.clone(),
            source,
        })?;
        let model: Model = serde_json::from_str(&text).map_err(|e| ModelError::Parse {
            path: name.clone(),
            message: e.to_string(),
        })?;
        let t = &model.thresholds;
        let in_range = |p: f64| (0.0..=1.0).contains(&p);
        if !(in_range(t.sponsored)
            && in_range(t.personnel)
            && in_range(t.suspect_margin)
            && in_range(t.item))
        {
            return Err(ModelError::Parse {
                path: name,
                message: "thresholds must lie between 0 and 1".into(),
            });
        }
        // A weight past this is no evidence but an error, and would print as infinity.
        let sane = |w: &f64| w.is_finite() && w.abs() <= MAX_WEIGHT;
        for linear in [&model.sponsored, &model.personnel, &model.item] {
            if let Some((feature, _)) = linear.weights.iter().find(|(_, w)| !sane(w)) {
                return Err(ModelError::Parse {
                    path: name,
                    message: format!("weight of {feature:?} is not a number within ±{MAX_WEIGHT}"),
                });
            }
            if !sane(&linear.bias) {
                return Err(ModelError::Parse {
                    path: name,
                    message: format!("bias is not a number within ±{MAX_WEIGHT}"),
                });
            }
        }
        Ok(model)
    }

    /// The file as `feedsplit train` writes it: keys sorted, one weight a line.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_model_parses_and_round_trips() {
        let m = Model::builtin();
        assert!(!m.sponsored.weights.is_empty());
        assert_eq!(m.to_json(), BUILTIN);
    }

    #[test]
    fn a_bad_model_file_is_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("m.json");
        std::fs::write(&path, "{\"sponsored\": 3}").expect("write");
        let err = Model::load(&path).expect_err("corrupt");
        assert!(err.to_string().starts_with(&path.display().to_string()));
        let missing = Model::load(&dir.path().join("none.json")).expect_err("missing");
        assert!(missing.to_string().contains("cannot read"));
        let mut huge = Model::builtin();
        huge.sponsored.weights.insert("teaser".into(), 1e308);
        std::fs::write(&path, huge.to_json()).expect("write");
        let err = Model::load(&path).expect_err("huge weight");
        assert!(err.to_string().contains("\"teaser\""), "{err}");
    }
}

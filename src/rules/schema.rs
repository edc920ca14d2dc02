//! The rules file as written: every list optional, so a user's file can add just one thing;
//! `extend` appends another file's lists.

use serde::Deserialize;

use crate::model::NoticeKind;

use super::RulesError;

/// The rules file as written; every list is optional so a user's file can add just one thing.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RulesFile {
    pub sponsored: SponsoredRules,
    pub personnel: PersonnelRules,
    pub sections: SectionRules,
    pub ignore: IgnoreRules,
    pub markup: MarkupRules,
    pub items: ItemRules,
    pub sites: Vec<SiteRules>,
}

/// What the item-or-not decision reads off markup: the words class and id names use for a
/// page's parts (menus, breadcrumbs, share rows, tag lists, story cards).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ItemRules {
    pub class_words: Vec<ClassWords>,
}

/// One part of a page and the class or id words that name it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassWords {
    pub role: String,
    pub words: Vec<String>,
}

/// CSS selectors for the parts of a page: what never holds content, and where an article
/// keeps its lede, body and author.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MarkupRules {
    pub structural_ignore: Vec<String>,
    pub lede: Vec<String>,
    pub body: Vec<String>,
    pub author: Vec<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SponsoredRules {
    pub labels: Vec<String>,
    pub connectors: Vec<String>,
    pub weak: Vec<String>,
    pub classes: Vec<String>,
    pub attributes: Vec<String>,
    /// Selectors of single paid cards in recommendation widgets (a network's per-item flag).
    pub item_selectors: Vec<String>,
    /// Selectors of a network's organic cards (links through its traffic exchange): no widget
    /// label makes them paid.
    pub organic_selectors: Vec<String>,
    /// Headers of lists of paid links ("From our partners"), also after a short lead ("The
    /// latest from our partners").
    pub widget_headers: Vec<String>,
    pub url_paths: Vec<String>,
    pub schema_types: Vec<String>,
    pub slot_texts: Vec<String>,
    pub disclosures: Vec<String>,
    pub disclosure_exceptions: Vec<String>,
    /// Hashtags that disclose a paid post (`#ad`, `#werbung`), and ones too weak to route on.
    pub hashtags: Vec<String>,
    pub weak_hashtags: Vec<String>,
    /// Wording that says a post is *not* paid ("unbezahlte Werbung", "not sponsored"): the post
    /// stays editorial, as a suspect.
    pub negations: Vec<String>,
    /// Words that are a label only as a badge or kicker right above a headline ("Promotion").
    pub head_kickers: Vec<String>,
    /// Words that are a label only as a badge on a card ("PARTNER"), and the class fragments
    /// that make an element a badge.
    pub card_badges: Vec<String>,
    pub badge_classes: Vec<String>,
    pub promotional: Vec<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PersonnelRules {
    pub headers: Vec<String>,
    pub categories: Vec<String>,
    /// Words that announce an appointment in a headline, in each language ("named", "wird
    /// neuer", "nommé"): evidence the learned decision weighs, never a decision alone.
    pub appointments: Vec<String>,
    pub tags: Vec<TagRule>,
    pub patterns: Vec<PatternRule>,
    /// Headline shapes of an appointment ("X wird neuer CFO von Y", "Y names X CEO"): the
    /// person, role and company a teaser's or article's headline names.
    pub headlines: Vec<PatternRule>,
    pub details: Vec<DetailRule>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagRule {
    pub text: String,
    pub kind: NoticeKind,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatternRule {
    pub kind: NoticeKind,
    pub regex: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetailRule {
    pub field: String,
    pub regex: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SectionRules {
    pub related: Vec<String>,
    pub trending: Vec<String>,
    pub inline_refs: Vec<String>,
    pub more_links: Vec<String>,
    pub credits: Vec<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IgnoreRules {
    pub headers: Vec<String>,
    pub prefixes: Vec<String>,
    pub texts: Vec<String>,
    pub selectors: Vec<String>,
    pub url_paths: Vec<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SiteRules {
    pub host: String,
    pub sponsored_selectors: Vec<String>,
    pub personnel_selectors: Vec<String>,
    pub ignore_selectors: Vec<String>,
    pub sponsored_labels: Vec<String>,
    pub url_paths: Vec<String>,
}

/// Appends each list of `$other`, a `$ty` taken apart with every field named, to `$this`.
macro_rules! append_all {
    ($this:expr, $other:expr, $ty:ident { $($field:ident),* $(,)? }) => {{
        let $ty { $($field),* } = $other;
        $( $this.$field.extend($field); )*
    }};
}

impl RulesFile {
    pub(super) fn parse(text: &str, path: &str) -> Result<Self, RulesError> {
        toml::from_str(text).map_err(|e| RulesError::Parse {
            path: path.to_string(),
            message: one_line(&e.to_string()),
        })
    }

    /// Appends every list of `other` to this one. Each struct is taken apart field by field,
    /// so a list added to the schema but not here fails to compile instead of being dropped.
    pub fn extend(&mut self, other: RulesFile) {
        let RulesFile {
            sponsored,
            personnel,
            sections,
            ignore,
            markup,
            items,
            sites,
        } = other;
        append_all!(
            self.sponsored,
            sponsored,
            SponsoredRules {
                labels,
                connectors,
                weak,
                classes,
                attributes,
                item_selectors,
                organic_selectors,
                widget_headers,
                url_paths,
                schema_types,
                slot_texts,
                disclosures,
                disclosure_exceptions,
                hashtags,
                weak_hashtags,
                negations,
                head_kickers,
                card_badges,
                badge_classes,
                promotional
            }
        );
        append_all!(
            self.personnel,
            personnel,
            PersonnelRules {
                headers,
                categories,
                appointments,
                tags,
                patterns,
                headlines,
                details
            }
        );
        append_all!(
            self.sections,
            sections,
            SectionRules {
                related,
                trending,
                inline_refs,
                more_links,
                credits
            }
        );
        append_all!(
            self.ignore,
            ignore,
            IgnoreRules {
                headers,
                prefixes,
                texts,
                selectors,
                url_paths
            }
        );
        append_all!(
            self.markup,
            markup,
            MarkupRules {
                structural_ignore,
                lede,
                body,
                author
            }
        );
        append_all!(self.items, items, ItemRules { class_words });
        self.sites.extend(sites);
    }
}

/// Turns a multi-line parser message into one line for the CLI's one-line errors.
pub fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.chars().all(|c| c == '|' || c == '^' || c == ' '))
        .collect::<Vec<_>>()
        .join(" ")
}

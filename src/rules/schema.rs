//! The rules file as written: every list optional, so a user's file can add just one thing;
//! `extend` appends another file's lists.

use serde::Deserialize;

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
    pub sites: Vec<SiteRules>,
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
    pub tags: Vec<TagRule>,
    pub patterns: Vec<PatternRule>,
    pub details: Vec<DetailRule>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagRule {
    pub text: String,
    pub kind: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatternRule {
    pub kind: String,
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

impl RulesFile {
    pub(super) fn parse(text: &str, path: &str) -> Result<Self, RulesError> {
        toml::from_str(text).map_err(|e| RulesError::Parse {
            path: path.to_string(),
            message: one_line(&e.to_string()),
        })
    }

    /// Appends every list of `other` to this one.
    pub fn extend(&mut self, other: RulesFile) {
        let s = &mut self.sponsored;
        let o = other.sponsored;
        s.labels.extend(o.labels);
        s.connectors.extend(o.connectors);
        s.weak.extend(o.weak);
        s.classes.extend(o.classes);
        s.attributes.extend(o.attributes);
        s.item_selectors.extend(o.item_selectors);
        s.organic_selectors.extend(o.organic_selectors);
        s.widget_headers.extend(o.widget_headers);
        s.url_paths.extend(o.url_paths);
        s.schema_types.extend(o.schema_types);
        s.slot_texts.extend(o.slot_texts);
        s.disclosures.extend(o.disclosures);
        s.disclosure_exceptions.extend(o.disclosure_exceptions);
        s.hashtags.extend(o.hashtags);
        s.weak_hashtags.extend(o.weak_hashtags);
        s.negations.extend(o.negations);
        s.head_kickers.extend(o.head_kickers);
        s.card_badges.extend(o.card_badges);
        s.badge_classes.extend(o.badge_classes);
        s.promotional.extend(o.promotional);
        let p = &mut self.personnel;
        let o = other.personnel;
        p.headers.extend(o.headers);
        p.categories.extend(o.categories);
        p.tags.extend(o.tags);
        p.patterns.extend(o.patterns);
        p.details.extend(o.details);
        let c = &mut self.sections;
        let o = other.sections;
        c.related.extend(o.related);
        c.trending.extend(o.trending);
        c.inline_refs.extend(o.inline_refs);
        c.more_links.extend(o.more_links);
        c.credits.extend(o.credits);
        let i = &mut self.ignore;
        let o = other.ignore;
        i.headers.extend(o.headers);
        i.prefixes.extend(o.prefixes);
        i.texts.extend(o.texts);
        i.selectors.extend(o.selectors);
        i.url_paths.extend(o.url_paths);
        let m = &mut self.markup;
        let o = other.markup;
        m.structural_ignore.extend(o.structural_ignore);
        m.lede.extend(o.lede);
        m.body.extend(o.body);
        m.author.extend(o.author);
        self.sites.extend(other.sites);
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

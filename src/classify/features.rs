//! An item's evidence as a vector of general features: which kind of signal, for which kind of
//! item, and for a label on the page where it stands relative to the item (inside its block,
//! right before it, heading a box of how many links, how many steps up, above or under the
//! headline). Names, not positions, key the weights, so a model file stays readable and a
//! feature added later is simply absent from an older model.

use crate::model::{Block, Evidence, Item, Place, Reach, Shape, Signal};

/// One feature of an item: its name, its value, and the evidence it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub name: String,
    pub value: f64,
    /// Index into the item's evidence, when the feature is one piece of evidence's.
    pub evidence: Option<usize>,
}

/// The kind of item, as feature names start: a label means something else over a teaser than
/// above an article.
pub fn group(block: Block) -> &'static str {
    match block {
        Block::Article => "article",
        Block::Teaser | Block::SponsoredTeaser => "teaser",
        Block::PersonnelNotice => "notice",
        Block::FeedEntry => "feed",
    }
}

/// Every feature of an item, each name once (the strongest value wins), in a fixed order.
pub fn features(item: &Item) -> Vec<Feature> {
    // A teaser whose article page was read is weighed as the article it is.
    let read_as_article = item
        .evidence
        .iter()
        .any(|e| is_article_evidence(item.block, e));
    let g = if read_as_article {
        "article"
    } else {
        group(item.block)
    };
    let mut out: Vec<Feature> = vec![Feature {
        name: g.to_string(),
        value: 1.0,
        evidence: None,
    }];
    let mut add = |name: String, value: f64, evidence: Option<usize>| match out
        .iter_mut()
        .find(|f| f.name == name)
    {
        Some(f) if f.value < value => {
            f.value = value;
            f.evidence = evidence;
        }
        Some(_) => {}
        None => out.push(Feature {
            name,
            value,
            evidence,
        }),
    };
    // Each feature twice: for this kind of item, and for any item, so what is learned on one
    // kind (a disclosure in feed entries) carries to another that the labels seldom show.
    for (i, e) in item.evidence.iter().enumerate() {
        match (e.signal, e.reach) {
            (Signal::SponsoredLabel, Some(reach)) => {
                for (name, value) in label_features(&reach) {
                    add(format!("{g}.{name}"), value, Some(i));
                    add(name, value, Some(i));
                }
            }
            (signal, _) => {
                add(format!("{g}.{}", signal.as_str()), 1.0, Some(i));
                add(signal.as_str().to_string(), 1.0, Some(i));
            }
        }
    }
    if item
        .personnel
        .as_ref()
        .is_some_and(|p| p.person.is_some() && (p.role.is_some() || p.company.is_some()))
    {
        add(format!("{g}.notice_fields"), 1.0, None);
    }
    // A headline that names a role at a company ("Neuer Finanzchef bei Frischwerk") with or
    // without the person.
    if item
        .personnel
        .as_ref()
        .is_some_and(|p| p.role.is_some() && p.company.is_some())
    {
        add(format!("{g}.role_at_company"), 1.0, None);
    }
    if item.link.is_none() && item.block != Block::Article {
        add(format!("{g}.no_link"), 1.0, None);
    }
    if let Some(shape) = &item.shape {
        for name in shape_features(shape) {
            add(name, 1.0, None);
        }
    }
    out
}

/// The prefix of shape features: the item-or-not decision's own, left out of the paid and
/// people decisions.
pub const SHAPE: &str = "shape.";

/// A count's feature name, its value, the upper edges of its ranges with their names, and
/// the name of the range past the last edge.
type Ranged<'a> = (&'a str, f64, &'a [(f64, &'a str)], &'a str);

/// A teaser's shape as features, each 1 when present. Counts go in ranges, so each range is
/// weighed on its own (a one-word title is a menu entry's, a twelve-word one a headline's).
fn shape_features(s: &Shape) -> Vec<String> {
    fn range<'n>(n: f64, edges: &[(f64, &'n str)], last: &'n str) -> &'n str {
        edges
            .iter()
            .find(|(edge, _)| n < *edge)
            .map_or(last, |(_, name)| name)
    }
    let mut out = Vec::new();
    let mut on = |cond: bool, name: &str| {
        if cond {
            out.push(format!("{SHAPE}{name}"));
        }
    };
    // The title beside the page's usual teaser title: a menu entry is much shorter.
    let ratio = f64::from(s.title_words) / f64::from(s.page_title_words.max(1));
    let ranges: [Ranged; 10] = [
        (
            "title_words",
            f64::from(s.title_words),
            &[
                (2.0, "1"),
                (3.0, "2"),
                (4.0, "3"),
                (6.0, "4-5"),
                (9.0, "6-8"),
            ],
            "9+",
        ),
        (
            "title_chars",
            f64::from(s.title_chars),
            &[
                (10.0, "0-9"),
                (20.0, "10-19"),
                (40.0, "20-39"),
                (80.0, "40-79"),
            ],
            "80+",
        ),
        (
            "path_depth",
            f64::from(s.path_depth),
            &[(1.0, "0"), (2.0, "1"), (3.0, "2"), (4.0, "3")],
            "4+",
        ),
        (
            "slug_words",
            f64::from(s.slug_words),
            &[(1.0, "0"), (2.0, "1"), (3.0, "2"), (5.0, "3-4")],
            "5+",
        ),
        (
            "group_links",
            f64::from(s.group_links),
            &[(2.0, "1"), (5.0, "2-4"), (10.0, "5-9"), (30.0, "10-29")],
            "30+",
        ),
        // Mean words of a list's links: none for a link alone.
        (
            "group_words",
            s.group_words,
            &[(2.0, "0-1"), (3.0, "2"), (5.0, "3-4"), (8.0, "5-7")],
            "8+",
        ),
        (
            "children",
            f64::from(s.children),
            &[(1.0, "0"), (2.0, "1"), (4.0, "2-3"), (10.0, "4-9")],
            "10+",
        ),
        (
            "same_start",
            f64::from(s.same_start),
            &[(1.0, "0"), (2.0, "1"), (4.0, "2-3")],
            "4+",
        ),
        (
            "title_vs_page",
            ratio,
            &[
                (0.34, "under_third"),
                (0.67, "under_two_thirds"),
                (1.0, "under"),
            ],
            "over",
        ),
        (
            "title_in_address",
            f64::from(s.title_in_address),
            &[(1.0, "0"), (2.0, "1"), (3.0, "2")],
            "3+",
        ),
    ];
    for (name, value, edges, last) in ranges {
        if name != "group_words" || s.group_links > 1 {
            on(true, &format!("{name}.{}", range(value, edges, last)));
        }
    }
    on(s.capitals, "capitals");
    if let Some(l) = &s.landmark {
        on(true, &format!("landmark.{l}"));
    }
    for r in &s.roles {
        on(true, &format!("role.{r}"));
    }
    on(s.id_in_path, "id_in_path");
    on(s.date_in_path, "date_in_path");
    on(s.file_ending, "file_ending");
    on(s.query, "query");
    on(s.external, "external");
    on(s.title_is_path, "title_is_path");
    on(s.image, "image");
    on(s.date, "date");
    on(s.blurb, "blurb");
    on(s.heading, "heading");
    on(s.position < 0.1, "top");
    on(s.position > 0.9, "bottom");
    out
}

/// Whether a piece of evidence is an article page's (a teaser or feed entry whose page was read
/// by `follow_teasers` or `check_feed_items` carries it): only an article page has a headline,
/// a disclosure line, a schema.org type.
fn is_article_evidence(block: Block, e: &Evidence) -> bool {
    let teaser = matches!(block, Block::Teaser | Block::SponsoredTeaser);
    matches!(
        e.reach.map(|r| r.place),
        Some(Place::AboveHeadline | Place::UnderHeadline)
    ) || teaser
        && matches!(
            e.signal,
            Signal::SponsoredDisclosure | Signal::SponsoredSchema | Signal::SponsoredCategory
        )
}

/// A label's features: its place, and what tells a label of the item's own from a neighbour's.
fn label_features(r: &Reach) -> Vec<(String, f64)> {
    let base = format!("label.{}", r.place.as_str());
    let mut out = vec![(base.clone(), 1.0)];
    let mut flag = |on: bool, name: &str| {
        if on {
            out.push((format!("{base}.{name}"), 1.0));
        }
    };
    flag(r.header, "header");
    flag(r.slot, "slot");
    flag(r.prose, "prose");
    if r.extra_words > 0 {
        out.push((
            format!("{base}.extra_words"),
            f64::from(r.extra_words.min(8)) / 8.0,
        ));
    }
    match r.place {
        Place::Widget => {
            // A label over one ad slot in a box that also holds a news list or a menu stands
            // over many links; a widget of paid links holds a handful to a few dozen.
            out.push((
                format!("{base}.links"),
                (f64::from(r.shared.max(1))).ln() / 4.0,
            ));
            out.push((format!("{base}.steps"), f64::from(r.steps.min(12)) / 12.0));
        }
        Place::Inside | Place::Before => {
            out.push((format!("{base}.steps"), f64::from(r.steps.min(12)) / 12.0));
        }
        Place::AboveHeadline | Place::UnderHeadline => {
            // Elements between the label and the headline: a kicker sits right by it.
            out.push((
                format!("{base}.distance"),
                (1.0 + f64::from(r.steps.min(5000))).ln() / 8.0,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn widget(shared: u32) -> Evidence {
        Evidence::new(Signal::SponsoredLabel, "Anzeige", "span heading the widget").at(Reach {
            place: Place::Widget,
            steps: 2,
            shared,
            extra_words: 0,
            header: false,
            slot: false,
            prose: false,
        })
    }

    #[test]
    fn a_widget_label_says_how_many_links_it_heads() {
        let item = Item::teaser("https://example.org/a", vec![widget(20)]);
        let f = features(&item);
        let links = f.iter().find(|f| f.name == "teaser.label.widget.links");
        assert!(links.is_some_and(|l| (l.value - 20f64.ln() / 4.0).abs() < 1e-9));
        assert!(f.iter().any(|f| f.name == "teaser" && f.evidence.is_none()));
        let few = features(&Item::teaser("https://example.org/a", vec![widget(1)]));
        let links = few.iter().find(|f| f.name == "teaser.label.widget.links");
        assert!(links.is_some_and(|l| l.value == 0.0));
    }

    #[test]
    fn each_name_once_with_its_strongest_value() {
        let item = Item::teaser("https://example.org/a", vec![widget(3), widget(40)]);
        let f = features(&item);
        let links: Vec<&Feature> = f
            .iter()
            .filter(|f| f.name == "teaser.label.widget.links")
            .collect();
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].evidence, Some(1));
    }

    #[test]
    fn a_headline_naming_a_role_at_a_company_is_a_feature() {
        let mut item = Item::teaser("https://example.org/a", vec![]);
        item.personnel = Some(crate::model::Personnel {
            role: Some("Finanzchef".into()),
            company: Some("Frischwerk".into()),
            ..Default::default()
        });
        let f = features(&item);
        assert!(f.iter().any(|f| f.name == "teaser.role_at_company"));
        assert!(!f.iter().any(|f| f.name == "teaser.notice_fields"));
    }
}

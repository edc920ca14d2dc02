//! The vocabulary every step shares: items as extraction finds them, the evidence they carry,
//! their classes, people notices, and one value per class. Steps add behaviour to these types
//! where the behaviour belongs (`Item::absorb` in extract, `Classified::reason_text` in classify).

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

/// Where on the page an item came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Block {
    /// The page's own article.
    Article,
    /// A teaser linking to another page.
    Teaser,
    /// A block carrying a sponsored label.
    SponsoredTeaser,
    /// One entry of a people-notice column.
    PersonnelNotice,
    /// An entry of an incoming feed.
    FeedEntry,
}

/// A kind of signal that can route an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// A label text such as `Annonceindlæg fra X`.
    SponsoredLabel,
    /// A title starting with a label (`Annonce: …`).
    SponsoredTitlePrefix,
    /// A class, id, data-* or aria-label value.
    SponsoredMarkup,
    /// `rel="sponsored"` on the link: what search engines ask of affiliate and paid links, not a
    /// label a reader sees, so it makes the item a suspect, not sponsored.
    SponsoredRel,
    /// A URL path such as `/sponsoreret/`.
    SponsoredUrl,
    /// schema.org `AdvertiserContentArticle`.
    SponsoredSchema,
    /// A feed category that is a label.
    SponsoredCategory,
    /// A site profile's selector.
    SponsoredSelector,
    /// The post's own statement that it was made with or for a brand.
    SponsoredDisclosure,
    /// A people-notice section header (`Navnenyt`).
    PersonnelSection,
    /// A notice's tag (`Nyt job`) together with a notice sentence shape.
    PersonnelTag,
    /// A feed category naming people notices.
    PersonnelCategory,
    /// A disclosure too weak to route on (`i samarbejde med`): makes the item a suspect.
    WeakDisclosure,
    /// Promotional wording without a label: makes the item a suspect.
    PromotionalWording,
    /// A headline announcing an appointment ("named CEO", "wird neuer"): weighed, never alone
    /// a decision.
    AppointmentShape,
}

impl Signal {
    pub const ALL: [Signal; 15] = [
        Signal::SponsoredLabel,
        Signal::SponsoredTitlePrefix,
        Signal::SponsoredMarkup,
        Signal::SponsoredRel,
        Signal::SponsoredUrl,
        Signal::SponsoredSchema,
        Signal::SponsoredCategory,
        Signal::SponsoredSelector,
        Signal::SponsoredDisclosure,
        Signal::PersonnelSection,
        Signal::PersonnelTag,
        Signal::PersonnelCategory,
        Signal::WeakDisclosure,
        Signal::PromotionalWording,
        Signal::AppointmentShape,
    ];

    /// The rule's name as `--explain` and the JSON output write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::SponsoredLabel => "sponsored_label",
            Signal::SponsoredTitlePrefix => "sponsored_title_prefix",
            Signal::SponsoredMarkup => "sponsored_markup",
            Signal::SponsoredRel => "sponsored_rel",
            Signal::SponsoredUrl => "sponsored_url",
            Signal::SponsoredSchema => "sponsored_schema",
            Signal::SponsoredCategory => "sponsored_category",
            Signal::SponsoredSelector => "sponsored_selector",
            Signal::SponsoredDisclosure => "sponsored_disclosure",
            Signal::PersonnelSection => "personnel_section",
            Signal::PersonnelTag => "personnel_tag",
            Signal::PersonnelCategory => "personnel_category",
            Signal::WeakDisclosure => "weak_disclosure",
            Signal::PromotionalWording => "promotional_wording",
            Signal::AppointmentShape => "appointment_shape",
        }
    }

    pub fn is_sponsored(self) -> bool {
        matches!(
            self,
            Signal::SponsoredLabel
                | Signal::SponsoredTitlePrefix
                | Signal::SponsoredMarkup
                | Signal::SponsoredUrl
                | Signal::SponsoredSchema
                | Signal::SponsoredCategory
                | Signal::SponsoredSelector
                | Signal::SponsoredDisclosure
        )
    }

    pub fn is_personnel(self) -> bool {
        matches!(
            self,
            Signal::PersonnelSection | Signal::PersonnelTag | Signal::PersonnelCategory
        )
    }
}

/// One signal found for an item: what matched and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub signal: Signal,
    /// The text or markup that matched.
    pub matched: String,
    /// Where: `line 40`, `div.native-ad > span`, `category`, …
    pub location: String,
    /// Where a label sits relative to the item, when it is a label on the page: what the
    /// learned decision weighs, since the same word may be the item's own or a neighbour's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reach: Option<Reach>,
}

/// Where a label stands relative to the item it was found for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reach {
    pub place: Place,
    /// Element steps up from the label (or the item) to the box both stand in.
    pub steps: u32,
    /// How many items the same label stands over (1 for a label of the item's own).
    pub shared: u32,
    /// Words of the label's element beyond the label itself ("Sponsored Links REUTERS/…").
    pub extra_words: u32,
    /// A list header ("From our partners", "Sponsored Links"), not a bare kicker ("Anzeige").
    pub header: bool,
    /// The label's box holds an empty placeholder, an embed, an image or an icon besides it:
    /// a display ad's slot more than a box of paid links.
    pub slot: bool,
    /// What the label stands over holds running text (paragraphs of 120 characters or more),
    /// as a news list or a live blog does and a box of paid links seldom does.
    #[serde(default)]
    pub prose: bool,
}

impl Reach {
    /// A label that is the item's own line (a text's label line, a feed entry's first line,
    /// the label of a block without a link).
    pub fn own() -> Reach {
        Reach {
            place: Place::Inside,
            steps: 0,
            shared: 1,
            extra_words: 0,
            header: false,
            slot: false,
            prose: false,
        }
    }
}

/// Where a label is, seen from the item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    /// In the item's own block (a kicker, a badge on the card).
    Inside,
    /// Right before the item's block or the list it is an entry of.
    Before,
    /// Heading a box of links the item is one of.
    Widget,
    /// Between the article's container and its text, before the headline.
    AboveHeadline,
    /// Between the headline and the article's text.
    UnderHeadline,
}

impl Place {
    pub fn as_str(self) -> &'static str {
        match self {
            Place::Inside => "inside",
            Place::Before => "before",
            Place::Widget => "widget",
            Place::AboveHeadline => "above_headline",
            Place::UnderHeadline => "under_headline",
        }
    }
}

impl Evidence {
    pub fn new(
        signal: Signal,
        matched: impl Into<String>,
        location: impl Into<String>,
    ) -> Evidence {
        Evidence {
            signal,
            matched: matched.into(),
            location: location.into(),
            reach: None,
        }
    }

    /// The same evidence, with where its label stands relative to the item.
    pub fn at(mut self, reach: Reach) -> Evidence {
        self.reach = Some(reach);
        self
    }
}

/// An item found in a document, before classification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Stable id: canonical URL, or a `tag:` URI with a content hash.
    pub id: String,
    pub title: String,
    /// Canonical absolute URL, without tracking parameters or fragment.
    pub link: Option<String>,
    /// Plain-text lede or blurb.
    pub summary: Option<String>,
    /// Sanitised HTML with absolute links.
    pub content_html: Option<String>,
    pub published: Option<DateTime<FixedOffset>>,
    pub author: Option<String>,
    pub sponsor: Option<String>,
    pub personnel: Option<Personnel>,
    pub block: Block,
    pub evidence: Vec<Evidence>,
    /// The kicker or section the page sets beside the headline ("Personalie", "Gesund essen").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// How a teaser looks where it stands, for the item-or-not decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<Shape>,
}

/// A teaser's form, measured on its page: what tells an article's teaser from a menu entry, a
/// section or author link, a utility or a caption. Each field is general (markup roles, the
/// link's address, the title's form, the box around it), none a site's own.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Shape {
    /// The innermost landmark the link sits in, by tag or ARIA role: `nav`, `header`,
    /// `footer`, `aside`, `main`, `article`, `menu`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub landmark: Option<String>,
    /// What the class and id words of the link's ancestors name: `breadcrumb`, `social`,
    /// `tags`, `pagination`, `author`, `related`, `footer`…
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    pub title_words: u32,
    pub title_chars: u32,
    /// Path segments of the link, and words in its last one ("a-b-c" is three).
    pub path_depth: u32,
    pub slug_words: u32,
    /// A run of four digits or more (an id) or a date in the path; a file name ending
    /// (`.html`, `.php`); a query string.
    pub id_in_path: bool,
    pub date_in_path: bool,
    pub file_ending: bool,
    pub query: bool,
    /// The link leaves the page's host.
    pub external: bool,
    /// The title is the path's last segment in words ("/sport/" titled "Sport").
    pub title_is_path: bool,
    /// The box holds an image, a date or time, a blurb, a heading.
    pub image: bool,
    pub date: bool,
    pub blurb: bool,
    pub heading: bool,
    /// Links in the list or group the teaser belongs to, and their mean words.
    pub group_links: u32,
    pub group_words: f64,
    /// Where on the page the link stands, from 0 (top) to 1 (bottom).
    pub position: f64,
    /// Links on the page whose address lies under this one's path (a section's own page
    /// has its articles under it).
    pub children: u32,
    /// The page's teasers whose titles open with this one's first two words ("Résultats
    /// des …", "Spanien -> …"): a listing of places or categories.
    pub same_start: u32,
    /// The median title length in words of the page's teasers.
    pub page_title_words: u32,
    /// Title words of three letters or more that the address spells too (an article's slug
    /// repeats its headline; a section's address is one word).
    pub title_in_address: u32,
    /// A title in capitals only ("MOST POPULAR", "NEWS").
    pub capitals: bool,
}

/// A parsed people notice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Personnel {
    pub person: Option<String>,
    pub company: Option<String>,
    pub role: Option<String>,
    /// The date the change takes effect ("pr. 1. september 2025").
    pub date: Option<NaiveDate>,
    pub kind: NoticeKind,
    /// The tag as the page wrote it ("Nyt job").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_employer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub education: Option<String>,
}

/// What a people notice announces; rules name it for each tag and sentence shape.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    NewJob,
    Promotion,
    Education,
    Anniversary,
    Birthday,
    #[default]
    Unknown,
}

impl NoticeKind {
    /// The name used in JSON, feed categories and ids.
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::NewJob => "new_job",
            NoticeKind::Promotion => "promotion",
            NoticeKind::Education => "education",
            NoticeKind::Anniversary => "anniversary",
            NoticeKind::Birthday => "birthday",
            NoticeKind::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for NoticeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    Editorial,
    Sponsored,
    Personnel,
}

impl Class {
    pub const ALL: [Class; 3] = [Class::Editorial, Class::Sponsored, Class::Personnel];

    pub fn as_str(self) -> &'static str {
        match self {
            Class::Editorial => "editorial",
            Class::Sponsored => "sponsored",
            Class::Personnel => "personnel",
        }
    }

    pub fn parse(s: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl std::fmt::Display for Class {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An item with its class and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classified {
    #[serde(flatten)]
    pub item: Item,
    pub class: Class,
    /// The evidence that decided.
    pub decided_by: Vec<Evidence>,
    /// Evidence that was found but lost to a stronger rule.
    pub runners_up: Vec<Evidence>,
    /// Why an editorial item looks promotional without a label a rule can trust.
    pub suspect: Option<String>,
    /// The strongest contributions to the decision, in words.
    #[serde(default)]
    pub reasons: Vec<Reason>,
    /// The learned probabilities of paid content and of a people notice.
    #[serde(default)]
    pub p_sponsored: f64,
    #[serde(default)]
    pub p_personnel: f64,
    /// For a teaser: the learned probability that it is an item at all (an article, a post, a
    /// video), not a menu entry, a section link or a utility.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_item: Option<f64>,
    /// Why an editorial teaser is no item: it stays out of every feed, shown by `--explain`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_an_item: Option<String>,
}

/// One contribution to a decision: what the page shows, and how much it weighed (log-odds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub says: String,
    pub weight: f64,
}

/// One value per class, indexed by `Class`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerClass<T>(pub [T; 3]);

impl<T> std::ops::Index<Class> for PerClass<T> {
    type Output = T;

    fn index(&self, class: Class) -> &T {
        &self.0[class as usize]
    }
}

impl<T> std::ops::IndexMut<Class> for PerClass<T> {
    fn index_mut(&mut self, class: Class) -> &mut T {
        &mut self.0[class as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signal_is_named_as_serialised() {
        for signal in Signal::ALL {
            let json = serde_json::to_value(signal).expect("serialise");
            assert_eq!(json.as_str(), Some(signal.as_str()));
        }
    }

    #[test]
    fn a_notice_kind_is_named_as_serialised() {
        use NoticeKind::*;
        for kind in [NewJob, Promotion, Education, Anniversary, Birthday, Unknown] {
            let json = serde_json::to_value(kind).expect("serialise");
            assert_eq!(json.as_str(), Some(kind.as_str()));
        }
    }
}

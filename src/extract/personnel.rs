//! People notices ("Navnenyt") parsed into person, company, role, date and kind.

use super::dates::parse_written_date;
use crate::model::{NoticeKind, Personnel};
use crate::rules::{Rules, squeeze};

impl Personnel {
    /// Another sighting's fields where these lack them: a teaser's headline names the role
    /// and company, the notice page it leads to also the person and the date.
    pub fn absorb(&mut self, other: Personnel) {
        use super::fill;
        fill(&mut self.person, other.person);
        fill(&mut self.company, other.company);
        fill(&mut self.role, other.role);
        fill(&mut self.date, other.date);
        fill(&mut self.tag, other.tag);
        fill(&mut self.age, other.age);
        fill(&mut self.previous_role, other.previous_role);
        fill(&mut self.previous_employer, other.previous_employer);
        fill(&mut self.education, other.education);
        if self.kind == NoticeKind::Unknown {
            self.kind = other.kind;
        }
    }

    /// `Person – Role, Company`, with what is known.
    pub fn title(&self) -> Option<String> {
        let person = self.person.as_deref()?;
        let mut title = person.to_string();
        match (self.role.as_deref(), self.company.as_deref()) {
            (Some(r), Some(c)) => title.push_str(&format!(" – {r}, {c}")),
            (Some(r), None) => title.push_str(&format!(" – {r}")),
            (None, Some(c)) => title.push_str(&format!(" – {c}")),
            (None, None) => {}
        }
        Some(title)
    }
}

/// A named group of a notice pattern's match, trimmed, when it holds anything.
fn captured(caps: &regex::Captures, name: &str) -> Option<String> {
    caps.name(name)
        .map(|m| m.as_str().trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The person, role and company an appointment headline names (`[personnel] headlines`),
/// after any kicker ("Personalie: Neuer Finanzchef bei Frischwerk").
pub fn parse_headline(title: &str, rules: &Rules) -> Option<Personnel> {
    let bare = title.split_once(": ").map(|(_, rest)| rest);
    [Some(title), bare].into_iter().flatten().find_map(|t| {
        rules.headlines().iter().find_map(|pattern| {
            let caps = pattern.regex.captures(t.trim())?;
            Some(Personnel {
                person: captured(&caps, "person"),
                company: captured(&caps, "company"),
                role: captured(&caps, "role"),
                kind: pattern.kind,
                ..Personnel::default()
            })
        })
    })
}

/// Parses one notice. `notice` is the running text (with or without its trailing tag);
/// `extra_lines` are the name and company lines some sites print under it.
pub fn parse_notice(notice: &str, extra_lines: &[String], rules: &Rules) -> Personnel {
    let clean = squeeze(notice);
    let (text, tag, tag_kind) = match rules.personnel_tag(&clean) {
        Some(t) => (t.rest, Some(t.tag), Some(t.kind)),
        None => (clean.clone(), None, None),
    };
    let mut p = Personnel {
        tag: tag.map(|t| display_tag(&t)),
        ..Personnel::default()
    };
    let mut pattern_kind = None;
    for pattern in rules.patterns() {
        let Some(caps) = pattern.regex.captures(&text) else {
            continue;
        };
        let get = |name: &str| captured(&caps, name);
        p.person = get("person");
        p.company = get("company");
        p.role = get("role");
        p.date = get("date").and_then(|d| parse_written_date(&d));
        p.age = get("age").and_then(|a| a.parse().ok());
        p.previous_role = get("previous_role");
        p.education = get("education");
        pattern_kind = Some(pattern.kind);
        break;
    }
    for detail in rules.details() {
        if let Some(caps) = detail.regex.captures(&text) {
            let get = |name: &str| caps.name(name).map(|m| m.as_str().trim().to_string());
            if p.previous_role.is_none() {
                p.previous_role = get("previous_role");
            }
            if p.previous_employer.is_none() {
                p.previous_employer = get("previous_employer");
            }
            if p.education.is_none() {
                p.education = get("education");
            }
        }
    }
    // The name and company lines, where the page prints them, fill what the sentence did not.
    let mut lines = extra_lines
        .iter()
        .map(|l| squeeze(l))
        .filter(|l| !l.is_empty());
    if p.person.is_none() {
        p.person = lines.next();
    } else {
        lines.next();
    }
    if p.company.is_none() {
        p.company = lines.next();
    }
    if p.date.is_none() {
        p.date = parse_written_date(&text);
    }
    p.kind = tag_kind.or(pattern_kind).unwrap_or_default();
    p
}

/// The tag with its first letter in upper case, as the column prints it.
fn display_tag(tag: &str) -> String {
    let mut chars = tag.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Turns the lines of a people-notice column into items: a line ending in a tag (or shaped like
/// a notice) starts an entry; short lines repeating its name or company belong to it; anything
/// else (job ads, a trending list after the column) is skipped. Each line is (text, location).
pub(crate) fn notice_items(
    lines: &[(String, String)],
    section: &str,
    cx: &super::Context,
    authority: &str,
) -> (Vec<super::Item>, Vec<super::Skipped>) {
    use super::{Block, Evidence, Item, Signal, Skipped, paragraphs_html};
    use crate::rules::normalize;

    struct Entry<'l> {
        text: &'l str,
        location: &'l str,
        extra: Vec<String>,
    }
    let rules = cx.rules;
    let mut entries: Vec<Entry> = Vec::new();
    let mut skipped = Vec::new();
    for (text, location) in lines {
        let signs = rules.notice_signs(text);
        let tagged = signs.tag.is_some();
        if let Some(last) = entries.last_mut()
            && !tagged
            && last.extra.len() < 2
            && normalize(last.text).contains(&normalize(text))
        {
            last.extra.push(text.clone());
            continue;
        }
        if tagged || signs.shaped {
            entries.push(Entry {
                text,
                location,
                extra: Vec::new(),
            });
        } else {
            skipped.push(Skipped {
                what: "sidebar".into(),
                text: text.clone(),
                location: location.clone(),
            });
        }
    }
    let items = entries
        .into_iter()
        .map(|entry| {
            let p = parse_notice(entry.text, &entry.extra, rules);
            let text = squeeze(entry.text);
            let mut evidence = vec![Evidence::new(
                Signal::PersonnelSection,
                section.to_string(),
                entry.location.to_string(),
            )];
            if let Some(tag) = &p.tag {
                evidence.push(Evidence::new(
                    Signal::PersonnelTag,
                    tag.clone(),
                    entry.location.to_string(),
                ));
            }
            Item {
                id: super::identity::personnel_id(authority, &p)
                    .unwrap_or_else(|| super::identity::tag_id(authority, "personnel", &text)),
                title: p.title().unwrap_or_else(|| text.chars().take(80).collect()),
                link: None,
                summary: Some(text.clone()),
                content_html: Some(paragraphs_html(std::slice::from_ref(&text))),
                published: p.date.map(|d| super::dates::local_midnight(d, cx.tz)),
                author: None,
                sponsor: None,
                personnel: Some(p),
                block: Block::PersonnelNotice,
                evidence,
                category: None,
                shape: None,
            }
        })
        .collect();
    (items, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn parse(text: &str) -> Personnel {
        parse_notice(text, &[], &Rules::builtin())
    }

    #[test]
    fn company_first_hire() {
        let p = parse(
            "IT Confidence A/S har pr. 1. oktober 2025 ansat Henrik Thøgersen som it-konsulent med \
             fokus på salg. Han skal især beskæftige sig med rådgivende salg. Han kommer fra en \
             stilling som freelancer i eget firma og client manager hos IT Relation og \
             IT-Afdelingen A/S. Han er uddannet elektromekaniker. Nyt job",
        );
        assert_eq!(p.person.as_deref(), Some("Henrik Thøgersen"));
        assert_eq!(p.company.as_deref(), Some("IT Confidence A/S"));
        assert_eq!(p.role.as_deref(), Some("it-konsulent med fokus på salg"));
        assert_eq!(p.date, NaiveDate::from_ymd_opt(2025, 10, 1));
        assert_eq!(p.kind.as_str(), "new_job");
        assert_eq!(p.tag.as_deref(), Some("Nyt job"));
        assert_eq!(p.education.as_deref(), Some("elektromekaniker"));
        assert_eq!(
            p.previous_employer.as_deref(),
            Some("IT Relation og IT-Afdelingen A/S")
        );
    }

    #[test]
    fn person_first_with_age_and_doubled_space() {
        let p = parse(
            "Mette Kjær, 54 år,  er pr. 15. januar 2026 ansat hos Dansk Datadrift ApS som \
             driftschef. Mette skal især beskæftige sig med med drift. Nyt job",
        );
        assert_eq!(p.person.as_deref(), Some("Mette Kjær"));
        assert_eq!(p.age, Some(54));
        assert_eq!(p.company.as_deref(), Some("Dansk Datadrift ApS"));
        assert_eq!(p.role.as_deref(), Some("driftschef"));
        assert_eq!(p.date, NaiveDate::from_ymd_opt(2026, 1, 15));
    }

    #[test]
    fn promotion_and_education() {
        let p = parse(
            "Sofie Lund, teamleder hos Nordisk Cloud A/S, er pr. 1. november 2025 forfremmet til \
             afdelingschef. Hun skal fremover især beskæftige sig med strategi. Forfremmelse",
        );
        assert_eq!(p.kind.as_str(), "promotion");
        assert_eq!(p.role.as_deref(), Some("afdelingschef"));
        assert_eq!(p.previous_role.as_deref(), Some("teamleder"));
        assert_eq!(p.company.as_deref(), Some("Nordisk Cloud A/S"));
        let p = parse(
            "Jonas Berg, udvikler hos Region Syddanmark, IT, har pr. 20. juni 2025 fuldført \
             uddannelsen Master i it-ledelse. Færdiggjort uddannelse",
        );
        assert_eq!(p.kind.as_str(), "education");
        assert_eq!(p.company.as_deref(), Some("Region Syddanmark, IT"));
        assert_eq!(p.education.as_deref(), Some("Master i it-ledelse"));
    }

    #[test]
    fn falls_back_to_name_lines() {
        let p = parse_notice(
            "Vi byder velkommen til vores nye kollega. Nyt job",
            &["Anna Holm".into(), "Holm & Co".into()],
            &Rules::builtin(),
        );
        assert_eq!(p.person.as_deref(), Some("Anna Holm"));
        assert_eq!(p.company.as_deref(), Some("Holm & Co"));
        assert_eq!(p.kind.as_str(), "new_job");
        assert_eq!(p.title().as_deref(), Some("Anna Holm – Holm & Co"));
    }

    #[test]
    fn appointment_headlines_name_person_role_and_company() {
        let rules = Rules::builtin();
        let parse =
            |title: &str| parse_headline(title, &rules).map(|p| (p.person, p.role, p.company));
        let some = |s: &str| Some(s.to_string());
        assert_eq!(
            parse("Jane Roe named chief financial officer of Northwind Bank"),
            Some((
                some("Jane Roe"),
                some("chief financial officer"),
                some("Northwind Bank")
            ))
        );
        assert_eq!(
            parse("Anna Berg wird neue Finanzchefin bei Kaufgut"),
            Some((some("Anna Berg"), some("Finanzchefin"), some("Kaufgut")))
        );
        assert_eq!(
            parse("Personalie: Neuer Finanzchef bei Frischwerk"),
            Some((None, some("Finanzchef"), some("Frischwerk")))
        );
        assert_eq!(
            parse("Kaffeepreise steigen zum dritten Mal in diesem Jahr"),
            None
        );
        assert_eq!(parse("Why so many new chief executives struggle"), None);
        // Words around a name or a company that name no office.
        for news in [
            "Neue Regeln für Banken",
            "Neuer Rekord bei Tesla",
            "Neue Filiale der Sparkasse",
            "Anna Berg wird neue Botschafterin der Marke Kaufgut",
            "Jane Roe named best new voice of Contoso Radio",
            "Contoso names Seattle Office winner",
        ] {
            assert_eq!(parse(news), None, "{news}");
        }
        assert_eq!(
            parse("Judith Roe wird neue CFO von Kaufgut"),
            Some((some("Judith Roe"), some("CFO"), some("Kaufgut")))
        );
    }

    #[test]
    fn sightings_merge_field_by_field() {
        let rules = Rules::builtin();
        let mut teaser = parse_headline("Neuer Finanzchef bei Kaufgut", &rules).expect("parses");
        let page = Personnel {
            person: Some("Jonas Berg".into()),
            role: Some("Chief Financial Officer".into()),
            date: NaiveDate::from_ymd_opt(2026, 1, 1),
            ..Personnel::default()
        };
        teaser.absorb(page);
        assert_eq!(teaser.person.as_deref(), Some("Jonas Berg"));
        assert_eq!(teaser.role.as_deref(), Some("Finanzchef"));
        assert_eq!(teaser.company.as_deref(), Some("Kaufgut"));
        assert_eq!(teaser.date, NaiveDate::from_ymd_opt(2026, 1, 1));
        assert_eq!(teaser.kind, NoticeKind::NewJob);
    }
}

use super::*;

#[test]
fn builtin_rules_compile() {
    let file = RulesFile::parse(DEFAULT_RULES, "built-in rules").expect("parses");
    check(&file, "built-in rules").expect("every pattern and selector is valid");
    let rules = Rules::builtin();
    assert!(!rules.patterns().is_empty());
    assert!(rules.sponsored_label("Annonce").is_some());
}

#[test]
fn offsets_stay_on_the_original_text() {
    let rules = Rules::builtin();
    // Full-width letters and a ligature change length under NFKC.
    let text = "ｆｉｎｅ ﬁne.Annonceindlæg fra AcmeTitel";
    let at = rules.glued_sponsored_label(text).expect("glued");
    assert!(text.is_char_boundary(at));
    assert!(text[at..].starts_with("Annonceindlæg"));
    assert_eq!(normalize("Ｓｐｏｎｓｏｒｅｄ"), "sponsored");
    assert_eq!(normalize("Cafe\u{301}"), normalize("Café"));
    assert_eq!(normalize("Annonceindlæg"), normalize("ANNONCEINDLAEG"));
}

#[test]
fn normalises_obfuscated_labels() {
    assert_eq!(normalize("Anz\u{0435}ig\u{0435}"), "anzeige");
    assert_eq!(normalize("Wer\u{200B}bung"), "werbung");
    assert_eq!(normalize("ANNONCEINDLÆG"), normalize("Annonceindlaeg"));
    assert_eq!(
        normalize("  Navnenyt \n fra  it-Danmark "),
        "navnenyt fra it-danmark"
    );
}

#[test]
fn finds_label_with_sponsor() {
    let rules = Rules::builtin();
    let m = rules
        .sponsored_label("Annonceindlæg fra Trustworks")
        .expect("label");
    assert_eq!(m.label, "annonceindlæg");
    assert_eq!(m.sponsor.as_deref(), Some("Trustworks"));
    let m = rules
        .sponsored_label("Sponsored by Ørsted A/S")
        .expect("label");
    assert_eq!(m.sponsor.as_deref(), Some("Ørsted A/S"));
    assert!(rules.sponsored_label("Annonceindlæg tema").is_some());
    assert!(rules.sponsored_label("Annoncer for sommerhuse").is_none());
    assert!(
        rules
            .sponsored_label("Artiklen fortsætter efter annoncen")
            .is_none()
    );
}

#[test]
fn finds_labels_after_titles_hashtags_and_negations() {
    let rules = Rules::builtin();
    for (title, clean) in [
        ("AEG Ultramix im Test ⌈WERBUNG⌉", "AEG Ultramix im Test"),
        (
            "Neue Jacken für den Winter (Anzeige)",
            "Neue Jacken für den Winter",
        ),
        ("Geschenkideen – Werbung", "Geschenkideen"),
        (
            "Five cloud tips | Sponsored by Northwind",
            "Five cloud tips",
        ),
    ] {
        let (_, rest) = rules.sponsored_title_label(title).expect(title);
        assert_eq!(rest, clean);
    }
    assert!(
        rules
            .sponsored_title_label("Werbung in sozialen Medien wirkt")
            .is_none()
    );
    assert!(rules.sponsored_title_label("Kampagne (Teil 2)").is_none());
    assert_eq!(
        rules
            .hashtag(&Folded::new("Toller Tag am See! #ad #sommer"), false)
            .as_deref(),
        Some("#ad")
    );
    assert!(
        rules
            .hashtag(&Folded::new("#adventure #adidas"), false)
            .is_none()
    );
    assert_eq!(
        rules
            .hashtag(&Folded::new("#collab mit X"), true)
            .as_deref(),
        Some("#collab")
    );
    assert!(
        rules
            .disclosure(&Folded::new(
                "Unbezahlte Werbung: dieser Beitrag enthält Werbung"
            ))
            .is_none()
    );
    assert!(
        rules
            .negation(&Folded::new("*unbezahlte Werbung"))
            .is_some()
    );
    assert!(
        rules
            .disclosure(&Folded::new(
                "Dieser Beitrag entstand in Kooperation mit Acme."
            ))
            .is_some()
    );
    assert!(
        rules
            .disclosure(&Folded::new(
                "Die Studie entstand in Kooperation mit der Universität."
            ))
            .is_none()
    );
    assert!(rules.head_kicker("Promotion").is_some());
    assert!(
        rules
            .sponsored_title_label(
                "Streit um Tabak – Werbung für E-Zigaretten soll verboten werden"
            )
            .is_none()
    );
    assert!(
        rules
            .sponsored_kicker("Werbung für E-Zigaretten soll verboten werden")
            .is_none()
    );
    assert_eq!(
        rules
            .sponsored_label("Anzeige für Bergwerk Outdoor")
            .and_then(|m| m.sponsor)
            .as_deref(),
        Some("Bergwerk Outdoor")
    );
    assert!(rules.head_kicker("Promotion für Vertrieb").is_none());
    assert!(rules.is_more_link("More \"Tech News\" »") && !rules.is_more_link("Morecambe wins"));
}

#[test]
fn finds_title_prefix_and_glued_label() {
    let rules = Rules::builtin();
    let (m, t) = rules
        .sponsored_title_prefix("Annonce: Sådan sikrer du skyen")
        .expect("prefix");
    assert_eq!(m.label, "annonce");
    assert_eq!(t, "Sådan sikrer du skyen");
    assert!(
        rules
            .sponsored_title_prefix("Annoncemarkedet falder")
            .is_none()
    );
    let text = "kan løbe rundt.Annonceindlæg fra AcmeSådan gør du";
    let at = rules.glued_sponsored_label(text).expect("glued");
    assert_eq!(&text[at..at + 5], "Annon");
    assert!(
        rules
            .glued_sponsored_label("Vi så et annonceindlæg fra firmaet i avisen.")
            .is_none()
    );
}

#[test]
fn finds_kickers_and_disclosures() {
    let rules = Rules::builtin();
    let m = rules
        .sponsored_kicker("- Advertorial Dalbello-")
        .expect("kicker");
    assert_eq!(m.sponsor.as_deref(), Some("Dalbello"));
    assert!(rules.sponsored_kicker("Sponsoreret indhold").is_some());
    assert!(rules.sponsored_kicker("Annoncer du skal kende").is_none());
    assert!(
        rules
            .sponsored_kicker("Advertorial rules are strict in Denmark")
            .is_none()
    );
    assert!(
        rules
            .disclosure(&Folded::new(
                "Dieser Beitrag entstand in freundlicher Zusammenarbeit mit der Shop-Apotheke."
            ))
            .is_some()
    );
    assert!(
        rules
            .disclosure(&Folded::new(
                "Dieser Beitrag entstand in Zusammenarbeit mit der dpa."
            ))
            .is_none()
    );
    assert!(
        rules
            .disclosure(&Folded::new("Vi arbejder i samarbejde med kommunen."))
            .is_none()
    );
    assert!(
        rules
            .promotional_wording(&Folded::new("Brug koden SOMMER og køb nu"))
            .is_some()
    );
    assert!(
        rules
            .promotional_wording(&Folded::new("Køb nu, sagde han"))
            .is_none()
    );
}

#[test]
fn finds_personnel_tag() {
    let rules = Rules::builtin();
    let tag = rules
        .personnel_tag("X har ansat Y som Z. Nyt job")
        .expect("tag");
    assert_eq!(
        (tag.tag.as_str(), tag.kind.as_str()),
        ("nyt job", "new_job")
    );
    assert_eq!(tag.rest, "X har ansat Y som Z.");
    assert!(rules.personnel_tag("Hun har fået nyt jobbet").is_none());
}

#[test]
fn people_headers_take_a_short_qualifier() {
    let rules = Rules::builtin();
    assert!(rules.is_personnel_header("Personalien"));
    assert!(rules.is_personnel_header("Personalien Handel"));
    assert!(rules.is_personnel_header("People moves this week"));
    assert!(!rules.is_personnel_header("Personalien aus der Region und dem Land"));
    assert!(!rules.is_personnel_header("Personalabteilung"));
}

//! `feedsplit classify`: one line per item with its class and reasons, `--explain`, `--json`.

use crate::util::*;

#[test]
fn classify_prints_class_title_and_reason_per_item() {
    Feedsplit::classify(corpus().join("seed.txt"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "sponsored\tTillid i en Zero-Trust verden\t'Annonceindlæg fra Trustworks' is the item's own label line",
        ))
        .stdout(predicate::str::contains("personnel\tHenrik Thøgersen – it-konsulent med fokus på salg, IT Confidence A/S"));
    let v = Feedsplit::classify(corpus().join("cw-article.html"))
        .arg("--explain")
        .json();
    let items = v["items"].as_array().expect("items");
    assert_eq!(
        items.iter().filter(|i| i["class"] == "sponsored").count(),
        2
    );
    let skipped = v["skipped"].as_array().expect("skipped");
    assert!(
        skipped
            .iter()
            .any(|s| s["text"].as_str().unwrap_or("").contains("Cloud Summit"))
    );
}

#[test]
fn explain_goes_to_stderr() {
    let tmp = tempfile::tempdir().expect("tmp");
    Feedsplit::convert(corpus().join("mixed-feed.rss"))
        .arg("--explain")
        .now(NOW)
        .out(tmp.path())
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "sponsored_title_prefix \"annonce\"",
        ))
        .stdout(predicate::str::contains(
            "mixed-feed: 2 editorial, 3 sponsored, 2 personnel",
        ));
}

#[test]
fn explain_shows_runners_up_and_suspects() {
    let tmp = tempfile::tempdir().expect("tmp");
    Feedsplit::classify(corpus().join("hard-promo-unlabelled.html"))
        .arg("--explain")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "editorial\tSådan vælger du den rigtige router",
        ))
        .stdout(predicate::str::contains("SUSPECT: promotional wording"));
    let v = Feedsplit::classify(corpus().join("hard-paid-hire.html")).json();
    let paid = v["items"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|i| i["title"] == "Rekrutteringshuset ansætter ny partner")
        })
        .expect("paid hire");
    assert_eq!(paid["class"], "sponsored");
    assert_eq!(paid["decided_by"][0]["signal"], "sponsored_label");
    let config = ConfigFile::new()
        .source(
            "guide",
            [corpus()
                .join("hard-promo-unlabelled.html")
                .display()
                .to_string()],
        )
        .write(tmp.path());
    let run = Feedsplit::job(&config).now(NOW).output();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("; 1 suspect"), "{stdout}");
    assert!(
        stdout.contains("suspect: Sådan vælger du den rigtige router: promotional wording"),
        "{stdout}"
    );
}

#[test]
fn a_page_that_says_it_is_an_article_but_yields_none_is_reported() {
    let tmp = tempfile::tempdir().expect("tmp");
    // An article page whose text is only a video and a caption: nothing to make an article of.
    let page = "<!DOCTYPE html><html><head><meta charset=\"utf-8\">\
        <meta property=\"og:type\" content=\"article\"><meta property=\"og:title\" content=\"Video: Havnen i nat\">\
        </head><body><div class=\"player\"><video src=\"/v.mp4\"></video><span>02:14</span></div></body></html>";
    let path = tmp.path().join("video.html");
    std::fs::write(&path, page).expect("write");
    Feedsplit::classify(&path)
        .arg("--explain")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "skipped\tVideo: Havnen i nat\tarticle not found",
        ));
    let config = ConfigFile::new()
        .source("video", [path.display().to_string()])
        .write(tmp.path());
    let out = Feedsplit::job(&config).now(NOW).output();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning:")
            && stderr.contains("no article found on a page that says it is one"),
        "{stderr}"
    );
}

#[test]
fn a_kicker_heading_is_the_category_not_the_title_and_appointments_are_evidence() {
    let tmp = tempfile::tempdir().expect("tmp");
    let page = tmp.path().join("page.html");
    let teaser = |slug: &str, kicker: &str, headline: &str, blurb: &str| {
        format!(
            "<li><a href=\"https://handel.example.de/{slug}\"><span><h4>{kicker}</h4>\
             <span class=\"title\">{headline}</span><span>27.10.2023</span></span>\
             <p>{blurb}</p></a></li>"
        )
    };
    let body = format!(
        "<html><head><title>Ein Artikel über den Handel</title></head><body><main><article>\
         <h1>Ein Artikel über den Handel</h1><p>{}</p><p>{}</p></article>\
         <ul class=\"more\">{}{}</ul></main></body></html>",
        "Der Handel verändert sich schneller, als viele Händler erwartet haben, und das zeigt sich in jeder Filiale.",
        "Die Kundschaft achtet auf Preise, auf Herkunft und auf kurze Wege, und das verändert die Sortimente.",
        teaser(
            "a",
            "Personalie",
            "Neue Leiterin für den Einkauf eines Versenders",
            "Sie kommt von einem Großhändler."
        ),
        teaser(
            "b",
            "Logistik",
            "Ein Versender baut sein Lager im Norden aus",
            "Der Ausbau kostet zwölf Millionen Euro."
        ),
    );
    std::fs::write(&page, body).expect("write");
    let v = Feedsplit::classify(&page).json();
    let items = v["items"].as_array().expect("items");
    let titles: Vec<&str> = items.iter().filter_map(|i| i["title"].as_str()).collect();
    assert!(
        titles.contains(&"Neue Leiterin für den Einkauf eines Versenders"),
        "{titles:?}"
    );
    assert!(
        titles.contains(&"Ein Versender baut sein Lager im Norden aus"),
        "{titles:?}"
    );
    let notice = items
        .iter()
        .find(|i| i["title"] == "Neue Leiterin für den Einkauf eines Versenders")
        .expect("notice teaser");
    assert_eq!(notice["category"], "Personalie");
    let signals: Vec<&str> = notice["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .filter_map(|e| e["signal"].as_str())
        .collect();
    assert!(signals.contains(&"appointment_shape"), "{signals:?}");
}

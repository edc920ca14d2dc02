//! `feedsplit eval`: scoring the corpus and real-world labels, and the gates.

use crate::util::*;

#[test]
fn eval_scores_the_corpus_and_holds_the_thresholds() {
    let out = Feedsplit::command()
        .args(["eval", "--check"])
        .arg(corpus())
        .output();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pages: usize = stdout
        .lines()
        .find_map(|l| l.strip_prefix("pages: "))
        .and_then(|n| n.trim().parse().ok())
        .expect("page count");
    assert!(pages >= 60, "{pages} labelled pages");
    assert!(stdout.contains("confusion (rows: labelled, columns: predicted)"));
}

#[test]
fn eval_reports_misses_and_fails_the_check_on_wrong_labels() {
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::copy(corpus().join("seed.txt"), tmp.path().join("seed.txt")).expect("copy");
    // Labels that call the sponsored teaser editorial and miss a notice's company.
    std::fs::write(
        tmp.path().join("seed.expected.toml"),
        "editorial = [\"Kasperskys danske direktør efter spion-beskyldninger: Danske myndigheder skal 'på ingen måde' frygte at blive overvåget\", \"Tillid i en Zero-Trust verden\"]\n\
         [[personnel]]\nperson = \"Alexander Bendix\"\ncompany = \"Norriq A/S\"\nkind = \"new_job\"\n",
    )
    .expect("labels");
    let out = Feedsplit::command()
        .args(["eval", "--check"])
        .arg(tmp.path())
        .output();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("\"Tillid i en Zero-Trust verden\" labelled editorial, got sponsored"),
        "{stdout}"
    );
    assert!(stdout.contains("labelled field \"Norriq A/S\""), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("editorial recall") || stderr.contains("below"),
        "{stderr}"
    );
}

#[test]
fn eval_reads_real_world_labels() {
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::copy(
        corpus().join("sponsored-article.html"),
        tmp.path().join("paid.html"),
    )
    .expect("copy");
    std::fs::copy(
        corpus().join("neg-advertising.html"),
        tmp.path().join("news.html"),
    )
    .expect("copy");
    // The second page's main article is mislabelled sponsored, and a paid item is invented.
    std::fs::write(
        tmp.path().join("labels.v2.json"),
        r#"[{"file": "paid.html", "main_article": "sponsored", "main_title": "Tillid i en Zero-Trust verden"},
            {"file": "news.html", "main_article": "sponsored", "main_title": "x",
             "sponsored_items": [{"title": "Et betalt indlæg der ikke findes", "href": "/nowhere", "label": "Annonce"}]}]"#,
    )
    .expect("labels");
    let out = Feedsplit::command()
        .args(["eval", "--realworld", "--check"])
        .arg(tmp.path())
        .output();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("ok") && l.contains("paid.html")),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("MISS") && l.contains("news.html")),
        "{stdout}"
    );
    assert!(
        stdout.contains("paid item \"Et betalt indlæg der ikke findes\" not found"),
        "{stdout}"
    );
    assert!(
        stdout.contains("posts labelled sponsored found: 0.500 (1 of 2)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("paid items: recall 0.000 (0 of 1)"),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("paid-item recall 0.000 is below 0.900"),
        "{stderr}"
    );
    // Pages no item label judges: the editorial feed is not measured, and the goals say so.
    assert!(
        stdout.contains("editorial feed (judged teasers): not measured"),
        "{stdout}"
    );
    assert!(
        stderr.contains("editorial-feed figures not measured"),
        "{stderr}"
    );
    // A gate file sets other floors.
    let gate = tmp.path().join("gate.toml");
    std::fs::write(
        &gate,
        "main_accuracy = 0.5\nsponsored_post_recall = 0.5\npaid_recall = 0.0\npaid_precision = 0.0\n\
         editorial_precision = 0.0\ncontent_recall = 0.0\nheadline_accuracy = 0.0\n",
    )
    .expect("gate");
    Feedsplit::command()
        .args(["eval", "--realworld", "--check", "--gate"])
        .arg(&gate)
        .arg(tmp.path())
        .run();
}

/// A labelled real-world folder of corpus pages from three sites.
fn small_realworld(dir: &std::path::Path) {
    for (from, to) in [
        ("sponsored-article.html", "paid.html"),
        ("neg-advertising.html", "news.html"),
        ("en-widget-sponsors.html", "widget.html"),
        ("cw-article.html", "cw.html"),
    ] {
        std::fs::copy(corpus().join(from), dir.join(to)).expect("copy");
    }
    std::fs::write(
        dir.join("labels.v2.json"),
        r#"[{"file": "paid.html", "main_article": "sponsored", "main_title": "Tillid i en Zero-Trust verden"},
            {"file": "news.html", "main_article": "editorial", "main_title": "x"},
            {"file": "widget.html", "main_article": "editorial", "main_title": "x",
             "sponsored_items": [{"title": "Managing Joint Pain"}, {"title": "Better Sleep Tonight"}]},
            {"file": "cw.html", "main_article": "editorial", "main_title": "x"}]"#,
    )
    .expect("labels");
}

#[test]
fn train_writes_the_same_model_twice_and_cross_validation_holds_out_sites() {
    let tmp = tempfile::tempdir().expect("tmp");
    small_realworld(tmp.path());
    let train = |out: &str| {
        let path = tmp.path().join(out);
        Feedsplit::command()
            .args(["train", "--realworld"])
            .arg(tmp.path())
            .arg("-o")
            .arg(&path)
            .run();
        std::fs::read(&path).expect("model written")
    };
    let first = train("a.json");
    assert_eq!(first, train("b.json"), "same pages, same bytes");
    let model: serde_json::Value = serde_json::from_slice(&first).expect("model JSON");
    assert!(
        model["sponsored"]["weights"]
            .as_object()
            .is_some_and(|w| !w.is_empty())
    );
    // A model file decides `classify --model`: one whose paid bias outweighs everything makes
    // the page's news sponsored, which the built-in model keeps editorial.
    let classes = |model: Option<&std::path::Path>| {
        let mut cmd = Feedsplit::classify(corpus().join("en-widget-sponsors.html"));
        if let Some(m) = model {
            cmd = cmd.arg("--model").arg(m);
        }
        let v = cmd.json();
        let items = v["items"].as_array().cloned().unwrap_or_default();
        items
            .iter()
            .map(|i| i["class"].as_str().unwrap_or("").to_string())
            .collect::<Vec<_>>()
    };
    assert!(classes(None).iter().any(|c| c == "editorial"));
    let mut paid = model.clone();
    paid["sponsored"]["bias"] = serde_json::json!(50.0);
    let paid_path = tmp.path().join("paid.json");
    std::fs::write(&paid_path, paid.to_string()).expect("write");
    let all_paid = classes(Some(&paid_path));
    assert!(
        !all_paid.is_empty() && all_paid.iter().all(|c| c == "sponsored"),
        "{all_paid:?}"
    );
    // Three sites in two folds: each page scored once, by the fold that held its site out.
    let cv = Feedsplit::command()
        .args(["eval", "--realworld", "--folds", "2"])
        .arg(tmp.path())
        .json();
    let folds = cv["cross_validated"]["folds"].as_array().expect("folds");
    assert_eq!(folds.len(), 2);
    let pages: u64 = folds.iter().filter_map(|f| f["pages"].as_u64()).sum();
    assert_eq!(pages, 4);
    let sites: u64 = folds.iter().filter_map(|f| f["sites"].as_u64()).sum();
    assert_eq!(sites, 3, "computerworld.dk's two pages are one site");
    assert_eq!(cv["cross_validated"]["pooled"]["pages"], 4);
    assert_eq!(cv["fit"]["pages"], 4);
    let table = Feedsplit::command()
        .args(["eval", "--realworld", "--folds", "2"])
        .arg(tmp.path())
        .run();
    let stdout = String::from_utf8_lossy(&table.stdout);
    assert!(
        stdout.contains("cross-validated, pooled over every held-out page"),
        "{stdout}"
    );
    assert!(stdout.contains("fit on every page"), "{stdout}");
}

#[test]
fn a_missing_or_corrupt_model_file_is_named() {
    let tmp = tempfile::tempdir().expect("tmp");
    let missing = tmp.path().join("none.json");
    let stderr = Feedsplit::classify(corpus().join("cw-article.html"))
        .arg("--model")
        .arg(&missing)
        .fails(1, "cannot read the model");
    assert!(stderr.contains("none.json"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    let corrupt = tmp.path().join("model.json");
    std::fs::write(&corrupt, "{\"sponsored\": [1, 2]}").expect("write");
    let stderr = Feedsplit::classify(corpus().join("cw-article.html"))
        .arg("--model")
        .arg(&corrupt)
        .fails(1, "not a feedsplit model");
    assert!(stderr.contains("model.json"), "{stderr}");
    Feedsplit::command()
        .args(["eval", "--model"])
        .arg(&corrupt)
        .arg(corpus())
        .fails(1, "model.json: not a feedsplit model");
}

#[test]
fn explain_gives_the_strongest_contributions_in_words() {
    let out = Feedsplit::classify(corpus().join("en-widget-sponsors.html")).run();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.contains("Managing Joint Pain"))
        .expect("the widget's first item");
    assert!(line.starts_with("sponsored\t"), "{line}");
    assert!(line.contains("heads this box of 4 links"), "{line}");
    assert!(line.contains("(paid 0."), "{line}");
    let v = Feedsplit::classify(corpus().join("en-widget-sponsors.html")).json();
    let item = v["items"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["title"] == "Managing Joint Pain"))
        .expect("item");
    assert!(
        item["reasons"][0]["weight"]
            .as_f64()
            .is_some_and(|w| w > 0.0)
    );
    assert!(item["p_sponsored"].as_f64().is_some_and(|p| p >= 0.5));
}

#[test]
fn item_labels_score_what_the_editorial_feed_keeps() {
    let tmp = tempfile::tempdir().expect("tmp");
    small_realworld(tmp.path());
    let items = tmp.path().join("items.tsv");
    std::fs::write(
        &items,
        "file\thref\tverdict\theadline\n\
         cw.html\thttps://www.computerworld.dk/art/240530/microsoft-haever-priserne-paa-teams\tnav\t\n\
         cw.html\thttps://www.computerworld.dk/art/240498/efterretningsfolk-advarer-mod-statslig-brug-af-kaspersky\tcontent\tEfterretningsfolk advarer\n\
         cw.html\thttps://www.computerworld.dk/art/1/lost\tcontent\tLost\n",
    )
    .expect("items");
    let eval = || {
        Feedsplit::command()
            .args(["eval", "--realworld", "--items"])
            .arg(&items)
            .arg(tmp.path())
            .output()
    };
    let out = eval();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(
            "editorial feed (judged teasers): precision 0.500 (1 content of 2 kept), \
             content recall 0.500 (1 of 2), headlines right 0.000 (0 of 1); 3 kept unjudged"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("nav in the editorial feed: \"Microsoft hæver"),
        "{stdout}"
    );
    // A bad file is named with its line.
    std::fs::write(
        &items,
        "file\thref\tverdict\theadline\ncw.html\tx\tmaybe\t\n",
    )
    .expect("items");
    let out = eval();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("items.tsv: bad labels: line 2"), "{stderr}");
}

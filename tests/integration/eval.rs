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
    // A gate file sets other floors.
    let gate = tmp.path().join("gate.toml");
    std::fs::write(
        &gate,
        "main_accuracy = 0.5\nsponsored_post_recall = 0.5\npaid_recall = 0.0\npaid_precision = 0.0\n",
    )
    .expect("gate");
    Feedsplit::command()
        .args(["eval", "--realworld", "--check", "--gate"])
        .arg(&gate)
        .arg(tmp.path())
        .run();
}

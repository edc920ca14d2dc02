//! `feedsplit convert`: every labelled fixture split as expected into valid feeds, stable bytes, inputs
//! from files, URLs and stdin, bad and hostile input.

use crate::util::*;

#[test]
fn every_fixture_splits_as_expected_into_valid_feeds() {
    let tmp = tempfile::tempdir().expect("tmp");
    for (input, expected) in labelled_fixtures() {
        let name = input
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("stem")
            .to_string();
        convert(&input, tmp.path(), &name);
        let dir = tmp.path().join(&name);
        for class in CLASSES {
            let mut id_sets = Vec::new();
            for format in FORMATS {
                let path = dir.join(format!("{class}.{format}"));
                let url = format!("{BASE}{name}/{class}.{format}");
                let feed = read_feed(&path, &url);
                let ids: BTreeSet<String> = feed.entries.iter().map(|e| e.id.clone()).collect();
                id_sets.push(ids);
            }
            assert!(
                id_sets.windows(2).all(|w| w[0] == w[1]),
                "{name} {class}: ids differ between formats: {id_sets:?}"
            );
            assert_json_feed_1_1(&dir.join(format!("{class}.json")));
        }
        let feed = |class: &str| json(&dir.join(format!("{class}.json")));
        let titles = |v: &serde_json::Value| -> BTreeSet<String> {
            v["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| i["title"].as_str().unwrap_or("").to_string())
                .collect()
        };
        let editorial = feed("editorial");
        assert_eq!(
            titles(&editorial),
            expected.editorial.iter().cloned().collect::<BTreeSet<_>>(),
            "{name}: editorial titles"
        );
        let sponsored = feed("sponsored");
        assert_eq!(
            titles(&sponsored),
            expected
                .sponsored
                .iter()
                .map(|s| s.title.clone())
                .collect::<BTreeSet<_>>(),
            "{name}: sponsored titles"
        );
        for s in &expected.sponsored {
            let item = sponsored["items"]
                .as_array()
                .and_then(|a| a.iter().find(|i| i["title"] == s.title.as_str()))
                .expect("sponsored item");
            assert_eq!(item["_feedsplit"]["class"], "sponsored");
            if let Some(sponsor) = &s.sponsor {
                assert_eq!(
                    item["_feedsplit"]["sponsor"],
                    sponsor.as_str(),
                    "{name}: sponsor"
                );
            }
        }
        let personnel = feed("personnel");
        let people = personnel["items"].as_array().expect("items");
        assert_eq!(
            people.len(),
            expected.personnel.len(),
            "{name}: personnel count"
        );
        for p in &expected.personnel {
            let item = people
                .iter()
                .find(|i| i["_feedsplit"]["personnel"]["person"] == p.person.as_str())
                .unwrap_or_else(|| panic!("{name}: no notice for {}", p.person));
            let fields = &item["_feedsplit"]["personnel"];
            let check = |key: &str, want: &Option<String>| {
                if let Some(w) = want {
                    assert_eq!(fields[key], w.as_str(), "{name}: {} {key}", p.person);
                }
            };
            check("company", &p.company);
            check("role", &p.role);
            check("date", &p.date);
            assert_eq!(fields["kind"], p.kind.as_str(), "{name}: {} kind", p.person);
            if let Some(age) = p.age {
                assert_eq!(fields["age"], age, "{name}: {} age", p.person);
            }
        }
        for format in FORMATS {
            let raw = std::fs::read_to_string(dir.join(format!("editorial.{format}")))
                .expect("editorial feed");
            for banned in &expected.editorial_excludes {
                assert!(
                    !raw.contains(banned.as_str()),
                    "{name}: editorial.{format} contains {banned:?}"
                );
            }
        }
        let editorial_json = editorial.to_string();
        for needed in &expected.editorial_includes {
            let escaped = serde_json::to_string(needed).expect("json string");
            assert!(
                editorial_json.contains(escaped.trim_matches('"')),
                "{name}: editorial feed lacks {needed:?}"
            );
        }
    }
}

#[test]
fn seed_text_gives_one_article_one_ad_four_people() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = convert(&corpus().join("seed.txt"), tmp.path(), "seed");
    assert!(
        out.contains("1 editorial, 1 sponsored, 4 personnel"),
        "{out}"
    );
    let editorial = json(&tmp.path().join("seed/editorial.json"));
    let article = &editorial["items"][0];
    assert!(
        article["title"]
            .as_str()
            .unwrap_or("")
            .starts_with("Kasperskys danske direktør")
    );
    let content = article["content_html"].as_str().unwrap_or("");
    assert!(content.contains("Derudover har jeg ikke yderligere kommentarer"));
    assert!(content.contains("<h3>'Ingen forbindelser'</h3>"));
    // Text ids are tag: URIs, so RSS must not call them permalinks.
    let rss = std::fs::read_to_string(tmp.path().join("seed/sponsored.rss")).expect("rss");
    assert!(
        rss.contains("isPermaLink=\"false\">tag:seed,2025:sponsored-"),
        "{rss}"
    );
}

#[test]
fn unchanged_input_gives_identical_bytes_and_untouched_files() {
    let tmp = tempfile::tempdir().expect("tmp");
    let input = corpus().join("cw-article.html");
    convert(&input, tmp.path(), "cw");
    let path = tmp.path().join("cw/editorial.atom");
    let before = std::fs::read(&path).expect("feed");
    let mtime = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .expect("mtime");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let out = convert(&input, tmp.path(), "cw");
    assert!(out.contains("(0 of 9 files changed)"), "{out}");
    assert_eq!(std::fs::read(&path).expect("feed"), before);
    assert_eq!(
        std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .expect("mtime"),
        mtime
    );
}

#[test]
fn source_date_epoch_fixes_now_for_undated_items() {
    let tmp = tempfile::tempdir().expect("tmp");
    Feedsplit::command()
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .args(["convert", "--name", "s", "-o"])
        .arg(tmp.path())
        .arg(corpus().join("seed.txt"))
        .run();
    let editorial = json(&tmp.path().join("s/editorial.json"));
    assert_eq!(
        editorial["items"][0]["date_published"],
        "2026-01-01T00:00:00+00:00"
    );
    Feedsplit::command()
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .args(["convert", "-o"])
        .arg(tmp.path())
        .arg(corpus().join("seed.txt"))
        .fails(1, "SOURCE_DATE_EPOCH");
}

#[test]
fn formats_flag_limits_output_and_empty_classes_get_valid_feeds() {
    let tmp = tempfile::tempdir().expect("tmp");
    Feedsplit::convert(corpus().join("neg-ad-slot.html"))
        .now(NOW)
        .args(["--format", "atom"])
        .name("neg")
        .out(tmp.path())
        .run();
    let dir = tmp.path().join("neg");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["editorial.atom", "personnel.atom", "sponsored.atom"]
    );
    let empty = feed_rs::parser::parse(
        std::fs::read(dir.join("sponsored.atom"))
            .expect("feed")
            .as_slice(),
    )
    .expect("empty feed parses");
    assert!(empty.entries.is_empty());
    // The empty feed's date is the newest item of the source, not a clock reading.
    assert_eq!(
        empty.updated.map(|d| d.to_rfc3339()).as_deref(),
        Some("2025-05-22T14:10:00+00:00")
    );
}

#[test]
fn user_rules_extend_the_builtin_labels() {
    let tmp = tempfile::tempdir().expect("tmp");
    let page = tmp.path().join("page.html");
    std::fs::write(
        &page,
        r#"<html><body><main><div class="box"><span>Kundeindhold</span>
        <a href="https://example.dk/a/kampagne"><h3>Vind en rejse til Lissabon i dag</h3></a></div>
        <div class="box"><a href="https://example.dk/a/nyhed"><h3>Byrådet vedtager budget for 2026</h3></a></div>
        </main></body></html>"#,
    )
    .expect("write page");
    Feedsplit::classify(&page)
        .assert()
        .success()
        .stdout(predicate::str::contains("editorial\tVind en rejse"));
    let rules = tmp.path().join("rules.toml");
    std::fs::write(&rules, "[sponsored]\nlabels = [\"Kundeindhold\"]\n").expect("write rules");
    Feedsplit::classify(&page)
        .arg("--rules")
        .arg(&rules)
        .assert()
        .success()
        .stdout(predicate::str::contains("sponsored\tVind en rejse"))
        .stdout(predicate::str::contains("editorial\tByrådet vedtager"));
    std::fs::write(&rules, "[sponsored]\nlabelz = [1]\n").expect("write rules");
    Feedsplit::classify(&page)
        .arg("--rules")
        .arg(&rules)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("rules.toml").and(predicate::str::contains("labelz")));
}

#[test]
fn bad_input_fails_with_one_line_naming_it() {
    let stderr =
        Feedsplit::convert("does-not-exist.html").fails(1, "does-not-exist.html: cannot read");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    Feedsplit::convert(corpus().join("cw-article.html"))
        .args(["--input-kind", "feed"])
        .fails(1, "cw-article.html: not a readable feed");
    Feedsplit::command().args(["convert"]).assert().code(2);
    Feedsplit::convert("x")
        .args(["--format", "pdf"])
        .assert()
        .code(2);
    // A bad --name is a usage error.
    Feedsplit::convert(corpus().join("seed.txt"))
        .name("../escape")
        .fails(2, "--name");
}

#[test]
fn garbage_input_never_panics() {
    let tmp = tempfile::tempdir().expect("tmp");
    let inputs: [&[u8]; 5] = [
        b"\x00\x01\x02\xff\xfe binary \x00",
        b"<html><body><a href='javascript:x'>Annonce</a><h1></h1><article><p>",
        b"<?xml version='1.0'?><rss><channel><item><title>\x01</title></item>",
        b"Annonceindl\xc3\xa6g fra\nNavnenyt\nNyt job\n",
        b"{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[{}]}",
    ];
    for (i, bytes) in inputs.iter().enumerate() {
        let path = tmp.path().join(format!("in{i}"));
        std::fs::write(&path, bytes).expect("write");
        let out = Feedsplit::convert(&path)
            .now(NOW)
            .out(&tmp.path().join("out"))
            .output();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "input {i}: {stderr}");
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "input {i}: {stderr}"
        );
    }
}

#[test]
fn fetches_urls_with_the_charset_from_the_header() {
    let page = std::fs::read(corpus().join("cp1252-page.html")).expect("page");
    let base = serve(vec![
        ("200 OK", "text/html; charset=windows-1252", page),
        ("404 Not Found", "text/plain", b"gone".to_vec()),
    ]);
    let tmp = tempfile::tempdir().expect("tmp");
    Feedsplit::convert(format!("{base}/nyheder/side.html"))
        .now(NOW)
        .name("web")
        .out(tmp.path())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "1 editorial, 1 sponsored, 1 personnel",
        ));
    let personnel = json(&tmp.path().join("web/personnel.json"));
    assert_eq!(
        personnel["items"][0]["_feedsplit"]["personnel"]["person"],
        "Åse Kjærgaard"
    );
    Feedsplit::classify(format!("{base}/missing")).fails(1, "/missing: server answered HTTP 404");
}

#[test]
fn reads_stdin_and_honours_input_kind() {
    let seed = std::fs::read(corpus().join("seed.txt")).expect("seed");
    Feedsplit::classify("-")
        .stdin(seed.clone())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "sponsored\tTillid i en Zero-Trust verden",
        ));
    // Forced to read the text as HTML, it has no labelled blocks: no sponsored item.
    Feedsplit::classify("-")
        .args(["--input-kind", "html"])
        .stdin(seed)
        .assert()
        .success()
        .stdout(predicate::str::contains("sponsored").not());
}

#[test]
fn an_item_seen_in_two_inputs_is_one_item_with_both_sightings() {
    let tmp = tempfile::tempdir().expect("tmp");
    Feedsplit::convert(corpus().join("cw-article.html"))
        .now(NOW)
        .name("cw")
        .out(tmp.path())
        .arg(corpus().join("sponsored-article.html"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "cw: 6 editorial, 2 sponsored, 4 personnel",
        ));
    let sponsored = json(&tmp.path().join("cw/sponsored.json"));
    let teaser = sponsored["items"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|i| i["title"] == "Tillid i en Zero-Trust verden")
        })
        .expect("the Trustworks item");
    // The sidebar teaser's blurb gave way to the article page's full text, and both the
    // teaser's label and the page's schema.org type are among its reasons.
    let content = teaser["content_html"].as_str().unwrap_or("");
    assert!(
        content.contains("Zero-Trust bygger på et enkelt princip"),
        "{content}"
    );
    let signals: Vec<&str> = teaser["_feedsplit"]["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .filter_map(|r| r["signal"].as_str())
        .collect();
    assert!(
        signals.contains(&"sponsored_label") && signals.contains(&"sponsored_schema"),
        "{signals:?}"
    );
}

#[test]
fn feed_and_page_input_is_sanitised_by_convert_and_run() {
    let tmp = tempfile::tempdir().expect("tmp");
    let inputs = hostile_feeds(tmp.path());
    for input in &inputs {
        let out = tmp.path().join("out");
        convert(input, &out, "h");
        let bodies = item_bodies(&out.join("h"));
        assert!(!bodies.is_empty(), "{}", input.display());
        for body in &bodies {
            assert_eq!(active_content(body), None, "{}: {body}", input.display());
        }
        // Relative links in a feed item's content are made absolute.
        let is_page = input.extension().is_some_and(|e| e == "html");
        assert!(
            is_page
                || bodies
                    .iter()
                    .any(|b| b.contains("https://news.example.dk/relativ")),
            "{}: {bodies:?}",
            input.display()
        );
    }
    let names = ["a", "b", "c", "d"];
    let config = inputs
        .iter()
        .zip(names)
        .fold(ConfigFile::new(), |file, (path, name)| {
            file.source(name, [path.display().to_string()])
        })
        .write(tmp.path());
    Feedsplit::job(&config).now(NOW).run();
    for name in names {
        for body in item_bodies(&tmp.path().join("out").join(name)) {
            assert_eq!(active_content(&body), None, "run {name}: {body}");
        }
    }
}

#[test]
fn deeply_nested_markup_is_refused_quickly_and_keeps_the_feeds() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    convert(&corpus().join("cw-article.html"), &out, "page");
    let before = snapshot(tmp.path());
    let deep = tmp.path().join("deep.html");
    let n = 100_000;
    std::fs::write(
        &deep,
        format!(
            "<html><body><h1>Dyb</h1>{}<p>tekst</p>{}</body></html>",
            "<div>".repeat(n),
            "</div>".repeat(n)
        ),
    )
    .expect("write");
    Feedsplit::convert(&deep)
        .name("page")
        .out(&out)
        .timeout(std::time::Duration::from_secs(60))
        .fails(1, "deep.html: elements nested more than");
    // The same inside a feed item's content.
    let feed = tmp.path().join("deep.rss");
    std::fs::write(
        &feed,
        format!(
            "<rss version=\"2.0\"><channel><title>t</title><item><title>x</title><description><![CDATA[{}]]></description></item></channel></rss>",
            "<span>".repeat(n)
        ),
    )
    .expect("write");
    Feedsplit::convert(&feed)
        .name("page")
        .out(&out)
        .timeout(std::time::Duration::from_secs(60))
        .fails(1, "nested more than");
    assert_eq!(snapshot(tmp.path()).len(), before.len() + 2);
    for (path, bytes, _) in before {
        assert_eq!(
            std::fs::read(&path).expect("kept"),
            bytes,
            "{}",
            path.display()
        );
    }
}

#[test]
fn names_derived_from_inputs_stay_inside_the_output_directory() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).expect("out");
    let dots = tmp.path().join("...html");
    std::fs::copy(corpus().join("cw-article.html"), &dots).expect("copy");
    Feedsplit::convert(&dots)
        .out(&out)
        .fails(1, "...html: cannot name a feed set after it; pass --name");
    let entries: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(entries.len(), 2, "nothing written beside -o: {entries:?}");
    assert_eq!(std::fs::read_dir(&out).expect("out").count(), 0);
}

#[test]
fn undecodable_oversized_and_special_inputs_fail_and_keep_the_feeds() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    convert(&corpus().join("cw-article.html"), &out, "page");
    let before = snapshot(&out);
    // UTF-16 without a BOM is recognised and read.
    let page = std::fs::read_to_string(corpus().join("cw-article.html")).expect("page");
    let utf16: Vec<u8> = page.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let utf16_path = tmp.path().join("utf16.html");
    std::fs::write(&utf16_path, utf16).expect("write");
    Feedsplit::classify(&utf16_path)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "sponsored\tTillid i en Zero-Trust verden",
        ));
    // Binary noise is an error naming the input, and no feed is replaced.
    let noise = tmp.path().join("noise.html");
    let bytes: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(&noise, bytes).expect("write");
    let failing: Vec<(Vec<String>, &str)> = vec![
        (
            vec![noise.display().to_string()],
            "noise.html: cannot decode",
        ),
        (vec!["/dev/zero".into()], "/dev/zero: not a regular file"),
        (vec![tmp.path().display().to_string()], "not a regular file"),
    ];
    for (args, message) in failing {
        Feedsplit::command()
            .args(["convert", "--name", "page", "-o"])
            .arg(&out)
            .args(&args)
            .timeout(std::time::Duration::from_secs(30))
            .fails(1, message);
    }
    #[cfg(unix)]
    {
        let fifo = tmp.path().join("fifo.html");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            Feedsplit::convert(&fifo)
                .name("page")
                .out(&out)
                .timeout(std::time::Duration::from_secs(30))
                .fails(1, "fifo.html: not a regular file");
        }
    }
    // Endless stdin stops at the size cap.
    let zero = std::fs::File::open("/dev/zero").expect("/dev/zero");
    let endless = std::process::Command::new(assert_cmd::cargo::cargo_bin("feedsplit"))
        .args(["classify", "-"])
        .stdin(zero)
        .output()
        .expect("run");
    assert_eq!(endless.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&endless.stderr);
    assert!(stderr.contains("stdin: larger than"), "{stderr}");
    assert_eq!(snapshot(&out), before);
}

#[test]
fn an_io_error_is_reported_once_and_http_in_capitals_is_a_url() {
    let out = Feedsplit::classify("does-not-exist.html").output();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("os error").count(), 1, "{stderr}");
    let server = TestServer::start();
    server.set("/page", "text/html", labelled_article_page(3, "Annonce"));
    let upper = server.url("/page").replacen("http://", "HTTP://", 1);
    Feedsplit::classify(&upper)
        .assert()
        .success()
        .stdout(predicate::str::contains("sponsored\tHistorie nummer 3"));
}

#[test]
fn a_sponsored_article_is_one_item_with_its_calls_to_action() {
    let tmp = tempfile::tempdir().expect("tmp");
    let page = labelled_article_page(4, "Annonceindlæg fra Skyhuset").replace(
        "</div></article>",
        "<p><a href=\"https://skyhuset.example/tilbud\">Få et uforpligtende tilbud på skyen her</a></p></div></article>",
    );
    let path = tmp.path().join("paid.html");
    std::fs::write(&path, page).expect("write");
    let out = Feedsplit::classify(&path).output();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    assert!(
        lines[0].starts_with("sponsored\tHistorie nummer 4"),
        "{stdout}"
    );
}

#[test]
fn tens_of_thousands_of_labels_on_one_page_do_not_stall_extraction() {
    let tmp = tempfile::tempdir().expect("tmp");
    let page = tmp.path().join("labels.html");
    let spans = "<span>Anzeige</span>".repeat(40_000);
    std::fs::write(
        &page,
        format!("<html><body><h1>Viele Etiketten</h1><div>{spans}</div></body></html>"),
    )
    .expect("write");
    // A guard against work that grows with the square of the page, not a speed target.
    Feedsplit::classify(&page)
        .timeout(std::time::Duration::from_secs(60))
        .run();
}

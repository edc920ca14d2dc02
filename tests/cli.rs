//! Drives the real `feedsplit` binary over every fixture and checks the feeds it writes the way a
//! feed reader would read them.

use std::collections::{BTreeSet, HashSet};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde::Deserialize;

const NOW: &str = "2026-01-01T00:00:00Z";
const BASE: &str = "http://127.0.0.1:8080/feeds/";
const CLASSES: [&str; 3] = ["editorial", "sponsored", "personnel"];
const FORMATS: [&str; 3] = ["rss", "atom", "json"];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn feedsplit() -> Command {
    let mut cmd = Command::cargo_bin("feedsplit").expect("binary");
    cmd.env_remove("SOURCE_DATE_EPOCH");
    cmd
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    #[serde(default)]
    editorial: Vec<String>,
    #[serde(default)]
    editorial_excludes: Vec<String>,
    #[serde(default)]
    editorial_includes: Vec<String>,
    #[serde(default)]
    sponsored: Vec<ExpectedSponsored>,
    #[serde(default)]
    personnel: Vec<ExpectedPerson>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedSponsored {
    title: String,
    sponsor: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedPerson {
    person: String,
    company: Option<String>,
    role: Option<String>,
    date: Option<String>,
    kind: String,
    age: Option<u64>,
}

/// Every fixture input that has an expected split beside it.
fn labelled_fixtures() -> Vec<(PathBuf, Expected)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(fixtures()).expect("fixtures dir") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let Some(stem) = name.strip_suffix(".expected.toml") else {
            continue;
        };
        let input = ["html", "txt", "rss", "atom", "xml", "json"]
            .iter()
            .map(|ext| fixtures().join(format!("{stem}.{ext}")))
            .find(|p| p.exists())
            .unwrap_or_else(|| panic!("no input for {name}"));
        let text = std::fs::read_to_string(&path).expect("read expected");
        let expected: Expected = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        out.push((input, expected));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 12, "expected at least 12 labelled fixtures");
    out
}

fn convert(input: &Path, out: &Path, name: &str) -> String {
    let output = feedsplit()
        .args([
            "convert",
            "--now",
            NOW,
            "--base-url",
            BASE,
            "--name",
            name,
            "-o",
        ])
        .arg(out)
        .arg(input)
        .output()
        .expect("run");
    assert!(
        output.status.success(),
        "{}: {}",
        input.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Parses one written feed back as a reader would and checks what readers depend on.
fn read_feed(path: &Path, self_url: &str) -> feed_rs::model::Feed {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let feed = feed_rs::parser::parse(bytes.as_slice())
        .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
    let mut ids = HashSet::new();
    for entry in &feed.entries {
        assert!(!entry.id.is_empty(), "{}: empty id", path.display());
        assert!(
            ids.insert(entry.id.clone()),
            "{}: duplicate id {}",
            path.display(),
            entry.id
        );
        let title = entry.title.as_ref().map(|t| t.content.trim()).unwrap_or("");
        assert!(!title.is_empty(), "{}: entry without title", path.display());
        assert!(
            entry.published.is_some() || entry.updated.is_some(),
            "{}: entry {} has no date",
            path.display(),
            entry.id
        );
    }
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext != "json" {
        assert!(feed.updated.is_some(), "{}: no feed date", path.display());
        assert!(
            feed.links
                .iter()
                .any(|l| l.rel.as_deref() == Some("self") && l.href == self_url),
            "{}: self link is not {self_url}: {:?}",
            path.display(),
            feed.links
        );
    }
    if ext == "atom" {
        assert!(feed.entries.iter().all(|e| e.updated.is_some()));
    }
    feed
}

fn json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("json feed");
    serde_json::from_str(&text).expect("valid json")
}

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
    let out = convert(&fixtures().join("seed.txt"), tmp.path(), "seed");
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
    let input = fixtures().join("cw-article.html");
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
    feedsplit()
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .args(["convert", "--name", "s", "-o"])
        .arg(tmp.path())
        .arg(fixtures().join("seed.txt"))
        .assert()
        .success();
    let editorial = json(&tmp.path().join("s/editorial.json"));
    assert_eq!(
        editorial["items"][0]["date_published"],
        "2026-01-01T00:00:00+00:00"
    );
    feedsplit()
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .args(["convert", "-o"])
        .arg(tmp.path())
        .arg(fixtures().join("seed.txt"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("SOURCE_DATE_EPOCH"));
}

#[test]
fn formats_flag_limits_output_and_empty_classes_get_valid_feeds() {
    let tmp = tempfile::tempdir().expect("tmp");
    feedsplit()
        .args([
            "convert", "--now", NOW, "--format", "atom", "--name", "neg", "-o",
        ])
        .arg(tmp.path())
        .arg(fixtures().join("neg-ad-slot.html"))
        .assert()
        .success();
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
fn classify_prints_class_title_and_reason_per_item() {
    feedsplit()
        .args(["classify"])
        .arg(fixtures().join("seed.txt"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "sponsored\tTillid i en Zero-Trust verden\tsponsored_label \"Annonceindlæg fra Trustworks\" at line 54",
        ))
        .stdout(predicate::str::contains("personnel\tHenrik Thøgersen – it-konsulent med fokus på salg, IT Confidence A/S"));
    let out = feedsplit()
        .args(["classify", "--json", "--explain"])
        .arg(fixtures().join("cw-article.html"))
        .output()
        .expect("run");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
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
    feedsplit()
        .args(["convert", "--explain", "--now", NOW, "-o"])
        .arg(tmp.path())
        .arg(fixtures().join("mixed-feed.rss"))
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
    feedsplit()
        .arg("classify")
        .arg(&page)
        .assert()
        .success()
        .stdout(predicate::str::contains("editorial\tVind en rejse"));
    let rules = tmp.path().join("rules.toml");
    std::fs::write(&rules, "[sponsored]\nlabels = [\"Kundeindhold\"]\n").expect("write rules");
    feedsplit()
        .arg("classify")
        .arg("--rules")
        .arg(&rules)
        .arg(&page)
        .assert()
        .success()
        .stdout(predicate::str::contains("sponsored\tVind en rejse"))
        .stdout(predicate::str::contains("editorial\tByrådet vedtager"));
    std::fs::write(&rules, "[sponsored]\nlabelz = [1]\n").expect("write rules");
    feedsplit()
        .arg("classify")
        .arg("--rules")
        .arg(&rules)
        .arg(&page)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("rules.toml").and(predicate::str::contains("labelz")));
}

#[test]
fn bad_input_fails_with_one_line_naming_it() {
    let assert = feedsplit()
        .args(["convert", "does-not-exist.html"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("does-not-exist.html: cannot read"));
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    feedsplit()
        .args(["convert", "--input-kind", "feed"])
        .arg(fixtures().join("cw-article.html"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "cw-article.html: not a readable feed",
        ));
    feedsplit().args(["convert"]).assert().code(2);
    feedsplit()
        .args(["convert", "--format", "pdf", "x"])
        .assert()
        .code(2);
    feedsplit()
        .args(["convert", "--name", "../escape"])
        .arg(fixtures().join("seed.txt"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--name"));
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
        let out = feedsplit()
            .args(["convert", "--now", NOW, "-o"])
            .arg(tmp.path().join("out"))
            .arg(&path)
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "input {i}: {stderr}");
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "input {i}: {stderr}"
        );
    }
}

/// Serves canned answers on 127.0.0.1: (status line, content type, body) per request.
fn serve(answers: Vec<(&'static str, &'static str, Vec<u8>)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for (status, ctype, body) in answers {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    format!("http://{addr}")
}

#[test]
fn fetches_urls_with_the_charset_from_the_header() {
    let page = std::fs::read(fixtures().join("cp1252-page.html")).expect("page");
    let base = serve(vec![
        ("200 OK", "text/html; charset=windows-1252", page),
        ("404 Not Found", "text/plain", b"gone".to_vec()),
    ]);
    let tmp = tempfile::tempdir().expect("tmp");
    feedsplit()
        .args(["convert", "--now", NOW, "--name", "web", "-o"])
        .arg(tmp.path())
        .arg(format!("{base}/nyheder/side.html"))
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
    feedsplit()
        .args(["classify", &format!("{base}/missing")])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "/missing: server answered HTTP 404",
        ));
}

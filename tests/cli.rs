//! Drives the real `feedsplit` binary over every fixture and checks the feeds it writes the way a
//! feed reader would read them.

use std::collections::{BTreeSet, HashSet};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use feedsplit::eval::Expected;
use predicates::prelude::*;

const NOW: &str = "2026-01-01T00:00:00Z";
const BASE: &str = "http://127.0.0.1:8080/feeds/";
const CLASSES: [&str; 3] = ["editorial", "sponsored", "personnel"];
const FORMATS: [&str; 3] = ["rss", "atom", "json"];

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/corpus")
}

fn feedsplit() -> Command {
    let mut cmd = Command::cargo_bin("feedsplit").expect("binary");
    cmd.env_remove("SOURCE_DATE_EPOCH");
    cmd
}

/// Every labelled page of the corpus, read with the same code `feedsplit eval` uses.
fn labelled_fixtures() -> Vec<(PathBuf, Expected)> {
    let pages = feedsplit::eval::labelled_pages(&corpus()).expect("labelled corpus");
    assert!(pages.len() >= 60, "expected at least 60 labelled pages");
    pages
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

/// What JSON Feed 1.1 requires of a feed and of every item: the version, a title, a string id
/// and content (`content_html` or `content_text`, not empty), extensions under `_` keys only.
fn assert_json_feed_1_1(path: &Path) {
    let feed = json(path);
    let at = path.display();
    assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1", "{at}");
    assert!(
        feed["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{at}"
    );
    for item in feed["items"].as_array().expect("items") {
        assert!(
            item["id"].as_str().is_some_and(|i| !i.is_empty()),
            "{at}: {item}"
        );
        let content = ["content_html", "content_text"]
            .iter()
            .any(|k| item[*k].as_str().is_some_and(|c| !c.trim().is_empty()));
        assert!(content, "{at}: item without content: {item}");
        let known = [
            "id",
            "url",
            "external_url",
            "title",
            "content_html",
            "content_text",
            "summary",
            "image",
            "banner_image",
            "date_published",
            "date_modified",
            "authors",
            "tags",
            "language",
            "attachments",
        ];
        for key in item.as_object().expect("object").keys() {
            assert!(
                known.contains(&key.as_str()) || key.starts_with('_'),
                "{at}: key {key}"
            );
        }
    }
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
    feedsplit()
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .args(["convert", "--name", "s", "-o"])
        .arg(tmp.path())
        .arg(corpus().join("seed.txt"))
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
        .arg(corpus().join("seed.txt"))
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
        .arg(corpus().join("neg-ad-slot.html"))
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
        .arg(corpus().join("seed.txt"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "sponsored\tTillid i en Zero-Trust verden\tsponsored_label \"Annonceindlæg fra Trustworks\" at line 54",
        ))
        .stdout(predicate::str::contains("personnel\tHenrik Thøgersen – it-konsulent med fokus på salg, IT Confidence A/S"));
    let out = feedsplit()
        .args(["classify", "--json", "--explain"])
        .arg(corpus().join("cw-article.html"))
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
        .arg(corpus().join("mixed-feed.rss"))
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
        .arg(corpus().join("cw-article.html"))
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
    // A bad --name is a usage error.
    feedsplit()
        .args(["convert", "--name", "../escape"])
        .arg(corpus().join("seed.txt"))
        .assert()
        .code(2)
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
    let page = std::fs::read(corpus().join("cp1252-page.html")).expect("page");
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

// ---------------------------------------------------------------------------------------------
// `feedsplit run`: a test HTTP server on 127.0.0.1 with ETag/Last-Modified support whose pages
// the tests change between runs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
struct Resource {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

#[derive(Default)]
struct ServerState {
    pages: HashMap<String, Resource>,
    /// One-off answers served before the page: (status, Retry-After).
    pending: HashMap<String, Vec<(u16, Option<u64>)>>,
    log: Vec<(String, u16)>,
}

struct TestServer {
    base: String,
    state: Arc<Mutex<ServerState>>,
}

impl TestServer {
    fn start() -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let state = Arc::new(Mutex::new(ServerState::default()));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            // Bounded: a test makes far fewer requests than this.
            for stream in listener.incoming().take(10_000) {
                let Ok(stream) = stream else { return };
                handle(stream, &shared);
            }
        });
        TestServer { base, state }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn set(&self, path: &str, content_type: &str, body: impl Into<Vec<u8>>) {
        self.state.lock().expect("state").pages.insert(
            path.to_string(),
            Resource {
                status: 200,
                content_type: content_type.to_string(),
                body: body.into(),
            },
        );
    }

    fn set_status(&self, path: &str, status: u16) {
        if let Some(r) = self.state.lock().expect("state").pages.get_mut(path) {
            r.status = status;
        }
    }

    fn fail_next(&self, path: &str, status: u16, retry_after: Option<u64>) {
        self.state
            .lock()
            .expect("state")
            .pending
            .entry(path.to_string())
            .or_default()
            .push((status, retry_after));
    }

    /// Requests since the last call, robots.txt left out.
    fn take_log(&self) -> Vec<(String, u16)> {
        let mut state = self.state.lock().expect("state");
        std::mem::take(&mut state.log)
            .into_iter()
            .filter(|(p, _)| p != "/robots.txt")
            .collect()
    }
}

/// A request up to the end of its head, or `None` if the client went away first.
fn read_head(stream: &mut std::net::TcpStream) -> Option<Vec<u8>> {
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return None,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    Some(request)
}

fn handle(mut stream: std::net::TcpStream, state: &Arc<Mutex<ServerState>>) {
    let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(5)));
    let Some(request) = read_head(&mut stream) else {
        return;
    };
    let text = String::from_utf8_lossy(&request).into_owned();
    let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
    let header = |name: &str| {
        text.lines()
            .find(|l| l.to_ascii_lowercase().starts_with(&format!("{name}:")))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
    };
    let mut state = state.lock().expect("state");
    let pending = state.pending.get_mut(&path).and_then(|q| {
        if q.is_empty() {
            None
        } else {
            Some(q.remove(0))
        }
    });
    let (status, headers, body) = if let Some((status, retry)) = pending {
        let extra = retry
            .map(|r| format!("Retry-After: {r}\r\n"))
            .unwrap_or_default();
        (status, extra, Vec::new())
    } else {
        match state.pages.get(&path).cloned() {
            None => (404, String::new(), b"not found".to_vec()),
            Some(r) if r.status != 200 => (r.status, String::new(), b"error".to_vec()),
            Some(r) => {
                let etag = format!(
                    "\"{:x}\"",
                    r.body.iter().fold(0u64, |h, b| {
                        h.wrapping_mul(1_099_511_628_211)
                            .wrapping_add(u64::from(*b))
                    })
                );
                let validators = format!(
                    "ETag: {etag}\r\nLast-Modified: Mon, 01 Sep 2025 08:00:00 GMT\r\nContent-Type: {}\r\n",
                    r.content_type
                );
                if header("if-none-match").as_deref() == Some(etag.as_str()) {
                    (304, validators, Vec::new())
                } else {
                    (200, validators, r.body)
                }
            }
        }
    };
    state.log.push((path, status));
    drop(state);
    let reason = match status {
        200 => "OK",
        304 => "Not Modified",
        404 => "Not Found",
        _ => "Error",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

/// A config with the given sources (name, URLs) writing into `dir`.
fn write_config(dir: &Path, sources: &[(&str, Vec<String>)]) -> PathBuf {
    write_config_with(dir, sources, "")
}

fn write_config_with(dir: &Path, sources: &[(&str, Vec<String>)], fetch_extra: &str) -> PathBuf {
    // Quick defaults for tests, unless `fetch_extra` sets the key itself.
    let defaults: String = [
        "host_delay_ms = 0",
        "retries = 1",
        "max_retry_after_seconds = 2",
    ]
    .iter()
    .filter(|d| {
        let key = d.split(' ').next().unwrap_or("");
        !fetch_extra
            .lines()
            .any(|l| l.starts_with(&format!("{key} ")))
    })
    .map(|d| format!("{d}\n"))
    .collect();
    let mut text = format!(
        "[output]\ndir = \"out\"\nbase_url = \"http://127.0.0.1:8080/\"\n\n\
         [fetch]\n{defaults}{fetch_extra}\n\n",
    );
    for (name, urls) in sources {
        let urls: Vec<String> = urls.iter().map(|u| format!("\"{u}\"")).collect();
        text.push_str(&format!(
            "[[source]]\nname = \"{name}\"\nurls = [{}]\n\n",
            urls.join(", ")
        ));
    }
    let path = dir.join("feedsplit.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

fn run_job(config: &Path) -> std::process::Output {
    feedsplit()
        .args(["run", "--now", NOW, "--config"])
        .arg(config)
        .output()
        .expect("run")
}

fn titles_in(dir: &Path, source: &str, class: &str) -> BTreeSet<String> {
    json(&dir.join(format!("out/{source}/{class}.json")))["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["title"].as_str().unwrap_or("").to_string())
        .collect()
}

/// Every file under the output directory but the store, with its bytes and mtime.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("dir") {
            let p = e.expect("entry").path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if p.is_dir() {
                stack.push(p);
            } else if !name.starts_with("feedsplit.sqlite") && !name.starts_with('.') {
                let m = std::fs::metadata(&p)
                    .and_then(|m| m.modified())
                    .expect("mtime");
                out.push((p.clone(), std::fs::read(&p).expect("read"), m));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// A small article page of a site whose sidebar carries `sidebar`.
fn article_page(n: usize, sidebar: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">\
         <link rel=\"canonical\" href=\"https://news.example.dk/art/{n}/historie-{n}\">\
         <meta property=\"article:published_time\" content=\"2025-09-0{n}T08:00:00+02:00\"></head>\
         <body><main><article><h1>Historie nummer {n} om dansk it</h1>\
         <p class=\"lede\">Ledetekst til historie nummer {n} om it i det offentlige Danmark.</p>\
         <div class=\"article-body\"><p>Brødtekst til historie {n}, som er lang nok til at være en rigtig artikel \
         med flere sætninger om kommuner, regioner og staten.</p><p>Endnu et afsnit i historie {n} om de \
         samme emner, skrevet af redaktionen.</p></div></article>\
         <aside>{sidebar}</aside></main></body></html>"
    )
}

/// An article page whose only label is a kicker above its headline.
fn labelled_article_page(n: usize, label: &str) -> String {
    article_page(n, "").replace(
        "<article>",
        &format!("<article><p class=\"kicker\">{label}</p>"),
    )
}

const SIDEBAR: &str = "<div class=\"box\"><p class=\"label\">Annonceindlæg fra Trustworks</p>\
    <h3><a href=\"https://news.example.dk/annonceindlaeg/tillid\">Tillid i en Zero-Trust verden</a></h3>\
    <p>Cybersikkerhed er nu en central ledelsesopgave på linje med strategi og økonomi.</p></div>\
    <section><h2>Navnenyt</h2>\
    <p>Norriq Danmark A/S har pr. 1. september 2025 ansat Alexander Bendix som Consultant. Nyt job</p>\
    <p>IT Confidence A/S har pr. 1. oktober 2025 ansat Henrik Thøgersen som it-konsulent. Nyt job</p>\
    </section>";

/// A front page with one teaser, "Historie om skyen", linking to `path` on the test server.
fn front_page_linking(server: &TestServer, path: &str) -> String {
    front_page(&[("7/historie-7", "Historie om skyen", false)]).replace(
        "https://news.example.dk/art/7/historie-7",
        &server.url(path),
    )
}

fn front_page(teasers: &[(&str, &str, bool)]) -> String {
    let mut body = String::new();
    for (slug, title, sponsored) in teasers {
        let label = if *sponsored {
            "<span class=\"kicker\">Annonce</span>"
        } else {
            ""
        };
        body.push_str(&format!(
            "<article class=\"teaser\">{label}<a href=\"https://news.example.dk/art/{slug}\"><h2>{title}</h2></a>\
             <p>Kort tekst om {title}, så læseren ved hvad det handler om.</p></article>"
        ));
    }
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><link rel=\"canonical\" href=\"https://news.example.dk/\"></head>\
         <body><main><h1>Forsiden</h1>{body}</main></body></html>"
    )
}

#[test]
fn second_run_gets_304s_and_writes_identical_bytes() {
    let server = TestServer::start();
    server.set(
        "/",
        "text/html; charset=utf-8",
        front_page(&[
            (
                "1/kommuner-mangler-overblik",
                "Kommuner mangler overblik over it-kontrakter",
                false,
            ),
            (
                "2/saadan-flytter-du-sap",
                "Sådan flytter du SAP til skyen",
                true,
            ),
        ]),
    );
    let feed = std::fs::read(corpus().join("mixed-feed.rss")).expect("feed");
    server.set("/rss", "application/rss+xml", feed);
    let tmp = tempfile::tempdir().expect("tmp");
    let config = write_config(
        tmp.path(),
        &[("news", vec![server.url("/"), server.url("/rss")])],
    );
    let first = run_job(&config);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(server.take_log().iter().all(|(_, s)| *s == 200));
    let before = snapshot(&tmp.path().join("out"));
    assert_eq!(before.len(), 11, "nine feeds and two index files");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let second = run_job(&config);
    assert!(second.status.success());
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(stdout.contains("news: ok; fetched 0, not modified 2, failed 0; new: 0 editorial, 0 sponsored, 0 personnel"), "{stdout}");
    assert_eq!(
        server.take_log(),
        vec![("/".to_string(), 304), ("/rss".to_string(), 304)]
    );
    // Every feed and the OPML keep their bytes and mtimes; the status page reports the new run.
    let without_status = |files: Vec<(PathBuf, Vec<u8>, std::time::SystemTime)>| {
        files
            .into_iter()
            .filter(|(p, _, _)| !p.ends_with("index.html"))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        without_status(snapshot(&tmp.path().join("out"))),
        without_status(before)
    );
    let status = std::fs::read_to_string(tmp.path().join("out/index.html")).expect("status");
    assert!(
        status.contains("0 read, 2 not modified, 0 failed"),
        "{status}"
    );
    for class in CLASSES {
        for format in FORMATS {
            let url = format!("http://127.0.0.1:8080/news/{class}.{format}");
            read_feed(&tmp.path().join(format!("out/news/{class}.{format}")), &url);
        }
    }
    // The upstream feed's mix is split as `convert` splits it.
    let sponsored = titles_in(tmp.path(), "news", "sponsored");
    assert!(sponsored.contains("Sådan flytter du SAP til skyen uden nedetid"));
    assert!(sponsored.contains("Guide: Fem trin til en sikker hybrid arbejdsplads"));
    assert!(sponsored.contains("Sådan flytter du SAP til skyen"));
    assert!(
        titles_in(tmp.path(), "news", "editorial")
            .contains("CISO fra Danske Bank har fået nyt job")
    );
    assert_eq!(titles_in(tmp.path(), "news", "personnel").len(), 2);
    let opml = std::fs::read_to_string(tmp.path().join("out/index.opml")).expect("opml");
    assert!(
        opml.contains("xmlUrl=\"http://127.0.0.1:8080/news/sponsored.rss\""),
        "{opml}"
    );
}

#[test]
fn new_teaser_is_one_new_item_and_a_vanished_teaser_stays() {
    let server = TestServer::start();
    server.set(
        "/",
        "text/html",
        front_page(&[
            (
                "1/kommuner-mangler-overblik",
                "Kommuner mangler overblik over it-kontrakter",
                false,
            ),
            (
                "2/regionen-dropper-system",
                "Regionen dropper omstridt it-system",
                false,
            ),
        ]),
    );
    let tmp = tempfile::tempdir().expect("tmp");
    let config = write_config(tmp.path(), &[("news", vec![server.url("/")])]);
    assert!(run_job(&config).status.success());
    server.set(
        "/",
        "text/html",
        front_page(&[
            (
                "3/fem-trin-til-sikker-cloud",
                "Fem trin til en sikker cloud",
                true,
            ),
            (
                "1/kommuner-mangler-overblik",
                "Kommuner mangler overblik over it-kontrakter",
                false,
            ),
        ]),
    );
    let second = run_job(&config);
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(
        stdout.contains("new: 0 editorial, 1 sponsored, 0 personnel"),
        "{stdout}"
    );
    assert_eq!(
        titles_in(tmp.path(), "news", "sponsored"),
        BTreeSet::from(["Fem trin til en sikker cloud".to_string()])
    );
    assert_eq!(
        titles_in(tmp.path(), "news", "editorial"),
        BTreeSet::from([
            "Kommuner mangler overblik over it-kontrakter".to_string(),
            "Regionen dropper omstridt it-system".to_string(),
        ])
    );
}

#[test]
fn a_sidebar_repeated_on_five_article_pages_is_one_item_per_entry() {
    let server = TestServer::start();
    let mut urls = Vec::new();
    for n in 1..=5 {
        server.set(&format!("/art/{n}"), "text/html", article_page(n, SIDEBAR));
        urls.push(server.url(&format!("/art/{n}")));
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let config = write_config(tmp.path(), &[("news", urls)]);
    let out = run_job(&config);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("new: 5 editorial, 1 sponsored, 2 personnel"),
        "{stdout}"
    );
    assert_eq!(titles_in(tmp.path(), "news", "sponsored").len(), 1);
    assert_eq!(titles_in(tmp.path(), "news", "personnel").len(), 2);
}

#[test]
fn a_failing_source_keeps_its_feeds_while_others_update() {
    let server = TestServer::start();
    server.set("/a", "text/html", article_page(1, SIDEBAR));
    server.set(
        "/b",
        "text/html",
        front_page(&[("4/nyhed", "En nyhed fra kilde B om it", false)]),
    );
    let tmp = tempfile::tempdir().expect("tmp");
    let config = write_config(
        tmp.path(),
        &[("a", vec![server.url("/a")]), ("b", vec![server.url("/b")])],
    );
    assert!(run_job(&config).status.success());
    let a_before = snapshot(&tmp.path().join("out/a"));
    server.set_status("/a", 500);
    server.set(
        "/b",
        "text/html",
        front_page(&[
            ("4/nyhed", "En nyhed fra kilde B om it", false),
            ("5/endnu-en", "Endnu en nyhed fra kilde B om it", false),
        ]),
    );
    // A 503 with Retry-After is waited out and retried.
    server.fail_next("/b", 503, Some(1));
    let out = run_job(&config);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("a: FAILED") && stderr.contains("HTTP 500"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("b: ok; fetched 1") && stdout.contains("new: 1 editorial"),
        "{stdout}"
    );
    assert_eq!(snapshot(&tmp.path().join("out/a")), a_before);
    assert_eq!(titles_in(tmp.path(), "b", "editorial").len(), 2);
}

#[test]
fn robots_txt_is_obeyed() {
    let server = TestServer::start();
    server.set(
        "/robots.txt",
        "text/plain",
        "User-agent: *\nDisallow: /private/\n",
    );
    server.set("/private/page", "text/html", article_page(1, ""));
    let tmp = tempfile::tempdir().expect("tmp");
    let config = write_config(tmp.path(), &[("p", vec![server.url("/private/page")])]);
    let out = run_job(&config);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("disallowed by robots.txt"));
    assert!(server.take_log().is_empty());
}

#[test]
fn an_overlapping_run_is_refused_or_waits() {
    let tmp = tempfile::tempdir().expect("tmp");
    let config = write_config(
        tmp.path(),
        &[(
            "seed",
            vec![corpus().join("seed.txt").display().to_string()],
        )],
    );
    let out_dir = tmp.path().join("out");
    std::fs::create_dir_all(&out_dir).expect("dir");
    let lock = std::fs::File::create(out_dir.join(".feedsplit.lock")).expect("lock file");
    lock.lock().expect("hold the lock as a running job would");
    let out = run_job(&config);
    assert_eq!(out.status.code(), Some(75));
    assert!(String::from_utf8_lossy(&out.stderr).contains("another feedsplit run holds the lock"));
    assert!(!out_dir.join("seed").exists());
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        drop(lock);
    });
    let waited = feedsplit()
        .args(["run", "--wait", "--now", NOW, "--config"])
        .arg(&config)
        .output()
        .expect("run");
    release.join().expect("thread");
    assert!(
        waited.status.success(),
        "{}",
        String::from_utf8_lossy(&waited.stderr)
    );
    assert_eq!(titles_in(tmp.path(), "seed", "personnel").len(), 4);
}

#[test]
fn a_malformed_config_names_file_and_line_before_fetching() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("feedsplit.toml");
    std::fs::write(
        &path,
        "[output]\ndir = \"out\"\nitems_per_feed = \"lots\"\n\n[[source]]\nname = \"x\"\nurls = [\"http://127.0.0.1:9/\"]\n",
    )
    .expect("write");
    feedsplit()
        .args(["run", "--config"])
        .arg(&path)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("feedsplit.toml:3: "));
    std::fs::write(
        &path,
        "[[source]]\nname = \"x\"\nurls = [\"a.html\"]\ntimezone = \"Nowhere/City\"\n",
    )
    .expect("write");
    feedsplit()
        .args(["run", "--config"])
        .arg(&path)
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("feedsplit.toml:4: ")
                .and(predicate::str::contains("Nowhere/City")),
        );
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn teasers_are_followed_once_for_content_dates_and_labels() {
    let server = TestServer::start();
    server.set("/", "text/html", front_page_linking(&server, "/art/7"));
    // The article page itself carries the label the teaser lacked.
    let page = labelled_article_page(7, "Annonceindlæg fra Skyhuset");
    server.set("/art/7", "text/html", page);
    let tmp = tempfile::tempdir().expect("tmp");
    let config = write_config_with(
        tmp.path(),
        &[("news", vec![server.url("/")])],
        // The test server is on loopback, which followed links may reach only when allowed.
        "follow_teasers = true\nmax_follow_per_run = 5\nallow_private_addresses = true",
    );
    let out = run_job(&config);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sponsored = json(&tmp.path().join("out/news/sponsored.json"));
    let item = &sponsored["items"][0];
    assert_eq!(item["title"], "Historie om skyen");
    assert_eq!(item["_feedsplit"]["sponsor"], "Skyhuset");
    assert_eq!(item["date_published"], "2025-09-07T08:00:00+02:00");
    assert!(
        item["content_html"]
            .as_str()
            .unwrap_or("")
            .contains("Brødtekst til historie 7")
    );
    assert_eq!(server.take_log().len(), 2);
    // Known items are not followed again.
    server.set(
        "/",
        "text/html",
        front_page_linking(&server, "/art/7").replace("Forsiden", "Forsiden i dag"),
    );
    assert!(run_job(&config).status.success());
    assert_eq!(server.take_log(), vec![("/".to_string(), 200)]);
}

#[test]
fn a_source_that_suddenly_yields_nothing_is_a_warning() {
    let server = TestServer::start();
    server.set(
        "/",
        "text/html",
        front_page(&[
            ("1/a", "Første nyhed om it i kommunerne", false),
            ("2/b", "Anden nyhed om it i regionerne", false),
        ]),
    );
    let tmp = tempfile::tempdir().expect("tmp");
    let config = write_config(tmp.path(), &[("news", vec![server.url("/")])]);
    assert!(run_job(&config).status.success());
    server.set(
        "/",
        "text/html",
        "<html><body><main><h1>Ny forside</h1><p>Intet her.</p></main></body></html>",
    );
    let out = run_job(&config);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: news: no items found (recent runs found about 2)"),
        "{stderr}"
    );
    assert_eq!(titles_in(tmp.path(), "news", "editorial").len(), 2);
}

// ---------------------------------------------------------------------------------------------
// `feedsplit serve`, and a real feed reader (newsboat) subscribed to what it serves.

struct Served {
    child: std::process::Child,
    addr: String,
}

impl Served {
    fn start(args: &[&str]) -> Served {
        use std::io::BufRead;
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("feedsplit"))
            .arg("serve")
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = std::io::BufReader::new(stdout).lines();
        let first = lines.next().expect("a line").expect("utf-8");
        // Keep draining so scheduled runs never block on a full pipe.
        std::thread::spawn(move || for _ in lines.by_ref() {});
        let addr = first
            .rsplit("http://")
            .next()
            .expect("address")
            .trim_end_matches('/')
            .to_string();
        Served { child, addr }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// SIGTERM, then the exit status within five seconds.
    fn stop(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status();
        for _ in 0..50 {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("serve did not stop on SIGTERM");
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One raw HTTP/1.1 exchange: (status, header block, body).
fn raw_http(addr: &str, request: &str) -> (u16, String, Vec<u8>) {
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .expect("timeout");
    stream.write_all(request.as_bytes()).expect("send");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end");
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    (status, head, response[split + 4..].to_vec())
}

fn get(addr: &str, path: &str, extra: &str) -> (u16, String, Vec<u8>) {
    raw_http(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Connection: close\r\n\r\n"),
    )
}

fn header_value(head: &str, name: &str) -> String {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}

#[test]
fn serve_answers_like_a_good_web_server() {
    let tmp = tempfile::tempdir().expect("tmp");
    let feeds = tmp.path().join("feeds");
    convert(&corpus().join("cw-article.html"), &feeds, "cw");
    std::fs::write(feeds.join("feedsplit.sqlite"), "store").expect("store");
    let outside = tmp.path().join("secret.rss");
    std::fs::write(&outside, "secret").expect("secret");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, feeds.join("cw/escape.rss")).expect("symlink");
    let dir = feeds.display().to_string();
    let served = Served::start(&["--dir", &dir, "--addr", "127.0.0.1:0"]);
    let addr = served.addr.clone();
    // A file written this second has no Last-Modified yet (HTTP dates have whole seconds).
    let (_, head, _) = get(&addr, "/cw/editorial.rss", "");
    assert!(header_value(&head, "last-modified").is_empty(), "{head}");
    assert!(!header_value(&head, "etag").is_empty());
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for entry in std::fs::read_dir(feeds.join("cw")).expect("dir") {
        let path = entry.expect("entry").path();
        let file = std::fs::File::options()
            .append(true)
            .open(&path)
            .expect("open");
        file.set_modified(hour_ago).expect("set mtime");
    }
    for (path, ctype) in [
        ("/cw/editorial.rss", "application/rss+xml"),
        ("/cw/sponsored.atom", "application/atom+xml"),
        ("/cw/personnel.json", "application/feed+json"),
    ] {
        let (status, head, body) = get(&addr, path, "");
        assert_eq!(status, 200, "{path}");
        assert!(
            header_value(&head, "content-type").starts_with(ctype),
            "{head}"
        );
        assert_eq!(body, std::fs::read(feeds.join(&path[1..])).expect("file"));
        let etag = header_value(&head, "etag");
        let last_modified = header_value(&head, "last-modified");
        assert!(!etag.is_empty() && !last_modified.is_empty(), "{head}");
        let (status, _, body) = get(&addr, path, &format!("If-None-Match: {etag}\r\n"));
        assert_eq!((status, body.len()), (304, 0), "{path}");
        let (status, _, _) = get(
            &addr,
            path,
            &format!("If-Modified-Since: {last_modified}\r\n"),
        );
        assert_eq!(status, 304, "{path}");
        let (status, _, _) = get(&addr, path, "If-None-Match: \"other\"\r\n");
        assert_eq!(status, 200, "{path}");
    }
    // gzip when asked, and the unpacked bytes are the file.
    let (status, head, body) = get(&addr, "/cw/editorial.atom", "Accept-Encoding: gzip\r\n");
    assert_eq!(status, 200);
    assert_eq!(header_value(&head, "content-encoding"), "gzip");
    let mut unpacked = Vec::new();
    flate2::read::GzDecoder::new(body.as_slice())
        .read_to_end(&mut unpacked)
        .expect("gunzip");
    assert_eq!(
        unpacked,
        std::fs::read(feeds.join("cw/editorial.atom")).expect("file")
    );
    // HEAD: headers only.
    let (status, head, body) = raw_http(
        &addr,
        &format!("HEAD /cw/editorial.rss HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!((status, body.len()), (200, 0));
    assert!(
        header_value(&head, "content-length")
            .parse::<usize>()
            .unwrap_or(0)
            > 0
    );
    // The index page for "/", and nothing outside the feeds or beside them.
    std::fs::write(feeds.join("index.html"), "<!DOCTYPE html><title>x</title>").expect("index");
    assert_eq!(get(&addr, "/", "").0, 200);
    for bad in [
        "/../secret.rss",
        "/cw/../../secret.rss",
        "/%2e%2e/secret.rss",
        "/cw/%2e%2e/%2e%2e/secret.rss",
        "/..%2fsecret.rss",
        "/cw/escape.rss",
        "/feedsplit.sqlite",
        "/cw/",
        "/cw",
        "/nothing.rss",
    ] {
        assert_eq!(get(&addr, bad, "").0, 404, "{bad}");
    }
    let (status, _, _) = raw_http(
        &addr,
        &format!(
            "POST /cw/editorial.rss HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
    );
    assert_eq!(status, 405);
    assert!(served.stop().success(), "clean exit on SIGTERM");
}

#[test]
fn many_concurrent_conditional_requests_get_304s() {
    let tmp = tempfile::tempdir().expect("tmp");
    let feeds = tmp.path().join("feeds");
    convert(&corpus().join("cw-article.html"), &feeds, "cw");
    let dir = feeds.display().to_string();
    let served = Served::start(&["--dir", &dir, "--addr", "127.0.0.1:0", "--threads", "4"]);
    let addr = served.addr.clone();
    let paths: Vec<String> = CLASSES
        .iter()
        .flat_map(|c| FORMATS.iter().map(move |f| format!("/cw/{c}.{f}")))
        .collect();
    let etags: Vec<String> = paths
        .iter()
        .map(|p| header_value(&get(&addr, p, "").1, "etag"))
        .collect();
    let started = std::time::Instant::now();
    // Bounded: 16 clients x 25 requests, on loopback only.
    let clients: Vec<_> = (0..16)
        .map(|client| {
            let addr = addr.clone();
            let paths = paths.clone();
            let etags = etags.clone();
            std::thread::spawn(move || {
                let mut statuses = Vec::new();
                for i in 0..25 {
                    let k = (client + i) % paths.len();
                    let extra = format!("If-None-Match: {}\r\n", etags[k]);
                    statuses.push(get(&addr, &paths[k], &extra).0);
                }
                statuses
            })
        })
        .collect();
    let statuses: Vec<u16> = clients
        .into_iter()
        .flat_map(|c| c.join().expect("client"))
        .collect();
    assert_eq!(statuses.len(), 400);
    assert!(statuses.iter().all(|s| *s == 304), "{statuses:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    assert!(served.stop().success());
}

#[test]
fn serve_every_regenerates_under_the_run_lock() {
    let tmp = tempfile::tempdir().expect("tmp");
    let config = write_config(
        tmp.path(),
        &[(
            "seed",
            vec![corpus().join("seed.txt").display().to_string()],
        )],
    );
    let cfg = config.display().to_string();
    let served = Served::start(&["--config", &cfg, "--every", "1s", "--addr", "127.0.0.1:0"]);
    // The run writes each source's feeds, then the index: wait for the last file.
    let mut statuses = (0, 0);
    for _ in 0..100 {
        statuses = (
            get(&served.addr, "/seed/personnel.atom", "").0,
            get(&served.addr, "/index.opml", "").0,
        );
        if statuses == (200, 200) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(
        statuses,
        (200, 200),
        "the scheduled run wrote the feeds and the index"
    );
    // While the server's schedule runs, a cron run may still take its turn under the lock.
    let out = run_job(&config);
    assert!(matches!(out.status.code(), Some(0 | 75)));
    assert!(served.stop().success());
}

/// Unread items per feed URL in a newsboat cache.
fn newsboat_unread(cache: &Path) -> HashMap<String, i64> {
    let conn = rusqlite::Connection::open(cache).expect("cache");
    let mut stmt = conn
        .prepare("SELECT feedurl, SUM(unread) FROM rss_item WHERE deleted = 0 GROUP BY feedurl")
        .expect("query");
    stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .expect("rows")
        .map(|r| r.expect("row"))
        .collect()
}

/// newsboat keys articles by guid across all its feeds, so each format gets a cache of its own;
/// it reads RSS and Atom (JSON Feed it does not support, so those are checked with feed-rs).
fn newsboat_reload(home: &Path, urls: &[String], cache: &str) -> HashMap<String, i64> {
    let list = home.join(format!("{cache}.urls"));
    std::fs::write(&list, urls.join("\n") + "\n").expect("urls");
    let config = home.join("config");
    std::fs::write(&config, "reload-threads 3\n").expect("config");
    let db = home.join(format!("{cache}.db"));
    let status = std::process::Command::new("newsboat")
        .env("HOME", home)
        .arg("-u")
        .arg(&list)
        .arg("-c")
        .arg(&db)
        .arg("-C")
        .arg(&config)
        .args(["-x", "reload"])
        .status()
        .expect("run newsboat");
    assert!(status.success());
    newsboat_unread(&db)
}

#[test]
fn newsboat_reads_the_served_feeds() {
    if std::process::Command::new("newsboat")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install newsboat (.ci/run does)"
        );
        eprintln!("newsboat is not installed: skipping the real-reader test");
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).expect("out");
    let dir = out.display().to_string();
    let served = Served::start(&["--dir", &dir, "--addr", "127.0.0.1:0"]);
    let upstream = TestServer::start();
    let front = |extra: bool| {
        let mut teasers = vec![
            (
                "1/kommuner",
                "Kommuner mangler overblik over it-kontrakter",
                false,
            ),
            ("2/regionen", "Regionen dropper omstridt it-system", false),
            ("3/sap", "Sådan flytter du SAP til skyen", true),
        ];
        if extra {
            teasers.push(("4/cloud", "Fem trin til en sikker cloud", true));
        }
        front_page(&teasers)
    };
    upstream.set("/", "text/html", front(false));
    upstream.set("/art/1", "text/html", article_page(1, SIDEBAR));
    // Self links must name where the files are served.
    let config_text = format!(
        "[output]\ndir = \"out\"\nbase_url = \"{}\"\n\n[fetch]\nhost_delay_ms = 0\n\n\
         [[source]]\nname = \"news\"\nurls = [\"{}\", \"{}\"]\n",
        served.url("/"),
        upstream.url("/"),
        upstream.url("/art/1")
    );
    let config = tmp.path().join("feedsplit.toml");
    std::fs::write(&config, config_text).expect("config");
    assert!(run_job(&config).status.success());
    let urls = |format: &str| -> Vec<String> {
        CLASSES
            .iter()
            .map(|c| served.url(&format!("/news/{c}.{format}")))
            .collect()
    };
    let expected: HashMap<&str, i64> =
        HashMap::from([("editorial", 3), ("sponsored", 2), ("personnel", 2)]);
    let home = tmp.path();
    let mut before = HashMap::new();
    for format in ["rss", "atom"] {
        let counts = newsboat_reload(home, &urls(format), format);
        for class in CLASSES {
            let url = served.url(&format!("/news/{class}.{format}"));
            assert_eq!(
                counts.get(&url).copied().unwrap_or(0),
                expected[class],
                "{url}"
            );
        }
        before.extend(counts);
    }
    // Nothing changed upstream: the counts do not grow.
    assert!(run_job(&config).status.success());
    for format in ["rss", "atom"] {
        let counts = newsboat_reload(home, &urls(format), format);
        for (url, n) in &counts {
            assert_eq!(before.get(url), Some(n), "{url} grew without news");
        }
    }
    // One new sponsored teaser upstream: exactly one new unread item, in the sponsored feed.
    upstream.set("/", "text/html", front(true));
    assert!(run_job(&config).status.success());
    for format in ["rss", "atom"] {
        let counts = newsboat_reload(home, &urls(format), format);
        for class in CLASSES {
            let url = served.url(&format!("/news/{class}.{format}"));
            let grew =
                counts.get(&url).copied().unwrap_or(0) - before.get(&url).copied().unwrap_or(0);
            assert_eq!(grew, i64::from(class == "sponsored"), "{url}");
        }
    }
    for class in CLASSES {
        let url = served.url(&format!("/news/{class}.json"));
        let feed = read_feed(&out.join(format!("news/{class}.json")), &url);
        assert_eq!(
            feed.entries.len() as i64,
            expected[class] + i64::from(class == "sponsored")
        );
    }
    assert!(served.stop().success());
}

#[test]
fn eval_scores_the_corpus_and_holds_the_thresholds() {
    let out = feedsplit()
        .args(["eval", "--check"])
        .arg(corpus())
        .output()
        .expect("run");
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
    let out = feedsplit()
        .args(["eval", "--check"])
        .arg(tmp.path())
        .output()
        .expect("run");
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
    let out = feedsplit()
        .args(["eval", "--realworld", "--check"])
        .arg(tmp.path())
        .output()
        .expect("run");
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
    feedsplit()
        .args(["eval", "--realworld", "--check", "--gate"])
        .arg(&gate)
        .arg(tmp.path())
        .assert()
        .success();
}

#[test]
fn explain_shows_runners_up_and_suspects() {
    let tmp = tempfile::tempdir().expect("tmp");
    feedsplit()
        .args(["classify", "--explain"])
        .arg(corpus().join("hard-promo-unlabelled.html"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "editorial\tSådan vælger du den rigtige router",
        ))
        .stdout(predicate::str::contains("SUSPECT: promotional wording"));
    let out = feedsplit()
        .args(["classify", "--json"])
        .arg(corpus().join("hard-paid-hire.html"))
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let paid = v["items"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|i| i["title"] == "Rekrutteringshuset ansætter ny partner")
        })
        .expect("paid hire");
    assert_eq!(paid["class"], "sponsored");
    assert_eq!(paid["decided_by"][0]["signal"], "sponsored_label");
    let config = write_config(
        tmp.path(),
        &[(
            "guide",
            vec![
                corpus()
                    .join("hard-promo-unlabelled.html")
                    .display()
                    .to_string(),
            ],
        )],
    );
    let run = run_job(&config);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("; 1 suspect"), "{stdout}");
    assert!(
        stdout.contains("suspect: Sådan vælger du den rigtige router: promotional wording"),
        "{stdout}"
    );
}

#[test]
fn new_upstream_feed_items_are_checked_against_their_pages_once() {
    let server = TestServer::start();
    let feed = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><link>{0}/</link>\
         <description>d</description>\
         <item><title>Guide til sikker cloud</title><link>{0}/art/9</link>\
         <pubDate>Mon, 03 Nov 2025 09:00:00 +0100</pubDate></item></channel></rss>",
        server.base
    );
    server.set("/rss", "application/rss+xml", feed);
    let page = labelled_article_page(9, "Sponsoreret indhold");
    server.set("/art/9", "text/html", page);
    let tmp = tempfile::tempdir().expect("tmp");
    let config = write_config_with(
        tmp.path(),
        &[("feed", vec![server.url("/rss")])],
        "check_feed_items = true\nallow_private_addresses = true",
    );
    assert!(run_job(&config).status.success());
    assert_eq!(
        titles_in(tmp.path(), "feed", "sponsored"),
        BTreeSet::from(["Guide til sikker cloud".to_string()])
    );
    assert!(titles_in(tmp.path(), "feed", "editorial").is_empty());
}

#[test]
fn reads_stdin_and_honours_input_kind() {
    let seed = std::fs::read(corpus().join("seed.txt")).expect("seed");
    feedsplit()
        .args(["classify", "-"])
        .write_stdin(seed.clone())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "sponsored\tTillid i en Zero-Trust verden",
        ));
    // Forced to read the text as HTML, it has no labelled blocks: no sponsored item.
    feedsplit()
        .args(["classify", "--input-kind", "html", "-"])
        .write_stdin(seed)
        .assert()
        .success()
        .stdout(predicate::str::contains("sponsored").not());
}

#[test]
fn an_item_seen_in_two_inputs_is_one_item_with_both_sightings() {
    let tmp = tempfile::tempdir().expect("tmp");
    feedsplit()
        .args(["convert", "--now", NOW, "--name", "cw", "-o"])
        .arg(tmp.path())
        .arg(corpus().join("cw-article.html"))
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

// ---------------------------------------------------------------------------------------------
// Hostile input: whatever a page or feed holds, the feeds carry no active content, the program
// fetches nothing inside the network on a page's say-so, and bad input fails loudly and safely.

/// Markup no feed may pass on: active elements, event handlers, script and data URLs.
const HOSTILE_HTML: &str = "<p onclick=\"steal()\">Tekst om sagen.</p>\
    <script>alert(1)</script><img src=\"x.png\" onerror=\"alert(2)\">\
    <a href=\"javascript:alert(3)\">klik</a><a href=\"data:text/html,<script>alert(4)</script>\">data</a>\
    <iframe src=\"https://evil.example/\"></iframe><object data=\"x.swf\"></object>\
    <base href=\"https://evil.example/\"><meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/\">\
    <form action=\"https://evil.example/\"><input name=\"pw\"></form><embed src=\"x.swf\">\
    <svg onload=\"alert(5)\"></svg><style>body{display:none}</style><a href=\"/relativ\">relativ</a>";

/// What a feed reader would treat as active content, looked for in unescaped item text.
fn active_content(text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    [
        "<script",
        "javascript:",
        "data:text",
        "onerror",
        "onclick",
        "onload",
        "<iframe",
        "<object",
        "<base",
        "<meta",
        "<form",
        "<embed",
        "<svg",
        "<style",
    ]
    .into_iter()
    .find(|p| lower.contains(p))
}

/// The item bodies of every feed of a feed set, as a reader unescapes them.
fn item_bodies(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for class in CLASSES {
        for format in FORMATS {
            let path = dir.join(format!("{class}.{format}"));
            let feed = feed_rs::parser::parse(std::fs::read(&path).expect("feed").as_slice())
                .expect("parses");
            for e in feed.entries {
                out.extend(e.content.and_then(|c| c.body));
                out.extend(e.summary.map(|s| s.content));
            }
        }
    }
    out
}

fn hostile_feeds(dir: &Path) -> Vec<PathBuf> {
    let escaped = HOSTILE_HTML
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    let rss = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><link>https://news.example.dk/</link>\
         <item><title>Escaped</title><link>https://news.example.dk/art/1</link><description>{escaped}</description></item>\
         <item><title>Annonce: Betalt</title><link>https://news.example.dk/art/2</link><description><![CDATA[{HOSTILE_HTML}]]></description></item>\
         </channel></rss>"
    );
    let atom = format!(
        "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title><id>urn:x</id>\
         <updated>2025-09-01T08:00:00Z</updated><entry><title>Atom</title><id>urn:x:1</id>\
         <link href=\"https://news.example.dk/art/3\"/><updated>2025-09-01T08:00:00Z</updated>\
         <content type=\"html\">{escaped}</content><summary type=\"html\">{escaped}</summary></entry></feed>"
    );
    let json_feed = serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": "t",
        "items": [{"id": "1", "url": "https://news.example.dk/art/4", "title": "Json",
                   "content_html": HOSTILE_HTML, "summary": "<script>alert(6)</script>"}]
    });
    let files = [
        ("hostile.rss", rss),
        ("hostile.atom", atom),
        ("hostile.json", json_feed.to_string()),
        (
            "hostile.html",
            format!(
                "<!DOCTYPE html><html><head><link rel=\"canonical\" href=\"https://news.example.dk/art/5\"></head>\
                 <body><article><h1>Side</h1><p class=\"lede\">{}</p>{HOSTILE_HTML}<p>{}</p></article></body></html>",
                "Ledetekst om en sag i kommunen, lang nok til at tælle som en rigtig ledetekst.",
                "Brødtekst ".repeat(40)
            ),
        ),
    ];
    files
        .into_iter()
        .map(|(name, text)| {
            let path = dir.join(name);
            std::fs::write(&path, text).expect("write");
            path
        })
        .collect()
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
    let sources: Vec<(&str, Vec<String>)> = inputs
        .iter()
        .enumerate()
        .map(|(i, p)| (["a", "b", "c", "d"][i], vec![p.display().to_string()]))
        .collect();
    let config = write_config(tmp.path(), &sources);
    let out = run_job(&config);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (name, _) in &sources {
        for body in item_bodies(&tmp.path().join("out").join(name)) {
            assert_eq!(active_content(&body), None, "run {name}: {body}");
        }
    }
}

#[test]
fn followed_links_never_reach_private_addresses_unless_allowed() {
    let server = TestServer::start();
    let port = server.base.rsplit(':').next().expect("port").to_string();
    // The page's author, not the operator, chose these links: loopback by address and by name.
    let front = front_page(&[
        ("7/historie-7", "Historie om skyen", false),
        ("8/historie-8", "Historie om nettet", false),
    ])
    .replace(
        "https://news.example.dk/art/7/historie-7",
        &server.url("/internal/7"),
    )
    .replace(
        "https://news.example.dk/art/8/historie-8",
        &format!("http://localhost:{port}/internal/8"),
    );
    server.set("/", "text/html", front);
    for n in [7, 8] {
        let page = article_page(n, "").replace("Brødtekst", "Hemmelig intern brødtekst");
        server.set(&format!("/internal/{n}"), "text/html", page);
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let config = write_config_with(
        tmp.path(),
        &[("news", vec![server.url("/")])],
        "follow_teasers = true",
    );
    let out = feedsplit()
        .args(["run", "-v", "--now", NOW, "--config"])
        .arg(&config)
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("not followed") && stdout.contains("not a public address"),
        "{stdout}"
    );
    let requested: Vec<String> = server.take_log().into_iter().map(|(p, _)| p).collect();
    assert_eq!(requested, vec!["/".to_string()], "only the operator's URL");
    let feed = std::fs::read_to_string(tmp.path().join("out/news/editorial.json")).expect("feed");
    assert!(!feed.contains("Hemmelig"), "{feed}");
    // The operator may allow it, for an intranet.
    let allowed = tmp.path().join("allowed");
    std::fs::create_dir_all(&allowed).expect("dir");
    let config = write_config_with(
        &allowed,
        &[("news", vec![server.url("/")])],
        "follow_teasers = true\nallow_private_addresses = true",
    );
    assert!(run_job(&config).status.success());
    let requested: Vec<String> = server.take_log().into_iter().map(|(p, _)| p).collect();
    assert!(
        requested.contains(&"/internal/7".to_string()),
        "{requested:?}"
    );
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
    feedsplit()
        .args(["convert", "--name", "page", "-o"])
        .arg(&out)
        .arg(&deep)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "deep.html: elements nested more than",
        ));
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
    feedsplit()
        .args(["convert", "--name", "page", "-o"])
        .arg(&out)
        .arg(&feed)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nested more than"));
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
    feedsplit()
        .args(["convert", "-o"])
        .arg(&out)
        .arg(&dots)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "...html: cannot name a feed set after it; pass --name",
        ));
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
    feedsplit()
        .args(["classify"])
        .arg(&utf16_path)
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
        feedsplit()
            .args(["convert", "--name", "page", "-o"])
            .arg(&out)
            .args(&args)
            .timeout(std::time::Duration::from_secs(30))
            .assert()
            .code(1)
            .stderr(predicate::str::contains(message));
    }
    #[cfg(unix)]
    {
        let fifo = tmp.path().join("fifo.html");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            feedsplit()
                .args(["convert", "--name", "page", "-o"])
                .arg(&out)
                .arg(&fifo)
                .timeout(std::time::Duration::from_secs(30))
                .assert()
                .code(1)
                .stderr(predicate::str::contains("fifo.html: not a regular file"));
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
    let out = feedsplit()
        .args(["classify", "does-not-exist.html"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("os error").count(), 1, "{stderr}");
    let server = TestServer::start();
    server.set("/page", "text/html", labelled_article_page(3, "Annonce"));
    let upper = server.url("/page").replacen("http://", "HTTP://", 1);
    feedsplit()
        .args(["classify", &upper])
        .assert()
        .success()
        .stdout(predicate::str::contains("sponsored\tHistorie nummer 3"));
}

#[test]
fn a_304_to_a_first_request_is_a_failure_not_an_empty_feed() {
    let server = TestServer::start();
    server.set("/", "text/html", article_page(1, SIDEBAR));
    server.set_status("/", 304);
    let tmp = tempfile::tempdir().expect("tmp");
    let config = write_config(tmp.path(), &[("news", vec![server.url("/")])]);
    let out = run_job(&config);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("HTTP 304"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!tmp.path().join("out/news/editorial.rss").exists());
}

#[test]
fn items_past_retention_are_neither_new_nor_followed_again() {
    let server = TestServer::start();
    // NOW is 2026-01-01; the teaser is undated, its article page says September 2025.
    let front = front_page_linking(&server, "/art/7");
    server.set("/", "text/html", front);
    server.set("/art/7", "text/html", article_page(7, ""));
    let tmp = tempfile::tempdir().expect("tmp");
    let config = write_config_with(
        tmp.path(),
        &[("news", vec![server.url("/")])],
        "follow_teasers = true\nallow_private_addresses = true",
    );
    let text = std::fs::read_to_string(&config)
        .expect("config")
        .replace("[output]\n", "[output]\nretention_days = 30\n");
    std::fs::write(&config, text).expect("config");
    let mut followed = Vec::new();
    for _ in 0..2 {
        let out = run_job(&config);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}");
        assert!(stdout.contains("new: 0 editorial"), "{stdout}");
        followed.push(
            server
                .take_log()
                .iter()
                .filter(|(p, _)| p == "/art/7")
                .count(),
        );
        // A changed front page, so the second run reads it again.
        server.set(
            "/",
            "text/html",
            front_page_linking(&server, "/art/7").replace("Forsiden", "Forsiden i dag"),
        );
    }
    assert_eq!(followed, vec![1, 0], "read once, then known");
    assert!(titles_in(tmp.path(), "news", "editorial").is_empty());
}

/// Served feeds of one converted page, for the server abuse tests.
fn served_feeds(extra: &[&str]) -> (tempfile::TempDir, Served) {
    let tmp = tempfile::tempdir().expect("tmp");
    let feeds = tmp.path().join("feeds");
    convert(&corpus().join("cw-article.html"), &feeds, "cw");
    // Big enough that answers to a client that never reads fill the socket buffers.
    let index = format!(
        "<!DOCTYPE html><title>x</title><p>{}</p>",
        "x".repeat(256 * 1024)
    );
    std::fs::write(feeds.join("index.html"), index).expect("index");
    let dir = feeds.display().to_string();
    let mut args = vec!["--dir", dir.as_str(), "--addr", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let served = Served::start(&args);
    (tmp, served)
}

#[test]
fn serve_keeps_answering_with_thousands_of_idle_sockets_and_a_stalled_pipeliner() {
    let (_tmp, served) = served_feeds(&[]);
    let addr = served.addr.clone();
    // Bounded, loopback only: 2,000 sockets that never send a byte.
    let idle: Vec<std::net::TcpStream> = (0..2_000)
        .map(|_| std::net::TcpStream::connect(&addr).expect("idle connect"))
        .collect();
    // One client pipelines 100 requests and never reads the answers.
    let mut pipeliner = std::net::TcpStream::connect(&addr).expect("connect");
    let request = format!("GET /index.html HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    pipeliner
        .set_write_timeout(Some(std::time::Duration::from_secs(5)))
        .expect("timeout");
    for _ in 0..100 {
        if pipeliner.write_all(request.as_bytes()).is_err() {
            break;
        }
    }
    // Everyone else is still answered, each within a second.
    for path in [
        "/cw/editorial.rss",
        "/cw/sponsored.atom",
        "/cw/personnel.json",
    ] {
        let started = std::time::Instant::now();
        let (status, _, _) = get(&addr, path, "");
        assert_eq!(status, 200, "{path}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "{path} took {:?}",
            started.elapsed()
        );
    }
    drop(idle);
    drop(pipeliner);
    assert!(served.stop().success());
}

#[test]
fn serve_refuses_clearly_past_its_connection_limit_and_recovers() {
    let (_tmp, served) = served_feeds(&["--max-connections", "20"]);
    let addr = served.addr.clone();
    let idle: Vec<std::net::TcpStream> = (0..20)
        .map(|_| std::net::TcpStream::connect(&addr).expect("idle connect"))
        .collect();
    // Give the server a moment to take all twenty.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let (status, head, _) = get(&addr, "/cw/editorial.rss", "");
    assert_eq!(status, 503, "{head}");
    assert_eq!(header_value(&head, "retry-after"), "1");
    drop(idle);
    let mut status = 0;
    for _ in 0..50 {
        status = get(&addr, "/cw/editorial.rss", "").0;
        if status == 200 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(status, 200, "served again once the idle sockets closed");
    assert!(served.stop().success());
}

#[test]
fn serve_handles_odd_but_valid_requests() {
    let (tmp, served) = served_feeds(&[]);
    let addr = served.addr.clone();
    let file = tmp.path().join("feeds/cw/editorial.rss");
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .append(true)
        .open(&file)
        .expect("open")
        .set_modified(hour_ago)
        .expect("mtime");
    // An absolute-form target names the same file.
    let (status, _, body) = raw_http(
        &addr,
        &format!(
            "GET http://{addr}/cw/editorial.rss HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        ),
    );
    assert_eq!(status, 200);
    assert_eq!(body, std::fs::read(&file).expect("file"));
    // If-Modified-Since in the future is no date the client had from us: the file is sent.
    let (status, _, _) = get(
        &addr,
        "/cw/editorial.rss",
        "If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT\r\n",
    );
    assert_eq!(status, 200);
    // --every too long to represent is a usage error.
    feedsplit()
        .args([
            "serve",
            "--config",
            "x.toml",
            "--every",
            "99999999999999999h",
        ])
        .assert()
        .code(2);
    assert!(served.stop().success());
}

// ---------------------------------------------------------------------------------------------
// Paid content on real-world shapes: what the corpus pages cannot show through `eval` alone.

#[test]
fn a_page_that_says_it_is_an_article_but_yields_none_is_reported() {
    let tmp = tempfile::tempdir().expect("tmp");
    // An article page whose text is only a video and a caption: nothing to make an article of.
    let page = "<!DOCTYPE html><html><head><meta charset=\"utf-8\">\
        <meta property=\"og:type\" content=\"article\"><meta property=\"og:title\" content=\"Video: Havnen i nat\">\
        </head><body><div class=\"player\"><video src=\"/v.mp4\"></video><span>02:14</span></div></body></html>";
    let path = tmp.path().join("video.html");
    std::fs::write(&path, page).expect("write");
    feedsplit()
        .args(["classify", "--explain"])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "skipped\tVideo: Havnen i nat\tarticle not found",
        ));
    let config = write_config(tmp.path(), &[("video", vec![path.display().to_string()])]);
    let out = run_job(&config);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning:")
            && stderr.contains("no article found on a page that says it is one"),
        "{stderr}"
    );
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
    let out = feedsplit()
        .args(["classify"])
        .arg(&path)
        .output()
        .expect("run");
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
    feedsplit()
        .args(["classify"])
        .arg(&page)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .success();
}

// ---------------------------------------------------------------------------------------------
// Concurrent runs: politeness per host, hanging hosts, output independent of timing.

/// One request a `SlowServer` answered: its path, and when it arrived and was answered.
type Timed = (String, std::time::Instant, std::time::Instant);

/// A server answering each connection on a thread of its own after `latency` (so it would take
/// concurrent requests if a client sent them), logging when each request came and was answered.
/// `/robots.txt` is a 404; every other path is an article page. With `hang`, it never answers.
struct SlowServer {
    base: String,
    log: Arc<Mutex<Vec<Timed>>>,
}

impl SlowServer {
    fn start(latency: std::time::Duration, hang: bool) -> SlowServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let log: Arc<Mutex<Vec<Timed>>> = Arc::default();
        let shared = Arc::clone(&log);
        std::thread::spawn(move || {
            for stream in listener.incoming().take(1_000) {
                let Ok(mut stream) = stream else { return };
                let log = Arc::clone(&shared);
                std::thread::spawn(move || {
                    let Some(request) = read_head(&mut stream) else {
                        return;
                    };
                    let came = std::time::Instant::now();
                    if hang {
                        std::thread::sleep(std::time::Duration::from_secs(20));
                        return;
                    }
                    std::thread::sleep(latency);
                    let text = String::from_utf8_lossy(&request).into_owned();
                    let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
                    let (status, body) = if path == "/robots.txt" {
                        ("404 Not Found", String::new())
                    } else {
                        let n = path.bytes().filter(u8::is_ascii_digit).count() % 9 + 1;
                        ("200 OK", article_page(n, ""))
                    };
                    let head = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n\
                         Content-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(head.as_bytes());
                    let _ = stream.write_all(body.as_bytes());
                    log.lock()
                        .expect("log")
                        .push((path, came, std::time::Instant::now()));
                });
            }
        });
        SlowServer { base, log }
    }

    /// Two hosts (two ports) answering after `latency`.
    fn pair(latency: std::time::Duration) -> (SlowServer, SlowServer) {
        (
            SlowServer::start(latency, false),
            SlowServer::start(latency, false),
        )
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn requests(&self) -> Vec<Timed> {
        let mut log = self.log.lock().expect("log").clone();
        log.sort_by_key(|(_, came, _)| *came);
        log
    }
}

/// `run_with`, which must succeed.
fn run_ok(config: &Path, extra: &[&str]) -> std::process::Output {
    let out = run_with(config, extra);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn run_with(config: &Path, extra: &[&str]) -> std::process::Output {
    feedsplit()
        .args(["run", "--now", NOW, "--config"])
        .arg(config)
        .args(extra)
        .output()
        .expect("run")
}

#[test]
fn a_concurrent_run_keeps_one_request_at_a_time_per_host_and_the_delay() {
    let latency = std::time::Duration::from_millis(60);
    let (a, b) = SlowServer::pair(latency);
    let tmp = tempfile::tempdir().expect("tmp");
    let sources: Vec<(String, Vec<String>)> = (1..=3)
        .flat_map(|i| {
            [
                (format!("a{i}"), vec![a.url(&format!("/a{i}"))]),
                (format!("b{i}"), vec![b.url(&format!("/b{i}"))]),
            ]
        })
        .collect();
    let named: Vec<(&str, Vec<String>)> = sources
        .iter()
        .map(|(n, u)| (n.as_str(), u.clone()))
        .collect();
    let config = write_config_with(
        tmp.path(),
        &named,
        "host_delay_ms = 150\nrobots_txt = true\nconcurrency = 6",
    );
    let out = run_ok(&config, &[]);
    let delay = std::time::Duration::from_millis(150);
    for server in [&a, &b] {
        let requests = server.requests();
        // robots.txt once, then the three pages.
        assert_eq!(requests.len(), 4, "{requests:?}");
        assert_eq!(
            requests
                .iter()
                .filter(|(p, _, _)| p == "/robots.txt")
                .count(),
            1
        );
        for pair in requests.windows(2) {
            let ((_, _, answered), (next, next_came, _)) = (&pair[0], &pair[1]);
            assert!(
                next_came >= answered,
                "{next} overlapped the request before it"
            );
            assert!(
                next_came.duration_since(*answered) >= delay,
                "{next} came {:?} after the answer before it",
                next_came.duration_since(*answered)
            );
        }
    }
    // The two hosts were fetched at the same time, not one after the other.
    let (ra, rb) = (a.requests(), b.requests());
    assert!(rb[0].1 < ra[ra.len() - 1].2 && ra[0].1 < rb[rb.len() - 1].2);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let order: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains(": ok"))
        .filter_map(|l| l.split(':').next())
        .collect();
    assert_eq!(order, ["a1", "b1", "a2", "b2", "a3", "b3"], "{stdout}");
}

#[test]
fn a_hanging_host_delays_only_its_own_source() {
    let hanging = SlowServer::start(std::time::Duration::ZERO, true);
    let quick = SlowServer::start(std::time::Duration::from_millis(20), false);
    let tmp = tempfile::tempdir().expect("tmp");
    let config = write_config_with(
        tmp.path(),
        &[
            ("stuck", vec![hanging.url("/page")]),
            ("n1", vec![quick.url("/n1")]),
            ("n2", vec![quick.url("/n2")]),
            ("n3", vec![quick.url("/n3")]),
        ],
        "timeout_seconds = 3\nretries = 0\nrobots_txt = false\nconcurrency = 4",
    );
    let started = std::time::Instant::now();
    let out = run_with(&config, &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("stuck: FAILED"), "{stderr}");
    // The other host's pages were all answered well before the stuck request timed out.
    let requests = quick.requests();
    assert_eq!(requests.len(), 3);
    for (path, _, answered) in &requests {
        assert!(
            answered.duration_since(started) < std::time::Duration::from_secs(3),
            "{path} waited for the hanging host"
        );
    }
    for name in ["n1", "n2", "n3"] {
        assert_eq!(titles_in(tmp.path(), name, "editorial").len(), 1);
    }
    assert!(!tmp.path().join("out/stuck/editorial.json").exists());
}

#[test]
fn one_request_at_a_time_or_sixteen_write_the_same_bytes() {
    let server = TestServer::start();
    let mut sources = Vec::new();
    for i in 1..=6 {
        let path = format!("/p{i}");
        let sidebar = if i % 2 == 0 { SIDEBAR } else { "" };
        server.set(&path, "text/html", article_page(i, sidebar));
        sources.push((format!("s{i}"), vec![server.url(&path)]));
    }
    let named: Vec<(&str, Vec<String>)> = sources
        .iter()
        .map(|(n, u)| (n.as_str(), u.clone()))
        .collect();
    let mut outputs = Vec::new();
    for concurrency in ["1", "16"] {
        let tmp = tempfile::tempdir().expect("tmp");
        let config = write_config(tmp.path(), &named);
        let out = run_with(&config, &["--concurrency", concurrency]);
        assert!(out.status.success());
        // Every feed and index file (the store and the lock left out), by path inside the run.
        let files: Vec<(PathBuf, Vec<u8>)> = snapshot(&tmp.path().join("out"))
            .into_iter()
            .map(|(p, bytes, _)| {
                let inside = p.strip_prefix(tmp.path()).map(Path::to_path_buf);
                (inside.unwrap_or(p), bytes)
            })
            .collect();
        outputs.push((files, out.stdout));
    }
    assert!(!outputs[0].0.is_empty());
    assert_eq!(outputs[0], outputs[1]);
}

#[test]
fn a_source_s_urls_on_different_hosts_are_fetched_at_once() {
    let latency = std::time::Duration::from_millis(300);
    let (a, b) = SlowServer::pair(latency);
    let tmp = tempfile::tempdir().expect("tmp");
    let config = write_config_with(
        tmp.path(),
        &[("both", vec![a.url("/p1"), b.url("/p22")])],
        "robots_txt = false",
    );
    run_ok(&config, &[]);
    let (ra, rb) = (a.requests(), b.requests());
    assert_eq!((ra.len(), rb.len()), (1, 1));
    assert!(
        ra[0].1 < rb[0].2 && rb[0].1 < ra[0].2,
        "fetched one after the other"
    );
    assert_eq!(titles_in(tmp.path(), "both", "editorial").len(), 2);
}

// ---------------------------------------------------------------------------------------------
// What readers and operators see: the status page in a real browser, more feed readers, and the
// conventions (completions, man page, starter config, systemd units).

/// Whether a tool is installed; on CI a missing tool is a failure (.ci/run installs it).
fn have(tool: &str, args: &[&str]) -> bool {
    let found = std::process::Command::new(tool)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install {tool} (.ci/run does)"
        );
        eprintln!("{tool} is not installed: skipping");
    }
    found
}

/// The main job on a scratch copy of the shipped fixtures, plus a source that fails (a file
/// that is not there) and one whose feed has hostile titles; returns the output directory.
fn main_job_with_a_failure(tmp: &Path) -> PathBuf {
    let fixtures = tmp.join("fixtures");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
        &fixtures,
    );
    let hostile = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>x</title>\
        <link>https://hostile.example/</link><description>x</description>\
        <item><title>&lt;script&gt;alert(1)&lt;/script&gt; Sponsored: &lt;b&gt;Deal&lt;/b&gt;</title>\
        <link>https://hostile.example/a</link><description>x</description></item>\
        </channel></rss>";
    std::fs::write(fixtures.join("hostile.rss"), hostile).expect("hostile feed");
    let config = fixtures.join("feedsplit.toml");
    let mut text = std::fs::read_to_string(&config).expect("config");
    text.push_str(
        "\n[[source]]\nname = \"broken\"\nurls = [\"corpus/no-such-page.html\"]\n\n\
         [[source]]\nname = \"hostile\"\nurls = [\"hostile.rss\"]\n",
    );
    std::fs::write(&config, text).expect("config");
    let out = feedsplit()
        .args(["run", "--now", NOW, "--config"])
        .arg(&config)
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(1),
        "the broken source fails the run"
    );
    tmp.join("feeds")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}

/// Runs a Python script with arguments; it must succeed. Returns what it printed.
fn python(script: &str, args: &[impl AsRef<std::ffi::OsStr>]) -> Vec<u8> {
    let run = std::process::Command::new("python3")
        .args(["-c", script])
        .args(args)
        .output()
        .expect("python3");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    run.stdout
}

/// Items of a JSON feed.
fn json_items(path: &Path) -> usize {
    json(path)["items"].as_array().map_or(0, Vec::len)
}

#[test]
fn the_status_page_shows_every_source_in_a_real_browser() {
    let tmp = tempfile::tempdir().expect("tmp");
    let feeds = main_job_with_a_failure(tmp.path());
    let page = feeds.join("index.html");
    let html = std::fs::read_to_string(&page).expect("index.html");
    // Valid HTML5, checked by a strict parser where Python's html5lib is installed.
    if have("python3", &["-c", "import html5lib"]) {
        python(
            "import sys, html5lib; html5lib.HTMLParser(strict=True).parse(open(sys.argv[1], 'rb'))",
            &[&page],
        );
    }
    assert!(!html.contains("<script"), "an item title became markup");
    if !have("chromium", &["--version"]) {
        return;
    }
    let browser = |extra: &[&str]| {
        std::process::Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--window-size=420,3000",
            ])
            .args(extra)
            .arg(format!("file://{}", page.display()))
            .output()
            .expect("chromium")
    };
    let dom = String::from_utf8_lossy(&browser(&["--dump-dom"]).stdout).into_owned();
    let config =
        std::fs::read_to_string(tmp.path().join("fixtures/feedsplit.toml")).expect("config");
    let names: Vec<&str> = config
        .lines()
        .filter_map(|l| l.strip_prefix("name = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .collect();
    assert_eq!(names.len(), 7);
    for name in &names {
        let state = if *name == "broken" { "failed" } else { "ok" };
        let section = format!("data-source=\"{name}\" data-state=\"{state}\"");
        assert!(dom.contains(&section), "{name} is not shown as {state}");
        if *name == "broken" {
            continue;
        }
        // The counts the page shows are the items the feeds hold.
        let at = dom.find(&section).expect("section");
        let rest = &dom[at..];
        for class in CLASSES {
            let cell = format!("<td data-class=\"{class}\">");
            let shown: usize = rest[rest.find(&cell).expect("count") + cell.len()..]
                .split('<')
                .next()
                .and_then(|n| n.trim().parse().ok())
                .expect("a number");
            assert_eq!(
                shown,
                json_items(&feeds.join(format!("{name}/{class}.json"))),
                "{name} {class}"
            );
        }
    }
    assert!(
        dom.contains("no-such-page.html"),
        "the failure's reason is shown"
    );
    assert!(dom.contains("id=\"sponsors\"") && dom.contains("Trustworks"));
    assert!(dom.contains("id=\"people\"") && dom.contains("Alexander Bendix"));
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(dom.matches("<svg").count() >= 6, "a chart per source");
    // The screenshot is kept as the test's artifact.
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("status-page.png");
    let _ = std::fs::remove_file(&shot);
    browser(&[&format!("--screenshot={}", shot.display())]);
    assert!(
        std::fs::metadata(&shot).is_ok_and(|m| m.len() > 10_000),
        "no screenshot"
    );
}

#[test]
fn every_generated_feed_reads_in_feedparser_and_sfeed() {
    let tmp = tempfile::tempdir().expect("tmp");
    let feeds = main_job_with_a_failure(tmp.path());
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in std::fs::read_dir(&feeds).expect("feeds").flatten() {
        if dir.path().is_dir() {
            for f in std::fs::read_dir(dir.path()).expect("dir").flatten() {
                files.push(f.path());
            }
        }
    }
    files.sort();
    assert!(files.len() >= 54, "{files:?}");
    let expected = |path: &Path| json_items(&path.with_extension("json"));
    // feedparser reads RSS and Atom (JSON Feed is checked against the 1.1 rules elsewhere).
    let xml: Vec<&PathBuf> = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e != "json"))
        .collect();
    if have("python3", &["-c", "import feedparser"]) {
        let script = "import sys, json, feedparser\n\
            out = {}\n\
            for p in sys.argv[1:]:\n    \
                d = feedparser.parse(p)\n    \
                out[p] = [bool(d.bozo), str(d.get('bozo_exception', '')), len(d.entries), d.version]\n\
            print(json.dumps(out))";
        let out = python(script, &xml);
        let parsed: serde_json::Value = serde_json::from_slice(&out).expect("json");
        for f in &xml {
            let r = &parsed[f.display().to_string()];
            assert_eq!(r[0], false, "{}: feedparser: {}", f.display(), r[1]);
            assert_eq!(r[2].as_u64(), Some(expected(f) as u64), "{}", f.display());
            assert!(
                r[3].as_str().is_some_and(|v| !v.is_empty()),
                "{}: no version",
                f.display()
            );
        }
    }
    if have("sh", &["-c", "command -v sfeed"]) {
        for f in &xml {
            let run = std::process::Command::new("sfeed")
                .stdin(std::fs::File::open(f.as_path()).expect("feed"))
                .output()
                .expect("sfeed");
            assert!(run.status.success(), "{}", f.display());
            let rows = String::from_utf8_lossy(&run.stdout);
            let rows: Vec<&str> = rows.lines().collect();
            assert_eq!(rows.len(), expected(f), "{}", f.display());
            // Every row has a title (field 2), an id (field 6), and an absolute link (field 3)
            // unless the item has none (a people notice read from plain text).
            for row in rows {
                let fields: Vec<&str> = row.split('\t').collect();
                assert!(
                    fields.len() > 5
                        && !fields[1].is_empty()
                        && !fields[5].is_empty()
                        && (fields[2].is_empty() || fields[2].starts_with("http")),
                    "{}: {row}",
                    f.display()
                );
            }
        }
    }
}

#[test]
fn completions_man_page_and_a_starter_config() {
    for (shell, marker) in [
        ("bash", "_feedsplit"),
        ("zsh", "#compdef feedsplit"),
        ("fish", "complete -c feedsplit"),
    ] {
        let out = feedsplit()
            .args(["completions", shell])
            .output()
            .expect("completions");
        assert!(out.status.success());
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(
            script.contains(marker) && script.contains("convert") && script.contains("concurrency"),
            "{shell}"
        );
    }
    let man = feedsplit().arg("man").output().expect("man");
    let page = String::from_utf8_lossy(&man.stdout);
    assert!(man.status.success() && page.contains(".TH feedsplit") && page.contains("completions"));
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("feedsplit.toml");
    feedsplit().arg("init").arg(&path).assert().success();
    let written = std::fs::read_to_string(&path).expect("starter");
    assert!(written.contains("[[source]]") && written.contains("concurrency"));
    // A second init would overwrite someone's config: refused, unless forced.
    feedsplit()
        .arg("init")
        .arg(&path)
        .assert()
        .code(predicate::ne(0))
        .stderr(predicate::str::contains("already exists"));
    feedsplit()
        .arg("init")
        .arg(&path)
        .arg("--force")
        .assert()
        .success();
    // The starter config is valid: a run with its source pointed at a local page works.
    let page_path = tmp.path().join("page.html");
    std::fs::write(&page_path, article_page(1, SIDEBAR)).expect("page");
    let local: String = written
        .lines()
        .map(|l| {
            if l.starts_with("urls = [") {
                format!("urls = [{:?}]\n", page_path.display().to_string())
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(&path, local).expect("config");
    let out = run_with(&path, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        tmp.path()
            .join("feeds/computerworld/sponsored.rss")
            .exists()
    );
}

#[test]
fn the_systemd_units_verify() {
    if !have("systemd-analyze", &["--version"]) {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let contrib = Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib");
    // The unit names the installed binary; verify it against the one just built.
    let service = std::fs::read_to_string(contrib.join("feedsplit.service"))
        .expect("service")
        .replace("/usr/local/bin/feedsplit", env!("CARGO_BIN_EXE_feedsplit"));
    std::fs::write(tmp.path().join("feedsplit.service"), service).expect("service");
    std::fs::copy(
        contrib.join("feedsplit.timer"),
        tmp.path().join("feedsplit.timer"),
    )
    .expect("timer");
    let out = std::process::Command::new("systemd-analyze")
        .current_dir(tmp.path())
        .args(["verify", "--man=no", "feedsplit.service", "feedsplit.timer"])
        .output()
        .expect("systemd-analyze");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

//! Feed readers and a browser reading what feedsplit writes: newsboat, feedparser, sfeed, and the
//! status page in headless Chromium.

use crate::util::*;

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
    upstream.set_front(front(false));
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
    Feedsplit::job(&config).now(NOW).run();
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
    Feedsplit::job(&config).now(NOW).run();
    for format in ["rss", "atom"] {
        let counts = newsboat_reload(home, &urls(format), format);
        for (url, n) in &counts {
            assert_eq!(before.get(url), Some(n), "{url} grew without news");
        }
    }
    // One new sponsored teaser upstream: exactly one new unread item, in the sponsored feed.
    upstream.set_front(front(true));
    Feedsplit::job(&config).now(NOW).run();
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

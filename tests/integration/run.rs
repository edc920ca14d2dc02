//! `feedsplit run`: conditional fetches against a test server on 127.0.0.1 whose pages change
//! between runs, the store across runs, politeness and concurrency, failures that keep feeds.

use crate::util::*;

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
    let config = ConfigFile::new()
        .source("news", [server.url("/"), server.url("/rss")])
        .write(tmp.path());
    Feedsplit::job(&config).now(NOW).run();
    assert!(server.take_log().iter().all(|(_, s)| *s == 200));
    let before = snapshot(&tmp.path().join("out"));
    assert_eq!(before.len(), 11, "nine feeds and two index files");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let second = Feedsplit::job(&config).now(NOW).output();
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
    server.set_front(front_page(&[
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
    ]));
    let tmp = tempfile::tempdir().expect("tmp");
    let config = news_config(&server, tmp.path());
    Feedsplit::job(&config).now(NOW).run();
    server.set_front(front_page(&[
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
    ]));
    let second = Feedsplit::job(&config).now(NOW).output();
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
    let config = ConfigFile::new().source("news", urls).write(tmp.path());
    let out = Feedsplit::job(&config).now(NOW).output();
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
    let config = ConfigFile::new()
        .source("a", [server.url("/a")])
        .source("b", [server.url("/b")])
        .write(tmp.path());
    Feedsplit::job(&config).now(NOW).run();
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
    let out = Feedsplit::job(&config).now(NOW).output();
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
    let config = ConfigFile::new()
        .source("p", [server.url("/private/page")])
        .write(tmp.path());
    let out = Feedsplit::job(&config).now(NOW).output();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("disallowed by robots.txt"));
    assert!(server.take_log().is_empty());
}

#[test]
fn an_overlapping_run_is_refused_or_waits() {
    let tmp = tempfile::tempdir().expect("tmp");
    let config = seed_config(tmp.path());
    let out_dir = tmp.path().join("out");
    std::fs::create_dir_all(&out_dir).expect("dir");
    let lock = std::fs::File::create(out_dir.join(".feedsplit.lock")).expect("lock file");
    lock.lock().expect("hold the lock as a running job would");
    let out = Feedsplit::job(&config).now(NOW).output();
    assert_eq!(out.status.code(), Some(75));
    assert!(String::from_utf8_lossy(&out.stderr).contains("another feedsplit run holds the lock"));
    assert!(!out_dir.join("seed").exists());
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        drop(lock);
    });
    let waited = Feedsplit::job(&config).arg("--wait").now(NOW).output();
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
    Feedsplit::job(&path).fails(1, "feedsplit.toml:3: ");
    std::fs::write(
        &path,
        "[[source]]\nname = \"x\"\nurls = [\"a.html\"]\ntimezone = \"Nowhere/City\"\n",
    )
    .expect("write");
    Feedsplit::job(&path).assert().code(1).stderr(
        predicate::str::contains("feedsplit.toml:4: ")
            .and(predicate::str::contains("Nowhere/City")),
    );
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn teasers_are_followed_once_for_content_dates_and_labels() {
    let server = TestServer::start();
    server.set_front(front_page_linking(&server, "/art/7/historie-om-skyen"));
    // The article page itself carries the label the teaser lacked.
    let page = labelled_article_page(7, "Annonceindlæg fra Skyhuset");
    server.set("/art/7/historie-om-skyen", "text/html", page);
    let tmp = tempfile::tempdir().expect("tmp");
    let config = following(&server)
        .fetch("max_follow_per_run = 5")
        .write(tmp.path());
    Feedsplit::job(&config).now(NOW).run();
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
    server.set_front(
        front_page_linking(&server, "/art/7/historie-om-skyen")
            .replace("Forsiden", "Forsiden i dag"),
    );
    Feedsplit::job(&config).now(NOW).run();
    assert_eq!(server.take_log(), vec![("/".to_string(), 200)]);
}

#[test]
fn a_source_that_suddenly_yields_nothing_is_a_warning() {
    let server = TestServer::start();
    server.set_front(front_page(&[
        ("1/a", "Første nyhed om it i kommunerne", false),
        ("2/b", "Anden nyhed om it i regionerne", false),
    ]));
    let tmp = tempfile::tempdir().expect("tmp");
    let config = news_config(&server, tmp.path());
    Feedsplit::job(&config).now(NOW).run();
    server.set_front("<html><body><main><h1>Ny forside</h1><p>Intet her.</p></main></body></html>");
    let out = Feedsplit::job(&config).now(NOW).output();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: news: no items found (recent runs found about 2)"),
        "{stderr}"
    );
    assert_eq!(titles_in(tmp.path(), "news", "editorial").len(), 2);
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
    let config = ConfigFile::new()
        .source("feed", [server.url("/rss")])
        .fetch("check_feed_items = true")
        .fetch("allow_private_addresses = true")
        .write(tmp.path());
    Feedsplit::job(&config).now(NOW).run();
    assert_eq!(
        titles_in(tmp.path(), "feed", "sponsored"),
        BTreeSet::from(["Guide til sikker cloud".to_string()])
    );
    assert!(titles_in(tmp.path(), "feed", "editorial").is_empty());
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
        &server.url("/internal/7/historie-om-skyen"),
    )
    .replace(
        "https://news.example.dk/art/8/historie-8",
        &format!("http://localhost:{port}/internal/8/historie-om-nettet"),
    );
    server.set_front(front);
    for (n, slug) in [(7, "historie-om-skyen"), (8, "historie-om-nettet")] {
        let page = article_page(n, "").replace("Brødtekst", "Hemmelig intern brødtekst");
        server.set(&format!("/internal/{n}/{slug}"), "text/html", page);
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let config = ConfigFile::new()
        .source("news", [server.url("/")])
        .fetch("follow_teasers = true")
        .write(tmp.path());
    let out = Feedsplit::job(&config).arg("-v").now(NOW).output();
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
    let config = following(&server).write(&allowed);
    Feedsplit::job(&config).now(NOW).run();
    let requested: Vec<String> = server.take_log().into_iter().map(|(p, _)| p).collect();
    assert!(
        requested.contains(&"/internal/7/historie-om-skyen".to_string()),
        "{requested:?}"
    );
}

#[test]
fn a_304_to_a_first_request_is_a_failure_not_an_empty_feed() {
    let server = TestServer::start();
    server.set_front(article_page(1, SIDEBAR));
    server.set_status("/", 304);
    let tmp = tempfile::tempdir().expect("tmp");
    let config = news_config(&server, tmp.path());
    let out = Feedsplit::job(&config).now(NOW).output();
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
    let front = front_page_linking(&server, "/art/7/historie-om-skyen");
    server.set_front(front);
    server.set("/art/7/historie-om-skyen", "text/html", article_page(7, ""));
    let tmp = tempfile::tempdir().expect("tmp");
    let config = following(&server)
        .output("retention_days = 30")
        .write(tmp.path());
    let mut followed = Vec::new();
    for _ in 0..2 {
        let out = Feedsplit::job(&config).now(NOW).output();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}");
        assert!(stdout.contains("new: 0 editorial"), "{stdout}");
        followed.push(
            server
                .take_log()
                .iter()
                .filter(|(p, _)| p == "/art/7/historie-om-skyen")
                .count(),
        );
        // A changed front page, so the second run reads it again.
        server.set_front(
            front_page_linking(&server, "/art/7/historie-om-skyen")
                .replace("Forsiden", "Forsiden i dag"),
        );
    }
    assert_eq!(followed, vec![1, 0], "read once, then known");
    assert!(titles_in(tmp.path(), "news", "editorial").is_empty());
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
    let config = sources
        .iter()
        .fold(ConfigFile::new(), |file, (name, urls)| {
            file.source(name, urls.clone())
        })
        .fetch("host_delay_ms = 150")
        .fetch("robots_txt = true")
        .fetch("concurrency = 6")
        .write(tmp.path());
    let out = Feedsplit::job(&config).now(NOW).run();
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
    let config = ConfigFile::new()
        .source("stuck", [hanging.url("/page")])
        .source("n1", [quick.url("/n1")])
        .source("n2", [quick.url("/n2")])
        .source("n3", [quick.url("/n3")])
        .fetch("timeout_seconds = 3")
        .fetch("retries = 0")
        .fetch("robots_txt = false")
        .fetch("concurrency = 4")
        .write(tmp.path());
    let started = std::time::Instant::now();
    let out = Feedsplit::job(&config).now(NOW).output();
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
    let file = sources
        .iter()
        .fold(ConfigFile::new(), |file, (name, urls)| {
            file.source(name, urls.clone())
        });
    let mut outputs = Vec::new();
    for concurrency in ["1", "16"] {
        let tmp = tempfile::tempdir().expect("tmp");
        let config = file.write(tmp.path());
        let out = Feedsplit::job(&config)
            .now(NOW)
            .args(["--concurrency", concurrency])
            .output();
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
    let config = ConfigFile::new()
        .source("both", [a.url("/p1"), b.url("/p22")])
        .fetch("robots_txt = false")
        .write(tmp.path());
    Feedsplit::job(&config).now(NOW).run();
    let (ra, rb) = (a.requests(), b.requests());
    assert_eq!((ra.len(), rb.len()), (1, 1));
    assert!(
        ra[0].1 < rb[0].2 && rb[0].1 < ra[0].2,
        "fetched one after the other"
    );
    assert_eq!(titles_in(tmp.path(), "both", "editorial").len(), 2);
}

/// A front page as news sites lay one out: a menu of sections, article teasers, a row of
/// utilities and a footer of house links around them.
fn front_with_template(articles: &[(&str, &str)]) -> String {
    let menu: String = ["Indland", "Udland", "Erhverv", "Sport", "Kultur", "Debat"]
        .iter()
        .map(|s| {
            format!(
                "<li class=\"menu__item\"><a href=\"https://news.example.dk/{}/\">{s}</a></li>",
                s.to_lowercase()
            )
        })
        .collect();
    let teasers: String = articles
        .iter()
        .map(|(path, title)| {
            format!(
                "<article class=\"teaser\"><a href=\"https://news.example.dk/{path}\"><h2>{title}</h2></a>\
                 <p>Kort tekst om {title}, så læseren ved hvad det handler om.</p>\
                 <time datetime=\"2025-12-30T08:00:00+01:00\">30. december</time></article>"
            )
        })
        .collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">\
         <link rel=\"canonical\" href=\"https://news.example.dk/\"></head><body>\
         <div class=\"site-header\"><ul class=\"menu\">{menu}</ul></div>\
         <main><h1>Forsiden</h1>{teasers}\
         <ul class=\"topics\"><li><a href=\"https://news.example.dk/emne/krigen-i-ukraine/\">Krigen i Ukraine</a></li>\
         <li><a href=\"https://news.example.dk/emne/folketingsvalget/\">Folketingsvalget 2026 live</a></li></ul>\
         </main><div class=\"site-footer\"><ul>\
         <li><a href=\"https://news.example.dk/om-os/\">Om os og vores journalistik</a></li>\
         <li><a href=\"https://news.example.dk/kontakt/\">Kontakt redaktionen her</a></li>\
         <li><a href=\"https://news.example.dk/abonnement/\">Køb et digitalt abonnement</a></li>\
         <li><a href=\"https://news.example.dk/cookies/\">Cookies og privatlivspolitik</a></li></ul></div>\
         </body></html>"
    )
}

#[test]
fn links_a_front_page_repeats_that_are_no_articles_never_reach_the_editorial_feed() {
    let server = TestServer::start();
    let first = [
        (
            "indland/2025/12/30/regionen-lukker-tre-skoler-efter-sommerferien",
            "Regionen lukker tre skoler efter sommerferien",
        ),
        (
            "erhverv/2025/12/30/rederi-bestiller-fire-nye-skibe-til-nordsoeen",
            "Rederi bestiller fire nye skibe til Nordsøen",
        ),
    ];
    server.set_front(front_with_template(&first));
    let tmp = tempfile::tempdir().expect("tmp");
    let config = ConfigFile::new()
        .source("news", [server.url("/")])
        .write(tmp.path());
    Feedsplit::job(&config).now(NOW).run();
    let mut second = first.to_vec();
    second[0] = (
        "sport/2026/01/03/landsholdet-vinder-efter-forlaenget-spilletid",
        "Landsholdet vinder efter forlænget spilletid",
    );
    server.set_front(front_with_template(&second));
    // The second fetch, days later, with a changed front page.
    Feedsplit::job(&config).now("2026-01-04T00:00:00Z").run();
    let titles: Vec<String> = titles_in(tmp.path(), "news", "editorial")
        .into_iter()
        .collect();
    assert_eq!(
        titles,
        [
            "Landsholdet vinder efter forlænget spilletid",
            "Rederi bestiller fire nye skibe til Nordsøen",
            "Regionen lukker tre skoler efter sommerferien",
        ],
        "only the articles, from both fetches"
    );
    // The menu and the house links are in no other feed either.
    for class in ["sponsored", "personnel"] {
        assert!(titles_in(tmp.path(), "news", class).is_empty(), "{class}");
    }
}

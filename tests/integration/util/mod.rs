//! Helpers shared by the integration tests: the binary, fixtures and feeds read back, the test
//! HTTP servers (pages that change between runs, slow and hanging hosts, canned answers), the
//! served-process wrapper and its raw client, and configs.

pub use std::collections::{BTreeSet, HashMap, HashSet};
pub use std::io::{Read, Write};
pub use std::net::TcpListener;
pub use std::path::{Path, PathBuf};
pub use std::sync::{Arc, Mutex};

pub use feedsplit::eval::Expected;
pub use predicates::prelude::*;

mod builder;
pub use builder::{ConfigFile, Feedsplit};

pub const NOW: &str = "2026-01-01T00:00:00Z";

pub const BASE: &str = "http://127.0.0.1:8080/feeds/";

pub const CLASSES: [&str; 3] = ["editorial", "sponsored", "personnel"];

pub const FORMATS: [&str; 3] = ["rss", "atom", "json"];

pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/corpus")
}

/// Every labelled page of the corpus, read with the same code `feedsplit eval` uses.
pub fn labelled_fixtures() -> Vec<(PathBuf, Expected)> {
    let pages = feedsplit::eval::labelled_pages(&corpus()).expect("labelled corpus");
    assert!(pages.len() >= 60, "expected at least 60 labelled pages");
    pages
}

/// `convert` of one input into `out` as the feed set `name`, at NOW, served under BASE; its
/// summary line.
pub fn convert(input: &Path, out: &Path, name: &str) -> String {
    let output = Feedsplit::convert(input)
        .now(NOW)
        .args(["--base-url", BASE])
        .name(name)
        .out(out)
        .run();
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Parses one written feed back as a reader would and checks what readers depend on.
pub fn read_feed(path: &Path, self_url: &str) -> feed_rs::model::Feed {
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

pub fn json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("json feed");
    serde_json::from_str(&text).expect("valid json")
}

/// What JSON Feed 1.1 requires of a feed and of every item: the version, a title, a string id
/// and content (`content_html` or `content_text`, not empty), extensions under `_` keys only.
pub fn assert_json_feed_1_1(path: &Path) {
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

/// Serves canned answers on 127.0.0.1: (status line, content type, body) per request.
pub fn serve(answers: Vec<(&'static str, &'static str, Vec<u8>)>) -> String {
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

#[derive(Clone)]
pub struct Resource {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

#[derive(Default)]
pub struct ServerState {
    pub pages: HashMap<String, Resource>,
    /// One-off answers served before the page: (status, Retry-After).
    pub pending: HashMap<String, Vec<(u16, Option<u64>)>>,
    pub log: Vec<(String, u16)>,
}

pub struct TestServer {
    pub base: String,
    pub state: Arc<Mutex<ServerState>>,
}

impl TestServer {
    pub fn start() -> TestServer {
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

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn set(&self, path: &str, content_type: &str, body: impl Into<Vec<u8>>) {
        self.state.lock().expect("state").pages.insert(
            path.to_string(),
            Resource {
                status: 200,
                content_type: content_type.to_string(),
                body: body.into(),
            },
        );
    }

    /// The front page (`/`), as HTML.
    pub fn set_front(&self, html: impl Into<Vec<u8>>) {
        self.set("/", "text/html", html);
    }

    pub fn set_status(&self, path: &str, status: u16) {
        if let Some(r) = self.state.lock().expect("state").pages.get_mut(path) {
            r.status = status;
        }
    }

    pub fn fail_next(&self, path: &str, status: u16, retry_after: Option<u64>) {
        self.state
            .lock()
            .expect("state")
            .pending
            .entry(path.to_string())
            .or_default()
            .push((status, retry_after));
    }

    /// Requests since the last call, robots.txt left out.
    pub fn take_log(&self) -> Vec<(String, u16)> {
        let mut state = self.state.lock().expect("state");
        std::mem::take(&mut state.log)
            .into_iter()
            .filter(|(p, _)| p != "/robots.txt")
            .collect()
    }
}

/// A request up to the end of its head, or `None` if the client went away first.
pub fn read_head(stream: &mut std::net::TcpStream) -> Option<Vec<u8>> {
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

pub fn handle(mut stream: std::net::TcpStream, state: &Arc<Mutex<ServerState>>) {
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

/// A config whose one source, "news", is the test server's front page.
pub fn news_config(server: &TestServer, dir: &Path) -> PathBuf {
    ConfigFile::new()
        .source("news", [server.url("/")])
        .write(dir)
}

/// `news_config` with teasers followed; the test server is on loopback, which followed links
/// may reach only when allowed.
pub fn following(server: &TestServer) -> ConfigFile {
    ConfigFile::new()
        .source("news", [server.url("/")])
        .fetch("follow_teasers = true")
        .fetch("allow_private_addresses = true")
}

/// A config whose one source, "seed", is the seed page's text.
pub fn seed_config(dir: &Path) -> PathBuf {
    ConfigFile::new()
        .source("seed", [corpus().join("seed.txt").display().to_string()])
        .write(dir)
}

pub fn titles_in(dir: &Path, source: &str, class: &str) -> BTreeSet<String> {
    json(&dir.join(format!("out/{source}/{class}.json")))["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["title"].as_str().unwrap_or("").to_string())
        .collect()
}

/// Every file under the output directory but the store, with its bytes and mtime.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>, std::time::SystemTime)> {
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
pub fn article_page(n: usize, sidebar: &str) -> String {
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
pub fn labelled_article_page(n: usize, label: &str) -> String {
    article_page(n, "").replace(
        "<article>",
        &format!("<article><p class=\"kicker\">{label}</p>"),
    )
}

pub const SIDEBAR: &str = "<div class=\"box\"><p class=\"label\">Annonceindlæg fra Trustworks</p>\
    <h3><a href=\"https://news.example.dk/annonceindlaeg/tillid\">Tillid i en Zero-Trust verden</a></h3>\
    <p>Cybersikkerhed er nu en central ledelsesopgave på linje med strategi og økonomi.</p></div>\
    <section><h2>Navnenyt</h2>\
    <p>Norriq Danmark A/S har pr. 1. september 2025 ansat Alexander Bendix som Consultant. Nyt job</p>\
    <p>IT Confidence A/S har pr. 1. oktober 2025 ansat Henrik Thøgersen som it-konsulent. Nyt job</p>\
    </section>";

/// A front page with one teaser, "Historie om skyen", linking to `path` on the test server.
pub fn front_page_linking(server: &TestServer, path: &str) -> String {
    front_page(&[("7/historie-7", "Historie om skyen", false)]).replace(
        "https://news.example.dk/art/7/historie-7",
        &server.url(path),
    )
}

pub fn front_page(teasers: &[(&str, &str, bool)]) -> String {
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

pub struct Served {
    pub child: std::process::Child,
    pub addr: String,
}

impl Served {
    pub fn start(args: &[&str]) -> Served {
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

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// SIGTERM, then the exit status within five seconds.
    pub fn stop(mut self) -> std::process::ExitStatus {
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
pub fn raw_http(addr: &str, request: &str) -> (u16, String, Vec<u8>) {
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

pub fn get(addr: &str, path: &str, extra: &str) -> (u16, String, Vec<u8>) {
    raw_http(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Connection: close\r\n\r\n"),
    )
}

pub fn header_value(head: &str, name: &str) -> String {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}

/// Unread items per feed URL in a newsboat cache.
pub fn newsboat_unread(cache: &Path) -> HashMap<String, i64> {
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
pub fn newsboat_reload(home: &Path, urls: &[String], cache: &str) -> HashMap<String, i64> {
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

/// Markup no feed may pass on: active elements, event handlers, script and data URLs.
pub const HOSTILE_HTML: &str = "<p onclick=\"steal()\">Tekst om sagen.</p>\
    <script>alert(1)</script><img src=\"x.png\" onerror=\"alert(2)\">\
    <a href=\"javascript:alert(3)\">klik</a><a href=\"data:text/html,<script>alert(4)</script>\">data</a>\
    <iframe src=\"https://evil.example/\"></iframe><object data=\"x.swf\"></object>\
    <base href=\"https://evil.example/\"><meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/\">\
    <form action=\"https://evil.example/\"><input name=\"pw\"></form><embed src=\"x.swf\">\
    <svg onload=\"alert(5)\"></svg><style>body{display:none}</style><a href=\"/relativ\">relativ</a>";

/// What a feed reader would treat as active content, looked for in unescaped item text.
pub fn active_content(text: &str) -> Option<&'static str> {
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
pub fn item_bodies(dir: &Path) -> Vec<String> {
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

pub fn hostile_feeds(dir: &Path) -> Vec<PathBuf> {
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

/// Served feeds of one converted page, for the server abuse tests.
pub fn served_feeds(extra: &[&str]) -> (tempfile::TempDir, Served) {
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

/// One request a `SlowServer` answered: its path, and when it arrived and was answered.
pub type Timed = (String, std::time::Instant, std::time::Instant);

/// A server answering each connection on a thread of its own after `latency` (so it would take
/// concurrent requests if a client sent them), logging when each request came and was answered.
/// `/robots.txt` is a 404; every other path is an article page. With `hang`, it never answers.
pub struct SlowServer {
    pub base: String,
    pub log: Arc<Mutex<Vec<Timed>>>,
}

impl SlowServer {
    pub fn start(latency: std::time::Duration, hang: bool) -> SlowServer {
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
                    // Taken before the answer goes out: the client cannot have it earlier.
                    let answered = std::time::Instant::now();
                    let _ = stream.write_all(head.as_bytes());
                    let _ = stream.write_all(body.as_bytes());
                    log.lock().expect("log").push((path, came, answered));
                });
            }
        });
        SlowServer { base, log }
    }

    /// Two hosts (two ports) answering after `latency`.
    pub fn pair(latency: std::time::Duration) -> (SlowServer, SlowServer) {
        (
            SlowServer::start(latency, false),
            SlowServer::start(latency, false),
        )
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn requests(&self) -> Vec<Timed> {
        let mut log = self.log.lock().expect("log").clone();
        log.sort_by_key(|(_, came, _)| *came);
        log
    }
}

/// Whether a tool is installed; on CI a missing tool is a failure (.ci/run installs it).
pub fn have(tool: &str, args: &[&str]) -> bool {
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
pub fn main_job_with_a_failure(tmp: &Path) -> PathBuf {
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
    // The broken source fails the run.
    Feedsplit::job(&config)
        .now(NOW)
        .fails(1, "no-such-page.html");
    tmp.join("feeds")
}

pub fn copy_dir(from: &Path, to: &Path) {
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
pub fn python(script: &str, args: &[impl AsRef<std::ffi::OsStr>]) -> Vec<u8> {
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
pub fn json_items(path: &Path) -> usize {
    json(path)["items"].as_array().map_or(0, Vec::len)
}

//! `feedsplit serve`: a good web server for feed readers, under abuse too.

use crate::util::*;

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
    let config = seed_config(tmp.path());
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
    let out = Feedsplit::job(&config).now(NOW).output();
    assert!(matches!(out.status.code(), Some(0 | 75)));
    assert!(served.stop().success());
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
    Feedsplit::command()
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

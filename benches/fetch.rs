//! A cron run over many sources: loopback hosts (127.0.0.2, 127.0.0.3, …) that each answer
//! after 200 ms, one source per host, with the default politeness (robots.txt first, then
//! `host_delay_ms` = 1000 before the page). Reports, in one run:
//!
//! - 40 sources on 40 hosts at the default concurrency (goal ≤ 3 s);
//! - 400 sources on 400 hosts at `concurrency = 32` (goal ≤ 15 s), and at `concurrency = 1` for
//!   comparison (about three minutes; `FEEDSPLIT_BENCH_QUICK=1` leaves it out);
//! - a run in which nothing changed, over a store of 1,000 items against one of 100,000
//!   (goal: at most 1.2 times the cost).
//!
//! `cargo bench --bench fetch`

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener};
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use feedsplit::config::Config;
use feedsplit::extract::{Block, Item};
use feedsplit::run::{self, RunOptions};
use feedsplit::store::Store;

const LATENCY: Duration = Duration::from_millis(200);

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap_or_default()
}

/// The `i`-th loopback host: 127.0.0.2 … 127.0.0.251, then 127.0.1.2 …
fn host(i: usize) -> Ipv4Addr {
    Ipv4Addr::new(127, 0, (i / 250) as u8, (i % 250 + 2) as u8)
}

fn page(i: usize) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Forside {i}</title></head><body><main>\
         <h1>Forside {i}</h1>\
         <article><h2><a href=\"/nyhed/{i}-1\">Kommunen bygger ny skole i bydel {i}</a></h2></article>\
         <article><h2><a href=\"/nyhed/{i}-2\">Trafikken omlægges ved havnen i uge {i}</a></h2></article>\
         <article><p>Annonce</p><h2><a href=\"/annonce/{i}\">Spar på varmen med en ny varmepumpe</a></h2></article>\
         </main></body></html>"
    )
}

/// Starts one server per host; each connection is answered on its own thread after LATENCY.
/// Returns the source URLs.
fn start_hosts(from: usize, count: usize) -> Vec<String> {
    (from..from + count)
        .filter_map(|i| {
            let listener = TcpListener::bind((host(i), 0)).ok()?;
            let addr = listener.local_addr().ok()?;
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(mut stream) = stream else { continue };
                    std::thread::spawn(move || answer(&mut stream, i));
                }
            });
            Some(format!("http://{addr}/"))
        })
        .collect()
}

fn answer(stream: &mut std::net::TcpStream, i: usize) {
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    std::thread::sleep(LATENCY);
    let robots = request.starts_with(b"GET /robots.txt");
    let (status, body) = if robots {
        ("404 Not Found", String::new())
    } else {
        ("200 OK", page(i))
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
}

fn config(dir: &Path, urls: &[String], fetch: &str) -> Config {
    let mut text = format!("[output]\ndir = \"out\"\n\n[fetch]\n{fetch}\n\n");
    for (i, url) in urls.iter().enumerate() {
        text.push_str(&format!(
            "[[source]]\nname = \"s{i}\"\nurls = [\"{url}\"]\n\n"
        ));
    }
    match Config::parse(&text, &dir.join("feedsplit.toml")) {
        Ok(c) => c,
        Err(e) => panic!("bench config: {e}"),
    }
}

/// Wall time of one run of `config`, with `concurrency` (or the config's).
fn timed_run(config: &Config, concurrency: Option<usize>) -> Duration {
    let options = RunOptions {
        wait: false,
        now: now(),
        concurrency,
        progress: Box::new(|_| {}),
    };
    let start = Instant::now();
    match run::run(config, &options) {
        Ok(reports) => {
            let failed = reports.iter().filter(|r| r.failed()).count();
            if failed > 0 {
                eprintln!("  ({failed} sources failed)");
            }
        }
        Err(e) => eprintln!("  run failed: {e}"),
    }
    start.elapsed()
}

fn fresh_run(urls: &[String], concurrency: Option<usize>) -> Duration {
    let tmp = tempfile::tempdir().expect("tmp");
    timed_run(&config(tmp.path(), urls, ""), concurrency)
}

/// A source reading an unchanged local page, over a store already holding `items` items of it:
/// the median of five runs after the first two (which store the page and its validator).
fn no_change_run(items: usize) -> Duration {
    let tmp = tempfile::tempdir().expect("tmp");
    let page_path = tmp.path().join("page.html");
    std::fs::write(&page_path, page(1)).expect("page");
    let text = format!(
        "[output]\ndir = \"out\"\nretention_days = 36500\n\n[[source]]\nname = \"big\"\nurls = [{:?}]\n",
        page_path.display().to_string()
    );
    let config = match Config::parse(&text, &tmp.path().join("feedsplit.toml")) {
        Ok(c) => c,
        Err(e) => panic!("bench config: {e}"),
    };
    fill_store(&config.store_path(), items);
    timed_run(&config, None);
    timed_run(&config, None);
    let mut times: Vec<Duration> = (0..5).map(|_| timed_run(&config, None)).collect();
    times.sort();
    times[2]
}

/// `count` stored items of the source "big", dated over the last few years.
fn fill_store(path: &Path, count: usize) {
    let mut store = Store::open(path).expect("store");
    let tx = store.begin("big", now()).expect("begin");
    let model = feedsplit::classify::Model::builtin();
    for n in 0..count {
        let published = now() - chrono::Duration::minutes(n as i64 * 10);
        let item = Item {
            id: format!("https://news.example.dk/arkiv/{n}"),
            title: format!("Arkivhistorie nummer {n}"),
            link: Some(format!("https://news.example.dk/arkiv/{n}")),
            summary: Some(format!("Ledetekst til arkivhistorie {n}.")),
            content_html: None,
            published: Some(published),
            author: None,
            sponsor: None,
            personnel: None,
            block: Block::Teaser,
            evidence: Vec::new(),
            category: None,
            shape: None,
        };
        tx.upsert(&item, &model).expect("upsert");
    }
    tx.commit().expect("commit");
}

fn main() {
    let quick = std::env::var_os("FEEDSPLIT_BENCH_QUICK").is_some();
    let forty = start_hosts(0, 40);
    let four_hundred = start_hosts(40, 400);
    if forty.len() < 40 || four_hundred.len() < 400 {
        println!("skipped: cannot bind the loopback addresses 127.0.0.2 and up");
        return;
    }
    println!(
        "cron run over loopback hosts answering after {LATENCY:?} (robots.txt, 1 s host delay, page)"
    );
    let t = fresh_run(&forty, None);
    println!(
        "  40 sources on 40 hosts, default concurrency (16): {:>7.2} s  (goal <= 3)",
        t.as_secs_f64()
    );
    let t = fresh_run(&four_hundred, Some(32));
    println!(
        "  400 sources on 400 hosts, concurrency 32:         {:>7.2} s  (goal <= 15)",
        t.as_secs_f64()
    );
    if quick {
        println!(
            "  400 sources on 400 hosts, concurrency 1:          left out (FEEDSPLIT_BENCH_QUICK)"
        );
    } else {
        let t = fresh_run(&four_hundred, Some(1));
        println!(
            "  400 sources on 400 hosts, concurrency 1:          {:>7.2} s",
            t.as_secs_f64()
        );
    }
    let small = no_change_run(1_000);
    let large = no_change_run(100_000);
    println!("no-change run, one source");
    println!(
        "  store of 1,000 items:                             {:>7.1} ms",
        small.as_secs_f64() * 1e3
    );
    println!(
        "  store of 100,000 items:                           {:>7.1} ms",
        large.as_secs_f64() * 1e3
    );
    println!(
        "  ratio:                                            {:>7.2} x  (goal <= 1.2)",
        large.as_secs_f64() / small.as_secs_f64()
    );
}

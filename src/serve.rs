//! Step 6: serve the feed files to readers: content types, ETag and Last-Modified with 304s,
//! gzip, HEAD; only files inside the feeds directory; optionally regenerating on a schedule.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};
use tiny_http::{Header, Method, Request, Response, Server};

use crate::config::Config;
use crate::run::{RunError, RunOptions};

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("{addr}: cannot listen: {message}")]
    Bind { addr: String, message: String },
    #[error("{dir}: not a directory of feeds: {source}")]
    Dir { dir: String, source: std::io::Error },
    #[error("cannot install the Ctrl-C/SIGTERM handler: {0}")]
    Signal(String),
}

/// Regeneration inside the server process, for users without cron.
pub struct Schedule {
    pub config: Config,
    pub every: Duration,
}

pub struct ServeOptions {
    pub dir: PathBuf,
    pub addr: String,
    pub threads: usize,
    pub schedule: Option<Schedule>,
}

/// Files a reader may fetch, by extension, with their content types. Anything else (the item
/// store, the lock file) is never served.
fn content_type(path: &Path) -> Option<&'static str> {
    match path.extension()?.to_str()? {
        "rss" => Some("application/rss+xml; charset=utf-8"),
        "atom" => Some("application/atom+xml; charset=utf-8"),
        "json" => Some("application/feed+json; charset=utf-8"),
        "opml" => Some("text/x-opml; charset=utf-8"),
        "html" => Some("text/html; charset=utf-8"),
        _ => None,
    }
}

/// Serves until Ctrl-C or SIGTERM. `ready` is told the bound address once requests are taken.
pub fn serve(options: ServeOptions, ready: impl FnOnce(&str)) -> Result<(), ServeError> {
    let root = options
        .dir
        .canonicalize()
        .map_err(|source| ServeError::Dir {
            dir: options.dir.display().to_string(),
            source,
        })?;
    let server = Server::http(&options.addr).map_err(|e| ServeError::Bind {
        addr: options.addr.clone(),
        message: e.to_string(),
    })?;
    let server = Arc::new(server);
    let stop = Arc::new(AtomicBool::new(false));
    let threads = options.threads.max(1);
    {
        let server = Arc::clone(&server);
        let stop = Arc::clone(&stop);
        ctrlc::set_handler(move || {
            stop.store(true, Ordering::SeqCst);
            for _ in 0..threads {
                server.unblock();
            }
        })
        .map_err(|e| ServeError::Signal(e.to_string()))?;
    }
    let scheduler = options.schedule.map(|schedule| {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || regenerate(schedule, &stop))
    });
    let addr = server.server_addr().to_string();
    ready(&addr);
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let server = Arc::clone(&server);
            let stop = Arc::clone(&stop);
            let root = root.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match server.recv() {
                        Ok(request) => answer(request, &root),
                        Err(_) => break,
                    }
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
    if let Some(s) = scheduler {
        let _ = s.join();
    }
    Ok(())
}

/// Runs the config now and then every `every`, under the same lock as `feedsplit run`; a tick
/// that finds the lock taken is skipped.
fn regenerate(schedule: Schedule, stop: &AtomicBool) {
    loop {
        let options = RunOptions {
            wait: false,
            now: chrono::Utc::now().fixed_offset(),
            progress: Box::new(|_| {}),
        };
        match crate::run::run(&schedule.config, &options) {
            Ok(reports) => reports.iter().for_each(|r| r.print(false, false)),
            Err(RunError::Locked(p)) => eprintln!("skipped a regeneration: {p} is locked"),
            Err(e) => eprintln!("regeneration failed: {e}"),
        }
        let start = std::time::Instant::now();
        while start.elapsed() < schedule.every {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn request_header<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request
        .headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

fn status(request: Request, code: u16) {
    let _ = request.respond(Response::from_string("").with_status_code(code));
}

fn answer(request: Request, root: &Path) {
    if !matches!(request.method(), Method::Get | Method::Head) {
        let allow = header("Allow", "GET, HEAD");
        let response = Response::from_string("").with_status_code(405);
        let _ = request.respond(match allow {
            Some(h) => response.with_header(h),
            None => response,
        });
        return;
    }
    let Some(path) = resolve(root, request.url()) else {
        return status(request, 404);
    };
    let Some(ctype) = content_type(&path) else {
        return status(request, 404);
    };
    // Files are replaced by rename, so a read sees a whole old or a whole new file.
    let (Ok(bytes), Ok(meta)) = (std::fs::read(&path), std::fs::metadata(&path)) else {
        return status(request, 404);
    };
    let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    let digest = Sha256::digest(&bytes);
    let tag: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    let gzip = request_header(&request, "accept-encoding").is_some_and(accepts_gzip);
    let etag = if gzip {
        format!("\"{tag}-gz\"")
    } else {
        format!("\"{tag}\"")
    };
    let last_modified = httpdate::fmt_http_date(modified);
    // HTTP dates have whole seconds: a file rewritten within the second a client last fetched
    // it would look unchanged. A file that fresh gets no Last-Modified and its If-Modified-Since
    // is ignored; the content-hash ETag still validates it exactly.
    let settled = SystemTime::now()
        .duration_since(modified)
        .is_ok_and(|age| age >= Duration::from_secs(2));
    let not_modified = match request_header(&request, "if-none-match") {
        Some(inm) => inm.split(',').map(str::trim).any(|t| {
            t == "*"
                || t.trim_start_matches("W/") == etag
                || t.trim_start_matches("W/") == format!("\"{tag}\"")
        }),
        None if !settled => false,
        None => request_header(&request, "if-modified-since")
            .and_then(|v| httpdate::parse_http_date(v).ok())
            .is_some_and(|since| unix_secs(modified) <= unix_secs(since)),
    };
    let mut headers: Vec<Header> = [
        header("ETag", &etag),
        settled
            .then(|| header("Last-Modified", &last_modified))
            .flatten(),
        header("Cache-Control", "public, max-age=60"),
        header("Vary", "Accept-Encoding"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if not_modified {
        return respond(request, Response::empty(304), headers);
    }
    headers.extend(header("Content-Type", ctype));
    let body = if gzip {
        headers.extend(header("Content-Encoding", "gzip"));
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        match enc.write_all(&bytes).and_then(|()| enc.finish()) {
            Ok(b) => b,
            Err(_) => return status(request, 500),
        }
    } else {
        bytes
    };
    respond(request, Response::from_data(body), headers);
}

fn respond<R: std::io::Read>(request: Request, mut response: Response<R>, headers: Vec<Header>) {
    for h in headers {
        response.add_header(h);
    }
    let _ = request.respond(response);
}

/// Whole seconds since the epoch: HTTP dates carry no more.
fn unix_secs(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn accepts_gzip(value: &str) -> bool {
    value.split(',').any(|part| {
        let mut it = part.split(';');
        let coding = it.next().unwrap_or("").trim();
        let refused = it.any(|p| {
            p.trim()
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q == 0.0)
        });
        (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
    })
}

/// Maps a request target to a file inside `root`, or `None`: traversal (plain or
/// percent-encoded), hidden files, absolute or odd paths, and symlinks leading out all fail.
fn resolve(root: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    let rel = decoded.strip_prefix('/')?;
    let rel = if rel.is_empty() { "index.html" } else { rel };
    let mut out = root.to_path_buf();
    for segment in rel.split('/') {
        let bad =
            segment.is_empty() || segment.starts_with('.') || segment.contains(['\\', '\0', ':']);
        if bad {
            return None;
        }
        out.push(segment);
    }
    let real = out.canonicalize().ok()?;
    (real.starts_with(root) && real.is_file()).then_some(real)
}

/// The longest `--every`: a year (longer ones overflow timers or are typos).
const MAX_INTERVAL_SECS: u64 = 366 * 86_400;

/// Parses `15m`, `30s`, `2h` or a number of seconds.
pub fn parse_interval(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = num
        .parse()
        .map_err(|_| format!("{text:?}: expected e.g. 15m, 30s or 1h"))?;
    let unit_secs: u64 = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => return Err(format!("{text:?}: expected e.g. 15m, 30s or 1h")),
    };
    let secs = n
        .checked_mul(unit_secs)
        .filter(|&s| s <= MAX_INTERVAL_SECS)
        .ok_or_else(|| format!("{text:?}: longer than a year"))?;
    if secs == 0 {
        return Err(format!("{text:?}: the interval must be positive"));
    }
    Ok(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_only_inside_the_root() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path().canonicalize().expect("canon");
        std::fs::create_dir_all(root.join("cw")).expect("dir");
        std::fs::write(root.join("cw/editorial.rss"), "x").expect("write");
        std::fs::write(root.join("index.html"), "x").expect("write");
        assert_eq!(
            resolve(&root, "/cw/editorial.rss"),
            Some(root.join("cw/editorial.rss"))
        );
        assert_eq!(resolve(&root, "/"), Some(root.join("index.html")));
        assert_eq!(
            resolve(&root, "/cw/editorial.rss?x=1"),
            Some(root.join("cw/editorial.rss"))
        );
        for bad in [
            "/../etc/passwd",
            "/cw/../../x",
            "/%2e%2e/x",
            "/cw%2f..%2f..%2fx",
            "//etc/passwd",
            "/cw/",
            "/cw",
            "/.feedsplit.lock",
            "cw/editorial.rss",
        ] {
            assert_eq!(resolve(&root, bad), None, "{bad}");
        }
        #[cfg(unix)]
        {
            let outside = tempfile::tempdir().expect("tmp");
            std::fs::write(outside.path().join("secret.rss"), "s").expect("write");
            std::os::unix::fs::symlink(outside.path().join("secret.rss"), root.join("cw/link.rss"))
                .expect("symlink");
            assert_eq!(resolve(&root, "/cw/link.rss"), None);
        }
    }

    #[test]
    fn parses_intervals_and_gzip() {
        assert_eq!(parse_interval("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_interval("90"), Ok(Duration::from_secs(90)));
        assert!(parse_interval("0s").is_err() && parse_interval("soon").is_err());
        assert!(parse_interval("99999999999999999h").is_err());
        assert!(parse_interval("400d").is_err() && parse_interval("9000h").is_err());
        assert!(accepts_gzip("gzip, deflate, br"));
        assert!(!accepts_gzip("gzip;q=0, identity"));
        assert!(!accepts_gzip("br"));
    }
}

//! Step 6: serve the feed files to readers: content types, ETag and Last-Modified with 304s,
//! gzip, HEAD; only files inside the feeds directory; optionally regenerating on a schedule.

use std::convert::Infallible;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt as _;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio_io_timeout::TimeoutStream;

use crate::config::Config;
use crate::run::{RunError, RunOptions};
use crate::write::Format;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("{addr}: cannot listen: {message}")]
    Bind { addr: String, message: String },
    #[error("{dir}: not a directory of feeds: {source}")]
    Dir { dir: String, source: std::io::Error },
    #[error("cannot install the Ctrl-C/SIGTERM handler: {0}")]
    Signal(String),
    #[error("cannot start the server's runtime: {0}")]
    Runtime(std::io::Error),
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
    /// Open connections at most; one more is answered 503 and closed.
    pub max_connections: usize,
    pub schedule: Option<Schedule>,
}

/// A connection that sends nothing, or reads nothing we send, for this long is closed.
const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// Files a reader may fetch, by extension, with their content types. Anything else (the item
/// store, the lock file) is never served.
fn content_type(path: &Path) -> Option<String> {
    let extension = path.extension()?.to_str()?;
    let mime = match Format::ALL.into_iter().find(|f| f.extension() == extension) {
        Some(format) => format.content_type(),
        None => match extension {
            "opml" => "text/x-opml",
            "html" => "text/html",
            _ => return None,
        },
    };
    Some(format!("{mime}; charset=utf-8"))
}

/// Serves until Ctrl-C or SIGTERM. `ready` is told the bound address once requests are taken.
///
/// Connections are tasks on a small async runtime, not threads, so thousands of idle sockets
/// cost memory, not workers; each has read and write timeouts, and past `max_connections` a new
/// one gets a 503 at once.
pub fn serve(options: ServeOptions, ready: impl FnOnce(&str)) -> Result<(), ServeError> {
    let root = options
        .dir
        .canonicalize()
        .map_err(|source| ServeError::Dir {
            dir: options.dir.display().to_string(),
            source,
        })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(options.threads.max(1))
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    let bind_error = |e: std::io::Error| ServeError::Bind {
        addr: options.addr.clone(),
        message: e.to_string(),
    };
    let listener = runtime
        .block_on(TcpListener::bind(&options.addr))
        .map_err(bind_error)?;
    let addr = listener.local_addr().map_err(bind_error)?.to_string();
    let stop = Arc::new(AtomicBool::new(false));
    let (stop_tx, stop_rx) = watch::channel(false);
    {
        let stop = Arc::clone(&stop);
        ctrlc::set_handler(move || {
            stop.store(true, Ordering::SeqCst);
            let _ = stop_tx.send(true);
        })
        .map_err(|e| ServeError::Signal(e.to_string()))?;
    }
    let scheduler = options.schedule.map(|schedule| {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || regenerate(schedule, &stop))
    });
    ready(&addr);
    let limit = Arc::new(Semaphore::new(options.max_connections.max(1)));
    runtime.block_on(accept(listener, Arc::new(root), limit, stop_rx));
    // In-flight answers are small files; they are not waited for.
    runtime.shutdown_timeout(Duration::from_secs(1));
    if let Some(s) = scheduler {
        let _ = s.join();
    }
    Ok(())
}

async fn accept(
    listener: TcpListener,
    root: Arc<PathBuf>,
    limit: Arc<Semaphore>,
    mut stop: watch::Receiver<bool>,
) {
    let mut warned = false;
    loop {
        let accepted = tokio::select! {
            _ = stop.changed() => return,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors, say: the listener stays, and tries again shortly.
                if !warned {
                    eprintln!("serve: cannot accept a connection: {e}");
                    warned = true;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        warned = false;
        match Arc::clone(&limit).try_acquire_owned() {
            Ok(permit) => {
                let root = Arc::clone(&root);
                tokio::spawn(async move {
                    connection(stream, root).await;
                    drop(permit);
                });
            }
            Err(_) => {
                tokio::spawn(refuse(stream));
            }
        }
    }
}

/// One client connection: HTTP/1.1 with keep-alive and pipelining, closed when it stalls.
async fn connection(stream: TcpStream, root: Arc<PathBuf>) {
    let _ = stream.set_nodelay(true);
    let mut timed = TimeoutStream::new(stream);
    timed.set_read_timeout(Some(IO_TIMEOUT));
    timed.set_write_timeout(Some(IO_TIMEOUT));
    let io = TokioIo::new(Box::pin(timed));
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let root = Arc::clone(&root);
        async move { Ok::<_, Infallible>(answer(&request, &root)) }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(IO_TIMEOUT)
        .serve_connection(io, service)
        .await;
}

/// The answer past the connection limit: a clear 503, then close.
async fn refuse(mut stream: TcpStream) {
    let answer = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n\
        Content-Length: 0\r\nConnection: close\r\n\r\n";
    let _ = tokio::time::timeout(Duration::from_secs(1), stream.write_all(answer)).await;
}

/// Runs the config now and then every `every`, under the same lock as `feedsplit run`; a tick
/// that finds the lock taken is skipped.
fn regenerate(schedule: Schedule, stop: &AtomicBool) {
    loop {
        // "Now" as `feedsplit run` takes it, SOURCE_DATE_EPOCH included.
        match crate::pipeline::now(None) {
            Err(e) => eprintln!("regeneration skipped: {e}"),
            Ok(now) => {
                let options = RunOptions {
                    wait: false,
                    now,
                    concurrency: None,
                    progress: Box::new(|_| {}),
                };
                match crate::run::run(&schedule.config, &options) {
                    Ok(reports) => reports
                        .iter()
                        .for_each(|r| crate::report::print_source(r, false, false)),
                    Err(RunError::Locked(p)) => {
                        eprintln!("skipped a regeneration: {p} is locked")
                    }
                    Err(e) => eprintln!("regeneration failed: {e}"),
                }
            }
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

fn status(code: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = code;
    response
}

fn set_header(headers: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        headers.insert(name, v);
    }
}

fn request_header<'r>(headers: &'r HeaderMap, name: &str) -> Option<&'r str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn answer<B>(request: &Request<B>, root: &Path) -> Response<Full<Bytes>> {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        let mut response = status(StatusCode::METHOD_NOT_ALLOWED);
        response
            .headers_mut()
            .insert("allow", HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    // The path alone: an absolute-form target (`GET http://host/x`) names the same file.
    let Some(path) = resolve(root, request.uri().path()) else {
        return status(StatusCode::NOT_FOUND);
    };
    let Some(ctype) = content_type(&path) else {
        return status(StatusCode::NOT_FOUND);
    };
    // Files are replaced by rename, so a read sees a whole old or a whole new file.
    let (Ok(bytes), Ok(meta)) = (std::fs::read(&path), std::fs::metadata(&path)) else {
        return status(StatusCode::NOT_FOUND);
    };
    let headers = request.headers();
    let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    let digest = Sha256::digest(&bytes);
    let tag: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    let gzip = request_header(headers, "accept-encoding").is_some_and(accepts_gzip);
    let etag = if gzip {
        format!("\"{tag}-gz\"")
    } else {
        format!("\"{tag}\"")
    };
    let now = SystemTime::now();
    // HTTP dates have whole seconds: a file rewritten within the second a client last fetched
    // it would look unchanged. A file that fresh gets no Last-Modified and its If-Modified-Since
    // is ignored; the content-hash ETag still validates it exactly.
    let settled = now
        .duration_since(modified)
        .is_ok_and(|age| age >= Duration::from_secs(2));
    let not_modified = match request_header(headers, "if-none-match") {
        Some(inm) => inm.split(',').map(str::trim).any(|t| {
            t == "*"
                || t.trim_start_matches("W/") == etag
                || t.trim_start_matches("W/") == format!("\"{tag}\"")
        }),
        None if !settled => false,
        // A date in the future is no date the client got from us.
        None => request_header(headers, "if-modified-since")
            .and_then(|v| httpdate::parse_http_date(v).ok())
            .filter(|&since| since <= now)
            .is_some_and(|since| unix_secs(modified) <= unix_secs(since)),
    };
    let mut response = status(StatusCode::OK);
    let out = response.headers_mut();
    set_header(out, "etag", &etag);
    if settled {
        set_header(out, "last-modified", &httpdate::fmt_http_date(modified));
    }
    set_header(out, "cache-control", "public, max-age=60");
    set_header(out, "vary", "Accept-Encoding");
    if not_modified {
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        return response;
    }
    set_header(out, "content-type", &ctype);
    let body = if gzip {
        set_header(out, "content-encoding", "gzip");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        match enc.write_all(&bytes).and_then(|()| enc.finish()) {
            Ok(b) => b,
            Err(_) => return status(StatusCode::INTERNAL_SERVER_ERROR),
        }
    } else {
        bytes
    };
    *response.body_mut() = Full::new(Bytes::from(body));
    response
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

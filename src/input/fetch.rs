//! HTTP fetching with conditional GET, redirect and size limits, and an address policy for the
//! URLs the program chooses to fetch on its own.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use ureq::ResponseExt;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

#[derive(Debug, Clone)]
pub struct FetchOptions {
    pub user_agent: String,
    pub timeout: Duration,
    pub max_bytes: u64,
    pub max_redirects: u32,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            user_agent: concat!("feedsplit/", env!("CARGO_PKG_VERSION")).to_string(),
            timeout: Duration::from_secs(30),
            max_bytes: 10 * 1024 * 1024,
            max_redirects: 5,
        }
    }
}

/// Validators from an earlier fetch of the same URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Fetched {
    pub final_url: url::Url,
    pub status: u16,
    /// `None` on 304 Not Modified.
    pub body: Option<Vec<u8>>,
    pub content_type: Option<String>,
    pub validators: Validators,
    /// Seconds a 429/503 asked us to wait.
    pub retry_after: Option<u64>,
}

/// Which addresses a fetch may connect to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressPolicy {
    /// Any address: the operator chose the URL (a config source, a command-line input).
    Any,
    /// Public addresses only: the URL came from a page (a followed teaser, a feed item's link),
    /// so a page author must not make us read the operator's own network.
    PublicOnly,
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: not a valid URL: {message}")]
    BadUrl { url: String, message: String },
    #[error("{url}: refused: {message}")]
    Refused { url: String, message: String },
    #[error("{url}: fetch failed: {message}")]
    Transport { url: String, message: String },
    #[error("{url}: disallowed by robots.txt")]
    Disallowed { url: String },
    #[error("{url}: server answered HTTP {status}")]
    Status {
        url: String,
        status: u16,
        retry_after: Option<u64>,
    },
}

fn parse_url(url: &str) -> Result<url::Url, FetchError> {
    url::Url::parse(url).map_err(|e| FetchError::BadUrl {
        url: url.to_string(),
        message: e.to_string(),
    })
}

/// Whether an address is on the public internet: not loopback, private, link-local, unique-local,
/// shared (CGNAT), multicast, reserved or unspecified, also when wrapped in an IPv6 form.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let seg = v6.segments();
            // Local-use NAT64 (64:ff9b:1::/48) reaches whatever the operator maps it to.
            if seg[0] == 0x64 && seg[1] == 0xff9b && seg[2] == 1 {
                return false;
            }
            // NAT64 (64:ff9b::/96) and IPv4-translated (::ffff:0:a.b.c.d) carry an IPv4
            // address in their last 32 bits.
            let translated = seg[..4] == [0; 4] && seg[4] == 0xffff && seg[5] == 0;
            if (seg[0] == 0x64 && seg[1] == 0xff9b && seg[2..6] == [0; 4]) || translated {
                let [a, b] = seg[6].to_be_bytes();
                let [c, d] = seg[7].to_be_bytes();
                return is_public_v4(Ipv4Addr::new(a, b, c, d));
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (seg[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (seg[0] & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated)
                || v6 == Ipv6Addr::from_bits(1) // ::1 written another way
                || seg[..6] == [0; 6]) // IPv4-compatible ::a.b.c.d
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space 100.64/10
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking 198.18/15
        || a >= 240) // reserved
}

/// The system resolver, keeping public addresses only. ureq connects to what the resolver
/// returns, for the first request and every redirect, so the address checked is the address
/// connected to and DNS rebinding cannot slip a private one in between.
#[derive(Debug, Default)]
struct PublicOnlyResolver(DefaultResolver);

/// Why a page-chosen URL was not fetched.
#[derive(Debug, thiserror::Error)]
#[error(
    "{host} resolves to {addr}, which is not a public address (set [fetch] allow_private_addresses = true to allow it)"
)]
struct PrivateAddress {
    host: String,
    addr: IpAddr,
}

impl Resolver for PublicOnlyResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let all = self.0.resolve(uri, config, timeout)?;
        let mut public = all.clone();
        public.truncate(0);
        for addr in all.iter().filter(|a| is_public(a.ip())) {
            public.push(*addr);
        }
        match all.first() {
            Some(first) if public.is_empty() => Err(ureq::Error::Other(Box::new(PrivateAddress {
                host: uri.host().unwrap_or_default().to_string(),
                addr: first.ip(),
            }))),
            _ => Ok(public),
        }
    }
}

/// GETs a URL; with validators, a conditional GET whose 304 comes back as `body: None`.
/// Only http(s); with `AddressPolicy::PublicOnly`, only public addresses, redirects included.
pub fn fetch(
    url: &str,
    options: &FetchOptions,
    validators: Option<&Validators>,
    policy: AddressPolicy,
) -> Result<Fetched, FetchError> {
    let parsed = parse_url(url)?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(FetchError::Refused {
            url: url.to_string(),
            message: format!("only http and https are fetched, not {}:", parsed.scheme()),
        });
    }
    let agent = agent(options, policy);
    let mut request = agent.get(url);
    if let Some(v) = validators {
        if let Some(etag) = &v.etag {
            request = request.header("If-None-Match", etag);
        }
        if let Some(lm) = &v.last_modified {
            request = request.header("If-Modified-Since", lm);
        }
    }
    let transport = |e| transport_error(url, e);
    let mut response = request.call().map_err(transport)?;
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let retry_after = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok());
    let content_type = header("content-type");
    let got = Validators {
        etag: header("etag"),
        last_modified: header("last-modified"),
    };
    let final_url = url::Url::parse(&response.get_uri().to_string()).unwrap_or(parsed);
    // A 304 answers a conditional request only; to a first fetch it is a broken server, and
    // taking it as "unchanged" would publish empty feeds.
    let conditional = validators.is_some_and(|v| v.etag.is_some() || v.last_modified.is_some());
    if status == 304 && conditional {
        return Ok(Fetched {
            final_url,
            status,
            body: None,
            content_type,
            validators: validators.cloned().unwrap_or(got),
            retry_after,
        });
    }
    if !(200..300).contains(&status) {
        return Err(FetchError::Status {
            url: url.to_string(),
            status,
            retry_after,
        });
    }
    let body = response
        .body_mut()
        .with_config()
        .limit(options.max_bytes)
        .read_to_vec()
        .map_err(transport)?;
    Ok(Fetched {
        final_url,
        status,
        body: Some(body),
        content_type,
        validators: got,
        retry_after,
    })
}

/// A failed request as a fetch error: a refused private address, or a transport failure.
fn transport_error(url: &str, e: ureq::Error) -> FetchError {
    match e {
        ureq::Error::Other(inner) if inner.is::<PrivateAddress>() => FetchError::Refused {
            url: url.to_string(),
            message: inner.to_string(),
        },
        e => FetchError::Transport {
            url: url.to_string(),
            message: e.to_string(),
        },
    }
}

/// A client for one request: no status as an error, the options' limits, and under
/// `AddressPolicy::PublicOnly` the resolver that keeps public addresses only.
fn agent(options: &FetchOptions, policy: AddressPolicy) -> ureq::Agent {
    let config = || {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(options.timeout))
            .max_redirects(options.max_redirects)
            .user_agent(options.user_agent.as_str())
    };
    match policy {
        AddressPolicy::Any => ureq::Agent::new_with_config(config().build()),
        // No proxy from the environment: through a proxy the resolver would only ever see the
        // proxy's address, and the check would be void.
        AddressPolicy::PublicOnly => ureq::Agent::with_parts(
            config().proxy(None).build(),
            DefaultConnector::default(),
            PublicOnlyResolver::default(),
        ),
    }
}

/// How a run treats each host.
#[derive(Debug, Clone)]
pub struct Politeness {
    /// The pause between the end of one request to a host and the start of the next.
    pub host_delay: Duration,
    /// Retries of a transport error or a 429/503.
    pub retries: u32,
    /// A longer Retry-After than this is not waited out.
    pub max_retry_after: Duration,
    /// Whether robots.txt is fetched and obeyed.
    pub robots: bool,
}

/// A polite client for a run, shared by its workers: one request at a time per host with a
/// pause between them, robots.txt fetched once per host and obeyed, Retry-After honoured on
/// 429/503, transport errors retried with back-off. Requests to different hosts run at once.
pub struct Fetcher {
    pub options: FetchOptions,
    pub politeness: Politeness,
    hosts: Mutex<HashMap<String, Arc<Mutex<Host>>>>,
    /// Requests in flight at once, across hosts (waiting for a host's turn takes none).
    slots: Slots,
}

/// A counting semaphore: at most `n` holders at once.
struct Slots {
    free: Mutex<usize>,
    freed: Condvar,
}

struct Slot<'s>(&'s Slots);

impl Slots {
    fn new(n: usize) -> Self {
        Slots {
            free: Mutex::new(n.max(1)),
            freed: Condvar::new(),
        }
    }

    fn take(&self) -> Slot<'_> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(|e| e.into_inner());
        }
        *free -= 1;
        Slot(self)
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.0.freed.notify_one();
    }
}

/// What a run knows of one host (origin). Its lock is held for the whole of a request, retries
/// included, so a host never sees two requests at once.
#[derive(Default)]
struct Host {
    /// When the host last answered (or failed to).
    last_request: Option<Instant>,
    /// `None` until fetched; then the parsed file, or `None` inside for "allows all".
    robots: Option<Option<texting_robots::Robot>>,
}

impl Fetcher {
    /// `concurrency`: requests in flight at once, across hosts.
    pub fn new(options: FetchOptions, politeness: Politeness, concurrency: usize) -> Self {
        Fetcher {
            options,
            politeness,
            hosts: Mutex::default(),
            slots: Slots::new(concurrency),
        }
    }

    /// One request, holding one of the run's slots while it is in flight.
    fn request(
        &self,
        url: &str,
        validators: Option<&Validators>,
        policy: AddressPolicy,
    ) -> Result<Fetched, FetchError> {
        let _slot = self.slots.take();
        fetch(url, &self.options, validators, policy)
    }

    fn host(&self, origin: &str) -> Arc<Mutex<Host>> {
        // A poisoned map only means another worker panicked; its entries are still sound.
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        hosts.entry(origin.to_string()).or_default().clone()
    }

    /// A conditional GET of `url`, after checking robots.txt and waiting for the host's turn.
    pub fn get(
        &self,
        url: &str,
        validators: Option<&Validators>,
        policy: AddressPolicy,
    ) -> Result<Fetched, FetchError> {
        let parsed = parse_url(url)?;
        let origin = parsed.origin().ascii_serialization();
        let host = self.host(&origin);
        let mut host = host.lock().unwrap_or_else(|e| e.into_inner());
        if self.politeness.robots && !self.allowed(&mut host, &parsed, &origin, policy) {
            return Err(FetchError::Disallowed {
                url: url.to_string(),
            });
        }
        let mut attempt = 0;
        loop {
            self.wait_turn(&host);
            let result = self.request(url, validators, policy);
            host.last_request = Some(Instant::now());
            let wait = match &result {
                Err(FetchError::Status {
                    status: 429 | 503,
                    retry_after,
                    ..
                }) => Some(Duration::from_secs(retry_after.unwrap_or(1 << attempt))),
                Err(FetchError::Transport { .. }) => Some(Duration::from_secs(1 << attempt)),
                _ => None,
            };
            match wait {
                Some(w)
                    if attempt < self.politeness.retries
                        && w <= self.politeness.max_retry_after =>
                {
                    attempt += 1;
                    std::thread::sleep(w);
                }
                _ => return result,
            }
        }
    }

    /// Waits until `host_delay` has passed since the host's last answer.
    fn wait_turn(&self, host: &Host) {
        if let Some(last) = host.last_request {
            let since = last.elapsed();
            if since < self.politeness.host_delay {
                std::thread::sleep(self.politeness.host_delay - since);
            }
        }
    }

    /// robots.txt, fetched once per host and run; a missing or unreadable file allows all.
    fn allowed(
        &self,
        host: &mut Host,
        url: &url::Url,
        origin: &str,
        policy: AddressPolicy,
    ) -> bool {
        if host.robots.is_none() {
            self.wait_turn(host);
            let robots_url = format!("{origin}/robots.txt");
            let answer = self.request(&robots_url, None, policy);
            host.last_request = Some(Instant::now());
            let robot = answer.ok().and_then(|f| f.body).and_then(|body| {
                let agent = self
                    .options
                    .user_agent
                    .split('/')
                    .next()
                    .unwrap_or("feedsplit")
                    .to_string();
                texting_robots::Robot::new(&agent, &body).ok()
            });
            host.robots = Some(robot);
        }
        match &host.robots {
            Some(Some(robot)) => robot.allowed(url.as_str()),
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12::1",
            "::ffff:127.0.0.1",
            "::ffff:0:10.0.0.1",
            "64:ff9b::a00:1",
            "64:ff9b:1::1",
            "::127.0.0.1",
        ] {
            let ip: IpAddr = private.parse().expect(private);
            assert!(!is_public(ip), "{private}");
        }
        for public in [
            "93.184.216.34",
            "2606:2800:220:1:248:1893:25c8:1946",
            "::ffff:93.184.216.34",
        ] {
            let ip: IpAddr = public.parse().expect(public);
            assert!(is_public(ip), "{public}");
        }
    }
}

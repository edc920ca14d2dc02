//! HTTP fetching with conditional GET, redirect and size limits.

use std::time::Duration;

use ureq::ResponseExt;

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

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: not a valid URL: {message}")]
    BadUrl { url: String, message: String },
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

/// GETs a URL; with validators, a conditional GET whose 304 comes back as `body: None`.
pub fn fetch(
    url: &str,
    options: &FetchOptions,
    validators: Option<&Validators>,
) -> Result<Fetched, FetchError> {
    let parsed = parse_url(url)?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(options.timeout))
        .max_redirects(options.max_redirects)
        .user_agent(options.user_agent.as_str())
        .build()
        .into();
    let mut request = agent.get(url);
    if let Some(v) = validators {
        if let Some(etag) = &v.etag {
            request = request.header("If-None-Match", etag);
        }
        if let Some(lm) = &v.last_modified {
            request = request.header("If-Modified-Since", lm);
        }
    }
    let transport = |e: ureq::Error| FetchError::Transport {
        url: url.to_string(),
        message: e.to_string(),
    };
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
    if status == 304 {
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

/// A polite client for a run: one request at a time per host with a pause between them,
/// robots.txt obeyed, Retry-After honoured on 429/503, transport errors retried with back-off.
pub struct Fetcher {
    pub options: FetchOptions,
    pub host_delay: Duration,
    pub retries: u32,
    pub max_retry_after: Duration,
    pub robots: bool,
    last_request: std::collections::HashMap<String, std::time::Instant>,
    robots_cache: std::collections::HashMap<String, Option<texting_robots::Robot>>,
}

impl Fetcher {
    pub fn new(
        options: FetchOptions,
        host_delay: Duration,
        retries: u32,
        max_retry_after: Duration,
        robots: bool,
    ) -> Self {
        Fetcher {
            options,
            host_delay,
            retries,
            max_retry_after,
            robots,
            last_request: Default::default(),
            robots_cache: Default::default(),
        }
    }

    /// A conditional GET of `url`, after checking robots.txt and waiting for the host's turn.
    pub fn get(
        &mut self,
        url: &str,
        validators: Option<&Validators>,
    ) -> Result<Fetched, FetchError> {
        let parsed = parse_url(url)?;
        let origin = parsed.origin().ascii_serialization();
        if self.robots && !self.allowed(&parsed, &origin) {
            return Err(FetchError::Disallowed {
                url: url.to_string(),
            });
        }
        let mut attempt = 0;
        loop {
            self.wait_turn(&origin);
            let result = fetch(url, &self.options, validators);
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
                Some(w) if attempt < self.retries && w <= self.max_retry_after => {
                    attempt += 1;
                    std::thread::sleep(w);
                }
                _ => return result,
            }
        }
    }

    fn wait_turn(&mut self, origin: &str) {
        if let Some(last) = self.last_request.get(origin) {
            let since = last.elapsed();
            if since < self.host_delay {
                std::thread::sleep(self.host_delay - since);
            }
        }
        self.last_request
            .insert(origin.to_string(), std::time::Instant::now());
    }

    /// robots.txt, fetched once per host and run; a missing or unreadable file allows all.
    fn allowed(&mut self, url: &url::Url, origin: &str) -> bool {
        if !self.robots_cache.contains_key(origin) {
            self.wait_turn(origin);
            let robots_url = format!("{origin}/robots.txt");
            let robot = fetch(&robots_url, &self.options, None)
                .ok()
                .and_then(|f| f.body)
                .and_then(|body| {
                    let agent = self
                        .options
                        .user_agent
                        .split('/')
                        .next()
                        .unwrap_or("feedsplit")
                        .to_string();
                    texting_robots::Robot::new(&agent, &body).ok()
                });
            self.robots_cache.insert(origin.to_string(), robot);
        }
        match self.robots_cache.get(origin) {
            Some(Some(robot)) => robot.allowed(url.as_str()),
            _ => true,
        }
    }
}

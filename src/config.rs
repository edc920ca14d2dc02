//! The cron job's configuration file: output, fetch settings and sources. Everything is checked
//! before anything is fetched; errors name the file, the line and what is wrong.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::input::{AddressPolicy, FetchOptions, Politeness};
use crate::rules::{RulesFile, SiteRules, one_line};
use crate::write::Format;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read config: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Invalid {
        path: String,
        line: usize,
        message: String,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    output: OutputConfig,
    #[serde(default)]
    fetch: FetchConfig,
    /// Extra rules files, relative to the config file.
    #[serde(default)]
    rules: Vec<PathBuf>,
    /// A model file (`feedsplit train`) to decide with instead of the built-in one.
    #[serde(default)]
    model: Option<PathBuf>,
    #[serde(default, rename = "source")]
    sources: Vec<SourceConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutputConfig {
    /// Output directory, relative to the config file.
    pub dir: PathBuf,
    /// Public URL the output directory is served under.
    pub base_url: Option<String>,
    pub formats: Vec<Format>,
    /// Newest items kept in each feed.
    pub items_per_feed: usize,
    /// Items older than this many days leave the store.
    pub retention_days: u32,
    /// Item store; default `<dir>/feedsplit.sqlite`.
    pub store: Option<PathBuf>,
    /// Minutes between runs, announced to readers as `ttl`.
    pub ttl_minutes: Option<u32>,
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig {
            dir: PathBuf::from("feeds"),
            base_url: None,
            formats: Format::ALL.to_vec(),
            items_per_feed: 50,
            retention_days: 365,
            store: None,
            ttl_minutes: Some(15),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FetchConfig {
    /// Say who you are and how to reach you: `feedsplit/0.1 (+mailto:you@example.org)`.
    pub user_agent: String,
    pub timeout_seconds: u64,
    pub max_bytes: u64,
    pub max_redirects: u32,
    /// Pause between two requests to one host.
    pub host_delay_ms: u64,
    /// Retries after 429/503 (honouring Retry-After) or a transport error.
    pub retries: u32,
    /// Longest Retry-After we are willing to wait, in seconds.
    pub max_retry_after_seconds: u64,
    pub robots_txt: bool,
    /// Fetch the article page behind each new teaser (depth 1) for full content and dates.
    pub follow_teasers: bool,
    /// Read the page of each new upstream feed item once to look for a sponsored label.
    pub check_feed_items: bool,
    /// New article pages fetched per source and run, at most.
    pub max_follow_per_run: usize,
    /// Let followed teasers and checked feed items (URLs a page chose) reach loopback, private
    /// and link-local addresses. Off: a page must not make us read the operator's network.
    pub allow_private_addresses: bool,
    /// Requests in flight at once, across hosts (each host still sees one at a time, with
    /// `host_delay_ms` between two).
    pub concurrency: usize,
}

impl Default for FetchConfig {
    fn default() -> Self {
        let defaults = FetchOptions::default();
        FetchConfig {
            user_agent: defaults.user_agent,
            timeout_seconds: defaults.timeout.as_secs(),
            max_bytes: defaults.max_bytes,
            max_redirects: defaults.max_redirects,
            host_delay_ms: 1000,
            retries: 2,
            max_retry_after_seconds: 120,
            robots_txt: true,
            follow_teasers: false,
            check_feed_items: false,
            max_follow_per_run: 10,
            allow_private_addresses: false,
            concurrency: 16,
        }
    }
}

impl FetchConfig {
    /// The address policy for URLs a page chose (followed teasers, checked feed items).
    pub fn follow_policy(&self) -> AddressPolicy {
        if self.allow_private_addresses {
            AddressPolicy::Any
        } else {
            AddressPolicy::PublicOnly
        }
    }

    pub fn politeness(&self) -> Politeness {
        Politeness {
            host_delay: Duration::from_millis(self.host_delay_ms),
            retries: self.retries,
            max_retry_after: Duration::from_secs(self.max_retry_after_seconds),
            robots: self.robots_txt,
        }
    }

    pub fn options(&self) -> FetchOptions {
        FetchOptions {
            user_agent: self.user_agent.clone(),
            timeout: Duration::from_secs(self.timeout_seconds),
            max_bytes: self.max_bytes,
            max_redirects: self.max_redirects,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    pub name: String,
    /// Pages and feeds: http(s) URLs or paths (relative to the config file).
    pub urls: Vec<String>,
    #[serde(default = "default_tz")]
    pub timezone: String,
    #[serde(default)]
    pub sponsored_labels: Vec<String>,
    #[serde(default)]
    pub sponsored_selectors: Vec<String>,
    #[serde(default)]
    pub sponsored_url_paths: Vec<String>,
    #[serde(default)]
    pub personnel_headers: Vec<String>,
    #[serde(default)]
    pub personnel_selectors: Vec<String>,
    #[serde(default)]
    pub ignore_selectors: Vec<String>,
}

fn default_tz() -> String {
    "Europe/Copenhagen".into()
}

/// A checked configuration with paths resolved.
#[derive(Debug, Clone)]
pub struct Config {
    pub path: PathBuf,
    pub output: OutputConfig,
    pub fetch: FetchConfig,
    pub rules_files: Vec<PathBuf>,
    /// The model file to decide with, if not the built-in one.
    pub model: Option<PathBuf>,
    pub sources: Vec<Source>,
}

#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub urls: Vec<String>,
    pub tz: chrono_tz::Tz,
    /// What this source adds to the built-in rules.
    pub rules: RulesFile,
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: name.clone(),
            source,
        })?;
        Config::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let file = ConfigText {
            text,
            name: path.display().to_string(),
            base: path.parent().unwrap_or(Path::new("")).to_path_buf(),
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| line_at(text, s.start));
            file.invalid(line, one_line(e.message()))
        })?;
        file.check_settings(&raw)?;
        let mut sources: Vec<Source> = Vec::new();
        for s in &raw.sources {
            let source = file.source(s, &sources)?;
            sources.push(source);
        }
        let mut output = raw.output.clone();
        output.dir = file.resolve(&output.dir);
        output.store = Some(
            output
                .store
                .as_deref()
                .map(|p| file.resolve(p))
                .unwrap_or_else(|| output.dir.join("feedsplit.sqlite")),
        );
        Ok(Config {
            path: path.to_path_buf(),
            output,
            fetch: raw.fetch,
            rules_files: raw.rules.iter().map(|p| file.resolve(p)).collect(),
            model: raw.model.as_deref().map(|p| file.resolve(p)),
            sources,
        })
    }

    pub fn store_path(&self) -> PathBuf {
        self.output
            .store
            .clone()
            .unwrap_or_else(|| self.output.dir.join("feedsplit.sqlite"))
    }
}

/// The config file's text, for errors that name its path and line and for paths relative to it.
struct ConfigText<'t> {
    text: &'t str,
    name: String,
    base: PathBuf,
}

impl ConfigText<'_> {
    fn invalid(&self, line: usize, message: String) -> ConfigError {
        ConfigError::Invalid {
            path: self.name.clone(),
            line,
            message,
        }
    }

    /// An error on the line where `needle` first appears.
    fn invalid_at(&self, needle: &str, message: String) -> ConfigError {
        self.invalid(line_of(self.text, needle), message)
    }

    fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base.join(p)
        }
    }

    /// The settings outside the sources: at least one source, a base URL that parses, formats,
    /// a timeout and a feed length.
    fn check_settings(&self, raw: &RawConfig) -> Result<(), ConfigError> {
        if raw.sources.is_empty() {
            return Err(self.invalid(1, "no [[source]] configured".into()));
        }
        if let Some(url) = &raw.output.base_url {
            url::Url::parse(url)
                .map_err(|e| self.invalid_at(url, format!("output.base_url {url:?}: {e}")))?;
        }
        if raw.output.formats.is_empty() {
            return Err(self.invalid_at("formats", "output.formats is empty".into()));
        }
        if raw.fetch.timeout_seconds == 0 {
            return Err(self.invalid_at(
                "timeout_seconds",
                "fetch.timeout_seconds must be at least 1".into(),
            ));
        }
        if raw.output.items_per_feed == 0 {
            return Err(self.invalid_at(
                "items_per_feed",
                "output.items_per_feed must be at least 1".into(),
            ));
        }
        Ok(())
    }

    /// One source checked (name, urls, timezone, selectors) with its own rules.
    fn source(&self, s: &SourceConfig, earlier: &[Source]) -> Result<Source, ConfigError> {
        let at = format!("\"{}\"", s.name);
        if !crate::write::valid_name(&s.name) {
            return Err(self.invalid_at(
                &at,
                format!("source name {:?}: {}", s.name, crate::write::NAME_RULE),
            ));
        }
        if earlier.iter().any(|o| o.name == s.name) {
            return Err(self.invalid_at(&at, format!("source name {:?} is used twice", s.name)));
        }
        if s.urls.is_empty() {
            return Err(self.invalid_at(&at, format!("source {:?} has no urls", s.name)));
        }
        let tz: chrono_tz::Tz = s.timezone.parse().map_err(|_| {
            self.invalid_at(
                &s.timezone,
                format!("source {:?}: unknown timezone {:?}", s.name, s.timezone),
            )
        })?;
        let mut urls = Vec::new();
        let mut hosts = Vec::new();
        for u in &s.urls {
            if crate::input::is_url(u) {
                let parsed = url::Url::parse(u).map_err(|e| {
                    self.invalid_at(u, format!("source {:?}: URL {u:?}: {e}", s.name))
                })?;
                hosts.push(parsed.host_str().unwrap_or_default().to_string());
                urls.push(u.clone());
            } else {
                urls.push(self.resolve(Path::new(u)).display().to_string());
            }
        }
        for sel in s
            .sponsored_selectors
            .iter()
            .chain(&s.personnel_selectors)
            .chain(&s.ignore_selectors)
        {
            if scraper::Selector::parse(sel).is_err() {
                return Err(self.invalid_at(
                    sel,
                    format!("source {:?}: bad CSS selector {sel:?}", s.name),
                ));
            }
        }
        Ok(Source {
            name: s.name.clone(),
            urls,
            tz,
            rules: source_rules(s, hosts),
        })
    }
}

/// What a source adds to the built-in rules. Selectors and paths apply to every host this
/// source reads; files have no host, so they get a profile under the source's name (the
/// authority of their ids).
fn source_rules(s: &SourceConfig, mut hosts: Vec<String>) -> RulesFile {
    let mut rules = RulesFile::default();
    rules.sponsored.labels = s.sponsored_labels.clone();
    rules.personnel.headers = s.personnel_headers.clone();
    if hosts.is_empty() {
        hosts.push(s.name.clone());
    }
    hosts.dedup();
    for host in hosts {
        rules.sites.push(SiteRules {
            host,
            sponsored_selectors: s.sponsored_selectors.clone(),
            personnel_selectors: s.personnel_selectors.clone(),
            ignore_selectors: s.ignore_selectors.clone(),
            sponsored_labels: Vec::new(),
            url_paths: s.sponsored_url_paths.clone(),
        });
    }
    rules
}

/// The 1-based line of a byte offset.
fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The line a value first appears on, for errors about values that parsed but are wrong.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("/etc/feedsplit/feedsplit.toml"))
    }

    #[test]
    fn parses_and_resolves_paths() {
        let c = parse(
            "[output]\ndir = \"out\"\nbase_url = \"https://f.example.org/\"\n\n\
             [[source]]\nname = \"cw\"\nurls = [\"https://www.computerworld.dk/\", \"page.html\"]\n\
             sponsored_selectors = [\".partner\"]\n",
        )
        .expect("valid");
        assert_eq!(c.output.dir, PathBuf::from("/etc/feedsplit/out"));
        assert_eq!(
            c.store_path(),
            PathBuf::from("/etc/feedsplit/out/feedsplit.sqlite")
        );
        assert_eq!(c.sources[0].urls[1], "/etc/feedsplit/page.html");
        assert_eq!(c.sources[0].rules.sites[0].host, "www.computerworld.dk");
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("[[source]]\nname = \"a\"\nurls = [\"x\"]\ntimezone = \"Mars/Olympus\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("/etc/feedsplit/feedsplit.toml:4: "), "{e}");
        let e = parse("[output]\ndir = \"x\"\nitems_per_feed = \"many\"\n[[source]]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains(":3: "), "{e}");
        let e = parse("[[source]]\nname = \"a\"\nurls = [\"x\"]\nsponsored_selectors = [\"<<\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains(":4: ") && e.contains("bad CSS selector"), "{e}");
        let e = parse("[output]\n").unwrap_err().to_string();
        assert!(e.contains("no [[source]]"), "{e}");
        // An unknown key is reported on its own line, not the one before.
        let e =
            parse("[fetch]\nretries = 1\nretires = 2\n[[source]]\nname = \"a\"\nurls = [\"x\"]\n")
                .unwrap_err()
                .to_string();
        assert!(e.contains(":3: ") && e.contains("retires"), "{e}");
        let e = parse("[fetch]\ntimeout_seconds = 0\n[[source]]\nname = \"a\"\nurls = [\"x\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains(":2: ") && e.contains("timeout_seconds"), "{e}");
    }
}

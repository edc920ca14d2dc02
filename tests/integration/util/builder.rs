//! Builders that make a test read like its command line: `Feedsplit::convert(&page).now(NOW)
//! .out(dir).run()`, and `ConfigFile::new().source("news", [url]).write(dir)`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// One `feedsplit` command line, built up and then run.
pub struct Feedsplit {
    cmd: Command,
}

impl Feedsplit {
    /// The binary with a clean environment for reproducible output.
    pub fn command() -> Feedsplit {
        let mut cmd = Command::cargo_bin("feedsplit").expect("binary");
        cmd.env_remove("SOURCE_DATE_EPOCH");
        Feedsplit { cmd }
    }

    /// `feedsplit convert INPUT`.
    pub fn convert(input: impl AsRef<OsStr>) -> Feedsplit {
        Feedsplit::command().arg("convert").arg(input)
    }

    /// `feedsplit classify INPUT`.
    pub fn classify(input: impl AsRef<OsStr>) -> Feedsplit {
        Feedsplit::command().arg("classify").arg(input)
    }

    /// `feedsplit run --config CONFIG`: the cron job.
    pub fn job(config: &Path) -> Feedsplit {
        Feedsplit::command().args(["run", "--config"]).arg(config)
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Feedsplit {
        self.cmd.arg(arg);
        self
    }

    pub fn args(mut self, args: impl IntoIterator<Item = impl AsRef<OsStr>>) -> Feedsplit {
        self.cmd.args(args);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Feedsplit {
        self.cmd.env(key, value);
        self
    }

    /// What to feed it on standard input.
    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Feedsplit {
        self.cmd.write_stdin(input);
        self
    }

    /// A limit after which the test fails instead of hanging.
    pub fn timeout(mut self, limit: std::time::Duration) -> Feedsplit {
        self.cmd.timeout(limit);
        self
    }

    /// `--now`: the time items without a date are filed under.
    pub fn now(self, now: &str) -> Feedsplit {
        self.args(["--now", now])
    }

    /// `-o DIR`: where the feeds go.
    pub fn out(self, dir: &Path) -> Feedsplit {
        self.arg("-o").arg(dir)
    }

    /// `--name NAME`: the feed set's name.
    pub fn name(self, name: &str) -> Feedsplit {
        self.args(["--name", name])
    }

    /// Runs it, for checks on its output with predicates.
    pub fn assert(mut self) -> assert_cmd::assert::Assert {
        self.cmd.assert()
    }

    /// Runs it and returns what it did, whatever the exit code.
    pub fn output(mut self) -> Output {
        self.cmd.output().expect("run feedsplit")
    }

    /// Runs it; it must succeed (else the test fails showing its stderr).
    pub fn run(self) -> Output {
        let out = self.output();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Runs it with `--json`; it must succeed, and its output is the JSON document.
    pub fn json(self) -> serde_json::Value {
        let out = self.arg("--json").run();
        serde_json::from_slice(&out.stdout).expect("JSON on stdout")
    }

    /// Runs it; it must exit with `code` and say `text` on stderr. Returns stderr.
    pub fn fails(self, code: i32, text: &str) -> String {
        let out = self.output();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(code), "{stderr}");
        assert!(stderr.contains(text), "{text:?} not in: {stderr}");
        stderr
    }
}

/// A config file for the cron job, writing into `out` beside it.
#[derive(Default)]
pub struct ConfigFile {
    sources: Vec<(String, Vec<String>)>,
    fetch: Vec<String>,
    output: Vec<String>,
}

impl ConfigFile {
    pub fn new() -> ConfigFile {
        ConfigFile::default()
    }

    /// A `[[source]]` with its URLs or paths.
    pub fn source(
        mut self,
        name: &str,
        urls: impl IntoIterator<Item = impl Into<String>>,
    ) -> ConfigFile {
        let urls = urls.into_iter().map(Into::into).collect();
        self.sources.push((name.to_string(), urls));
        self
    }

    /// A line of `[fetch]`, such as `follow_teasers = true`.
    pub fn fetch(mut self, line: &str) -> ConfigFile {
        self.fetch.push(line.to_string());
        self
    }

    /// A line of `[output]`, such as `retention_days = 30`.
    pub fn output(mut self, line: &str) -> ConfigFile {
        self.output.push(line.to_string());
        self
    }

    /// The text, with quick fetch defaults for tests unless a `fetch` line sets the key.
    pub fn text(&self) -> String {
        let sets = |key: &str| {
            self.fetch
                .iter()
                .any(|l| l.split('=').next().is_some_and(|k| k.trim() == key))
        };
        let mut fetch: Vec<String> = [
            ("host_delay_ms", "0"),
            ("retries", "1"),
            ("max_retry_after_seconds", "2"),
        ]
        .iter()
        .filter(|(key, _)| !sets(key))
        .map(|(key, value)| format!("{key} = {value}"))
        .collect();
        fetch.extend(self.fetch.iter().cloned());
        let mut text = format!(
            "[output]\ndir = \"out\"\nbase_url = \"http://127.0.0.1:8080/\"\n{}\n[fetch]\n{}\n\n",
            self.output
                .iter()
                .map(|l| format!("{l}\n"))
                .collect::<String>(),
            fetch.join("\n"),
        );
        for (name, urls) in &self.sources {
            let urls: Vec<String> = urls.iter().map(|u| format!("{u:?}")).collect();
            text.push_str(&format!(
                "[[source]]\nname = \"{name}\"\nurls = [{}]\n\n",
                urls.join(", ")
            ));
        }
        text
    }

    /// Writes `feedsplit.toml` into `dir` and returns its path.
    pub fn write(&self, dir: &Path) -> PathBuf {
        let path = dir.join("feedsplit.toml");
        std::fs::write(&path, self.text()).expect("write config");
        path
    }
}

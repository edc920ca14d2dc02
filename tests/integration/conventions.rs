//! `feedsplit init`, `completions`, `man`, and the systemd units in contrib/.

use crate::util::*;

#[test]
fn completions_man_page_and_a_starter_config() {
    for (shell, marker) in [
        ("bash", "_feedsplit"),
        ("zsh", "#compdef feedsplit"),
        ("fish", "complete -c feedsplit"),
    ] {
        let out = Feedsplit::command().args(["completions", shell]).output();
        assert!(out.status.success());
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(
            script.contains(marker) && script.contains("convert") && script.contains("concurrency"),
            "{shell}"
        );
    }
    let man = Feedsplit::command().arg("man").output();
    let page = String::from_utf8_lossy(&man.stdout);
    assert!(man.status.success() && page.contains(".TH feedsplit") && page.contains("completions"));
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("feedsplit.toml");
    Feedsplit::command().arg("init").arg(&path).run();
    let written = std::fs::read_to_string(&path).expect("starter");
    assert!(written.contains("[[source]]") && written.contains("concurrency"));
    // A second init would overwrite someone's config: refused, unless forced.
    Feedsplit::command()
        .arg("init")
        .arg(&path)
        .assert()
        .code(predicate::ne(0))
        .stderr(predicate::str::contains("already exists"));
    Feedsplit::command()
        .arg("init")
        .arg(&path)
        .arg("--force")
        .run();
    // The starter config is valid: a run with its source pointed at a local page works.
    let page_path = tmp.path().join("page.html");
    std::fs::write(&page_path, article_page(1, SIDEBAR)).expect("page");
    let local: String = written
        .lines()
        .map(|l| {
            if l.starts_with("urls = [") {
                format!("urls = [{:?}]\n", page_path.display().to_string())
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(&path, local).expect("config");
    Feedsplit::job(&path).now(NOW).run();
    assert!(
        tmp.path()
            .join("feeds/computerworld/sponsored.rss")
            .exists()
    );
}

#[test]
fn the_systemd_units_verify() {
    if !have("systemd-analyze", &["--version"]) {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let contrib = Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib");
    // The unit names the installed binary; verify it against the one just built.
    let service = std::fs::read_to_string(contrib.join("feedsplit.service"))
        .expect("service")
        .replace("/usr/local/bin/feedsplit", env!("CARGO_BIN_EXE_feedsplit"));
    std::fs::write(tmp.path().join("feedsplit.service"), service).expect("service");
    std::fs::copy(
        contrib.join("feedsplit.timer"),
        tmp.path().join("feedsplit.timer"),
    )
    .expect("timer");
    let out = std::process::Command::new("systemd-analyze")
        .current_dir(tmp.path())
        .args(["verify", "--man=no", "feedsplit.service", "feedsplit.timer"])
        .output()
        .expect("systemd-analyze");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

//! Shared helpers: the binary, temporary boards, a board simulator, configuration files.

use std::path::{Path, PathBuf};
use std::process::Output;

use antenne::simulator::{Boards, Simulator};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies `fixtures/boards` into a fresh temporary folder the test may change.
pub fn copy_boards() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("fixtures/boards"), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A simulator serving a board folder on 127.0.0.1.
pub async fn simulator(boards: &Path) -> Simulator {
    Simulator::start(Boards::Dir(boards.to_owned()), 0)
        .await
        .unwrap()
}

/// Writes a configuration with the RSS board of `sim` as its one source.
pub fn write_config(dir: &Path, sim: &Simulator) -> PathBuf {
    let path = dir.join("antenne.toml");
    std::fs::write(
        &path,
        format!(
            "[crawl]\nallow_private_addresses = true\ntimeout_secs = 10\nmin_interval_ms = 0\n\n\
             [[sources]]\nname = \"board-rss\"\nkind = \"feed\"\nurl = \"{}/board-rss/offres.rss\"\nfollow_links = true\n",
            sim.base_url()
        ),
    )
    .unwrap();
    path
}

/// Runs the binary with `args`, from `cwd`, and waits for it.
pub async fn antenne(cwd: &Path, args: &[&str]) -> Output {
    antenne_env(cwd, args, &[]).await
}

/// As `antenne`, with extra environment variables.
pub async fn antenne_env(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_antenne"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(cwd)
        .env_remove("ANTENNE_DATA")
        .env_remove("ANTENNE_CONFIG")
        .env_remove("ANTENNE_RULES")
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .output()
        .await
        .unwrap()
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The development corpus as JSON values.
pub fn corpus() -> Vec<serde_json::Value> {
    std::fs::read_to_string(root().join("fixtures/corpus/dev.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A configuration with every demo board of `sim` (and the broken one), France Travail
/// credentials read from `FT_TEST_ID` / `FT_TEST_SECRET`.
pub fn write_federation_config(dir: &Path, sim: &Simulator) -> PathBuf {
    let base = sim.base_url();
    let path = dir.join("antenne.toml");
    std::fs::write(
        &path,
        format!(
            r#"[crawl]
allow_private_addresses = true
min_interval_ms = 0
max_retries = 0

[[sources]]
name = "board-rss"
kind = "feed"
url = "{base}/board-rss/offres.rss"
follow_links = true

[[sources]]
name = "board-atom"
kind = "feed"
url = "{base}/board-atom/offres.atom"

[[sources]]
name = "board-jsonld"
kind = "jsonld"
url = "{base}/board-jsonld/offres/page-1.html"
links = "a.offre"
next = "a[rel=next]"

[[sources]]
name = "board-html"
kind = "html"
url = "{base}/board-html/emplois/index.html"
links = "li.job a"
next = "a.suivant"
fields = {{ title = "h1", description = ".descriptif", employer = ".employeur", location = ".lieu", contract = ".contrat", published = "time@datetime" }}

[[sources]]
name = "france-travail"
kind = "france_travail"
url = "{base}/france-travail/api"
token_url = "{base}/france-travail/token"
client_id_env = "FT_TEST_ID"
client_secret_env = "FT_TEST_SECRET"
page_size = 3

[[sources]]
name = "board-panne"
kind = "feed"
url = "{base}/board-panne/offres.rss"
"#
        ),
    )
    .unwrap();
    path
}

/// The demo's France Travail credentials, as environment variables for `write_federation_config`.
pub const FT_ENV: [(&str, &str); 2] = [
    ("FT_TEST_ID", antenne::simulator::DEMO_CLIENT),
    ("FT_TEST_SECRET", antenne::simulator::DEMO_SECRET),
];

/// Reads the demo's standard output up to its « Ctrl-C pour arrêter » line and returns it.
pub async fn until_ready(child: &mut tokio::process::Child) -> String {
    use tokio::io::AsyncBufReadExt;
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = String::new();
    while let Some(line) = lines.next_line().await.unwrap() {
        printed.push_str(&line);
        printed.push('\n');
        if line.contains("Ctrl-C") {
            break;
        }
    }
    printed
}

//! `antenne run`: sources run on their cron schedule; a restart neither skips nor doubles a run;
//! SIGTERM stops it cleanly.

use std::time::Duration;

use crate::util::{copy_boards, simulator};

fn runs(db: &std::path::Path) -> Vec<String> {
    let Ok(conn) =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return Vec::new();
    };
    let Ok(mut stmt) = conn.prepare("SELECT started_at FROM crawl_runs ORDER BY id") else {
        return Vec::new();
    };
    stmt.query_map([], |r| r.get(0))
        .map(|rows| rows.filter_map(Result::ok).collect())
        .unwrap_or_default()
}

async fn wait_for_runs(db: &std::path::Path, n: usize) -> Vec<String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let seen = runs(db);
        if seen.len() >= n || tokio::time::Instant::now() > deadline {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn start(dir: &std::path::Path) -> tokio::process::Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_antenne"))
        .args(["--data", "data", "run"])
        .current_dir(dir)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

async fn terminate(child: &mut tokio::process::Child) -> std::process::ExitStatus {
    let pid = child.id().unwrap().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .expect("stops on SIGTERM")
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_on_schedule_across_a_restart() {
    let boards = copy_boards();
    let sim = simulator(boards.path()).await;
    let work = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        work.path().join("antenne.toml"),
        format!(
            "[crawl]\nallow_private_addresses = true\nmin_interval_ms = 0\n\n[web]\naddr = \"127.0.0.1:{port}\"\n\n\
             [[sources]]\nname = \"board-rss\"\nkind = \"feed\"\nurl = \"{}/board-rss/offres.rss\"\nschedule = \"*/2 * * * * *\"\n",
            sim.base_url()
        ),
    )
    .unwrap();
    let db = work.path().join("data/antenne.db");

    let mut service = start(work.path());
    let first = wait_for_runs(&db, 2).await;
    assert!(first.len() >= 2, "two scheduled runs: {first:?}");
    assert!(
        terminate(&mut service).await.success(),
        "SIGTERM is a clean stop"
    );
    let before_restart = runs(&db).len();

    let mut again = start(work.path());
    let after = wait_for_runs(&db, before_restart + 1).await;
    assert!(
        after.len() > before_restart,
        "runs resume after a restart: {after:?}"
    );
    assert!(terminate(&mut again).await.success());

    // No tick ran twice: every run started in its own two-second slot.
    let mut slots: Vec<String> = runs(&db).iter().map(|t| t[..19].to_owned()).collect();
    let n = slots.len();
    slots.dedup();
    assert_eq!(slots.len(), n, "a run was doubled: {:?}", runs(&db));
}

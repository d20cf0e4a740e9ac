//! The command line: exit codes, the data-directory lock, `validate`, `rules check`.

use crate::util::{antenne, root, stderr, stdout};

#[tokio::test]
async fn configuration_errors_exit_2_and_name_the_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.toml"), "[[sources]]\nname = \"a\"\nkind = \"feed\"\nurl = \"https://a.example/\"\nschedule = \"every day\"\n").unwrap();
    let out = antenne(dir.path(), &["--config", "bad.toml", "crawl"]).await;
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("bad.toml") && err.contains("sources[0].schedule"),
        "{err}"
    );
}

#[tokio::test]
async fn bad_usage_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        antenne(dir.path(), &["no-such-command"])
            .await
            .status
            .code(),
        Some(2)
    );
    let out = antenne(dir.path(), &["crawl"]).await;
    assert_eq!(out.status.code(), Some(2), "no sources configured");
    assert!(stderr(&out).contains("no sources configured"));
}

#[tokio::test]
async fn a_second_process_on_the_same_data_directory_stops_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let _held = antenne::store::Store::open(&data).unwrap();
    let out = antenne(dir.path(), &["--data", data.to_str().unwrap(), "reindex"]).await;
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("is in use by another antenne process"),
        "{err}"
    );
    assert!(
        err.contains(&format!("(pid {})", std::process::id())),
        "{err}"
    );
}

#[tokio::test]
async fn validate_prints_verdicts_with_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = root().join("fixtures/corpus/dev.jsonl");
    let out = antenne(
        dir.path(),
        &["validate", "--json", corpus.to_str().unwrap()],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let verdicts: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(verdicts.len(), 92);
    let v = &verdicts[0];
    assert_eq!(v["id"], "d001");
    for key in [
        "verdict",
        "claims_ant",
        "flagged",
        "scores",
        "findings",
        "rules_version",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let flagged = verdicts.iter().find(|v| v["flagged"] == true).unwrap();
    let block = flagged["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["severity"] == "block")
        .unwrap();
    assert!(block["reference"].as_str().unwrap().len() > 10);
    assert!(block["message"].as_str().unwrap().contains("poste"));

    // The readable report, in French.
    let text = antenne(dir.path(), &["validate", corpus.to_str().unwrap()]).await;
    let report = stdout(&text);
    assert!(
        report.contains("Verdict : ")
            && report.contains("Référence\u{202f}: ")
            && report.contains("Extraits\u{202f}: "),
        "{report}"
    );
}

#[tokio::test]
async fn validate_reads_plain_text_and_schema_org() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ad.txt"), "Animatrice numérique de territoire. Vous animez des ateliers collectifs pour les prestataires et réalisez leur diagnostic numérique.").unwrap();
    let out = antenne(dir.path(), &["validate", "--text", "--json", "ad.txt"]).await;
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(v["claims_ant"], true);

    let ld = r#"{"@context":"https://schema.org","@graph":[{"@type":"WebPage"},{"@type":"JobPosting","identifier":"x-1","title":"Webmaster","description":"<p>Administrer le site internet de l'office de tourisme : WordPress, SEO, HTML, CSS, Google Analytics, refonte du site web.</p>"}]}"#;
    std::fs::write(dir.path().join("ld.json"), ld).unwrap();
    let out = antenne(dir.path(), &["validate", "--json", "ld.json"]).await;
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(v["id"], "x-1");
    assert_eq!(v["verdict"], "webmaster");

    std::fs::write(dir.path().join("bad.jsonl"), "{\"title\": \"x\"}\n").unwrap();
    let out = antenne(dir.path(), &["validate", "bad.jsonl"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bad.jsonl") && stderr(&out).contains("description"));
}

#[tokio::test]
async fn rules_check_names_the_file_and_rule() {
    let dir = tempfile::tempdir().unwrap();
    let ok = antenne(&root(), &["rules", "check"]).await;
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(stdout(&ok).contains("règles chargées et vérifiées"));

    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    for f in std::fs::read_dir(root().join("rules")).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), rules.join(f.file_name())).unwrap();
    }
    let path = rules.join("titre.toml");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "max_count = 1\npatterns = ['''\\bant\\b''']",
        "max_count = 1\npatterns = ['''\\bant(''']",
    );
    std::fs::write(&path, text).unwrap();
    let bad = antenne(dir.path(), &["rules", "check", "rules"]).await;
    assert_ne!(bad.status.code(), Some(0));
    let err = stderr(&bad);
    assert!(
        err.contains("rules/titre.toml:titre.sigle") && err.contains("does not compile"),
        "{err}"
    );
}

/// A minimal HTTP/1.0 GET over a raw socket: the test needs no HTTP client of its own.
fn http_get(addr: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

/// `antenne demo` on a free loopback port over `data`, its standard output piped; and its
/// address.
async fn demo(cwd: &std::path::Path, data: &std::path::Path) -> (tokio::process::Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_antenne"))
        .args(["--data", data.to_str().unwrap(), "demo", "--addr", &addr])
        .current_dir(cwd)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    (child, addr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_crawls_the_built_in_boards_and_serves_them() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr) = demo(dir.path(), &dir.path().join("data")).await;
    let printed = crate::util::until_ready(&mut child).await;
    for board in [
        "board-rss",
        "board-atom",
        "board-jsonld",
        "board-html",
        "france-travail",
    ] {
        assert!(printed.contains(&format!("{board} : ")), "{printed}");
    }
    assert!(
        printed.contains("board-panne : 0 récupérés") && printed.contains("erreur (status)"),
        "{printed}"
    );
    assert!(printed.contains(&format!("http://{addr}/")), "{printed}");
    assert!(
        printed.contains("/revue (identifiant revue@demo.antenne.local, mot de passe "),
        "{printed}"
    );
    let api = tokio::task::spawn_blocking({
        let addr = addr.clone();
        move || http_get(&addr, "/api/v1/search?q=numerique")
    })
    .await
    .unwrap();
    assert!(
        api.starts_with("HTTP/1.0 200") || api.starts_with("HTTP/1.1 200"),
        "{api}"
    );
    let body = api.split("\r\n\r\n").nth(1).unwrap();
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    assert!(v["total"].as_u64().unwrap() >= 3, "{v}");
    let page = tokio::task::spawn_blocking(move || http_get(&addr, "/"))
        .await
        .unwrap();
    assert!(page.contains("Rechercher une offre"));
    child.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_diff_then_apply_after_a_rules_change() {
    let boards = crate::util::copy_boards();
    let sim = crate::util::simulator(boards.path()).await;
    let work = tempfile::tempdir().unwrap();
    crate::util::write_config(work.path(), &sim);
    let dir = work.path();
    assert!(antenne(dir, &["crawl"]).await.status.success());

    // New rules on disk: the weights now keep the webmaster verdict out of reach.
    let rules = dir.join("rules-next");
    std::fs::create_dir(&rules).unwrap();
    for f in std::fs::read_dir(root().join("rules")).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), rules.join(f.file_name())).unwrap();
    }
    let weights = rules.join("poids.toml");
    let text = std::fs::read_to_string(&weights).unwrap();
    let (head, tail) = text.split_once("[model.bias]\n").unwrap();
    let (before, rest) = tail.split_once("webmaster = ").unwrap();
    let (_, rest) = rest.split_once('\n').unwrap();
    std::fs::write(
        &weights,
        format!("{head}[model.bias]\n{before}webmaster = -99.0\n{rest}"),
    )
    .unwrap();

    let diff = antenne(dir, &["--rules", "rules-next", "rules", "diff"]).await;
    assert!(diff.status.success(), "{}", stderr(&diff));
    let listed = stdout(&diff);
    assert!(
        listed.contains("changeraient de verdict") && listed.contains("webmaster (signalée) →"),
        "{listed}"
    );
    let before: Vec<serde_json::Value> = stdout(&antenne(dir, &["export"]).await)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        before
            .iter()
            .any(|p| p["verdict"]["verdict"] == "webmaster"),
        "diff changed nothing"
    );

    let apply = antenne(dir, &["--rules", "rules-next", "rules", "apply"]).await;
    assert!(
        stdout(&apply).contains("12 annonce(s) revalidée(s)"),
        "{}",
        stdout(&apply)
    );
    let after: Vec<serde_json::Value> =
        stdout(&antenne(dir, &["--rules", "rules-next", "export"]).await)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
    assert!(after.iter().all(|p| p["verdict"]["verdict"] != "webmaster"));
    let version = after[0]["verdict"]["rules_version"].clone();
    assert_ne!(version, before[0]["verdict"]["rules_version"]);

    // Back on the built-in rules, any command re-validates at start.
    let again: Vec<serde_json::Value> = stdout(&antenne(dir, &["export"]).await)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(again.iter().any(|p| p["verdict"]["verdict"] == "webmaster"));
    let found = stdout(&antenne(dir, &["search", "site", "--all", "--json"]).await);
    assert!(
        found.contains("\"webmaster\""),
        "the index follows the re-validated verdicts"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_too_slow_to_send_its_headers_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let _server = tokio::process::Command::new(env!("CARGO_BIN_EXE_antenne"))
        .args(["--data", "data", "serve", "--addr", &addr])
        .current_dir(dir.path())
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stream = loop {
        if let Ok(s) = tokio::net::TcpStream::connect(&addr).await {
            break s;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    // Half a request, then silence.
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: antenne\r\n")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        stream.read_to_end(&mut buf),
    )
    .await;
    assert!(read.is_ok(), "the server kept the connection open");
    let elapsed = started.elapsed();
    assert!(
        elapsed
            >= antenne::web::limits::HEADER_READ_TIMEOUT - std::time::Duration::from_millis(500),
        "cut too early: {elapsed:?}"
    );
}

#[tokio::test]
async fn user_add_reads_the_password_from_standard_input() {
    use tokio::io::AsyncWriteExt;
    let dir = tempfile::tempdir().unwrap();
    let add = |password: &'static str| {
        let dir = dir.path().to_owned();
        async move {
            let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_antenne"))
                .args(["--data", "data", "user", "add", "Revue@Federation.example"])
                .current_dir(&dir)
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(password.as_bytes())
                .await
                .unwrap();
            child.wait_with_output().await.unwrap()
        }
    };
    let short = add("court\n").await;
    assert_eq!(short.status.code(), Some(2));
    assert!(stderr(&short).contains("at least 10 characters"));
    let ok = add("un mot de passe assez long\n").await;
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(stdout(&ok).contains("Compte de revue créé\u{202f}: revue@federation.example"));
    let again = add("un mot de passe assez long\n").await;
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
    let store = antenne::store::Store::open(&dir.path().join("data")).unwrap();
    let (_, hash) = store
        .user_hash("revue@federation.example")
        .unwrap()
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
}

#[tokio::test]
async fn validate_refuses_empty_input_and_rule_errors_name_their_folder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.jsonl"), "\n").unwrap();
    let out = antenne(dir.path(), &["validate", "empty.jsonl"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("empty.jsonl: no ad to validate"),
        "{}",
        stderr(&out)
    );

    let rules = dir.path().join("mes-regles");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(
        rules.join("casse.toml"),
        "family = \"x\"\n[[signal]]\nid = 3\n",
    )
    .unwrap();
    let out = antenne(dir.path(), &["rules", "check", "mes-regles"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("mes-regles/casse.toml"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_reads_and_manages_accounts_while_the_service_runs() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let (mut service, _) = demo(dir.path(), std::path::Path::new(data)).await;
    crate::util::until_ready(&mut service).await;

    let ok = |out: &std::process::Output, what: &str| {
        assert!(out.status.success(), "{what}: {}", stderr(out));
        stdout(out)
    };
    let sources = ok(
        &antenne(dir.path(), &["--data", data, "sources"]).await,
        "sources",
    );
    assert!(
        sources.contains("board-rss") && sources.contains("échecs consécutifs"),
        "{sources}"
    );
    let export = ok(
        &antenne(dir.path(), &["--data", data, "export"]).await,
        "export",
    );
    assert!(export.lines().count() >= 20, "{export}");
    let search = ok(
        &antenne(
            dir.path(),
            &["--data", data, "search", "animatrice numerique"],
        )
        .await,
        "search",
    );
    assert!(search.contains("numérique"), "{search}");

    let with_password = |args: &'static [&'static str], password: &'static str| {
        let dir = dir.path().to_owned();
        let mut all = vec!["--data", data];
        all.extend_from_slice(args);
        let all: Vec<String> = all.into_iter().map(str::to_owned).collect();
        async move {
            let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_antenne"))
                .args(&all)
                .current_dir(dir)
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            use tokio::io::AsyncWriteExt;
            let mut stdin = child.stdin.take().unwrap();
            stdin
                .write_all(format!("{password}\n").as_bytes())
                .await
                .unwrap();
            drop(stdin);
            child.wait_with_output().await.unwrap()
        }
    };
    let added = with_password(
        &["user", "add", "lea@federation.example"],
        "un mot de passe solide",
    )
    .await;
    ok(&added, "user add");
    let list = ok(
        &antenne(dir.path(), &["--data", data, "user", "list"]).await,
        "user list",
    );
    assert!(
        list.contains("lea@federation.example · créé le")
            && list.contains("revue@demo.antenne.local"),
        "{list}"
    );
    let changed = with_password(
        &["user", "passwd", "lea@federation.example"],
        "un autre mot de passe",
    )
    .await;
    ok(&changed, "user passwd");
    ok(
        &antenne(
            dir.path(),
            &["--data", data, "user", "remove", "lea@federation.example"],
        )
        .await,
        "user remove",
    );
    let again = antenne(
        dir.path(),
        &["--data", data, "user", "remove", "lea@federation.example"],
    )
    .await;
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(stderr(&again).contains("no staff account lea@federation.example"));
    let list = ok(
        &antenne(dir.path(), &["--data", data, "user", "list"]).await,
        "user list",
    );
    assert!(!list.contains("lea@"), "{list}");

    // The service is still up and still holds the directory.
    let reindex = antenne(dir.path(), &["--data", data, "reindex"]).await;
    assert!(
        stderr(&reindex).contains("in use by another antenne process"),
        "{}",
        stderr(&reindex)
    );
}

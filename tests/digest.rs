//! The weekly digest against a real SMTP server on 127.0.0.1: content, headers and
//! encodings; the server down then up; a permanent refusal; a crash mid-send; the schedule
//! inside `antenne run`; the command line.

use std::process::Stdio;

use antenne::digest::{self, Mail, Week};
use antenne::store::Store;
use chrono::Utc;
use serde_json::Value;

use crate::smtp::{
    Sink, config, fill, free_port, header, mail, part, rcpt, subscribe, write_config,
};
use crate::util::{antenne, stderr, stdout};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn digest_reaches_smtp_grouped_by_region_with_unsubscribe_headers() {
    let tmp = tempfile::tempdir().unwrap();
    let sink = Sink::start(&tmp.path().join("mail"), 0, &[]);
    let store = Store::open(&tmp.path().join("data")).unwrap();
    fill(&store);
    subscribe(
        &store,
        "lea@example.org",
        "animatrice numerique",
        "{}",
        true,
    );
    subscribe(
        &store,
        "yann@example.org",
        "animatrice numerique bretagne",
        "{}",
        true,
    );
    subscribe(&store, "pending@example.org", "animatrice", "{}", false);
    let paused = subscribe(&store, "paused@example.org", "animatrice", "{}", true);
    store.pause_subscription(paused, true, Utc::now()).unwrap();
    let mail = mail(&store, sink.port, tmp.path()).await;
    let week = Week::of(Utc::now());

    let report = digest::run_week(&store, &mail, week, Utc::now(), false)
        .await
        .unwrap();
    assert_eq!(report.delivery.sent.len(), 3, "{report:?}");
    let msgs = sink.messages();
    let mut to: Vec<String> = msgs.iter().map(rcpt).collect();
    to.sort();
    assert_eq!(
        to,
        [
            "lea@example.org",
            "revue@antenne.example.org",
            "yann@example.org"
        ]
    );

    let lea = msgs.iter().find(|m| rcpt(m) == "lea@example.org").unwrap();
    assert_eq!(lea["content_type"], "multipart/alternative");
    assert_eq!(
        header(lea, "Subject"),
        format!(
            "3 nouvelles offres ANT pour vous, semaine {}",
            week.number()
        )
    );
    assert_eq!(
        header(lea, "From"),
        "Veille antenne <veille@antenne.example.org>"
    );
    assert_eq!(
        header(lea, "Message-ID"),
        digest::compose::message_id(week, "lea@example.org", &mail.from)
    );
    let unsubscribe = header(lea, "List-Unsubscribe");
    assert!(
        unsubscribe.starts_with(
            "<https://antenne.example.org/abonnement/desinscrire?e=lea%40example.org&t="
        ),
        "{unsubscribe}"
    );
    assert_eq!(
        header(lea, "List-Unsubscribe-Post"),
        "List-Unsubscribe=One-Click"
    );
    let text = part(lea, "text/plain");
    let html = part(lea, "text/html");
    // Grouped by région, in both parts, with the reason and the footer link.
    for body in [text, html] {
        let bretagne = body.find("Bretagne (2)").expect(body);
        let aquitaine = body.find("Nouvelle-Aquitaine (1)").expect(body);
        assert!(bretagne < aquitaine);
        assert!(body.contains("Pourquoi cette annonce"), "{body}");
        assert!(body.contains("https://antenne.example.org/annonces/br000001"));
        assert!(
            !body.contains("wm000001"),
            "the flagged ad is not sent to job seekers"
        );
    }
    assert!(
        text.contains("mots trouvés\u{202f}: «\u{202f}Animatrice\u{202f}»"),
        "{text}"
    );
    assert!(html.contains("lang=\"fr\""));
    assert!(!html.contains("<img"), "no remote images");
    assert!(html.contains("style=\""), "inline CSS");
    // The raw subject is RFC 2047-encoded, the body is UTF-8.
    let raw = std::fs::read_to_string(tmp.path().join("mail/0001.eml")).unwrap_or_default()
        + &std::fs::read_to_string(tmp.path().join("mail/0002.eml")).unwrap_or_default()
        + &std::fs::read_to_string(tmp.path().join("mail/0003.eml")).unwrap_or_default();
    assert!(
        raw.lines()
            .any(|l| l.starts_with("Subject: ") && l.contains("=?utf-8?")),
        "{raw}"
    );
    assert!(raw.contains("charset=utf-8"));

    let yann = msgs.iter().find(|m| rcpt(m) == "yann@example.org").unwrap();
    let text = part(yann, "text/plain");
    assert!(text.contains("Bretagne (2)"), "{text}");
    assert!(!text.contains("Arcachon"), "{text}");
    // The place typed among the words is part of the reason.
    assert!(
        text.contains("région\u{202f}: Bretagne\u{202f}; conforme"),
        "{text}"
    );

    let staff = msgs
        .iter()
        .find(|m| rcpt(m) == "revue@antenne.example.org")
        .unwrap();
    assert!(header(staff, "List-Unsubscribe").is_empty());
    assert_eq!(
        header(staff, "Subject"),
        format!(
            "Revue ANT, semaine {} : 1 annonce signalée, 1 décision en attente",
            week.number()
        )
    );
    let text = part(staff, "text/plain");
    assert!(text.contains("Poste de webmaster (1)"), "{text}");
    assert!(text.contains("Décisions en attente (1)"), "{text}");
    assert!(text.contains("https://antenne.example.org/revue/annonces/wm000001"));

    // The same week again sends nothing new.
    let again = digest::run_week(&store, &mail, week, Utc::now(), false)
        .await
        .unwrap();
    assert!(again.delivery.sent.is_empty());
    assert!(again.planned.iter().all(|p| p.already), "{again:?}");
    assert_eq!(sink.messages().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_new_means_no_email() {
    let tmp = tempfile::tempdir().unwrap();
    let sink = Sink::start(&tmp.path().join("mail"), 0, &[]);
    let store = Store::open(&tmp.path().join("data")).unwrap();
    fill(&store);
    subscribe(&store, "lea@example.org", "boulanger", "{}", true);
    let mut mail = mail(&store, sink.port, tmp.path()).await;
    mail.staff.clear();
    let report = digest::run_week(&store, &mail, Week::of(Utc::now()), Utc::now(), false)
        .await
        .unwrap();
    assert_eq!(report.nothing_new, 1);
    assert!(report.planned.is_empty());
    assert!(sink.messages().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_down_then_up_loses_nobody() {
    let tmp = tempfile::tempdir().unwrap();
    let port = free_port();
    let store = Store::open(&tmp.path().join("data")).unwrap();
    fill(&store);
    subscribe(&store, "lea@example.org", "animatrice", "{}", true);
    subscribe(&store, "yann@example.org", "animateur", "{}", true);
    let mail = mail(&store, port, tmp.path()).await;
    let week = Week::of(Utc::now());
    let down = digest::run_week(&store, &mail, week, Utc::now(), false)
        .await
        .unwrap();
    assert!(down.delivery.sent.is_empty());
    assert_eq!(
        down.delivery.deferred.len(),
        1,
        "the run stops at the first"
    );
    let rows = store.outbox(&week.to_string()).unwrap();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.status == "pending"), "{rows:?}");
    assert!(
        rows[0].error.as_deref().unwrap().contains("SMTP"),
        "{rows:?}"
    );

    let sink = Sink::start(&tmp.path().join("mail"), port, &[]);
    // The deferred row is due later; delivering then sends everyone once.
    let later = Utc::now() + chrono::Duration::hours(1);
    let up = digest::deliver(&store, &mail, later).await.unwrap();
    assert_eq!(up.sent.len(), 3, "{up:?}");
    assert_eq!(sink.messages().len(), 3);
    let rows = store.outbox(&week.to_string()).unwrap();
    assert!(rows.iter().all(|r| r.status == "sent"), "{rows:?}");
    assert_eq!(rows[0].attempts, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_refusal_is_recorded_and_the_others_go_on() {
    let tmp = tempfile::tempdir().unwrap();
    let sink = Sink::start(&tmp.path().join("mail"), 0, &["--reject", "refuse"]);
    let store = Store::open(&tmp.path().join("data")).unwrap();
    fill(&store);
    for who in ["a@example.org", "refuse@example.org", "b@example.org"] {
        subscribe(&store, who, "animatrice", "{}", true);
    }
    let mut mail = mail(&store, sink.port, tmp.path()).await;
    mail.staff.clear();
    let week = Week::of(Utc::now());
    let report = digest::run_week(&store, &mail, week, Utc::now(), false)
        .await
        .unwrap();
    assert_eq!(report.delivery.sent, ["a@example.org", "b@example.org"]);
    assert_eq!(report.delivery.failed.len(), 1);
    assert!(report.delivery.failed[0].1.contains("550"), "{report:?}");
    let rows = store.outbox(&week.to_string()).unwrap();
    let refused = rows
        .iter()
        .find(|r| r.recipient == "refuse@example.org")
        .unwrap();
    assert_eq!(refused.status, "failed");
    assert_eq!(refused.attempts, 1, "a permanent error is not retried");
    let later = Utc::now() + chrono::Duration::days(1);
    let again = digest::deliver(&store, &mail, later).await.unwrap();
    assert!(again.sent.is_empty() && again.failed.is_empty());
    assert_eq!(sink.messages().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_send_then_restarted_resends_only_the_one_in_flight() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let recipients = [
        "a@example.org",
        "b@example.org",
        "c@example.org",
        "d@example.org",
    ];
    {
        let store = Store::open(&data).unwrap();
        fill(&store);
        for who in recipients {
            subscribe(&store, who, "animatrice numerique", "{}", true);
        }
    }
    let cfg = tmp.path().join("antenne.toml");
    let mut first = Sink::start(&tmp.path().join("first"), 0, &["--stall-at", "2"]);
    write_config(&cfg, first.port);
    let week = Week::of(Utc::now()).to_string();
    let send = [
        "--data",
        "data",
        "--config",
        "antenne.toml",
        "digest",
        "--week",
        &week,
    ];

    // A dry run prints the plan and records nothing.
    let dry = antenne(tmp.path(), &[&send[..], &["--dry-run"]].concat()).await;
    assert!(dry.status.success(), "{}", stderr(&dry));
    let out = stdout(&dry);
    assert!(out.contains("simulation"), "{out}");
    assert!(out.contains("abonné·e a@example.org"), "{out}");
    assert!(out.contains("Bretagne : 2"), "{out}");
    assert!(first.messages().is_empty());

    let mut sender = tokio::process::Command::new(env!("CARGO_BIN_EXE_antenne"))
        .args(send)
        .current_dir(tmp.path())
        .env_remove("ANTENNE_DATA")
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stalled = tokio::task::spawn_blocking(move || {
        let line = first.wait_for("STALLED ");
        (first, line)
    });
    let (first, line) = stalled.await.unwrap();
    let in_flight = line.strip_prefix("STALLED ").unwrap().to_owned();
    sender.kill().await.unwrap();
    let got_first: Vec<Value> = first.messages();
    assert_eq!(got_first.len(), 2);
    drop(first);

    let second = Sink::start(&tmp.path().join("second"), 0, &[]);
    write_config(&cfg, second.port);
    let run = antenne(tmp.path(), &send).await;
    assert!(run.status.success(), "{}", stderr(&run));
    let got_second = second.messages();
    let all: Vec<&Value> = got_first.iter().chain(&got_second).collect();
    for who in recipients {
        let copies: Vec<&&Value> = all.iter().filter(|m| rcpt(m) == who).collect();
        let expected = if who == in_flight { 2 } else { 1 };
        assert_eq!(copies.len(), expected, "{who}: {copies:?}");
        let ids: Vec<&str> = copies.iter().map(|m| header(m, "Message-ID")).collect();
        assert!(
            ids.windows(2).all(|w| w[0] == w[1]),
            "same Message-ID: {ids:?}"
        );
    }

    // A third run of the same week sends nothing.
    let again = antenne(tmp.path(), &send).await;
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(second.messages().len(), got_second.len());
    assert!(stdout(&again).contains("déjà prévu"), "{}", stdout(&again));
}

#[tokio::test]
async fn a_future_or_malformed_week_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    for week in ["2999-W01", "2026-48"] {
        let out = antenne(tmp.path(), &["digest", "--week", week, "--dry-run"]).await;
        assert_eq!(out.status.code(), Some(2), "{week}: {}", stderr(&out));
        assert!(stderr(&out).contains("--week"), "{}", stderr(&out));
    }
}

/// The rendered email, with fixed content, as a reader sees it.
#[test]
fn rendered_email_snapshot() {
    use antenne::digest::compose::{AdItem, Group, Section, SubscriberDigest, render_subscriber};
    let d = SubscriberDigest {
        week: "2026-W48".parse().unwrap(),
        span: "du 23 au 30 novembre 2026".into(),
        recipient: "lea@example.org".into(),
        sections: vec![Section {
            label: "« animatrice numérique » (région : Bretagne)".into(),
            manage_url: "https://antenne.example.org/abonnement/gerer?t=1.abc".into(),
            groups: vec![Group {
                name: "Bretagne".into(),
                ads: vec![AdItem {
                    title: "Animatrice numérique de territoire".into(),
                    url: "https://antenne.example.org/annonces/br000001".into(),
                    details: "Office de tourisme de Lannion · Lannion, Côtes-d'Armor (22)".into(),
                    facts: "CDD 12 mois · publiée le 24 novembre 2026".into(),
                    why: "mots trouvés : « Animatrice », « numérique » ; région : Bretagne ; conforme au référentiel ANT".into(),
                }],
            }],
        }],
        unsubscribe_url: "https://antenne.example.org/abonnement/desinscrire?e=lea%40example.org&t=xyz".into(),
        site_url: "https://antenne.example.org/".into(),
    };
    let r = render_subscriber(&d).unwrap();
    insta::assert_snapshot!("digest_subject", r.subject);
    insta::assert_snapshot!("digest_text", r.text);
    insta::assert_snapshot!("digest_html", r.html);
    let mut evil = d;
    evil.sections[0].groups[0].ads[0].title = "Animatrice <script>alert(1)</script> & co".into();
    let html = render_subscriber(&evil).unwrap().html;
    assert!(
        !html.contains("<script>") && html.contains("&#60;script&#62;"),
        "{html}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn antenne_run_sends_a_digest_missed_while_stopped_then_waits_for_monday() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    {
        let store = Store::open(&data).unwrap();
        fill(&store);
        subscribe(&store, "lea@example.org", "animatrice", "{}", true);
        // The service was stopped over the last Monday 08:00.
        let missed = Utc::now() - chrono::Duration::hours(3);
        store
            .set_meta(
                "digest_next_run",
                &format!("0 0 8 * * Mon|{}", missed.to_rfc3339()),
            )
            .unwrap();
    }
    let mut sink = Sink::start(&tmp.path().join("mail"), 0, &[]);
    let cfg = tmp.path().join("antenne.toml");
    write_config(&cfg, sink.port);
    let web = free_port();
    std::fs::write(
        &cfg,
        std::fs::read_to_string(&cfg)
            .unwrap()
            .replace("[web]\n", &format!("[web]\naddr = \"127.0.0.1:{web}\"\n")),
    )
    .unwrap();
    let mut service = tokio::process::Command::new(env!("CARGO_BIN_EXE_antenne"))
        .args(["--data", "data", "--config", "antenne.toml", "run"])
        .current_dir(tmp.path())
        .env_remove("ANTENNE_DATA")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let (sink, line) = tokio::task::spawn_blocking(move || {
        let line = sink.wait_for("RECEIVED ");
        (sink, line)
    })
    .await
    .unwrap();
    assert_eq!(line, "RECEIVED lea@example.org");
    // `antenne digest` runs beside the service (no data-directory lock) and finds the week
    // already sent.
    let beside = antenne(
        tmp.path(),
        &[
            "--data",
            "data",
            "--config",
            "antenne.toml",
            "digest",
            "--dry-run",
        ],
    )
    .await;
    assert!(beside.status.success(), "{}", stderr(&beside));
    assert!(
        stdout(&beside).contains("déjà prévu"),
        "{}",
        stdout(&beside)
    );
    service.kill().await.unwrap();
    assert_eq!(sink.messages().len(), 1);
    let store = Store::open(&data).unwrap();
    let next = store.meta("digest_next_run").unwrap().unwrap();
    let (_, at) = next.split_once('|').unwrap();
    let at = chrono::DateTime::parse_from_rfc3339(at).unwrap();
    assert!(at > Utc::now(), "{next}");
    let paris = at.with_timezone(&chrono_tz::Europe::Paris);
    assert_eq!(paris.format("%a %H:%M").to_string(), "Mon 08:00", "{next}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_process_at_a_time_delivers() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(&tmp.path().join("data")).unwrap();
    fill(&store);
    subscribe(&store, "lea@example.org", "animatrice", "{}", true);
    let mail = mail(&store, free_port(), tmp.path()).await;
    // Another process holds the delivery lock.
    let held = std::fs::File::create(tmp.path().join(digest::DELIVERY_LOCK_FILE)).unwrap();
    held.try_lock().unwrap();
    let err = digest::deliver(&store, &mail, Utc::now())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("another antenne process"), "{err}");
    drop(held);
    let rows = store.deliverable(Utc::now()).unwrap();
    assert!(rows.iter().all(|r| r.attempts == 0), "nothing was claimed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_sent_messages_lose_their_bytes_but_keep_their_row() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(&tmp.path().join("data")).unwrap();
    fill(&store);
    subscribe(&store, "lea@example.org", "animatrice", "{}", true);
    let mut mail = mail(&store, free_port(), tmp.path()).await;
    mail.staff.clear();
    // Nothing listens: the row stays pending, and pending rows are never pruned.
    let week = Week::of(Utc::now());
    digest::run_week(&store, &mail, week, Utc::now(), false)
        .await
        .unwrap();
    let later = Utc::now() + chrono::Duration::weeks(9);
    assert_eq!(store.prune_digest_bodies(later).unwrap(), 0);
    let sink = Sink::start(&tmp.path().join("mail"), 0, &[]);
    let mail = self::mail(&store, sink.port, tmp.path()).await;
    digest::deliver(&store, &mail, later).await.unwrap();
    assert_eq!(store.prune_digest_bodies(later).unwrap(), 1);
    let rows = store.outbox(&week.to_string()).unwrap();
    assert!(rows[0].message.is_empty());
    assert_eq!(rows[0].status, "sent");
    assert!(
        store
            .last_digest_windows()
            .unwrap()
            .contains_key("lea@example.org")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_credentials_come_from_the_environment() {
    let tmp = tempfile::tempdir().unwrap();
    {
        let store = Store::open(&tmp.path().join("data")).unwrap();
        fill(&store);
        subscribe(&store, "lea@example.org", "animatrice", "{}", true);
    }
    let sink = Sink::start(&tmp.path().join("mail"), 0, &["--auth", "veille:s3cret"]);
    let cfg = tmp.path().join("antenne.toml");
    write_config(&cfg, sink.port);
    let text = std::fs::read_to_string(&cfg).unwrap()
        + "username_env = \"ANTENNE_TEST_SMTP_USER\"\npassword_env = \"ANTENNE_TEST_SMTP_PASSWORD\"\n";
    std::fs::write(&cfg, text).unwrap();
    let args = ["--data", "data", "--config", "antenne.toml", "digest"];

    // A variable the file names but the environment lacks: a configuration error naming it.
    let missing = antenne(tmp.path(), &args).await;
    assert_eq!(missing.status.code(), Some(2), "{}", stderr(&missing));
    assert!(
        stderr(&missing).contains("smtp.username_env")
            && stderr(&missing).contains("ANTENNE_TEST_SMTP_USER"),
        "{}",
        stderr(&missing)
    );

    let env = [
        ("ANTENNE_TEST_SMTP_USER", "veille"),
        ("ANTENNE_TEST_SMTP_PASSWORD", "s3cret"),
    ];
    let sent = crate::util::antenne_env(tmp.path(), &args, &env).await;
    assert!(sent.status.success(), "{}", stderr(&sent));
    let msgs = sink.messages();
    assert_eq!(msgs.len(), 1, "{}", stdout(&sent));
    assert_eq!(msgs[0]["auth_login"], "veille");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_never_falls_back_to_plain_text() {
    let tmp = tempfile::tempdir().unwrap();
    // The sink offers no STARTTLS.
    let sink = Sink::start(&tmp.path().join("mail"), 0, &[]);
    let store = Store::open(&tmp.path().join("data")).unwrap();
    fill(&store);
    subscribe(&store, "lea@example.org", "animatrice", "{}", true);
    let mut cfg = config(Some(sink.port), "https://antenne.example.org");
    cfg.smtp.as_mut().unwrap().tls = "starttls".into();
    cfg.digest.staff.clear();
    let mut mail = Mail::open(&cfg, &store, tmp.path()).await.unwrap();
    mail.retry.first_delay = std::time::Duration::from_millis(1);
    let report = digest::run_week(&store, &mail, Week::of(Utc::now()), Utc::now(), false)
        .await
        .unwrap();
    assert!(report.delivery.sent.is_empty(), "{report:?}");
    assert_eq!(report.delivery.deferred.len(), 1, "{report:?}");
    assert!(sink.messages().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_written_to_a_file_carry_no_colours_and_no_addresses() {
    let tmp = tempfile::tempdir().unwrap();
    {
        let store = Store::open(&tmp.path().join("data")).unwrap();
        fill(&store);
        subscribe(&store, "lea@example.org", "animatrice", "{}", true);
    }
    let sink = Sink::start(&tmp.path().join("mail"), 0, &[]);
    write_config(&tmp.path().join("antenne.toml"), sink.port);
    let args = ["--data", "data", "--config", "antenne.toml", "digest"];
    let text = with_info_logs(tmp.path(), &args).await;
    assert!(text.status.success(), "{}", stderr(&text));
    let logs = stderr(&text);
    assert!(
        logs.contains("digest sent") && logs.contains("l…@example.org"),
        "{logs}"
    );
    assert!(
        !logs.contains('\u{1b}'),
        "no ANSI colours in a file: {logs:?}"
    );
    assert!(!logs.contains("lea@example.org"), "{logs}");
    assert_eq!(sink.messages().len(), 1);

    // As JSON, one object per line.
    let json_reindex = [
        "--data",
        "data",
        "--config",
        "antenne.toml",
        "--log-format",
        "json",
        "reindex",
    ];
    let json = with_info_logs(tmp.path(), &json_reindex).await;
    assert!(json.status.success(), "{}", stderr(&json));
    let lines: Vec<serde_json::Value> = stderr(&json)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(
        !lines.is_empty() && lines.iter().all(|l| l["level"].is_string()),
        "{lines:?}"
    );
}

/// Runs the binary with INFO logs on standard error, which is a pipe (as a file or the journal).
async fn with_info_logs(cwd: &std::path::Path, args: &[&str]) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_antenne"))
        .args(args)
        .current_dir(cwd)
        .env("RUST_LOG", "antenne=info")
        .kill_on_drop(true)
        .output()
        .await
        .unwrap()
}

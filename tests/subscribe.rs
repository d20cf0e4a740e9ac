//! Subscriptions through the web server: subscribe, confirm, manage, one-click unsubscribe
//! (RFC 8058), the form's rate limit, and the issue's done-when on the demo binary.

use std::path::Path;
use std::process::Stdio;

use antenne::digest::{self, Mail, Week};
use antenne::store::Store;
use chrono::Utc;

use crate::smtp::{Sink, config, fill, free_port, header, part, rcpt, subscribe};
use crate::util::{antenne, stderr, stdout};

/// Extracts the first `base…` URL from a text.
fn link(text: &str, start: &str) -> String {
    let at = text
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in {text}"));
    text[at..]
        .split(|c: char| c.is_whitespace() || c == '>' || c == '"')
        .next()
        .unwrap()
        .to_owned()
}

async fn post_form(
    client: &reqwest::Client,
    url: &str,
    body: &str,
) -> (reqwest::StatusCode, String) {
    let r = client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

/// Serves the site on 127.0.0.1 with mail to `smtp` (or the outbox folder) and no staff
/// recipients; returns its URL and the mail settings.
async fn site(store: &Store, smtp: Option<u16>, dir: &Path) -> (String, std::sync::Arc<Mail>) {
    let index = antenne::index::SearchIndex::in_memory().unwrap();
    index
        .rebuild(&store.postings().unwrap(), store.generation().unwrap())
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut cfg = config(smtp, &base);
    cfg.digest.staff.clear();
    let mail = std::sync::Arc::new(Mail::open(&cfg, store, dir).await.unwrap());
    let state = antenne::web::AppState {
        store: store.clone(),
        index: std::sync::Arc::new(index),
        base_url: base.clone(),
        api_limit: (0, 1),
        cache: std::sync::Arc::default(),
        mail: Some(mail.clone()),
        site: std::sync::Arc::default(),
        rules: std::sync::Arc::new(antenne::rules::RuleSet::builtin().unwrap()),
        network: std::sync::Arc::default(),
    };
    tokio::spawn(antenne::web::serve(state, listener, std::future::pending()));
    (base, mail)
}

/// Presses the button of the page a confirmation link opens (a POST of its token).
async fn confirm_by_button(client: &reqwest::Client, base: &str, link: &str) {
    let token: String = url::Url::parse(link)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "t")
        .unwrap()
        .1
        .into_owned();
    let (status, body) = post_form(
        client,
        &format!("{base}/abonnement/confirmer"),
        &form(&[("t", &token)]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Abonnement confirmé"), "{body}");
}

async fn get_text(client: &reqwest::Client, url: &str) -> String {
    client.get(url).send().await.unwrap().text().await.unwrap()
}

pub(crate) fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribe_confirm_digest_and_one_click_unsubscribe() {
    let tmp = tempfile::tempdir().unwrap();
    let sink = Sink::start(&tmp.path().join("mail"), 0, &[]);
    let store = Store::open(&tmp.path().join("data")).unwrap();
    fill(&store);
    let (base, mail) = site(&store, Some(sink.port), tmp.path()).await;
    let client = http_client();

    // The search page offers the subscription with the current search.
    let page = client
        .get(format!("{base}/?q=animatrice+numerique+bretagne"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("action=\"/abonnement\""), "{page}");
    assert!(page.contains("name=\"q\" value=\"animatrice numerique bretagne\""));

    // A bad address is refused with a French message; nothing is stored or sent.
    let (status, body) = post_form(
        &client,
        &format!("{base}/abonnement"),
        &form(&[("email", "pas-une-adresse"), ("q", "animatrice")]),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body.contains("Adresse électronique invalide"), "{body}");

    let (status, body) = post_form(
        &client,
        &format!("{base}/abonnement"),
        &form(&[
            ("email", "Lea@Example.org"),
            ("q", "animatrice numerique bretagne"),
            ("region", ""),
        ]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Vérifiez votre messagerie"), "{body}");
    let msgs = sink.messages();
    assert_eq!(msgs.len(), 1);
    assert_eq!(rcpt(&msgs[0]), "lea@example.org");
    assert!(header(&msgs[0], "Subject").starts_with("Confirmez votre abonnement"));
    let confirm = link(
        part(&msgs[0], "text/plain"),
        &format!("{base}/abonnement/confirmer"),
    );

    // Nothing goes out before confirmation.
    let week = Week::of(Utc::now());
    let early = digest::run_week(&store, &mail, week, Utc::now(), true)
        .await
        .unwrap();
    assert!(early.planned.is_empty(), "{early:?}");

    // A tampered token is refused.
    let (status, _) = post_form(
        &client,
        &format!("{base}/abonnement/confirmer"),
        &form(&[("t", "1.AAAAAAAAAAAAAAAAAAAAAA")]),
    )
    .await;
    assert_eq!(status, 400);

    // The link shows a button; the button confirms.
    let page = get_text(&client, &confirm).await;
    assert!(page.contains("Confirmer mon abonnement"), "{page}");
    confirm_by_button(&client, &base, &confirm).await;

    // The digest comes, with the Breton ads only and working unsubscribe headers.
    let report = digest::run_week(&store, &mail, week, Utc::now(), false)
        .await
        .unwrap();
    assert_eq!(report.delivery.sent, ["lea@example.org"]);
    let msgs = sink.messages();
    let d = &msgs[1];
    let text = part(d, "text/plain");
    assert!(text.contains("Bretagne (2)"), "{text}");
    assert!(!text.contains("Arcachon"));
    let manage = link(text, &format!("{base}/abonnement/gerer"));
    let page = get_text(&client, &manage).await;
    assert!(page.contains("Mettre en pause"), "{page}");
    assert!(page.contains("lea@example.org"));

    let list_unsubscribe = header(d, "List-Unsubscribe")
        .trim_matches(['<', '>'])
        .to_owned();
    assert!(list_unsubscribe.starts_with(&format!("{base}/abonnement/desinscrire?")));
    // The footer link (a GET, as a mail scanner would fetch it) only shows a button.
    let page = get_text(&client, &list_unsubscribe).await;
    assert!(page.contains("Me désabonner"), "{page}");
    assert_eq!(store.subscriptions().unwrap().len(), 1);
    // RFC 8058: a POST with this body, no cookie, no login.
    let (status, body) = post_form(&client, &list_unsubscribe, "List-Unsubscribe=One-Click").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("désabonné"), "{body}");
    assert!(store.subscriptions().unwrap().is_empty());
    // Again: still fine (idempotent). A forged signature is refused.
    let (status, _) = post_form(&client, &list_unsubscribe, "List-Unsubscribe=One-Click").await;
    assert_eq!(status, 200);
    let forged = list_unsubscribe.replace("lea%40example.org", "yann%40example.org");
    let (status, _) = post_form(&client, &forged, "List-Unsubscribe=One-Click").await;
    assert_eq!(status, 400);
    // The old management link no longer works.
    let status = client.get(&manage).send().await.unwrap().status();
    assert_eq!(status, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_management_page_pauses_changes_and_deletes() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(&tmp.path().join("data")).unwrap();
    fill(&store);
    // No SMTP: messages go to the outbox folder.
    let (base, mail) = site(&store, None, tmp.path()).await;
    let id = subscribe(&store, "lea@example.org", "animatrice", "{}", true);
    let sub = store.subscription(id).unwrap().unwrap();
    let token =
        mail.links
            .signer()
            .subscription_token(digest::links::Purpose::Manage, id, &sub.nonce);
    let client = http_client();
    let url = format!("{base}/abonnement/gerer");
    let (status, body) =
        post_form(&client, &url, &form(&[("t", &token), ("action", "pause")])).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("en pause"), "{body}");
    assert!(store.subscription(id).unwrap().unwrap().paused_at.is_some());
    // Paused: the week's digest skips it.
    let report = digest::run_week(&store, &mail, Week::of(Utc::now()), Utc::now(), true)
        .await
        .unwrap();
    assert!(
        report.planned.iter().all(|p| p.kind == "staff"),
        "{report:?}"
    );

    let (status, _) = post_form(
        &client,
        &url,
        &form(&[
            ("t", &token),
            ("action", "change"),
            ("q", "animateur"),
            ("region", "Bretagne"),
        ]),
    )
    .await;
    assert_eq!(status, 200);
    let sub = store.subscription(id).unwrap().unwrap();
    assert_eq!(sub.query, "animateur");
    assert_eq!(sub.filters, r#"{"region":"Bretagne"}"#);
    let (status, _) = post_form(&client, &url, &form(&[("t", &token), ("action", "resume")])).await;
    assert_eq!(status, 200);
    assert!(store.subscription(id).unwrap().unwrap().is_active());
    // Without SMTP the digest lands as an .eml file in the outbox.
    let report = digest::run_week(&store, &mail, Week::of(Utc::now()), Utc::now(), false)
        .await
        .unwrap();
    assert!(report.delivery.sent.contains(&"lea@example.org".to_owned()));
    let files: Vec<_> = std::fs::read_dir(tmp.path().join("outbox"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        files
            .iter()
            .any(|f| f.ends_with(".eml") && f.starts_with("digest.")),
        "{files:?}"
    );

    let (status, body) =
        post_form(&client, &url, &form(&[("t", &token), ("action", "delete")])).await;
    assert_eq!(status, 200);
    assert!(body.contains("Abonnement supprimé"));
    assert!(store.subscription(id).unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_subscription_form_is_rate_limited_per_client() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(&tmp.path().join("data")).unwrap();
    let (base, _mail) = site(&store, None, tmp.path()).await;
    let client = http_client();
    let url = format!("{base}/abonnement");
    let body = form(&[("email", "x@example.org"), ("q", "animatrice")]);
    for _ in 0..antenne::web::limits::SUBSCRIBE_BURST {
        let (status, page) = post_form(&client, &url, &body).await;
        assert_eq!(status, 200, "{page}");
    }
    let r = client
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    assert!(r.text().await.unwrap().contains("Trop de demandes"));
    // One subscription, one confirmation: asking again did not mail the address again.
    assert_eq!(store.subscriptions().unwrap().len(), 1);
    let files = std::fs::read_dir(tmp.path().join("outbox"))
        .unwrap()
        .count();
    assert_eq!(files, 1);
}

/// The issue's "done when", on the demo itself: subscribe to « animatrice numerique
/// bretagne », confirm from the email, and the next digest reaches the SMTP server grouped by
/// région with working unsubscribe headers; a second run of the week sends nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_the_demo_a_visitor_subscribes_and_the_next_digest_arrives() {
    assert!(
        antenne::cli::DEMO_FROM
            .parse::<lettre::message::Mailbox>()
            .is_ok()
    );
    let tmp = tempfile::tempdir().unwrap();
    let mut sink = Sink::start(&tmp.path().join("mail"), 0, &[]);
    let addr = format!("127.0.0.1:{}", free_port());
    let base = format!("http://{addr}");
    let smtp = format!("127.0.0.1:{}", sink.port);
    let mut demo = tokio::process::Command::new(env!("CARGO_BIN_EXE_antenne"))
        .args(["--data", "data", "demo", "--addr", &addr, "--smtp", &smtp])
        .current_dir(tmp.path())
        .env_remove("ANTENNE_DATA")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let printed = crate::util::until_ready(&mut demo).await;
    assert!(
        printed.contains(&format!("{base}/revue/resume")),
        "{printed}"
    );
    assert!(printed.contains(&smtp), "{printed}");

    let client = http_client();
    let (status, body) = post_form(
        &client,
        &format!("{base}/abonnement"),
        &form(&[
            ("email", "visiteuse@example.org"),
            ("q", "animatrice numerique bretagne"),
        ]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let sink = tokio::task::spawn_blocking(move || {
        sink.wait_for("RECEIVED ");
        sink
    })
    .await
    .unwrap();
    let confirm = link(
        part(&sink.messages()[0], "text/plain"),
        &format!("{base}/abonnement/confirmer"),
    );
    confirm_by_button(&client, &base, &confirm).await;

    // The next digest, from the command line beside the running demo.
    std::fs::write(
        tmp.path().join("antenne.toml"),
        format!(
            "[web]\nbase_url = \"{base}\"\n\n[smtp]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\n\
             from = \"Veille antenne <veille@antenne.example.org>\"\n",
            sink.port
        ),
    )
    .unwrap();
    let args = ["--data", "data", "--config", "antenne.toml", "digest"];
    let run = antenne(tmp.path(), &args).await;
    assert!(run.status.success(), "{}", stderr(&run));
    let msgs = sink.messages();
    assert_eq!(msgs.len(), 2, "{}", stdout(&run));
    let d = &msgs[1];
    assert_eq!(rcpt(d), "visiteuse@example.org");
    let text = part(d, "text/plain");
    assert!(text.contains("-- Bretagne ("), "{text}");
    assert_eq!(
        text.matches("\n-- ").count(),
        2,
        "one région, then the signature: {text}"
    );
    assert_eq!(
        header(d, "List-Unsubscribe-Post"),
        "List-Unsubscribe=One-Click"
    );
    let again = antenne(tmp.path(), &args).await;
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(stdout(&again).contains("déjà prévu"), "{}", stdout(&again));
    assert_eq!(sink.messages().len(), 2);
    let unsubscribe = header(d, "List-Unsubscribe").trim_matches(['<', '>']);
    let (status, body) = post_form(&client, unsubscribe, "List-Unsubscribe=One-Click").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("désabonné"), "{body}");
    demo.kill().await.unwrap();
}

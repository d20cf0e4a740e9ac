//! The pages in a real browser: headless Chromium over WebDriver (Debian's `chromium` and
//! `chromium-driver`, installed by `.ci/run`). Search, a facet, pagination, an ad page, an
//! ad carrying script payloads that must stay inert, the review queue, and a subscription
//! from the search page to the weekly digest on a real SMTP server.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use antenne::app::App;
use antenne::config::Config;
use antenne::model::RawPosting;
use antenne::rules::RuleSet;
use fantoccini::{Client, ClientBuilder, Locator};

/// Kills a child process when dropped.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_for_port(port: u16) {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("nothing listens on 127.0.0.1:{port}");
}

/// A data directory with the development corpus's ANT ads (two régions) and one ad full of
/// script payloads.
pub(crate) async fn prepare(dir: &std::path::Path) {
    let app = App::open(Config::default(), dir, RuleSet::builtin().unwrap(), true)
        .await
        .unwrap();
    let mut postings = Vec::new();
    let corpus =
        std::fs::read_to_string(crate::util::root().join("fixtures/corpus/dev.jsonl")).unwrap();
    for (i, line) in corpus.lines().enumerate() {
        let ad: serde_json::Value = serde_json::from_str(line).unwrap();
        if ad["label"] != "ant" {
            continue;
        }
        let (city, postcode) = if i % 3 == 0 {
            ("Brest", "29200")
        } else {
            ("Libourne", "33500")
        };
        let raw = RawPosting {
            url: Some(format!("https://board.example/ads/{i}")),
            title: Some(format!(
                "Animatrice numérique de territoire – {}",
                ad["employer"].as_str().unwrap()
            )),
            employer: ad["employer"].as_str().map(str::to_owned),
            description: ad["description"].as_str().map(str::to_owned),
            location: antenne::model::RawLocation {
                city: Some(city.into()),
                postcode: Some(postcode.into()),
                ..Default::default()
            },
            contract: Some("CDI".into()),
            published: Some(format!("2026-11-{:02}", 1 + i % 28)),
            // The corpus ads' own deadlines have passed: keep them open.
            valid_through: Some("2027-06-30".into()),
            ..RawPosting::default()
        };
        postings.push(antenne::normalize::normalize(raw).unwrap());
    }
    let evil = RawPosting {
        url: Some("https://board.example/ads/evil".into()),
        title: Some("Animatrice numérique <script>window.xssFired = 1</script>".into()),
        employer: Some("Office de tourisme <img src=x onerror=\"window.xssFired = 2\">".into()),
        description: Some(
            "Ateliers collectifs pour les prestataires de l'office de tourisme. &lt;script&gt;window.xssFired = 3&lt;/script&gt; \
             <a href=\"javascript:window.xssFired = 4\">cliquez</a> <img src=x onerror=\"window.xssFired = 5\"> \
             <svg onload=\"window.xssFired = 6\"></svg> javascript:alert(7)"
                .into(),
        ),
        ..RawPosting::default()
    };
    postings.push(antenne::normalize::normalize(evil).unwrap());
    let store = app.store.clone();
    let rules = app.rules.clone();
    let near = app.near.clone();
    store
        .run(move |s| {
            let mut index = near.lock().unwrap();
            for p in postings {
                let url = p.url.clone().unwrap();
                antenne::pipeline::keep_posting(
                    s,
                    &mut index,
                    &rules,
                    "board",
                    &url,
                    p,
                    chrono::Utc::now(),
                )
                .unwrap();
            }
        })
        .await;
    app.sync_index(true).await.unwrap();
}

/// Waits until the browser has navigated to a URL containing `needle`, so that no element of
/// the previous page is read.
pub(crate) async fn arrive(c: &Client, needle: &str) {
    for _ in 0..200 {
        if c.current_url().await.unwrap().as_str().contains(needle) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the browser never reached a URL containing {needle:?}");
}

async fn browser(profile: &std::path::Path) -> (KillOnDrop, Client) {
    for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
        assert!(
            std::path::Path::new(tool).exists(),
            "{tool} is missing: install Debian's chromium and chromium-driver (apt-get install chromium chromium-driver), as .ci/run does"
        );
    }
    let port = free_port();
    let driver = Command::new("/usr/bin/chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let driver = KillOnDrop(driver);
    wait_for_port(port).await;
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--disable-quic", "--window-size=1280,900",
                     format!("--user-data-dir={}", profile.display())]
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .unwrap();
    (driver, client)
}

/// `antenne serve` on a free loopback port over `data`, and a fresh headless browser.
pub(crate) struct Site {
    _server: KillOnDrop,
    _driver: KillOnDrop,
    _profile: tempfile::TempDir,
    pub(crate) client: Client,
    pub(crate) base: String,
}

impl Site {
    pub(crate) async fn serve(cwd: &std::path::Path, data: &std::path::Path) -> Site {
        Self::serve_with(cwd, data, "").await
    }

    /// Serves with a configuration file holding the site's URL plus `extra` TOML.
    async fn serve_with(cwd: &std::path::Path, data: &std::path::Path, extra: &str) -> Site {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let config = cwd.join("antenne.toml");
        std::fs::write(&config, format!("[web]\nbase_url = \"{base}\"\n\n{extra}")).unwrap();
        let server = Command::new(env!("CARGO_BIN_EXE_antenne"))
            .args([
                "--data",
                data.to_str().unwrap(),
                "--config",
                config.to_str().unwrap(),
                "serve",
                "--addr",
                &format!("127.0.0.1:{port}"),
            ])
            .current_dir(cwd)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let server = KillOnDrop(server);
        wait_for_port(port).await;
        let profile = tempfile::tempdir().unwrap();
        let (driver, client) = browser(profile.path()).await;
        Site {
            _server: server,
            _driver: driver,
            _profile: profile,
            client,
            base,
        }
    }
}

/// Fills the login form on the page shown and waits for the review queue.
pub(crate) async fn log_in(c: &Client) {
    type_in(c, "#email", "revue@federation.example").await;
    type_in(c, "#password", "un mot de passe assez long").await;
    click(c, "#login").await;
    c.wait()
        .for_element(Locator::Css("table.queue"))
        .await
        .unwrap();
}

/// Waits for the element `css` and types `text` into it.
pub(crate) async fn type_in(c: &Client, css: &str, text: &str) {
    c.wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .send_keys(text)
        .await
        .unwrap();
}

/// Clicks the element `css`.
pub(crate) async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Waits until the page's main heading reads `expected`.
pub(crate) async fn heading(c: &Client, expected: &str) {
    let mut last = String::new();
    for _ in 0..200 {
        if let Ok(h) = c.find(Locator::Css("main h1")).await {
            last = h.text().await.unwrap_or_default();
            if last == expected {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the page heading never read {expected:?} (last: {last:?})");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_facet_pagination_ad_page_and_inert_payloads() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    prepare(&data).await;
    let site = Site::serve(work.path(), &data).await;
    let (c, base) = (site.client.clone(), site.base.clone());

    // Search by typing, as a person would.
    c.goto(&format!("{base}/")).await.unwrap();
    type_in(&c, "#q", "animatrice").await;
    click(&c, "#go").await;
    arrive(&c, "q=animatrice").await;
    let count = c
        .wait()
        .for_element(Locator::Css("#res .count"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let total: usize = count.trim_end_matches(" offres").parse().unwrap();
    assert!(total > 20, "{count}");
    assert_eq!(
        c.find_all(Locator::Css("ol.results > li"))
            .await
            .unwrap()
            .len(),
        20
    );

    // A facet narrows the results, and the state lives in the URL.
    c.find(Locator::LinkText("Bretagne"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    arrive(&c, "region=Bretagne").await;
    let narrowed = c
        .wait()
        .for_element(Locator::Css("#res .count"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let in_brittany: usize = narrowed
        .trim_end_matches(" offres")
        .trim_end_matches(" offre")
        .parse()
        .unwrap();
    assert!(in_brittany > 0 && in_brittany < total, "{narrowed}");
    let links = c.find_all(Locator::Css("ol.results .meta")).await.unwrap();
    for meta in links {
        assert!(meta.text().await.unwrap().contains("Bretagne"));
    }
    assert!(
        c.current_url()
            .await
            .unwrap()
            .as_str()
            .contains("region=Bretagne")
    );

    // Pagination.
    c.goto(&format!("{base}/?q=animatrice")).await.unwrap();
    click(&c, "a[rel=next]").await;
    arrive(&c, "page=2").await;
    c.wait()
        .for_element(Locator::Css("a[rel=prev]"))
        .await
        .unwrap();
    assert_eq!(
        c.find_all(Locator::Css("ol.results > li"))
            .await
            .unwrap()
            .len(),
        total - 20
    );

    // An ad page with its verdict explained.
    click(&c, "ol.results h3 a").await;
    arrive(&c, "/annonces/").await;
    let h1 = c
        .wait()
        .for_element(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(h1.starts_with("Animatrice numérique"), "{h1}");
    let verdict = c
        .find(Locator::Css("#verdict-title"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(verdict.contains("référentiel ANT"), "{verdict}");

    // The ad full of payloads renders inert: no script ran, no dialog opened.
    c.goto(&format!("{base}/?q=cliquez&all=1")).await.unwrap();
    click(&c, "ol.results h3 a").await;
    arrive(&c, "/annonces/").await;
    let title = c
        .wait()
        .for_element(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        title, "Animatrice numérique",
        "markup in a title is dropped when the ad is read"
    );
    let text = c
        .find(Locator::Css("section.description"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("<script>window.xssFired = 3</script>"),
        "an escaped payload shows as text: {text}"
    );
    assert!(
        c.find_all(Locator::Css(
            "article img, article svg, article a[href^='javascript']"
        ))
        .await
        .unwrap()
        .is_empty()
    );
    let fired = c
        .execute(
            "return window.xssFired === undefined ? null : window.xssFired;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(fired, serde_json::Value::Null, "a payload ran");
    assert!(c.get_alert_text().await.is_err(), "no dialog is open");
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewer_logs_in_moves_with_the_keyboard_lifts_a_flag_and_undoes_it() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    {
        let app = App::open(Config::default(), &data, RuleSet::builtin().unwrap(), true)
            .await
            .unwrap();
        let wm = RawPosting {
            url: Some("https://board.example/ads/wm".into()),
            title: Some("Animateur numérique de territoire (H/F)".into()),
            employer: Some("Office de tourisme du Val".into()),
            description: Some("Administrer le site internet de l'office de tourisme sous WordPress, référencement naturel (SEO), \
                               intégration HTML et CSS, statistiques Google Analytics, refonte du site web.".into()),
            valid_through: Some("2030-01-01".into()),
            ..RawPosting::default()
        };
        let p = antenne::normalize::normalize(wm).unwrap();
        let (rules, near) = (app.rules.clone(), app.near.clone());
        app.store
            .run(move |s| {
                let mut index = near.lock().unwrap();
                antenne::pipeline::keep_posting(
                    s,
                    &mut index,
                    &rules,
                    "board",
                    "https://board.example/ads/wm",
                    p,
                    chrono::Utc::now(),
                )
                .unwrap();
                let hash =
                    antenne::web::staff::hash_password("un mot de passe assez long").unwrap();
                s.create_user("revue@federation.example", &hash, chrono::Utc::now())
                    .unwrap();
            })
            .await;
    }
    let site = Site::serve(work.path(), &data).await;
    let (c, base) = (site.client.clone(), site.base.clone());

    // Anonymous: the queue sends to the login page.
    c.goto(&format!("{base}/revue")).await.unwrap();
    arrive(&c, "/connexion").await;
    log_in(&c).await;
    assert!(c.current_url().await.unwrap().path().ends_with("/revue"));

    // j selects the first ad of the queue and focuses its link.
    type_in(&c, "body", "j").await;
    let selected = c
        .find_all(Locator::Css("table.queue tbody tr.selected"))
        .await
        .unwrap();
    assert_eq!(selected.len(), 1, "j selects a row");
    let focused = c
        .execute(
            "return document.activeElement.getAttribute('href');",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        focused.as_str().unwrap().starts_with("/revue/annonces/"),
        "{focused}"
    );
    selected[0]
        .find(Locator::Css("a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    arrive(&c, "/revue/annonces/").await;
    assert!(
        !c.find_all(Locator::Css(".ad-text mark"))
            .await
            .unwrap()
            .is_empty(),
        "evidence is highlighted"
    );

    // Lift the flag with a reason.
    type_in(&c, "#reason", "les prestataires sont accompagnés").await;
    click(&c, "#lift").await;
    let mut status = String::new();
    for _ in 0..100 {
        if let Ok(e) = c.find(Locator::Css("#review-status")).await {
            status = e.text().await.unwrap_or_default();
        }
        if status == "levé" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(status, "levé");
    assert!(
        c.source()
            .await
            .unwrap()
            .contains("les prestataires sont accompagnés"),
        "the reason is in the history"
    );

    // u undoes it, from the keyboard.
    type_in(&c, "body", "u").await;
    for _ in 0..100 {
        if let Ok(e) = c.find(Locator::Css("#review-status")).await {
            status = e.text().await.unwrap_or_default();
        }
        if status == "à traiter" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(status, "à traiter");
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_subscribes_confirms_and_the_weekly_digest_arrives() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    prepare(&data).await;
    {
        let store = antenne::store::Store::open(&data).unwrap();
        let hash = antenne::web::staff::hash_password("un mot de passe assez long").unwrap();
        store
            .create_user("revue@federation.example", &hash, chrono::Utc::now())
            .unwrap();
    }
    let sink = crate::smtp::Sink::start(&work.path().join("mail"), 0, &[]);
    let smtp = format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nfrom = \"Veille antenne <veille@antenne.example.org>\"\n",
        sink.port
    );
    let site = Site::serve_with(work.path(), &data, &smtp).await;
    let (c, base) = (site.client.clone(), site.base.clone());

    // The visitor searches, then subscribes to this search from the results page.
    c.goto(&format!("{base}/?q=animatrice+numerique+bretagne"))
        .await
        .unwrap();
    type_in(&c, "#email", "lea@example.org").await;
    click(&c, "#subscribe").await;
    heading(&c, "Vérifiez votre messagerie").await;
    let (sink, _) = tokio::task::spawn_blocking(move || {
        let mut sink = sink;
        let line = sink.wait_for("RECEIVED ");
        (sink, line)
    })
    .await
    .unwrap();
    let confirmation = &sink.messages()[0];
    let text = confirmation["parts"]["text/plain"].as_str().unwrap();
    let at = text.find(&format!("{base}/abonnement/confirmer")).unwrap();
    let link: String = text[at..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();

    // From the email: the link, then the button.
    c.goto(&link).await.unwrap();
    heading(&c, "Confirmer l'abonnement").await;
    click(&c, "#confirm").await;
    heading(&c, "Abonnement confirmé").await;

    // Staff send the week's digest from the review space.
    c.goto(&format!("{base}/connexion")).await.unwrap();
    log_in(&c).await;
    c.goto(&format!("{base}/revue/resume")).await.unwrap();
    heading(
        &c,
        &format!(
            "Résumé hebdomadaire, semaine {}",
            antenne::digest::Week::of(chrono::Utc::now())
        ),
    )
    .await;
    click(&c, "#send-digest").await;
    c.wait()
        .for_element(Locator::Css("table.data"))
        .await
        .unwrap();
    // The handler sends before answering: the digest is in the sink now.
    let messages = sink.messages();
    assert_eq!(messages.len(), 2, "{messages:?}");
    let digest = &messages[1];
    assert_eq!(digest["rcpt_tos"][0], "lea@example.org");
    let text = digest["parts"]["text/plain"].as_str().unwrap();
    assert!(text.contains("-- Bretagne ("), "{text}");
    assert!(!text.contains("Nouvelle-Aquitaine"), "{text}");
    let table = c
        .find(Locator::Css("table.data"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        table.contains("lea@example.org") && table.contains("envoyé"),
        "{table}"
    );

    // Sending the week again, here from the command line beside the server, sends nothing.
    let again = crate::util::antenne(
        work.path(),
        &["--data", "data", "--config", "antenne.toml", "digest"],
    )
    .await;
    assert!(again.status.success(), "{}", crate::util::stderr(&again));
    assert!(
        crate::util::stdout(&again).contains("lea@example.org : déjà prévu"),
        "{}",
        crate::util::stdout(&again)
    );
    assert_eq!(sink.messages().len(), 2);

    // The one-click unsubscribe header works (RFC 8058: a POST, no cookie).
    let unsubscribe = digest["headers"]["List-Unsubscribe"]
        .as_str()
        .unwrap()
        .trim_matches(['<', '>'])
        .to_owned();
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, urllib.request; r = urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=b'List-Unsubscribe=One-Click', method='POST')); print(r.status)",
            &unsubscribe,
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "200",
        "{out:?}"
    );
    let store = antenne::store::Store::open_shared(&data).unwrap();
    assert!(store.subscriptions().unwrap().is_empty());
}

//! Helpers for the mail tests: a real SMTP server on 127.0.0.1 (aiosmtpd, run from
//! `tests/support/smtp_sink.py`, installed by `.ci/run`), and a small store of ads and
//! subscriptions.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

use antenne::config::{Config, SmtpConfig};
use antenne::digest::Mail;
use antenne::model::{Location, Posting};
use antenne::rules::RuleSet;
use antenne::store::Store;
use chrono::Utc;
use serde_json::Value;

/// A running SMTP sink; killed on drop.
pub(crate) struct Sink {
    child: Child,
    out: BufReader<ChildStdout>,
    pub(crate) port: u16,
    dir: PathBuf,
}

impl Sink {
    pub(crate) fn start(dir: &Path, port: u16, extra: &[&str]) -> Self {
        let script = crate::util::root().join("tests/support/smtp_sink.py");
        let mut child = Command::new("python3")
            .arg(script)
            .args(["--port", &port.to_string(), "--dir"])
            .arg(dir)
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs (bash .ci/run installs aiosmtpd)");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .unwrap_or_else(|| panic!("the sink did not start (is aiosmtpd installed?): {line:?}"))
            .parse()
            .unwrap();
        Self {
            child,
            out,
            port,
            dir: dir.to_owned(),
        }
    }

    /// Waits for the sink's next line starting with `prefix` (such as `STALLED `).
    pub(crate) fn wait_for(&mut self, prefix: &str) -> String {
        loop {
            let mut line = String::new();
            assert!(
                self.out.read_line(&mut line).unwrap() > 0,
                "the sink stopped"
            );
            if line.starts_with(prefix) {
                return line.trim().to_owned();
            }
        }
    }

    /// Messages received so far, decoded by Python's email package, in order.
    pub(crate) fn messages(&self) -> Vec<Value> {
        messages_in(&self.dir)
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn messages_in(dir: &Path) -> Vec<Value> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "json"));
    files.sort();
    files
        .iter()
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect()
}

pub(crate) fn rcpt(m: &Value) -> String {
    m["rcpt_tos"][0].as_str().unwrap().to_owned()
}

pub(crate) fn header<'a>(m: &'a Value, name: &str) -> &'a str {
    m["headers"][name].as_str().unwrap_or_default()
}

pub(crate) fn part<'a>(m: &'a Value, kind: &str) -> &'a str {
    m["parts"][kind].as_str().unwrap_or_default()
}

/// A port nothing listens on (bound, then released).
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) fn ad(
    id: &str,
    title: &str,
    city: &str,
    dept: &str,
    code: &str,
    region: &str,
) -> Posting {
    Posting {
        id: id.into(),
        title: title.into(),
        description: format!(
            "L'office de tourisme de {city} recrute. Vous animez des ateliers collectifs pour les prestataires, \
             réalisez le diagnostic numérique des hébergeurs et assurez des rendez-vous individuels chez les \
             restaurateurs. Accompagner les prestataires dans leur présence en ligne."
        ),
        employer: Some(format!("Office de tourisme de {city}")),
        location: Location {
            city: Some(city.into()),
            department: Some(dept.into()),
            department_code: Some(code.into()),
            region: Some(region.into()),
            ..Location::default()
        },
        contract: Some("CDD".into()),
        published: chrono::NaiveDate::from_ymd_opt(2026, 11, 24),
        ..Posting::default()
    }
}

pub(crate) fn webmaster() -> Posting {
    let mut p = ad(
        "wm000001",
        "Animateur numérique de territoire",
        "Vannes",
        "Morbihan",
        "56",
        "Bretagne",
    );
    p.description = "Administrer le site internet de l'office de tourisme sous WordPress, référencement naturel (SEO), \
                     intégration HTML et CSS, statistiques Google Analytics, refonte du site web."
        .into();
    p
}

/// Stores three ANT ads (two in Bretagne, one in Gironde) and one flagged webmaster ad.
pub(crate) fn fill(store: &Store) {
    let rules = RuleSet::builtin().unwrap();
    for p in [
        ad(
            "br000001",
            "Animatrice numérique de territoire",
            "Lannion",
            "Côtes-d'Armor",
            "22",
            "Bretagne",
        ),
        ad(
            "br000002",
            "Animateur numérique de territoire (H/F)",
            "Quimper",
            "Finistère",
            "29",
            "Bretagne",
        ),
        ad(
            "gi000001",
            "Animatrice numérique de territoire",
            "Arcachon",
            "Gironde",
            "33",
            "Nouvelle-Aquitaine",
        ),
        webmaster(),
    ] {
        let v = rules.evaluate(&p);
        store
            .upsert_posting(
                "board",
                &format!("http://127.0.0.1/{}", p.id),
                &p,
                &v,
                Utc::now(),
            )
            .unwrap();
    }
}

pub(crate) fn subscribe(
    store: &Store,
    email: &str,
    q: &str,
    filters: &str,
    confirmed: bool,
) -> i64 {
    let s = store
        .add_subscription(email, q, filters, Utc::now())
        .unwrap();
    if confirmed {
        store.confirm_subscription(s.id, Utc::now()).unwrap();
    }
    s.id
}

pub(crate) fn config(port: Option<u16>, base_url: &str) -> Config {
    let mut c = Config::default();
    c.web.base_url = base_url.into();
    c.smtp = port.map(|port| SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        tls: "none".into(),
        username_env: None,
        password_env: None,
        from: "Veille antenne <veille@antenne.example.org>".into(),
    });
    c.digest.staff = vec!["revue@antenne.example.org".into()];
    c
}

pub(crate) async fn mail(store: &Store, port: u16, dir: &Path) -> Mail {
    let mut m = Mail::open(
        &config(Some(port), "https://antenne.example.org"),
        store,
        dir,
    )
    .await
    .unwrap();
    m.retry.first_delay = std::time::Duration::from_millis(1);
    m
}

pub(crate) fn write_config(path: &Path, port: u16) {
    std::fs::write(
        path,
        format!(
            "[web]\nbase_url = \"https://antenne.example.org\"\n\n[smtp]\nhost = \"127.0.0.1\"\nport = {port}\n\
             tls = \"none\"\nfrom = \"Veille antenne <veille@antenne.example.org>\"\n"
        ),
    )
    .unwrap();
}

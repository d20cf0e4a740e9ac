//! The command line: clap definitions and one function per command. `anyhow` stops here.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::app::App;
use crate::config::{Config, ConfigError};
use crate::index::SearchQuery;
use crate::normalize::places;
use crate::rules::RuleSet;
use crate::simulator::{Boards, Simulator};
use crate::store::{RunRecord, Store};
use crate::{export, pipeline, scheduler, web};

mod ads;
mod fit;
mod progress;

/// Sender of the demo's mail.
pub const DEMO_FROM: &str = "\"antenne (démo)\" <veille@demo.antenne.local>";

/// A mistake in how antenne was called or configured (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// antenne watches French job boards for ANT job ads, indexes them and checks each against the
/// national framework of the role.
#[derive(Debug, Parser)]
#[command(name = "antenne", version, about)]
pub struct Cli {
    /// Data directory (store, index).
    #[arg(long, global = true, env = "ANTENNE_DATA", default_value = "./data")]
    pub data: PathBuf,
    /// Configuration file; without one, built-in defaults apply.
    #[arg(long, global = true, env = "ANTENNE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Rule folder to use instead of the rules built into the binary.
    #[arg(long, global = true, env = "ANTENNE_RULES")]
    pub rules: Option<PathBuf>,
    /// Log lines on standard error as plain text (colours only on a terminal) or JSON, one
    /// object per line, for journald or a log collector.
    #[arg(long, global = true, env = "ANTENNE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Plain text.
    Text,
    /// One JSON object per line.
    Json,
}

/// Commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the built-in board simulator, crawl it, then serve the UI.
    Demo {
        /// Address of the web UI.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Send mail to this SMTP server (plain, no login; e.g. a local sink on
        /// 127.0.0.1:2525) instead of writing `.eml` files into DATA/outbox.
        #[arg(long)]
        smtp: Option<SocketAddr>,
    },
    /// Run sources once now and print a summary per source.
    Crawl {
        /// Source names (default: all).
        #[arg(long = "source")]
        sources: Vec<String>,
    },
    /// Each source's health: last success, last error, failures in a row, share of 304s.
    Sources,
    /// The long-lived service: scheduler plus web server.
    Run,
    /// The web server alone.
    Serve {
        /// Listening address (default: `web.addr` of the configuration).
        #[arg(long)]
        addr: Option<SocketAddr>,
    },
    /// Validate ads given as JSON, JSON Lines, schema.org JobPosting or plain text.
    Validate(ValidateArgs),
    /// Search the index.
    Search(SearchArgs),
    /// Print every stored posting.
    Export {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
        format: ExportFormat,
    },
    /// Check the store (SQLite integrity, every row decodes) and the index against the store.
    Check,
    /// Rebuild the search index from the store.
    Reindex,
    /// Rule maintenance.
    Rules {
        /// What to do.
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Build and send (or print) the weekly digests.
    Digest {
        /// ISO week, like 2026-W48 (default: the current week, Paris time).
        #[arg(long)]
        week: Option<String>,
        /// Print what would be sent; send and record nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Staff accounts.
    User {
        /// What to do.
        #[command(subcommand)]
        command: UserCommand,
    },
}

/// `antenne user` subcommands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a staff account; the password is read from standard input (first line).
    Add {
        /// E-mail address.
        email: String,
    },
    /// List the staff accounts.
    List,
    /// Replace an account's password (read from standard input) and close its sessions.
    Passwd {
        /// E-mail address.
        email: String,
    },
    /// Delete an account and its sessions.
    Remove {
        /// E-mail address.
        email: String,
    },
}

/// `antenne validate` arguments.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Input file, or `-` for standard input.
    #[arg(default_value = "-")]
    pub file: String,
    /// Print one verdict per line as JSON.
    #[arg(long)]
    pub json: bool,
    /// The input is the plain text of one ad.
    #[arg(long)]
    pub text: bool,
}

/// `antenne search` arguments.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words to look for.
    pub query: String,
    /// Print JSON Lines.
    #[arg(long)]
    pub json: bool,
    /// Most results.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Région (name).
    #[arg(long)]
    pub region: Option<String>,
    /// Département (code or name).
    #[arg(long)]
    pub department: Option<String>,
    /// Contract (CDI, CDD...).
    #[arg(long)]
    pub contract: Option<String>,
    /// Include closed ads and every verdict.
    #[arg(long)]
    pub all: bool,
}

/// Export formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header.
    Csv,
}

/// `antenne rules` subcommands.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Load and check the rule files (default: `./rules` if present, else the built-in rules).
    Check {
        /// Rule folder.
        dir: Option<PathBuf>,
    },
    /// Measure the rules on labelled ads (JSON Lines with `label` and `claims_ant`).
    Eval {
        /// Labelled ads.
        file: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Fail (exit 1) when the verdict accuracy is below this.
        #[arg(long)]
        min_accuracy: Option<f64>,
        /// Fail (exit 1) when the F1 of `flagged` is below this.
        #[arg(long)]
        min_flag_f1: Option<f64>,
    },
    /// Learn the decision weights from labelled ads (JSON Lines with `label` and `claims_ant`,
    /// e.g. the corpora and `/revue/decisions.jsonl`), cross-validated, into the rule folder.
    Fit(fit::FitArgs),
    /// Show which stored ads would change verdict under the rules in use, changing nothing.
    Diff,
    /// Re-validate the stored ads whose verdict was made by other rules.
    Apply,
}

/// `antenne check`: SQLite's integrity check, every stored row decoded, the index compared
/// with the store. Exits 1 when anything is wrong.
async fn check(app: App) -> Result<()> {
    let (problems, records, skipped) = app
        .store
        .run(|s| -> Result<_, crate::store::StoreError> {
            let (records, skipped) = s.postings_checked()?;
            Ok((s.integrity()?, records, skipped))
        })
        .await?;
    let index = app.index.clone();
    let indexed = tokio::task::spawn_blocking(move || index.ids()).await??;
    let stored: std::collections::HashSet<&str> =
        records.iter().map(|r| r.posting.id.as_str()).collect();
    let missing: Vec<&str> = stored
        .iter()
        .filter(|id| !indexed.contains(**id))
        .copied()
        .collect();
    let extra: Vec<&String> = indexed
        .iter()
        .filter(|id| !stored.contains(id.as_str()) && !skipped.contains(id))
        .collect();
    println!(
        "Base : {}",
        if problems.is_empty() {
            "intègre".to_owned()
        } else {
            problems.join(" ; ")
        }
    );
    println!(
        "Annonces : {} lisibles, {} illisibles{}",
        records.len(),
        skipped.len(),
        if skipped.is_empty() {
            String::new()
        } else {
            format!(" ({})", skipped.join(", "))
        }
    );
    println!(
        "Index : {} annonces, {} absentes de l'index, {} en trop",
        indexed.len(),
        missing.len(),
        extra.len()
    );
    if problems.is_empty() && skipped.is_empty() && missing.is_empty() && extra.is_empty() {
        println!("Tout est en ordre.");
        Ok(())
    } else {
        anyhow::bail!(
            "the check found problems (see above); `antenne reindex` rebuilds the index, unreadable rows need a backup or a new crawl"
        )
    }
}

/// Loads the configuration named on the command line, or the default file, or built-in defaults.
pub fn load_config(cli: &Cli) -> Result<Config, ConfigError> {
    match &cli.config {
        Some(path) => Config::load(path),
        None if Path::new("antenne.toml").exists() => Config::load(Path::new("antenne.toml")),
        None => Ok(Config::default()),
    }
}

fn load_rules(cli: &Cli) -> Result<RuleSet> {
    Ok(match &cli.rules {
        Some(dir) => RuleSet::load_dir(dir)?,
        None => RuleSet::builtin()?,
    })
}

/// Runs the parsed command.
pub async fn run(cli: Cli) -> Result<()> {
    match &cli.command {
        Command::Validate(args) => return ads::validate(&load_rules(&cli)?, args),
        Command::Rules {
            command: RulesCommand::Check { dir },
        } => return rules_check(dir.as_deref()),
        Command::Rules {
            command:
                RulesCommand::Eval {
                    file,
                    json,
                    min_accuracy,
                    min_flag_f1,
                },
        } => {
            return ads::eval(
                &load_rules(&cli)?,
                file,
                *json,
                ads::Floors {
                    accuracy: *min_accuracy,
                    flag_f1: *min_flag_f1,
                },
            );
        }
        Command::Rules {
            command: RulesCommand::Fit(args),
        } => return fit::run(cli.rules.as_deref(), args),
        _ => {}
    }
    let mut config = load_config(&cli)?;
    let rules = load_rules(&cli)?;
    match cli.command {
        Command::Demo { addr, smtp } => {
            let sim = Simulator::start(Boards::Builtin, 0)
                .await
                .context("cannot start the board simulator")?;
            config.sources = sim.demo_sources();
            config
                .france_travail
                .insert("france-travail".into(), sim.demo_france_travail());
            config.crawl.allow_private_addresses = true;
            // All demo boards share one loopback host: a short interval keeps start-up quick,
            // and one retry shows the broken board failing without a long wait.
            config.crawl.min_interval = std::time::Duration::from_millis(20);
            config.crawl.max_retries = 1;
            config.web.addr = addr;
            config.web.base_url = format!("http://{addr}");
            if let Some(smtp) = smtp {
                config.smtp = Some(crate::config::SmtpConfig {
                    host: smtp.ip().to_string(),
                    port: smtp.port(),
                    tls: "none".into(),
                    username_env: None,
                    password_env: None,
                    from: DEMO_FROM.into(),
                });
            }
            config.digest.staff = vec!["revue@demo.antenne.local".into()];
            let started = std::time::Instant::now();
            let app = App::open(config, &cli.data, rules, true).await?;
            let runs = pipeline::run_sources(&app, &app.config.sources).await;
            print_runs(&runs);
            // A fresh staff login for each demo run.
            let password: String = {
                let mut bytes = [0u8; 9];
                getrandom::fill(&mut bytes)
                    .map_err(|e| anyhow::anyhow!("no random source: {e}"))?;
                bytes.iter().map(|b| format!("{b:02x}")).collect()
            };
            let demo_email = "revue@demo.antenne.local";
            let _ = app.store.run(move |s| s.delete_user(demo_email)).await;
            add_user(&app.store, demo_email, &password).await?;
            let listener = bind(addr).await?;
            println!(
                "antenne (démo) prête en {:.1} s",
                started.elapsed().as_secs_f64()
            );
            println!("  Recherche\u{202f}: http://{addr}/");
            println!("  API\u{202f}:       http://{addr}/api/v1/search?q=numerique");
            println!("  Sites d'emploi simulés\u{202f}: {}/", sim.base_url());
            println!(
                "  Revue :     http://{addr}/revue (identifiant {demo_email}, mot de passe {password})"
            );
            println!(
                "  Résumé :    http://{addr}/revue/resume (courriels {})",
                smtp.map_or_else(
                    || format!(
                        "en fichiers .eml dans {}",
                        crate::digest::outbox_dir(&app.config, &cli.data).display()
                    ),
                    |s| format!("envoyés au serveur SMTP {s}")
                )
            );
            println!("Ctrl-C pour arrêter.");
            serve_with_scheduler(app, listener).await
        }
        Command::Crawl { sources } => {
            let chosen = select_sources(&config, &sources)?;
            let app = App::open(config, &cli.data, rules, true).await?;
            let bars = progress::Bars::new(&chosen);
            let runs = pipeline::run_sources_with(&app, &chosen, bars.hook()).await;
            bars.finish();
            print_runs(&runs);
            Ok(())
        }
        Command::Sources => {
            // Beside the service, its own configuration of sources holds: only read.
            let (store, alone) = own_or_shared_store(&cli.data).await?;
            let sources = config.sources.clone();
            let health = store
                .run(move |s| {
                    if alone {
                        s.sync_sources(&sources)?;
                    }
                    s.source_health()
                })
                .await?;
            let health = health.as_slice();
            progress::print_health(health);
            Ok(())
        }
        Command::Run => {
            let addr = config.web.addr;
            let app = App::open(config, &cli.data, rules, true).await?;
            let listener = bind(addr).await?;
            println!("antenne écoute sur http://{addr}/");
            serve_with_scheduler(app, listener).await
        }
        Command::Serve { addr } => {
            let addr = addr.unwrap_or(config.web.addr);
            let app = App::open(config, &cli.data, rules, true).await?;
            let listener = bind(addr).await?;
            println!("antenne écoute sur http://{addr}/");
            web::serve(state(&app), listener, shutdown_signal())
                .await
                .context("web server failed")
        }
        Command::Search(args) => {
            let (store, index) = match App::open(config, &cli.data, rules, true).await {
                Ok(app) => (app.store, app.index),
                Err(e) if held(&e) => beside_the_service(&cli.data).await?,
                Err(e) => return Err(e.into()),
            };
            search(&store, index, &args).await
        }
        Command::Export { format } => {
            let store = match App::open(config, &cli.data, rules, true).await {
                Ok(app) => app.store,
                // Beside the running service, which keeps the verdicts current.
                Err(e) if held(&e) => shared_store(&cli.data).await?,
                Err(e) => return Err(e.into()),
            };
            let (records, skipped) = store.run(|s| s.postings_checked()).await?;
            if !skipped.is_empty() {
                eprintln!(
                    "{} annonce(s) illisible(s) ignorée(s) : {} (voir antenne check)",
                    skipped.len(),
                    skipped.join(", ")
                );
            }
            let mut out = std::io::stdout().lock();
            match format {
                ExportFormat::Jsonl => {
                    for r in &records {
                        serde_json::to_writer(&mut out, &export::ExportRecord::from(r))?;
                        out.write_all(b"\n")?;
                    }
                }
                ExportFormat::Csv => export::write_csv(&mut out, &records)?,
            }
            Ok(())
        }
        Command::Digest { week, dry_run } => {
            let now = chrono::Utc::now();
            let week = match week {
                Some(w) => w
                    .parse::<crate::digest::Week>()
                    .map_err(|e| UsageError(format!("--week: {e}")))?,
                None => crate::digest::Week::of(now),
            };
            // Beside a running service: no data-directory lock, no index (see Store::open_shared).
            drop(rules);
            let store = crate::store::Store::open_shared(&cli.data)?;
            let mail = crate::digest::Mail::open(&config, &store, &cli.data).await?;
            let report = crate::digest::run_week(&store, &mail, week, now, dry_run)
                .await
                .map_err(|e| match e {
                    crate::digest::DigestError::FutureWeek(_) => {
                        anyhow::Error::new(UsageError(format!("--week: {e}")))
                    }
                    other => other.into(),
                })?;
            print_digest(&report, dry_run, &mail.transport.describe());
            if let Some((who, why)) = report.delivery.deferred.first() {
                anyhow::bail!(
                    "{} message(s) put off for a later run; first: {who}: {why}",
                    report.delivery.deferred.len()
                );
            }
            Ok(())
        }
        Command::Check => check(App::open(config, &cli.data, rules, false).await?).await,
        Command::Reindex => {
            let app = App::open(config, &cli.data, rules, true).await?;
            let n = app.sync_index(true).await?.unwrap_or(0);
            println!("Index reconstruit\u{202f}: {n} offres.");
            Ok(())
        }
        Command::Rules {
            command: RulesCommand::Diff,
        } => {
            let app = App::open(config, &cli.data, rules, false).await?;
            let changes = app.rules_diff().await?;
            ads::print_diff(&changes, app.rules.version());
            Ok(())
        }
        Command::Rules {
            command: RulesCommand::Apply,
        } => {
            let app = App::open(config, &cli.data, rules, false).await?;
            let n = app.revalidate().await?;
            println!(
                "{n} annonce(s) revalidée(s) avec les règles version {}.",
                app.rules.version()
            );
            Ok(())
        }
        Command::User { command } => user(&cli.data, command).await,
        Command::Validate(_) | Command::Rules { .. } => unreachable!("handled above"),
    }
}

async fn add_user(store: &Store, email: &str, password: &str) -> Result<()> {
    let hash = hash(password).await?;
    let email = email.to_owned();
    store
        .run(move |s| s.create_user(&email, &hash, chrono::Utc::now()))
        .await?;
    Ok(())
}

async fn hash(password: &str) -> Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || web::staff::hash_password(&password))
        .await?
        .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))
}

/// The store without the data-directory lock, for commands that may run beside the service:
/// SQLite in WAL mode lets them read, and their few writes wait their turn.
async fn shared_store(data: &Path) -> Result<Store> {
    let dir = data.to_owned();
    Ok(tokio::task::spawn_blocking(move || Store::open_shared(&dir)).await??)
}

/// The store for a command that may run beside the service: with the lock when the directory
/// is free (then `true`: the command is alone), else, only when the service holds it, without.
async fn own_or_shared_store(data: &Path) -> Result<(Store, bool)> {
    let dir = data.to_owned();
    match tokio::task::spawn_blocking(move || Store::open(&dir)).await? {
        Ok(store) => Ok((store, true)),
        Err(crate::store::StoreError::Locked { .. }) => Ok((shared_store(data).await?, false)),
        Err(e) => Err(e.into()),
    }
}

/// A password from standard input's first line, at least 10 characters.
fn read_password() -> Result<String> {
    let mut password = String::new();
    std::io::stdin()
        .read_line(&mut password)
        .context("cannot read the password from standard input")?;
    let password = password.trim_end_matches(['\n', '\r']).to_owned();
    if password.chars().count() < 10 {
        return Err(UsageError("the password needs at least 10 characters".into()).into());
    }
    Ok(password)
}

/// `antenne user …`: staff accounts, also while the service runs.
async fn user(data: &Path, command: UserCommand) -> Result<()> {
    let (store, _) = own_or_shared_store(data).await?;
    match command {
        UserCommand::Add { email } => {
            let email = email.trim().to_lowercase();
            if !email.contains('@') {
                return Err(UsageError(format!("{email:?} is not an e-mail address")).into());
            }
            add_user(&store, &email, &read_password()?).await?;
            println!("Compte de revue créé\u{202f}: {email}");
        }
        UserCommand::List => {
            let users = store.run(|s| s.users()).await?;
            if users.is_empty() {
                println!("Aucun compte de revue.");
            }
            for (email, created, last) in users {
                let last = last.map_or_else(
                    || "jamais connecté·e".to_owned(),
                    |t| format!("dernière connexion le {}", crate::model::fr::moment_of(&t)),
                );
                println!(
                    "{email} · créé le {} · {last}",
                    crate::model::fr::moment_of(&created)
                );
            }
        }
        UserCommand::Passwd { email } => {
            let email = email.trim().to_lowercase();
            let hash = hash(&read_password()?).await?;
            let target = email.clone();
            if !store.run(move |s| s.set_password(&target, &hash)).await? {
                return Err(UsageError(format!("no staff account {email}")).into());
            }
            println!("Mot de passe changé, sessions fermées\u{202f}: {email}");
        }
        UserCommand::Remove { email } => {
            let email = email.trim().to_lowercase();
            let target = email.clone();
            if !store.run(move |s| s.delete_user(&target)).await? {
                return Err(UsageError(format!("no staff account {email}")).into());
            }
            println!("Compte de revue supprimé\u{202f}: {email}");
        }
    }
    Ok(())
}

fn state(app: &App) -> web::AppState {
    web::AppState {
        store: app.store.clone(),
        index: app.index.clone(),
        base_url: app.config.web.base_url.clone(),
        api_limit: (
            app.config.web.api_requests_per_second,
            app.config.web.api_burst,
        ),
        cache: std::sync::Arc::default(),
        mail: app.mail.clone(),
        site: std::sync::Arc::new(web::Site {
            display_names: app
                .config
                .sources
                .iter()
                .map(|s| (s.name.clone(), s.shown_name().to_owned()))
                .collect(),
            editor: app.config.web.editor.clone(),
            contact: app.config.web.contact.clone(),
            host: app.config.web.host.clone(),
        }),
        rules: app.rules.clone(),
        network: std::sync::Arc::new(web::network::Network {
            trusted_proxies: app.config.web.trusted_proxies.clone(),
            metrics_token: app
                .config
                .web
                .metrics_token_env
                .as_deref()
                .and_then(|name| std::env::var(name).ok())
                .filter(|t| !t.trim().is_empty()),
        }),
    }
}

async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down");
}

async fn serve_with_scheduler(app: App, listener: tokio::net::TcpListener) -> Result<()> {
    let (tx, rx) = tokio::sync::watch::channel(false);
    let scheduler = tokio::spawn(scheduler::run(app.clone(), rx));
    let shutdown = async move {
        shutdown_signal().await;
        let _ = tx.send(true);
    };
    web::serve(state(&app), listener, shutdown)
        .await
        .context("web server failed")?;
    // Let a crawl in progress finish writing before exiting.
    let _ = scheduler.await;
    Ok(())
}

fn print_digest(report: &crate::digest::WeekReport, dry_run: bool, transport: &str) {
    println!(
        "Résumé hebdomadaire {} ({}){}",
        report.week,
        crate::digest::compose::week_span(report.week),
        if dry_run {
            " : simulation, rien n'est envoyé ni enregistré"
        } else {
            ""
        }
    );
    for p in &report.planned {
        let who = if p.kind == "staff" {
            "équipe"
        } else {
            "abonné·e"
        };
        if p.already {
            println!(
                "  {who} {} : déjà prévu cette semaine, rien de nouveau",
                p.recipient
            );
            continue;
        }
        let groups: Vec<String> = p.groups.iter().map(|(g, n)| format!("{g} : {n}")).collect();
        println!(
            "  {who} {}\u{202f}: «\u{202f}{}\u{202f}»",
            p.recipient, p.subject
        );
        if !groups.is_empty() {
            println!("      {}", groups.join(" · "));
        }
    }
    if report.nothing_new > 0 {
        println!(
            "  {} adresse(s) sans nouvelle offre : aucun envoi",
            report.nothing_new
        );
    }
    if report.planned.is_empty() && report.nothing_new == 0 {
        println!("  aucun abonnement actif ni destinataire d'équipe");
    }
    if dry_run {
        return;
    }
    let d = &report.delivery;
    println!(
        "Envoi ({transport}) : {} envoyé(s), {} refusé(s), {} reporté(s)",
        d.sent.len(),
        d.failed.len(),
        d.deferred.len()
    );
    for (who, why) in &d.failed {
        println!("  refusé {who}\u{202f}: {why}");
    }
    for (who, why) in &d.deferred {
        println!("  reporté {who}\u{202f}: {why}");
    }
}

fn select_sources(config: &Config, names: &[String]) -> Result<Vec<crate::model::Source>> {
    if config.sources.is_empty() {
        return Err(UsageError("no sources configured: add [[sources]] to antenne.toml (see fixtures/antenne.example.toml)".into()).into());
    }
    if names.is_empty() {
        return Ok(config.sources.clone());
    }
    names
        .iter()
        .map(|n| {
            config
                .sources
                .iter()
                .find(|s| &s.name == n)
                .cloned()
                .ok_or_else(|| {
                    let known: Vec<&str> = config.sources.iter().map(|s| s.name.as_str()).collect();
                    UsageError(format!(
                        "unknown source {n:?} (configured: {})",
                        known.join(", ")
                    ))
                    .into()
                })
        })
        .collect()
}

fn print_runs(runs: &[RunRecord]) {
    for r in runs {
        let secs = (r.finished_at - r.started_at).num_milliseconds() as f64 / 1000.0;
        println!(
            "{} : {} récupérés, {} non modifiés, {} nouvelles, {} mises à jour, {} inchangées, {} erreurs, {} signalées ({secs:.1} s)",
            r.source, r.fetched, r.not_modified, r.new, r.updated, r.unchanged, r.errors, r.flagged
        );
        if let (Some(kind), Some(msg)) = (&r.error_kind, &r.error) {
            println!("  erreur ({kind})\u{202f}: {msg}");
        }
    }
}

/// The data directory is held by the running service.
fn held(e: &crate::app::AppError) -> bool {
    matches!(
        e,
        crate::app::AppError::Store(crate::store::StoreError::Locked { .. })
    )
}

/// Beside the running service (which holds the data directory and writes the index): the
/// store opened without the lock, and an index of it built in memory.
async fn beside_the_service(
    data: &Path,
) -> Result<(Store, std::sync::Arc<crate::index::SearchIndex>)> {
    let store = shared_store(data).await?;
    let index = store
        .run(|s| -> Result<crate::index::SearchIndex> {
            let index = crate::index::SearchIndex::in_memory()?;
            let (records, _) = s.postings_checked()?;
            index.rebuild(&records, s.generation()?)?;
            Ok(index)
        })
        .await?;
    Ok((store, std::sync::Arc::new(index)))
}

async fn search(
    store: &Store,
    index: std::sync::Arc<crate::index::SearchIndex>,
    args: &SearchArgs,
) -> Result<()> {
    let region = match &args.region {
        Some(r) => Some(
            places::region(r)
                .ok_or_else(|| UsageError(format!("unknown région {r:?}")))?
                .to_owned(),
        ),
        None => None,
    };
    let department = match &args.department {
        Some(d) => Some(
            places::departement(d)
                .ok_or_else(|| UsageError(format!("unknown département {d:?}")))?
                .code
                .to_owned(),
        ),
        None => None,
    };
    let query = SearchQuery {
        text: args.query.clone(),
        region,
        department,
        contract: args.contract.clone(),
        all: args.all,
        limit: args.limit.clamp(1, 100),
        offset: 0,
        ..SearchQuery::default()
    };
    let results = tokio::task::spawn_blocking(move || index.search(&query)).await??;
    let ids: Vec<String> = results.hits.iter().map(|h| h.id.clone()).collect();
    let records = store.run(move |s| s.postings_by_ids(&ids)).await?;
    let mut out = std::io::stdout().lock();
    if !args.json {
        writeln!(out, "{} offre(s) trouvée(s)", results.total)?;
    }
    for hit in &results.hits {
        let Some(r) = records.iter().find(|r| r.posting.id == hit.id) else {
            continue;
        };
        let p = &r.posting;
        if args.json {
            let mut v = serde_json::to_value(export::ExportRecord::from(r))?;
            v["score"] = serde_json::json!(hit.score);
            v.as_object_mut().map(|o| o.remove("description"));
            serde_json::to_writer(&mut out, &v)?;
            writeln!(out)?;
        } else {
            let place = [&p.location.city, &p.location.department]
                .iter()
                .filter_map(|v| v.as_deref())
                .collect::<Vec<_>>()
                .join(", ");
            let verdict = r
                .verdict
                .as_ref()
                .map_or("non évaluée", |v| v.verdict.as_str());
            writeln!(
                out,
                "{}  {}  — {} — {} — {} [{verdict}]",
                p.id,
                p.title,
                p.employer.as_deref().unwrap_or("?"),
                place,
                p.published.map(|d| d.to_string()).unwrap_or_default()
            )?;
        }
    }
    Ok(())
}

fn rules_check(dir: Option<&Path>) -> Result<()> {
    let local = Path::new("rules");
    let (rules, origin) = match dir {
        Some(d) => (RuleSet::load_dir(d)?, d.display().to_string()),
        None if local.is_dir() => (RuleSet::load_dir(local)?, "rules".to_owned()),
        None => (RuleSet::builtin()?, "built-in rules".to_owned()),
    };
    println!(
        "{origin} : {} règles chargées et vérifiées (motifs compilés, exemples conformes), version {}",
        rules.rule_ids().len(),
        rules.version()
    );
    Ok(())
}

/// Whether an error is the caller's mistake (exit 2) rather than a runtime failure (exit 1).
pub fn is_usage_error(e: &anyhow::Error) -> bool {
    let mail_config =
        |d: &crate::digest::DigestError| matches!(d, crate::digest::DigestError::Config(_));
    e.downcast_ref::<UsageError>().is_some()
        || e.downcast_ref::<ConfigError>().is_some()
        || e.downcast_ref::<crate::digest::DigestError>()
            .is_some_and(mail_config)
        || matches!(
            e.downcast_ref::<crate::app::AppError>(),
            Some(crate::app::AppError::Mail(d)) if mail_config(d)
        )
        || e.downcast_ref::<crate::rules::RuleLoadError>().is_some()
}

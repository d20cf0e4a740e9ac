//! The weekly digest and subscription mail: plans one email per (week, recipient) into the
//! outbox, then delivers the outbox over SMTP or into `.eml` files.
//!
//! Entry points: [`run_week`](crate::digest::run_week) (plan and deliver a week),
//! [`deliver`](crate::digest::deliver) (send what is due) and
//! [`send_confirmation`](crate::digest::send_confirmation) (the double opt-in request).
//! Reads the store; never touches the on-disk index (subscribers' searches run on an
//! in-memory index of the new ads).
//!
//! Delivery is **at least once**: a row is marked `sending` (committed) before the message
//! leaves and `sent` after the server accepts it. A crash in between leaves that one row
//! `sending`, and the next delivery sends it again with the same bytes and Message-ID; every
//! other recipient is sent exactly once.

pub mod compose;
mod deliver;
pub mod links;
pub mod mailer;
pub mod plan;
pub mod search;
pub mod week;

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use lettre::message::Mailbox;
use thiserror::Error;

use crate::config::Config;
use crate::index::IndexError;
use crate::store::{NewDigest, Store, StoreError, Subscription};
use compose::Extra;
pub use deliver::{DEFER_CAP, DELIVERY_LOCK_FILE, Delivery, Retry, deliver};
use links::{Links, Signer};
use mailer::{SendFailure, Transport};
use plan::Window;
pub use week::Week;

/// Digest failures. Each names what is at fault.
#[derive(Debug, Error)]
pub enum DigestError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The in-memory index failed.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// Bad mail settings.
    #[error("mail configuration: {0}")]
    Config(String),
    /// A bad address.
    #[error("invalid email address {0}")]
    Address(String),
    /// A template or message could not be built.
    #[error("cannot render the email: {0}")]
    Render(String),
    /// The week asked for has not begun.
    #[error("week {0} has not begun yet")]
    FutureWeek(Week),
    /// Another process is delivering.
    #[error("{0}")]
    Busy(String),
}

/// Unconfirmed subscriptions are deleted after this long.
pub const UNCONFIRMED_KEPT: chrono::Duration = chrono::Duration::days(7);
/// Sent messages keep their bytes this long (for staff to look into), then only their row.
pub const SENT_BODIES_KEPT: chrono::Duration = chrono::Duration::weeks(8);

/// Everything needed to send: transport, sender, link signer, retry policy.
pub struct Mail {
    /// Where messages go.
    pub transport: Transport,
    /// Sender.
    pub from: Mailbox,
    /// Link builder.
    pub links: Links,
    /// Retry policy.
    pub retry: Retry,
    /// Staff recipients.
    pub staff: Vec<String>,
    /// One delivery at a time in this process.
    delivering: tokio::sync::Mutex<()>,
    /// The file locked while delivering, so that one process at a time delivers (a row left
    /// `sending` is then surely a crash's, not another process's).
    lock_file: PathBuf,
}

impl Mail {
    /// Builds the mail settings from the configuration; the link secret comes from the store.
    /// Without `[smtp]`, messages go to `[digest] outbox` (default `DATA/outbox`).
    pub async fn open(
        config: &Config,
        store: &Store,
        data_dir: &std::path::Path,
    ) -> Result<Self, DigestError> {
        let transport = Transport::from_config(config.smtp.as_ref(), outbox_dir(config, data_dir))?;
        let from_text = config.smtp.as_ref().map_or_else(
            || {
                let host = url::Url::parse(&config.web.base_url)
                    .ok()
                    .and_then(|u| u.domain().map(str::to_owned))
                    .filter(|d| d.contains('.'))
                    .unwrap_or_else(|| "localhost".to_owned());
                format!("antenne <veille@{host}>")
            },
            |s| s.from.clone(),
        );
        let from: Mailbox = from_text
            .parse()
            .map_err(|e| DigestError::Config(format!("smtp.from: {from_text:?}: {e}")))?;
        let secret = store.run(|s| s.mail_secret()).await?;
        Ok(Self {
            transport,
            from,
            links: Links::new(&config.web.base_url, Signer::new(&secret)),
            retry: Retry::default(),
            staff: config.digest.staff.clone(),
            delivering: tokio::sync::Mutex::new(()),
            lock_file: data_dir.join(DELIVERY_LOCK_FILE),
        })
    }

    /// The `List-Id` of the digest.
    fn list_id(&self) -> String {
        format!(
            "Veille des offres ANT <veille.{}>",
            self.from.email.domain()
        )
    }
}

/// One email of a week's plan.
#[derive(Debug, Clone)]
pub struct Planned {
    /// Address.
    pub recipient: String,
    /// `subscriber` or `staff`.
    pub kind: &'static str,
    /// Subject.
    pub subject: String,
    /// Ads listed.
    pub ads: usize,
    /// Lines for a dry run: « Bretagne : 2 », …
    pub groups: Vec<(String, usize)>,
    /// Already in the outbox (sent or on its way): not planned again.
    pub already: bool,
}

/// What `run_week` did.
#[derive(Debug, Clone)]
pub struct WeekReport {
    /// The week.
    pub week: Week,
    /// Emails planned (or, on a dry run, that would be).
    pub planned: Vec<Planned>,
    /// Subscribers (addresses) with nothing new.
    pub nothing_new: usize,
    /// Delivery (none on a dry run).
    pub delivery: Delivery,
}

/// Plans the digests of `week` at time `now` and, unless `dry_run`, puts them in the outbox
/// and delivers everything due. Recipients whose digest for the week is already in the outbox
/// get nothing new; subscribers with nothing new get nothing.
pub async fn run_week(
    store: &Store,
    mail: &Mail,
    week: Week,
    now: DateTime<Utc>,
    dry_run: bool,
) -> Result<WeekReport, DigestError> {
    if week.start() > now {
        return Err(DigestError::FutureWeek(week));
    }
    let end = now.min(week.end());
    let (subscriptions, records, health, done, last_windows) = {
        let w = week.to_string();
        store
            .run(move |s| -> Result<_, StoreError> {
                if !dry_run {
                    s.purge_unconfirmed(now - UNCONFIRMED_KEPT)?;
                    s.prune_digest_bodies(now - SENT_BODIES_KEPT)?;
                }
                Ok((
                    s.subscriptions()?,
                    s.postings()?,
                    s.source_health()?,
                    s.outbox(&w)?,
                    s.last_digest_windows()?,
                ))
            })
            .await?
    };
    let planned_before: std::collections::HashSet<&str> =
        done.iter().map(|r| r.recipient.as_str()).collect();
    let already = |email: &str| planned_before.contains(email);
    let window_of = |email: &str| Window::after(last_windows.get(email).copied(), end);
    let mut by_address: BTreeMap<&str, Vec<&Subscription>> = BTreeMap::new();
    for s in subscriptions.iter().filter(|s| s.is_active()) {
        by_address.entry(s.email.as_str()).or_default().push(s);
    }
    let index = plan::candidates_index(&records, end - plan::LONGEST_WINDOW)?;
    let by_id: BTreeMap<&str, &crate::model::PostingRecord> =
        records.iter().map(|r| (r.posting.id.as_str(), r)).collect();

    let mut planned = Vec::new();
    let mut outbox = Vec::new();
    let mut nothing_new = 0;
    for (email, subs) in &by_address {
        if already(email) {
            planned.push(already_planned(email, "subscriber"));
            continue;
        }
        let window = window_of(email);
        let Some(d) =
            plan::subscriber_digest(week, email, subs, window, &index, &by_id, &mail.links)?
        else {
            nothing_new += 1;
            continue;
        };
        let rendered = compose::render_subscriber(&d)?;
        let groups = d
            .sections
            .iter()
            .flat_map(|s| &s.groups)
            .map(|g| (g.name.clone(), g.ads.len()))
            .collect();
        let extra = Extra {
            unsubscribe: Some(&d.unsubscribe_url),
            list_id: Some(mail.list_id()),
        };
        outbox.push(new_digest(
            mail,
            week,
            email,
            "subscriber",
            &rendered,
            d.ads(),
            end,
            now,
            &extra,
        )?);
        planned.push(Planned {
            recipient: (*email).to_owned(),
            kind: "subscriber",
            subject: rendered.subject,
            ads: d.ads(),
            groups,
            already: false,
        });
    }
    for email in &mail.staff {
        if already(email) {
            planned.push(already_planned(email, "staff"));
            continue;
        }
        let d = plan::staff_digest(
            week,
            email,
            window_of(email),
            &records,
            &health,
            &mail.links,
        );
        if d.is_empty() {
            continue;
        }
        let rendered = compose::render_staff(&d)?;
        let extra = Extra {
            unsubscribe: None,
            list_id: None,
        };
        let n = d.flagged_count();
        outbox.push(new_digest(
            mail, week, email, "staff", &rendered, n, end, now, &extra,
        )?);
        planned.push(Planned {
            recipient: email.clone(),
            kind: "staff",
            subject: rendered.subject,
            ads: n,
            groups: d
                .flagged
                .iter()
                .map(|g| (g.name.clone(), g.ads.len()))
                .collect(),
            already: false,
        });
    }
    if dry_run {
        return Ok(WeekReport {
            week,
            planned,
            nothing_new,
            delivery: Delivery::default(),
        });
    }
    store
        .run(move |s| -> Result<(), StoreError> {
            for d in &outbox {
                s.plan_digest(d, now)?;
            }
            Ok(())
        })
        .await?;
    let delivery = deliver(store, mail, now).await?;
    Ok(WeekReport {
        week,
        planned,
        nothing_new,
        delivery,
    })
}

fn already_planned(email: &str, kind: &'static str) -> Planned {
    Planned {
        recipient: email.to_owned(),
        kind,
        subject: String::new(),
        ads: 0,
        groups: Vec::new(),
        already: true,
    }
}

#[allow(clippy::too_many_arguments)]
fn new_digest(
    mail: &Mail,
    week: Week,
    email: &str,
    kind: &str,
    rendered: &compose::Rendered,
    ads: usize,
    end: DateTime<Utc>,
    now: DateTime<Utc>,
    extra: &Extra<'_>,
) -> Result<NewDigest, DigestError> {
    let message_id = compose::message_id(week, email, &mail.from);
    let message = compose::build_message(
        &mail.from,
        email,
        rendered,
        Some(message_id.clone()),
        now,
        extra,
    )?;
    Ok(NewDigest {
        week: week.to_string(),
        recipient: email.to_owned(),
        kind: kind.to_owned(),
        message_id,
        message: message.formatted(),
        ads: i64::try_from(ads).unwrap_or(i64::MAX),
        window_end: end,
    })
}

/// Sends the confirmation request of a subscription at once (not through the outbox: the
/// reader is waiting for it). The caller claims the sending first
/// ([`Store::claim_confirmation`]), and gives the claim back if it fails.
pub async fn send_confirmation(
    mail: &Mail,
    subscription: &Subscription,
    now: DateTime<Utc>,
) -> Result<Result<(), SendFailure>, DigestError> {
    let search = search::SavedSearch::from_stored(&subscription.query, &subscription.filters);
    let url = mail.links.confirm(subscription.id, &subscription.nonce);
    let rendered = compose::render_confirmation(&search.describe(), &url)?;
    let message = compose::build_message(
        &mail.from,
        &subscription.email,
        &rendered,
        None,
        now,
        &Extra {
            unsubscribe: None,
            list_id: None,
        },
    )?;
    let id = message
        .headers()
        .get_raw("Message-ID")
        .unwrap_or("<confirmation>")
        .to_owned();
    let sent = mail
        .transport
        .send(&mail.from, &subscription.email, &id, &message.formatted())
        .await;
    Ok(sent)
}

/// The outbox folder used when no SMTP server is configured.
pub fn outbox_dir(config: &Config, data_dir: &std::path::Path) -> PathBuf {
    config
        .digest
        .outbox
        .clone()
        .unwrap_or_else(|| data_dir.join("outbox"))
}

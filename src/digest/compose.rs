//! Writing the emails: French text and HTML (inline CSS, no remote images), headers encoded
//! by lettre (RFC 2047), and the RFC 8058 one-click unsubscribe headers.

use askama::Template;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use lettre::Message;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use sha2::{Digest, Sha256};

use super::DigestError;
use super::week::Week;
use crate::model::date_fr;

/// One ad in an email.
#[derive(Debug, Clone)]
pub struct AdItem {
    /// Title.
    pub title: String,
    /// Link to its page on the site.
    pub url: String,
    /// « Office de tourisme du Bassin · Arcachon, Gironde (33) ».
    pub details: String,
    /// « CDD 12 mois · publiée le 3 mars 2026 · candidature avant le 1er avril 2026 ».
    pub facts: String,
    /// « Pourquoi cette annonce » (subscriber digest) or the verdict (staff digest).
    pub why: String,
}

/// Ads of one région (or one category, for staff).
#[derive(Debug, Clone)]
pub struct Group {
    /// Région or category.
    pub name: String,
    /// Its ads.
    pub ads: Vec<AdItem>,
}

/// What one saved search found.
#[derive(Debug, Clone)]
pub struct Section {
    /// The search, in French.
    pub label: String,
    /// Its management page.
    pub manage_url: String,
    /// Ads by région.
    pub groups: Vec<Group>,
}

/// A subscriber's weekly email.
#[derive(Debug, Clone)]
pub struct SubscriberDigest {
    /// Week.
    pub week: Week,
    /// The days its ads were first seen, in French: « du 23 au 30 novembre 2026 ».
    pub span: String,
    /// Address.
    pub recipient: String,
    /// One section per search with news.
    pub sections: Vec<Section>,
    /// One-click unsubscribe URL.
    pub unsubscribe_url: String,
    /// The site.
    pub site_url: String,
}

impl SubscriberDigest {
    /// Ads listed.
    pub fn ads(&self) -> usize {
        self.sections
            .iter()
            .flat_map(|s| &s.groups)
            .map(|g| g.ads.len())
            .sum()
    }
}

/// A source that is failing.
#[derive(Debug, Clone)]
pub struct SourceTrouble {
    /// Name.
    pub name: String,
    /// « 3 échecs de suite, dernier succès le 2 mars 2026 ».
    pub state: String,
    /// Last error.
    pub error: String,
}

/// The staff's weekly email.
#[derive(Debug, Clone)]
pub struct StaffDigest {
    /// Week.
    pub week: Week,
    /// The days it covers, in French.
    pub span: String,
    /// Address.
    pub recipient: String,
    /// Ads flagged this week, by category.
    pub flagged: Vec<Group>,
    /// Flagged ads awaiting a decision, all weeks.
    pub pending: usize,
    /// The oldest of them.
    pub pending_ads: Vec<AdItem>,
    /// Sources in trouble.
    pub sources: Vec<SourceTrouble>,
    /// The review queue.
    pub queue_url: String,
    /// The sources page.
    pub sources_url: String,
}

impl StaffDigest {
    /// Ads flagged this week.
    pub fn flagged_count(&self) -> usize {
        self.flagged.iter().map(|g| g.ads.len()).sum()
    }

    /// Whether there is anything to say.
    pub fn is_empty(&self) -> bool {
        self.flagged.is_empty() && self.pending == 0 && self.sources.is_empty()
    }
}

/// A rendered email before headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Subject.
    pub subject: String,
    /// Plain text part.
    pub text: String,
    /// HTML part.
    pub html: String,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// « du 23 au 29 novembre 2026 ».
pub fn week_span(week: Week) -> String {
    span(week.monday(), week.sunday())
}

/// Two dates as a French span, saying the month and year once when they are shared: « du 23
/// au 29 novembre 2026 », « du 28 novembre au 4 décembre 2026 », « le 3 mars 2026 ».
pub fn span(from: NaiveDate, to: NaiveDate) -> String {
    if from == to {
        return format!("le {}", date_fr(from));
    }
    let (a, b) = (date_fr(from), date_fr(to));
    let start = if from.year() != to.year() {
        a
    } else if from.month() != to.month() {
        a.rsplit_once(' ')
            .map_or(a.clone(), |(head, _)| head.to_owned())
    } else {
        a.split_once(' ')
            .map_or(a.clone(), |(day, _)| day.to_owned())
    };
    format!("du {start} au {b}")
}

#[derive(Template)]
#[template(path = "subscriber.html")]
struct SubscriberHtml<'a> {
    d: &'a SubscriberDigest,
    subject: &'a str,
    intro: &'a str,
}

#[derive(Template)]
#[template(path = "subscriber.txt")]
struct SubscriberText<'a> {
    d: &'a SubscriberDigest,
    intro: &'a str,
}

#[derive(Template)]
#[template(path = "staff.html")]
struct StaffHtml<'a> {
    d: &'a StaffDigest,
    subject: &'a str,
    intro: &'a str,
}

#[derive(Template)]
#[template(path = "staff.txt")]
struct StaffText<'a> {
    d: &'a StaffDigest,
    intro: &'a str,
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmHtml<'a> {
    subject: &'a str,
    search: &'a str,
    confirm_url: &'a str,
}

#[derive(Template)]
#[template(path = "confirm.txt")]
struct ConfirmText<'a> {
    search: &'a str,
    confirm_url: &'a str,
}

fn render(t: &impl Template) -> Result<String, DigestError> {
    t.render().map_err(|e| DigestError::Render(e.to_string()))
}

/// The subscriber digest's subject and bodies.
pub fn render_subscriber(d: &SubscriberDigest) -> Result<Rendered, DigestError> {
    let n = d.ads();
    let subject = format!(
        "{} pour vous, semaine {}",
        plural(n, "nouvelle offre ANT", "nouvelles offres ANT"),
        d.week.number()
    );
    let intro = format!(
        "Voici les nouvelles offres d'animateur·rice numérique de territoire repérées {} qui \
         correspondent à vos recherches et au référentiel national du métier.",
        d.span
    );
    Ok(Rendered {
        html: render(&SubscriberHtml {
            d,
            subject: &subject,
            intro: &intro,
        })?,
        text: render(&SubscriberText { d, intro: &intro })?,
        subject,
    })
}

/// The staff digest's subject and bodies.
pub fn render_staff(d: &StaffDigest) -> Result<Rendered, DigestError> {
    let subject = format!(
        "Revue ANT, semaine {} : {}, {} en attente",
        d.week.number(),
        plural(d.flagged_count(), "annonce signalée", "annonces signalées"),
        plural(d.pending, "décision", "décisions"),
    );
    let intro = format!("Le point sur les annonces repérées {}.", d.span);
    Ok(Rendered {
        html: render(&StaffHtml {
            d,
            subject: &subject,
            intro: &intro,
        })?,
        text: render(&StaffText { d, intro: &intro })?,
        subject,
    })
}

/// The confirmation request of a subscription.
pub fn render_confirmation(search: &str, confirm_url: &str) -> Result<Rendered, DigestError> {
    let subject = "Confirmez votre abonnement à la veille des offres ANT".to_owned();
    Ok(Rendered {
        html: render(&ConfirmHtml {
            subject: &subject,
            search,
            confirm_url,
        })?,
        text: render(&ConfirmText {
            search,
            confirm_url,
        })?,
        subject,
    })
}

/// The Message-ID of the digest of `week` for `recipient`: the same at every attempt and
/// every rebuild, so that a resend after a crash is recognisably the same message.
pub fn message_id(week: Week, recipient: &str, from: &Mailbox) -> String {
    let hash = Sha256::digest(format!("{week}\0{recipient}").as_bytes());
    let hex: String = hash[..10].iter().map(|b| format!("{b:02x}")).collect();
    format!("<digest.{week}.{hex}@{}>", from.email.domain())
}

/// Headers beyond the usual ones.
pub struct Extra<'a> {
    /// One-click unsubscribe URL (RFC 8058), for digests to subscribers.
    pub unsubscribe: Option<&'a str>,
    /// `List-Id` value.
    pub list_id: Option<String>,
}

fn header(name: &'static str, value: String) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value)
}

/// The whole message: multipart/alternative text and HTML, UTF-8.
pub fn build_message(
    from: &Mailbox,
    to: &str,
    rendered: &Rendered,
    message_id: Option<String>,
    date: DateTime<Utc>,
    extra: &Extra<'_>,
) -> Result<Message, DigestError> {
    let to: Mailbox = to
        .parse()
        .map_err(|e| DigestError::Address(format!("{to:?}: {e}")))?;
    let mut b = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(rendered.subject.clone())
        .date(date.into())
        .message_id(message_id)
        .raw_header(header("Content-Language", "fr".to_owned()))
        .raw_header(header("Auto-Submitted", "auto-generated".to_owned()));
    if let Some(list_id) = &extra.list_id {
        b = b.raw_header(header("List-Id", list_id.clone()));
    }
    if let Some(url) = extra.unsubscribe {
        b = b
            .raw_header(header("List-Unsubscribe", format!("<{url}>")))
            .raw_header(header(
                "List-Unsubscribe-Post",
                "List-Unsubscribe=One-Click".to_owned(),
            ));
    }
    b.multipart(MultiPart::alternative_plain_html(
        rendered.text.clone(),
        rendered.html.clone(),
    ))
    .map_err(|e| DigestError::Render(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_say_shared_parts_once() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(
            span(d(2026, 11, 23), d(2026, 11, 30)),
            "du 23 au 30 novembre 2026"
        );
        assert_eq!(
            span(d(2026, 11, 28), d(2026, 12, 4)),
            "du 28 novembre au 4 décembre 2026"
        );
        assert_eq!(
            span(d(2026, 12, 28), d(2027, 1, 3)),
            "du 28 décembre 2026 au 3 janvier 2027"
        );
        assert_eq!(span(d(2026, 3, 1), d(2026, 3, 7)), "du 1er au 7 mars 2026");
        assert_eq!(span(d(2026, 3, 3), d(2026, 3, 3)), "le 3 mars 2026");
    }
}

//! Mail delivery: SMTP through lettre (plain on loopback, STARTTLS or TLS elsewhere, with
//! credentials from the environment), or `.eml` files in an outbox folder.

use std::path::PathBuf;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::DigestError;
use crate::config::SmtpConfig;

/// How long one SMTP exchange may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(60);

/// Where messages go.
pub enum Transport {
    /// An SMTP server.
    Smtp(Box<AsyncSmtpTransport<Tokio1Executor>>),
    /// A folder of `.eml` files, one per message, named after the Message-ID.
    Files(PathBuf),
}

/// Why one message was not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendFailure {
    /// Worth trying again later (4xx reply, server unreachable, timeout, disk full).
    Transient {
        /// The fault, naming the server.
        message: String,
        /// The server answered: the fault is this message's, not the connection's.
        reply: bool,
    },
    /// Refused for good (5xx reply, bad address): recorded, never retried.
    Permanent(String),
}

impl SendFailure {
    /// The message.
    pub fn message(&self) -> &str {
        match self {
            Self::Transient { message, .. } | Self::Permanent(message) => message,
        }
    }
}

impl Transport {
    /// The transport the configuration asks for: SMTP if there is an `[smtp]` section, else
    /// the outbox folder.
    pub fn from_config(smtp: Option<&SmtpConfig>, outbox: PathBuf) -> Result<Self, DigestError> {
        let Some(smtp) = smtp else {
            return Ok(Self::Files(outbox));
        };
        let bad =
            |key: &str, message: String| DigestError::Config(format!("smtp.{key}: {message}"));
        let builder = match smtp.tls.as_str() {
            "none" => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host),
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)
                .map_err(|e| bad("host", format!("{}: {e}", smtp.host)))?,
            _ => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
                .map_err(|e| bad("host", format!("{}: {e}", smtp.host)))?,
        };
        let mut builder = builder.port(smtp.port).timeout(Some(SMTP_TIMEOUT));
        let env = |key: &str, var: &Option<String>| -> Result<Option<String>, DigestError> {
            match var {
                None => Ok(None),
                Some(name) => std::env::var(name)
                    .map(Some)
                    .map_err(|_| bad(key, format!("the environment variable {name} is not set"))),
            }
        };
        let user = env("username_env", &smtp.username_env)?;
        let password = env("password_env", &smtp.password_env)?;
        if let Some(user) = user {
            builder = builder.credentials(Credentials::new(user, password.unwrap_or_default()));
        }
        Ok(Self::Smtp(Box::new(builder.build())))
    }

    /// A name for messages: the server or the folder.
    pub fn describe(&self) -> String {
        match self {
            Self::Smtp(_) => "SMTP".to_owned(),
            Self::Files(dir) => format!("outbox {}", dir.display()),
        }
    }

    /// Sends one rendered message to one recipient.
    pub async fn send(
        &self,
        from: &Mailbox,
        to: &str,
        message_id: &str,
        message: &[u8],
    ) -> Result<(), SendFailure> {
        let to: Address = to
            .parse()
            .map_err(|e| SendFailure::Permanent(format!("adresse invalide {to:?} : {e}")))?;
        let envelope = Envelope::new(Some(from.email.clone()), vec![to])
            .map_err(|e| SendFailure::Permanent(format!("enveloppe invalide : {e}")))?;
        match self {
            Self::Smtp(smtp) => smtp
                .send_raw(&envelope, message)
                .await
                .map(|_| ())
                .map_err(|e| {
                    if e.is_permanent() {
                        SendFailure::Permanent(format!("SMTP : {e}"))
                    } else {
                        SendFailure::Transient {
                            message: format!("SMTP : {e}"),
                            reply: e.is_transient(),
                        }
                    }
                }),
            Self::Files(dir) => {
                write_eml(dir, message_id, message)
                    .await
                    .map_err(|e| SendFailure::Transient {
                        message: format!("outbox {} : {e}", dir.display()),
                        reply: false,
                    })
            }
        }
    }
}

/// Writes the message as `<local part of the Message-ID>.eml`, through a temporary file and
/// a rename, so that a crash never leaves half a message and a resend overwrites the same file.
async fn write_eml(dir: &std::path::Path, message_id: &str, message: &[u8]) -> std::io::Result<()> {
    tokio::fs::create_dir_all(dir).await?;
    let name: String = message_id
        .trim_matches(['<', '>'])
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let tmp = dir.join(format!(".{name}.tmp"));
    tokio::fs::write(&tmp, message).await?;
    tokio::fs::rename(&tmp, dir.join(format!("{name}.eml"))).await
}

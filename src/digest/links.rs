//! Signed links in emails: confirm a subscription, manage it, unsubscribe an address.
//!
//! A link carries an HMAC-SHA256 (truncated to 128 bits) of what it acts on, keyed by a secret
//! kept in the store, so that nobody can confirm, change or cancel another reader's
//! subscription by guessing ids. Subscription links also sign the subscription's random nonce:
//! a deleted and re-created subscription does not revive old links.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// What a link does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Confirm a subscription (double opt-in).
    Confirm,
    /// Open the management page.
    Manage,
}

impl Purpose {
    fn tag(self) -> &'static str {
        match self {
            Self::Confirm => "confirm",
            Self::Manage => "manage",
        }
    }
}

/// Signs and checks links with the store's secret.
#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
}

const TAG_BYTES: usize = 16;

impl Signer {
    /// A signer keyed by `secret`.
    pub fn new(secret: &str) -> Self {
        Self {
            key: secret.as_bytes().to_vec(),
        }
    }

    fn mac(&self, parts: &[&str]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key");
        for p in parts {
            mac.update(p.as_bytes());
            mac.update(b"\0");
        }
        mac
    }

    fn sign(&self, parts: &[&str]) -> String {
        let full = self.mac(parts).finalize().into_bytes();
        URL_SAFE_NO_PAD.encode(&full[..TAG_BYTES])
    }

    fn check(&self, parts: &[&str], tag: &str) -> bool {
        let Ok(bytes) = URL_SAFE_NO_PAD.decode(tag) else {
            return false;
        };
        bytes.len() == TAG_BYTES && self.mac(parts).verify_truncated_left(&bytes).is_ok()
    }

    /// The token of a subscription link: `id.tag`.
    pub fn subscription_token(&self, purpose: Purpose, id: i64, nonce: &str) -> String {
        let id = id.to_string();
        format!("{id}.{}", self.sign(&[purpose.tag(), &id, nonce]))
    }

    /// The subscription id a token names, before checking it against the nonce.
    pub fn token_id(token: &str) -> Option<i64> {
        token.split_once('.')?.0.parse().ok()
    }

    /// Whether `token` is a valid `purpose` link for this subscription.
    pub fn check_subscription(&self, purpose: Purpose, id: i64, nonce: &str, token: &str) -> bool {
        let Some((tid, tag)) = token.split_once('.') else {
            return false;
        };
        tid == id.to_string() && self.check(&[purpose.tag(), tid, nonce], tag)
    }

    /// The tag of the one-click unsubscribe link of an address.
    pub fn unsubscribe_tag(&self, email: &str) -> String {
        self.sign(&["unsubscribe", email])
    }

    /// Whether `tag` unsubscribes `email`.
    pub fn check_unsubscribe(&self, email: &str, tag: &str) -> bool {
        self.check(&["unsubscribe", email], tag)
    }
}

/// Builds absolute links under the site's public URL.
#[derive(Clone)]
pub struct Links {
    base_url: String,
    signer: Signer,
}

impl Links {
    /// Links under `base_url` signed with `signer`.
    pub fn new(base_url: &str, signer: Signer) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            signer,
        }
    }

    /// The signer.
    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    /// The site's public URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    fn with_query(&self, path: &str, pairs: &[(&str, &str)]) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        format!("{}{path}?{query}", self.base_url)
    }

    /// Confirmation link of a subscription.
    pub fn confirm(&self, id: i64, nonce: &str) -> String {
        let t = self.signer.subscription_token(Purpose::Confirm, id, nonce);
        self.with_query("/abonnement/confirmer", &[("t", &t)])
    }

    /// Management page of a subscription.
    pub fn manage(&self, id: i64, nonce: &str) -> String {
        let t = self.signer.subscription_token(Purpose::Manage, id, nonce);
        self.with_query("/abonnement/gerer", &[("t", &t)])
    }

    /// One-click unsubscribe URL of an address (RFC 8058), also the footer link.
    pub fn unsubscribe(&self, email: &str) -> String {
        let t = self.signer.unsubscribe_tag(email);
        self.with_query("/abonnement/desinscrire", &[("e", email), ("t", &t)])
    }

    /// An ad's page.
    pub fn ad(&self, id: &str) -> String {
        format!("{}/annonces/{id}", self.base_url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_check_only_for_what_they_sign() {
        let s = Signer::new("secret");
        let t = s.subscription_token(Purpose::Confirm, 7, "nonce");
        assert_eq!(Signer::token_id(&t), Some(7));
        assert!(s.check_subscription(Purpose::Confirm, 7, "nonce", &t));
        assert!(!s.check_subscription(Purpose::Manage, 7, "nonce", &t));
        assert!(!s.check_subscription(Purpose::Confirm, 8, "nonce", &t));
        assert!(!s.check_subscription(Purpose::Confirm, 7, "other", &t));
        assert!(!Signer::new("other").check_subscription(Purpose::Confirm, 7, "nonce", &t));
        let forged = t.replace("7.", "8.");
        assert!(!s.check_subscription(Purpose::Confirm, 8, "nonce", &forged));
        let tag = s.unsubscribe_tag("a@example.org");
        assert!(s.check_unsubscribe("a@example.org", &tag));
        assert!(!s.check_unsubscribe("b@example.org", &tag));
        assert!(!s.check_unsubscribe("a@example.org", "not base64 !"));
    }

    #[test]
    fn links_encode_the_address() {
        let links = Links::new("https://antenne.example.org/", Signer::new("k"));
        let url = links.unsubscribe("léa+veille@example.org");
        assert!(url.starts_with("https://antenne.example.org/abonnement/desinscrire?e=l%C3%A9a%2Bveille%40example.org&t="), "{url}");
    }
}

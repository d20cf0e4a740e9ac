//! robots.txt per RFC 9309: fetched once per host and run; 4xx means everything is allowed,
//! 5xx or an unreachable server means nothing is, for this run.

use texting_robots::Robot;

/// What robots.txt lets us fetch on one host.
pub(crate) enum Robots {
    /// No robots.txt (4xx): everything.
    AllowAll,
    /// robots.txt unavailable (5xx, unreachable): nothing, for this run.
    DisallowAll(String),
    /// Parsed rules.
    Rules(Box<Robot>),
}

impl Robots {
    /// Parses a fetched robots.txt; an unparsable file is treated as absent.
    pub(crate) fn parse(agent: &str, body: &[u8]) -> Self {
        match Robot::new(agent, body) {
            Ok(robot) => Self::Rules(Box::new(robot)),
            Err(_) => Self::AllowAll,
        }
    }

    /// Whether `url` may be fetched.
    pub(crate) fn allowed(&self, url: &str) -> bool {
        match self {
            Self::AllowAll => true,
            Self::DisallowAll(_) => false,
            Self::Rules(robot) => robot.allowed(url),
        }
    }

    /// `Crawl-delay`, if any.
    pub(crate) fn delay(&self) -> Option<std::time::Duration> {
        match self {
            Self::Rules(robot) => robot
                .delay
                .filter(|d| d.is_finite() && *d >= 0.0)
                .map(|d| std::time::Duration::from_secs_f32(d.min(60.0))),
            _ => None,
        }
    }

    /// Why a URL is refused, for messages.
    pub(crate) fn reason(&self) -> String {
        match self {
            Self::DisallowAll(why) => format!(
                "robots.txt unavailable ({why}), nothing fetched from this host in this run"
            ),
            _ => "disallowed by robots.txt".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_and_delay() {
        let r = Robots::parse(
            "antenne",
            b"User-agent: *\nDisallow: /prive/\nCrawl-delay: 2\n",
        );
        assert!(r.allowed("http://127.0.0.1:9/offres/1.html"));
        assert!(!r.allowed("http://127.0.0.1:9/prive/brouillon.html"));
        assert_eq!(r.delay(), Some(std::time::Duration::from_secs(2)));
        assert!(!Robots::DisallowAll("HTTP 503".into()).allowed("http://127.0.0.1:9/"));
    }
}

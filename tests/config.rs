//! Configuration: the committed example loads; bad keys and values are errors naming the key.

use antenne::config::{Config, ConfigError};
use antenne::model::SourceKind;

use crate::util::root;

#[test]
fn the_example_configuration_loads() {
    let c = Config::load(&root().join("fixtures/antenne.example.toml")).unwrap();
    assert_eq!(c.sources.len(), 4);
    assert_eq!(c.sources[0].kind, SourceKind::Feed);
    assert!(c.sources[0].follow_links);
    assert_eq!(c.sources[1].schedule, "0 30 6 * * Mon-Fri");
    assert_eq!(
        c.france_travail["france-travail"].client_id_env,
        "FT_CLIENT_ID"
    );
    assert_eq!(c.web.base_url, "https://antenne.example.org");
    assert_eq!(c.smtp.unwrap().tls, "none");
    assert!(!c.crawl.allow_private_addresses);
    // A relative path is read from the file's folder, wherever the service starts.
    assert_eq!(
        c.digest.outbox.as_deref(),
        Some(root().join("fixtures/data/outbox").as_path())
    );
    assert_eq!(
        c.web.trusted_proxies,
        vec!["127.0.0.1/32".parse::<ipnet::IpNet>().unwrap()]
    );
}

#[test]
fn no_file_means_built_in_defaults() {
    let c = Config::default();
    assert!(c.sources.is_empty());
    assert_eq!(c.web.addr.to_string(), "127.0.0.1:8080");
}

fn error(text: &str) -> String {
    match Config::from_toml_str(text, "test.toml") {
        Err(e) => e.to_string(),
        Ok(_) => panic!("accepted: {text}"),
    }
}

#[test]
fn errors_name_the_file_and_key() {
    let feed = "[[sources]]\nname = \"a\"\nkind = \"feed\"\nurl = \"https://a.example/f.rss\"\n";
    let rows = [
        (format!("{feed}colour = \"blue\"\n"), vec!["test.toml", "unknown field `colour`"]),
        ("[crawl]\nspeed = 3\n".to_owned(), vec!["test.toml", "unknown field `speed`"]),
        (format!("{feed}schedule = \"*/5 * * * *\"\n"), vec!["sources[0].schedule", "not a valid cron expression"]),
        ("[[sources]]\nname = \"a\"\nkind = \"feed\"\nurl = \"not a url\"\n".to_owned(), vec!["sources[0].url", "not a valid URL"]),
        ("[[sources]]\nname = \"a\"\nkind = \"feed\"\nurl = \"ftp://a.example/f\"\n".to_owned(), vec!["sources[0].url", "only http and https"]),
        (format!("{feed}{feed}"), vec!["sources[1].name", "duplicate source name"]),
        ("[[sources]]\nname = \"a\"\nkind = \"gopher\"\nurl = \"https://a.example/\"\n".to_owned(), vec!["unknown variant `gopher`"]),
        ("[[sources]]\nname = \"a\"\nkind = \"jsonld\"\nurl = \"https://a.example/\"\n".to_owned(), vec!["sources[0].links", "needs a CSS selector"]),
        ("[[sources]]\nname = \"a\"\nkind = \"html\"\nurl = \"https://a.example/\"\nlinks = \"a[[\"\n".to_owned(), vec!["sources[0].links", "not a valid CSS selector"]),
        ("[web]\naddr = \"localhost\"\n".to_owned(), vec!["web.addr"]),
        ("[web]\ntrusted_proxies = [\"127.0.0.1\", \"10.0.0.0/33\"]\n".to_owned(), vec!["web.trusted_proxies[1]", "not an IP address or a CIDR block"]),
        ("[crawl]\ntimeout_secs = 0\n".to_owned(), vec!["crawl.timeout_secs"]),
        ("[smtp]\nhost = \"h\"\nfrom = \"a@b\"\ntls = \"ssl3\"\n".to_owned(), vec!["smtp.tls"]),
        ("[smtp]\nhost = \"h\"\nfrom = \"antenne (veille) <pas une adresse>\"\n".to_owned(), vec!["smtp.from", "not a sender"]),
        ("[digest]\nstaff = [\"revue@example.org\", \"revue\"]\n".to_owned(), vec!["digest.staff[1]", "not an email address"]),
        ("[digest]\nschedule = \"lundi 8h\"\n".to_owned(), vec!["digest.schedule", "not a valid cron expression"]),
        ("[[sources]]\nname = \"ft\"\nkind = \"france_travail\"\nurl = \"https://a.example/\"\n".to_owned(), vec!["sources[0].token_url", "required"]),
        (format!("{feed}schedule = \"0 0 0 31 2 *\"\n"), vec!["sources[0].schedule", "never fires"]),
        (format!("{feed}schedule = \"0 0 0 1 1 * 2020\"\n"), vec!["sources[0].schedule", "never fires"]),
        ("[digest]\nschedule = \"0 0 8 30 2 *\"\n".to_owned(), vec!["digest.schedule", "never fires"]),
        ("[[sources]]\nname = \"a\"\nkind = \"html\"\nurl = \"https://a.example/\"\nlinks = \"a\"\nfields = { titel = \"h1\" }\n".to_owned(), vec!["sources[0].fields.titel", "unknown field \"titel\""]),
        ("[[sources]]\nname = \"a\"\nkind = \"html\"\nurl = \"https://a.example/\"\nlinks = \"a\"\nfields = { title = \"h1@@\" }\n".to_owned(), vec!["sources[0].fields.title", "attribute name"]),
        (format!("{feed}token_url = \"https://a.example/t\"\n"), vec!["sources[0].token_url", "not a key of kind \"feed\""]),
        (format!("{feed}links = \"a\"\n"), vec!["sources[0].links", "not a key of kind \"feed\""]),
        ("[[sources]]\nname = \"a\"\nkind = \"jsonld\"\nurl = \"https://a.example/\"\nlinks = \"a\"\nfollow_links = true\n".to_owned(), vec!["sources[0].follow_links", "not a key of kind \"jsonld\""]),
        ("[smtp]\nhost = \"h\"\nfrom = \"a@b.example\"\nport = 0\n".to_owned(), vec!["smtp.port", "between 1 and 65535"]),
    ];
    for (text, wants) in rows {
        let msg = error(&text);
        for want in wants {
            assert!(msg.contains(want), "{msg:?} should contain {want:?}");
        }
    }
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let e = Config::load(std::path::Path::new("/nonexistent/antenne.toml")).unwrap_err();
    assert!(matches!(e, ConfigError::Read { .. }));
    assert!(e.to_string().contains("/nonexistent/antenne.toml"));
}

//! An ad through normalisation (place, contract, salary, dates) and the validator; evidence
//! offsets always index the text.
#![no_main]

use std::sync::OnceLock;

use antenne::model::{RawLocation, RawPosting};
use antenne::rules::RuleSet;
use libfuzzer_sys::fuzz_target;

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| RuleSet::builtin().expect("built-in rules load"))
}

fuzz_target!(|text: &str| {
    let mut parts = text.splitn(6, '\u{1f}');
    let mut next = || parts.next().map(str::to_owned);
    let raw = RawPosting {
        title: next(),
        description: next(),
        location: RawLocation { text: next(), ..RawLocation::default() },
        contract: next(),
        salary: next(),
        published: next(),
        ..RawPosting::default()
    };
    if let Ok(posting) = antenne::normalize::normalize(raw) {
        let verdict = rules().evaluate(&posting);
        for f in &verdict.findings {
            for e in &f.evidence {
                let field = match e.field.as_str() {
                    "title" => &posting.title,
                    "description" => &posting.description,
                    _ => posting.employer.as_deref().unwrap_or_default(),
                };
                assert_eq!(&field[e.start..e.end], e.text);
            }
        }
    }
});

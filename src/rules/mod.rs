//! The validator: rules kept as data in `rules/*.toml`, compiled once, turned into explained
//! verdicts.
//!
//! Pure after load: `RuleSet::evaluate` reads a `Posting` and returns a `Verdict`; it does no
//! I/O and knows nothing of the store. Loading validates everything (patterns compile, ids are
//! unique, categories and fields exist, each rule's own examples behave) and fails naming the
//! file and rule id; nothing is ever skipped.

pub mod advice;
mod context;
pub mod eval;
mod evaluate;
mod features;
mod file;
pub mod fit;
mod fold;
mod items;
mod lexicon;
mod model;
mod read;
mod share;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use regex::bytes::{Regex, RegexBuilder};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::model::VerdictCode;
use context::Context;
use file::{
    CATEGORIES, Explanations, FIELDS, LexiconDef, ModelDef, NegationDef, RuleFile, SectionDef,
    SignalDef,
};
use model::Model;
use share::ShareReader;

pub use evaluate::UNCERTAIN_MARGIN;

/// Where the text of a list item starts, if the line is one (« - », « • », « 1. »…).
pub fn list_item(line: &str) -> Option<usize> {
    items::bullet(line)
}
pub(crate) use fold::fold;

/// Cache of each lazy DFA. The rules' bounded repetitions (« ( [a-z]+){0,6} ») make large
/// automata; a cache too small for them makes the engine fall back to a much slower one.
const DFA_CACHE_BYTES: usize = 64 << 20;

/// The rule files built into the binary (the repository's `rules/` folder).
static BUILTIN: include_dir::Dir<'_> = include_dir::include_dir!("$CARGO_MANIFEST_DIR/rules");

/// A rule set that cannot be used. Every variant names the file, and the rule where there is one.
#[derive(Debug, Error)]
pub enum RuleLoadError {
    /// The folder or a file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file is not valid TOML for rules.
    #[error("{file}: {message}")]
    Parse {
        /// The file.
        file: String,
        /// What toml said.
        message: String,
    },
    /// A rule is wrong.
    #[error("{file}:{rule}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// The rule id.
        rule: String,
        /// What is wrong.
        message: String,
    },
    /// The set as a whole is incomplete (no decision thresholds, no files).
    #[error("{0}")]
    Incomplete(String),
}

struct Signal {
    id: String,
    def: SignalDef,
    /// All the signal's patterns as one alternation: one pass over the text per signal.
    regex: Regex,
}

/// For one field: the signals reading it. Each runs as one alternation of its patterns with
/// the regex crate's literal prefilter. A `RegexSet` over all patterns was measured 25 % slower
/// on generated ads (its automaton over dozens of bounded repetitions thrashes the lazy DFA
/// cache), and so was an aho-corasick pass choosing which patterns to run (most qualify).
struct FieldSet {
    /// Signal indexes.
    owners: Vec<usize>,
}

/// A loaded, checked rule set.
pub struct RuleSet {
    signals: Vec<Signal>,
    explanations: Explanations,
    fields: BTreeMap<&'static str, FieldSet>,
    context: Context,
    share_reader: ShareReader,
    model: Model,
    /// The file that holds the weights, for messages.
    model_file: Option<String>,
    version: String,
}

impl RuleSet {
    /// The rules built into the binary.
    pub fn builtin() -> Result<Self, RuleLoadError> {
        let files = BUILTIN
            .files()
            .filter(|f| f.path().extension().is_some_and(|e| e == "toml"))
            .map(|f| {
                let name = f.path().display().to_string();
                (name, f.contents_utf8().unwrap_or_default().to_owned())
            })
            .collect();
        Self::from_files(files)
    }

    /// Loads every `*.toml` of a folder.
    pub fn load_dir(dir: &Path) -> Result<Self, RuleLoadError> {
        Self::build(read_dir_files(dir)?, &dir.display().to_string(), true)
    }

    /// Builds a rule set from (file name, contents) pairs, checking everything; the learned
    /// weights must be there and name only features the rules define.
    pub fn from_files(files: Vec<(String, String)>) -> Result<Self, RuleLoadError> {
        Self::build(files, "rules", true)
    }

    /// As `load_dir`, for fitting new weights: weights that are missing or no longer match the
    /// rules are replaced by zeros instead of failing.
    pub fn load_dir_for_fitting(dir: &Path) -> Result<Self, RuleLoadError> {
        Self::build(read_dir_files(dir)?, &dir.display().to_string(), false)
    }

    /// Builds the set; `origin` (the folder) prefixes the files named in errors.
    fn build(
        mut files: Vec<(String, String)>,
        origin: &str,
        strict: bool,
    ) -> Result<Self, RuleLoadError> {
        let origin = origin.trim_end_matches('/');
        let path = |name: &str| format!("{origin}/{name}");
        if files.is_empty() {
            return Err(RuleLoadError::Incomplete(format!(
                "{origin}: no rule files"
            )));
        }
        files.sort();
        let mut hasher = Sha256::new();
        let mut signals = Vec::new();
        let mut ids = HashSet::new();
        let mut decision = None;
        let mut explanations = Explanations::new();
        let mut sections: Vec<SectionDef> = Vec::new();
        let mut negation: Option<NegationDef> = None;
        let mut model_def: Option<(String, ModelDef)> = None;
        let mut lexicon_def: Option<LexiconDef> = None;
        let mut skipped_weights: Option<String> = None;
        for (name, text) in &files {
            hasher.update(name.as_bytes());
            hasher.update([0]);
            hasher.update(text.as_bytes());
            hasher.update([0]);
            let parsed: RuleFile = match toml::from_str(text) {
                Ok(parsed) => parsed,
                // Fitting replaces the weights: a weights file of an older format is skipped.
                Err(_) if !strict && text.contains("\n[model]") => {
                    skipped_weights = Some(name.clone());
                    continue;
                }
                Err(e) => {
                    return Err(RuleLoadError::Parse {
                        file: path(name),
                        message: e.to_string().trim_end().to_owned(),
                    });
                }
            };
            if let Some(d) = parsed.decision
                && decision.replace(d).is_some()
            {
                return Err(RuleLoadError::Incomplete(format!(
                    "{}: a second [decision] table (only one file may hold it)",
                    path(name)
                )));
            }
            sections.extend(parsed.section);
            if let Some(n) = parsed.negation
                && negation.replace(n).is_some()
            {
                return Err(RuleLoadError::Incomplete(format!(
                    "{}: a second [negation] table (only one file may hold it)",
                    path(name)
                )));
            }
            if let Some(l) = parsed.lexicon
                && lexicon_def.replace(l).is_some()
            {
                return Err(RuleLoadError::Incomplete(format!(
                    "{}: a second [lexicon] table (only one file may hold the vocabulary)",
                    path(name)
                )));
            }
            if let Some(m) = parsed.model
                && model_def.replace((name.clone(), m)).is_some()
            {
                return Err(RuleLoadError::Incomplete(format!(
                    "{}: a second [model] table (only one file may hold the weights)",
                    path(name)
                )));
            }
            for v in parsed.verdict {
                explanations.insert(v.code, v);
            }
            for def in parsed.signal {
                let id = format!("{}.{}", parsed.family, def.id);
                let invalid = |message: String| RuleLoadError::Invalid {
                    file: path(name),
                    rule: id.clone(),
                    message,
                };
                if !ids.insert(id.clone()) {
                    return Err(invalid("duplicate rule id".into()));
                }
                let signal = compile(id.clone(), def).map_err(invalid)?;
                check_examples(&signal).map_err(invalid)?;
                signals.push(signal);
            }
        }
        let decision = decision.ok_or_else(|| {
            RuleLoadError::Incomplete(format!("{origin}: no file holds the [decision] table"))
        })?;
        if let Some(missing) = VerdictCode::ALL
            .iter()
            .find(|c| !explanations.contains_key(c))
        {
            return Err(RuleLoadError::Incomplete(format!(
                "no [[verdict]] explains the code {:?}",
                missing.as_str()
            )));
        }
        let fields = field_sets(&signals);
        let context = Context::new(&sections, decision.lead_weight, negation.as_ref())
            .map_err(RuleLoadError::Incomplete)?;
        let names: Vec<String> = signals
            .iter()
            .map(|s| s.id.clone())
            .chain(features::STRUCTURAL.iter().map(|s| (*s).to_owned()))
            .collect();
        let model_file = model_def
            .as_ref()
            .map(|(f, _)| f.clone())
            .or(skipped_weights);
        let model = match model_def {
            Some((file, def)) => match Model::new(def, lexicon_def.unwrap_or_default(), &names) {
                Ok(m) => m,
                Err(message) if strict => {
                    return Err(RuleLoadError::Invalid {
                        file: path(&file),
                        rule: "model".into(),
                        message,
                    });
                }
                Err(_) => Model::zero(names.len()),
            },
            None if strict => {
                return Err(RuleLoadError::Incomplete(format!(
                    "{origin}: no file holds the learned [model] weights: run `antenne rules fit`"
                )));
            }
            None => Model::zero(names.len()),
        };
        let version = hasher
            .finalize()
            .iter()
            .take(6)
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Self {
            signals,
            explanations,
            fields,
            context,
            share_reader: ShareReader::new(),
            model,
            model_file,
            version,
        })
    }

    /// Hash of the rule files: changes whenever a rule changes.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Every rule id, in load order.
    pub fn rule_ids(&self) -> Vec<&str> {
        self.signals.iter().map(|s| s.id.as_str()).collect()
    }
}

/// Every `*.toml` of a folder, as (file name, contents).
fn read_dir_files(dir: &Path) -> Result<Vec<(String, String)>, RuleLoadError> {
    let io = |path: &Path, source| RuleLoadError::Io {
        path: path.to_owned(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
        let path = entry.map_err(|e| io(dir, e))?.path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            files.push((name, text));
        }
    }
    Ok(files)
}

fn compile(id: String, def: SignalDef) -> Result<Signal, String> {
    if !CATEGORIES.contains(&def.category.as_str()) {
        return Err(format!(
            "unknown category {:?} (known: {})",
            def.category,
            CATEGORIES.join(", ")
        ));
    }
    if let Some(f) = def.fields.iter().find(|f| !FIELDS.contains(&f.as_str())) {
        return Err(format!(
            "unknown field {f:?} (known: {})",
            FIELDS.join(", ")
        ));
    }
    if def.patterns.is_empty() {
        return Err("no patterns".into());
    }
    if def.message.trim().is_empty() || def.reference.trim().is_empty() {
        return Err("message and reference must not be empty".into());
    }
    if !(def.weight.is_finite()) {
        return Err("weight must be a finite number".into());
    }
    let build = |p: &str| {
        RegexBuilder::new(p)
            .unicode(false)
            .dfa_size_limit(DFA_CACHE_BYTES)
            .build()
            .map_err(|e| format!("pattern {p:?} does not compile: {e}"))
    };
    for p in &def.patterns {
        if p.chars().any(|c| !c.is_ascii() || c.is_ascii_uppercase()) {
            return Err(format!(
                "pattern {p:?} has upper-case or accented letters, which folded text never contains"
            ));
        }
        build(p)?;
    }
    let alternation: Vec<String> = def.patterns.iter().map(|p| format!("(?:{p})")).collect();
    let regex = build(&alternation.join("|"))?;
    Ok(Signal { id, def, regex })
}

fn check_examples(s: &Signal) -> Result<(), String> {
    let fires = |text: &str| {
        let folded = fold(text);
        s.regex.is_match(folded.as_bytes())
    };
    if let Some(t) = s.def.fire.iter().find(|t| !fires(t)) {
        return Err(format!("example {t:?} should fire but does not"));
    }
    if let Some(t) = s.def.quiet.iter().find(|t| fires(t)) {
        return Err(format!("example {t:?} should stay quiet but fires"));
    }
    if s.def.fire.is_empty() {
        return Err("no `fire` example".into());
    }
    Ok(())
}

fn field_sets(signals: &[Signal]) -> BTreeMap<&'static str, FieldSet> {
    FIELDS
        .iter()
        .filter_map(|field| {
            let owners: Vec<usize> = signals
                .iter()
                .enumerate()
                .filter(|(_, s)| s.def.fields.iter().any(|f| f == field))
                .map(|(si, _)| si)
                .collect();
            (!owners.is_empty()).then_some((*field, FieldSet { owners }))
        })
        .collect()
}

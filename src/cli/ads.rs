//! Ads given on the command line: `antenne validate`, `antenne rules eval`, `antenne rules diff`.

use std::io::{Read, Write};
use std::path::Path;

use anyhow::{Context, Result};
use serde_json::Value;

use super::{UsageError, ValidateArgs};
use crate::app::VerdictChange;
use crate::model::{RawLocation, RawPosting, Severity, Verdict, VerdictCode};
use crate::normalize;
use crate::rules::RuleSet;
use crate::rules::eval::{EvalReport, Labelled};

pub(super) fn validate(rules: &RuleSet, args: &ValidateArgs) -> Result<()> {
    let mut input = String::new();
    if args.file == "-" {
        std::io::stdin()
            .read_to_string(&mut input)
            .context("cannot read standard input")?;
    } else {
        input = std::fs::read_to_string(&args.file)
            .with_context(|| format!("cannot read {}", args.file))?;
    }
    let ads = if args.text && input.trim().is_empty() {
        Vec::new()
    } else if args.text {
        vec![(
            String::from("texte"),
            RawPosting {
                description: Some(input),
                ..RawPosting::default()
            },
        )]
    } else {
        parse_ads(&input).map_err(|e| UsageError(format!("{}: {e}", args.file)))?
    };
    if ads.is_empty() {
        return Err(UsageError(format!(
            "{}: no ad to validate (the input is empty)",
            args.file
        ))
        .into());
    }
    let mut out = std::io::stdout().lock();
    for (id, raw) in ads {
        let posting = match normalize::draft(id.clone(), raw) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("{id}: {e}");
                continue;
            }
        };
        if posting.description.len() + 4 >= normalize::MAX_DESCRIPTION_BYTES {
            eprintln!(
                "{id}: the description is longer than {} bytes: only its beginning was read",
                normalize::MAX_DESCRIPTION_BYTES
            );
        }
        let verdict = rules.evaluate(&posting);
        if args.json {
            serde_json::to_writer(&mut out, &verdict)?;
            writeln!(out)?;
        } else {
            write_report(&mut out, &posting.title, &verdict)?;
        }
    }
    Ok(())
}

/// Reads ads as one JSON object, a JSON array or JSON Lines; each in our shape or schema.org.
fn parse_ads(input: &str) -> Result<Vec<(String, RawPosting)>, String> {
    let trimmed = input.trim_start();
    let values: Vec<Value> = if trimmed.starts_with('[') {
        serde_json::from_str(trimmed).map_err(|e| format!("invalid JSON array: {e}"))?
    } else if let Ok(v) = serde_json::from_str::<Value>(trimmed) {
        vec![v]
    } else {
        trimmed
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                serde_json::from_str(l).map_err(|e| format!("line {}: invalid JSON: {e}", i + 1))
            })
            .collect::<Result<_, _>>()?
    };
    let mut ads = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let fallback_id = format!("ad-{}", i + 1);
        let schema = crate::extract::job_postings_in_json(v);
        if !schema.is_empty() {
            for (j, raw) in schema.into_iter().enumerate() {
                let id = raw.source_ref.clone().unwrap_or_else(|| {
                    if j == 0 {
                        fallback_id.clone()
                    } else {
                        format!("{fallback_id}-{j}")
                    }
                });
                ads.push((id, raw));
            }
            continue;
        }
        let id = v
            .get("id")
            .and_then(|x| x.as_str())
            .map_or(fallback_id, str::to_owned);
        let raw = raw_from_ad(v).ok_or_else(|| format!("ad {} has no \"description\"", i + 1))?;
        ads.push((id, raw));
    }
    Ok(ads)
}

fn write_report(out: &mut impl Write, title: &str, v: &Verdict) -> std::io::Result<()> {
    let yes = |b: bool| if b { "oui" } else { "non" };
    writeln!(
        out,
        "── {} · {}",
        v.id,
        if title.is_empty() {
            "(sans titre)"
        } else {
            title
        }
    )?;
    writeln!(
        out,
        "Verdict : {} ({}) · se présente comme ANT : {} · signalée : {}",
        v.verdict.label_fr(),
        v.verdict.as_str(),
        yes(v.claims_ant),
        yes(v.flagged)
    )?;
    if let Some(share) = &v.facilitation_share {
        writeln!(out, "{}", share.line_fr())?;
    }
    let scores: Vec<String> = v
        .scores
        .iter()
        .filter(|(_, s)| **s > 0.0)
        .map(|(k, s)| format!("{k} {s}"))
        .collect();
    writeln!(
        out,
        "Scores : {}",
        if scores.is_empty() {
            "aucun signal".to_owned()
        } else {
            scores.join(" · ")
        }
    )?;
    for f in &v.findings {
        let sev = match f.severity {
            Severity::Block => "bloquant",
            Severity::Warn => "à vérifier",
            Severity::Info => "info",
        };
        writeln!(out, "  [{sev}] {} — {}", f.rule, f.message)?;
        if let Some(w) = f.weighs_fr(v.verdict) {
            writeln!(out, "      {}", capitalise(&w))?;
        }
        writeln!(out, "      Référence\u{202f}: {}", f.reference)?;
        if !f.evidence.is_empty() {
            let ev: Vec<String> = f
                .evidence
                .iter()
                .map(|e| format!("« {} » ({} {}–{})", e.text, e.field, e.start, e.end))
                .collect();
            writeln!(out, "      Extraits\u{202f}: {}", ev.join(", "))?;
        }
    }
    writeln!(out, "Règles version {}", v.rules_version)?;
    writeln!(out)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// An ad in our input shape (every field optional but `description`; unknown fields ignored).
fn raw_from_ad(v: &Value) -> Option<RawPosting> {
    let text = |k: &str| match v.get(k)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    text("description")?;
    let location = match v.get("location") {
        Some(Value::String(s)) => RawLocation {
            text: Some(s.clone()),
            ..RawLocation::default()
        },
        Some(obj @ Value::Object(_)) => {
            let f = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_owned);
            RawLocation {
                text: None,
                city: f("city"),
                postcode: f("postcode"),
                department: f("department"),
                region: f("region"),
            }
        }
        _ => RawLocation::default(),
    };
    Some(RawPosting {
        source_ref: text("id"),
        url: text("url"),
        title: text("title"),
        description: text("description"),
        employer: text("employer"),
        location,
        contract: text("contract"),
        hours: text("hours"),
        salary: text("salary"),
        published: text("published"),
        valid_through: text("valid_through"),
        fetched_at: None,
    })
}

/// Normalises a raw ad for validation: a missing title is allowed (left empty).
/// Reads labelled ads: JSON Lines with `label` (a verdict code) and `claims_ant`.
pub(super) fn read_labelled(file: &Path) -> Result<Vec<Labelled>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let mut ads = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let at = || format!("{}:{}", file.display(), n + 1);
        let v: Value = serde_json::from_str(line)
            .map_err(|e| UsageError(format!("{}: invalid JSON: {e}", at())))?;
        let label = v
            .get("label")
            .and_then(Value::as_str)
            .and_then(VerdictCode::parse);
        let label = label
            .ok_or_else(|| UsageError(format!("{}: no valid \"label\" (a verdict code)", at())))?;
        let claims_ant = v.get("claims_ant").and_then(Value::as_bool);
        let claims_ant =
            claims_ant.ok_or_else(|| UsageError(format!("{}: no boolean \"claims_ant\"", at())))?;
        let raw =
            raw_from_ad(&v).ok_or_else(|| UsageError(format!("{}: no \"description\"", at())))?;
        let id = v
            .get("id")
            .and_then(Value::as_str)
            .map_or_else(|| format!("ad-{}", n + 1), str::to_owned);
        let posting =
            normalize::draft(id, raw).map_err(|e| UsageError(format!("{}: {e}", at())))?;
        ads.push(Labelled {
            posting,
            label,
            claims_ant,
        });
    }
    Ok(ads)
}

/// Least figures a measurement must reach.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Floors {
    /// Verdict accuracy.
    pub(super) accuracy: Option<f64>,
    /// F1 of `flagged`.
    pub(super) flag_f1: Option<f64>,
}

impl Floors {
    /// An error naming each figure below its floor.
    pub(super) fn check(self, what: &str, accuracy: f64, flag_f1: f64) -> Result<()> {
        let mut below = Vec::new();
        if let Some(min) = self.accuracy.filter(|min| accuracy < *min) {
            below.push(format!("verdict accuracy {accuracy:.3} < {min}"));
        }
        if let Some(min) = self.flag_f1.filter(|min| flag_f1 < *min) {
            below.push(format!("flag F1 {flag_f1:.3} < {min}"));
        }
        if below.is_empty() {
            Ok(())
        } else {
            anyhow::bail!("{what}: below the floor: {}", below.join(", "))
        }
    }
}

pub(super) fn eval(rules: &RuleSet, file: &Path, json: bool, floors: Floors) -> Result<()> {
    let ads = read_labelled(file)?;
    let report = crate::rules::eval::evaluate(rules, &ads);
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        write_eval(&mut out, &report)?;
    }
    floors.check(
        &file.display().to_string(),
        report.accuracy,
        report.flagged.f1,
    )
}

pub(super) fn fr(x: f64) -> String {
    format!("{x:.3}").replace('.', ",")
}

pub(super) fn write_eval(out: &mut impl Write, r: &EvalReport) -> std::io::Result<()> {
    writeln!(
        out,
        "Évaluation des règles (version {}) sur {} annonces",
        r.rules_version, r.ads
    )?;
    let f = &r.flagged;
    writeln!(
        out,
        "Signalement : précision {} · rappel {} · F1 {} ({} à signaler)",
        fr(f.precision),
        fr(f.recall),
        fr(f.f1),
        f.support
    )?;
    writeln!(
        out,
        "Exactitude des verdicts : {} · de « se présente comme ANT » : {}",
        fr(r.accuracy),
        fr(r.claims_accuracy)
    )?;
    writeln!(
        out,
        "\n{:<20} {:>9} {:>7} {:>7} {:>7}",
        "verdict", "précision", "rappel", "F1", "attendus"
    )?;
    for (code, f) in &r.per_verdict {
        writeln!(
            out,
            "{:<20} {:>9} {:>7} {:>7} {:>7}",
            code.as_str(),
            fr(f.precision),
            fr(f.recall),
            fr(f.f1),
            f.support
        )?;
    }
    writeln!(
        out,
        "\nMatrice de confusion (lignes : attendu ; colonnes : obtenu)"
    )?;
    write!(out, "{:<20}", "")?;
    for code in VerdictCode::ALL {
        write!(out, " {:>6}", &code.as_str()[..code.as_str().len().min(6)])?;
    }
    writeln!(out)?;
    for expected in VerdictCode::ALL {
        write!(out, "{:<20}", expected.as_str())?;
        for got in VerdictCode::ALL {
            let n = r
                .confusion
                .get(&expected)
                .and_then(|row| row.get(&got))
                .copied()
                .unwrap_or(0);
            write!(out, " {n:>6}")?;
        }
        writeln!(out)?;
    }
    if !r.misses.is_empty() {
        writeln!(out, "\nAnnonces mal jugées\u{202f}:")?;
        for m in &r.misses {
            writeln!(
                out,
                "  {} : attendu {}{}, obtenu {}{}",
                m.id,
                m.expected.as_str(),
                if m.expected_flag {
                    " (à signaler)"
                } else {
                    ""
                },
                m.got.as_str(),
                if m.got_flag { " (signalée)" } else { "" }
            )?;
        }
    }
    Ok(())
}

pub(super) fn print_diff(changes: &[VerdictChange], version: &str) {
    if changes.is_empty() {
        println!("Aucun verdict ne changerait avec les règles version {version}.");
        return;
    }
    println!(
        "{} annonce(s) changeraient de verdict avec les règles version {version} :",
        changes.len()
    );
    for c in changes {
        let flag = |v: &Verdict| if v.flagged { " (signalée)" } else { "" };
        println!(
            "  {} · {} : {}{} → {}{}",
            c.id,
            c.title,
            c.before.verdict.as_str(),
            flag(&c.before),
            c.after.verdict.as_str(),
            flag(&c.after)
        );
    }
    println!("Appliquer\u{202f}: antenne rules apply");
}

//! `antenne rules fit`: learns the decision weights from labelled ads, reports cross-validated
//! and in-sample figures side by side, and writes the weights into the rule folder unless they
//! cross-validate worse than the weights in use.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;

use super::UsageError;
use super::ads::{Floors, fr, read_labelled};
use crate::model::VerdictCode;
use crate::rules::RuleSet;
use crate::rules::eval::EvalReport;
use crate::rules::fit::{FitOptions, Fitted, fit};

/// Options of `antenne rules fit`.
#[derive(Debug, Args)]
pub struct FitArgs {
    /// Labelled ads, JSON Lines with `label` and `claims_ant`.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Folds of the cross-validation.
    #[arg(long, default_value_t = 5)]
    folds: usize,
    /// L2 penalties to try (repeatable; default 0.3, 1, 3 and 10).
    #[arg(long = "penalty")]
    penalties: Vec<f64>,
    /// Length of an ad's word vector, how much the vocabulary weighs (0 leaves it out).
    #[arg(long)]
    lexicon_scale: Option<f64>,
    /// Measure only: write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Write the weights even when they cross-validate worse than the weights in use.
    #[arg(long)]
    force: bool,
    /// Fail (exit 1) when the cross-validated verdict accuracy is below this.
    #[arg(long)]
    min_accuracy: Option<f64>,
    /// Fail (exit 1) when the cross-validated F1 of `flagged` is below this.
    #[arg(long)]
    min_flag_f1: Option<f64>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Also write the features read of each ad, as JSON Lines, to this file (for analysis).
    #[arg(long)]
    features_out: Option<PathBuf>,
}

pub(super) fn run(rules_dir: Option<&Path>, args: &FitArgs) -> Result<()> {
    let dir = match rules_dir {
        Some(d) => d.to_owned(),
        None if Path::new("rules").is_dir() => PathBuf::from("rules"),
        None => {
            return Err(UsageError(
                "no rule folder to write the weights into: run from the repository or give --rules DIR"
                    .into(),
            )
            .into());
        }
    };
    let rules = RuleSet::load_dir_for_fitting(&dir)?;
    let mut ads = Vec::new();
    let mut sources = Vec::new();
    for file in &args.files {
        let read = read_labelled(file)?;
        sources.push(format!("{} ({} annonces)", file.display(), read.len()));
        ads.extend(read);
    }
    if let Some(path) = &args.features_out {
        let mut lines = String::new();
        for row in crate::rules::fit::feature_table(&rules, &ads) {
            lines.push_str(&row.to_string());
            lines.push('\n');
        }
        std::fs::write(path, lines).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let defaults = FitOptions::default();
    let opts = FitOptions {
        folds: args.folds,
        penalties: if args.penalties.is_empty() {
            defaults.penalties
        } else {
            args.penalties.clone()
        },
        lexicon_scale: args.lexicon_scale.unwrap_or(defaults.lexicon_scale),
    };
    let fitted = fit(&rules, &ads, sources.clone(), &opts)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &fitted)?;
        writeln!(out)?;
    } else {
        write_fit(&mut out, &fitted, &sources, args.folds)?;
    }
    let floors = Floors {
        accuracy: args.min_accuracy,
        flag_f1: args.min_flag_f1,
    };
    floors.check(
        "cross-validated figures",
        fitted.cv_accuracy(),
        fitted.cv_flag_f1(),
    )?;
    if args.dry_run {
        return Ok(());
    }
    if let Some((accuracy, f1)) = rules.fitted_figures()
        && fitted.cv_accuracy() < accuracy
        && !args.force
    {
        anyhow::bail!(
            "the new weights cross-validate worse than those in use (accuracy {:.3} < {accuracy:.3}, flag F1 {:.3} vs {f1:.3}): nothing written (--force to write them anyway)",
            fitted.cv_accuracy(),
            fitted.cv_flag_f1()
        );
    }
    let target = dir.join(rules.weights_file().unwrap_or("poids.toml"));
    let tmp = target.with_extension("toml.tmp");
    std::fs::write(&tmp, fitted.to_rule_file())
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &target).with_context(|| format!("cannot write {}", target.display()))?;
    // The folder must still load as a whole with the new weights.
    RuleSet::load_dir(&dir)?;
    writeln!(out, "Poids écrits dans {}.", target.display())?;
    Ok(())
}

fn write_fit(
    out: &mut impl Write,
    f: &Fitted,
    sources: &[String],
    folds: usize,
) -> std::io::Result<()> {
    let (cv, ins) = (&f.cross_validated, &f.in_sample);
    writeln!(
        out,
        "Apprentissage des poids sur {} annonces : {}",
        cv.ads,
        sources.join(", ")
    )?;
    let trials: Vec<String> = f
        .trials
        .iter()
        .map(|t| {
            format!(
                "{} → exactitude {} · F1 {}",
                fr(t.l2),
                fr(t.accuracy),
                fr(t.flag_f1)
            )
        })
        .collect();
    writeln!(
        out,
        "Pénalité L2 (validation croisée en {folds} plis) : {} ; retenue : {}",
        trials.join(" ; "),
        fr(f.l2)
    )?;
    writeln!(
        out,
        "\n{:<20} {:>26}   {:>26}",
        "", "validation croisée", "annonces d'apprentissage"
    )?;
    writeln!(
        out,
        "{:<20} {:>9} {:>7} {:>8}   {:>9} {:>7} {:>8} {:>8}",
        "", "précision", "rappel", "F1", "précision", "rappel", "F1", "attendus"
    )?;
    for code in VerdictCode::ALL {
        let (a, b) = (&cv.per_verdict[&code], &ins.per_verdict[&code]);
        writeln!(
            out,
            "{:<20} {:>9} {:>7} {:>8}   {:>9} {:>7} {:>8} {:>8}",
            code.as_str(),
            fr(a.precision),
            fr(a.recall),
            fr(a.f1),
            fr(b.precision),
            fr(b.recall),
            fr(b.f1),
            a.support
        )?;
    }
    let (a, b) = (&cv.flagged, &ins.flagged);
    writeln!(
        out,
        "{:<20} {:>9} {:>7} {:>8}   {:>9} {:>7} {:>8} {:>8}",
        "signalement",
        fr(a.precision),
        fr(a.recall),
        fr(a.f1),
        fr(b.precision),
        fr(b.recall),
        fr(b.f1),
        a.support
    )?;
    writeln!(
        out,
        "{:<20} {:>26}   {:>26}",
        "exactitude",
        fr(cv.accuracy),
        fr(ins.accuracy)
    )?;
    write_confusion(out, cv)?;
    write_misses(out, cv)
}

fn write_confusion(out: &mut impl Write, r: &EvalReport) -> std::io::Result<()> {
    writeln!(
        out,
        "\nMatrice de confusion en validation croisée (lignes : attendu ; colonnes : obtenu)"
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
    Ok(())
}

/// The ads still misjudged in cross-validation, grouped by kind of mistake.
fn write_misses(out: &mut impl Write, r: &EvalReport) -> std::io::Result<()> {
    let mut kinds: std::collections::BTreeMap<(VerdictCode, VerdictCode), Vec<&str>> =
        std::collections::BTreeMap::new();
    for m in &r.misses {
        kinds
            .entry((m.expected, m.got))
            .or_default()
            .push(m.id.as_str());
    }
    if kinds.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\nAnnonces mal jugées en validation croisée, par erreur :"
    )?;
    let mut sorted: Vec<_> = kinds.into_iter().collect();
    sorted.sort_by_key(|(_, ids)| std::cmp::Reverse(ids.len()));
    for ((expected, got), ids) in sorted {
        writeln!(
            out,
            "  attendu {} → obtenu {} ({}) : {}",
            expected.as_str(),
            got.as_str(),
            ids.len(),
            ids.join(", ")
        )?;
    }
    Ok(())
}

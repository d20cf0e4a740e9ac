//! What `antenne crawl` and `antenne sources` show on a terminal.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Arc;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::model::Source;
use crate::pipeline::Progress;
use crate::store::{RunRecord, SourceHealth};

/// One spinner per source on a terminal; nothing otherwise (the summary lines follow).
pub(super) struct Bars {
    bars: Arc<HashMap<String, ProgressBar>>,
}

impl Bars {
    pub(super) fn new(sources: &[Source]) -> Self {
        let multi = if std::io::stderr().is_terminal() {
            MultiProgress::new()
        } else {
            MultiProgress::with_draw_target(ProgressDrawTarget::hidden())
        };
        let style = ProgressStyle::with_template("{spinner} {prefix:<20} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bars = sources
            .iter()
            .map(|s| {
                let bar = multi.add(ProgressBar::new_spinner());
                bar.set_style(style.clone());
                bar.set_prefix(s.name.clone());
                bar.set_message("en cours…");
                bar.enable_steady_tick(std::time::Duration::from_millis(120));
                (s.name.clone(), bar)
            })
            .collect();
        Self {
            bars: Arc::new(bars),
        }
    }

    pub(super) fn hook(&self) -> Option<Progress> {
        let bars = self.bars.clone();
        Some(Arc::new(move |r: &RunRecord| {
            if let Some(bar) = bars.get(&r.source) {
                bar.set_message(format!(
                    "{} annonces, {} documents",
                    r.new + r.updated + r.unchanged,
                    r.fetched
                ));
            }
        }))
    }

    pub(super) fn finish(&self) {
        for bar in self.bars.values() {
            bar.finish_and_clear();
        }
    }
}

pub(super) fn print_health(health: &[SourceHealth]) {
    if health.is_empty() {
        println!("Aucune source.");
        return;
    }
    for h in health {
        let s = &h.state;
        println!("{}", s.name);
        let moment = |t: &Option<String>, none: &str| {
            t.as_deref()
                .map_or_else(|| none.to_owned(), crate::model::fr::moment_of)
        };
        println!(
            "  dernier succès\u{202f}: {}",
            moment(&s.last_success_at, "jamais")
        );
        println!(
            "  prochaine exécution\u{202f}: {}",
            moment(&s.next_run_at, "non planifiée")
        );
        println!("  échecs consécutifs\u{202f}: {}", s.consecutive_failures);
        match (&s.last_error_kind, &s.last_error) {
            (Some(kind), Some(msg)) => println!("  dernière erreur ({kind})\u{202f}: {msg}"),
            _ => println!("  dernière erreur\u{202f}: aucune"),
        }
        if let Some((msg, at)) = &s.last_item_fault {
            let at = crate::model::fr::moment_of(at);
            println!("  dernière annonce écartée ({at})\u{202f}: {msg}");
        }
        if let Some((msg, at)) = &s.last_repair {
            let at = crate::model::fr::moment_of(at);
            println!("  dernier flux réparé ({at})\u{202f}: {msg}");
        }
        println!(
            "  exécutions\u{202f}: {} · part de 304\u{202f}: {:.0}\u{a0}% · annonces par exécution\u{202f}: {:.1} · durée moyenne\u{202f}: {:.1}\u{a0}s",
            h.runs,
            h.not_modified_share() * 100.0,
            h.ads_per_run(),
            if h.runs == 0 {
                0.0
            } else {
                h.duration_ms as f64 / h.runs as f64 / 1000.0
            }
        );
    }
}

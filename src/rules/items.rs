//! The mission list read like a person reads it: the description's mission part cut into items
//! (bullets, or sentences of prose) under their group headings, each item given the kind of
//! work its matched signals describe.

use super::Signal;
use super::context::SectionMap;
use super::fold::Folded;
use super::read::Match;

pub(crate) use crate::model::MissionKind as Kind;

/// Every kind, in feature order.
pub(crate) const KINDS: [Kind; 6] = Kind::ALL;

/// The kind of work a signal category describes, if any.
pub(crate) fn kind_of_category(category: &str) -> Option<Kind> {
    Some(match category {
        "facilitation" => Kind::Facilitation,
        "webmaster" => Kind::Web,
        "community_manager" => Kind::Social,
        "database_operator" => Kind::Data,
        "front_desk" => Kind::Duties,
        "other_job" => Kind::Other,
        _ => return None,
    })
}

/// A stretch of the mission part: one item, or the heading of a group of items.
#[derive(Debug, Clone)]
pub(crate) struct Unit {
    /// Original byte range in the description.
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// A heading (« Missions d'accueil (70 %) », « Concrètement : ») rather than an item.
    pub(crate) header: bool,
    /// A list item (bullet), rather than a sentence of prose.
    pub(crate) bullet: bool,
    /// Part of the missions; otherwise a sentence of the presentation, read only for the time
    /// shares it may state (« 55 % du temps pour l'accompagnement des partenaires »).
    pub(crate) mission: bool,
    /// The heading this item sits under, as an index into the units.
    pub(crate) group: Option<usize>,
    /// The kind its signals describe, if any.
    pub(crate) kind: Option<Kind>,
    /// It names a digital medium (web, online, social networks, reviews...).
    pub(crate) digital: bool,
    /// Its clauses (cut at commas, colons and semicolons), each with its own kind: a sentence
    /// that shares the time between several kinds of work (« 55 % pour le site, 45 % pour les
    /// prestataires ») is read clause by clause.
    pub(crate) clauses: Vec<(usize, usize, Option<Kind>)>,
}

/// The leading list marker of a line, and where its content starts.
pub(crate) fn bullet(line: &str) -> Option<usize> {
    let trimmed = line.trim_start();
    let lead = line.len() - trimmed.len();
    let mut chars = trimmed.char_indices();
    let (_, c) = chars.next()?;
    if matches!(
        c,
        '-' | '•'
            | '–'
            | '—'
            | '>'
            | '*'
            | '·'
            | '▪'
            | '◦'
            | '✓'
            | '→'
            | '►'
            | '●'
            | '○'
            | '■'
    ) {
        let rest = &trimmed[c.len_utf8()..];
        return (rest.starts_with(' ') || rest.is_empty())
            .then(|| lead + c.len_utf8() + (rest.len() - rest.trim_start().len()));
    }
    let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=2).contains(&digits) {
        let after = &trimmed[digits..];
        if (after.starts_with(". ") || after.starts_with(") ")) && after.len() > 2 {
            return Some(lead + digits + 2);
        }
    }
    None
}

/// Sentence spans of a line of prose (original offsets, relative to the line).
fn sentences(line: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    let bytes = line.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if matches!(b, b'.' | b';' | b'!' | b'?') && bytes.get(i + 1).is_none_or(|n| *n == b' ') {
            out.push((from, i + 1));
            from = i + 1;
        }
    }
    out.push((from, line.len()));
    out.into_iter()
        .map(|(s, e)| {
            let piece = &line[s..e];
            let lead = piece.len() - piece.trim_start().len();
            (s + lead, s + piece.trim_end().len())
        })
        .filter(|(s, e)| e > s)
        .collect()
}

/// The kind of work the matches within `start..end` describe (each signal counted once), and
/// whether they name a digital medium.
fn kind_in(
    start: usize,
    end: usize,
    matches: &[Match],
    signals: &[Signal],
) -> (Option<Kind>, bool) {
    // Each signal counts once: « ateliers sur les photos, les avis et les réseaux sociaux » is
    // one workshop about three topics, not three pieces of social-media work.
    // Frames (the form of the work: « animer des ateliers », « administrer le site de
    // l'office ») decide before topic words: « ateliers : tourner un Reel, écrire une
    // légende » is a workshop, whatever its topic.
    let mut weight = [0.0; 6];
    let mut framed = [0.0; 6];
    let mut digital = false;
    let first = matches.partition_point(|m| m.start < start);
    let mut seen: Vec<usize> = Vec::new();
    for m in matches[first..].iter().take_while(|m| m.start < end) {
        if seen.contains(&m.signal) {
            continue;
        }
        seen.push(m.signal);
        let def = &signals[m.signal].def;
        if def.category == "digital" {
            digital = true;
        } else if let Some(kind) = kind_of_category(&def.category) {
            weight[kind.index()] += def.weight;
            if def.frame {
                framed[kind.index()] += def.weight;
            }
        }
    }
    if framed.iter().any(|w| *w > 0.0) {
        weight = framed;
    }
    let kind = KINDS
        .iter()
        .copied()
        .filter(|k| weight[k.index()] > 0.0)
        .fold(None, |best: Option<Kind>, k| match best {
            Some(b) if weight[b.index()] >= weight[k.index()] => Some(b),
            _ => Some(k),
        });
    (kind, digital)
}

/// Cuts the mission part of a description into units and gives each its kind.
pub(crate) fn units(
    text: &str,
    folded: &Folded,
    sections: &SectionMap<'_>,
    matches: &[Match],
    signals: &[Signal],
) -> Vec<Unit> {
    let mut lines = Vec::new();
    let mut offset = 0;
    for line in text.split('\n') {
        let lead = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        if !trimmed.is_empty() {
            lines.push((offset + lead, offset + lead + trimmed.len()));
        }
        offset += line.len() + 1;
    }
    let mut units: Vec<Unit> = Vec::new();
    let mut group = None;
    for (i, &(start, end)) in lines.iter().enumerate() {
        let at = folded.folded_at(start);
        let line = &text[start..end];
        let marker = bullet(line);
        let factor = sections.factor_at(at, "facilitation");
        let mission = factor >= 1.0;
        if !mission && !sections.is_context(at) {
            group = None;
            continue;
        }
        // A line followed by list items heads them, unless it is one of them; a numbered line
        // over dashed items (« 1. Stratégie (50 %) » then « - ... ») heads them too.
        let numbered = |l: &str| l.trim_start().starts_with(|c: char| c.is_ascii_digit());
        let next_is_bullet = lines.get(i + 1).is_some_and(|&(s, e)| {
            let next = &text[s..e];
            bullet(next).is_some() && (marker.is_none() || (numbered(line) && !numbered(next)))
        });
        let unit = |start, end, header, bullet, group| Unit {
            start,
            end,
            header,
            bullet,
            mission,
            group,
            kind: None,
            digital: false,
            clauses: Vec::new(),
        };
        if sections.heading_at(at) || next_is_bullet {
            group = Some(units.len());
            units.push(unit(start, end, true, false, None));
        } else if let Some(content) = marker {
            units.push(unit(start + content, end, false, true, group));
        } else {
            group = None;
            for (s, e) in sentences(line) {
                units.push(unit(start + s, start + e, false, false, None));
            }
        }
    }
    for u in &mut units {
        let (kind, digital) = kind_in(u.start, u.end, matches, signals);
        u.kind = kind;
        // Digital words inside web or social work say nothing of the medium of facilitation.
        u.digital = digital && kind.is_none_or(|k| k == Kind::Facilitation);
        let piece = &text[u.start..u.end];
        let mut from = 0;
        for (i, c) in piece.char_indices() {
            if matches!(c, ',' | ';' | ':') {
                u.clauses.push((u.start + from, u.start + i, None));
                from = i + c.len_utf8();
            }
        }
        u.clauses.push((u.start + from, u.end, None));
        for c in &mut u.clauses {
            c.2 = kind_in(c.0, c.1, matches, signals).0;
        }
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_markers() {
        assert_eq!(bullet("- ateliers"), Some(2));
        assert_eq!(bullet("  • ateliers"), Some(6));
        assert_eq!(bullet("1. ateliers"), Some(3));
        assert_eq!(bullet("-ateliers"), None);
        assert_eq!(bullet("2026. Une année"), None);
        assert_eq!(bullet("Ateliers"), None);
    }

    #[test]
    fn sentences_of_a_line() {
        let line = "Vous animez des ateliers. Vous gérez le site ; vous aidez à l'accueil";
        let got: Vec<&str> = sentences(line).iter().map(|&(s, e)| &line[s..e]).collect();
        assert_eq!(
            got,
            [
                "Vous animez des ateliers.",
                "Vous gérez le site ;",
                "vous aidez à l'accueil"
            ]
        );
    }
}

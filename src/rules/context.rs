//! Where a match stands in an ad: its section (missions weigh more than the presentation of the
//! employer or the candidate profile) and whether a negation cancels it.

use regex::bytes::{Regex, RegexBuilder};

use super::file::{CATEGORIES, NegationDef, SectionDef};
use super::fold::{Folded, fold};
use super::items::bullet;

/// Longest line taken for a section heading, in folded bytes and in words: a heading names a
/// part of the ad (« Vos missions », « Profil recherché »), it is not a sentence.
const MAX_HEADING_BYTES: usize = 60;
const MAX_HEADING_WORDS: usize = 7;

/// A compiled section: heading pattern, factor, categories it ignores.
struct Section {
    heading: Regex,
    weight: f64,
    ignore: Vec<String>,
    /// Presents the employer or the post: lists under an unknown heading inside it are
    /// missions, and time shares stated in it count.
    context: bool,
}

/// Compiled section headings and negation cues.
pub(crate) struct Context {
    sections: Vec<Section>,
    lead_weight: f64,
    negation: Option<(Regex, usize)>,
}

/// What part of an ad a stretch of text belongs to.
#[derive(Clone, Copy)]
enum Part {
    /// Before the first heading, when a missions heading follows.
    Lead,
    /// A recognised section.
    Section(usize),
}

/// The parts of one folded description: `(start, part)` sorted by start.
pub(crate) struct SectionMap<'c> {
    context: &'c Context,
    parts: Vec<(usize, Part)>,
}

impl SectionMap<'_> {
    /// Whether this folded offset lies in the lead or the presentation: not the missions, but
    /// where an ad may still state how the time is shared.
    pub(crate) fn is_context(&self, at: usize) -> bool {
        let i = self.parts.partition_point(|(start, _)| *start <= at);
        match i.checked_sub(1).map(|i| self.parts[i].1) {
            None => false,
            Some(Part::Lead) => true,
            Some(Part::Section(s)) => {
                let s = &self.context.sections[s];
                s.weight > 0.0 && s.context
            }
        }
    }

    /// Whether a recognised section heading starts at this folded offset.
    pub(crate) fn heading_at(&self, at: usize) -> bool {
        let i = self.parts.partition_point(|(start, _)| *start < at);
        self.parts[i..]
            .iter()
            .take_while(|(start, _)| *start == at)
            .any(|(_, p)| matches!(p, Part::Section(_)))
    }

    /// The factor of a match of `category` at a folded byte offset.
    pub(crate) fn factor_at(&self, at: usize, category: &str) -> f64 {
        let i = self.parts.partition_point(|(start, _)| *start <= at);
        match i.checked_sub(1).map(|i| self.parts[i].1) {
            None => 1.0,
            Some(Part::Lead) => self.context.lead_weight,
            Some(Part::Section(s)) => {
                let s = &self.context.sections[s];
                if s.ignore.iter().any(|c| c == category) {
                    0.0
                } else {
                    s.weight
                }
            }
        }
    }
}

fn compile(p: &str) -> Result<Regex, String> {
    if p.chars().any(|c| !c.is_ascii() || c.is_ascii_uppercase()) {
        return Err(format!("pattern {p:?} has upper-case or accented letters"));
    }
    RegexBuilder::new(p)
        .unicode(false)
        .build()
        .map_err(|e| format!("pattern {p:?} does not compile: {e}"))
}

/// Whether the next non-empty line after line `n` is a list item.
fn next_bullet(lines: &[&str], n: usize) -> bool {
    lines[n + 1..]
        .iter()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| bullet(l).is_some())
}

/// Whether the last part so far is the lead or a presentation section.
fn in_context(parts: &[(usize, Part)], sections: &[Section]) -> bool {
    match parts.last() {
        None | Some((_, Part::Lead)) => true,
        Some((_, Part::Section(s))) => sections[*s].context,
    }
}

impl Context {
    pub(crate) fn new(
        sections: &[SectionDef],
        lead_weight: f64,
        negation: Option<&NegationDef>,
    ) -> Result<Self, String> {
        let sections = sections
            .iter()
            .map(|s| {
                let heading =
                    compile(&s.heading).map_err(|e| format!("section {:?}: {e}", s.name))?;
                if let Some(c) = s.ignore.iter().find(|c| !CATEGORIES.contains(&c.as_str())) {
                    return Err(format!("section {:?}: unknown category {c:?}", s.name));
                }
                Ok(Section {
                    heading,
                    weight: s.weight,
                    ignore: s.ignore.clone(),
                    context: s.context,
                })
            })
            .collect::<Result<_, String>>()?;
        let negation = negation
            .map(|n| -> Result<_, String> {
                let joined = n
                    .cues
                    .iter()
                    .map(|c| format!("(?:{c})"))
                    .collect::<Vec<_>>()
                    .join("|");
                Ok((
                    compile(&joined).map_err(|e| format!("negation: {e}"))?,
                    n.window,
                ))
            })
            .transpose()?;
        Ok(Self {
            sections,
            lead_weight,
            negation,
        })
    }

    /// Maps a description to its parts, in folded offsets. A part starts at a short heading
    /// line (« Vos missions », « Profil recherché ») or at a line that opens with a heading and
    /// a colon (« Profil : Bac+2, permis B »); list items are never headings. Without a heading
    /// every factor is 1. The lead before the first heading takes the lead weight only when a
    /// full-weight section (the missions) follows: otherwise the lead is where the job itself
    /// is described.
    pub(crate) fn sections(&self, original: &str, folded: &Folded) -> SectionMap<'_> {
        let mut parts = Vec::new();
        let lines: Vec<&str> = original.split('\n').collect();
        let missions = self.sections.iter().position(|s| s.weight >= 1.0);
        // Only a missions heading the ad names makes what comes before it a lead: a list under
        // a heading of its own words may follow job text just as well.
        let mut named_missions = false;
        let mut offset = 0;
        for (n, line) in lines.iter().enumerate() {
            let (start, end) = (offset, offset + line.len());
            offset = end + 1;
            if line.trim().is_empty() || bullet(line).is_some() {
                continue;
            }
            let at = folded.folded_at(start);
            let whole = folded.text[at..folded.folded_at(end)].trim();
            let label = line
                .split_once(':')
                .filter(|(l, rest)| l.chars().count() <= 45 && !rest.trim().is_empty())
                .map(|(l, _)| fold(l));
            let is_heading = |t: &str| {
                !t.is_empty()
                    && t.len() <= MAX_HEADING_BYTES
                    && t.split(' ').count() <= MAX_HEADING_WORDS
                    && t.split('\n').count() == 1
            };
            let found = [Some(whole.to_owned()), label]
                .into_iter()
                .flatten()
                .map(|t| t.trim().to_owned())
                .filter(|t| is_heading(t))
                .find_map(|t| {
                    self.sections
                        .iter()
                        .position(|s| s.heading.is_match(t.as_bytes()))
                });
            if let Some(i) = found {
                named_missions |= self.sections[i].weight >= 1.0;
                parts.push((at, Part::Section(i)));
            } else if is_heading(whole)
                && next_bullet(&lines, n)
                && in_context(&parts, &self.sections)
                && let Some(m) = missions
            {
                // « Accompagnement des partenaires » over a list, after the presentation:
                // the job itself, under a heading of its own words.
                parts.push((at, Part::Section(m)));
            }
        }
        if named_missions && parts.first().is_some_and(|(start, _)| *start > 0) {
            parts.insert(0, (0, Part::Lead));
        }
        SectionMap {
            context: self,
            parts,
        }
    }

    /// Whether a negation cue stands shortly before `start`, in the same sentence.
    pub(crate) fn negated(&self, folded: &str, start: usize) -> bool {
        let Some((re, window)) = &self.negation else {
            return false;
        };
        let from = start.saturating_sub(*window);
        let before = &folded[from..start];
        let sentence = before.rfind('\n').map_or(before, |i| &before[i + 1..]);
        re.is_match(sentence.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        let section = |name: &str, heading: &str, weight, ignore: &[&str]| SectionDef {
            name: name.into(),
            heading: heading.into(),
            weight,
            ignore: ignore.iter().map(|s| (*s).to_owned()).collect(),
            context: false,
        };
        let sections = vec![
            section("missions", "^(vos )?missions", 1.0, &[]),
            section("profil", "^profil", 0.5, &["claims_ant"]),
        ];
        let neg = NegationDef {
            cues: vec![r"\bn est pas\b".into(), r"\bpas de\b".into()],
            window: 40,
        };
        Context::new(&sections, 0.3, Some(&neg)).unwrap()
    }

    #[test]
    fn sections_weigh_matches() {
        let c = ctx();
        let text = "l office gere son site\nvos missions\nateliers\nprofil\nwordpress";
        let map = c.sections(text, &Folded::new(text));
        assert_eq!(map.factor_at(text.find("site").unwrap(), "webmaster"), 0.3);
        assert_eq!(
            map.factor_at(text.find("ateliers").unwrap(), "facilitation"),
            1.0
        );
        assert_eq!(
            map.factor_at(text.find("wordpress").unwrap(), "webmaster"),
            0.5
        );
        assert_eq!(
            map.factor_at(text.find("wordpress").unwrap(), "claims_ant"),
            0.0
        );
        assert_eq!(
            c.sections("no heading at all", &Folded::new("no heading at all"))
                .factor_at(5, "webmaster"),
            1.0
        );
        let no_missions = "ateliers pour les hebergeurs\nprofil\nwordpress";
        assert_eq!(
            c.sections(no_missions, &Folded::new(no_missions))
                .factor_at(0, "facilitation"),
            1.0
        );
        // A labelled line opens a section; a list item never does.
        let labelled =
            "Missions : ateliers pour les hébergeurs\n- profil du site\nProfil : WordPress, SEO";
        let f = Folded::new(labelled);
        let map = c.sections(labelled, &f);
        let at = |w: &str| f.text.find(w).unwrap();
        assert_eq!(map.factor_at(at("ateliers"), "facilitation"), 1.0);
        assert_eq!(map.factor_at(at("profil du site"), "webmaster"), 1.0);
        assert_eq!(map.factor_at(at("wordpress"), "webmaster"), 0.5);
    }

    #[test]
    fn negation_stays_in_its_sentence() {
        let c = ctx();
        let t = "ce poste n est pas un poste de webmaster\nwebmaster";
        assert!(c.negated(t, t.find("webmaster").unwrap()));
        assert!(!c.negated(t, t.rfind("webmaster").unwrap()));
    }
}

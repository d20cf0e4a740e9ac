//! Time shares read like a person reads them: « 70 % », « 2/5e », « un mi-temps », « une
//! journée par semaine », « le vendredi », « 10 h par semaine », « d'octobre à mars »,
//! « principalement », « ponctuellement », « le reste du temps », in an item or in the heading
//! of a group of items. Each statement goes to the kind of work of the item or group it sits
//! in; kinds no statement covers share the rest in proportion to their mission items.

use regex::Regex;

use super::fold::Folded;
use super::items::{KINDS, Kind, Unit};

/// Share given to « principalement », « cœur du poste »...
const MAJOR: f64 = 0.7;
/// Share given to « ponctuellement », « à la marge »...
const MINOR: f64 = 0.1;
/// Working days in a week, and in a month.
const WEEK_DAYS: f64 = 5.0;
const MONTH_DAYS: f64 = 21.0;
/// Weekly hours assumed when the ad does not say.
const FULL_TIME_HOURS: f64 = 35.0;

/// What one statement says.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Said {
    /// A share of the working time, in [0, 1].
    Share(f64),
    /// « Le reste du temps »: whatever the other statements leave.
    Rest,
}

/// One statement of time found in a unit, in offsets of the unit's text.
#[derive(Debug, Clone, Copy)]
struct Statement {
    start: usize,
    end: usize,
    said: Said,
    /// A word (« principalement ») rather than a figure.
    qualitative: bool,
}

/// The estimated share of working time per kind of work.
#[derive(Debug, Clone, Default)]
pub(crate) struct Share {
    /// Per kind (in `KINDS` order), summing to 1 when `known`.
    pub(crate) by_kind: [f64; 6],
    /// An estimate exists (stated shares, or mission items with a kind).
    pub(crate) known: bool,
    /// The estimate rests on statements of time, not only on counting items.
    pub(crate) stated: bool,
    /// Mission items per kind.
    pub(crate) items: [usize; 6],
    /// Statements attached to a kind: original byte range and the kind.
    pub(crate) statements: Vec<(usize, usize, Kind)>,
}

impl Share {
    /// The share of facilitation, when known.
    pub(crate) fn facilitation(&self) -> Option<f64> {
        self.known
            .then_some(self.by_kind[Kind::Facilitation.index()])
    }
}

/// The compiled patterns of time statements (over folded text).
pub(crate) struct ShareReader {
    percent: Regex,
    fraction: Regex,
    half: Regex,
    part_of_time: Regex,
    days: Regex,
    half_days: Regex,
    weekdays: Regex,
    hours: Regex,
    months: Regex,
    low_season: Regex,
    high_season: Regex,
    major: Regex,
    minor: Regex,
    rest: Regex,
    refers_back: Regex,
    not_time: Regex,
    time_words: Regex,
}

const NUMBER: &str = r"(un|une|1|deux|2|trois|3|quatre|4)";
const MONTHS: &str =
    r"(janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre)";
/// Words after a figure saying it is a share of working time.
const TIME_WORDS: &str = r"^ ?(environ )?(de (votre|son|leur|mon|ce|notre) temps|du temps|du poste|de la semaine|du temps de travail|de l activite|des missions|du volume horaire|de la mission|de l emploi)";
/// Words after a figure saying it counts something else (people, records, money).
const NOT_TIME: &str = r"^ ?(des|de nos|de la clientele|de la population|du chiffre|de remise|de reduction|de prise en charge|des frais|de leurs|d entre|teletravail|a distance|de reussite|de satisfaction|de taux|de participation|de nuitees|de reservations|de visiteurs|de touristes|de hausse|de baisse|d augmentation|de croissance|des ventes|de ventes)\b";

fn compile(p: &str) -> Regex {
    Regex::new(p).expect("built-in time patterns are valid")
}

impl ShareReader {
    pub(crate) fn new() -> Self {
        Self {
            percent: compile(
                r"\b(?:(?:au moins|plus de|moins de|pres de|environ|jusqu a|a peine|quasiment|presque|a hauteur de) )?(\d{1,3})(?: (?:a|et) (\d{1,3}))? ?%",
            ),
            fraction: compile(&format!(
                r"\b(?:([1-4]) ?/ ?5 ?(?:e|eme|emes)?\b|{NUMBER} cinquiemes?\b)"
            )),
            half: compile(r"\b(?:a |un |en )?(?:mi|demi) temps\b"),
            part_of_time: compile(
                r"\b(un|le|deux|les deux|trois|les trois) (tiers|quarts?)\b|\b(?:la|une) moitie\b",
            ),
            days: compile(&format!(
                r"\b{NUMBER}(?: et demie?)? (?:jours?|journees?)(?: et demie?)?(?: (?:de travail|complets?|pleins?))? (?:(?:par|chaque|a la|sur la|dans la) semaine|hebdomadaires?|sur (cinq|5|quatre|4)|par mois)\b"
            )),
            half_days: compile(&format!(
                r"\b{NUMBER} demi (?:jours?|journees?) (?:(?:par|chaque|a la|dans la) semaine|hebdomadaires?|par mois)\b"
            )),
            weekdays: compile(
                r"\b(?:le|les|chaque|tous les|un) (lundi|mardi|mercredi|jeudi|vendredi)s?(?: (matin|apres midi))?(?: et (?:le |les )?(lundi|mardi|mercredi|jeudi|vendredi)s?)?\b",
            ),
            hours: compile(
                r"\b(\d{1,2})(?: ?h ?(\d{2})?| heures?)(?: (?:par semaine|hebdomadaires?|par sem|chaque semaine|sur (\d{2})))\b",
            ),
            months: compile(&format!(
                r"\b(?:d |de |du mois d |du mois de |entre ){MONTHS} (?:a |au mois d |au mois de |jusqu a |jusqu en |et ){MONTHS}\b"
            )),
            low_season: compile(
                r"\b(?:hors saison|en intersaison|l intersaison|basse saison|en hiver|l hiver|hors periode estivale|l arriere saison|d automne en printemps)\b",
            ),
            high_season: compile(
                r"\b(?:en saison|haute saison|l ete|en ete|periode estivale|juillet et aout|juillet aout|saison estivale)\b",
            ),
            major: compile(
                r"\b(?:principalement|essentiellement|majoritairement|en majorite|avant tout|prioritairement|en priorite|coeur (?:du|de votre|de son|de la|de ce) (?:poste|mission|metier)|l essentiel (?:de votre|du|de son) (?:temps|poste|activite)|la majeure partie|la plus grande partie|mission principale|principale mission|activite principale|missions? prioritaires?|au centre du poste|la majorite de votre temps)\b",
            ),
            minor: compile(
                r"\b(?:ponctuellement|occasionnellement|a la marge|en complement|le cas echeant|si le temps le permet|dans la mesure du temps disponible|a titre accessoire|de maniere ponctuelle|a titre ponctuel|de temps en temps|a l occasion|en renfort)\b",
            ),
            rest: compile(
                r"\b(?:le reste du temps|le temps restant|le reste de la semaine|les autres jours|le reste de (?:votre|son) temps|le solde du temps|reste du temps)\b",
            ),
            refers_back: compile(
                r"\b(?:ces missions|ces activites|ces taches|cette mission|cet accompagnement|ces actions|cette activite|l ensemble de ces)\b",
            ),
            not_time: compile(NOT_TIME),
            time_words: compile(TIME_WORDS),
        }
    }

    /// The statements of time in a unit's text, in order and not overlapping, and whether the
    /// unit refers back to the items before it (« ces missions représentent 80 % du temps »).
    fn statements(&self, text: &str, weekly_hours: f64, header: bool) -> (Vec<Statement>, bool) {
        let folded = Folded::new(text);
        let f = folded.text.as_str();
        let word = |s: &str| -> f64 {
            match s {
                "un" | "une" | "1" | "le" => 1.0,
                "deux" | "2" | "les deux" => 2.0,
                "trois" | "3" | "les trois" => 3.0,
                "quatre" | "4" => 4.0,
                _ => 0.0,
            }
        };
        let short = f.split(' ').count() <= 10 || header;
        let mut found: Vec<(usize, usize, Said, bool)> = Vec::new();
        for c in self.percent.captures_iter(f) {
            let m = c.get(0).expect("whole match");
            let after = &f[m.end()..];
            if self.not_time.is_match(after) {
                continue;
            }
            if !short && !self.time_words.is_match(after) {
                continue;
            }
            let a: f64 = c[1].parse().unwrap_or(0.0);
            let b = c.get(2).and_then(|b| b.as_str().parse::<f64>().ok());
            let v = b.map_or(a, |b| (a + b) / 2.0) / 100.0;
            if v > 0.0 && v <= 1.0 {
                found.push((m.start(), m.end(), Said::Share(v), false));
            }
        }
        for c in self.fraction.captures_iter(f) {
            let m = c.get(0).expect("whole match");
            let n = c
                .get(1)
                .and_then(|d| d.as_str().parse::<f64>().ok())
                .or_else(|| c.get(2).map(|w| word(w.as_str())))
                .unwrap_or(0.0);
            found.push((m.start(), m.end(), Said::Share(n / 5.0), false));
        }
        for m in self.half.find_iter(f) {
            found.push((m.start(), m.end(), Said::Share(0.5), false));
        }
        for c in self.part_of_time.captures_iter(f) {
            let m = c.get(0).expect("whole match");
            if !self.time_words.is_match(&f[m.end()..]) && !short {
                continue;
            }
            let v = match (c.get(1), c.get(2)) {
                (Some(n), Some(p)) if p.as_str() == "tiers" => word(n.as_str()) / 3.0,
                (Some(n), Some(_)) => word(n.as_str()) / 4.0,
                _ => 0.5,
            };
            found.push((m.start(), m.end(), Said::Share(v), false));
        }
        for c in self.days.captures_iter(f) {
            let m = c.get(0).expect("whole match");
            let mut n = word(&c[1]);
            if m.as_str().contains(" et demi") {
                n += 0.5;
            }
            let per = if m.as_str().ends_with("par mois") {
                MONTH_DAYS
            } else if matches!(c.get(2).map(|x| x.as_str()), Some("quatre" | "4")) {
                4.0
            } else {
                WEEK_DAYS
            };
            found.push((m.start(), m.end(), Said::Share(n / per), false));
        }
        for c in self.half_days.captures_iter(f) {
            let m = c.get(0).expect("whole match");
            let per = if m.as_str().ends_with("par mois") {
                MONTH_DAYS
            } else {
                WEEK_DAYS
            };
            found.push((
                m.start(),
                m.end(),
                Said::Share(word(&c[1]) * 0.5 / per),
                false,
            ));
        }
        for c in self.weekdays.captures_iter(f) {
            let m = c.get(0).expect("whole match");
            let half = if c.get(2).is_some() { 0.5 } else { 1.0 };
            let days = if c.get(3).is_some() { 2.0 } else { 1.0 };
            found.push((
                m.start(),
                m.end(),
                Said::Share(days * half / WEEK_DAYS),
                false,
            ));
        }
        for c in self.hours.captures_iter(f) {
            let m = c.get(0).expect("whole match");
            let h: f64 = c[1].parse().unwrap_or(0.0)
                + c.get(2)
                    .and_then(|x| x.as_str().parse::<f64>().ok())
                    .unwrap_or(0.0)
                    / 60.0;
            let total = c
                .get(3)
                .and_then(|x| x.as_str().parse::<f64>().ok())
                .unwrap_or(weekly_hours);
            let v = h / total;
            // The whole week's hours are the contract, not a share.
            if v > 0.0 && v < 0.95 {
                found.push((m.start(), m.end(), Said::Share(v), false));
            }
        }
        // Months and seasons say when something happens; they say how much of the job it takes
        // only when they frame the item (« D'octobre à mars : ateliers... », « En saison,
        // accueil »), not when they date one activity at the end of it.
        let frames = |start: usize| header || start * 4 <= f.len();
        for c in self.months.captures_iter(f) {
            let m = c.get(0).expect("whole match");
            if !frames(m.start()) {
                continue;
            }
            let month = |s: &str| {
                [
                    "janvier",
                    "fevrier",
                    "mars",
                    "avril",
                    "mai",
                    "juin",
                    "juillet",
                    "aout",
                    "septembre",
                    "octobre",
                    "novembre",
                    "decembre",
                ]
                .iter()
                .position(|x| *x == s)
                .unwrap_or(0) as f64
            };
            let span = (month(&c[2]) - month(&c[1])).rem_euclid(12.0) + 1.0;
            found.push((m.start(), m.end(), Said::Share(span / 12.0), true));
        }
        for m in self.low_season.find_iter(f).filter(|m| frames(m.start())) {
            found.push((m.start(), m.end(), Said::Share(0.5), true));
        }
        for m in self.high_season.find_iter(f).filter(|m| frames(m.start())) {
            found.push((m.start(), m.end(), Said::Share(0.2), true));
        }
        for m in self.major.find_iter(f) {
            found.push((m.start(), m.end(), Said::Share(MAJOR), true));
        }
        for m in self.minor.find_iter(f) {
            found.push((m.start(), m.end(), Said::Share(MINOR), true));
        }
        for m in self.rest.find_iter(f) {
            found.push((m.start(), m.end(), Said::Rest, false));
        }
        found.sort_by_key(|(s, e, _, _)| (*s, usize::MAX - e));
        let mut kept: Vec<Statement> = Vec::new();
        for (start, end, said, qualitative) in found {
            if kept.last().is_some_and(|k| start < k.end) {
                continue;
            }
            kept.push(Statement {
                start,
                end,
                said,
                qualitative,
            });
        }
        for k in &mut kept {
            (k.start, k.end) = folded.original_range(k.start, k.end);
        }
        let refers_back = self.refers_back.is_match(f) || kept.iter().any(|k| k.said == Said::Rest);
        (kept, refers_back)
    }
}

/// The most frequent kind among units.
fn majority<'a>(units: impl Iterator<Item = &'a Unit>) -> Option<Kind> {
    let mut counts = [0usize; 6];
    for u in units {
        if let Some(k) = u.kind {
            counts[k.index()] += 1;
        }
    }
    KINDS
        .iter()
        .copied()
        .filter(|k| counts[k.index()] > 0)
        .max_by_key(|k| (counts[k.index()], std::cmp::Reverse(k.index())))
}

/// Estimates the share of working time per kind of work from the description's units.
pub(crate) fn estimate(
    reader: &ShareReader,
    text: &str,
    units: &[Unit],
    weekly_hours: Option<f64>,
) -> Share {
    let weekly = weekly_hours
        .filter(|h| *h >= 4.0 && *h <= 48.0)
        .unwrap_or(FULL_TIME_HOURS);
    let mut share = Share::default();
    for u in units.iter().filter(|u| !u.header && u.mission) {
        if let Some(k) = u.kind {
            share.items[k.index()] += 1;
        }
    }
    // Per kind: figures summed, words (« principalement ») kept apart, since a figure says
    // more than a word.
    let mut figures = [None::<f64>; 6];
    let mut words = [None::<f64>; 6];
    let mut rest: Vec<(usize, usize, Kind)> = Vec::new();
    let mut headed = vec![false; units.len()];
    for (i, u) in units.iter().enumerate() {
        // A heading that states a share speaks for the items under it.
        if u.group.is_some_and(|g| headed[g]) {
            continue;
        }
        let (found, refers_back) = reader.statements(&text[u.start..u.end], weekly, u.header);
        if found.is_empty() {
            continue;
        }
        headed[i] = u.header;
        let fallback = if u.header {
            let group: Vec<&Unit> = units[i + 1..]
                .iter()
                .filter(|x| x.group == Some(i))
                .collect();
            majority(group.iter().copied()).or((!group.is_empty()).then_some(Kind::Other))
        } else if refers_back {
            // The items just before, back to the previous heading or prose sentence.
            let before = units[..i]
                .iter()
                .rev()
                .take_while(|x| x.bullet || (!x.header && x.group.is_none()))
                .take(8);
            majority(before)
        } else {
            None
        };
        for st in &found {
            let (start, end) = (u.start + st.start, u.start + st.end);
            let kind = if found.len() > 1 {
                // Several statements: each goes with its clause, or the next one that says
                // what it is about.
                u.clauses
                    .iter()
                    .skip_while(|c| c.1 <= start)
                    .find_map(|c| c.2)
            } else {
                u.kind
            };
            let Some(kind) = kind.or(fallback) else {
                continue;
            };
            match st.said {
                Said::Share(v) => {
                    let slot = if st.qualitative {
                        &mut words[kind.index()]
                    } else {
                        &mut figures[kind.index()]
                    };
                    *slot = Some(if st.qualitative {
                        slot.unwrap_or(0.0).max(v)
                    } else {
                        slot.unwrap_or(0.0) + v
                    });
                    share.statements.push((start, end, kind));
                }
                Said::Rest => rest.push((start, end, kind)),
            }
        }
    }
    let mut stated: [Option<f64>; 6] = std::array::from_fn(|k| figures[k].or(words[k]));
    let mut total: f64 = stated.iter().flatten().sum();
    if total > 1.0 {
        for v in stated.iter_mut().flatten() {
            *v /= total;
        }
        total = 1.0;
    }
    for (start, end, kind) in rest {
        if stated[kind.index()].is_none() && total < 1.0 {
            stated[kind.index()] = Some(1.0 - total);
            total = 1.0;
            share.statements.push((start, end, kind));
        }
    }
    let items_total: usize = share.items.iter().sum();
    share.stated = stated.iter().any(Option::is_some);
    if share.stated {
        let remaining = (1.0 - total).max(0.0);
        let unstated_items: usize = KINDS
            .iter()
            .filter(|k| stated[k.index()].is_none())
            .map(|k| share.items[k.index()])
            .sum();
        for k in KINDS {
            share.by_kind[k.index()] = match stated[k.index()] {
                Some(v) => v,
                None if unstated_items > 0 => {
                    remaining * share.items[k.index()] as f64 / unstated_items as f64
                }
                None => 0.0,
            };
        }
        if unstated_items == 0 {
            share.by_kind[Kind::Other.index()] += remaining;
        }
        share.known = true;
    } else if items_total > 0 {
        for k in KINDS {
            share.by_kind[k.index()] = share.items[k.index()] as f64 / items_total as f64;
        }
        share.known = true;
    }
    share
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Option<f64> {
        match ShareReader::new()
            .statements(text, 35.0, false)
            .0
            .first()?
            .said
        {
            Said::Share(v) => Some((v * 100.0).round() / 100.0),
            Said::Rest => Some(-1.0),
        }
    }

    #[test]
    fn statements_written_every_way() {
        assert_eq!(
            read("Missions communication (environ 85 % du poste)"),
            Some(0.85)
        );
        assert_eq!(read("70 % accueil"), Some(0.7));
        assert_eq!(read("un mi-temps consacré aux partenaires"), Some(0.5));
        assert_eq!(read("sur 2/5e de votre temps"), Some(0.4));
        assert_eq!(read("Animation (une journée par semaine)"), Some(0.2));
        assert_eq!(read("deux demi-journées par semaine"), Some(0.2));
        assert_eq!(
            read("Accueil et conseil en séjour (quatre jours par semaine)"),
            Some(0.8)
        );
        assert_eq!(
            read("le vendredi, rendez-vous avec les hébergeurs"),
            Some(0.2)
        );
        assert_eq!(read("10 h par semaine auprès des prestataires"), Some(0.29));
        assert_eq!(read("d'octobre à mars, quelques ateliers"), Some(0.5));
        assert_eq!(read("principalement à l'accueil"), Some(0.7));
        assert_eq!(read("ponctuellement, un appui à la boutique"), Some(0.1));
        assert_eq!(
            read("Le reste du temps est consacré au reporting"),
            Some(-1.0)
        );
        assert_eq!(
            read(
                "animer un programme d'ateliers collectifs sur les avis et la vente en ligne d'octobre à avril"
            ),
            None
        );
    }

    #[test]
    fn figures_that_are_not_time() {
        assert_eq!(
            read(
                "Une étude montre que 80 % des prestataires n'ont pas de site à jour et que leurs avis sont mal suivis"
            ),
            None
        );
        assert_eq!(
            read("un tiers des fiches n'ont pas été mises à jour depuis deux ans"),
            None
        );
        assert_eq!(read("Temps de travail : 35 h par semaine"), None);
    }
}

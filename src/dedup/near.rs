//! Near-duplicates: the same job posted on another board with another URL, a reworded title,
//! an employer written differently and a few sentences changed.
//!
//! Descriptions are compared by MinHash over word 3-shingles; candidates come from LSH bands,
//! so each new posting is compared with a handful of others, not with all of them.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use crate::model::Posting;

/// MinHash values per description.
pub const HASHES: usize = 64;
/// LSH bands (of `HASHES / BANDS` rows each). Two rows per band make a pair whose descriptions
/// share a third of their shingles a candidate 97 % of the time, so that the grey band is seen.
pub const BANDS: usize = 32;
const ROWS: usize = HASHES / BANDS;
/// Bands two postings must share before they are compared, when candidates are many.
const MIN_BANDS: u8 = 2;
/// Up to this many candidates, every one is compared.
const FEW_CANDIDATES: usize = 64;
/// A score from which two postings are the same job.
pub const SAME_AT: f64 = 0.80;
/// A score from which a pair is recorded for staff to decide.
pub const UNCERTAIN_AT: f64 = 0.55;

/// What near-duplicate detection needs of a posting.
#[derive(Debug, Clone, PartialEq)]
pub struct Fingerprint {
    minhash: [u64; HASHES],
    /// Hashes of the title's words, sorted and unique.
    title: Vec<u64>,
    /// Hashes of the employer's words, sorted and unique.
    employer: Vec<u64>,
    /// Département code, when known.
    place: Option<String>,
}

/// Words that say nothing about which job it is.
const EMPTY_WORDS: &[&str] = &[
    "de", "du", "des", "la", "le", "les", "l", "d", "et", "en", "a", "au", "aux", "h", "f", "un",
    "une", "pour", "office", "tourisme", "ot", "oti",
];

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    deunicode::deunicode(text)
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect::<Vec<_>>()
        .into_iter()
}

fn token_set(text: &str) -> Vec<u64> {
    let mut v: Vec<u64> = words(text)
        .filter(|w| !EMPTY_WORDS.contains(&w.as_str()))
        .map(hash)
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn hash(value: impl Hash) -> u64 {
    // SipHash with fixed keys: the same fingerprint on every run and machine.
    let mut h = std::hash::DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// Odd multipliers of the hash family, one per MinHash value (fixed, so fingerprints persist).
fn multiplier(i: usize) -> u64 {
    hash(("antenne-minhash", i)) | 1
}

/// The fingerprint of a posting.
pub fn fingerprint(p: &Posting) -> Fingerprint {
    let w: Vec<String> = words(&p.description).collect();
    let mut minhash = [u64::MAX; HASHES];
    let mults: Vec<u64> = (0..HASHES).map(multiplier).collect();
    for shingle in w.windows(3) {
        let h = hash(shingle);
        for (slot, m) in minhash.iter_mut().zip(&mults) {
            let v = h.wrapping_mul(*m).rotate_left(29) ^ m;
            if v < *slot {
                *slot = v;
            }
        }
    }
    Fingerprint {
        minhash,
        title: token_set(&p.title),
        employer: token_set(p.employer.as_deref().unwrap_or("")),
        place: p.location.department_code.clone(),
    }
}

/// Jaccard index of two sorted, unique lists.
fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common as f64 / (a.len() + b.len() - common) as f64
}

/// How alike two postings are, from 0 to 1.
pub fn similarity(a: &Fingerprint, b: &Fingerprint) -> f64 {
    if let (Some(pa), Some(pb)) = (&a.place, &b.place)
        && pa != pb
    {
        // One employer often posts the same job in two places: those are two jobs.
        return 0.0;
    }
    let description = a
        .minhash
        .iter()
        .zip(&b.minhash)
        .filter(|(x, y)| x == y)
        .count() as f64
        / HASHES as f64;
    let title = jaccard(&a.title, &b.title);
    let employer = if a.employer.is_empty() || b.employer.is_empty() {
        0.5
    } else {
        jaccard(&a.employer, &b.employer)
    };
    0.6 * description + 0.2 * title + 0.2 * employer
}

/// What the index says of a new posting.
#[derive(Debug, Clone, PartialEq)]
pub enum NearMatch {
    /// The same job as this posting.
    Same(String, f64),
    /// Perhaps the same job: for staff to decide.
    Uncertain(String, f64),
    /// A job not seen before.
    New,
}

/// Fingerprints of stored postings, with their LSH bands.
#[derive(Debug, Default)]
pub struct NearIndex {
    ids: Vec<String>,
    prints: Vec<Fingerprint>,
    positions: HashMap<String, usize>,
    bands: HashMap<(u8, u64), Vec<u32>>,
}

impl NearIndex {
    /// Adds or replaces a posting's fingerprint.
    pub fn insert(&mut self, id: &str, fp: Fingerprint) {
        if let Some(&at) = self.positions.get(id) {
            // Replaced content: its old bands simply keep pointing here, which only adds a
            // candidate that the comparison then rejects.
            self.add_bands(at, &fp);
            self.prints[at] = fp;
            return;
        }
        let at = self.ids.len();
        self.add_bands(at, &fp);
        self.ids.push(id.to_owned());
        self.prints.push(fp);
        self.positions.insert(id.to_owned(), at);
    }

    fn add_bands(&mut self, at: usize, fp: &Fingerprint) {
        for (band, rows) in fp.minhash.chunks(ROWS).enumerate() {
            let slot = self.bands.entry((band as u8, hash(rows))).or_default();
            let at = at as u32;
            if !slot.contains(&at) {
                slot.push(at);
            }
        }
    }

    /// Postings indexed.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The closest indexed posting to `fp`, other than `except`. When many postings share a band
    /// with it, only those sharing at least `MIN_BANDS` are compared: unrelated ads that share
    /// one band by chance grow with the index, and comparing them all would make it quadratic.
    pub fn best(&self, fp: &Fingerprint, except: &str) -> NearMatch {
        let mut hits: HashMap<u32, u8> = HashMap::new();
        for (band, rows) in fp.minhash.chunks(ROWS).enumerate() {
            if let Some(candidates) = self.bands.get(&(band as u8, hash(rows))) {
                for &c in candidates {
                    *hits.entry(c).or_default() += 1;
                }
            }
        }
        let min_bands = if hits.len() > FEW_CANDIDATES {
            MIN_BANDS
        } else {
            1
        };
        let mut best: Option<(usize, f64)> = None;
        for (c, n) in hits {
            let c = c as usize;
            if n < min_bands || self.ids[c] == except {
                continue;
            }
            let score = similarity(fp, &self.prints[c]);
            if best.is_none_or(|(_, s)| score > s) {
                best = Some((c, score));
            }
        }
        match best {
            Some((c, s)) if s >= SAME_AT => NearMatch::Same(self.ids[c].clone(), s),
            Some((c, s)) if s >= UNCERTAIN_AT => NearMatch::Uncertain(self.ids[c].clone(), s),
            _ => NearMatch::New,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Location;

    fn posting(title: &str, employer: &str, dept: &str, desc: &str) -> Posting {
        Posting {
            title: title.into(),
            employer: Some(employer.into()),
            location: Location {
                department_code: Some(dept.into()),
                ..Location::default()
            },
            description: desc.into(),
            ..Posting::default()
        }
    }

    const DESC: &str = "Vous accompagnez les hébergeurs et restaurateurs du territoire dans leurs usages numériques. \
        Vous réalisez le diagnostic numérique de chaque prestataire, animez des ateliers collectifs en basse saison, \
        assurez des rendez-vous individuels et une veille e-touristique partagée avec les professionnels. \
        Poste à temps complet basé à l'office, déplacements fréquents sur le territoire, permis B indispensable.";

    #[test]
    fn a_reworded_cross_post_is_the_same_job() {
        let a = posting(
            "Animatrice numérique de territoire (H/F)",
            "Office de Tourisme du Pays de Retz",
            "44",
            DESC,
        );
        let b = posting(
            "ANIMATEUR / ANIMATRICE NUMERIQUE DE TERRITOIRE - PAYS DE RETZ",
            "OFFICE DE TOURISME PAYS DE RETZ",
            "44",
            &DESC.replace(
                "Poste à temps complet basé à l'office",
                "CDI à temps plein au siège",
            ),
        );
        let mut index = NearIndex::default();
        index.insert("a", fingerprint(&a));
        match index.best(&fingerprint(&b), "b") {
            NearMatch::Same(id, s) => assert!(id == "a" && s >= SAME_AT, "{s}"),
            other => panic!("{other:?}"),
        }
        let elsewhere = posting(
            "Animatrice numérique de territoire (H/F)",
            "Office de Tourisme du Pays de Retz",
            "85",
            DESC,
        );
        assert_eq!(index.best(&fingerprint(&elsewhere), "c"), NearMatch::New);
        let other = posting(
            "Webmaster",
            "Ville de Nantes",
            "44",
            "Administrer le site internet de la ville, WordPress, SEO et statistiques.",
        );
        assert_eq!(index.best(&fingerprint(&other), "d"), NearMatch::New);
    }
}

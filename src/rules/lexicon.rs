//! The ad's own words as evidence: each word of the learned vocabulary weighs by its frequency
//! in the ad (sublinear) and its rarity in the labelled ads (inverse document frequency), the
//! vector scaled to a fixed length. The signals say what a reader looks for; the vocabulary
//! catches the many ordinary words (« billetterie », « référencement », « saisie ») that lean
//! one way or the other. Every word's weight is learned, and shown when it counts.

use std::collections::HashMap;

use super::fold::Folded;

/// Words kept in the vocabulary must appear in at least this many labelled ads.
pub(crate) const MIN_ADS: usize = 5;

/// A word and where it first occurs (field, original byte range).
pub(crate) type Occurrence = (&'static str, usize, usize);

/// The words of an ad, with their count and first occurrence.
pub(crate) type Words = HashMap<String, (usize, Occurrence)>;

/// The words of an ad's folded fields: count and first occurrence of each (two letters or
/// more).
pub(crate) fn words(fields: &[(&'static str, &Folded)]) -> Words {
    let mut out: Words = HashMap::new();
    for &(field, folded) in fields {
        let f = folded.text.as_bytes();
        let mut i = 0;
        while i < f.len() {
            if !f[i].is_ascii_alphanumeric() {
                i += 1;
                continue;
            }
            let start = i;
            while i < f.len() && f[i].is_ascii_alphanumeric() {
                i += 1;
            }
            if i - start < 2 {
                continue;
            }
            let word = &folded.text[start..i];
            let (s, e) = folded.original_range(start, i);
            out.entry(word.to_owned())
                .and_modify(|(n, _)| *n += 1)
                .or_insert((1, (field, s, e)));
        }
    }
    out
}

/// A vocabulary with its inverse document frequencies.
#[derive(Debug, Clone, Default)]
pub(crate) struct Lexicon {
    index: HashMap<String, usize>,
    /// Per word, in index order.
    pub(crate) words: Vec<String>,
    idf: Vec<f64>,
    /// Length of an ad's vector (sets how much words weigh beside the signals).
    pub(crate) scale: f64,
}

impl Lexicon {
    /// A vocabulary from words, their idf, and the vector length.
    pub(crate) fn new(words: Vec<(String, f64)>, scale: f64) -> Self {
        let index = words
            .iter()
            .enumerate()
            .map(|(i, (w, _))| (w.clone(), i))
            .collect();
        let (words, idf) = words.into_iter().unzip();
        Self {
            index,
            words,
            idf,
            scale,
        }
    }

    /// The vocabulary of labelled ads: words found in at least `MIN_ADS` of them, with a
    /// smoothed inverse document frequency.
    pub(crate) fn learn<'a>(ads: impl Iterator<Item = &'a Words>, scale: f64) -> Self {
        let mut df: HashMap<&str, usize> = HashMap::new();
        let mut n = 0usize;
        for ad in ads {
            n += 1;
            for w in ad.keys() {
                *df.entry(w.as_str()).or_default() += 1;
            }
        }
        let mut kept: Vec<(String, f64)> = df
            .into_iter()
            .filter(|(_, d)| *d >= MIN_ADS)
            .map(|(w, d)| {
                let idf = ((1 + n) as f64 / (1 + d) as f64).ln() + 1.0;
                (w.to_owned(), idf)
            })
            .collect();
        kept.sort_by(|a, b| a.0.cmp(&b.0));
        Self::new(kept, scale)
    }

    /// Words in the vocabulary.
    pub(crate) fn len(&self) -> usize {
        self.words.len()
    }

    /// Inverse document frequency of word `i`.
    pub(crate) fn idf(&self, i: usize) -> f64 {
        self.idf[i]
    }

    /// The ad's vector: (word index, value), scaled to length `scale`.
    pub(crate) fn vector(&self, words: &Words) -> Vec<(usize, f64)> {
        let mut v: Vec<(usize, f64)> = words
            .iter()
            .filter_map(|(w, (count, _))| {
                let i = *self.index.get(w)?;
                Some((i, (1.0 + (*count as f64).ln()) * self.idf[i]))
            })
            .collect();
        let norm = v.iter().map(|(_, x)| x * x).sum::<f64>().sqrt();
        if norm > 0.0 {
            for (_, x) in &mut v {
                *x *= self.scale / norm;
            }
        }
        v.sort_by_key(|(i, _)| *i);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_fold_and_count_with_their_first_place() {
        let f = Folded::new("Billetterie, BILLETTERIE et boutique — l'accueil");
        let w = words(&[("description", &f)]);
        assert_eq!(w["billetterie"].0, 2);
        assert_eq!(w["billetterie"].1, ("description", 0, 11));
        assert!(w.contains_key("accueil") && !w.contains_key("l"));
    }

    #[test]
    fn vectors_have_the_scale_as_length() {
        let ads: Vec<_> = (0..6)
            .map(|i| {
                let f = Folded::new(if i < 5 { "site web" } else { "ateliers" });
                words(&[("description", &f)])
            })
            .collect();
        let lex = Lexicon::learn(ads.iter(), 10.0);
        assert_eq!(lex.words, ["site", "web"]);
        let v = lex.vector(&ads[0]);
        let len = v.iter().map(|(_, x)| x * x).sum::<f64>().sqrt();
        assert!((len - 10.0).abs() < 1e-9);
        assert!(lex.vector(&ads[5]).is_empty());
    }
}

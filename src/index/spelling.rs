//! Near spellings: a word of a search that no ad contains is replaced by the closest word the
//! ads do contain (« animatrise » → « animatrice », « numerik » → « numerique »), measured by
//! edits on the letters and on how the word sounds in French.

/// Words shorter than this are never corrected: too many short words lie one edit apart.
const CORRECT_FROM: usize = 5;
/// From this length, two edits are allowed (one below).
const TWO_EDITS_FROM: usize = 8;

/// How many edits a word of this length may be away from its correction.
pub(super) fn allowed_edits(word: &str) -> usize {
    match word.chars().count() {
        n if n < CORRECT_FROM => 0,
        n if n < TWO_EDITS_FROM => 1,
        _ => 2,
    }
}

/// A rough French sound key of a folded, lower-case word: spellings a person may swap by ear
/// (« que » / « k », « ce » / « se », « ph » / « f », doubled letters, a silent final « e » or
/// « s ») give the same key.
pub(super) fn sound_key(word: &str) -> String {
    const SWAPS: &[(&str, &str)] = &[
        ("eaux", "o"),
        ("eau", "o"),
        ("au", "o"),
        ("ph", "f"),
        ("qu", "k"),
        ("ck", "k"),
        ("ce", "se"),
        ("ci", "si"),
        ("cy", "si"),
        ("c", "k"),
        ("q", "k"),
        ("gu", "g"),
        ("ai", "e"),
        ("ei", "e"),
        ("y", "i"),
        ("z", "s"),
        ("h", ""),
    ];
    let mut key = word.to_owned();
    for (from, to) in SWAPS {
        key = key.replace(from, to);
    }
    let mut out = String::with_capacity(key.len());
    for c in key.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    while out.len() > 3 && (out.ends_with('s') || out.ends_with('e') || out.ends_with('x')) {
        out.pop();
    }
    out
}

/// A word of the ads, with the number of ads holding it and its sound key (computed once).
#[derive(Debug, Clone)]
pub(super) struct Known {
    word: String,
    docs: u64,
    key: String,
}

impl Known {
    pub(super) fn new(word: String, docs: u64) -> Self {
        let key = sound_key(&word);
        Self { word, docs, key }
    }
}

/// Whether a typed word may be corrected at all: long enough, and no figure in it (a postcode,
/// a salary, a year is meant as typed).
pub(super) fn correctable(word: &str) -> bool {
    allowed_edits(word) > 0 && !word.chars().any(|c| c.is_ascii_digit())
}

/// The closest of the ads' words to `typed` within the allowed edits, counted on the letters or
/// on the sound keys: fewest edits first, then fewest on the letters, then the most common word.
pub(super) fn closest(typed: &str, known: &[Known]) -> Option<String> {
    if !correctable(typed) {
        return None;
    }
    let allowed = allowed_edits(typed);
    let key = sound_key(typed);
    let len = typed.chars().count();
    known
        .iter()
        // A cheap bound first: a word much longer or shorter cannot be close by its letters,
        // and its sound key rarely is.
        .filter(|k| k.word.len().abs_diff(len) <= allowed + 2 && k.word != typed)
        .filter_map(|k| {
            let letters = strsim::levenshtein(typed, &k.word);
            let sound = strsim::levenshtein(&key, &k.key);
            let best = letters.min(sound);
            (best <= allowed).then_some(((best, letters, std::cmp::Reverse(k.docs)), &k.word))
        })
        .min()
        .map(|(_, w)| w.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sound_keys_merge_what_sounds_alike() {
        assert_eq!(sound_key("numerique"), sound_key("numerik"));
        assert_eq!(sound_key("animatrice"), sound_key("animatrise"));
        assert_eq!(sound_key("telephone"), sound_key("telefone"));
        assert_eq!(sound_key("numeriques"), sound_key("numerique"));
        assert_ne!(sound_key("tourisme"), sound_key("territoire"));
    }

    #[test]
    fn corrections_prefer_fewest_edits_then_the_common_word() {
        let words: Vec<Known> = [
            ("animatrice", 10),
            ("animatrices", 30),
            ("animateur", 50),
            ("numerique", 40),
            ("numeriques", 5),
            ("tourisme", 20),
            ("29000", 9),
        ]
        .into_iter()
        .map(|(w, n)| Known::new(w.to_owned(), n))
        .collect();
        assert_eq!(closest("animatrise", &words).as_deref(), Some("animatrice"));
        assert_eq!(closest("numerik", &words).as_deref(), Some("numerique"));
        assert_eq!(closest("numerigue", &words).as_deref(), Some("numerique"));
        assert_eq!(closest("tourime", &words).as_deref(), Some("tourisme"));
        // Too far, too short, or a figure: not corrected.
        assert_eq!(closest("webmaster", &words), None);
        assert_eq!(closest("anim", &words), None);
        assert_eq!(closest("29200", &words), None);
    }

    #[test]
    fn the_allowed_edits_grow_with_the_word() {
        assert_eq!(allowed_edits("cdi"), 0);
        assert_eq!(allowed_edits("guide"), 1);
        assert_eq!(allowed_edits("tourisme"), 2);
    }
}

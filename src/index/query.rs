//! From the words a job seeker types to a tantivy query, without tantivy's query parser.
//!
//! The text is read as: « quoted phrases », place names or numbers (« Gironde », « 33 »,
//! « Bretagne ») that become filters, and words. Each word matches its French stem in the
//! title, description, employer and place; its masculine or feminine form too (the French
//! stemmer does not merge « animatrice » and « animateur »); when the exact words find nothing,
//! a near spelling for words of five letters or more (two edits for eight or more); and « ANT »
//! also matches the role's full name.

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;

use super::schema::Fields;
use crate::normalize::places;

/// What the text of a search says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Interpreted {
    /// Words, in order, places removed.
    pub words: Vec<String>,
    /// Quoted phrases.
    pub phrases: Vec<String>,
    /// A région named in the text.
    pub region: Option<String>,
    /// A département named (or numbered) in the text.
    pub department: Option<String>,
    /// The words read as that place, folded (« charente »).
    pub place_words: Option<String>,
    /// Other départements those words may name (« charente » → 17, Charente-Maritime), by code.
    pub other_places: Vec<String>,
}

fn fold(text: &str) -> String {
    places::fold(text)
}

/// Splits the text into phrases, places and words.
pub fn interpret(text: &str) -> Interpreted {
    interpret_with(text, true)
}

/// Splits the text into phrases, places (unless `read_places` is false) and words.
pub fn interpret_with(text: &str, read_places: bool) -> Interpreted {
    let mut out = Interpreted::default();
    let mut rest = String::new();
    for (i, part) in text.split('"').enumerate() {
        if i % 2 == 1 && !part.trim().is_empty() {
            out.phrases.push(part.trim().to_owned());
        } else {
            rest.push(' ');
            rest.push_str(part);
        }
    }
    let words: Vec<String> = fold(&rest)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    let mut i = 0;
    while i < words.len() {
        // The longest run of words (up to four) that names a place.
        let found = (1..=4.min(words.len() - i))
            .rev()
            .filter(|_| read_places)
            .find_map(|n| {
                let candidate = words[i..i + n].join(" ");
                let is_code =
                    n == 1 && candidate.chars().all(|c| c.is_ascii_digit()) && candidate.len() <= 3;
                let dept = (is_code || n > 1 || candidate.len() > 3)
                    .then(|| places::departement(&candidate))
                    .flatten();
                if let Some(d) = dept {
                    return Some((n, None, Some(d.code.to_owned())));
                }
                places::region(&candidate)
                    .filter(|_| candidate.len() > 3)
                    .map(|r| (n, Some(r.to_owned()), None))
            });
        match found {
            Some((n, region, dept)) if out.region.is_none() && out.department.is_none() => {
                let named = words[i..i + n].join(" ");
                out.other_places = other_places(&named, dept.as_deref());
                out.place_words = Some(named);
                out.region = region;
                out.department = dept;
                i += n;
            }
            _ => {
                out.words.push(words[i].clone());
                i += 1;
            }
        }
    }
    out
}

/// The départements, other than `chosen`, whose names hold the words `named` (« loire » is in
/// Haute-Loire, Loire-Atlantique, Maine-et-Loire…); none for a number.
fn other_places(named: &str, chosen: Option<&str>) -> Vec<String> {
    if named.chars().all(|c| c.is_ascii_digit()) {
        return Vec::new();
    }
    let needle = format!(" {named} ");
    places::departements()
        .iter()
        .filter(|d| Some(d.code) != chosen)
        .filter(|d| format!(" {} ", fold(d.name)).contains(&needle))
        .map(|d| d.code.to_owned())
        .collect()
}

/// Whether a word is long enough to be matched with a typo (the same lengths as corrections:
/// one edit from five letters, two from eight).
pub(super) fn fuzzy_eligible(word: &str) -> bool {
    super::spelling::allowed_edits(word) > 0
}

/// The other gender's form of a job word, if it has one (« animatrice » → « animateur »).
fn other_gender(word: &str) -> Option<String> {
    const PAIRS: &[(&str, &str)] = &[
        ("atrice", "ateur"),
        ("ateur", "atrice"),
        ("euse", "eur"),
        ("ere", "er"),
        ("er", "ere"),
        ("iere", "ier"),
        ("ier", "iere"),
        ("enne", "en"),
        ("ienne", "ien"),
        ("ien", "ienne"),
        ("ive", "if"),
        ("if", "ive"),
    ];
    let (from, to) = PAIRS
        .iter()
        .filter(|(from, _)| word.ends_with(from))
        .max_by_key(|(from, _)| from.len())?;
    if word.len() < from.len() + 3 {
        return None;
    }
    Some(format!("{}{to}", &word[..word.len() - from.len()]))
}

pub(super) fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    analyze_positions(analyzer, text)
        .into_iter()
        .map(|(_, t)| t)
        .collect()
}

/// Tokens with their positions: stop words leave gaps that a phrase must keep.
fn analyze_positions(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(t) = tantivy::tokenizer::TokenStream::next(&mut stream) {
        out.push((t.position, t.text.clone()));
    }
    out
}

fn term_query(field: Field, text: &str, boost: f32) -> (Occur, Box<dyn Query>) {
    let q = TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    );
    (Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost)))
}

fn phrase(fields: &Fields, tokens: &[(usize, String)]) -> Box<dyn Query> {
    let first = tokens.first().map_or(0, |(p, _)| *p);
    let per_field: Vec<(Occur, Box<dyn Query>)> = [fields.title, fields.description]
        .into_iter()
        .map(|f| {
            let terms: Vec<(usize, Term)> = tokens
                .iter()
                .map(|(p, t)| (p - first, Term::from_field_text(f, t)))
                .collect();
            (
                Occur::Should,
                Box::new(PhraseQuery::new_with_offset(terms)) as Box<dyn Query>,
            )
        })
        .collect();
    Box::new(BooleanQuery::new(per_field))
}

/// The query of the words and phrases (every word must match somewhere); `None` if there is
/// nothing to match (every document matches then).
pub(super) fn build(
    fields: &Fields,
    analyzer: &mut TextAnalyzer,
    q: &Interpreted,
    fuzzy: bool,
) -> Option<Box<dyn Query>> {
    let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for word in &q.words {
        let stems = analyze(analyzer, word);
        // Stop words and one-letter elisions (« l' », « d' ») match nothing by themselves.
        let Some(stem) = stems.first().filter(|s| s.len() > 1) else {
            continue;
        };
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut variants = vec![stem.clone()];
        if let Some(other) =
            other_gender(word).and_then(|w| analyze(analyzer, &w).into_iter().next())
            && !variants.contains(&other)
        {
            variants.push(other);
        }
        for v in &variants {
            for (field, boost) in [
                (fields.title, 2.0),
                (fields.description, 1.0),
                (fields.employer, 1.0),
                (fields.place, 1.5),
            ] {
                any.push(term_query(field, v, boost));
            }
        }
        if fuzzy && fuzzy_eligible(word) {
            let distance = u8::try_from(super::spelling::allowed_edits(word)).unwrap_or(2);
            for field in [fields.title, fields.description] {
                let fuzzy = FuzzyTermQuery::new(Term::from_field_text(field, stem), distance, true);
                any.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(fuzzy), 0.5)),
                ));
            }
        }
        if word == "ant" {
            let full = analyze_positions(analyzer, "animateur numérique de territoire");
            any.push((Occur::Should, phrase(fields, &full)));
        }
        must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
    }
    for p in &q.phrases {
        let tokens = analyze_positions(analyzer, p);
        match tokens.len() {
            0 => {}
            1 => must.push((
                Occur::Must,
                Box::new(BooleanQuery::new(vec![
                    term_query(fields.title, &tokens[0].1, 2.0),
                    term_query(fields.description, &tokens[0].1, 1.0),
                ])),
            )),
            _ => must.push((Occur::Must, phrase(fields, &tokens))),
        }
    }
    (!must.is_empty()).then(|| Box::new(BooleanQuery::new(must)) as Box<dyn Query>)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_become_filters() {
        let q = interpret("animatrice numerique gironde");
        assert_eq!(
            (q.words.as_slice(), q.department.as_deref()),
            (
                &["animatrice".to_owned(), "numerique".to_owned()][..],
                Some("33")
            )
        );
        let q = interpret("ANT Côtes-d'Armor CDI");
        assert_eq!(
            (q.department.as_deref(), q.words),
            (Some("22"), vec!["ant".to_owned(), "cdi".to_owned()])
        );
        let q = interpret("numérique Bretagne");
        assert_eq!(
            (q.region.as_deref(), q.words),
            (Some("Bretagne"), vec!["numerique".to_owned()])
        );
        assert_eq!(interpret("animateur 33").department.as_deref(), Some("33"));
        let q = interpret("\"ateliers collectifs\" prestataires");
        assert_eq!(
            (q.phrases, q.words),
            (
                vec!["ateliers collectifs".to_owned()],
                vec!["prestataires".to_owned()]
            )
        );
        // Short words are not read as places.
        assert_eq!(interpret("ain ni ana").department, None);
    }

    #[test]
    fn a_place_name_inside_others_offers_them() {
        let q = interpret("animatrice charente");
        assert_eq!(q.department.as_deref(), Some("16"));
        assert_eq!(q.place_words.as_deref(), Some("charente"));
        assert_eq!(q.other_places, vec!["17"]);
        assert!(interpret("charente maritime").other_places.is_empty());
        let loire = interpret("numerique loire").other_places;
        for code in ["37", "43", "44", "49", "71"] {
            assert!(loire.contains(&code.to_owned()), "{code} in {loire:?}");
        }
        assert!(interpret("numerique 33").other_places.is_empty());
        // Read as words only, nothing is a place.
        let q = interpret_with("numerique loire", false);
        assert_eq!((q.department, q.words.len()), (None, 2));
    }

    #[test]
    fn genders() {
        assert_eq!(other_gender("animatrice").as_deref(), Some("animateur"));
        assert_eq!(other_gender("animateur").as_deref(), Some("animatrice"));
        assert_eq!(other_gender("conseillere").as_deref(), Some("conseiller"));
        assert_eq!(other_gender("saisonniere").as_deref(), Some("saisonnier"));
        assert_eq!(other_gender("saisonnier").as_deref(), Some("saisonniere"));
        assert_eq!(other_gender("conseiller").as_deref(), Some("conseillere"));
        assert_eq!(other_gender("chargee"), None);
    }
}

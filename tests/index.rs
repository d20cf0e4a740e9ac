//! The search index: French analysis, filters, rebuild.

use antenne::index::{SearchIndex, SearchQuery};
use antenne::model::{Location, Posting, PostingRecord, PostingStatus, Verdict, VerdictCode};
use chrono::Utc;

fn record(id: &str, title: &str, desc: &str, dept: &str, verdict: VerdictCode) -> PostingRecord {
    PostingRecord {
        posting: Posting {
            id: id.into(),
            title: title.into(),
            description: desc.into(),
            location: Location {
                department_code: Some(dept.into()),
                ..Location::default()
            },
            published: chrono::NaiveDate::from_ymd_opt(2026, 11, 1),
            ..Posting::default()
        },
        sources: Vec::new(),
        status: PostingStatus::Open,
        verdict: Some(Verdict {
            id: id.into(),
            verdict,
            claims_ant: true,
            flagged: false,
            scores: Default::default(),
            findings: Vec::new(),
            missions: Vec::new(),
            facilitation_share: None,
            margin: 1.0,
            runner_up: None,
            rules_version: "v".into(),
        }),
        review: None,
        first_seen: Utc::now(),
        updated_at: Utc::now(),
        revision: 1,
    }
}

fn ids(index: &SearchIndex, q: &SearchQuery) -> Vec<String> {
    let mut v: Vec<String> = index
        .search(q)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect();
    v.sort();
    v
}

fn q(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.into(),
        limit: 10,
        ..SearchQuery::default()
    }
}

#[test]
fn accents_case_and_stems_do_not_matter() {
    let index = SearchIndex::in_memory().unwrap();
    index
        .rebuild(
            &[
                record(
                    "a",
                    "Animatrice numérique",
                    "Ateliers numériques pour les hébergeurs.",
                    "33",
                    VerdictCode::Ant,
                ),
                record(
                    "b",
                    "Chargé d'accueil",
                    "Accueil des visiteurs.",
                    "29",
                    VerdictCode::Ant,
                ),
                record(
                    "c",
                    "Animateur numérique",
                    "Gestion du site.",
                    "33",
                    VerdictCode::Webmaster,
                ),
            ],
            7,
        )
        .unwrap();
    assert_eq!(index.generation(), Some(7));
    assert_eq!(ids(&index, &q("numerique")), vec!["a"]);
    assert_eq!(ids(&index, &q("NUMÉRIQUES hebergeur")), vec!["a"]);
    assert_eq!(
        ids(
            &index,
            &SearchQuery {
                all: true,
                ..q("numerique")
            }
        ),
        vec!["a", "c"]
    );
    assert_eq!(
        ids(
            &index,
            &SearchQuery {
                department: Some("29".into()),
                ..q("")
            }
        ),
        vec!["b"]
    );
    assert!(ids(&index, &q("inexistant")).is_empty());

    // Upsert replaces, it does not duplicate.
    index
        .upsert(
            &[record(
                "a",
                "Animatrice numérique",
                "Autre texte.",
                "33",
                VerdictCode::Ant,
            )],
            8,
        )
        .unwrap();
    assert_eq!(ids(&index, &q("numerique")), vec!["a"]);
    assert!(ids(&index, &q("hebergeurs")).is_empty());
}

#[test]
fn hostile_queries_get_a_clear_error_or_nothing() {
    let index = SearchIndex::in_memory().unwrap();
    index
        .rebuild(&[record("a", "Animatrice", "x", "33", VerdictCode::Ant)], 1)
        .unwrap();
    for text in [
        "Annecy: serveur",
        "a:(^",
        "*",
        "title:x AND (",
        "\"unclosed",
        "l'hôtel bac+2",
    ] {
        index.search(&q(text)).unwrap();
    }
    let long = "mot ".repeat(200);
    assert!(
        index
            .search(&q(&long))
            .unwrap_err()
            .to_string()
            .contains("trop")
    );
}

#[test]
fn a_stale_index_on_disk_reports_its_generation() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open(dir.path()).unwrap();
        assert_eq!(index.generation(), None);
        index
            .rebuild(&[record("a", "A", "x", "33", VerdictCode::Ant)], 3)
            .unwrap();
    }
    let index = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(index.generation(), Some(3));
    assert_eq!(ids(&index, &q("x")), vec!["a"]);
}

#[test]
fn french_queries_genders_places_typos_phrases_and_facets() {
    let index = SearchIndex::in_memory().unwrap();
    let mut a = record(
        "a",
        "Animateur numérique de territoire",
        "Ateliers collectifs pour les hébergeurs de la côte.",
        "33",
        VerdictCode::Ant,
    );
    a.posting.location.region = Some("Nouvelle-Aquitaine".into());
    a.posting.contract = Some("CDI".into());
    a.posting.employer_type = Some("office_de_tourisme".into());
    let mut b = record(
        "b",
        "Conseillère numérique",
        "Rendez-vous individuels chez les restaurateurs.",
        "29",
        VerdictCode::Ant,
    );
    b.posting.location.region = Some("Bretagne".into());
    b.posting.contract = Some("CDD".into());
    b.posting.published = chrono::NaiveDate::from_ymd_opt(2026, 11, 20);
    let mut c = record(
        "c",
        "Animatrice numérique",
        "Accompagnement des prestataires, ateliers.",
        "29",
        VerdictCode::Ant,
    );
    c.posting.location.region = Some("Bretagne".into());
    c.posting.contract = Some("CDI".into());
    c.posting.published = chrono::NaiveDate::from_ymd_opt(2026, 10, 1);
    index.rebuild(&[a, b, c], 1).unwrap();

    // The feminine finds the masculine and back; a typo of five letters or more is forgiven.
    assert_eq!(ids(&index, &q("animatrice")), vec!["a", "c"]);
    assert_eq!(ids(&index, &q("conseiller")), vec!["b"]);
    assert_eq!(ids(&index, &q("numerque")), vec!["a", "b", "c"]);
    // Places in the words become filters.
    let r = index.search(&q("animatrice gironde")).unwrap();
    assert_eq!(
        r.hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(),
        ["a"]
    );
    assert_eq!(r.interpreted.department.as_deref(), Some("33"));
    assert_eq!(ids(&index, &q("numerique bretagne")), vec!["b", "c"]);
    assert_eq!(ids(&index, &q("numerique 29")), vec!["b", "c"]);
    // Phrases in quotes; « ANT » is the role's full name.
    assert_eq!(ids(&index, &q("\"ateliers collectifs\"")), vec!["a"]);
    assert_eq!(ids(&index, &q("ANT")), vec!["a"]);
    // Facets count every match.
    let all = index
        .search(&SearchQuery {
            facets: true,
            ..q("numerique")
        })
        .unwrap();
    assert!(
        index
            .search(&q("numerique"))
            .unwrap()
            .facets
            .region
            .is_empty(),
        "facets only when asked"
    );
    assert_eq!(
        all.facets.region,
        vec![
            ("Bretagne".to_owned(), 2),
            ("Nouvelle-Aquitaine".to_owned(), 1)
        ]
    );
    assert_eq!(
        all.facets.contract,
        vec![("cdi".to_owned(), 2), ("cdd".to_owned(), 1)]
    );
    assert_eq!(
        all.facets.employer_type,
        vec![("office_de_tourisme".to_owned(), 1)]
    );
    // Sorting by date puts the newest first.
    let by_date = index
        .search(&SearchQuery {
            sort: antenne::index::SortOrder::Date,
            ..q("numerique")
        })
        .unwrap();
    assert_eq!(
        by_date
            .hits
            .iter()
            .map(|h| h.id.as_str())
            .collect::<Vec<_>>(),
        ["b", "a", "c"]
    );
}

#[test]
fn misspelt_words_are_searched_as_the_closest_words_of_the_ads() {
    let index = SearchIndex::in_memory().unwrap();
    let ant = |id: &str, title: &str| {
        record(
            id,
            title,
            "Diagnostic numérique des hébergeurs et ateliers pour les prestataires.",
            "35",
            VerdictCode::Ant,
        )
    };
    let web = record(
        "w",
        "Webmestre",
        "Mise à jour du site internet, référencement.",
        "35",
        VerdictCode::Ant,
    );
    index
        .rebuild(
            &[
                ant("f", "Animatrice numérique de territoire"),
                ant("m", "Animateur numérique de territoire"),
                web,
            ],
            1,
        )
        .unwrap();

    // Typed by ear: the word is corrected, then both genders match as for the right spelling.
    let r = index.search(&q("animatrise numerik")).unwrap();
    assert_eq!(r.corrected.as_deref(), Some("animatrice numerique"));
    assert_eq!(ids(&index, &q("animatrise numerik")), vec!["f", "m"]);
    assert_eq!(ids(&index, &q("numerigue")), vec!["f", "m"]);
    assert_eq!(ids(&index, &q("webmestr")), vec!["w"]);
    assert_eq!(ids(&index, &q("hebergeur prestatairs")), vec!["f", "m"]);
    // Right spellings are not « corrected »; words far from any ad find nothing.
    assert_eq!(index.search(&q("animatrice")).unwrap().corrected, None);
    let none = index.search(&q("boulangerie")).unwrap();
    assert_eq!((none.total, none.corrected), (0, None));
    // A place stays a filter beside a corrected word.
    let r = index.search(&q("animatrise ille-et-vilaine")).unwrap();
    assert_eq!(r.interpreted.department.as_deref(), Some("35"));
    assert_eq!(r.total, 2);
}

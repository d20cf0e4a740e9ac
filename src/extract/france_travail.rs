//! France Travail « Offres d'emploi v2 » search answers: `{"resultats": [...]}`.

use serde_json::Value;

use super::{Document, ExtractError};
use crate::model::{RawLocation, RawPosting};

/// Public page of an offer when the API gives no original URL.
const OFFER_PAGE: &str = "https://candidat.francetravail.fr/offres/recherche/detail/";

pub(super) fn parse(doc: Document<'_>) -> Result<Vec<RawPosting>, ExtractError> {
    let api = |message: String| ExtractError::Api {
        url: doc.url.to_owned(),
        message,
    };
    if doc.body.is_empty() {
        return Ok(Vec::new());
    }
    let value: Value =
        serde_json::from_slice(doc.body).map_err(|e| api(format!("invalid JSON: {e}")))?;
    let results = match value.get("resultats") {
        Some(Value::Array(items)) => items,
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(_) => return Err(api("\"resultats\" is not a list".into())),
    };
    Ok(results.iter().map(offer).collect())
}

fn offer(o: &Value) -> RawPosting {
    let s = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let id = s(o.get("id"));
    let lieu = o.get("lieuTravail");
    RawPosting {
        url: s(o.pointer("/origineOffre/urlOrigine"))
            .or_else(|| id.as_ref().map(|id| format!("{OFFER_PAGE}{id}"))),
        source_ref: id,
        title: s(o.get("intitule")),
        description: s(o.get("description")),
        employer: s(o.pointer("/entreprise/nom")),
        location: RawLocation {
            text: s(lieu.and_then(|l| l.get("libelle"))),
            postcode: s(lieu.and_then(|l| l.get("codePostal"))),
            ..RawLocation::default()
        },
        contract: s(o.get("typeContratLibelle")).or_else(|| s(o.get("typeContrat"))),
        hours: s(o.get("dureeTravailLibelleConverti")).or_else(|| s(o.get("dureeTravailLibelle"))),
        salary: s(o.pointer("/salaire/libelle")),
        published: s(o.get("dateCreation")),
        valid_through: None,
        fetched_at: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offers_keep_their_original_url() {
        let body = br#"{"resultats":[{"id":"205X","intitule":"Animatrice numerique de territoire","description":"Ateliers.",
            "lieuTravail":{"libelle":"33 - Libourne","codePostal":"33500"},"entreprise":{"nom":"OT"},"typeContrat":"CDD",
            "dateCreation":"2026-10-16T08:00:00.000Z","origineOffre":{"origine":"2","urlOrigine":"https://board.example/a/1"}},
            {"id":"205Y","intitule":"B","description":"C"}]}"#;
        let doc = Document {
            url: "http://127.0.0.1:9/api",
            content_type: None,
            body,
        };
        let p = parse(doc).unwrap();
        assert_eq!(p[0].url.as_deref(), Some("https://board.example/a/1"));
        assert_eq!(p[0].location.text.as_deref(), Some("33 - Libourne"));
        assert_eq!(
            p[1].url.as_deref(),
            Some("https://candidat.francetravail.fr/offres/recherche/detail/205Y")
        );
        let bad = Document {
            url: "http://127.0.0.1:9/api",
            content_type: None,
            body: b"{\"resultats\": 3}",
        };
        assert!(parse(bad).unwrap_err().to_string().contains("not a list"));
    }
}

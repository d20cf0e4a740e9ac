//! A search saved with a subscription: the words and filters of the search page.

use serde::{Deserialize, Serialize};

use crate::index::SearchQuery;
use crate::normalize::{employer, places};

/// The words and filters of a search, as a subscription keeps them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedSearch {
    /// Words.
    #[serde(skip)]
    pub q: String,
    /// Région, canonical name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Département code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Contract label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<String>,
    /// Employer type code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employer_type: Option<String>,
}

/// Most words a saved search may hold, in characters.
pub const MAX_WORDS_CHARS: usize = 200;

impl SavedSearch {
    /// Reads a search from the fields of a form: empty fields are no filter; région and
    /// département are checked and put in canonical form. Errors are in French, for the page.
    pub fn from_fields(
        q: &str,
        region: Option<&str>,
        department: Option<&str>,
        contract: Option<&str>,
        employer_type: Option<&str>,
    ) -> Result<Self, String> {
        let q = q.split_whitespace().collect::<Vec<_>>().join(" ");
        if q.chars().count() > MAX_WORDS_CHARS {
            return Err(format!(
                "La recherche est trop longue (plus de {MAX_WORDS_CHARS} caractères)."
            ));
        }
        let (region, department) = places::form_filters(region, department)?;
        let search = Self {
            q,
            region: region.map(str::to_owned),
            department: department.map(str::to_owned),
            contract: clean(contract).map(str::to_owned),
            employer_type: clean(employer_type).map(str::to_owned),
        };
        if search == Self::default() {
            return Err("Indiquez des mots ou un filtre à surveiller.".to_owned());
        }
        Ok(search)
    }

    /// The filters as stored (stable JSON, so that equal searches compare equal).
    pub fn filters_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }

    /// A search from its stored words and filters (unreadable filters count as none).
    pub fn from_stored(q: &str, filters: &str) -> Self {
        let mut s: Self = serde_json::from_str(filters).unwrap_or_default();
        s.q = q.to_owned();
        s
    }

    /// The index query: open ads with verdict `ant` only, matched words listed.
    pub fn to_query(&self, limit: usize) -> SearchQuery {
        SearchQuery {
            text: self.q.clone(),
            region: self.region.clone(),
            department: self.department.clone(),
            contract: self.contract.clone(),
            employer_type: self.employer_type.clone(),
            limit,
            matched_terms: true,
            ..SearchQuery::default()
        }
    }

    /// The filters, in French, for people: `["région : Bretagne", …]`.
    pub fn filter_labels(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(r) = &self.region {
            out.push(format!("région : {r}"));
        }
        if let Some(code) = &self.department {
            let name = places::departement(code).map_or(code.as_str(), |d| d.name);
            out.push(format!("département : {name} ({code})"));
        }
        if let Some(c) = &self.contract {
            out.push(format!("contrat : {c}"));
        }
        if let Some(t) = &self.employer_type {
            out.push(format!("employeur : {}", employer::label(t)));
        }
        out
    }

    /// The whole search in one French line: « animatrice numérique » (région : Bretagne).
    pub fn describe(&self) -> String {
        let words = if self.q.is_empty() {
            "toutes les offres".to_owned()
        } else {
            format!("« {} »", self.q)
        };
        let filters = self.filter_labels();
        if filters.is_empty() {
            words
        } else {
            format!("{words} ({})", filters.join(", "))
        }
    }
}

fn clean(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_checked_and_stored_stably() {
        let s = SavedSearch::from_fields(
            "  animatrice   numerique ",
            Some("bretagne"),
            Some(""),
            None,
            None,
        )
        .unwrap();
        assert_eq!(s.q, "animatrice numerique");
        assert_eq!(s.region.as_deref(), Some("Bretagne"));
        assert_eq!(s.filters_json(), r#"{"region":"Bretagne"}"#);
        assert_eq!(SavedSearch::from_stored(&s.q, &s.filters_json()), s);
        assert_eq!(s.describe(), "« animatrice numerique » (région : Bretagne)");
        assert!(
            SavedSearch::from_fields("x", Some("Atlantide"), None, None, None)
                .unwrap_err()
                .contains("Atlantide")
        );
        assert!(SavedSearch::from_fields(" ", None, None, None, None).is_err());
    }
}

//! Text folding for matching: lower case ASCII, accents and ligatures removed, punctuation as
//! single spaces, with a map back to byte offsets of the original text.
//!
//! « Animateur·rice numérique » folds to « animateur rice numerique », so that inclusive forms
//! (·, ., /, (trice)) all read the same; evidence offsets still point into the original.
//! Line breaks and sentence ends (`.`, `;`, `!`, `?` before a space) become `\n`, so that
//! patterns, which join words with single spaces, never match across two sentences.

/// A folded text and its map to the original.
#[derive(Debug, Clone, Default)]
pub(crate) struct Folded {
    /// Folded text, ASCII only.
    pub(crate) text: String,
    /// For each byte of `text`: start byte of the original character it came from.
    starts: Vec<usize>,
    /// For each byte of `text`: end byte of the original character it came from.
    ends: Vec<usize>,
}

impl Folded {
    /// Folds `original`.
    pub(crate) fn new(original: &str) -> Self {
        let mut f = Self {
            text: String::with_capacity(original.len()),
            starts: Vec::with_capacity(original.len()),
            ends: Vec::with_capacity(original.len()),
        };
        let mut buf = String::new();
        let mut chars = original.char_indices().peekable();
        let mut prev = ' ';
        while let Some((i, c)) = chars.next() {
            let end = i + c.len_utf8();
            buf.clear();
            let next_is_space = chars.peek().is_none_or(|(_, n)| n.is_whitespace());
            if c == '\n' || (matches!(c, '.' | ';' | '!' | '?') && next_is_space) {
                buf.push('\n');
            } else if c.is_ascii_alphanumeric()
                || matches!(c, '%' | '+')
                || (c == '/'
                    && prev.is_ascii_digit()
                    && chars.peek().is_some_and(|(_, n)| n.is_ascii_digit()))
            {
                // A slash stays only inside figures (« 28/35e »); « animateur/trice » splits.
                buf.push(c.to_ascii_lowercase());
            } else if c.is_alphanumeric() {
                let ascii = deunicode::deunicode_char(c).unwrap_or(" ");
                buf.extend(
                    ascii
                        .chars()
                        .filter(char::is_ascii_alphanumeric)
                        .map(|a| a.to_ascii_lowercase()),
                );
                if buf.is_empty() {
                    buf.push(' ');
                }
            } else {
                buf.push(' ');
            }
            prev = c;
            for b in buf.bytes() {
                // Collapse runs of spaces, and spaces next to a break, to keep the map simple.
                if b == b' ' && (f.text.ends_with(' ') || f.text.ends_with('\n')) {
                    continue;
                }
                if b == b'\n' && f.text.ends_with(' ') {
                    f.text.pop();
                    f.starts.pop();
                    f.ends.pop();
                }
                if b == b'\n' && f.text.ends_with('\n') {
                    continue;
                }
                f.text.push(b as char);
                f.starts.push(i);
                f.ends.push(end);
            }
        }
        f
    }

    /// The first folded byte that comes from original bytes at or after `original`.
    pub(crate) fn folded_at(&self, original: usize) -> usize {
        self.starts.partition_point(|&s| s < original)
    }

    /// The original byte range of the folded range `start..end` (`end > start`).
    pub(crate) fn original_range(&self, start: usize, end: usize) -> (usize, usize) {
        (self.starts[start], self.ends[end - 1])
    }
}

/// Folds a text without keeping the map (patterns, examples, queries).
pub(crate) fn fold(text: &str) -> String {
    Folded::new(text).text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inclusive_forms_fold_alike() {
        for t in [
            "Animateur·rice",
            "animateur.rice",
            "ANIMATEUR(RICE)",
            "Animateur-rice",
            "Animateur/rice",
        ] {
            assert_eq!(fold(t).trim(), "animateur rice", "{t}");
        }
        assert_eq!(fold("Cœur de Béarn, l'Office"), "coeur de bearn l office");
        assert_eq!(
            fold("Fin. Début ; suite\n\n- item"),
            "fin\ndebut\nsuite\nitem"
        );
        assert_eq!(fold("bac+2, 80 %, 28/35e, H/F"), "bac+2 80 % 28/35e h f");
    }

    #[test]
    fn offsets_map_back_to_the_original() {
        let original = "Réaliser des diagnostics numériques";
        let f = Folded::new(original);
        let at = f.text.find("numeriques").unwrap();
        let (s, e) = f.original_range(at, at + "numeriques".len());
        assert_eq!(&original[s..e], "numériques");
    }
}

//! Character sets: bytes to text for HTML and JSON documents.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// Decodes a document: BOM, then the HTTP charset, then valid UTF-8, then a `<meta>` charset,
/// then windows-1252 (the usual encoding of older French sites; a superset of ISO-8859-1 in
/// practice).
pub fn decode_text(body: &[u8], content_type: Option<&str>) -> String {
    if let Some((enc, bom_len)) = Encoding::for_bom(body) {
        return enc
            .decode_without_bom_handling(&body[bom_len..])
            .0
            .into_owned();
    }
    if let Some(enc) = content_type
        .and_then(charset_param)
        .and_then(|l| Encoding::for_label(l.as_bytes()))
    {
        return enc.decode_without_bom_handling(body).0.into_owned();
    }
    if let Ok(text) = std::str::from_utf8(body) {
        return text.to_owned();
    }
    let head = &body[..body.len().min(2048)];
    let enc = meta_charset(head).unwrap_or(WINDOWS_1252);
    let enc = if enc == UTF_8 { WINDOWS_1252 } else { enc };
    enc.decode_without_bom_handling(body).0.into_owned()
}

fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let at = text.find("charset=")? + "charset=".len();
    let label: String = text[at..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    Encoding::for_label(label.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_without_declaration_keeps_accents() {
        let (bytes, _, _) = WINDOWS_1252.encode("Animatrice numérique « œuvre »");
        assert_eq!(decode_text(&bytes, None), "Animatrice numérique « œuvre »");
    }

    #[test]
    fn header_charset_wins_over_guess() {
        let (bytes, _, _) = WINDOWS_1252.encode("été");
        assert_eq!(
            decode_text(&bytes, Some("text/html; charset=ISO-8859-1")),
            "été"
        );
    }

    #[test]
    fn utf8_is_trusted() {
        assert_eq!(decode_text("numérique".as_bytes(), None), "numérique");
    }
}

//! HTML to plain text: paragraphs and list items kept as lines, entities decoded once.

use scraper::{Html, Node};

const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "section",
    "article",
    "blockquote",
    "dd",
    "dt",
    "dl",
    "hr",
    "main",
];
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "nav", "header", "footer", "head", "form", "button",
];

/// Whether a text holds HTML markup or entities.
pub(super) fn looks_html(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
        || bytes
            .windows(2)
            .any(|w| w[0] == b'&' && (w[1].is_ascii_alphabetic() || w[1] == b'#'))
}

/// Converts HTML (or plain text) to plain text with one paragraph or item per line.
pub fn html_to_text(input: &str) -> String {
    if !looks_html(input) {
        return tidy(input);
    }
    let fragment = Html::parse_fragment(input);
    let mut out = String::with_capacity(input.len());
    walk(fragment.tree.root(), &mut out);
    tidy(&out)
}

fn walk(node: ego_tree::NodeRef<'_, Node>, out: &mut String) {
    for child in node.children() {
        match child.value() {
            Node::Text(t) => out.push_str(&t.text),
            Node::Element(el) => {
                let name = el.name();
                if SKIPPED.contains(&name) {
                    continue;
                }
                let block = BLOCKS.contains(&name);
                if block {
                    out.push('\n');
                }
                if name == "li" {
                    out.push_str("- ");
                }
                walk(child, out);
                if block {
                    out.push('\n');
                }
            }
            _ => walk(child, out),
        }
    }
}

/// Collapses spaces inside lines, trims lines, keeps at most one blank line between paragraphs.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.lines() {
        let line = one_line(line);
        if line.is_empty() {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_run > 0 && !line.starts_with("- ") {
                "\n\n"
            } else {
                "\n"
            });
        }
        out.push_str(&line);
        blank_run = 0;
    }
    out
}

/// Collapses all whitespace (non-breaking spaces included) to single spaces.
pub(super) fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c == '\u{a0}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_lists_and_entities() {
        let html = "<p>Chef&nbsp;de&nbsp;projet &eacute;t&eacute;</p><ul><li>ateliers</li><li>diagnostics</li></ul><script>x()</script>";
        assert_eq!(
            html_to_text(html),
            "Chef de projet été\n- ateliers\n- diagnostics"
        );
    }

    #[test]
    fn plain_text_keeps_lines() {
        assert_eq!(
            html_to_text("  Missions :\n\n\n- ateliers  \n"),
            "Missions :\n- ateliers"
        );
    }

    #[test]
    fn entities_decoded_once() {
        assert_eq!(html_to_text("AT&amp;amp;T"), "AT&amp;T");
    }
}

//! HTML to plain text: paragraphs and list items kept as lines, entities decoded once.

use std::cell::{Cell, RefCell};

use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

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
/// Elements whose content is not text of the ad.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "nav", "header", "footer", "form", "button",
    "title", "textarea", "select",
];
/// Elements that never hold content.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param", "keygen",
];
/// Elements whose end tag may be left out (a new sibling closes them): not counted as nesting.
const OPTIONAL_END: &[&str] = &[
    "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot", "rt",
    "rp", "colgroup", "caption", "html", "head", "body",
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
///
/// Reads the token stream, never a tree: time is linear in the input and memory does not grow
/// with nesting, so a hostile ad nested 100 000 levels deep costs what its bytes cost.
pub fn html_to_text(input: &str) -> String {
    if !looks_html(input) {
        return tidy(input);
    }
    let sink = TextSink {
        out: RefCell::new(String::with_capacity(input.len())),
        skipping: Cell::new(0),
    };
    let sink = tokenize(input, sink);
    tidy(&sink.out.into_inner())
}

/// How deeply the elements of a document nest, as its tags say (elements whose end tag is
/// optional and void elements do not count). Linear in the input, with no tree built: a check
/// to run before handing a document to a tree builder, whose cost grows with depth squared.
pub fn nesting_depth(input: &str) -> usize {
    let sink = DepthSink {
        depth: Cell::new(0),
        deepest: Cell::new(0),
    };
    tokenize(input, sink).deepest.get()
}

/// Runs the HTML tokenizer over `input`, feeding `sink`; returns the sink.
fn tokenize<S: TokenSink<Handle = ()>>(input: &str, sink: S) -> S {
    let queue = BufferQueue::default();
    queue.push_back(input.into());
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    tokenizer.sink
}

/// The tokenizer state the content of an element is read in, as a tree builder would set it.
fn raw_kind(name: &str) -> Option<RawKind> {
    match name {
        "script" => Some(RawKind::ScriptData),
        "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => Some(RawKind::Rawtext),
        "textarea" | "title" => Some(RawKind::Rcdata),
        _ => None,
    }
}

fn continue_with(kind: TagKind, name: &str, self_closing: bool) -> TokenSinkResult<()> {
    match raw_kind(name) {
        Some(raw) if kind == TagKind::StartTag && !self_closing => TokenSinkResult::RawData(raw),
        _ => TokenSinkResult::Continue,
    }
}

/// Builds the text: blocks become lines, list items start with « - », skipped elements vanish.
struct TextSink {
    out: RefCell<String>,
    /// Open skipped elements.
    skipping: Cell<usize>,
}

impl TokenSink for TextSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::CharacterTokens(t) if self.skipping.get() == 0 => {
                self.out.borrow_mut().push_str(&t);
            }
            Token::TagToken(tag) => {
                let name: &str = &tag.name;
                let start = tag.kind == TagKind::StartTag;
                if SKIPPED.contains(&name) {
                    if !tag.self_closing {
                        let open = self.skipping.get();
                        self.skipping.set(if start {
                            open + 1
                        } else {
                            open.saturating_sub(1)
                        });
                    }
                } else if self.skipping.get() == 0 && BLOCKS.contains(&name) {
                    let mut out = self.out.borrow_mut();
                    out.push('\n');
                    if start && name == "li" {
                        out.push_str("- ");
                    }
                }
                return continue_with(tag.kind, name, tag.self_closing);
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// Measures nesting.
struct DepthSink {
    depth: Cell<usize>,
    deepest: Cell<usize>,
}

impl TokenSink for DepthSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        if let Token::TagToken(tag) = token {
            let name: &str = &tag.name;
            if !tag.self_closing && !VOID.contains(&name) && !OPTIONAL_END.contains(&name) {
                let depth = match tag.kind {
                    TagKind::StartTag => self.depth.get() + 1,
                    TagKind::EndTag => self.depth.get().saturating_sub(1),
                };
                self.depth.set(depth);
                self.deepest.set(self.deepest.get().max(depth));
            }
            return continue_with(tag.kind, name, tag.self_closing);
        }
        TokenSinkResult::Continue
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
    fn skipped_elements_and_raw_text() {
        let html = "<nav><a>menu</a></nav><p>Missions</p><script>if (a<b) { x('<div>') }</script><style>p{}</style><p>fin</p>";
        assert_eq!(html_to_text(html), "Missions\n\nfin");
    }

    #[test]
    fn deep_nesting_is_flattened_not_recursed() {
        let depth = 200_000;
        let html = format!(
            "{}ateliers{}",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        assert_eq!(html_to_text(&html), "ateliers");
        assert_eq!(nesting_depth(&html), depth);
    }

    #[test]
    fn depth_ignores_void_and_optional_end_tags() {
        let html = "<ul><li>a<li>b<li>c</ul><p>x<p>y<br><img src=x><div><span>z</span></div>";
        assert_eq!(nesting_depth(html), 2);
        assert_eq!(nesting_depth("<script>'<div><div><div>'</script>"), 1);
    }

    #[test]
    fn entities_decoded_once() {
        assert_eq!(html_to_text("AT&amp;amp;T"), "AT&amp;T");
    }
}

//! Small SVG charts drawn on the server: no script, nothing to load.

/// Escapes text for SVG.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A sparkline of `values` (oldest first).
pub(super) fn sparkline(values: &[i64], label: &str) -> String {
    let (w, h) = (120.0, 24.0);
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let step = if values.len() > 1 {
        w / (values.len() - 1) as f64
    } else {
        0.0
    };
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!(
                "{:.1},{:.1}",
                i as f64 * step,
                h - 2.0 - (*v as f64 / max) * (h - 4.0)
            )
        })
        .collect();
    format!(
        r#"<svg class="spark" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{}"><polyline fill="none" stroke="currentColor" stroke-width="1.5" points="{}"/></svg>"#,
        esc(label),
        points.join(" ")
    )
}

/// A horizontal bar chart of (label, value); values shown as written by `fmt`.
pub(super) fn bars(rows: &[(String, f64)], title: &str, fmt: &dyn Fn(f64) -> String) -> String {
    let row_h = 22.0;
    let (label_w, bar_w) = (220.0, 360.0);
    let h = row_h * rows.len().max(1) as f64 + 8.0;
    let max = rows
        .iter()
        .map(|(_, v)| *v)
        .fold(0.0_f64, f64::max)
        .max(f64::MIN_POSITIVE);
    let mut svg = format!(
        r#"<svg class="bars" width="{}" height="{h}" viewBox="0 0 {} {h}" role="img" aria-label="{}">"#,
        label_w + bar_w + 80.0,
        label_w + bar_w + 80.0,
        esc(title)
    );
    for (i, (label, value)) in rows.iter().enumerate() {
        let y = 4.0 + i as f64 * row_h;
        let len = (value / max) * bar_w;
        svg.push_str(&format!(
            r##"<text x="{:.0}" y="{:.1}" text-anchor="end" font-size="13">{}</text><rect x="{label_w}" y="{:.1}" width="{len:.1}" height="{:.1}" fill="#00507a"/><text x="{:.1}" y="{:.1}" font-size="13">{}</text>"##,
            label_w - 6.0,
            y + 15.0,
            esc(label),
            y + 3.0,
            row_h - 6.0,
            label_w + len + 6.0,
            y + 15.0,
            esc(&fmt(*value))
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_and_scale() {
        let s = sparkline(&[0, 5, 10], "a<b");
        assert!(
            s.contains("aria-label=\"a&lt;b\"")
                && s.contains("points=\"0.0,22.0 60.0,12.0 120.0,2.0\"")
        );
        let b = bars(
            &[("Bretagne".into(), 2.0), ("<x>".into(), 1.0)],
            "t",
            &|v| format!("{v}"),
        );
        assert!(
            b.contains("&lt;x&gt;")
                && b.contains("width=\"360.0\"")
                && b.contains("width=\"180.0\"")
        );
    }
}

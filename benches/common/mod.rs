//! Helpers shared by the benchmarks: a deterministic generator, fixture sentences, peak memory.

#![allow(dead_code, reason = "each benchmark uses part of these helpers")]

/// A small deterministic generator: the same corpus on every run, no dependency.
pub struct Lcg(pub u64);

impl Lcg {
    /// A number in `0..n`.
    pub fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

/// Titles and sentences (over 30 bytes) of the development and held-out fixture ads.
pub fn fixture_text() -> (Vec<String>, Vec<String>) {
    let (mut titles, mut sentences) = (Vec::new(), Vec::new());
    for file in ["fixtures/corpus/dev.jsonl", "fixtures/ads/heldout.jsonl"] {
        let text = std::fs::read_to_string(format!("{}/{file}", env!("CARGO_MANIFEST_DIR")))
            .expect("fixture ads");
        for line in text.lines() {
            let ad: serde_json::Value = serde_json::from_str(line).expect("valid fixture");
            titles.push(ad["title"].as_str().unwrap_or_default().to_owned());
            let desc = ad["description"].as_str().unwrap_or_default();
            sentences.extend(
                desc.split_inclusive(['.', '\n'])
                    .filter(|s| s.trim().len() > 30)
                    .map(str::to_owned),
            );
        }
    }
    (titles, sentences)
}

/// Peak resident memory of this process, in MiB (Linux).
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

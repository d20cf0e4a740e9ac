//! The index schema and the French analyser.

use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, INDEXED, IndexRecordOption, STORED, STRING,
    Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, TextAnalyzerBuilder,
};

/// Name under which the French analyser is registered.
pub(super) const FR: &str = "fr";
/// Name under which the analyser of whole words (folded, not stemmed) is registered.
pub(super) const FR_WORDS: &str = "fr_words";
/// Bumped whenever the schema or analyser changes: the index is then rebuilt from the store.
pub(super) const SCHEMA_VERSION: u32 = 3;

/// The fields of the index.
#[derive(Clone, Copy)]
pub(super) struct Fields {
    pub(super) id: Field,
    pub(super) title: Field,
    pub(super) description: Field,
    pub(super) employer: Field,
    pub(super) place: Field,
    /// The whole words of the title, description, employer and place, unstemmed: what a
    /// misspelt word is corrected to.
    pub(super) words: Field,
    pub(super) region: Field,
    pub(super) department: Field,
    pub(super) contract: Field,
    pub(super) employer_type: Field,
    pub(super) verdict: Field,
    pub(super) status: Field,
    pub(super) published: Field,
}

pub(super) fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |stored: bool| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(FR)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let opts = TextOptions::default().set_indexing_options(indexing);
        if stored { opts.set_stored() } else { opts }
    };
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        title: b.add_text_field("title", text(true)),
        description: b.add_text_field("description", text(true)),
        employer: b.add_text_field("employer", text(false)),
        place: b.add_text_field("place", text(false)),
        words: b.add_text_field(
            "words",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(FR_WORDS)
                    .set_index_option(IndexRecordOption::Basic),
            ),
        ),
        region: b.add_text_field("region", STRING | FAST),
        department: b.add_text_field("department", STRING | FAST),
        contract: b.add_text_field("contract", STRING | FAST),
        employer_type: b.add_text_field("employer_type", STRING | FAST),
        verdict: b.add_text_field("verdict", STRING | FAST),
        status: b.add_text_field("status", STRING),
        published: b.add_date_field(
            "published",
            DateOptions::from(INDEXED)
                .set_stored()
                .set_fast()
                .set_precision(DateTimePrecision::Seconds),
        ),
    };
    (b.build(), fields)
}

/// Lower case, accents folded *before* stemming (so that « numerique » and « numérique » stem
/// alike), French stop words, French stemming.
pub(super) fn french_analyzer() -> TextAnalyzer {
    folded_words()
        .filter_dynamic(Stemmer::new(Language::French))
        .build()
}

/// The same without stemming: whole words, as a person types them.
pub(super) fn words_analyzer() -> TextAnalyzer {
    folded_words().build()
}

/// Words, lower case, accents folded, French stop words removed.
fn folded_words() -> TextAnalyzerBuilder {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .dynamic()
        .filter_dynamic(RemoveLongFilter::limit(40))
        .filter_dynamic(LowerCaser)
        .filter_dynamic(AsciiFoldingFilter)
        .filter_dynamic(
            StopWordFilter::new(Language::French).expect("tantivy ships French stop words"),
        )
}

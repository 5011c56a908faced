//! Text search dictionaries and configurations.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Deps, Ident, QualName};

/// The token types of PostgreSQL's default parser that every built-in configuration
/// maps to its language's dictionary for ASCII words (see [`builtin_configuration`]).
const ASCII_WORD_TOKENS: [&str; 3] = ["asciihword", "asciiword", "hword_asciipart"];
/// ... and to its language's dictionary for other words.
const WORD_TOKENS: [&str; 3] = ["hword", "hword_part", "word"];
/// ... and to `simple`.
const SIMPLE_TOKENS: [&str; 13] = [
    "email",
    "file",
    "float",
    "host",
    "hword_numpart",
    "int",
    "numhword",
    "numword",
    "sfloat",
    "uint",
    "url",
    "url_path",
    "version",
];

/// The token types of the default parser (`ts_token_type('default')`).
pub const DEFAULT_PARSER_TOKENS: [&str; 23] = [
    "asciiword",
    "word",
    "numword",
    "asciihword",
    "hword",
    "numhword",
    "hword_asciipart",
    "hword_part",
    "hword_numpart",
    "email",
    "protocol",
    "url",
    "host",
    "url_path",
    "file",
    "sfloat",
    "float",
    "int",
    "uint",
    "version",
    "tag",
    "entity",
    "blank",
];

/// A text search dictionary (`CREATE TEXT SEARCH DICTIONARY d (TEMPLATE = ..., ...)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextSearchDictionary {
    /// Schema-qualified name.
    pub name: QualName,
    /// Its template, a server's own bare (`snowball`), others with their schema.
    pub template: String,
    /// Its options as PostgreSQL keeps them: (name, value as SQL: `'english'` or `1`),
    /// in the order written.
    pub options: Vec<(String, String)>,
    /// `COMMENT ON TEXT SEARCH DICTIONARY`.
    pub comment: Option<String>,
}

impl TextSearchDictionary {
    /// The options as `CREATE` and `ALTER` write them: `name = value, ...`.
    pub fn options_sql(options: &[(String, String)]) -> Vec<String> {
        options
            .iter()
            .map(|(k, v)| format!("{} = {v}", Ident(k)))
            .collect()
    }
}

/// A text search configuration: a parser and, for each token type, the dictionaries
/// tried in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextSearchConfiguration {
    /// Schema-qualified name.
    pub name: QualName,
    /// Its parser, a server's own bare (`default`), others with their schema.
    pub parser: String,
    /// Token type → dictionaries (a server's own bare, others with their schema).
    pub mappings: BTreeMap<String, Vec<String>>,
    /// `COMMENT ON TEXT SEARCH CONFIGURATION`.
    pub comment: Option<String>,
    /// The dictionaries of the schema it maps to.
    pub deps: Deps,
}

impl TextSearchConfiguration {
    /// `ALTER TEXT SEARCH CONFIGURATION ... {ADD|ALTER} MAPPING FOR ... WITH ...`, one
    /// statement per list of dictionaries, for the tokens of `tokens`.
    pub fn mapping_statements<'a>(
        &self,
        verb: &str,
        tokens: impl Iterator<Item = &'a String>,
    ) -> Vec<String> {
        let mut by_dicts: BTreeMap<&Vec<String>, Vec<&str>> = BTreeMap::new();
        for t in tokens {
            if let Some(d) = self.mappings.get(t) {
                by_dicts.entry(d).or_default().push(t);
            }
        }
        by_dicts
            .into_iter()
            .map(|(dicts, tokens)| {
                format!(
                    "ALTER TEXT SEARCH CONFIGURATION {} {verb} MAPPING FOR {} WITH {}",
                    self.name,
                    tokens.join(", "),
                    dicts.join(", ")
                )
            })
            .collect()
    }
}

/// The mappings of a built-in configuration (`pg_catalog.english`, ...), which every
/// PostgreSQL version builds by one rule: ASCII words to the language's ASCII stemmer
/// (English for languages written in another script), other words to its own stemmer,
/// numbers, addresses and the like to `simple`. `None` for a name that is no built-in
/// configuration.
pub fn builtin_configuration(name: &str) -> Option<BTreeMap<String, Vec<String>>> {
    const LANGUAGES: [&str; 29] = [
        "arabic",
        "armenian",
        "basque",
        "catalan",
        "danish",
        "dutch",
        "english",
        "estonian",
        "finnish",
        "french",
        "german",
        "greek",
        "hindi",
        "hungarian",
        "indonesian",
        "irish",
        "italian",
        "lithuanian",
        "nepali",
        "norwegian",
        "portuguese",
        "romanian",
        "russian",
        "serbian",
        "spanish",
        "swedish",
        "tamil",
        "turkish",
        "yiddish",
    ];
    let (ascii, word) = if name == "simple" {
        ("simple".to_string(), "simple".to_string())
    } else if LANGUAGES.contains(&name) {
        let own = format!("{name}_stem");
        let ascii = match name {
            "hindi" | "russian" => "english_stem".to_string(),
            _ => own.clone(),
        };
        (ascii, own)
    } else {
        return None;
    };
    let mut out = BTreeMap::new();
    for t in ASCII_WORD_TOKENS {
        out.insert(t.to_string(), vec![ascii.clone()]);
    }
    for t in WORD_TOKENS {
        out.insert(t.to_string(), vec![word.clone()]);
    }
    for t in SIMPLE_TOKENS {
        out.insert(t.to_string(), vec!["simple".to_string()]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_maps_ascii_words_to_english() {
        let m = builtin_configuration("russian").unwrap();
        assert_eq!(m["asciiword"], ["english_stem"]);
        assert_eq!(m["word"], ["russian_stem"]);
        assert_eq!(m["url"], ["simple"]);
        assert_eq!(m.len(), 19);
        assert!(builtin_configuration("klingon").is_none());
    }
}

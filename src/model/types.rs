//! User-defined types (enum, domain, composite) and sequences.

use serde::{Deserialize, Serialize};

use super::{Deps, QualName, SmallMap};

/// An enum, domain or composite type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Type {
    /// The type's qualified name.
    pub name: QualName,
    /// What kind of type, with its definition.
    pub kind: TypeKind,
    /// `COMMENT ON TYPE` / `COMMENT ON DOMAIN`.
    pub comment: Option<String>,
    /// Types, functions and collations the definition uses.
    pub deps: Deps,
}

/// The definition of a user-defined type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TypeKind {
    /// `CREATE TYPE ... AS ENUM (labels)`; labels in sort order.
    Enum {
        /// The labels, in `enumsortorder`.
        labels: Vec<String>,
    },
    /// `CREATE DOMAIN ... AS base`.
    Domain {
        /// The base type as `format_type` spells it.
        base: String,
        /// `NOT NULL`.
        not_null: bool,
        /// `DEFAULT expr`.
        default: Option<String>,
        /// `COLLATE ...` when it differs from the base type's.
        collation: Option<String>,
        /// Named `CHECK` constraints.
        checks: SmallMap<String, DomainCheck>,
    },
    /// `CREATE TYPE ... AS (attributes)`.
    Composite {
        /// The attributes in order.
        attributes: Vec<Attribute>,
    },
}

impl TypeKind {
    /// `enum`, `domain` or `composite type`, for messages.
    pub fn noun(&self) -> &'static str {
        match self {
            TypeKind::Enum { .. } => "enum",
            TypeKind::Domain { .. } => "domain",
            TypeKind::Composite { .. } => "composite type",
        }
    }
}

/// A named check constraint of a domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainCheck {
    /// The constraint's name.
    pub name: String,
    /// `CHECK ((VALUE > 0))`, as `pg_get_constraintdef` spells it, without ` NOT VALID`.
    pub definition: String,
    /// False when added `NOT VALID` and not validated since.
    pub validated: bool,
}

/// An attribute of a composite type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribute {
    /// The attribute's name.
    pub name: String,
    /// Its type as `format_type` spells it.
    pub type_name: String,
    /// An explicit collation, when it differs from the type's default.
    pub collation: Option<String>,
}

/// A sequence that is an object of its own (not an identity column's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sequence {
    /// The sequence's qualified name.
    pub name: QualName,
    /// `AS smallint|integer|bigint`.
    pub data_type: String,
    /// START, INCREMENT, MINVALUE, MAXVALUE, CACHE, CYCLE.
    pub options: SequenceOptions,
    /// `OWNED BY table.column` (a serial column's sequence).
    pub owned_by: Option<(QualName, String)>,
    /// `COMMENT ON SEQUENCE`.
    pub comment: Option<String>,
    /// Types it depends on (none today; kept for symmetry).
    pub deps: Deps,
}

/// The options every sequence (and identity column) has.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SequenceOptions {
    /// `START WITH`.
    pub start: i64,
    /// `INCREMENT BY`.
    pub increment: i64,
    /// `MINVALUE`.
    pub min: i64,
    /// `MAXVALUE`.
    pub max: i64,
    /// `CACHE`.
    pub cache: i64,
    /// `CYCLE`.
    pub cycle: bool,
}

impl SequenceOptions {
    /// What PostgreSQL leaves after a sequence's type changes (`AS`, or the type of an
    /// identity column): bounds that were the old type's defaults become the new type's.
    pub fn retyped(&self, from_type: &str, to_type: &str) -> SequenceOptions {
        let (old, new) = (
            SequenceOptions::defaults_for(from_type, self.increment),
            SequenceOptions::defaults_for(to_type, self.increment),
        );
        let mut out = self.clone();
        if self.min == old.min {
            out.min = new.min;
        }
        if self.max == old.max {
            out.max = new.max;
        }
        out
    }

    /// What PostgreSQL picks when a sequence of `data_type` is created with no options.
    pub fn defaults_for(data_type: &str, increment: i64) -> SequenceOptions {
        let type_max = match data_type {
            "smallint" => i16::MAX as i64,
            "integer" => i32::MAX as i64,
            _ => i64::MAX,
        };
        let type_min = match data_type {
            "smallint" => i16::MIN as i64,
            "integer" => i32::MIN as i64,
            _ => i64::MIN,
        };
        let (min, max) = if increment > 0 {
            (1, type_max)
        } else {
            (type_min, -1)
        };
        SequenceOptions {
            start: if increment > 0 { min } else { max },
            increment,
            min,
            max,
            cache: 1,
            cycle: false,
        }
    }

    /// The options of a sequence of `data_type` created with only some options given:
    /// the others take PostgreSQL's defaults (an ascending sequence starts at its
    /// MINVALUE, a descending one at its MAXVALUE).
    pub fn given(
        data_type: &str,
        start: Option<i64>,
        increment: Option<i64>,
        min: Option<i64>,
        max: Option<i64>,
        cache: Option<i64>,
        cycle: bool,
    ) -> SequenceOptions {
        let increment = increment.unwrap_or(1);
        let defaults = SequenceOptions::defaults_for(data_type, increment);
        let min = min.unwrap_or(defaults.min);
        let max = max.unwrap_or(defaults.max);
        SequenceOptions {
            start: start.unwrap_or(if increment > 0 { min } else { max }),
            increment,
            min,
            max,
            cache: cache.unwrap_or(1),
            cycle,
        }
    }

    /// The options that differ from `defaults_for(data_type)`, as SQL clauses
    /// (`START WITH 100`, `CACHE 20`), in PostgreSQL's order. Empty for a default
    /// sequence, so created objects read as they were written.
    pub fn clauses(&self, data_type: &str) -> Vec<String> {
        let defaults = SequenceOptions::defaults_for(data_type, self.increment);
        let mut out = Vec::new();
        if self.increment != 1 {
            out.push(format!("INCREMENT BY {}", self.increment));
        }
        if self.min != defaults.min {
            out.push(format!("MINVALUE {}", self.min));
        }
        if self.max != defaults.max {
            out.push(format!("MAXVALUE {}", self.max));
        }
        // PostgreSQL starts an ascending sequence at its MINVALUE, a descending one at
        // its MAXVALUE.
        let natural_start = if self.increment > 0 {
            self.min
        } else {
            self.max
        };
        if self.start != natural_start {
            out.push(format!("START WITH {}", self.start));
        }
        if self.cache != 1 {
            out.push(format!("CACHE {}", self.cache));
        }
        if self.cycle {
            out.push("CYCLE".into());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_sequences_need_no_clauses() {
        let d = SequenceOptions::defaults_for("integer", 1);
        assert_eq!(d.max, i32::MAX as i64);
        assert!(d.clauses("integer").is_empty());
        let d = SequenceOptions::defaults_for("bigint", -1);
        assert_eq!((d.min, d.max, d.start), (i64::MIN, -1, -1));
        assert_eq!(d.clauses("bigint"), vec!["INCREMENT BY -1"]);
    }

    #[test]
    fn changed_options_are_listed() {
        let mut o = SequenceOptions::defaults_for("bigint", 1);
        o.start = 100;
        o.cache = 20;
        assert_eq!(o.clauses("bigint"), vec!["START WITH 100", "CACHE 20"]);
        o.min = 10;
        o.start = 10;
        assert_eq!(o.clauses("bigint"), vec!["MINVALUE 10", "CACHE 20"]);
    }
}

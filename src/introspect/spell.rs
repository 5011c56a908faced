//! Index and key definitions spelled on the client, character for character as
//! `pg_get_indexdef` and `pg_get_constraintdef` spell them.
//!
//! The server functions look up each table, column and (for an index) each key
//! column's default operator class in the catalogs, cold in a new session: at 50,000
//! tables that is most of what a read costs the server. For an index on plain columns
//! with btree or hash and built-in operator classes, and for a primary, unique or
//! foreign key on plain columns, the catalog queries return the parts instead
//! ([`IndexParts`](super::rows::IndexParts), [`ConstraintParts`]), and this module
//! writes the definition from them and the columns' rows. Whatever it cannot be sure
//! of (a name that may need quotes, a type other than the operator class's own, a
//! collation other than the column's) it leaves to the server: [`spell`] says which,
//! and the caller asks the functions for those.

use std::collections::HashMap;

use super::rows::{
    ColumnRow, ConstraintParts, ConstraintRow, IndexColumn, IndexMethod, IndexRow, OpclassRow,
    RelationRow,
};
use crate::model::needs_quotes;

/// `indoption` bits (`pg_index.h`).
const DESC: i16 = 1;
const NULLS_FIRST: i16 = 2;

/// What [`spell`] reads besides the rows it fills.
pub(crate) struct Sources<'a> {
    /// The columns of every index that came as parts ([`super::rows::IndexParts`]).
    pub index_columns: &'a [IndexColumn],
    /// The attnums of every key that came as parts ([`ConstraintParts`]).
    pub constraint_attnums: &'a [i16],
    pub relations: &'a [RelationRow],
    pub columns: &'a [ColumnRow],
    pub opclasses: &'a [OpclassRow],
}

/// What [`spell`] left to the server: oids, in row order.
#[derive(Debug, Default)]
pub(crate) struct Left {
    /// User indexes with no definition yet (for `pg_get_indexdef`).
    pub indexes: Vec<u32>,
    /// Constraints that came as parts and could not be spelled (for
    /// `pg_get_constraintdef`).
    pub constraints: Vec<u32>,
}

/// Fills the definition of every index and constraint that came as parts, and says
/// which ones are still without one.
pub(crate) fn spell(
    indexes: &mut [IndexRow],
    constraints: &mut [ConstraintRow],
    sources: &Sources,
) -> Left {
    let opclasses: HashMap<u32, &OpclassRow> =
        sources.opclasses.iter().map(|o| (o.oid, o)).collect();
    let mut wanted = Vec::new();
    for row in indexes.iter() {
        if let Some(parts) = &row.parts {
            wanted.extend(
                parts
                    .columns(sources.index_columns)
                    .iter()
                    .map(|c| (row.relid, c.attnum)),
            );
        }
    }
    for row in constraints.iter() {
        if let Some(parts) = &row.parts {
            let (keys, refs) = parts.attnums(sources.constraint_attnums);
            wanted.extend(keys.iter().map(|&attnum| (row.relid, attnum)));
            wanted.extend(refs.iter().map(|&attnum| (parts.ref_relid, attnum)));
        }
    }
    let tables = Lookup::new(
        indexes
            .iter()
            .filter(|row| row.parts.is_some())
            .map(|row| row.relid)
            .collect(),
        sources.relations.iter().map(|r| r.oid),
    );
    let columns = Lookup::new(wanted, sources.columns.iter().map(|c| (c.relid, c.num)));
    let column = |relid: u32, attnum: i16| {
        columns
            .find(&(relid, attnum))
            .and_then(|at| sources.columns.get(at))
            .filter(|_| attnum > 0)
    };
    let mut left = Left::default();
    let mut scratch = String::with_capacity(256);
    for row in indexes.iter_mut() {
        if let Some(parts) = row.parts.take() {
            let table = tables
                .find(&row.relid)
                .and_then(|at| sources.relations.get(at));
            let spelled = table.and_then(|table| {
                let index = Index {
                    row,
                    table: &table.name.name,
                    unique: parts.unique,
                    method: parts.method,
                    key_count: usize::from(parts.key_count),
                };
                scratch.clear();
                index.spell(
                    &mut scratch,
                    parts.columns(sources.index_columns),
                    |attnum| column(row.relid, attnum),
                    &opclasses,
                )?;
                // Allocated at its length (the definition is kept for good).
                Some(scratch.as_str().to_owned())
            });
            row.definition = spelled;
        }
        if row.definition.is_none() && row.constraint_oid.is_none() {
            left.indexes.push(row.oid);
        }
    }
    for row in constraints.iter_mut() {
        if let Some(parts) = row.parts.take() {
            scratch.clear();
            match spell_key(
                &mut scratch,
                row,
                &parts,
                sources.constraint_attnums,
                column,
            ) {
                Some(()) => row.definition = scratch.as_str().to_owned(),
                None => left.constraints.push(row.oid),
            }
        }
    }
    left
}

/// Where each of a sorted list of keys is in a list of rows, found in one pass over
/// the rows: a few bytes per key, where a map would take several times that at the
/// moment a read holds the most.
struct Lookup<K> {
    /// Each key with the position of its row (`usize::MAX` until found).
    found: Vec<(K, usize)>,
}

impl<K: Ord + Copy> Lookup<K> {
    fn new(mut keys: Vec<K>, rows: impl Iterator<Item = K>) -> Self {
        keys.sort_unstable();
        keys.dedup();
        let mut found: Vec<(K, usize)> = keys.into_iter().map(|k| (k, usize::MAX)).collect();
        for (at, key) in rows.enumerate() {
            if let Ok(i) = found.binary_search_by_key(&key, |f| f.0) {
                found[i].1 = at;
            }
        }
        Lookup { found }
    }

    /// The position of `key`'s row, if the key was asked for and its row exists.
    fn find(&self, key: &K) -> Option<usize> {
        let i = self.found.binary_search_by_key(key, |f| f.0).ok()?;
        Some(self.found[i].1).filter(|&at| at != usize::MAX)
    }
}

/// Writes the definition `pg_get_constraintdef` gives a primary, unique or foreign key
/// into `out` (without ` NOT VALID`, which introspection drops), or answers `None`
/// where this cannot be sure of it.
fn spell_key<'c>(
    out: &mut String,
    row: &ConstraintRow,
    parts: &ConstraintParts,
    attnums: &[i16],
    column: impl Fn(u32, i16) -> Option<&'c ColumnRow>,
) -> Option<()> {
    let (keys, refs) = parts.attnums(attnums);
    let names = |out: &mut String, relid: u32, attnums: &[i16]| -> Option<()> {
        for (i, &attnum) in attnums.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(bare(&column(relid, attnum)?.name)?);
        }
        Some(())
    };
    if keys.is_empty() {
        return None;
    }
    match row.contype.as_str() {
        "p" => out.push_str("PRIMARY KEY ("),
        "u" => out.push_str("UNIQUE ("),
        "f" => out.push_str("FOREIGN KEY ("),
        _ => return None,
    }
    names(out, row.relid, keys)?;
    out.push(')');
    if row.contype.as_str() == "f" {
        let table = row.references.as_ref()?;
        if refs.is_empty() {
            return None;
        }
        out.push_str(" REFERENCES ");
        out.push_str(bare(&table.schema)?);
        out.push('.');
        out.push_str(bare(&table.name)?);
        out.push('(');
        names(out, parts.ref_relid, refs)?;
        out.push(')');
        out.push_str(match parts.match_type.as_str() {
            "s" => "",
            "f" => " MATCH FULL",
            "p" => " MATCH PARTIAL",
            _ => return None,
        });
        for (clause, action) in [
            (" ON UPDATE ", parts.on_update),
            (" ON DELETE ", parts.on_delete),
        ] {
            let action = match action.as_str() {
                "a" => continue,
                "r" => "RESTRICT",
                "c" => "CASCADE",
                "n" => "SET NULL",
                "d" => "SET DEFAULT",
                _ => return None,
            };
            out.push_str(clause);
            out.push_str(action);
        }
    }
    if parts.deferrable {
        out.push_str(" DEFERRABLE");
    }
    if parts.deferred {
        out.push_str(" INITIALLY DEFERRED");
    }
    Some(())
}

/// An index to spell.
struct Index<'a> {
    row: &'a IndexRow,
    table: &'a str,
    unique: bool,
    method: IndexMethod,
    key_count: usize,
}

impl Index<'_> {
    /// Writes the definition `pg_get_indexdef` gives the index into `out`, or answers
    /// `None` where this cannot be sure of it.
    fn spell<'c>(
        &self,
        out: &mut String,
        index_columns: &[IndexColumn],
        column: impl Fn(i16) -> Option<&'c ColumnRow>,
        opclasses: &HashMap<u32, &OpclassRow>,
    ) -> Option<()> {
        out.push_str(if self.unique {
            "CREATE UNIQUE INDEX "
        } else {
            "CREATE INDEX "
        });
        out.push_str(bare(&self.row.name.name)?);
        out.push_str(" ON ");
        out.push_str(bare(&self.row.name.schema)?);
        out.push('.');
        out.push_str(bare(self.table)?);
        out.push_str(" USING ");
        out.push_str(self.method.as_str());
        out.push_str(" (");
        for (i, index_column) in index_columns.iter().enumerate() {
            if i == self.key_count {
                out.push_str(") INCLUDE (");
            } else if i > 0 {
                out.push_str(", ");
            }
            let column = column(index_column.attnum)?;
            out.push_str(bare(&column.name)?);
            if i < self.key_count {
                out.push_str(self.after_key(index_column, column, opclasses)?);
            }
        }
        out.push(')');
        Some(())
    }

    /// What follows a key column's name: nothing for the default operator class and
    /// the column's own collation (anything else is left to the server), then the sort
    /// order where the method has one.
    fn after_key(
        &self,
        index_column: &IndexColumn,
        column: &ColumnRow,
        opclasses: &HashMap<u32, &OpclassRow>,
    ) -> Option<&'static str> {
        let opclass = opclasses.get(&index_column.opclass)?;
        if opclass.method != self.method.as_str()
            || !same_type(&column.type_name, &opclass.input_type)
        {
            return None;
        }
        // `pg_get_indexdef` names the collation when it is not the column's: with no
        // explicit collation, the column has its type's, which is the class's type's.
        if column.collation.is_some()
            || (index_column.collation != 0 && index_column.collation != opclass.input_collation)
        {
            return None;
        }
        // Only btree orders: hash has no DESC or NULLS FIRST to print.
        match (self.method, index_column.option) {
            (IndexMethod::Hash, _) | (IndexMethod::Btree, 0) => Some(""),
            (IndexMethod::Btree, DESC) => Some(" DESC NULLS LAST"),
            (IndexMethod::Btree, NULLS_FIRST) => Some(" NULLS FIRST"),
            (IndexMethod::Btree, o) if o == DESC | NULLS_FIRST => Some(" DESC"),
            _ => None,
        }
    }
}

/// Whether a column of type `column_type` (`format_type` with its modifier:
/// `numeric(10,2)`) takes the default class for `input_type` without naming it: the
/// same type, or `character varying` with `text`'s classes (it has none of its own, and
/// PostgreSQL picks `text`'s). Anything else (a domain, an array, `character(3)`, whose
/// class is `bpchar`'s) answers no, and the server spells the index.
fn same_type(column_type: &str, input_type: &str) -> bool {
    let base = match column_type.strip_suffix(')') {
        Some(rest) => rest.rfind('(').map_or(column_type, |at| &column_type[..at]),
        None => column_type,
    };
    base == input_type || (base == "character varying" && input_type == "text")
}

/// The name as `quote_identifier` writes it when it needs no quotes in any supported
/// PostgreSQL version, else `None` (the server then spells it: which keywords need
/// quotes changes between versions, and `quote_identifier` also quotes `$`).
fn bare(name: &str) -> Option<&str> {
    (!needs_quotes(name) && !name.contains('$')).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_type_matches_its_class_type_without_its_modifier() {
        assert!(same_type("integer", "integer"));
        assert!(same_type("numeric(10,2)", "numeric"));
        assert!(same_type("character varying(20)", "text"));
        assert!(same_type("character varying", "text"));
        assert!(!same_type("character(3)", "bpchar"));
        assert!(!same_type("integer[]", "anyarray"));
        assert!(!same_type(
            "timestamp(3) without time zone",
            "timestamp without time zone"
        ));
        assert!(!same_type("public.code", "text"));
    }

    #[test]
    fn names_needing_quotes_in_any_version_are_left_to_the_server() {
        assert_eq!(bare("orders"), Some("orders"));
        assert_eq!(bare("a$b"), None);
        assert_eq!(bare("Orders"), None);
        assert_eq!(bare("select"), None);
        assert_eq!(bare("1st"), None);
    }
}

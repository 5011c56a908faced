//! Index definitions spelled on the client, character for character as
//! `pg_get_indexdef` spells them.
//!
//! `pg_get_indexdef` looks up the default operator class of each key column's type with
//! a scan of `pg_opclass`: at 50,000 tables that is most of what a read costs the
//! server. For an index on plain columns, with btree or hash and built-in operator
//! classes, the index query returns the parts instead ([`IndexParts`]), and this module
//! writes the definition from them and the columns' rows. Whatever it cannot be sure of
//! (a name that may need quotes, a type other than the operator class's own, a
//! collation other than the column's) it leaves to the server: [`spell_indexes`]
//! returns those indexes, and the caller asks `pg_get_indexdef` for them.

use std::collections::HashMap;

use super::rows::{ColumnRow, IndexColumn, IndexMethod, IndexRow, OpclassRow, RelationRow};
use crate::model::needs_quotes;

/// `indoption` bits (`pg_index.h`).
const DESC: i16 = 1;
const NULLS_FIRST: i16 = 2;

/// What [`spell_indexes`] reads besides the index rows.
pub(crate) struct Sources<'a> {
    /// The columns of every index that came as parts ([`super::rows::IndexParts`]).
    pub index_columns: &'a [IndexColumn],
    pub relations: &'a [RelationRow],
    pub columns: &'a [ColumnRow],
    pub opclasses: &'a [OpclassRow],
}

/// Fills the definition of every index that came as parts. Returns the oids of the
/// indexes still without one (a user index that is neither spelled here nor by the
/// query), in row order, for the caller to ask `pg_get_indexdef`.
pub(crate) fn spell_indexes(indexes: &mut [IndexRow], sources: &Sources) -> Vec<u32> {
    let opclasses: HashMap<u32, &OpclassRow> =
        sources.opclasses.iter().map(|o| (o.oid, o)).collect();
    // Sorted lookups, found in one pass over their rows: a few bytes per entry where a
    // map would take several times that, at the moment a read holds the most.
    let mut tables: Vec<(u32, u32)> = Vec::new();
    let mut wanted: Vec<(u32, i16, u32)> = Vec::new();
    for row in indexes.iter() {
        if let Some(parts) = &row.parts {
            tables.push((row.relid, u32::MAX));
            for column in parts.columns(sources.index_columns) {
                wanted.push((row.relid, column.attnum, u32::MAX));
            }
        }
    }
    tables.sort_unstable();
    tables.dedup();
    wanted.sort_unstable();
    wanted.dedup();
    for (at, relation) in sources.relations.iter().enumerate() {
        if let Ok(i) = tables.binary_search_by_key(&relation.oid, |t| t.0) {
            tables[i].1 = at as u32;
        }
    }
    for (at, column) in sources.columns.iter().enumerate() {
        if let Ok(i) = wanted.binary_search_by_key(&(column.relid, column.num), |w| (w.0, w.1)) {
            wanted[i].2 = at as u32;
        }
    }
    let table = |relid: u32| {
        let i = tables.binary_search_by_key(&relid, |t| t.0).ok()?;
        sources.relations.get(tables[i].1 as usize)
    };
    let column = |relid: u32, attnum: i16| {
        let i = wanted
            .binary_search_by_key(&(relid, attnum), |w| (w.0, w.1))
            .ok()?;
        sources.columns.get(wanted[i].2 as usize)
    };
    let mut left = Vec::new();
    let mut scratch = String::with_capacity(256);
    for row in indexes.iter_mut() {
        if let Some(parts) = row.parts.take() {
            let spelled = table(row.relid).and_then(|table| {
                let index_columns = parts.columns(sources.index_columns);
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
                    index_columns,
                    |attnum| column(row.relid, attnum),
                    &opclasses,
                )?;
                // Allocated at its length (the definition is kept for good).
                Some(scratch.as_str().to_owned())
            });
            row.definition = spelled;
        }
        if row.definition.is_none() && row.constraint_oid.is_none() {
            left.push(row.oid);
        }
    }
    left
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
            let column = column(index_column.attnum).filter(|_| index_column.attnum > 0)?;
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

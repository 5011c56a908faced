//! Index, key and check definitions spelled on the client, character for character
//! as `pg_get_indexdef` and `pg_get_constraintdef` spell them.
//!
//! The server functions look up each table, column and (for an index) each key
//! column's default operator class in the catalogs, cold in a new session: at 50,000
//! tables that is most of what a read costs the server. For an index with btree, hash
//! or gin and built-in operator classes, for a primary, unique or foreign key on plain
//! columns and for a table's check, the catalog queries return the parts instead
//! ([`IndexParts`](super::rows::IndexParts), [`ConstraintParts`], expressions as
//! [`Nodes`]), and this module writes the definition from them, the columns' rows and
//! the names of operators, functions and types ([`Deparser`]). Whatever it cannot be
//! sure of (a name that may need quotes, a type other than the operator class's own,
//! a collation other than the column's, an expression `deparse` does not read) it
//! leaves to the server: [`spell`] says which, and the caller asks the functions for
//! those.

use std::collections::HashMap;

use super::deparse::{bare, Deparser, Nodes, FIRST_USER_OID};
use super::rows::stable_spelling;
use super::rows::{
    ColumnRow, ConstraintParts, ConstraintRow, IndexColumn, IndexMethod, IndexRow, NameRow,
    OpclassRow, RelationRow, TypeRow,
};

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
    /// The expressions of the checks and indexes that came as parts.
    pub nodes: &'a Nodes,
    pub names: &'a [NameRow],
    pub types: &'a [TypeRow],
}

/// What [`spell`] left to the server: oids, in row order.
#[derive(Debug, Default)]
pub(crate) struct Left {
    /// User indexes with no definition yet (for `pg_get_indexdef`).
    pub indexes: Vec<u32>,
    /// Constraints that came as parts and could not be spelled (for
    /// `pg_get_constraintdef`).
    pub constraints: Vec<u32>,
    /// How many definitions were spelled.
    pub spelled: usize,
}

/// Fills the definition of every index and constraint that came as parts, and says
/// which ones are still without one.
pub(crate) fn spell(
    indexes: &mut [IndexRow],
    constraints: &mut [ConstraintRow],
    sources: &Sources,
) -> Left {
    let opclasses = Classes::new(sources.opclasses);
    let deparser = deparser(sources);
    let nodes = sources.nodes;
    let mut wanted = Vec::new();
    for row in indexes.iter() {
        if let Some(parts) = &row.parts {
            let columns = parts.columns(sources.index_columns);
            wanted.extend(columns.iter().map(|c| (row.relid, c.attnum)));
            let expressions = columns.iter().filter(|c| c.attnum == 0).count();
            let count = expressions + usize::from(parts.predicate);
            if let Some(range) = expressions_range(nodes, parts.expressions, count) {
                wanted.extend(nodes.columns(range).map(|attnum| (row.relid, attnum)));
            }
        }
    }
    for row in constraints.iter() {
        if let Some(parts) = &row.parts {
            let (keys, refs) = parts.attnums(sources.constraint_attnums);
            wanted.extend(keys.iter().map(|&attnum| (row.relid, attnum)));
            wanted.extend(refs.iter().map(|&attnum| (parts.ref_relid, attnum)));
        }
        if let Some(start) = row.check.and_then(|check| check.expression) {
            if let Some(range) = expressions_range(nodes, start, 1) {
                wanted.extend(nodes.columns(range).map(|attnum| (row.relid, attnum)));
            }
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
                    expressions: parts.expressions as usize,
                    predicate: parts.predicate,
                };
                scratch.clear();
                index.spell(
                    &mut scratch,
                    parts.columns(sources.index_columns),
                    |attnum| column(row.relid, attnum),
                    &opclasses,
                    &deparser,
                )?;
                Some(kept(&scratch))
            });
            left.spelled += usize::from(spelled.is_some());
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
                Some(()) => {
                    row.definition = scratch.as_str().to_owned();
                    left.spelled += 1;
                }
                None => left.constraints.push(row.oid),
            }
        }
        if let Some(check) = row.check.take() {
            scratch.clear();
            let name = |attnum| column(row.relid, attnum).map(|c| c.name.as_str());
            let spelled = check.expression.and_then(|at| {
                scratch.push_str("CHECK (");
                deparser.write(&mut scratch, at as usize, &name)?;
                scratch.push(')');
                if check.no_inherit {
                    scratch.push_str(" NO INHERIT");
                }
                Some(())
            });
            match spelled {
                Some(()) => {
                    row.definition = kept(&scratch);
                    left.spelled += 1;
                }
                None => left.constraints.push(row.oid),
            }
        }
    }
    left
}

/// A spelled definition as the model keeps it: allocated at its length, arrays in
/// their stable spelling (which what `deparse` writes already is; applied all the same,
/// as to the server's definitions, so that the model's spelling never depends on who
/// spelled it).
fn kept(definition: &str) -> String {
    if definition.contains("(ARRAY[") {
        stable_spelling(definition)
    } else {
        definition.to_owned()
    }
}

/// The names the expressions need, from the read's rows.
fn deparser<'a>(sources: &Sources<'a>) -> Deparser<'a> {
    let mut deparser = Deparser::new(sources.nodes);
    for row in sources.names {
        match (row.kind.as_str(), &row.args[..]) {
            ("o", &[left, right]) => deparser.add_operator(row.oid, &row.name, left, right),
            ("f", args) => deparser.add_function(row.oid, &row.name, args, row.plain),
            ("e", &[enum_oid]) => deparser.add_label(row.oid, &row.name, enum_oid),
            _ => {}
        }
    }
    for row in sources.types {
        if row.typtype.as_str() == "e" {
            deparser.add_enum(row.oid, &row.name);
        }
    }
    deparser
}

/// The nodes of `count` expressions one after the other from `start`.
fn expressions_range(nodes: &Nodes, start: u32, count: usize) -> Option<std::ops::Range<usize>> {
    let start = usize::try_from(start).ok().filter(|_| count > 0)?;
    let mut end = start;
    for _ in 0..count {
        end = nodes.skip(end)?;
    }
    Some(start..end)
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
    /// Where the expressions, then the predicate, start in the nodes.
    expressions: usize,
    predicate: bool,
}

impl Index<'_> {
    /// Writes the definition `pg_get_indexdef` gives the index into `out`, or answers
    /// `None` where this cannot be sure of it.
    fn spell<'c>(
        &self,
        out: &mut String,
        index_columns: &[IndexColumn],
        column: impl Fn(i16) -> Option<&'c ColumnRow>,
        opclasses: &Classes,
        deparser: &Deparser,
    ) -> Option<()> {
        let name = |attnum| column(attnum).map(|c| c.name.as_str());
        let mut expression = self.expressions;
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
            let (type_name, collation) = if index_column.attnum == 0 {
                // An expression: in parentheses unless it reads as a function call.
                let at = expression;
                expression = deparser.nodes().skip(at)?;
                let parens = !deparser.nodes().looks_like_function(at);
                if parens {
                    out.push('(');
                }
                deparser.write(out, at, &name)?;
                if parens {
                    out.push(')');
                }
                let (type_oid, collation) = deparser.nodes().type_and_collation(at)?;
                (deparser.type_name(type_oid)?, collation)
            } else {
                let column = column(index_column.attnum)?;
                out.push_str(bare(&column.name)?);
                (column.type_name.as_str().into(), column.collation_oid)
            };
            if i < self.key_count {
                self.after_key(out, index_column, &type_name, collation, opclasses)?;
            }
        }
        out.push(')');
        if self.predicate {
            out.push_str(" WHERE ");
            deparser.write(out, expression, &name)?;
        }
        Some(())
    }

    /// Writes what follows a key column's name (or expression), as `pg_get_indexdef`
    /// does: the collation when it is not the column's (left to the server), the operator class when it is
    /// not the default for the column's type, then the sort order where the method has
    /// one.
    fn after_key(
        &self,
        out: &mut String,
        index_column: &IndexColumn,
        type_name: &str,
        collation: u32,
        opclasses: &Classes,
    ) -> Option<()> {
        if index_column.collation != 0 && index_column.collation != collation {
            return None;
        }
        let method = self.method.as_str();
        let opclass = opclasses.by_oid.get(&index_column.opclass)?;
        if opclass.method != method {
            return None;
        }
        if opclasses.default_for(method, type_name)? != opclass.oid {
            // Built-in classes live in `pg_catalog`, which is always on the path: the
            // name goes unqualified.
            if opclass.oid >= FIRST_USER_OID {
                return None;
            }
            out.push(' ');
            out.push_str(bare(&opclass.name)?);
        }
        // Only btree orders: hash and gin have no DESC or NULLS FIRST to print.
        out.push_str(match (self.method, index_column.option) {
            (IndexMethod::Hash | IndexMethod::Gin, 0) | (IndexMethod::Btree, 0) => "",
            (IndexMethod::Btree, DESC) => " DESC NULLS LAST",
            (IndexMethod::Btree, NULLS_FIRST) => " NULLS FIRST",
            (IndexMethod::Btree, o) if o == DESC | NULLS_FIRST => " DESC",
            _ => return None,
        });
        Some(())
    }
}

/// The operator classes of the methods `spell` spells, and which is each type's
/// default.
struct Classes<'a> {
    by_oid: HashMap<u32, &'a OpclassRow>,
    defaults: Vec<&'a OpclassRow>,
}

impl<'a> Classes<'a> {
    fn new(rows: &'a [OpclassRow]) -> Self {
        Classes {
            by_oid: rows.iter().map(|o| (o.oid, o)).collect(),
            defaults: rows.iter().filter(|o| o.is_default).collect(),
        }
    }

    /// The class `method` takes for a column of `column_type` (`format_type` with its
    /// modifier) when the index names none, as PostgreSQL's `GetDefaultOpClass` picks
    /// it, where this can be sure: the one default class for exactly the type; failing
    /// that, for `character varying` the class for `text` and for an array the class
    /// for `anyarray` (types the column's binarily coerces to), unless an extension or
    /// user added a default class to the method that might compete. Anything else (a
    /// domain, an enum, `character(3)`, whose class is `bpchar`'s) answers `None`.
    fn default_for(&self, method: &str, column_type: &str) -> Option<u32> {
        let base = without_modifier(column_type);
        let mut exact = self
            .defaults
            .iter()
            .filter(|o| o.method == method && o.input_type == base);
        match (exact.next(), exact.next()) {
            (Some(class), None) => return Some(class.oid),
            (Some(_), Some(_)) => return None,
            (None, _) => {}
        }
        let widened = if base == "character varying" {
            "text"
        } else if column_type.ends_with("[]") {
            "anyarray"
        } else {
            return None;
        };
        let mut candidates = self.defaults.iter().filter(|o| o.method == method);
        if candidates.clone().any(|o| o.oid >= FIRST_USER_OID) {
            return None;
        }
        candidates.find(|o| o.input_type == widened).map(|o| o.oid)
    }
}

/// `column_type` without a trailing type modifier: `numeric(10,2)` is `numeric`. A
/// modifier inside the name (`timestamp(3) without time zone`) stays, and such a type
/// matches no class's type: the server spells its indexes.
fn without_modifier(column_type: &str) -> &str {
    match column_type.strip_suffix(')') {
        Some(rest) => rest.rfind('(').map_or(column_type, |at| &column_type[..at]),
        None => column_type,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(oid: u32, method: &str, name: &str, is_default: bool, input: &str) -> OpclassRow {
        OpclassRow {
            oid,
            method: method.to_owned(),
            name: name.to_owned(),
            is_default,
            input_type: input.to_owned(),
        }
    }

    #[test]
    fn a_column_takes_the_default_class_of_its_type_or_of_the_type_it_widens_to() {
        let mut rows = vec![
            class(1978, "btree", "int4_ops", true, "integer"),
            class(3125, "btree", "numeric_ops", true, "numeric"),
            class(3126, "btree", "text_ops", true, "text"),
            class(4217, "btree", "varchar_pattern_ops", false, "text"),
            class(426, "btree", "bpchar_ops", true, "bpchar"),
            class(
                3128,
                "btree",
                "timestamp_ops",
                true,
                "timestamp without time zone",
            ),
            class(10064, "gin", "array_ops", true, "anyarray"),
            class(10090, "gin", "jsonb_ops", true, "jsonb"),
        ];
        let classes = Classes::new(&rows);
        assert_eq!(classes.default_for("btree", "integer"), Some(1978));
        assert_eq!(classes.default_for("btree", "numeric(10,2)"), Some(3125));
        assert_eq!(
            classes.default_for("btree", "character varying(20)"),
            Some(3126)
        );
        assert_eq!(
            classes.default_for("btree", "character varying"),
            Some(3126)
        );
        assert_eq!(classes.default_for("gin", "text[]"), Some(10064));
        assert_eq!(
            classes.default_for("gin", "character varying(9)[]"),
            Some(10064)
        );
        assert_eq!(classes.default_for("gin", "jsonb"), Some(10090));
        assert_eq!(classes.default_for("hash", "integer"), None);
        assert_eq!(classes.default_for("btree", "character(3)"), None);
        assert_eq!(classes.default_for("btree", "integer[]"), None);
        assert_eq!(classes.default_for("btree", "public.code"), None);
        assert_eq!(
            classes.default_for("btree", "timestamp(3) without time zone"),
            None
        );
        // A default class an extension adds (btree_gin's for integer) may compete for a
        // widened type: then the server decides.
        rows.push(class(16500, "gin", "int4_ops", true, "integer"));
        let classes = Classes::new(&rows);
        assert_eq!(classes.default_for("gin", "text[]"), None);
        assert_eq!(classes.default_for("gin", "jsonb"), Some(10090));
        assert_eq!(classes.default_for("gin", "integer"), Some(16500));
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

//! Names: resolving a written name through the `search_path` to the object it means, and
//! naming what PostgreSQL names itself (`t_a_key`, `t_id_seq`), cut to fit as it cuts them.

use pg_query::protobuf;

use crate::error::Result;
use crate::model::{FunctionKey, ObjectId, QualName};

use super::{split2, Interp};

/// PostgreSQL's limit on identifier length (NAMEDATALEN - 1).
const MAX_IDENT: usize = 63;

impl<'c> Interp<'c> {
    fn schemas(&self) -> Vec<String> {
        self.search_path
            .iter()
            .filter(|s| !matches!(s.as_str(), "$user" | "pg_temp" | "pg_catalog" | ""))
            .cloned()
            .collect()
    }

    pub(super) fn create_schema_of(&self, schema: &str) -> String {
        if schema.is_empty() {
            self.schemas()
                .into_iter()
                .next()
                .unwrap_or_else(|| "public".into())
        } else {
            schema.to_string()
        }
    }

    pub(super) fn create_name(&self, rv: &protobuf::RangeVar) -> QualName {
        QualName::new(self.create_schema_of(&rv.schemaname), rv.relname.clone())
    }

    pub(super) fn create_list(&self, names: &[String]) -> Result<QualName> {
        let (s, n) = split2(names).ok_or_else(|| self.unsupported("an empty name"))?;
        Ok(QualName::new(self.create_schema_of(s), n))
    }

    /// The existing object a name refers to, by `exists` over the candidates.
    pub(super) fn lookup(
        &self,
        schema: &str,
        name: &str,
        exists: impl Fn(&QualName) -> bool,
    ) -> Option<QualName> {
        if !schema.is_empty() {
            let q = QualName::new(schema, name);
            return exists(&q).then_some(q);
        }
        self.schemas()
            .into_iter()
            .map(|s| QualName::new(s, name))
            .find(|q| exists(q))
    }

    pub(super) fn is_relation(&self, q: &QualName) -> bool {
        self.cat.tables.contains_key(q)
            || self.cat.views.contains_key(q)
            || self.cat.sequences.contains_key(q)
    }

    pub(super) fn relation(&self, schema: &str, name: &str) -> Option<QualName> {
        self.lookup(schema, name, |q| self.is_relation(q))
    }

    pub(super) fn find_table(&self, rv: &protobuf::RangeVar) -> Result<QualName> {
        self.lookup(&rv.schemaname, &rv.relname, |q| {
            self.cat.tables.contains_key(q)
        })
        .ok_or_else(|| self.missing(format!("table {}", rv.relname)))
    }

    pub(super) fn find_table_or_view(&self, rv: &protobuf::RangeVar) -> Result<QualName> {
        self.lookup(&rv.schemaname, &rv.relname, |q| {
            self.cat.tables.contains_key(q) || self.cat.views.contains_key(q)
        })
        .ok_or_else(|| self.missing(format!("relation {}", rv.relname)))
    }

    pub(super) fn user_type(&self, names: &[String]) -> Option<QualName> {
        let (s, n) = split2(names)?;
        self.lookup(s, n, |q| {
            self.cat.types.contains_key(q)
                || self.cat.tables.contains_key(q)
                || self.cat.views.contains_key(q)
        })
    }

    pub(super) fn functions_named(&self, names: &[String]) -> Vec<FunctionKey> {
        let Some((s, n)) = split2(names) else {
            return Vec::new();
        };
        let schemas = if s.is_empty() {
            self.schemas()
        } else {
            vec![s.to_string()]
        };
        for schema in schemas {
            let found: Vec<FunctionKey> = self
                .cat
                .functions
                .keys()
                .filter(|k| k.name.schema == schema && k.name.name == n)
                .cloned()
                .collect();
            if !found.is_empty() {
                return found;
            }
        }
        Vec::new()
    }

    /// The operator of the schema an unqualified operator in an expression names: the
    /// first schema on the path declaring that symbol. A symbol the server has too
    /// (`=`, `+`, `||`, ...) is the schema's only when an operand is a column of the
    /// operator's own argument type.
    pub(super) fn user_operator(
        &self,
        names: &[String],
        operands: &[Option<String>; 2],
    ) -> Option<QualName> {
        let [symbol] = names else {
            return None;
        };
        let builtin = symbol
            .chars()
            .all(|c| matches!(c, '=' | '<' | '>' | '+' | '-' | '*' | '/' | '%' | '|' | '&'))
            || matches!(
                symbol.as_str(),
                "~~" | "!~~"
                    | "~~*"
                    | "!~~*"
                    | "~"
                    | "!~"
                    | "~*"
                    | "!~*"
                    | "@>"
                    | "<@"
                    | "&&"
                    | "->"
                    | "->>"
                    | "#>"
                    | "#>>"
                    | "?"
                    | "?|"
                    | "?&"
                    | "@@"
                    | "^"
                    | "#"
                    | "@"
                    | "!="
                    | "||/"
                    | "|/"
                    | "@-@"
                    | "##"
                    | "<->"
            );
        self.schemas().into_iter().find_map(|schema| {
            self.cat
                .operators
                .values()
                .find(|o| {
                    o.name.schema == schema
                        && &o.name.name == symbol
                        && (!builtin
                            || (operands[0].as_ref() == o.left.as_ref() && operands[0].is_some())
                            || operands[1].as_ref() == Some(&o.right))
                })
                .map(|o| o.name.clone())
        })
    }

    /// The schema an extension's types live in, for a type name nothing else defines.
    pub(super) fn extension_type_schema(&self, schema: &str) -> Option<(String, Vec<ObjectId>)> {
        let in_schema = |s: &str| -> Vec<ObjectId> {
            self.cat
                .extensions
                .values()
                .filter(|e| e.schema == s)
                .map(|e| ObjectId::Extension(e.name.clone()))
                .collect()
        };
        if !schema.is_empty() {
            return Some((schema.to_string(), in_schema(schema)));
        }
        self.schemas().into_iter().find_map(|s| {
            let exts = in_schema(&s);
            (!exts.is_empty()).then_some((s, exts))
        })
    }

    /// Whether a relation of that name exists in the schema, counting the indexes
    /// behind constraints and partitions' index copies (one namespace in PostgreSQL).
    /// Refuses to create the relation `q` (a table, view, sequence or index) when a
    /// relation of that name exists, as PostgreSQL does; records where it is created.
    pub(super) fn new_relation(&self, q: &QualName) -> Result<()> {
        self.schema_exists(&q.schema)?;
        let what = format!("relation {q}");
        if self.is_relation(q)
            || self.cat.indexes.contains_key(q)
            || self.names.contains(self.cat, q)
        {
            return Err(self.already_exists(&what));
        }
        self.created(what);
        Ok(())
    }

    /// Refuses to create the type `q` when a type of that name exists (an enum, domain
    /// or composite type, or the row type of a table or view); records where it is
    /// created.
    pub(super) fn new_type_name(&self, q: &QualName) -> Result<()> {
        self.schema_exists(&q.schema)?;
        let what = format!("type {q}");
        if self.cat.types.contains_key(q)
            || self.cat.tables.contains_key(q)
            || self.cat.views.contains_key(q)
        {
            return Err(self.already_exists(&what));
        }
        self.created(what);
        Ok(())
    }

    /// Refuses to create an object in a schema that does not exist, as PostgreSQL
    /// does (`public` and the system schemas always exist).
    fn schema_exists(&self, schema: &str) -> Result<()> {
        if schema == "public"
            || schema == "information_schema"
            || schema.starts_with("pg_")
            || self.cat.schemas.contains_key(schema)
        {
            return Ok(());
        }
        Err(self.rejected(format!(
            "schema \"{schema}\" does not exist: declare it in the schema (CREATE SCHEMA {schema};)"
        )))
    }

    pub(super) fn relation_name_taken(&self, schema: &str, name: &str) -> bool {
        let q = QualName::new(schema, name);
        self.is_relation(&q)
            || self.cat.indexes.contains_key(&q)
            || self.cat.types.contains_key(&q)
            || self.names.contains(self.cat, &q)
    }
}

/// PostgreSQL's `makeObjectName`: `name1_name2_label`, each part cut so the whole fits.
fn make_object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let mut overhead = 0;
    if !label.is_empty() {
        overhead += label.len() + 1;
    }
    if name2.is_some() {
        overhead += 1;
    }
    let avail = MAX_IDENT.saturating_sub(overhead);
    let mut n1 = name1.len();
    let mut n2 = name2.map_or(0, str::len);
    while n1 + n2 > avail {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let clip = |s: &str, n: usize| {
        let mut n = n.min(s.len());
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        s[..n].to_string()
    };
    let mut out = clip(name1, n1);
    if let Some(n2s) = name2 {
        out.push('_');
        out.push_str(&clip(n2s, n2));
    }
    if !label.is_empty() {
        out.push('_');
        out.push_str(label);
    }
    out
}

/// `name1_name2_label`, with a number appended to the label until `taken` says no, as
/// PostgreSQL's `ChooseRelationName` / `ChooseConstraintName` do.
pub(super) fn unique_name(
    taken: impl Fn(&str) -> bool,
    name1: &str,
    name2: Option<&str>,
    label: &str,
) -> String {
    let mut n = 0;
    loop {
        let l = if n == 0 {
            label.to_string()
        } else {
            format!("{label}{n}")
        };
        let candidate = make_object_name(name1, name2.filter(|s| !s.is_empty()), &l);
        if !taken(&candidate) {
            return candidate;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_names_are_cut_like_postgres() {
        assert_eq!(make_object_name("t", Some("a"), "key"), "t_a_key");
        let long = "a".repeat(40);
        let name = make_object_name(&long, Some(&long), "fkey");
        assert_eq!(name.len(), 63);
        assert!(name.ends_with("_fkey"));
    }
}

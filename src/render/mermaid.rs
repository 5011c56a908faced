//! Render: a Mermaid ER diagram (`erDiagram`) of tables, the picture in a pull-request
//! comment (`check` and `plan --format markdown`: the tables a change touches and their
//! neighbours by foreign key) or of a whole schema (`inspect --format mermaid`).
//!
//! Input: two catalogs, before and after a change, with the renames the change carries
//! out; or one catalog. Output: Mermaid text, entities and relationships sorted by
//! qualified name, so the same input gives the same text. Does no I/O.
//!
//! Mermaid's `erDiagram` grammar is narrow. An entity is a word, here an id made of
//! ASCII letters, digits and `_` with the table's name as its label (`id["label"]`,
//! the label without `"`, `%` or `\`). An attribute's type and name are words too (older
//! Mermaid versions take only ASCII letters, digits, `_` and `[]` there, and `PK`, `FK`
//! and `UK` are keywords), so types are shortened and sanitized
//! (`character varying(20)` → `varchar_20`) and a column whose name does not fit is
//! drawn under a sanitized one with its real name in the comment. Labels and comments
//! are read as HTML and markdown: every character Mermaid would take for syntax there
//! is written as its entity code (`#35;`).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::diff::Change;
use crate::model::{
    split_top_level, unquoted, Catalog, Column, ConstraintKind, ObjectId, QualName, RenameKind,
    Table,
};

use super::Plan;

/// How many tables a change diagram draws at most; the rest are counted after it. A
/// larger one is shrunk to fit the comment's width until it cannot be read.
pub const MAX_TABLES: usize = 30;

/// A rename a change carries out: the object under its old name and its new name, as
/// [`Change::Rename`] has them (only tables and columns change the picture).
pub type Rename = (ObjectId, String);

/// A Mermaid ER diagram, and how many tables it leaves out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagram {
    /// The Mermaid text, from `erDiagram` on, without a fence.
    pub text: String,
    /// Changed tables left out by [`MAX_TABLES`].
    pub more_changed: usize,
    /// Neighbours by foreign key left out by [`MAX_TABLES`].
    pub more_neighbours: usize,
}

impl Diagram {
    /// The diagram as markdown: a fenced `mermaid` block (GitHub and GitLab draw it),
    /// then a line counting the tables left out, if any.
    pub fn markdown(&self) -> String {
        let mut out = format!("```mermaid\n{}```\n", self.text);
        let more = self.more_changed + self.more_neighbours;
        if more > 0 {
            let mut parts = Vec::new();
            if self.more_changed > 0 {
                parts.push(format!("{} changed", self.more_changed));
            }
            if self.more_neighbours > 0 {
                parts.push(format!(
                    "{} linked to them by foreign keys",
                    self.more_neighbours
                ));
            }
            out.push_str(&format!(
                "\nand {more} more {} not drawn ({}).\n",
                if more == 1 { "table" } else { "tables" },
                parts.join(", ")
            ));
        }
        out
    }
}

/// The renames among a plan's steps.
pub fn plan_renames(plan: &Plan) -> Vec<Rename> {
    plan.steps
        .iter()
        .filter_map(|s| match &s.change {
            Change::Rename { object, new_name } => Some((object.clone(), new_name.clone())),
            _ => None,
        })
        .collect()
}

/// The tables a change touches, as `before` (with `renames` carried out) and `after`
/// differ in what the diagram shows (the table itself, a column's name, type,
/// nullability, default, identity, generation or collation, a primary or unique key, a
/// foreign key), with their neighbours by foreign key (their key columns only). Added
/// tables and columns are marked, dropped ones struck through or marked, changed
/// columns say what changed (`integer → bigint`). At most [`MAX_TABLES`] tables:
/// changed ones first, by name. `None` when no table is touched.
pub fn change_diagram(before: &Catalog, after: &Catalog, renames: &[Rename]) -> Option<Diagram> {
    let renamed = Renamed::carry_out(before, after, renames);
    let before = renamed.catalog.as_ref();
    let (keys_before, keys_after) = (KeyIndex::new(before), KeyIndex::new(after));
    let links = links_between(before, after, &keys_before, &keys_after);

    let relinked: BTreeSet<&QualName> = links
        .iter()
        .filter(|l| l.state != LinkState::Same)
        .map(|l| &l.child)
        .collect();
    let names: BTreeSet<&QualName> = before.tables.keys().chain(after.tables.keys()).collect();
    let mut touched: BTreeMap<QualName, Entity> = BTreeMap::new();
    for name in names {
        let entity = match (before.tables.get(name), after.tables.get(name)) {
            (None, Some(t)) => Entity::whole(t, &keys_after, Status::Added),
            (Some(t), None) => Entity::whole(t, &keys_before, Status::Dropped),
            (Some(b), Some(a)) => {
                let entity = altered(b, a, &keys_before, &keys_after, &renamed);
                if entity.status == Status::Unchanged
                    && !relinked.contains(name)
                    && entity.attrs.iter().all(|a| a.notes.is_empty())
                {
                    continue;
                }
                entity
            }
            (None, None) => continue,
        };
        touched.insert(name.clone(), entity);
    }
    if touched.is_empty() {
        return None;
    }

    // A foreign key may name a table outside the catalogs (`--schema`): not drawn.
    let exists = |n: &QualName| after.tables.contains_key(n) || before.tables.contains_key(n);
    let mut neighbours: BTreeSet<&QualName> = BTreeSet::new();
    for l in &links {
        match (
            touched.contains_key(&l.child),
            touched.contains_key(&l.parent),
        ) {
            (true, false) if exists(&l.parent) => neighbours.insert(&l.parent),
            (false, true) => neighbours.insert(&l.child),
            _ => false,
        };
    }
    let more_changed = touched.len().saturating_sub(MAX_TABLES);
    let room = MAX_TABLES.saturating_sub(touched.len());
    let more_neighbours = neighbours.len().saturating_sub(room);
    let mut entities: Vec<Entity> = touched.into_values().take(MAX_TABLES).collect();
    for name in neighbours.into_iter().take(room) {
        let (table, keys) = match after.tables.get(name) {
            Some(t) => (t, &keys_after),
            None => match before.tables.get(name) {
                Some(t) => (t, &keys_before),
                None => continue,
            },
        };
        let mut entity = Entity::whole(table, keys, Status::Unchanged);
        entity.attrs.retain(|a| a.keys != Keys::default());
        entities.push(entity);
    }
    entities.sort_by(|a, b| a.name.cmp(&b.name));
    Some(Diagram {
        text: write(&entities, &links),
        more_changed,
        more_neighbours,
    })
}

/// Every table of a catalog with all its columns and keys, and every foreign key
/// between them (`inspect --format mermaid`).
pub fn schema_diagram(catalog: &Catalog) -> String {
    let keys = KeyIndex::new(catalog);
    let entities: Vec<Entity> = catalog
        .tables
        .values()
        .map(|t| Entity::whole(t, &keys, Status::Unchanged))
        .collect();
    let links = links_between(catalog, catalog, &keys, &keys);
    write(&entities, &links)
}

/// A table as the diagram draws it.
#[derive(Debug)]
struct Entity {
    name: QualName,
    status: Status,
    attrs: Vec<Attr>,
}

/// What happened to a table.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Status {
    /// Unchanged or changed in its columns (which say how).
    Unchanged,
    /// Created by the change.
    Added,
    /// Dropped by the change.
    Dropped,
    /// Renamed from this name.
    Renamed(QualName),
}

/// A column as the diagram draws it.
#[derive(Debug)]
struct Attr {
    name: String,
    type_name: String,
    keys: Keys,
    /// What the change did to it (`added`, `integer → bigint`), for its comment.
    notes: Vec<String>,
}

/// Which keys a column is part of.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Keys {
    pk: bool,
    fk: bool,
    uk: bool,
}

impl Entity {
    /// A table with every column and no notes.
    fn whole(table: &Table, keys: &KeyIndex<'_>, status: Status) -> Entity {
        let of = keys.columns(table);
        Entity {
            name: table.name.clone(),
            status,
            attrs: table
                .columns
                .values()
                .map(|c| Attr {
                    name: c.name.clone(),
                    type_name: c.type_name.clone(),
                    keys: of.get(&c.name).copied().unwrap_or_default(),
                    notes: Vec::new(),
                })
                .collect(),
        }
    }
}

/// A table in both catalogs: its columns as they are after, each with what changed,
/// then the dropped ones.
fn altered(
    before: &Table,
    after: &Table,
    keys_before: &KeyIndex<'_>,
    keys_after: &KeyIndex<'_>,
    renamed: &Renamed<'_>,
) -> Entity {
    let (kb, ka) = (keys_before.columns(before), keys_after.columns(after));
    let mut attrs = Vec::new();
    for c in after.columns.values() {
        let keys = ka.get(&c.name).copied().unwrap_or_default();
        let mut notes = Vec::new();
        match before.columns.get(&c.name) {
            None => notes.push("added".to_string()),
            Some(b) => {
                if let Some(old) = renamed.columns.get(&(after.name.clone(), c.name.clone())) {
                    notes.push(format!("renamed from {old}"));
                }
                notes.extend(column_notes(b, c));
                notes.extend(key_notes(
                    kb.get(&c.name).copied().unwrap_or_default(),
                    keys,
                ));
            }
        }
        attrs.push(Attr {
            name: c.name.clone(),
            type_name: c.type_name.clone(),
            keys,
            notes,
        });
    }
    for b in before.columns.values() {
        if !after.columns.contains_key(&b.name) {
            attrs.push(Attr {
                name: b.name.clone(),
                type_name: b.type_name.clone(),
                keys: kb.get(&b.name).copied().unwrap_or_default(),
                notes: vec!["dropped".to_string()],
            });
        }
    }
    let status = match renamed.tables.get(&after.name) {
        Some(old) => Status::Renamed(old.clone()),
        None => Status::Unchanged,
    };
    Entity {
        name: after.name.clone(),
        status,
        attrs,
    }
}

/// What changed in a column that stays, as the diagram says it.
fn column_notes(before: &Column, after: &Column) -> Vec<String> {
    // Every field listed: a new one does not compile until it is drawn or left out.
    let Column {
        name: _,
        type_name,
        not_null,
        not_null_constraint,
        default,
        identity,
        generated,
        virtual_generated,
        collation,
        comment: _,
        deps: _,
        default_deps: _,
        inherited: _,
    } = after;
    let mut notes = Vec::new();
    if before.type_name != *type_name {
        notes.push(format!(
            "{} → {}",
            short_type(&before.type_name),
            short_type(type_name)
        ));
    }
    if before.not_null != *not_null {
        notes.push(
            if *not_null {
                "NOT NULL set"
            } else {
                "NOT NULL dropped"
            }
            .to_string(),
        );
    } else if *not_null && before.not_null_constraint != *not_null_constraint {
        notes.push(
            if before.not_null_flags().0 && !after.not_null_flags().0 {
                "NOT NULL validated"
            } else {
                "NOT NULL constraint changed"
            }
            .to_string(),
        );
    }
    let option = |what: &str, b: bool, a: bool, same: bool| match (b, a) {
        _ if same => None,
        (false, true) => Some(format!("{what} added")),
        (true, false) => Some(format!("{what} dropped")),
        _ => Some(format!("{what} changed")),
    };
    notes.extend(option(
        "default",
        before.default.is_some(),
        default.is_some(),
        before.default == *default,
    ));
    notes.extend(option(
        "identity",
        before.identity.is_some(),
        identity.is_some(),
        before.identity == *identity,
    ));
    notes.extend(option(
        "generated",
        before.generated.is_some(),
        generated.is_some(),
        before.generated == *generated && before.virtual_generated == *virtual_generated,
    ));
    if before.collation != *collation {
        notes.push("collation changed".to_string());
    }
    notes
}

/// A column entering or leaving the primary key or a unique key (foreign keys show as
/// relationships).
fn key_notes(before: Keys, after: Keys) -> Vec<String> {
    let mut notes = Vec::new();
    for (name, b, a) in [("PK", before.pk, after.pk), ("UK", before.uk, after.uk)] {
        match (b, a) {
            (false, true) => notes.push(format!("{name} added")),
            (true, false) => notes.push(format!("{name} dropped")),
            _ => {}
        }
    }
    notes
}

/// `before` with the renames carried out, so that a renamed table or column compares
/// with itself, and what was renamed.
struct Renamed<'a> {
    catalog: Cow<'a, Catalog>,
    /// Table as it is named after → its name before.
    tables: BTreeMap<QualName, QualName>,
    /// (table as named after, column as named after) → the column's name before.
    columns: BTreeMap<(QualName, String), String>,
}

impl<'a> Renamed<'a> {
    /// Carries out the table and column renames in order, as the plan runs them (a
    /// column renamed after its table names the table's new name). A table whose new
    /// name `after` does not have was renamed on its way out (`plan --recoverable` moves
    /// a dropped table to the holding schema under another name): it keeps its name, and
    /// is drawn dropped.
    fn carry_out(before: &'a Catalog, after: &Catalog, renames: &[Rename]) -> Renamed<'a> {
        let mut out = Renamed {
            catalog: Cow::Borrowed(before),
            tables: BTreeMap::new(),
            columns: BTreeMap::new(),
        };
        for (object, new) in renames {
            match object {
                ObjectId::Table(old) => {
                    let new = old.sibling(new.as_str());
                    if out.move_table(old, &new) {
                        let first = out.tables.remove(old).unwrap_or_else(|| old.clone());
                        out.tables.insert(new, first);
                    }
                }
                ObjectId::Column(table, old) => {
                    if !out.catalog.to_mut().rename_column(table, old, new) {
                        continue;
                    }
                    let first = out
                        .columns
                        .remove(&(table.clone(), old.clone()))
                        .unwrap_or_else(|| old.clone());
                    out.columns.insert((table.clone(), new.clone()), first);
                }
                _ => {}
            }
        }
        let gone: Vec<(QualName, QualName)> = out
            .tables
            .iter()
            .filter(|(now, _)| !after.tables.contains_key(*now))
            .map(|(now, first)| (now.clone(), first.clone()))
            .collect();
        for (now, first) in gone {
            out.move_table(&now, &first);
            out.tables.remove(&now);
        }
        out
    }

    /// Renames a table in the catalog, its renamed columns with it; false when there is
    /// no such table.
    fn move_table(&mut self, old: &QualName, new: &QualName) -> bool {
        if !self
            .catalog
            .to_mut()
            .rename_relation(RenameKind::Table, old, new)
        {
            return false;
        }
        let moved: Vec<(QualName, String)> = self
            .columns
            .keys()
            .filter(|(t, _)| t == old)
            .cloned()
            .collect();
        for key in moved {
            if let Some(was) = self.columns.remove(&key) {
                self.columns.insert((new.clone(), key.1), was);
            }
        }
        true
    }
}

/// A foreign key as a relationship line.
#[derive(Debug)]
struct Link {
    child: QualName,
    parent: QualName,
    /// The constraint's name (orders lines between the same tables).
    name: String,
    /// The referencing columns.
    columns: Vec<String>,
    /// At most one child row per parent row: the columns are the child's primary key
    /// or a unique key.
    one_to_one: bool,
    /// A child row may have no parent: a referencing column is nullable.
    optional: bool,
    state: LinkState,
}

/// What a change did to a foreign key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LinkState {
    Same,
    Added,
    Dropped,
    Changed,
}

/// The foreign keys of both catalogs, each once: as it is after, or as it was before
/// when the change drops it.
fn links_between(
    before: &Catalog,
    after: &Catalog,
    keys_before: &KeyIndex<'_>,
    keys_after: &KeyIndex<'_>,
) -> Vec<Link> {
    let mut links = Vec::new();
    for t in after.tables.values() {
        for c in t.constraints.values() {
            let Some(parent) = foreign_key(c) else {
                continue;
            };
            let old = before
                .tables
                .get(&t.name)
                .and_then(|b| b.constraints.get(&c.name));
            let state = match old {
                None if before.tables.contains_key(&t.name) => LinkState::Added,
                // A new table's keys are new with it: not marked one by one.
                None => LinkState::Same,
                Some(o) if o.definition != c.definition || o.references != c.references => {
                    LinkState::Changed
                }
                Some(_) => LinkState::Same,
            };
            links.push(link(t, c, parent, keys_after, state));
        }
    }
    for t in before.tables.values() {
        let kept = after.tables.get(&t.name);
        for c in t.constraints.values() {
            let Some(parent) = foreign_key(c) else {
                continue;
            };
            if kept.is_some_and(|a| a.constraints.contains_key(&c.name)) {
                continue;
            }
            links.push(link(t, c, parent, keys_before, LinkState::Dropped));
        }
    }
    links.sort_by(|a, b| (&a.child, &a.parent, &a.name).cmp(&(&b.child, &b.parent, &b.name)));
    links
}

/// The table a constraint references, when it is a foreign key.
fn foreign_key(c: &crate::model::Constraint) -> Option<&QualName> {
    match c.kind {
        ConstraintKind::ForeignKey => c.references.as_ref(),
        _ => None,
    }
}

fn link(
    table: &Table,
    c: &crate::model::Constraint,
    parent: &QualName,
    keys: &KeyIndex<'_>,
    state: LinkState,
) -> Link {
    let columns = key_columns(&c.definition);
    let mut sorted = columns.clone();
    sorted.sort();
    let one_to_one = keys.unique_sets(table).iter().any(|set| {
        let mut s = set.clone();
        s.sort();
        s == sorted
    });
    let optional = columns
        .iter()
        .any(|n| table.columns.get(n).is_none_or(|col| !col.not_null));
    Link {
        child: table.name.clone(),
        parent: parent.clone(),
        name: c.name.clone(),
        columns,
        one_to_one,
        optional,
        state,
    }
}

/// The primary, unique and foreign keys of a catalog's tables: constraints, and unique
/// indexes over plain columns without a predicate.
struct KeyIndex<'c> {
    unique_indexes: BTreeMap<&'c QualName, Vec<Vec<String>>>,
}

impl<'c> KeyIndex<'c> {
    fn new(catalog: &'c Catalog) -> KeyIndex<'c> {
        let mut unique_indexes: BTreeMap<&QualName, Vec<Vec<String>>> = BTreeMap::new();
        for i in catalog.indexes.values() {
            let (unique, body) = i.shape();
            let Some(body) = body.filter(|_| unique) else {
                continue;
            };
            if let Some(columns) = plain_index_columns(body) {
                unique_indexes.entry(&i.table).or_default().push(columns);
            }
        }
        KeyIndex { unique_indexes }
    }

    /// The column sets that are unique in a table: its primary key, unique
    /// constraints, and unique indexes over plain columns.
    fn unique_sets(&self, table: &Table) -> Vec<Vec<String>> {
        let mut sets: Vec<Vec<String>> = table
            .constraints
            .values()
            .filter(|c| matches!(c.kind, ConstraintKind::PrimaryKey | ConstraintKind::Unique))
            .map(|c| key_columns(&c.definition))
            .collect();
        sets.extend(
            self.unique_indexes
                .get(&table.name)
                .into_iter()
                .flatten()
                .cloned(),
        );
        sets
    }

    /// The keys each column of a table is part of (columns in no key left out).
    fn columns(&self, table: &Table) -> BTreeMap<String, Keys> {
        let mut out: BTreeMap<String, Keys> = BTreeMap::new();
        for c in table.constraints.values() {
            for col in key_columns(&c.definition) {
                let k = out.entry(col).or_default();
                match c.kind {
                    ConstraintKind::PrimaryKey => k.pk = true,
                    ConstraintKind::Unique => k.uk = true,
                    ConstraintKind::ForeignKey => k.fk = true,
                    ConstraintKind::Check | ConstraintKind::Exclusion => {}
                }
            }
        }
        for set in self.unique_indexes.get(&table.name).into_iter().flatten() {
            for col in set {
                out.entry(col.clone()).or_default().uk = true;
            }
        }
        out.retain(|_, k| *k != Keys::default());
        out
    }
}

/// The names in the first parenthesized list of a key's definition, unquoted:
/// `PRIMARY KEY (a, "B")`, `UNIQUE NULLS NOT DISTINCT (a)`, `FOREIGN KEY (a) REFERENCES
/// ...` → `[a, B]`. Empty for a check or exclusion (whose list is no column list).
fn key_columns(definition: &str) -> Vec<String> {
    let key = ["PRIMARY KEY", "UNIQUE", "FOREIGN KEY"]
        .iter()
        .any(|k| definition.starts_with(k));
    if !key {
        return Vec::new();
    }
    // Temporal keys (PostgreSQL 18) mark their range column: `PERIOD during` in a foreign
    // key, `during WITHOUT OVERLAPS` in a key; the column is `during` all the same.
    let column = |item: &str| {
        let item = item.strip_prefix("PERIOD ").unwrap_or(item);
        unquote(item.strip_suffix(" WITHOUT OVERLAPS").unwrap_or(item))
    };
    first_list(definition)
        .map(|inner| split_top_level(inner).into_iter().map(column).collect())
        .unwrap_or_default()
}

/// A unique index's key columns when every key is a plain column and there is no
/// predicate (` USING btree (a, "B") INCLUDE (c)` → `[a, B]`); `None` for expressions,
/// operator classes, orderings and partial indexes, which make no key of a column.
fn plain_index_columns(body: &str) -> Option<Vec<String>> {
    let predicate =
        unquoted(body).any(|(i, c, d)| c == ' ' && d == 0 && body[i..].starts_with(" WHERE "));
    if predicate {
        return None;
    }
    let items = split_top_level(first_list(body)?);
    items
        .iter()
        .all(|i| is_plain_name(i))
        .then(|| items.into_iter().map(unquote).collect())
}

/// The text inside the first top-level parentheses.
fn first_list(text: &str) -> Option<&str> {
    let mut open = None;
    for (i, c, d) in unquoted(text) {
        match (c, d, open) {
            ('(', 0, None) => open = Some(i + 1),
            (')', 0, Some(start)) => return Some(&text[start..i]),
            _ => {}
        }
    }
    None
}

/// Whether an item of a key list is one column name, quoted or not.
fn is_plain_name(item: &str) -> bool {
    if let Some(inner) = item.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        return !inner.replace("\"\"", "").contains('"');
    }
    let mut chars = item.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

/// A name as PostgreSQL printed it, without its quotes.
fn unquote(item: &str) -> String {
    match item.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => item.to_string(),
    }
}

/// Words Mermaid's `erDiagram` lexer takes for syntax where an entity stands (compared
/// in lower case).
const RESERVED: &[&str] = &[
    "acctitle",
    "accdescr",
    "class",
    "classdef",
    "direction",
    "end",
    "erdiagram",
    "fk",
    "many",
    "one",
    "only",
    "optionally",
    "pk",
    "style",
    "subgraph",
    "to",
    "u",
    "uk",
    "zero",
];

/// The Mermaid text of some entities and the links among them.
fn write(entities: &[Entity], links: &[Link]) -> String {
    // One schema: names alone; several: schema-qualified.
    let schemas: BTreeSet<&str> = entities.iter().map(|e| e.name.schema.as_str()).collect();
    let qualify = schemas.len() > 1;
    let display = |n: &QualName| {
        if qualify {
            n.plain()
        } else {
            n.name.clone()
        }
    };
    let mut ids: BTreeMap<&QualName, String> = BTreeMap::new();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for e in entities {
        let mut id = word(&display(&e.name));
        if RESERVED.contains(&id.to_lowercase().as_str()) {
            id.push('_');
        }
        let mut n = 1;
        let base = id.clone();
        while taken.contains(&id.to_lowercase()) {
            n += 1;
            id = format!("{base}_{n}");
        }
        taken.insert(id.to_lowercase());
        ids.insert(&e.name, id);
    }

    let mut out = String::from("erDiagram\n");
    for e in entities {
        let id = &ids[&e.name];
        let name = display(&e.name);
        let label = match &e.status {
            Status::Unchanged => name,
            Status::Added => format!("{name} (added)"),
            Status::Dropped => format!("{} (dropped)", strike(&name)),
            Status::Renamed(old) => format!("{name} (renamed from {})", display(old)),
        };
        let label = escape(&label);
        out.push_str("    ");
        out.push_str(id);
        if label != *id {
            let _ = write!(out, "[\"{label}\"]");
        }
        if e.attrs.is_empty() {
            out.push('\n');
            continue;
        }
        out.push_str(" {\n");
        for a in &e.attrs {
            let name = attribute_word(&a.name);
            let _ = write!(out, "        {} {name}", type_word(&a.type_name));
            let keys: Vec<&str> = [(a.keys.pk, "PK"), (a.keys.fk, "FK"), (a.keys.uk, "UK")]
                .into_iter()
                .filter_map(|(on, k)| on.then_some(k))
                .collect();
            if !keys.is_empty() {
                let _ = write!(out, " {}", keys.join(", "));
            }
            let mut comment = Vec::new();
            if name != a.name {
                comment.push(format!("“{}”", a.name));
            }
            comment.extend(a.notes.iter().cloned());
            if !comment.is_empty() {
                let _ = write!(out, " \"{}\"", escape(&comment.join(", ")));
            }
            out.push('\n');
        }
        out.push_str("    }\n");
    }
    // The keys of a dropped table go with it: their lines are dashed, not labelled.
    let dropped: BTreeSet<&QualName> = entities
        .iter()
        .filter(|e| e.status == Status::Dropped)
        .map(|e| &e.name)
        .collect();
    for l in links {
        let (Some(child), Some(parent)) = (ids.get(&l.child), ids.get(&l.parent)) else {
            continue;
        };
        let left = if l.one_to_one { "|o" } else { "}o" };
        let line = if l.state == LinkState::Dropped {
            ".."
        } else {
            "--"
        };
        let right = if l.optional { "o|" } else { "||" };
        let mut label = l.columns.join(", ");
        match l.state {
            LinkState::Same => {}
            LinkState::Added => label.push_str(" (added)"),
            LinkState::Changed => label.push_str(" (changed)"),
            LinkState::Dropped if !dropped.contains(&l.child) => label.push_str(" (dropped)"),
            LinkState::Dropped => {}
        }
        let _ = writeln!(
            out,
            "    {child} {left}{line}{right} {parent} : \"{}\"",
            escape(&label)
        );
    }
    out
}

/// U+0336 COMBINING LONG STROKE OVERLAY: after a character, strikes it through.
const STROKE: char = '\u{336}';

/// Text struck through, character by character.
fn strike(text: &str) -> String {
    text.chars().flat_map(|c| [c, STROKE]).collect()
}

/// Text for a label, a comment or a relationship label. Mermaid reads `"` (the end of
/// the string), `%` and `\` (refused in labels), `#` (its entity codes) and, as HTML
/// and markdown, `<`, `>`, `&`, `*`, `` ` ``, `~`, `[`, `_` at a word's edge and a
/// list marker at the start; each is written as its entity code (`#35;`), which
/// Mermaid turns back into the character. A line holding `direction TB` (`BT`, `LR`,
/// `RL`) anywhere is a direction statement to it: the `d` of `direction` is coded too.
/// Control characters become spaces.
fn escape(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    // Whether the character before (after) `i`, past the strokes of struck text, is a
    // letter or digit: a `_` between two is no emphasis to markdown.
    let word_before = |i: usize| {
        chars[..i]
            .iter()
            .rev()
            .find(|&&c| c != STROKE)
            .is_some_and(|c| c.is_alphanumeric())
    };
    let word_after = |i: usize| {
        chars[i + 1..]
            .iter()
            .find(|&&c| c != STROKE)
            .is_some_and(|c| c.is_alphanumeric())
    };
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let direction = chars[i..]
            .iter()
            .take(9)
            .map(|c| c.to_ascii_lowercase())
            .eq("direction".chars());
        let leading = i == 0 && matches!(c, '-' | '+');
        let numbered =
            matches!(c, '.' | ')') && i > 0 && chars[..i].iter().all(|c| c.is_ascii_digit());
        let code = match c {
            '"' | '%' | '\\' | '#' | '<' | '>' | '&' | '*' | '`' | '~' | '[' => true,
            '_' => !(word_before(i) && word_after(i)),
            _ => direction || leading || numbered,
        };
        if c.is_control() {
            out.push(' ');
        } else if code {
            let _ = write!(out, "#{};", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// A word Mermaid reads as one name: ASCII letters, digits and `_`, each run of other
/// characters one `_`, not starting with a digit.
fn word(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut replaced = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
            replaced = false;
        } else if !replaced {
            out.push('_');
            replaced = true;
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// A column name as an attribute name: [`word`], with a `_` after `pk`, `fk` and `uk`
/// (keywords there).
fn attribute_word(name: &str) -> String {
    let mut w = word(name);
    if ["pk", "fk", "uk"].contains(&w.to_lowercase().as_str()) {
        w.push('_');
    }
    w
}

/// A type as an attribute type: [`short_type`] made one word (`varchar(20)[]` →
/// `varchar_20[]`, `numeric(12,2)` → `numeric_12_2`), its array brackets kept.
fn type_word(type_name: &str) -> String {
    let short = short_type(type_name);
    let base = short.trim_end_matches("[]");
    let dims = (short.len() - base.len()) / 2;
    let cleaned: String = base.chars().filter(|&c| c != '"' && c != ')').collect();
    let mut w = word(cleaned.trim_end_matches(['_', ' ']));
    while w.len() > 1 && w.ends_with('_') {
        w.pop();
    }
    if ["pk", "fk", "uk"].contains(&w.to_lowercase().as_str()) {
        w.push('_');
    }
    w.push_str(&"[]".repeat(dims));
    w
}

/// A type as `format_type` spells it, in the short form people write:
/// `character varying(20)` → `varchar(20)`, `timestamp(3) with time zone` →
/// `timestamptz(3)`, `double precision` → `float8`, `shop.mood` → `mood`.
fn short_type(type_name: &str) -> String {
    let base = type_name.trim_end_matches("[]");
    let dims = &type_name[base.len()..];
    // The schema qualifier left out: the diagram names types as people write them.
    let base = match unquoted(base)
        .filter(|&(_, c, d)| c == '.' && d == 0)
        .last()
    {
        Some((dot, _, _)) => &base[dot + 1..],
        None => base,
    };
    let (head, typmod, tail) = match (base.find('('), base.find(')')) {
        (Some(open), Some(close)) if open < close => {
            (&base[..open], &base[open..=close], &base[close + 1..])
        }
        _ => (base, "", ""),
    };
    let short = match (head, tail) {
        ("character varying", "") => format!("varchar{typmod}"),
        ("character", "") => format!("char{typmod}"),
        ("bit varying", "") => format!("varbit{typmod}"),
        ("double precision", "") => "float8".to_string(),
        ("timestamp without time zone", "") | ("timestamp", " without time zone") => {
            format!("timestamp{typmod}")
        }
        ("timestamp with time zone", "") | ("timestamp", " with time zone") => {
            format!("timestamptz{typmod}")
        }
        ("time without time zone", "") | ("time", " without time zone") => {
            format!("time{typmod}")
        }
        ("time with time zone", "") | ("time", " with time zone") => format!("timetz{typmod}"),
        _ => base.to_string(),
    };
    format!("{short}{dims}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Constraint;

    fn table(name: &str, columns: &[(&str, &str, bool)]) -> Table {
        let mut t = Table::new(QualName::new("public", name));
        for (n, ty, not_null) in columns {
            let mut c = Column::new(*n, *ty);
            c.not_null = *not_null;
            t.columns.insert(c);
        }
        t
    }

    fn constraint(kind: ConstraintKind, name: &str, definition: &str) -> Constraint {
        Constraint {
            name: name.into(),
            kind,
            definition: definition.into(),
            validated: true,
            references: None,
            comment: None,
            deps: Default::default(),
        }
    }

    fn fk(name: &str, columns: &str, parent: &str) -> Constraint {
        let mut c = constraint(
            ConstraintKind::ForeignKey,
            name,
            &format!("FOREIGN KEY ({columns}) REFERENCES public.{parent}(id)"),
        );
        c.references = Some(QualName::new("public", parent));
        c
    }

    fn pk(table: &mut Table, columns: &str) {
        let name = format!("{}_pkey", table.name.name);
        table.constraints.insert(
            name.clone(),
            constraint(
                ConstraintKind::PrimaryKey,
                &name,
                &format!("PRIMARY KEY ({columns})"),
            ),
        );
    }

    fn catalog(tables: Vec<Table>) -> Catalog {
        let mut c = Catalog::default();
        for t in tables {
            c.tables.insert(t.name.clone(), t.into());
        }
        c
    }

    #[test]
    fn types_become_one_readable_word() {
        assert_eq!(type_word("character varying(20)"), "varchar_20");
        assert_eq!(type_word("character varying(20)[]"), "varchar_20[]");
        assert_eq!(type_word("numeric(12,2)"), "numeric_12_2");
        assert_eq!(type_word("timestamp(3) with time zone"), "timestamptz_3");
        assert_eq!(type_word("timestamp without time zone"), "timestamp");
        assert_eq!(type_word("double precision"), "float8");
        assert_eq!(
            type_word("interval year to month"),
            "interval_year_to_month"
        );
        assert_eq!(type_word("public.\"Mood\""), "Mood");
        assert_eq!(type_word("\"Sales Ops\".\"my type\"[]"), "my_type[]");
        assert_eq!(type_word("\"a.b\""), "a_b");
        assert_eq!(type_word("pk"), "pk_");
        assert_eq!(short_type("bit varying(5)"), "varbit(5)");
        assert_eq!(short_type("time(2) with time zone"), "timetz(2)");
    }

    #[test]
    fn names_become_words_mermaid_reads() {
        assert_eq!(word("my table"), "my_table");
        assert_eq!(word("a\"\"b"), "a_b");
        assert_eq!(word("1st"), "_1st");
        assert_eq!(word("naïve"), "na_ve");
        assert_eq!(attribute_word("PK"), "PK_");
        assert_eq!(attribute_word("customer_id"), "customer_id");
    }

    #[test]
    fn text_is_escaped_with_entity_codes() {
        assert_eq!(escape("customer_id"), "customer_id");
        assert_eq!(escape("a\"b"), "a#34;b");
        assert_eq!(escape("100% <b> #1 \\"), "100#37; #60;b#62; #35;1 #92;");
        assert_eq!(
            escape("_x_ *y* `z` ~w~ [l]"),
            "#95;x#95; #42;y#42; #96;z#96; #126;w#126; #91;l]"
        );
        assert_eq!(escape("- item"), "#45; item");
        assert_eq!(escape("12. x"), "12#46; x");
        assert_eq!(escape("a\nb"), "a b");
        assert_eq!(escape("Direction LR"), "#68;irection LR");
        assert_eq!(escape("integer → bigint"), "integer → bigint");
        assert_eq!(escape(&strike("a_b")), strike("a_b"));
    }

    #[test]
    fn key_lists_are_read_with_quotes() {
        assert_eq!(key_columns("PRIMARY KEY (a, \"B c\")"), ["a", "B c"]);
        assert_eq!(
            key_columns("UNIQUE NULLS NOT DISTINCT (a) INCLUDE (b)"),
            ["a"]
        );
        assert_eq!(
            key_columns("FOREIGN KEY (\"x,y\") REFERENCES public.t(id)"),
            ["x,y"]
        );
        assert!(key_columns("CHECK ((a > 0))").is_empty());
        assert_eq!(
            key_columns("PRIMARY KEY (id, during WITHOUT OVERLAPS)"),
            ["id", "during"]
        );
        assert_eq!(
            key_columns("FOREIGN KEY (room, PERIOD \"in use\") REFERENCES public.r(id, PERIOD d)"),
            ["room", "in use"]
        );
        assert_eq!(
            plain_index_columns(" USING btree (email, \"Org\") INCLUDE (name)"),
            Some(vec!["email".to_string(), "Org".to_string()])
        );
        assert_eq!(plain_index_columns(" USING btree (lower(email))"), None);
        assert_eq!(
            plain_index_columns(" USING btree (email) WHERE active"),
            None
        );
    }

    #[test]
    fn a_change_draws_what_it_touches_and_the_neighbours() {
        let mut customers = table(
            "customers",
            &[("id", "integer", true), ("name", "text", true)],
        );
        pk(&mut customers, "id");
        let mut orders = table(
            "orders",
            &[("id", "bigint", true), ("customer_id", "integer", true)],
        );
        pk(&mut orders, "id");
        let mut lonely = table("lonely", &[("id", "integer", true)]);
        pk(&mut lonely, "id");
        let before = catalog(vec![customers.clone(), orders.clone(), lonely.clone()]);

        // customers.id widened, orders gains a nullable FK column, a new table.
        let mut customers2 = customers.clone();
        customers2.columns.get_mut("id").unwrap().type_name = "bigint".into();
        let mut orders2 = orders.clone();
        orders2.columns.insert(Column::new("coupon", "text"));
        orders2.constraints.insert(
            "orders_customer_id_fkey".into(),
            fk("orders_customer_id_fkey", "customer_id", "customers"),
        );
        let mut refunds = table(
            "refunds",
            &[("id", "bigint", true), ("order_id", "bigint", false)],
        );
        pk(&mut refunds, "id");
        refunds.constraints.insert(
            "refunds_order_id_fkey".into(),
            fk("refunds_order_id_fkey", "order_id", "orders"),
        );
        let after = catalog(vec![customers2, orders2, lonely, refunds]);

        let d = change_diagram(&before, &after, &[]).unwrap();
        assert_eq!(
            d.text,
            "erDiagram
    customers {
        bigint id PK \"integer → bigint\"
        text name
    }
    orders {
        bigint id PK
        integer customer_id FK
        text coupon \"added\"
    }
    refunds[\"refunds (added)\"] {
        bigint id PK
        bigint order_id FK
    }
    orders }o--|| customers : \"customer_id (added)\"
    refunds }o--o| orders : \"order_id\"
"
        );
        assert_eq!(d.markdown().lines().last(), Some("```"));
        assert!(change_diagram(&after, &after, &[]).is_none());
    }

    #[test]
    fn renames_are_drawn_as_renames_and_drops_struck() {
        let mut users = table("users", &[("id", "integer", true), ("mail", "text", false)]);
        pk(&mut users, "id");
        let old = table("old", &[("x", "integer", false)]);
        let before = catalog(vec![users.clone(), old]);
        let mut people = users.clone();
        people.name = QualName::new("public", "people");
        people.columns = [Column::new("id", "integer"), Column::new("email", "text")]
            .into_iter()
            .map(|mut c| {
                c.not_null = c.name == "id";
                c
            })
            .collect();
        pk(&mut people, "id");
        people.constraints.remove("users_pkey");
        let after = catalog(vec![people]);
        let renames = vec![
            (
                ObjectId::Table(QualName::new("public", "users")),
                "people".to_string(),
            ),
            (
                ObjectId::Column(QualName::new("public", "people"), "mail".into()),
                "email".to_string(),
            ),
        ];
        let d = change_diagram(&before, &after, &renames).unwrap();
        assert_eq!(
            d.text,
            "erDiagram
    old[\"o̶l̶d̶ (dropped)\"] {
        integer x
    }
    people[\"people (renamed from users)\"] {
        integer id PK
        text email \"renamed from mail\"
    }
"
        );
    }

    #[test]
    fn a_table_renamed_on_its_way_out_is_drawn_dropped() {
        let mut t = table("t", &[("id", "integer", true)]);
        pk(&mut t, "id");
        let before = catalog(vec![t]);
        let renames = vec![(
            ObjectId::Table(QualName::new("public", "t")),
            "t_20261118110640".to_string(),
        )];
        let d = change_diagram(&before, &catalog(Vec::new()), &renames).unwrap();
        assert!(d.text.contains("t[\"t̶ (dropped)\"]"), "{}", d.text);
    }

    #[test]
    fn past_the_limit_tables_are_counted() {
        let before = catalog(Vec::new());
        let tables: Vec<Table> = (0..MAX_TABLES + 3)
            .map(|i| table(&format!("t{i:02}"), &[("id", "integer", true)]))
            .collect();
        let d = change_diagram(&before, &catalog(tables), &[]).unwrap();
        assert_eq!(d.more_changed, 3);
        assert_eq!(d.text.matches("(added)").count(), MAX_TABLES);
        assert!(d
            .markdown()
            .ends_with("```\n\nand 3 more tables not drawn (3 changed).\n"));
    }

    #[test]
    fn odd_names_get_safe_ids_and_their_real_name() {
        let mut a = table(
            "end",
            &[
                ("pk", "integer", true),
                ("my col", "character varying(20)", false),
            ],
        );
        pk(&mut a, "pk");
        let mut b = table("End", &[("x", "integer", false)]);
        b.name = QualName::new("Sales Ops", "End");
        let text = schema_diagram(&catalog(vec![a, b]));
        assert_eq!(
            text,
            "erDiagram
    Sales_Ops_End[\"Sales Ops.End\"] {
        integer x
    }
    public_end[\"public.end\"] {
        integer pk_ PK \"“pk”\"
        varchar_20 my_col \"“my col”\"
    }
"
        );
    }
}

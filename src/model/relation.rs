//! Tables and what hangs off them: columns, constraints, indexes, triggers, policies.

use serde::{Deserialize, Serialize};

use super::{Deps, Ident, NotCompared, QualName, SequenceOptions, SmallMap};

/// A table: plain, partitioned (`partition_by` set) or a partition (`partition_of` set).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// The table's qualified name.
    pub name: QualName,
    /// Columns in attribute order. Equality ignores the order: PostgreSQL cannot reorder
    /// columns, so a column added in the middle of the desired schema is not a change.
    pub columns: Columns,
    /// Constraints defined on this table (inherited copies on partitions excluded).
    pub constraints: SmallMap<String, Constraint>,
    /// Row level security policies.
    pub policies: SmallMap<String, Policy>,
    /// Constraints the table has only through a parent: a partition's copies of its
    /// parent's constraints, checks inherited through `INHERITS`. They are the parent's
    /// business while the table is a child, and their names depend on history, so they
    /// are not compared; when the table stops being a child (`DETACH PARTITION`, `NO
    /// INHERIT`) PostgreSQL keeps them as the table's own, and the diff needs them then.
    pub inherited_constraints: NotCompared<SmallMap<String, Constraint>>,
    /// Indexes a partition has as copies of its parent's indexes (kept, like
    /// `inherited_constraints`, for when it is detached).
    pub inherited_indexes: NotCompared<SmallMap<QualName, Index>>,
    /// `PARTITION BY ...` as `pg_get_partkeydef` spells it (`RANGE (created_at)`).
    pub partition_by: Option<String>,
    /// Set when this table is a partition of another.
    pub partition_of: Option<PartitionOf>,
    /// Parents through plain `INHERITS` (not partitioning), in order.
    pub inherits: Vec<QualName>,
    /// `UNLOGGED`.
    pub unlogged: bool,
    /// `ENABLE ROW LEVEL SECURITY`.
    pub rls_enabled: bool,
    /// `FORCE ROW LEVEL SECURITY`.
    pub rls_forced: bool,
    /// Storage parameters (`fillfactor=70`), sorted.
    pub options: Vec<String>,
    /// `REPLICA IDENTITY ...`: what logical replication writes to identify an updated
    /// or deleted row. Each partition has its own (the command never recurses).
    #[serde(default, skip_serializing_if = "ReplicaIdentity::is_default")]
    pub replica_identity: ReplicaIdentity,
    /// `COMMENT ON TABLE`.
    pub comment: Option<String>,
    /// A foreign table's server and options (`CREATE FOREIGN TABLE ... SERVER s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foreign: Option<ForeignTable>,
    /// What the table itself depends on (parents, its row type's users are elsewhere).
    pub deps: Deps,
}

/// What makes a table a foreign table: its rows live behind a server. It holds no rows
/// of its own, so it can be dropped and created again without losing any.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignTable {
    /// `SERVER`.
    pub server: String,
    /// `OPTIONS (...)` of the table, sorted by name.
    pub options: super::FdwOptions,
    /// `OPTIONS (...)` of its columns, by column (columns without options left out).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub column_options: std::collections::BTreeMap<String, super::FdwOptions>,
}

impl Table {
    /// `TABLE`, or `FOREIGN TABLE` for a foreign table: how `DROP` and `COMMENT ON`
    /// name it.
    pub fn kind_word(&self) -> &'static str {
        if self.foreign.is_some() {
            "FOREIGN TABLE"
        } else {
            "TABLE"
        }
    }

    /// The tables it depends on as a child: its partitioned parent, or the tables it
    /// inherits from, in that order.
    pub fn parents(&self) -> impl Iterator<Item = &QualName> {
        self.partition_of
            .iter()
            .map(|p| &p.parent)
            .chain(&self.inherits)
    }

    /// An empty table with the given name, to be filled in by a source.
    pub fn new(name: QualName) -> Table {
        Table {
            name,
            columns: Columns::default(),
            constraints: SmallMap::new(),
            policies: SmallMap::new(),
            inherited_constraints: NotCompared::default(),
            inherited_indexes: NotCompared::default(),
            partition_by: None,
            partition_of: None,
            inherits: Vec::new(),
            unlogged: false,
            rls_enabled: false,
            rls_forced: false,
            options: Vec::new(),
            replica_identity: ReplicaIdentity::Default,
            comment: None,
            foreign: None,
            deps: Deps::default(),
        }
    }
}

/// A table's replica identity (`pg_class.relreplident`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReplicaIdentity {
    /// `REPLICA IDENTITY DEFAULT`: the primary key, if any.
    #[default]
    Default,
    /// `REPLICA IDENTITY FULL`: the whole old row.
    Full,
    /// `REPLICA IDENTITY NOTHING`. Also what a table whose identity index was dropped
    /// has: PostgreSQL keeps `relreplident = 'i'` then, but treats it as nothing.
    Nothing,
    /// `REPLICA IDENTITY USING INDEX i`: the index's name (same schema as the table;
    /// a unique index or the index of a primary key or unique constraint).
    Index(String),
}

impl ReplicaIdentity {
    /// Whether this is PostgreSQL's default (left out of serialized catalogs, so
    /// fingerprints of tables without one do not change).
    pub fn is_default(&self) -> bool {
        *self == ReplicaIdentity::Default
    }

    /// The words after `REPLICA IDENTITY`: `FULL`, `USING INDEX i`.
    pub fn sql(&self) -> String {
        match self {
            ReplicaIdentity::Default => "DEFAULT".into(),
            ReplicaIdentity::Full => "FULL".into(),
            ReplicaIdentity::Nothing => "NOTHING".into(),
            ReplicaIdentity::Index(i) => format!("USING INDEX {}", Ident(i)),
        }
    }

    /// The index it names, if any.
    pub fn index(&self) -> Option<&str> {
        match self {
            ReplicaIdentity::Index(i) => Some(i),
            _ => None,
        }
    }
}

/// A table's columns, in attribute order, found by name. A plain vector: a table has a
/// dozen columns or so, and a 5,000-table catalog held twice during a diff cannot afford
/// a hash index and a second copy of every name. Equality ignores the order.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Columns(Vec<Column>);

impl Columns {
    /// The column named `name`.
    pub fn get(&self, name: &str) -> Option<&Column> {
        self.0.iter().find(|c| c.name == name)
    }

    /// The column named `name`, to change it.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.0.iter_mut().find(|c| c.name == name)
    }

    /// The column at a position (attribute order).
    pub fn get_index_mut(&mut self, index: usize) -> Option<&mut Column> {
        self.0.get_mut(index)
    }

    /// Whether a column of that name exists.
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Adds a column at the end, or replaces the one of the same name in place.
    pub fn insert(&mut self, column: Column) {
        match self.get_mut(&column.name) {
            Some(existing) => *existing = column,
            None => self.0.push(column),
        }
    }

    /// How many columns there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// (name, column) pairs in attribute order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Column)> {
        self.0.iter().map(|c| (&c.name, c))
    }

    /// Names in attribute order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|c| &c.name)
    }

    /// Columns in attribute order.
    pub fn values(&self) -> std::slice::Iter<'_, Column> {
        self.0.iter()
    }

    /// Columns in attribute order, to change them.
    pub fn values_mut(&mut self) -> std::slice::IterMut<'_, Column> {
        self.0.iter_mut()
    }

    /// Makes room for `n` more columns at once.
    pub fn reserve_exact(&mut self, n: usize) {
        self.0.reserve_exact(n);
    }

    /// Releases spare capacity.
    pub fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }
}

impl PartialEq for Columns {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .0
                .iter()
                .all(|c| other.get(&c.name).is_some_and(|o| o == c))
    }
}

impl Eq for Columns {}

impl<'a> IntoIterator for &'a Columns {
    type Item = (&'a String, &'a Column);
    type IntoIter =
        std::iter::Map<std::slice::Iter<'a, Column>, fn(&'a Column) -> (&'a String, &'a Column)>;
    fn into_iter(self) -> Self::IntoIter {
        fn pair(c: &Column) -> (&String, &Column) {
            (&c.name, c)
        }
        self.0
            .iter()
            .map(pair as fn(&'a Column) -> (&'a String, &'a Column))
    }
}

impl std::ops::Index<&str> for Columns {
    type Output = Column;
    fn index(&self, name: &str) -> &Column {
        match self.get(name) {
            Some(c) => c,
            None => panic!("no column {name:?}"),
        }
    }
}

impl FromIterator<Column> for Columns {
    fn from_iter<I: IntoIterator<Item = Column>>(iter: I) -> Self {
        let mut out = Columns::default();
        for c in iter {
            out.insert(c);
        }
        out
    }
}

/// Where a partition hangs: its parent and its bound.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionOf {
    /// The partitioned parent table.
    pub parent: QualName,
    /// The bound as `pg_get_expr(relpartbound)` spells it
    /// (`FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')`, `DEFAULT`).
    pub bound: String,
}

/// A column of a table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// The column's name.
    pub name: String,
    /// The type as `format_type` spells it: `character varying(20)`, `integer[]`,
    /// `public.mood`.
    pub type_name: String,
    /// `NOT NULL` (valid or not).
    pub not_null: bool,
    /// The NOT NULL constraint as PostgreSQL 18 records it, only where it is not what a
    /// plain `NOT NULL` makes: named otherwise than [`not_null_name`], `NOT VALID` or
    /// `NO INHERIT`. Left out of the serialized form when absent, so catalogs without
    /// such constraints keep their fingerprints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_null_constraint: Option<Box<NotNullConstraint>>,
    /// The default expression (not for generated columns).
    pub default: Option<String>,
    /// `GENERATED ... AS IDENTITY` (boxed: most columns have none, and a 5,000-table
    /// catalog holds tens of thousands of columns).
    pub identity: Option<Box<Identity>>,
    /// `GENERATED ALWAYS AS (expr) STORED`: the expression.
    pub generated: Option<Box<str>>,
    /// The generated column is `VIRTUAL` (PostgreSQL 18's default kind: computed when
    /// read, never stored) rather than `STORED`. Left out of the serialized form when
    /// false, so catalogs without virtual columns keep their fingerprints.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub virtual_generated: bool,
    /// An explicit collation, only when it differs from the type's default
    /// (`"C"`, `public.nocase`).
    pub collation: Option<Box<str>>,
    /// `COMMENT ON COLUMN`.
    pub comment: Option<String>,
    /// What the column's type depends on (enum, domain, composite, extension types).
    pub deps: Deps,
    /// What the default or generation expression depends on (functions, sequences,
    /// other columns).
    pub default_deps: Deps,
    /// Whether the column comes only from a parent (plain inheritance or a partition's
    /// parent) rather than being declared on this table too. Not compared: `ALTER
    /// TABLE ... INHERIT` keeps matching columns local, `CREATE TABLE ... INHERITS` does
    /// not, and no command changes it afterwards; the schema is the same either way.
    pub inherited: NotCompared<bool>,
}

impl Column {
    /// A nullable column without default of the given type.
    pub fn new(name: impl Into<String>, type_name: impl Into<String>) -> Column {
        Column {
            name: name.into(),
            type_name: type_name.into(),
            not_null: false,
            not_null_constraint: None,
            default: None,
            identity: None,
            generated: None,
            virtual_generated: false,
            collation: None,
            comment: None,
            deps: Deps::default(),
            default_deps: Deps::default(),
            inherited: NotCompared(false),
        }
    }

    /// The column as written in `CREATE TABLE` or `ADD COLUMN`: name, type, collation,
    /// generation expression, default, `NOT NULL` and identity (with the sequence
    /// options that differ from the defaults).
    pub fn definition(&self) -> String {
        let mut s = format!("{} {}", Ident(&self.name), self.type_name);
        if let Some(coll) = &self.collation {
            s.push_str(&format!(" COLLATE {coll}"));
        }
        if let Some(expr) = &self.generated {
            let kind = if self.virtual_generated {
                "VIRTUAL"
            } else {
                "STORED"
            };
            s.push_str(&format!(" GENERATED ALWAYS AS ({expr}) {kind}"));
        }
        if let Some(d) = &self.default {
            s.push_str(&format!(" DEFAULT {}", default_operand(d)));
        }
        match self.not_null_constraint.as_deref() {
            // Only `ALTER TABLE ... ADD CONSTRAINT` makes one NOT VALID (see
            // [`Column::not_valid_not_null`]).
            _ if !self.not_null => {}
            Some(c) if c.not_valid => {}
            Some(c) => {
                s.push_str(&format!(" CONSTRAINT {} NOT NULL", Ident(&c.name)));
                if c.no_inherit {
                    s.push_str(" NO INHERIT");
                }
            }
            None => s.push_str(" NOT NULL"),
        }
        if let Some(id) = &self.identity {
            s.push_str(&format!(" GENERATED {} AS IDENTITY", id.kind.sql()));
            let clauses = id.options.clauses(&self.type_name);
            if !clauses.is_empty() {
                s.push_str(&format!(" ({})", clauses.join(" ")));
            }
        }
        s
    }
}

impl Column {
    /// The `ADD CONSTRAINT ... NOT VALID` a column's NOT NULL needs after the column
    /// exists: only `ALTER TABLE` adds one unvalidated.
    pub fn not_valid_not_null(&self, table: &QualName) -> Option<String> {
        let c = self.not_null_constraint.as_deref()?;
        (self.not_null && c.not_valid).then(|| c.add_sql(table, &self.name))
    }

    /// Whether the column's NOT NULL constraint is `NOT VALID`, and whether it is `NO
    /// INHERIT` (both false for plain `NOT NULL`).
    pub fn not_null_flags(&self) -> (bool, bool) {
        self.not_null_constraint
            .as_deref()
            .map_or((false, false), |c| (c.not_valid, c.no_inherit))
    }

    /// The name of the column's NOT NULL constraint on PostgreSQL 18 (`table` is the
    /// table's own name, unqualified).
    pub fn not_null_constraint_name(&self, table: &str) -> String {
        match self.not_null_constraint.as_deref() {
            Some(c) => c.name.clone(),
            None => not_null_name(table, &self.name),
        }
    }
}

/// A NOT NULL constraint of PostgreSQL 18 that a plain `NOT NULL` would not make.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotNullConstraint {
    /// The constraint's name.
    pub name: String,
    /// Added `NOT VALID`: rows from before it may hold nulls.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_valid: bool,
    /// `NO INHERIT`: children do not get it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_inherit: bool,
}

impl NotNullConstraint {
    /// The constraint of `column` of table `table` (its own name), or `None` when it is
    /// what plain `NOT NULL` makes.
    pub fn of(
        table: &str,
        column: &str,
        name: &str,
        not_valid: bool,
        no_inherit: bool,
    ) -> Option<Box<NotNullConstraint>> {
        (name != not_null_name(table, column) || not_valid || no_inherit).then(|| {
            Box::new(NotNullConstraint {
                name: name.to_string(),
                not_valid,
                no_inherit,
            })
        })
    }

    /// `ALTER TABLE table ADD CONSTRAINT name NOT NULL column [NO INHERIT] [NOT VALID]`.
    pub fn add_sql(&self, table: &QualName, column: &str) -> String {
        format!(
            "ALTER TABLE {table} ADD CONSTRAINT {} NOT NULL {}{}{}",
            Ident(&self.name),
            Ident(column),
            if self.no_inherit { " NO INHERIT" } else { "" },
            if self.not_valid { " NOT VALID" } else { "" },
        )
    }
}

/// The name PostgreSQL 18 gives the NOT NULL constraint of `column` of table `table`:
/// `<table>_<column>_not_null`, the longer of the two names shortened first until it
/// fits in 63 bytes (cut on a character boundary), as `makeObjectName` does.
pub fn not_null_name(table: &str, column: &str) -> String {
    const LABEL: &str = "not_null";
    let avail = 63 - (LABEL.len() + 2);
    let (mut a, mut b) = (table.len(), column.len());
    while a + b > avail {
        if a > b {
            a -= 1;
        } else {
            b -= 1;
        }
    }
    let clip = |s: &str, mut n: usize| {
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        s[..n].to_string()
    };
    format!("{}_{}_{LABEL}", clip(table, a), clip(column, b))
}

/// An identity column's generation rule and its sequence options.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// `ALWAYS` or `BY DEFAULT`.
    pub kind: IdentityKind,
    /// The options of the identity sequence (START, INCREMENT, ...).
    pub options: SequenceOptions,
}

/// `GENERATED ALWAYS` or `GENERATED BY DEFAULT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdentityKind {
    /// `GENERATED ALWAYS AS IDENTITY`.
    Always,
    /// `GENERATED BY DEFAULT AS IDENTITY`.
    ByDefault,
}

impl IdentityKind {
    /// The SQL words after `GENERATED`.
    pub fn sql(self) -> &'static str {
        match self {
            IdentityKind::Always => "ALWAYS",
            IdentityKind::ByDefault => "BY DEFAULT",
        }
    }
}

/// A table constraint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Constraint {
    /// The constraint's name.
    pub name: String,
    /// Primary key, unique, foreign key, check or exclusion.
    pub kind: ConstraintKind,
    /// The definition as `pg_get_constraintdef` spells it, without ` NOT VALID`:
    /// `FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE`.
    pub definition: String,
    /// False for a `NOT VALID` constraint that has not been validated yet.
    pub validated: bool,
    /// For a foreign key, the referenced table.
    pub references: Option<QualName>,
    /// `COMMENT ON CONSTRAINT`.
    pub comment: Option<String>,
    /// Columns, indexes, functions and tables the constraint depends on.
    pub deps: Deps,
}

/// The kinds of table constraint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConstraintKind {
    /// `PRIMARY KEY`.
    PrimaryKey,
    /// `UNIQUE`.
    Unique,
    /// `CHECK`.
    Check,
    /// `EXCLUDE`.
    Exclusion,
    /// `FOREIGN KEY`.
    ForeignKey,
}

impl ConstraintKind {
    /// Whether PostgreSQL builds an index for the constraint (named like it, a
    /// relation of its schema).
    pub fn has_index(self) -> bool {
        matches!(
            self,
            ConstraintKind::PrimaryKey | ConstraintKind::Unique | ConstraintKind::Exclusion
        )
    }
}

/// An index not owned by a constraint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    /// The index's qualified name (same schema as its table).
    pub name: QualName,
    /// The table or materialized view it indexes.
    pub table: QualName,
    /// The definition as `pg_get_indexdef` spells it:
    /// `CREATE UNIQUE INDEX users_lower_idx ON public.users USING btree (lower(email))`.
    pub definition: String,
    /// False for an index left invalid by a failed concurrent build.
    pub valid: bool,
    /// `COMMENT ON INDEX`.
    pub comment: Option<String>,
    /// Columns and functions the index depends on.
    pub deps: Deps,
}

impl Index {
    /// What follows the table in the definition: method, keys, options, predicate
    /// (` USING btree (lower(email)) WHERE ...`), the same for a partitioned table's
    /// index and its partitions' copies.
    pub fn body(&self) -> Option<&str> {
        self.definition
            .find(" USING ")
            .map(|at| &self.definition[at..])
    }

    /// How it indexes, whatever its name and table: whether it is unique, and its
    /// [`Index::body`].
    pub fn shape(&self) -> (bool, Option<&str>) {
        (self.definition.starts_with("CREATE UNIQUE "), self.body())
    }

    /// Whether the two index the same way, whatever their names and tables: same
    /// [`Index::shape`] (what `ATTACH PARTITION` requires).
    pub fn same_shape(&self, other: &Index) -> bool {
        self.shape() == other.shape()
    }
}

/// A trigger on a table or view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    /// The table or view the trigger is on.
    pub table: QualName,
    /// The trigger's name.
    pub name: String,
    /// The definition as `pg_get_triggerdef` spells it (`CREATE TRIGGER ...`).
    pub definition: String,
    /// Whether and when the trigger fires.
    pub enabled: TriggerEnabled,
    /// True for `CREATE CONSTRAINT TRIGGER` (cannot be replaced in place).
    pub constraint: bool,
    /// `COMMENT ON TRIGGER`.
    pub comment: Option<String>,
    /// The trigger function, columns in WHEN, ...
    pub deps: Deps,
}

/// A rewrite rule on a table or view (`CREATE RULE`), other than a view's own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// The table or view the rule is on.
    pub table: QualName,
    /// The rule's name.
    pub name: String,
    /// The definition: `pg_get_ruledef`'s text, or offline the statement as the
    /// interpreter normalizes it (`CREATE RULE ...`, no semicolon).
    pub definition: String,
    /// `ALTER TABLE ... ENABLE | DISABLE | ENABLE REPLICA | ENABLE ALWAYS RULE`.
    pub enabled: TriggerEnabled,
    /// `COMMENT ON RULE`.
    pub comment: Option<String>,
    /// The relations and functions its condition and actions use.
    pub deps: Deps,
}

/// `pg_trigger.tgenabled`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TriggerEnabled {
    /// Fires in "origin" and "local" replication roles (the default).
    Origin,
    /// `DISABLE TRIGGER`.
    Disabled,
    /// `ENABLE REPLICA TRIGGER`.
    Replica,
    /// `ENABLE ALWAYS TRIGGER`.
    Always,
}

/// Role specifications that name the role running the statement. Only a server knows
/// which role that is, so offline catalogs keep them as these words (uppercase, which a
/// role name could only be when quoted) and the renderer writes them unquoted.
pub const ROLE_KEYWORDS: [&str; 3] = ["CURRENT_ROLE", "CURRENT_USER", "SESSION_USER"];

/// A row level security policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// The policy's name.
    pub name: String,
    /// `AS PERMISSIVE` (true) or `AS RESTRICTIVE`.
    pub permissive: bool,
    /// `ALL`, `SELECT`, `INSERT`, `UPDATE` or `DELETE`.
    pub command: String,
    /// Roles the policy applies to, sorted; `public` for everyone. Offline catalogs
    /// keep `CURRENT_USER`, `CURRENT_ROLE` and `SESSION_USER` as written (see
    /// [`ROLE_KEYWORDS`]); a server resolves them to the role's name.
    pub roles: Vec<String>,
    /// `USING (...)`.
    pub using: Option<String>,
    /// `WITH CHECK (...)`.
    pub with_check: Option<String>,
    /// `COMMENT ON POLICY`.
    pub comment: Option<String>,
    /// Tables and functions its expressions reference.
    pub deps: Deps,
}

/// A default as the operand of `DEFAULT` in `CREATE TABLE`, `ADD COLUMN` and `CREATE
/// DOMAIN`, where the grammar takes only a `b_expr`: an expression with a top-level
/// `AT TIME ZONE`, `COLLATE`, `IS`, `AND`, a comparison or another operator goes in
/// parentheses (`DEFAULT (now() AT TIME ZONE 'utc')`). PostgreSQL prints such defaults
/// parenthesized itself; an expression read offline may not be.
pub fn default_operand(expr: &str) -> String {
    const WORDS: &[&str] = &[
        "AT", "COLLATE", "IS", "AND", "OR", "NOT", "LIKE", "ILIKE", "SIMILAR", "BETWEEN", "IN",
        "ISNULL", "NOTNULL", "OVERLAPS",
    ];
    let bytes = expr.as_bytes();
    for (i, _, _) in super::unquoted(expr).filter(|&(_, c, d)| c == ' ' && d == 0) {
        let word: String = expr[i + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect::<String>()
            .to_ascii_uppercase();
        let operator = bytes
            .get(i + 1)
            .is_some_and(|b| !b.is_ascii_alphanumeric() && *b != b'_' && *b != b'"');
        if operator || WORDS.contains(&word.as_str()) {
            return format!("({expr})");
        }
    }
    expr.to_string()
}

//! The changes a diff produces: one enum, named verb + object. A change is plain data:
//! it can be listed, tested, ordered and linted without rendering SQL. Each variant's doc
//! shows the SQL it renders.

use std::sync::Arc;

use crate::model::{DefaultAclKey, ForeignGrant};
use serde::Serialize;

use crate::model::{
    Cast, Collation, Column, Constraint, EventTrigger, Extension, ForeignDataWrapper,
    ForeignServer, Function, Index, ObjectId, Operator, PartitionOf, Policy, Privileges,
    Publication, QualName, ReplicaIdentity, Rule, Schema, Sequence, Statistics, Table,
    TextSearchConfiguration, TextSearchDictionary, Trigger, Type, View,
};

/// One change between two catalogs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "kebab-case")]
#[allow(
    clippy::large_enum_variant,
    reason = "a plan holds tens of changes, not millions; boxing the column and table changes would add a Box to every pattern that reads them"
)]
pub enum Change {
    /// `CREATE SCHEMA s`
    CreateSchema(Schema),
    /// `DROP SCHEMA s`
    DropSchema(Schema),
    /// `CREATE EXTENSION e WITH SCHEMA s`
    CreateExtension(Extension),
    /// `DROP EXTENSION e`
    DropExtension(Extension),
    /// `ALTER EXTENSION e UPDATE TO 'v'` / `ALTER EXTENSION e SET SCHEMA s`
    AlterExtension {
        /// Before.
        from: Extension,
        /// After.
        to: Extension,
    },
    /// `CREATE COLLATION c (provider = icu, locale = '...')`
    CreateCollation(Collation),
    /// `DROP COLLATION c`. A collation cannot be altered: a changed one is dropped and
    /// created again.
    DropCollation(Collation),
    /// `ALTER COLLATION c RENAME TO c__old`: sets a collation aside so a changed one can
    /// take its name while the columns using it are moved over (`ALTER COLUMN ... TYPE
    /// ... COLLATE c`). The renamed collation is dropped by a later `DropCollation`.
    RenameCollation {
        /// The collation as it is before the rename.
        from: Collation,
        /// The name it is renamed to.
        to: QualName,
    },
    /// `CREATE STATISTICS s (kinds) ON a, b FROM t`
    CreateStatistics(Statistics),
    /// `DROP STATISTICS s`
    DropStatistics(Statistics),
    /// `ALTER STATISTICS s SET STATISTICS n`
    AlterStatistics {
        /// Before.
        from: Statistics,
        /// After.
        to: Statistics,
    },
    /// `CREATE PUBLICATION p FOR TABLE ... WITH (...)`
    CreatePublication(Publication),
    /// `DROP PUBLICATION p`
    DropPublication(Publication),
    /// `ALTER PUBLICATION p ADD/DROP TABLE ..., SET (...)`
    AlterPublication {
        /// Before (without the tables this plan drops, which leave it with them).
        from: Publication,
        /// After.
        to: Publication,
    },
    /// `CREATE EVENT TRIGGER e ON ddl_command_end ... EXECUTE FUNCTION f()`
    CreateEventTrigger(EventTrigger),
    /// `DROP EVENT TRIGGER e`
    DropEventTrigger(EventTrigger),
    /// `ALTER EVENT TRIGGER e ENABLE | DISABLE | ENABLE REPLICA | ENABLE ALWAYS`
    AlterEventTrigger {
        /// Before.
        from: EventTrigger,
        /// After.
        to: EventTrigger,
    },
    /// `CREATE TEXT SEARCH DICTIONARY d (TEMPLATE = ..., ...)`
    CreateTextSearchDictionary(TextSearchDictionary),
    /// `DROP TEXT SEARCH DICTIONARY d`
    DropTextSearchDictionary(TextSearchDictionary),
    /// `ALTER TEXT SEARCH DICTIONARY d (option = value, removed_option)`
    AlterTextSearchDictionary {
        /// Before.
        from: TextSearchDictionary,
        /// After.
        to: TextSearchDictionary,
    },
    /// `CREATE TEXT SEARCH CONFIGURATION c (PARSER = p)` and its mappings
    CreateTextSearchConfiguration(TextSearchConfiguration),
    /// `DROP TEXT SEARCH CONFIGURATION c`
    DropTextSearchConfiguration(TextSearchConfiguration),
    /// `ALTER TEXT SEARCH CONFIGURATION c {ADD|ALTER|DROP} MAPPING FOR ...`
    AlterTextSearchConfiguration {
        /// Before.
        from: TextSearchConfiguration,
        /// After.
        to: TextSearchConfiguration,
    },
    /// `CREATE OPERATOR s.op (LEFTARG = ..., RIGHTARG = ..., FUNCTION = ...)`
    CreateOperator(Operator),
    /// `DROP OPERATOR s.op (left, right)`. A changed operator is dropped and created
    /// again.
    DropOperator(Operator),
    /// `CREATE FOREIGN DATA WRAPPER w [HANDLER h] [VALIDATOR v] [OPTIONS (...)]`
    CreateForeignDataWrapper(ForeignDataWrapper),
    /// `DROP FOREIGN DATA WRAPPER w`
    DropForeignDataWrapper(ForeignDataWrapper),
    /// `ALTER FOREIGN DATA WRAPPER w HANDLER h VALIDATOR v OPTIONS (ADD ..., SET ...,
    /// DROP ...)`
    AlterForeignDataWrapper {
        /// Before.
        from: ForeignDataWrapper,
        /// After.
        to: ForeignDataWrapper,
    },
    /// `CREATE SERVER s ... FOREIGN DATA WRAPPER w OPTIONS (...)`, then `CREATE USER
    /// MAPPING FOR u SERVER s OPTIONS (...)` for each of its mappings
    CreateServer(ForeignServer),
    /// `DROP USER MAPPING FOR u SERVER s` for each of its mappings, then `DROP SERVER s`
    DropServer(ForeignServer),
    /// `ALTER SERVER s VERSION '...' OPTIONS (...)`, and its user mappings created,
    /// altered (`ALTER USER MAPPING ... OPTIONS (...)`) or dropped
    AlterServer {
        /// Before.
        from: ForeignServer,
        /// After.
        to: ForeignServer,
    },
    /// `CREATE RULE r AS ON ... TO t DO ...`
    CreateRule(Rule),
    /// `DROP RULE r ON t`
    DropRule(Rule),
    /// `ALTER TABLE t ENABLE | DISABLE | ENABLE REPLICA | ENABLE ALWAYS RULE r`
    AlterRule {
        /// Before.
        from: Rule,
        /// After.
        to: Rule,
    },
    /// `CREATE CAST (a AS b) WITH FUNCTION f(a) AS ASSIGNMENT`
    CreateCast(Cast),
    /// `DROP CAST (a AS b)`. A cast cannot be altered: a changed one is dropped and
    /// created again.
    DropCast(Cast),
    /// `CREATE TYPE t AS ENUM (...)`, `CREATE DOMAIN t AS ...`, `CREATE TYPE t AS (...)`
    CreateType(Type),
    /// `DROP TYPE t` / `DROP DOMAIN t`
    DropType(Type),
    /// `ALTER TYPE t RENAME TO t__old`: sets a type aside so a new one can take its name
    /// while columns are converted (enum labels removed or reordered, domain base
    /// changed). The renamed type is dropped by a later `DropType`.
    RenameType {
        /// The type as it is before the rename.
        from: Type,
        /// The name it is renamed to.
        to: QualName,
    },
    /// `ALTER TABLE t RENAME TO u`, `ALTER TABLE t RENAME COLUMN a TO b`, `ALTER INDEX i
    /// RENAME TO j`, `ALTER TABLE t RENAME CONSTRAINT c TO d`, `ALTER TYPE t RENAME TO
    /// u`: from a rename hint in the desired schema (renames are never guessed).
    Rename {
        /// The object as it is named before.
        object: ObjectId,
        /// Its new name (in the same schema, table or type).
        new_name: String,
    },
    /// `ALTER TYPE t RENAME VALUE 'a' TO 'b'`: from a rename hint.
    RenameEnumValue {
        /// The enum type.
        type_name: QualName,
        /// The label before.
        from: String,
        /// The label after.
        to: String,
    },
    /// `ALTER TYPE t ADD VALUE 'label' BEFORE|AFTER 'neighbour'`
    CreateEnumValue {
        /// The enum type.
        type_name: QualName,
        /// The new label.
        label: String,
        /// Where it goes.
        position: EnumPosition,
        /// Its place among the labels added to this type (keeps them in order).
        seq: usize,
    },
    /// `ALTER DOMAIN t SET DEFAULT ... | DROP NOT NULL | ADD CONSTRAINT ... | ...`
    AlterDomain {
        /// The domain before.
        from: Type,
        /// The domain after.
        to: Type,
        /// Which aspect changes.
        what: DomainChange,
    },
    /// `ALTER TYPE t ADD ATTRIBUTE a int | DROP ATTRIBUTE a | ALTER ATTRIBUTE a TYPE int`
    AlterCompositeType {
        /// The type before.
        from: Type,
        /// The type after.
        to: Type,
    },
    /// `CREATE SEQUENCE s AS integer START WITH ...`
    CreateSequence(Sequence),
    /// `DROP SEQUENCE s`
    DropSequence(Sequence),
    /// `ALTER SEQUENCE s AS bigint INCREMENT BY ... OWNED BY t.c`
    AlterSequence {
        /// Before.
        from: Sequence,
        /// After.
        to: Sequence,
    },
    /// `CREATE TABLE t (...)` with its columns and the constraints listed in `inline`.
    CreateTable {
        /// The table as desired.
        table: Arc<Table>,
        /// Names of the table's constraints written inside `CREATE TABLE`; the others
        /// are separate `CreateConstraint` changes (NOT VALID ones, foreign keys that
        /// close a cycle).
        inline: Vec<String>,
    },
    /// `DROP TABLE t`
    DropTable(Arc<Table>),
    /// `ALTER TABLE t ENABLE ROW LEVEL SECURITY | SET UNLOGGED | SET (fillfactor=70) |
    /// INHERIT p | ...`
    AlterTable {
        /// Before.
        from: Arc<Table>,
        /// After.
        to: Arc<Table>,
        /// Which aspect changes.
        what: TableChange,
    },
    /// `ALTER TABLE ONLY t REPLICA IDENTITY {DEFAULT | FULL | NOTHING | USING INDEX i}`.
    /// A step of its own, not a [`TableChange`]: `USING INDEX` needs the index built
    /// first, and a table losing its identity index (or dropped) reverts to `DEFAULT`
    /// before that index goes, so that the down section restores it after the index.
    AlterReplicaIdentity {
        /// The table.
        table: QualName,
        /// Before.
        from: ReplicaIdentity,
        /// After.
        to: ReplicaIdentity,
    },
    /// `ALTER TABLE p ATTACH PARTITION t FOR VALUES ...`
    AttachPartition {
        /// The partition as desired (its columns must be in place first).
        table: Arc<Table>,
        /// Parent and bound.
        of: PartitionOf,
    },
    /// `ALTER TABLE p DETACH PARTITION t`
    DetachPartition {
        /// The partition as it was.
        table: Arc<Table>,
        /// Parent and bound it had.
        of: PartitionOf,
    },
    /// `ALTER TABLE t ADD COLUMN c type ...`
    CreateColumn {
        /// The table.
        table: QualName,
        /// The new column.
        column: Column,
    },
    /// `ALTER TABLE t DROP COLUMN c`
    DropColumn {
        /// The table.
        table: QualName,
        /// The column as it was.
        column: Column,
    },
    /// `ALTER TABLE t ALTER COLUMN c TYPE ... | SET DEFAULT ... | SET NOT NULL | ...`
    AlterColumn {
        /// The table.
        table: QualName,
        /// The column before.
        from: Column,
        /// The column after.
        to: Column,
        /// Which aspect changes.
        what: ColumnChange,
    },
    /// `ALTER TABLE t ADD CONSTRAINT c ...`
    CreateConstraint {
        /// The table.
        table: QualName,
        /// The constraint.
        constraint: Constraint,
    },
    /// `ALTER TABLE t DROP CONSTRAINT c`
    DropConstraint {
        /// The table.
        table: QualName,
        /// The constraint as it was.
        constraint: Constraint,
    },
    /// `ALTER TABLE t VALIDATE CONSTRAINT c`
    ValidateConstraint {
        /// The table.
        table: QualName,
        /// The constraint.
        constraint: Constraint,
    },
    /// `CREATE INDEX i ON t ...`
    CreateIndex(Index),
    /// `DROP INDEX i`
    DropIndex(Index),
    /// `CREATE VIEW v AS ...` / `CREATE MATERIALIZED VIEW v AS ...`
    CreateView(View),
    /// `DROP VIEW v` / `DROP MATERIALIZED VIEW v`
    DropView(View),
    /// `CREATE OR REPLACE VIEW v AS ...` (same leading columns, maybe new ones at the end)
    ReplaceView {
        /// Before.
        from: View,
        /// After.
        to: View,
    },
    /// `CREATE FUNCTION f(...) ...` / `CREATE PROCEDURE ...`
    CreateFunction(Function),
    /// `DROP FUNCTION f(args)`
    DropFunction(Function),
    /// `CREATE OR REPLACE FUNCTION f(...) ...` (same arguments and result type)
    ReplaceFunction {
        /// Before.
        from: Function,
        /// After.
        to: Function,
    },
    /// `CREATE TRIGGER g ... ON t ...`
    CreateTrigger(Trigger),
    /// `DROP TRIGGER g ON t`
    DropTrigger(Trigger),
    /// `CREATE OR REPLACE TRIGGER g ... ON t ...`
    ReplaceTrigger {
        /// Before.
        from: Trigger,
        /// After.
        to: Trigger,
    },
    /// `ALTER TABLE t ENABLE|DISABLE [REPLICA|ALWAYS] TRIGGER g`
    AlterTrigger {
        /// Before.
        from: Trigger,
        /// After.
        to: Trigger,
    },
    /// `CREATE POLICY p ON t ...`
    CreatePolicy {
        /// The table.
        table: QualName,
        /// The policy.
        policy: Policy,
    },
    /// `DROP POLICY p ON t`
    DropPolicy {
        /// The table.
        table: QualName,
        /// The policy as it was.
        policy: Policy,
    },
    /// `ALTER POLICY p ON t TO ... USING (...) WITH CHECK (...)`
    AlterPolicy {
        /// The table.
        table: QualName,
        /// Before.
        from: Policy,
        /// After.
        to: Policy,
    },
    /// `REVOKE [GRANT OPTION FOR] SELECT ON TABLE t FROM r` / `GRANT SELECT, INSERT ON
    /// TABLE t TO r [WITH GRANT OPTION]` (`SELECT (c)` for a column): an object's
    /// privileges beyond its owner's go from `from` to `to`.
    AlterPrivileges {
        /// The object (a column for column privileges).
        object: ObjectId,
        /// How `GRANT ... ON` names it: `TABLE public.t`, `FUNCTION public.f(a integer)`.
        on: String,
        /// The column, for column privileges.
        column: Option<String>,
        /// Before.
        from: Privileges,
        /// After.
        to: Privileges,
        /// Around what: an object that stays, one dropped next, one just created.
        phase: PrivilegePhase,
        /// Whether roles end the plan with less access to the object than they had
        /// (hazard `authz`): a revoke on an object that stays, or, for one dropped and
        /// created again, what is revoked before the drop and not granted again.
        authz: bool,
        /// Grants this change takes away that another role than the owner made: only
        /// their grantor's `REVOKE` removes them, so each is revoked as its grantor
        /// (`SET ROLE`).
        foreign: Vec<ForeignGrant>,
    },
    /// `ALTER DEFAULT PRIVILEGES [FOR ROLE r] [IN SCHEMA s] GRANT|REVOKE ... ON TABLES
    /// ...`: what objects created from then on get. Runs before every creation, so the
    /// objects a plan creates get the desired defaults.
    AlterDefaultPrivileges {
        /// Whose objects, where, of what kind.
        key: DefaultAclKey,
        /// The grants before (the key's baseline when none were set).
        from: Privileges,
        /// The grants after.
        to: Privileges,
        /// Whether objects created from then on get less than before (hazard `authz`).
        authz: bool,
    },
    /// `ALTER VIEW public.v OWNER TO r` (`OWNER TO CURRENT_USER` when `to` is `None`):
    /// an object's owner. Emitted around an object a plan drops: handed to the role
    /// running the plan just before the drop, so that the down section, which creates
    /// it again, gives it back after; and given back to its owner right after it is
    /// created again.
    AlterOwner {
        /// The object.
        object: ObjectId,
        /// How `ALTER ... OWNER TO` names it: `VIEW public.v`, `FUNCTION public.f(a
        /// integer)`, `SCHEMA s`.
        on: String,
        /// The owner before (`None`: the role running the plan).
        from: Option<String>,
        /// The owner after (`None`: the role running the plan).
        to: Option<String>,
        /// Around what: an object that stays, one dropped next, one just created.
        phase: PrivilegePhase,
    },
    /// `COMMENT ON <object> IS '...'` / `IS NULL`, for an object that exists on both
    /// sides (a created object carries its comment in its create step).
    AlterComment {
        /// The object.
        object: ObjectId,
        /// How `COMMENT ON` names its kind: `TABLE`, `COLUMN`, `FUNCTION`, ...
        target: CommentTarget,
        /// The comment before.
        from: Option<String>,
        /// The comment after.
        to: Option<String>,
    },
}

/// When an [`Change::AlterPrivileges`] or [`Change::AlterOwner`] runs, relative to its object's life in the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrivilegePhase {
    /// On an object that exists before and after: roles may gain or lose access.
    InPlace,
    /// Just before the object is dropped: its privileges are revoked first, so that
    /// the down section, which creates it again, grants them again after.
    BeforeDrop,
    /// Just after the object is created (or created again): from PostgreSQL's default
    /// for a new object to what it should have.
    AfterCreate,
}

/// Where `ALTER TYPE ... ADD VALUE` puts a new label.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EnumPosition {
    /// At the end (no clause).
    End,
    /// `BEFORE 'label'`
    Before(String),
    /// `AFTER 'label'`
    After(String),
}

/// The aspect of a domain that an `AlterDomain` changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DomainChange {
    /// `SET DEFAULT ...` / `DROP DEFAULT`
    Default,
    /// `SET NOT NULL` / `DROP NOT NULL`
    NotNull,
    /// `ADD CONSTRAINT name CHECK (...)`
    CreateCheck(String),
    /// `DROP CONSTRAINT name`
    DropCheck(String),
    /// `VALIDATE CONSTRAINT name`
    ValidateCheck(String),
}

/// The aspect of a table that an `AlterTable` changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TableChange {
    /// `ENABLE` / `DISABLE ROW LEVEL SECURITY`
    RowLevelSecurity,
    /// `FORCE` / `NO FORCE ROW LEVEL SECURITY`
    ForceRowLevelSecurity,
    /// `SET LOGGED` / `SET UNLOGGED`
    Logged,
    /// `SET (...)` / `RESET (...)`
    Options,
    /// `INHERIT parent`
    Inherit(QualName),
    /// `NO INHERIT parent`
    NoInherit(QualName),
}

/// The aspect of a column that an `AlterColumn` changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ColumnChange {
    /// `TYPE new [COLLATE c] [USING expr]`, the default dropped before and set after
    /// when the column has one.
    Type {
        /// The `USING` expression when PostgreSQL has no implicit or assignment cast.
        using: Option<String>,
    },
    /// `SET DEFAULT ...` / `DROP DEFAULT`
    Default,
    /// `SET NOT NULL` / `DROP NOT NULL` (PostgreSQL 18: `ADD CONSTRAINT name NOT NULL
    /// col`, `DROP CONSTRAINT name` where the constraint is named or not valid)
    NotNull,
    /// The NOT NULL constraint of a column that stays NOT NULL changes its name
    /// (`RENAME CONSTRAINT`), is validated (`VALIDATE CONSTRAINT`), or else is dropped and
    /// added again (PostgreSQL 18).
    NotNullConstraint,
    /// `ADD GENERATED ... AS IDENTITY` / `DROP IDENTITY` / `SET GENERATED ...` /
    /// `SET INCREMENT BY ...`
    Identity,
    /// `DROP EXPRESSION`: a generated column becomes a plain one, keeping its values.
    DropExpression,
}

/// How `COMMENT ON` names an object's kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommentTarget {
    /// `SCHEMA`
    Schema,
    /// `EXTENSION`
    Extension,
    /// `TYPE`
    Type,
    /// `DOMAIN`
    Domain,
    /// `SEQUENCE`
    Sequence,
    /// `TABLE`
    Table,
    /// `COLUMN`
    Column,
    /// `CONSTRAINT ... ON`
    Constraint,
    /// `INDEX`
    Index,
    /// `VIEW`
    View,
    /// `MATERIALIZED VIEW`
    MaterializedView,
    /// `FUNCTION`
    Function,
    /// `PROCEDURE`
    Procedure,
    /// `TRIGGER ... ON`
    Trigger,
    /// `POLICY ... ON`
    Policy,
    /// `COLLATION`
    Collation,
    /// `STATISTICS`
    Statistics,
    /// `PUBLICATION`
    Publication,
    /// `EVENT TRIGGER`
    EventTrigger,
    /// `AGGREGATE`
    Aggregate,
    /// `TEXT SEARCH DICTIONARY`
    TextSearchDictionary,
    /// `TEXT SEARCH CONFIGURATION`
    TextSearchConfiguration,
    /// `CAST`
    Cast,
    /// `RULE ... ON`
    Rule,
    /// `OPERATOR`
    Operator,
    /// `FOREIGN DATA WRAPPER`
    ForeignDataWrapper,
    /// `SERVER`
    Server,
    /// `FOREIGN TABLE`
    ForeignTable,
}

impl Change {
    /// The change's kind in kebab-case, as JSON and plan comments name it
    /// (`create-table`, `alter-column`).
    pub fn kind(&self) -> &'static str {
        match self {
            Change::CreateSchema(_) => "create-schema",
            Change::DropSchema(_) => "drop-schema",
            Change::CreateExtension(_) => "create-extension",
            Change::DropExtension(_) => "drop-extension",
            Change::AlterExtension { .. } => "alter-extension",
            Change::CreateCollation(_) => "create-collation",
            Change::DropCollation(_) => "drop-collation",
            Change::RenameCollation { .. } => "rename-collation",
            Change::CreateStatistics(_) => "create-statistics",
            Change::DropStatistics(_) => "drop-statistics",
            Change::AlterStatistics { .. } => "alter-statistics",
            Change::CreatePublication(_) => "create-publication",
            Change::DropPublication(_) => "drop-publication",
            Change::AlterPublication { .. } => "alter-publication",
            Change::CreateEventTrigger(_) => "create-event-trigger",
            Change::DropEventTrigger(_) => "drop-event-trigger",
            Change::AlterEventTrigger { .. } => "alter-event-trigger",
            Change::CreateOperator(_) => "create-operator",
            Change::CreateForeignDataWrapper(_) => "create-foreign-data-wrapper",
            Change::DropForeignDataWrapper(_) => "drop-foreign-data-wrapper",
            Change::AlterForeignDataWrapper { .. } => "alter-foreign-data-wrapper",
            Change::CreateServer(_) => "create-server",
            Change::DropServer(_) => "drop-server",
            Change::AlterServer { .. } => "alter-server",
            Change::DropOperator(_) => "drop-operator",
            Change::CreateRule(_) => "create-rule",
            Change::DropRule(_) => "drop-rule",
            Change::AlterRule { .. } => "alter-rule",
            Change::CreateCast(_) => "create-cast",
            Change::DropCast(_) => "drop-cast",
            Change::CreateTextSearchDictionary(_) => "create-text-search-dictionary",
            Change::DropTextSearchDictionary(_) => "drop-text-search-dictionary",
            Change::AlterTextSearchDictionary { .. } => "alter-text-search-dictionary",
            Change::CreateTextSearchConfiguration(_) => "create-text-search-configuration",
            Change::DropTextSearchConfiguration(_) => "drop-text-search-configuration",
            Change::AlterTextSearchConfiguration { .. } => "alter-text-search-configuration",
            Change::CreateType(_) => "create-type",
            Change::DropType(_) => "drop-type",
            Change::RenameType { .. } => "rename-type",
            Change::Rename { .. } => "rename",
            Change::RenameEnumValue { .. } => "rename-enum-value",
            Change::CreateEnumValue { .. } => "create-enum-value",
            Change::AlterDomain { .. } => "alter-domain",
            Change::AlterCompositeType { .. } => "alter-composite-type",
            Change::CreateSequence(_) => "create-sequence",
            Change::DropSequence(_) => "drop-sequence",
            Change::AlterSequence { .. } => "alter-sequence",
            Change::CreateTable { .. } => "create-table",
            Change::DropTable(_) => "drop-table",
            Change::AlterTable { .. } => "alter-table",
            Change::AlterReplicaIdentity { .. } => "alter-replica-identity",
            Change::AttachPartition { .. } => "attach-partition",
            Change::DetachPartition { .. } => "detach-partition",
            Change::CreateColumn { .. } => "create-column",
            Change::DropColumn { .. } => "drop-column",
            Change::AlterColumn { .. } => "alter-column",
            Change::CreateConstraint { .. } => "create-constraint",
            Change::DropConstraint { .. } => "drop-constraint",
            Change::ValidateConstraint { .. } => "validate-constraint",
            Change::CreateIndex(_) => "create-index",
            Change::DropIndex(_) => "drop-index",
            Change::CreateView(_) => "create-view",
            Change::DropView(_) => "drop-view",
            Change::ReplaceView { .. } => "replace-view",
            Change::CreateFunction(_) => "create-function",
            Change::DropFunction(_) => "drop-function",
            Change::ReplaceFunction { .. } => "replace-function",
            Change::CreateTrigger(_) => "create-trigger",
            Change::DropTrigger(_) => "drop-trigger",
            Change::ReplaceTrigger { .. } => "replace-trigger",
            Change::AlterTrigger { .. } => "alter-trigger",
            Change::CreatePolicy { .. } => "create-policy",
            Change::DropPolicy { .. } => "drop-policy",
            Change::AlterPolicy { .. } => "alter-policy",
            Change::AlterComment { .. } => "alter-comment",
            Change::AlterPrivileges { .. } => "alter-privileges",
            Change::AlterDefaultPrivileges { .. } => "alter-default-privileges",
            Change::AlterOwner { .. } => "alter-owner",
        }
    }

    /// The object the change is about.
    pub fn object(&self) -> ObjectId {
        match self {
            Change::CreateSchema(s) | Change::DropSchema(s) => ObjectId::Schema(s.name.clone()),
            Change::CreateExtension(e) | Change::DropExtension(e) => {
                ObjectId::Extension(e.name.clone())
            }
            Change::AlterExtension { to, .. } => ObjectId::Extension(to.name.clone()),
            Change::CreateCollation(c)
            | Change::DropCollation(c)
            | Change::RenameCollation { from: c, .. } => ObjectId::Collation(c.name.clone()),
            Change::CreateStatistics(s)
            | Change::DropStatistics(s)
            | Change::AlterStatistics { to: s, .. } => ObjectId::Statistics(s.name.clone()),
            Change::CreatePublication(p)
            | Change::DropPublication(p)
            | Change::AlterPublication { to: p, .. } => ObjectId::Publication(p.name.clone()),
            Change::CreateEventTrigger(x)
            | Change::DropEventTrigger(x)
            | Change::AlterEventTrigger { to: x, .. } => ObjectId::EventTrigger(x.name.clone()),
            Change::CreateCast(c) | Change::DropCast(c) => ObjectId::Cast(c.signature()),
            Change::CreateOperator(o) | Change::DropOperator(o) => {
                ObjectId::Operator(o.signature())
            }
            Change::CreateForeignDataWrapper(w)
            | Change::DropForeignDataWrapper(w)
            | Change::AlterForeignDataWrapper { to: w, .. } => {
                ObjectId::ForeignDataWrapper(w.name.clone())
            }
            Change::CreateServer(v) | Change::DropServer(v) | Change::AlterServer { to: v, .. } => {
                ObjectId::ForeignServer(v.name.clone())
            }
            Change::CreateRule(r) | Change::DropRule(r) | Change::AlterRule { to: r, .. } => {
                ObjectId::Rule(r.table.clone(), r.name.clone())
            }
            Change::CreateTextSearchDictionary(x)
            | Change::DropTextSearchDictionary(x)
            | Change::AlterTextSearchDictionary { to: x, .. } => {
                ObjectId::TextSearchDictionary(x.name.clone())
            }
            Change::CreateTextSearchConfiguration(x)
            | Change::DropTextSearchConfiguration(x)
            | Change::AlterTextSearchConfiguration { to: x, .. } => {
                ObjectId::TextSearchConfiguration(x.name.clone())
            }
            Change::CreateType(t) | Change::DropType(t) => ObjectId::Type(t.name.clone()),
            Change::RenameType { from, .. } => ObjectId::Type(from.name.clone()),
            Change::Rename { object, .. } => object.clone(),
            Change::RenameEnumValue { type_name, .. } => ObjectId::Type(type_name.clone()),
            Change::CreateEnumValue { type_name, .. } => ObjectId::Type(type_name.clone()),
            Change::AlterDomain { to, .. } | Change::AlterCompositeType { to, .. } => {
                ObjectId::Type(to.name.clone())
            }
            Change::CreateSequence(s) | Change::DropSequence(s) => {
                ObjectId::Sequence(s.name.clone())
            }
            Change::AlterSequence { to, .. } => ObjectId::Sequence(to.name.clone()),
            Change::CreateTable { table, .. } | Change::DropTable(table) => {
                ObjectId::Table(table.name.clone())
            }
            Change::AlterTable { to, .. } => ObjectId::Table(to.name.clone()),
            Change::AlterReplicaIdentity { table, .. } => ObjectId::Table(table.clone()),
            Change::AttachPartition { table, .. } | Change::DetachPartition { table, .. } => {
                ObjectId::Table(table.name.clone())
            }
            Change::CreateColumn { table, column } | Change::DropColumn { table, column } => {
                ObjectId::Column(table.clone(), column.name.clone())
            }
            Change::AlterColumn { table, to, .. } => {
                ObjectId::Column(table.clone(), to.name.clone())
            }
            Change::CreateConstraint { table, constraint }
            | Change::DropConstraint { table, constraint }
            | Change::ValidateConstraint { table, constraint } => {
                ObjectId::Constraint(table.clone(), constraint.name.clone())
            }
            Change::CreateIndex(i) | Change::DropIndex(i) => ObjectId::Index(i.name.clone()),
            Change::CreateView(v) | Change::DropView(v) => ObjectId::View(v.name.clone()),
            Change::ReplaceView { to, .. } => ObjectId::View(to.name.clone()),
            Change::CreateFunction(f) | Change::DropFunction(f) => {
                ObjectId::Function(f.key.clone())
            }
            Change::ReplaceFunction { to, .. } => ObjectId::Function(to.key.clone()),
            Change::CreateTrigger(t) | Change::DropTrigger(t) => {
                ObjectId::Trigger(t.table.clone(), t.name.clone())
            }
            Change::ReplaceTrigger { to, .. } | Change::AlterTrigger { to, .. } => {
                ObjectId::Trigger(to.table.clone(), to.name.clone())
            }
            Change::CreatePolicy { table, policy } | Change::DropPolicy { table, policy } => {
                ObjectId::Policy(table.clone(), policy.name.clone())
            }
            Change::AlterPolicy { table, to, .. } => {
                ObjectId::Policy(table.clone(), to.name.clone())
            }
            Change::AlterComment { object, .. }
            | Change::AlterPrivileges { object, .. }
            | Change::AlterOwner { object, .. } => object.clone(),
            Change::AlterDefaultPrivileges { key, .. } => ObjectId::DefaultPrivileges(key.clone()),
        }
    }

    /// Whether the change removes its object (a drop, or the first half of a recreate).
    pub fn is_drop(&self) -> bool {
        matches!(
            self,
            Change::DropSchema(_)
                | Change::DropExtension(_)
                | Change::DropCollation(_)
                | Change::RenameCollation { .. }
                | Change::DropStatistics(_)
                | Change::DropPublication(_)
                | Change::DropEventTrigger(_)
                | Change::DropTextSearchDictionary(_)
                | Change::DropCast(_)
                | Change::DropRule(_)
                | Change::DropOperator(_)
                | Change::DropForeignDataWrapper(_)
                | Change::DropServer(_)
                | Change::DropTextSearchConfiguration(_)
                | Change::DropType(_)
                | Change::RenameType { .. }
                | Change::DropSequence(_)
                | Change::DropTable(_)
                | Change::DropColumn { .. }
                | Change::DropConstraint { .. }
                | Change::DropIndex(_)
                | Change::DropView(_)
                | Change::DropFunction(_)
                | Change::DropTrigger(_)
                | Change::DropPolicy { .. }
                | Change::DetachPartition { .. }
        )
    }
}

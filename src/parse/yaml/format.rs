//! The YAML format: serde types for one desired-state file.
//!
//! Every struct denies unknown keys, so a typo is an error rather than a silently
//! ignored setting. Many values have a short form beside the full map ([`Spec`]): a
//! column as `email: text not null unique`, a primary key as `[id]`, an index as
//! `[created_at]`. Object names are map keys, `schema.name` or a bare name (in the
//! file's `schema`, `public` by default); a part holding a dot or a double quote is
//! written in double quotes (`'"my.schema".users'`). Names are taken literally: `Users`
//! is the table `"Users"`, not `users` (unlike bare SQL identifiers).
//!
//! SQL appears where SQL is the clearest notation: types, expressions, queries and
//! function bodies are written as PostgreSQL spells them.
//!
//! Pure data: no I/O, nothing about SQL generation (that is `compile`).

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use indexmap::IndexMap;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// One YAML file of the desired schema.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a map of object kinds (tables, views, enums, ...)"
)]
pub struct File {
    /// The schema of names written without one (default `public`). SQL text in the
    /// file (types, expressions, queries) looks names up there first, then in `public`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Schemas (namespaces): `app:` or `app: {comment: ...}`. `public` exists already.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub schemas: Map<Option<SchemaSpec>>,
    /// Extensions: `citext:` or `citext: {schema: public, version: "1.6"}`.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub extensions: Map<Option<ExtensionSpec>>,
    /// Collations: `case_insensitive: {provider: icu, locale: und-u-ks-level2,
    /// deterministic: false}` or `bytewise: {locale: C}` (libc).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub collations: Map<CollationSpec>,
    /// Publications: `crm: {tables: {customers:, orders: {columns: [id, status]}},
    /// publish: [insert, update]}`.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub publications: Map<PublicationSpec>,
    /// Text search dictionaries: `english_nostop: {template: snowball, options:
    /// {language: english}}`.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub text_search_dictionaries: Map<TextSearchDictionarySpec>,
    /// Text search configurations: `app: {copy: english, mappings: {asciiword:
    /// [english_nostop]}}` or `{parser: default, mappings: {...}}`.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub text_search_configurations: Map<TextSearchConfigurationSpec>,
    /// Operators: `- {name: "===", left: integer, right: integer, function: int4eq}`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operators: Vec<OperatorSpec>,
    /// Casts: `- {source: integer, target: mood, function: mood_of(integer), context:
    /// assignment}`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub casts: Vec<CastSpec>,
    /// Foreign-data wrappers: `dummy:` or `{handler: h, validator: v, options: {...}}`.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub foreign_data_wrappers: Map<Option<ForeignDataWrapperSpec>>,
    /// Foreign servers with their user mappings: `archive: {wrapper: postgres_fdw,
    /// options: {host: db}, user_mappings: {PUBLIC: {user: reader}}}`.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub servers: Map<ServerSpec>,
    /// Event triggers: `audit_ddl: {on: ddl_command_end, tags: [CREATE TABLE],
    /// function: audit.log_ddl}`.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub event_triggers: Map<EventTriggerSpec>,
    /// Enum types: `mood: [happy, sad]` or `{values: [...], comment: ...}`.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub enums: Map<Spec<EnumSpec>>,
    /// Domains: `email: text` (the SQL after `AS`) or the full form.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub domains: Map<Spec<DomainSpec>>,
    /// Composite types.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub composites: Map<CompositeSpec>,
    /// Sequences that stand on their own: `counter:` or `{start: 100, ...}`.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub sequences: Map<Option<SequenceSpec>>,
    /// Tables, partitioned tables and partitions.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub tables: Map<TableSpec>,
    /// Views: `active_users: SELECT ...` or the full form.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub views: Map<Spec<ViewSpec>>,
    /// Materialized views, like views (they may have indexes).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub materialized_views: Map<Spec<ViewSpec>>,
    /// Functions, keyed `name` or `name(argument types)` for overloads.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub functions: Map<FunctionSpec>,
    /// Procedures, like functions without `returns`.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub procedures: Map<FunctionSpec>,
    /// Default privileges (`ALTER DEFAULT PRIVILEGES`): what objects created from then
    /// on get, `- {on: tables, schema: app, grants: {app_ro: [SELECT]}}`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub default_privileges: Vec<DefaultPrivilegesSpec>,
}

/// One entry of default privileges.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "default privileges: a map (on, grants, and optionally role and schema)"
)]
pub struct DefaultPrivilegesSpec {
    /// The kind of object: `tables`, `sequences`, `functions`, `routines`, `types` or
    /// `schemas`.
    pub on: String,
    /// The role whose new objects get them (`FOR ROLE`); the role applying when left
    /// out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The schema (`IN SCHEMA`); the whole database when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Privileges by role (or `PUBLIC`), as on objects. Database-wide on functions and
    /// types they are the whole list: `PUBLIC` keeps its default `EXECUTE` / `USAGE`
    /// only when listed.
    #[serde(default)]
    pub grants: Map<Vec<String>>,
}

/// A schema.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a schema: nothing, or a map (comment, grants)"
)]
pub struct SchemaSpec {
    /// Privileges by role (or `PUBLIC`): `app_ro: [SELECT, UPDATE (note)]`; a
    /// privilege ending in `WITH GRANT OPTION` carries the grant option.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub grants: Map<Vec<String>>,
    /// The owner (`ALTER ... OWNER TO`): managed when given; without it the object
    /// keeps whatever owner it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// `COMMENT ON SCHEMA`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// An extension.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "an extension: nothing, or a map (schema, version, comment)"
)]
pub struct ExtensionSpec {
    /// `WITH SCHEMA`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// `VERSION`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "scalar_text"
    )]
    #[schemars(schema_with = "scalar_schema")]
    pub version: Option<String>,
    /// `COMMENT ON EXTENSION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A collation (`CREATE COLLATION`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a collation: a map (provider, locale, lc_collate, lc_ctype, rules, deterministic, comment)"
)]
pub struct CollationSpec {
    /// `libc` (the default), `icu` or `builtin`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// The locale: for libc both `lc_collate` and `lc_ctype`; for ICU a language tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// libc: `LC_COLLATE`, when it differs from `lc_ctype`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lc_collate: Option<String>,
    /// libc: `LC_CTYPE`, when it differs from `lc_collate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lc_ctype: Option<String>,
    /// ICU tailoring rules (PostgreSQL 16 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<String>,
    /// `false` for a nondeterministic (e.g. case-insensitive) ICU collation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deterministic: Option<bool>,
    /// `COMMENT ON COLLATION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A rewrite rule on a table.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a rule: a map (definition, enabled, comment)"
)]
pub struct RuleSpec {
    /// The whole `CREATE RULE` statement.
    pub definition: String,
    /// `origin` (default), `disabled`, `replica` or `always`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<String>,
    /// `COMMENT ON RULE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// An operator (`CREATE OPERATOR`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "an operator: a map (name, schema, left, right, function, commutator, negator, restrict, join, hashes, merges, comment)"
)]
pub struct OperatorSpec {
    /// The operator's symbol (`===`).
    pub name: String,
    /// Its schema (the file's when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// `LEFTARG` (none for a prefix operator).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left: Option<String>,
    /// `RIGHTARG`.
    pub right: String,
    /// `FUNCTION`.
    pub function: String,
    /// `COMMUTATOR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commutator: Option<String>,
    /// `NEGATOR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negator: Option<String>,
    /// `RESTRICT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restrict: Option<String>,
    /// `JOIN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join: Option<String>,
    /// `HASHES`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hashes: bool,
    /// `MERGES`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub merges: bool,
    /// `COMMENT ON OPERATOR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A cast (`CREATE CAST`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a cast: a map (source, target, function or inout, context, comment)"
)]
pub struct CastSpec {
    /// The source type.
    pub source: String,
    /// The target type.
    pub target: String,
    /// `WITH FUNCTION`: the function with its argument types (`mood_of(integer)`);
    /// without it (and without `inout`), `WITHOUT FUNCTION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// `WITH INOUT`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inout: bool,
    /// `explicit` (default), `assignment` or `implicit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// `COMMENT ON CAST`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A text search dictionary.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a text search dictionary: a map (template, options, comment)"
)]
pub struct TextSearchDictionarySpec {
    /// Its template (`snowball`, `simple`, `ispell`, `synonym`, `thesaurus`).
    pub template: String,
    /// Its options, each the SQL of its value (`english`, `'english'`, `1`).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub options: Map<String>,
    /// `COMMENT ON TEXT SEARCH DICTIONARY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A text search configuration.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a text search configuration: a map (parser or copy, mappings, comment)"
)]
pub struct TextSearchConfigurationSpec {
    /// Its parser (`default` when neither this nor `copy` is given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parser: Option<String>,
    /// A built-in configuration to start from (`english`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy: Option<String>,
    /// Token type → dictionaries tried in order; `[]` removes a copied mapping.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub mappings: Map<Vec<String>>,
    /// `COMMENT ON TEXT SEARCH CONFIGURATION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// An event trigger (`CREATE EVENT TRIGGER`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "an event trigger: a map (on, tags, function, enabled, comment)"
)]
pub struct EventTriggerSpec {
    /// The event: `ddl_command_start`, `ddl_command_end`, `sql_drop`,
    /// `table_rewrite` or `login`.
    pub on: String,
    /// `WHEN TAG IN (...)`: command tags; every command when left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The function it runs (returning `event_trigger`).
    pub function: String,
    /// `origin` (default), `disabled`, `replica` or `always`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<String>,
    /// `COMMENT ON EVENT TRIGGER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A foreign-data wrapper (`CREATE FOREIGN DATA WRAPPER`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a foreign-data wrapper: a map (handler, validator, options, comment)"
)]
pub struct ForeignDataWrapperSpec {
    /// `HANDLER`: a function.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler: Option<String>,
    /// `VALIDATOR`: a function.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validator: Option<String>,
    /// `OPTIONS`: name to value.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub options: Map<String>,
    /// `COMMENT ON FOREIGN DATA WRAPPER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A foreign server (`CREATE SERVER`) and its user mappings.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a server: a map (wrapper, type, version, options, user_mappings, comment)"
)]
pub struct ServerSpec {
    /// `FOREIGN DATA WRAPPER`: the schema's or an extension's (`postgres_fdw`).
    pub wrapper: String,
    /// `TYPE`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub server_type: Option<String>,
    /// `VERSION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// `OPTIONS`: name to value.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub options: Map<String>,
    /// `CREATE USER MAPPING FOR user SERVER s OPTIONS (...)`: user (`PUBLIC`,
    /// `CURRENT_USER` or a role) to options. A `password` option is never read: set it
    /// on the database, out of band.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub user_mappings: Map<Option<Map<String>>>,
    /// `COMMENT ON SERVER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A publication (`CREATE PUBLICATION`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a publication: a map (all_tables, tables, schemas, publish, via_partition_root, comment)"
)]
pub struct PublicationSpec {
    /// `FOR ALL TABLES`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all_tables: bool,
    /// `FOR TABLE ...`: each table, with nothing or its column list and row filter.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub tables: Map<Option<PublishedTableSpec>>,
    /// `FOR TABLES IN SCHEMA ...`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<String>,
    /// The operations published (`insert`, `update`, `delete`, `truncate`); all when
    /// left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish: Option<Vec<String>>,
    /// `publish_via_partition_root = true`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub via_partition_root: bool,
    /// `COMMENT ON PUBLICATION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A table a publication lists.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a published table: nothing, or a map (columns, where)"
)]
pub struct PublishedTableSpec {
    /// The columns published; all when left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// The row filter: the SQL after `WHERE`.
    #[serde(default, rename = "where", skip_serializing_if = "Option::is_none")]
    pub row_filter: Option<String>,
}

/// An enum type. Short form: the list of values.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "an enum: a list of values or a map (values, comment)"
)]
pub struct EnumSpec {
    /// The labels, in order.
    pub values: Vec<String>,
    /// The owner (`ALTER ... OWNER TO`): managed when given; without it the object
    /// keeps whatever owner it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// `COMMENT ON TYPE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A domain. Short form: the SQL after `CREATE DOMAIN name AS` (`text NOT NULL`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a domain: its type or a map")]
pub struct DomainSpec {
    /// The base type.
    #[serde(rename = "type")]
    pub base: String,
    /// `NOT NULL`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_null: bool,
    /// `DEFAULT expr`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "scalar_text"
    )]
    #[schemars(schema_with = "scalar_schema")]
    pub default: Option<String>,
    /// `COLLATE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// Named checks: `positive: VALUE > 0` or the full form.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub checks: Map<Spec<CheckSpec>>,
    /// Every privilege beyond the owner's, by role (or `PUBLIC`): `app: [EXECUTE]`.
    /// When given, `PUBLIC` keeps only what is listed for it (`grants: {}`: nobody);
    /// when absent, PostgreSQL's default (`PUBLIC` may use it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grants: Option<Map<Vec<String>>>,
    /// The owner (`ALTER ... OWNER TO`): managed when given; without it the object
    /// keeps whatever owner it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// `COMMENT ON DOMAIN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A check constraint. Short form: the expression.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a check: an expression or a map")]
pub struct CheckSpec {
    /// The boolean expression (`VALUE` for a domain's value).
    pub expression: String,
    /// `NO INHERIT` (tables only).
    #[serde(default, skip_serializing_if = "is_false")]
    pub no_inherit: bool,
    /// Added `NOT VALID` and not validated.
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_valid: bool,
    /// `COMMENT ON CONSTRAINT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A composite type.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a composite type: a map with attributes"
)]
pub struct CompositeSpec {
    /// Attributes in order: `street: text` or `{type: text, collation: '"C"'}`.
    pub attributes: Map<Spec<AttributeSpec>>,
    /// The owner (`ALTER ... OWNER TO`): managed when given; without it the object
    /// keeps whatever owner it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// `COMMENT ON TYPE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// An attribute of a composite type. Short form: its type.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "an attribute: its type or a map")]
pub struct AttributeSpec {
    /// The type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// `COLLATE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
}

/// A sequence.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a sequence: nothing, or a map of options"
)]
pub struct SequenceSpec {
    /// `AS smallint|integer|bigint` (default bigint).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub data_type: Option<String>,
    /// `START WITH`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<i64>,
    /// `INCREMENT BY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub increment: Option<i64>,
    /// `MINVALUE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    /// `MAXVALUE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// `CACHE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<i64>,
    /// `CYCLE`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub cycle: bool,
    /// `OWNED BY`: `schema.table.column` or `table.column`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<String>,
    /// Privileges by role (or `PUBLIC`): `app_ro: [SELECT, UPDATE (note)]`; a
    /// privilege ending in `WITH GRANT OPTION` carries the grant option.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub grants: Map<Vec<String>>,
    /// The owner (`ALTER ... OWNER TO`): managed when given; without it the object
    /// keeps whatever owner it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// `COMMENT ON SEQUENCE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A table.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a table: a map (columns, primary_key, indexes, ...)"
)]
pub struct TableSpec {
    /// Columns in order: `email: text not null unique` (the SQL after the column name)
    /// or the full form.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub columns: Map<Spec<ColumnSpec>>,
    /// `PRIMARY KEY`: `[id]` or `{name: ..., columns: [...]}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key: Option<Spec<KeySpec>>,
    /// `UNIQUE` constraints: each `[a, b]` or the full form.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unique: Vec<Spec<KeySpec>>,
    /// Foreign keys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign_keys: Vec<ForeignKeySpec>,
    /// Named checks: `positive_price: price > 0` or the full form.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub checks: Map<Spec<CheckSpec>>,
    /// Any other constraint by name, as SQL after `CONSTRAINT name`
    /// (`EXCLUDE USING gist (...)`, `FOREIGN KEY (...) REFERENCES ...`).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub constraints: Map<Spec<ConstraintSpec>>,
    /// Indexes by name: `[a, b]`, the SQL after `ON table` (`USING gin (tags)`), or
    /// the full form.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub indexes: Map<Spec<IndexSpec>>,
    /// Extended statistics by name (in the table's schema unless written
    /// `schema.name`): `zip_city: {on: [zip, city]}`.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub statistics: Map<StatisticsSpec>,
    /// `PARTITION BY`: `RANGE (created_at)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_by: Option<String>,
    /// `PARTITION OF parent bound`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_of: Option<PartitionOfSpec>,
    /// `INHERITS (parents)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inherits: Vec<String>,
    /// `UNLOGGED`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub unlogged: bool,
    /// `ENABLE ROW LEVEL SECURITY`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub row_level_security: bool,
    /// `FORCE ROW LEVEL SECURITY`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub force_row_level_security: bool,
    /// Storage parameters: `[fillfactor=70]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// `REPLICA IDENTITY`: `default`, `full`, `nothing` or `using index <name>` (a
    /// unique index of the table, or its primary key's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_identity: Option<String>,
    /// Row level security policies.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub policies: Map<PolicySpec>,
    /// Triggers: the whole `CREATE TRIGGER` statement, or the full form.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub triggers: Map<Spec<TriggerSpec>>,
    /// Rewrite rules by name: the whole `CREATE RULE` statement and, optionally, how it
    /// fires and its comment.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub rules: Map<RuleSpec>,
    /// Privileges by role (or `PUBLIC`): `app_ro: [SELECT, UPDATE (note)]`; a
    /// privilege ending in `WITH GRANT OPTION` carries the grant option.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub grants: Map<Vec<String>>,
    /// The owner (`ALTER ... OWNER TO`): managed when given; without it the object
    /// keeps whatever owner it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// `COMMENT ON TABLE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The table's current name when this declares it under a new one: the plan
    /// renames it (keeping its rows) instead of dropping and creating.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// A foreign table: `{server: archive, options: {table_name: orders}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foreign: Option<ForeignTableSpec>,
}

/// What makes a table a foreign table (`CREATE FOREIGN TABLE ... SERVER s OPTIONS
/// (...)`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a foreign table: a map (server, options, column_options)"
)]
pub struct ForeignTableSpec {
    /// `SERVER`.
    pub server: String,
    /// `OPTIONS`: name to value.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub options: Map<String>,
    /// Columns' `OPTIONS`: column to (name to value).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub column_options: Map<Map<String>>,
}

/// Extended statistics on a table (`CREATE STATISTICS`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "statistics: a map (on, kinds, target, comment)"
)]
pub struct StatisticsSpec {
    /// What they cover: columns, and expressions in parentheses (`(lower(email))`).
    pub on: Vec<String>,
    /// Some of `ndistinct`, `dependencies`, `mcv`; all when left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<String>,
    /// `ALTER STATISTICS ... SET STATISTICS n`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<i32>,
    /// `COMMENT ON STATISTICS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A column. Short form: the SQL after the column name (`bigint not null default 0`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a column: its type and constraints as SQL, or a map"
)]
pub struct ColumnSpec {
    /// The type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// `NOT NULL`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_null: bool,
    /// `DEFAULT expr`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "scalar_text"
    )]
    #[schemars(schema_with = "scalar_schema")]
    pub default: Option<String>,
    /// `GENERATED ... AS IDENTITY`: `always`, `by-default` or the full form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Spec<IdentitySpec>>,
    /// `GENERATED ALWAYS AS (expr) STORED`: the expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<String>,
    /// The generated column is `VIRTUAL` (PostgreSQL 18), not `STORED`.
    #[serde(default, skip_serializing_if = "is_false", rename = "virtual")]
    pub virtual_generated: bool,
    /// The NOT NULL as a constraint of its own (PostgreSQL 18): a name other than
    /// `<table>_<column>_not_null`, `not_valid`, `no_inherit`. Implies `not_null`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_null_constraint: Option<NotNullSpec>,
    /// `COLLATE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// A one-column primary key (named `<table>_pkey`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub primary_key: bool,
    /// A one-column unique constraint (named `<table>_<column>_key`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub unique: bool,
    /// A one-column foreign key: the SQL after `REFERENCES` (`users (id) on delete
    /// cascade`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub references: Option<String>,
    /// A column check: the expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    /// `COMMENT ON COLUMN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The column's current name when this declares it under a new one: the plan
    /// renames it (keeping its data) instead of dropping and adding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// How to convert the column's rows when its type changes to one no cast reaches
    /// (`to_timestamp(created_at / 1000)`): the `USING` expression of the type change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using: Option<String>,
}

/// An identity column. Short form: `always` or `by-default`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "identity: always, by-default, or a map"
)]
pub struct IdentitySpec {
    /// `always` or `by-default`.
    pub kind: IdentityKindSpec,
    /// `START WITH`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<i64>,
    /// `INCREMENT BY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub increment: Option<i64>,
    /// `MINVALUE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    /// `MAXVALUE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// `CACHE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<i64>,
    /// `CYCLE`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub cycle: bool,
}

/// `GENERATED ALWAYS` or `GENERATED BY DEFAULT`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum IdentityKindSpec {
    /// `GENERATED ALWAYS AS IDENTITY`.
    #[default]
    Always,
    /// `GENERATED BY DEFAULT AS IDENTITY`.
    ByDefault,
}

/// A primary key or unique constraint. Short form: the list of columns.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a key: a list of columns or a map")]
pub struct KeySpec {
    /// The constraint's name (default as PostgreSQL names it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The column names.
    pub columns: Vec<String>,
    /// `NULLS NOT DISTINCT` (unique only).
    #[serde(default, skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
    /// `COMMENT ON CONSTRAINT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A foreign key.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a foreign key: a map (columns, references, ...)"
)]
pub struct ForeignKeySpec {
    /// The constraint's name (default as PostgreSQL names it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The referencing column names.
    pub columns: Vec<String>,
    /// The referenced table.
    pub references: String,
    /// The referenced column names (default: the referenced table's primary key).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub referenced_columns: Vec<String>,
    /// `ON DELETE`: `cascade`, `set null`, `restrict`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_delete: Option<String>,
    /// `ON UPDATE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_update: Option<String>,
    /// `MATCH FULL`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub match_full: bool,
    /// `DEFERRABLE`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deferrable: bool,
    /// `INITIALLY DEFERRED`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub initially_deferred: bool,
    /// Added `NOT VALID` and not validated.
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_valid: bool,
    /// `COMMENT ON CONSTRAINT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// Any constraint as SQL. Short form: the definition.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a constraint: its SQL or a map")]
pub struct ConstraintSpec {
    /// The SQL after `CONSTRAINT name`.
    pub definition: String,
    /// Added `NOT VALID` and not validated.
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_valid: bool,
    /// `COMMENT ON CONSTRAINT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// An index. Short forms: a list of key columns or expressions, or the SQL after
/// `ON table` (`USING gin (tags)`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "an index: a list of columns, its SQL after ON table, or a map"
)]
pub struct IndexSpec {
    /// `UNIQUE`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub unique: bool,
    /// `ON ONLY` (an index of a partitioned table alone).
    #[serde(default, skip_serializing_if = "is_false")]
    pub only: bool,
    /// The SQL after `ON table`; when given, the fields below must be left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
    /// Key columns or expressions, each as SQL (`lower(email)`, `created_at DESC`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// `USING method`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using: Option<String>,
    /// `INCLUDE (columns)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// `NULLS NOT DISTINCT`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
    /// `WHERE predicate` (a partial index).
    #[serde(rename = "where", default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
    /// `COMMENT ON INDEX`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// `PARTITION OF parent bound`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a map (parent, bound)")]
pub struct PartitionOfSpec {
    /// The partitioned table.
    pub parent: String,
    /// `FOR VALUES ...` or `DEFAULT`.
    pub bound: String,
}

/// A row level security policy.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a policy: a map (command, roles, using, with_check, ...)"
)]
pub struct PolicySpec {
    /// `AS RESTRICTIVE` (default permissive).
    #[serde(default, skip_serializing_if = "is_false")]
    pub restrictive: bool,
    /// `FOR all|select|insert|update|delete` (default all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// `TO roles` (default public).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// `USING (expr)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using: Option<String>,
    /// `WITH CHECK (expr)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_check: Option<String>,
    /// `COMMENT ON POLICY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A trigger. Short form: the whole `CREATE TRIGGER` statement.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a trigger: its CREATE TRIGGER statement or a map"
)]
pub struct TriggerSpec {
    /// The whole `CREATE [CONSTRAINT] TRIGGER` statement; when given, `timing`,
    /// `events`, `for_each`, `when` and `function` must be left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
    /// `before`, `after` or `instead of`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timing: Option<String>,
    /// `insert`, `update`, `update of col`, `delete`, `truncate`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<String>,
    /// `row` or `statement` (default statement, as in SQL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_each: Option<String>,
    /// `WHEN (condition)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// The function call after `EXECUTE FUNCTION`: `touch_updated_at()`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// `origin` (default), `disabled`, `replica` or `always`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<String>,
    /// `COMMENT ON TRIGGER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A view or materialized view. Short form: the query.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a view: its query or a map")]
pub struct ViewSpec {
    /// The `SELECT` (or `VALUES`, `WITH ...`) query.
    pub query: String,
    /// View options: `[security_barrier=true]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// Comments on the view's columns, by column.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub columns: Map<String>,
    /// Indexes (materialized views only), as for tables.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub indexes: Map<Spec<IndexSpec>>,
    /// Triggers (`INSTEAD OF` on views), as for tables.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub triggers: Map<Spec<TriggerSpec>>,
    /// Privileges by role (or `PUBLIC`): `app_ro: [SELECT, UPDATE (note)]`; a
    /// privilege ending in `WITH GRANT OPTION` carries the grant option.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub grants: Map<Vec<String>>,
    /// The owner (`ALTER ... OWNER TO`): managed when given; without it the object
    /// keeps whatever owner it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// `COMMENT ON VIEW` / `COMMENT ON MATERIALIZED VIEW`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A function or procedure: either the parts, or the whole `definition`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a function: a map (returns, language, body, ... or definition)"
)]
pub struct FunctionSpec {
    /// The whole `CREATE [OR REPLACE] FUNCTION|PROCEDURE` statement; when given, the
    /// parts below must be left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
    /// The argument list, as SQL: `a integer, b text DEFAULT ''`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<String>,
    /// The result type (functions only): `trigger`, `SETOF users`, `TABLE (...)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returns: Option<String>,
    /// `LANGUAGE`: `sql`, `plpgsql`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Other attributes as SQL: `STABLE STRICT SECURITY DEFINER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<String>,
    /// The body (written between dollar quotes for you).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Every privilege beyond the owner's, by role (or `PUBLIC`): `app: [EXECUTE]`.
    /// When given, `PUBLIC` keeps only what is listed for it (`grants: {}`: nobody);
    /// when absent, PostgreSQL's default (`PUBLIC` may use it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grants: Option<Map<Vec<String>>>,
    /// The owner (`ALTER ... OWNER TO`): managed when given; without it the object
    /// keeps whatever owner it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// `COMMENT ON FUNCTION` / `COMMENT ON PROCEDURE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A scalar as its text: `default: 0` and `default: true` mean the SQL `0` and `true`,
/// `version: 1.6` the version `1.6`.
fn scalar_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct ScalarVisitor;
    impl<'de> Visitor<'de> for ScalarVisitor {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string, a number or a boolean")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(ScalarVisitor)
}

fn scalar_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": ["string", "number", "boolean", "null"]})
}

/// Which short forms a full form accepts, for deserializing and for the JSON Schema.
pub trait Shorthand {
    /// What a string stands for, when a string is accepted.
    const STRING: Option<&'static str>;
    /// What a list of strings stands for, when a list is accepted.
    const LIST: Option<&'static str>;
}

impl Shorthand for EnumSpec {
    const STRING: Option<&'static str> = None;
    const LIST: Option<&'static str> = Some("the values");
}
impl Shorthand for DomainSpec {
    const STRING: Option<&'static str> = Some("the SQL after AS: type and constraints");
    const LIST: Option<&'static str> = None;
}
impl Shorthand for CheckSpec {
    const STRING: Option<&'static str> = Some("the check expression");
    const LIST: Option<&'static str> = None;
}
impl Shorthand for AttributeSpec {
    const STRING: Option<&'static str> = Some("the attribute's type");
    const LIST: Option<&'static str> = None;
}
impl Shorthand for ColumnSpec {
    const STRING: Option<&'static str> =
        Some("the SQL after the column name: type and constraints");
    const LIST: Option<&'static str> = None;
}
impl Shorthand for IdentitySpec {
    const STRING: Option<&'static str> = Some("always or by-default");
    const LIST: Option<&'static str> = None;
}
impl Shorthand for KeySpec {
    const STRING: Option<&'static str> = None;
    const LIST: Option<&'static str> = Some("the column names");
}
impl Shorthand for ConstraintSpec {
    const STRING: Option<&'static str> = Some("the SQL after CONSTRAINT name");
    const LIST: Option<&'static str> = None;
}
impl Shorthand for IndexSpec {
    const STRING: Option<&'static str> = Some("the SQL after ON table");
    const LIST: Option<&'static str> = Some("the key columns or expressions");
}
impl Shorthand for TriggerSpec {
    const STRING: Option<&'static str> = Some("the whole CREATE TRIGGER statement");
    const LIST: Option<&'static str> = None;
}
impl Shorthand for ViewSpec {
    const STRING: Option<&'static str> = Some("the query");
    const LIST: Option<&'static str> = None;
}

/// A value in its short form (a string or a list of strings) or its full form (a map).
#[derive(Clone, Debug, PartialEq)]
pub enum Spec<T> {
    /// A string.
    Str(String),
    /// A list of strings.
    List(Vec<String>),
    /// The full form.
    Full(T),
}

impl<T> Serialize for Spec<T>
where
    T: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Spec::Str(v) => v.serialize(s),
            Spec::List(v) => v.serialize(s),
            Spec::Full(v) => v.serialize(s),
        }
    }
}

impl<'de, T> Deserialize<'de> for Spec<T>
where
    T: Deserialize<'de> + Shorthand,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SpecVisitor(PhantomData))
    }
}

struct SpecVisitor<T>(PhantomData<T>);

impl<'de, T> Visitor<'de> for SpecVisitor<T>
where
    T: Deserialize<'de> + Shorthand,
{
    type Value = Spec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (T::STRING, T::LIST) {
            (Some(s), Some(l)) => write!(f, "a string ({s}), a list ({l}) or a map"),
            (Some(s), None) => write!(f, "a string ({s}) or a map"),
            (None, Some(l)) => write!(f, "a list ({l}) or a map"),
            (None, None) => f.write_str("a map"),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        match T::STRING {
            Some(_) => Ok(Spec::Str(v.to_string())),
            None => Err(E::invalid_type(de::Unexpected::Str(v), &self)),
        }
    }

    // Plain scalars that YAML reads as numbers or booleans (`integer` is a string, but
    // `42` as a default would not be): accepted as their text where a string is.
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        match T::STRING {
            Some(_) => Ok(Spec::Str(v.to_string())),
            None => Err(E::invalid_type(de::Unexpected::Signed(v), &self)),
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        match T::STRING {
            Some(_) => Ok(Spec::Str(v.to_string())),
            None => Err(E::invalid_type(de::Unexpected::Unsigned(v), &self)),
        }
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        match T::STRING {
            Some(_) => Ok(Spec::Str(v.to_string())),
            None => Err(E::invalid_type(de::Unexpected::Bool(v), &self)),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        if T::LIST.is_none() {
            return Err(de::Error::invalid_type(de::Unexpected::Seq, &self));
        }
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<String>()? {
            items.push(item);
        }
        Ok(Spec::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Spec::Full)
    }
}

impl<T: JsonSchema + Shorthand> JsonSchema for Spec<T> {
    fn schema_name() -> Cow<'static, str> {
        format!("{}OrShort", T::schema_name()).into()
    }

    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        let mut any = Vec::new();
        if let Some(d) = T::STRING {
            any.push(json_schema!({"type": "string", "description": d}).to_value());
        }
        if let Some(d) = T::LIST {
            any.push(
                json_schema!({"type": "array", "items": {"type": "string"}, "description": d})
                    .to_value(),
            );
        }
        any.push(g.subschema_for::<T>().to_value());
        json_schema!({ "anyOf": any })
    }
}

/// A map that keeps the order it was written in and refuses a key given twice.
#[derive(Clone, Debug, PartialEq)]
pub struct Map<V>(pub IndexMap<String, V>);

impl<V> Default for Map<V> {
    fn default() -> Self {
        Map(IndexMap::new())
    }
}

impl<V> Map<V> {
    /// Whether the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Entries in order.
    pub fn iter(&self) -> indexmap::map::Iter<'_, String, V> {
        self.0.iter()
    }

    /// Adds an entry at the end.
    pub fn insert(&mut self, key: impl Into<String>, value: V) {
        self.0.insert(key.into(), value);
    }
}

impl<V: Serialize> Serialize for Map<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Map<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = Map<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of names")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Map::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = IndexMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    if out.contains_key(&key) {
                        return Err(de::Error::custom(format!("`{key}` is given twice")));
                    }
                    let value = map.next_value::<V>()?;
                    out.insert(key, value);
                }
                Ok(Map(out))
            }
        }
        d.deserialize_map(MapVisitor(PhantomData))
    }
}

impl<V: JsonSchema> JsonSchema for Map<V> {
    fn schema_name() -> Cow<'static, str> {
        format!("MapOf{}", V::schema_name()).into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": ["object", "null"],
            "additionalProperties": g.subschema_for::<V>(),
        })
    }
}

/// A column's NOT NULL constraint (PostgreSQL 18).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotNullSpec {
    /// The constraint's name.
    pub name: String,
    /// Added `NOT VALID`: rows from before it may hold nulls.
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_valid: bool,
    /// `NO INHERIT`: children do not get it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub no_inherit: bool,
}

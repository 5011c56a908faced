//! Rows of the catalog queries, decoded into plain structs, and the pure conversions
//! from catalog spellings to model values (`"O"` to [`TriggerEnabled::Origin`], a
//! trailing ` NOT VALID` to `validated = false`, ...).
//!
//! Input: `tokio_postgres::Row`s of the queries in [`super::queries`]. Output: one struct
//! per row. Decoding never panics: a missing or mistyped column becomes
//! [`Error::Database`] naming the query and the column. Does not run queries.

use tokio_postgres::types::FromSql;
use tokio_postgres::Row;

use super::deparse::Nodes;

use crate::error::{Error, Result};
use crate::model::{
    split_top_level, unquoted, AggregateParts, Cast, Collation, CollationProvider, ConstraintKind,
    DefaultAclKey, DefaultAclKind, Deps, EventTrigger, ForeignGrant, FunctionKey, Grant, ObjectId,
    Operator, Privileges, Publication, PublishedTable, QualName, Rule, SequenceOptions, Statistics,
    TextSearchConfiguration, TextSearchDictionary, TriggerEnabled, Unmanaged, PUBLISH_OPERATIONS,
};

/// A catalog's one-letter code (`relkind`, `contype`, `attidentity`, ...), held without
/// an allocation: read as a string, each would be a one-byte allocation that outlives
/// nothing, interleaved with the names the catalog keeps (tens of thousands of each at
/// 10,000 tables), leaving the allocator's pages of small strings half empty.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Code(u8);

impl Code {
    /// The code as text: empty when unset (`attidentity` of a plain column).
    pub fn as_str(&self) -> &str {
        match self.0 {
            0 => "",
            _ => std::str::from_utf8(std::slice::from_ref(&self.0)).unwrap_or(""),
        }
    }

    /// Whether the code is unset.
    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl From<&str> for Code {
    fn from(s: &str) -> Code {
        Code(s.bytes().next().unwrap_or(0))
    }
}

/// Reads a one-letter code (a `"char"` column cast to text, empty when unset).
fn code(row: &Row, query: &str, column: &str) -> Result<Code> {
    let text: &str = get(row, query, column)?;
    match text.as_bytes() {
        [] => Ok(Code(0)),
        [b] if b.is_ascii_alphabetic() => Ok(Code(*b)),
        _ => Err(Error::Database {
            context: format!("introspection: reading column {column} of the {query} query"),
            message: format!("expected a one-letter code, got {text:?}"),
        }),
    }
}

/// Reads one column of a row, naming the query and column when it cannot.
fn get<'a, T: FromSql<'a>>(row: &'a Row, query: &str, column: &str) -> Result<T> {
    row.try_get(column).map_err(|e| Error::Database {
        context: format!("introspection: reading column {column} of the {query} query"),
        message: e.to_string(),
    })
}

/// An error for a catalog value schemaplan does not know how to read.
fn unexpected(what: &str, value: &str) -> Error {
    Error::Database {
        context: format!("introspection: reading {what}"),
        message: format!("unexpected value {value:?}"),
    }
}

/// A row of [`super::queries::SCHEMAS`].
#[derive(Clone, Debug)]
pub(crate) struct SchemaRow {
    pub oid: u32,
    pub name: String,
    pub comment: Option<String>,
}

impl SchemaRow {
    pub fn from_row(row: &Row) -> Result<Self> {
        const Q: &str = "schemas";
        Ok(SchemaRow {
            oid: get(row, Q, "oid")?,
            name: get(row, Q, "name")?,
            comment: get(row, Q, "comment")?,
        })
    }
}

/// A row of [`super::queries::EXTENSIONS`].
#[derive(Clone, Debug)]
pub(crate) struct ExtensionRow {
    pub oid: u32,
    pub name: String,
    pub schema: String,
    pub version: String,
    pub comment: Option<String>,
}

impl ExtensionRow {
    pub fn from_row(row: &Row) -> Result<Self> {
        const Q: &str = "extensions";
        Ok(ExtensionRow {
            oid: get(row, Q, "oid")?,
            name: get(row, Q, "name")?,
            schema: get(row, Q, "schema")?,
            version: get(row, Q, "version")?,
            comment: get(row, Q, "comment")?,
        })
    }
}

/// A row of [`super::queries::COLLATIONS`] (or a version's own).
#[derive(Clone, Debug)]
pub(crate) struct CollationRow {
    pub oid: u32,
    pub collation: Collation,
}

impl CollationRow {
    pub fn from_row(row: &Row) -> Result<Self> {
        const Q: &str = "collations";
        let provider: String = get(row, Q, "provider")?;
        let provider = match provider.as_str() {
            "c" => CollationProvider::Libc,
            "i" => CollationProvider::Icu,
            "b" => CollationProvider::Builtin,
            other => return Err(unexpected("a collation provider", other)),
        };
        Ok(CollationRow {
            oid: get(row, Q, "oid")?,
            collation: Collation {
                name: QualName::new(
                    get::<String>(row, Q, "schema")?,
                    get::<String>(row, Q, "name")?,
                ),
                provider,
                deterministic: get(row, Q, "deterministic")?,
                lc_collate: get(row, Q, "lc_collate")?,
                lc_ctype: get(row, Q, "lc_ctype")?,
                locale: get(row, Q, "locale")?,
                rules: get(row, Q, "rules")?,
                comment: get(row, Q, "comment")?,
            },
        })
    }
}

/// A row of [`super::queries::STATISTICS`] (or a version's own).
#[derive(Clone, Debug)]
pub(crate) struct StatisticsRow {
    pub oid: u32,
    pub statistics: Statistics,
}

impl StatisticsRow {
    pub fn from_row(row: &Row) -> Result<Self> {
        const Q: &str = "statistics";
        let kinds: Vec<String> = get(row, Q, "kinds")?;
        let kinds: Vec<&str> = kinds
            .iter()
            .map(|k| match k.as_str() {
                "d" => "ndistinct",
                "f" => "dependencies",
                "m" => "mcv",
                _ => "",
            })
            .collect();
        let table = QualName::new(
            get::<String>(row, Q, "table_schema")?,
            get::<String>(row, Q, "table_name")?,
        );
        Ok(StatisticsRow {
            oid: get(row, Q, "oid")?,
            statistics: Statistics {
                name: QualName::new(
                    get::<String>(row, Q, "schema")?,
                    get::<String>(row, Q, "name")?,
                ),
                table,
                kinds: Statistics::normalize_kinds(&kinds),
                columns: get(row, Q, "columns")?,
                expressions: get(row, Q, "expressions")?,
                target: get(row, Q, "target")?,
                comment: get(row, Q, "comment")?,
                deps: Default::default(),
            },
        })
    }
}

/// A row of [`super::queries::PUBLICATIONS`].
#[derive(Clone, Debug)]
pub(crate) struct PublicationRow {
    pub publication: Publication,
}

impl PublicationRow {
    pub fn from_row(row: &Row) -> Result<Self> {
        const Q: &str = "publications";
        let mut publish = Vec::new();
        for op in PUBLISH_OPERATIONS {
            if get::<bool>(row, Q, op)? {
                publish.push(op.to_string());
            }
        }
        Ok(PublicationRow {
            publication: Publication {
                name: get(row, Q, "name")?,
                all_tables: get(row, Q, "all_tables")?,
                tables: Default::default(),
                schemas: Default::default(),
                publish,
                via_root: get(row, Q, "via_root")?,
                comment: get(row, Q, "comment")?,
            },
        })
    }
}

/// A row of [`super::queries::PUBLICATION_MEMBERS`] (or a version's own): a table
/// when `name` is set, otherwise a schema.
#[derive(Clone, Debug)]
pub(crate) struct PublicationMemberRow {
    pub publication: String,
    pub schema: String,
    pub name: Option<String>,
    pub table: PublishedTable,
}

impl PublicationMemberRow {
    pub fn from_row(row: &Row) -> Result<Self> {
        const Q: &str = "publication members";
        Ok(PublicationMemberRow {
            publication: get(row, Q, "publication")?,
            schema: get(row, Q, "schema")?,
            name: get(row, Q, "name")?,
            table: PublishedTable {
                columns: get::<Option<Vec<String>>>(row, Q, "columns")?.unwrap_or_default(),
                row_filter: get(row, Q, "row_filter")?,
            },
        })
    }
}

/// A row of [`super::queries::EVENT_TRIGGERS`].
#[derive(Clone, Debug)]
pub(crate) struct EventTriggerRow {
    pub event_trigger: EventTrigger,
}

impl EventTriggerRow {
    pub fn from_row(row: &Row) -> Result<Self> {
        const Q: &str = "event triggers";
        let function = FunctionKey {
            name: QualName::new(
                get::<String>(row, Q, "function_schema")?,
                get::<String>(row, Q, "function_name")?,
            ),
            args: String::new(),
        };
        let mut deps = Deps::default();
        deps.insert(ObjectId::Function(function.clone()));
        Ok(EventTriggerRow {
            event_trigger: EventTrigger {
                name: get(row, Q, "name")?,
                event: get(row, Q, "event")?,
                tags: get(row, Q, "tags")?,
                function,
                enabled: trigger_enabled(get::<&str>(row, Q, "enabled")?)?,
                comment: get(row, Q, "comment")?,
                deps,
            },
        })
    }
}

/// A row of [`super::queries::TS_DICTIONARIES`].
#[derive(Clone, Debug)]
pub(crate) struct TsDictionaryRow {
    pub dictionary: TextSearchDictionary,
}

impl TsDictionaryRow {
    pub fn from_row(row: &Row) -> Result<Self> {
        const Q: &str = "text search dictionaries";
        let options: Option<String> = get(row, Q, "options")?;
        Ok(TsDictionaryRow {
            dictionary: TextSearchDictionary {
                name: QualName::new(
                    get::<String>(row, Q, "schema")?,
                    get::<String>(row, Q, "name")?,
                ),
                template: get(row, Q, "template")?,
                options: options
                    .as_deref()
                    .map(dictionary_options)
                    .unwrap_or_default(),
                comment: get(row, Q, "comment")?,
            },
        })
    }
}

/// `dictinitoption` (`language = 'english', stopwords = 'english'`) as (name, value)
/// pairs, names unquoted.
pub(crate) fn dictionary_options(text: &str) -> Vec<(String, String)> {
    split_top_level(text)
        .into_iter()
        .filter_map(|item| {
            let (k, v) = item.split_once('=')?;
            let k = k.trim();
            let k = k
                .strip_prefix('"')
                .and_then(|x| x.strip_suffix('"'))
                .map(|x| x.replace("\"\"", "\""))
                .unwrap_or_else(|| k.to_string());
            Some((k, v.trim().to_string()))
        })
        .collect()
}

/// A row of [`super::queries::TS_CONFIGURATIONS`].
#[derive(Clone, Debug)]
pub(crate) struct TsConfigurationRow {
    pub oid: u32,
    pub configuration: TextSearchConfiguration,
}

impl TsConfigurationRow {
    pub fn from_row(row: &Row) -> Result<Self> {
        const Q: &str = "text search configurations";
        let mappings: Vec<String> = get(row, Q, "mappings")?;
        let schemas: Vec<String> = get(row, Q, "dict_schemas")?;
        let names: Vec<String> = get(row, Q, "dict_names")?;
        let mut deps = Deps::default();
        for (s, n) in schemas.into_iter().zip(names) {
            deps.insert(ObjectId::TextSearchDictionary(QualName::new(s, n)));
        }
        Ok(TsConfigurationRow {
            oid: get(row, Q, "oid")?,
            configuration: TextSearchConfiguration {
                name: QualName::new(
                    get::<String>(row, Q, "schema")?,
                    get::<String>(row, Q, "name")?,
                ),
                parser: get(row, Q, "parser")?,
                mappings: mappings
                    .iter()
                    .filter_map(|m| {
                        let (token, dicts) = m.split_once('=')?;
                        Some((
                            token.to_string(),
                            split_top_level(dicts)
                                .into_iter()
                                .map(str::to_string)
                                .collect(),
                        ))
                    })
                    .collect(),
                comment: get(row, Q, "comment")?,
                deps,
            },
        })
    }
}

/// A row of [`super::queries::CASTS`].
#[derive(Clone, Debug)]
pub(crate) struct CastRow {
    pub oid: u32,
    pub cast: Cast,
}

impl CastRow {
    pub fn from_row(row: &Row) -> Result<Self> {
        const Q: &str = "casts";
        let method: String = get(row, Q, "method")?;
        let context: String = get(row, Q, "context")?;
        Ok(CastRow {
            oid: get(row, Q, "oid")?,
            cast: Cast {
                source: get(row, Q, "source")?,
                target: get(row, Q, "target")?,
                function: get(row, Q, "function")?,
                inout: method == "i",
                context: context.chars().next().unwrap_or('e'),
                comment: get(row, Q, "comment")?,
                deps: Deps::default(),
            },
        })
    }
}

/// A row of [`super::queries::RULES`].
#[derive(Clone, Debug)]
pub(crate) struct RuleRow {
    pub oid: u32,
    pub rule: Rule,
}

impl RuleRow {
    pub fn from_row(row: &Row) -> Result<Self> {
        const Q: &str = "rules";
        let definition: String = get(row, Q, "definition")?;
        Ok(RuleRow {
            oid: get(row, Q, "oid")?,
            rule: Rule {
                table: QualName::new(
                    get::<String>(row, Q, "schema")?,
                    get::<String>(row, Q, "relation")?,
                ),
                name: get(row, Q, "name")?,
                definition: definition.trim_end().trim_end_matches(';').to_string(),
                enabled: trigger_enabled(get::<&str>(row, Q, "enabled")?)?,
                comment: get(row, Q, "comment")?,
                deps: Deps::default(),
            },
        })
    }
}

/// A row of [`super::queries::OPERATORS`].
#[derive(Clone, Debug)]
pub(crate) struct OperatorRow {
    pub oid: u32,
    pub operator: Operator,
}

impl OperatorRow {
    pub fn from_row(row: &Row) -> Result<Self> {
        const Q: &str = "operators";
        Ok(OperatorRow {
            oid: get(row, Q, "oid")?,
            operator: Operator {
                name: QualName::new(
                    get::<String>(row, Q, "schema")?,
                    get::<String>(row, Q, "name")?,
                ),
                left: get(row, Q, "left_type")?,
                right: get(row, Q, "right_type")?,
                function: get(row, Q, "function")?,
                commutator: get(row, Q, "commutator")?,
                negator: get(row, Q, "negator")?,
                restrict: get(row, Q, "restrict")?,
                join: get(row, Q, "join_function")?,
                hashes: get(row, Q, "hashes")?,
                merges: get(row, Q, "merges")?,
                comment: get(row, Q, "comment")?,
                deps: Deps::default(),
            },
        })
    }
}

/// `name=value` option texts as the model keeps them (sorted), without `skip`.
fn fdw_options(texts: Vec<String>, skip: Option<&str>) -> crate::model::FdwOptions {
    let options = texts
        .into_iter()
        .map(|t| match t.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (t, String::new()),
        })
        .filter(|(k, _)| Some(k.as_str()) != skip)
        .collect();
    crate::model::sorted_options(options)
}

/// A row of [`super::queries::FOREIGN_COLUMN_OPTIONS`]: table, column, options.
pub(crate) fn foreign_column_from_row(
    row: &Row,
) -> Result<(QualName, String, crate::model::FdwOptions)> {
    const Q: &str = "foreign column options";
    Ok((
        QualName::new(
            get::<String>(row, Q, "schema")?,
            get::<String>(row, Q, "table_name")?,
        ),
        get(row, Q, "column_name")?,
        fdw_options(get(row, Q, "options")?, None),
    ))
}

/// A foreign table's `name=value` options as the model keeps them.
pub(crate) fn foreign_table_options(texts: Vec<String>) -> crate::model::FdwOptions {
    fdw_options(texts, None)
}

/// A row of [`super::queries::FOREIGN_DATA_WRAPPERS`].
pub(crate) fn wrapper_from_row(row: &Row) -> Result<crate::model::ForeignDataWrapper> {
    const Q: &str = "foreign data wrappers";
    Ok(crate::model::ForeignDataWrapper {
        name: get(row, Q, "name")?,
        handler: get(row, Q, "handler")?,
        validator: get(row, Q, "validator")?,
        options: fdw_options(get(row, Q, "options")?, None),
        comment: get(row, Q, "comment")?,
        deps: Deps::default(),
    })
}

/// A row of [`super::queries::FOREIGN_SERVERS`]: the server, and the extension that made
/// its wrapper.
pub(crate) fn server_from_row(row: &Row) -> Result<(crate::model::ForeignServer, Option<String>)> {
    const Q: &str = "foreign servers";
    Ok((
        crate::model::ForeignServer {
            name: get(row, Q, "name")?,
            wrapper: get(row, Q, "wrapper")?,
            server_type: get(row, Q, "server_type")?,
            version: get(row, Q, "version")?,
            options: fdw_options(get(row, Q, "options")?, None),
            mappings: Default::default(),
            comment: get(row, Q, "comment")?,
            deps: Deps::default(),
        },
        get(row, Q, "wrapper_extension")?,
    ))
}

/// A row of [`super::queries::USER_MAPPINGS`]: server, user and options (never the
/// password).
pub(crate) fn user_mapping_from_row(
    row: &Row,
) -> Result<(String, String, crate::model::FdwOptions)> {
    const Q: &str = "user mappings";
    Ok((
        get(row, Q, "server")?,
        get(row, Q, "username")?,
        fdw_options(get(row, Q, "options")?, Some(crate::model::SECRET_OPTION)),
    ))
}

/// A row of [`super::queries::TYPES`].
#[derive(Clone, Debug)]
pub(crate) struct TypeRow {
    pub oid: u32,
    pub name: QualName,
    /// `e`, `d` or `c`.
    pub typtype: Code,
    /// The composite type's `pg_class` row (0 for others).
    pub relid: u32,
    pub base: Option<String>,
    pub not_null: bool,
    pub default: Option<String>,
    pub collation: Option<String>,
    pub labels: Option<Vec<String>>,
    pub comment: Option<String>,
}

impl TypeRow {
    pub fn from_row(row: &Row) -> Result<Self> {
        const Q: &str = "types";
        Ok(TypeRow {
            oid: get(row, Q, "oid")?,
            name: QualName::new(
                get::<String>(row, Q, "schema")?,
                get::<String>(row, Q, "name")?,
            ),
            typtype: code(row, Q, "typtype")?,
            relid: get(row, Q, "relid")?,
            base: get(row, Q, "base")?,
            not_null: get(row, Q, "not_null")?,
            default: get::<Option<&str>>(row, Q, "default_expr")?.map(stable_spelling),
            collation: get(row, Q, "collation")?,
            labels: get(row, Q, "labels")?,
            comment: get(row, Q, "comment")?,
        })
    }
}

/// The column a sequence belongs to.
#[derive(Clone, Debug)]
pub(crate) struct SequenceOwner {
    /// True for an identity column's sequence (`deptype = 'i'`), false for OWNED BY.
    pub identity: bool,
    /// The owning table's oid.
    pub relid: u32,
    pub table: QualName,
    pub column: String,
}

/// A row of [`super::queries::SEQUENCES`].
#[derive(Clone, Debug)]
pub(crate) struct SequenceRow {
    pub oid: u32,
    pub name: QualName,
    pub data_type: String,
    pub options: SequenceOptions,
    pub owner: Option<SequenceOwner>,
    pub comment: Option<String>,
}

impl SequenceRow {
    pub fn from_row(row: &Row) -> Result<Self> {
        const Q: &str = "sequences";
        let owner_deptype: Option<String> = get(row, Q, "owner_deptype")?;
        let owner = match owner_deptype {
            None => None,
            Some(deptype) => Some(SequenceOwner {
                identity: deptype == "i",
                relid: get(row, Q, "owner_relid")?,
                table: QualName::new(
                    get::<String>(row, Q, "owner_schema")?,
                    get::<String>(row, Q, "owner_table")?,
                ),
                column: get(row, Q, "owner_column")?,
            }),
        };
        Ok(SequenceRow {
            oid: get(row, Q, "oid")?,
            name: QualName::new(
                get::<String>(row, Q, "schema")?,
                get::<String>(row, Q, "name")?,
            ),
            data_type: get(row, Q, "data_type")?,
            options: SequenceOptions {
                start: get(row, Q, "start")?,
                increment: get(row, Q, "increment")?,
                min: get(row, Q, "min")?,
                max: get(row, Q, "max")?,
                cache: get(row, Q, "cache")?,
                cycle: get(row, Q, "cycle")?,
            },
            owner,
            comment: get(row, Q, "comment")?,
        })
    }
}

/// A row of [`super::queries::RELATIONS`].
#[derive(Clone, Debug)]
pub(crate) struct RelationRow {
    pub oid: u32,
    pub name: QualName,
    /// `r`, `p`, `v` or `m`.
    pub relkind: Code,
    /// `p` permanent, `u` unlogged (`t` temporary never shows: pg_temp is skipped).
    pub persistence: Code,
    pub is_partition: bool,
    pub rls_enabled: bool,
    pub rls_forced: bool,
    /// `relreplident`: `d`, `n`, `f` or `i`.
    pub replident: Code,
    /// The index with `indisreplident`, if any.
    pub replident_index: Option<String>,
    /// The relation's and its TOAST table's options, the latter prefixed `toast.`
    /// as `WITH (toast.autovacuum_enabled=false)` spells them; sorted.
    pub options: Vec<String>,
    /// The table's row type (`reltype`).
    pub row_type: u32,
    pub partition_by: Option<String>,
    pub bound: Option<String>,
    pub view_definition: Option<String>,
    /// The `_RETURN` rule of a view or materialized view.
    pub rule_oid: Option<u32>,
    /// Tables this one inherits from (or is a partition of), in `inhseqno` order.
    pub parents: Vec<QualName>,
    pub comment: Option<String>,
    /// A foreign table's server, and its options.
    pub foreign_server: Option<String>,
    pub foreign_options: Vec<String>,
}

impl RelationRow {
    pub fn from_row(row: &Row) -> Result<Self> {
        const Q: &str = "relations";
        let own: Option<Vec<String>> = get(row, Q, "options")?;
        let toast: Option<Vec<String>> = get(row, Q, "toast_options")?;
        let options = sorted_options(own.unwrap_or_default(), toast.unwrap_or_default());
        let schemas: Option<Vec<String>> = get(row, Q, "parent_schemas")?;
        let names: Option<Vec<String>> = get(row, Q, "parent_names")?;
        let parents = schemas
            .unwrap_or_default()
            .into_iter()
            .zip(names.unwrap_or_default())
            .map(|(s, n)| QualName::new(s, n))
            .collect();
        Ok(RelationRow {
            oid: get(row, Q, "oid")?,
            name: QualName::new(
                get::<String>(row, Q, "schema")?,
                get::<String>(row, Q, "name")?,
            ),
            relkind: code(row, Q, "relkind")?,
            persistence: code(row, Q, "persistence")?,
            is_partition: get(row, Q, "is_partition")?,
            rls_enabled: get(row, Q, "rls_enabled")?,
            rls_forced: get(row, Q, "rls_forced")?,
            replident: code(row, Q, "replident")?,
            replident_index: get(row, Q, "replident_index")?,
            options,
            row_type: get(row, Q, "row_type")?,
            partition_by: get(row, Q, "partition_by")?,
            bound: get(row, Q, "bound")?,
            view_definition: get::<Option<&str>>(row, Q, "view_definition")?
                .map(|d| stable_spelling(view_definition(d))),
            rule_oid: get(row, Q, "rule_oid")?,
            foreign_server: get(row, Q, "foreign_server")?,
            foreign_options: get(row, Q, "foreign_options")?,
            parents,
            comment: get(row, Q, "comment")?,
        })
    }
}

/// A row of [`super::queries::NOT_NULLS`].
#[derive(Clone, Debug)]
pub(crate) struct NotNullRow {
    pub table: QualName,
    pub column: String,
    pub name: String,
    pub not_valid: bool,
    pub no_inherit: bool,
    pub is_local: bool,
}

impl NotNullRow {
    pub fn from_row(row: &Row) -> Result<Self> {
        const Q: &str = "not nulls";
        Ok(NotNullRow {
            table: QualName::new(
                get::<String>(row, Q, "schema")?,
                get::<String>(row, Q, "table_name")?,
            ),
            column: get(row, Q, "column_name")?,
            name: get(row, Q, "name")?,
            not_valid: get(row, Q, "not_valid")?,
            no_inherit: get(row, Q, "no_inherit")?,
            is_local: get(row, Q, "is_local")?,
        })
    }
}

/// A row of [`super::queries::COLUMNS`].
#[derive(Clone, Debug)]
pub(crate) struct ColumnRow {
    pub relid: u32,
    pub num: i16,
    pub name: String,
    pub type_name: String,
    pub not_null: bool,
    /// `attidentity`: empty, `a` (ALWAYS) or `d` (BY DEFAULT).
    pub identity: Code,
    /// `attgenerated`: empty, `s` (stored) or, from PostgreSQL 18, `v` (virtual).
    pub generated: Code,
    /// The default or generation expression.
    pub expr: Option<String>,
    /// The `pg_attrdef` row holding `expr`, for dependencies.
    pub attrdef_oid: Option<u32>,
    pub collation: Option<String>,
    /// `attcollation`: the collation `collation` names, or the type's own (0 for a type
    /// without one). `spell` compares an index column's collation with it.
    pub collation_oid: u32,
    pub is_local: bool,
    pub comment: Option<String>,
}

impl ColumnRow {
    pub fn from_row(row: &Row) -> Result<Self> {
        const Q: &str = "columns";
        Ok(ColumnRow {
            relid: get(row, Q, "relid")?,
            num: get(row, Q, "num")?,
            name: get(row, Q, "name")?,
            type_name: get(row, Q, "type_name")?,
            not_null: get(row, Q, "not_null")?,
            identity: code(row, Q, "identity")?,
            generated: code(row, Q, "generated")?,
            expr: get::<Option<&str>>(row, Q, "expr")?.map(stable_spelling),
            attrdef_oid: get(row, Q, "attrdef_oid")?,
            collation: get(row, Q, "collation")?,
            collation_oid: get(row, Q, "collation_oid")?,
            is_local: get(row, Q, "is_local")?,
            comment: get(row, Q, "comment")?,
        })
    }
}

/// A row of [`super::queries::CONSTRAINTS`].
#[derive(Clone, Debug)]
pub(crate) struct ConstraintRow {
    pub oid: u32,
    pub name: String,
    /// `p`, `u`, `f`, `c` or `x`.
    pub contype: Code,
    /// The table (0 for a domain constraint).
    pub relid: u32,
    /// The domain (0 for a table constraint).
    pub typid: u32,
    /// `pg_get_constraintdef` without a trailing ` NOT VALID`. Empty until
    /// [`super::spell`] fills it where the row came as [`ConstraintParts`].
    pub definition: String,
    /// What the definition is spelled from, when the server left it to the client.
    pub parts: Option<ConstraintParts>,
    /// A table's check, which the server left to the client.
    pub check: Option<Check>,
    pub validated: bool,
    pub references: Option<QualName>,
    pub comment: Option<String>,
    /// A partition's copy of its parent's constraint, or an inherited check.
    pub inherited: bool,
}

/// A primary, unique or foreign key on plain columns as `pg_constraint` describes it,
/// for [`super::spell`]. Its columns (`conkey`, then a foreign key's `confkey`) are
/// entries from `start` in a list of attnums kept beside the rows.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ConstraintParts {
    pub start: u32,
    pub key_count: u16,
    pub ref_count: u16,
    /// The referenced table (`confrelid`), 0 for a primary or unique key.
    pub ref_relid: u32,
    pub deferrable: bool,
    pub deferred: bool,
    /// `confmatchtype`, `confupdtype` and `confdeltype` (0 unless a foreign key).
    pub match_type: Code,
    pub on_update: Code,
    pub on_delete: Code,
}

/// A table's check as `pg_constraint` holds it, for [`super::spell`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Check {
    /// Where its expression starts in the read's [`Nodes`]; `None` when
    /// [`super::deparse`] cannot read it (the server then spells the check).
    pub expression: Option<u32>,
    pub no_inherit: bool,
}

impl ConstraintRow {
    /// Decodes a row; the columns of a key the server left to the client to spell go
    /// onto `attnums`, the expression of a check onto `nodes`.
    pub fn from_row(row: &Row, attnums: &mut Vec<i16>, nodes: &mut Nodes) -> Result<Self> {
        const Q: &str = "constraints";
        let ref_schema: Option<String> = get(row, Q, "ref_schema")?;
        let ref_table: Option<String> = get(row, Q, "ref_table")?;
        let definition = match get::<Option<&str>>(row, Q, "definition")? {
            Some(definition) => constraint_definition(definition),
            None => String::new(),
        };
        Ok(ConstraintRow {
            oid: get(row, Q, "oid")?,
            name: get(row, Q, "name")?,
            contype: code(row, Q, "contype")?,
            relid: get(row, Q, "relid")?,
            typid: get(row, Q, "typid")?,
            definition,
            parts: ConstraintParts::from_row(row, attnums)?,
            check: match get::<Option<&str>>(row, Q, "expression")? {
                Some(text) => Some(Check {
                    expression: nodes.parse(text, false),
                    no_inherit: get(row, Q, "no_inherit")?,
                }),
                None => None,
            },
            // convalidated is the truth; the NOT VALID suffix only mirrors it.
            validated: get(row, Q, "validated")?,
            references: ref_schema.zip(ref_table).map(|(s, t)| QualName::new(s, t)),
            comment: get(row, Q, "comment")?,
            inherited: get(row, Q, "inherited")?,
        })
    }
}

impl ConstraintParts {
    /// The parts of a constraint row, when the query left its definition to the client
    /// (`keys` set).
    fn from_row(row: &Row, attnums: &mut Vec<i16>) -> Result<Option<Self>> {
        const Q: &str = "constraints";
        let Some(keys) = get::<Option<Vec<i16>>>(row, Q, "keys")? else {
            return Ok(None);
        };
        let ref_keys = get::<Option<Vec<i16>>>(row, Q, "ref_keys")?.unwrap_or_default();
        let (Ok(start), Ok(key_count), Ok(ref_count)) = (
            u32::try_from(attnums.len()),
            u16::try_from(keys.len()),
            u16::try_from(ref_keys.len()),
        ) else {
            return Ok(None);
        };
        // Only a foreign key has a match type and actions (the others' are blank).
        let is_foreign = code(row, Q, "contype")?.as_str() == "f";
        let foreign = |column| match is_foreign {
            true => code(row, Q, column),
            false => Ok(Code::default()),
        };
        let parts = ConstraintParts {
            start,
            key_count,
            ref_count,
            ref_relid: get(row, Q, "ref_relid")?,
            deferrable: get(row, Q, "deferrable")?,
            deferred: get(row, Q, "deferred")?,
            match_type: foreign("match_type")?,
            on_update: foreign("on_update")?,
            on_delete: foreign("on_delete")?,
        };
        attnums.extend_from_slice(&keys);
        attnums.extend_from_slice(&ref_keys);
        Ok(Some(parts))
    }

    /// The key's own columns and the referenced ones, in the list they were put on.
    pub fn attnums<'a>(&self, all: &'a [i16]) -> (&'a [i16], &'a [i16]) {
        let start = self.start as usize;
        let middle = start + usize::from(self.key_count);
        let end = middle + usize::from(self.ref_count);
        match (all.get(start..middle), all.get(middle..end)) {
            (Some(keys), Some(refs)) => (keys, refs),
            _ => (&[], &[]),
        }
    }
}

/// A row of [`super::queries::INDEXES`].
#[derive(Clone, Debug)]
pub(crate) struct IndexRow {
    pub oid: u32,
    pub name: QualName,
    pub relid: u32,
    /// The constraint of its own table this index backs.
    pub constraint_oid: Option<u32>,
    /// A partition's index attached to its parent's index.
    pub is_attached: bool,
    /// `pg_get_indexdef` with ` ON ONLY ` made ` ON `; only for managed indexes. Absent
    /// until [`super::spell`] fills it where the row came as [`IndexParts`].
    pub definition: Option<String>,
    /// What the definition is spelled from, when the server left it to the client.
    pub parts: Option<IndexParts>,
    pub valid: bool,
    pub comment: Option<String>,
}

/// An index on plain columns as `pg_index` describes it, for [`super::spell`]. Its
/// columns are `count` entries from `start` in a list of [`IndexColumn`]s kept beside
/// the rows (one list for all indexes: a few bytes each, not an allocation each).
#[derive(Clone, Copy, Debug)]
pub(crate) struct IndexParts {
    pub start: u32,
    pub count: u16,
    /// How many of the columns are key columns; the rest are `INCLUDE`d.
    pub key_count: u16,
    pub unique: bool,
    pub method: IndexMethod,
    /// Where the index's expressions (one for each key column numbered 0), then its
    /// predicate, start in the read's [`Nodes`]; `u32::MAX` when it has neither.
    pub expressions: u32,
    pub predicate: bool,
}

/// The access methods [`super::spell`] spells indexes of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IndexMethod {
    Btree,
    Hash,
    Gin,
}

impl IndexMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            IndexMethod::Btree => "btree",
            IndexMethod::Hash => "hash",
            IndexMethod::Gin => "gin",
        }
    }
}

/// One column of [`IndexParts`]: `pg_index`'s `indkey`, and for a key column its
/// `indclass`, `indcollation` and `indoption` entries (zero for an included column).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct IndexColumn {
    pub attnum: i16,
    pub option: i16,
    pub opclass: u32,
    pub collation: u32,
}

impl IndexRow {
    /// Decodes a row; the columns of an index the server left to the client to spell
    /// go onto `columns`.
    pub fn from_row(row: &Row, columns: &mut Vec<IndexColumn>, nodes: &mut Nodes) -> Result<Self> {
        const Q: &str = "indexes";
        Ok(IndexRow {
            oid: get(row, Q, "oid")?,
            name: QualName::new(
                get::<String>(row, Q, "schema")?,
                get::<String>(row, Q, "name")?,
            ),
            relid: get(row, Q, "relid")?,
            constraint_oid: get(row, Q, "constraint_oid")?,
            is_attached: get(row, Q, "is_attached")?,
            definition: get::<Option<&str>>(row, Q, "definition")?.map(server_index_definition),
            parts: IndexParts::from_row(row, columns, nodes)?,
            valid: get(row, Q, "valid")?,
            comment: get(row, Q, "comment")?,
        })
    }
}

impl IndexParts {
    /// The parts of an index row, when the query left its definition to the client
    /// (`keys` set). Arrays of unexpected lengths give no parts: the server then
    /// spells that index.
    fn from_row(
        row: &Row,
        columns: &mut Vec<IndexColumn>,
        nodes: &mut Nodes,
    ) -> Result<Option<Self>> {
        const Q: &str = "indexes";
        let Some(keys) = get::<Option<Vec<i16>>>(row, Q, "keys")? else {
            return Ok(None);
        };
        let opclasses: Vec<u32> = get(row, Q, "opclasses")?;
        let collations: Vec<u32> = get(row, Q, "collations")?;
        let options: Vec<i16> = get(row, Q, "options")?;
        let key_count = usize::try_from(get::<i16>(row, Q, "key_count")?).unwrap_or(0);
        let method = match get::<&str>(row, Q, "method")? {
            "btree" => IndexMethod::Btree,
            "hash" => IndexMethod::Hash,
            "gin" => IndexMethod::Gin,
            _ => return Ok(None),
        };
        let (Ok(start), Ok(count)) = (u32::try_from(columns.len()), u16::try_from(keys.len()))
        else {
            return Ok(None);
        };
        if key_count == 0
            || key_count > keys.len()
            || [opclasses.len(), collations.len(), options.len()] != [key_count; 3]
        {
            return Ok(None);
        }
        // The expressions and the predicate, read once the rest is known to be
        // spellable, while the row is at hand (as nodes: a fraction of their text's
        // size).
        let mut expressions = u32::MAX;
        let texts = [
            (get::<Option<&str>>(row, Q, "expressions")?, true),
            (get::<Option<&str>>(row, Q, "predicate")?, false),
        ];
        for (text, list) in texts {
            if let Some(text) = text {
                let Some(start) = nodes.parse(text, list) else {
                    return Ok(None);
                };
                expressions = expressions.min(start);
            }
        }
        let predicate = texts[1].0.is_some();
        columns.extend(keys.iter().enumerate().map(|(i, &attnum)| {
            if i < key_count {
                IndexColumn {
                    attnum,
                    option: options[i],
                    opclass: opclasses[i],
                    collation: collations[i],
                }
            } else {
                IndexColumn {
                    attnum,
                    option: 0,
                    opclass: 0,
                    collation: 0,
                }
            }
        }));
        Ok(Some(IndexParts {
            start,
            count,
            key_count: key_count as u16,
            unique: get(row, Q, "is_unique")?,
            method,
            expressions,
            predicate,
        }))
    }

    /// This index's columns in the list they were put on.
    pub fn columns<'a>(&self, all: &'a [IndexColumn]) -> &'a [IndexColumn] {
        let start = self.start as usize;
        all.get(start..start + usize::from(self.count))
            .unwrap_or(&[])
    }
}

/// A row of [`super::queries::OPCLASSES`].
#[derive(Clone, Debug)]
pub(crate) struct OpclassRow {
    pub oid: u32,
    pub method: String,
    pub name: String,
    pub is_default: bool,
    /// The type the class is for, as `format_type` spells it.
    pub input_type: String,
}

impl OpclassRow {
    pub fn from_row(row: &Row) -> Result<Self> {
        const Q: &str = "operator classes";
        Ok(OpclassRow {
            oid: get(row, Q, "oid")?,
            method: get(row, Q, "method")?,
            name: get(row, Q, "name")?,
            is_default: get(row, Q, "is_default")?,
            input_type: get(row, Q, "input_type")?,
        })
    }
}

/// A row of [`super::queries::EXPRESSION_NAMES`].
#[derive(Clone, Debug)]
pub(crate) struct NameRow {
    /// `o` (operator), `f` (function) or `e` (enum label).
    pub kind: Code,
    pub oid: u32,
    pub name: String,
    /// An operator's operand types, a function's argument types, a label's enum.
    pub args: Vec<u32>,
    /// For a function: no function of its name has defaults or is variadic.
    pub plain: bool,
}

impl NameRow {
    pub fn from_row(row: &Row) -> Result<Self> {
        const Q: &str = "expression names";
        Ok(NameRow {
            kind: code(row, Q, "kind")?,
            oid: get(row, Q, "oid")?,
            name: get(row, Q, "name")?,
            args: get(row, Q, "args")?,
            plain: get(row, Q, "plain")?,
        })
    }
}

/// A row of [`super::queries::TRIGGERS`].
#[derive(Clone, Debug)]
pub(crate) struct TriggerRow {
    pub oid: u32,
    pub relid: u32,
    pub name: String,
    pub definition: String,
    pub enabled: TriggerEnabled,
    pub is_constraint: bool,
    pub comment: Option<String>,
}

impl TriggerRow {
    pub fn from_row(row: &Row) -> Result<Self> {
        const Q: &str = "triggers";
        Ok(TriggerRow {
            oid: get(row, Q, "oid")?,
            relid: get(row, Q, "relid")?,
            name: get(row, Q, "name")?,
            definition: stable_spelling(get::<&str>(row, Q, "definition")?),
            enabled: trigger_enabled(get::<&str>(row, Q, "enabled")?)?,
            is_constraint: get(row, Q, "is_constraint")?,
            comment: get(row, Q, "comment")?,
        })
    }
}

/// A row of [`super::queries::POLICIES`].
#[derive(Clone, Debug)]
pub(crate) struct PolicyRow {
    pub oid: u32,
    pub relid: u32,
    pub name: String,
    pub command: String,
    pub permissive: bool,
    /// Sorted role names, `public` for everyone.
    pub roles: Vec<String>,
    pub using: Option<String>,
    pub with_check: Option<String>,
    pub comment: Option<String>,
}

impl PolicyRow {
    pub fn from_row(row: &Row) -> Result<Self> {
        const Q: &str = "policies";
        let roles: Option<Vec<Option<String>>> = get(row, Q, "roles")?;
        // A role cannot be dropped while a policy names it (pg_shdepend), so a missing
        // name would only come from a concurrent drop: leave it out.
        let mut roles: Vec<String> = roles.unwrap_or_default().into_iter().flatten().collect();
        roles.sort();
        roles.dedup();
        Ok(PolicyRow {
            oid: get(row, Q, "oid")?,
            relid: get(row, Q, "relid")?,
            name: get(row, Q, "name")?,
            command: policy_command(get::<&str>(row, Q, "command")?)?.to_string(),
            permissive: get(row, Q, "permissive")?,
            roles,
            using: get::<Option<&str>>(row, Q, "using_expr")?.map(stable_spelling),
            with_check: get::<Option<&str>>(row, Q, "check_expr")?.map(stable_spelling),
            comment: get(row, Q, "comment")?,
        })
    }
}

/// A row of [`super::queries::FUNCTIONS`].
#[derive(Clone, Debug)]
pub(crate) struct FunctionRow {
    pub oid: u32,
    pub name: QualName,
    /// `f` or `p`.
    pub prokind: String,
    pub identity_args: String,
    pub definition: String,
    pub arguments: String,
    pub result: Option<String>,
    pub comment: Option<String>,
}

impl FunctionRow {
    /// A row of [`super::queries::AGGREGATES`], its definition written from its parts.
    pub fn from_aggregate_row(row: &Row) -> Result<Self> {
        const Q: &str = "aggregates";
        let first = |col: &str| -> Result<char> {
            Ok(get::<&str>(row, Q, col)?.chars().next().unwrap_or(' '))
        };
        let parts = AggregateParts {
            sfunc: get(row, Q, "sfunc")?,
            stype: get(row, Q, "stype")?,
            sspace: get(row, Q, "sspace")?,
            finalfunc: get(row, Q, "finalfunc")?,
            finalfunc_extra: get(row, Q, "finalfunc_extra")?,
            finalfunc_modify: first("finalfunc_modify")?,
            combinefunc: get(row, Q, "combinefunc")?,
            serialfunc: get(row, Q, "serialfunc")?,
            deserialfunc: get(row, Q, "deserialfunc")?,
            initcond: get(row, Q, "initcond")?,
            msfunc: get(row, Q, "msfunc")?,
            minvfunc: get(row, Q, "minvfunc")?,
            mstype: get(row, Q, "mstype")?,
            msspace: get(row, Q, "msspace")?,
            mfinalfunc: get(row, Q, "mfinalfunc")?,
            mfinalfunc_extra: get(row, Q, "mfinalfunc_extra")?,
            mfinalfunc_modify: first("mfinalfunc_modify")?,
            minitcond: get(row, Q, "minitcond")?,
            sortop: get(row, Q, "sortop")?,
            parallel: first("parallel")?,
            kind: first("kind")?,
        };
        let name = QualName::new(
            get::<String>(row, Q, "schema")?,
            get::<String>(row, Q, "name")?,
        );
        let arguments: String = get(row, Q, "arguments")?;
        Ok(FunctionRow {
            oid: get(row, Q, "oid")?,
            definition: parts.definition(&name, &arguments),
            name,
            prokind: "a".into(),
            identity_args: get(row, Q, "identity_args")?,
            arguments,
            result: None,
            comment: get(row, Q, "comment")?,
        })
    }

    pub fn from_row(row: &Row) -> Result<Self> {
        const Q: &str = "functions";
        Ok(FunctionRow {
            oid: get(row, Q, "oid")?,
            name: QualName::new(
                get::<String>(row, Q, "schema")?,
                get::<String>(row, Q, "name")?,
            ),
            prokind: get(row, Q, "prokind")?,
            identity_args: get(row, Q, "identity_args")?,
            definition: get(row, Q, "definition")?,
            arguments: get(row, Q, "arguments")?,
            result: get(row, Q, "result")?,
            comment: get(row, Q, "comment")?,
        })
    }
}

/// A row of [`super::queries::DEPENDENCIES`]: `(classid, objid, objsubid)` depends on
/// `(refclassid, refobjid, refobjsubid)`.
#[derive(Clone, Debug)]
pub(crate) struct DependRow {
    pub classid: u32,
    pub objid: u32,
    pub objsubid: i32,
    pub refclassid: u32,
    pub refobjid: u32,
    pub refobjsubid: i32,
    /// The extension the referenced object belongs to, if any.
    pub ref_extension: Option<String>,
}

impl DependRow {
    pub fn from_row(row: &Row) -> Result<Self> {
        const Q: &str = "dependencies";
        Ok(DependRow {
            classid: get(row, Q, "classid")?,
            objid: get(row, Q, "objid")?,
            objsubid: get(row, Q, "objsubid")?,
            refclassid: get(row, Q, "refclassid")?,
            refobjid: get(row, Q, "refobjid")?,
            refobjsubid: get(row, Q, "refobjsubid")?,
            ref_extension: get(row, Q, "ref_extension")?,
        })
    }
}

/// A row of [`super::queries::PRIVILEGES`]: an object's grants and its default's.
#[derive(Clone, Debug)]
pub(crate) struct PrivilegeRow {
    pub classid: u32,
    pub objid: u32,
    pub objsubid: i32,
    pub grants: Privileges,
    pub defaults: Privileges,
    /// The grants of `grants` made by another role than the owner.
    pub foreign: Vec<ForeignGrant>,
}

impl PrivilegeRow {
    pub fn from_row(row: &Row) -> Result<Self> {
        const Q: &str = "privileges";
        Ok(PrivilegeRow {
            classid: get(row, Q, "classid")?,
            objid: get(row, Q, "objid")?,
            objsubid: get(row, Q, "objsubid")?,
            grants: grants_of(row, Q, "")?,
            defaults: grants_of(row, Q, "default_")?,
            foreign: foreign_grants(row, Q)?,
        })
    }
}

/// The grants of one ACL, from the three arrays `acl_arrays!` writes with `prefix`.
fn grants_of(row: &Row, q: &str, prefix: &str) -> Result<Privileges> {
    let grantees: Option<Vec<String>> = get(row, q, &format!("{prefix}grantees"))?;
    let privileges: Option<Vec<String>> = get(row, q, &format!("{prefix}privileges"))?;
    let grantable: Option<Vec<bool>> = get(row, q, &format!("{prefix}grantable"))?;
    Ok(Privileges::from_grants(
        grantees
            .unwrap_or_default()
            .into_iter()
            .zip(privileges.unwrap_or_default())
            .zip(grantable.unwrap_or_default())
            .map(|((grantee, privilege), grantable)| Grant {
                grantee,
                privilege,
                grantable,
            }),
    ))
}

/// The grants of a row's ACL made by another role than the owner.
fn foreign_grants(row: &Row, q: &str) -> Result<Vec<ForeignGrant>> {
    let grantees: Option<Vec<String>> = get(row, q, "grantees")?;
    let privileges: Option<Vec<String>> = get(row, q, "privileges")?;
    let grantable: Option<Vec<bool>> = get(row, q, "grantable")?;
    let grantors: Option<Vec<String>> = get(row, q, "grantors")?;
    Ok(grantees
        .unwrap_or_default()
        .into_iter()
        .zip(privileges.unwrap_or_default())
        .zip(grantable.unwrap_or_default())
        .zip(grantors.unwrap_or_default())
        .filter(|(_, grantor)| !grantor.is_empty())
        .map(
            |(((grantee, privilege), grantable), grantor)| ForeignGrant {
                grantee,
                privilege,
                grantable,
                grantor,
            },
        )
        .collect())
}

/// A row of [`super::queries::DEFAULT_PRIVILEGES`]: one entry; `None` for a kind of
/// object the model does not know (a newer server's).
pub(crate) fn default_privilege_from_row(row: &Row) -> Result<Option<(DefaultAclKey, Privileges)>> {
    const Q: &str = "default privileges";
    let kind: String = get(row, Q, "kind")?;
    let Some(kind) = DefaultAclKind::from_code(&kind) else {
        return Ok(None);
    };
    let key = DefaultAclKey {
        role: get(row, Q, "role")?,
        schema: get(row, Q, "schema")?,
        kind,
    };
    Ok(Some((key, grants_of(row, Q, "")?)))
}

/// A row of [`super::queries::OWNERS`]: an object and the role that owns it.
#[derive(Clone, Debug)]
pub(crate) struct OwnerRow {
    pub classid: u32,
    pub objid: u32,
    pub owner: String,
}

impl OwnerRow {
    pub fn from_row(row: &Row) -> Result<Self> {
        const Q: &str = "owners";
        let owner: String = get(row, Q, "owner")?;
        Ok(OwnerRow {
            classid: get(row, Q, "classid")?,
            objid: get(row, Q, "objid")?,
            // `regrole::text` quotes a name that needs it; the model keeps names bare.
            owner: unquote(&owner),
        })
    }
}

/// A role name as `regrole::text` writes it, without its double quotes.
fn unquote(name: &str) -> String {
    match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => name.to_string(),
    }
}

/// Decodes a row of [`super::queries::UNMANAGED`].
pub(crate) fn unmanaged_from_row(row: &Row) -> Result<Unmanaged> {
    const Q: &str = "unmanaged";
    Ok(Unmanaged {
        kind: get(row, Q, "kind")?,
        schema: get(row, Q, "schema")?,
        name: get(row, Q, "name")?,
    })
}

/// Splits `pg_get_constraintdef`'s trailing ` NOT VALID` off: (definition, validated).
pub(crate) fn split_not_valid(definition: &str) -> (&str, bool) {
    match definition.strip_suffix(" NOT VALID") {
        Some(rest) => (rest, false),
        None => (definition, true),
    }
}

/// `pg_get_constraintdef`'s text as the model keeps it: without ` NOT VALID` (which
/// `convalidated` carries), arrays in their stable spelling. For the constraint query's
/// rows and for the definitions asked for after it alike.
pub(crate) fn constraint_definition(definition: &str) -> String {
    stable_spelling(split_not_valid(definition).0)
}

/// `pg_get_indexdef`'s text as the model keeps it: ` ON ONLY ` made ` ON `, arrays in
/// their stable spelling. For the index query's rows and for the definitions asked for
/// after it alike.
pub(crate) fn server_index_definition(definition: &str) -> String {
    stable_spelling(&index_definition(definition))
}

/// `pg_get_indexdef` of an index on a partitioned table says `ON ONLY table`: the index
/// was created on the parent alone. schemaplan manages such an index on the parent and
/// wants every partition to get it, which is what `ON table` does, so the `ONLY` goes.
/// Only the first ` ON ` outside double quotes is looked at: it follows the index name
/// (which may itself contain ` ON ONLY ` when quoted), and anything later (a predicate
/// with a string literal) is left alone.
pub(crate) fn index_definition(definition: &str) -> std::borrow::Cow<'_, str> {
    let mut in_quotes = false;
    for (i, c) in definition.char_indices() {
        if c == '"' {
            // A doubled quote inside a quoted name toggles twice: no net change.
            in_quotes = !in_quotes;
        } else if !in_quotes && definition[i..].starts_with(" ON ") {
            if definition[i..].starts_with(" ON ONLY ") {
                return format!(
                    "{} ON {}",
                    &definition[..i],
                    &definition[i + " ON ONLY ".len()..]
                )
                .into();
            }
            break;
        }
    }
    definition.into()
}

/// `pg_get_viewdef` starts with a space and ends with `;`: trim both.
pub(crate) fn view_definition(definition: &str) -> &str {
    let trimmed = definition.trim();
    trimmed.strip_suffix(';').unwrap_or(trimmed).trim_end()
}

/// Storage parameters sorted, the TOAST table's prefixed `toast.`.
pub(crate) fn sorted_options(own: Vec<String>, toast: Vec<String>) -> Vec<String> {
    let mut options = own;
    options.extend(toast.into_iter().map(|o| format!("toast.{o}")));
    options.sort();
    options
}

/// `pg_trigger.tgenabled` to the model.
pub(crate) fn trigger_enabled(tgenabled: &str) -> Result<TriggerEnabled> {
    match tgenabled {
        "O" => Ok(TriggerEnabled::Origin),
        "D" => Ok(TriggerEnabled::Disabled),
        "R" => Ok(TriggerEnabled::Replica),
        "A" => Ok(TriggerEnabled::Always),
        other => Err(unexpected("pg_trigger.tgenabled", other)),
    }
}

/// `pg_policy.polcmd` to the command keyword.
pub(crate) fn policy_command(polcmd: &str) -> Result<&'static str> {
    match polcmd {
        "*" => Ok("ALL"),
        "r" => Ok("SELECT"),
        "a" => Ok("INSERT"),
        "w" => Ok("UPDATE"),
        "d" => Ok("DELETE"),
        other => Err(unexpected("pg_policy.polcmd", other)),
    }
}

/// `pg_constraint.contype` of a table constraint to the model.
pub(crate) fn constraint_kind(contype: &str) -> Result<ConstraintKind> {
    match contype {
        "p" => Ok(ConstraintKind::PrimaryKey),
        "u" => Ok(ConstraintKind::Unique),
        "f" => Ok(ConstraintKind::ForeignKey),
        "c" => Ok(ConstraintKind::Check),
        "x" => Ok(ConstraintKind::Exclusion),
        other => Err(unexpected("pg_constraint.contype", other)),
    }
}

/// PostgreSQL does not print every expression the way it reads it back: a character
/// column compared with a list (`status IN ('a', 'b')` on a `varchar`) is stored as a
/// cast of the whole array, `(ARRAY['a'::character varying, ...])::text[]`, and that
/// text, run again, is stored with the cast pushed into each element,
/// `ARRAY[('a'::character varying)::text, ...]`. Both mean the same; the second spelling
/// is the one that survives a round trip, so every definition is read in it (otherwise
/// applying a plan would never converge).
pub(crate) fn stable_spelling(text: &str) -> String {
    const OPEN: &str = "(ARRAY[";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((at, _, _)) = unquoted(rest).find(|&(i, _, _)| rest[i..].starts_with(OPEN)) {
        out.push_str(&rest[..at]);
        // From the `[`.
        let array = &rest[at + OPEN.len() - 1..];
        match array_cast(array) {
            Some((elements, type_name, used)) => {
                let cast: Vec<String> = elements
                    .iter()
                    .map(|e| format!("({e})::{type_name}"))
                    .collect();
                out.push_str("ARRAY[");
                out.push_str(&cast.join(", "));
                out.push(']');
                rest = &array[used..];
            }
            None => {
                out.push_str(OPEN);
                rest = &array[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// From the `[` of `(ARRAY[`: the elements, when every one is a cast literal
/// (`'a'::character varying`), the element type of the `])::type[]` that closes it, and
/// the length read.
fn array_cast(text: &str) -> Option<(Vec<&str>, &str, usize)> {
    let mut elements = Vec::new();
    let mut start = 1;
    let mut end = None;
    for (i, c, depth) in unquoted(text).skip(1) {
        match (c, depth) {
            (',', 1) => {
                elements.push(text[start..i].trim());
                start = i + 1;
            }
            (']', 0) => {
                elements.push(text[start..i].trim());
                end = Some(i);
                break;
            }
            // A `)` closing what was open before the array.
            (')', 0) => return None,
            _ => {}
        }
    }
    let end = end?;
    let after = text[end..].strip_prefix("])::")?;
    let type_end = after.find("[]")?;
    let type_name = &after[..type_end];
    let simple_type = !type_name.is_empty()
        && type_name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '_' | '.' | '"'));
    let cast_literal = |e: &&str| {
        e.starts_with('\'')
            && e.rfind("'::").is_some_and(|q| {
                e[q + 3..]
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '_' | '.' | '"'))
            })
    };
    if !simple_type || elements.is_empty() || !elements.iter().all(cast_literal) {
        return None;
    }
    Some((elements, type_name, end + "])::".len() + type_end + 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_valid_is_split_off() {
        assert_eq!(
            split_not_valid("CHECK ((a > 0)) NOT VALID"),
            ("CHECK ((a > 0))", false)
        );
        assert_eq!(
            split_not_valid("FOREIGN KEY (a) REFERENCES public.t(id)"),
            ("FOREIGN KEY (a) REFERENCES public.t(id)", true)
        );
    }

    #[test]
    fn on_only_becomes_on() {
        assert_eq!(
            index_definition("CREATE INDEX p_id_idx ON ONLY public.p USING btree (id)"),
            "CREATE INDEX p_id_idx ON public.p USING btree (id)"
        );
        assert_eq!(
            index_definition("CREATE INDEX i ON public.t USING btree (id)"),
            "CREATE INDEX i ON public.t USING btree (id)"
        );
    }

    #[test]
    fn on_only_inside_names_and_predicates_is_kept() {
        assert_eq!(
            index_definition(r#"CREATE INDEX "a ON ONLY ""b" ON ONLY public.p USING btree (id)"#),
            r#"CREATE INDEX "a ON ONLY ""b" ON public.p USING btree (id)"#
        );
        assert_eq!(
            index_definition("CREATE INDEX i ON public.t USING btree (x) WHERE (x <> ' ON ONLY ')"),
            "CREATE INDEX i ON public.t USING btree (x) WHERE (x <> ' ON ONLY ')"
        );
    }

    #[test]
    fn view_definitions_are_trimmed() {
        assert_eq!(
            view_definition(" SELECT t.id\n   FROM public.t;"),
            "SELECT t.id\n   FROM public.t"
        );
    }

    #[test]
    fn options_are_sorted_with_toast_prefix() {
        assert_eq!(
            sorted_options(
                vec!["fillfactor=70".into(), "autovacuum_enabled=false".into()],
                vec!["autovacuum_enabled=true".into()]
            ),
            vec![
                "autovacuum_enabled=false",
                "fillfactor=70",
                "toast.autovacuum_enabled=true"
            ]
        );
    }

    #[test]
    fn catalog_codes_map_to_the_model() {
        assert_eq!(trigger_enabled("O").unwrap(), TriggerEnabled::Origin);
        assert_eq!(trigger_enabled("D").unwrap(), TriggerEnabled::Disabled);
        assert_eq!(trigger_enabled("R").unwrap(), TriggerEnabled::Replica);
        assert_eq!(trigger_enabled("A").unwrap(), TriggerEnabled::Always);
        assert!(trigger_enabled("X").is_err());
        assert_eq!(policy_command("*").unwrap(), "ALL");
        assert_eq!(policy_command("w").unwrap(), "UPDATE");
        assert!(policy_command("?").is_err());
        assert_eq!(constraint_kind("x").unwrap(), ConstraintKind::Exclusion);
        assert!(constraint_kind("t").is_err());
    }

    #[test]
    fn array_casts_are_pushed_into_the_elements() {
        assert_eq!(
            stable_spelling(
                "CHECK (((status)::text = ANY ((ARRAY['a'::character varying, 'b''c'::character varying])::text[])))"
            ),
            "CHECK (((status)::text = ANY (ARRAY[('a'::character varying)::text, ('b''c'::character varying)::text])))"
        );
        // Already stable, or not a cast of literals: untouched.
        for text in [
            "CHECK (((status)::text = ANY (ARRAY[('a'::character varying)::text])))",
            "CHECK ((d = ANY (ARRAY['2020-01-01'::date])))",
            "CHECK ((x = ANY ((ARRAY[a, b])::text[])))",
            "CHECK ((note = '(ARRAY[''a''::x])::text[]'::text))",
        ] {
            assert_eq!(stable_spelling(text), text);
        }
    }
}

//! A Catalog written in the YAML format (`inspect --format yaml`).
//!
//! Input: a [`Catalog`]. Output: the text of one YAML file that compiles back to the
//! same schema. Deterministic: objects in name order, columns in attribute order, and
//! the short form wherever it says everything (a column without identity, generation,
//! collation or comment is `type not null default ...`). Foreign keys, triggers and
//! functions, which the catalog holds as PostgreSQL's text, are taken apart when that
//! text has its usual shape, and written whole otherwise. Does no I/O.

use std::collections::BTreeMap;

use crate::model::{
    needs_quotes, AclKind, Catalog, Column, Constraint, ConstraintKind, Function, FunctionKind,
    Ident, Index, ObjectId, Privileges, QualName, ReplicaIdentity, SequenceOptions, Trigger,
    TriggerEnabled, TypeKind, View, CURRENT_USER,
};

use super::format::{
    AttributeSpec, CastSpec, CheckSpec, CollationSpec, ColumnSpec, CompositeSpec, ConstraintSpec,
    DefaultPrivilegesSpec, DomainSpec, EnumSpec, EventTriggerSpec, ExtensionSpec, File,
    ForeignDataWrapperSpec, ForeignKeySpec, ForeignTableSpec, FunctionSpec, IdentityKindSpec,
    IdentitySpec, IndexSpec, Map, NotNullSpec, OperatorSpec, PartitionOfSpec, PolicySpec,
    PublicationSpec, PublishedTableSpec, RuleSpec, SchemaSpec, SequenceSpec, ServerSpec, Spec,
    StatisticsSpec, TableSpec, TextSearchConfigurationSpec, TextSearchDictionarySpec, TriggerSpec,
    ViewSpec,
};
use super::names::{self, key, key_part};

/// The comment every new database's `public` schema has.
const PUBLIC_COMMENT: &str = "standard public schema";

/// The catalog as the text of a YAML file.
pub fn emit(catalog: &Catalog) -> String {
    let file = to_file(catalog);
    if file == File::default() {
        return "{}\n".to_string();
    }
    serde_norway::to_string(&file).unwrap_or_default()
}

/// The catalog in the YAML format's data.
pub fn to_file(catalog: &Catalog) -> File {
    let mut f = File::default();
    for (name, s) in &catalog.schemas {
        if name == "public" && s.comment.as_deref() == Some(PUBLIC_COMMENT) {
            continue;
        }
        let grants = grants_of(catalog, &ObjectId::Schema(name.clone()));
        let owner = (name != "public")
            .then(|| owner_of(catalog, &ObjectId::Schema(name.clone())))
            .flatten();
        let spec =
            (s.comment.is_some() || !grants.is_empty() || owner.is_some()).then(|| SchemaSpec {
                comment: s.comment.clone(),
                grants,
                owner,
            });
        f.schemas.insert(name.clone(), spec);
    }
    for (name, e) in &catalog.extensions {
        f.extensions.insert(
            name.clone(),
            Some(ExtensionSpec {
                schema: Some(e.schema.clone()),
                version: Some(e.version.clone()),
                comment: e.comment.clone(),
            }),
        );
    }
    for (name, c) in &catalog.collations {
        let libc = c.provider == crate::model::CollationProvider::Libc;
        let one_locale = libc && c.lc_collate == c.lc_ctype;
        f.collations.insert(
            key(name),
            CollationSpec {
                provider: (!libc).then(|| c.provider.as_str().to_string()),
                locale: if one_locale {
                    c.lc_collate.clone()
                } else {
                    c.locale.clone()
                },
                lc_collate: if one_locale {
                    None
                } else {
                    c.lc_collate.clone()
                },
                lc_ctype: if one_locale { None } else { c.lc_ctype.clone() },
                rules: c.rules.clone(),
                deterministic: (!c.deterministic).then_some(false),
                comment: c.comment.clone(),
            },
        );
    }
    for o in catalog.operators.values() {
        f.operators.push(OperatorSpec {
            name: o.name.name.clone(),
            schema: Some(o.name.schema.clone()),
            left: o.left.clone(),
            right: o.right.clone(),
            function: o.function.clone(),
            commutator: o.commutator.clone(),
            negator: o.negator.clone(),
            restrict: o.restrict.clone(),
            join: o.join.clone(),
            hashes: o.hashes,
            merges: o.merges,
            comment: o.comment.clone(),
        });
    }
    for c in catalog.casts.values() {
        f.casts.push(CastSpec {
            source: c.source.clone(),
            target: c.target.clone(),
            function: c.function.clone(),
            inout: c.inout,
            context: match c.context {
                'a' => Some("assignment".into()),
                'i' => Some("implicit".into()),
                _ => None,
            },
            comment: c.comment.clone(),
        });
    }
    for (name, x) in &catalog.ts_dictionaries {
        f.text_search_dictionaries.insert(
            key(name),
            TextSearchDictionarySpec {
                template: x.template.clone(),
                options: Map(x.options.iter().cloned().collect()),
                comment: x.comment.clone(),
            },
        );
    }
    for (name, x) in &catalog.ts_configurations {
        f.text_search_configurations.insert(
            key(name),
            TextSearchConfigurationSpec {
                parser: Some(x.parser.clone()),
                copy: None,
                mappings: Map(x
                    .mappings
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()),
                comment: x.comment.clone(),
            },
        );
    }
    let fdw_options = |o: &crate::model::FdwOptions| Map(o.iter().cloned().collect());
    for (name, w) in &catalog.foreign_data_wrappers {
        let spec = ForeignDataWrapperSpec {
            handler: w.handler.clone(),
            validator: w.validator.clone(),
            options: fdw_options(&w.options),
            comment: w.comment.clone(),
        };
        let empty = spec == ForeignDataWrapperSpec::default();
        f.foreign_data_wrappers
            .insert(name.clone(), (!empty).then_some(spec));
    }
    for (name, v) in &catalog.foreign_servers {
        f.servers.insert(
            name.clone(),
            ServerSpec {
                wrapper: v.wrapper.clone(),
                server_type: v.server_type.clone(),
                version: v.version.clone(),
                options: fdw_options(&v.options),
                user_mappings: Map(v
                    .mappings
                    .iter()
                    .map(|(u, o)| (u.clone(), (!o.is_empty()).then(|| fdw_options(o))))
                    .collect()),
                comment: v.comment.clone(),
            },
        );
    }
    for (name, x) in &catalog.event_triggers {
        f.event_triggers.insert(
            name.clone(),
            EventTriggerSpec {
                on: x.event.clone(),
                tags: x.tags.clone(),
                function: key(&x.function.name),
                enabled: enabled_word(x.enabled),
                comment: x.comment.clone(),
            },
        );
    }
    for (name, p) in &catalog.publications {
        let all = p.publish.len() == crate::model::PUBLISH_OPERATIONS.len();
        f.publications.insert(
            name.clone(),
            PublicationSpec {
                all_tables: p.all_tables,
                tables: Map(p
                    .tables
                    .iter()
                    .map(|(t, x)| {
                        let spec = (!x.columns.is_empty() || x.row_filter.is_some()).then(|| {
                            PublishedTableSpec {
                                columns: x.columns.clone(),
                                row_filter: x.row_filter.clone(),
                            }
                        });
                        (key(t), spec)
                    })
                    .collect()),
                schemas: p.schemas.iter().cloned().collect(),
                publish: (!all).then(|| p.publish.clone()),
                via_partition_root: p.via_root,
                comment: p.comment.clone(),
            },
        );
    }
    for (name, t) in &catalog.types {
        match &t.kind {
            TypeKind::Enum { labels } => {
                let owner = owner_of(catalog, &ObjectId::Type(name.clone()));
                let spec = if t.comment.is_none() && owner.is_none() {
                    Spec::List(labels.clone())
                } else {
                    Spec::Full(EnumSpec {
                        values: labels.clone(),
                        comment: t.comment.clone(),
                        owner,
                    })
                };
                f.enums.insert(key(name), spec);
            }
            TypeKind::Domain {
                base,
                not_null,
                default,
                collation,
                checks,
            } => {
                let mut d = DomainSpec {
                    base: base.clone(),
                    not_null: *not_null,
                    default: default.clone(),
                    collation: collation.clone(),
                    checks: Map::default(),
                    comment: t.comment.clone(),
                    grants: None,
                    owner: owner_of(catalog, &ObjectId::Type(name.clone())),
                };
                for (cname, c) in checks.iter() {
                    let spec = match check_expression(&c.definition) {
                        Some((expr, false)) if c.validated => Spec::Str(expr),
                        Some((expr, no_inherit)) => Spec::Full(CheckSpec {
                            expression: expr,
                            no_inherit,
                            not_valid: !c.validated,
                            comment: None,
                        }),
                        // pg_get_constraintdef writes a domain check as `CHECK (...)`;
                        // were it ever otherwise, the text is kept whole and loading it
                        // back says what is wrong rather than silently changing it.
                        None => Spec::Str(c.definition.clone()),
                    };
                    d.checks.insert(cname.clone(), spec);
                }
                d.grants = full_grants_of(catalog, &ObjectId::Type(name.clone()));
                let short = !d.not_null
                    && d.default.is_none()
                    && d.collation.is_none()
                    && d.checks.is_empty()
                    && d.comment.is_none()
                    && d.grants.is_none()
                    && d.owner.is_none();
                let spec = if short {
                    Spec::Str(base.clone())
                } else {
                    Spec::Full(d)
                };
                f.domains.insert(key(name), spec);
            }
            TypeKind::Composite { attributes } => {
                let mut attrs = Map::default();
                for a in attributes {
                    let spec = match &a.collation {
                        None => Spec::Str(a.type_name.clone()),
                        Some(c) => Spec::Full(AttributeSpec {
                            type_name: a.type_name.clone(),
                            collation: Some(c.clone()),
                        }),
                    };
                    attrs.insert(a.name.clone(), spec);
                }
                f.composites.insert(
                    key(name),
                    CompositeSpec {
                        attributes: attrs,
                        comment: t.comment.clone(),
                        owner: owner_of(catalog, &ObjectId::Type(name.clone())),
                    },
                );
            }
        }
    }
    for (name, s) in &catalog.sequences {
        let o = options(&s.data_type, &s.options);
        let spec = SequenceSpec {
            data_type: (s.data_type != "bigint").then(|| s.data_type.clone()),
            start: o.start,
            increment: o.increment,
            min: o.min,
            max: o.max,
            cache: o.cache,
            cycle: o.cycle,
            owned_by: s
                .owned_by
                .as_ref()
                .map(|(t, c)| format!("{}.{}", key(t), key_part(c))),
            comment: s.comment.clone(),
            grants: grants_of(catalog, &ObjectId::Sequence(name.clone())),
            // A column's sequence follows its table's owner.
            owner: s
                .owned_by
                .is_none()
                .then(|| owner_of(catalog, &ObjectId::Sequence(name.clone())))
                .flatten(),
        };
        let spec = (spec != SequenceSpec::default()).then_some(spec);
        f.sequences.insert(key(name), spec);
    }
    let mut indexes: BTreeMap<&QualName, Vec<&Index>> = BTreeMap::new();
    for i in catalog.indexes.values() {
        indexes.entry(&i.table).or_default().push(i);
    }
    let mut triggers: BTreeMap<&QualName, Vec<&Trigger>> = BTreeMap::new();
    for t in catalog.triggers.values() {
        triggers.entry(&t.table).or_default().push(t);
    }
    let no_indexes = Vec::new();
    let no_triggers = Vec::new();
    for (name, t) in &catalog.tables {
        let mut spec = TableSpec {
            partition_by: t.partition_by.clone(),
            partition_of: t.partition_of.as_ref().map(|p| PartitionOfSpec {
                parent: key(&p.parent),
                bound: p.bound.clone(),
            }),
            inherits: t.inherits.iter().map(key).collect(),
            unlogged: t.unlogged,
            row_level_security: t.rls_enabled,
            force_row_level_security: t.rls_forced,
            options: t.options.clone(),
            replica_identity: match &t.replica_identity {
                ReplicaIdentity::Default => None,
                ReplicaIdentity::Full => Some("full".into()),
                ReplicaIdentity::Nothing => Some("nothing".into()),
                ReplicaIdentity::Index(i) => Some(format!("using index {i}")),
            },
            comment: t.comment.clone(),
            grants: grants_of(catalog, &ObjectId::Table(name.clone())),
            owner: owner_of(catalog, &ObjectId::Table(name.clone())),
            foreign: t.foreign.as_ref().map(|f| ForeignTableSpec {
                server: f.server.clone(),
                options: fdw_options(&f.options),
                column_options: Map(f
                    .column_options
                    .iter()
                    .map(|(c, o)| (c.clone(), fdw_options(o)))
                    .collect()),
            }),
            ..TableSpec::default()
        };
        for c in t.columns.values().filter(|c| !*c.inherited) {
            spec.columns.insert(c.name.clone(), column(c));
        }
        // A partition's own NOT NULL, on a column its parent leaves nullable.
        for c in catalog.own_not_null(t) {
            spec.columns
                .insert(c.name.clone(), Spec::Str("not null".to_string()));
        }
        for (cname, c) in t.constraints.iter() {
            constraint(&mut spec, name, cname, c);
        }
        // `references: orgs` alone means the referenced table's primary key.
        for fk in &mut spec.foreign_keys {
            if primary_key_of(catalog, referenced_table(&fk.references)).as_ref()
                == Some(&fk.referenced_columns)
            {
                fk.referenced_columns.clear();
            }
        }
        spec.indexes = index_map(indexes.get(name).unwrap_or(&no_indexes));
        for x in catalog.statistics.values().filter(|x| x.table == *name) {
            let sname = if x.name.schema == name.schema {
                key_part(&x.name.name)
            } else {
                key(&x.name)
            };
            spec.statistics.insert(
                sname,
                StatisticsSpec {
                    on: x
                        .columns
                        .iter()
                        .cloned()
                        .chain(x.expressions.iter().map(|e| format!("({e})")))
                        .collect(),
                    kinds: x.kinds.clone(),
                    target: x.target,
                    comment: x.comment.clone(),
                },
            );
        }
        for (pname, p) in t.policies.iter() {
            spec.policies.insert(
                pname.clone(),
                PolicySpec {
                    restrictive: !p.permissive,
                    command: (p.command != "ALL").then(|| p.command.to_lowercase()),
                    roles: if p.roles == ["public"] {
                        Vec::new()
                    } else {
                        p.roles.clone()
                    },
                    using: p.using.clone(),
                    with_check: p.with_check.clone(),
                    comment: p.comment.clone(),
                },
            );
        }
        spec.triggers = trigger_map(triggers.get(name).unwrap_or(&no_triggers));
        for r in catalog.rules.values().filter(|r| r.table == *name) {
            spec.rules.insert(
                r.name.clone(),
                RuleSpec {
                    definition: r.definition.clone(),
                    enabled: enabled_word(r.enabled),
                    comment: r.comment.clone(),
                },
            );
        }
        f.tables.insert(key(name), spec);
    }
    for (name, v) in &catalog.views {
        let spec = view(
            v,
            indexes.get(name).unwrap_or(&no_indexes),
            triggers.get(name).unwrap_or(&no_triggers),
            grants_of(catalog, &ObjectId::View(name.clone())),
            owner_of(catalog, &ObjectId::View(name.clone())),
        );
        if v.materialized {
            f.materialized_views.insert(key(name), spec);
        } else {
            f.views.insert(key(name), spec);
        }
    }
    for (k, func) in &catalog.functions {
        let mut spec = function_parts(func, &k.args).unwrap_or_else(|| FunctionSpec {
            definition: Some(func.definition.clone()),
            comment: func.comment.clone(),
            ..FunctionSpec::default()
        });
        spec.grants = full_grants_of(catalog, &ObjectId::Function(k.clone()));
        spec.owner = owner_of(catalog, &ObjectId::Function(k.clone()));
        let name = format!("{}({})", key(&k.name), k.args);
        match func.kind {
            // An aggregate keeps its whole `CREATE AGGREGATE` statement.
            FunctionKind::Function | FunctionKind::Aggregate => f.functions.insert(name, spec),
            FunctionKind::Procedure => f.procedures.insert(name, spec),
        }
    }
    f.default_privileges = default_privileges(catalog);
    f
}

/// A function in parts (args, returns, language, options, body), read from
/// `pg_get_functiondef`'s regular layout: the header line, one attribute per line, then
/// `AS $tag$body$tag$`. None for anything else (SQL-standard bodies, C functions),
/// which keep their whole definition.
fn function_parts(f: &Function, identity_args: &str) -> Option<FunctionSpec> {
    let def = f.definition.as_str();
    let (header, rest) = def.split_once('\n')?;
    let word = match f.kind {
        FunctionKind::Function => "FUNCTION",
        FunctionKind::Procedure => "PROCEDURE",
        FunctionKind::Aggregate => return None,
    };
    if !header.starts_with(&format!("CREATE OR REPLACE {word} ")) {
        return None;
    }
    let mut language = None;
    let mut options = Vec::new();
    let mut rest = rest;
    loop {
        let (line, next) = rest.split_once('\n')?;
        if let Some(attr) = line.strip_prefix(' ') {
            if let Some(l) = attr.strip_prefix("LANGUAGE ") {
                language = Some(l.to_string());
            } else if !attr.starts_with("RETURNS ") {
                options.push(attr.to_string());
            }
            rest = next;
            continue;
        }
        break;
    }
    let after_as = rest.strip_prefix("AS $")?;
    let tag_end = after_as.find('$')?;
    let tag = format!("${}$", &after_as[..tag_end]);
    let body = after_as[tag_end + 1..]
        .strip_suffix('\n')?
        .strip_suffix(tag.as_str())?;
    if body.contains(tag.as_str()) {
        return None;
    }
    Some(FunctionSpec {
        args: (f.arguments != identity_args).then(|| f.arguments.clone()),
        returns: f.result.clone(),
        language: Some(language?),
        options: (!options.is_empty()).then(|| options.join(" ")),
        body: Some(body.to_string()),
        comment: f.comment.clone(),
        definition: None,
        grants: None,
        owner: None,
    })
}

/// The table a foreign key's `references` key names.
fn referenced_table(key: &str) -> Option<QualName> {
    names::qualified(key, "public").ok()
}

/// The columns of a table's primary key, when it has one with plain column names.
fn primary_key_of(catalog: &Catalog, table: Option<QualName>) -> Option<Vec<String>> {
    let t = catalog.tables.get(&table?)?;
    t.constraints
        .iter()
        .find(|(_, c)| c.kind == ConstraintKind::PrimaryKey)
        .and_then(|(_, c)| key_columns(&c.definition, "PRIMARY KEY ("))
}

/// Sequence options that differ from PostgreSQL's defaults for the type.
fn options(data_type: &str, o: &SequenceOptions) -> SequenceSpec {
    let d = SequenceOptions::defaults_for(data_type, o.increment);
    let natural_start = if o.increment > 0 { o.min } else { o.max };
    SequenceSpec {
        start: (o.start != natural_start).then_some(o.start),
        increment: (o.increment != 1).then_some(o.increment),
        min: (o.min != d.min).then_some(o.min),
        max: (o.max != d.max).then_some(o.max),
        cache: (o.cache != 1).then_some(o.cache),
        cycle: o.cycle,
        ..SequenceSpec::default()
    }
}

fn column(c: &Column) -> Spec<ColumnSpec> {
    if c.identity.is_none()
        && c.generated.is_none()
        && c.collation.is_none()
        && c.comment.is_none()
        && c.not_null_constraint.is_none()
    {
        let mut s = c.type_name.clone();
        if c.not_null {
            s.push_str(" not null");
        }
        if let Some(d) = &c.default {
            s.push_str(&format!(" default {d}"));
        }
        return Spec::Str(s);
    }
    // An identity column with the default sequence: `bigint generated always as
    // identity` (identity implies NOT NULL).
    if let (Some(id), true) = (&c.identity, c.not_null) {
        let plain = c.default.is_none()
            && c.generated.is_none()
            && c.collation.is_none()
            && c.comment.is_none()
            && options(&c.type_name, &id.options) == SequenceSpec::default();
        if plain {
            let kind = match id.kind {
                crate::model::IdentityKind::Always => "always",
                crate::model::IdentityKind::ByDefault => "by default",
            };
            return Spec::Str(format!("{} generated {kind} as identity", c.type_name));
        }
    }
    let identity = c.identity.as_ref().map(|id| {
        let kind = match id.kind {
            crate::model::IdentityKind::Always => IdentityKindSpec::Always,
            crate::model::IdentityKind::ByDefault => IdentityKindSpec::ByDefault,
        };
        let o = options(&c.type_name, &id.options);
        let full = IdentitySpec {
            kind,
            start: o.start,
            increment: o.increment,
            min: o.min,
            max: o.max,
            cache: o.cache,
            cycle: o.cycle,
        };
        if full
            == (IdentitySpec {
                kind,
                ..IdentitySpec::default()
            })
        {
            Spec::Str(match kind {
                IdentityKindSpec::Always => "always".into(),
                IdentityKindSpec::ByDefault => "by-default".into(),
            })
        } else {
            Spec::Full(full)
        }
    });
    Spec::Full(ColumnSpec {
        type_name: c.type_name.clone(),
        not_null: c.not_null,
        default: c.default.clone(),
        identity,
        generated: c.generated.as_deref().map(str::to_string),
        virtual_generated: c.virtual_generated,
        not_null_constraint: c
            .not_null_constraint
            .as_deref()
            .filter(|_| c.not_null)
            .map(|k| NotNullSpec {
                name: k.name.clone(),
                not_valid: k.not_valid,
                no_inherit: k.no_inherit,
            }),
        collation: c.collation.as_deref().map(str::to_string),
        comment: c.comment.clone(),
        ..ColumnSpec::default()
    })
}

/// Puts a constraint where it reads best: a plain primary key or unique constraint
/// with PostgreSQL's default name as a column list, a check as its expression,
/// anything else as its definition.
fn constraint(spec: &mut TableSpec, table: &QualName, name: &str, c: &Constraint) {
    let plain = c.validated && c.comment.is_none();
    match c.kind {
        ConstraintKind::PrimaryKey if plain && spec.primary_key.is_none() => {
            if let Some(cols) = key_columns(&c.definition, "PRIMARY KEY (") {
                if name == format!("{}_pkey", table.name) {
                    spec.primary_key = Some(Spec::List(cols));
                    return;
                }
            }
        }
        ConstraintKind::Unique if plain => {
            if let Some(cols) = key_columns(&c.definition, "UNIQUE (") {
                if name == format!("{}_{}_key", table.name, cols.join("_")) && name.len() < 63 {
                    spec.unique.push(Spec::List(cols));
                    return;
                }
            }
        }
        ConstraintKind::ForeignKey => {
            if let Some(mut fk) = foreign_key(&c.definition) {
                if name != format!("{}_{}_fkey", table.name, fk.columns.join("_"))
                    || name.len() >= 63
                {
                    fk.name = Some(name.to_string());
                }
                fk.not_valid = !c.validated;
                fk.comment = c.comment.clone();
                spec.foreign_keys.push(fk);
                return;
            }
        }
        ConstraintKind::Check => {
            if let Some((expr, no_inherit)) = check_expression(&c.definition) {
                let s = if plain && !no_inherit {
                    Spec::Str(expr)
                } else {
                    Spec::Full(CheckSpec {
                        expression: expr,
                        no_inherit,
                        not_valid: !c.validated,
                        comment: c.comment.clone(),
                    })
                };
                spec.checks.insert(name.to_string(), s);
                return;
            }
        }
        _ => {}
    }
    let s = if plain {
        Spec::Str(c.definition.clone())
    } else {
        Spec::Full(ConstraintSpec {
            definition: c.definition.clone(),
            not_valid: !c.validated,
            comment: c.comment.clone(),
        })
    };
    spec.constraints.insert(name.to_string(), s);
}

/// `FOREIGN KEY (a) REFERENCES s.t(b) [MATCH FULL] [ON UPDATE x] [ON DELETE y]
/// [DEFERRABLE [INITIALLY DEFERRED]]` in parts; None for anything else (quoted column
/// names, `ON DELETE SET NULL (columns)`), which keeps its definition.
fn foreign_key(definition: &str) -> Option<ForeignKeySpec> {
    let rest = definition.strip_prefix("FOREIGN KEY (")?;
    let (cols, rest) = rest.split_once(") REFERENCES ")?;
    let columns = key_columns(&format!("({cols})"), "(")?;
    let open = rest.find('(')?;
    let table = names::split(&rest[..open]).ok()?;
    let [schema, table] = table.as_slice() else {
        return None;
    };
    let rest = &rest[open..];
    let close = rest.find(')')?;
    let referenced_columns = key_columns(&rest[..=close], "(")?;
    let mut fk = ForeignKeySpec {
        columns,
        references: key(&QualName::new(schema.clone(), table.clone())),
        referenced_columns,
        ..ForeignKeySpec::default()
    };
    let mut rest = &rest[close + 1..];
    if let Some(r) = rest.strip_prefix(" MATCH FULL") {
        fk.match_full = true;
        rest = r;
    }
    const ACTIONS: [&str; 4] = ["CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT"];
    let action = |rest: &str, prefix: &str| -> Option<(String, usize)> {
        let r = rest.strip_prefix(prefix)?;
        let a = ACTIONS.iter().find(|a| {
            r.strip_prefix(**a)
                .is_some_and(|after| after.is_empty() || after.starts_with(' '))
        })?;
        Some((a.to_lowercase(), prefix.len() + a.len()))
    };
    if let Some((a, n)) = action(rest, " ON UPDATE ") {
        fk.on_update = Some(a);
        rest = &rest[n..];
    }
    if let Some((a, n)) = action(rest, " ON DELETE ") {
        fk.on_delete = Some(a);
        rest = &rest[n..];
    }
    if let Some(r) = rest.strip_prefix(" DEFERRABLE") {
        fk.deferrable = true;
        rest = r;
    }
    if let Some(r) = rest.strip_prefix(" INITIALLY DEFERRED") {
        fk.initially_deferred = true;
        rest = r;
    }
    rest.is_empty().then_some(fk)
}

/// `PRIMARY KEY (a, b)` → `[a, b]`, when every name is plain (needs no quotes).
fn key_columns(definition: &str, prefix: &str) -> Option<Vec<String>> {
    let inner = definition.strip_prefix(prefix)?.strip_suffix(')')?;
    let cols: Vec<String> = inner.split(", ").map(str::to_string).collect();
    cols.iter()
        .all(|c| !needs_quotes(c) && Ident(c).to_string() == *c)
        .then_some(cols)
}

/// `CHECK (expr)` or `CHECK (expr) NO INHERIT` → (expr, no_inherit).
fn check_expression(definition: &str) -> Option<(String, bool)> {
    let (body, no_inherit) = match definition.strip_suffix(" NO INHERIT") {
        Some(b) => (b, true),
        None => (definition, false),
    };
    let inner = body.strip_prefix("CHECK (")?.strip_suffix(')')?;
    // The parenthesis after CHECK must close at the end, not earlier.
    let mut depth = 0i32;
    let mut quoted = false;
    for ch in inner.chars() {
        match ch {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            _ => {}
        }
    }
    (depth == 0).then(|| (inner.to_string(), no_inherit))
}

fn index_map(indexes: &[&Index]) -> Map<Spec<IndexSpec>> {
    let mut out = Map::default();
    for i in indexes {
        let unique = i.definition.starts_with("CREATE UNIQUE INDEX");
        let only_marker = format!(" ON ONLY {} ", i.table);
        let marker = format!(" ON {} ", i.table);
        let (only, rest) = if let Some(at) = i.definition.find(&only_marker) {
            (true, &i.definition[at + only_marker.len()..])
        } else if let Some(at) = i.definition.find(&marker) {
            (false, &i.definition[at + marker.len()..])
        } else {
            (false, i.definition.as_str())
        };
        let spec = if !unique && !only && i.comment.is_none() {
            Spec::Str(rest.to_string())
        } else {
            Spec::Full(IndexSpec {
                unique,
                only,
                definition: Some(rest.to_string()),
                comment: i.comment.clone(),
                ..IndexSpec::default()
            })
        };
        out.insert(i.name.name.clone(), spec);
    }
    out
}

/// `enabled:` of a trigger or event trigger: nothing for the default.
fn enabled_word(enabled: TriggerEnabled) -> Option<String> {
    match enabled {
        TriggerEnabled::Origin => None,
        TriggerEnabled::Disabled => Some("disabled".to_string()),
        TriggerEnabled::Replica => Some("replica".to_string()),
        TriggerEnabled::Always => Some("always".to_string()),
    }
}

fn trigger_map(triggers: &[&Trigger]) -> Map<Spec<TriggerSpec>> {
    let mut out = Map::default();
    for t in triggers {
        let enabled = enabled_word(t.enabled);
        let spec = match trigger_parts(t) {
            Some(parts) => Spec::Full(TriggerSpec {
                enabled,
                comment: t.comment.clone(),
                ..parts
            }),
            None if enabled.is_none() && t.comment.is_none() => Spec::Str(t.definition.clone()),
            None => Spec::Full(TriggerSpec {
                definition: Some(t.definition.clone()),
                enabled,
                comment: t.comment.clone(),
                ..TriggerSpec::default()
            }),
        };
        out.insert(t.name.clone(), spec);
    }
    out
}

/// `CREATE TRIGGER name TIMING EVENTS ON table FOR EACH ROW|STATEMENT [WHEN (...)]
/// EXECUTE FUNCTION f(...)` in parts; None for constraint triggers and anything with
/// `FROM`, `DEFERRABLE` or `REFERENCING`, which keep their definition.
fn trigger_parts(t: &Trigger) -> Option<TriggerSpec> {
    if t.constraint {
        return None;
    }
    let rest = t
        .definition
        .strip_prefix(&format!("CREATE TRIGGER {} ", Ident(&t.name)))?;
    let (timing, rest) = ["BEFORE ", "AFTER ", "INSTEAD OF "]
        .iter()
        .find_map(|w| rest.strip_prefix(*w).map(|r| (w.trim_end(), r)))?;
    let (events, rest) = rest.split_once(&format!(" ON {} ", t.table))?;
    let (for_each, rest) = ["FOR EACH ROW", "FOR EACH STATEMENT"]
        .iter()
        .find_map(|w| rest.strip_prefix(*w).map(|r| (w[9..].to_lowercase(), r)))?;
    let (when, rest) = match rest.strip_prefix(" WHEN (") {
        Some(r) => {
            let at = r.find(") EXECUTE FUNCTION ")?;
            (Some(r[..at].to_string()), &r[at + 1..])
        }
        None => (None, rest),
    };
    let function = rest.strip_prefix(" EXECUTE FUNCTION ")?;
    let events = events
        .split(" OR ")
        .map(|e| match e.split_once(" OF ") {
            Some((ev, cols)) => format!("{} of {cols}", ev.to_lowercase()),
            None => e.to_lowercase(),
        })
        .collect();
    Some(TriggerSpec {
        timing: Some(timing.to_lowercase()),
        events,
        for_each: Some(for_each),
        when,
        function: Some(function.to_string()),
        ..TriggerSpec::default()
    })
}

/// The owner of an object another role than the one reading owns (`owner:`).
fn owner_of(catalog: &Catalog, id: &ObjectId) -> Option<String> {
    catalog.owners.get(id).cloned()
}

/// The `grants:` of a function or a type: `None` when it has PostgreSQL's default and
/// would get it when created.
fn full_grants_of(catalog: &Catalog, id: &ObjectId) -> Option<Map<Vec<String>>> {
    let default = Privileges::default_for(AclKind::of(id));
    (catalog.privileges.contains_key(id) || catalog.default_privileges.for_new(id) != default)
        .then(|| grants_of(catalog, id))
}

/// The `grants:` of an object (a table's or view's columns' with it), by role; a role
/// the default privileges would give something to on a new object and that has
/// nothing here is listed with nothing (`role: []`).
fn grants_of(catalog: &Catalog, object: &ObjectId) -> Map<Vec<String>> {
    let mut by_role: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let relation = match object {
        ObjectId::Table(r) | ObjectId::View(r) => Some(r),
        _ => None,
    };
    let own = catalog
        .privileges
        .get(object)
        .cloned()
        .unwrap_or_else(|| Privileges::default_for(AclKind::of(object)));
    let columns = catalog.privileges.iter().filter_map(|(id, p)| match id {
        ObjectId::Column(r, c) if Some(r) == relation => Some((Some(c), p)),
        _ => None,
    });
    for (column, p) in std::iter::once((None, &own)).chain(columns) {
        add_grants(&mut by_role, p, column);
    }
    if !catalog.default_privileges.is_empty() {
        for g in catalog.default_privileges.for_new(object).iter() {
            by_role.entry(g.grantee.clone()).or_default();
        }
    }
    Map(by_role.into_iter().collect())
}

/// Adds the grants of `p` (on `column`, if given) to a `grants:` map by role:
/// `SELECT`, `UPDATE (note)`, `INSERT WITH GRANT OPTION`.
fn add_grants(
    by_role: &mut BTreeMap<String, Vec<String>>,
    p: &Privileges,
    column: Option<&String>,
) {
    for g in p.iter() {
        let mut text = g.privilege.clone();
        if let Some(c) = column {
            text = format!("{text} ({})", Ident(c));
        }
        if g.grantable {
            text.push_str(" WITH GRANT OPTION");
        }
        by_role.entry(g.grantee.clone()).or_default().push(text);
    }
}

/// `default_privileges:`, one entry per (role, schema, kind).
fn default_privileges(catalog: &Catalog) -> Vec<DefaultPrivilegesSpec> {
    catalog
        .default_privileges
        .iter()
        .map(|(key, p)| {
            let mut by_role = BTreeMap::new();
            add_grants(&mut by_role, p, None);
            DefaultPrivilegesSpec {
                on: key.kind.sql().to_ascii_lowercase(),
                role: (key.role != CURRENT_USER).then(|| key.role.clone()),
                schema: key.schema.clone(),
                grants: Map(by_role.into_iter().collect()),
            }
        })
        .collect()
}

fn view(
    v: &View,
    indexes: &[&Index],
    triggers: &[&Trigger],
    grants: Map<Vec<String>>,
    owner: Option<String>,
) -> Spec<ViewSpec> {
    let mut columns = Map::default();
    for (col, text) in v.column_comments.iter() {
        columns.insert(col.clone(), text.clone());
    }
    let spec = ViewSpec {
        query: v.definition.clone(),
        options: v.options.clone(),
        columns,
        indexes: index_map(indexes),
        triggers: trigger_map(triggers),
        comment: v.comment.clone(),
        grants,
        owner,
    };
    if spec
        == (ViewSpec {
            query: v.definition.clone(),
            ..ViewSpec::default()
        })
    {
        Spec::Str(v.definition.clone())
    } else {
        Spec::Full(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_lose_their_wrapper_only_when_it_wraps_everything() {
        assert_eq!(
            check_expression("CHECK ((price > 0))"),
            Some(("(price > 0)".to_string(), false))
        );
        assert_eq!(
            check_expression("CHECK ((a > 0)) NO INHERIT"),
            Some(("(a > 0)".to_string(), true))
        );
        assert_eq!(check_expression("CHECK (a) AND (b)"), None);
        assert_eq!(
            check_expression("CHECK ((s <> ')'::text))"),
            Some(("(s <> ')'::text)".to_string(), false))
        );
    }

    #[test]
    fn foreign_keys_in_parts() {
        let fk = foreign_key(
            "FOREIGN KEY (org_id) REFERENCES public.\"Orgs\"(id) MATCH FULL ON UPDATE CASCADE ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED",
        )
        .unwrap();
        assert_eq!(fk.columns, ["org_id"]);
        assert_eq!(fk.references, "public.Orgs");
        assert_eq!(fk.referenced_columns, ["id"]);
        assert!(fk.match_full && fk.deferrable && fk.initially_deferred);
        assert_eq!(fk.on_update.as_deref(), Some("cascade"));
        assert_eq!(fk.on_delete.as_deref(), Some("set null"));
        assert!(foreign_key("FOREIGN KEY (a) REFERENCES t(b) ON DELETE SET NULL (a)").is_none());
        assert!(foreign_key("FOREIGN KEY (\"A\") REFERENCES s.t(b)").is_none());
    }

    #[test]
    fn key_columns_need_plain_names() {
        assert_eq!(
            key_columns("PRIMARY KEY (a, b)", "PRIMARY KEY ("),
            Some(vec!["a".to_string(), "b".to_string()])
        );
        assert_eq!(key_columns("PRIMARY KEY (\"A\")", "PRIMARY KEY ("), None);
    }

    #[test]
    fn an_empty_catalog_is_an_empty_map() {
        assert_eq!(emit(&Catalog::new_database()), "{}\n");
    }
}

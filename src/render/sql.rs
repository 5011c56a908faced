//! One change into the SQL statements that make it, without trailing semicolons.

use crate::diff::{Change, ColumnChange, CommentTarget, DomainChange, EnumPosition, TableChange};
use crate::model::{
    Column, Constraint, EventTrigger, ForeignGrant, Function, Ident, ObjectId, Policy, Privileges,
    Publication, QualName, ReplicaIdentity, Rule, Sequence, Table, TextSearchDictionary, Trigger,
    TriggerEnabled, Type, TypeKind, View, PUBLIC,
};

use crate::model::{
    alter_options_clause, create_user_mapping, drop_user_mapping, literal, literal_or_null,
    mapping_user, options_clause,
};

/// The statements of a change, in order.
pub fn statements(change: &Change) -> Vec<String> {
    let mut out = Vec::new();
    match change {
        Change::CreateSchema(s) => {
            out.push(format!("CREATE SCHEMA {}", Ident(&s.name)));
            comment(&mut out, "SCHEMA", &Ident(&s.name).to_string(), &s.comment);
        }
        Change::DropSchema(s) => out.push(format!("DROP SCHEMA {}", Ident(&s.name))),
        Change::CreateExtension(e) => {
            // Offline, the version is unknown (only a server knows its default): the
            // extension's default version is installed.
            let version = if e.version.is_empty() {
                String::new()
            } else {
                format!(" VERSION {}", literal(&e.version))
            };
            out.push(format!(
                "CREATE EXTENSION {} WITH SCHEMA {}{version}",
                Ident(&e.name),
                Ident(&e.schema),
            ));
            comment(
                &mut out,
                "EXTENSION",
                &Ident(&e.name).to_string(),
                &e.comment,
            );
        }
        Change::DropExtension(e) => out.push(format!("DROP EXTENSION {}", Ident(&e.name))),
        Change::AlterExtension { from, to } => {
            if from.version != to.version && !to.version.is_empty() {
                out.push(format!(
                    "ALTER EXTENSION {} UPDATE TO {}",
                    Ident(&to.name),
                    literal(&to.version)
                ));
            }
            if from.schema != to.schema {
                out.push(format!(
                    "ALTER EXTENSION {} SET SCHEMA {}",
                    Ident(&to.name),
                    Ident(&to.schema)
                ));
            }
        }
        Change::CreateCollation(c) => {
            out.push(format!("CREATE COLLATION {} ({})", c.name, c.options()));
            comment(&mut out, "COLLATION", &c.name.to_string(), &c.comment);
        }
        Change::DropCollation(c) => out.push(format!("DROP COLLATION {}", c.name)),
        Change::RenameCollation { from, to } => out.push(format!(
            "ALTER COLLATION {} RENAME TO {}",
            from.name,
            Ident(&to.name)
        )),
        Change::CreateStatistics(x) => {
            out.push(x.definition());
            if let Some(n) = x.target {
                out.push(format!("ALTER STATISTICS {} SET STATISTICS {n}", x.name));
            }
            comment(&mut out, "STATISTICS", &x.name.to_string(), &x.comment);
        }
        Change::DropStatistics(x) => out.push(format!("DROP STATISTICS {}", x.name)),
        Change::AlterStatistics { to, .. } => out.push(format!(
            "ALTER STATISTICS {} SET STATISTICS {}",
            to.name,
            to.target.unwrap_or(-1)
        )),
        Change::CreateEventTrigger(x) => {
            out.push(x.definition());
            if x.enabled != TriggerEnabled::Origin {
                out.push(event_trigger_enable(x));
            }
            comment(
                &mut out,
                "EVENT TRIGGER",
                &Ident(&x.name).to_string(),
                &x.comment,
            );
        }
        Change::DropEventTrigger(x) => out.push(format!("DROP EVENT TRIGGER {}", Ident(&x.name))),
        Change::AlterEventTrigger { to, .. } => out.push(event_trigger_enable(to)),
        Change::CreateOperator(x) => {
            out.push(x.definition());
            comment(&mut out, "OPERATOR", &x.signature(), &x.comment);
        }
        Change::DropOperator(x) => out.push(format!("DROP OPERATOR {}", x.signature())),
        Change::CreateForeignDataWrapper(x) => {
            out.push(x.definition());
            comment(
                &mut out,
                "FOREIGN DATA WRAPPER",
                &Ident(&x.name).to_string(),
                &x.comment,
            );
        }
        Change::DropForeignDataWrapper(x) => {
            out.push(format!("DROP FOREIGN DATA WRAPPER {}", Ident(&x.name)))
        }
        Change::AlterForeignDataWrapper { from, to } => {
            let mut s = format!("ALTER FOREIGN DATA WRAPPER {}", Ident(&to.name));
            if from.handler != to.handler {
                match &to.handler {
                    Some(h) => s.push_str(&format!(" HANDLER {h}")),
                    None => s.push_str(" NO HANDLER"),
                }
            }
            if from.validator != to.validator {
                match &to.validator {
                    Some(v) => s.push_str(&format!(" VALIDATOR {v}")),
                    None => s.push_str(" NO VALIDATOR"),
                }
            }
            s.push_str(&alter_options_clause(&from.options, &to.options).unwrap_or_default());
            out.push(s);
        }
        Change::CreateServer(x) => {
            out.push(x.definition());
            comment(&mut out, "SERVER", &Ident(&x.name).to_string(), &x.comment);
            for (user, options) in &x.mappings {
                out.push(create_user_mapping(&x.name, user, options));
            }
        }
        Change::DropServer(x) => {
            for user in x.mappings.keys() {
                out.push(drop_user_mapping(&x.name, user));
            }
            out.push(format!("DROP SERVER {}", Ident(&x.name)));
        }
        Change::AlterServer { from, to } => {
            let server = Ident(&to.name).to_string();
            let options = alter_options_clause(&from.options, &to.options);
            if from.version != to.version || options.is_some() {
                let mut s = format!("ALTER SERVER {server}");
                if from.version != to.version {
                    match &to.version {
                        Some(v) => s.push_str(&format!(" VERSION {}", literal(v))),
                        None => s.push_str(" VERSION NULL"),
                    }
                }
                s.push_str(&options.unwrap_or_default());
                out.push(s);
            }
            for user in from.mappings.keys() {
                if !to.mappings.contains_key(user) {
                    out.push(drop_user_mapping(&to.name, user));
                }
            }
            for (user, options) in &to.mappings {
                match from.mappings.get(user) {
                    None => out.push(create_user_mapping(&to.name, user, options)),
                    Some(old) => {
                        if let Some(o) = alter_options_clause(old, options) {
                            out.push(format!(
                                "ALTER USER MAPPING FOR {} SERVER {server}{o}",
                                mapping_user(user)
                            ));
                        }
                    }
                }
            }
        }
        Change::CreateRule(x) => {
            out.push(x.definition.clone());
            if x.enabled != TriggerEnabled::Origin {
                out.push(rule_enable(x));
            }
            comment(
                &mut out,
                "RULE",
                &format!("{} ON {}", Ident(&x.name), x.table),
                &x.comment,
            );
        }
        Change::DropRule(x) => out.push(format!("DROP RULE {} ON {}", Ident(&x.name), x.table)),
        Change::AlterRule { to, .. } => out.push(rule_enable(to)),
        Change::CreateCast(x) => {
            out.push(x.definition());
            comment(&mut out, "CAST", &x.signature(), &x.comment);
        }
        Change::DropCast(x) => out.push(format!("DROP CAST {}", x.signature())),
        Change::CreateTextSearchDictionary(x) => {
            let mut options = vec![format!("TEMPLATE = {}", x.template)];
            options.extend(TextSearchDictionary::options_sql(&x.options));
            out.push(format!(
                "CREATE TEXT SEARCH DICTIONARY {} ({})",
                x.name,
                options.join(", ")
            ));
            comment(
                &mut out,
                "TEXT SEARCH DICTIONARY",
                &x.name.to_string(),
                &x.comment,
            );
        }
        Change::DropTextSearchDictionary(x) => {
            out.push(format!("DROP TEXT SEARCH DICTIONARY {}", x.name))
        }
        Change::AlterTextSearchDictionary { from, to } => {
            // An option left out is removed by naming it without a value.
            let mut options: Vec<String> = from
                .options
                .iter()
                .filter(|(k, _)| !to.options.iter().any(|(t, _)| t == k))
                .map(|(k, _)| Ident(k).to_string())
                .collect();
            options.extend(TextSearchDictionary::options_sql(&to.options));
            out.push(format!(
                "ALTER TEXT SEARCH DICTIONARY {} ({})",
                to.name,
                options.join(", ")
            ));
        }
        Change::CreateTextSearchConfiguration(x) => {
            out.push(format!(
                "CREATE TEXT SEARCH CONFIGURATION {} (PARSER = {})",
                x.name, x.parser
            ));
            out.extend(x.mapping_statements("ADD", x.mappings.keys()));
            comment(
                &mut out,
                "TEXT SEARCH CONFIGURATION",
                &x.name.to_string(),
                &x.comment,
            );
        }
        Change::DropTextSearchConfiguration(x) => {
            out.push(format!("DROP TEXT SEARCH CONFIGURATION {}", x.name))
        }
        Change::AlterTextSearchConfiguration { from, to } => {
            let gone: Vec<&str> = from
                .mappings
                .keys()
                .filter(|t| !to.mappings.contains_key(*t))
                .map(String::as_str)
                .collect();
            if !gone.is_empty() {
                out.push(format!(
                    "ALTER TEXT SEARCH CONFIGURATION {} DROP MAPPING FOR {}",
                    to.name,
                    gone.join(", ")
                ));
            }
            let changed = to
                .mappings
                .iter()
                .filter(|(t, d)| from.mappings.get(*t).is_some_and(|old| old != *d));
            out.extend(to.mapping_statements("ALTER", changed.map(|(t, _)| t)));
            let added = to
                .mappings
                .keys()
                .filter(|t| !from.mappings.contains_key(*t));
            out.extend(to.mapping_statements("ADD", added));
        }
        Change::CreatePublication(p) => {
            out.push(format!(
                "CREATE PUBLICATION {}{} WITH ({})",
                Ident(&p.name),
                p.target(),
                p.options()
            ));
            comment(
                &mut out,
                "PUBLICATION",
                &Ident(&p.name).to_string(),
                &p.comment,
            );
        }
        Change::DropPublication(p) => out.push(format!("DROP PUBLICATION {}", Ident(&p.name))),
        Change::AlterPublication { from, to } => alter_publication(&mut out, from, to),
        Change::CreateType(t) => create_type(&mut out, t),
        Change::DropType(t) => out.push(format!("DROP {} {}", type_word(t), t.name)),
        Change::Rename { object, new_name } => {
            let new = Ident(new_name);
            out.push(match object {
                ObjectId::Table(t) => format!("ALTER TABLE {t} RENAME TO {new}"),
                ObjectId::View(v) => format!("ALTER TABLE {v} RENAME TO {new}"),
                ObjectId::Index(i) => format!("ALTER INDEX {i} RENAME TO {new}"),
                ObjectId::Sequence(s) => format!("ALTER SEQUENCE {s} RENAME TO {new}"),
                ObjectId::Type(t) => format!("ALTER TYPE {t} RENAME TO {new}"),
                ObjectId::Column(t, c) => {
                    format!("ALTER TABLE {t} RENAME COLUMN {} TO {new}", Ident(c))
                }
                ObjectId::Constraint(t, c) => {
                    format!("ALTER TABLE {t} RENAME CONSTRAINT {} TO {new}", Ident(c))
                }
                other => format!("-- cannot rename {other}"),
            })
        }
        Change::RenameEnumValue {
            type_name,
            from,
            to,
        } => out.push(format!(
            "ALTER TYPE {type_name} RENAME VALUE {} TO {}",
            literal(from),
            literal(to)
        )),
        Change::RenameType { from, to } => out.push(format!(
            "ALTER {} {} RENAME TO {}",
            type_word(from),
            from.name,
            Ident(&to.name)
        )),
        Change::CreateEnumValue {
            type_name,
            label,
            position,
            ..
        } => {
            let place = match position {
                EnumPosition::End => String::new(),
                EnumPosition::Before(l) => format!(" BEFORE {}", literal(l)),
                EnumPosition::After(l) => format!(" AFTER {}", literal(l)),
            };
            out.push(format!(
                "ALTER TYPE {type_name} ADD VALUE {}{place}",
                literal(label)
            ));
        }
        Change::AlterDomain { to, what, from } => alter_domain(&mut out, from, to, what),
        Change::AlterCompositeType { from, to } => alter_composite(&mut out, from, to),
        Change::CreateSequence(s) => {
            let mut sql = format!("CREATE SEQUENCE {}", s.name);
            if s.data_type != "bigint" {
                sql.push_str(&format!(" AS {}", s.data_type));
            }
            for clause in s.options.clauses(&s.data_type) {
                sql.push(' ');
                sql.push_str(&clause);
            }
            out.push(sql);
            comment(&mut out, "SEQUENCE", &s.name.to_string(), &s.comment);
        }
        Change::DropSequence(s) => out.push(format!("DROP SEQUENCE {}", s.name)),
        Change::AlterSequence { from, to } => alter_sequence(&mut out, from, to),
        Change::CreateTable { table, inline } => create_table(&mut out, table, inline),
        Change::DropTable(t) => out.push(format!("DROP {} {}", t.kind_word(), t.name)),
        Change::AlterTable { from, to, what } => alter_table(&mut out, from, to, what),
        Change::AttachPartition { table, of } => out.push(format!(
            "ALTER TABLE {} ATTACH PARTITION {} {}",
            of.parent, table.name, of.bound
        )),
        Change::DetachPartition { table, of } => out.push(format!(
            "ALTER TABLE {} DETACH PARTITION {}",
            of.parent, table.name
        )),
        Change::CreateColumn { table, column } => {
            out.push(format!(
                "ALTER TABLE {table} ADD COLUMN {}",
                column.definition()
            ));
            out.extend(column.not_valid_not_null(table));
            column_comment(&mut out, table, column);
        }
        Change::DropColumn { table, column } => out.push(format!(
            "ALTER TABLE {table} DROP COLUMN {}",
            Ident(&column.name)
        )),
        Change::AlterColumn {
            table,
            from,
            to,
            what,
        } => alter_column(&mut out, table, from, to, what),
        Change::CreateConstraint { table, constraint } => {
            out.push(format!(
                "ALTER TABLE {table} ADD CONSTRAINT {} {}{}",
                Ident(&constraint.name),
                constraint.definition,
                if constraint.validated {
                    ""
                } else {
                    " NOT VALID"
                }
            ));
            constraint_comment(&mut out, table, constraint);
        }
        Change::DropConstraint { table, constraint } => out.push(format!(
            "ALTER TABLE {table} DROP CONSTRAINT {}",
            Ident(&constraint.name)
        )),
        Change::ValidateConstraint { table, constraint } => out.push(format!(
            "ALTER TABLE {table} VALIDATE CONSTRAINT {}",
            Ident(&constraint.name)
        )),
        Change::CreateIndex(i) => {
            out.push(i.definition.clone());
            comment(&mut out, "INDEX", &i.name.to_string(), &i.comment);
        }
        Change::DropIndex(i) => out.push(format!("DROP INDEX {}", i.name)),
        Change::CreateView(v) => create_view(&mut out, v, false),
        Change::DropView(v) => out.push(format!(
            "DROP {}VIEW {}",
            if v.materialized { "MATERIALIZED " } else { "" },
            v.name
        )),
        Change::ReplaceView { to, .. } => create_view(&mut out, to, true),
        Change::CreateFunction(f) => {
            out.push(function_sql(f));
            comment(&mut out, f.kind.sql(), &f.key.to_string(), &f.comment);
        }
        Change::DropFunction(f) => out.push(format!("DROP {} {}", f.kind.sql(), f.key)),
        Change::ReplaceFunction { to, .. } => out.push(function_sql(to)),
        Change::CreateTrigger(t) => {
            out.push(t.definition.clone());
            if t.enabled != TriggerEnabled::Origin {
                out.push(trigger_enable(t));
            }
            trigger_comment(&mut out, t);
        }
        Change::DropTrigger(t) => {
            out.push(format!("DROP TRIGGER {} ON {}", Ident(&t.name), t.table))
        }
        Change::ReplaceTrigger { to, .. } => out.push(to.definition.replacen(
            "CREATE TRIGGER",
            "CREATE OR REPLACE TRIGGER",
            1,
        )),
        Change::AlterTrigger { to, .. } => out.push(trigger_enable(to)),
        Change::AlterReplicaIdentity { table, to, .. } => out.push(replica_identity(table, to)),
        Change::AlterPrivileges {
            on,
            column,
            from,
            to,
            foreign,
            ..
        } => {
            foreign_revokes(&mut out, on, column.as_deref(), foreign, to);
            privileges(&mut out, "", on, column.as_deref(), from, to);
        }
        Change::AlterDefaultPrivileges { key, from, to, .. } => privileges(
            &mut out,
            &format!("ALTER DEFAULT PRIVILEGES{} ", key.clauses()),
            key.kind.sql(),
            None,
            from,
            to,
        ),
        Change::AlterOwner { on, to, .. } => out.push(format!(
            "ALTER {on} OWNER TO {}",
            to.as_deref()
                .map_or_else(|| "CURRENT_USER".to_string(), |r| Ident(r).to_string())
        )),
        Change::CreatePolicy { table, policy } => {
            out.push(create_policy(table, policy));
            if policy.comment.is_some() {
                out.push(format!(
                    "COMMENT ON POLICY {} ON {table} IS {}",
                    Ident(&policy.name),
                    literal_or_null(&policy.comment)
                ));
            }
        }
        Change::DropPolicy { table, policy } => {
            out.push(format!("DROP POLICY {} ON {table}", Ident(&policy.name)))
        }
        Change::AlterPolicy { table, from, to } => {
            let mut sql = format!("ALTER POLICY {} ON {table}", Ident(&to.name));
            if from.roles != to.roles {
                sql.push_str(&format!(" TO {}", roles(&to.roles)));
            }
            if from.using != to.using {
                if let Some(u) = &to.using {
                    sql.push_str(&format!(" USING ({u})"));
                }
            }
            if from.with_check != to.with_check {
                if let Some(c) = &to.with_check {
                    sql.push_str(&format!(" WITH CHECK ({c})"));
                }
            }
            out.push(sql);
        }
        Change::AlterComment {
            object, target, to, ..
        } => out.push(format!(
            "COMMENT ON {} IS {}",
            comment_target(object, *target),
            literal_or_null(to)
        )),
    }
    out
}

/// `TYPE` or `DOMAIN`, as `DROP` and `ALTER` need it.
fn type_word(t: &Type) -> &'static str {
    match t.kind {
        TypeKind::Domain { .. } => "DOMAIN",
        _ => "TYPE",
    }
}

fn comment(out: &mut Vec<String>, kind: &str, name: &str, text: &Option<String>) {
    if text.is_some() {
        out.push(format!(
            "COMMENT ON {kind} {name} IS {}",
            literal_or_null(text)
        ));
    }
}

fn column_comment(out: &mut Vec<String>, table: &QualName, c: &Column) {
    comment(
        out,
        "COLUMN",
        &format!("{table}.{}", Ident(&c.name)),
        &c.comment,
    );
}

fn constraint_comment(out: &mut Vec<String>, table: &QualName, c: &Constraint) {
    comment(
        out,
        "CONSTRAINT",
        &format!("{} ON {table}", Ident(&c.name)),
        &c.comment,
    );
}

fn trigger_comment(out: &mut Vec<String>, t: &Trigger) {
    comment(
        out,
        "TRIGGER",
        &format!("{} ON {}", Ident(&t.name), t.table),
        &t.comment,
    );
}

/// `ALTER PUBLICATION`: tables and schemas it no longer lists dropped (a table whose
/// column list or row filter changes among them), then the new ones added, then the
/// options.
fn alter_publication(out: &mut Vec<String>, from: &Publication, to: &Publication) {
    let name = Ident(&to.name);
    let mut drop: Vec<String> = from
        .tables
        .iter()
        .filter(|(n, t)| to.tables.get(*n) != Some(*t))
        .map(|(n, _)| format!("TABLE {n}"))
        .collect();
    drop.extend(
        from.schemas
            .difference(&to.schemas)
            .map(|s| format!("TABLES IN SCHEMA {}", Ident(s))),
    );
    if !drop.is_empty() {
        out.push(format!("ALTER PUBLICATION {name} DROP {}", drop.join(", ")));
    }
    let mut add: Vec<String> = to
        .tables
        .iter()
        .filter(|(n, t)| from.tables.get(*n) != Some(*t))
        .map(|(n, t)| format!("TABLE {}", Publication::table_item(n, t)))
        .collect();
    add.extend(
        to.schemas
            .difference(&from.schemas)
            .map(|s| format!("TABLES IN SCHEMA {}", Ident(s))),
    );
    if !add.is_empty() {
        out.push(format!("ALTER PUBLICATION {name} ADD {}", add.join(", ")));
    }
    if from.publish != to.publish || from.via_root != to.via_root {
        out.push(format!("ALTER PUBLICATION {name} SET ({})", to.options()));
    }
}

/// `COMMENT ON` target text for an object.
fn comment_target(object: &ObjectId, target: CommentTarget) -> String {
    let word = match target {
        CommentTarget::Schema => "SCHEMA",
        CommentTarget::Extension => "EXTENSION",
        CommentTarget::Type => "TYPE",
        CommentTarget::Domain => "DOMAIN",
        CommentTarget::Sequence => "SEQUENCE",
        CommentTarget::Table => "TABLE",
        CommentTarget::Column => "COLUMN",
        CommentTarget::Constraint => "CONSTRAINT",
        CommentTarget::Index => "INDEX",
        CommentTarget::View => "VIEW",
        CommentTarget::MaterializedView => "MATERIALIZED VIEW",
        CommentTarget::Function => "FUNCTION",
        CommentTarget::Procedure => "PROCEDURE",
        CommentTarget::Trigger => "TRIGGER",
        CommentTarget::Policy => "POLICY",
        CommentTarget::Collation => "COLLATION",
        CommentTarget::Statistics => "STATISTICS",
        CommentTarget::Publication => "PUBLICATION",
        CommentTarget::EventTrigger => "EVENT TRIGGER",
        CommentTarget::Aggregate => "AGGREGATE",
        CommentTarget::TextSearchDictionary => "TEXT SEARCH DICTIONARY",
        CommentTarget::TextSearchConfiguration => "TEXT SEARCH CONFIGURATION",
        CommentTarget::Cast => "CAST",
        CommentTarget::Rule => "RULE",
        CommentTarget::Operator => "OPERATOR",
        CommentTarget::ForeignDataWrapper => "FOREIGN DATA WRAPPER",
        CommentTarget::Server => "SERVER",
        CommentTarget::ForeignTable => "FOREIGN TABLE",
    };
    let name = match object {
        ObjectId::Schema(s)
        | ObjectId::Extension(s)
        | ObjectId::Publication(s)
        | ObjectId::EventTrigger(s)
        | ObjectId::ForeignDataWrapper(s)
        | ObjectId::ForeignServer(s) => Ident(s).to_string(),
        ObjectId::Cast(k) | ObjectId::Operator(k) => k.clone(),
        ObjectId::Type(n)
        | ObjectId::Sequence(n)
        | ObjectId::Table(n)
        | ObjectId::Index(n)
        | ObjectId::View(n)
        | ObjectId::Collation(n)
        | ObjectId::Statistics(n)
        | ObjectId::TextSearchDictionary(n)
        | ObjectId::TextSearchConfiguration(n) => n.to_string(),
        ObjectId::Column(n, c) => format!("{n}.{}", Ident(c)),
        ObjectId::Constraint(n, c)
        | ObjectId::Trigger(n, c)
        | ObjectId::Policy(n, c)
        | ObjectId::Rule(n, c) => format!("{} ON {n}", Ident(c)),
        ObjectId::Function(k) => k.to_string(),
        // Takes no comment; named for a message, should one ever be asked for.
        ObjectId::DefaultPrivileges(k) => k.to_string(),
    };
    format!("{word} {name}")
}

fn create_type(out: &mut Vec<String>, t: &Type) {
    match &t.kind {
        TypeKind::Enum { labels } => {
            let labels: Vec<String> = labels.iter().map(|l| literal(l)).collect();
            out.push(format!(
                "CREATE TYPE {} AS ENUM ({})",
                t.name,
                labels.join(", ")
            ));
        }
        TypeKind::Domain {
            base,
            not_null,
            default,
            collation,
            checks,
        } => {
            let mut sql = format!("CREATE DOMAIN {} AS {base}", t.name);
            if let Some(c) = collation {
                sql.push_str(&format!(" COLLATE {c}"));
            }
            if let Some(d) = default {
                sql.push_str(&format!(" DEFAULT {}", crate::model::default_operand(d)));
            }
            if *not_null {
                sql.push_str(" NOT NULL");
            }
            for check in checks.values().filter(|c| c.validated) {
                sql.push_str(&format!(
                    " CONSTRAINT {} {}",
                    Ident(&check.name),
                    check.definition
                ));
            }
            out.push(sql);
            for check in checks.values().filter(|c| !c.validated) {
                out.push(format!(
                    "ALTER DOMAIN {} ADD CONSTRAINT {} {} NOT VALID",
                    t.name,
                    Ident(&check.name),
                    check.definition
                ));
            }
        }
        TypeKind::Composite { attributes } => {
            let attrs: Vec<String> = attributes
                .iter()
                .map(|a| {
                    let mut s = format!("{} {}", Ident(&a.name), a.type_name);
                    if let Some(c) = &a.collation {
                        s.push_str(&format!(" COLLATE {c}"));
                    }
                    s
                })
                .collect();
            out.push(format!("CREATE TYPE {} AS ({})", t.name, attrs.join(", ")));
        }
    }
    let word = type_word(t);
    comment(out, word, &t.name.to_string(), &t.comment);
}

fn alter_domain(out: &mut Vec<String>, from: &Type, to: &Type, what: &DomainChange) {
    let (
        TypeKind::Domain {
            default, not_null, ..
        },
        TypeKind::Domain {
            checks: from_checks,
            ..
        },
        TypeKind::Domain { checks, .. },
    ) = (&to.kind, &from.kind, &to.kind)
    else {
        return;
    };
    let name = &to.name;
    match what {
        DomainChange::Default => out.push(match default {
            Some(d) => format!("ALTER DOMAIN {name} SET DEFAULT {d}"),
            None => format!("ALTER DOMAIN {name} DROP DEFAULT"),
        }),
        DomainChange::NotNull => out.push(format!(
            "ALTER DOMAIN {name} {} NOT NULL",
            if *not_null { "SET" } else { "DROP" }
        )),
        DomainChange::CreateCheck(c) => {
            if let Some(check) = checks.get(c) {
                out.push(format!(
                    "ALTER DOMAIN {name} ADD CONSTRAINT {} {}{}",
                    Ident(c),
                    check.definition,
                    if check.validated { "" } else { " NOT VALID" }
                ));
            }
        }
        DomainChange::DropCheck(c) => {
            if from_checks.contains_key(c) {
                out.push(format!("ALTER DOMAIN {name} DROP CONSTRAINT {}", Ident(c)));
            }
        }
        DomainChange::ValidateCheck(c) => out.push(format!(
            "ALTER DOMAIN {name} VALIDATE CONSTRAINT {}",
            Ident(c)
        )),
    }
}

fn alter_composite(out: &mut Vec<String>, from: &Type, to: &Type) {
    let (TypeKind::Composite { attributes: a }, TypeKind::Composite { attributes: b }) =
        (&from.kind, &to.kind)
    else {
        return;
    };
    let mut actions = Vec::new();
    for old in a {
        if !b.iter().any(|n| n.name == old.name) {
            actions.push(format!("DROP ATTRIBUTE {}", Ident(&old.name)));
        }
    }
    for new in b {
        let collate = new
            .collation
            .as_ref()
            .map(|c| format!(" COLLATE {c}"))
            .unwrap_or_default();
        match a.iter().find(|o| o.name == new.name) {
            None => actions.push(format!(
                "ADD ATTRIBUTE {} {}{collate}",
                Ident(&new.name),
                new.type_name
            )),
            Some(old) if old != new => actions.push(format!(
                "ALTER ATTRIBUTE {} TYPE {}{collate}",
                Ident(&new.name),
                new.type_name
            )),
            Some(_) => {}
        }
    }
    if !actions.is_empty() {
        out.push(format!("ALTER TYPE {} {}", to.name, actions.join(", ")));
    }
}

fn alter_sequence(out: &mut Vec<String>, from: &Sequence, to: &Sequence) {
    let mut clauses = Vec::new();
    if from.data_type != to.data_type {
        clauses.push(format!("AS {}", to.data_type));
    }
    let (f, t) = (&from.options, &to.options);
    if f.increment != t.increment {
        clauses.push(format!("INCREMENT BY {}", t.increment));
    }
    if f.min != t.min || from.data_type != to.data_type {
        clauses.push(format!("MINVALUE {}", t.min));
    }
    if f.max != t.max || from.data_type != to.data_type {
        clauses.push(format!("MAXVALUE {}", t.max));
    }
    if f.start != t.start {
        clauses.push(format!("START WITH {}", t.start));
    }
    if f.cache != t.cache {
        clauses.push(format!("CACHE {}", t.cache));
    }
    if f.cycle != t.cycle {
        clauses.push(if t.cycle { "CYCLE" } else { "NO CYCLE" }.to_string());
    }
    if from.owned_by != to.owned_by {
        clauses.push(match &to.owned_by {
            Some((table, col)) => format!("OWNED BY {table}.{}", Ident(col)),
            None => "OWNED BY NONE".to_string(),
        });
    }
    if !clauses.is_empty() {
        out.push(format!("ALTER SEQUENCE {} {}", to.name, clauses.join(" ")));
    }
}

fn create_table(out: &mut Vec<String>, t: &Table, inline: &[String]) {
    let unlogged = if t.unlogged { "UNLOGGED " } else { "" };
    let mut sql = format!("CREATE {unlogged}{} {}", t.kind_word(), t.name);
    if let Some(of) = &t.partition_of {
        sql.push_str(&format!(" PARTITION OF {} {}", of.parent, of.bound));
    } else {
        let mut items: Vec<String> = t
            .columns
            .values()
            .filter(|c| !*c.inherited)
            .map(|c| format!("    {}", c.definition()))
            .collect();
        for name in inline {
            if let Some(c) = t.constraints.get(name) {
                items.push(format!(
                    "    CONSTRAINT {} {}",
                    Ident(&c.name),
                    c.definition
                ));
            }
        }
        if items.is_empty() {
            sql.push_str(" ()");
        } else {
            sql.push_str(&format!(" (\n{}\n)", items.join(",\n")));
        }
        if !t.inherits.is_empty() {
            let parents: Vec<String> = t.inherits.iter().map(|p| p.to_string()).collect();
            sql.push_str(&format!(" INHERITS ({})", parents.join(", ")));
        }
    }
    if let Some(key) = &t.partition_by {
        sql.push_str(&format!(" PARTITION BY {key}"));
    }
    if !t.options.is_empty() {
        sql.push_str(&format!(" WITH ({})", t.options.join(", ")));
    }
    if let Some(f) = &t.foreign {
        sql.push_str(&format!(
            " SERVER {}{}",
            Ident(&f.server),
            options_clause(&f.options)
        ));
    }
    out.push(sql);
    out.extend(
        t.columns
            .values()
            .filter(|c| !*c.inherited)
            .filter_map(|c| c.not_valid_not_null(&t.name)),
    );
    if let Some(f) = &t.foreign {
        for (column, options) in &f.column_options {
            out.push(format!(
                "ALTER FOREIGN TABLE {} ALTER COLUMN {}{}",
                t.name,
                Ident(column),
                options_clause(options)
            ));
        }
    }
    if t.rls_enabled {
        out.push(format!("ALTER TABLE {} ENABLE ROW LEVEL SECURITY", t.name));
    }
    if t.rls_forced {
        out.push(format!("ALTER TABLE {} FORCE ROW LEVEL SECURITY", t.name));
    }
    // `USING INDEX` is a step of its own, after the index.
    if matches!(
        t.replica_identity,
        ReplicaIdentity::Full | ReplicaIdentity::Nothing
    ) {
        out.push(replica_identity(&t.name, &t.replica_identity));
    }
    comment(out, t.kind_word(), &t.name.to_string(), &t.comment);
    for c in t.columns.values() {
        column_comment(out, &t.name, c);
    }
    for name in inline {
        if let Some(c) = t.constraints.get(name) {
            constraint_comment(out, &t.name, c);
        }
    }
}

/// The `REVOKE`s and `GRANT`s that take an object's privileges from `from` to `to`:
/// revokes first, then grants; privileges of one grantee and one form in one statement.
fn privileges(
    out: &mut Vec<String>,
    prefix: &str,
    on: &str,
    column: Option<&str>,
    from: &Privileges,
    to: &Privileges,
) {
    use std::collections::BTreeMap;
    // (form, grantee) -> privileges. Forms in the order they run.
    const REVOKE: u8 = 0;
    const REVOKE_OPTION: u8 = 1;
    const GRANT: u8 = 2;
    const GRANT_OPTION: u8 = 3;
    let mut forms: BTreeMap<(u8, &str), Vec<&str>> = BTreeMap::new();
    for g in from.iter() {
        match to.get(&g.grantee, &g.privilege) {
            None => forms.entry((REVOKE, &g.grantee)).or_default(),
            Some(false) if g.grantable => forms.entry((REVOKE_OPTION, &g.grantee)).or_default(),
            _ => continue,
        }
        .push(&g.privilege);
    }
    for g in to.iter() {
        match (from.get(&g.grantee, &g.privilege), g.grantable) {
            (None, false) => forms.entry((GRANT, &g.grantee)).or_default(),
            (None | Some(false), true) => forms.entry((GRANT_OPTION, &g.grantee)).or_default(),
            _ => continue,
        }
        .push(&g.privilege);
    }
    for ((form, grantee), list) in forms {
        let list: Vec<String> = list
            .iter()
            .map(|p| match column {
                Some(c) => format!("{p} ({})", Ident(c)),
                None => p.to_string(),
            })
            .collect();
        let list = list.join(", ");
        let role = if grantee == PUBLIC {
            PUBLIC.to_string()
        } else {
            Ident(grantee).to_string()
        };
        out.push(match form {
            REVOKE => format!("{prefix}REVOKE {list} ON {on} FROM {role}"),
            REVOKE_OPTION => {
                format!("{prefix}REVOKE GRANT OPTION FOR {list} ON {on} FROM {role}")
            }
            GRANT => format!("{prefix}GRANT {list} ON {on} TO {role}"),
            _ => format!("{prefix}GRANT {list} ON {on} TO {role} WITH GRANT OPTION"),
        });
    }
}

/// Revokes grants another role made, as that role (only a grantor's `REVOKE` removes
/// its grants; the owner's does nothing to them): `SET ROLE g`, the revokes, `RESET
/// ROLE`, first, before the owner revokes anything a grantor's grant option rests on.
fn foreign_revokes(
    out: &mut Vec<String>,
    on: &str,
    column: Option<&str>,
    foreign: &[ForeignGrant],
    to: &Privileges,
) {
    let mut grantors: Vec<&str> = foreign.iter().map(|g| g.grantor.as_str()).collect();
    grantors.sort_unstable();
    grantors.dedup();
    for grantor in grantors {
        out.push(format!("SET ROLE {}", Ident(grantor)));
        let held =
            Privileges::from_grants(foreign.iter().filter(|g| g.grantor == grantor).map(|g| {
                crate::model::Grant {
                    grantee: g.grantee.clone(),
                    privilege: g.privilege.clone(),
                    grantable: g.grantable,
                }
            }));
        // From what this grantor gave to what is kept of it.
        let kept = Privileges::from_grants(held.iter().filter_map(|g| {
            to.get(&g.grantee, &g.privilege)
                .map(|option| crate::model::Grant {
                    grantable: g.grantable && option,
                    ..g.clone()
                })
        }));
        privileges(out, "", on, column, &held, &kept);
        out.push("RESET ROLE".to_string());
    }
}

/// `ALTER TABLE ONLY t REPLICA IDENTITY ...`: `ONLY` as pg_dump writes it; the command
/// never recurses to partitions, each has its own.
fn replica_identity(table: &QualName, ri: &ReplicaIdentity) -> String {
    format!("ALTER TABLE ONLY {table} REPLICA IDENTITY {}", ri.sql())
}

fn alter_table(out: &mut Vec<String>, from: &Table, to: &Table, what: &TableChange) {
    let name = &to.name;
    match what {
        TableChange::RowLevelSecurity => out.push(format!(
            "ALTER TABLE {name} {} ROW LEVEL SECURITY",
            if to.rls_enabled { "ENABLE" } else { "DISABLE" }
        )),
        TableChange::ForceRowLevelSecurity => out.push(format!(
            "ALTER TABLE {name} {} ROW LEVEL SECURITY",
            if to.rls_forced { "FORCE" } else { "NO FORCE" }
        )),
        TableChange::Logged => out.push(format!(
            "ALTER TABLE {name} SET {}",
            if to.unlogged { "UNLOGGED" } else { "LOGGED" }
        )),
        TableChange::Options => {
            let key = |o: &String| o.split('=').next().unwrap_or_default().to_string();
            let removed: Vec<String> = from
                .options
                .iter()
                .map(key)
                .filter(|k| !to.options.iter().any(|o| &key(o) == k))
                .collect();
            let set: Vec<String> = to
                .options
                .iter()
                .filter(|o| !from.options.contains(o))
                .cloned()
                .collect();
            let mut actions = Vec::new();
            if !removed.is_empty() {
                actions.push(format!("RESET ({})", removed.join(", ")));
            }
            if !set.is_empty() {
                actions.push(format!("SET ({})", set.join(", ")));
            }
            out.push(format!("ALTER TABLE {name} {}", actions.join(", ")));
        }
        TableChange::Inherit(p) => out.push(format!("ALTER TABLE {name} INHERIT {p}")),
        TableChange::NoInherit(p) => out.push(format!("ALTER TABLE {name} NO INHERIT {p}")),
    }
}

fn alter_column(
    out: &mut Vec<String>,
    table: &QualName,
    from: &Column,
    to: &Column,
    what: &ColumnChange,
) {
    let col = Ident(&to.name);
    let prefix = format!("ALTER TABLE {table} ALTER COLUMN {col}");
    match what {
        ColumnChange::Type { using } => {
            let mut actions = Vec::new();
            if from.default.is_some() {
                actions.push(format!("ALTER COLUMN {col} DROP DEFAULT"));
            }
            let mut ty = format!("ALTER COLUMN {col} TYPE {}", to.type_name);
            if let Some(c) = &to.collation {
                ty.push_str(&format!(" COLLATE {c}"));
            }
            if let Some(u) = using {
                ty.push_str(&format!(" USING {u}"));
            }
            actions.push(ty);
            if let Some(d) = &to.default {
                actions.push(format!("ALTER COLUMN {col} SET DEFAULT {d}"));
            }
            out.push(format!("ALTER TABLE {table} {}", actions.join(", ")));
        }
        ColumnChange::Default => out.push(match &to.default {
            Some(d) => format!("{prefix} SET DEFAULT {d}"),
            None => format!("{prefix} DROP DEFAULT"),
        }),
        ColumnChange::NotNull => {
            out.push(match (&from.not_null_constraint, &to.not_null_constraint) {
                (_, Some(c)) if to.not_null => c.add_sql(table, &to.name),
                (_, None) if to.not_null => format!("{prefix} SET NOT NULL"),
                // A named or unvalidated one is dropped by name (`DROP NOT NULL` keeps an
                // unvalidated one).
                (Some(c), _) => format!("ALTER TABLE {table} DROP CONSTRAINT {}", Ident(&c.name)),
                (None, _) => format!("{prefix} DROP NOT NULL"),
            })
        }
        ColumnChange::NotNullConstraint => {
            let b = to.not_null_constraint.as_deref();
            let (old, new) = (
                from.not_null_constraint_name(&table.name),
                to.not_null_constraint_name(&table.name),
            );
            let ((fv, fi), (tv, ti)) = (from.not_null_flags(), to.not_null_flags());
            if fi == ti && (fv == tv || (fv && !tv)) {
                if old != new {
                    out.push(format!(
                        "ALTER TABLE {table} RENAME CONSTRAINT {} TO {}",
                        Ident(&old),
                        Ident(&new)
                    ));
                }
                if fv && !tv {
                    out.push(format!(
                        "ALTER TABLE {table} VALIDATE CONSTRAINT {}",
                        Ident(&new)
                    ));
                }
            } else {
                out.push(format!(
                    "ALTER TABLE {table} DROP CONSTRAINT {}",
                    Ident(&old)
                ));
                out.push(match b {
                    Some(c) => c.add_sql(table, &to.name),
                    None => format!("{prefix} SET NOT NULL"),
                });
            }
        }
        ColumnChange::DropExpression => out.push(format!("{prefix} DROP EXPRESSION")),
        ColumnChange::Identity => match (&from.identity, &to.identity) {
            (None, Some(id)) => {
                let clauses = id.options.clauses(&to.type_name);
                let opts = if clauses.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", clauses.join(" "))
                };
                out.push(format!(
                    "{prefix} ADD GENERATED {} AS IDENTITY{opts}",
                    id.kind.sql()
                ));
            }
            (Some(_), None) => out.push(format!("{prefix} DROP IDENTITY")),
            (Some(a), Some(b)) => {
                let mut actions = Vec::new();
                if a.kind != b.kind {
                    actions.push(format!("SET GENERATED {}", b.kind.sql()));
                }
                let (f, t) = (&a.options, &b.options);
                if f.increment != t.increment {
                    actions.push(format!("SET INCREMENT BY {}", t.increment));
                }
                if f.min != t.min {
                    actions.push(format!("SET MINVALUE {}", t.min));
                }
                if f.max != t.max {
                    actions.push(format!("SET MAXVALUE {}", t.max));
                }
                if f.start != t.start {
                    actions.push(format!("SET START WITH {}", t.start));
                }
                if f.cache != t.cache {
                    actions.push(format!("SET CACHE {}", t.cache));
                }
                if f.cycle != t.cycle {
                    actions.push(if t.cycle { "SET CYCLE" } else { "SET NO CYCLE" }.to_string());
                }
                out.push(format!("{prefix} {}", actions.join(" ")));
            }
            (None, None) => {}
        },
    }
}

fn create_view(out: &mut Vec<String>, v: &View, replace: bool) {
    let kind = if v.materialized {
        "MATERIALIZED VIEW"
    } else {
        "VIEW"
    };
    let or_replace = if replace { "OR REPLACE " } else { "" };
    let with = if v.options.is_empty() {
        String::new()
    } else {
        format!(" WITH ({})", v.options.join(", "))
    };
    out.push(format!(
        "CREATE {or_replace}{kind} {}{with} AS\n{}",
        v.name,
        v.definition.trim_end()
    ));
    if !replace {
        comment(out, kind, &v.name.to_string(), &v.comment);
        for (col, text) in &v.column_comments {
            out.push(format!(
                "COMMENT ON COLUMN {}.{} IS {}",
                v.name,
                Ident(col),
                literal(text)
            ));
        }
    }
}

/// `pg_get_functiondef` already writes `CREATE OR REPLACE FUNCTION ...`.
fn function_sql(f: &Function) -> String {
    f.definition.trim_end().to_string()
}

/// The words of `ALTER ... TRIGGER` that set a trigger's firing.
fn enable_words(enabled: TriggerEnabled) -> &'static str {
    match enabled {
        TriggerEnabled::Origin => "ENABLE",
        TriggerEnabled::Disabled => "DISABLE",
        TriggerEnabled::Replica => "ENABLE REPLICA",
        TriggerEnabled::Always => "ENABLE ALWAYS",
    }
}

/// `ALTER TABLE t ENABLE | DISABLE | ... RULE r`.
fn rule_enable(r: &Rule) -> String {
    format!(
        "ALTER TABLE {} {} RULE {}",
        r.table,
        enable_words(r.enabled),
        Ident(&r.name)
    )
}

/// `ALTER EVENT TRIGGER e ENABLE | DISABLE | ...`.
fn event_trigger_enable(x: &EventTrigger) -> String {
    format!(
        "ALTER EVENT TRIGGER {} {}",
        Ident(&x.name),
        enable_words(x.enabled)
    )
}

pub(super) fn trigger_enable(t: &Trigger) -> String {
    let action = enable_words(t.enabled);
    format!(
        "ALTER TABLE {} {action} TRIGGER {}",
        t.table,
        Ident(&t.name)
    )
}

fn roles(roles: &[String]) -> String {
    roles
        .iter()
        .map(|r| {
            if r == "public" {
                "PUBLIC".to_string()
            } else if crate::model::ROLE_KEYWORDS.contains(&r.as_str()) {
                r.clone()
            } else {
                Ident(r).to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn create_policy(table: &QualName, p: &Policy) -> String {
    let mut sql = format!("CREATE POLICY {} ON {table}", Ident(&p.name));
    if !p.permissive {
        sql.push_str(" AS RESTRICTIVE");
    }
    if p.command != "ALL" {
        sql.push_str(&format!(" FOR {}", p.command));
    }
    if !p.roles.is_empty() && p.roles != ["public"] {
        sql.push_str(&format!(" TO {}", roles(&p.roles)));
    }
    if let Some(u) = &p.using {
        sql.push_str(&format!(" USING ({u})"));
    }
    if let Some(c) = &p.with_check {
        sql.push_str(&format!(" WITH CHECK ({c})"));
    }
    sql
}

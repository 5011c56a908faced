//! The YAML format compiled to SQL: one statement per `CREATE`, `ALTER` or `COMMENT`
//! the file's objects need, each tagged with the path of keys it comes from.
//!
//! Input: a [`File`]. Output: [`Generated`] statements in file order (the caller parses
//! them and the ordering stage sorts them). Names are quoted here, as SQL needs them;
//! types, expressions, queries and bodies are passed through as written. Table-level
//! constraints are added with `ALTER TABLE ... ADD`, so tables that reference each
//! other need no particular order. Does no I/O.

use crate::model::{literal, Column, Ident, Identity, IdentityKind, QualName, SequenceOptions};

use super::format::{
    AttributeSpec, CheckSpec, ColumnSpec, ConstraintSpec, DomainSpec, EnumSpec, File, FunctionSpec,
    IdentityKindSpec, IdentitySpec, IndexSpec, KeySpec, Map, PolicySpec, SequenceSpec, Spec,
    TableSpec, TriggerSpec, ViewSpec,
};
use super::names;

/// One generated statement and the key path of what it declares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    /// The SQL, without a trailing semicolon.
    pub sql: String,
    /// The keys from the top of the file, e.g. `["tables", "users", "columns"]`.
    pub field: Vec<String>,
    /// More precise keys for some lines of `sql` (1-based): a table's columns, one per
    /// line, so a syntax error in a column points at that column.
    pub lines: Vec<(usize, Vec<String>)>,
}

impl Generated {
    /// The keys of what is on `line` of the SQL.
    pub fn field_at(&self, line: usize) -> &[String] {
        self.lines
            .iter()
            .find(|(l, _)| *l == line)
            .map_or(&self.field, |(_, f)| f)
    }
}

/// What is wrong with a value, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    /// The keys from the top of the file.
    pub field: Vec<String>,
    /// What is wrong.
    pub message: String,
}

type Result<T> = std::result::Result<T, CompileError>;

/// Compiles a file into its statements.
pub fn compile(file: &File) -> Result<Vec<Generated>> {
    let schema = file.schema.as_deref().unwrap_or("public");
    let mut c = Compiler {
        out: Vec::new(),
        schema,
    };
    c.file(file)?;
    Ok(c.out)
}

struct Compiler<'a> {
    out: Vec<Generated>,
    schema: &'a str,
}

fn path(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

fn err<T>(field: &[&str], message: impl Into<String>) -> Result<T> {
    Err(CompileError {
        field: path(field),
        message: message.into(),
    })
}

fn idents(names: &[String]) -> String {
    names
        .iter()
        .map(|n| Ident(n).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A dollar quote tag that does not occur in `body`.
fn dollar_quote(body: &str) -> String {
    let mut tag = "$body$".to_string();
    let mut n = 1;
    while body.contains(&tag) {
        tag = format!("$body{n}$");
        n += 1;
    }
    format!("{tag}{body}{tag}")
}

impl<'a> Compiler<'a> {
    fn push(&mut self, field: &[&str], sql: String) {
        self.out.push(Generated {
            sql,
            field: path(field),
            lines: Vec::new(),
        });
    }

    fn comment(&mut self, field: &[&str], target: String, text: &Option<String>) {
        if let Some(t) = text {
            self.push(field, format!("COMMENT ON {target} IS {}", literal(t)));
        }
    }

    /// `ALTER target OWNER TO role` for `owner:`.
    fn owner(&mut self, field: &[&str], target: String, owner: &Option<String>) {
        if let Some(role) = owner {
            let mut at = field.to_vec();
            at.push("owner");
            self.push(&at, format!("ALTER {target} OWNER TO {}", Ident(role)));
        }
    }

    /// For each role of `grants:`, `REVOKE ALL ON on FROM role` (what default
    /// privileges gave a new object), then `GRANT privilege ON on TO role` for each of
    /// its privileges: a role listed has exactly those (`role: []`: none).
    fn grants(&mut self, field: &[&str], on: &str, grants: &Map<Vec<String>>) {
        self.grant_list(field, "", on, grants, true);
    }

    /// The statements of [`Self::grants`], each after `prefix` (`ALTER DEFAULT
    /// PRIVILEGES ... `), with the `REVOKE ALL` first when `revoke_first`.
    fn grant_list(
        &mut self,
        field: &[&str],
        prefix: &str,
        on: &str,
        grants: &Map<Vec<String>>,
        revoke_first: bool,
    ) {
        const OPTION: &str = " WITH GRANT OPTION";
        for (role, list) in grants.iter() {
            let grantee = if role.eq_ignore_ascii_case("public") {
                "PUBLIC".to_string()
            } else {
                Ident(role).to_string()
            };
            let mut at = field.to_vec();
            at.extend(["grants", role.as_str()]);
            if revoke_first {
                self.push(&at, format!("{prefix}REVOKE ALL ON {on} FROM {grantee}"));
            }
            for p in list {
                let p = p.trim();
                let (p, option) = if p.to_ascii_uppercase().ends_with(OPTION) {
                    (p[..p.len() - OPTION.len()].trim_end(), OPTION)
                } else {
                    (p, "")
                };
                self.push(
                    &at,
                    format!("{prefix}GRANT {p} ON {on} TO {grantee}{option}"),
                );
            }
        }
    }

    fn name(&self, field: &[&str], key: &str) -> Result<QualName> {
        names::qualified(key, self.schema).or_else(|m| err(field, m))
    }

    /// `default_privileges:` as `ALTER DEFAULT PRIVILEGES` statements.
    fn default_privileges(&mut self, f: &File) -> Result<()> {
        for (i, d) in f.default_privileges.iter().enumerate() {
            let index = i.to_string();
            let field = ["default_privileges", index.as_str()];
            let kind = d.on.trim().to_ascii_uppercase();
            if !matches!(
                kind.as_str(),
                "TABLES" | "SEQUENCES" | "FUNCTIONS" | "ROUTINES" | "TYPES" | "SCHEMAS"
            ) {
                return err(
                    &field,
                    format!(
                        "on: {:?} is not a kind default privileges apply to (tables, sequences, functions, routines, types, schemas)",
                        d.on
                    ),
                );
            }
            let mut prefix = "ALTER DEFAULT PRIVILEGES".to_string();
            if let Some(r) = &d.role {
                prefix.push_str(&format!(" FOR ROLE {}", Ident(r)));
            }
            if let Some(s) = &d.schema {
                prefix.push_str(&format!(" IN SCHEMA {}", Ident(s)));
            }
            prefix.push(' ');
            // Database-wide on functions and types, the list is the whole list:
            // PUBLIC's default goes unless listed.
            let whole = d.schema.is_none()
                && matches!(kind.as_str(), "FUNCTIONS" | "ROUTINES" | "TYPES")
                && !d
                    .grants
                    .iter()
                    .any(|(r, _)| r.eq_ignore_ascii_case("public"));
            if whole {
                self.push(&field, format!("{prefix}REVOKE ALL ON {kind} FROM PUBLIC"));
            }
            self.grant_list(&field, &prefix, &kind, &d.grants, false);
        }
        Ok(())
    }

    fn file(&mut self, f: &File) -> Result<()> {
        self.default_privileges(f)?;
        for (key, spec) in f.schemas.iter() {
            let field = ["schemas", key.as_str()];
            if key != "public" {
                self.push(&field, format!("CREATE SCHEMA {}", Ident(key)));
            }
            if let Some(s) = spec {
                self.comment(&field, format!("SCHEMA {}", Ident(key)), &s.comment);
                self.owner(&field, format!("SCHEMA {}", Ident(key)), &s.owner);
                self.grants(&field, &format!("SCHEMA {}", Ident(key)), &s.grants);
            }
        }
        for (key, spec) in f.extensions.iter() {
            let field = ["extensions", key.as_str()];
            let mut sql = format!("CREATE EXTENSION {}", Ident(key));
            let spec = spec.clone().unwrap_or_default();
            if let Some(s) = &spec.schema {
                sql.push_str(&format!(" WITH SCHEMA {}", Ident(s)));
            }
            if let Some(v) = &spec.version {
                sql.push_str(&format!(" VERSION {}", literal(v)));
            }
            self.push(&field, sql);
            self.comment(&field, format!("EXTENSION {}", Ident(key)), &spec.comment);
        }
        for (key, spec) in f.collations.iter() {
            let field = ["collations", key.as_str()];
            let name = self.name(&field, key)?;
            let mut options = Vec::new();
            if let Some(p) = &spec.provider {
                options.push(format!("provider = {}", Ident(p)));
            }
            for (word, value) in [
                ("locale", &spec.locale),
                ("lc_collate", &spec.lc_collate),
                ("lc_ctype", &spec.lc_ctype),
                ("rules", &spec.rules),
            ] {
                if let Some(v) = value {
                    options.push(format!("{word} = {}", literal(v)));
                }
            }
            if let Some(d) = spec.deterministic {
                options.push(format!("deterministic = {d}"));
            }
            self.push(
                &field,
                format!("CREATE COLLATION {name} ({})", options.join(", ")),
            );
            self.comment(&field, format!("COLLATION {name}"), &spec.comment);
        }
        for (key, spec) in f.publications.iter() {
            let field = ["publications", key.as_str()];
            let mut items = Vec::new();
            let mut tables = Vec::new();
            for (t, p) in spec.tables.iter() {
                let tname = self.name(&["publications", key, "tables", t], t)?;
                let mut item = tname.to_string();
                let p = p.clone().unwrap_or_default();
                if !p.columns.is_empty() {
                    let cols: Vec<String> =
                        p.columns.iter().map(|c| Ident(c).to_string()).collect();
                    item.push_str(&format!(" ({})", cols.join(", ")));
                }
                if let Some(w) = &p.row_filter {
                    item.push_str(&format!(" WHERE ({w})"));
                }
                tables.push(item);
            }
            if spec.all_tables {
                items.push("ALL TABLES".to_string());
            }
            if !tables.is_empty() {
                items.push(format!("TABLE {}", tables.join(", ")));
            }
            if !spec.schemas.is_empty() {
                let schemas: Vec<String> =
                    spec.schemas.iter().map(|s| Ident(s).to_string()).collect();
                items.push(format!("TABLES IN SCHEMA {}", schemas.join(", ")));
            }
            let target = if items.is_empty() {
                String::new()
            } else {
                format!(" FOR {}", items.join(", "))
            };
            let mut options = Vec::new();
            if let Some(ops) = &spec.publish {
                options.push(format!("publish = {}", literal(&ops.join(", "))));
            }
            if spec.via_partition_root {
                options.push("publish_via_partition_root = true".to_string());
            }
            let with = if options.is_empty() {
                String::new()
            } else {
                format!(" WITH ({})", options.join(", "))
            };
            self.push(
                &field,
                format!("CREATE PUBLICATION {}{target}{with}", Ident(key)),
            );
            self.comment(&field, format!("PUBLICATION {}", Ident(key)), &spec.comment);
        }
        for (i, o) in f.operators.iter().enumerate() {
            let index = i.to_string();
            let field = ["operators", index.as_str()];
            let op = crate::model::Operator {
                name: QualName::new(o.schema.as_deref().unwrap_or(self.schema), o.name.clone()),
                left: o.left.clone(),
                right: o.right.clone(),
                function: o.function.clone(),
                commutator: o.commutator.clone(),
                negator: o.negator.clone(),
                restrict: o.restrict.clone(),
                join: o.join.clone(),
                hashes: o.hashes,
                merges: o.merges,
                comment: None,
                deps: Default::default(),
            };
            self.push(&field, op.definition());
            self.comment(&field, format!("OPERATOR {}", op.signature()), &o.comment);
        }
        for (i, c) in f.casts.iter().enumerate() {
            let index = i.to_string();
            let field = ["casts", index.as_str()];
            let how = match (&c.function, c.inout) {
                (Some(f), false) => format!("WITH FUNCTION {f}"),
                (None, true) => "WITH INOUT".to_string(),
                (None, false) => "WITHOUT FUNCTION".to_string(),
                (Some(_), true) => return err(&field, "give function or inout, not both"),
            };
            let context = match c.context.as_deref() {
                None | Some("explicit") => "",
                Some("assignment") => " AS ASSIGNMENT",
                Some("implicit") => " AS IMPLICIT",
                Some(other) => {
                    return err(
                        &field,
                        format!("context: {other:?}; expected explicit, assignment or implicit"),
                    )
                }
            };
            let signature = format!("({} AS {})", c.source, c.target);
            self.push(&field, format!("CREATE CAST {signature} {how}{context}"));
            self.comment(&field, format!("CAST {signature}"), &c.comment);
        }
        for (key, spec) in f.text_search_dictionaries.iter() {
            let field = ["text_search_dictionaries", key.as_str()];
            let name = self.name(&field, key)?;
            let mut options = vec![format!("TEMPLATE = {}", spec.template)];
            for (k, v) in spec.options.iter() {
                options.push(format!("{} = {v}", Ident(k)));
            }
            self.push(
                &field,
                format!(
                    "CREATE TEXT SEARCH DICTIONARY {name} ({})",
                    options.join(", ")
                ),
            );
            self.comment(
                &field,
                format!("TEXT SEARCH DICTIONARY {name}"),
                &spec.comment,
            );
        }
        for (key, spec) in f.text_search_configurations.iter() {
            let field = ["text_search_configurations", key.as_str()];
            let name = self.name(&field, key)?;
            let copied = match (&spec.copy, &spec.parser) {
                (Some(c), None) => match crate::model::builtin_configuration(c) {
                    Some(m) => m,
                    None => {
                        return err(&field, format!("copy: {c:?} is no built-in configuration"))
                    }
                },
                (None, _) => Default::default(),
                (Some(_), Some(_)) => return err(&field, "give parser or copy, not both"),
            };
            let source = match (&spec.copy, &spec.parser) {
                (Some(c), _) => format!("COPY = pg_catalog.{}", Ident(c)),
                (None, Some(p)) => format!("PARSER = {p}"),
                (None, None) => "PARSER = \"default\"".to_string(),
            };
            self.push(
                &field,
                format!("CREATE TEXT SEARCH CONFIGURATION {name} ({source})"),
            );
            for (token, dicts) in spec.mappings.iter() {
                let sql = if dicts.is_empty() {
                    format!("ALTER TEXT SEARCH CONFIGURATION {name} DROP MAPPING FOR {token}")
                } else {
                    let verb = if copied.contains_key(token) {
                        "ALTER"
                    } else {
                        "ADD"
                    };
                    format!(
                        "ALTER TEXT SEARCH CONFIGURATION {name} {verb} MAPPING FOR {token} WITH {}",
                        dicts.join(", ")
                    )
                };
                self.push(&field, sql);
            }
            self.comment(
                &field,
                format!("TEXT SEARCH CONFIGURATION {name}"),
                &spec.comment,
            );
        }
        for (key, spec) in f.foreign_data_wrappers.iter() {
            let field = ["foreign_data_wrappers", key.as_str()];
            let spec = spec.clone().unwrap_or_default();
            let function = |f: &Option<String>| -> Result<Option<String>> {
                f.as_ref()
                    .map(|f| self.name(&field, f).map(|q| q.to_string()))
                    .transpose()
            };
            let wrapper = crate::model::ForeignDataWrapper {
                name: key.clone(),
                handler: function(&spec.handler)?,
                validator: function(&spec.validator)?,
                options: yaml_option_pairs(&spec.options),
                comment: None,
                deps: Default::default(),
            };
            self.push(&field, wrapper.definition());
            self.comment(
                &field,
                format!("FOREIGN DATA WRAPPER {}", Ident(key)),
                &spec.comment,
            );
        }
        for (key, spec) in f.servers.iter() {
            let field = ["servers", key.as_str()];
            let server = crate::model::ForeignServer {
                name: key.clone(),
                wrapper: spec.wrapper.clone(),
                server_type: spec.server_type.clone(),
                version: spec.version.clone(),
                options: yaml_option_pairs(&spec.options),
                mappings: Default::default(),
                comment: None,
                deps: Default::default(),
            };
            self.push(&field, server.definition());
            self.comment(&field, format!("SERVER {}", Ident(key)), &spec.comment);
            for (user, options) in spec.user_mappings.iter() {
                let options = yaml_option_pairs(&options.clone().unwrap_or_default());
                self.push(
                    &["servers", key.as_str(), "user_mappings", user.as_str()],
                    crate::model::create_user_mapping(key, &mapping_key(user), &options),
                );
            }
        }
        for (key, spec) in f.event_triggers.iter() {
            let field = ["event_triggers", key.as_str()];
            let function = self.name(&field, &spec.function)?;
            let when = if spec.tags.is_empty() {
                String::new()
            } else {
                let tags: Vec<String> = spec.tags.iter().map(|t| literal(t)).collect();
                format!(" WHEN TAG IN ({})", tags.join(", "))
            };
            self.push(
                &field,
                format!(
                    "CREATE EVENT TRIGGER {} ON {}{when} EXECUTE FUNCTION {function}()",
                    Ident(key),
                    Ident(&spec.on)
                ),
            );
            if let Some(a) = enable_action(&field, spec.enabled.as_deref())? {
                self.push(&field, format!("ALTER EVENT TRIGGER {} {a}", Ident(key)));
            }
            self.comment(
                &field,
                format!("EVENT TRIGGER {}", Ident(key)),
                &spec.comment,
            );
        }
        for (key, spec) in f.enums.iter() {
            let field = ["enums", key.as_str()];
            let name = self.name(&field, key)?;
            let e = match spec {
                Spec::List(values) => EnumSpec {
                    values: values.clone(),
                    ..EnumSpec::default()
                },
                Spec::Full(e) => e.clone(),
                Spec::Str(_) => return err(&field, "an enum is a list of values or a map"),
            };
            let labels: Vec<String> = e.values.iter().map(|l| literal(l)).collect();
            self.push(
                &field,
                format!("CREATE TYPE {name} AS ENUM ({})", labels.join(", ")),
            );
            self.comment(&field, format!("TYPE {name}"), &e.comment);
            self.owner(&field, format!("TYPE {name}"), &e.owner);
        }
        for (key, spec) in f.domains.iter() {
            self.domain(key, spec)?;
        }
        for (key, spec) in f.composites.iter() {
            let field = ["composites", key.as_str()];
            let name = self.name(&field, key)?;
            let mut attributes = Vec::new();
            for (attr, a) in spec.attributes.iter() {
                let a = match a {
                    Spec::Str(t) => AttributeSpec {
                        type_name: t.clone(),
                        collation: None,
                    },
                    Spec::Full(a) => a.clone(),
                    Spec::List(_) => {
                        return err(&["composites", key, "attributes", attr], "expected a type")
                    }
                };
                let mut s = format!("{} {}", Ident(attr), a.type_name);
                if let Some(c) = &a.collation {
                    s.push_str(&format!(" COLLATE {c}"));
                }
                attributes.push(s);
            }
            self.push(
                &field,
                format!("CREATE TYPE {name} AS ({})", attributes.join(", ")),
            );
            self.comment(&field, format!("TYPE {name}"), &spec.comment);
            self.owner(&field, format!("TYPE {name}"), &spec.owner);
        }
        for (key, spec) in f.sequences.iter() {
            self.sequence(key, &spec.clone().unwrap_or_default())?;
        }
        for (key, spec) in f.functions.iter() {
            self.function("functions", key, spec)?;
        }
        for (key, spec) in f.procedures.iter() {
            self.function("procedures", key, spec)?;
        }
        for (key, spec) in f.tables.iter() {
            self.table(key, spec)?;
        }
        for (key, spec) in f.views.iter() {
            self.view("views", key, spec)?;
        }
        for (key, spec) in f.materialized_views.iter() {
            self.view("materialized_views", key, spec)?;
        }
        Ok(())
    }

    fn domain(&mut self, key: &str, spec: &Spec<DomainSpec>) -> Result<()> {
        let field = ["domains", key];
        let name = self.name(&field, key)?;
        let d = match spec {
            Spec::Str(s) => {
                self.push(&field, format!("CREATE DOMAIN {name} AS {s}"));
                return Ok(());
            }
            Spec::Full(d) => d,
            Spec::List(_) => return err(&field, "a domain is a type or a map"),
        };
        let mut sql = format!("CREATE DOMAIN {name} AS {}", d.base);
        if let Some(c) = &d.collation {
            sql.push_str(&format!(" COLLATE {c}"));
        }
        if let Some(v) = &d.default {
            sql.push_str(&format!(" DEFAULT {v}"));
        }
        if d.not_null {
            sql.push_str(" NOT NULL");
        }
        let mut later = Vec::new();
        for (check, spec) in d.checks.iter() {
            let c = check_spec(spec, &["domains", key, "checks", check])?;
            if c.not_valid {
                later.push(format!(
                    "ALTER DOMAIN {name} ADD CONSTRAINT {} CHECK ({}) NOT VALID",
                    Ident(check),
                    c.expression
                ));
            } else {
                sql.push_str(&format!(
                    " CONSTRAINT {} CHECK ({})",
                    Ident(check),
                    c.expression
                ));
            }
        }
        self.push(&field, sql);
        for s in later {
            self.push(&field, s);
        }
        self.comment(&field, format!("DOMAIN {name}"), &d.comment);
        self.owner(&field, format!("DOMAIN {name}"), &d.owner);
        if let Some(g) = &d.grants {
            let on = format!("DOMAIN {name}");
            self.push(&field, format!("REVOKE ALL ON {on} FROM PUBLIC"));
            self.grants(&field, &on, g);
        }
        Ok(())
    }

    fn sequence(&mut self, key: &str, s: &SequenceSpec) -> Result<()> {
        let field = ["sequences", key];
        let name = self.name(&field, key)?;
        let mut sql = format!("CREATE SEQUENCE {name}");
        if let Some(t) = &s.data_type {
            sql.push_str(&format!(" AS {t}"));
        }
        let data_type = s.data_type.as_deref().unwrap_or("bigint");
        let clauses = SequenceOptions::given(
            data_type,
            s.start,
            s.increment,
            s.min,
            s.max,
            s.cache,
            s.cycle,
        )
        .clauses(data_type);
        if !clauses.is_empty() {
            sql.push(' ');
            sql.push_str(&clauses.join(" "));
        }
        self.push(&field, sql);
        if let Some(owner) = &s.owned_by {
            let parts = names::split(owner).or_else(|m| err(&field, m))?;
            let (table, column) = match parts.as_slice() {
                [t, c] => (QualName::new(self.schema, t.clone()), c),
                [s, t, c] => (QualName::new(s.clone(), t.clone()), c),
                _ => return err(&field, "owned_by is table.column or schema.table.column"),
            };
            self.push(
                &field,
                format!("ALTER SEQUENCE {name} OWNED BY {table}.{}", Ident(column)),
            );
        }
        self.grants(&field, &format!("SEQUENCE {name}"), &s.grants);
        self.comment(&field, format!("SEQUENCE {name}"), &s.comment);
        self.owner(&field, format!("SEQUENCE {name}"), &s.owner);
        Ok(())
    }

    fn function(&mut self, kind: &str, key: &str, f: &FunctionSpec) -> Result<()> {
        let field = [kind, key];
        let (name, key_args) = names::function(key, self.schema).or_else(|m| err(&field, m))?;
        let word = if kind == "procedures" {
            "PROCEDURE"
        } else {
            "FUNCTION"
        };
        let sql = match &f.definition {
            Some(def) => {
                let parts = [&f.args, &f.returns, &f.language, &f.options, &f.body];
                if parts.iter().any(|p| p.is_some()) {
                    return err(
                        &field,
                        "give either `definition` or args/returns/language/options/body, not both",
                    );
                }
                def.trim_end().trim_end_matches(';').to_string()
            }
            None => {
                let Some(body) = &f.body else {
                    return err(&field, "missing field `body` (or `definition`)");
                };
                let Some(language) = &f.language else {
                    return err(&field, "missing field `language`");
                };
                let args = f.args.clone().or(key_args.clone()).unwrap_or_default();
                let mut sql = format!("CREATE {word} {name}({args})");
                match (&f.returns, word) {
                    (Some(r), "FUNCTION") => sql.push_str(&format!(" RETURNS {r}")),
                    (None, "FUNCTION") => return err(&field, "missing field `returns`"),
                    (Some(_), _) => return err(&field, "a procedure has no `returns`"),
                    (None, _) => {}
                }
                sql.push_str(&format!(" LANGUAGE {language}"));
                if let Some(o) = &f.options {
                    sql.push_str(&format!(" {o}"));
                }
                sql.push_str(&format!(" AS {}", dollar_quote(body)));
                sql
            }
        };
        self.push(&field, sql);
        if let Some(g) = &f.grants {
            let args = key_args.clone().or(f.args.clone()).unwrap_or_default();
            let on = format!("{word} {name}({args})");
            self.push(&field, format!("REVOKE ALL ON {on} FROM PUBLIC"));
            self.grants(&field, &on, g);
        }
        if f.comment.is_some() {
            let args = key_args.or(f.args.clone()).unwrap_or_default();
            self.comment(&field, format!("{word} {name}({args})"), &f.comment);
            self.owner(&field, format!("{word} {name}({args})"), &f.owner);
        }
        Ok(())
    }

    fn table(&mut self, key: &str, t: &TableSpec) -> Result<()> {
        let field = ["tables", key];
        let name = self.name(&field, key)?;
        let unlogged = if t.unlogged { "UNLOGGED " } else { "" };
        let word = if t.foreign.is_some() {
            "FOREIGN TABLE"
        } else {
            "TABLE"
        };
        let mut sql = format!("CREATE {unlogged}{word} {name}");
        let mut column_comments = Vec::new();
        let mut lines = Vec::new();
        if let Some(of) = &t.partition_of {
            // A partition takes its columns from its parent; it may add NOT NULL.
            let mut own = Vec::new();
            for (col, spec) in t.columns.iter() {
                match spec {
                    Spec::Str(s) if s.trim().eq_ignore_ascii_case("not null") => {
                        own.push(format!("{} NOT NULL", Ident(col)));
                    }
                    _ => return err(
                        &["tables", key, "columns", col.as_str()],
                        "a partition takes its columns from its parent; it may only add `not null`",
                    ),
                }
            }
            let parent = self.name(&["tables", key, "partition_of"], &of.parent)?;
            sql.push_str(&format!(" PARTITION OF {parent}"));
            if !own.is_empty() {
                sql.push_str(&format!(" ({})", own.join(", ")));
            }
            sql.push_str(&format!(" {}", of.bound));
        } else {
            let mut items = Vec::new();
            for (col, spec) in t.columns.iter() {
                let cfield = ["tables", key, "columns", col.as_str()];
                // Line 1 is `CREATE TABLE name (`, then one line per column.
                lines.push((items.len() + 2, path(&cfield)));
                match spec {
                    Spec::Str(s) => items.push(format!("    {} {s}", Ident(col))),
                    Spec::Full(c) => {
                        items.push(format!("    {}", column_def(col, c, &cfield)?));
                        if c.comment.is_some() {
                            column_comments.push((col.clone(), c.comment.clone()));
                        }
                    }
                    Spec::List(_) => return err(&cfield, "a column is a string or a map"),
                }
            }
            if items.is_empty() {
                sql.push_str(" ()");
            } else {
                sql.push_str(&format!(" (\n{}\n)", items.join(",\n")));
            }
            if !t.inherits.is_empty() {
                let mut parents = Vec::new();
                for p in &t.inherits {
                    parents.push(self.name(&["tables", key, "inherits"], p)?.to_string());
                }
                sql.push_str(&format!(" INHERITS ({})", parents.join(", ")));
            }
        }
        if let Some(by) = &t.partition_by {
            sql.push_str(&format!(" PARTITION BY {by}"));
        }
        if !t.options.is_empty() {
            sql.push_str(&format!(" WITH ({})", t.options.join(", ")));
        }
        if let Some(f) = &t.foreign {
            sql.push_str(&format!(
                " SERVER {}{}",
                Ident(&f.server),
                yaml_options(&f.options)
            ));
        }
        self.push(&field, sql);
        if let Some(created) = self.out.last_mut() {
            created.lines = lines;
        }
        // Only ALTER TABLE adds a NOT NULL unvalidated.
        for (col, spec) in t.columns.iter() {
            if let Spec::Full(c) = spec {
                if let Some(k) = c.not_null_constraint.as_ref().filter(|k| k.not_valid) {
                    let k = crate::model::NotNullConstraint {
                        name: k.name.clone(),
                        not_valid: true,
                        no_inherit: k.no_inherit,
                    };
                    self.push(
                        &[
                            "tables",
                            key,
                            "columns",
                            col.as_str(),
                            "not_null_constraint",
                        ],
                        k.add_sql(&name, col),
                    );
                }
            }
        }
        if let Some(f) = &t.foreign {
            for (column, options) in f.column_options.iter() {
                self.push(
                    &["tables", key, "foreign", "column_options", column.as_str()],
                    format!(
                        "ALTER FOREIGN TABLE {name} ALTER COLUMN {}{}",
                        Ident(column),
                        yaml_options(options)
                    ),
                );
            }
        }
        if t.row_level_security {
            self.push(
                &field,
                format!("ALTER TABLE {name} ENABLE ROW LEVEL SECURITY"),
            );
        }
        if t.force_row_level_security {
            self.push(
                &field,
                format!("ALTER TABLE {name} FORCE ROW LEVEL SECURITY"),
            );
        }
        self.comment(&field, format!("{word} {name}"), &t.comment);
        self.owner(&field, format!("{word} {name}"), &t.owner);
        self.grants(&field, &format!("TABLE {name}"), &t.grants);
        for (col, text) in column_comments {
            self.comment(
                &["tables", key, "columns", &col],
                format!("COLUMN {name}.{}", Ident(&col)),
                &text,
            );
        }
        if let Some(pk) = &t.primary_key {
            let pfield = ["tables", key, "primary_key"];
            let k = key_spec(pk, &pfield)?;
            self.key_constraint(&pfield, &name, "PRIMARY KEY", &k)?;
        }
        for u in &t.unique {
            let ufield = ["tables", key, "unique"];
            let k = key_spec(u, &ufield)?;
            let nulls = if k.nulls_not_distinct {
                " NULLS NOT DISTINCT"
            } else {
                ""
            };
            self.key_constraint(&ufield, &name, &format!("UNIQUE{nulls}"), &k)?;
        }
        for fk in &t.foreign_keys {
            let ffield = ["tables", key, "foreign_keys"];
            let target = self.name(&ffield, &fk.references)?;
            let mut def = format!("FOREIGN KEY ({}) REFERENCES {target}", idents(&fk.columns));
            if !fk.referenced_columns.is_empty() {
                def.push_str(&format!(" ({})", idents(&fk.referenced_columns)));
            }
            if fk.match_full {
                def.push_str(" MATCH FULL");
            }
            if let Some(a) = &fk.on_delete {
                def.push_str(&format!(" ON DELETE {a}"));
            }
            if let Some(a) = &fk.on_update {
                def.push_str(&format!(" ON UPDATE {a}"));
            }
            if fk.deferrable {
                def.push_str(" DEFERRABLE");
            }
            if fk.initially_deferred {
                def.push_str(" INITIALLY DEFERRED");
            }
            self.add_constraint(
                &ffield,
                &name,
                fk.name.as_deref(),
                &def,
                fk.not_valid,
                &fk.comment,
            )?;
        }
        for (check, spec) in t.checks.iter() {
            let cfield = ["tables", key, "checks", check.as_str()];
            let c = check_spec(spec, &cfield)?;
            let mut def = format!("CHECK ({})", c.expression);
            if c.no_inherit {
                def.push_str(" NO INHERIT");
            }
            self.add_constraint(&cfield, &name, Some(check), &def, c.not_valid, &c.comment)?;
        }
        for (cname, spec) in t.constraints.iter() {
            let cfield = ["tables", key, "constraints", cname.as_str()];
            let c = match spec {
                Spec::Str(d) => ConstraintSpec {
                    definition: d.clone(),
                    ..ConstraintSpec::default()
                },
                Spec::Full(c) => c.clone(),
                Spec::List(_) => return err(&cfield, "a constraint is a string or a map"),
            };
            self.add_constraint(
                &cfield,
                &name,
                Some(cname),
                &c.definition,
                c.not_valid,
                &c.comment,
            )?;
        }
        self.indexes(&["tables", key], &name, &t.indexes)?;
        for (sname, x) in t.statistics.iter() {
            let field = ["tables", key, "statistics", sname.as_str()];
            let stat = names::qualified(sname, &name.schema).or_else(|m| err(&field, m))?;
            if x.on.is_empty() {
                return err(&field, "on: lists no column or expression");
            }
            let kinds = if x.kinds.is_empty() {
                String::new()
            } else {
                format!(" ({})", x.kinds.join(", "))
            };
            self.push(
                &field,
                format!(
                    "CREATE STATISTICS {stat}{kinds} ON {} FROM {name}",
                    x.on.join(", ")
                ),
            );
            if let Some(n) = x.target {
                self.push(
                    &field,
                    format!("ALTER STATISTICS {stat} SET STATISTICS {n}"),
                );
            }
            self.comment(&field, format!("STATISTICS {stat}"), &x.comment);
        }
        if let Some(ri) = &t.replica_identity {
            let rfield = ["tables", key, "replica_identity"];
            let text = ri.trim();
            let prefix = "using index ";
            let what = match text.to_lowercase().as_str() {
                "default" => "DEFAULT".to_string(),
                "full" => "FULL".to_string(),
                "nothing" => "NOTHING".to_string(),
                l if l.starts_with(prefix) && text.len() > prefix.len() => {
                    format!("USING INDEX {}", Ident(text[prefix.len()..].trim()))
                }
                _ => {
                    return err(
                        &rfield,
                        format!("replica_identity: {ri:?}; expected default, full, nothing or using index <name>"),
                    )
                }
            };
            self.push(
                &rfield,
                format!("ALTER TABLE ONLY {name} REPLICA IDENTITY {what}"),
            );
        }
        for (pname, p) in t.policies.iter() {
            self.policy(&["tables", key, "policies", pname], &name, pname, p);
        }
        self.triggers(&["tables", key], &name, &t.triggers)?;
        for (rname, r) in t.rules.iter() {
            let field = ["tables", key, "rules", rname.as_str()];
            self.push(&field, r.definition.clone());
            if let Some(a) = enable_action(&field, r.enabled.as_deref())? {
                self.push(
                    &field,
                    format!("ALTER TABLE {name} {a} RULE {}", Ident(rname)),
                );
            }
            self.comment(
                &field,
                format!("RULE {} ON {name}", Ident(rname)),
                &r.comment,
            );
        }
        Ok(())
    }

    fn key_constraint(
        &mut self,
        field: &[&str],
        table: &QualName,
        kind: &str,
        k: &KeySpec,
    ) -> Result<()> {
        let def = format!("{kind} ({})", idents(&k.columns));
        self.add_constraint(field, table, k.name.as_deref(), &def, false, &k.comment)
    }

    fn add_constraint(
        &mut self,
        field: &[&str],
        table: &QualName,
        name: Option<&str>,
        definition: &str,
        not_valid: bool,
        comment: &Option<String>,
    ) -> Result<()> {
        let named = match name {
            Some(n) => format!("CONSTRAINT {} ", Ident(n)),
            None => String::new(),
        };
        let not_valid = if not_valid { " NOT VALID" } else { "" };
        self.push(
            field,
            format!("ALTER TABLE {table} ADD {named}{definition}{not_valid}"),
        );
        if comment.is_some() {
            let Some(n) = name else {
                return err(field, "a constraint with a comment needs a `name`");
            };
            self.comment(
                field,
                format!("CONSTRAINT {} ON {table}", Ident(n)),
                comment,
            );
        }
        Ok(())
    }

    fn indexes(
        &mut self,
        field: &[&str],
        table: &QualName,
        indexes: &Map<Spec<IndexSpec>>,
    ) -> Result<()> {
        for (iname, spec) in indexes.iter() {
            let mut ifield = field.to_vec();
            ifield.extend(["indexes", iname.as_str()]);
            let i = match spec {
                Spec::Str(d) => IndexSpec {
                    definition: Some(d.clone()),
                    ..IndexSpec::default()
                },
                Spec::List(cols) => IndexSpec {
                    columns: cols.clone(),
                    ..IndexSpec::default()
                },
                Spec::Full(i) => i.clone(),
            };
            let unique = if i.unique { "UNIQUE " } else { "" };
            let only = if i.only { "ONLY " } else { "" };
            let rest = match &i.definition {
                Some(d) => {
                    if !i.columns.is_empty()
                        || i.using.is_some()
                        || !i.include.is_empty()
                        || i.predicate.is_some()
                        || i.nulls_not_distinct
                    {
                        return err(
                            &ifield,
                            "give either `definition` or columns/using/include/where, not both",
                        );
                    }
                    d.clone()
                }
                None => {
                    if i.columns.is_empty() {
                        return err(&ifield, "missing field `columns` (or `definition`)");
                    }
                    let mut s = String::new();
                    if let Some(m) = &i.using {
                        s.push_str(&format!("USING {m} "));
                    }
                    s.push_str(&format!("({})", i.columns.join(", ")));
                    if !i.include.is_empty() {
                        s.push_str(&format!(" INCLUDE ({})", idents(&i.include)));
                    }
                    if i.nulls_not_distinct {
                        s.push_str(" NULLS NOT DISTINCT");
                    }
                    if let Some(p) = &i.predicate {
                        s.push_str(&format!(" WHERE {p}"));
                    }
                    s
                }
            };
            self.push(
                &ifield,
                format!(
                    "CREATE {unique}INDEX {} ON {only}{table} {rest}",
                    Ident(iname)
                ),
            );
            let qualified = table.sibling(iname.clone());
            self.comment(&ifield, format!("INDEX {qualified}"), &i.comment);
        }
        Ok(())
    }

    fn policy(&mut self, field: &[&str], table: &QualName, name: &str, p: &PolicySpec) {
        let mut sql = format!("CREATE POLICY {} ON {table}", Ident(name));
        if p.restrictive {
            sql.push_str(" AS RESTRICTIVE");
        }
        if let Some(c) = &p.command {
            sql.push_str(&format!(" FOR {c}"));
        }
        if !p.roles.is_empty() {
            let roles: Vec<String> = p
                .roles
                .iter()
                .map(|r| {
                    if r == "public" {
                        "PUBLIC".to_string()
                    } else {
                        Ident(r).to_string()
                    }
                })
                .collect();
            sql.push_str(&format!(" TO {}", roles.join(", ")));
        }
        if let Some(u) = &p.using {
            sql.push_str(&format!(" USING ({u})"));
        }
        if let Some(c) = &p.with_check {
            sql.push_str(&format!(" WITH CHECK ({c})"));
        }
        self.push(field, sql);
        self.comment(
            field,
            format!("POLICY {} ON {table}", Ident(name)),
            &p.comment,
        );
    }

    fn triggers(
        &mut self,
        field: &[&str],
        table: &QualName,
        triggers: &Map<Spec<TriggerSpec>>,
    ) -> Result<()> {
        for (tname, spec) in triggers.iter() {
            let mut tfield = field.to_vec();
            tfield.extend(["triggers", tname.as_str()]);
            let t = match spec {
                Spec::Str(d) => TriggerSpec {
                    definition: Some(d.clone()),
                    ..TriggerSpec::default()
                },
                Spec::Full(t) => t.clone(),
                Spec::List(_) => return err(&tfield, "a trigger is a string or a map"),
            };
            let sql = match &t.definition {
                Some(d) => {
                    if t.timing.is_some()
                        || !t.events.is_empty()
                        || t.for_each.is_some()
                        || t.when.is_some()
                        || t.function.is_some()
                    {
                        return err(
                            &tfield,
                            "give either `definition` or timing/events/for_each/when/function, not both",
                        );
                    }
                    d.trim_end().trim_end_matches(';').to_string()
                }
                None => {
                    let (Some(timing), Some(function)) = (&t.timing, &t.function) else {
                        return err(&tfield, "missing field `timing` or `function`");
                    };
                    if t.events.is_empty() {
                        return err(&tfield, "missing field `events`");
                    }
                    let mut sql = format!(
                        "CREATE TRIGGER {} {} {} ON {table}",
                        Ident(tname),
                        timing.to_uppercase(),
                        t.events.join(" OR ")
                    );
                    if let Some(each) = &t.for_each {
                        sql.push_str(&format!(" FOR EACH {}", each.to_uppercase()));
                    }
                    if let Some(w) = &t.when {
                        sql.push_str(&format!(" WHEN ({w})"));
                    }
                    sql.push_str(&format!(" EXECUTE FUNCTION {function}"));
                    sql
                }
            };
            self.push(&tfield, sql);
            if let Some(a) = enable_action(&tfield, t.enabled.as_deref())? {
                self.push(
                    &tfield,
                    format!("ALTER TABLE {table} {a} TRIGGER {}", Ident(tname)),
                );
            }
            self.comment(
                &tfield,
                format!("TRIGGER {} ON {table}", Ident(tname)),
                &t.comment,
            );
        }
        Ok(())
    }

    fn view(&mut self, kind: &str, key: &str, spec: &Spec<ViewSpec>) -> Result<()> {
        let field = [kind, key];
        let name = self.name(&field, key)?;
        let v = match spec {
            Spec::Str(q) => ViewSpec {
                query: q.clone(),
                ..ViewSpec::default()
            },
            Spec::Full(v) => v.clone(),
            Spec::List(_) => return err(&field, "a view is a query or a map"),
        };
        let word = if kind == "materialized_views" {
            "MATERIALIZED VIEW"
        } else {
            "VIEW"
        };
        let mut sql = format!("CREATE {word} {name}");
        if !v.options.is_empty() {
            sql.push_str(&format!(" WITH ({})", v.options.join(", ")));
        }
        let query = v.query.trim_end().trim_end_matches(';');
        sql.push_str(&format!(" AS\n{query}"));
        self.push(&field, sql);
        self.comment(&field, format!("{word} {name}"), &v.comment);
        self.owner(&field, format!("{word} {name}"), &v.owner);
        self.grants(&field, &format!("TABLE {name}"), &v.grants);
        for (col, text) in v.columns.iter() {
            self.comment(
                &[kind, key, "columns", col],
                format!("COLUMN {name}.{}", Ident(col)),
                &Some(text.clone()),
            );
        }
        self.indexes(&field, &name, &v.indexes)?;
        self.triggers(&field, &name, &v.triggers)?;
        Ok(())
    }
}

fn check_spec(spec: &Spec<CheckSpec>, field: &[&str]) -> Result<CheckSpec> {
    match spec {
        Spec::Str(e) => Ok(CheckSpec {
            expression: e.clone(),
            ..CheckSpec::default()
        }),
        Spec::Full(c) => Ok(c.clone()),
        Spec::List(_) => err(field, "a check is an expression or a map"),
    }
}

fn key_spec(spec: &Spec<KeySpec>, field: &[&str]) -> Result<KeySpec> {
    match spec {
        Spec::List(cols) => Ok(KeySpec {
            columns: cols.clone(),
            ..KeySpec::default()
        }),
        Spec::Full(k) => Ok(k.clone()),
        Spec::Str(_) => err(field, "a key is a list of columns or a map"),
    }
}

/// A column's full form as a column definition: the column itself as the model writes
/// it, then its inline constraints.
fn column_def(name: &str, c: &ColumnSpec, field: &[&str]) -> Result<String> {
    let mut column = Column::new(name, c.type_name.clone());
    column.collation = c.collation.as_deref().map(Into::into);
    column.generated = c.generated.as_deref().map(Into::into);
    column.virtual_generated = c.virtual_generated;
    column.default = c.default.clone();
    column.not_null = c.not_null || c.not_null_constraint.is_some();
    column.not_null_constraint = c.not_null_constraint.as_ref().map(|k| {
        Box::new(crate::model::NotNullConstraint {
            name: k.name.clone(),
            not_valid: k.not_valid,
            no_inherit: k.no_inherit,
        })
    });
    if let Some(id) = &c.identity {
        let id = match id {
            Spec::Str(k) => IdentitySpec {
                kind: match k.as_str() {
                    "always" => IdentityKindSpec::Always,
                    "by-default" => IdentityKindSpec::ByDefault,
                    other => {
                        let mut f = field.to_vec();
                        f.push("identity");
                        return err(&f, format!("{other:?}: expected `always` or `by-default`"));
                    }
                },
                ..IdentitySpec::default()
            },
            Spec::Full(i) => i.clone(),
            Spec::List(_) => return err(field, "identity is a string or a map"),
        };
        column.identity = Some(Box::new(Identity {
            kind: match id.kind {
                IdentityKindSpec::Always => IdentityKind::Always,
                IdentityKindSpec::ByDefault => IdentityKind::ByDefault,
            },
            options: SequenceOptions::given(
                &c.type_name,
                id.start,
                id.increment,
                id.min,
                id.max,
                id.cache,
                id.cycle,
            ),
        }));
    }
    let mut s = column.definition();
    if c.primary_key {
        s.push_str(" PRIMARY KEY");
    }
    if c.unique {
        s.push_str(" UNIQUE");
    }
    if let Some(r) = &c.references {
        s.push_str(&format!(" REFERENCES {r}"));
    }
    if let Some(e) = &c.check {
        s.push_str(&format!(" CHECK ({e})"));
    }
    Ok(s)
}

/// The words of `ALTER ... TRIGGER` for an `enabled:` value; nothing for the default.
fn enable_action(field: &[&str], enabled: Option<&str>) -> Result<Option<&'static str>> {
    match enabled {
        None | Some("origin") => Ok(None),
        Some("disabled") => Ok(Some("DISABLE")),
        Some("replica") => Ok(Some("ENABLE REPLICA")),
        Some("always") => Ok(Some("ENABLE ALWAYS")),
        Some(other) => err(
            field,
            format!("enabled: {other:?}; expected origin, disabled, replica or always"),
        ),
    }
}

/// A YAML options map as the model's pairs.
fn yaml_option_pairs(options: &Map<String>) -> crate::model::FdwOptions {
    crate::model::sorted_options(
        options
            .0
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

/// A YAML options map as ` OPTIONS (name 'value', ...)`.
fn yaml_options(options: &Map<String>) -> String {
    crate::model::options_clause(&yaml_option_pairs(options))
}

/// A `user_mappings` key as the model keys users: `public`, `current_user` and the
/// like as the keywords they are, a role as written.
fn mapping_key(user: &str) -> String {
    let upper = user.to_ascii_uppercase();
    if upper == crate::model::PUBLIC || crate::model::ROLE_KEYWORDS.contains(&upper.as_str()) {
        upper
    } else {
        user.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sql(yaml: &str) -> Vec<String> {
        let file: File = serde_norway::from_str(yaml).unwrap();
        compile(&file).unwrap().into_iter().map(|g| g.sql).collect()
    }

    #[test]
    fn short_forms_compile() {
        let out = sql("tables:\n  users:\n    columns:\n      id: bigint generated always as identity\n      Email: {type: text, not_null: true, unique: true}\n    primary_key: [id]\n    indexes:\n      users_email_idx: [lower(\"Email\")]\n");
        assert_eq!(
            out,
            [
                "CREATE TABLE public.users (\n    id bigint generated always as identity,\n    \"Email\" text NOT NULL UNIQUE\n)",
                "ALTER TABLE public.users ADD PRIMARY KEY (id)",
                "CREATE INDEX users_email_idx ON public.users (lower(\"Email\"))",
            ]
        );
    }

    #[test]
    fn types_and_functions_compile() {
        let out = sql("schema: app\nenums:\n  mood: [happy, \"it's ok\"]\ndomains:\n  positive:\n    type: integer\n    checks: {gt_zero: VALUE > 0}\nfunctions:\n  one:\n    returns: integer\n    language: sql\n    body: select 1\n    comment: the one\n");
        assert_eq!(
            out,
            [
                "CREATE TYPE app.mood AS ENUM ('happy', 'it''s ok')",
                "CREATE DOMAIN app.positive AS integer CONSTRAINT gt_zero CHECK (VALUE > 0)",
                "CREATE FUNCTION app.one() RETURNS integer LANGUAGE sql AS $body$select 1$body$",
                "COMMENT ON FUNCTION app.one() IS 'the one'",
            ]
        );
    }

    #[test]
    fn missing_parts_are_errors_with_their_field() {
        let file: File =
            serde_norway::from_str("functions:\n  f:\n    language: sql\n    body: x\n").unwrap();
        let e = compile(&file).unwrap_err();
        assert_eq!(e.field, ["functions", "f"]);
        assert!(e.message.contains("returns"), "{}", e.message);
    }

    #[test]
    fn scalar_defaults_are_their_text() {
        let out = sql("tables:\n  t:\n    columns:\n      n: {type: integer, default: 0}\n      b: {type: boolean, default: true}\nextensions:\n  citext: {version: 1.6}\n");
        assert_eq!(
            out,
            [
                "CREATE EXTENSION citext VERSION '1.6'",
                "CREATE TABLE public.t (\n    n integer DEFAULT 0,\n    b boolean DEFAULT true\n)",
            ]
        );
    }

    #[test]
    fn dollar_quotes_avoid_the_body() {
        assert_eq!(dollar_quote("a $body$ b"), "$body1$a $body$ b$body1$");
    }
}

//! `schemaplan inspect`: a live database's schema written as SQL files that load back
//! into an identical schema (or as JSON, YAML, or a Mermaid ER diagram of its tables).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;

use crate::connect::DbUrl;
use crate::diff::Change;
use crate::error::Error;
use crate::model::{Catalog, ObjectId};
use crate::project::creation_changes;
use crate::render::for_each_statements;

use super::output;
use super::{Context, Outcome};

/// Arguments of `schemaplan inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The database to read (default: --database, DATABASE_URL, .env).
    #[arg(value_name = "URL")]
    url: Option<String>,
    /// Write files into this directory (one per schema) instead of printing.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// With --out: one file per object, in <schema>/<kind>/<name>.sql.
    #[arg(long, requires = "out")]
    split: bool,
    /// With --out: replace the .sql files already in the directory.
    #[arg(long, requires = "out")]
    force: bool,
    /// Output format: text is SQL; json is the catalog as data; yaml is the YAML
    /// schema format (with --out: one file, schema.yaml); mermaid is an ER diagram of
    /// the tables, their columns, keys and foreign keys (with --out: schema.mmd; with
    /// --schema NAME: one schema's tables).
    #[arg(long, value_enum, default_value_t = InspectFormat::Text)]
    format: InspectFormat,
}

/// What `inspect` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum InspectFormat {
    /// SQL that loads back into the schema.
    Text,
    /// The catalog as data.
    Json,
    /// The YAML schema format.
    Yaml,
    /// A Mermaid ER diagram (`erDiagram`) of the tables.
    Mermaid,
}

/// Runs `inspect`.
pub async fn run(ctx: &Context, args: InspectArgs) -> anyhow::Result<Outcome> {
    let url = match &args.url {
        Some(u) => DbUrl::parse(u)?,
        None => ctx.database.clone().ok_or(Error::NoDatabase)?,
    };
    ctx.status(&format!("reading {}", url.redacted()));
    let client = url.connect().await?;
    let mut live = crate::introspect::live_catalog(&client).await?;
    ctx.filter.apply(&mut live);
    output::warn_unmanaged(&url.redacted(), &live.unmanaged_names());
    if args.format == InspectFormat::Json {
        output::print_json(&live.to_json())?;
        return Ok(Outcome::Clean);
    }
    let single = match args.format {
        InspectFormat::Yaml => Some(("schema.yaml", crate::parse::yaml::emit(&live))),
        InspectFormat::Mermaid => {
            Some(("schema.mmd", crate::render::mermaid::schema_diagram(&live)))
        }
        InspectFormat::Text | InspectFormat::Json => None,
    };
    if let Some((file, text)) = single {
        match &args.out {
            None => output::print(&text)?,
            Some(dir) => {
                let path = dir.join(file);
                if path.exists() && !args.force {
                    anyhow::bail!("{} exists; pass --force to replace it", path.display());
                }
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                std::fs::write(&path, text)
                    .with_context(|| format!("writing {}", path.display()))?;
                ctx.status(&format!("wrote {}", path.display()));
            }
        }
        return Ok(Outcome::Clean);
    }
    // Written step by step as each is rendered: what is held is the catalog and its
    // ordered changes, never the SQL of the whole schema.
    let changes = creation_changes(&live)?;
    match &args.out {
        None => {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            for_each_statements(&changes, |_, sql| -> std::io::Result<()> {
                for s in sql {
                    out.write_all(s.as_bytes())?;
                    out.write_all(b";\n\n")?;
                }
                Ok(())
            })?;
            out.flush()?;
        }
        Some(dir) => {
            refuse_or_clear(dir, args.force)?;
            let mut files = Files::new(dir);
            let mut taken: BTreeMap<PathBuf, String> = BTreeMap::new();
            for_each_statements(&changes, |change, sql| -> anyhow::Result<()> {
                let path = file_of(change, &live, args.split, &mut taken);
                files.append(&path, &sql)
            })?;
            let count = files.finish()?;
            ctx.status(&format!("wrote {count} files to {}", dir.display()));
        }
    }
    Ok(Outcome::Clean)
}

/// Which file a step goes to: `<schema>.sql`, or with `split`
/// `<schema>/<kind>/<name>.sql` (the schema itself in `<schema>/schema.sql`).
fn file_of(
    change: &Change,
    live: &Catalog,
    split: bool,
    taken: &mut BTreeMap<PathBuf, String>,
) -> PathBuf {
    let (schema, kind, name) = owner(change, live);
    if split {
        let base = PathBuf::from(file_part(&schema)).join(kind);
        unique(taken, base, &name)
    } else {
        PathBuf::from(format!("{}.sql", file_part(&schema)))
    }
}

/// The files `inspect --out` writes, appended to step by step. A few are kept open
/// (consecutive steps mostly go to the same schema's file); the rest are reopened to
/// append. Each file is created empty the first time a step goes to it.
struct Files<'a> {
    dir: &'a Path,
    open: std::collections::HashMap<PathBuf, std::io::BufWriter<std::fs::File>>,
    created: std::collections::BTreeSet<PathBuf>,
}

impl<'a> Files<'a> {
    /// How many files stay open at once.
    const OPEN: usize = 64;

    fn new(dir: &'a Path) -> Self {
        Files {
            dir,
            open: Default::default(),
            created: Default::default(),
        }
    }

    /// Appends the statements of one step to the file at `rel`.
    fn append(&mut self, rel: &Path, sql: &[String]) -> anyhow::Result<()> {
        let path = self.dir.join(rel);
        if !self.open.contains_key(rel) {
            if self.open.len() >= Self::OPEN {
                // Which file is closed does not matter for the output: close them all.
                for (p, mut f) in self.open.drain() {
                    f.flush()
                        .with_context(|| format!("writing {}", self.dir.join(p).display()))?;
                }
            }
            let first = self.created.insert(rel.to_path_buf());
            if first {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)
                        .with_context(|| format!("creating {}", parent.display()))?;
                }
            }
            let file = std::fs::OpenOptions::new()
                .create(true)
                .write(true)
                .truncate(first)
                .append(!first)
                .open(&path)
                .with_context(|| format!("writing {}", path.display()))?;
            self.open
                .insert(rel.to_path_buf(), std::io::BufWriter::new(file));
        }
        if let Some(f) = self.open.get_mut(rel) {
            for s in sql {
                f.write_all(s.as_bytes())
                    .and_then(|()| f.write_all(b";\n\n"))
                    .with_context(|| format!("writing {}", path.display()))?;
            }
        }
        Ok(())
    }

    /// Flushes and closes every file; returns how many were written.
    fn finish(mut self) -> anyhow::Result<usize> {
        for (p, mut f) in self.open.drain() {
            f.flush()
                .with_context(|| format!("writing {}", self.dir.join(p).display()))?;
        }
        Ok(self.created.len())
    }
}

/// A file name for an object that no other object has taken (`my table` and `my_table`
/// both sanitize to `my_table`; the second gets `my_table_2`).
fn unique(taken: &mut BTreeMap<PathBuf, String>, dir: PathBuf, name: &str) -> PathBuf {
    let stem = file_part(name);
    let mut n = 1;
    loop {
        let file = if n == 1 {
            format!("{stem}.sql")
        } else {
            format!("{stem}_{n}.sql")
        };
        let path = dir.join(file);
        match taken.get(&path) {
            None => {
                taken.insert(path.clone(), name.to_string());
                return path;
            }
            Some(owner) if owner == name => return path,
            Some(_) => n += 1,
        }
    }
}

/// A name made safe for a file system: letters, digits, `_`, `-`, `.` kept (any
/// script), everything else `_`.
fn file_part(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with('.') {
        format!("_{s}")
    } else {
        s
    }
}

/// The top-level object a step belongs to: (schema, kind directory, name).
fn owner(change: &Change, live: &Catalog) -> (String, &'static str, String) {
    let relation_kind = |n: &crate::model::QualName| {
        if live.views.contains_key(n) {
            "views"
        } else {
            "tables"
        }
    };
    match change.object() {
        ObjectId::Schema(s) => (s.clone(), "schema", s),
        ObjectId::Extension(e) => {
            let schema = live
                .extensions
                .get(&e)
                .map(|x| x.schema.clone())
                .unwrap_or_else(|| "public".into());
            (schema, "extensions", e)
        }
        ObjectId::Type(n) => (n.schema, "types", n.name),
        ObjectId::Collation(n) => (n.schema, "collations", n.name),
        ObjectId::TextSearchDictionary(n) | ObjectId::TextSearchConfiguration(n) => {
            (n.schema, "text_search", n.name)
        }
        ObjectId::Publication(p) => ("public".into(), "publications", p),
        ObjectId::Cast(k) => ("public".into(), "casts", k),
        ObjectId::ForeignDataWrapper(w) => ("public".into(), "foreign", w),
        ObjectId::ForeignServer(v) => ("public".into(), "foreign", v),
        ObjectId::Operator(k) => {
            let schema = live
                .operators
                .get(&k)
                .map(|o| o.name.schema.clone())
                .unwrap_or_else(|| "public".into());
            (schema, "operators", k)
        }
        ObjectId::EventTrigger(x) => {
            let schema = live
                .event_triggers
                .get(&x)
                .map(|e| e.function.name.schema.clone())
                .unwrap_or_else(|| "public".into());
            (schema, "event_triggers", x)
        }
        ObjectId::Statistics(n) => {
            let table = live
                .statistics
                .get(&n)
                .map(|x| x.table.clone())
                .unwrap_or(n);
            let kind = relation_kind(&table);
            (table.schema, kind, table.name)
        }
        ObjectId::Sequence(n) => (n.schema, "sequences", n.name),
        ObjectId::Table(n) | ObjectId::View(n) => {
            let kind = relation_kind(&n);
            (n.schema, kind, n.name)
        }
        ObjectId::Column(n, _)
        | ObjectId::Constraint(n, _)
        | ObjectId::Trigger(n, _)
        | ObjectId::Policy(n, _)
        | ObjectId::Rule(n, _) => {
            let kind = relation_kind(&n);
            (n.schema, kind, n.name)
        }
        ObjectId::Index(i) => {
            let table = live.indexes.get(&i).map(|x| x.table.clone()).unwrap_or(i);
            let kind = relation_kind(&table);
            (table.schema, kind, table.name)
        }
        ObjectId::Function(k) => (k.name.schema, "functions", k.name.name),
        ObjectId::DefaultPrivileges(k) => (
            k.schema.unwrap_or_else(|| "public".into()),
            "schema",
            "default_privileges".into(),
        ),
    }
}

/// `.sql` files already in `dir` are refused unless `force`, which removes them first
/// (stale files would otherwise load back as part of the schema).
fn refuse_or_clear(dir: &Path, force: bool) -> anyhow::Result<()> {
    let existing = sql_files(dir);
    if !existing.is_empty() {
        if !force {
            anyhow::bail!(
                "{} already holds {} .sql file(s); pass --force to replace them",
                dir.display(),
                existing.len()
            );
        }
        for f in existing {
            std::fs::remove_file(&f).with_context(|| format!("removing {}", f.display()))?;
        }
    }
    Ok(())
}

/// The `.sql` files under a directory, recursively.
fn sql_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(sql_files(&path));
        } else if path.extension().is_some_and(|e| e == "sql") {
            out.push(path);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_and_unique() {
        assert_eq!(file_part("my table"), "my_table");
        assert_eq!(file_part("naïve"), "naïve");
        assert_eq!(file_part("../x"), "___x");
        let mut taken = BTreeMap::new();
        let a = unique(&mut taken, PathBuf::from("t"), "my table");
        let b = unique(&mut taken, PathBuf::from("t"), "my_table");
        let a2 = unique(&mut taken, PathBuf::from("t"), "my table");
        assert_eq!(a, PathBuf::from("t/my_table.sql"));
        assert_eq!(b, PathBuf::from("t/my_table_2.sql"));
        assert_eq!(a, a2);
    }
}

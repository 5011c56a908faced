//! `CREATE COLLATION`, and the collations a `COLLATE` clause names.

use pg_query::protobuf;
use pg_query::NodeEnum;

use crate::error::Result;
use crate::model::{Collation, CollationProvider, Ident, ObjectId, QualName};
use crate::offline::expr::strings;

use super::{def_bool, def_value, inner, split2, Interp};

impl<'c> Interp<'c> {
    /// `CREATE COLLATION name (provider = ..., locale = ..., ...)` or `CREATE COLLATION
    /// name FROM other`, with the defaults PostgreSQL fills in (libc, deterministic,
    /// `locale` standing for both `lc_collate` and `lc_ctype`).
    pub(super) fn create_collation(&mut self, s: &protobuf::DefineStmt) -> Result<()> {
        let name = self.create_list(&strings(&s.defnames))?;
        if self.cat.collations.contains_key(&name) {
            if s.if_not_exists {
                return Ok(());
            }
            return Err(self.already_exists(&format!("collation {name}")));
        }
        self.created(format!("collation {name}"));
        let mut provider = CollationProvider::Libc;
        let (mut locale, mut lc_collate, mut lc_ctype, mut rules) = (None, None, None, None);
        let mut deterministic = true;
        for d in &s.definition {
            let Some(NodeEnum::DefElem(d)) = inner(d) else {
                continue;
            };
            let value = || def_value(d.arg.as_deref());
            match d.defname.to_ascii_lowercase().as_str() {
                "from" => {
                    let source = match d.arg.as_deref().and_then(inner) {
                        Some(NodeEnum::List(l)) => strings(&l.items),
                        _ => value().into_iter().collect(),
                    };
                    let mut copy = self.collation_to_copy(&source)?;
                    copy.name = name.clone();
                    self.cat.collations.insert(name, copy);
                    return Ok(());
                }
                "provider" => {
                    let p = value().unwrap_or_default();
                    provider = CollationProvider::parse(&p).ok_or_else(|| {
                        self.rejected(format!("unrecognized collation provider: {p}"))
                    })?;
                }
                "locale" => locale = value(),
                "lc_collate" => lc_collate = value(),
                "lc_ctype" => lc_ctype = value(),
                "rules" => rules = value(),
                "deterministic" => deterministic = def_bool(d.arg.as_deref()),
                // The version recorded is the library's, which only a server knows.
                "version" => {}
                other => {
                    return Err(
                        self.rejected(format!("collation attribute \"{other}\" not recognized"))
                    )
                }
            }
        }
        let collation = match provider {
            CollationProvider::Libc => {
                let collate = lc_collate.or_else(|| locale.clone());
                let ctype = lc_ctype.or(locale);
                if collate.is_none() || ctype.is_none() {
                    return Err(self.rejected(
                        "parameter \"locale\" must be specified (or both \"lc_collate\" and \"lc_ctype\")"
                            .into(),
                    ));
                }
                Collation {
                    name: name.clone(),
                    provider,
                    deterministic,
                    lc_collate: collate,
                    lc_ctype: ctype,
                    locale: None,
                    rules,
                    comment: None,
                }
            }
            CollationProvider::Icu | CollationProvider::Builtin => {
                if locale.is_none() {
                    return Err(self.rejected("parameter \"locale\" must be specified".into()));
                }
                Collation {
                    name: name.clone(),
                    provider,
                    deterministic,
                    lc_collate: None,
                    lc_ctype: None,
                    locale,
                    rules,
                    comment: None,
                }
            }
        };
        if !collation.deterministic && provider == CollationProvider::Libc {
            return Err(self
                .rejected("nondeterministic collations not supported with this provider".into()));
        }
        self.cat.collations.insert(name, collation);
        Ok(())
    }

    /// The collation `CREATE COLLATION ... FROM` copies: one the schema declares, or
    /// `"C"` / `"POSIX"`, whose definitions every server shares.
    fn collation_to_copy(&self, names: &[String]) -> Result<Collation> {
        let (schema, n) = split2(names).unwrap_or_default();
        if schema.is_empty() || schema == "pg_catalog" {
            if let "C" | "POSIX" = n {
                return Ok(Collation {
                    name: QualName::new("pg_catalog", n),
                    provider: CollationProvider::Libc,
                    deterministic: true,
                    lc_collate: Some(n.into()),
                    lc_ctype: Some(n.into()),
                    locale: None,
                    rules: None,
                    comment: None,
                });
            }
        }
        let found = self
            .lookup(schema, n, |q| self.cat.collations.contains_key(q))
            .and_then(|q| self.cat.collations.get(&q));
        match found {
            Some(c) => Ok(Collation {
                comment: None,
                ..c.clone()
            }),
            None if schema.is_empty() || schema == "pg_catalog" => Err(self.unsupported(format!(
                "CREATE COLLATION ... FROM {n}: the definition of a server's own collation \
                 (other than \"C\" and \"POSIX\") depends on the server; spell out its \
                 provider and locale instead"
            ))),
            None => Err(self.rejected(format!(
                "collation \"{}\" for encoding \"UTF8\" does not exist",
                names.join(".")
            ))),
        }
    }

    /// How a `COLLATE` clause's collation is spelled in the model (as PostgreSQL prints
    /// it: a server's own collation by bare name, a declared one with its schema), and
    /// the declared collation it names. A collation in a user schema that the schema
    /// does not declare is refused, as PostgreSQL refuses it.
    pub(super) fn collation_ref(&self, names: &[String]) -> Result<(String, Option<QualName>)> {
        let (schema, n) = split2(names).unwrap_or_default();
        if schema == "pg_catalog" {
            return Ok((Ident(n).to_string(), None));
        }
        if let Some(q) = self.lookup(schema, n, |q| self.cat.collations.contains_key(q)) {
            return Ok((q.to_string(), Some(q)));
        }
        if !schema.is_empty() && self.cat.schemas.contains_key(schema) {
            return Err(self.rejected(format!(
                "collation \"{}\" for encoding \"UTF8\" does not exist",
                names.join(".")
            )));
        }
        // One of the server's own (`"C"`, `"en-x-icu"`, ...).
        Ok((
            if schema.is_empty() {
                Ident(n).to_string()
            } else {
                QualName::new(schema, n).to_string()
            },
            None,
        ))
    }

    /// [`Interp::collation_ref`] for a column or attribute: the spelling, with the
    /// dependency on a declared collation added to `deps`.
    pub(super) fn collation_of(
        &self,
        clause: Option<&protobuf::CollateClause>,
        deps: &mut Vec<ObjectId>,
    ) -> Result<Option<String>> {
        let Some(cc) = clause else {
            return Ok(None);
        };
        let (spelled, declared) = self.collation_ref(&strings(&cc.collname))?;
        deps.extend(declared.map(ObjectId::Collation));
        Ok(Some(spelled))
    }
}

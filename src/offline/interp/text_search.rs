//! `CREATE TEXT SEARCH DICTIONARY | CONFIGURATION`, `ALTER TEXT SEARCH ...`.

use pg_query::protobuf::{self, AlterTsConfigType as Alter, Node};
use pg_query::NodeEnum;

use crate::error::Result;
use crate::model::{
    builtin_configuration, literal, Ident, ObjectId, QualName, TextSearchConfiguration,
    TextSearchDictionary, DEFAULT_PARSER_TOKENS,
};
use crate::offline::expr::strings;

use super::{inner, split2, Interp};

/// A name as the catalog query prints it: a server's own bare, others with their schema.
fn catalog_name(names: &[String]) -> String {
    match split2(names).unwrap_or_default() {
        ("", n) | ("pg_catalog", n) => Ident(n).to_string(),
        (s, n) => QualName::new(s, n).to_string(),
    }
}

/// The names a definition element's value holds (`english`, `pg_catalog.simple`).
fn value_names(arg: Option<&Node>) -> Vec<String> {
    match arg.and_then(inner) {
        Some(NodeEnum::TypeName(t)) => strings(&t.names),
        Some(NodeEnum::List(l)) => strings(&l.items),
        Some(NodeEnum::String(s)) => vec![s.sval.clone()],
        _ => Vec::new(),
    }
}

/// An option value as PostgreSQL keeps it in `dictinitoption`: numbers bare, anything
/// else a string literal.
fn option_value(arg: Option<&Node>) -> String {
    match arg.and_then(inner) {
        Some(NodeEnum::Integer(i)) => i.ival.to_string(),
        Some(NodeEnum::Float(f)) => f.fval.clone(),
        Some(NodeEnum::Boolean(b)) => literal(if b.boolval { "true" } else { "false" }),
        _ => literal(&value_names(arg).join(".")),
    }
}

impl<'c> Interp<'c> {
    /// `CREATE TEXT SEARCH DICTIONARY name (TEMPLATE = t, option = value, ...)`.
    pub(super) fn create_ts_dictionary(&mut self, s: &protobuf::DefineStmt) -> Result<()> {
        let name = self.create_list(&strings(&s.defnames))?;
        if self.cat.ts_dictionaries.contains_key(&name) {
            return Err(self.already_exists(&format!("text search dictionary {name}")));
        }
        self.created(format!("text search dictionary {name}"));
        let mut template = None;
        let mut options = Vec::new();
        for d in &s.definition {
            let Some(NodeEnum::DefElem(d)) = inner(d) else {
                continue;
            };
            if d.defname == "template" {
                template = Some(catalog_name(&value_names(d.arg.as_deref())));
            } else {
                options.push((d.defname.clone(), option_value(d.arg.as_deref())));
            }
        }
        let template =
            template.ok_or_else(|| self.rejected("text search template is required".into()))?;
        self.cat.ts_dictionaries.insert(
            name.clone(),
            TextSearchDictionary {
                name,
                template,
                options,
                comment: None,
            },
        );
        Ok(())
    }

    /// `ALTER TEXT SEARCH DICTIONARY name (option = value, option_to_remove)`.
    pub(super) fn alter_ts_dictionary(
        &mut self,
        s: &protobuf::AlterTsDictionaryStmt,
    ) -> Result<()> {
        let q = self.find_ts_dictionary(&strings(&s.dictname))?;
        let mut changes = Vec::new();
        for d in &s.options {
            if let Some(NodeEnum::DefElem(d)) = inner(d) {
                let value = d.arg.is_some().then(|| option_value(d.arg.as_deref()));
                changes.push((d.defname.clone(), value));
            }
        }
        let dict = self.cat.ts_dictionaries.get_mut(&q).expect("found");
        for (k, v) in changes {
            match v {
                Some(v) => match dict.options.iter_mut().find(|(x, _)| *x == k) {
                    Some(slot) => slot.1 = v,
                    None => dict.options.push((k, v)),
                },
                None => dict.options.retain(|(x, _)| *x != k),
            }
        }
        Ok(())
    }

    /// `CREATE TEXT SEARCH CONFIGURATION name (PARSER = p | COPY = source)`.
    pub(super) fn create_ts_configuration(&mut self, s: &protobuf::DefineStmt) -> Result<()> {
        let name = self.create_list(&strings(&s.defnames))?;
        if self.cat.ts_configurations.contains_key(&name) {
            return Err(self.already_exists(&format!("text search configuration {name}")));
        }
        self.created(format!("text search configuration {name}"));
        let mut config = TextSearchConfiguration {
            name: name.clone(),
            parser: String::new(),
            mappings: Default::default(),
            comment: None,
            deps: Default::default(),
        };
        for d in &s.definition {
            let Some(NodeEnum::DefElem(d)) = inner(d) else {
                continue;
            };
            let names = value_names(d.arg.as_deref());
            match d.defname.as_str() {
                "parser" => config.parser = catalog_name(&names),
                "copy" => {
                    let (schema, n) = split2(&names).unwrap_or_default();
                    let own =
                        self.lookup(schema, n, |q| self.cat.ts_configurations.contains_key(q));
                    match own.and_then(|q| self.cat.ts_configurations.get(&q)) {
                        Some(source) => {
                            config.parser = source.parser.clone();
                            config.mappings = source.mappings.clone();
                            config.deps = source.deps.clone();
                        }
                        None => {
                            let builtin = (schema.is_empty() || schema == "pg_catalog")
                                .then(|| builtin_configuration(n))
                                .flatten();
                            config.mappings = builtin.ok_or_else(|| {
                                self.rejected(format!(
                                    "text search configuration \"{}\" does not exist",
                                    names.join(".")
                                ))
                            })?;
                            config.parser = Ident("default").to_string();
                        }
                    }
                }
                other => {
                    return Err(self.rejected(format!(
                        "text search configuration parameter \"{other}\" not recognized"
                    )))
                }
            }
        }
        if config.parser.is_empty() {
            return Err(self.rejected("text search parser is required".into()));
        }
        self.cat.ts_configurations.insert(name, config);
        Ok(())
    }

    /// `ALTER TEXT SEARCH CONFIGURATION name {ADD | ALTER | DROP} MAPPING ...`.
    pub(super) fn alter_ts_configuration(
        &mut self,
        s: &protobuf::AlterTsConfigurationStmt,
    ) -> Result<()> {
        let names = strings(&s.cfgname);
        let (schema, n) = split2(&names).unwrap_or_default();
        let q = self
            .lookup(schema, n, |q| self.cat.ts_configurations.contains_key(q))
            .ok_or_else(|| {
                self.rejected(format!(
                    "text search configuration \"{}\" does not exist",
                    names.join(".")
                ))
            })?;
        let tokens = strings(&s.tokentype);
        let default_parser = self.cat.ts_configurations[&q].parser == Ident("default").to_string();
        if let Some(bad) = tokens
            .iter()
            .find(|t| default_parser && !DEFAULT_PARSER_TOKENS.contains(&t.as_str()))
        {
            return Err(self.rejected(format!("token type \"{bad}\" does not exist")));
        }
        let mut dicts = Vec::new();
        for d in &s.dicts {
            let names = match inner(d) {
                Some(NodeEnum::List(l)) => strings(&l.items),
                _ => Vec::new(),
            };
            dicts.push(self.ts_dictionary_ref(&names)?);
        }
        let kind = Alter::try_from(s.kind).unwrap_or(Alter::AlterTsconfigTypeUndefined);
        let config = self.cat.ts_configurations.get_mut(&q).expect("found");
        match kind {
            Alter::AlterTsconfigAddMapping | Alter::AlterTsconfigAlterMappingForToken => {
                let spelled: Vec<String> = dicts.iter().map(|(s, _)| s.clone()).collect();
                for t in &tokens {
                    config.mappings.insert(t.clone(), spelled.clone());
                }
            }
            Alter::AlterTsconfigReplaceDict | Alter::AlterTsconfigReplaceDictForToken => {
                if let [(old, _), (new, _)] = dicts.as_slice() {
                    for (t, list) in config.mappings.iter_mut() {
                        if tokens.is_empty() || tokens.contains(t) {
                            list.iter_mut()
                                .filter(|d| *d == old)
                                .for_each(|d| *d = new.clone());
                        }
                    }
                }
            }
            Alter::AlterTsconfigDropMapping => {
                for t in &tokens {
                    config.mappings.remove(t);
                }
            }
            Alter::AlterTsconfigTypeUndefined => {}
        }
        // What it depends on: the schema's dictionaries it maps to now.
        let used: Vec<QualName> = self
            .cat
            .ts_dictionaries
            .keys()
            .filter(|d| {
                let spelled = d.to_string();
                self.cat.ts_configurations[&q]
                    .mappings
                    .values()
                    .any(|l| l.contains(&spelled))
            })
            .cloned()
            .collect();
        let config = self.cat.ts_configurations.get_mut(&q).expect("found");
        config.deps = Default::default();
        for d in used {
            config.deps.insert(ObjectId::TextSearchDictionary(d));
        }
        Ok(())
    }

    fn find_ts_dictionary(&self, names: &[String]) -> Result<QualName> {
        let (schema, n) = split2(names).unwrap_or_default();
        self.lookup(schema, n, |q| self.cat.ts_dictionaries.contains_key(q))
            .ok_or_else(|| {
                self.rejected(format!(
                    "text search dictionary \"{}\" does not exist",
                    names.join(".")
                ))
            })
    }

    /// A dictionary of a mapping: one the schema declares (with its schema), or a
    /// server's own (bare).
    fn ts_dictionary_ref(&self, names: &[String]) -> Result<(String, Option<QualName>)> {
        let (schema, n) = split2(names).unwrap_or_default();
        match self.lookup(schema, n, |q| self.cat.ts_dictionaries.contains_key(q)) {
            Some(q) => Ok((q.to_string(), Some(q))),
            None if schema.is_empty() || schema == "pg_catalog" => Ok((Ident(n).to_string(), None)),
            None => Err(self.rejected(format!(
                "text search dictionary \"{}\" does not exist",
                names.join(".")
            ))),
        }
    }
}

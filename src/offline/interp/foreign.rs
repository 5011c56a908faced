//! `CREATE`/`ALTER FOREIGN DATA WRAPPER`, `CREATE`/`ALTER SERVER`, `CREATE`/`ALTER`/`DROP
//! USER MAPPING`.

use pg_query::protobuf::{self, DefElemAction, Node, RoleSpecType};
use pg_query::NodeEnum;

use crate::error::Result;
use crate::model::{
    sorted_options, FdwOptions, ForeignDataWrapper, ForeignServer, ForeignTable, ObjectId,
    QualName, SECRET_OPTION,
};
use crate::offline::expr::strings;

use super::{inner, Interp};

/// The value of an option's argument (`'x'`, or a bare word).
fn option_value(d: &protobuf::DefElem) -> String {
    match d.arg.as_deref().and_then(inner) {
        Some(NodeEnum::String(s)) => s.sval.clone(),
        Some(NodeEnum::AConst(c)) => match &c.val {
            Some(protobuf::a_const::Val::Sval(s)) => s.sval.clone(),
            Some(protobuf::a_const::Val::Ival(i)) => i.ival.to_string(),
            _ => String::new(),
        },
        _ => String::new(),
    }
}

/// A user mapping's user as the model keys it.
fn mapping_key(user: Option<&protobuf::RoleSpec>) -> String {
    let Some(r) = user else {
        return "PUBLIC".into();
    };
    match RoleSpecType::try_from(r.roletype).unwrap_or_default() {
        RoleSpecType::RolespecPublic => "PUBLIC".into(),
        RoleSpecType::RolespecCurrentUser => "CURRENT_USER".into(),
        RoleSpecType::RolespecCurrentRole => "CURRENT_ROLE".into(),
        RoleSpecType::RolespecSessionUser => "SESSION_USER".into(),
        _ => r.rolename.clone(),
    }
}

impl<'c> Interp<'c> {
    /// `OPTIONS (...)` applied to `options`: plain and `ADD` items add (an error when the
    /// option is there), `SET` replaces, `DROP` removes (an error when it is not).
    /// `skip` names an option left out of the model (a mapping's password).
    fn apply_options(
        &self,
        options: &mut FdwOptions,
        items: &[Node],
        skip: Option<&str>,
    ) -> Result<()> {
        for item in items {
            let Some(NodeEnum::DefElem(d)) = inner(item) else {
                continue;
            };
            if Some(d.defname.as_str()) == skip {
                continue;
            }
            let at = options.iter().position(|(k, _)| *k == d.defname);
            match (DefElemAction::try_from(d.defaction).unwrap_or_default(), at) {
                (DefElemAction::DefelemSet, Some(i)) => options[i].1 = option_value(d),
                (DefElemAction::DefelemDrop, Some(i)) => {
                    options.remove(i);
                }
                (DefElemAction::DefelemSet | DefElemAction::DefelemDrop, None) => {
                    return Err(self.rejected(format!("option \"{}\" not found", d.defname)))
                }
                (_, Some(_)) => {
                    return Err(
                        self.rejected(format!("option \"{}\" provided more than once", d.defname))
                    )
                }
                (_, None) => options.push((d.defname.clone(), option_value(d))),
            }
        }
        *options = sorted_options(std::mem::take(options));
        Ok(())
    }

    /// A wrapper's `HANDLER` or `VALIDATOR` function as `regproc` prints it, with the
    /// function as a dependency when the schema declares it; `None` for `NO HANDLER`.
    fn wrapper_function(
        &self,
        d: &protobuf::DefElem,
        deps: &mut Vec<ObjectId>,
    ) -> Result<Option<String>> {
        let names = match d.arg.as_deref().and_then(inner) {
            Some(NodeEnum::List(l)) => strings(&l.items),
            _ => return Ok(None),
        };
        if self.functions_named(&names).is_empty() && !self.extension_functions_possible() {
            return Err(self.rejected(format!("function {}() does not exist", names.join("."))));
        }
        Ok(Some(self.support_function(&names, deps)))
    }

    /// `HANDLER` and `VALIDATOR` of a wrapper's statement, applied to `w`.
    fn wrapper_functions(&self, w: &mut ForeignDataWrapper, items: &[Node]) -> Result<()> {
        let mut deps = Vec::new();
        for item in items {
            let Some(NodeEnum::DefElem(d)) = inner(item) else {
                continue;
            };
            match d.defname.as_str() {
                "handler" => w.handler = self.wrapper_function(d, &mut deps)?,
                "validator" => w.validator = self.wrapper_function(d, &mut deps)?,
                other => return Err(self.rejected(format!("option \"{other}\" not recognized"))),
            }
        }
        w.deps.extend(deps);
        Ok(())
    }

    /// `CREATE FOREIGN DATA WRAPPER w [HANDLER h] [VALIDATOR v] [OPTIONS (...)]`.
    pub(super) fn create_wrapper(&mut self, s: &protobuf::CreateFdwStmt) -> Result<()> {
        if self.cat.foreign_data_wrappers.contains_key(&s.fdwname) {
            return Err(self.already_exists(&format!("foreign-data wrapper {}", s.fdwname)));
        }
        self.created(format!("foreign-data wrapper {}", s.fdwname));
        let mut w = ForeignDataWrapper {
            name: s.fdwname.clone(),
            handler: None,
            validator: None,
            options: Vec::new(),
            comment: None,
            deps: Default::default(),
        };
        self.wrapper_functions(&mut w, &s.func_options)?;
        self.apply_options(&mut w.options, &s.options, None)?;
        self.cat.foreign_data_wrappers.insert(w.name.clone(), w);
        Ok(())
    }

    /// `ALTER FOREIGN DATA WRAPPER w [HANDLER h | NO HANDLER] ... OPTIONS (...)`.
    pub(super) fn alter_wrapper(&mut self, s: &protobuf::AlterFdwStmt) -> Result<()> {
        let mut w = self
            .cat
            .foreign_data_wrappers
            .get(&s.fdwname)
            .cloned()
            .ok_or_else(|| self.missing(format!("foreign-data wrapper {}", s.fdwname)))?;
        self.wrapper_functions(&mut w, &s.func_options)?;
        self.apply_options(&mut w.options, &s.options, None)?;
        self.cat.foreign_data_wrappers.insert(w.name.clone(), w);
        Ok(())
    }

    /// `CREATE SERVER [IF NOT EXISTS] s [TYPE 't'] [VERSION 'v'] FOREIGN DATA WRAPPER w
    /// [OPTIONS (...)]`. The wrapper is the schema's, or one an extension of the schema
    /// makes (`postgres_fdw`, `dblink_fdw`).
    pub(super) fn create_server(&mut self, s: &protobuf::CreateForeignServerStmt) -> Result<()> {
        if self.cat.foreign_servers.contains_key(&s.servername) {
            if s.if_not_exists {
                return Ok(());
            }
            return Err(self.already_exists(&format!("server {}", s.servername)));
        }
        let dep = if self.cat.foreign_data_wrappers.contains_key(&s.fdwname) {
            ObjectId::ForeignDataWrapper(s.fdwname.clone())
        } else {
            let from_extension = self.cat.extensions.keys().find(|e| {
                s.fdwname == **e
                    || s.fdwname.strip_suffix("_fdw") == Some(e.as_str())
                    || e.strip_suffix("_fdw") == Some(s.fdwname.as_str())
            });
            match from_extension {
                Some(e) => ObjectId::Extension(e.clone()),
                None => {
                    return Err(self.rejected(format!(
                        "foreign-data wrapper \"{}\" does not exist",
                        s.fdwname
                    )))
                }
            }
        };
        self.created(format!("server {}", s.servername));
        let mut v = ForeignServer {
            name: s.servername.clone(),
            wrapper: s.fdwname.clone(),
            server_type: (!s.servertype.is_empty()).then(|| s.servertype.clone()),
            version: (!s.version.is_empty()).then(|| s.version.clone()),
            options: Vec::new(),
            mappings: Default::default(),
            comment: None,
            deps: Default::default(),
        };
        v.deps.insert(dep);
        self.apply_options(&mut v.options, &s.options, None)?;
        self.cat.foreign_servers.insert(v.name.clone(), v);
        Ok(())
    }

    /// The server a statement names, for changing it.
    fn server_mut(&mut self, name: &str) -> Result<&mut ForeignServer> {
        let err = self.missing(format!("server {name}"));
        self.cat.foreign_servers.get_mut(name).ok_or(err)
    }

    /// `ALTER SERVER s [VERSION 'v' | VERSION NULL] [OPTIONS (...)]`.
    pub(super) fn alter_server(&mut self, s: &protobuf::AlterForeignServerStmt) -> Result<()> {
        let mut options = self.server_mut(&s.servername)?.options.clone();
        self.apply_options(&mut options, &s.options, None)?;
        let v = self.server_mut(&s.servername)?;
        if s.has_version {
            v.version = (!s.version.is_empty()).then(|| s.version.clone());
        }
        v.options = options;
        Ok(())
    }

    /// `CREATE USER MAPPING [IF NOT EXISTS] FOR u SERVER s [OPTIONS (...)]` (a password
    /// option is left out of the model).
    pub(super) fn create_user_mapping(
        &mut self,
        s: &protobuf::CreateUserMappingStmt,
    ) -> Result<()> {
        let user = mapping_key(s.user.as_ref());
        if self.server_mut(&s.servername)?.mappings.contains_key(&user) {
            if s.if_not_exists {
                return Ok(());
            }
            return Err(self.rejected(format!(
                "user mapping for \"{user}\" already exists for server \"{}\"",
                s.servername
            )));
        }
        let mut options = Vec::new();
        self.apply_options(&mut options, &s.options, Some(SECRET_OPTION))?;
        self.server_mut(&s.servername)?
            .mappings
            .insert(user, options);
        Ok(())
    }

    /// `ALTER USER MAPPING FOR u SERVER s OPTIONS (...)`.
    pub(super) fn alter_user_mapping(&mut self, s: &protobuf::AlterUserMappingStmt) -> Result<()> {
        let user = mapping_key(s.user.as_ref());
        let mut options = self
            .server_mut(&s.servername)?
            .mappings
            .get(&user)
            .cloned()
            .ok_or_else(|| {
                self.rejected(format!(
                    "user mapping for \"{user}\" does not exist for server \"{}\"",
                    s.servername
                ))
            })?;
        self.apply_options(&mut options, &s.options, Some(SECRET_OPTION))?;
        self.server_mut(&s.servername)?
            .mappings
            .insert(user, options);
        Ok(())
    }

    /// `DROP USER MAPPING [IF EXISTS] FOR u SERVER s`.
    pub(super) fn drop_user_mapping(&mut self, s: &protobuf::DropUserMappingStmt) -> Result<()> {
        let user = mapping_key(s.user.as_ref());
        let removed = match self.cat.foreign_servers.get_mut(&s.servername) {
            Some(v) => v.mappings.remove(&user).is_some(),
            None => false,
        };
        if !removed && !s.missing_ok {
            return Err(self.rejected(format!(
                "user mapping for \"{user}\" does not exist for server \"{}\"",
                s.servername
            )));
        }
        Ok(())
    }

    /// `CREATE FOREIGN TABLE t (...) SERVER s [OPTIONS (...)]`: a table, with its server,
    /// its options and its columns' options.
    pub(super) fn create_foreign_table(
        &mut self,
        s: &protobuf::CreateForeignTableStmt,
    ) -> Result<()> {
        let base = s
            .base_stmt
            .as_ref()
            .ok_or_else(|| self.unsupported("CREATE FOREIGN TABLE without its table"))?;
        if !self.cat.foreign_servers.contains_key(&s.servername) {
            return Err(self.rejected(format!("server \"{}\" does not exist", s.servername)));
        }
        let rv = base
            .relation
            .as_ref()
            .ok_or_else(|| self.unsupported("a table without a name"))?;
        let name = self.create_name(rv);
        let existed = self.cat.tables.contains_key(&name);
        self.create_table(base)?;
        if existed {
            return Ok(());
        }
        let mut foreign = ForeignTable {
            server: s.servername.clone(),
            options: Vec::new(),
            column_options: Default::default(),
        };
        self.apply_options(&mut foreign.options, &s.options, None)?;
        for element in &base.table_elts {
            if let Some(NodeEnum::ColumnDef(c)) = inner(element) {
                if !c.fdwoptions.is_empty() {
                    let mut options = Vec::new();
                    self.apply_options(&mut options, &c.fdwoptions, None)?;
                    foreign.column_options.insert(c.colname.clone(), options);
                }
            }
        }
        let table = self.table_mut(&name)?;
        table
            .deps
            .insert(ObjectId::ForeignServer(s.servername.clone()));
        table.foreign = Some(foreign);
        Ok(())
    }

    /// `ALTER FOREIGN TABLE t OPTIONS (...)`, or `ALTER COLUMN c OPTIONS (...)` when
    /// `column` names one.
    pub(super) fn alter_foreign_options(
        &mut self,
        table: &QualName,
        column: Option<&str>,
        items: &[Node],
    ) -> Result<()> {
        let mut foreign =
            self.table_mut(table)?.foreign.clone().ok_or_else(|| {
                self.rejected(format!("\"{}\" is not a foreign table", table.name))
            })?;
        match column {
            None => self.apply_options(&mut foreign.options, items, None)?,
            Some(c) => {
                if !self.table_mut(table)?.columns.contains_key(c) {
                    return Err(self.missing(format!("column {c} of {table}")));
                }
                let mut options = foreign.column_options.remove(c).unwrap_or_default();
                self.apply_options(&mut options, items, None)?;
                if !options.is_empty() {
                    foreign.column_options.insert(c.to_string(), options);
                }
            }
        }
        self.table_mut(table)?.foreign = Some(foreign);
        Ok(())
    }
}

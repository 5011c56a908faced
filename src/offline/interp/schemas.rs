//! `CREATE SCHEMA` and `CREATE EXTENSION`.

use pg_query::protobuf;
use pg_query::NodeEnum;

use crate::error::Result;
use crate::model::{Extension, ObjectId, Schema};

use super::{def_value, inner, Interp};

impl<'c> Interp<'c> {
    pub(super) fn create_schema(&mut self, s: &protobuf::CreateSchemaStmt) -> Result<()> {
        if !s.schema_elts.is_empty() {
            return Err(self.unsupported("CREATE SCHEMA with schema elements"));
        }
        if s.schemaname.is_empty() {
            return Err(self.unsupported("CREATE SCHEMA AUTHORIZATION without a name"));
        }
        let what = format!("schema {}", crate::model::Ident(&s.schemaname));
        if self.cat.schemas.contains_key(&s.schemaname) {
            if s.if_not_exists {
                return Ok(());
            }
            return Err(self.already_exists(&what));
        }
        self.created(what);
        self.cat.schemas.insert(
            s.schemaname.clone(),
            Schema {
                name: s.schemaname.clone(),
                comment: None,
            },
        );
        if let Some(role) = &s.authrole {
            self.set_owner(ObjectId::Schema(s.schemaname.clone()), role)?;
        }
        Ok(())
    }

    pub(super) fn create_extension(&mut self, s: &protobuf::CreateExtensionStmt) -> Result<()> {
        if self.cat.extensions.contains_key(&s.extname) && s.if_not_exists {
            return Ok(());
        }
        let mut schema = None;
        let mut version = String::new();
        for o in &s.options {
            if let Some(NodeEnum::DefElem(d)) = inner(o) {
                match d.defname.as_str() {
                    "schema" => schema = def_value(d.arg.as_deref()),
                    "new_version" => version = def_value(d.arg.as_deref()).unwrap_or_default(),
                    _ => {}
                }
            }
        }
        let schema = schema.unwrap_or_else(|| self.create_schema_of(""));
        self.cat.extensions.insert(
            s.extname.clone(),
            Extension {
                name: s.extname.clone(),
                schema,
                version,
                comment: None,
            },
        );
        Ok(())
    }
}

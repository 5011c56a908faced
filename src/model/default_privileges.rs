//! Default privileges (`ALTER DEFAULT PRIVILEGES`): the grants PostgreSQL gives the
//! objects a role creates from then on, for the whole database or in one schema
//! (`pg_default_acl`).
//!
//! An entry is keyed by the creating role, the schema (`None`: the whole database) and
//! the kind of object, and holds the grants beyond the role's own, as
//! [`Privileges`]. A database-wide entry replaces PostgreSQL's default for the kind
//! (`EXECUTE` to `PUBLIC` on functions, `USAGE` to `PUBLIC` on types); a schema's entry
//! adds to it. The role running a plan is recorded as [`CURRENT_USER`], as the owners
//! of what it owns are not recorded: `ALTER DEFAULT PRIVILEGES` without `FOR ROLE`
//! means it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{AclKind, ObjectId, Privileges, CURRENT_USER};

/// The kinds of object default privileges apply to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DefaultAclKind {
    /// Tables, views, materialized views and foreign tables (`ON TABLES`).
    Tables,
    /// `ON SEQUENCES`.
    Sequences,
    /// Functions and procedures (`ON FUNCTIONS`, `ON ROUTINES`).
    Functions,
    /// Types and domains (`ON TYPES`).
    Types,
    /// `ON SCHEMAS` (database-wide entries only).
    Schemas,
}

impl DefaultAclKind {
    /// The kind as `pg_default_acl.defaclobjtype` spells it.
    pub fn from_code(code: &str) -> Option<DefaultAclKind> {
        Some(match code {
            "r" => DefaultAclKind::Tables,
            "S" => DefaultAclKind::Sequences,
            "f" => DefaultAclKind::Functions,
            "T" => DefaultAclKind::Types,
            "n" => DefaultAclKind::Schemas,
            _ => return None,
        })
    }

    /// The word after `ON` in `ALTER DEFAULT PRIVILEGES ... GRANT ... ON`.
    pub fn sql(self) -> &'static str {
        match self {
            DefaultAclKind::Tables => "TABLES",
            DefaultAclKind::Sequences => "SEQUENCES",
            DefaultAclKind::Functions => "FUNCTIONS",
            DefaultAclKind::Types => "TYPES",
            DefaultAclKind::Schemas => "SCHEMAS",
        }
    }

    /// The kind of default an object of this kind gets, for [`Privileges::default_for`].
    pub fn acl_kind(self) -> AclKind {
        match self {
            DefaultAclKind::Functions => AclKind::Routine,
            DefaultAclKind::Types => AclKind::Type,
            _ => AclKind::Owner,
        }
    }

    /// The kind of default privileges a new object gets; `None` for objects they do not
    /// apply to (columns, indexes, triggers...).
    pub fn of(id: &ObjectId) -> Option<DefaultAclKind> {
        Some(match id {
            ObjectId::Table(_) | ObjectId::View(_) => DefaultAclKind::Tables,
            ObjectId::Sequence(_) => DefaultAclKind::Sequences,
            ObjectId::Function(_) => DefaultAclKind::Functions,
            ObjectId::Type(_) => DefaultAclKind::Types,
            ObjectId::Schema(_) => DefaultAclKind::Schemas,
            _ => return None,
        })
    }
}

/// Whose objects, where, of what kind.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DefaultAclKey {
    /// The role creating the objects ([`CURRENT_USER`]: the role running the plan).
    pub role: String,
    /// The schema; `None` for the whole database.
    pub schema: Option<String>,
    /// The kind of object.
    pub kind: DefaultAclKind,
}

impl DefaultAclKey {
    /// What the grants of an entry are measured from: PostgreSQL's default for the kind
    /// for a database-wide entry (which replaces it), nothing for a schema's (which adds
    /// to it).
    pub fn baseline(&self) -> Privileges {
        match self.schema {
            None => Privileges::default_for(self.kind.acl_kind()),
            Some(_) => Privileges::default(),
        }
    }

    /// `FOR ROLE r IN SCHEMA s`, as the statement writes it (empty for the role
    /// running the plan, database-wide).
    pub fn clauses(&self) -> String {
        let mut out = String::new();
        if self.role != CURRENT_USER {
            out.push_str(&format!(" FOR ROLE {}", super::Ident(&self.role)));
        }
        if let Some(s) = &self.schema {
            out.push_str(&format!(" IN SCHEMA {}", super::Ident(s)));
        }
        out
    }
}

impl std::fmt::Display for DefaultAclKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let role = if self.role == CURRENT_USER {
            "the role applying"
        } else {
            &self.role
        };
        match &self.schema {
            Some(s) => write!(f, "{} of {role} in schema {s}", self.kind.sql()),
            None => write!(f, "{} of {role}", self.kind.sql()),
        }
    }
}

/// Default privileges by key; an entry equal to its key's baseline is not recorded.
/// Serialized as a list of pairs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DefaultPrivileges(pub BTreeMap<DefaultAclKey, Privileges>);

impl std::ops::Deref for DefaultPrivileges {
    type Target = BTreeMap<DefaultAclKey, Privileges>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for DefaultPrivileges {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Serialize for DefaultPrivileges {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter())
    }
}

impl<'de> Deserialize<'de> for DefaultPrivileges {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let pairs: Vec<(DefaultAclKey, Privileges)> = Vec::deserialize(d)?;
        Ok(DefaultPrivileges(pairs.into_iter().collect()))
    }
}

impl DefaultPrivileges {
    /// The entry of `key`, or its baseline when none is recorded.
    pub fn of(&self, key: &DefaultAclKey) -> Privileges {
        self.0.get(key).cloned().unwrap_or_else(|| key.baseline())
    }

    /// Records `p` for `key`, or forgets it when it is the baseline.
    pub fn put(&mut self, key: DefaultAclKey, p: Privileges) {
        if p == key.baseline() {
            self.0.remove(&key);
        } else {
            self.0.insert(key, p);
        }
    }

    /// The privileges beyond its owner's an object the role running the plan creates
    /// gets: PostgreSQL's default for its kind, or the database-wide entry for the
    /// kind, plus the entry of its schema.
    pub fn for_new(&self, id: &ObjectId) -> Privileges {
        let kind = AclKind::of(id);
        let Some(dkind) = DefaultAclKind::of(id) else {
            return Privileges::default_for(kind);
        };
        if self.0.is_empty() {
            return Privileges::default_for(kind);
        }
        let global = DefaultAclKey {
            role: CURRENT_USER.to_string(),
            schema: None,
            kind: dkind,
        };
        let mut p = self.of(&global);
        if let Some(schema) = id.schema() {
            let local = DefaultAclKey {
                schema: Some(schema.to_string()),
                ..global
            };
            if let Some(extra) = self.0.get(&local) {
                p = p.union(extra);
            }
        }
        p
    }
}

//! Privileges: what roles other than an object's owner may do with it.
//!
//! One vocabulary for every object kind: a [`Privileges`] value is the set of
//! (grantee, privilege, grant option) an object's ACL holds for roles other than its
//! owner, the owner's implicit privileges left out. The catalog keeps one per object
//! whose ACL differs from PostgreSQL's default for its kind ([`Privileges::default_for`]),
//! so "no GRANT statement" and "the default ACL" read the same.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ObjectId;

/// The grantee PostgreSQL's `aclexplode` reports as role 0: every role.
pub const PUBLIC: &str = "PUBLIC";

/// The owner [`crate::diff::manage_owners`] declares for objects whose owner the
/// desired schema does not name: the role running the plan (`OWNER TO CURRENT_USER`).
/// Never read from a source: a source's objects owned by that role have no owner
/// recorded.
pub const CURRENT_USER: &str = "CURRENT_USER";

/// One privilege a grantee holds on an object.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Grant {
    /// The role's name, or [`PUBLIC`].
    pub grantee: String,
    /// The privilege as `aclexplode` names it: `SELECT`, `EXECUTE`, `USAGE`, ...
    pub privilege: String,
    /// `WITH GRANT OPTION`.
    pub grantable: bool,
}

/// The privileges on one object beyond its owner's, sorted by (grantee, privilege),
/// one entry per pair.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Privileges(Vec<Grant>);

/// How a plan treats privileges (`--privileges`, `privileges =` in schemaplan.toml).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum PrivilegeMode {
    /// The desired schema says every grant on the objects it holds: grants it does not
    /// declare are revoked (hazard `authz`).
    #[default]
    Authoritative,
    /// Only grant what the desired schema declares and the database lacks; never
    /// revoke.
    Additive,
    /// Leave privileges as they are (grants in the desired schema are not applied);
    /// objects a plan drops and creates again still get theirs back.
    Ignore,
}

impl std::fmt::Display for PrivilegeMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PrivilegeMode::Authoritative => "authoritative",
            PrivilegeMode::Additive => "additive",
            PrivilegeMode::Ignore => "ignore",
        })
    }
}

impl std::str::FromStr for PrivilegeMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "authoritative" => Ok(PrivilegeMode::Authoritative),
            "additive" => Ok(PrivilegeMode::Additive),
            "ignore" => Ok(PrivilegeMode::Ignore),
            _ => Err(format!(
                "unknown privileges mode {s:?}: expected authoritative, additive or ignore"
            )),
        }
    }
}

/// How a plan treats access to objects: privileges, and whether every object's owner
/// is managed (`--manage-owners`: objects whose owner the desired schema does not name
/// are owned by the role running the plan).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Access {
    /// `--privileges`.
    pub privileges: PrivilegeMode,
    /// `--manage-owners`.
    pub manage_owners: bool,
}

/// The kinds of object privileges are granted on, for their defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AclKind {
    /// Tables, views, materialized views, sequences, columns and schemas: nothing
    /// beyond the owner.
    Owner,
    /// Functions and procedures: `EXECUTE` to `PUBLIC`.
    Routine,
    /// Types and domains: `USAGE` to `PUBLIC`.
    Type,
}

impl AclKind {
    /// The kind of an object's ACL.
    pub fn of(id: &ObjectId) -> AclKind {
        match id {
            ObjectId::Function(_) => AclKind::Routine,
            ObjectId::Type(_) => AclKind::Type,
            _ => AclKind::Owner,
        }
    }
}

impl Privileges {
    /// Collects grants; a privilege listed twice (granted by two grantors) keeps its
    /// grant option if either has it.
    pub fn from_grants(grants: impl IntoIterator<Item = Grant>) -> Privileges {
        let mut p = Privileges::default();
        for g in grants {
            let grantable = g.grantable || p.get(&g.grantee, &g.privilege) == Some(true);
            p.set(&g.grantee, &g.privilege, grantable);
        }
        p
    }

    /// PostgreSQL's default for an object of that kind (`acldefault`), owner left out.
    pub fn default_for(kind: AclKind) -> Privileges {
        let privilege = match kind {
            AclKind::Owner => return Privileges::default(),
            AclKind::Routine => "EXECUTE",
            AclKind::Type => "USAGE",
        };
        Privileges(vec![Grant {
            grantee: PUBLIC.into(),
            privilege: privilege.into(),
            grantable: false,
        }])
    }

    fn position(&self, grantee: &str, privilege: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|g| {
            (g.grantee.as_str(), g.privilege.as_str()).cmp(&(grantee, privilege))
        })
    }

    /// Whether `grantee` holds `privilege`: `Some(grantable)`, or `None`.
    pub fn get(&self, grantee: &str, privilege: &str) -> Option<bool> {
        self.position(grantee, privilege)
            .ok()
            .map(|i| self.0[i].grantable)
    }

    /// Grants `privilege` to `grantee` (replacing its grant option).
    pub fn set(&mut self, grantee: &str, privilege: &str, grantable: bool) {
        match self.position(grantee, privilege) {
            Ok(i) => self.0[i].grantable = grantable,
            Err(i) => self.0.insert(
                i,
                Grant {
                    grantee: grantee.into(),
                    privilege: privilege.into(),
                    grantable,
                },
            ),
        }
    }

    /// Takes `privilege` away from `grantee`.
    pub fn remove(&mut self, grantee: &str, privilege: &str) {
        if let Ok(i) = self.position(grantee, privilege) {
            self.0.remove(i);
        }
    }

    /// The grants, sorted.
    pub fn iter(&self) -> std::slice::Iter<'_, Grant> {
        self.0.iter()
    }

    /// Whether some role holds something here that it does not hold in `other` (a
    /// privilege, or its grant option): going from `self` to `other` removes access.
    pub fn loses_to(&self, other: &Privileges) -> bool {
        self.0.iter().any(|g| {
            other
                .get(&g.grantee, &g.privilege)
                .is_none_or(|o| g.grantable && !o)
        })
    }

    /// Every grant of `self` and of `other` (a grant option if either has it).
    pub fn union(&self, other: &Privileges) -> Privileges {
        Privileges::from_grants(self.0.iter().chain(other.0.iter()).cloned())
    }

    /// Whether nobody but the owner holds anything.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A value per object, kept in object order. Serialized as a list of pairs (JSON keys
/// are strings).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectMap<V>(pub BTreeMap<ObjectId, V>);

impl<V> Default for ObjectMap<V> {
    fn default() -> Self {
        ObjectMap(BTreeMap::new())
    }
}

impl<V> std::ops::Deref for ObjectMap<V> {
    type Target = BTreeMap<ObjectId, V>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<V> std::ops::DerefMut for ObjectMap<V> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl<V: Serialize> Serialize for ObjectMap<V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for ObjectMap<V> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let pairs: Vec<(ObjectId, V)> = Vec::deserialize(d)?;
        Ok(ObjectMap(pairs.into_iter().collect()))
    }
}

/// The privileges of the objects whose ACL is not their kind's default, by object
/// (columns as `ObjectId::Column`).
pub type PrivilegeMap = ObjectMap<Privileges>;

impl ObjectMap<Privileges> {
    /// Records `p` for `object`, or forgets it when it is the kind's default.
    pub fn put(&mut self, object: ObjectId, kind: AclKind, p: Privileges) {
        if p == Privileges::default_for(kind) {
            self.0.remove(&object);
        } else {
            self.0.insert(object, p);
        }
    }
}

/// A grant made by another role than the object's owner (one holding the privilege
/// `WITH GRANT OPTION`). Only that role's `REVOKE` removes it: the owner's does nothing
/// to it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ForeignGrant {
    /// The role holding the privilege, or [`PUBLIC`].
    pub grantee: String,
    /// The privilege.
    pub privilege: String,
    /// With its grant option.
    pub grantable: bool,
    /// The role that granted it.
    pub grantor: String,
}

/// The grants made by other roles than their object's owner, by object (introspection
/// only; never compared).
pub type ForeignGrantMap = ObjectMap<Vec<ForeignGrant>>;

/// The owners of objects, by object, for the objects a source knows the owner of and
/// that are not owned by the role that read the source (introspection leaves out what
/// `current_user` owns, so a plan's own objects add nothing). In a desired catalog,
/// the owners it declares (`ALTER ... OWNER TO`): those are managed; other objects keep
/// theirs, restored when a plan drops and creates them again. Not part of the
/// catalog's equality (the diff compares them). Serialized not at all when empty.
pub type OwnerMap = ObjectMap<String>;

#[cfg(test)]
mod tests {
    use super::*;

    fn g(grantee: &str, privilege: &str, grantable: bool) -> Grant {
        Grant {
            grantee: grantee.into(),
            privilege: privilege.into(),
            grantable,
        }
    }

    #[test]
    fn grants_are_sorted_and_unique_with_the_grant_option_kept() {
        let p = Privileges::from_grants([
            g("b", "SELECT", false),
            g("a", "UPDATE", false),
            g("b", "SELECT", true),
            g("a", "SELECT", false),
        ]);
        assert_eq!(
            p.iter().cloned().collect::<Vec<_>>(),
            vec![
                g("a", "SELECT", false),
                g("a", "UPDATE", false),
                g("b", "SELECT", true)
            ]
        );
        assert_eq!(p.get("b", "SELECT"), Some(true));
        assert_eq!(p.get("c", "SELECT"), None);
    }

    #[test]
    fn the_default_acl_is_not_recorded() {
        let mut m = PrivilegeMap::default();
        let f = ObjectId::Schema("s".into());
        m.put(
            f.clone(),
            AclKind::Routine,
            Privileges::default_for(AclKind::Routine),
        );
        assert!(m.is_empty());
        m.put(f.clone(), AclKind::Routine, Privileges::default());
        assert_eq!(m.get(&f), Some(&Privileges::default()));
        let json = serde_json::to_string(&m).unwrap();
        let back: PrivilegeMap = serde_json::from_str(&json).unwrap();
        assert_eq!(back, m);
    }
}

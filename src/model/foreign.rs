//! Foreign-data wrappers, foreign servers and their user mappings (SQL/MED).
//!
//! A user mapping's `password` option is never modelled: it is a secret, which a schema
//! in git must not hold and a plan must not print. It is left as it is on the database
//! (set it with `ALTER USER MAPPING ... OPTIONS (ADD password '...')` out of band).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{literal, Deps, Ident, PUBLIC, ROLE_KEYWORDS};

/// Generic options (`OPTIONS (host 'db', port '5432')`): name and value, sorted by name
/// (PostgreSQL keeps them in the order they were added, which no schema says).
pub type FdwOptions = Vec<(String, String)>;

/// The option of a user mapping that is never modelled.
pub const SECRET_OPTION: &str = "password";

/// A foreign-data wrapper (`CREATE FOREIGN DATA WRAPPER`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignDataWrapper {
    /// Its name (wrappers have no schema).
    pub name: String,
    /// `HANDLER`, as `regproc` prints it.
    pub handler: Option<String>,
    /// `VALIDATOR`, as `regproc` prints it.
    pub validator: Option<String>,
    /// `OPTIONS`.
    pub options: FdwOptions,
    /// `COMMENT ON FOREIGN DATA WRAPPER`.
    pub comment: Option<String>,
    /// Its handler and validator when the schema declares them.
    pub deps: Deps,
}

impl ForeignDataWrapper {
    /// `CREATE FOREIGN DATA WRAPPER w [HANDLER h] [VALIDATOR v] [OPTIONS (...)]`.
    pub fn definition(&self) -> String {
        let mut s = format!("CREATE FOREIGN DATA WRAPPER {}", Ident(&self.name));
        if let Some(h) = &self.handler {
            s.push_str(&format!(" HANDLER {h}"));
        }
        if let Some(v) = &self.validator {
            s.push_str(&format!(" VALIDATOR {v}"));
        }
        s.push_str(&options_clause(&self.options));
        s
    }
}

/// A foreign server (`CREATE SERVER`) with its user mappings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignServer {
    /// Its name (servers have no schema).
    pub name: String,
    /// `FOREIGN DATA WRAPPER`.
    pub wrapper: String,
    /// `TYPE`.
    pub server_type: Option<String>,
    /// `VERSION`.
    pub version: Option<String>,
    /// `OPTIONS`.
    pub options: FdwOptions,
    /// `CREATE USER MAPPING FOR user SERVER s OPTIONS (...)`, by user: `PUBLIC`,
    /// `CURRENT_USER` as written offline, or a role. Options without `password`.
    pub mappings: BTreeMap<String, FdwOptions>,
    /// `COMMENT ON SERVER`.
    pub comment: Option<String>,
    /// Its wrapper.
    pub deps: Deps,
}

impl ForeignServer {
    /// `CREATE SERVER s [TYPE 't'] [VERSION 'v'] FOREIGN DATA WRAPPER w [OPTIONS (...)]`.
    pub fn definition(&self) -> String {
        let mut s = format!("CREATE SERVER {}", Ident(&self.name));
        if let Some(t) = &self.server_type {
            s.push_str(&format!(" TYPE {}", literal(t)));
        }
        if let Some(v) = &self.version {
            s.push_str(&format!(" VERSION {}", literal(v)));
        }
        s.push_str(&format!(" FOREIGN DATA WRAPPER {}", Ident(&self.wrapper)));
        s.push_str(&options_clause(&self.options));
        s
    }
}

/// A user mapping's user as SQL: `PUBLIC` and `CURRENT_USER` (and the other
/// [`ROLE_KEYWORDS`]) as keywords, a role quoted where it needs to be.
pub fn mapping_user(user: &str) -> String {
    if user == PUBLIC || ROLE_KEYWORDS.contains(&user) {
        user.to_string()
    } else {
        Ident(user).to_string()
    }
}

/// `CREATE USER MAPPING FOR user SERVER server [OPTIONS (...)]`.
pub fn create_user_mapping(server: &str, user: &str, options: &FdwOptions) -> String {
    format!(
        "CREATE USER MAPPING FOR {} SERVER {}{}",
        mapping_user(user),
        Ident(server),
        options_clause(options)
    )
}

/// `DROP USER MAPPING FOR user SERVER server`.
pub fn drop_user_mapping(server: &str, user: &str) -> String {
    format!(
        "DROP USER MAPPING FOR {} SERVER {}",
        mapping_user(user),
        Ident(server)
    )
}

/// ` OPTIONS (name 'value', ...)`, or nothing without options.
pub fn options_clause(options: &FdwOptions) -> String {
    if options.is_empty() {
        return String::new();
    }
    let items: Vec<String> = options
        .iter()
        .map(|(k, v)| format!("{} {}", Ident(k), literal(v)))
        .collect();
    format!(" OPTIONS ({})", items.join(", "))
}

/// ` OPTIONS (ADD k 'v', SET k 'v', DROP k)` turning `from` into `to`, or `None` when
/// they hold the same options (order aside: PostgreSQL keeps them as added).
pub fn alter_options_clause(from: &FdwOptions, to: &FdwOptions) -> Option<String> {
    let mut items = Vec::new();
    for (k, _) in from {
        if !to.iter().any(|(n, _)| n == k) {
            items.push(format!("DROP {}", Ident(k)));
        }
    }
    for (k, v) in to {
        match from.iter().find(|(n, _)| n == k) {
            Some((_, old)) if old == v => {}
            Some(_) => items.push(format!("SET {} {}", Ident(k), literal(v))),
            None => items.push(format!("ADD {} {}", Ident(k), literal(v))),
        }
    }
    (!items.is_empty()).then(|| format!(" OPTIONS ({})", items.join(", ")))
}

/// Options as the model keeps them: sorted by name.
pub fn sorted_options(mut options: FdwOptions) -> FdwOptions {
    options.sort();
    options
}

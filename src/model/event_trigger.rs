//! Event triggers (`CREATE EVENT TRIGGER`).

use serde::{Deserialize, Serialize};

use super::{literal, Deps, FunctionKey, Ident, TriggerEnabled};

/// An event trigger: a function run on DDL events of the whole database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventTrigger {
    /// Its name (event triggers have no schema).
    pub name: String,
    /// `ddl_command_start`, `ddl_command_end`, `sql_drop`, `table_rewrite` or `login`.
    pub event: String,
    /// `WHEN TAG IN (...)`: the command tags, upper case, in the order written; empty
    /// for every command.
    pub tags: Vec<String>,
    /// The function it runs (no arguments, returning `event_trigger`).
    pub function: FunctionKey,
    /// `ALTER EVENT TRIGGER ... ENABLE | DISABLE | ENABLE REPLICA | ENABLE ALWAYS`.
    pub enabled: TriggerEnabled,
    /// `COMMENT ON EVENT TRIGGER`.
    pub comment: Option<String>,
    /// The function.
    pub deps: Deps,
}

impl EventTrigger {
    /// `CREATE EVENT TRIGGER name ON event [WHEN TAG IN (...)] EXECUTE FUNCTION f()`.
    pub fn definition(&self) -> String {
        let when = if self.tags.is_empty() {
            String::new()
        } else {
            let tags: Vec<String> = self.tags.iter().map(|t| literal(t)).collect();
            format!(" WHEN TAG IN ({})", tags.join(", "))
        };
        format!(
            "CREATE EVENT TRIGGER {} ON {}{when} EXECUTE FUNCTION {}()",
            Ident(&self.name),
            Ident(&self.event),
            self.function.name
        )
    }
}

//! `CREATE EVENT TRIGGER`, `ALTER EVENT TRIGGER ... ENABLE | DISABLE`.

use pg_query::protobuf;
use pg_query::NodeEnum;

use crate::error::Result;
use crate::model::{EventTrigger, FunctionKey, ObjectId, TriggerEnabled};
use crate::offline::expr::strings;

use super::{inner, Interp};

/// The events an event trigger can fire on.
const EVENTS: [&str; 5] = [
    "ddl_command_start",
    "ddl_command_end",
    "sql_drop",
    "table_rewrite",
    "login",
];

impl<'c> Interp<'c> {
    /// `CREATE EVENT TRIGGER name ON event [WHEN TAG IN (...)] EXECUTE FUNCTION f()`.
    pub(super) fn create_event_trigger(&mut self, s: &protobuf::CreateEventTrigStmt) -> Result<()> {
        if self.cat.event_triggers.contains_key(&s.trigname) {
            return Err(self.already_exists(&format!("event trigger {}", s.trigname)));
        }
        if !EVENTS.contains(&s.eventname.as_str()) {
            return Err(self.rejected(format!("unrecognized event name \"{}\"", s.eventname)));
        }
        self.created(format!("event trigger {}", s.trigname));
        let mut tags = Vec::new();
        for w in &s.whenclause {
            let Some(NodeEnum::DefElem(d)) = inner(w) else {
                continue;
            };
            if !d.defname.eq_ignore_ascii_case("tag") {
                return Err(
                    self.rejected(format!("unrecognized filter variable \"{}\"", d.defname))
                );
            }
            if let Some(NodeEnum::List(l)) = d.arg.as_deref().and_then(inner) {
                tags.extend(strings(&l.items).iter().map(|t| t.to_ascii_uppercase()));
            }
        }
        let fnames = strings(&s.funcname);
        let found = self
            .functions_named(&fnames)
            .into_iter()
            .find(|k| k.args.is_empty());
        let function = match found {
            Some(k) => {
                match self.cat.functions.get(&k).and_then(|f| f.result.as_deref()) {
                    Some("event_trigger") | None => {}
                    Some(_) => {
                        return Err(self.rejected(format!(
                            "function {}() must return type event_trigger",
                            fnames.join(".")
                        )))
                    }
                }
                k
            }
            None if self.extension_functions_possible() => FunctionKey {
                name: self.create_list(&fnames)?,
                args: String::new(),
            },
            None => {
                return Err(self.rejected(format!("function {}() does not exist", fnames.join("."))))
            }
        };
        let mut x = EventTrigger {
            name: s.trigname.clone(),
            event: s.eventname.clone(),
            tags,
            function: function.clone(),
            enabled: TriggerEnabled::Origin,
            comment: None,
            deps: Default::default(),
        };
        if self.cat.functions.contains_key(&function) {
            x.deps.insert(ObjectId::Function(function));
        }
        self.cat.event_triggers.insert(x.name.clone(), x);
        Ok(())
    }

    /// `ALTER EVENT TRIGGER name ENABLE | DISABLE | ENABLE REPLICA | ENABLE ALWAYS`.
    pub(super) fn alter_event_trigger(&mut self, s: &protobuf::AlterEventTrigStmt) -> Result<()> {
        let enabled = match s.tgenabled.as_str() {
            "D" => TriggerEnabled::Disabled,
            "R" => TriggerEnabled::Replica,
            "A" => TriggerEnabled::Always,
            _ => TriggerEnabled::Origin,
        };
        let err = self.missing(format!("event trigger {}", s.trigname));
        let x = self.cat.event_triggers.get_mut(&s.trigname).ok_or(err)?;
        x.enabled = enabled;
        Ok(())
    }
}

//! Diff of schemas, extensions, user-defined types and sequences.

use crate::model::{ObjectId, Sequence, Type, TypeKind};

use super::disrupt::is_subsequence;
use super::{
    pair_up, retired_type_name, Change, CommentTarget, DomainChange, Emitter, EnumPosition,
};

/// Schemas and extensions.
pub(crate) fn diff_schemas_and_extensions(e: &mut Emitter) {
    for (name, from, to) in pair_up(&e.from.schemas, &e.to.schemas) {
        match (from, to) {
            (Some(f), None) => e.push(Change::DropSchema(f.clone())),
            (None, Some(t)) => e.push(Change::CreateSchema(t.clone())),
            (Some(f), Some(t)) => e.comment(
                ObjectId::Schema(name.clone()),
                CommentTarget::Schema,
                &f.comment,
                &t.comment,
            ),
            (None, None) => {}
        }
    }
    for (name, from, to) in pair_up(&e.from.extensions, &e.to.extensions) {
        match (from, to) {
            (Some(f), None) => e.push(Change::DropExtension(f.clone())),
            (None, Some(t)) => e.push(Change::CreateExtension(t.clone())),
            (Some(f), Some(t)) => {
                // A desired version of "" is unknown (an offline catalog of `CREATE
                // EXTENSION` without VERSION: the default, which only a server knows):
                // whatever is installed satisfies it.
                let version_changed = f.version != t.version && !t.version.is_empty();
                if version_changed || f.schema != t.schema {
                    e.push(Change::AlterExtension {
                        from: f.clone(),
                        to: t.clone(),
                    });
                }
                e.comment(
                    ObjectId::Extension(name.clone()),
                    CommentTarget::Extension,
                    &f.comment,
                    &t.comment,
                );
            }
            (None, None) => {}
        }
    }
}

/// Collations. One that changes is set aside, created anew, and the columns using it
/// moved over (table diff) before the old one is dropped; one nothing uses the same way.
pub(crate) fn diff_collations(e: &mut Emitter) {
    for (name, from, to) in pair_up(&e.from.collations, &e.to.collations) {
        match (from, to) {
            (Some(f), None) => e.push(Change::DropCollation(f.clone())),
            (None, Some(t)) => e.push(Change::CreateCollation(t.clone())),
            (Some(f), Some(t)) if e.d.recollated.contains(name) => {
                let retired = retired_type_name(name);
                e.push(Change::RenameCollation {
                    from: f.clone(),
                    to: retired.clone(),
                });
                e.push(Change::CreateCollation(t.clone()));
                let mut old = f.clone();
                old.name = retired;
                old.comment = None;
                e.push(Change::DropCollation(old));
            }
            (Some(f), Some(t)) => e.comment(
                ObjectId::Collation(name.clone()),
                CommentTarget::Collation,
                &f.comment,
                &t.comment,
            ),
            (None, None) => {}
        }
    }
}

/// Publications. Tables dropped by the plan (for good or to be created again) leave
/// their publications with them, so they count as no longer listed: a recreated one is
/// added back.
pub(crate) fn diff_publications(e: &mut Emitter) {
    for (name, from, to) in pair_up(&e.from.publications, &e.to.publications) {
        match (from, to) {
            (Some(f), None) => e.push(Change::DropPublication(f.clone())),
            (None, Some(t)) => e.push(Change::CreatePublication(t.clone())),
            (Some(f), Some(t)) if f.all_tables != t.all_tables => {
                e.push(Change::DropPublication(f.clone()));
                e.push(Change::CreatePublication(t.clone()));
            }
            (Some(f), Some(t)) => {
                let mut left = f.clone();
                left.tables.retain(|n, _| !e.d.relation_dropped(n));
                left.schemas
                    .retain(|s| !e.d.is_dropped(&ObjectId::Schema(s.clone())));
                let mut same = left.clone();
                same.comment = t.comment.clone();
                if same != *t {
                    e.push(Change::AlterPublication {
                        from: left,
                        to: t.clone(),
                    });
                }
                e.comment(
                    ObjectId::Publication(name.clone()),
                    CommentTarget::Publication,
                    &f.comment,
                    &t.comment,
                );
            }
            (None, None) => {}
        }
    }
}

/// Event triggers: dropped and created again when what they run on or what they run
/// changes (or their function is recreated), altered when only their firing does.
pub(crate) fn diff_event_triggers(e: &mut Emitter) {
    for (name, from, to) in pair_up(&e.from.event_triggers, &e.to.event_triggers) {
        let id = ObjectId::EventTrigger(name.clone());
        match (from, to) {
            (Some(f), None) => e.push(Change::DropEventTrigger(f.clone())),
            (None, Some(t)) => e.push(Change::CreateEventTrigger(t.clone())),
            (Some(f), Some(t)) if e.d.is_recreated(&id) => {
                e.push(Change::DropEventTrigger(f.clone()));
                e.push(Change::CreateEventTrigger(t.clone()));
            }
            (Some(f), Some(t)) => {
                if f.enabled != t.enabled {
                    e.push(Change::AlterEventTrigger {
                        from: f.clone(),
                        to: t.clone(),
                    });
                }
                e.comment(id, CommentTarget::EventTrigger, &f.comment, &t.comment);
            }
            (None, None) => {}
        }
    }
}

/// Text search dictionaries and configurations: altered in place (options, mappings)
/// unless their template or parser changes, which takes a drop and a create (with what
/// uses them, decided by the first pass).
pub(crate) fn diff_text_search(e: &mut Emitter) {
    for (name, from, to) in pair_up(&e.from.ts_dictionaries, &e.to.ts_dictionaries) {
        let id = ObjectId::TextSearchDictionary(name.clone());
        match (from, to) {
            (Some(f), None) => e.push(Change::DropTextSearchDictionary(f.clone())),
            (None, Some(t)) => e.push(Change::CreateTextSearchDictionary(t.clone())),
            (Some(f), Some(t)) if e.d.is_recreated(&id) => {
                e.push(Change::DropTextSearchDictionary(f.clone()));
                e.push(Change::CreateTextSearchDictionary(t.clone()));
            }
            (Some(f), Some(t)) => {
                if f.options != t.options {
                    e.push(Change::AlterTextSearchDictionary {
                        from: f.clone(),
                        to: t.clone(),
                    });
                }
                e.comment(
                    id,
                    CommentTarget::TextSearchDictionary,
                    &f.comment,
                    &t.comment,
                );
            }
            (None, None) => {}
        }
    }
    for (name, from, to) in pair_up(&e.from.ts_configurations, &e.to.ts_configurations) {
        let id = ObjectId::TextSearchConfiguration(name.clone());
        match (from, to) {
            (Some(f), None) => e.push(Change::DropTextSearchConfiguration(f.clone())),
            (None, Some(t)) => e.push(Change::CreateTextSearchConfiguration(t.clone())),
            (Some(f), Some(t)) if e.d.is_recreated(&id) => {
                e.push(Change::DropTextSearchConfiguration(f.clone()));
                e.push(Change::CreateTextSearchConfiguration(t.clone()));
            }
            (Some(f), Some(t)) => {
                if f.mappings != t.mappings {
                    e.push(Change::AlterTextSearchConfiguration {
                        from: f.clone(),
                        to: t.clone(),
                    });
                }
                e.comment(
                    id,
                    CommentTarget::TextSearchConfiguration,
                    &f.comment,
                    &t.comment,
                );
            }
            (None, None) => {}
        }
    }
}

/// Operators: dropped and created again when anything but their comment changes.
pub(crate) fn diff_operators(e: &mut Emitter) {
    for (key, from, to) in pair_up(&e.from.operators, &e.to.operators) {
        let id = ObjectId::Operator(key.clone());
        match (from, to) {
            (Some(f), None) => e.push(Change::DropOperator(f.clone())),
            (None, Some(t)) => e.push(Change::CreateOperator(t.clone())),
            (Some(f), Some(t)) if e.d.is_recreated(&id) => {
                e.push(Change::DropOperator(f.clone()));
                e.push(Change::CreateOperator(t.clone()));
            }
            (Some(f), Some(t)) => e.comment(id, CommentTarget::Operator, &f.comment, &t.comment),
            (None, None) => {}
        }
    }
}

/// Foreign-data wrappers: altered in place (handler, validator and options all can be).
pub(crate) fn diff_foreign_data_wrappers(e: &mut Emitter) {
    for (name, from, to) in pair_up(&e.from.foreign_data_wrappers, &e.to.foreign_data_wrappers) {
        let id = ObjectId::ForeignDataWrapper(name.clone());
        match (from, to) {
            (Some(f), None) => e.push(Change::DropForeignDataWrapper(f.clone())),
            (None, Some(t)) => e.push(Change::CreateForeignDataWrapper(t.clone())),
            (Some(f), Some(t)) if e.d.is_recreated(&id) => {
                e.push(Change::DropForeignDataWrapper(f.clone()));
                e.push(Change::CreateForeignDataWrapper(t.clone()));
            }
            (Some(f), Some(t)) => {
                if f.handler != t.handler || f.validator != t.validator || f.options != t.options {
                    e.push(Change::AlterForeignDataWrapper {
                        from: f.clone(),
                        to: t.clone(),
                    });
                }
                e.comment(
                    id,
                    CommentTarget::ForeignDataWrapper,
                    &f.comment,
                    &t.comment,
                );
            }
            (None, None) => {}
        }
    }
}

/// Foreign servers and their user mappings: altered in place, dropped and created
/// again when their wrapper or type changes (their mappings with them).
pub(crate) fn diff_foreign_servers(e: &mut Emitter) {
    for (name, from, to) in pair_up(&e.from.foreign_servers, &e.to.foreign_servers) {
        let id = ObjectId::ForeignServer(name.clone());
        match (from, to) {
            (Some(f), None) => e.push(Change::DropServer(f.clone())),
            (None, Some(t)) => e.push(Change::CreateServer(t.clone())),
            (Some(f), Some(t)) if e.d.is_recreated(&id) => {
                e.push(Change::DropServer(f.clone()));
                e.push(Change::CreateServer(t.clone()));
            }
            (Some(f), Some(t)) => {
                if f.version != t.version || f.options != t.options || f.mappings != t.mappings {
                    e.push(Change::AlterServer {
                        from: f.clone(),
                        to: t.clone(),
                    });
                }
                e.comment(id, CommentTarget::Server, &f.comment, &t.comment);
            }
            (None, None) => {}
        }
    }
}

/// Casts: dropped and created again when anything but their comment changes (there is
/// no `ALTER CAST`).
pub(crate) fn diff_casts(e: &mut Emitter) {
    for (key, from, to) in pair_up(&e.from.casts, &e.to.casts) {
        let id = ObjectId::Cast(key.clone());
        match (from, to) {
            (Some(f), None) => e.push(Change::DropCast(f.clone())),
            (None, Some(t)) => e.push(Change::CreateCast(t.clone())),
            (Some(f), Some(t)) if e.d.is_recreated(&id) => {
                e.push(Change::DropCast(f.clone()));
                e.push(Change::CreateCast(t.clone()));
            }
            (Some(f), Some(t)) => e.comment(id, CommentTarget::Cast, &f.comment, &t.comment),
            (None, None) => {}
        }
    }
}

/// How `COMMENT ON` names a type of this kind.
pub(crate) fn type_comment_target(t: &Type) -> CommentTarget {
    match t.kind {
        TypeKind::Domain { .. } => CommentTarget::Domain,
        _ => CommentTarget::Type,
    }
}

/// Enum, domain and composite types.
pub(crate) fn diff_types(e: &mut Emitter) {
    for (name, from, to) in pair_up(&e.from.types, &e.to.types) {
        let (f, t) = match (from, to) {
            (Some(f), None) => {
                e.push(Change::DropType(f.clone()));
                continue;
            }
            (None, Some(t)) => {
                e.push(Change::CreateType(t.clone()));
                continue;
            }
            (Some(f), Some(t)) => (f, t),
            (None, None) => continue,
        };
        if e.d.retyped.contains(name) {
            // Set the old type aside under another name, create the new one, convert
            // the columns (table diff), then drop the old one.
            let retired = retired_type_name(name);
            e.push(Change::RenameType {
                from: f.clone(),
                to: retired.clone(),
            });
            e.push(Change::CreateType(t.clone()));
            let mut old = f.clone();
            old.name = retired;
            old.comment = None;
            // A collation set aside with it is dropped after it, under its own retired
            // name.
            old.deps.0 = old
                .deps
                .iter()
                .map(|id| match id {
                    ObjectId::Collation(c) if e.d.recollated.contains(c) => {
                        ObjectId::Collation(retired_type_name(c))
                    }
                    other => other.clone(),
                })
                .collect();
            e.push(Change::DropType(old));
            continue;
        }
        match (&f.kind, &t.kind) {
            (TypeKind::Enum { labels: a }, TypeKind::Enum { labels: b }) => {
                debug_assert!(is_subsequence(a, b));
                enum_additions(e, t, a, b);
            }
            (
                TypeKind::Domain {
                    not_null: fnn,
                    default: fdef,
                    checks: fchecks,
                    ..
                },
                TypeKind::Domain {
                    not_null: tnn,
                    default: tdef,
                    checks: tchecks,
                    ..
                },
            ) => {
                let alter = |what| Change::AlterDomain {
                    from: f.clone(),
                    to: t.clone(),
                    what,
                };
                for (cname, check) in fchecks {
                    match tchecks.get(cname) {
                        Some(n) if n.definition == check.definition => {
                            if !check.validated && n.validated {
                                e.push(alter(DomainChange::ValidateCheck(cname.clone())));
                            } else if check.validated && !n.validated {
                                e.push(alter(DomainChange::DropCheck(cname.clone())));
                                e.push(alter(DomainChange::CreateCheck(cname.clone())));
                            }
                        }
                        Some(_) => {
                            e.push(alter(DomainChange::DropCheck(cname.clone())));
                            e.push(alter(DomainChange::CreateCheck(cname.clone())));
                        }
                        None => e.push(alter(DomainChange::DropCheck(cname.clone()))),
                    }
                }
                for cname in tchecks.keys() {
                    if !fchecks.contains_key(cname) {
                        e.push(alter(DomainChange::CreateCheck(cname.clone())));
                    }
                }
                if fdef != tdef {
                    e.push(alter(DomainChange::Default));
                }
                if fnn != tnn {
                    e.push(alter(DomainChange::NotNull));
                }
            }
            (TypeKind::Composite { attributes: a }, TypeKind::Composite { attributes: b }) => {
                if a != b {
                    e.push(Change::AlterCompositeType {
                        from: f.clone(),
                        to: t.clone(),
                    });
                }
            }
            _ => unreachable!("a change of type kind is a retype"),
        }
        e.comment(
            ObjectId::Type(name.clone()),
            type_comment_target(t),
            &f.comment,
            &t.comment,
        );
    }
}

/// `ALTER TYPE ... ADD VALUE` for each label of `to` missing from `from`, placed next to
/// a neighbour so the final order matches.
fn enum_additions(e: &mut Emitter, t: &Type, from: &[String], to: &[String]) {
    let mut seq = 0;
    for (i, label) in to.iter().enumerate() {
        if from.contains(label) {
            continue;
        }
        let tail = to[i + 1..].iter().all(|l| !from.contains(l));
        let position = if tail {
            EnumPosition::End
        } else if i > 0 {
            EnumPosition::After(to[i - 1].clone())
        } else {
            EnumPosition::Before(to[i + 1].clone())
        };
        e.push(Change::CreateEnumValue {
            type_name: t.name.clone(),
            label: label.clone(),
            position,
            seq,
        });
        seq += 1;
    }
}

/// Sequences. A sequence owned by a column goes with its column (or table) when that is
/// dropped, so its ownership is released first when the sequence is to stay.
pub(crate) fn diff_sequences(e: &mut Emitter) {
    for (name, from, to) in pair_up(&e.from.sequences, &e.to.sequences) {
        let owner_dropped = |s: &Sequence| {
            s.owned_by.as_ref().is_some_and(|(t, c)| {
                e.d.relation_dropped(t) || e.d.is_dropped(&ObjectId::Column(t.clone(), c.clone()))
            })
        };
        match (from, to) {
            (Some(f), None) => {
                if !owner_dropped(f) {
                    e.push(Change::DropSequence(f.clone()));
                }
            }
            (None, Some(t)) => {
                let mut bare = t.clone();
                bare.owned_by = None;
                e.push(Change::CreateSequence(bare.clone()));
                if t.owned_by.is_some() {
                    e.push(Change::AlterSequence {
                        from: bare,
                        to: t.clone(),
                    });
                }
            }
            (Some(f), Some(t)) => {
                let mut current = f.clone();
                current.comment = t.comment.clone();
                if owner_dropped(f) {
                    let mut disowned = f.clone();
                    disowned.owned_by = None;
                    disowned.comment = t.comment.clone();
                    e.push(Change::AlterSequence {
                        from: current.clone(),
                        to: disowned.clone(),
                    });
                    current = disowned;
                }
                if current != *t {
                    e.push(Change::AlterSequence {
                        from: current,
                        to: t.clone(),
                    });
                }
                e.comment(
                    ObjectId::Sequence(name.clone()),
                    CommentTarget::Sequence,
                    &f.comment,
                    &t.comment,
                );
            }
            (None, None) => {}
        }
    }
}

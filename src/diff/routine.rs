//! Diff of views, materialized views, functions and procedures.

use crate::model::{FunctionKind, ObjectId, View};

use super::{pair_up, Change, CommentTarget, Emitter};

/// How `COMMENT ON` names a view of this kind.
pub(crate) fn view_comment_target(v: &View) -> CommentTarget {
    if v.materialized {
        CommentTarget::MaterializedView
    } else {
        CommentTarget::View
    }
}

/// Views and materialized views: replaced in place when PostgreSQL allows it, dropped
/// and created otherwise (the first pass decided which).
pub(crate) fn diff_views(e: &mut Emitter) {
    for (name, from, to) in pair_up(&e.from.views, &e.to.views) {
        match (from, to) {
            (Some(f), None) => e.push(Change::DropView(f.clone())),
            (None, Some(t)) => e.push(Change::CreateView(t.clone())),
            (Some(f), Some(t)) => {
                if e.d.is_recreated(&ObjectId::View(name.clone())) {
                    e.push(Change::DropView(f.clone()));
                    e.push(Change::CreateView(t.clone()));
                    continue;
                }
                if f.definition != t.definition || f.options != t.options || f.columns != t.columns
                {
                    e.push(Change::ReplaceView {
                        from: f.clone(),
                        to: t.clone(),
                    });
                }
                e.comment(
                    ObjectId::View(name.clone()),
                    view_comment_target(t),
                    &f.comment,
                    &t.comment,
                );
                for col in &t.columns {
                    let before = f.column_comments.get(&col.name).cloned();
                    let after = t.column_comments.get(&col.name).cloned();
                    e.comment(
                        ObjectId::Column(name.clone(), col.name.clone()),
                        CommentTarget::Column,
                        &before,
                        &after,
                    );
                }
            }
            (None, None) => {}
        }
    }
}

/// How `COMMENT ON` names a routine of this kind.
pub(crate) fn function_comment_target(kind: FunctionKind) -> CommentTarget {
    match kind {
        FunctionKind::Function => CommentTarget::Function,
        FunctionKind::Procedure => CommentTarget::Procedure,
        FunctionKind::Aggregate => CommentTarget::Aggregate,
    }
}

/// Functions and procedures: `CREATE OR REPLACE` when the signature and result stay,
/// drop and create otherwise.
pub(crate) fn diff_functions(e: &mut Emitter) {
    for (key, from, to) in pair_up(&e.from.functions, &e.to.functions) {
        match (from, to) {
            (Some(f), None) => e.push(Change::DropFunction(f.clone())),
            (None, Some(t)) => e.push(Change::CreateFunction(t.clone())),
            (Some(f), Some(t)) => {
                if e.d.is_recreated(&ObjectId::Function(key.clone())) {
                    e.push(Change::DropFunction(f.clone()));
                    e.push(Change::CreateFunction(t.clone()));
                    continue;
                }
                if f.definition != t.definition {
                    e.push(Change::ReplaceFunction {
                        from: f.clone(),
                        to: t.clone(),
                    });
                }
                e.comment(
                    ObjectId::Function(key.clone()),
                    function_comment_target(t.kind),
                    &f.comment,
                    &t.comment,
                );
            }
            (None, None) => {}
        }
    }
}

//! What a down section can and cannot do: each reverse step classified at plan time.
//!
//! Input: the down plan of a revision (the steps that take the schema back). Output:
//! the same steps, each marked as one of
//!
//! - runs on any data (no mark);
//! - `may-fail`: runs only if the rows allow it (a type narrowed again, NOT NULL, a
//!   unique, check or foreign key constraint re-added), with the query that tells: it
//!   counts the rows that make the step fail (or fails the way the step would, for a
//!   conversion no cheaper test covers);
//! - `not-reversible`: the up section dropped a table or a column, and its rows cannot
//!   come back; the down step recreates it empty.
//!
//! The revision header carries the union, so `rollback` can refuse or warn before it
//! runs anything. Does no I/O.

use super::{Hazard, Plan, Step};
use crate::diff::{Change, ColumnChange, DomainChange};
use crate::model::{split_top_level, unquoted, ConstraintKind, Ident, QualName};

/// Marks every step of a down plan with the hazards of running it on a database with
/// rows, and the check query of the steps that may fail.
pub fn classify_reverse(mut down: Plan) -> Plan {
    for step in &mut down.steps {
        let (hazards, check) = classify(step);
        step.hazards.extend(hazards);
        step.hazards.sort();
        step.hazards.dedup();
        if step.check.is_none() {
            step.check = check;
        }
    }
    down
}

/// The hazards of a classified down plan that `rollback` cares about.
pub fn rollback_hazards(down: &Plan) -> impl Iterator<Item = Hazard> + '_ {
    down.hazards()
        .into_iter()
        .filter(|h| matches!(h, Hazard::MayFail | Hazard::NotReversible))
}

/// A step's rollback hazards and, for a step that may fail, its check query.
fn classify(step: &Step) -> (Vec<Hazard>, Option<String>) {
    use Hazard::{MayFail, NotReversible};
    // Online forms add a check or foreign key NOT VALID (no scan) and validate it in a
    // step of its own: the validation is the step that may fail.
    let not_valid = step.sql.first().is_some_and(|s| s.ends_with(" NOT VALID"));
    match &step.change {
        // A held table moved back brings its rows.
        // Its foreign keys, dropped while it was held, are added again: the rows they
        // reference may be gone since.
        Change::CreateTable { table, .. } if super::recoverable::restores_held(step) => {
            let checks: Vec<String> = table
                .constraints
                .values()
                .filter(|c| {
                    c.kind == ConstraintKind::ForeignKey
                        && step
                            .sql
                            .iter()
                            .any(|s| s.contains(&format!("ADD CONSTRAINT {} ", Ident(&c.name))))
                })
                // Checked before the rollback, while the table is still held.
                .filter_map(|c| constraint_check(&super::recoverable::held_table(&table.name), c))
                .collect();
            match checks.as_slice() {
                [] => (vec![], None),
                [one] => (vec![MayFail], Some(one.clone())),
                many => (
                    vec![MayFail],
                    Some(format!(
                        "SELECT {}",
                        many.iter()
                            .map(|q| format!("({q})"))
                            .collect::<Vec<_>>()
                            .join(" + ")
                    )),
                ),
            }
        }
        // A foreign table's rows stay behind its server: dropping it loses none.
        Change::CreateTable { table, .. } if table.foreign.is_some() => (vec![], None),
        Change::CreateTable { .. } => (vec![NotReversible], None),
        // A held column put back brings its values (the step carries its own check).
        Change::CreateColumn { .. } if super::recoverable::restores_held_column(step) => {
            (vec![], None)
        }
        Change::CreateColumn { table, column } if column.generated.is_none() => {
            if column.not_null && column.default.is_none() && column.identity.is_none() {
                // Fails on a table with any row: there is no value to put there.
                (
                    vec![NotReversible, MayFail],
                    Some(format!("SELECT count(*) FROM {table}")),
                )
            } else {
                (vec![NotReversible], None)
            }
        }
        Change::AlterColumn {
            table,
            from,
            to,
            what,
        } => match what {
            ColumnChange::NotNull if to.not_null => (
                vec![MayFail],
                Some(format!(
                    "SELECT count(*) FROM {table} WHERE {} IS NULL",
                    Ident(&to.name)
                )),
            ),
            // Back between types no cast covers (a `using` hint converted them forward):
            // the down step cannot run on rows.
            ColumnChange::Type { .. }
                if crate::diff::no_cast_between(&from.type_name, &to.type_name) =>
            {
                (vec![NotReversible], None)
            }
            ColumnChange::Type { using } => {
                match narrowing_check(table, &to.name, &from.type_name, &to.type_name, using) {
                    Some(query) => (vec![MayFail], Some(query)),
                    None => (vec![], None),
                }
            }
            _ => (vec![], None),
        },
        Change::CreateConstraint { table, constraint } if constraint.validated && !not_valid => {
            (vec![MayFail], constraint_check(table, constraint))
        }
        Change::ValidateConstraint { table, constraint } => {
            (vec![MayFail], constraint_check(table, constraint))
        }
        Change::CreateIndex(index) if index.definition.starts_with("CREATE UNIQUE ") => (
            vec![MayFail],
            unique_index_check(&index.table, &index.definition),
        ),
        Change::AlterDomain {
            what: DomainChange::CreateCheck(_),
            ..
        } if !not_valid => (vec![MayFail], None),
        Change::AlterDomain {
            what: DomainChange::NotNull,
            ..
        } if step.sql.iter().any(|s| s.ends_with(" SET NOT NULL")) => (vec![MayFail], None),
        Change::AttachPartition { .. } => (vec![MayFail], None),
        _ => (vec![], None),
    }
}

/// The query telling whether converting `column` from `from` to `to` fails on some row;
/// `None` when the conversion cannot fail (a limit widened or dropped, a wider integer,
/// anything to text).
fn narrowing_check(
    table: &QualName,
    column: &str,
    from: &str,
    to: &str,
    using: &Option<String>,
) -> Option<String> {
    let col = Ident(column).to_string();
    let (from_base, from_args) = split_type(from);
    let (to_base, to_args) = split_type(to);
    let stringish = |b: &str| matches!(b, "text" | "character varying" | "character");
    let custom_using = using
        .as_deref()
        .is_some_and(|u| !u.ends_with(&format!("::{to}")));
    if !custom_using {
        if from == to || to == "text" || to == "character varying" {
            return None;
        }
        let rank = |b: &str| match b {
            "smallint" => Some(1),
            "integer" => Some(2),
            "bigint" => Some(3),
            _ => None,
        };
        if let (Some(f), Some(t)) = (rank(&from_base), rank(&to_base)) {
            if t >= f {
                return None;
            }
            let (lo, hi) = if to_base == "smallint" {
                ("-32768", "32767")
            } else {
                ("-2147483648", "2147483647")
            };
            return Some(format!(
                "SELECT count(*) FROM {table} WHERE {col} NOT BETWEEN {lo} AND {hi}"
            ));
        }
        if stringish(&from_base) && stringish(&to_base) {
            let limit = to_args.first().copied().unwrap_or(1);
            if from_base == to_base && from_args.first().is_some_and(|&n| n <= limit) {
                return None;
            }
            return Some(format!(
                "SELECT count(*) FROM {table} WHERE length({col}) > {limit}"
            ));
        }
        if from_base == "numeric" && to_base == "numeric" {
            let &precision = to_args.first()?;
            let scale = to_args.get(1).copied().unwrap_or(0);
            let digits = precision.saturating_sub(scale);
            if from_args.first().is_some_and(|&p| {
                let s = from_args.get(1).copied().unwrap_or(0);
                p.saturating_sub(s) <= digits && s <= scale
            }) {
                return None;
            }
            return Some(format!(
                "SELECT count(*) FROM {table} WHERE abs(round({col}, {scale})) >= 1e{digits}"
            ));
        }
        if matches!(
            (from_base.as_str(), to_base.as_str()),
            (
                "smallint" | "integer" | "bigint",
                "numeric" | "double precision"
            ) | ("real", "double precision")
        ) && to_args.is_empty()
        {
            return None;
        }
    }
    // Any other conversion: the query converts every value as the step would, so it
    // fails the same way, and counts values the conversion would turn into NULL.
    let expr = using.clone().unwrap_or_else(|| format!("{col}::{to}"));
    Some(format!(
        "SELECT count(*) FROM {table} WHERE ({expr}) IS NULL AND {col} IS NOT NULL"
    ))
}

/// `character varying(20)` as (`character varying`, [20]); `numeric(10,2)` as
/// (`numeric`, [10, 2]).
fn split_type(t: &str) -> (String, Vec<u32>) {
    match t.find('(') {
        Some(i) if t.ends_with(')') => {
            let args = t[i + 1..t.len() - 1]
                .split(',')
                .filter_map(|a| a.trim().parse().ok())
                .collect();
            (t[..i].trim().to_string(), args)
        }
        _ => (t.to_string(), Vec::new()),
    }
}

/// The query counting the rows a re-added constraint rejects (`None` for exclusion
/// constraints and forms not recognized).
fn constraint_check(table: &QualName, c: &crate::model::Constraint) -> Option<String> {
    let def = c.definition.as_str();
    match c.kind {
        ConstraintKind::Check => {
            let body = def.strip_prefix("CHECK ")?;
            let body = body.strip_suffix(" NO INHERIT").unwrap_or(body);
            let expr = enclosed(body)?;
            Some(format!(
                "SELECT count(*) FROM {table} WHERE NOT {}",
                parenthesized(expr)
            ))
        }
        ConstraintKind::Unique | ConstraintKind::PrimaryKey => {
            let (rest, skip_nulls) = if let Some(r) = def.strip_prefix("UNIQUE NULLS NOT DISTINCT ")
            {
                (r, false)
            } else if let Some(r) = def.strip_prefix("UNIQUE ") {
                (r, true)
            } else {
                (def.strip_prefix("PRIMARY KEY ")?, false)
            };
            let (columns, _) = leading_group(rest)?;
            Some(duplicates(
                table,
                &split_top_level(columns),
                skip_nulls,
                None,
            ))
        }
        ConstraintKind::ForeignKey => {
            let rest = def.strip_prefix("FOREIGN KEY ")?;
            let (columns, rest) = leading_group(rest)?;
            let rest = rest.trim_start().strip_prefix("REFERENCES ")?;
            let open = rest.find('(')?;
            let referenced = rest[..open].trim();
            let (ref_columns, _) = leading_group(&rest[open..])?;
            let columns = split_top_level(columns);
            let ref_columns = split_top_level(ref_columns);
            if columns.len() != ref_columns.len() {
                return None;
            }
            let present: Vec<String> = columns
                .iter()
                .map(|c| format!("c.{c} IS NOT NULL"))
                .collect();
            let matching: Vec<String> = columns
                .iter()
                .zip(&ref_columns)
                .map(|(c, r)| format!("p.{r} = c.{c}"))
                .collect();
            Some(format!(
                "SELECT count(*) FROM {table} AS c WHERE {} AND NOT EXISTS \
                 (SELECT 1 FROM {referenced} AS p WHERE {})",
                present.join(" AND "),
                matching.join(" AND ")
            ))
        }
        _ => None,
    }
}

/// The query counting duplicate keys of a unique index definition
/// (`CREATE UNIQUE INDEX n ON t USING btree (a, b) WHERE ...`); `None` when a key
/// carries an operator class, a collation or an ordering.
fn unique_index_check(table: &QualName, definition: &str) -> Option<String> {
    let after = &definition[definition.find(" USING ")? + 7..];
    let open = after.find('(')?;
    let (keys, rest) = leading_group(&after[open..])?;
    let keys = split_top_level(keys);
    if keys.iter().any(|k| has_top_level_space(k)) {
        return None;
    }
    let predicate = rest.find(" WHERE ").map(|i| &rest[i + 7..]);
    let skip_nulls = !rest.contains("NULLS NOT DISTINCT");
    Some(duplicates(table, &keys, skip_nulls, predicate))
}

/// `SELECT count(*) FROM (... GROUP BY keys HAVING count(*) > 1) AS duplicates`: the
/// number of key values held by more than one row.
fn duplicates(
    table: &QualName,
    keys: &[&str],
    skip_nulls: bool,
    predicate: Option<&str>,
) -> String {
    let mut filters: Vec<String> = Vec::new();
    if skip_nulls {
        filters.extend(keys.iter().map(|k| format!("{k} IS NOT NULL")));
    }
    if let Some(p) = predicate {
        filters.push(parenthesized(p.trim()));
    }
    let filter = if filters.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", filters.join(" AND "))
    };
    format!(
        "SELECT count(*) FROM (SELECT 1 FROM {table}{filter} GROUP BY {} \
         HAVING count(*) > 1) AS duplicates",
        keys.join(", ")
    )
}

/// The text inside the parentheses `s` starts with, and what follows them.
fn leading_group(s: &str) -> Option<(&str, &str)> {
    let s = s.trim_start();
    if !s.starts_with('(') {
        return None;
    }
    let (close, _, _) = unquoted(s).find(|&(_, c, d)| c == ')' && d == 0)?;
    Some((&s[1..close], &s[close + 1..]))
}

/// The inside of `s` when one pair of parentheses encloses all of it.
fn enclosed(s: &str) -> Option<&str> {
    match leading_group(s) {
        Some((inner, rest)) if rest.trim().is_empty() => Some(inner),
        _ => None,
    }
}

/// `s` in parentheses, unless one pair already encloses all of it.
fn parenthesized(s: &str) -> String {
    if enclosed(s).is_some() {
        s.to_string()
    } else {
        format!("({s})")
    }
}

/// Whether an index key has a space outside parentheses and quotes (an operator class,
/// a collation, `DESC`).
fn has_top_level_space(s: &str) -> bool {
    unquoted(s).any(|(_, c, d)| c == ' ' && d == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> QualName {
        QualName::new("public", "items")
    }

    #[test]
    fn narrowing_is_told_and_widening_is_not() {
        let q = |from: &str, to: &str| narrowing_check(&t(), "v", from, to, &None);
        assert_eq!(
            q("text", "character varying(5)").as_deref(),
            Some("SELECT count(*) FROM public.items WHERE length(v) > 5")
        );
        assert_eq!(
            q("character varying(50)", "character varying(20)").as_deref(),
            Some("SELECT count(*) FROM public.items WHERE length(v) > 20")
        );
        assert_eq!(q("character varying(20)", "character varying(50)"), None);
        assert_eq!(q("character varying(20)", "text"), None);
        assert_eq!(q("integer", "bigint"), None);
        assert_eq!(
            q("bigint", "integer").as_deref(),
            Some(
                "SELECT count(*) FROM public.items WHERE v NOT BETWEEN -2147483648 AND 2147483647"
            )
        );
        assert_eq!(
            q("numeric(12,2)", "numeric(10,2)").as_deref(),
            Some("SELECT count(*) FROM public.items WHERE abs(round(v, 2)) >= 1e8")
        );
        assert_eq!(q("numeric(10,2)", "numeric(12,2)"), None);
        assert_eq!(
            q("text", "integer").as_deref(),
            Some("SELECT count(*) FROM public.items WHERE (v::integer) IS NULL AND v IS NOT NULL")
        );
    }

    #[test]
    fn constraint_checks_count_the_rows_they_reject() {
        let c = |kind, definition: &str| crate::model::Constraint {
            name: "c".into(),
            kind,
            definition: definition.into(),
            validated: true,
            references: None,
            comment: None,
            deps: Default::default(),
        };
        assert_eq!(
            constraint_check(&t(), &c(ConstraintKind::Check, "CHECK ((qty > 0))")).as_deref(),
            Some("SELECT count(*) FROM public.items WHERE NOT (qty > 0)")
        );
        assert_eq!(
            constraint_check(
                &t(),
                &c(ConstraintKind::Check, "CHECK ((a > 0) AND (b > 0))")
            )
            .as_deref(),
            Some("SELECT count(*) FROM public.items WHERE NOT ((a > 0) AND (b > 0))")
        );
        assert_eq!(
            constraint_check(&t(), &c(ConstraintKind::Unique, "UNIQUE (a, b)")).as_deref(),
            Some(
                "SELECT count(*) FROM (SELECT 1 FROM public.items WHERE a IS NOT NULL AND b IS NOT NULL \
                 GROUP BY a, b HAVING count(*) > 1) AS duplicates"
            )
        );
        assert_eq!(
            constraint_check(
                &t(),
                &c(
                    ConstraintKind::ForeignKey,
                    "FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE"
                )
            )
            .as_deref(),
            Some(
                "SELECT count(*) FROM public.items AS c WHERE c.user_id IS NOT NULL AND NOT EXISTS \
                 (SELECT 1 FROM public.users AS p WHERE p.id = c.user_id)"
            )
        );
        assert_eq!(
            unique_index_check(
                &t(),
                "CREATE UNIQUE INDEX i ON public.items USING btree (lower(code)) WHERE (qty > 0)"
            )
            .as_deref(),
            Some(
                "SELECT count(*) FROM (SELECT 1 FROM public.items WHERE lower(code) IS NOT NULL \
                 AND (qty > 0) GROUP BY lower(code) HAVING count(*) > 1) AS duplicates"
            )
        );
        assert_eq!(
            unique_index_check(
                &t(),
                "CREATE UNIQUE INDEX i ON public.items USING btree (code text_pattern_ops)"
            ),
            None
        );
    }
}

//! Apply: pending revisions run against a target database, safely.
//!
//! Input: a plans [`crate::plan::History`] and a connection. Output: the database at the
//! head revision, with one history row per revision. Every run holds a session advisory
//! lock; each revision runs in one transaction together with its history row.

pub mod history;

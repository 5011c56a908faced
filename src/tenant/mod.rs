//! Tenant schemas: statements written for one template schema, applied to each
//! tenant's own schema.
//!
//! Input: SQL statements of a revision, the template schema's name and a tenant
//! schema's name. Output: the statements rewritten to act on the tenant's schema, or a
//! refusal naming what could not be proven. Does not touch the database.

pub mod rewrite;

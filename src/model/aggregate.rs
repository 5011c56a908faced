//! Aggregates (`CREATE AGGREGATE`): the parts a definition is written from, the same
//! for a live database and for schema files.

use serde::{Deserialize, Serialize};

use super::{literal, QualName};

/// What `CREATE AGGREGATE` says beyond the name and arguments, with PostgreSQL's
/// defaults left out: functions spelled as `regproc` prints them (a server's own bare,
/// others with their schema), types as `format_type` does.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AggregateParts {
    /// `SFUNC`.
    pub sfunc: String,
    /// `STYPE`.
    pub stype: String,
    /// `SSPACE` (0: not given).
    pub sspace: i32,
    /// `FINALFUNC`.
    pub finalfunc: Option<String>,
    /// `FINALFUNC_EXTRA`.
    pub finalfunc_extra: bool,
    /// `FINALFUNC_MODIFY`: `r` (READ_ONLY), `s` (SHAREABLE) or `w` (READ_WRITE).
    pub finalfunc_modify: char,
    /// `COMBINEFUNC`.
    pub combinefunc: Option<String>,
    /// `SERIALFUNC`.
    pub serialfunc: Option<String>,
    /// `DESERIALFUNC`.
    pub deserialfunc: Option<String>,
    /// `INITCOND`.
    pub initcond: Option<String>,
    /// `MSFUNC`.
    pub msfunc: Option<String>,
    /// `MINVFUNC`.
    pub minvfunc: Option<String>,
    /// `MSTYPE`.
    pub mstype: Option<String>,
    /// `MSSPACE` (0: not given).
    pub msspace: i32,
    /// `MFINALFUNC`.
    pub mfinalfunc: Option<String>,
    /// `MFINALFUNC_EXTRA`.
    pub mfinalfunc_extra: bool,
    /// `MFINALFUNC_MODIFY`.
    pub mfinalfunc_modify: char,
    /// `MINITCOND`.
    pub minitcond: Option<String>,
    /// `SORTOP`: the operator's name.
    pub sortop: Option<String>,
    /// `PARALLEL`: `s` (SAFE), `r` (RESTRICTED) or `u` (UNSAFE, the default).
    pub parallel: char,
    /// `aggkind`: `n` (normal), `o` (ordered-set) or `h` (hypothetical-set).
    pub kind: char,
}

impl AggregateParts {
    /// The `FINALFUNC_MODIFY` PostgreSQL picks when none is given.
    fn default_modify(&self) -> char {
        if self.kind == 'n' {
            'r'
        } else {
            'w'
        }
    }

    /// `CREATE OR REPLACE AGGREGATE name(args) (SFUNC = ..., ...)`.
    pub fn definition(&self, name: &QualName, args: &str) -> String {
        let modify = |c: char| match c {
            's' => "SHAREABLE",
            'w' => "READ_WRITE",
            _ => "READ_ONLY",
        };
        let mut o = vec![
            format!("SFUNC = {}", self.sfunc),
            format!("STYPE = {}", self.stype),
        ];
        fn opt(o: &mut Vec<String>, key: &str, v: &Option<String>) {
            if let Some(v) = v {
                o.push(format!("{key} = {v}"));
            }
        }
        if self.sspace != 0 {
            o.push(format!("SSPACE = {}", self.sspace));
        }
        opt(&mut o, "FINALFUNC", &self.finalfunc);
        if self.finalfunc_extra {
            o.push("FINALFUNC_EXTRA".into());
        }
        if self.finalfunc_modify != self.default_modify() {
            o.push(format!(
                "FINALFUNC_MODIFY = {}",
                modify(self.finalfunc_modify)
            ));
        }
        opt(&mut o, "COMBINEFUNC", &self.combinefunc);
        opt(&mut o, "SERIALFUNC", &self.serialfunc);
        opt(&mut o, "DESERIALFUNC", &self.deserialfunc);
        if let Some(i) = &self.initcond {
            o.push(format!("INITCOND = {}", literal(i)));
        }
        opt(&mut o, "MSFUNC", &self.msfunc);
        opt(&mut o, "MINVFUNC", &self.minvfunc);
        opt(&mut o, "MSTYPE", &self.mstype);
        if self.msspace != 0 {
            o.push(format!("MSSPACE = {}", self.msspace));
        }
        opt(&mut o, "MFINALFUNC", &self.mfinalfunc);
        if self.mfinalfunc_extra {
            o.push("MFINALFUNC_EXTRA".into());
        }
        if self.msfunc.is_some() && self.mfinalfunc_modify != self.default_modify() {
            o.push(format!(
                "MFINALFUNC_MODIFY = {}",
                modify(self.mfinalfunc_modify)
            ));
        }
        if let Some(i) = &self.minitcond {
            o.push(format!("MINITCOND = {}", literal(i)));
        }
        opt(&mut o, "SORTOP", &self.sortop);
        match self.parallel {
            's' => o.push("PARALLEL = SAFE".into()),
            'r' => o.push("PARALLEL = RESTRICTED".into()),
            _ => {}
        }
        if self.kind == 'h' {
            o.push("HYPOTHETICAL".into());
        }
        format!(
            "CREATE OR REPLACE AGGREGATE {name}({args}) ({})",
            o.join(", ")
        )
    }
}

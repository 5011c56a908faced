//! For an application's `build.rs`: embed every revision of a plans directory in the
//! binary, so a deployed program applies its plans without a plans/ folder next to it.
//!
//! ```no_run
//! // build.rs, in its fn main:
//! schemaplan::build::embed_plans("plans").expect("embed plans");
//! ```
//!
//! ```ignore
//! // main.rs
//! static PLANS: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/schemaplan_plans.rs"));
//! let migrator = schemaplan::apply::Migrator::from_embedded(PLANS)?;
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `$OUT_DIR/schemaplan_plans.rs`: a slice expression of (file name, text) for
/// every `.sql` file in `dir` (relative to the crate's manifest directory), each text
/// an `include_str!`, and tells cargo to rerun when the directory changes.
pub fn embed_plans(dir: &str) -> std::io::Result<PathBuf> {
    let out_dir = std::env::var_os("OUT_DIR")
        .map(PathBuf::from)
        .ok_or_else(|| {
            std::io::Error::other("OUT_DIR is not set: call embed_plans from build.rs")
        })?;
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_default();
    let out = out_dir.join("schemaplan_plans.rs");
    write_embedded(&manifest.join(dir), &out)?;
    println!("cargo:rerun-if-changed={dir}");
    Ok(out)
}

/// Writes the slice expression for the `.sql` files of `dir` into `out`, in name order.
pub fn write_embedded(dir: &Path, out: &Path) -> std::io::Result<()> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "sql"))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    files.sort();
    let mut text = String::from("&[\n");
    for f in &files {
        let name = f.file_name().unwrap_or_default().to_string_lossy();
        let absolute = std::fs::canonicalize(f)?;
        text.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            name,
            absolute.display().to_string()
        ));
    }
    text.push(']');
    std::fs::File::create(out)?.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_revision_file_is_listed_in_name_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b.sql"), "x").unwrap();
        std::fs::write(dir.path().join("a.sql"), "y").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "z").unwrap();
        let out = dir.path().join("out.rs");
        write_embedded(dir.path(), &out).unwrap();
        let text = std::fs::read_to_string(out).unwrap();
        let a = text.find("(\"a.sql\", include_str!(").unwrap();
        let b = text.find("(\"b.sql\", include_str!(").unwrap();
        assert!(a < b);
        assert!(!text.contains("notes.txt"));
    }
}

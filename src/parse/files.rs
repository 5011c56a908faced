//! Finding schema files: a `.sql` or YAML file, or every `.sql`, `.yaml` and `.yml` file
//! under a directory.
//!
//! Input: a path. Output: the files to read, sorted by path so that the statements come
//! out in the same order on every machine. Reads directory listings only, never files.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The `.sql` files at `path`: the file itself when it is a file (whatever its
/// extension: the user named it), else every `*.sql` below the directory, recursively,
/// sorted by path.
pub(crate) fn sql_files(path: &Path) -> Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    collect(path, &mut files)?;
    files.sort();
    Ok(files)
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        // metadata() follows symlinks, so a linked directory or file counts like a real one.
        let meta = std::fs::metadata(&path).map_err(|e| Error::io(&path, e))?;
        if meta.is_dir() {
            collect(&path, files)?;
        } else if meta.is_file() && is_sql(&path) {
            files.push(path);
        }
    }
    Ok(())
}

/// `.sql`, or a YAML schema file (`.yaml`, `.yml`).
fn is_sql(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("sql"))
        || super::yaml::is_yaml(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_sql_files_recursively_in_path_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b/c")).unwrap();
        for f in [
            "z.sql",
            "a.sql",
            "b/c/x.sql",
            "b/y.SQL",
            "notes.txt",
            "b/readme.md",
            "b/c/t.yaml",
        ] {
            std::fs::write(root.join(f), "").unwrap();
        }
        let files: Vec<String> = sql_files(root)
            .unwrap()
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().display().to_string())
            .collect();
        assert_eq!(
            files,
            ["a.sql", "b/c/t.yaml", "b/c/x.sql", "b/y.SQL", "z.sql"]
        );
    }

    #[test]
    fn a_missing_path_is_named() {
        let err = sql_files(Path::new("/no/such/schema")).unwrap_err();
        assert!(err.to_string().starts_with("/no/such/schema: "), "{err}");
    }
}
